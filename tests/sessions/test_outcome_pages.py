"""The pure parts of the outcome pages: the compose form's rows, consent narrowing, the chart."""

from __future__ import annotations

from starlette.datastructures import FormData

from server.i18n import translator
from sessions.harvest.answers import narrowed
from sessions.outcome.chart import PAD, PLOT, chart_view
from sessions.outcome.form import ComposeForm


def test_product_rows_are_added_and_removed_and_blank_rows_skipped() -> None:
    form = ComposeForm.submitted(
        FormData(
            [
                ("summary", " Samen \r\n verder "),
                ("product-2-title", "Tweede"),
                ("product-1-title", "Eerste"),
                ("product-1-url", "https://example.org/a"),
                ("product-x-title", "kapot"),
                ("questions", "Vraag een\n\n  Vraag   twee \nVraag een"),
                ("sharing", "region"),
            ]
        )
    )
    assert form.summary == "Samen \n verder"
    assert [p["title"] for p in form.products] == ["Eerste", "Tweede"]
    assert form.apply_op("add-product") == 3
    assert form.apply_op("remove-product-1") == 1
    assert [p["title"] for p in form.products] == ["Tweede", ""]
    assert form.apply_op("remove-product-9") is None and form.apply_op("fly") is None
    composition = form.composition()
    assert [p.title for p in composition.products] == ["Tweede"]  # the blank row is skipped
    assert composition.questions == ("Vraag een", "Vraag twee")
    assert composition.sharing == "region"
    form.apply_op("remove-product-1")
    form.apply_op("remove-product-1")
    assert form.products == [{"title": "", "text": "", "url": ""}]  # always one row to fill


def test_a_consent_narrowed_later_counts_and_a_wider_one_waits() -> None:
    frozen = {"a": "open", "b": "region", "c": "national", "d": "open"}
    now = {"a": "no", "b": "open", "c": "region"}  # d's answer is gone
    assert narrowed(frozen, now) == {"a": "no", "b": "region", "c": "region", "d": "no"}


def test_the_chart_draws_means_spreads_and_the_way_from_now_to_desired() -> None:
    _ = translator("nl")
    assert chart_view(None, _) is None
    assert chart_view({"now": None, "desired": None, "markers": []}, _) is None
    chart = {
        "x_low": "individueel",
        "x_high": "collectief",
        "y_low": "formeel",
        "y_high": "informeel",
        "now": {"x": {"mean": 0.25, "sd": 0.1}, "y": {"mean": 0.5, "sd": 0.0}, "n": 3},
        "desired": {"x": {"mean": 0.75, "sd": 0.0}, "y": {"mean": 1.0, "sd": 0.2}, "n": 2},
        "markers": [{"kind": "now", "x": 0.0, "y": 0.0}],
    }
    view = chart_view(chart, _)
    assert view is not None
    now, desired = view["kinds"]
    assert (now["label"], now["cx"], now["cy"]) == ("Nu", PAD + 0.25 * PLOT, PAD + 0.5 * PLOT)
    assert (now["x1"], now["x2"]) == (PAD + 0.15 * PLOT, PAD + 0.35 * PLOT)
    assert (desired["cy"], desired["y1"], desired["y2"]) == (PAD, PAD + 0.2 * PLOT, PAD)
    assert (now["x_mean"], now["x_sd"], desired["y_mean"]) == (25, 10, 100)
    assert view["arrow"] == {
        "x1": now["cx"],
        "y1": now["cy"],
        "x2": desired["cx"],
        "y2": desired["cy"],
    }
    assert view["markers"] == [{"cx": PAD, "cy": PAD + PLOT, "colour": "#0b5c73"}]
    only_now = chart_view({**chart, "desired": None}, _)
    assert only_now is not None and only_now["arrow"] is None
