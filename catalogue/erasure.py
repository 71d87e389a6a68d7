"""The catalogue's part of erasing a person (server/erasure.py composes the parts).

Every mention of their name in outcomes (also their gated version and review), knowledge
questions and the library's index (`outcome_texts`) becomes "[naam verwijderd]"; a web address
that held it becomes None; with `delete_contributions`, what they wrote in an outcome's JSON
("by" their participant id) becomes "[verwijderd op verzoek]". An erased account's name goes
from the variant versions and the curriculum module versions it saved, and its region
memberships (`user_regions`) go, as its roles do. `plan_outcome` and `rewrite_json` are pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.mentions import Mentions, Scope, Tally, scopes
from catalogue.modules.models import ModuleVersion
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRow, OutcomeText, UserRegion
from catalogue.variants.models import VariantVersion
from server.erasure import (
    ERASED_CONTRIBUTION,
    ERASED_NAME,
    Apply,
    Counts,
    ErasureAsk,
    ErasurePart,
    Found,
)

TITLE_LENGTH = 120  # outcomes.title, outcome_texts.title: a longer replacement is cut
# Keys whose values in an outcome's JSON are ids or fixed words, never text: left alone, with
# all they hold ("pseudonyms" maps participant ids to "Deelnemer A", in `outcomes.gated`).
_ID_KEYS = frozenset(
    {"by", "group", "kind", "order", "passed", "participant", "note", "cluster", "pseudonyms"}
)
# Keys whose values are web addresses: one that held the name is removed whole (None), as what
# is left of it would lead nowhere (the product keeps its title and text).
_URL_KEYS = frozenset({"url"})


def rewrite_json(value: Any, scope: Scope, tally: Tally, key: str | None = None) -> Any:
    """An outcome's JSON with mentions replaced, and (on request) the person's texts removed.
    A web address that held the name becomes None."""
    if key in _ID_KEYS:
        return value
    if isinstance(value, str):
        new = scope.mentions.replace(value)
        if new is not value:
            tally.mentions += 1
            if key in _URL_KEYS:
                return None
        return new
    if isinstance(value, list):
        return [rewrite_json(item, scope, tally, key) for item in value]
    if isinstance(value, dict):
        ours = scope.delete_contributions and value.get("by") in scope.participants
        out = {}
        for k, item in value.items():
            if ours and k == "text" and isinstance(item, str):
                if item != ERASED_CONTRIBUTION:
                    tally.contributions += 1
                out[k] = ERASED_CONTRIBUTION
            else:
                out[k] = rewrite_json(item, scope, tally, k)
        return out
    return value


def plan_outcome(outcome: OutcomeRow, scope: Scope, tally: Tally) -> dict[str, Any]:
    """The outcome's fields that change."""
    changes: dict[str, Any] = {}
    for name in (
        "title",
        "summary",
        "insights",
        "actions",
        "products",
        "captured",
        "gated",  # the texts as they leave the group
        "review",  # the facilitator's words to hide or keep
    ):
        old = getattr(outcome, name)
        if old is None:
            continue
        new = rewrite_json(old, scope, tally)
        if new != old:
            changes[name] = new[:TITLE_LENGTH] if name == "title" else new
    return changes


def _replaced(row: Any, columns: Sequence[str], mentions: Mentions) -> dict[str, str]:
    """The columns of `row` whose text held a name, with the name replaced (None stays)."""
    values = {}
    for column in columns:
        old = getattr(row, column)
        if old is not None:
            new = mentions.replace(old)
            if new is not old:
                values[column] = new
    return values


async def plan(db: AsyncSession, ask: ErasureAsk, found: Found, counts: Counts) -> Apply:
    """Reads the outcomes of the sessions looked in (`Found.sessions`, from the sessions
    part), or of none (an outcome outside them is counted elsewhere)."""
    scope = scopes(found, ask.delete_contributions)
    outcomes: dict[int, dict[str, Any]] = {}
    questions: dict[int, dict[str, str]] = {}
    outcome_texts: dict[int, dict[str, str]] = {}
    versions: list[int] = []
    module_versions: list[int] = []
    memberships = 0

    query = select(OutcomeRow)
    if found.only is not None:
        query = query.where(OutcomeRow.session_id.in_(found.only))
    outcome_scopes: dict[int, tuple[Scope, int | None]] = {}
    for outcome in await db.scalars(query):
        sid = outcome.session_id if outcome.session_id in found.sessions else None
        here = scope(sid)
        outcome_scopes[outcome.id] = (here, sid)
        tally = Tally()
        changes = plan_outcome(outcome, here, tally)
        if changes:
            outcomes[outcome.id] = changes
            counts.add(sid, "outcomes", tally.mentions, tally.contributions)
    if outcome_scopes:
        asked = await db.scalars(
            select(KnowledgeQuestion).where(KnowledgeQuestion.outcome_id.in_(outcome_scopes))
        )
        for question in asked:
            here, sid = outcome_scopes[question.outcome_id]
            texts = _replaced(question, ("text", "shared_text"), here.mentions)
            if texts:
                questions[question.id] = texts
                counts.add(sid, "knowledge_questions", mentions=1)
        indexed = await db.scalars(
            select(OutcomeText).where(OutcomeText.outcome_id.in_(outcome_scopes))
        )
        for stored in indexed:
            here, sid = outcome_scopes[stored.outcome_id]
            texts = _replaced(stored, ("body", "title", "snippet"), here.mentions)
            if texts:
                if "title" in texts:
                    texts["title"] = texts["title"][:TITLE_LENGTH]
                outcome_texts[stored.outcome_id] = texts
                counts.add(sid, "outcome_texts", mentions=1)

    if found.account is not None and found.erase_account:
        versions = list(
            await db.scalars(
                select(VariantVersion.id).where(
                    VariantVersion.author_id == found.account,
                    VariantVersion.author_name != ERASED_NAME,
                )
            )
        )
        if versions:
            counts.report.other["variant_versions"] = len(versions)
        module_versions = list(
            await db.scalars(
                select(ModuleVersion.id).where(
                    ModuleVersion.author_id == found.account,
                    ModuleVersion.author_name != ERASED_NAME,
                )
            )
        )
        if module_versions:
            counts.report.other["module_versions"] = len(module_versions)
        # Which regions it was a member of: an access right, like its roles (which go too).
        memberships = len(
            list(await db.scalars(select(UserRegion).where(UserRegion.user_id == found.account)))
        )
        if memberships:
            counts.report.other["user_regions"] = memberships

    async def write(db: AsyncSession) -> None:
        for outcome_id, values in outcomes.items():
            await db.execute(update(OutcomeRow).where(OutcomeRow.id == outcome_id).values(**values))
        for question_id, values in questions.items():
            await db.execute(
                update(KnowledgeQuestion)
                .where(KnowledgeQuestion.id == question_id)
                .values(**values)
            )
        # The library's index (on SQLite its triggers update the FTS5 copy, outcome_search).
        for outcome_id, values in outcome_texts.items():
            await db.execute(
                update(OutcomeText).where(OutcomeText.outcome_id == outcome_id).values(**values)
            )
        if versions:
            await db.execute(
                update(VariantVersion)
                .where(VariantVersion.id.in_(versions))
                .values(author_name=ERASED_NAME)
            )
        if module_versions:
            await db.execute(
                update(ModuleVersion)
                .where(ModuleVersion.id.in_(module_versions))
                .values(author_name=ERASED_NAME)
            )
        if memberships:
            await db.execute(delete(UserRegion).where(UserRegion.user_id == found.account))

    return write


PART = ErasurePart(plan=plan)
