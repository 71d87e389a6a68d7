"""Coordinator pages (`/beheer/…`): erasing a person, reading the audit log (pages.py)."""
