"""The decision map view in a browser: `python bench/web_load.py [--runs 5]`.

`highnorth serve` on 127.0.0.1 (a fresh SQLite database) and, in one chromium run (Debian's
chromium driven by Playwright, as the browser tests), each measurement in a fresh browser context
(an empty HTTP cache):

- `blank`: a MapLibre page with one background layer and nothing else, from the same vendored
  MapLibre files, served from a temporary folder by a small HTTP server of this script on
  127.0.0.1 (the app ships no test page): navigation to the map's first `idle`;
- `triangle` and `decision` (the floor under the view): the same blank page plus one GeoJSON
  `fill` layer — one triangle given inline, or the view's own decision map (`simplify=display`,
  saved from the server to the temporary folder) — navigation to `idle`: what any page whose
  data MapLibre's worker tiles pays, before anything of the app;
- `page`: the decision map view (`/?nation=USA&kind=flight&at=2025-05-10`) from navigation to
  the first `idle` with the decision features drawn (`window.highnorthTimings.firstDrawn`); the
  first navigation fills the server's map cache and is reported apart (`page_cold_server_ms`);
- the slider: from the `input` event (`highnorthTimings.input`) to the map on screen with the
  new date (`highnorthTimings.drawn`): `within` (2025-05-10 -> 05-11 -> ..., one period),
  `across` (05-21 -> 05-22, the 2025 amendment: one fetch) and `back` (05-22 -> 05-21, the
  period in memory);
- the bytes the page transferred until drawn (Playwright's request sizes: headers and body as
  sent), split into the app's own files (html, js, css, svg), data (API answers, the basemap)
  and vendored MapLibre.

Lines `WEB key=value ...`; medians over `--runs`. Times are milliseconds.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import statistics
import tempfile
import threading
from pathlib import Path
from typing import Any, ClassVar

from api_load import start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
VENDOR = Path(__file__).resolve().parents[1] / "src/highnorth/web/static/vendor/maplibre-gl"
VIEWPORT = {"width": 1440, "height": 900}

BLANK_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>blank MapLibre</title>
<link rel="stylesheet" href="/vendor/maplibre-gl/maplibre-gl.css">
<style>html, body, #map { margin: 0; height: 100%; }</style></head>
<body><div id="map"></div><script type="module" src="/blank.js"></script></body></html>
"""
BLANK_JS = """import * as maplibregl from './vendor/maplibre-gl/maplibre-gl.mjs';
const variant = new URLSearchParams(location.search).get('variant');
const sources = {};
const layers = [{ id: 'sea', type: 'background', paint: { 'background-color': '#dce6ee' } }];
if (variant === 'triangle') {
  sources.t = { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: { type: 'Polygon',
    coordinates: [[[20, 68], [30, 68], [25, 71], [20, 68]]] } } };
  layers.push({ id: 't', type: 'fill', source: 't', paint: { 'fill-color': '#c33' } });
} else if (variant === 'decision') {
  sources.t = { type: 'geojson', data: '/decision.json' };
  layers.push({ id: 't', type: 'fill', source: 't', paint: { 'fill-color': '#c33' } });
}
const map = new maplibregl.Map({
  container: 'map', style: { version: 8, sources, layers }, bounds: [[-4, 62.5], [43, 81]],
});
map.once('idle', () => { window.blankIdle = performance.now(); });
"""


def blank_site(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The blank page and a copy of the vendored MapLibre, served on a free port."""
    (folder / "blank.html").write_text(BLANK_HTML)
    (folder / "blank.js").write_text(BLANK_JS)
    shutil.copytree(VENDOR, folder / "vendor" / "maplibre-gl")

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map: ClassVar[dict[str, str]] = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".mjs": "text/javascript",
        }

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def save_decision_map(base: str, target: Path) -> None:
    """The view's decision map (the display simplification) as the floor page's data."""
    import urllib.request

    url = f"{base}/decision-maps?actor=USA&kind=flight&at=2025-05-10&simplify=display"
    with urllib.request.urlopen(url, timeout=120) as answer:
        target.write_bytes(answer.read())


def kind_of(url: str) -> str:
    path = url.split("?")[0]
    if "/vendor/" in path:
        return "vendor"
    if path.endswith((".js", ".mjs", ".css", ".html", ".svg", "/")):
        return "own"
    return "data"


def blank_idle(browser: Any, url: str) -> float:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => window.blankIdle !== undefined", timeout=60_000)
    value = page.evaluate("window.blankIdle")
    context.close()
    return float(value)


def set_date(page: Any, date: str) -> float:
    """Move the slider to `date` as a user would (an input event); the ms to the map drawn."""
    page.evaluate(
        """(date) => {
            const s = document.getElementById('slider');
            s.value = String(Math.round(Date.parse(date + 'T00:00:00Z') / 86400000));
            s.dispatchEvent(new Event('input', { bubbles: true }));
        }""",
        date,
    )
    key = f"USA/flight/{date}"
    page.wait_for_function("(key) => document.documentElement.dataset.rendered === key", arg=key, timeout=60_000)
    return float(page.evaluate("window.highnorthTimings.drawn - window.highnorthTimings.input"))


def page_run(
    browser: Any, base: str, within: list[float], across: list[float], back: list[float]
) -> tuple[float, dict[str, int]]:
    """One navigation to the view and the slider moves: the time to the first map drawn, and
    the bytes transferred until then."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    sizes = {"own": 0, "data": 0, "vendor": 0}
    counts = {"own": 0, "data": 0, "vendor": 0}

    def finished(request: Any) -> None:
        s = request.sizes()
        kind = kind_of(request.url)
        sizes[kind] += s["responseBodySize"] + s["responseHeadersSize"]
        counts[kind] += 1

    page.on("requestfinished", finished)
    page.goto(f"{base}/?nation=USA&kind=flight&at=2025-05-10")
    page.wait_for_function(
        "() => document.documentElement.dataset.rendered === 'USA/flight/2025-05-10'", timeout=120_000
    )
    first = float(page.evaluate("window.highnorthTimings.firstDrawn"))
    features = page.evaluate("window.highnorthMap.querySourceFeatures('decision').length")
    assert features > 0, "no decision features drawn"
    page.wait_for_timeout(300)
    page.remove_listener("requestfinished", finished)
    loaded = {**{f"{k}_bytes": v for k, v in sizes.items()}, **{f"{k}_files": v for k, v in counts.items()}}
    for day in range(11, 16):
        within.append(set_date(page, f"2025-05-{day}"))
    set_date(page, "2025-05-21")
    across.append(set_date(page, "2025-05-22"))
    back.append(set_date(page, "2025-05-21"))
    context.close()
    return first, loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="navigations of each page")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="highnorth-web-load-") as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "blank").mkdir()
        site, blank_base = blank_site(tmp / "blank")
        proc, base = start_server(tmp / "bench.db", 1, tmp / "serve.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                within: list[float] = []
                across: list[float] = []
                back: list[float] = []
                cold, _ = page_run(browser, base, [], across, [])  # fills the server's map cache
                across_cold = across.pop()
                blanks, pages = [], []
                loaded: dict[str, int] = {}
                save_decision_map(base, tmp / "blank" / "decision.json")
                triangles, decisions = [], []
                for _ in range(args.runs):  # alternated, so all see the same machine
                    blanks.append(blank_idle(browser, f"{blank_base}/blank.html"))
                    triangles.append(blank_idle(browser, f"{blank_base}/blank.html?variant=triangle"))
                    decisions.append(blank_idle(browser, f"{blank_base}/blank.html?variant=decision"))
                    first, loaded = page_run(browser, base, within, across, back)
                    pages.append(first)
                browser.close()
        finally:
            stop_server(proc)
            site.shutdown()
    med = statistics.median
    print(
        f"WEB load blank_idle_ms={med(blanks):.0f} page_drawn_ms={med(pages):.0f} "
        f"ratio={med(pages) / med(blanks):.2f} page_cold_server_ms={cold:.0f} runs={args.runs} "
        f"blank_all={','.join(f'{x:.0f}' for x in blanks)} page_all={','.join(f'{x:.0f}' for x in pages)}",
        flush=True,
    )
    print(
        f"WEB slider within_ms={med(within):.0f} within_max_ms={max(within):.0f} across_ms={med(across):.0f} "
        f"across_max_ms={max(across):.0f} across_cold_server_ms={across_cold:.0f} back_ms={med(back):.0f} "
        f"moves_within={len(within)} moves_across={len(across)}",
        flush=True,
    )
    print(
        f"WEB floor triangle_idle_ms={med(triangles):.0f} decision_only_idle_ms={med(decisions):.0f} "
        f"triangle_ratio={med(triangles) / med(blanks):.2f} decision_only_ratio={med(decisions) / med(blanks):.2f} "
        f"page_over_decision_only={med(pages) / med(decisions):.2f}",
        flush=True,
    )
    total = loaded["own_bytes"] + loaded["data_bytes"] + loaded["vendor_bytes"]
    print("WEB bytes " + " ".join(f"{k}={v}" for k, v in loaded.items()) + f" total_bytes={total}", flush=True)


if __name__ == "__main__":
    main()
