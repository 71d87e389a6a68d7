"""Groups (trajecten): a standing group, its facilitators and pseudonymous members, and its
series of sessions (docs/groups.md).

- models.py: the tables; membership.py: the member's token (how a member is recognised from
  session to session); queries.py: reading; actions.py: writing.
"""
