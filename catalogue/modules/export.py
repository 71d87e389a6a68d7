"""Exports of a module: Markdown, printable HTML and JSON, each with licence and attribution.

An export is public once downloaded, so it holds an outcome only when the outcome is shared
"open", and only its open version (catalogue.outcomes.sharing.shared_version at "open" of its gated
version, catalogue/outcomes/gate.py: pseudonyms, everyone else de-identified, consent-filtered).
Everything else a module refers to is listed under "left out", with the reason. The module's
own texts, the variants and their scripts are catalogue content (CC BY-SA 4.0); open outcomes
are CC BY 4.0. Attribution names the Werkplaats and the region, never a person. Every export is
recorded in the audit log (ids only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalogue.modules.models import ModuleRow, ModuleVersion
from catalogue.outcomes.queries import load_outcome
from catalogue.outcomes.sharing import shared_version
from catalogue.regions.models import RegionRow
from catalogue.variants.schema import Variant
from server import audit, i18n
from server.db import utcnow
from server.formatting import format_date
from server.i18n import N_

FORMATS = ("md", "html", "json")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
CATALOGUE_LICENCE = {
    "name": "CC BY-SA 4.0",
    "url": "https://creativecommons.org/licenses/by-sa/4.0/deed.nl",
}
OUTCOME_LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.nl",
}
ATTRIBUTION = "Werkplaats"
# Why a case is not in an export.
REASONS = {
    "missing": N_("The outcome was erased or no longer exists."),
    "withdrawn": N_("The outcome was withdrawn: it is no longer shared beyond its group."),
    "not_open": N_(
        "The outcome is not shared openly (only within a region or nationally), and an export "
        "is public once downloaded."
    ),
}
LANGUAGE = "nl"


async def build(
    db: AsyncSession,
    module: ModuleRow,
    version: ModuleVersion,
    variants: Mapping[str, Variant],
) -> dict[str, Any]:
    """What every format shows: the module version with its open cases and what was left out."""
    document = version.document
    regions = {r.slug: r.name for r in await db.scalars(select(RegionRow))}
    cases = []
    left_out = []
    for case in document.get("cases", []):
        public_id = str(case.get("outcome", ""))
        outcome = await load_outcome(db, public_id)
        reason = None
        if outcome is None:
            reason = "missing"
        elif outcome.row.sharing == "group":
            reason = "withdrawn"
        elif outcome.row.sharing != "open":
            reason = "not_open"
        if reason is not None or outcome is None:
            left_out.append({"outcome": public_id, "reason": reason})
            continue
        gated = outcome.shared()
        if gated is None:  # never through the sharing gate: it cannot leave its group
            left_out.append({"outcome": public_id, "reason": "withdrawn"})
            continue
        shared = shared_version(gated, "open")
        region = shared["region"]
        attribution = regions.get(region or "", ATTRIBUTION)  # the region's Werkplaats
        cases.append(
            {
                "outcome": public_id,
                "note": str(case.get("note", "")),
                "title": shared["title"],
                "held_on": shared["held_on"],
                "summary": shared["summary"],
                "insights": shared["insights"],
                "actions": shared["actions"],
                "products": [
                    {"title": p["title"], "text": p["text"], "url": p["url"]}
                    for p in shared["products"]
                ],
                "clusters": [
                    {"title": c["title"], "notes": [n["text"] for n in c["notes"]]}
                    for c in shared["clusters"]
                ],
                "takeaways": list(shared["takeaways"]),
                "questions": list(shared["questions"]),
                "licence": OUTCOME_LICENCE,
                "attribution": attribution,
            }
        )
    exercises = []
    for exercise in document.get("exercises", []):
        slug = str(exercise.get("variant", ""))
        variant = variants.get(slug)
        exercises.append(
            {
                "variant": slug,
                "title": variant.title if variant else slug,
                "summary": variant.summary if variant else "",
                "phases": [
                    {
                        "name": str(p.get("name", "")),
                        "minutes": p.get("minutes"),
                        "purpose": str(p.get("purpose", "")),
                    }
                    for p in exercise.get("phases", [])
                ],
            }
        )
    return {
        "format": "werkplaats-module",
        "slug": module.slug,
        "version": version.number,
        "saved_at": version.created_at.isoformat(),
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "title": str(document.get("title", "")),
        "audience": str(document.get("audience", "")),
        "objectives": [str(o) for o in document.get("objectives", [])],
        "cases": cases,
        "exercises": exercises,
        "reflection": [str(r) for r in document.get("reflection", [])],
        "left_out": left_out,
        "licence": CATALOGUE_LICENCE,
        "attribution": ATTRIBUTION,
    }


def reason_text(reason: str) -> str:
    return i18n.translator(LANGUAGE)(REASONS.get(reason, REASONS["missing"]))


def as_json(export: Mapping[str, Any]) -> str:
    data = {
        **export,
        "left_out": [
            {**item, "explanation": reason_text(item["reason"])} for item in export["left_out"]
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md(text: Any) -> str:
    """User text as Markdown that shows exactly this text: every ASCII punctuation mark is
    backslash-escaped (no markup, links, autolinks or HTML can start), and lines are joined
    with a hard break so no line can begin a heading, list or quote."""
    lines = [_MD_SPECIAL.sub(r"\\\1", line.strip()) for line in str(text).splitlines()]
    return "  \n".join(line for line in lines if line)


def as_markdown(export: Mapping[str, Any]) -> str:
    _ = i18n.translator(LANGUAGE)
    out: list[str] = [f"# {md(export['title'])}", ""]
    if export["audience"]:
        out += [f"**{_('Audience')}:** {md(export['audience'])}", ""]
    out += [f"{_('Module version')}: {export['version']}", ""]
    if export["objectives"]:
        out += [f"## {_('Learning objectives')}", ""]
        out += [f"- {md(o)}" for o in export["objectives"]] + [""]
    if export["cases"]:
        out += [f"## {_('Cases')}", ""]
        for case in export["cases"]:
            out += [f"### {md(case['title'])}", ""]
            if case["held_on"]:
                day = format_date(case["held_on"], LANGUAGE)
                out += [f"{_('Held on:')} {md(day)}", ""]
            if case["note"]:
                out += [f"**{_('Note from the educator')}:** {md(case['note'])}", ""]
            for key, label in (
                ("summary", N_("Summary")),
                ("insights", N_("Insights")),
                ("actions", N_("Actions")),
            ):
                if case[key]:
                    out += [f"**{_(label)}:**  ", md(case[key]), ""]
            for cluster in case["clusters"]:
                out += [f"**{md(cluster['title'])}**", ""]
                out += [f"- {md(note)}" for note in cluster["notes"]] + [""]
            if case["takeaways"]:
                out += [f"**{_('Takeaways')}:**", ""]
                out += [f"- {md(t)}" for t in case["takeaways"]] + [""]
            for product in case["products"]:
                line = f"- {md(product['title'])}"
                if product["text"]:
                    line += f": {md(product['text'])}"
                if product["url"]:
                    line += f" ({md(product['url'])})"
                out += [line]
            if case["products"]:
                out += [""]
            if case["questions"]:
                out += [f"**{_('Open questions')}:**", ""]
                out += [f"- {md(q)}" for q in case["questions"]] + [""]
            out += [_licence_line(case["licence"], md(case["attribution"])), ""]
    if export["exercises"]:
        out += [f"## {_('Exercises')}", ""]
        for exercise in export["exercises"]:
            out += [f"### {md(exercise['title'])}", ""]
            if exercise["summary"]:
                out += [md(exercise["summary"]), ""]
            for number, phase in enumerate(exercise["phases"], start=1):
                minutes = _("%(minutes)s min") % {"minutes": md(phase["minutes"])}
                line = f"{number}. **{md(phase['name'])}** ({minutes})"
                if phase["purpose"]:
                    line += f": {md(phase['purpose'])}"
                out.append(line)
            out.append("")
    if export["reflection"]:
        out += [f"## {_('Reflection questions')}", ""]
        out += [f"- {md(r)}" for r in export["reflection"]] + [""]
    if export["left_out"]:
        out += [f"## {_('Left out')}", ""]
        out += [
            f"- {md(item['outcome'])}: {reason_text(item['reason'])}" for item in export["left_out"]
        ]
        out += [""]
    out += ["---", "", _licence_line(export["licence"], md(export["attribution"])), ""]
    return "\n".join(out)


def _licence_line(licence: Mapping[str, str], attribution: str) -> str:
    _ = i18n.translator(LANGUAGE)
    text = _("Licence: %(licence)s. Attribution: %(attribution)s.") % {
        "licence": licence["name"],
        "attribution": attribution,
    }
    return f"{text} <{licence['url']}>"


def as_html(export: Mapping[str, Any]) -> str:
    from server.templating import create_environment

    env = create_environment()
    token = i18n.current_language.set(LANGUAGE)
    try:
        return env.get_template("modules/export.html").render(
            export=export, reason_text=reason_text, language=LANGUAGE
        )
    finally:
        i18n.current_language.reset(token)


def render(export: Mapping[str, Any], fmt: str) -> str:
    if fmt == "md":
        return as_markdown(export)
    if fmt == "html":
        return as_html(export)
    if fmt == "json":
        return as_json(export)
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


async def export_module(
    db: AsyncSession,
    module: ModuleRow,
    version: ModuleVersion,
    variants: Mapping[str, Variant],
    fmt: str,
    *,
    actor: str,
    actor_id: int | None = None,
) -> str:
    """The module version in `fmt`, with an "export" entry in the audit log (committed)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    export = await build(db, module, version, variants)
    text = render(export, fmt)
    audit.record(
        db,
        "export",
        f"module:{module.slug}/{version.number}",
        actor=actor,
        actor_id=actor_id,
        detail=f"{fmt}, {len(export['cases'])} case(s), {len(export['left_out'])} left out",
    )
    await db.commit()
    return text
