"""Participant tokens: a signed (session, participant) pair that lets someone come back, kept
in a cookie of that one session."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from server.cookies import set_private_cookie

COOKIE_PREFIX = "wp_p_"
COOKIE_DAYS = 90


def participant_cookie(public_id: str) -> str:
    """The name of the cookie that holds this browser's participant token for a session."""
    return f"{COOKIE_PREFIX}{public_id}"


def set_participant_cookie(
    request: Request, response: Response, public_id: str, participant: str
) -> None:
    """Let this browser come back to the session as the participant."""
    token = make_token(request.app.state.settings.secret_key, public_id, participant)
    set_private_cookie(
        request, response, participant_cookie(public_id), token, COOKIE_DAYS * 24 * 3600
    )


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="werkplaats.participant")


def make_token(secret_key: str, session: str, participant: str) -> str:
    return _serializer(secret_key).dumps({"s": session, "p": participant})


def read_token(secret_key: str, session: str, token: str) -> str | None:
    """The participant id in a valid token for this session, else None (forged, other session)."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != session:
        return None
    participant = data.get("p")
    return participant if isinstance(participant, str) else None
