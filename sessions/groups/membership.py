"""A member's token: a signed (group, member) pair in a cookie of that group, so a member is
recognised in each of the group's sessions without an account (an account works as well)."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE_PREFIX = "wp_g_"
COOKIE_DAYS = 400  # a traject runs for a year or so; the browser may cap it


def member_cookie(group_public_id: str) -> str:
    """The name of the cookie that holds this browser's member token for a group."""
    return f"{COOKIE_PREFIX}{group_public_id}"


def new_member_id() -> str:
    return "m" + secrets.token_urlsafe(9)


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="werkplaats.member")


def make_member_token(secret_key: str, group: str, member: str) -> str:
    return _serializer(secret_key).dumps({"g": group, "m": member})


def read_member_token(secret_key: str, group: str, token: str) -> str | None:
    """The member id in a valid token for this group, else None (forged, other group)."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("g") != group:
        return None
    member = data.get("m")
    return member if isinstance(member, str) else None
