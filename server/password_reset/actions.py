"""Password reset: request a link (no account enumeration), check it, set a new password.

A request is answered the same whether or not the address has an account, after the same
work: the request is recorded and counted (bounded per address and per client, as failed
logins are), a mail is rendered, and one transaction commits; only for an account does that
transaction also hold the new link and its mail. The link's random token is never stored, only
its SHA-256 hash. A link works once, for an hour, and only while it is the account's newest:
a newer link, its use, or a new password ends every older one."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import AccountError, check_new_password, hash_password
from server.db import utcnow
from server.i18n import N_
from server.limits import TooMany
from server.mail import outbox
from server.mail.render import Message, render
from server.models import LoginSession, PasswordReset, ResetRequest, User

LINK_VALID = dt.timedelta(hours=1)
REQUEST_WINDOW = dt.timedelta(hours=1)
SUBJECT = N_("A new password for Werkplaats")
RESET_PATH = "/wachtwoord/nieuw/"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Requested:
    """What a request did, for the caller's log and tests; never shown to the visitor."""

    queued: bool


async def request_reset(
    db: AsyncSession,
    *,
    email: str,
    client: str,
    language: str,
    base_url: str,
    per_email: int,
    per_client: int,
) -> Requested:
    """Record the request and, when the address has an active account, queue a mail with a new
    link (in one transaction). TooMany past the bounds, whether or not the account exists."""
    email = email.strip().lower()[:254]
    client = client[:64]
    now = utcnow()
    await db.execute(delete(ResetRequest).where(ResetRequest.at < now - REQUEST_WINDOW))
    request = ResetRequest(email_digest=_digest(email), client=client, at=now)
    db.add(request)
    await db.commit()  # committed before it is counted: atomic under a burst (server/limits.py)
    since = utcnow() - REQUEST_WINDOW
    for_email = await db.scalar(
        select(func.count()).where(
            ResetRequest.email_digest == request.email_digest, ResetRequest.at >= since
        )
    )
    for_client = await db.scalar(
        select(func.count()).where(ResetRequest.client == client, ResetRequest.at >= since)
    )
    if (for_email or 0) > per_email or (for_client or 0) > per_client:
        await db.execute(delete(ResetRequest).where(ResetRequest.id == request.id))
        await db.commit()
        raise TooMany(int(REQUEST_WINDOW.total_seconds()))
    user = await db.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
    token = secrets.token_urlsafe(32)
    # In the account's own language (docs/mail.md); else the language of the page asked from.
    language = user.mail_language(language) if user is not None else language
    message = reset_message(email, language, f"{base_url.rstrip('/')}{RESET_PATH}{token}")
    if user is not None:
        await db.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.ended_at.is_(None))
            .values(ended_at=now)
        )
        await db.execute(delete(PasswordReset).where(PasswordReset.expires_at < now - LINK_VALID))
        db.add(
            PasswordReset(token_hash=_digest(token), user_id=user.id, expires_at=now + LINK_VALID)
        )
        outbox.queue(db, message)
        audit.record(db, "password.reset_request", f"account:{user.id}", actor="visitor")
    await db.commit()
    return Requested(queued=user is not None)


def reset_message(to: str, language: str, link: str) -> Message:
    """The mail with the link; it names nobody, not even the account holder."""
    return render(
        "password_reset",
        to=to,
        subject=SUBJECT,
        language=language,
        context={"link": link, "minutes": int(LINK_VALID.total_seconds() // 60)},
    )


def _link_used() -> AccountError:
    return AccountError(
        "link_used",
        N_(
            "This link no longer works: it was used already, or a newer link was sent, "
            "or the password was changed since. Ask for a new link if you need one."
        ),
    )


async def check_link(db: AsyncSession, token: str) -> PasswordReset:
    """The reset this token belongs to, if it may still be used; AccountError saying why not."""
    reset = await db.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(token[:200]))
    )
    if reset is None or reset.ended_at is not None:
        raise _link_used()
    if reset.expires_at <= utcnow():
        raise AccountError(
            "link_expired",
            N_("This link has expired: a link works for one hour. Ask for a new link."),
        )
    user = await db.get(User, reset.user_id)
    if user is None or not user.is_active:
        raise _link_used()
    return reset


async def reset_password(db: AsyncSession, *, token: str, password: str) -> User:
    """Set the account's new password with a valid link; ends every link and every login of
    the account. AccountError when the link does not work or the password is refused."""
    reset = await check_link(db, token)
    check_new_password(password)
    password_hash = await hash_password(password)
    now = utcnow()
    # Claimed by a conditional update: of two uses of one link at once, one wins.
    used = await db.execute(
        update(PasswordReset)
        .where(PasswordReset.token_hash == reset.token_hash, PasswordReset.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        await db.rollback()
        raise _link_used()
    user = await db.get(User, reset.user_id)
    assert user is not None
    await end_other_access(db, user.id, now)
    user.password_hash = password_hash
    audit.record(
        db, "password.reset", f"account:{user.id}", actor=f"account:{user.id}", actor_id=user.id
    )
    await db.commit()
    return user


async def end_other_access(db: AsyncSession, user_id: int, now: dt.datetime) -> None:
    """A new password: every reset link of the account stops working, every login ends."""
    await db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    await db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
