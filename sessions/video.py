"""Video-call links: what a valid link is, and the rooms of breakout groups (pure, except for
the random suffix `room_suffix`).

A Jitsi link is https://host/RoomName (or https://host/tenant/RoomName): whoever opens that
address is in that room. A breakout group's room is the plenary room's name with a random
suffix, so that it cannot be derived from the plenary link nor from another group's link.
Jitsi treats room names case-insensitively, so the suffix is lower case letters and digits.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MAX_URL_LENGTH = 500

VIDEO_URL_RULE = (
    f"a video-call link must be an http:// or https:// address with a host, at most "
    f"{MAX_URL_LENGTH} characters, without spaces or control characters"
)


def video_url_problem(url: str) -> str | None:
    """What is wrong with a video-call link (a message naming what is allowed), or None."""
    if not url:
        return f"{VIDEO_URL_RULE}; this one is empty (send null to remove the link)"
    if len(url) > MAX_URL_LENGTH:
        return f"{VIDEO_URL_RULE}; this one has {len(url)} characters"
    # Spaces, controls and invisible format characters (bidi overrides) could disguise where
    # a link leads; a real link needs none of them (they are percent-encoded).
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs") for ch in url):
        return f"{VIDEO_URL_RULE}; this one contains a space or control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return f"{VIDEO_URL_RULE}; this one cannot be read as an address"
    if parts.scheme.lower() not in ("http", "https"):
        start = f"{parts.scheme}:" if parts.scheme else "no scheme such as https:"
        return f"{VIDEO_URL_RULE}; this one starts with {start}"
    if not parts.hostname:
        return f"{VIDEO_URL_RULE}; this one has no host"
    if "@" in parts.netloc:
        # https://meet.example@elsewhere.example leads to elsewhere.example.
        return f"{VIDEO_URL_RULE} and without a user name before the host"
    return None


# Public Jitsi servers whose links are recognised without asking. A self-hosted Jitsi server
# cannot be recognised for sure by its address: the facilitator says so when opening the
# groups (`breakouts.open` with `rooms: true`, docs/protocol.md).
JITSI_HOSTS = frozenset({"meet.jit.si"})
SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
# 20 characters of 36: about 103 bits, beyond guessing (a token_urlsafe(16) is 128 bits).
SUFFIX_LENGTH = 20
# A plenary link without a room name (https://meet.jit.si/) still gives named group rooms.
_NO_ROOM = "werkplaats"


def is_jitsi(url: str | None) -> bool:
    """Whether a (valid) video link is on a public Jitsi server this platform recognises."""
    if not url:
        return False
    host = urlsplit(url).hostname
    return host is not None and host.lower() in JITSI_HOSTS


def room_suffix() -> str:
    """A fresh, unguessable suffix for one group's room (the randomness of `secrets`)."""
    return "".join(secrets.choice(SUFFIX_ALPHABET) for _ in range(SUFFIX_LENGTH))


def group_room(plenary: str, suffix: str) -> str:
    """The Jitsi room of a group: the plenary room's name + "-" + suffix, on the same server
    (and tenant); the plenary link's query and fragment (Jitsi's settings) are kept."""
    parts = urlsplit(plenary)
    head, _, name = parts.path.rstrip("/").rpartition("/")
    room = f"{unquote(name) or _NO_ROOM}-{suffix}"
    return urlunsplit(parts._replace(path=f"{head}/{quote(room, safe='')}"))
