"""The second login factor: TOTP (RFC 6238) codes from an authenticator app, and recovery codes.

docs/accounts.md explains the flows. The secret is stored encrypted (Fernet) with a key derived
from the secret key, so a database dump alone does not give it away; recovery codes are stored
as hashes only and each works once. A code is accepted for the time step before, at and after
now (clocks drift), but never for a step at or before the last accepted one: no code twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import audit
from server.accounts import AccountError
from server.db import utcnow
from server.i18n import N_
from server.models import PendingLogin, RecoveryCode, User

ISSUER = "Werkplaats"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
PENDING_LOGIN = dt.timedelta(minutes=5)
ENROLMENT_SECONDS = 15 * 60
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up
_RECOVERY = re.compile(rf"^[{_RECOVERY_ALPHABET}]{{16}}$")


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"werkplaats.totp-secret"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret_key: str, secret: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(secret_key: str, stored: str) -> str | None:
    """The secret, or None when it was encrypted under another secret key."""
    try:
        return _fernet(secret_key).decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def new_secret() -> str:
    """A new random secret: 32 base32 characters (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32()


def otpauth_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The URI as an inline SVG QR code (segno), with a title for screen readers."""
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, title=title, dark="#000", light="#fff", svgclass="qr"
    )
    return svg


def grouped(secret: str) -> str:
    """The secret in groups of four, to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="werkplaats.totp-enrolment")


def enrolment_token(secret_key: str, user_id: int, secret: str) -> str:
    """The secret being set up, signed for this account: kept in the form, not the database,
    until the first code confirms it."""
    return _serializer(secret_key).dumps([user_id, secret])


def read_enrolment(secret_key: str, user_id: int, token: str) -> str:
    try:
        owner, secret = _serializer(secret_key).loads(token[:500], max_age=ENROLMENT_SECONDS)
    except SignatureExpired:
        raise AccountError(
            "enrolment_expired",
            N_("Setting up took longer than 15 minutes. Scan the new code and try again."),
        ) from None
    except (BadSignature, ValueError, TypeError):
        raise AccountError(
            "enrolment_invalid", N_("This form was changed or is not yours. Start again.")
        ) from None
    if owner != user_id or not isinstance(secret, str):
        raise AccountError(
            "enrolment_invalid", N_("This form was changed or is not yours. Start again.")
        )
    return secret


def _time_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def _normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()[:64]


def _check_format(code: str) -> str:
    normalized = _normalize(code)
    if not normalized:
        raise AccountError(
            "code_missing",
            N_("Type the 6 digits your authenticator app shows, or a recovery code."),
            field="code",
        )
    if not (re.fullmatch(r"\d{6}", normalized) or _RECOVERY.match(normalized)):
        raise AccountError(
            "code_format",
            N_(
                "A code has 6 digits; a recovery code has 16 letters and digits, "
                "like abcd-efgh-jkmn-pqrs."
            ),
            field="code",
        )
    return normalized


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The time step (now, one before or one after) whose code this is, or None."""
    totp = pyotp.TOTP(secret)
    now = _time_step(at)
    for step in (now, now - 1, now + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _wrong_code() -> AccountError:
    return AccountError(
        "wrong_code",
        N_("This code is not right. Type the 6 digits your app shows now, or a recovery code."),
        field="code",
    )


def _code_used() -> AccountError:
    return AccountError(
        "code_used",
        N_("This code was used already. Wait for the next code in your app and type that one."),
        field="code",
    )


def _recovery_hash(code: str) -> str:
    # 16 characters of a 31-letter alphabet: 79 bits, too many to try from a hash.
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_code() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))


def show_recovery_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


async def enable(
    db: AsyncSession, user: User, secret_key: str, secret: str, code: str
) -> list[str]:
    """Turn the second factor on once `code` shows the app has `secret`; the recovery codes
    (shown once, stored as hashes)."""
    normalized = _check_format(code)
    if user.has_second_factor:
        raise AccountError(
            "already_on", N_("Two-step verification is already on for your account.")
        )
    step = matching_step(secret, normalized) if normalized.isdigit() else None
    if step is None:
        raise AccountError(
            "wrong_code",
            N_("This code is not right. Type the 6 digits your app shows for Werkplaats now."),
            field="code",
        )
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    changed = await db.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret.is_(None))
        .values(totp_secret=encrypt_secret(secret_key, secret), totp_last_step=step)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        await db.rollback()
        raise AccountError(
            "already_on", N_("Two-step verification is already on for your account.")
        )
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    await db.commit()
    return [show_recovery_code(c) for c in codes]


async def check_code(db: AsyncSession, user_id: int, secret_key: str, code: str) -> None:
    """Accept a current app code or an unused recovery code, and use it up; else AccountError."""
    normalized = _check_format(code)
    user = await db.get(User, user_id, populate_existing=True)
    if user is None or user.totp_secret is None:
        raise _wrong_code()
    if normalized.isdigit():
        secret = decrypt_secret(secret_key, user.totp_secret)
        step = None if secret is None else matching_step(secret, normalized)
        if step is None:
            raise _wrong_code()
        # One statement, so two requests with the same code cannot both pass.
        used = await db.execute(
            update(User)
            .where(
                User.id == user_id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
        await db.commit()
        if used.rowcount != 1:  # type: ignore[attr-defined]
            raise _code_used()
        return
    used = await db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _recovery_hash(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    await db.commit()
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError(
            "wrong_recovery_code",
            N_("This recovery code is not right or was used already."),
            field="code",
        )


async def recovery_codes_left(db: AsyncSession, user_id: int) -> int:
    count = await db.scalar(
        select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


async def _clear(db: AsyncSession, user_id: int) -> None:
    await db.execute(
        update(User).where(User.id == user_id).values(totp_secret=None, totp_last_step=None)
    )
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await db.execute(delete(PendingLogin).where(PendingLogin.user_id == user_id))


async def disable(db: AsyncSession, user: User, secret_key: str, code: str) -> None:
    """Turn the second factor off; it takes a current code (or a recovery code)."""
    await check_code(db, user.id, secret_key, code)
    await _clear(db, user.id)
    await db.commit()


async def reset(db: AsyncSession, actor: User, user_id: int) -> None:
    """A coordinator turns another account's second factor off (a lost phone); audited."""
    target = await db.get(User, user_id)
    if target is None or not target.is_active:
        raise AccountError("unknown_account", N_("There is no such account."))
    if target.id == actor.id:
        raise AccountError(
            "own_account",
            N_("Turn your own two-step verification off on your account page."),
        )
    await _clear(db, user_id)
    audit.record(
        db,
        "second_factor.reset",
        f"account:{user_id}",
        actor=f"account:{actor.id}",
        actor_id=actor.id,
    )
    await db.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_pending_login(db: AsyncSession, user: User) -> str:
    """The half login after a right password; its token for the browser's cookie."""
    now = utcnow()
    await db.execute(delete(PendingLogin).where(PendingLogin.expires_at < now))
    token = secrets.token_urlsafe(32)
    db.add(
        PendingLogin(token_hash=_token_hash(token), user_id=user.id, expires_at=now + PENDING_LOGIN)
    )
    await db.commit()
    return token


async def pending_user(db: AsyncSession, token: str) -> User | None:
    """The active account this half login is for, if it has not expired."""
    return await db.scalar(
        select(User)
        .join(PendingLogin, PendingLogin.user_id == User.id)
        .where(
            PendingLogin.token_hash == _token_hash(token),
            PendingLogin.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    )


async def finish_pending_login(db: AsyncSession, token: str) -> bool:
    """Use the half login up; False when another request used it first."""
    done = await db.execute(
        delete(PendingLogin).where(PendingLogin.token_hash == _token_hash(token))
    )
    await db.commit()
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]
