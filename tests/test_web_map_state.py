"""The decision map view's further state in a real browser: the altitude band, the attributes of
the hypothetical activity and the layers shown are in the URL and sent to the server; a bad band
or bad attributes get the server's message next to the field; a place is chosen from the
keyboard (typed, or the map's centre after panning with the arrow keys)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from browser import browser_page, require_chromium
from live_server import running_server

playwright = require_chromium()


def wait_rendered(page, key: str) -> None:
    page.wait_for_function("(key) => document.documentElement.dataset.rendered === key", arg=key, timeout=60_000)


def test_band_attributes_layers_and_a_place_from_the_keyboard(tmp_path: Path) -> None:
    problems: list[str] = []
    allowed = ["status of 422"]  # the bad band and attributes below, on purpose
    asked: list[dict[str, list[str]]] = []
    with (
        running_server(tmp_path / "state.db", tmp_path, "state") as server,
        browser_page(playwright, server.base, problems, allowed) as page,
    ):
        page.on(
            "request",
            lambda r: (
                "/decision-maps?" in r.url and "simplify" in r.url and asked.append(parse_qs(urlparse(r.url).query))
            ),
        )
        # layers from the URL: the land hidden, the settings opened because one is not the default
        page.goto(f"{server.base}/?nation=USA&kind=flight&at=2025-06-01&layers=outlines,assumed")
        wait_rendered(page, "USA/flight/2025-06-01")
        assert page.locator("#more").get_attribute("open") is not None
        assert not page.locator("#layers input[value='land']").is_checked()
        assert page.locator("#layers input[value='outlines']").is_checked()
        visibility = "(id) => window.highnorthMap.getLayoutProperty(id, 'visibility') ?? 'visible'"
        assert page.evaluate(visibility, "land") == "none" and page.evaluate(visibility, "borders") == "none"
        assert page.evaluate(visibility, "decision-line") == "visible"

        # a layer switched from the keyboard: hidden on the map and in the URL, no new map asked for
        before = len(asked)
        page.locator("#layers input[value='outlines']").focus()
        page.keyboard.press("Space")
        page.wait_for_function("() => window.highnorthMap.getLayoutProperty('decision-line', 'visibility') === 'none'")
        assert "layers=assumed" in page.url and len(asked) == before

        # an altitude band: asked for with the band, kept in the URL, echoed by the server's map
        page.fill("#upper", "500")
        page.locator("#upper").press("Tab")
        wait_rendered(page, "USA/flight/2025-06-01")
        page.wait_for_function("() => new URLSearchParams(location.search).get('upper') === '500'")
        assert asked[-1].get("upper_m") == ["500"] and "lower_m" not in asked[-1], asked[-1]

        # a band upside down: the server's words next to the upper limit
        page.fill("#lower", "3000")
        page.locator("#lower").press("Tab")
        wait_rendered(page, "error")
        assert page.locator("#upper-error").inner_text() == "upper_m: expected at least lower_m (3000 m), got 500 m"
        assert page.locator("#upper").get_attribute("aria-invalid") == "true"
        page.fill("#lower", "")
        page.locator("#lower").press("Tab")
        wait_rendered(page, "USA/flight/2025-06-01")
        assert page.locator("#upper-error").inner_text() == ""

        # attributes that are not a JSON object: the server's message next to the field
        page.fill("#attributes", "troops=500")
        page.locator("#attributes").press("Tab")
        wait_rendered(page, "error")
        assert page.locator("#attributes-error").inner_text().startswith("attributes:")
        page.fill("#attributes", '{"troops": 500}')
        page.locator("#attributes").press("Tab")
        wait_rendered(page, "USA/flight/2025-06-01")
        assert asked[-1].get("attributes") == ['{"troops": 500}']

        # a place typed as latitude, longitude: the rules there listed, the place in the URL
        page.fill("#place-input", "70.1, 29.5")
        page.keyboard.press("Enter")
        page.wait_for_selector("#place li[data-rule='fm2025-east-case-by-case']", timeout=30_000)
        assert re.search(r"[?&]place=29\.5000,70\.1000", page.url), page.url
        page.fill("#place-input", "east of Vardø")
        page.keyboard.press("Enter")
        assert "expected `latitude, longitude`" in page.locator("#place-input-error").inner_text()

        # the map's centre after panning with the arrow keys
        page.locator("#map canvas").focus()
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => !window.highnorthMap.isMoving()")  # the pan eases
        centre = page.evaluate("() => window.highnorthMap.getCenter().toArray()")
        page.locator("#place-centre").click()
        page.wait_for_function("() => /[?&]place=/.test(location.search) && !location.search.includes('29.5000')")
        lon, lat = (float(v) for v in parse_qs(urlparse(page.url).query)["place"][0].split(","))
        assert abs(lon - centre[0]) < 1e-3 and abs(lat - centre[1]) < 1e-3, (lon, lat, centre)
        assert page.locator("#place-input-error").inner_text() == ""
    assert problems == [], problems
