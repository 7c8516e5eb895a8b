"""The exercise report's HTML page in a real browser (Debian's chromium driven by Playwright),
opened from a file: no request leaves the file, no console error, no script, both figures drawn.
Its screenshot is the README's picture of the report (`make screenshots`)."""

from __future__ import annotations

from pathlib import Path

from browser import browser_page, require_chromium
from highnorth.cli.app import main

from conftest import DEFAULT_POLICY, ROOT, screenshot_path

playwright = require_chromium()
PLAN = ROOT / "examples" / "nordic-response" / "activities.geojson"


def test_the_report_opens_with_no_network_no_script_and_no_console_error(tmp_path: Path) -> None:
    page_file = tmp_path / "nordic-response.html"
    args = ["exercise", "report", str(PLAN), "--policy", str(DEFAULT_POLICY), "-f", "html", "-o", str(page_file)]
    assert main(args) == 4
    url = page_file.as_uri()
    problems: list[str] = []
    with browser_page(playwright, url, problems, allowed=[]) as page:
        page.goto(url, wait_until="load")
        assert page.title() == "Nordic Response 2024 — exercise report"
        assert page.evaluate("() => document.scripts.length") == 0
        sizes = page.evaluate("() => [...document.images].map(i => [i.complete, i.naturalWidth, i.alt])")
        assert len(sizes) == 2 and all(done and width > 300 for done, width, _ in sizes), sizes
        headings = page.evaluate("() => [...document.querySelectorAll('h2')].map(h => h.textContent)")
        assert headings[:4] == [
            "Participants (as declared)",
            "Exercise-level duties (OSCE Vienna Document)",
            "Deadlines",
            "Activities",
        ]
        assert page.locator("text=porsangmoen-request").count() >= 2
        page.set_viewport_size({"width": 1200, "height": 1500})
        page.screenshot(path=str(screenshot_path("exercise-report.png")), full_page=False)
    assert problems == []


def test_the_report_is_a_view_of_the_web_application(tmp_path: Path) -> None:
    """Signed in, a plan chosen from a file is reported in the application's exercise view: the
    same page's content, under the application's CSP (no inline style needed), no console error."""
    from live_server import cli, running_server

    db = tmp_path / "exercise.db"
    cli("users", "add", "approver", "--role", "approver", "--db", str(db))
    token = cli("tokens", "create", "approver", "--db", str(db)).strip()
    problems: list[str] = []
    with (
        running_server(db, tmp_path, "exercise") as server,
        browser_page(playwright, server.base, problems, [], token) as page,
    ):
        page.goto(f"{server.base}/exercises")
        page.set_input_files("#plan", str(PLAN))
        page.fill("#compare", "2025-06-01")
        page.click("#plan-form button[type=submit]")
        page.wait_for_selector("#report h1", timeout=60_000)
        assert page.locator("#report h1").inner_text() == "Nordic Response 2024: exercise report"
        assert page.evaluate("() => document.querySelectorAll('#report script, #report style').length") == 0
        sizes = page.evaluate("() => [...document.querySelectorAll('#report img')].map(i => i.naturalWidth)")
        assert len(sizes) == 2 and all(width > 300 for width in sizes), sizes
        text = page.locator("#report").inner_text()
        assert "porsangmoen-request: denied → conditional" in text
        colour = page.evaluate("() => getComputedStyle(document.querySelector('#report .o-denied')).backgroundColor")
        assert colour == "rgb(242, 176, 138)"  # exercises.css stands in for the page's own style
    assert problems == []
