"""The sharing gate: the only way a text of an outcome leaves its group.

Every text that is shown beyond the group — titles, summary, insights, actions, products (text
and links), knowledge questions, notes, clusters, takeaways, chart labels — passes `Gate.text`:

1. the session's participants become their pseudonyms ("Deelnemer A"), however their names are
   written (any case, spacing, hyphenation, slug form; also inside web addresses;
   catalogue/outcomes/name_matcher.py);
2. words the facilitator marked to hide become "[verborgen]";
3. everyone and everything else deduce recognises (catalogue/outcomes/deidentify.py) becomes a
bracketed
   kind in plain Dutch: "[persoon]", "[telefoonnummer]", "[e-mailadres]", "[bsn]", …;
4. except the replacements the facilitator undid: only places and institutions (a town, a
   municipality, a care organisation may be named), never a person, never a participant.

`gate_document` applies it to a whole outcome once, when the outcome is saved; the result is
stored (`OutcomeRow.gated`) and is what every shared page, search index, API answer and export
reads, through `Gated` (catalogue.outcomes.sharing.shared_version refuses anything else beyond the
group). Pure except for deduce's model, which is loaded once per process.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from catalogue.outcomes import deidentify
from catalogue.outcomes.name_matcher import NameMatcher, fold

VERSION = 1  # raise when the gate changes what it replaces: `werkplaats migrate` gates again

# What each kind of replacement says, in plain Dutch (B1).
LABELS = {
    "person": "[persoon]",
    "phone": "[telefoonnummer]",
    "email": "[e-mailadres]",
    "bsn": "[bsn]",
    "place": "[plaats]",
    "institution": "[organisatie]",
    "date": "[datum]",
    "age": "[leeftijd]",
    "url": "[link]",
    "number": "[nummer]",
    "hidden": "[verborgen]",
    "other": "[gegevens]",
}
# How the facilitator's review shows a participant: the letter depends on the sharing level.
PARTICIPANT = "Deelnemer …"
# Replacements a facilitator may undo: not a person, not a way to reach or identify one.
UNDOABLE = frozenset({"place", "institution"})
MAX_HIDE = 50  # words the facilitator may mark to hide
MAX_HIDE_WORD = 80

# Fields of the captured session (sessions/capture.py) whose values are ids or fixed words,
# never text: the gate leaves them as they are.
_ID_KEYS = frozenset(
    {"id", "by", "group", "kind", "order", "passed", "participant", "note", "cluster", "anonymous"}
)


@dataclass(frozen=True)
class Review:
    """The facilitator's choices: words to hide as well, replacements to undo (their original
    text, folded; honoured only for kinds in UNDOABLE)."""

    hide: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> Review:
        stored = stored or {}
        hide = tuple(str(w) for w in stored.get("hide") or () if str(w).strip())
        keep = tuple(str(w) for w in stored.get("keep") or () if str(w).strip())
        return cls(hide, keep)

    def stored(self) -> dict[str, list[str]]:
        return {"hide": list(self.hide), "keep": list(self.keep)}


@dataclass(frozen=True)
class Mark:
    """One replacement: `original` (text[start:end] of the input) became `replacement`."""

    start: int
    end: int
    kind: str  # "participant" or a key of LABELS
    original: str
    replacement: str
    undone: bool = False  # the facilitator undid it: the original stays

    @property
    def undoable(self) -> bool:
        return self.kind in UNDOABLE


class Gated(dict[str, Any]):
    """An outcome document whose texts passed the gate. Only this module makes one."""


def pseudonyms(
    names: Mapping[str, str], document: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Participant id -> "Deelnemer A", "B", …: in the order they joined (the order of `names`),
    then authors the names do not know, in the order they appear in the capture."""
    from catalogue.outcomes.sharing import pseudonym

    order = [participant for participant in names if "~" not in participant]
    for author in _authors((document or {}).get("captured")):
        if author not in order:
            order.append(author)
    return {participant: pseudonym(i) for i, participant in enumerate(order)}


def _authors(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "by" and isinstance(item, str):
                yield item
            elif key == "order" and isinstance(item, list):
                yield from (x for x in item if isinstance(x, str))
            else:
                yield from _authors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _authors(item)


class Gate:
    """The gate for one outcome: its participants' names (participant id -> display name, and
    earlier names under "{id}~{n}"), their pseudonyms, and the facilitator's review."""

    def __init__(
        self,
        names: Mapping[str, str],
        labels: Mapping[str, str],
        review: Review = Review(),
        find: Callable[[str], list[deidentify.Finding]] = deidentify.find,
        mentions: bool = False,
    ) -> None:
        self.labels = dict(labels)
        # With `mentions`, a participant becomes a mention (see `mention`) that each shared
        # version turns into the pseudonym it gives that participant; without, the pseudonym.
        self.mentions = mentions
        # Earlier names of a participant (before a rename) come as "{id}~{n}" keys.
        self.participants = NameMatcher(
            (
                (pid.split("~")[0], name)
                for pid, name in names.items()
                if pid.split("~")[0] in labels
            ),
            parts=True,
        )
        self.hidden = NameMatcher(((w, w) for w in review.hide[:MAX_HIDE]), parts=False)
        self.keep = frozenset(fold(" ".join(w.split())) for w in review.keep)
        self.find = find

    def marks(self, text: str) -> list[Mark]:
        """Every replacement in `text`, left to right, none overlapping."""
        if not text:
            return []
        found: list[Mark] = []
        for match in self.participants.find(text):
            label = mention(str(match.key)) if self.mentions else self.labels[str(match.key)]
            found.append(_mark(text, match.start, match.end, "participant", label))
        for match in self.hidden.find(text):
            if not _overlapping(found, match.start, match.end):
                found.append(_mark(text, match.start, match.end, "hidden", LABELS["hidden"]))
        for finding in self.find(text):
            kind = finding.kind if finding.kind in LABELS else "other"
            start, end = finding.start, finding.end
            overlapped = _overlapping(found, start, end)
            if overlapped:
                if all(m.start <= start and end <= m.end for m in overlapped):
                    continue  # already replaced as a participant or a hidden word
                # "mevrouw Anneke Jansen" where "Anneke" is a participant: the whole person
                # goes, not only the part that is a participant's name.
                found = [m for m in found if m not in overlapped]
                start = min(start, *(m.start for m in overlapped))
                end = max(end, *(m.end for m in overlapped))
                kind = "person"
            original = text[start:end]
            undone = kind in UNDOABLE and fold(" ".join(original.split())) in self.keep
            found.append(_mark(text, start, end, kind, LABELS[kind], undone))
        return sorted(found, key=lambda m: m.start)

    def text(self, value: Any) -> str:
        """The text as it may leave the group."""
        text = "" if value is None else str(value)
        return apply(text, self.marks(text))

    def url(self, value: Any) -> str | None:
        """A product's link as it may leave the group: None when it spells a participant's name
        or anything deduce finds in its words (a link cannot be half replaced)."""
        if not value:
            return None
        url = str(value)
        parts = urlsplit(url)
        words = unquote(f"{parts.path} {parts.query} {parts.fragment}")
        if self.participants.find(url) or self.participants.find(words):
            return None
        if self.hidden.find(words):
            return None
        # deduce reads words, not slugs: "verslagen/henk-de-vries" as "Verslagen Henk De Vries".
        spaced = " ".join(w.capitalize() for w in _slug_words(words))
        if any(f.kind not in UNDOABLE | {"url"} for f in self.find(spaced)):
            return None
        return url


def _slug_words(text: str) -> list[str]:
    return _LETTERS.findall(text)


# A participant named in a gated text, until a shared version names them: pseudonyms are given
# per sharing level, in the order people appear among the contributions that level keeps (so a
# gap in the letters never hints at who was left out).
_MENTION = re.compile(r"\u27e6deelnemer:([^\u27e7\s]{1,64})\u27e7")


def mention(participant: str) -> str:
    return f"\u27e6deelnemer:{participant}\u27e7"


def resolve(text: str, label: Callable[[str], str | None]) -> str:
    """A gated text with each participant's mention replaced by `label(participant)`."""
    if "\u27e6" not in text:
        return text
    return _MENTION.sub(lambda m: label(m.group(1)) or LABELS["person"], text)


def plain(gated: Mapping[str, Any], text: str) -> str:
    """A gated text on its own (a knowledge question on the region's agenda, a title in a
    list): participants by the pseudonyms the gate gave them for the whole outcome."""
    labels = gated.get("pseudonyms") or {}
    return resolve(text, lambda p: labels.get(p) if isinstance(labels, Mapping) else None)


def title_of(gated: Mapping[str, Any] | None) -> str | None:
    """An outcome's title as a list shows it beyond the group (from `OutcomeRow.gated`); None
    when the outcome was never gated."""
    title = (gated or {}).get("title")
    return plain(gated or {}, title) if isinstance(title, str) else None


def _mark(text: str, start: int, end: int, kind: str, label: str, undone: bool = False) -> Mark:
    return Mark(start, end, kind, text[start:end], label, undone)


def _overlapping(marks: list[Mark], start: int, end: int) -> list[Mark]:
    return [m for m in marks if m.start < end and start < m.end]


def apply(text: str, marks: Iterable[Mark]) -> str:
    out, last = [], 0
    for mark in marks:
        out.append(text[last : mark.start])
        out.append(mark.original if mark.undone else mark.replacement)
        last = mark.end
    out.append(text[last:])
    return "".join(out)


def segments(text: str, marks: Iterable[Mark]) -> list[tuple[str, Mark | None]]:
    """The text in pieces for the facilitator's review: plain text, and each mark."""
    pieces: list[tuple[str, Mark | None]] = []
    last = 0
    for mark in marks:
        if mark.start > last:
            pieces.append((text[last : mark.start], None))
        pieces.append((mark.original if mark.undone else mark.replacement, mark))
        last = mark.end
    if last < len(text):
        pieces.append((text[last:], None))
    return pieces


_LETTERS = re.compile(r"[^\W\d_]{2,}")

# The fields of an outcome document that are text (everything in "captured" is walked).
TEXT_FIELDS = ("title", "summary", "insights", "actions")


def gate_document(
    document: Mapping[str, Any], names: Mapping[str, str], review: Review = Review()
) -> Gated:
    """The outcome document with every text through the gate, ids untouched, and the
    pseudonyms it used (`"pseudonyms"`: participant id -> label)."""
    labels = pseudonyms(names, document)
    gate = Gate(names, labels, review, mentions=True)
    gated = Gated(copy.deepcopy(dict(document)))
    for field in TEXT_FIELDS:
        gated[field] = gate.text(document.get(field))
    gated["products"] = [
        {
            "title": gate.text(p.get("title")),
            "text": gate.text(p.get("text")),
            "url": gate.url(p.get("url")),
        }
        for p in document.get("products") or ()
        if isinstance(p, Mapping)
    ]
    gated["questions"] = [gate.text(q) for q in document.get("questions") or ()]
    gated["captured"] = _walk(document.get("captured") or {}, gate)
    gated["pseudonyms"] = labels
    gated["gate"] = VERSION
    return gated


def _walk(value: Any, gate: Gate, key: str | None = None) -> Any:
    if key in _ID_KEYS:
        return copy.deepcopy(value)
    if isinstance(value, str):
        return gate.text(value)
    if isinstance(value, Mapping):
        return {k: _walk(v, gate, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, gate, key) for v in value]
    return value


def stored(gated: Mapping[str, Any] | None, **current: Any) -> Gated | None:
    """The gated version kept with an outcome (`OutcomeRow.gated`), with what may change after
    it was made (`current`: consents, ratings, and the outcome's facts); None when the outcome
    was never gated (it is then shown to its group only)."""
    if not gated or gated.get("gate") is None:
        return None
    result = Gated(gated)
    result.update(current)
    return result


@contextlib.asynccontextmanager
async def ready(app: Any) -> AsyncIterator[None]:
    """While the app serves: load deduce's model in the background when it starts
    (`WERKPLAATS_DEIDENTIFY_PRELOAD`, on by default), so no request waits for all of it."""
    if getattr(app.state.settings, "deidentify_preload", True):
        deidentify.preload()
    yield


@dataclass(frozen=True)
class ReviewItem:
    """One text with at least one replacement, for the facilitator's review: where it comes
    from (a field name, or the kind of contribution), and the text in pieces."""

    where: str
    pieces: list[tuple[str, Mark | None]]


def review_items(
    document: Mapping[str, Any], names: Mapping[str, str], review: Review = Review()
) -> list[ReviewItem]:
    """Every text of the outcome that the gate changes, in the order the outcome shows them."""
    gate = Gate(names, pseudonyms(names, document), review)
    items: list[ReviewItem] = []

    def add(where: str, value: Any) -> None:
        text = "" if value is None else str(value)
        marks = [
            # Each shared version gives participants its own letters (catalogue.outcomes.sharing):
            # the review shows that a participant goes, not which letter they will get.
            dataclasses.replace(m, replacement=PARTICIPANT) if m.kind == "participant" else m
            for m in gate.marks(text)
        ]
        if marks:
            items.append(ReviewItem(where, segments(text, marks)))

    for field in TEXT_FIELDS:
        add(field, document.get(field))
    for product in document.get("products") or ():
        if isinstance(product, Mapping):
            add("product", product.get("title"))
            add("product", product.get("text"))
            if product.get("url") and gate.url(product.get("url")) is None:
                url = str(product["url"])
                mark = Mark(0, len(url), "url", url, LABELS["url"])
                items.append(ReviewItem("product-link", [(mark.replacement, mark)]))
    for question in document.get("questions") or ():
        add("question", question)
    _review_captured(document.get("captured") or {}, add)
    return items


def _review_captured(value: Any, add: Callable[[str, Any], None], where: str = "") -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key in _ID_KEYS:
                continue
            if isinstance(item, str):
                place = where if key == "text" else str(key)
                add(_WHERE.get(place, place), item)
            else:
                _review_captured(item, add, str(key))
    elif isinstance(value, list):
        for item in value:
            _review_captured(item, add, where)


# Where a captured text comes from, as the review names it (keys of the capture).
_WHERE = {"notes": "note", "unclustered": "note", "takeaways": "takeaway", "title": "cluster"}
