"""Certainty: one or two sentences per result on how sure the catalogue is of it.

Pure: no I/O. From the evidence of the requested goals (catalogue/evidence/summary.py) and the
model's belief for the request's situation (catalogue/matching/belief.py): no sessions yet,
a few, or "in 14 sessions in 3 regions rated well (on average 4.2 of 5)"; and, when most of
those sessions were held in another situation (another way of meeting or group size), that
they count for less here.
"""

from __future__ import annotations

from collections.abc import Mapping

from catalogue.matching.belief import Belief, Evidence, Situation
from catalogue.matching.reasons import Label, Reason
from catalogue.vocabulary import MODALITIES
from server.i18n import N_

# Fewer sessions than this is "little experience".
FEW_SESSIONS = 3
# A mean rating from this up is "well", from FAIR up "reasonably", below it "poorly".
GOOD = 3.5
FAIR = 2.5
BAND_LABELS = {
    "small": N_("a small group (up to 8)"),
    "medium": N_("a medium group (9 to 20)"),
    "large": N_("a large group (more than 20)"),
}

NONE_YET = Reason(
    N_("no experience with this for these goals yet: its place comes from the description alone")
)


def certainty(
    weights: Mapping[str, float],
    evidence: Mapping[str, Evidence | None],
    beliefs: Mapping[str, Belief],
    asked: Situation,
) -> tuple[Reason, ...]:
    """How sure the catalogue is of one result, in one or two sentences: from the requested
    goals' `weights`, their evidence and the beliefs for the situation `asked`."""
    found = [(weights[goal], e) for goal, e in evidence.items() if e is not None]
    if not found:
        return (NONE_YET,)
    sessions = max(e.sessions for _, e in found)
    weight = sum(w for w, _ in found)
    rating = sum(w * e.rating for w, e in found) / weight if weight else found[0][1].rating
    regions = max(e.regions for _, e in found)
    here = max(beliefs[goal].here for goal in evidence if evidence[goal] is not None)
    return _certainty(sessions, rating, regions, here, asked)


def _certainty(
    sessions: int, rating: float, regions: int, here: int, asked: Situation
) -> tuple[Reason, ...]:
    if sessions < FEW_SESSIONS:
        if sessions == 1:
            return (
                Reason(
                    N_(
                        "little experience with this yet (1 session): its place rests mostly "
                        "on the description"
                    )
                ),
            )
        return (
            Reason(
                N_(
                    "little experience with this yet (%(sessions)s sessions): its place rests "
                    "mostly on the description"
                ),
                {"sessions": sessions},
            ),
        )
    tenths = round(10 * rating)
    if rating >= GOOD:
        judgement = N_("well")
    elif rating >= FAIR:
        judgement = N_("reasonably")
    else:
        judgement = N_("poorly")
    params: dict[str, object] = {
        "sessions": sessions,
        "judgement": Label(judgement),
        "units": tenths // 10,
        "tenths": tenths % 10,
    }
    if regions >= 2:
        params["regions"] = regions
        said = Reason(
            N_(
                "rated %(judgement)s in %(sessions)s sessions in %(regions)s regions "
                "(on average %(units)s.%(tenths)s of 5)"
            ),
            params,
        )
    else:
        said = Reason(
            N_(
                "rated %(judgement)s in %(sessions)s sessions "
                "(on average %(units)s.%(tenths)s of 5)"
            ),
            params,
        )
    if 2 * here >= sessions or asked.modality is None:
        return (said,)
    where: list[object] = [Label(MODALITIES[asked.modality])]
    if asked.band is not None:
        where.append(Label(BAND_LABELS[asked.band]))
    return (
        said,
        Reason(
            N_(
                "%(here)s of those sessions were held in a situation like yours (%(situation)s): "
                "the others count for less"
            ),
            {"here": here, "situation": tuple(where)},
        ),
    )
