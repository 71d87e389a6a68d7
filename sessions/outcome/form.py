"""The compose form of an outcome, pure: its values as typed, its product rows, its checks,
and what it saves (`catalogue.outcomes.composition.Composition`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData

from catalogue.outcomes import composition as outcome_composition
from catalogue.outcomes.gate import MAX_HIDE, MAX_HIDE_WORD, Review
from catalogue.schema import Problem
from server.i18n import N_
from sessions.outcome import action_rows

MAX_PRODUCT_ROWS = outcome_composition.MAX_PRODUCTS + 1  # one over, so that "too many" can be said


@dataclass
class ComposeForm:
    """The compose form's values as typed, so a form shown again keeps everything."""

    summary: str = ""
    insights: str = ""
    actions: str = ""
    products: list[dict[str, str]] = field(default_factory=list)  # title, text, url as typed
    questions: str = ""  # one per line
    sharing: str = "group"
    hide: str = ""  # words to hide as well, one per line (the sharing gate's review)
    keep: list[str] = field(default_factory=list)  # replacements undone (places, institutions)
    # A group's session: its actions as rows (text, owner, date as typed), not free text.
    listed: bool = False
    action_rows: list[dict[str, str]] = field(default_factory=list)
    action_focus: int | None = None  # the first row "more rows" added

    @classmethod
    def of(
        cls,
        outcome: outcome_composition.Outcome | None,
        actions: list[dict[str, str]] | None = None,
    ) -> ComposeForm:
        """The form for a saved outcome (or none yet); `actions`, a group session's saved
        actions as rows, makes its actions a list."""
        listed = actions is not None
        rows = action_rows.padded(actions or []) if listed else []
        if outcome is None:
            return cls(products=[_blank_product()], listed=listed, action_rows=rows)
        row = outcome.row
        review = Review.of(row.review)
        return cls(
            hide="\n".join(review.hide),
            keep=list(review.keep),
            summary=row.summary,
            insights=row.insights,
            actions=row.actions,
            products=[
                {"title": p.get("title", ""), "text": p.get("text", ""), "url": p.get("url") or ""}
                for p in row.products or ()
            ]
            or [_blank_product()],
            questions="\n".join(q.text for q in outcome.questions),
            sharing=row.sharing,
            listed=listed,
            action_rows=rows,
        )

    @classmethod
    def submitted(cls, form: FormData, listed: bool = False) -> ComposeForm:
        def text(name: str) -> str:
            value = form.get(name, "")
            return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""

        numbers = sorted(
            {
                int(key.split("-")[1])
                for key in form
                if key.startswith("product-")
                and key.count("-") == 2
                and key.split("-")[1].isdigit()
            }
        )
        return cls(
            summary=text("summary"),
            insights=text("insights"),
            actions=text("actions"),
            products=[
                {part: text(f"product-{n}-{part}") for part in ("title", "text", "url")}
                for n in numbers[:MAX_PRODUCT_ROWS]
            ],
            questions=text("questions"),
            sharing=text("sharing") or "group",
            hide=text("hide"),
            keep=[v for v in form.getlist("keep") if isinstance(v, str) and v.strip()],
            listed=listed,
            action_rows=action_rows.from_form(form) if listed else [],
        )

    def review(self) -> Review:
        """The facilitator's review of the sharing gate: words to hide (one per line, without
        repeats) and the replacements they undid."""
        hide = tuple(dict.fromkeys(" ".join(w.split()) for w in self.hide.splitlines()))
        return Review(hide=tuple(w for w in hide if w), keep=tuple(dict.fromkeys(self.keep)))

    def review_problems(self) -> list[Problem]:
        hide = self.review().hide
        if len(hide) > MAX_HIDE or any(len(w) > MAX_HIDE_WORD for w in hide):
            return [
                Problem(
                    "hide",
                    N_(
                        "At most %(max)s words or phrases to hide, one per line, each at most "
                        "%(chars)s characters."
                    ),
                    {"max": MAX_HIDE, "chars": MAX_HIDE_WORD},
                )
            ]
        return []

    def apply_op(self, op: str) -> int | None:
        """Add a product row ("add-product") or remove one ("remove-product-3"); the row to
        focus next. Unknown or impossible operations do nothing."""
        if op == "more-actions" and self.listed:
            room = action_rows.MAX_FORM_ROWS - len(self.action_rows)
            first = len(self.action_rows) + 1
            self.action_rows += [
                action_rows.blank() for _ in range(min(room, action_rows.BLANK_ROWS))
            ]
            self.action_focus = first if room > 0 else None
            return None
        if op == "add-product":
            if len(self.products) >= outcome_composition.MAX_PRODUCTS:
                return None
            self.products.append(_blank_product())
            return len(self.products)
        prefix = "remove-product-"
        number = op.removeprefix(prefix)
        if op.startswith(prefix) and number.isdigit() and 1 <= int(number) <= len(self.products):
            del self.products[int(number) - 1]
            if not self.products:
                self.products.append(_blank_product())
            return min(int(number), len(self.products))
        return None

    def composition(self) -> outcome_composition.Composition:
        """What to save: blank product rows dropped, questions one per line, without repeats."""
        products = tuple(
            outcome_composition.Product(p["title"], p["text"], p["url"] or None)
            for p in self.products
            if any(p.values())
        )
        questions = tuple(
            dict.fromkeys(
                " ".join(line.split()) for line in self.questions.splitlines() if line.strip()
            )
        )
        actions = self.actions
        if self.listed:  # the texts only, one per line (sessions/outcome/action_rows.py)
            actions = "\n".join(row["text"] for row in self.action_rows if row["text"])
        return outcome_composition.Composition(
            summary=self.summary,
            insights=self.insights,
            actions=actions,
            products=products,
            questions=questions,
            sharing=self.sharing,
        )


def _blank_product() -> dict[str, str]:
    return {"title": "", "text": "", "url": ""}
