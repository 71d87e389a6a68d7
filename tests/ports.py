"""Loopback ports for the servers the tests start (werkplaats serve, SMTP, nginx, PostgreSQL,
the OpenID provider).

A port is picked by binding to port 0 and closing the socket; the server binds it later, often
seconds later. In between, the kernel may hand the same port to another caller: each bind to
port 0 picks one of the ~14,000 odd ports of the ephemeral range at random (1 in 11,000 in a
measurement here), and with two xdist workers starting hundreds of servers a run, the other
worker's next pick lands on a port still waiting for its server about once in a thousand runs.
Then one server fails to start, or worse, the health check is answered by the other test's
server. So every port handed out is written down in a registry that all test processes on this
machine share (under a file lock), and none is handed out again while it is reserved.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import tempfile
import time
from pathlib import Path

# Long enough for any test's server to have bound its port (or the test to have ended).
RESERVED_SECONDS = 3600.0
# One registry per user: another user's files in /tmp would not be ours to write.
_REGISTRY = Path(tempfile.gettempdir()) / f"werkplaats-test-ports-{os.getuid()}.json"
_LOCK = _REGISTRY.with_suffix(".lock")


def _unbound_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read(path: Path) -> dict[str, float]:
    try:
        registry = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return registry if isinstance(registry, dict) else {}


def free_port() -> int:
    """A loopback port nothing listens on, handed to no other test process on this machine for
    the next hour."""
    with _LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        now = time.time()
        reserved = {port: until for port, until in _read(_REGISTRY).items() if until > now}
        for _ in range(1000):
            port = _unbound_port()
            if str(port) not in reserved:
                break
        reserved[str(port)] = now + RESERVED_SECONDS
        written = _REGISTRY.with_suffix(f".{os.getpid()}.tmp")
        written.write_text(json.dumps(reserved))
        written.replace(_REGISTRY)
        return port
