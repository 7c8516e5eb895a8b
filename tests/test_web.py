"""The web application in a real browser (Debian's chromium driven by Playwright) against a real
`highnorth serve`: every request to another host is refused and fails the test, as does a failed
request or a console error; the decision map is drawn from the server alone, moving the date
across 2025-05-22 changes what is drawn for US flights, a click lists the rules with basis and
source, the view state is in the URL, and a server error is shown next to its field."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

from live_server import running_server

from conftest import screenshot_path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it and runs this test)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def rendered_outcomes(page) -> list[str]:
    return page.evaluate(
        "() => [...new Set(window.highnorthMap.queryRenderedFeatures({layers: ['decision-fill']})"
        ".map(f => f.properties.outcome))].sort()"
    )


def wait_rendered(page, key: str) -> None:
    # a function, not an expression: the page's CSP forbids evaluating strings
    page.wait_for_function("(key) => document.documentElement.dataset.rendered === key", arg=key, timeout=60_000)


def test_the_decision_map_in_a_browser(tmp_path: Path) -> None:
    with running_server(tmp_path / "web.db", tmp_path, "web") as server, playwright.sync_playwright() as p:
        page_answer = httpx.get(f"{server.base}/?nation=USA", timeout=10)
        assert page_answer.status_code == 200
        csp = page_answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'self'" in csp and "unsafe-inline" not in csp
        worker = httpx.get(f"{server.base}/app/vendor/maplibre-gl/maplibre-gl-worker.mjs", timeout=10)
        assert worker.headers["content-type"].startswith("text/javascript"), worker.headers["content-type"]
        assert "content-security-policy" not in httpx.get(f"{server.base}/docs", timeout=10).headers

        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        problems: list[str] = []
        allowed_console: list[str] = []
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.base) else
                   (problems.append(f"outside request: {route.request.url}"), route.abort())[1])  # fmt: skip
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: m.type == "error" and not any(a in m.text for a in allowed_console) and problems.append(m.text),
        )

        page.goto(f"{server.base}/?nation=USA&kind=flight&at=2025-05-21")
        wait_rendered(page, "USA/flight/2025-05-21")
        first_idle_ms = page.evaluate("window.highnorthTimings.firstIdle")
        print(f"time from page start to the first idle with the decision layer: {first_idle_ms:.0f} ms")
        before = rendered_outcomes(page)
        assert "permitted" in before and "denied" in before and "referred" not in before, before
        assert "2025-05-20 22:00 UTC" in page.locator("#when").inner_text()
        assert "Europe/Oslo" in page.locator("#when").inner_text()
        assert "2022.1" in page.locator("#policy").inner_text()

        # the slider across the 2025 amendment (version 2025.1 from 2025-05-22 Europe/Oslo)
        slider = page.locator("#slider")
        slider.focus()
        page.keyboard.press("ArrowRight")  # 2025-05-22
        wait_rendered(page, "USA/flight/2025-05-22")
        after = rendered_outcomes(page)
        assert "referred" in after and after != before, (before, after)
        assert "2025.1" in page.locator("#policy").inner_text()
        assert "at=2025-05-22" in page.url
        legend = page.locator("#legend").inner_text()
        assert all(word in legend for word in ("Permitted", "Conditional", "Referred", "Denied"))

        # a click in eastern Finnmark: the case-by-case rule, with its basis and source
        point = page.evaluate("() => { const p = window.highnorthMap.project([29.5, 70.1]); return [p.x, p.y]; }")
        page.locator("#map canvas").click(position={"x": point[0], "y": point[1]})
        page.wait_for_selector("#place li[data-rule='fm2025-east-case-by-case']", timeout=30_000)
        place = page.locator("#place").inner_text()
        assert "Referred" in place and "regjeringen.no" in place and "assumption" in place
        assert re.search(r"[?&]place=29\.\d{4},70\.\d{4}", page.url), page.url
        page.wait_for_function("() => window.highnorthMap.querySourceFeatures('assumed').length > 0", timeout=30_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(screenshot_path("decision-map.png")))

        # back: the date before the amendment again, from the URL
        page.go_back()
        wait_rendered(page, "USA/flight/2025-05-22")
        page.go_back()
        wait_rendered(page, "USA/flight/2025-05-21")
        assert page.locator("#date").input_value() == "2025-05-21"

        # a server error in words next to the field; the browser logs the 422 itself
        allowed_console.append("status of 422")
        page.fill("#nation", "XXX")
        page.keyboard.press("Enter")
        page.locator("#nation").blur()
        wait_rendered(page, "error")
        assert "unknown nation `XXX`" in page.locator("#nation-error").inner_text()
        assert page.locator("#nation").get_attribute("aria-invalid") == "true"
        browser.close()
    assert problems == [], problems
