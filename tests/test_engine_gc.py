"""A batch screening keeps the heap that existed before it out of the collector's way while it
runs, and hands it back; a heap frozen by someone else stays as they left it (engine._heap_frozen)."""

from __future__ import annotations

import gc

import shapely

from highnorth import Activity, Actor, engine
from highnorth.engine import Screener
from highnorth.model.time import parse_time


def _flight() -> Activity:
    track = shapely.LineString([(18.0 + 0.1 * i, 69.5, 9000.0) for i in range(60)])
    return Activity(
        "f", "flight", Actor("USA"), parse_time("2025-06-01T08:00:00Z"), parse_time("2025-06-01T10:00:00Z"), track
    )


def _frozen_while_deciding(monkeypatch) -> list[int]:
    seen: list[int] = []
    decide = engine.decide

    def watching(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return decide(*args, **kwargs)

    monkeypatch.setattr(engine, "decide", watching)
    monkeypatch.setattr(engine, "FAST_PATH_VERTICES", 50)  # this small input counts as a batch
    return seen


def test_a_batch_freezes_the_heap_while_it_runs_and_hands_it_back(default_policy, monkeypatch):
    seen = _frozen_while_deciding(monkeypatch)
    screener = Screener(default_policy, fast_path_vertices=50)
    assert gc.get_freeze_count() == 0
    (decision,) = screener.screen([_flight()])
    assert seen and all(count > 0 for count in seen)
    assert gc.get_freeze_count() == 0
    assert decision == Screener(default_policy).screen([_flight()])[0]  # the same decision either way


def test_a_heap_frozen_by_someone_else_stays_frozen(default_policy, monkeypatch):
    seen = _frozen_while_deciding(monkeypatch)
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        Screener(default_policy, fast_path_vertices=50).screen([_flight()])
        assert seen and gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_below_a_batch_the_collector_is_left_alone(default_policy, monkeypatch):
    seen = _frozen_while_deciding(monkeypatch)
    monkeypatch.setattr(engine, "FAST_PATH_VERTICES", 10_000)
    Screener(default_policy, fast_path_vertices=50).screen([_flight()])  # the fast path, not a batch
    assert seen == [0]
