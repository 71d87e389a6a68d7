"""Logs of `werkplaats serve`: readable text, or one JSON object a line for a log collector.

Nothing logged names a person or carries what they wrote: the access log has the method, the
route's template (`/s/{public_id}`, never the path itself: paths hold join codes and ids, query
strings hold search terms), the status and the duration; no client address, no user agent.
uvicorn's own access log, which has all of those, is switched off. See docs/operations.md.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.settings import Settings

access_log = logging.getLogger("werkplaats.access")

# Attributes every LogRecord has; the others were passed as `extra` and are structured fields.
_RECORD_ATTRIBUTES = frozenset(
    [*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime"]
)
# Fields that only repeat the message (uvicorn's coloured copy of it).
_LEFT_OUT = frozenset(["color_message"])
_NO_ROUTE = "(no route)"


def _without_details(text: str) -> str:
    """An exception's text without PostgreSQL's DETAIL lines, which quote the values of a row
    (`Key (email)=(…) already exists`); statement parameters are hidden by the engine."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("DETAIL:"))


class TextFormatter(logging.Formatter):
    """`time level logger: message`, for people reading a terminal or the journal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def formatException(self, ei: Any) -> str:
        return _without_details(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in _LEFT_OUT:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:
        return _without_details(super().formatException(ei))


class WithoutClientLines(logging.Filter):
    """Drops uvicorn's websocket lines, which carry the client's address and the raw path
    (AccessLogMiddleware logs every websocket without them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith('%s - "WebSocket '))


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """The `log_config` for uvicorn.run: werkplaats.*, uvicorn and the root logger on stderr,
    as text or JSON (settings.log_format); uvicorn's access log off (ours replaces it)."""
    if settings.log_format == "json":
        formatter = {"()": "server.logs.JsonFormatter"}
    else:
        formatter = {"()": "server.logs.TextFormatter"}
    # Only strings in here: with --workers the config is pickled for every worker process.
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "filters": {"without_client_lines": {"()": "server.logs.WithoutClientLines"}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["without_client_lines"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": "WARNING"},
        "loggers": {
            "werkplaats": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            # No handler: uvicorn then writes no access lines (client address, raw path).
            "uvicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
        },
    }


def route_template(scope: Scope) -> str:
    """The template of the route a request went (or would have gone) to, never its path."""
    route = scope.get("route")
    if route is None:  # answered before routing (a CSRF refusal, say): find what matches
        app = scope.get("app")
        for candidate in getattr(getattr(app, "router", None), "routes", ()):
            match, _child = candidate.matches(scope)
            if match is not Match.NONE:
                route = candidate
                break
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return _NO_ROUTE
    return f"{path}/{{path}}" if isinstance(route, Mount) else path


def _status(message: Message) -> int:
    """The status a response's first message gives (101: a websocket accepted)."""
    kind = message["type"]
    if kind in ("http.response.start", "websocket.http.response.start"):
        return int(message["status"])
    if kind == "websocket.accept":
        return 101
    if kind == "websocket.close":
        return 403  # closed before accepting: the handshake was refused
    return 0


class AccessLogMiddleware:
    """One line per request or websocket: method, route template, status, duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if not status:  # only the first message says it; a websocket's frames pass by
                status = _status(message)
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except BaseException:
            status = status or 500
            raise
        finally:
            method = scope.get("method", "WEBSOCKET")
            path = route_template(scope)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            access_log.info(
                "%s %s %s %.1f ms",
                method,
                path,
                status,
                duration_ms,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
