"""Live-session endpoints: create and join over HTTP, then everything else over a websocket.

The websocket protocol is documented in docs/protocol.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import time
from typing import Annotated, Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.auth import require_role
from server.badinput import refuse_bad_json
from server.errors import ApiError
from server.limits import TooMany, claim_join_attempt, client_address, forget_join_attempt
from server.models import Role
from sessions import actions, joins, queries, setup
from sessions import commands as c
from sessions import events as ev
from sessions.decide import Refused, decide
from sessions.engine import SessionEngine
from sessions.fanout import CLOSE_TOO_SLOW, Connection, FanOut
from sessions.flood import RATE_LIMITED, SignalLimit, looks_like_signal
from sessions.groups.joining import enrol_joined, was_removed
from sessions.presence import Presence
from sessions.tokens import make_token, read_token
from sessions.views import project

HELLO_TIMEOUT = 10.0
RESUME_LIMIT = 5000  # a larger gap gets the state instead of every missed event
CLOSE_NO_HELLO = 4000
CLOSE_BAD_TOKEN = 4001
CLOSE_FORBIDDEN_ORIGIN = 4003
CLOSE_UNKNOWN_SESSION = 4004
_encode = msgspec.json.Encoder().encode
JOIN_STATUS = {
    "unknown_code": 404,
    "room_full": 409,
    joins.FULL: 409,
    "session_ended": 409,
    "removed": 409,
    "joins_locked": 409,
}


class TooSlow(Exception):
    """The connection's queue overflowed while catching up."""


class CreateRequest(msgspec.Struct, forbid_unknown_fields=True):
    title: c.Title
    modality: ev.Modality = "online"
    variant: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    goals: Annotated[list[str], msgspec.Meta(max_length=10)] = msgspec.field(default_factory=list)
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    breakout_size: Annotated[int, msgspec.Meta(ge=2, le=50)] = 4
    anonymous_notes: bool = False
    asynchronous: bool | None = None  # None: as the variant is
    region: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    theme: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    video_url: str | None = None  # checked by setup (commands.video_url_problem)
    # None: the default (sessions/joins.py); checked by setup against the room's capacity.
    max_participants: Annotated[int, msgspec.Meta(ge=1, le=joins.MAX_PARTICIPANTS)] | None = None
    # When it is planned (RFC 3339 with a zone); both or neither, checked by setup.
    planned_start: Annotated[dt.datetime, msgspec.Meta(tz=True)] | None = None
    planned_end: Annotated[dt.datetime, msgspec.Meta(tz=True)] | None = None


class JoinRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: c.Name
    location: ev.Location | None = None


def _decode_body(body: bytes, kind: type[Any]) -> Any:
    refuse_bad_json(body)  # too deep or a NUL: 400 before msgspec recurses or the database sees it
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as error:
        raise ApiError(422, "invalid_request", str(error)) from None
    except msgspec.DecodeError as error:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {error}") from None


def _engine(request: Request | WebSocket) -> SessionEngine:
    engine: SessionEngine = request.app.state.session_engine
    return engine


async def create(request: Request) -> Response:
    user = require_role(request, Role.FACILITATOR, Role.COORDINATOR)
    body = _decode_body(await request.body(), CreateRequest)
    asked = setup.SetupRequest(
        title=body.title,
        modality=body.modality,
        variant=body.variant,
        goals=tuple(body.goals),
        capacity=body.capacity,
        breakout_size=body.breakout_size,
        anonymous_notes=body.anonymous_notes,
        asynchronous=body.asynchronous,
        region=body.region,
        theme=body.theme,
        video_url=body.video_url,
        max_participants=body.max_participants,
        planned_start=body.planned_start,  # checked, then stored in UTC, by setup
        planned_end=body.planned_end,
    )
    engine = _engine(request)
    try:
        row = await setup.create(request.app.state.db, engine, asked, user.id, user.name)
    except setup.SetupRefused as refused:
        raise ApiError(422, refused.code, refused.text()) from None
    participant = actions.facilitator_id(user.id)
    return JSONResponse(
        {
            "session": row.public_id,
            "join_code": row.join_code,
            "join_url": setup.join_url(request, row.join_code),
            "websocket": f"/ws/sessions/{row.public_id}",
            "participant": participant,
            "token": make_token(request.app.state.settings.secret_key, row.public_id, participant),
        },
        status_code=201,
    )


def too_many_codes(retry_after: int) -> Response:
    """The API's answer to a client that guessed too many wrong join codes."""
    return JSONResponse(
        {
            "code": "too_many_attempts",
            "message": "too many wrong join codes from this address; try again later",
        },
        status_code=429,
        headers={"Retry-After": str(retry_after)},
    )


async def join(request: Request) -> Response:
    body = _decode_body(await request.body(), JoinRequest)
    engine = _engine(request)
    db = request.app.state.db
    settings = request.app.state.settings
    client = client_address(request)
    code = queries.normalize_code(request.path_params["code"])
    try:  # counted before the code is looked up: a burst of guesses cannot slip past the limit
        attempt = await claim_join_attempt(db, client, code, settings.join_failures_per_client)
    except TooMany as too_many:  # a right code too: otherwise guessing goes on unbounded
        return too_many_codes(too_many.retry_after)
    row = await queries.find_by_code(db, code)
    if row is None:  # the attempt stays: a wrong code
        raise ApiError(404, "unknown_code", "there is no session with this code")
    await forget_join_attempt(db, attempt)
    if await was_removed(request, row):  # a browser's cookie names someone removed from it
        raise ApiError(409, "removed", "you were removed from this session")
    participant = actions.new_participant_id()
    try:
        await joins.join(
            db,
            engine,
            row,
            participant,
            body.name,
            body.location,
            client,
            settings.joins_per_client_per_session,
        )
    except TooMany as too_many:
        return JSONResponse(
            {
                "code": joins.TOO_MANY_JOINS,
                "message": f"{settings.joins_per_client_per_session} participants joined this "
                "session from this address in the last hour; try again later",
            },
            status_code=429,
            headers={"Retry-After": str(too_many.retry_after)},
        )
    except Refused as refused:
        raise ApiError(JOIN_STATUS.get(refused.code, 422), refused.code, refused.message) from None
    public_id = row.public_id
    token = make_token(settings.secret_key, public_id, participant)
    response = JSONResponse(
        {
            "session": public_id,
            "websocket": f"/ws/sessions/{public_id}",
            "participant": participant,
            "token": token,
        },
        status_code=201,
    )
    # A group's session: the participant is (or becomes) a member, remembered by a cookie.
    await enrol_joined(request, response, row, participant, body.name)
    return response


def _origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: browsers always send Origin on websockets
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    own = f"{scheme}://{websocket.headers.get('host', '')}"
    allowed = websocket.app.state.settings.allowed_origins
    return origin.rstrip("/") == own or origin.rstrip("/") in allowed


def _frame(**fields: Any) -> bytes:
    return _encode(fields)


async def session_socket(websocket: WebSocket) -> None:
    if not _origin_allowed(websocket):
        await websocket.close(CLOSE_FORBIDDEN_ORIGIN)  # before accept: the handshake is refused
        return
    public_id = websocket.path_params["public_id"]
    row = await queries.find_by_public_id(websocket.app.state.db, public_id)
    await websocket.accept()
    if row is None:
        await _refuse(
            websocket, "unknown_session", "there is no such session", CLOSE_UNKNOWN_SESSION
        )
        return
    engine = _engine(websocket)
    fanout: FanOut = websocket.app.state.session_fanout
    presence: Presence = websocket.app.state.session_presence
    participant, last_seq = await _greet(websocket, public_id)
    if participant is None:
        return
    state = await engine.state(row.id)
    person = state.people.get(participant)
    if person is None or person.removed:
        await _refuse(websocket, "bad_token", "this token is not (or no longer) valid here")
        return
    if not await actions.account_may_act(websocket.app.state.db, participant):
        await _refuse(
            websocket,
            "bad_token",
            "the account behind this token no longer has a role that runs sessions",
        )
        return
    connection = Connection(websocket, participant)
    fanout.add(row.id, connection)
    sender = asyncio.get_running_loop().create_task(connection.send_forever())
    try:
        await _catch_up(engine, presence, row.id, connection, last_seq)
        await _receive_forever(websocket, engine, fanout, row.id, connection)
    except WebSocketDisconnect:
        pass
    except TooSlow:
        fanout.slow_clients_dropped += 1  # as the fan-out counts the ones it closes (for /metrics)
        with contextlib.suppress(Exception):
            await websocket.close(CLOSE_TOO_SLOW, "too slow; reconnect and resume")
    finally:
        fanout.remove(row.id, connection)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender


async def _greet(websocket: WebSocket, public_id: str) -> tuple[str | None, int]:
    """Wait for `hello`; the participant it names and the last seq the client has."""
    try:
        frame = await asyncio.wait_for(_receive(websocket), HELLO_TIMEOUT)
    except (TimeoutError, WebSocketDisconnect):
        with contextlib.suppress(Exception):
            await websocket.close(CLOSE_NO_HELLO, "send hello first")
        return None, 0
    try:
        message = c.decode(frame)
    except c.ProtocolError as error:
        await _refuse(websocket, error.code, error.message, CLOSE_NO_HELLO)
        return None, 0
    if not isinstance(message, c.Hello):
        await _refuse(websocket, "hello_first", "the first message must be hello", CLOSE_NO_HELLO)
        return None, 0
    secret = websocket.app.state.settings.secret_key
    participant = read_token(secret, public_id, message.token)
    if participant is None:
        await _refuse(websocket, "bad_token", "this token is not valid for this session")
        return None, 0
    return participant, message.last_seq


async def _receive(websocket: WebSocket) -> str | bytes:
    """The next frame, text or binary (a binary frame is decoded like text, or refused)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if text is not None else bytes(message.get("bytes") or b"")


async def _refuse(
    websocket: WebSocket, code: str, message: str, close_code: int = CLOSE_BAD_TOKEN
) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_text(
            _frame(type="error", id=None, code=code, message=message).decode()
        )
        await websocket.close(close_code, code)


async def _catch_up(
    engine: SessionEngine,
    presence: Presence,
    session_id: int,
    connection: Connection,
    last_seq: int,
) -> None:
    """Welcome the client with the state, or with exactly the events it missed.

    Right after the welcome, before any event, comes the presence list."""
    state = await engine.state(session_id)
    current = state.seq
    welcome: dict[str, Any] = {
        "type": "welcome",
        "participant": connection.participant,
        "role": state.people[connection.participant].role,
        "seq": current,
        "now": time.time(),
    }
    if last_seq == 0 or last_seq > current or current - last_seq > RESUME_LIMIT:
        welcome["state"] = msgspec.to_builtins(project(state, connection.participant))
        connection.put(0, _encode(welcome))
        presence.greet(session_id, connection)
        connection.last_seq = current
        if not connection.open_for_live():
            raise TooSlow
        return
    welcome["resume_from"] = last_seq
    connection.put(0, _encode(welcome))
    presence.greet(session_id, connection)
    connection.last_seq = last_seq
    # While the missed events are read, live ones wait in the backlog (the connection is not
    # ready yet); then the missed go out first, then the backlog, each seq exactly once.
    missed = await engine.deliveries_after(session_id, last_seq, None)
    connection.ready = True
    sent = all(connection.offer(delivery) for delivery in missed)
    if not (sent and connection.open_for_live()):
        raise TooSlow


async def _receive_forever(
    websocket: WebSocket,
    engine: SessionEngine,
    fanout: FanOut,
    session_id: int,
    connection: Connection,
) -> None:
    participant = connection.participant
    signals = SignalLimit()  # this connection's budget (sessions/flood.py)
    clock = asyncio.get_running_loop().time

    def reply(**fields: Any) -> None:
        fanout.reply(session_id, connection, _frame(**fields))

    while True:
        frame = await _receive(websocket)
        # A signal over the budget is dropped before it is decoded, where its start shows
        # what it is (as the browser writes it); other forms are counted once decoded.
        counted = looks_like_signal(frame)
        if counted and not signals.allow(clock()):
            if signals.flooding(clock()):
                fanout.close_flooding(session_id, connection)
                return
            continue
        try:
            message = c.decode(frame)
        except c.ProtocolError as error:
            reply(type="error", id=error.command_id, code=error.code, message=error.message)
            continue
        if isinstance(message, c.Hello):
            reply(type="error", id=None, code="already_greeted", message="hello comes once, first")
            continue
        if isinstance(message, c.Signal):
            if counted or signals.allow(clock()):
                fanout.signal(session_id, participant, message)
            elif signals.flooding(clock()):
                fanout.close_flooding(session_id, connection)
                return
            continue
        command: c.Command = message
        if not fanout.commands.allow(session_id, participant, clock()):
            fanout.commands_rate_limited += 1
            reply(
                type="error",
                id=command.id,
                code=RATE_LIMITED,
                message="too many commands at once; send it again in a moment",
            )
            continue

        def decided(state: Any, now: float, command: c.Command = command) -> list[ev.EventBody]:
            return decide(state, participant, command, now, _new_id)

        try:
            seqs = await engine.submit(session_id, participant, command.id, decided)
        except Refused as refused:
            reply(type="error", id=command.id, code=refused.code, message=refused.message)
            continue
        except Exception:
            reply(
                type="error",
                id=command.id,
                code="not_stored",
                message="the server could not store this; send it again",
            )
            continue
        reply(type="ack", id=command.id, seqs=seqs)


def _new_id() -> str:
    return secrets.token_urlsafe(6)


routes: list[BaseRoute] = [
    Route("/api/sessions", create, methods=["POST"]),
    Route("/api/sessions/{code}/join", join, methods=["POST"]),
    WebSocketRoute("/ws/sessions/{public_id}", session_socket),
]
