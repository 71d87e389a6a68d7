"""Live sessions: event types, the pure state fold, the event log, fan-out, presence, websocket."""

from sessions import models as _models  # noqa: F401  (register the tables with the metadata)
from sessions.groups import models as _group_models  # noqa: F401
from sessions.trends import models as _trend_models  # noqa: F401
