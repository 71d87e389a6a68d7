"""The baseline for bench/live/run.py: a bare python-websockets broadcast server.

Every text message any client sends is wrapped in the frame shape Werkplaats sends
(`{"type":"events","events":[{"seq":…,"actor":null,"at":…,"body":<the message>}]}`) and
broadcast to every connected client with `websockets.asyncio.server.broadcast`, which encodes
the frame once and writes it to each connection's transport without waiting. No validation, no
database, no acknowledgement, no per-connection queue: the least a broadcast server must do.

    python bench/live/baseline_server.py --port 8765 [--loop asyncio]

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


async def handler(websocket: ServerConnection) -> None:
    CONNECTIONS.add(websocket)
    try:
        async for message in websocket:
            if isinstance(message, bytes):
                continue
            frame = (
                f'{{"type":"events","events":[{{"seq":{next(SEQ)},"actor":null,'
                f'"at":{time.time()!r},"body":{message}}}]}}'
            )
            broadcast(CONNECTIONS, frame)
    finally:
        CONNECTIONS.discard(websocket)


async def main(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    # No keepalive pings (the load generator answers them, but they are not part of the load);
    # compression as the client offers it, like uvicorn (the load generator offers none).
    async with serve(handler, host, port, ping_interval=None, max_size=2**20) as server:
        print(f"baseline serves on ws://{host}:{port}", flush=True)
        await stop
        server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(main(args.host, args.port))
    else:
        asyncio.run(main(args.host, args.port))
