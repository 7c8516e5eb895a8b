"""What the browser tests share: Debian's chromium driven by Playwright, and a page that refuses
every request leaving the server and records failed requests, page errors, dialogs and console
errors as problems (a test fails on any, but the console errors it provokes on purpose)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def require_chromium() -> Any:
    """The Playwright sync API; the calling test module is skipped, with the reason printed, when
    chromium or Playwright is missing outside CI (CI installs chromium and runs every browser test)."""
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip(f"{CHROMIUM} is not installed (CI installs it and runs this test)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def guard(page: Any, base: str, problems: list[str], allowed: list[str]) -> None:
    """Refuse every request that leaves `base`; record failures, page errors, dialogs and console
    errors (but those containing one of `allowed`, which the test may change as it goes)."""
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else
               (problems.append(f"outside request: {route.request.url}"), route.abort())[1])  # fmt: skip
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure} on {page.url}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "console", lambda m: m.type == "error" and not any(a in m.text for a in allowed) and problems.append(m.text)
    )


@contextmanager
def browser_page(
    playwright: Any, base: str, problems: list[str], allowed: list[str], token: str | None = None
) -> Iterator[Any]:
    """A guarded page (`guard`) in a fresh chromium, 1440 x 900; with `token`, signed in before the
    page loads (as the sign-in form leaves it)."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        if token:
            page.add_init_script(f"window.sessionStorage.setItem('highnorth.token', {token!r});")
        guard(page, base, problems, allowed)
        try:
            yield page
        finally:
            browser.close()
