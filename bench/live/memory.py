"""Memory per idle connection: werkplaats and the bare broadcast baseline."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from load import LoadGen
from processes import BaselineServer, WerkplaatsServer, rss_kib

from sessions.joins import MAX_PARTICIPANTS

# Memory per idle connection ----------------------------------------------------------------------


async def settle_rss(pid: int, seconds: float = 3.0) -> int:
    await asyncio.sleep(seconds)
    return rss_kib(pid)


async def memory_werkplaats(
    server: WerkplaatsServer, args: argparse.Namespace, resume_hello: bool
) -> dict[str, Any]:
    """RSS before and after `idle` joined participants connect (and say hello) and stay idle.
    With `resume_hello` they say they already have the current seq, so their welcome carries no
    state: what remains is the connection itself, without the transient welcome buffers."""
    # Warm up the code paths first (join, connect, welcome, close), so their one-time cost
    # (imports, caches) is not counted per connection.
    warm = await werkplaats_gen_idle(server, 20)
    await warm.close()
    created = await server.create_session(
        title="Geheugen", variant="intervisie", max_participants=MAX_PARTICIPANTS
    )
    before = await settle_rss(server.pid)
    gen = LoadGen(
        {
            "mode": "werkplaats",
            "http": server.url,
            "ws": server.url.replace("http", "ws"),
            "code": created["join_code"],
            "clients": args.idle,
            "senders": 0,
            "deflate": args.deflate,
            "resumeHello": resume_hello,
        },
        1,
    )
    try:
        await gen.start()
        joined = await settle_rss(server.pid)
        ready = await gen.connect()
        connected = await settle_rss(server.pid)
        assert sum(r["open"] for r in ready) == args.idle, ready
    finally:
        await gen.close()
    closed = await settle_rss(server.pid)
    return {
        "connections": args.idle,
        "rss_before_kib": before,
        "rss_joined_kib": joined,
        "rss_connected_kib": connected,
        "rss_closed_kib": closed,  # after they all closed again: what the process keeps
        "per_connection_kib": (connected - joined) / args.idle,
        "per_participant_kib": (connected - before) / args.idle,
    }


async def werkplaats_gen_idle(server: WerkplaatsServer, clients: int) -> LoadGen:
    created = await server.create_session(
        title="Opwarmen", variant="intervisie", max_participants=MAX_PARTICIPANTS
    )
    gen = LoadGen(
        {
            "mode": "werkplaats",
            "http": server.url,
            "ws": server.url.replace("http", "ws"),
            "code": created["join_code"],
            "clients": clients,
            "senders": 0,
        },
        1,
    )
    await gen.start()
    await gen.connect()
    return gen


async def memory_baseline(server: BaselineServer, args: argparse.Namespace) -> dict[str, Any]:
    warm = LoadGen({"mode": "baseline", "ws": server.ws, "clients": 20, "senders": 0}, 1)
    await warm.start()
    await warm.connect()
    await warm.close()
    before = await settle_rss(server.pid)
    gen = LoadGen({"mode": "baseline", "ws": server.ws, "clients": args.idle, "senders": 0}, 1)
    try:
        await gen.start()
        await gen.connect()
        connected = await settle_rss(server.pid)
    finally:
        await gen.close()
    return {
        "connections": args.idle,
        "rss_before_kib": before,
        "rss_connected_kib": connected,
        "per_connection_kib": (connected - before) / args.idle,
    }
