"""A group (traject) through three sessions, as its people do it (issue 19): the facilitator
makes the group, starts each session from it and composes each outcome with actions; Anna takes
part on her phone in Chromium — joining once with the code, then each next session with one tap
from the previous one's link — and in session 2's terugblik marks her action done and carries
the group's over; session 3's terugblik holds only the carried one. The group's trends show
three points; the region's trends show nothing until five people contributed."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Page, expect

from server.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveSite, NewContext, log_in
from tests.browser.test_workspace import PHONE, connected, console
from tests.sessions.pages import Fields, change, form_fields, text_of

FACILITATOR = "facilitator@werkplaats.example"
GOAL = "reflecteren"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOO_FEW = "Nog te weinig mensen om iets te laten zien"


def _post(client: httpx.Client, action: str, fields: Fields) -> httpx.Response:
    return client.post(
        action,
        content=urlencode(fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def _form(client: httpx.Client, page: str, action: str, **values: str) -> httpx.Response:
    """Open a page, change some fields of its form, and send it, as a browser does."""
    shown = client.get(page)
    assert shown.status_code == 200, text_of(shown.text)
    fields = change(form_fields(shown.text, action), **values)
    extra = [(k, v) for k, v in values.items() if k not in dict(fields)]
    return _post(client, action, [*fields, *extra])


def _logged_in(site: LiveSite) -> httpx.Client:
    client = httpx.Client(base_url=site.url, timeout=15)
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token
    answer = client.post(
        "/login",
        data={"email": FACILITATOR, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
    )
    assert answer.status_code == 303, text_of(answer.text)
    return client


def _start(fenna: httpx.Client, group: str, first: bool) -> tuple[str, str]:
    """A session of the group from its start form; its public id and join code."""
    values = {"op": "create"}
    if first:  # later sessions take goal, region and theme from the last one
        values |= {"goals": GOAL, "region": "zwolle", "theme": "zwolle/collectief-werken"}
    started = _form(fenna, f"/sessies/nieuw?groep={group}", "/sessies/nieuw", **values)
    assert started.status_code == 303, text_of(started.text)
    public_id = started.headers["location"].removeprefix("/sessies/")
    code = re.search(r"/join\?code=([A-Z0-9]{6})", fenna.get(f"/sessies/{public_id}").text)
    assert code
    return public_id, code.group(1)


def _join(site: LiveSite, code: str, name: str) -> httpx.Client:
    """Someone who joins with the code (over HTTP: only Anna is followed in the browser)."""
    client = httpx.Client(base_url=site.url, timeout=15)
    answer = _form(client, f"/join?code={code}", "/join", name=name)
    assert answer.status_code == 303, text_of(answer.text)
    return client


def _harvest(client: httpx.Client, public_id: str, rating: str) -> None:
    answer = _form(
        client,
        f"/s/{public_id}/oogst",
        f"/s/{public_id}/oogst",
        **{f"rating-{GOAL}": rating, "consent": "open", "takeaway": "Goed gesprek."},
    )
    assert answer.status_code == 200, text_of(answer.text)


def _compose(fenna: httpx.Client, public_id: str, actions: list[tuple[str, str]]) -> None:
    """The outcome, shared openly, with these actions (text, owner's name or "" for the group)."""
    path = f"/sessies/{public_id}/uitkomst"
    page = fenna.get(path).text
    owners = dict(
        (name, value)
        for value, name in re.findall(r'<option value="(m[^"]+)"[^>]*>([^<]+)</option>', page)
    )
    values = {"summary": "Wat we deden.", "sharing": "open", "op": "save"}
    for n, (text, owner) in enumerate(actions, start=1):
        values[f"action-{n}-text"] = text
        values[f"action-{n}-owner"] = owners[owner] if owner else ""
    saved = _form(fenna, path, path, **values)
    assert saved.status_code == 303, text_of(saved.text)


def _end(page: Page, public_id: str) -> None:
    page.goto(f"/s/{public_id}")
    connected(page)
    console(page).get_by_role("button", name="Sessie beëindigen").click()
    page.get_by_role("dialog").get_by_role("button", name="Sessie beëindigen").click()
    expect(console(page).locator(".ws-console-phase")).to_have_text("De sessie is afgelopen.")


def _begin(page: Page, public_id: str) -> None:
    """The facilitator starts the session's first phase (the harvest opens once it started)."""
    page.goto(f"/s/{public_id}")
    connected(page)
    console(page).get_by_role("button", name="Start de eerste fase").click()
    expect(console(page).get_by_role("button", name="Volgende fase")).to_be_visible()


def _to_terugblik(page: Page, public_id: str) -> None:
    """The facilitator starts the session and goes on to its terugblik (intervisie's second)."""
    _begin(page, public_id)
    console(page).get_by_role("button", name="Volgende fase").click()
    expect(console(page)).to_contain_text("Terugblik")


def _next_by_tap(anna: Page, previous: str, public_id: str) -> None:
    """Anna opens the previous session's link and joins the next session with one tap."""
    anna.goto(f"/s/{previous}")
    anna.get_by_role("button", name="Meedoen met de volgende sessie").click()
    expect(anna).to_have_url(re.compile(f"/s/{public_id}$"))
    connected(anna)


def _region_points(site: LiveSite) -> str:
    with httpx.Client(base_url=site.url, timeout=15) as anyone:
        page = anyone.get("/regios/zwolle/trends")
    assert page.status_code == 200
    return page.text


def test_a_group_runs_three_sessions_with_actions_that_come_back_and_trends(
    live_site: LiveSite, new_context: NewContext
) -> None:
    fenna = _logged_in(live_site)
    made = _form(
        fenna, "/groepen", "/groepen", name="Intervisiegroep Stadshagen", variant="intervisie"
    )
    assert made.status_code == 303
    group = made.headers["location"].removeprefix("/groepen/")
    console_page = new_context().new_page()
    log_in(console_page, FACILITATOR)
    anna = new_context(PHONE).new_page()

    # Session 1: Anna joins on her phone with the code; Bram and Chris join too.
    first, code = _start(fenna, group, first=True)
    anna.goto("/join")
    anna.get_by_label("Code").fill(code)
    anna.get_by_label("Je naam").fill("Anna")
    anna.get_by_role("button", name="Meedoen").click()
    connected(anna)
    others = [_join(live_site, code, name) for name in ("Bram", "Chris")]
    _begin(console_page, first)
    anna_http = httpx.Client(base_url=live_site.url, timeout=15)
    for cookie in anna.context.cookies():
        anna_http.cookies.set(cookie["name"], cookie["value"])
    for client, rating in zip([anna_http, *others], ("3", "4", "2"), strict=True):
        _harvest(client, first, rating)
    _compose(fenna, first, [("Bel de wijkcoach", "Anna"), ("Zaal reserveren", "")])
    _end(console_page, first)
    assert TOO_FEW in text_of(_region_points(live_site))  # three people: nothing beyond the group

    # Session 2: its terugblik holds both actions; Anna marks hers done, carries the group's.
    second, _ = _start(fenna, group, first=False)
    _next_by_tap(anna, first, second)
    for client in others:  # the others tap "meedoen" on the group's page
        page = client.get(f"/groepen/{group}")
        tapped = _post(
            client, f"/groepen/{group}/meedoen", form_fields(page.text, f"/groepen/{group}/meedoen")
        )
        assert tapped.status_code == 303 and tapped.headers["location"] == f"/s/{second}"
    _to_terugblik(console_page, second)
    expect(anna.get_by_role("heading", name="Terugblik op de acties")).to_be_visible()
    expect(anna.locator(".review-action")).to_have_count(2)
    mine = anna.locator(".review-action", has_text="Bel de wijkcoach")
    expect(mine).to_contain_text("Wie: Anna")
    mine.get_by_role("button", name="Gedaan: Bel de wijkcoach").click()
    ours = anna.locator(".review-action", has_text="Zaal reserveren")
    ours.get_by_role("button", name=re.compile("^Neem mee naar volgende keer")).click()
    expect(mine).to_contain_text("Status: klaar")
    expect(ours).to_contain_text("Status: meegenomen")
    for cookie in anna.context.cookies():
        anna_http.cookies.set(cookie["name"], cookie["value"])
    for client, rating in zip([anna_http, *others], ("4", "4", "3"), strict=True):
        _harvest(client, second, rating)
    _compose(fenna, second, [("Verslag delen met het wijkteam", "Anna")])
    _end(console_page, second)

    # Session 3: only what is still open comes back; two newcomers make five people.
    third, code = _start(fenna, group, first=False)
    _next_by_tap(anna, second, third)
    newcomers = [_join(live_site, code, name) for name in ("Dirk", "Eva")]
    _to_terugblik(console_page, third)
    expect(anna.get_by_role("heading", name="Terugblik op de acties")).to_be_visible()
    expect(anna.locator(".review-action")).to_have_count(2)
    expect(anna.locator(".review-action", has_text="Zaal reserveren")).to_be_visible()
    expect(
        anna.locator(".review-action", has_text="Verslag delen met het wijkteam")
    ).to_be_visible()
    expect(anna.locator(".review-action", has_text="Bel de wijkcoach")).to_have_count(0)
    for cookie in anna.context.cookies():
        anna_http.cookies.set(cookie["name"], cookie["value"])
    for client, rating in zip([anna_http, *newcomers], ("5", "4", "4"), strict=True):
        _harvest(client, third, rating)
    _compose(fenna, third, [])

    # The group's page lists what is still open.
    page = text_of(fenna.get(f"/groepen/{group}").text)
    assert "Zaal reserveren" in page and "Verslag delen met het wijkteam" in page
    assert "Bel de wijkcoach" not in page

    # The group's trends: three sessions, three points of the goal's mean.
    trends = fenna.get(f"/groepen/{group}/trends")
    assert trends.status_code == 200, text_of(trends.text)
    rows = re.findall(r'<th scope="row">(Sessie \d)[^<]*</th><td[^>]*>([^<]*)</td>', trends.text)
    assert [(session, "mensen" in cell) for session, cell in rows[:3]] == [
        ("Sessie 1", True),
        ("Sessie 2", True),
        ("Sessie 3", True),
    ], rows
    # The region's: five different people consented to share openly this quarter.
    region = _region_points(live_site)
    assert TOO_FEW not in text_of(region.split("Collectief werken", 1)[1])
    assert "5 mensen" in text_of(region)
    for client in [fenna, anna_http, *others, *newcomers]:
        client.close()
