"""The outcome of a session: the facilitator composes it; everyone it is shared with reads it.

`/sessies/{public_id}/uitkomst` shows the facilitator what the session captured (from its
state, sessions/capture.py) and what the harvest gave (sessions/harvest/), with a form for the
summary, insights, actions, products, open knowledge questions and the sharing level. Saving
stores the outcome (catalogue/outcomes/actions.py) with the capture and the consents as they are
then.

`/uitkomsten/{public_id}` shows an outcome: its creator and coordinators see the group version
(with names) and can preview each wider level; everyone else sees the shared version at the
outcome's level (catalogue/outcomes/sharing.py), or a 404 when they may not: an outcome that is not
shared with someone does not exist for them.

- pages.py: the two pages (compose, read) and the form's submission;
- form.py (pure): the compose form's values, its product rows and its checks;
- chart.py (pure): the server-drawn positioning chart of a version.
"""
