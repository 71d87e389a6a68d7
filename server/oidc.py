"""Login with the institution over OpenID Connect (SURFconext, or any provider by its issuer).

The authorization code flow with PKCE (S256), a `state` used once (server side, in
oidc_logins, and bound to the browser by a signed cookie) and a `nonce`; the ID token's
signature is checked against the provider's published keys (JWKS) and its issuer, audience,
expiry and nonce with joserfc, the JOSE library of the Authlib project. docs/accounts.md
tells the rules; server/oidc_pages.py has the pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.db import utcnow
from server.i18n import N_
from server.models import OidcLogin
from server.settings import Settings

CALLBACK_PATH = "/login/oidc/callback"
# A login begun at the provider must come back within this time.
LOGIN_TIME = dt.timedelta(minutes=10)
# Signing algorithms accepted for ID tokens: asymmetric only (never "none", never HS256 with
# the client secret as the key).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
# Seconds of clock difference allowed between the provider and us.
LEEWAY = 60
_TIMEOUT = httpx.Timeout(10.0)


class OidcError(Exception):
    """A refused institution login. `message` is an English msgid with %(name)s parameters."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        self.code = code
        self.message = message
        self.params = params
        super().__init__(message % params)


@dataclass(frozen=True)
class Identity:
    """Who the provider says logged in, from a validated ID token."""

    subject: str
    email: str
    name: str


@dataclass(frozen=True)
class _Metadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    keys: KeySet
    fetched_at: float


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _provider_unreachable(what: str) -> OidcError:
    return OidcError(
        "oidc_unreachable",
        N_(
            "The login service of your institution could not be reached (%(what)s). Try "
            "again later."
        ),
        what=what,
    )


class OidcClient:
    """One site's client of one provider: its discovery document and keys, kept a while."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = settings.oidc_issuer
        self.redirect_uri = settings.public_url + CALLBACK_PATH
        self._metadata: _Metadata | None = None

    async def _get_json(self, client: httpx.AsyncClient, url: str, what: str) -> dict[str, Any]:
        try:
            response = await client.get(url)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError):
            raise _provider_unreachable(what) from None
        if not isinstance(body, dict):
            raise _provider_unreachable(what)
        return body

    async def _fetch_metadata(self) -> _Metadata:
        async with httpx.AsyncClient(timeout=_TIMEOUT) as client:
            found = await self._get_json(
                client, f"{self.issuer}/.well-known/openid-configuration", "discovery"
            )
            if found.get("issuer") != self.issuer:
                raise OidcError(
                    "oidc_wrong_issuer",
                    N_(
                        "The login service says it is %(found)s, not %(issuer)s. Tell the "
                        "administrator of this site."
                    ),
                    found=str(found.get("issuer"))[:100],
                    issuer=self.issuer,
                )
            try:
                endpoints = {
                    name: str(found[name])
                    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
                }
            except KeyError:
                raise _provider_unreachable("discovery") from None
            jwks = await self._get_json(client, endpoints["jwks_uri"], "keys")
        try:
            keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError):
            raise _provider_unreachable("keys") from None
        userinfo = found.get("userinfo_endpoint")
        return _Metadata(
            **endpoints,
            userinfo_endpoint=str(userinfo) if userinfo else None,
            keys=keys,
            fetched_at=time.monotonic(),
        )

    async def metadata(self, *, fresh: bool = False) -> _Metadata:
        known = self._metadata
        if (
            fresh
            or known is None
            or time.monotonic() - known.fetched_at > self.settings.oidc_cache_seconds
        ):
            known = self._metadata = await self._fetch_metadata()
        return known

    async def begin(self, db: AsyncSession, next_page: str) -> tuple[str, str]:
        """Begin a login: the provider's address to send the browser to, and the state for
        the browser's cookie."""
        metadata = await self.metadata()
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = generate_token(64)
        now = utcnow()
        await db.execute(delete(OidcLogin).where(OidcLogin.expires_at < now))
        db.add(
            OidcLogin(
                state_hash=_hash(state),
                nonce=nonce,
                code_verifier=verifier,
                next_page=next_page[:500],
                expires_at=now + LOGIN_TIME,
            )
        )
        await db.commit()
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            self.settings.oidc_client_id,
            "code",
            redirect_uri=self.redirect_uri,
            scope=self.settings.oidc_scopes,
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
        return str(url), state

    async def use_state(self, db: AsyncSession, state: str) -> OidcLogin:
        """The login this state began, deleted so that it answers once; OidcError when it was
        used already, expired or never begun."""
        begun = await db.scalar(
            select(OidcLogin).where(
                OidcLogin.state_hash == _hash(state), OidcLogin.expires_at > utcnow()
            )
        )
        done = await db.execute(delete(OidcLogin).where(OidcLogin.state_hash == _hash(state)))
        await db.commit()
        if begun is None or done.rowcount != 1:  # type: ignore[attr-defined]
            raise state_refused()
        return begun

    async def finish(self, begun: OidcLogin, code: str) -> Identity:
        """Exchange the code for tokens and validate the ID token; who logged in."""
        metadata = await self.metadata()
        async with httpx.AsyncClient(timeout=_TIMEOUT) as client:
            try:
                response = await client.post(
                    metadata.token_endpoint,
                    data={
                        "grant_type": "authorization_code",
                        "code": code,
                        "redirect_uri": self.redirect_uri,
                        "code_verifier": begun.code_verifier,
                    },
                    auth=(self.settings.oidc_client_id, self.settings.oidc_client_secret),
                    headers={"Accept": "application/json"},
                )
                tokens = response.json()
            except (httpx.HTTPError, ValueError):
                raise _provider_unreachable("token") from None
            if response.status_code != 200 or not isinstance(tokens, dict):
                raise OidcError(
                    "oidc_token",
                    N_("The login service refused this login (%(error)s). Start again."),
                    error=str(tokens.get("error", response.status_code))[:80]
                    if isinstance(tokens, dict)
                    else response.status_code,
                )
            id_token = tokens.get("id_token")
            if not isinstance(id_token, str):
                raise _invalid("no ID token")
            claims = await self._validate(id_token, begun.nonce)
            if "email" not in claims and metadata.userinfo_endpoint and tokens.get("access_token"):
                claims = {**await self._userinfo(client, metadata, tokens, claims), **claims}
        return self._identity(claims)

    async def _userinfo(
        self,
        client: httpx.AsyncClient,
        metadata: _Metadata,
        tokens: dict[str, Any],
        claims: dict[str, Any],
    ) -> dict[str, Any]:
        # Some providers put the e-mail address only in the userinfo answer; it counts only for
        # the subject of the validated ID token.
        assert metadata.userinfo_endpoint
        client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        info = await self._get_json(client, metadata.userinfo_endpoint, "userinfo")
        if info.get("sub") != claims.get("sub"):
            raise _invalid("userinfo is about someone else")
        return {key: info[key] for key in ("email", "email_verified", "name") if key in info}

    async def _validate(self, id_token: str, nonce: str) -> dict[str, Any]:
        metadata = await self.metadata()
        try:
            token = self._decode(id_token, metadata.keys)
        except InvalidKeyIdError:
            # A key we do not know yet: the provider may have rotated its keys.
            metadata = await self.metadata(fresh=True)
            try:
                token = self._decode(id_token, metadata.keys)
            except InvalidKeyIdError:
                raise _invalid("unknown key") from None
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.settings.oidc_client_id},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except ExpiredTokenError:
            raise _invalid("expired") from None
        except MissingClaimError as error:
            raise _invalid(f"no {error.claim}") from None
        except ClaimError as error:
            raise _invalid(f"wrong {error.claim}") from None
        except JoseError:
            raise _invalid("invalid") from None
        audience = token.claims["aud"]
        if isinstance(audience, list) and len(audience) > 1:
            if token.claims.get("azp") != self.settings.oidc_client_id:
                raise _invalid("wrong azp")
        return dict(token.claims)

    @staticmethod
    def _decode(id_token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
        except InvalidKeyIdError:
            raise
        except BadSignatureError:
            raise _invalid("forged signature") from None
        except (JoseError, ValueError):
            raise _invalid("unreadable") from None

    def _identity(self, claims: dict[str, Any]) -> Identity:
        email = claims.get("email")
        if not isinstance(email, str) or not email:
            raise OidcError(
                "oidc_no_email",
                N_(
                    "Your institution did not send your e-mail address, and this site needs "
                    "it to find your account. Ask your institution to release it."
                ),
            )
        verified = claims.get("email_verified")
        if self.settings.oidc_require_email_verified and verified not in (True, "true"):
            raise OidcError(
                "oidc_email_unverified",
                N_(
                    "Your institution has not verified your e-mail address %(email)s, so it "
                    "cannot log you in here."
                ),
                email=email[:100],
            )
        name = claims.get("name")
        return Identity(
            subject=str(claims["sub"]),
            email=email,
            name=name if isinstance(name, str) else "",
        )


def state_refused() -> OidcError:
    """A state that was used before, has expired, or was begun by another browser."""
    return OidcError(
        "oidc_state",
        N_(
            "This login was already used or took too long. Start again with the button on the "
            "login page."
        ),
    )


def _invalid(reason: str) -> OidcError:
    return OidcError(
        "oidc_invalid_token",
        N_(
            "The login service's answer could not be trusted (%(reason)s), so you are not "
            "logged in. Start again; if it happens again, tell the administrator of this site."
        ),
        reason=reason,
    )
