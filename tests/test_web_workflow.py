"""The workflow views in a real browser (Debian's chromium driven by Playwright) against a real
`highnorth serve` on SQLite: sign-in by pasting a token, a requester files the Kirkenes port call
from a file, an approver finds it in the queue with its reasons and map, a stale approve shows the
409 in words, an approval whose note holds markup is shown as text in the audit view, a viewer is
offered no approve button, and an allocated request is on the reservations time line and map. Every
request to another host is refused; a failed request or a console error fails the test, except
the ones provoked on purpose."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx

from api_helpers import EXAMPLE, collection
from browser import ARGS, CHROMIUM, guard, require_chromium
from browser import browser_page as guarded_page
from highnorth.store import Store, sqlite_url
from live_server import running_server

from conftest import screenshot_path

ROOT = Path(__file__).resolve().parents[1]
KIRKENES = ROOT / "examples" / "api" / "kirkenes-port-call.geojson"
USERS = {
    "requester": ("us-liaison", "USA"),
    "approver": ("nor-approver", None),
    "airspace_manager": ("caoc-asm", None),
    "viewer": ("public", None),
    "admin": ("admin", None),
}
NOTE = "<b>cleared</b><img src=x onerror=alert(1)>"

playwright = require_chromium()


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


def june_2025(activity_id: str, new_id: str, start: str, end: str, **properties) -> dict:
    """A Nordic Response activity moved to June 2025 (after the amendment), under a new id."""
    feature = copy.deepcopy(next(f for f in EXAMPLE["features"] if f["id"] == activity_id))
    feature["id"] = new_id
    feature["properties"].update(start=start, end=end, **properties)
    return feature


def settled(page) -> None:
    """Nothing in flight (the map's worker and data loaded) before the page reloads itself: a load
    cut short by a navigation would show as a failed request."""
    page.wait_for_load_state("networkidle")


def sign_in(page, token: str, name: str) -> None:
    settled(page)
    page.click("button.signin-open")
    page.fill("#signin-token", token)
    page.keyboard.press("Enter")  # the form submits from the keyboard
    page.wait_for_selector(f"#who:has-text('{name}')", timeout=30_000)


def sign_out(page) -> None:
    settled(page)
    page.click("button.signin-out")
    page.wait_for_selector("button.signin-open", timeout=30_000)


def test_requests_queue_audit_and_reservations_in_a_browser(tmp_path: Path) -> None:
    db = tmp_path / "workflow.db"
    tokens = make_users(db)
    with running_server(db, tmp_path, "workflow") as server, playwright.sync_playwright() as p:
        api = httpx.Client(base_url=server.base, timeout=60)
        auth = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        problems: list[str] = []
        allowed_console: list[str] = []
        guard(page, server.base, problems, allowed_console)

        # signed out: the page says to sign in; a wrong token is refused in words
        page.goto(f"{server.base}/requests")
        page.wait_for_selector("#signed-out:not([hidden])")
        allowed_console.append("status of 401")
        page.click("button.signin-open")
        page.fill("#signin-token", "hn_not-a-token")
        page.keyboard.press("Enter")
        page.wait_for_selector("#signin-error:has-text('token')")
        allowed_console.remove("status of 401")
        assert page.locator("label[for=signin-token]").inner_text() == "API token"
        assert page.locator("#signin-token").get_attribute("type") == "password"
        page.keyboard.press("Escape")

        # a requester signs in and files the Kirkenes port call from its file
        sign_in(page, tokens["requester"], "us-liaison")
        assert "requester · USA" in page.locator("#who").inner_text()
        assert page.evaluate("() => sessionStorage.getItem('highnorth.token')") == tokens["requester"]
        page.set_input_files("#file", str(KIRKENES))
        page.click("#submit-button")
        page.wait_for_selector("#submit-done:has-text('referred')", timeout=60_000)
        request_id = page.evaluate("() => new URLSearchParams(location.search).get('selected')")
        assert request_id and request_id.startswith("req-"), page.url
        page.wait_for_function("(id) => document.documentElement.dataset.shown === `${id}:1`", arg=request_id)
        page.wait_for_selector(f"#list button[data-id='{request_id}'][aria-pressed=true]")
        assert page.locator("#approve").count() == 0, "a requester is offered no approve button"
        sign_out(page)

        # an approver: the queue of referred requests, the selected one's reasons and map
        sign_in(page, tokens["approver"], "nor-approver")
        page.wait_for_selector(f"#list button[data-id='{request_id}']", timeout=30_000)
        assert page.locator("#list-title").text_content() == "Queue: referred requests"
        page.click(f"#list button[data-id='{request_id}']")
        page.wait_for_function("(id) => document.documentElement.dataset.shown === `${id}:1`", arg=request_id)
        assert f"selected={request_id}" in page.url
        reason = page.locator("#detail li[data-rule='fm2025-east-case-by-case']").text_content()
        assert "refer" in reason and "official" in reason and "regjeringen.no" in reason, reason
        assert "2025-06-10 06:00" in reason
        page.wait_for_function(
            "() => window.highnorthMap.queryRenderedFeatures({layers: ['activity-point']}).length > 0"
            " && window.highnorthMap.queryRenderedFeatures({layers: ['decision-fill']}).length > 0",
            timeout=30_000,
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("approver-queue.png")))

        # stale: the request changes through another call after the page read it (version 1)
        rescreened = api.post(f"/requests/{request_id}/rescreen", headers=auth["approver"])
        assert rescreened.status_code == 200 and rescreened.json()["version"] == 2, rescreened.text
        allowed_console.append("status of 409")
        page.fill("#note", "too late")
        page.click("#approve")
        page.wait_for_selector("#decide-error:has-text('changed since you read it')", timeout=30_000)
        message = page.locator("#decide-error").inner_text()
        assert message.startswith("Not approved: request") and "at version 2, not 1" in message, message
        allowed_console.remove("status of 409")

        # read again, approve with a note holding markup: shown as text in the audit view
        settled(page)
        page.reload()
        page.wait_for_function("(id) => document.documentElement.dataset.shown === `${id}:2`", arg=request_id)
        page.fill("#note", NOTE)
        page.click("#approve")
        page.wait_for_selector("#decided:has-text('Approved')", timeout=30_000)
        assert "approved (version 3)" in page.locator("#decided").inner_text()
        settled(page)
        page.click("#detail a.more")  # the audit entries of this request
        page.wait_for_function(
            "(id) => (document.documentElement.dataset.entries ?? '').startsWith(id + ':')", arg=request_id
        )
        approve_row = page.locator("#entries-body tr[data-action='approve']")
        assert approve_row.locator(".note-text").inner_text() == NOTE
        assert page.locator("#entries-body b, #entries-body img").count() == 0, "the note was parsed as HTML"
        assert [a for a in page.locator("#entries-body td.action").all_inner_texts()] == [
            "approve",
            "rescreen",
            "submit",
        ]  # fmt: skip  (newest first)
        page.wait_for_selector("#verify.ok")
        assert "Verified" in page.locator("#verify-status").inner_text()
        sign_out(page)

        # a viewer: no requests, no approve button
        sign_in(page, tokens["viewer"], "public")
        settled(page)
        page.goto(f"{server.base}/requests?selected={request_id}")
        page.wait_for_selector("#signed-out:not([hidden])")
        assert "viewer" in page.locator("#signed-out").inner_text()
        assert page.locator("#approve").count() == 0
        sign_out(page)

        # reservations: the approved request and others in June 2025, booked through the API
        reserved = [request_id]
        others = [
            june_2025("uk-frigate-hammerfest", "gbr-frigate-kirkenes-2025", "2025-06-11T06:00:00Z",
                      "2025-06-13T18:00:00Z"),
            june_2025("porsangmoen-request", "usa-porsangmoen-2025", "2025-06-09T06:00:00Z", "2025-06-14T16:00:00Z"),
            june_2025("airspace-banak-amendment", "usa-banak-airspace-2025", "2025-06-11T18:00:00Z",
                      "2025-06-12T04:00:00Z"),
            june_2025("nor-f35-banak", "nor-f35-banak-2025", "2025-06-12T09:00:00Z", "2025-06-12T09:20:00Z"),
        ]  # fmt: skip
        others[0]["geometry"]["coordinates"] = [30.05, 69.727]  # beside the destroyer at Kirkenes
        filed = api.post("/requests", json=collection(*others), headers=auth["admin"])
        assert filed.status_code == 201, filed.text
        for r in filed.json()["requests"]:
            if r["state"] == "referred":
                assert api.post(f"/requests/{r['id']}/approve", headers=auth["approver"]).status_code == 200
            if r["state"] != "rejected":
                reserved.append(r["id"])
        for rid in reserved:
            booked = api.post(f"/requests/{rid}/allocate", headers=auth["airspace_manager"])
            assert booked.status_code == 200, booked.text
        sign_in(page, tokens["airspace_manager"], "caoc-asm")
        settled(page)
        page.goto(f"{server.base}/reservations")
        page.wait_for_function("() => (document.documentElement.dataset.loaded ?? '').includes(':')", timeout=30_000)
        loaded = page.evaluate("document.documentElement.dataset.loaded")
        n_volumes, n_conflicts = map(int, loaded.split(":"))
        assert n_volumes == len(reserved) and n_conflicts >= 1, loaded
        bar = page.locator(f".tl-bar[data-request='{request_id}']")
        assert "us-destroyer-kirkenes-2025" in bar.inner_text()
        assert "conflicted" in (bar.get_attribute("class") or "")
        assert page.locator(f".tl-row[data-request='{request_id}'] .tl-conflict").count() >= 1
        page.wait_for_function(
            "() => window.highnorthMap.queryRenderedFeatures({layers: ['conflicts-fill']}).length > 0"
            " || window.highnorthMap.getZoom() < 6",
            timeout=30_000,
        )
        zoom_before = page.evaluate("window.highnorthMap.getZoom()")
        bar.click()
        page.wait_for_function("(id) => document.documentElement.dataset.selected === id", arg=request_id)
        assert f"selected={request_id}" in page.url
        assert bar.get_attribute("aria-pressed") == "true"
        assert page.evaluate("window.highnorthMap.getZoom()") > zoom_before
        page.wait_for_function(
            "(id) => window.highnorthMap.queryRenderedFeatures({layers: ['selected-line']})"
            ".some(f => f.properties.request === id)",
            arg=request_id,
            timeout=30_000,
        )
        # a conflict from the list: its shared footprint highlighted, named by the activities
        page.click(".conflict-item:has-text('us-destroyer-kirkenes-2025')")
        page.wait_for_function("() => (document.documentElement.dataset.selected ?? '').includes('+')")
        assert "gbr-frigate-kirkenes-2025" in page.locator("#selected").inner_text()
        # for the screenshot: every volume over Finnmark, the conflicts in red
        page.click("#show-all")
        page.wait_for_function("() => document.documentElement.dataset.selected === ''")
        assert "selected=" not in page.url
        page.wait_for_timeout(400)
        page.screenshot(path=str(screenshot_path("reservations.png")))
        browser.close()
        api.close()
    assert problems == [], problems


def test_every_workflow_action_has_its_button_for_the_roles_that_may(tmp_path: Path) -> None:
    """An airspace manager allocates airspace to an approved request from the page, a requester cancels its
    own; buttons appear only for what the role may do in the request's state."""
    db = tmp_path / "actions.db"
    tokens = make_users(db)
    with running_server(db, tmp_path, "actions") as server:
        api = httpx.Client(base_url=server.base, timeout=60)
        auth = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
        filed = api.post("/requests", content=KIRKENES.read_bytes(), headers=auth["requester"]).json()["requests"][0]
        approved = api.post(f"/requests/{filed['id']}/approve", json={"note": "ok"}, headers=auth["approver"]).json()
        assert approved["state"] == "approved"
        problems: list[str] = []
        with guarded_page(playwright, server.base, problems, [], tokens["airspace_manager"]) as page:
            page.goto(f"{server.base}/requests?selected={filed['id']}")
            page.wait_for_selector("#allocate")
            assert page.locator("#approve").count() == 0 and page.locator("#cancel").count() == 0
            page.fill("#note", "<i>booked</i>")
            page.click("#allocate")
            page.wait_for_selector("#decided:has-text('Allocated')")
            assert api.get(f"/requests/{filed['id']}", headers=auth["approver"]).json()["state"] == "allocated"
        with guarded_page(playwright, server.base, problems, [], tokens["requester"]) as page:
            page.goto(f"{server.base}/requests?selected={filed['id']}")
            page.wait_for_selector("#cancel")
            assert page.locator("#allocate").count() == 0 and page.locator("#approve").count() == 0
            page.click("#cancel")
            page.wait_for_selector("#decided:has-text('Cancelled')")
        assert api.get(f"/requests/{filed['id']}", headers=auth["approver"]).json()["state"] == "cancelled"
        assert not problems, problems


def test_the_request_list_and_the_audit_log_page_newest_first(tmp_path: Path) -> None:
    """105 requests: the list and the audit log show the newest 100 and link to the older ones,
    with the page in the URL (back and forward work)."""
    db = tmp_path / "pages.db"
    tokens = make_users(db)
    with running_server(db, tmp_path, "pages") as server:
        call = json.loads(KIRKENES.read_text())
        feature = call["features"][0]
        many = {**call, "features": [{**feature, "id": f"call-{n:03d}"} for n in range(105)]}
        filed = httpx.post(
            f"{server.base}/requests", json=many, headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=120
        )
        assert filed.status_code == 201, filed.text
        head = httpx.get(
            f"{server.base}/audit/verify", headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=60
        ).json()["head_seq"]  # the users and tokens made, then the 105 submissions
        problems: list[str] = []
        with guarded_page(playwright, server.base, problems, [], tokens["admin"]) as page:
            page.goto(f"{server.base}/requests?state=all")
            page.wait_for_function("() => document.documentElement.dataset.listed === 'all:0:100'")
            assert page.locator("#list-title").text_content() == "Requests 1–100"
            assert page.locator("#newer").is_hidden()
            newest = page.locator("#list .req-activity").first.inner_text()
            page.click("#older")
            page.wait_for_function("() => document.documentElement.dataset.listed === 'all:100:5'")
            assert "offset=100" in page.url and page.locator("#older").is_hidden()
            assert page.locator("#list-title").text_content() == "Requests 101–105"
            assert newest not in page.locator("#list").inner_text()
            page.go_back()
            page.wait_for_function("() => document.documentElement.dataset.listed === 'all:0:100'")

            page.goto(f"{server.base}/audit")
            page.wait_for_function("() => document.documentElement.dataset.entries === '::100'")
            seqs = [int(s) for s in page.locator("#entries-body tr td.num:first-child").all_inner_texts()]
            assert seqs == list(range(head, head - 100, -1)), seqs[:5]
            assert page.locator("#entries-title").text_content() == f"Entries #{head}–#{head - 99}, newest first"
            page.click("#older")
            page.wait_for_function(
                "(n) => document.documentElement.dataset.entries === `:${n}:${n - 1}`", arg=head - 99
            )
            seqs = [int(s) for s in page.locator("#entries-body tr td.num:first-child").all_inner_texts()]
            assert seqs == list(range(head - 100, 0, -1)) and f"before={head - 99}" in page.url
            page.click("#newest")
            page.wait_for_function("() => document.documentElement.dataset.entries === '::100'")
        assert not problems, problems
