"""The tests' loopback ports (tests/ports.py): a port handed out is not handed out again while
its server may still be starting, whichever test process asks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests import ports


def test_a_reserved_port_is_not_handed_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ports, "_REGISTRY", tmp_path / "ports.json")
    monkeypatch.setattr(ports, "_LOCK", tmp_path / "ports.lock")
    # What the kernel's port-0 binds gave: the same port twice, as it now and then does.
    kernel = iter([40001, 40001, 40003])
    monkeypatch.setattr(ports, "_unbound_port", lambda: next(kernel))
    assert ports.free_port() == 40001
    assert ports.free_port() == 40003


def test_a_port_from_the_registry_is_free() -> None:
    port = ports.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
