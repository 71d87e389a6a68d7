"""The positioning chart after the reveal, in Chromium: three people place their "now" and
"desired" markers by keyboard (exact spots), the facilitator reveals, and everyone sees one
arrow per person from now to desired, the group's mean and spread for each kind at the places
the numbers say, and the same numbers, in Dutch notation, in the table alternative."""

from __future__ import annotations

import math
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import NewContext
from tests.browser.test_workspace_tools import (
    AXE_RULES,
    PHONE,
    Session,
    screenshot,
    tool,
)

# Each person's keys from the centre of the chart (0.5, 0.5): Shift+arrow moves 0.2, an arrow
# 0.05; Enter places "now", after which "desired" is chosen, and the cursor stays where it is.
KEYS = {
    "Anna": (
        ["Shift+ArrowLeft", "Shift+ArrowDown"],
        ["Shift+ArrowRight"] * 2 + ["Shift+ArrowUp"] * 2,
    ),
    "Bram": (["Shift+ArrowDown"] * 2, ["Shift+ArrowUp"] * 4),
    "Chris": (
        ["Shift+ArrowLeft"] * 2,
        ["Shift+ArrowRight"] * 2 + ["ArrowRight"] * 2 + ["Shift+ArrowUp"] + ["ArrowUp"] * 2,
    ),
}
# Where that puts them (x towards "collectief", y towards "informeel").
PLACED = {
    "Anna": ((0.3, 0.3), (0.7, 0.7)),
    "Bram": ((0.5, 0.1), (0.5, 0.9)),
    "Chris": ((0.1, 0.5), (0.6, 0.8)),
}


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def spread(values: list[float]) -> float:
    """The population standard deviation, as the outcome's capture computes it."""
    centre = mean(values)
    return math.sqrt(sum((v - centre) ** 2 for v in values) / len(values))


def dutch(value: float) -> str:
    """A fraction as a percentage with one decimal and a decimal comma: 0.1633 -> "16,3"."""
    return f"{value * 100:.1f}".replace(".", ",")


def plot_box(page: Page) -> dict[str, float]:
    """The plot area in SVG units (the rectangle between the axis labels)."""
    plot = tool(page).locator(".chart-plot")
    return {key: float(plot.get_attribute(key) or "nan") for key in ("x", "y", "width", "height")}


def to_svg(page: Page, x: float, y: float) -> tuple[float, float]:
    box = plot_box(page)
    return box["x"] + x * box["width"], box["y"] + (1 - y) * box["height"]


def centre_of(locator: Locator) -> tuple[float, float]:
    """The centre of an SVG element's drawn shape, in the SVG's own units."""
    found: Any = locator.evaluate(
        "el => { const b = el.getBBox(); return [b.x + b.width / 2, b.y + b.height / 2]; }"
    )
    return float(found[0]), float(found[1])


def attributes(locator: Locator, *names: str) -> list[float]:
    return [float(locator.get_attribute(name) or "nan") for name in names]


def row(page: Page, name: str) -> Locator:
    header = page.get_by_role("rowheader", name=name, exact=True)
    return tool(page).locator(".chart-table tr", has=header).locator("td")


def place(page: Page, keys: list[str]) -> None:
    for key in [*keys, "Enter"]:
        page.keyboard.press(key)


@pytest.fixture
def session(live_server: str, new_context: NewContext) -> Session:
    """A hybrid session whose agenda starts with the chart."""
    session = Session(live_server, new_context)
    phases = [
        {"name": "Waar staan we?", "minutes": 5, "tool": "position-chart"},
        {"name": "Oogst", "minutes": 5, "tool": "harvest"},
    ]
    acked = session.facilitator.evaluate(
        "phases => window.werkplaats.send('agenda.set', {phases})", phases
    )
    assert acked["seqs"], acked
    return session


def test_after_the_reveal_everyone_sees_each_persons_arrow_and_the_groups_mean_and_spread(
    session: Session,
) -> None:
    fatima = session.facilitator
    people = {
        "Anna": session.join("Anna", "room"),
        "Bram": session.join("Bram", "remote", PHONE),
        "Chris": session.join("Chris", "remote"),
    }
    everyone = [fatima, *people.values()]
    session.next_phase("Waar staan we?", everyone)

    for name, page in people.items():
        tool(page).locator(".chart-surface").focus()
        now_keys, desired_keys = KEYS[name]
        place(page, now_keys)
        expect(tool(page).get_by_label("Gewenst")).to_be_checked()
        place(page, desired_keys)
        (now_x, now_y), (desired_x, desired_y) = PLACED[name]
        expect(tool(page).locator(".chart-my-markers")).to_contain_text(
            f"Gewenst: {round(desired_x * 100)}% naar collectief, "
            f"{round(desired_y * 100)}% naar informeel"
        )
        # Before the reveal: only my own markers and my own arrow, no group numbers.
        expect(tool(page).locator(".chart-marker")).to_have_count(2)
        expect(tool(page).locator(".chart-person-arrow")).to_have_count(1)
        expect(tool(page).locator(".chart-mean")).to_have_count(0)
        expect(tool(page).get_by_text("Gemiddelde van de groep")).to_be_hidden()
    expect(tool(fatima).locator(".chart-marker")).to_have_count(0)
    expect(tool(fatima).locator(".chart-person-arrow")).to_have_count(0)

    tool(fatima).get_by_role("button", name="Laat alle stippen zien").click()

    nows = [PLACED[name][0] for name in PLACED]
    desireds = [PLACED[name][1] for name in PLACED]
    means = {
        "now": (mean([x for x, _ in nows]), mean([y for _, y in nows])),
        "desired": (mean([x for x, _ in desireds]), mean([y for _, y in desireds])),
    }
    spreads = {
        "now": (spread([x for x, _ in nows]), spread([y for _, y in nows])),
        "desired": (spread([x for x, _ in desireds]), spread([y for _, y in desireds])),
    }
    for page in everyone:
        chart = tool(page)
        expect(chart.locator(".chart-marker")).to_have_count(6)
        arrows = chart.locator(".chart-person-arrow")
        expect(arrows).to_have_count(3)
        # Each arrow starts at someone's "now" and points at the same person's "desired".
        box = plot_box(page)
        starts_and_ends = [
            attributes(arrows.nth(index).locator("line"), "x1", "y1", "x2", "y2")
            for index in range(3)
        ]
        for (now_x, now_y), (desired_x, desired_y) in PLACED.values():
            sx, sy = to_svg(page, now_x, now_y)
            ex, ey = to_svg(page, desired_x, desired_y)
            assert any(
                math.dist((x1, y1), (sx, sy)) < 20 and math.dist((x2, y2), (ex, ey)) < 20
                for x1, y1, x2, y2 in starts_and_ends
            ), (page.url, starts_and_ends, (sx, sy, ex, ey))
        # The group's mean per kind, with its spread (one standard deviation each way).
        for kind in ("now", "desired"):
            expected = to_svg(page, *means[kind])
            found = centre_of(chart.locator(f".chart-mean-{kind}"))
            assert math.dist(found, expected) < 0.5, (kind, found, expected)
            ellipse = chart.locator(f"ellipse.chart-spread-{kind}")
            cx, cy, rx, ry = attributes(ellipse, "cx", "cy", "rx", "ry")
            assert math.dist((cx, cy), expected) < 0.5, (kind, cx, cy, expected)
            assert abs(rx - spreads[kind][0] * box["width"]) < 0.5, (kind, rx)
            assert abs(ry - spreads[kind][1] * box["height"]) < 0.5, (kind, ry)
        # The legend says in words what each mark means.
        legend = chart.locator(".chart-legend")
        expect(legend).to_contain_text("Pijl: van nu naar gewenst, één per persoon")
        expect(legend).to_contain_text("Gemiddelde van de groep")
        expect(legend).to_contain_text("Spreiding")
        # The table alternative: the quarters as before, and the mean and spread rows.
        expect(row(page, "Gemiddelde, % naar collectief")).to_have_text(
            [dutch(means["now"][0]), dutch(means["desired"][0])]
        )
        expect(row(page, "Gemiddelde, % naar informeel")).to_have_text(
            [dutch(means["now"][1]), dutch(means["desired"][1])]
        )
        expect(row(page, "Spreiding, % naar collectief")).to_have_text(
            [dutch(spreads["now"][0]), dutch(spreads["desired"][0])]
        )
        expect(row(page, "Spreiding, % naar informeel")).to_have_text(
            [dutch(spreads["now"][1]), dutch(spreads["desired"][1])]
        )

    # A person's own arrow stands out; the facilitator placed none.
    for page in people.values():
        expect(tool(page).locator(".chart-person-arrow.is-mine")).to_have_count(1)
    expect(tool(fatima).locator(".chart-person-arrow.is-mine")).to_have_count(0)

    # Nothing scrolls sideways on the phone; axe finds nothing at either width.
    bram = people["Bram"]
    assert bram.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for page, what in ((people["Anna"], "1280 px"), (bram, "360 px")):
        results = Axe().run(page, options=AXE_RULES)
        assert results.violations_count == 0, f"{what}: {results.generate_report()}"
    screenshot(people["Anna"], "chart-revealed-desktop.png")
    screenshot(bram, "chart-revealed-phone.png")

    # Bram moves his "desired" after the reveal: the others see his arrow follow, and the mean.
    tool(bram).locator(".chart-surface").focus()
    place(bram, ["Shift+ArrowDown"])
    moved = [0.7, 0.7, 0.8]  # the desired heights: Anna's, Bram's new one, Chris's
    anna = people["Anna"]
    expect(row(anna, "Gemiddelde, % naar informeel")).to_have_text(
        [dutch(means["now"][1]), dutch(mean(moved))]
    )
    expect(tool(anna).locator(".chart-person-arrow")).to_have_count(3)
    line = tool(anna).locator(".chart-person-arrow:not(.is-mine) line")
    ends = [attributes(line.nth(index), "x2", "y2") for index in range(2)]
    target = to_svg(anna, 0.5, 0.7)
    assert any(math.dist(end, target) < 20 for end in ends), (ends, target)
