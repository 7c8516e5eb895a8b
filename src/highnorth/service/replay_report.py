"""The replay's summary report: `report.html` with PNG plots (matplotlib, Agg backend: no
display needed) — a map of the tracks and their entries into zones by outcome over the
region, a daily timeline of restricted exposures (refer and deny), the zones most entered, and
the outcomes by nation. The plots read the written tables a part at a time (at most
`MAP_TRACKS` tracks are drawn, a sample spread over the parts) and the summary."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import shapely

from ..model.rule import Policy

__all__ = ["MAP_TRACKS", "OUTCOME_COLOURS", "write_report"]

MAP_TRACKS = 3000
OUTCOME_COLOURS = {"permitted": "#2e7d32", "conditional": "#1565c0", "referred": "#ef6c00", "denied": "#c62828"}
EFFECT_COLOURS = {"permit": "#2e7d32", "condition": "#1565c0", "refer": "#ef6c00", "deny": "#c62828"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _map(out: Path, summary: dict[str, Any], policy: Policy) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 6.5), dpi=110)
    zones = sorted({k.split("|")[0] for k in summary.get("zone_effect", {})})
    for z in zones:  # the zones entered, as outlines
        zone = policy.zones.get(z)
        if zone is None:
            continue
        for poly in getattr(zone.geometry, "geoms", [zone.geometry]):
            if poly.geom_type == "Polygon":
                x, y = poly.exterior.xy
                ax.plot(x, y, color="#9e9e9e", linewidth=0.6, zorder=1)
    parts = sorted((out / "tracks").glob("part-*.parquet"))
    total = max(1, summary.get("tracks", 1))
    share = min(1.0, MAP_TRACKS / total)
    rng = np.random.default_rng(0)
    bounds = [np.inf, np.inf, -np.inf, -np.inf]
    for part in parts:
        t = pq.read_table(part, columns=["outcome", "geometry"])
        if not t.num_rows:
            continue
        keep = rng.random(t.num_rows) < share
        outcomes = np.asarray(t["outcome"].to_pylist())[keep]
        lines = shapely.from_wkb(t["geometry"].to_numpy(zero_copy_only=False)[keep])
        severity = np.argsort(
            [list(OUTCOME_COLOURS).index(str(o)) if o in OUTCOME_COLOURS else 9 for o in outcomes], kind="stable"
        )
        for outcome, line in zip(outcomes[severity], lines[severity], strict=True):  # the most severe on top
            xy = shapely.get_coordinates(line)
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            bounds = [min(bounds[0], lo[0]), min(bounds[1], lo[1]), max(bounds[2], hi[0]), max(bounds[3], hi[1])]
            ax.plot(
                xy[:, 0], xy[:, 1], color=OUTCOME_COLOURS.get(str(outcome), "k"), linewidth=0.7, alpha=0.6, zorder=2
            )
    for part in sorted((out / "exposures").glob("part-*.parquet")):
        e = pq.read_table(part, columns=["effect", "geometry"])
        if not e.num_rows:
            continue
        pts = shapely.get_coordinates(shapely.from_wkb(e["geometry"].to_numpy(zero_copy_only=False)))
        effects = np.asarray(e["effect"].to_pylist())
        for effect in ("refer", "deny"):
            sel = effects == effect
            ax.scatter(
                pts[sel, 0],
                pts[sel, 1],
                s=10,
                marker="o",
                color=EFFECT_COLOURS[effect],
                edgecolor="white",
                linewidth=0.3,
                zorder=3,
            )
    for name, colour in OUTCOME_COLOURS.items():
        ax.plot([], [], color=colour, label=f"track {name}")
    for name in ("refer", "deny"):
        ax.scatter([], [], s=12, color=EFFECT_COLOURS[name], label=f"entry, rule says {name}")
    if bounds[0] <= bounds[2]:  # the data, with a margin, not every zone's extent
        ax.set_xlim(bounds[0] - 1.5, bounds[2] + 1.5)
        ax.set_ylim(bounds[1] - 0.6, bounds[3] + 0.6)
    ax.set_xlabel("longitude °E")
    ax.set_ylabel("latitude °N")
    ax.set_title(f"Tracks by outcome and entries into restricted zones ({summary.get('tracks', 0):,} tracks)")
    ax.set_aspect(1 / np.cos(np.radians(np.mean(ax.get_ylim()))))
    ax.legend(loc="lower left", fontsize=7, framealpha=0.85)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    path = out / "map.png"
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _bars(
    out: Path,
    name: str,
    title: str,
    labels: list[str],
    series: dict[str, list[int]],
    colours: dict[str, str],
    horizontal: bool = False,
) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.3 * len(labels) + 1.5) if horizontal else 3.6), dpi=110)
    base = np.zeros(len(labels))
    for key, values in series.items():
        v = np.asarray(values, dtype=float)
        if horizontal:
            ax.barh(labels, v, left=base, color=colours.get(key, "#777"), label=key)
        else:
            ax.bar(labels, v, bottom=base, color=colours.get(key, "#777"), label=key)
        base += v
    if not labels:
        ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(title)
    if series and labels:
        ax.legend(fontsize=7)
    if not horizontal:
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
    else:
        ax.invert_yaxis()
    fig.tight_layout()
    path = out / name
    fig.savefig(path)
    plt.close(fig)
    return path


def _timeline(out: Path, by_day: dict[str, int]) -> Path:
    """Restricted exposures per day on a date axis: every day from the first to the last, the
    days without any at zero."""
    import datetime as dt

    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 3.6), dpi=110)
    days = sorted({dt.date.fromisoformat(k.split("|")[0]) for k in by_day})
    if days:
        every = [days[0] + dt.timedelta(days=i) for i in range((days[-1] - days[0]).days + 1)]
        base = np.zeros(len(every))
        for effect in ("refer", "deny"):
            v = np.array([by_day.get(f"{d.isoformat()}|{effect}", 0) for d in every], dtype=float)
            ax.bar(every, v, bottom=base, width=0.8, color=EFFECT_COLOURS[effect], label=effect)
            base += v
        ax.legend(fontsize=7)
        import matplotlib.dates as mdates

        if len(every) <= 400:  # a tick on whole days (bars are centred on them), at most about ten
            ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, len(every) // 10)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        fig.autofmt_xdate()
    else:
        ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
    ax.set_title("Restricted exposures per day (by the rule's effect)")
    fig.tight_layout()
    path = out / "timeline.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def write_report(out: Path, summary: dict[str, Any], policy: Policy) -> Path:
    """Write the PNGs and `report.html` into `out`; returns the HTML's path."""
    images = {"map": _map(out, summary, policy)}
    by_day = summary.get("restricted_by_day", {})
    images["timeline"] = _timeline(out, by_day)
    ze = summary.get("zone_effect", {})
    totals: dict[str, int] = {}
    for k, v in ze.items():
        totals[k.split("|")[0]] = totals.get(k.split("|")[0], 0) + v
    top = sorted(totals, key=lambda z: (-totals[z], z))[:15]
    images["zones"] = _bars(
        out,
        "zones.png",
        "Zones entered most (exposures by effect)",
        top,
        {e: [ze.get(f"{z}|{e}", 0) for z in top] for e in EFFECT_COLOURS},
        EFFECT_COLOURS,
        horizontal=True,
    )
    bn = summary.get("by_nation", {})
    nations = sorted({k.split("|")[0] for k in bn})
    images["nations"] = _bars(
        out,
        "nations.png",
        "Tracks by nation and outcome",
        nations,
        {o: [bn.get(f"{n}|{o}", 0) for n in nations] for o in OUTCOME_COLOURS},
        OUTCOME_COLOURS,
    )
    path = out / "report.html"
    path.write_text(_html(summary, images), encoding="utf-8")
    return path


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(f'{v:,}' if isinstance(v, int) else str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _html(summary: dict[str, Any], images: dict[str, Path]) -> str:
    e = html.escape
    read = summary.get("read", {})
    counts = summary.get("counts", {})
    problems = read.get("problems", [])
    failed = summary.get("failed_partitions", []) + summary.get("failed_files", [])
    outcome_rows = [(k, summary.get("by_outcome", {}).get(k, 0)) for k in OUTCOME_COLOURS]
    policy = summary.get("policy", {})
    head = f"policy <code>{e(str(policy.get('id')))}</code> ({e(str(policy.get('hash', ''))[:19])}…), " + (
        f"judged by the rules in force at {e(summary['at'])}"
        if summary.get("at")
        else "each track judged by the rules in force at its own time"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>highnorth replay</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:0.5em 0}}th,td{{border:1px solid #ccc;padding:2px 8px;text-align:left}}
td{{text-align:right}}img{{max-width:100%}}code{{background:#f4f4f4}}</style></head><body>
<h1>Replay: did the flights and ships follow the rules?</h1>
<p>{head}; {summary.get("inputs", 0):,} input files ({e(str(summary.get("format")))}), {summary.get("partitions", 0)} partitions on {summary.get("workers", 1)} workers.</p>
<h2>Outcomes</h2>{_table([("tracks screened", summary.get("tracks", 0)), *outcome_rows, ("restricted or other exposures", summary.get("exposures", 0))])}
<img src="{images["map"].name}" alt="map of the tracks by outcome">
<img src="{images["timeline"].name}" alt="restricted exposures per day">
<img src="{images["zones"].name}" alt="zones entered most">
<img src="{images["nations"].name}" alt="tracks by nation and outcome">
<h2>Input</h2>{_table(sorted(read.get("counts", {}).items()))}
<h2>Tracks</h2>{_table(sorted(counts.items()))}
<h2>Problems</h2>
{"<ul>" + "".join(f"<li><code>{e(p)}</code></li>" for p in failed + problems) + "</ul>" if failed or problems else "<p>none</p>"}
<p>The tables: <code>tracks/</code> and <code>exposures/</code> (GeoParquet), <code>summary.json</code>. See docs/replay.md.</p>
<script type="application/json" id="summary">{e(json.dumps(summary, ensure_ascii=False))}</script>
</body></html>
"""
