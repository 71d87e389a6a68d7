"""What an outcome looks like at a sharing level: pseudonyms, consent, no display names.

Pure: no I/O. `shared_version` builds the version of an outcome that a sharing level may see.
At "group" it reads the outcome as composed, with display names. Beyond the group it reads
only the outcome's gated version (catalogue/outcomes/gate.py: every text through the sharing gate)
and refuses anything else, so no text can leave the group without passing the gate; it then keeps
only the contributions whose authors consented to the level. Nothing is copied through unread:
the result holds only the fields built here, so a field added to the capture later cannot leak
a name by accident. docs/outcomes.md and docs/privacy.md explain the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from catalogue.outcomes.gate import Gated, resolve
from catalogue.outcomes.models import CONSENT_LEVELS, SHARING_LEVELS
from catalogue.vocabulary import MODALITIES

PSEUDONYM = "Deelnemer"


def consent_allows(consent: str | None, level: str) -> bool:
    """Whether a participant with this consent may be shared at this level.

    Everyone is seen at "group"; consent level L allows every level up to L beyond it. An
    unknown or missing consent counts as "no".
    """
    if level == "group":
        return True
    if consent not in CONSENT_LEVELS:
        return False
    return CONSENT_LEVELS.index(consent) >= SHARING_LEVELS.index(level)


def allowed_levels(consents: Mapping[str, str]) -> list[str]:
    """The levels an outcome with these consents may be shared at: "group", and each wider
    level at least one participant consented to (wider than anyone's consent is refused)."""
    return [
        level
        for level in SHARING_LEVELS
        if level == "group" or any(consent_allows(c, level) for c in consents.values())
    ]


def pseudonym(index: int) -> str:
    """ "Deelnemer A" for 0, … "Deelnemer Z", then "Deelnemer AA", …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{PSEUDONYM} {letters}"


@dataclass(frozen=True)
class LevelSummary:
    """How much of an outcome's contributions a level keeps, and whether it may be chosen."""

    level: str
    kept: int
    left_out: int
    allowed: bool
    # The region level of a session that belongs to no region: nobody but coordinators would
    # read it there, so it is not offered.
    no_region: bool = False


def level_summary(outcome: Mapping[str, Any]) -> list[LevelSummary]:
    """For the compose form: per sharing level, the contributions it keeps and leaves out (only
    counts: no text of this leaves the group)."""
    consents = _consents(outcome)
    allowed = allowed_levels(consents)
    regionless = not outcome.get("region")
    summary = []
    for level in SHARING_LEVELS:
        version = _version(outcome, level, {}, level != "group")
        no_region = level == "region" and regionless
        summary.append(
            LevelSummary(
                level,
                version["kept"],
                version["left_out"],
                level in allowed and not no_region,
                no_region,
            )
        )
    return summary


def shared_version(
    outcome: Mapping[str, Any], level: str, names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The outcome as seen at `level`.

    `outcome`: title, summary, insights, actions, products, questions, captured, consents,
    ratings (goal -> {raters, mean} or (raters, mean)), and optionally goals, variant, region,
    theme, held_on, modality, group_size (where the session was held). At "group" it is the
    outcome as composed, and `names` (participant id -> display name) name the authors. Beyond
    the group it must be the outcome's gated version (catalogue.outcomes.gate.Gated: its texts
    through the sharing gate, with the pseudonyms the gate used); `names` are not used there.
    """
    if level not in SHARING_LEVELS:
        raise ValueError(f"unknown sharing level {level!r}; known: {', '.join(SHARING_LEVELS)}")
    wide = level != "group"
    if wide and not isinstance(outcome, Gated):
        raise TypeError("beyond the group, an outcome is shown only through the sharing gate")
    return _version(outcome, level, names or {}, wide)


def _version(
    outcome: Mapping[str, Any], level: str, names: Mapping[str, str], wide: bool
) -> dict[str, Any]:
    builder = _Builder(level, _consents(outcome), names, wide)
    captured = outcome.get("captured") or {}
    clusters = []
    for cluster in _dicts(captured.get("clusters")):
        notes = [n for n in map(builder.note, _dicts(cluster.get("notes"))) if n is not None]
        if wide and not notes:
            continue  # its title sums up what was left out
        clusters.append(
            {
                "title": builder.text(cluster.get("title")),
                "votes": _int(cluster.get("votes")),
                "notes": notes,
            }
        )
    unclustered = [n for n in map(builder.note, _dicts(captured.get("unclustered"))) if n]
    round_ = builder.round(captured.get("round"))
    chart = builder.chart(captured.get("chart"))
    takeaways = builder.takeaways(captured.get("takeaways"))
    version = {
        "level": level,
        "title": builder.text(outcome.get("title")),
        "variant": _str_or_none(outcome.get("variant")),
        "region": _str_or_none(outcome.get("region")),
        "theme": _str_or_none(outcome.get("theme")),
        "goals": [str(goal) for goal in outcome.get("goals") or ()],
        "held_on": _str_or_none(outcome.get("held_on")),
        "modality": _modality(outcome.get("modality")),
        "group_size": _count_or_none(outcome.get("group_size")),
        "summary": builder.text(outcome.get("summary")),
        "insights": builder.text(outcome.get("insights")),
        "actions": builder.text(outcome.get("actions")),
        "products": [builder.product(p) for p in _dicts(outcome.get("products"))],
        "questions": [builder.text(q) for q in outcome.get("questions") or () if str(q).strip()],
        "clusters": clusters,
        "unclustered": unclustered,
        "round": round_,
        "chart": chart,
        "attendance": _attendance(captured.get("attendance")),
        "ratings": _ratings(outcome.get("ratings")),
        "takeaways": takeaways,
        "kept": builder.kept,
        "left_out": builder.left_out,
    }
    return builder.named(version) if wide else version


class _Builder:
    """Decides, contribution by contribution, what a level keeps and how it names authors."""

    def __init__(
        self,
        level: str,
        consents: Mapping[str, str],
        names: Mapping[str, str],
        wide: bool,
    ):
        self.level = level
        self.consents = consents
        self.names = names
        self.wide = wide
        self.labels: dict[str, str] = {}
        self.kept = 0
        self.left_out = 0

    def keeps(self, author: Any) -> bool:
        """Count one contribution of `author` as kept or left out; whether it is kept."""
        if not self.wide:
            kept = True
        else:
            kept = isinstance(author, str) and consent_allows(self.consents.get(author), self.level)
        if kept:
            self.kept += 1
        else:
            self.left_out += 1
        return kept

    def label(self, author: Any) -> str | None:
        """How an attributed contribution names its author: the display name at "group" (where
        known), otherwise a pseudonym in order of first appearance."""
        if not isinstance(author, str):
            return None
        if author not in self.labels:
            self.labels[author] = pseudonym(len(self.labels))
        if not self.wide and self.names.get(author, "").strip():
            return self.names[author]
        return self.labels[author]

    def text(self, value: Any) -> str:
        # Beyond the group the texts are the gated ones (shared_version checks); participants
        # named in them get this level's pseudonyms once every author has one (`named`).
        return "" if value is None else str(value)

    def named(self, value: Any) -> Any:
        """`value` with every participant named in its texts given this level's pseudonym: the
        authors of what is kept first (A, B, … without gaps), then the others named."""
        if isinstance(value, str):
            return resolve(value, self.label)
        if isinstance(value, dict):
            return {key: self.named(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.named(item) for item in value]
        return value

    def note(self, note: Mapping[str, Any]) -> dict[str, Any] | None:
        author = note.get("by")
        if not self.keeps(author):
            return None
        anonymous = bool(note.get("anonymous"))
        return {
            "text": self.text(note.get("text")),
            "votes": _int(note.get("votes")),
            "author": None if anonymous else self.label(author),
        }

    def product(self, product: Mapping[str, Any]) -> dict[str, Any]:
        url = _str_or_none(product.get("url"))  # the gate left out a link that names someone
        return {
            "title": self.text(product.get("title")),
            "text": self.text(product.get("text")),
            "url": url,
        }

    def round(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, Mapping):
            return []
        passed = {p for p in value.get("passed") or () if isinstance(p, str)}
        turns = []
        for who in value.get("order") or ():
            if self.keeps(who):
                turns.append({"who": self.label(who), "passed": who in passed})
        return turns

    def chart(self, value: Any) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            return None
        markers = []
        for marker in _dicts(value.get("markers")):
            # Markers are shown without owners. Where the capture knows the owner ("by"), the
            # owner's consent decides whether it is kept beyond the group. A marker of an unknown
            # owner is no contribution anyone can be counted for: the group sees it, wider
            # levels see only the aggregate.
            kept = {
                "kind": str(marker.get("kind")),
                "x": _unit(marker.get("x")),
                "y": _unit(marker.get("y")),
            }
            if "by" not in marker:
                if not self.wide:
                    markers.append(kept)
            elif self.keeps(marker.get("by")):
                markers.append(kept)
        return {
            **{axis: self.text(value.get(axis)) for axis in ("x_low", "x_high", "y_low", "y_high")},
            "now": _aggregate(value.get("now")),
            "desired": _aggregate(value.get("desired")),
            "markers": markers,
        }

    def takeaways(self, value: Any) -> list[str]:
        # Harvest answers are anonymous even to the group: never attributed.
        return [self.text(t.get("text")) for t in _dicts(value) if self.keeps(t.get("by"))]


def _consents(outcome: Mapping[str, Any]) -> dict[str, str]:
    consents = outcome.get("consents") or {}
    return {str(k): str(v) for k, v in consents.items()} if isinstance(consents, Mapping) else {}


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list | tuple):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _unit(value: Any) -> float:
    number = _number(value)
    return min(max(number, 0.0), 1.0) if number is not None else 0.5


def _str_or_none(value: Any) -> str | None:
    return str(value) if value is not None and str(value) else None


def _modality(value: Any) -> str | None:
    """A known way of meeting ("online", "hybrid", "on-site"), else None."""
    return value if isinstance(value, str) and value in MODALITIES else None


def _count_or_none(value: Any) -> int | None:
    """A whole number of at least 0, else None (not known)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _aggregate(value: Any) -> dict[str, Any] | None:
    """{"x": {"mean", "sd"}, "y": {"mean", "sd"}, "n"}: numbers only."""
    if not isinstance(value, Mapping) or not _int(value.get("n")):
        return None
    axes = {}
    for axis in ("x", "y"):
        part = value.get(axis)
        if not isinstance(part, Mapping) or _number(part.get("mean")) is None:
            return None
        axes[axis] = {"mean": _number(part.get("mean")), "sd": _number(part.get("sd")) or 0.0}
    return {**axes, "n": _int(value.get("n"))}


def _attendance(value: Any) -> dict[str, int]:
    value = value if isinstance(value, Mapping) else {}
    return {key: _int(value.get(key)) for key in ("room", "remote", "total")}


def _ratings(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, Mapping):
        return {}
    ratings = {}
    for goal, rating in value.items():
        if isinstance(rating, Mapping):
            raters, mean = rating.get("raters"), rating.get("mean")
        elif isinstance(rating, list | tuple) and len(rating) == 2:
            raters, mean = rating
        else:
            continue
        if _int(raters) and _number(mean) is not None:
            ratings[str(goal)] = {"raters": _int(raters), "mean": _number(mean)}
    return ratings
