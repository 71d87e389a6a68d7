"""The bus inside one process: publishing hands the payload straight to the subscribers."""

from __future__ import annotations

from server.bus.base import Bus


class MemoryBus(Bus):
    """One process only; the embedded default."""

    async def _connect(self) -> None:
        pass

    async def _disconnect(self) -> None:
        pass

    async def _publish(self, channel: str, payload: str) -> None:
        self._deliver(channel, payload)

    async def _listen(self, channel: str) -> None:
        pass

    async def _unlisten(self, channel: str) -> None:
        pass
