"""docs/protocol.md states the close codes, error codes and limits the code has (issue 14).

Each documented number is read from the text with a plain pattern and compared with the constant
it describes, so changing either alone fails here. `check(text)` returns the disagreements, so a
manual run can point it at an older version of the doc (`git show HEAD~1:docs/protocol.md`)."""

from __future__ import annotations

import json
import re
import sys
import typing
from pathlib import Path

import msgspec

from server import auth, csrf
from server.badinput import MAX_JSON_DEPTH
from sessions import api, commands, decide, engine, events, fanout, flood
from sessions.state import State

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "docs" / "protocol.md"

# Every close code the server sends after accepting the socket, as the code names it.
CLOSE_CODES = {
    api.CLOSE_NO_HELLO: "no `hello`",
    api.CLOSE_BAD_TOKEN: "bad_token",
    api.CLOSE_UNKNOWN_SESSION: "no such session",
    fanout.CLOSE_REMOVED: "removed",
    fanout.CLOSE_TOO_SLOW: "could not keep up",
    fanout.CLOSE_RELOAD: "rewritten",
    fanout.CLOSE_SHUTDOWN: "shutting down",
    flood.CLOSE_FLOODING: "signals",
}


def _number(text: str) -> int:
    return int(text.replace(",", "").replace(" ", "").replace("\u202f", ""))


def _section(text: str, title: str) -> str:
    """The text of the `## …` or `### …` section whose heading starts with `title`."""
    match = re.search(rf"^(#+) {re.escape(title)}.*?$(.*?)(?=^#{{1,3}} |\Z)", text, re.M | re.S)
    assert match, f"no section {title!r} in the protocol"
    return match.group(2)


def _all(pattern: str, text: str) -> list[int]:
    return [_number(found) for found in re.findall(pattern, text, re.S)]


def _close_table(text: str) -> dict[str, str]:
    """Close code (or `HTTP 403`) → its `when` cell, from the table under "Close codes:"."""
    table = text.split("Close codes:", 1)[1].split("\n\n", 2)[1]
    rows = [row.split("|")[1:-1] for row in table.splitlines()[2:]]
    return {cells[0].strip(): cells[1].strip() for cells in rows}


def _error_table(text: str) -> set[str]:
    section = _section(text, "8. Error codes").split("Close codes:", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", section, re.M))


def _string_literals() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "sessions").rglob("*.py"):  # the tool slices in sessions/tools/ too
        found.update(re.findall(r'"([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def _example_problems(text: str) -> list[str]:
    """The frames of §9 the server would write otherwise: each `events` frame and welcome state
    must be what encoding it as the server's types gives (every field, in order)."""
    problems: list[str] = []
    example = _section(text, "9. An example")
    for line in example.splitlines():
        if "← {" not in line:
            continue
        frame = json.loads(line.split("← ", 1)[1])
        if frame["type"] == "events":
            written = [
                msgspec.to_builtins(msgspec.convert(e, events.Event)) for e in frame["events"]
            ]
            if written != frame["events"]:
                problems.append(f"§9: the server writes these events otherwise: {written}")
        elif frame["type"] == "welcome" and "state" in frame:
            state = msgspec.to_builtins(msgspec.convert(frame["state"], State))
            if list(state) != list(frame["state"]) or state != frame["state"]:
                problems.append(
                    f"§9: a welcome state has fields {list(frame['state'])}, the "
                    f"server writes {list(state)}"
                )
    return problems


def check(text: str) -> list[str]:
    """What the protocol text says that the code does not."""
    problems: list[str] = []

    def expect(what: str, documented: list[int], actual: int) -> None:
        if not documented:
            problems.append(f"{what}: not documented (the code: {actual})")
        for value in documented:
            if value != actual:
                problems.append(f"{what}: documented {value}, the code {actual}")

    # Close codes: the table holds exactly the code's, each for its reason.
    table = _close_table(text)
    numbered = {int(key): when for key, when in table.items() if key.isdigit()}
    for code, reason in CLOSE_CODES.items():
        if code not in numbered:
            problems.append(f"close code {code} ({reason}) is not in the table")
        elif reason not in numbered[code]:
            problems.append(f"close code {code}: the table does not say {reason!r}")
    for code in sorted(set(numbered) - set(CLOSE_CODES)):
        problems.append(f"close code {code} is in the table but the server never sends it")
    if "foreign Origin" not in table.get("HTTP 403", ""):
        problems.append("a foreign Origin's HTTP 403 is not in the close table")
    # The connect section: a foreign origin is HTTP 403, an unknown session the close code.
    connect = _section(text, "Connect")
    unknown = re.search(r"[^.]*unknown session id[^.]*\.[^.]*\.", connect)
    if unknown is None or f"**{api.CLOSE_UNKNOWN_SESSION}**" not in unknown.group(0):
        problems.append(
            f"§1 does not say an unknown session is closed with {api.CLOSE_UNKNOWN_SESSION}"
        )
    elif "403" in unknown.group(0) or "same way" in unknown.group(0):
        problems.append("§1 says an unknown session is refused at the handshake")
    expect(
        "shutdown close code",
        _all(r"shutdown[^.]*?closes connections with \*\*(\d+)\*\*", text),
        fanout.CLOSE_SHUTDOWN,
    )
    expect(
        "hello timeout",
        _all(r"`hello` within \*\*(\d+) seconds\*\*", text),
        int(api.HELLO_TIMEOUT),
    )

    # Error codes: every code in the table is one the code can send.
    literals = _string_literals()
    for name in sorted(_error_table(text) - literals):
        problems.append(f"error code {name!r} is documented but not in sessions/")

    # Limits.
    expect("frame size (KiB)", _all(r"\*\*(\d+) KiB\*\*", text), commands.MAX_FRAME_BYTES // 1024)
    expect(
        "frame size (bytes)",
        _all(r"frame has[^|;]*?(\d[\d, \u202f]*\d) bytes", text),
        commands.MAX_FRAME_BYTES,
    )
    expect(
        "nesting depth",
        _all(r"nest(?:s|ed)?[^.|]*?(?:at most|more than)\s+\**(\d+)\**\s+deep", text),
        MAX_JSON_DEPTH,
    )
    expect("resume limit", _all(r"more than \**([\d,]+)\** events behind", text), api.RESUME_LIMIT)
    expect("queue length", _all(r"queue[^.]*?\(?\**([\d,]+)\** items", text), fanout.QUEUE_LIMIT)
    expect(
        "events per frame",
        _all(r"list of 1–(\d+) events", text) + _all(r"up to (\d+) in one `events` frame", text),
        fanout.MAX_EVENTS_PER_FRAME,
    )
    expect("remembered commands", _all(r"last ([\d,]+) commands", text), engine.KNOWN_COMMANDS)
    expect("notes on a board", _all(r"a board with ([\d,]+) notes", text), decide.MAX_NOTES)
    expect("chat messages", _all(r"a chat with ([\d,]+) messages", text), decide.MAX_CHAT)
    limits = _section(text, "Client → server")
    expect(
        "signals a second",
        _all(r"\*\*(\d+) signals a second\*\*", limits),
        int(flood.SIGNALS_PER_SECOND),
    )
    bursts = _all(r"bursts of up to \*\*(\d+)\*\*", limits)  # signals first, then commands
    expect("signal burst", bursts[:1], flood.SIGNAL_BURST)
    expect("command burst", bursts[1:2], flood.COMMAND_BURST)
    expect("command burst (§8)", _all(r"a second \(bursts of (\d+)\)", text), flood.COMMAND_BURST)
    expect(
        "dropped signals before closing",
        _all(r"more than \*\*([\d,]+)\*\* dropped signals", limits),
        flood.SIGNAL_DROP_BURST,
    )
    expect(
        "dropped signals a second",
        _all(r"more than (\d+) dropped a second", limits),
        int(flood.SIGNAL_DROPS_PER_SECOND),
    )
    expect(
        "commands a second",
        _all(r"\*\*(\d+) commands a second\*\*", limits)
        + _all(r"more than (\d+) commands a second", text),
        int(flood.COMMANDS_PER_SECOND),
    )
    expect(
        "notes per person",
        _all(r"\(([\d,]+) notes of your own", text) + _all(r"at most ([\d,]+) notes on", text),
        decide.MAX_NOTES_PER_PERSON,
    )
    expect(
        "chat messages per person",
        _all(r"\(([\d,]+) messages of your own", text)
        + _all(r"post at most ([\d,]+) chat messages", text),
        decide.MAX_CHAT_PER_PERSON,
    )

    # The state table lists every field of an agenda phase.
    phase_fields = set(events.AgendaPhase.__struct_fields__)
    row = re.search(r"^\| `phases` \| list of `\{([^}]*)\}`", text, re.M)
    documented = {name.strip() for name in row.group(1).split(",")} if row else set()
    if documented != phase_fields:
        problems.append(
            f"state table phases: documented {sorted(documented)}, the code {sorted(phase_fields)}"
        )

    # ... and every agenda tool a phase can name.
    line = re.search(r"^\| `phases` \| list of .*$", text, re.M)
    tools_said = re.search(r"`tool` is one of ([^;]*);", line.group(0) if line else "")
    said = set(re.findall(r"`([a-z-]+)`", tools_said.group(1))) if tools_said else set()
    tools = set(typing.get_args(events.Tool))
    if said != tools:
        problems.append(f"state table phases: tools {sorted(said)}, the code {sorted(tools)}")

    problems.extend(_example_problems(text))

    # Logging in from a script: the names it must use.
    login = _section(text, "Log in from a script") if "Log in from a script" in text else ""
    for name in (csrf.COOKIE, csrf.FIELD, auth.COOKIE, "X-CSRF-Token"):
        if f"`{name}`" not in login:
            problems.append(f"no documented script login naming `{name}`")
    if csrf.HEADER != "x-csrf-token":
        problems.append("the CSRF header is not X-CSRF-Token")
    return problems


def test_the_protocol_states_the_codes_and_limits_of_the_code() -> None:
    assert check(PROTOCOL.read_text(encoding="utf-8")) == []


if __name__ == "__main__":  # python -m tests.test_protocol_doc [file]: check another version
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PROTOCOL
    print("\n".join(check(path.read_text(encoding="utf-8"))) or "agrees")
