"""Accessibility of every view in a real browser (Debian's chromium driven by Playwright) against a
real `highnorth serve`: each view in a state with content (the decision map with a clicked place,
the diff across the 2025 amendment, a screened port call, an approver's referred request, reserved
volumes, a request's audit entries) is checked by axe-core (vendored for the tests only, injected
with add_init_script, which the page's CSP does not govern) against WCAG 2 A and AA: no violation
of impact serious or critical. The decision map's main controls are reached with Tab. Every
request to another host is refused; a failed request or a console error fails the test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api_helpers import collection
from browser import ARGS, CHROMIUM, guard, require_chromium
from highnorth.store import Store, sqlite_url
from live_server import Server, running_server

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
KIRKENES = ROOT / "examples" / "api" / "kirkenes-port-call.geojson"
USERS = {"requester": ("us-liaison", "USA"), "approver": ("nor-approver", None), "airspace_manager": ("caoc-asm", None)}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

playwright = require_chromium()


@dataclass
class Site:
    server: Server
    tokens: dict[str, str]
    referred: str  # a referred request (the Kirkenes port call), left in the approver's queue
    reserved: str  # a request whose volume is reserved


def make_users(db: Path) -> dict[str, str]:
    store = Store(sqlite_url(db))
    try:
        tokens = {}
        for role, (name, nation) in USERS.items():
            store.add_user(name, role, nation)
            tokens[role] = store.create_token(name)
        return tokens
    finally:
        store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("a11y")
    db = tmp / "a11y.db"
    tokens = make_users(db)
    with running_server(db, tmp, "a11y") as server, httpx.Client(base_url=server.base, timeout=60) as api:
        auth = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
        port_call = json.loads(KIRKENES.read_text())
        filed = api.post("/requests", json=port_call, headers=auth["requester"])
        assert filed.status_code == 201, filed.text
        referred = filed.json()["requests"][0]
        assert referred["state"] == "referred", referred
        # the same port call a day later, approved and reserved
        later = port_call["features"][0] | {"id": "us-destroyer-kirkenes-2025-b"}
        later["properties"] = later["properties"] | {"start": "2025-06-13T08:00:00+02:00", "end": "2025-06-14T08:00:00+02:00"}  # fmt: skip
        second = api.post("/requests", json=collection(later), headers=auth["requester"])
        assert second.status_code == 201, second.text
        reserved = second.json()["requests"][0]["id"]
        assert api.post(f"/requests/{reserved}/approve", headers=auth["approver"]).status_code == 200
        booked = api.post(f"/requests/{reserved}/reserve", headers=auth["airspace_manager"])
        assert booked.status_code == 200, booked.text
        yield Site(server, tokens, referred["id"], reserved)


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page_for(site: Site, browser) -> Iterator:
    """`page_for(role)`: a page signed in as `role` (or not, for None) with axe-core injected, that
    refuses every outside request; problems are checked when the test ends."""
    problems: list[str] = []
    contexts = []

    def make(role: str | None):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        contexts.append(context)
        page = context.new_page()
        if role:
            page.add_init_script(f"window.sessionStorage.setItem('highnorth.token', {site.tokens[role]!r});")
        page.add_init_script(path=str(AXE))
        guard(page, site.server.base, problems, [])
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], problems


def assert_accessible(page, view: str) -> None:
    """axe-core on the whole page (WCAG 2 A/AA rules): no serious or critical violation."""
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof window.axe?.run") == "function", "axe-core was not injected"
    found = page.evaluate(
        """async (tags) => {
            const result = await window.axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                            resultTypes: ['violations', 'incomplete']});
            const brief = (v) => ({id: v.id, impact: v.impact, help: v.help,
                                   targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 8)});
            return {passes: result.passes.length, violations: result.violations.map(brief),
                    incomplete: result.incomplete.map(brief)};
        }""",
        WCAG,
    )
    violations = found["violations"]
    print(f"{view}: axe-core {found['passes']} rules passed, {len(violations)} violated")
    for v in violations:
        print(f"{view}: {v['impact']} {v['id']}: {v['help']} at {v['targets']}")
    for v in found["incomplete"]:  # axe could not decide (text over the map canvas, say): for a person to look at
        print(f"{view}: needs review: {v['impact']} {v['id']}: {v['help']} at {v['targets']}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{view}: axe-core found serious or critical violations:\n" + "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}" for v in blocking
    )


def test_the_decision_map(site: Site, page_for) -> None:
    page = page_for(None)
    page.goto(f"{site.server.base}/?nation=USA&kind=flight&at=2025-05-22")
    page.wait_for_function(
        "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-22'", timeout=60_000
    )
    point = page.evaluate("() => { const p = window.highnorthMap.project([29.5, 70.1]); return [p.x, p.y]; }")
    page.locator("#map canvas").click(position={"x": point[0], "y": point[1]})
    page.wait_for_selector("#place li[data-rule='fm2025-east-case-by-case']", timeout=30_000)
    page.click("#more summary")  # the band, attributes and layers shown too
    assert_accessible(page, "decision map")
    page.click("button.signin-open")  # the sign-in form open over the map
    page.wait_for_selector("#signin-token", state="visible")
    assert_accessible(page, "decision map with the sign-in form")


def test_the_decision_map_controls_are_reached_with_tab(site: Site, page_for) -> None:
    page = page_for(None)
    page.goto(f"{site.server.base}/?nation=USA&kind=flight&at=2025-05-22")
    page.wait_for_function(
        "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-22'", timeout=60_000
    )
    wanted = {
        "nation": "#nation", "date": "#date", "slider": "#slider", "settings": "#more summary",
        "place": "#place-input", "map centre": "#place-centre", "sign-in": "button.signin-open",
    }  # fmt: skip
    reached: dict[str, int] = {}
    page.locator("body").focus()
    for n in range(60):
        page.keyboard.press("Tab")
        for name, selector in wanted.items():
            if name not in reached and page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
                reached[name] = n
        if len(reached) == len(wanted):
            break
    assert set(reached) == set(wanted), f"Tab did not reach {set(wanted) - set(reached)} (reached {reached})"


def test_the_diff_view(site: Site, page_for) -> None:
    page = page_for(None)
    page.goto(f"{site.server.base}/diff?nation=USA&kind=flight&from=2025-05-21&to=2025-05-23")
    page.wait_for_function(
        "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-21/2025-05-23'", timeout=60_000
    )
    assert_accessible(page, "diff")


def test_the_screen_view(site: Site, page_for) -> None:
    page = page_for("approver")
    page.goto(f"{site.server.base}/screen")
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=60_000)
    page.set_input_files("#file", str(KIRKENES))
    page.wait_for_function("() => document.getElementById('id').value === 'us-destroyer-kirkenes-2025'")
    page.click("#submit")
    page.wait_for_function("() => document.documentElement.dataset.screened === 'referred'", timeout=60_000)
    assert_accessible(page, "screen")


def test_the_requests_view(site: Site, page_for) -> None:
    page = page_for("approver")
    page.goto(f"{site.server.base}/requests?selected={site.referred}")
    page.wait_for_function(
        "(id) => document.documentElement.dataset.shown === `${id}:1`", arg=site.referred, timeout=60_000
    )
    page.wait_for_selector("#approve")
    assert_accessible(page, "requests")


def test_the_reservations_view(site: Site, page_for) -> None:
    page = page_for("airspace_manager")
    page.goto(f"{site.server.base}/reservations")
    page.wait_for_function("() => (document.documentElement.dataset.loaded ?? '').includes(':')", timeout=60_000)
    assert page.evaluate("document.documentElement.dataset.loaded").startswith("1:")
    page.wait_for_selector(f".tl-bar[data-request='{site.reserved}']")
    assert_accessible(page, "reservations")


def test_the_audit_view(site: Site, page_for) -> None:
    page = page_for("approver")
    page.goto(f"{site.server.base}/audit?request={site.reserved}")
    page.wait_for_function(
        "(id) => (document.documentElement.dataset.entries ?? '').startsWith(id + ':')", arg=site.reserved
    )
    page.wait_for_selector("#verify.ok", timeout=30_000)
    assert_accessible(page, "audit")


def test_the_exercise_view(site: Site, page_for) -> None:
    page = page_for("approver")
    page.goto(f"{site.server.base}/exercises")
    page.set_input_files("#plan", str(ROOT / "examples" / "nordic-response" / "activities.geojson"))
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#report h1", timeout=60_000)
    assert_accessible(page, "exercise report")
