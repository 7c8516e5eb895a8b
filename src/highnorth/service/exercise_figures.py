"""The report's static figures, drawn with matplotlib (the Agg canvas, no display, and the
object API rather than pyplot, so a server may draw in several threads): a map of the plan
coloured by outcome and a Gantt-style timeline of the activities within the exercise's dates. PNG
bytes, the same for the same report (no timestamp in the file)."""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from shapely.geometry.base import BaseGeometry

from ..exercise.report import ExerciseReport
from ..model.outcome import Outcome

__all__ = ["OUTCOME_COLOUR", "plan_map_png", "timeline_png"]

#: colours by outcome (colour-blind safe: Okabe–Ito), the same on the map and the timeline
OUTCOME_COLOUR = {
    Outcome.PERMITTED: "#009E73",
    Outcome.CONDITIONAL: "#56B4E9",
    Outcome.REFERRED: "#E69F00",
    Outcome.DENIED: "#D55E00",
}
#: zones drawn under the plan when the policy has them: the neighbours' land, the host's, Finnmark east of 24°E
BACKGROUND = (
    ("sweden", "#f7f7f7", "#d0d0d0"),
    ("finland", "#f7f7f7", "#d0d0d0"),
    ("russia-land", "#f7f7f7", "#d0d0d0"),
    ("norway-land", "#e6e6e6", "#aaaaaa"),
    ("finnmark-east-24", "none", "#888888"),
)
_DPI = 110
#: the timeline draws one row per activity up to this many
MAX_ROWS = 60


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None}, bbox_inches="tight")
    return buffer.getvalue()


def _draw(ax: Any, geom: BaseGeometry, colour: str, *, fill: str = "none", width: float = 2.0, z: int = 3) -> None:
    kind = geom.geom_type
    if kind in ("MultiPolygon", "GeometryCollection", "MultiLineString"):
        for part in geom.geoms:
            _draw(ax, part, colour, fill=fill, width=width, z=z)
    elif kind == "Polygon":
        x, y = geom.exterior.xy
        ax.fill(x, y, facecolor=fill, edgecolor=colour, linewidth=width, zorder=z)
    elif kind == "LineString":
        x, y = geom.xy
        ax.plot(x, y, color=colour, linewidth=width, zorder=z, solid_capstyle="round")
    elif kind == "Point":
        ax.plot([geom.x], [geom.y], marker="o", markersize=7, color=colour, markeredgecolor="black", zorder=z + 1)


def plan_map_png(report: ExerciseReport) -> bytes:
    """The plan's activities within the exercise's dates on the host's land, coloured by outcome."""
    plan = report.plan
    pairs = [(a, d) for a, d in zip(plan.activities, report.decisions, strict=True) if a.window.overlaps(plan.window)]
    pairs = pairs or list(zip(plan.activities, report.decisions, strict=True))
    xs, ys = [], []
    for a, _ in pairs:
        w, s, e, n = a.geometry.bounds
        xs += [w, e]
        ys += [s, n]
    if not xs:  # a plan without activities: the policy's home
        frame = report.policy.frame
        xs, ys = [frame.lon0 - 8.0, frame.lon0 + 8.0], [frame.lat0 - 3.0, frame.lat0 + 3.0]
    west, east, south, north = min(xs) - 1.0, max(xs) + 1.0, min(ys) - 0.5, max(ys) + 0.5
    fig, ax = _figure(8.0, 6.0)
    for zone_id, fill, edge in BACKGROUND:
        zone = report.policy.zones.get(zone_id)
        if zone is not None:
            _draw(ax, zone.geometry, edge, fill=fill, width=0.6, z=1)
    for outcome in OUTCOME_COLOUR:  # the worst drawn last, one collection per outcome and shape
        colour = OUTCOME_COLOUR[outcome]
        geoms = [a.geometry for a, d in pairs if d.outcome == outcome]
        lines = [np.asarray(g.coords)[:, :2] for g in geoms if g.geom_type == "LineString"]
        areas = [np.asarray(g.exterior.coords)[:, :2] for g in geoms if g.geom_type == "Polygon"]
        points = np.array([(g.x, g.y) for g in geoms if g.geom_type == "Point"]).reshape(-1, 2)
        width = 2.0 if len(pairs) <= 100 else 0.6
        ax.add_collection(
            PolyCollection(areas, facecolors=colour + "66", edgecolors=colour, linewidths=width * 0.75, zorder=3)
        )
        ax.add_collection(LineCollection(lines, colors=colour, linewidths=width, zorder=3, capstyle="round"))
        ax.scatter(points[:, 0], points[:, 1], s=40, color=colour, edgecolors="black", zorder=4)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    if "finnmark-east-24" in report.policy.zones:
        ax.axvline(24.0, color="#555555", linestyle=":", linewidth=1, zorder=2)
    ax.set_title(f"{plan.name}: activities by outcome ({report.policy.id})", fontsize=10)
    ax.legend(handles=[Patch(color=c, label=str(o)) for o, c in OUTCOME_COLOUR.items()], loc="lower right", fontsize=8)
    ax.grid(True, linewidth=0.3, color="#cccccc")
    return _png(fig)


def timeline_png(report: ExerciseReport) -> bytes:
    """One bar per activity within the exercise's dates, by phase, coloured by outcome, with the
    moment of the troop peak on the host's territory. A plan of more than `MAX_ROWS` activities
    gets one row per phase (or kind, without phases), its activities drawn over each other."""
    plan = report.plan
    pairs = [(a, d) for a, d in zip(plan.activities, report.decisions, strict=True) if a.window.overlaps(plan.window)]
    order = {a: i for i, ph in enumerate(plan.phases) for a in ph.activities}
    pairs.sort(key=lambda p: (order.get(p[0].id, len(plan.phases)), p[0].start))
    if len(pairs) <= MAX_ROWS:
        labels = [a.id for a, _ in pairs]
        row_of = {a.id: i for i, (a, _) in enumerate(pairs)}
    else:
        group = {a.id: (ph.name if (ph := plan.phase_of(a.id)) else a.kind) for a, _ in pairs}
        labels = list(dict.fromkeys(group[a.id] for a, _ in pairs))
        row_of = {a.id: labels.index(group[a.id]) for a, _ in pairs}
    rows = labels
    fig, ax = _figure(9.0, 0.32 * max(len(rows), 4) + 1.4)
    for a, d in sorted(pairs, key=lambda p: Outcome(p[1].outcome).severity):
        start, end = mdates.date2num(a.start), mdates.date2num(a.end)
        edge = "black" if len(pairs) <= MAX_ROWS else "none"
        ax.barh(
            row_of[a.id],
            max(end - start, 0.04),
            left=start,
            color=OUTCOME_COLOUR[d.outcome],
            edgecolor=edge,
            linewidth=0.4,
        )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.axvspan(mdates.date2num(plan.start), mdates.date2num(plan.end), color="#f3f3f3", zorder=0)
    troops = next((c for c in report.duties.counts if c.name == "troops"), None)
    if troops is not None and troops.host_at is not None:
        ax.axvline(mdates.date2num(troops.host_at), color="black", linestyle="--", linewidth=1)
        ax.annotate(
            f"peak {troops.host:,.0f} troops on the host's territory",
            (mdates.date2num(troops.host_at), -0.6),
            fontsize=7,
            xytext=(4, 0),
            textcoords="offset points",
        )
    locator = mdates.AutoDateLocator(maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("UTC")
    ax.set_title(f"{plan.name}: timeline by outcome", fontsize=10)
    ax.legend(handles=[Patch(color=c, label=str(o)) for o, c in OUTCOME_COLOUR.items()], loc="lower left", fontsize=7)
    ax.grid(True, axis="x", linewidth=0.3, color="#cccccc")
    return _png(fig)
