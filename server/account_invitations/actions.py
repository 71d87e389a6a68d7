"""A coordinator invites an e-mail address with roles; the invitee sets a name and password.

The link's random token is never stored, only its SHA-256 hash (as password reset links). A
link works once, for LINK_VALID; the account is made in the transaction that marks the link
used, so a link never makes two accounts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import (
    MAX_NAME_LENGTH,
    NO_PASSWORD,
    AccountError,
    check_name,
    check_new_password,
    create_user,
    normalize_email,
    parse_roles,
)
from server.db import utcnow
from server.i18n import N_
from server.mail import outbox
from server.mail.render import Message, render
from server.models import AccountInvitation, User, UserRole

LINK_VALID = dt.timedelta(days=7)
SUBJECT = N_("You are invited to Werkplaats")
INVITE_PATH = "/uitnodiging/"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def invite(
    db: AsyncSession,
    *,
    email: str,
    roles: Iterable[str],
    invited_by: int,
    language: str,
    base_url: str,
) -> str:
    """Queue the invitation mail (in one transaction with the invitation); the address."""
    address = normalize_email(email)
    granted = parse_roles(roles)
    if await db.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError(
            "email_taken",
            N_("There is already an account for %(value)s."),
            field="email",
            value=address,
        )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    # Expired invitations hold an address for nothing: they go (docs/privacy.md).
    await db.execute(delete(AccountInvitation).where(AccountInvitation.expires_at < now))
    db.add(
        AccountInvitation(
            token_hash=_digest(token),
            email=address,
            roles=",".join(sorted(role.value for role in granted)),
            invited_by=invited_by,
            expires_at=now + LINK_VALID,
        )
    )
    outbox.queue(
        db, invitation_message(address, language, f"{base_url.rstrip('/')}{INVITE_PATH}{token}")
    )
    audit.record(db, "account.invite", "invitation", actor=f"account:{invited_by}")
    await db.commit()
    return address


def invitation_message(to: str, language: str, link: str) -> Message:
    """The mail with the link; it names nobody."""
    return render(
        "account_invitation",
        to=to,
        subject=SUBJECT,
        language=language,
        context={"link": link, "days": LINK_VALID.days},
    )


def link_hash(token: str) -> str:
    """What identifies an invitation server side: the hash of its link's token."""
    return _digest(token[:200])


async def check_link(db: AsyncSession, token: str) -> AccountInvitation:
    """The invitation this link opens, or AccountError: used (or made up), or expired."""
    return await check_hash(db, link_hash(token))


async def check_hash(db: AsyncSession, token_hash: str) -> AccountInvitation:
    """The invitation with this token hash, or AccountError as check_link."""
    found = await db.scalar(
        select(AccountInvitation).where(AccountInvitation.token_hash == token_hash)
    )
    if found is None or found.used_at is not None:
        raise AccountError(
            "link_used",
            N_("This invitation link no longer works. Ask the coordinator for a new one."),
        )
    if found.expires_at <= utcnow():
        raise AccountError(
            "link_expired",
            N_("This invitation has expired: a link works for %(days)s days. Ask for a new one."),
            days=LINK_VALID.days,
        )
    return found


async def _use(db: AsyncSession, invitation: AccountInvitation) -> None:
    """Mark the invitation used (once: a second use finds it used) and audit the acceptance."""
    used = await db.execute(
        update(AccountInvitation)
        .where(
            AccountInvitation.token_hash == invitation.token_hash,
            AccountInvitation.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        await db.rollback()
        raise AccountError(
            "link_used",
            N_("This invitation link no longer works. Ask the coordinator for a new one."),
        )
    audit.record(db, "account.accept", "invitation", actor="visitor")


async def accept(
    db: AsyncSession, *, token: str, name: str, password: str, language: str | None = None
) -> User:
    """Make the invited account with this name and password; the link is used up with it."""
    check_name(name)
    check_new_password(password)
    invitation = await check_link(db, token)
    await _use(db, invitation)
    # create_user commits: the account, the used link and the audit entry together, or neither.
    return await create_user(
        db,
        email=invitation.email,
        name=name,
        password=password,
        roles=invitation.roles.split(","),
        language=language,
    )


async def accept_with_institution(
    db: AsyncSession, *, token_hash: str, email: str, name: str, language: str | None = None
) -> User:
    """Make the invited account for the person the institution's login vouched for: only when
    its verified address is the invited one (else AccountError, nothing stored). The account
    has no password (as one made by the institution's login) and the invited roles."""
    invitation = await check_hash(db, token_hash)
    address = normalize_email(email)
    if address != invitation.email:
        raise AccountError(
            "invitation_other_address",
            N_(
                "Your institution logged you in as %(value)s, but this invitation is for "
                "%(invited)s. Log in at your institution with the invited address, or ask the "
                "coordinator to invite %(value)s."
            ),
            value=address,
            invited=invitation.email,
        )
    if await db.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError(
            "email_taken", N_("There is already an account for %(value)s."), value=address
        )
    try:
        checked = check_name(name)
    except AccountError:
        checked = address.split("@", 1)[0][:MAX_NAME_LENGTH]
    await _use(db, invitation)
    user = User(
        email=address,
        name=checked,
        password_hash=NO_PASSWORD,
        totp_secret=None,
        totp_last_step=None,
        language=language,
        role_rows=[UserRole(role=role) for role in sorted(invitation.roles.split(",")) if role],
    )
    db.add(user)
    await db.commit()  # the account, the used link and the audit entry together
    return user
