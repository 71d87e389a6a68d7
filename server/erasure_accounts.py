"""The accounts' part of erasing a person (server/erasure.py composes the parts).

An account keeps its row (foreign keys hold) but loses its name, email, roles, logins, password,
second factor (TOTP secret, recovery codes, half-finished logins), reset links, the invitation
that made it, and the mail sent or waiting for it: it is marked erased by the email
`verwijderd-{id}@invalid` (no real address looks like that) and `is_active` false. Its name
and email are then erased wherever they are written (the other parts read them from
`Found.account_texts`). Asked by name, the report
counts the accounts with that name (they are erased only when asked for by email).
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import erasure
from server.erasure import ErasureAsk, Found
from server.models import (
    AccountInvitation,
    LoginFailure,
    LoginSession,
    MailOutbox,
    PasswordReset,
    PendingLogin,
    RecoveryCode,
    User,
    UserRole,
)

ERASED_HASH = "!erased"  # not an Argon2 hash: no password verifies against it


def erased_email(user_id: int) -> str:
    """The email an erased account keeps: unique, and no address anyone can log in with."""
    return f"verwijderd-{user_id}@invalid"


async def find(db: AsyncSession, ask: ErasureAsk, found: Found) -> None:
    person = ask.person
    if person.kind not in ("account", "account_id"):
        return
    user = await db.scalar(
        select(User).where(User.email == person.value)
        if person.kind == "account"
        else select(User).where(User.id == int(person.value))
    )
    if user is None:
        found.only = set()  # nobody to look for, in no session
        return
    found.account = user.id
    found.account_texts = [user.name, user.email]
    # Found again by its id (a replay) once erased: nothing more to change in its row.
    found.erase_account = (user.name, user.email, user.is_active) != (
        erasure.ERASED_NAME,
        erased_email(user.id),
        False,
    )


async def plan(
    db: AsyncSession, ask: ErasureAsk, found: Found, counts: erasure.Counts
) -> erasure.Apply:
    report = counts.report
    if found.names:
        wanted_names = {erasure.normalize_name(name) for name in found.names}
        accounts = await db.scalars(select(User.name))
        report.accounts_named = sum(
            1 for name in accounts if erasure.normalize_name(name) in wanted_names
        )
    if found.account is None:
        return erasure.write_nothing
    report.account = found.account
    user = await db.get(User, found.account)
    if user is None or not found.erase_account:
        return erasure.write_nothing
    report.other["users"] = 1
    roles = len(user.role_rows)
    logins = len(
        list(
            await db.scalars(select(LoginSession.token_hash).where(LoginSession.user_id == user.id))
        )
    )
    failures = len(
        list(await db.scalars(select(LoginFailure.id).where(LoginFailure.email == user.email)))
    )
    recovery = len(
        list(await db.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id)))
    )
    pending = len(
        list(
            await db.scalars(select(PendingLogin.token_hash).where(PendingLogin.user_id == user.id))
        )
    )
    resets = len(
        list(
            await db.scalars(
                select(PasswordReset.token_hash).where(PasswordReset.user_id == user.id)
            )
        )
    )
    # Mail to the address, sent or waiting: its text names no one, but the address is theirs.
    mails = len(list(await db.scalars(select(MailOutbox.id).where(MailOutbox.to == user.email))))
    invitations = len(
        list(
            await db.scalars(
                select(AccountInvitation.token_hash).where(AccountInvitation.email == user.email)
            )
        )
    )
    for table, n in (
        ("user_roles", roles),
        ("login_sessions", logins),
        ("login_failures", failures),
        ("recovery_codes", recovery),
        ("pending_logins", pending),
        ("password_resets", resets),
        ("mail_outbox", mails),
        ("account_invitations", invitations),
    ):
        if n:
            report.other[table] = n
    user_id, old_email = user.id, user.email

    async def write(db: AsyncSession) -> None:
        await db.execute(delete(UserRole).where(UserRole.user_id == user_id))
        await db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
        await db.execute(delete(LoginFailure).where(LoginFailure.email == old_email))
        await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        await db.execute(delete(PendingLogin).where(PendingLogin.user_id == user_id))
        await db.execute(delete(PasswordReset).where(PasswordReset.user_id == user_id))
        await db.execute(delete(MailOutbox).where(MailOutbox.to == old_email))
        await db.execute(delete(AccountInvitation).where(AccountInvitation.email == old_email))
        await db.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                name=erasure.ERASED_NAME,
                email=erased_email(user_id),
                password_hash=ERASED_HASH,
                totp_secret=None,
                totp_last_step=None,
                language=None,
                is_active=False,
            )
        )

    return write


PART = erasure.ErasurePart(find=find, plan=plan)
