"""Accounts: people who log in (coordinators, facilitators, educators) and their logins."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    FACILITATOR = "facilitator"
    EDUCATOR = "educator"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The second factor (server/two_factor.py): the TOTP secret, encrypted with a key derived
    # from the secret key, and the last time step a code was accepted for (no code twice).
    totp_secret: Mapped[str | None] = mapped_column(String(255), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # The language of mail to this account (nl or en; None: the site's default language).
    language: Mapped[str | None] = mapped_column(String(2), default=None)
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    def mail_language(self, default: str) -> str:
        """The language of mail to this account: its own, else the given default."""
        return self.language or default

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def granted_roles(self) -> frozenset[Role]:
        """The roles given to this account, whether or not they are in force."""
        return frozenset(Role(row.role) for row in self.role_rows)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles in force: the coordinator's only with a second factor (the one place that
        rule lives; server/auth.py's require_role sends such a coordinator to set it up)."""
        granted = self.granted_roles
        if Role.COORDINATOR in granted and not self.has_second_factor:
            return granted - {Role.COORDINATOR}
        return granted

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class LoginSession(Base):
    """One logged-in browser. The cookie holds a signed random token; we keep only its hash."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PendingLogin(Base):
    """The half of a login between a right password and a right second-factor code: no login.

    The browser holds a signed random token (its own cookie, not the login's); we keep only its
    hash. It expires after a few minutes and is removed when the login completes."""

    __tablename__ = "pending_logins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OidcLogin(Base):
    """A login begun at the institution's OpenID provider, waiting for its answer (server/oidc.py).

    Keyed by the hash of its `state`; holds the nonce and the PKCE verifier for the answer. It
    is deleted when the answer comes, so a state is used once; it expires after minutes."""

    __tablename__ = "oidc_logins"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_page: Mapped[str] = mapped_column(String(500))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class LoginFailure(Base):
    """A failed login, kept for a short while to bound guessing (across all server processes).

    Every login attempt is recorded here before it is checked, and removed again when it
    succeeds or is refused, so that counting is atomic under a burst (server/accounts.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class JoinFailure(Base):
    """A wrong join code from a client address, kept for a short while to bound guessing (across
    all server processes); see server/limits.py. Every attempt is recorded before its code is
    looked up, and removed when the code was right."""

    __tablename__ = "join_failures"
    __table_args__ = (Index("ix_join_failures_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    # A digest of the code tried (server.limits.code_digest): different codes are counted, so a
    # class typing one code at once is no burst of guesses. None: counted before 0010.
    code: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ParticipantJoin(Base):
    """A new participant in a live session, by client address, kept for an hour to bound how
    many one address can add to one session (server/limits.py). Holds no name or token."""

    __tablename__ = "participant_joins"
    __table_args__ = (
        Index("ix_participant_joins_session_client_at", "session_id", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The session's row; its joins go with it (a string reference: the shell knows no domain).
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AuditEntry(Base):
    """Who did what, when, to what: exports, consent and sharing changes, erasures.

    Never contents: `target` names things by id (e.g. "outcome:aB3x", "session:xY/p12"), and
    `detail` holds levels or counts (e.g. "region -> open"), never text a person wrote.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120))  # "account:3", "participant", "cli"
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(String(200), default="")


class PasswordReset(Base):
    """A password reset link sent by mail. Only the hash of its random token is kept; it works
    once, for an hour, and only while it is the account's newest (server/password_reset.py)."""

    __tablename__ = "password_resets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set when it was used, or stopped by a newer link or a new password.
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ResetRequest(Base):
    """A request for a reset link, kept an hour to bound requests per address and per client.

    Holds a digest of the address typed, not the address: it is kept for unknown ones too."""

    __tablename__ = "reset_requests"
    __table_args__ = (
        Index("ix_reset_requests_email_at", "email_digest", "at"),
        Index("ix_reset_requests_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_digest: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# The outbox's table belongs to the shell's schema too (imported so the metadata holds it).
from server.mail.models import MailOutbox as MailOutbox  # noqa: E402


class AccountInvitation(Base):
    """A coordinator's invitation to make an account: the e-mail address and roles it grants,
    by the SHA-256 hash of its link's token. Works once (used_at), until expires_at."""

    __tablename__ = "account_invitations"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    roles: Mapped[str] = mapped_column(String(80))  # comma-separated Role values
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
