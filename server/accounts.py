"""Account actions: create accounts, check passwords (with bounded failures), log in and out."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.db import utcnow
from server.i18n import LANGUAGES, N_
from server.models import LoginFailure, LoginSession, Role, User, UserRole

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MAX_NAME_LENGTH = 120
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_FAILURE_WINDOW = dt.timedelta(minutes=1)
# Argon2id with argon2-cffi's defaults (RFC 9106's second recommended profile).
_hasher = PasswordHasher()
# Verified against when the email is unknown, so an unknown account costs as long as a known one.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A refused account operation. `message` is an English msgid with %(name)s parameters."""

    def __init__(self, code: str, message: str, field: str | None = None, **params: object):
        self.code = code
        self.message = message
        self.field = field
        self.params: Mapping[str, object] = params
        super().__init__(message % params)


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise AccountError(
            "invalid_email",
            N_("'%(value)s' is not an email address; write it like name@example.org."),
            field="email",
            value=raw[:80],
        )
    return email


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    roles = set()
    allowed = ", ".join(sorted(role.value for role in Role))
    for value in values:
        try:
            roles.add(Role(value.strip()))
        except ValueError:
            raise AccountError(
                "unknown_role",
                N_("Unknown role '%(value)s'; allowed: %(allowed)s."),
                field="roles",
                value=value[:40],
                allowed=allowed,
            ) from None
    if not roles:
        raise AccountError(
            "no_role", N_("Choose at least one role: %(allowed)s."), field="roles", allowed=allowed
        )
    return frozenset(roles)


def check_new_password(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            "weak_password",
            N_("A password needs at least %(min)s and at most %(max)s characters."),
            field="password",
            min=MIN_PASSWORD_LENGTH,
            max=MAX_PASSWORD_LENGTH,
        )


def check_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        raise AccountError(
            "invalid_name",
            N_("A name needs 1 to %(max)s characters."),
            field="name",
            max=MAX_NAME_LENGTH,
        )
    return name


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    roles: Iterable[str],
    language: str | None = None,
) -> User:
    """Create an account; raises AccountError naming the field that is wrong. `language`: of
    the mail to it (None: the site's default)."""
    email = normalize_email(email)
    name = check_name(name)
    role_set = parse_roles(roles)
    check_new_password(password)
    if await db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(
            "email_taken",
            N_("There is already an account for %(value)s."),
            field="email",
            value=email,
        )
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    user = User(
        email=email,
        name=name,
        password_hash=password_hash,
        totp_secret=None,
        totp_last_step=None,
        language=check_language(language) if language is not None else None,
        role_rows=[UserRole(role=role.value) for role in sorted(role_set)],
    )
    db.add(user)
    await db.commit()
    return user


# The password hash of an account made by the institution's login: no password matches it
# (argon2 refuses it as a hash), until its owner sets one with a reset link.
NO_PASSWORD = "!no password: made by the institution's login"  # noqa: S105 (not a secret)


def check_language(language: str) -> str:
    """A language for an account's mail (nl or en), or AccountError."""
    if language not in LANGUAGES:
        raise AccountError(
            "language_unknown",
            N_("Choose one of the languages offered (%(languages)s)."),
            field="language",
            languages=", ".join(LANGUAGES),
        )
    return language


async def set_language(db: AsyncSession, user_id: int, language: str) -> None:
    """The account chooses the language of its mail."""
    checked = check_language(language)
    await db.execute(update(User).where(User.id == user_id).values(language=checked))
    await db.commit()


async def account_for_institution_login(
    db: AsyncSession, *, email: str, name: str, language: str | None = None
) -> tuple[User, bool]:
    """The account with this (verified) e-mail address, made without roles when there is none;
    True when it was made. Raises AccountError for an address or a deactivated account."""
    email = normalize_email(email)
    user = await db.scalar(select(User).where(User.email == email))
    if user is None:
        try:
            name = check_name(name)
        except AccountError:
            name = email.split("@", 1)[0][:MAX_NAME_LENGTH]
        user = User(
            email=email,
            name=name,
            password_hash=NO_PASSWORD,
            totp_secret=None,
            totp_last_step=None,
            language=check_language(language) if language is not None else None,
            role_rows=[],
        )
        db.add(user)
        try:
            await db.flush()
        except IntegrityError:
            # The same person's second tab made it a moment ago: use that one.
            await db.rollback()
            user = await db.scalar(select(User).where(User.email == email))
        else:
            return user, True
    if user is None or not user.is_active:
        raise AccountError(
            "account_inactive",
            N_("The account for %(value)s is switched off. Ask a coordinator."),
            value=email,
        )
    return user, False


async def grant_roles(db: AsyncSession, actor: User, user_id: int, roles: Iterable[str]) -> None:
    """A coordinator sets another account's roles (one made by the institution's login starts
    without any); audited."""
    role_set = parse_roles(roles)
    target = await db.get(User, user_id)
    if target is None or not target.is_active:
        raise AccountError("unknown_account", N_("There is no such account."))
    if target.id == actor.id:
        raise AccountError(
            "own_account", N_("Another coordinator changes your own roles."), field="roles"
        )
    target.role_rows = [UserRole(role=role.value) for role in sorted(role_set)]
    audit.record(
        db,
        "account.roles",
        f"account:{user_id}",
        actor=f"account:{actor.id}",
        actor_id=actor.id,
        detail=",".join(sorted(role_set)),
    )
    await db.commit()


async def authenticate(
    db: AsyncSession,
    *,
    email: str,
    password: str,
    client: str,
    failures_per_email: int,
    failures_per_client: int,
) -> User:
    """The active user with this email and password; raises AccountError otherwise.

    The attempt is recorded before it is checked, then the recent attempts are counted with it
    (server/limits.py explains why that is atomic): of a burst of parallel guesses at most the
    limit are checked, the rest refused. A refused attempt and a successful login remove their
    row again; a wrong one stays, as the failure it is."""
    email = email.strip().lower()[:254]
    attempt = await claim_login_attempt(
        db,
        email=email,
        client=client,
        failures_per_email=failures_per_email,
        failures_per_client=failures_per_client,
    )
    user = await db.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
    if user is None or not await _verify(user.password_hash, password):
        if user is None:
            await _verify(_DUMMY_HASH, password)
        raise AccountError("wrong_credentials", N_("The email address or password is wrong."))
    await forget_login_attempt(db, attempt)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(_hasher.hash, password)
        await db.commit()
    return user


async def claim_login_attempt(
    db: AsyncSession, *, email: str, client: str, failures_per_email: int, failures_per_client: int
) -> int:
    """Record an attempt to log in as `email` (a password or a second-factor code), then count
    the recent ones with it; its id, or AccountError when there were too many. A right attempt
    must be given back with `forget_login_attempt`: only wrong ones count."""
    email = email.strip().lower()[:254]
    client = client[:64]
    attempt = await _record_attempt(db, email, client)
    since = utcnow() - _FAILURE_WINDOW
    recent_for_email = await db.scalar(
        select(func.count()).where(LoginFailure.email == email, LoginFailure.at >= since)
    )
    recent_for_client = await db.scalar(
        select(func.count()).where(LoginFailure.client == client, LoginFailure.at >= since)
    )
    if (recent_for_email or 0) > failures_per_email or (
        recent_for_client or 0
    ) > failures_per_client:
        await forget_login_attempt(db, attempt)
        raise AccountError(
            "too_many_attempts",
            N_("Too many failed attempts. Wait a minute and try again."),
        )
    return attempt


async def _verify(password_hash: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def _record_attempt(db: AsyncSession, email: str, client: str) -> int:
    """Record a login attempt (committed, so every process counts it); its id."""
    now = utcnow()
    # Old failures say nothing about guessing now; pruning here keeps the table small.
    await db.execute(delete(LoginFailure).where(LoginFailure.at < now - 10 * _FAILURE_WINDOW))
    attempt = LoginFailure(email=email, client=client, at=now)
    db.add(attempt)
    await db.commit()
    return attempt.id


async def forget_login_attempt(db: AsyncSession, attempt: int) -> None:
    """The attempt was refused unchecked, or succeeded: it is no failure."""
    await db.execute(delete(LoginFailure).where(LoginFailure.id == attempt))
    await db.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_login_session(db: AsyncSession, user: User, days: int) -> str:
    """A new login for this user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.add(
        LoginSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + dt.timedelta(days=days),
        )
    )
    await db.commit()
    return token


async def user_for_token(db: AsyncSession, token: str) -> User | None:
    """The active user logged in with this token, if the login has not expired."""
    return await db.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.token_hash == _token_hash(token),
            LoginSession.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    )


async def end_login_session(db: AsyncSession, token: str) -> None:
    await db.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
    await db.commit()


async def list_users(db: AsyncSession) -> list[User]:
    return list(await db.scalars(select(User).order_by(User.email)))


async def hash_password(password: str) -> str:
    """The Argon2id hash of a new password (computed off the event loop)."""
    return await asyncio.to_thread(_hasher.hash, password)
