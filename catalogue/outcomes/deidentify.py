"""Dutch de-identification with deduce: where a text names a person, a phone number, an e-mail
address, a BSN, an address, a date, an age, an institution or a web address.

deduce (https://github.com/vmenger/deduce) builds lookup structures from its word lists the
first time it runs after an install (about 90 s) and keeps them in a cache in its package
directory; loading that cache still takes several seconds. So:
- `werkplaats migrate` and `scripts/install` call `build()`, so the cache exists before any
  server starts (the container image runs it while it is built);
- `werkplaats serve` calls `preload()` at start-up: the model loads in a thread, requests go
  on, and the first one that needs it waits only for what is left of the load;
- everything else calls `find()`, which loads the model once per process if nobody did.

The gate (catalogue/outcomes/gate.py) decides what to replace with what; this module only finds.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("werkplaats.catalogue")

# deduce's tags -> the kind the gate knows (catalogue.outcomes.gate.KINDS). A tag not listed here (a
# newer deduce may add one) counts as "other": still replaced, never undone by a facilitator.
_KINDS = {
    "persoon": "person",
    "patient": "person",
    "locatie": "place",
    "instelling": "institution",
    "ziekenhuis": "institution",
    "zorginstelling": "institution",
    "datum": "date",
    "leeftijd": "age",
    "telefoonnummer": "phone",
    "emailadres": "email",
    "url": "url",
    "bsn": "bsn",
    "id": "number",
}


@dataclass(frozen=True)
class Finding:
    """text[start:end] identifies someone as `kind` (a catalogue.outcomes.gate kind)."""

    start: int
    end: int
    kind: str


_model: Any = None
_lock = threading.Lock()  # one load
_use = threading.Lock()  # one text at a time: deduce does not promise to be thread-safe
_loading: threading.Thread | None = None


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            Deduce = _import_deduce()

            # The lookup cache is millions of small objects: the cyclic garbage collector
            # would walk them over and over while they load (about 10 times slower here), and
            # again at every full collection afterwards. So it pauses while they load, and
            # they are then moved out of its sight (gc.freeze).
            gc.disable()
            try:
                _model = Deduce()
            finally:
                gc.enable()
            gc.freeze()
            log.info("de-identification (deduce) ready")
        return _model


def _import_deduce() -> Any:
    """deduce's class, imported without what deduce does on import: it configures the root
    logger (`logging.basicConfig(stream=sys.stdout, level=logging.DEBUG)`), which would send
    every library's debug lines — database statements with their parameters — to stdout."""
    configure = logging.basicConfig
    logging.basicConfig = lambda *args, **kwargs: None
    try:
        from deduce import Deduce  # heavy: imported only when it is needed
    finally:
        logging.basicConfig = configure
    return Deduce


def build() -> None:
    """Build deduce's lookup cache if there is none (slow, once per install). With a cache this
    returns at once: loading it is left to `preload`/`find` (deduce checks it is not stale)."""
    if not _cache_file().exists():
        _load()


def _cache_file() -> Path:
    """Where deduce keeps its lookup cache (found without importing deduce)."""
    spec = importlib.util.find_spec("deduce")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("deduce is not installed: run scripts/install")
    return Path(spec.origin).parent / "data" / "lookup" / "cache" / "lookup_structs.pickle"


def preload() -> None:
    """Start loading the model in the background (idempotent)."""
    global _loading
    if _model is not None or _loading is not None:
        return
    _loading = threading.Thread(target=_load, name="deduce-preload", daemon=True)
    _loading.start()


def find(text: str) -> list[Finding]:
    """What deduce finds in `text`, left to right (overlaps already resolved by deduce)."""
    if not text.strip():
        return []
    model = _load()
    with _use:
        document = model.deidentify(text)
    findings = [
        Finding(a.start_char, a.end_char, _KINDS.get(a.tag.split("+")[0], _tag_kind(a.tag)))
        for a in document.annotations
    ]
    return sorted(findings, key=lambda f: (f.start, -f.end))


def _tag_kind(tag: str) -> str:
    # Composite person tags ("prefix+naam", "voornaam+achternaam", …) all name a person.
    person_parts = ("naam", "voornaam", "achternaam", "initiaal", "persoon", "prefix")
    return "person" if any(part in tag for part in person_parts) else "other"
