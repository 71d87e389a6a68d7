"""Settings, read once from the environment into one typed object."""

from __future__ import annotations

import ipaddress
import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PREFIX = "WERKPLAATS_"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)
LANGUAGES = ("nl", "en")
LOG_FORMATS = ("text", "json")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_METRICS_FROM = "127.0.0.0/8,::1/128"
# A secret key must hold at least 32 random bytes: 43 characters as token_urlsafe writes them.
MIN_SECRET_KEY_LENGTH = 43
MIN_SECRET_KEY_CHARACTERS = 8  # different characters: "kkkk…" is long but guessable
# Words that mark a key copied from an example instead of generated (compared lower-case, with
# only letters and digits kept, so CHANGE-ME, change_me and ChangeMe are all caught).
SECRET_KEY_PLACEHOLDERS = (
    "changeme",
    "replaceme",
    "secret",
    "password",
    "example",
    "placeholder",
    "yourkey",
    "notforproduction",
)
# Request bodies larger than this are refused with 413 before they are read (server/bodylimit.py).
# The largest real form (a catalogue variant's edit form) is under 8 KiB; the nginx site ships
# `client_max_body_size 256k` to match.
DEFAULT_MAX_BODY_BYTES = 256 * 1024
MIN_MAX_BODY_BYTES = 16 * 1024
MAX_MAX_BODY_BYTES = 64 * 1024 * 1024
# `werkplaats retain`: sessions last active longer ago than this go (sessions/retention/rule.py).
DEFAULT_RETENTION_DAYS = 365
MAX_RETENTION_DAYS = 36500
SMTP_TLS_MODES = ("starttls", "tls", "none")
DEFAULT_SMTP_PORT = 587
_MAIL_ADDRESS = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]+\.[^@\s<>]{2,}$")
DEFAULT_OIDC_SCOPES = "openid email profile"
DEFAULT_OIDC_NAME = "SURFconext"
SWITCHES = {"on": True, "off": False}
MAKE_SECRET_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'  # noqa: S105 (how to make one)

# What each setting means; the README's settings table is checked against this.
DOCUMENTED = {
    "WERKPLAATS_DATABASE_URL": "database URL: sqlite:///path or postgresql://user@host/db",
    "WERKPLAATS_DATA_DIR": "directory for the SQLite file and the generated secret key",
    "WERKPLAATS_SECRET_KEY": "key that signs cookies; generated in the data directory if unset",
    "WERKPLAATS_ALLOWED_ORIGINS": "comma-separated origins allowed besides the site itself",
    "WERKPLAATS_BUS_URL": "pub/sub bus between processes: memory:// or postgres://",
    "WERKPLAATS_DEFAULT_LANGUAGE": "interface language when the visitor has not chosen one "
    "and their browser asks for neither Dutch nor English: nl or en",
    "WERKPLAATS_PRESENCE_INTERVAL": "seconds between presence announcements of a process "
    "(default 30); a process unheard for three intervals counts as gone",
    "WERKPLAATS_LOG_FORMAT": "log format of `werkplaats serve` on stderr: text or json "
    "(one JSON object a line)",
    "WERKPLAATS_METRICS_FROM": "comma-separated networks whose clients may read /metrics "
    f"(default {DEFAULT_METRICS_FROM}); others get 404",
    "WERKPLAATS_MAX_BODY_BYTES": "largest request body in bytes (default "
    f"{DEFAULT_MAX_BODY_BYTES}, 256 KiB); a larger one is refused with 413 before it is read",
    "WERKPLAATS_COMMANDS_PER_SECOND": "commands one participant may send a second to one "
    "process (default 10, bursts of four seconds' worth); more are refused with rate_limited",
    "WERKPLAATS_RETENTION_DAYS": "days after a session's last activity before `werkplaats "
    f"retain` deletes it (default {DEFAULT_RETENTION_DAYS}; 0 keeps everything)",
    "WERKPLAATS_DEIDENTIFY_PRELOAD": "1 (default): each server process loads the sharing gate's "
    "de-identification model (deduce) in the background when it starts; 0: on first use",
    "WERKPLAATS_SMTP_HOST": "mail server that sends the site's mail; unset: mail is queued in "
    "the database but not sent (the log says so once)",
    "WERKPLAATS_SMTP_PORT": f"port of the mail server (default {DEFAULT_SMTP_PORT})",
    "WERKPLAATS_SMTP_TLS": "how the connection to the mail server is encrypted: starttls "
    "(default), tls (from the first byte, usually port 465) or none",
    "WERKPLAATS_SMTP_USERNAME": "user name at the mail server, if it asks for one",
    "WERKPLAATS_SMTP_PASSWORD": "password at the mail server (keep it secret)",
    "WERKPLAATS_MAIL_FROM": "sender address of the site's mail; required with WERKPLAATS_SMTP_HOST",
    "WERKPLAATS_PUBLIC_URL": "the site's own address as people reach it, e.g. "
    "https://werkplaats.example.nl; links in mail and the login's redirect URI start with it; "
    "required with WERKPLAATS_SMTP_HOST or WERKPLAATS_OIDC_ISSUER",
    "WERKPLAATS_OIDC_ISSUER": "issuer of the institution's OpenID Connect login, e.g. "
    "https://connect.surfconext.nl; unset: no institution login",
    "WERKPLAATS_OIDC_CLIENT_ID": "client id the provider gave this site; required with "
    "WERKPLAATS_OIDC_ISSUER",
    "WERKPLAATS_OIDC_CLIENT_SECRET": "client secret the provider gave this site (keep it "
    "secret); required with WERKPLAATS_OIDC_ISSUER",
    "WERKPLAATS_OIDC_SCOPES": f"scopes asked for (default {DEFAULT_OIDC_SCOPES!r}; must "
    "hold openid and email)",
    "WERKPLAATS_OIDC_NAME": f"name on the login button (default {DEFAULT_OIDC_NAME})",
    "WERKPLAATS_OIDC_REQUIRE_EMAIL_VERIFIED": "on (default): only an ID token with "
    "email_verified true logs in; off for a provider that sends no such claim but verifies "
    "every address itself",
    "WERKPLAATS_PASSWORD_LOGIN": "on (default) or off: off hides the password form and "
    "refuses password logins; needs WERKPLAATS_OIDC_ISSUER",
}


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    data_dir: Path = Path("data")
    allowed_origins: tuple[str, ...] = ()
    bus_url: str = "memory://"
    default_language: str = "nl"
    presence_interval: float = 30.0
    # Commands one participant may send a second (sessions/flood.py); a load test raises it.
    commands_per_second: int = 10
    log_format: str = "text"
    metrics_from: tuple[Network, ...] = tuple(
        ipaddress.ip_network(n) for n in DEFAULT_METRICS_FROM.split(",")
    )
    session_days: int = 14
    # Failed logins allowed per minute, for one email address and for one client address.
    login_failures_per_email: int = 5
    login_failures_per_client: int = 20
    # Wrong join codes allowed per client address in ten minutes (server/limits.py).
    join_failures_per_client: int = 20
    # New participants one client address may add to one session in an hour (a classroom behind
    # one NAT address fits); server/limits.py.
    joins_per_client_per_session: int = 60
    # Request bodies over this many bytes are refused with 413 before they are read.
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Load the de-identification model (deduce, several seconds) when the server starts, in the
    # background, so the first outcome composed does not wait for it.
    deidentify_preload: bool = True
    # Days after its last activity before a session is deleted by `werkplaats retain`; 0: never.
    retention_days: int = DEFAULT_RETENTION_DAYS
    # Mail (server/mail/): None sends nothing, the outbox keeps what is queued.
    smtp_host: str | None = None
    smtp_port: int = DEFAULT_SMTP_PORT
    smtp_tls: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = ""
    # The site's own address for links in mail; "" : the address a request came in on.
    public_url: str = ""
    # The first retry of a mail after this many seconds, then twice as long each time, at most
    # an hour; a mail is given up when it could not be sent within three days.
    mail_retry_seconds: float = 30.0
    # How often the sender looks for mail queued by other processes, or due again.
    mail_poll_seconds: float = 10.0
    # Seconds each step of talking to the mail server may take before the attempt fails.
    smtp_timeout_seconds: float = 30.0
    # Password reset requests allowed per hour, for one email address and one client address.
    reset_requests_per_email: int = 3
    reset_requests_per_client: int = 20
    # The institution's login over OpenID Connect (server/oidc.py); "" : off.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = DEFAULT_OIDC_SCOPES
    oidc_name: str = DEFAULT_OIDC_NAME
    oidc_require_email_verified: bool = True
    # Seconds the provider's discovery document and keys are kept before they are read again.
    oidc_cache_seconds: float = 3600.0
    password_login: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (os.environ by default)."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get(f"{PREFIX}DATA_DIR") or "data")
        raw_url = env.get(f"{PREFIX}DATABASE_URL") or f"sqlite:///{data_dir / 'werkplaats.sqlite3'}"
        database_url = normalize_database_url(raw_url)
        given_key = env.get(f"{PREFIX}SECRET_KEY")
        if given_key:
            secret_key = check_secret_key(given_key, f"{PREFIX}SECRET_KEY")
        else:
            secret_key = check_secret_key(
                _stored_secret_key(data_dir),
                f"the key file {data_dir / SECRET_KEY_FILE} (used as {PREFIX}SECRET_KEY is unset)",
            )
        language = env.get(f"{PREFIX}DEFAULT_LANGUAGE") or "nl"
        if language not in LANGUAGES:
            raise SettingsError(
                f"{PREFIX}DEFAULT_LANGUAGE is {language!r}; allowed: {', '.join(LANGUAGES)}"
            )
        bus_url = env.get(f"{PREFIX}BUS_URL") or "memory://"
        scheme = bus_url.split("://", 1)[0] if "://" in bus_url else ""
        if scheme not in ("memory", "postgres", "postgresql"):
            # Name only the scheme: the rest of a URL may hold a password.
            what = f"the scheme {scheme!r}" if scheme else "no scheme"
            raise SettingsError(f"{PREFIX}BUS_URL has {what}; allowed: memory:// or postgres://…")
        if bus_url.rstrip("/") in ("postgres:", "postgresql:") and database_url.startswith(
            "sqlite"
        ):
            raise SettingsError(
                f"{PREFIX}BUS_URL is {bus_url!r}, which means the database's PostgreSQL server, "
                "but the database is SQLite; give a full postgres:// URL or use memory://"
            )
        presence_interval = _seconds(env, f"{PREFIX}PRESENCE_INTERVAL", 30.0)
        origins = env.get(f"{PREFIX}ALLOWED_ORIGINS") or ""
        log_format = env.get(f"{PREFIX}LOG_FORMAT") or "text"
        if log_format not in LOG_FORMATS:
            raise SettingsError(
                f"{PREFIX}LOG_FORMAT is {log_format!r}; allowed: {', '.join(LOG_FORMATS)}"
            )
        preload = env.get(f"{PREFIX}DEIDENTIFY_PRELOAD") or "1"
        if preload not in ("0", "1"):
            raise SettingsError(f"{PREFIX}DEIDENTIFY_PRELOAD is {preload!r}; allowed: 1 or 0")
        max_body_bytes = _whole_number(
            env,
            f"{PREFIX}MAX_BODY_BYTES",
            DEFAULT_MAX_BODY_BYTES,
            MIN_MAX_BODY_BYTES,
            MAX_MAX_BODY_BYTES,
        )
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            data_dir=data_dir,
            allowed_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
            bus_url=bus_url,
            default_language=language,
            presence_interval=presence_interval,
            log_format=log_format,
            metrics_from=_networks(env, f"{PREFIX}METRICS_FROM", DEFAULT_METRICS_FROM),
            deidentify_preload=preload == "1",
            max_body_bytes=max_body_bytes,
            retention_days=_retention_days(env, f"{PREFIX}RETENTION_DAYS"),
            commands_per_second=_whole_number(env, f"{PREFIX}COMMANDS_PER_SECOND", 10, 1, 100_000),
            **_mail_settings(env),
            **_login_settings(env),
        )


def _mail_settings(env: Mapping[str, str]) -> dict[str, Any]:
    host = (env.get(f"{PREFIX}SMTP_HOST") or "").strip() or None
    tls = (env.get(f"{PREFIX}SMTP_TLS") or "starttls").strip().lower()
    if tls not in SMTP_TLS_MODES:
        raise SettingsError(
            f"{PREFIX}SMTP_TLS is {tls[:40]!r}; allowed: {', '.join(SMTP_TLS_MODES)}"
        )
    username = env.get(f"{PREFIX}SMTP_USERNAME") or None
    password = env.get(f"{PREFIX}SMTP_PASSWORD") or None
    if (username is None) != (password is None):
        raise SettingsError(
            f"{PREFIX}SMTP_USERNAME and {PREFIX}SMTP_PASSWORD go together; set both or neither"
        )
    mail_from = (env.get(f"{PREFIX}MAIL_FROM") or "").strip()
    if mail_from and not _MAIL_ADDRESS.match(mail_from):
        raise SettingsError(
            f"{PREFIX}MAIL_FROM is {mail_from[:80]!r}; allowed: one email address, such as "
            "werkplaats@example.nl"
        )
    public_url = check_public_url(env.get(f"{PREFIX}PUBLIC_URL") or "")
    if host is not None and not mail_from:
        raise SettingsError(
            f"{PREFIX}SMTP_HOST is set, so {PREFIX}MAIL_FROM is required: the address the "
            "site's mail comes from, such as werkplaats@example.nl"
        )
    if host is not None and not public_url:
        raise SettingsError(
            f"{PREFIX}SMTP_HOST is set, so {PREFIX}PUBLIC_URL is required: the site's address "
            "that links in mail start with, such as https://werkplaats.example.nl"
        )
    return {
        "smtp_host": host,
        "smtp_port": _whole_number(env, f"{PREFIX}SMTP_PORT", DEFAULT_SMTP_PORT, 1, 65535),
        "smtp_tls": tls,
        "smtp_username": username,
        "smtp_password": password,
        "mail_from": mail_from,
        "public_url": public_url,
    }


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in SWITCHES:
        raise SettingsError(f"{name} is {raw[:40]!r}; allowed: on or off")
    return SWITCHES[raw]


def _login_settings(env: Mapping[str, str]) -> dict[str, Any]:
    issuer = (env.get(f"{PREFIX}OIDC_ISSUER") or "").strip().rstrip("/")
    client_id = (env.get(f"{PREFIX}OIDC_CLIENT_ID") or "").strip()
    client_secret = env.get(f"{PREFIX}OIDC_CLIENT_SECRET") or ""
    scopes = " ".join((env.get(f"{PREFIX}OIDC_SCOPES") or DEFAULT_OIDC_SCOPES).split())
    name = " ".join((env.get(f"{PREFIX}OIDC_NAME") or DEFAULT_OIDC_NAME).split())
    password_login = _switch(env, f"{PREFIX}PASSWORD_LOGIN", True)
    if issuer:
        parsed = urlsplit(issuer)
        local = parsed.hostname in ("127.0.0.1", "localhost", "::1")
        if not parsed.netloc or not (
            parsed.scheme == "https" or (parsed.scheme == "http" and local)
        ):
            raise SettingsError(
                f"{PREFIX}OIDC_ISSUER is {issuer[:80]!r}; allowed: an https address, such as "
                "https://connect.surfconext.nl"
            )
        if not client_id or not client_secret:
            raise SettingsError(
                f"{PREFIX}OIDC_ISSUER is set, so {PREFIX}OIDC_CLIENT_ID and "
                f"{PREFIX}OIDC_CLIENT_SECRET are required: the ones the provider gave this site"
            )
        if not (env.get(f"{PREFIX}PUBLIC_URL") or "").strip():
            raise SettingsError(
                f"{PREFIX}OIDC_ISSUER is set, so {PREFIX}PUBLIC_URL is required: the site's "
                "address that the login's redirect URI starts with, such as "
                "https://werkplaats.example.nl"
            )
        if not {"openid", "email"} <= set(scopes.split()):
            raise SettingsError(
                f"{PREFIX}OIDC_SCOPES is {scopes[:80]!r}; it must hold openid and email, such "
                f"as {DEFAULT_OIDC_SCOPES!r}"
            )
        if not 1 <= len(name) <= 40:
            raise SettingsError(f"{PREFIX}OIDC_NAME needs 1 to 40 characters")
    if not password_login and not issuer:
        raise SettingsError(
            f"{PREFIX}PASSWORD_LOGIN is off, but {PREFIX}OIDC_ISSUER is unset: nobody could log "
            "in; set the issuer or leave password login on"
        )
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_client_secret": client_secret,
        "oidc_scopes": scopes,
        "oidc_name": name,
        "oidc_require_email_verified": _switch(env, f"{PREFIX}OIDC_REQUIRE_EMAIL_VERIFIED", True),
        "password_login": password_login,
    }


def check_public_url(raw: str) -> str:
    """The site's address without a trailing slash, "" when unset; SettingsError otherwise."""
    url = raw.strip().rstrip("/")
    if not url:
        return ""
    parsed = urlsplit(url)
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.netloc
        or parsed.query
        or (parsed.fragment)
    ):
        raise SettingsError(
            f"{PREFIX}PUBLIC_URL is {raw[:80]!r}; allowed: an http or https address without "
            "query, such as https://werkplaats.example.nl"
        )
    return url


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name) or ""
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.1 <= value <= 3600:
        raise SettingsError(f"{name} is {raw!r}; allowed: a number of seconds from 0.1 to 3600")
    return value


def _whole_number(
    env: Mapping[str, str], name: str, default: int, lowest: int, highest: int
) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and lowest <= int(raw) <= highest):
        raise SettingsError(
            f"{name} is {raw[:40]!r}; allowed: a whole number from {lowest} to {highest}"
        )
    return int(raw)


def _retention_days(env: Mapping[str, str], name: str) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_RETENTION_DAYS):
        raise SettingsError(
            f"{name} is {raw[:40]!r}; allowed: a whole number of days from 1 to "
            f"{MAX_RETENTION_DAYS}, or 0 to keep everything"
        )
    return int(raw)


def _networks(env: Mapping[str, str], name: str, default: str) -> tuple[Network, ...]:
    items = [item.strip() for item in (env.get(name) or "").split(",") if item.strip()]
    networks = []
    for item in items or default.split(","):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise SettingsError(
                f"{name} has {item!r}; allowed: comma-separated IP addresses or "
                "networks, such as 127.0.0.1,10.0.0.0/8,::1"
            ) from None
    return tuple(networks)


def normalize_database_url(url: str) -> str:
    """Turn a plain sqlite:// or postgresql:// URL into its async driver form."""
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018  (read here: a port that is not a number fails only when read)
    except (ArgumentError, ValueError):
        raise SettingsError(
            f"{PREFIX}DATABASE_URL {_without_credentials(url)!r} is not a database URL; "
            "use sqlite:///path/to/file or postgresql://user@host:5432/name"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend == "postgresql":
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise SettingsError(
            f"{PREFIX}DATABASE_URL uses {backend!r}; supported: sqlite and postgresql"
        )
    return parsed.render_as_string(hide_password=False)


def _without_credentials(url: str) -> str:
    """A URL that could not be read, for a message: whatever stands before an @ (a user and
    password) is left out, since the message goes to the terminal and the journal."""
    return re.sub(r"^([^@]*?//)?[^@]*@", lambda found: (found.group(1) or "") + "…@", url)


def check_secret_key(key: str, where: str) -> str:
    """The key, or SettingsError when it is a known placeholder or too short to be safe.

    With a guessable key anyone can sign a facilitator's token or a login cookie. The message
    never repeats the key (it may be a real secret a character short)."""
    how = (
        f"make one with: {MAKE_SECRET_KEY} (every process of one site needs the same key; "
        "changing it logs everybody out)"
    )
    letters = "".join(ch for ch in key.lower() if ch.isalnum())
    if any(word in letters for word in SECRET_KEY_PLACEHOLDERS):
        raise SettingsError(f"{PREFIX}SECRET_KEY: {where} holds a placeholder, not a secret; {how}")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise SettingsError(
            f"{PREFIX}SECRET_KEY: {where} is too short ({len(key)} characters; at least "
            f"{MIN_SECRET_KEY_LENGTH}, which is 32 random bytes); {how}"
        )
    if len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        raise SettingsError(
            f"{PREFIX}SECRET_KEY: {where} is not random (only {len(set(key))} different "
            f"characters); {how}"
        )
    return key


def _stored_secret_key(data_dir: Path) -> str:
    """The demo's secret key: made once, kept in the data directory, readable by us only."""
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key
