"""docs/protocol.md names every command, every event and every error code of the code."""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path

import msgspec
import pytest

from sessions import commands, events

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "docs" / "protocol.md"


def _missing(names: set[str]) -> set[str]:
    """The names the protocol does not mention as code (`name`)."""
    text = PROTOCOL.read_text(encoding="utf-8")
    return {name for name in names if f"`{name}`" not in text}


def _event_types() -> set[str]:
    return {
        str(msgspec.inspect.type_info(body).tag)  # type: ignore[attr-defined]
        for body in typing.get_args(events.EventBody)
    }


def _refused_codes() -> set[str]:
    """Refused codes of sessions/decide.py and of the tool slices it dispatches to."""
    paths = [ROOT / "sessions" / "decide.py", *sorted((ROOT / "sessions" / "tools").glob("*.py"))]
    source = "\n".join(path.read_text(encoding="utf-8") for path in paths)
    return set(re.findall(r'Refused\(\s*"([a-z_]+)"', source))


def _connection_codes() -> set[str]:
    """Codes of frames the server cannot take (decode) and of the websocket endpoint."""
    decode = set(re.findall(r'"([a-z_]+)"', inspect.getsource(commands.decode)))
    api = (ROOT / "sessions" / "api.py").read_text(encoding="utf-8")
    endpoint = set(re.findall(r'(?:code=|_refuse\(\s*websocket,\s*)"([a-z_]+)"', api))
    return decode | endpoint


@pytest.mark.parametrize(
    ("what", "names"),
    [
        ("command types", set(commands.COMMAND_TYPES)),
        ("event types", _event_types()),
        ("Refused codes of sessions/decide.py and sessions/tools/", _refused_codes()),
        ("decode and connection error codes", _connection_codes()),
    ],
)
def test_the_protocol_documents_every_name(what: str, names: set[str]) -> None:
    assert names, f"found no {what}: the collection is broken"
    missing = _missing(names)
    assert not missing, f"docs/protocol.md does not mention these {what}: {sorted(missing)}"


def test_the_collections_find_what_they_should() -> None:
    assert {"note.add", "vote.cast", "participant.move"} <= commands.COMMAND_TYPES
    assert {"hidden", "session.created", "notes.revealed"} <= _event_types()
    # Codes whose Refused( call spans two lines are found too.
    assert {"forbidden", "no_such_phase", "room_full", "over_budget"} <= _refused_codes()
    assert {"malformed", "unknown_type", "invalid", "too_large"} <= _connection_codes()
    assert {"hello_first", "bad_token", "already_greeted", "not_stored"} <= _connection_codes()
