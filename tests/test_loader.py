"""Loading policy data: derivations, versions, and errors that say file:line."""

from __future__ import annotations

import json

import pytest

from highnorth.geo.zones.projection import Frame
from highnorth.model.errors import PolicyDataError
from highnorth.rules.loading.loader import load_policy
from highnorth.rules.loading.schema import json_schemas

from conftest import GRID_RULES, GRID_ZONES, write_policy


def errors_of(tmp_path, **files) -> str:
    with pytest.raises(PolicyDataError) as info:
        load_policy(write_policy(tmp_path / "p", **files))
    return str(info.value)


def test_grid_policy_loads_with_versions_and_hashes(grid_policy):
    assert [v.version for v in grid_policy.versions] == ["1", "2"]
    assert set(grid_policy.hashes) == {"1", "2", "*"}
    assert all(h.startswith("sha256:") for h in grid_policy.hashes.values())
    assert grid_policy.zones["high"].band == (1000.0, 3000.0)


def test_hash_changes_with_any_rule_and_only_then(tmp_path):
    a = load_policy(write_policy(tmp_path / "a")).policy
    b = load_policy(write_policy(tmp_path / "b")).policy
    c = load_policy(write_policy(tmp_path / "c", rules=GRID_RULES.replace("notice_days: 7", "notice_days: 8"))).policy
    assert a.hashes == b.hashes
    assert a.hashes["1"] != c.hashes["1"] and a.hashes["*"] != c.hashes["*"]


def test_unknown_zone_reference_names_file_line_and_a_suggestion(tmp_path):
    text = errors_of(tmp_path, rules=GRID_RULES.replace("zones: [east]", "zones: [eats]"))
    assert "rules.yaml:" in text and "zone `eats` is not defined; did you mean `east`?" in text


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    rules = GRID_RULES.replace("effect: condition", "effect: allow").replace("effect: refer", "effect: refuse")
    text = errors_of(tmp_path, rules=rules)
    assert "rules.yaml:4: `rules.0.effect`" in text and "got `allow`" in text
    assert "`rules.2.effect`" in text and "got `refuse`" in text
    # semantic problems are collected across files too
    text = errors_of(
        tmp_path,
        rules=GRID_RULES.replace("zones: [east]", "zones: [nowhere]").replace("zones: [high]", "zones: [hihg]"),
    )
    assert "zone `nowhere` is not defined" in text and "zone `hihg` is not defined; did you mean `high`?" in text


def test_unknown_field_gets_a_did_you_mean(tmp_path):
    text = errors_of(tmp_path, rules=GRID_RULES.replace("obligations:", "obligation:"))
    assert "unknown field `obligation`; did you mean `obligations`?" in text


def test_yaml_syntax_error_has_a_line(tmp_path):
    text = errors_of(tmp_path, zones=GRID_ZONES + "  - id: [unclosed\n")
    assert "zones.yaml:" in text


def test_derivation_cycle_and_bad_operator(tmp_path):
    cyc = (
        GRID_ZONES
        + "  - {id: a, derive: {union: [b]}, basis: assumption, source: t}\n  - {id: b, derive: {union: [a]}, basis: assumption, source: t}\n"
    )
    assert "cycle" in errors_of(tmp_path, zones=cyc)
    bad = GRID_ZONES + "  - {id: c, derive: {unoin: [box]}, basis: assumption, source: t}\n"
    assert "unknown operator `unoin`" in errors_of(tmp_path, zones=bad)


def test_naive_time_in_policy_data_is_an_error(tmp_path):
    zones = (
        GRID_ZONES
        + "  - {id: t, derive: {circle: {center: [1, 0], radius_m: 1000}}, valid: {from: 2025-01-01 10:00:00}, basis: assumption, source: t}\n"
    )
    assert "offset" in errors_of(tmp_path, zones=zones)


def test_undefined_parameter(tmp_path):
    text = errors_of(tmp_path, rules=GRID_RULES.replace("notice_days: 7", "notice_days: $notice"))
    assert "parameter `notice` is not defined" in text


def test_derivations_are_geodesic(tmp_path):
    zones = GRID_ZONES + (
        "  - {id: ring, derive: {difference: [{circle: {center: [1.5, 0], radius_km: 20}}, {circle: {center: [1.5, 0], radius_m: 10000}}]}, basis: assumption, source: t}\n"
        "  - {id: grown, derive: {buffer: {of: box, nm: 12}}, basis: assumption, source: t}\n"
    )
    policy = load_policy(write_policy(tmp_path / "p", zones=zones)).policy
    frame = Frame(1.5, 0.0)
    assert frame.area_km2(policy.zones["ring"].geometry) == pytest.approx(3.14159265 * (400 - 100), rel=1e-3)
    # a box of 1°x2° grown by 12 NM: area = box + perimeter*d + pi*d^2 (within 0.5 %)
    box = frame.area_km2(policy.zones["box"].geometry)
    perimeter = 2 * (111.32 + 221.1)
    d = 12 * 1.852
    assert frame.area_km2(policy.zones["grown"].geometry) == pytest.approx(
        box + perimeter * d + 3.14159 * d * d, rel=5e-3
    )


def test_shipped_policy_schemas_are_current():
    from importlib import resources

    for name, doc in json_schemas().items():
        shipped = json.loads((resources.files("highnorth") / "schemas" / f"{name}.schema.json").read_text())
        assert shipped == json.loads(json.dumps(doc)), f"{name}.schema.json is stale: run scripts/write_schemas.py"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("policy", "timezone: UTC", "timezone: Europe/Olso"), "unknown time zone `Europe/Olso`"),
        (("policy", "extent: [-5, -5, 10, 5]", "extent: [10, -5, -5, 5]"), "west < east"),
        (
            (
                "actors",
                '{org: NATO, from: "2023-04-04T00:00:00Z"}',
                '{org: NATO, from: "2023-04-04T00:00:00Z", until: 2020-01-01}',
            ),
            "ends (2020-01-01) before it starts",
        ),
        (("zones", "[2, 1], [1, 1]", "[2, .nan], [1, 1]"), "not a finite number"),
        (
            (
                "zones",
                "geometry: {type: Polygon, coordinates: [[[1, -1], [2, -1], [2, 1], [1, 1], [1, -1]]]}",
                "geometry: {type: Polygon, coordinates: 7}",
            ),
            "not a valid GeoJSON geometry",
        ),
        (("rules", "kinds: [flight]", "kinds: []"), "`kinds` is empty; leave it out to mean any kind"),
        (
            ("rules", "{attr: troops, op: ge, value: 100}", "{attr: troops, op: ge, value: [1, 2]}"),
            "`ge` compares numbers",
        ),
    ],
)
def test_bad_policy_data_is_reported_not_crashed(tmp_path, change, expected):
    from conftest import GRID_ACTORS, GRID_POLICY

    which, old, new = change
    files = {"policy": GRID_POLICY, "actors": GRID_ACTORS, "zones": GRID_ZONES, "rules": GRID_RULES}
    assert old in files[which], old
    files[which] = files[which].replace(old, new)
    assert expected in errors_of(tmp_path, **files)


def test_the_zone_cache_gives_the_same_policy_and_misses_on_any_change(tmp_path):
    from conftest import GRID_ZONES

    cache = tmp_path / "cache"
    root = write_policy(tmp_path / "p")
    fresh = load_policy(root).policy
    first = load_policy(root, cache_dir=cache).policy
    assert len(list(cache.glob("zones-*.json"))) == 1
    again = load_policy(root, cache_dir=cache).policy  # from the cache
    for policy in (first, again):
        assert policy.hashes == fresh.hashes
        assert {z: g.geometry.wkb for z, g in policy.zones.items()} == {
            z: g.geometry.wkb for z, g in fresh.zones.items()
        }
    # a change to the data is a new entry; a broken entry is ignored
    write_policy(root, zones=GRID_ZONES.replace("[2, 1], [1, 1]", "[2, 1.5], [1, 1]"))
    changed = load_policy(root, cache_dir=cache).policy
    assert changed.zones["box"].geometry.bounds[3] > 1.4
    assert len(list(cache.glob("zones-*.json"))) == 2
    for entry in cache.glob("zones-*.json"):
        entry.write_bytes(b"{not json")
    assert load_policy(root, cache_dir=cache).policy.zones["box"].geometry.equals(changed.zones["box"].geometry)


def test_a_policy_file_that_is_not_a_mapping_says_so(tmp_path):
    from highnorth.model.errors import PolicyDataError
    from highnorth.rules.loading.loader import load_policy

    for text, got in (('"x"\n', "single value"), ("- a\n", "list")):
        (tmp_path / "policy.yaml").write_text(text)
        with pytest.raises(PolicyDataError, match=f"expected a mapping of keys to values at the top, got a {got}"):
            load_policy(tmp_path)


def test_a_confined_policy_names_only_its_own_files(tmp_path):
    from highnorth.model.errors import PolicyDataError
    from highnorth.rules.loading.loader import load_policy

    (tmp_path / "p").mkdir()
    (tmp_path / "secret.yaml").write_text("nations: []\n")
    from conftest import DEFAULT_POLICY

    text = (DEFAULT_POLICY / "policy.yaml").read_text().replace("actors: actors.yaml", "actors: ../secret.yaml")
    (tmp_path / "p" / "policy.yaml").write_text(text)
    with pytest.raises(PolicyDataError, match=r"`\.\./secret\.yaml` is outside the policy directory"):
        load_policy(tmp_path / "p", confine=True)
