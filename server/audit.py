"""The audit log: record who did what to what, and when; never what anyone wrote."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.models import AuditEntry

ACTIONS = (
    "export",  # an outcome or module left the system (download, CLI export)
    "consent.change",  # a participant changed their consent
    "sharing.change",  # an outcome's sharing level changed
    "outcome.review",  # the facilitator changed what the sharing gate hides or keeps
    "erase",  # a person's identity was erased
    "outcome.withdraw",  # an outcome was withdrawn
    "second_factor.reset",  # a coordinator turned another account's off (a lost phone)
    "password.reset_request",  # a reset link was mailed to an account (actor "visitor")
    "password.reset",  # an account's password was set anew with a reset link
    "login.oidc",  # an account logged in with the institution (OpenID Connect)
    "account.created_oidc",  # the institution's login made an account, without roles
    "account.roles",  # a coordinator set another account's roles (detail: the roles)
    "account.regions",  # a coordinator set an account's regions (detail: the region slugs)
    "account.invite",  # a coordinator mailed an address an invitation to make an account
    "account.accept",  # an invitation link made an account
    "group.facilitator_add",  # an account was made a facilitator of a group (who sees its members)
    "group.facilitator_remove",  # an account was taken off a group's facilitators
)


def record(
    db: AsyncSession,
    action: str,
    target: str,
    *,
    actor: str,
    actor_id: int | None = None,
    detail: str = "",
) -> None:
    """Add an entry to `db`'s transaction, so it commits (or not) with the change it records.

    `actor`: "account:{id}", "participant", "visitor" (not logged in) or "cli"; `target`: ids
    only ("outcome:{public_id}",
    "session:{public_id}/{participant}"); `detail`: levels or counts, never contents.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
    db.add(
        AuditEntry(
            action=action,
            target=target[:200],
            actor=actor[:120],
            actor_id=actor_id,
            detail=detail[:200],
        )
    )
