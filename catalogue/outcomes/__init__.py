"""Outcomes: the one outcome of a session, and how it may leave the group.

models (tables, also the library's index and region memberships), composition (pure: what the
facilitator composes), actions (save, gate, consent changes), queries, gate (the sharing gate:
every text de-identified before it leaves the group), deidentify (deduce), name_matcher
(participants' names however written), sharing (an outcome at each sharing level).
"""
