"""The outcome library's search: the index of shared outcomes, and full-text search.

The theme filter takes a national theme (landelijk thema) and finds the outcomes of every
regional theme that belongs to it, across regions; a regional theme's own slug works too.

Visibility follows the outcome's sharing level (docs/library.md): "open" to everyone, also
without an account; "national" to every logged-in account; "region" to members of the outcome's
region and to coordinators; "group" is never listed (catalogue/library/access.py). The search index
holds only the shared text at the outcome's level (catalogue.outcomes.sharing.shared_version of its
gated version, catalogue/outcomes/gate.py), never the raw outcome.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.library.access import may_read
from catalogue.outcomes.models import KnowledgeQuestion, OutcomeRating, OutcomeRow, OutcomeText
from catalogue.outcomes.sharing import shared_version
from catalogue.regions.models import NationalThemeRow, RegionRow, ThemeRow, theme_national_themes
from catalogue.variants.models import GoalRow, VariantRow
from server.i18n import N_
from server.models import User

MAX_QUERY = 200
MAX_RESULTS = 100  # a page
MAX_PAGE = 1000
SNIPPET = 240
_WORD = re.compile(r"\w+", re.UNICODE)


# Index ------------------------------------------------------------------------------------------


def shared_text(version: dict[str, Any]) -> str:
    """The searchable text of a shared version: only what that version holds."""
    parts: list[str] = [version["title"], version["summary"], version["insights"]]
    parts.append(version["actions"])
    for product in version["products"]:
        parts.extend(str(product.get(key) or "") for key in ("title", "text"))
    parts.extend(version["questions"])
    for cluster in version["clusters"]:
        parts.append(str(cluster.get("title") or ""))
        parts.extend(str(note.get("text") or "") for note in cluster.get("notes") or ())
    parts.extend(str(note.get("text") or "") for note in version["unclustered"] or ())
    parts.extend(str(takeaway) for takeaway in version.get("takeaways") or ())
    return "\n".join(part for part in parts if part)


async def index_outcome(db: AsyncSession, row: OutcomeRow) -> None:
    """Store the shared text of an outcome at its level for search, with the title and snippet
    the library lists (without committing): all from its gated version.

    Called by catalogue.outcomes.actions.save_outcome after the outcome, its ratings and questions
    are flushed and it is gated. At "group", or never gated, nothing is indexed: such outcomes are
    never listed.
    """
    body = title = snippet = ""
    version = await _shared(db, row)
    if version is not None:
        body = shared_text(version)
        title = version["title"][:120]
        snippet = _snippet(version["summary"] or version["insights"])
    existing = await db.get(OutcomeText, row.id)
    if existing is None:
        db.add(OutcomeText(outcome_id=row.id, body=body, title=title, snippet=snippet))
    else:
        existing.body, existing.title, existing.snippet = body, title, snippet
    await db.flush()  # on SQLite, triggers (migration 0005) copy it into outcome_search


async def _shared(db: AsyncSession, row: OutcomeRow) -> dict[str, Any] | None:
    """The outcome's shared version at its level (from its gated version); None at "group" or
    when it was never gated."""
    from catalogue.outcomes.composition import Outcome

    if row.sharing == "group":
        return None
    ratings = await db.scalars(select(OutcomeRating).where(OutcomeRating.outcome_id == row.id))
    questions = await db.scalars(
        select(KnowledgeQuestion)
        .where(KnowledgeQuestion.outcome_id == row.id)
        .order_by(KnowledgeQuestion.id)
    )
    gated = Outcome(row, list(ratings), list(questions)).shared()
    return shared_version(gated, row.sharing) if gated is not None else None


# Search -----------------------------------------------------------------------------------------


class SearchError(ValueError):
    """Bad search input: a message (an English msgid, translated by the page) per field."""

    def __init__(self, field: str, message: str, params: dict[str, Any] | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.params = params or {}


@dataclass(frozen=True)
class Query:
    text: str = ""
    goal: str | None = None
    variant: str | None = None
    theme: str | None = None
    region: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1


@dataclass(frozen=True)
class Hit:
    public_id: str
    level: str
    title: str
    snippet: str
    variant: str | None
    region: str | None
    theme: str | None
    goals: tuple[str, ...]
    held_on: str | None
    modality: str | None = None  # where the session was held: "online", "hybrid", "on-site"
    group_size: int | None = None  # how many took part (facilitators not counted)
    national_themes: tuple[str, ...] = ()


def _date(field: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SearchError(
            field, N_("Give a date as year-month-day, for example 2026-03-31.")
        ) from None


async def parse_query(db: AsyncSession, params: dict[str, str]) -> Query:
    """Check the search parameters q, doel, werkvorm, thema, regio, van, tot, pagina. Raises
    SearchError on a query that is too long or a filter value that does not exist.

    `thema` is a national theme's slug or a regional theme's (docs/library.md)."""
    words = params.get("q", "").strip()
    if len(words) > MAX_QUERY:
        raise SearchError(
            "q", N_("A search can be at most %(max)s characters."), {"max": MAX_QUERY}
        )

    def given(name: str) -> str | None:
        value = params.get(name, "").strip()
        return value or None

    goal, variant, theme, region = given("doel"), given("werkvorm"), given("thema"), given("regio")
    if goal is not None and await db.get(GoalRow, goal) is None:
        raise SearchError("doel", N_("There is no goal with that name."))
    if variant is not None and (
        await db.scalar(select(VariantRow.id).where(VariantRow.slug == variant)) is None
    ):
        raise SearchError("werkvorm", N_("There is no practice with that name."))
    if region is not None and (
        await db.scalar(select(RegionRow.id).where(RegionRow.slug == region)) is None
    ):
        raise SearchError("regio", N_("There is no region with that name."))
    if (
        theme is not None
        and await db.get(NationalThemeRow, theme) is None
        and await db.scalar(select(ThemeRow.id).where(ThemeRow.slug == theme).limit(1)) is None
    ):
        raise SearchError("thema", N_("There is no theme with that name."))
    date_from, date_to = _date("van", given("van")), _date("tot", given("tot"))
    if date_from and date_to and date_from > date_to:
        raise SearchError("tot", N_("The end date comes before the start date."))
    page = given("pagina") or "1"
    if not (page.isascii() and page.isdigit() and 1 <= int(page[:5]) <= MAX_PAGE):
        raise SearchError("pagina", N_("Give a page number from 1 to %(max)s."), {"max": MAX_PAGE})
    return Query(words, goal, variant, theme, region, date_from, date_to, int(page))


async def search(
    db: AsyncSession,
    query: Query,
    user: User | None,
    memberships: Collection[str],
    limit: int | None = None,
) -> list[Hit]:
    """The outcomes `user` may read that match `query`, as shared versions: with words, the
    most relevant first (then the newest); without, the newest first. Page `query.page` of
    MAX_RESULTS; `limit` (say MAX_RESULTS + 1, to learn whether there is more) overrides the
    page size but not where the page starts."""
    limit = MAX_RESULTS if limit is None else limit
    skip = (query.page - 1) * MAX_RESULTS
    statement = select(OutcomeRow).where(OutcomeRow.sharing != "group")
    if user is None:
        statement = statement.where(OutcomeRow.sharing == "open")
    if query.variant:
        statement = statement.where(OutcomeRow.variant_slug == query.variant)
    if query.region:
        statement = statement.where(OutcomeRow.region_slug == query.region)
    national = await national_themes_of(db)
    if query.theme:
        # The regional theme itself, and every regional theme under the national theme.
        under = [pair for pair, slugs in national.items() if query.theme in slugs]
        statement = statement.where(
            or_(
                OutcomeRow.theme_slug == query.theme,
                *(
                    and_(OutcomeRow.region_slug == region, OutcomeRow.theme_slug == theme)
                    for region, theme in under
                ),
            )
        )
    if query.date_from:
        start = dt.datetime.combine(query.date_from, dt.time(), tzinfo=dt.UTC)
        statement = statement.where(OutcomeRow.held_on >= start)
    if query.date_to:
        end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        statement = statement.where(OutcomeRow.held_on < end)
    rank: dict[int, float] = {}
    if query.text:
        rank = await _matching_ids(db, query.text)
        if not rank:
            return []
        statement = statement.where(OutcomeRow.id.in_(rank))
    statement = statement.order_by(OutcomeRow.held_on.desc(), OutcomeRow.id.desc())
    rows = list(await db.scalars(statement))
    if rank:  # stable: equally relevant outcomes stay newest first
        rows.sort(key=lambda row: -rank[row.id])
    hits: list[Hit] = []
    for row in rows:
        if not may_read(user, row, memberships):
            continue
        if query.goal and query.goal not in (row.goals or ()):
            continue
        version = await _shared(db, row)
        if version is None:
            continue  # never gated: shown to its group only
        if query.text and not await _still_matches(db, shared_text(version), query.text):
            continue  # e.g. a consent withdrawn since the outcome was indexed
        stored = await db.get(OutcomeText, row.id)
        title = stored.title if stored is not None else ""
        snippet = stored.snippet if stored is not None else ""
        if title != version["title"][:120]:
            title = ""  # changed outside save_outcome (e.g. an erasure): show nothing stale
        if snippet != _snippet(version["summary"] or version["insights"]):
            snippet = ""
        if skip:
            skip -= 1  # on an earlier page
            continue
        hits.append(
            Hit(
                public_id=row.public_id,
                level=row.sharing,
                title=title,
                snippet=snippet,
                variant=version["variant"],
                region=version["region"],
                theme=version["theme"],
                goals=tuple(version["goals"]),
                held_on=version["held_on"],
                modality=version["modality"],
                group_size=version["group_size"],
                national_themes=national.get((row.region_slug or "", row.theme_slug or ""), ()),
            )
        )
        if len(hits) >= limit:
            break
    return hits


async def national_themes_of(db: AsyncSession) -> dict[tuple[str, str], tuple[str, ...]]:
    """(region slug, regional theme slug) -> the slugs of the national themes it belongs to."""
    rows = await db.execute(
        select(RegionRow.slug, ThemeRow.slug, theme_national_themes.c.national_slug)
        .join(ThemeRow, ThemeRow.region_id == RegionRow.id)
        .join(theme_national_themes, theme_national_themes.c.theme_id == ThemeRow.id)
        .join(NationalThemeRow, NationalThemeRow.slug == theme_national_themes.c.national_slug)
        .order_by(NationalThemeRow.position)
    )
    result: dict[tuple[str, str], tuple[str, ...]] = {}
    for region, theme, slug in rows:
        result[(region, theme)] = (*result.get((region, theme), ()), slug)
    return result


async def _still_matches(db: AsyncSession, body: str, words: str) -> bool:
    """Whether the outcome's shared text *now* (its participants' consents now) still matches:
    the index is written when the outcome is saved; what changed since can only narrow it."""
    if _dialect(db) == "postgresql":
        return bool(
            await db.scalar(
                text("SELECT to_tsvector('dutch', :body) @@ plainto_tsquery('dutch', :q)"),
                {"body": body, "q": words},
            )
        )
    present = [_fold(word) for word in _WORD.findall(body)]
    return all(
        any(word.startswith(_fold(token)) for word in present) for token in _WORD.findall(words)
    )


def _fold(word: str) -> str:
    """Lower case without diacritics, as FTS5's unicode61 tokenizer compares words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _dialect(db: AsyncSession) -> str:
    return db.get_bind().dialect.name


def _snippet(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= SNIPPET else value[: SNIPPET - 1].rstrip() + "…"


async def _matching_ids(db: AsyncSession, words: str) -> dict[int, float]:
    """Id -> relevance (higher is more relevant) of the outcomes whose shared text matches
    every word: Dutch stemming and ts_rank on PostgreSQL; word prefixes and bm25 on SQLite's
    FTS5 (whose bm25 is lower for better matches, hence the minus)."""
    if _dialect(db) == "postgresql":
        rows = await db.execute(
            text(
                "SELECT outcome_id, ts_rank(to_tsvector('dutch', body), query) "
                "FROM outcome_texts, plainto_tsquery('dutch', :q) AS query "
                "WHERE to_tsvector('dutch', body) @@ query"
            ),
            {"q": words},
        )
        return {int(r[0]): float(r[1]) for r in rows}
    tokens = _WORD.findall(words)
    if not tokens:
        return {}
    match = " AND ".join('"' + token.replace('"', "") + '"*' for token in tokens)
    rows = await db.execute(
        text(
            "SELECT rowid, -bm25(outcome_search) FROM outcome_search WHERE outcome_search MATCH :m"
        ),
        {"m": match},
    )
    return {int(r[0]): float(r[1]) for r in rows}
