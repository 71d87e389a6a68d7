"""Participant tokens: a signed (session, participant) pair that lets someone come back."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer


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
