"""Two-step verification (TOTP and recovery codes), as people use it, on SQLite and PostgreSQL.

Codes are computed by pyotp from the secret the enrolment page shows, as an authenticator app
would."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from server.auth import COOKIE, PENDING_COOKIE
from server.models import AuditEntry, LoginFailure, PendingLogin, RecoveryCode, User
from tests.helpers import (
    PASSWORD,
    log_in,
    make_user,
    secret_on_page,
    submit,
    totp_code,
    wrong_code,
)

_RECOVERY = re.compile(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>")


async def _user(db: async_sessionmaker[AsyncSession], email: str) -> User:
    async with db() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


async def _enrol(client: httpx.AsyncClient) -> tuple[str, list[str]]:
    """Turn it on from the account page; the secret the page showed and the recovery codes."""
    page = await client.get("/account/tweestaps")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    secret = secret_on_page(page.text)
    response = await submit(
        client,
        "/account/tweestaps",
        "/account/tweestaps",
        {"enrolment": _enrolment(page.text), "code": totp_code(secret)},
    )
    assert response.status_code == 200, response.text
    return secret, _RECOVERY.findall(response.text)


def _enrolment(html: str) -> str:
    match = re.search(r'name="enrolment" value="([^"]+)"', html)
    assert match
    return unescape(match.group(1))


async def _password_step(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await submit(client, "/login", "/login", {"email": email, "password": PASSWORD})


async def _code_step(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await submit(client, "/login/code", "/login/code", {"code": code, "next": "/account"})


async def _log_out(client: httpx.AsyncClient) -> None:
    await client.post("/logout", data={"csrf_token": client.cookies["werkplaats_csrf"]})


def _error(response: httpx.Response) -> str:
    match = re.search(r'role="alert" id="code-error" data-code="[^"]*">([^<]+)<', response.text)
    assert match, response.text
    return unescape(match.group(1))


async def test_enrolment_shows_the_secret_and_then_the_login_asks_for_a_code(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org")
    await log_in(client, "fenna@example.org")
    page = await client.get("/account/tweestaps")
    secret = secret_on_page(page.text)
    # The same secret as a QR code (SVG with a title) and as an otpauth:// link.
    assert "<svg" in page.text and "QR-code om te scannen" in page.text
    uri = unescape(re.search(r'href="(otpauth://[^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    assert parse_qs(urlsplit(uri).query)["secret"] == [secret]
    assert "Werkplaats" in uri and "fenna%40example.org" in uri
    assert re.search(r'<code id="secret"[^>]*>([A-Z2-7]{4} ){7}[A-Z2-7]{4}</code>', page.text)

    wrong = await submit(
        client,
        "/account/tweestaps",
        "/account/tweestaps",
        {"enrolment": _enrolment(page.text), "code": wrong_code(secret)},
    )
    assert wrong.status_code == 422
    assert "Deze code klopt niet" in _error(wrong)
    assert secret_on_page(wrong.text) == secret  # the same secret to try again with
    assert not (await _user(db, "fenna@example.org")).has_second_factor  # nothing stored

    done = await submit(
        client,
        "/account/tweestaps",
        "/account/tweestaps",
        {"enrolment": _enrolment(page.text), "code": totp_code(secret)},
    )
    assert done.status_code == 200
    codes = _RECOVERY.findall(done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = await _user(db, "fenna@example.org")
    # A database dump alone gives neither the secret nor the recovery codes away.
    assert user.totp_secret is not None and secret not in user.totp_secret
    async with db() as session:
        hashes = list(await session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10
    assert not {code.replace("-", "") for code in codes} & set(hashes)
    # They are shown once: the page shows only how many are left afterwards.
    again = await client.get("/account/tweestaps")
    assert not _RECOVERY.findall(again.text) and "Herstelcodes over: 10." in again.text

    await _log_out(client)
    first = await _password_step(client, "fenna@example.org")
    assert first.status_code == 303
    assert first.headers["location"] == "/login/code?next=%2F"
    assert COOKIE not in client.cookies  # not logged in yet
    assert (await client.get("/api/me")).status_code == 401
    refused = await _code_step(client, wrong_code(secret))
    assert refused.status_code == 401
    assert "Deze code klopt niet" in _error(refused)
    assert (await client.get("/api/me")).status_code == 401
    response = await _code_step(client, totp_code(secret))
    assert response.status_code == 303 and response.headers["location"] == "/account"
    assert (await client.get("/api/me")).json()["email"] == "fenna@example.org"
    assert PENDING_COOKIE not in client.cookies


async def test_a_code_works_once_and_a_recovery_code_once(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org")
    await log_in(client, "fenna@example.org")
    secret, recovery = await _enrol(client)
    await _log_out(client)

    code = totp_code(secret)
    await _password_step(client, "fenna@example.org")
    assert (await _code_step(client, code)).status_code == 303
    await _log_out(client)
    # Someone who saw that code (over a shoulder, from a phishing page) cannot use it again.
    await _password_step(client, "fenna@example.org")
    replayed = await _code_step(client, code)
    assert replayed.status_code == 401
    assert _error(replayed) == (
        "Deze code is al gebruikt. Wacht op de volgende code in je app en typ die."
    )
    assert (await client.get("/api/me")).status_code == 401

    # Without the phone: a recovery code, written with capitals and spaces as people do.
    typed = recovery[0].upper().replace("-", " ")
    assert (await _code_step(client, typed)).status_code == 303
    await _log_out(client)
    await _password_step(client, "fenna@example.org")
    used = await _code_step(client, recovery[0])
    assert used.status_code == 401
    assert _error(used) == "Deze herstelcode klopt niet of is al gebruikt."
    assert (await _code_step(client, recovery[1])).status_code == 303
    assert "Herstelcodes over: 8." in (await client.get("/account")).text


async def test_bad_codes_are_refused_clearly_and_count_as_failed_logins(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org")
    await log_in(client, "fenna@example.org")
    secret, _codes = await _enrol(client)
    await _log_out(client)
    await _password_step(client, "fenna@example.org")
    cases = [
        ("", "Typ de 6 cijfers die je authenticator-app laat zien, of een herstelcode."),
        ("12345", "Een code heeft 6 cijfers; een herstelcode heeft 16 letters en cijfers"),
        ("<script>", "Een code heeft 6 cijfers"),
    ]
    for code, message in cases:
        response = await _code_step(client, code)
        assert response.status_code == 401
        assert message in _error(response)
        assert "<script>" not in response.text
    too_long = await _code_step(client, "1" * 65)
    assert too_long.status_code == 422
    # Five failures a minute for an account (the settings' default), passwords and codes alike:
    # three above, two wrong codes, then even the right code is refused for a while.
    for _ in range(2):
        assert (await _code_step(client, wrong_code(secret))).status_code == 401
    blocked = await _code_step(client, totp_code(secret))
    assert blocked.status_code == 429
    assert "Te veel mislukte pogingen" in _error(blocked)
    assert (await client.get("/api/me")).status_code == 401


async def test_the_half_login_is_no_login_expires_and_is_used_once(
    app: Starlette, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org")
    await log_in(client, "fenna@example.org")
    secret, _codes = await _enrol(client)
    await _log_out(client)
    await _password_step(client, "fenna@example.org")
    pending = client.cookies[PENDING_COOKIE]

    # Its cookie in the place of a login's is refused: another signature, and no login row.
    thief = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    async with thief:
        thief.cookies.set(COOKIE, pending)
        assert (await thief.get("/api/me")).status_code == 401
        assert (await thief.get("/account")).status_code == 303

    # Used once: the same half login cannot complete a second login.
    assert (await _code_step(client, totp_code(secret))).status_code == 303
    await _log_out(client)
    client.cookies.set(PENDING_COOKIE, pending)
    again = await _code_step(client, totp_code(secret))
    assert again.status_code == 401
    assert "Het inloggen duurde langer dan 5 minuten" in again.text
    assert (await client.get("/api/me")).status_code == 401

    # Expired after five minutes.
    await _password_step(client, "fenna@example.org")
    async with db() as session:
        await session.execute(
            update(PendingLogin).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
        await session.commit()
    late = await _code_step(client, totp_code(secret))
    assert late.status_code == 401 and "Log opnieuw in" in late.text
    assert (await client.get("/login/code")).status_code == 401


async def test_turning_it_off_needs_a_current_code(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, email="fenna@example.org")
    await log_in(client, "fenna@example.org")
    secret, _codes = await _enrol(client)
    for code in ("", wrong_code(secret)):
        refused = await submit(
            client, "/account/tweestaps", "/account/tweestaps/uit", {"code": code}
        )
        assert refused.status_code == 422
        assert "Typ de 6 cijfers" in _error(refused) or "Deze code klopt niet" in _error(refused)
        assert (await _user(db, "fenna@example.org")).has_second_factor
    done = await submit(
        client, "/account/tweestaps", "/account/tweestaps/uit", {"code": totp_code(secret)}
    )
    assert done.status_code == 303
    # The two wrong tries counted as failed logins (a stolen login cannot guess on and on).
    async with db() as session:
        failures = await session.scalar(select(func.count()).select_from(LoginFailure))
    assert failures == 2
    assert not (await _user(db, "fenna@example.org")).has_second_factor
    async with db() as session:
        assert list(await session.scalars(select(RecoveryCode))) == []
    # Logging in takes the password alone again.
    await _log_out(client)
    assert (await _password_step(client, "fenna@example.org")).headers["location"] == "/"


async def test_a_coordinator_without_a_second_factor_gets_no_coordinator_page(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, "carla@example.org", ("coordinator",), "Carla", second_factor=False)
    response = await _password_step(client, "carla@example.org")
    assert response.headers["location"] == "/account/tweestaps?next=%2F"
    for path in ("/beheer/accounts", "/beheer/audit", "/beheer/wissen"):
        refused = await client.get(path)
        assert refused.status_code == 303, path
        assert refused.headers["location"].startswith("/account/tweestaps?next=")
    assert (await client.get("/beheer/accounts", headers={"accept": "application/json"})).json()[
        "code"
    ] == "second_factor_required"
    api = await client.post(
        "/api/sessions",
        json={"title": "x"},
        headers={"x-csrf-token": client.cookies["werkplaats_csrf"]},
    )
    assert api.status_code == 403
    assert api.json() == {
        "code": "second_factor_required",
        "message": "Coördinatoren hebben tweestapsverificatie nodig. Zet die eerst aan op je "
        "accountpagina: /account/tweestaps.",
    }
    # The forms do not pass either.
    created = await submit(
        client,
        "/account",
        "/beheer/accounts",
        {"email": "x@example.org", "name": "X", "password": PASSWORD, "roles": "educator"},
    )
    assert created.status_code == 303 and created.headers["location"].startswith("/account/")
    page = await client.get("/account/tweestaps?next=/beheer/accounts")
    assert "Je bent coördinator" in page.text

    secret = secret_on_page(page.text)
    done = await submit(
        client,
        "/account/tweestaps?next=/beheer/accounts",
        "/account/tweestaps?next=/beheer/accounts",
        {"enrolment": _enrolment(page.text), "code": totp_code(secret)},
    )
    assert 'href="/beheer/accounts">Verder</a>' in done.text
    assert (await client.get("/beheer/accounts")).status_code == 200
    assert (await client.get("/beheer/audit")).status_code == 200


async def test_a_coordinator_resets_a_lost_phone_and_it_is_audited(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    carla = await make_user(db, "carla@example.org", ("coordinator",), "Carla")
    fenna = await make_user(db, "fenna@example.org", ("facilitator",), "Fenna")
    await log_in(client, "fenna@example.org")
    await _enrol(client)
    # Not for a facilitator.
    refused = await submit(client, "/account", f"/beheer/accounts/{carla.id}/tweestaps/reset", {})
    assert refused.status_code == 403
    assert (await _user(db, "carla@example.org")).has_second_factor
    await _log_out(client)

    await log_in(client, "carla@example.org")
    accounts = await client.get("/beheer/accounts")
    assert f'action="/beheer/accounts/{fenna.id}/tweestaps/reset"' in accounts.text
    assert f'action="/beheer/accounts/{carla.id}/tweestaps/reset"' not in accounts.text
    response = await submit(
        client, "/beheer/accounts", f"/beheer/accounts/{fenna.id}/tweestaps/reset", {}
    )
    assert response.status_code == 303
    assert not (await _user(db, "fenna@example.org")).has_second_factor
    async with db() as session:
        entries = list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "second_factor.reset")
            )
        )
        assert [(e.actor, e.actor_id, e.target) for e in entries] == [
            (f"account:{carla.id}", carla.id, f"account:{fenna.id}")
        ]
        assert (
            list(
                await session.scalars(
                    select(RecoveryCode.id).where(RecoveryCode.user_id == fenna.id)
                )
            )
            == []
        )
    audit = await client.get("/beheer/audit?action=second_factor.reset")
    assert f"account:{fenna.id}" in audit.text
    own = await submit(
        client, "/beheer/accounts", f"/beheer/accounts/{carla.id}/tweestaps/reset", {}
    )
    assert own.status_code == 400 and "op je accountpagina" in own.text
    missing = await submit(client, "/beheer/accounts", "/beheer/accounts/9999/tweestaps/reset", {})
    assert missing.status_code == 404
    # Fenna logs in with her password alone again, and can turn it on anew.
    await _log_out(client)
    assert (await _password_step(client, "fenna@example.org")).headers["location"] == "/"


async def test_erasing_an_account_removes_its_second_factor(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
) -> None:
    await make_user(db, "carla@example.org", ("coordinator",), "Carla")
    fenna = await make_user(db, "fenna@example.org", ("facilitator",), "Fenna")
    await log_in(client, "fenna@example.org")
    await _enrol(client)
    await _log_out(client)
    await _password_step(client, "fenna@example.org")  # a half login, left waiting
    client.cookies.delete(PENDING_COOKIE)
    await log_in(client, "carla@example.org")
    fields = {"kind": "account", "q": "fenna@example.org", "contributions": ""}
    done = await submit(client, "/beheer/wissen", "/beheer/wissen", {**fields, "op": "erase"})
    assert done.status_code == 200 and 'id="erase-result"' in done.text
    assert "<td>Herstelcodes (tweestapsverificatie)</td><td>10</td>" in done.text
    assert "<td>Inlogpogingen die op een code wachten</td><td>1</td>" in done.text
    async with db() as session:
        user = await session.get(User, fenna.id)
        assert user is not None
        assert (user.totp_secret, user.totp_last_step) == (None, None)
        mine = RecoveryCode.user_id == fenna.id
        assert list(await session.scalars(select(RecoveryCode).where(mine))) == []
        waiting = PendingLogin.user_id == fenna.id
        assert list(await session.scalars(select(PendingLogin).where(waiting))) == []


def test_a_code_is_accepted_one_step_either_side_of_now() -> None:
    """Clocks of phones drift; 30 seconds either way is what RFC 6238 advises to accept."""
    from server.two_factor import matching_step

    # A fixed secret: with a random one, two of these four steps share a code now and then
    # (about six times in a million), and the step found is then another.
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    at = 1_800_000_000.0
    totp = pyotp.TOTP(secret)
    step = int(at // 30)
    assert len({totp.at(at + 30 * n) for n in (-2, -1, 0, 1)}) == 4
    assert matching_step(secret, totp.at(at), at) == step
    assert matching_step(secret, totp.at(at - 30), at) == step - 1
    assert matching_step(secret, totp.at(at + 30), at) == step + 1
    assert matching_step(secret, totp.at(at - 60), at) is None
