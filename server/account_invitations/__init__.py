"""Invitations to make an account: a coordinator invites an address (docs/accounts.md)."""
