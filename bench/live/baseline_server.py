"""The baseline for bench/live/run.py: a bare python-websockets broadcast server.

Every text message any client sends is wrapped in the frame shape Werkplaats sends
(`{"type":"events","events":[{"seq":…,"actor":null,"at":…,"body":<the message>}]}`) and
broadcast to every connected client with `websockets.asyncio.server.broadcast`, which encodes
the frame once and writes it to each connection's transport without waiting. No validation, no
database, no acknowledgement, no per-connection queue: the least a broadcast server must do.

    python bench/live/baseline_server.py --port 8765 [--coalesce] [--loop asyncio]

With `--coalesce`, messages that arrive in the same turn of the event loop go out together in
one frame (`"events":[…, …]`), as Werkplaats's fan-out sends several events per frame when they
queue up: the same framing, still without anything else the app does.

It runs on uvloop by default, as `werkplaats serve` does (uvicorn picks uvloop when it is
installed), so the comparison is of the app, not of the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import time

from websockets.asyncio.server import ServerConnection, broadcast, serve

CONNECTIONS: set[ServerConnection] = set()
SEQ = itertools.count(1)


def event(message: str) -> str:
    return f'{{"seq":{next(SEQ)},"actor":null,"at":{time.time()!r},"body":{message}}}'


async def handler(websocket: ServerConnection) -> None:
    CONNECTIONS.add(websocket)
    try:
        async for message in websocket:
            if isinstance(message, str):
                broadcast(CONNECTIONS, '{"type":"events","events":[' + event(message) + "]}")
    finally:
        CONNECTIONS.discard(websocket)


PENDING: list[str] = []


def flush() -> None:
    frame = '{"type":"events","events":[' + ",".join(PENDING) + "]}"
    PENDING.clear()
    broadcast(CONNECTIONS, frame)


async def coalescing_handler(websocket: ServerConnection) -> None:
    CONNECTIONS.add(websocket)
    loop = asyncio.get_running_loop()
    try:
        async for message in websocket:
            if isinstance(message, str):
                if not PENDING:
                    loop.call_soon(flush)
                PENDING.append(event(message))
    finally:
        CONNECTIONS.discard(websocket)


async def main(host: str, port: int, coalesce: bool) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # No keepalive pings (the load generator answers them, but they are not part of the load);
    # compression as the client offers it, like uvicorn (the load generator offers none).
    chosen = coalescing_handler if coalesce else handler
    async with serve(chosen, host, port, ping_interval=None, max_size=2**20) as server:
        print(f"baseline serves on ws://{host}:{port}", flush=True)
        await stop
        server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--coalesce", action="store_true", help="several messages per frame")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(main(args.host, args.port, args.coalesce))
    else:
        asyncio.run(main(args.host, args.port, args.coalesce))
