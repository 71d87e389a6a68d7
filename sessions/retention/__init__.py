"""Retention: what is older than `WERKPLAATS_RETENTION_DAYS` goes, shared outcomes stay.

- rule.py (pure): what is old enough to go, and what stays;
- queries.py: the ages of sessions and outcomes, read into the rule's plan;
- actions.py: the run (delete, erase the names in what stays, rewrite the files);
- cli.py: `werkplaats retain`.

`werkplaats retain` runs daily (deploy/systemd/werkplaats-retention.timer, the compose service
`retention`). It is idempotent: a second run the same day finds nothing. A restored backup
brings back what retention removed since; the restore script runs it again.
"""
