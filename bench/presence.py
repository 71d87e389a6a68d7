"""What presence costs when many people connect: frames and bytes the fan-out queues for everyone.

One process's fan-out and presence (sessions/fanout.py, sessions/presence.py), wired as
sessions/runtime.py wires them, on an in-memory bus with their real throttles, takes
`--connects` connections at `--rate` a second. Every connection's queue is read as a client
reads it; presence frames are counted and their bytes summed. For comparison, each frame is
also priced as the whole list it stands for (what every presence frame carried before issue
14): the same flushes, each with everyone online in it.

    .venv/bin/python bench/presence.py                     # 1,000 connects at 100 a second
    .venv/bin/python bench/presence.py --connects 2000 --rate 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from server.bus.memory import MemoryBus
from sessions.engine import SessionEngine
from sessions.fanout import Connection
from sessions.runtime import assemble


class _Socket:
    async def send_text(self, text: str) -> None:
        pass

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


class _Reader:
    """Reads one connection's queue as a client would, folding its presence frames."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.online: set[str] = set()
        self.frames = 0
        self.bytes = 0
        self.whole_bytes = 0  # the same frames, each as the whole list

    def read(self) -> None:
        queue = self.connection.queue
        while not queue.empty():
            events, data = queue.get_nowait()
            if events:
                continue
            message = json.loads(data)
            if message["type"] != "presence":
                continue
            if "online" in message:
                self.online = set(message["online"])
            else:
                self.online.update(message["joined"])
                self.online.difference_update(message["left"])
            self.frames += 1
            self.bytes += len(data)
            whole = json.dumps({"type": "presence", "online": sorted(self.online)})
            self.whole_bytes += len(whole.replace(" ", ""))


async def run(connects: int, rate: float) -> dict[str, float]:
    bus = MemoryBus()
    await bus.connect()
    live = assemble(SessionEngine(None), bus)  # type: ignore[arg-type]
    readers: list[_Reader] = []
    started = time.monotonic()
    try:
        for n in range(connects):
            connection = Connection(_Socket(), f"p{n:012d}")  # type: ignore[arg-type]
            live.fanout.add(1, connection)
            live.presence.greet(1, connection)
            readers.append(_Reader(connection))
            due = started + (n + 1) / rate
            while time.monotonic() < due:
                for reader in readers:
                    reader.read()
                await asyncio.sleep(min(0.01, max(0.0, due - time.monotonic())))
        everyone = {reader.connection.participant for reader in readers}
        while any(reader.online != everyone for reader in readers):  # the last flushes
            await asyncio.sleep(0.05)
            for reader in readers:
                reader.read()
    finally:
        await live.close()
        await bus.disconnect()
    return {
        "connects": connects,
        "rate": rate,
        "seconds": round(time.monotonic() - started, 1),
        "frames": sum(r.frames for r in readers),
        "bytes": sum(r.bytes for r in readers),
        "whole_list_bytes": sum(r.whole_bytes for r in readers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connects", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=100.0, help="connects a second")
    args = parser.parse_args()
    result = asyncio.run(run(args.connects, args.rate))
    mib = 1024 * 1024
    print(
        f"{result['connects']:,} connects at {result['rate']:g}/s in {result['seconds']} s: "
        f"{result['frames']:,} presence frames, {result['bytes'] / mib:.2f} MiB "
        f"(as whole lists: {result['whole_list_bytes'] / mib:.2f} MiB)"
    )


if __name__ == "__main__":
    main()
