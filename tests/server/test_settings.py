"""Settings come from the environment once, with clear errors for values we cannot use."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from server.settings import DOCUMENTED, Settings, SettingsError

ROOT = Path(__file__).parents[2]
GOOD_KEY = "q3Yc0mWJ8vRk1xZp5TnLs7uHd2GfA9eBo4iKjw6NhCtE-rVy"  # as token_urlsafe makes them


def test_defaults_give_an_embedded_sqlite_database_and_a_kept_secret(tmp_path: Path) -> None:
    settings = Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'werkplaats.sqlite3'}"
    assert settings.bus_url == "memory://"
    assert settings.default_language == "nl"
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path)})
    assert again.secret_key == settings.secret_key and len(settings.secret_key) >= 40


def test_environment_values_are_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "WERKPLAATS_DATA_DIR": str(tmp_path),
            "WERKPLAATS_DATABASE_URL": "postgresql://app:pw@db.example:5432/werkplaats",
            "WERKPLAATS_SECRET_KEY": GOOD_KEY,
            "WERKPLAATS_ALLOWED_ORIGINS": "https://a.example/, https://b.example",
            "WERKPLAATS_BUS_URL": "postgres://",
            "WERKPLAATS_DEFAULT_LANGUAGE": "en",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://app:pw@db.example:5432/werkplaats"
    assert settings.secret_key == GOOD_KEY
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.default_language == "en"
    assert not (tmp_path / "secret_key").exists()


def test_metrics_networks_are_read(tmp_path: Path) -> None:
    default = Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path)})
    assert [str(n) for n in default.metrics_from] == ["127.0.0.0/8", "::1/128"]
    given = Settings.from_env(
        {"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_METRICS_FROM": "10.1.2.3, 10.9.0.0/16,"}
    )
    assert [str(n) for n in given.metrics_from] == ["10.1.2.3/32", "10.9.0.0/16"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WERKPLAATS_DATABASE_URL", "mysql://x/y", "supported: sqlite and postgresql"),
        ("WERKPLAATS_DATABASE_URL", "not a url", "is not a database URL"),
        ("WERKPLAATS_DEFAULT_LANGUAGE", "fr", "allowed: nl, en"),
        ("WERKPLAATS_BUS_URL", "redis://", "allowed: memory:// or postgres://"),
        ("WERKPLAATS_LOG_FORMAT", "yaml", "allowed: text, json"),
        ("WERKPLAATS_METRICS_FROM", "127.0.0.1,10.0.0.0/33", "has '10.0.0.0/33'; allowed"),
    ],
)
def test_unusable_values_are_refused_with_what_is_allowed(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path), name: value})


def test_an_unknown_bus_scheme_is_named_without_the_rest_of_its_url(tmp_path: Path) -> None:
    """docs/bus.md: any other scheme is refused with a message naming it; the rest of the URL
    may hold a password, and the message goes to the terminal and the journal."""
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(
            {
                "WERKPLAATS_DATA_DIR": str(tmp_path),
                "WERKPLAATS_BUS_URL": "redis://werkplaats:hunter2-secret@cache.example:6379/0",
            }
        )
    message = str(refused.value)
    assert "WERKPLAATS_BUS_URL" in message and "'redis'" in message
    assert "allowed: memory:// or postgres://" in message
    assert "hunter2" not in message and "cache.example" not in message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://werkplaats:hunter2-secret@db.example:54xx/werkplaats",  # a port not a number
        "postgresql//werkplaats:hunter2-secret@db.example/werkplaats",  # no colon after the scheme
        "postgresql://werkplaats:hunter2-secret@[::1/werkplaats",  # an address not closed
    ],
)
def test_a_database_url_that_cannot_be_read_is_refused_without_its_password(
    tmp_path: Path, url: str
) -> None:
    """The message goes to the terminal and the journal: it says what is wrong and what is
    allowed, never with a traceback, and never with the password the URL holds."""
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_DATABASE_URL": url})
    message = str(refused.value)
    assert "is not a database URL" in message and "postgresql://user@host:5432/name" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "key",
    [
        "CHANGE-ME",
        "changeme",
        "secret",
        "change_me_" + "x" * 40,  # a placeholder made long enough
        "CHANGE-ME-" * 5,
        "k" * 50,  # long, but one character
        "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabc",  # long, but three characters
        "too-short-but-random-Xk2pQ9",  # under 43 characters: under 32 bytes
        "b3Z1cm1vdC1kaXQtaXMtZ2VlbiBnb2VkZS1zbGV1dGVs"[:42],
    ],
)
def test_a_placeholder_or_short_secret_key_is_refused_with_how_to_make_one(
    tmp_path: Path, key: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_SECRET_KEY": key})
    message = str(refused.value)
    assert "WERKPLAATS_SECRET_KEY" in message
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"' in message
    assert key not in message or len(key) < 12, "the key itself is not printed"


def test_good_secret_keys_are_accepted(tmp_path: Path) -> None:
    import os
    import secrets

    for key in (secrets.token_urlsafe(32), secrets.token_urlsafe(48), os.urandom(32).hex()):
        env = {"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_SECRET_KEY": key}
        assert Settings.from_env(env).secret_key == key


def test_a_placeholder_in_the_secret_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("CHANGE-ME\n")
    with pytest.raises(SettingsError, match="secret_key"):
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path)})


def test_the_shipped_env_example_does_not_hold_a_usable_key(tmp_path: Path) -> None:
    """Copied as it is, env.example stops the server: its key is a placeholder."""
    example = (ROOT / "deploy" / "env.example").read_text()
    (key,) = [
        line.split("=", 1)[1]
        for line in example.splitlines()
        if line.startswith("WERKPLAATS_SECRET_KEY=")
    ]
    with pytest.raises(SettingsError, match="placeholder"):
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path), "WERKPLAATS_SECRET_KEY": key})


def test_every_setting_read_is_documented() -> None:
    """DOCUMENTED (and with it env.example and the README's table) names every setting read."""
    source = (ROOT / "server" / "settings.py").read_text()
    read = {f"WERKPLAATS_{name}" for name in re.findall(r"\{PREFIX\}([A-Z_]+)", source)}
    assert read, "found no settings read: the search is broken"
    assert read == set(DOCUMENTED), (
        f"read but not documented: {sorted(read - set(DOCUMENTED))}; "
        f"documented but not read: {sorted(set(DOCUMENTED) - read)}"
    )


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in DOCUMENTED:
        assert f"`{name}`" in readme, f"{name} is not in the README's settings table"


def test_mail_settings_are_read(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "WERKPLAATS_DATA_DIR": str(tmp_path),
            "WERKPLAATS_SMTP_HOST": "smtp.example.nl",
            "WERKPLAATS_SMTP_PORT": "465",
            "WERKPLAATS_SMTP_TLS": "tls",
            "WERKPLAATS_SMTP_USERNAME": "werkplaats",
            "WERKPLAATS_SMTP_PASSWORD": "pw",
            "WERKPLAATS_MAIL_FROM": "werkplaats@example.nl",
            "WERKPLAATS_PUBLIC_URL": "https://werkplaats.example.nl/",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == (
        "smtp.example.nl",
        465,
        "tls",
    )
    assert (settings.smtp_username, settings.smtp_password) == ("werkplaats", "pw")
    assert settings.mail_from == "werkplaats@example.nl"
    assert settings.public_url == "https://werkplaats.example.nl"
    plain = Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path)})
    assert (plain.smtp_host, plain.smtp_port, plain.smtp_tls) == (None, 587, "starttls")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"WERKPLAATS_SMTP_HOST": "smtp.example.nl"}, "WERKPLAATS_MAIL_FROM is required"),
        (
            {"WERKPLAATS_SMTP_HOST": "smtp.example.nl", "WERKPLAATS_MAIL_FROM": "a@example.nl"},
            "WERKPLAATS_PUBLIC_URL is required",
        ),
        ({"WERKPLAATS_SMTP_TLS": "ssl"}, "allowed: starttls, tls, none"),
        ({"WERKPLAATS_SMTP_PORT": "70000"}, "allowed: a whole number from 1 to 65535"),
        ({"WERKPLAATS_MAIL_FROM": "werkplaats"}, "allowed: one email address"),
        ({"WERKPLAATS_SMTP_USERNAME": "someone"}, "go together; set both or neither"),
        ({"WERKPLAATS_PUBLIC_URL": "werkplaats.example.nl"}, "an http or https address"),
    ],
)
def test_mail_settings_we_cannot_use_are_refused_clearly(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path), **values})


_OIDC = {
    "WERKPLAATS_OIDC_ISSUER": "https://connect.surfconext.nl/",
    "WERKPLAATS_OIDC_CLIENT_ID": "werkplaats.example.nl",
    "WERKPLAATS_OIDC_CLIENT_SECRET": "from-the-dashboard",
    "WERKPLAATS_PUBLIC_URL": "https://werkplaats.example.nl",
}


def test_the_institution_login_settings_are_read(tmp_path: Path) -> None:
    env = {"WERKPLAATS_DATA_DIR": str(tmp_path), **_OIDC, "WERKPLAATS_PASSWORD_LOGIN": "off"}
    settings = Settings.from_env(env)
    assert settings.oidc_issuer == "https://connect.surfconext.nl"
    assert settings.oidc_scopes == "openid email profile"
    assert settings.oidc_name == "SURFconext"
    assert settings.oidc_require_email_verified is True
    assert settings.password_login is False
    plain = Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path)})
    assert plain.oidc_issuer == "" and plain.password_login is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WERKPLAATS_PASSWORD_LOGIN": "off"}, "nobody could log in"),
        ({"WERKPLAATS_PASSWORD_LOGIN": "nee"}, "allowed: on or off"),
        ({**_OIDC, "WERKPLAATS_OIDC_ISSUER": "http://idp.example.nl"}, "an https address"),
        ({**_OIDC, "WERKPLAATS_OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET are required"),
        ({**_OIDC, "WERKPLAATS_PUBLIC_URL": ""}, "PUBLIC_URL is required"),
        ({**_OIDC, "WERKPLAATS_OIDC_SCOPES": "openid profile"}, "must hold openid and email"),
        ({**_OIDC, "WERKPLAATS_OIDC_REQUIRE_EMAIL_VERIFIED": "ja"}, "allowed: on or off"),
    ],
)
def test_unusable_login_settings_are_refused(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"WERKPLAATS_DATA_DIR": str(tmp_path), **env})
