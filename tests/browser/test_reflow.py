"""Every page of the site, as each kind of visitor sees it, at 1280 and at 360 px wide: nothing
scrolls sideways (WCAG 2.1 reflow, 1.4.10) and axe finds no WCAG 2.1 AA violation.

The data the pages need (a session run to its harvest, its outcome shared openly, a module
built on it) is made once per module; each visitor has one page that every test reuses."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import log_in
from tests.browser.test_outcome_pages import _prepared

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
MATCH_RESULTS = "/welke-werkvorm?goal.reflecteren=2&group_size=6&minutes=100&modality=online"
AXE_RULES = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}
ACCOUNTS = {
    "coordinator": "coordinator@werkplaats.example",
    "facilitator": "facilitator@werkplaats.example",
    "educator": "educator@werkplaats.example",
}

# (visitor, path): {session}, {planned}, {code}, {outcome} and {module} are filled in below.
PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/login"),
    ("anonymous", "/wachtwoord/vergeten"),
    ("anonymous", "/wachtwoord/nieuw/made-up-token"),
    ("anonymous", "/uitnodiging/made-up-token"),
    ("anonymous", "/catalogus"),
    ("anonymous", "/catalogus/intervisie"),
    ("anonymous", "/catalogus/positioneringsgesprek"),
    ("anonymous", "/welke-werkvorm"),
    ("anonymous", MATCH_RESULTS),
    ("anonymous", "/welke-werkvorm?group_size=6&minutes=100&modality=online"),
    ("anonymous", "/regios"),
    ("anonymous", "/regios/zwolle"),
    ("anonymous", "/join"),
    ("anonymous", "/join?code={code}"),
    ("anonymous", "/uitkomsten/{outcome}"),
    ("anonymous", "/bestaat-niet"),
    ("participant", "/s/{session}/oogst"),
    ("facilitator", "/"),
    ("facilitator", "/account"),
    ("facilitator", MATCH_RESULTS),
    ("facilitator", "/sessies"),
    ("facilitator", "/sessies/nieuw?variant=intervisie"),
    ("facilitator", "/sessies/nieuw?variant=positioneringsgesprek"),
    ("facilitator", "/sessies/{session}"),
    ("facilitator", "/sessies/{session}/scherm"),
    ("facilitator", "/sessies/{session}/uitkomst"),
    ("facilitator", "/sessies/{planned}"),
    ("facilitator", "/sessies/{planned}/uitnodigen"),
    ("facilitator", "/agenda"),
    ("facilitator", "/groepen"),
    ("facilitator", "/groepen/{group}"),
    ("facilitator", "/sessies/nieuw?groep={group}"),
    ("facilitator", "/groepen/{group}/leden/{member}/wissen"),
    ("facilitator", "/uitkomsten/{outcome}"),
    ("educator", "/"),
    ("educator", "/account"),
    ("educator", "/bibliotheek"),
    ("educator", "/bibliotheek?q=intervisie"),
    ("educator", "/modules"),
    ("educator", "/modules/nieuw"),
    ("educator", "/modules/{module}"),
    ("educator", "/modules/{module}/bewerken"),
    ("educator", "/modules/{module}/versies/1"),
    ("educator", "/modules/{module}/export.html"),
    ("coordinator", "/"),
    ("coordinator", "/account"),
    ("coordinator", "/catalogus/intervisie/bewerken"),
    ("coordinator", "/catalogus/intervisie/versies"),
    ("coordinator", "/catalogus/intervisie/versies/1"),
    ("coordinator", "/regios"),
    ("coordinator", "/regios/zwolle"),
    ("coordinator", "/bibliotheek"),
    ("coordinator", "/beheer/accounts"),
    ("coordinator", "/beheer/wissen"),
    ("coordinator", "/beheer/audit"),
]


# Pages whose narrow layout changed most (tables as cards, the match results): a screenshot of
# each at both widths, for a person to look at (build/screenshots/).
SCREENSHOT_NAMES = {
    ("anonymous", "/catalogus/intervisie"): "practice",
    ("anonymous", MATCH_RESULTS): "match-results",
    ("facilitator", "/sessies/nieuw?variant=intervisie"): "start-form",
    ("facilitator", "/uitkomsten/{outcome}"): "outcome",
    ("educator", "/bibliotheek"): "library",
}


@dataclass
class Site:
    pages: dict[str, Page]  # visitor -> the one page every test of that visitor reuses
    ids: dict[str, str]  # session, code, outcome, module


def _compose_outcome(page: Page, session: str) -> str:
    """The facilitator composes the session's outcome, shared openly; its public id."""
    page.goto(f"/sessies/{session}/uitkomst")
    page.get_by_label("Samenvatting").fill("Wat we bespraken over samenwerken in de wijk.")
    page.get_by_label("Open (CC BY 4.0)").check()
    page.get_by_role("button", name="Uitkomst opslaan").last.click()
    expect(page).to_have_url(re.compile(r"/uitkomsten/[\w-]+\?opgeslagen=1$"))
    return page.url.split("/uitkomsten/")[1].split("?")[0]


def _build_module(page: Page) -> str:
    """The educator builds a module with the outcome as a case and a practice; its slug."""
    page.goto("/modules/nieuw")
    page.locator('[name="title"]').fill("Samenwerken in de wijk")
    page.locator('[name="audience"]').fill("hbo Social Work, jaar 2")
    page.locator('[name="objectives"]').fill("Je herkent wat samenwerking in de wijk vraagt")
    page.locator('[name="case-1-outcome"]').select_option(index=1)
    page.locator('[name="exercise-1-variant"]').select_option("intervisie")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Samenwerken in de wijk")
    return page.url.rsplit("/", 1)[1].split("?")[0]


def _planned_session(page: Page) -> str:
    """The facilitator starts a session planned a week ahead (to invite colleagues to)."""
    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    page.goto("/sessies/nieuw?variant=intervisie")
    page.locator("#f-planned_date").fill(day)
    page.locator("#f-planned_start").fill("14:30")
    page.locator("#f-planned_end").fill("16:00")
    page.get_by_role("button", name="Start de sessie").last.click()
    expect(page.locator("dl.facts")).to_contain_text("14:30 – 16:00")
    return page.url.rsplit("/", 1)[1]


def _group(page: Page) -> str:
    """The facilitator makes a group, with the coordinator as a second facilitator (so its page
    has the buttons to take each off), and starts its first session; the group's public id."""
    page.goto("/groepen")
    page.get_by_label("Naam van de groep").fill("Intervisiegroep Zwolle-Zuid")
    page.get_by_role("button", name="Groep maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intervisiegroep Zwolle-Zuid")
    group = page.url.rsplit("/", 1)[1]
    page.get_by_label("Begeleider toevoegen").fill(ACCOUNTS["coordinator"])
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_role("button", name="Stoppen als begeleider")).to_be_visible()
    page.goto(f"/sessies/nieuw?groep={group}")
    page.get_by_role("button", name="Start de sessie").last.click()
    expect(page.locator("dl.facts")).to_be_visible()
    return group


def _join(page: Page, code: str) -> None:
    """A participant joins with the code and a name, as on a phone."""
    page.goto("/join")
    page.get_by_label("Code").fill(code)
    page.get_by_label("Je naam").fill("Dirk")
    page.get_by_role("button", name="Meedoen").click()
    expect(page).to_have_url(re.compile(r"/s/[\w-]+$"))


@pytest.fixture(scope="module")
def site(browser: Browser, live_server: str) -> Iterator[Site]:
    session = _prepared(live_server)
    contexts = []
    pages: dict[str, Page] = {}
    for visitor in ("anonymous", "participant", *ACCOUNTS):
        context = browser.new_context(
            base_url=live_server, locale="nl-NL", viewport=WIDTHS["desktop"]
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages[visitor] = context.new_page()
        if visitor in ACCOUNTS:
            log_in(pages[visitor], ACCOUNTS[visitor])
    try:
        facilitator = pages["facilitator"]
        facilitator.goto(f"/sessies/{session}")
        code = (facilitator.locator(".join-code .visually-hidden").text_content() or "").replace(
            " ", ""
        )
        planned = _planned_session(facilitator)
        outcome = _compose_outcome(facilitator, session)
        module = _build_module(pages["educator"])
        _join(pages["participant"], code)
        group = _group(facilitator)
        group_code = (
            facilitator.locator(".join-code .visually-hidden").text_content() or ""
        ).replace(" ", "")
        _join(pages["anonymous"], group_code)
        facilitator.goto(f"/groepen/{group}")
        erase = facilitator.get_by_role("link", name="uit de groep wissen").get_attribute("href")
        member = (erase or "").split("/leden/")[1].split("/")[0]
        pages["anonymous"].context.clear_cookies()
        ids = {
            "session": session,
            "planned": planned,
            "code": code,
            "outcome": outcome,
            "module": module,
            "group": group,
            "member": member,
        }
        yield Site(pages, ids)
    finally:
        for context in contexts:
            context.close()


def _horizontal_overflow(page: Page) -> str | None:
    """None when nothing is wider than the window; else the widest culprits, to fix them."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          if (document.documentElement.scrollWidth <= width) return null;
          const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 0.5)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                 + ' ' + Math.round(el.getBoundingClientRect().right));
          return document.documentElement.scrollWidth + ' px wide: ' + wide.slice(0, 8).join(', ');
        }"""
    )


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(("visitor", "path"), PAGES)
def test_every_page_reflows_and_is_accessible(
    site: Site, visitor: str, path: str, width: str
) -> None:
    page = site.pages[visitor]
    page.set_viewport_size(WIDTHS[width])
    page.goto(path.format(**site.ids))
    if not path.endswith("/export.html"):  # a download, read offline: it links to no server
        assert page.locator('head link[rel="icon"]').count() > 0, "no favicon"
    name = SCREENSHOT_NAMES.get((visitor, path))
    if name is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = WIDTHS[width]["width"]
        page.screenshot(path=str(SCREENSHOTS / f"page-{name}-{size}-full.png"), full_page=True)
    assert _horizontal_overflow(page) is None, _horizontal_overflow(page)
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


def _reflows_and_is_accessible(page: Page) -> None:
    assert _horizontal_overflow(page) is None, _horizontal_overflow(page)
    results = Axe().run(page, options=AXE_RULES)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_erase_preview_reflows_and_is_accessible(site: Site, width: str) -> None:
    page = site.pages["coordinator"]
    page.set_viewport_size(WIDTHS[width])
    page.goto("/beheer/wissen")
    page.get_by_label("Naam, e-mailadres of deelnemer").fill("Anna")
    page.get_by_role("button", name="Laat zien wat er verandert").click()
    expect(page.locator("#counts")).to_be_visible()
    _reflows_and_is_accessible(page)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_group_settings_with_a_wrong_name_reflow_and_are_accessible(
    site: Site, width: str
) -> None:
    """The group's settings form as it comes back with a message at its field (nothing saved)."""
    page = site.pages["facilitator"]
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"/groepen/{site.ids['group']}")
    page.get_by_label("Naam van de groep").fill("   ")
    page.get_by_role("button", name="Naam en werkvorm opslaan").click()
    expect(page.locator("#settings-name-error")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intervisiegroep Zwolle-Zuid")
    _reflows_and_is_accessible(page)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_refused_new_theme_reflows_and_is_accessible(site: Site, width: str) -> None:
    """The region page with the new theme's form refused: its messages at the fields."""
    page = site.pages["coordinator"]
    page.set_viewport_size(WIDTHS[width])
    page.goto("/regios/zwolle")
    adding = page.locator('form[action="/regios/zwolle/themas"]')
    adding.get_by_label("Naam").fill("Wonen en zorg")  # no national theme ticked
    adding.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#new-theme-national-error")).to_be_visible()
    _reflows_and_is_accessible(page)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_workspace_does_not_scroll_sideways(site: Site, width: str) -> None:
    """Only the sideways scroll: the workspace's own tests (other modules) run axe on it."""
    page = site.pages["participant"]
    page.set_viewport_size(WIDTHS[width])
    page.goto(f"/s/{site.ids['session']}")
    expect(page.locator(".ws-conn")).to_have_attribute("data-status", "connected")
    assert _horizontal_overflow(page) is None, _horizontal_overflow(page)


def test_the_site_has_a_favicon_the_browser_can_show(page: Page) -> None:
    page.goto("/")
    icons = page.locator('head link[rel="icon"]')
    expect(icons.first).to_be_attached()
    for icon in icons.all():
        href, kind = icon.get_attribute("href") or "", icon.get_attribute("type") or ""
        response = page.request.get(href)
        assert response.ok, href
        assert response.headers["content-type"].startswith(kind), (href, kind)
    # Drawn as the browser draws it in a tab: an image of the size it says it has.
    size = page.evaluate(
        """async (href) => {
          const image = new Image();
          image.src = href;
          await image.decode();
          return [image.naturalWidth, image.naturalHeight];
        }""",
        icons.first.get_attribute("href"),
    )
    assert size[0] > 0 and size[0] == size[1], size
