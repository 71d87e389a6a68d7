"""What live sessions report on /metrics, read from the fan-out and the engine when scraped.

Gauges are counted from the fan-out's own dicts at that moment, so they cannot drift; counters are
plain integers the fan-out and engine keep (an increment on their paths, nothing more).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.applications import Starlette

from sessions.engine import SessionEngine
from sessions.fanout import FanOut


class SessionsCollector(Collector):
    """This process's websocket connections, live sessions, events and slow clients."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        # None until the lifespan has started the machinery: every value is then 0.
        fanout: FanOut | None = getattr(self.app.state, "session_fanout", None)
        engine: SessionEngine | None = getattr(self.app.state, "session_engine", None)
        connections = fanout.connections if fanout is not None else {}
        yield GaugeMetricFamily(
            "werkplaats_websocket_connections",
            "Open websocket connections of this process whose hello was accepted.",
            value=sum(len(open_here) for open_here in connections.values()),
        )
        yield GaugeMetricFamily(
            "werkplaats_live_sessions",
            "Sessions with at least one websocket connection to this process.",
            value=len(connections),
        )
        yield CounterMetricFamily(
            "werkplaats_events_appended",
            "Session events this process committed to the log.",
            value=engine.events_appended if engine is not None else 0,
        )
        yield CounterMetricFamily(
            "werkplaats_events_delivered",
            "Session events this process queued for sending, counted once per connection.",
            value=fanout.events_delivered() if fanout is not None else 0,
        )
        yield CounterMetricFamily(
            "werkplaats_slow_clients_dropped",
            "Websocket connections closed because they could not keep up (code 4008).",
            value=fanout.slow_clients_dropped if fanout is not None else 0,
        )
        yield CounterMetricFamily(
            "werkplaats_flooding_clients_closed",
            "Websocket connections closed for sending signals far beyond their budget (1008).",
            value=fanout.flooding_clients_closed if fanout is not None else 0,
        )
        yield CounterMetricFamily(
            "werkplaats_commands_rate_limited",
            "Commands refused with rate_limited: one participant sent more than their budget.",
            value=fanout.commands_rate_limited if fanout is not None else 0,
        )
        yield CounterMetricFamily(
            "werkplaats_bus_reconnects",
            "Times the bus between processes lost its connection and made it again.",
            value=fanout.bus.reconnects if fanout is not None else 0,
        )
        if engine is not None:
            yield from engine.database_seconds.collect()


def collector(app: Starlette) -> Collector:
    """The collector of an app's live-session metrics (registered by server/app.py)."""
    return SessionsCollector(app)
