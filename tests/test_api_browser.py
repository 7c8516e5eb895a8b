"""The interactive API documentation in a real browser (Debian's chromium driven by Playwright):
the page loads from the server alone (Swagger UI is vendored, no CDN), renders every operation
of the OpenAPI 3.1 document, and a request tried from the page with a token gets its answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from live_server import cli, running_server

CHROMIUM = "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def test_docs_page_renders_and_tries_a_request(tmp_path: Path) -> None:
    db = tmp_path / "docs.db"
    cli("users", "add", "viewer", "--role", "viewer", "--db", str(db))
    token = cli("tokens", "create", "viewer", "--db", str(db)).strip()
    with running_server(db, tmp_path, "docs") as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.base) else None)
        page.goto(f"{server.base}/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        assert "highnorth" in page.locator(".info .title").inner_text()
        paths = {p.strip() for p in page.locator(".opblock-summary-path").all_inner_texts()}
        assert {"/screen", "/requests", "/requests/{request_id}/approve", "/audit/verify"} <= paths
        page.screenshot(path=str(tmp_path / "docs.png"))

        page.click("button.authorize")
        page.fill(".modal-ux input[type=text]", token)
        page.click(".modal-ux button.authorize")
        page.click(".modal-ux button.close-modal")
        zones = page.locator(".opblock-get", has=page.locator(".opblock-summary-path", has_text="/zones")).first
        zones.locator(".opblock-summary").click()
        zones.locator("button.try-out__btn").click()
        zones.locator("button.execute").click()
        page.wait_for_selector(".live-responses-table tbody .response-col_status", timeout=30_000)
        status = zones.locator(".live-responses-table tbody .response-col_status").first.inner_text().strip()
        body = zones.locator(".live-responses-table .microlight").first.inner_text()
        page.screenshot(path=str(tmp_path / "docs-try.png"), full_page=False)
        browser.close()
    assert status == "200", body
    assert '"finnmark"' in body
    assert outside == [], f"the page reached outside the server: {outside[:3]}"
