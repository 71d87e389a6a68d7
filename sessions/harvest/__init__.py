"""The participant side of the harvest: goal ratings, a takeaway, and consent to share.

Each participant answers once; a later answer replaces the earlier one (one row per participant
in `harvest_responses`). Consent can be changed or withdrawn later, also after the session
ended, through the participant's own link (`/s/{public_id}/oogst`, sessions/harvest/pages.py).
A change of consent level is written to the audit log (levels only, never what anyone wrote).

- answers.py (pure): checking an answer (`check`), deciding who may answer (`refusal`), and
  turning the answers into what the outcome stores (`rating_means`, `consents`;
  catalogue/outcomes/actions.py);
- queries.py: reading the answers; actions.py: storing one (`save_response`);
- pages.py: the page.
"""
