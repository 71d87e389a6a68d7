"""Outcomes: save the one outcome of a session (catalogue/outcomes/queries.py reads them).

The session side (sessions/outcome/pages.py) gathers what a session captured, its harvest's
consents and rating means; this module checks the facilitator's composition, stores it all in
one transaction and records a change of sharing level in the audit log. How an outcome is shown
at a level is pure: catalogue/outcomes/sharing.py.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.library import search
from catalogue.outcomes.composition import Composition, SessionFacts, check_composition
from catalogue.outcomes.gate import VERSION as GATE_VERSION
from catalogue.outcomes.gate import Review, gate_document, plain
from catalogue.outcomes.models import CONSENT_LEVELS, KnowledgeQuestion, OutcomeRating, OutcomeRow
from catalogue.outcomes.queries import complete
from catalogue.schema import ContentError
from server import audit
from server.db import utcnow


def _check_data(consents: Mapping[str, str], ratings: Mapping[str, tuple[int, float]]) -> None:
    """Consents and ratings come from the harvest: wrong ones are a programming error."""
    for participant, consent in consents.items():
        if consent not in CONSENT_LEVELS:
            raise ValueError(
                f"unknown consent {consent!r} of {participant!r}; "
                f"known: {', '.join(CONSENT_LEVELS)}"
            )
    for goal, (raters, mean) in ratings.items():
        if raters < 1 or not 1 <= mean <= 5:
            raise ValueError(f"rating of {goal!r} out of range: {raters} raters, mean {mean}")


def new_public_id() -> str:
    return secrets.token_urlsafe(9)


async def save_outcome(
    db: AsyncSession,
    facts: SessionFacts,
    composition: Composition,
    captured: Mapping[str, Any],
    consents: Mapping[str, str],
    ratings: Mapping[str, tuple[int, float]],
    actor_id: int | None,
    names: Mapping[str, str] | None = None,
    review: Review | None = None,
) -> OutcomeRow:
    """Create or update the outcome of a session, its ratings and its knowledge questions, and
    commit. Raises ContentError (problems per field) and stores nothing when it is refused.

    Every text goes through the sharing gate (catalogue/outcomes/gate.py) with `names` (participant
    id
    -> display name, earlier names under "{id}~{n}": sessions.actions.display_names) and the
    facilitator's `review`; the gated version is stored with the outcome and is all that is
    ever shown beyond the group. `review` None keeps the review stored before."""
    problems = check_composition(composition, consents, has_region=facts.region_slug is not None)
    if problems:
        raise ContentError("outcome", problems)
    _check_data(consents, ratings)
    for attempt in range(2):
        row = None
        if facts.session_id is not None:
            row = await db.scalar(
                select(OutcomeRow).where(OutcomeRow.session_id == facts.session_id)
            )
        old_level = row.sharing if row is not None else None
        if row is None:
            row = OutcomeRow(
                public_id=new_public_id(), session_id=facts.session_id, created_by=actor_id
            )
            db.add(row)
        row.variant_slug = facts.variant_slug
        row.region_slug = facts.region_slug
        row.theme_slug = facts.theme_slug
        row.goals = list(facts.goals)
        row.modality = facts.modality
        row.group_size = facts.group_size
        row.title = facts.title
        row.held_on = facts.held_on
        row.summary = composition.summary
        row.insights = composition.insights
        row.actions = composition.actions
        row.products = [
            {"title": p.title, "text": p.text, "url": p.url} for p in composition.products
        ]
        row.captured = dict(captured)
        row.consents = dict(consents)
        row.sharing = composition.sharing
        old_review = Review.of(row.review)
        new_review = old_review if review is None else review
        row.review = new_review.stored()
        row.updated_at = utcnow()
        try:
            await db.flush()
        except IntegrityError:
            # Another request created this session's outcome first: update that one instead.
            await db.rollback()
            if attempt:
                raise
            continue
        await _replace_ratings(db, row, ratings)
        await _replace_questions(db, row, composition.questions)
        await gate_outcome(db, row, names or {})
        await search.index_outcome(db, row)
        changes = []
        if new_review != old_review:
            changes.append(
                ("outcome.review", f"hide {len(new_review.hide)}, keep {len(new_review.keep)}")
            )
        if (old_level or "group") != composition.sharing:
            changes.append(("sharing.change", f"{old_level or 'none'} -> {composition.sharing}"))
        for action, detail in changes:
            audit.record(
                db,
                action,
                f"outcome:{row.public_id}",
                actor=f"account:{actor_id}" if actor_id is not None else "cli",
                actor_id=actor_id,
                detail=detail,
            )
        await db.commit()
        return row
    raise AssertionError("unreachable")


async def gate_outcome(db: AsyncSession, row: OutcomeRow, names: Mapping[str, str]) -> None:
    """Pass the outcome's texts through the sharing gate and store the result with it, and each
    knowledge question's shared text (without committing). Its ratings and questions must be
    flushed."""
    outcome = await complete(db, row)
    # deduce takes milliseconds per text (and seconds to load once): not on the event loop.
    gated = await asyncio.to_thread(gate_document, outcome.document(), names, Review.of(row.review))
    row.gated = dict(gated)
    for question, shared_text in zip(outcome.questions, gated["questions"], strict=True):
        question.shared_text = plain(gated, shared_text)
    await db.flush()


async def regate(
    db: AsyncSession, names_of: Callable[[AsyncSession, int], Awaitable[Mapping[str, str]]]
) -> int:
    """Gate every outcome that was not gated, or by an older gate (catalogue.outcomes.gate.VERSION),
    and index it again; commit. `werkplaats migrate` runs this. How many were gated."""
    done = 0
    for row in list(await db.scalars(select(OutcomeRow).order_by(OutcomeRow.id))):
        if row.gated and row.gated.get("gate") == GATE_VERSION:
            continue
        names = await names_of(db, row.session_id) if row.session_id is not None else {}
        await gate_outcome(db, row, names)
        await search.index_outcome(db, row)
        done += 1
    await db.commit()
    return done


async def _replace_ratings(
    db: AsyncSession, row: OutcomeRow, ratings: Mapping[str, tuple[int, float]]
) -> None:
    await db.execute(delete(OutcomeRating).where(OutcomeRating.outcome_id == row.id))
    for goal, (raters, mean) in ratings.items():
        db.add(OutcomeRating(outcome_id=row.id, goal_slug=goal, raters=raters, mean=float(mean)))


async def _replace_questions(db: AsyncSession, row: OutcomeRow, texts: Sequence[str]) -> None:
    """The outcome's questions become `texts`; a question whose text stays keeps its row (and
    whether a coordinator marked it addressed)."""
    existing = list(
        await db.scalars(
            select(KnowledgeQuestion)
            .where(KnowledgeQuestion.outcome_id == row.id)
            .order_by(KnowledgeQuestion.id)
        )
    )
    by_text: dict[str, list[KnowledgeQuestion]] = {}
    for question in existing:
        by_text.setdefault(question.text, []).append(question)
    for text in texts:
        same = by_text.get(text)
        if same:
            question = same.pop(0)
            question.region_slug = row.region_slug
        else:
            db.add(KnowledgeQuestion(outcome_id=row.id, region_slug=row.region_slug, text=text))
    for left in by_text.values():
        for question in left:
            await db.delete(question)
    await db.flush()


async def set_consent(db: AsyncSession, session_id: int, participant: str, consent: str) -> bool:
    """A participant changed their consent after the outcome was composed: a narrower consent
    (or a withdrawal) replaces the one stored with the outcome at once, so every surface that
    reads it (the outcome page, the library and its API, module exports) follows; a wider one
    changes nothing here and counts when the facilitator composes again (docs/outcomes.md,
    "Consent changed later"). Without committing: the caller's transaction records the change.
    Whether the session has an outcome."""
    if consent not in CONSENT_LEVELS:
        raise ValueError(f"unknown consent {consent!r}; known: {', '.join(CONSENT_LEVELS)}")
    row = await db.scalar(select(OutcomeRow).where(OutcomeRow.session_id == session_id))
    if row is None:
        return False
    stored = dict(row.consents or {})
    rank = {level: i for i, level in enumerate(CONSENT_LEVELS)}  # unknown: as "no"
    before = stored.get(participant, CONSENT_LEVELS[0])
    stored[participant] = min(before, consent, key=lambda level: rank.get(level, 0))
    row.consents = stored
    return True


async def withdraw(db: AsyncSession, row: OutcomeRow, actor_id: int) -> bool:
    """A coordinator withdraws a shared outcome on request — typically one kept after its
    session was deleted, which no participant's link reaches any more (docs/privacy.md): from
    now on it is shared within its group only, so the library, its API and module exports
    drop it at once. Audited as `outcome.withdraw`, and committed. Whether it was shared beyond
    its group (withdrawing twice changes nothing)."""
    if row.sharing == "group":
        return False
    before = row.sharing
    row.sharing = "group"
    row.updated_at = utcnow()
    await search.index_outcome(db, row)  # at "group" nothing is indexed
    audit.record(
        db,
        "outcome.withdraw",
        f"outcome:{row.public_id}",
        actor=f"account:{actor_id}",
        actor_id=actor_id,
        detail=f"{before} -> group",
    )
    await db.commit()
    return True
