"""/metrics in the Prometheus text format, for the addresses in WERKPLAATS_METRICS_FROM only.

Each app has its own registry: this process's CPU, memory and file descriptors, and what the
domains report (domain_collectors in server/app.py), read when scraped. Each `werkplaats serve`
process is scraped on its own port; see docs/operations.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.registry import Collector
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from server.settings import Network

CollectorFactory = Callable[[Starlette], Collector]


def create_registry(app: Starlette, domain_collectors: Iterable[CollectorFactory]) -> None:
    """Give the app its registry: the process's own metrics and the domains' collectors."""
    registry = CollectorRegistry()
    # The process, platform and garbage-collector metrics read this process whichever app
    # asks, so one shared instance of each serves every registry.
    for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        registry.register(collector)
    for factory in domain_collectors:
        registry.register(factory(app))
    app.state.metrics = registry


def client_allowed(host: str | None, networks: Iterable[Network]) -> bool:
    """Whether a client address (as uvicorn gives it, behind a proxy the forwarded one) is in
    one of the networks; anything that is not an IP address is not."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # an IPv4 client of a dual-stack socket
    return any(address in network for network in networks)


async def metrics(request: Request) -> Response:
    client = request.client.host if request.client else None
    if not client_allowed(client, request.app.state.settings.metrics_from):
        raise HTTPException(404)  # the page any unknown address gets: nothing to see here
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)


routes: list[BaseRoute] = [Route("/metrics", metrics, name="metrics")]
