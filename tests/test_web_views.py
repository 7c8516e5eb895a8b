"""The diff and screen views in a real browser (Debian's chromium driven by Playwright) against a
real `highnorth serve`: every request to another host is refused and fails the test, as does a
failed request, a page error or a console error other than the one a provoked 4xx logs. The diff
of US flights across the 2025 amendment lists its changes with km² and draws them; screening the
Kirkenes port call from a file shows `referred` with the case-by-case reason, its obligations and
an entry marker on the map; a file that is not GeoJSON, an end before the start and an unknown
nation get the server's words next to their field; an id with markup is shown as text; a track
drawn on the map (Terra Draw) is screened; without a token the page says to sign in."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx

from browser import browser_page as guarded_page
from browser import require_chromium
from live_server import cli, running_server

from conftest import screenshot_path

ROOT = Path(__file__).resolve().parents[1]
PORT_CALL = ROOT / "examples" / "api" / "kirkenes-port-call.geojson"
MARKUP = "<img src=x onerror=alert(1)>"

playwright = require_chromium()


def browser_page(base: str, problems: list[str], allowed: list[str], token: str | None = None):
    """A guarded page in chromium (tests/browser.py)."""
    return guarded_page(playwright, base, problems, allowed, token)


def test_the_diff_view(tmp_path: Path) -> None:
    problems: list[str] = []
    allowed: list[str] = []
    with (
        running_server(tmp_path / "diff.db", tmp_path, "diff") as server,
        browser_page(server.base, problems, allowed) as page,
    ):
        page.goto(f"{server.base}/diff?nation=USA&kind=flight&from=2025-05-21&to=2025-05-23")
        page.wait_for_function(
            "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-21/2025-05-23'", timeout=60_000
        )
        changes = page.locator("#changes li.change")
        assert changes.count() == 2
        text = page.locator("#changes").inner_text()
        assert "Denied → Conditional" in text and "Denied → Referred" in text and text.count("km²") == 2, text
        assert "30,268 km²" in text and "21,568 km²" in text, text
        assert "2022.1" in page.locator("#when").inner_text() and "2025.1" in page.locator("#when").inner_text()
        drawn = page.evaluate(
            "() => window.highnorthMap.queryRenderedFeatures({layers: ['change-fill']})"
            ".map(f => `${f.properties.before}>${f.properties.after}`)"
        )
        assert {"denied>conditional", "denied>referred"} <= set(drawn), drawn
        assert page.locator(".diff-label").count() == 2  # the numbers on the map, as text
        # the land under the changes (a view without a decision map sets it at once)
        page.wait_for_function("() => window.highnorthMap.querySourceFeatures('land').length > 0", timeout=30_000)
        assert page.locator("#amendment").get_attribute("aria-pressed") == "true"
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("diff.png")))

        # state in the URL; a date with no change says so
        page.fill("#from", "2025-05-24")
        page.locator("#from").dispatch_event("change")
        page.wait_for_function(
            "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-24/2025-05-23'", timeout=60_000
        )
        assert "from=2025-05-24" in page.url
        assert "Nothing changed" in page.locator("#changes").inner_text()
        page.click("#amendment")
        page.wait_for_function(
            "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-21/2025-05-23'", timeout=60_000
        )

        # an altitude band: asked for, in the URL; upside down, the server's words under the upper limit
        page.click("#more summary")
        asked: list[str] = []
        page.on("request", lambda r: "/decision-maps/diff?" in r.url and asked.append(r.url))
        page.fill("#upper", "500")
        page.locator("#upper").dispatch_event("change")
        page.wait_for_function(
            "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-21/2025-05-23'", timeout=60_000
        )
        assert "upper=500" in page.url and asked and "upper_m=500" in asked[-1], asked
        allowed.append("status of 422")
        page.fill("#lower", "900")
        page.locator("#lower").dispatch_event("change")
        page.wait_for_function("() => document.documentElement.dataset.rendered === 'error'", timeout=60_000)
        assert page.locator("#upper-error").inner_text() == "upper_m: expected at least lower_m (900 m), got 500 m"
        page.fill("#lower", "")
        page.locator("#lower").dispatch_event("change")
        page.fill("#upper", "")
        page.locator("#upper").dispatch_event("change")
        page.wait_for_function(
            "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-21/2025-05-23'"
            " && !/[?&](lower|upper)=/.test(location.search)",
            timeout=60_000,
        )
        assert page.locator("#upper-error").inner_text() == ""

        # the server's error in words next to the nation
        page.fill("#nation", "XXX")
        page.locator("#nation").dispatch_event("change")
        page.wait_for_function("() => document.documentElement.dataset.rendered === 'error'", timeout=60_000)
        assert "unknown nation `XXX`" in page.locator("#nation-error").inner_text()
        assert page.locator("#nation").get_attribute("aria-invalid") == "true"
    assert problems == [], problems


def wait_screened(page, outcome: str) -> None:
    page.wait_for_function("(o) => document.documentElement.dataset.screened === o", arg=outcome, timeout=60_000)


def test_the_screen_view(tmp_path: Path) -> None:
    db = tmp_path / "screen.db"
    cli("users", "add", "approver", "--role", "approver", "--db", str(db))
    token = cli("tokens", "create", "approver", "--db", str(db)).strip()
    problems: list[str] = []
    allowed: list[str] = []
    with running_server(db, tmp_path, "screen") as server:
        # the page for a browser; the API's `POST /screen` (405 to any other GET) for everyone else
        html = httpx.get(f"{server.base}/screen", headers={"Accept": "text/html"}, timeout=10)
        assert html.status_code == 200 and "screen.js" in html.text and "content-security-policy" in html.headers
        api = httpx.get(f"{server.base}/screen", headers={"Accept": "application/json"}, timeout=10)
        assert api.status_code == 405 and api.headers["allow"] == "POST", (api.status_code, api.headers)
        with browser_page(server.base, problems, allowed, token) as page:
            page.goto(f"{server.base}/screen")
            page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=60_000)
            assert page.locator("#auth-note").is_hidden()

            # the example port call from a file: referred, case by case, with its obligation and entry marker
            page.set_input_files("#file", str(PORT_CALL))
            page.wait_for_function("() => document.getElementById('id').value === 'us-destroyer-kirkenes-2025'")
            assert page.locator("#kind").input_value() == "port_call"
            assert page.locator("#start").input_value() == "2025-06-10T06:00"
            page.click("#submit")
            wait_screened(page, "referred")
            assert page.locator("#outcome [data-outcome]").get_attribute("data-outcome") == "referred"
            reason = page.locator("#reasons li[data-rule='fm2025-east-case-by-case']")
            assert reason.count() == 1
            text = reason.inner_text()
            assert "finnmark-east-parts" in text and "official" in text and "regjeringen.no" in text, text
            assert "2025-06-10 06:00 UTC" in text, text
            assert "Due 2025-05-27 06:00 UTC" in page.locator("#obligations").inner_text()
            entries = page.evaluate(
                "() => window.highnorthMap.queryRenderedFeatures({layers: ['exposure-entry']}).map(f => f.properties.zone)"
            )
            assert "finnmark-east-parts" in entries, entries
            table = page.locator("#zones tbody").inner_text()
            assert "finnmark-east-parts" in table and "69.727° N, 30.046° E" in table and "any altitude" in table, table

            # bad input: the server's words next to the field
            allowed.append("status of 422")
            page.set_input_files(
                "#file", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not geojson"}]
            )
            page.wait_for_function("() => document.getElementById('file-error').textContent !== ''", timeout=30_000)
            assert "not valid JSON" in page.locator("#file-error").inner_text()
            page.set_input_files("#file", str(PORT_CALL))
            page.wait_for_function("() => document.getElementById('file-error').textContent === ''")
            page.fill("#end", "2025-06-09T08:00")
            page.fill("#nation", "XXX")
            page.click("#submit")
            wait_screened(page, "error")
            assert "not after start" in page.locator("#end-error").inner_text()
            assert "unknown nation `XXX`" in page.locator("#nation-error").inner_text()
            assert page.locator("#nation").get_attribute("aria-invalid") == "true"

            # markup in the id is shown as text
            page.fill("#nation", "USA")
            page.fill("#end", "2025-06-12T06:00")
            page.fill("#id", MARKUP)
            page.click("#submit")
            wait_screened(page, "referred")
            assert page.locator("#outcome .id").inner_text() == MARKUP
            assert page.locator("#outcome img, #reasons img, #zones img").count() == 0

            # a track drawn on the map with Terra Draw, screened as a flight
            page.click("#clear")
            page.fill("#id", "drawn-flight")
            page.select_option("#kind", "flight")
            page.fill("#start", "2025-06-10T08:00")
            page.fill("#end", "2025-06-10T11:00")
            page.fill("#lower", "3000")
            page.fill("#upper", "9000")
            page.fill("#attributes", "{}")
            page.evaluate("() => window.highnorthMap.fitBounds([[14, 68], [32, 72]], {duration: 0, padding: 40})")
            page.click(".draw [data-mode='linestring']")
            vertices = [[16.0, 69.3], [21.5, 70.4], [25.8, 70.9], [28.6, 70.5], [30.3, 69.8]]
            points = page.evaluate(
                "(vs) => vs.map(v => { const p = window.highnorthMap.project(v); return [p.x, p.y]; })", vertices
            )
            for x, y in points:
                page.locator("#map canvas").click(position={"x": x, "y": y})
                page.wait_for_timeout(300)
            page.locator("#map canvas").click(position={"x": points[-1][0], "y": points[-1][1]})  # the last again: done
            page.wait_for_function(
                "() => document.getElementById('geometry-status').textContent.startsWith('Track')", timeout=30_000
            )
            assert "drawn on the map" in page.locator("#geometry-status").inner_text()
            page.click("#submit")
            page.wait_for_function(
                "() => ['referred', 'denied', 'conditional', 'permitted'].includes(document.documentElement.dataset.screened)",
                timeout=60_000,
            )
            rows = page.locator("#zones tbody tr")
            assert rows.count() >= 2
            assert "3,000 m – 9,000 m AMSL" in page.locator("#zones tbody").inner_text()
            page.wait_for_timeout(400)
            page.screenshot(path=str(screenshot_path("screen.png")))

            # the screened activity is in the URL: the form and the drawn track
            link = page.url
            query = parse_qs(urlparse(link).query)
            assert query["shape"] == ["track"] and query["id"] == ["drawn-flight"] and query["lower"] == ["3000"]
            linked = [float(v) for v in query["coords"][0].split(",")]
            assert len(linked) == 2 * len(vertices) and abs(linked[0] - 16.0) < 0.05, linked

            # edited on the map: the middle vertex dragged south, then screened again
            page.click("#edit")
            page.wait_for_selector("#edit[aria-pressed='true']")
            box = page.locator("#map canvas").bounding_box()
            mid = page.evaluate("(v) => { const p = window.highnorthMap.project(v); return [p.x, p.y]; }", linked[4:6])
            mid = [box["x"] + mid[0], box["y"] + mid[1]]  # the page's pixels, not the canvas's
            page.mouse.move(mid[0], mid[1])
            page.mouse.down()
            for step in range(1, 11):
                page.mouse.move(mid[0], mid[1] + 6 * step)
            page.mouse.up()
            page.screenshot(path=str(screenshot_path("screen-edit.png")))
            page.click("#edit")  # done
            page.wait_for_function(
                "() => document.getElementById('geometry-status').textContent.includes('edited on the map')"
            )
            page.click("#submit")
            page.wait_for_function("(old) => location.href !== old", arg=link, timeout=60_000)
            edited = [float(v) for v in parse_qs(urlparse(page.url).query)["coords"][0].split(",")]
            assert len(edited) == len(linked) and edited[:4] == linked[:4], (linked, edited)
            assert edited[5] < linked[5] - 0.1, f"the middle vertex did not move south: {linked[5]} -> {edited[5]}"

            # the link opens the same activity, screened at once
            outcome = page.evaluate("() => document.documentElement.dataset.screened")
            page.goto(page.url)
            wait_screened(page, outcome)
            assert page.locator("#id").input_value() == "drawn-flight"
            assert "from the link" in page.locator("#geometry-status").inner_text()

        # without a token: the page and the server say to sign in
        with browser_page(server.base, problems, ["status of 401"]) as page:
            page.goto(f"{server.base}/screen")
            page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=60_000)
            assert "sign in to screen" in page.locator("#auth-note").inner_text()
            page.set_input_files("#file", str(PORT_CALL))
            page.wait_for_function("() => document.getElementById('id').value !== 'activity-1'")
            page.click("#submit")
            wait_screened(page, "error")
            assert "Sign in to screen: the server answered 401" in page.locator("#submit-error").inner_text()
    assert problems == [], problems
