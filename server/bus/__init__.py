"""The pub/sub bus between the processes serving sessions; the backend is chosen by URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from server.bus.base import MAX_PAYLOAD_BYTES, QUEUE_SIZE, Bus, BusUnavailable, Subscription

__all__ = ["MAX_PAYLOAD_BYTES", "Bus", "BusUnavailable", "Subscription", "create_bus"]


def create_bus(url: str, database_url: str, *, queue_size: int = QUEUE_SIZE) -> Bus:
    """A bus for 'memory://' (one process) or 'postgres://…' (LISTEN/NOTIFY); not yet connected."""
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from server.bus.memory import MemoryBus

        return MemoryBus(queue_size=queue_size)
    if scheme in ("postgres", "postgresql"):
        # Imported only here, so the memory bus never needs asyncpg loaded.
        from server.bus.postgres import PostgresBus, listener_dsn

        return PostgresBus(listener_dsn(url, database_url), queue_size=queue_size)
    # Name only the scheme: the rest of a URL may hold a password.
    raise ValueError(
        f"bus URL scheme {scheme or '(none)'!r} is not supported; allowed: memory:// "
        "(one process) or postgres:// / postgresql://user@host/db (LISTEN/NOTIFY)"
    )
