"""Tests of jxedu.core.settings: documented defaults, YAML files, unknown keys, and that every planning
assumption moved into the settings is actually read by the code (hand-worked tiny cases)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from jxedu.analysis import projection
from jxedu.core.errors import SettingsError
from jxedu.core.settings import Settings, get_settings
from jxedu.planning import optimize as op
from jxedu.planning import scenarios as sc
from tests.analysis.test_projection import _dataset as projection_dataset  # 甲街道: S1 城区, S2 乡村, grades 1–3
from tests.planning.test_scenarios import _INV, X0, Y0
from tests.planning.test_scenarios import _dataset as scenario_dataset  # A (x=500), B (x=3000); V1 0, V2 1000, V3 1600

# --- defaults, files, unknown keys -------------------------------------------------------------


def test_defaults_are_the_documented_numbers():
    s = get_settings()
    assert s.projection_variants == {
        "low": {"entry_factor": 0.95, "urban_shift": 0.0},
        "central": {"entry_factor": 1.0, "urban_shift": 0.005},
        "high": {"entry_factor": 1.05, "urban_shift": 0.01},
    }
    assert s.new_school_min_classes == {"primary": 18, "junior": 12}
    assert s.small_school_max_students == 100
    assert s.new_site_classes == {"primary": 36, "junior": 30}
    assert s.candidate_grid_spacing_m == 2000.0
    assert s.stay_preference_m == 50.0
    # The table is not shared between instances (a caller mutating one copy changes nothing else).
    assert Settings().projection_variants is not Settings().projection_variants


def test_yaml_file_overrides_variants_and_small_school_line(tmp_path):
    p = tmp_path / "jxedu.yaml"
    p.write_text(
        "small_school_max_students: 60\n"
        "projection_variants:\n"
        "  central: {entry_factor: 0.9, urban_shift: 0.02}\n"
        "  老城区: {entry_factor: 1.2, urban_shift: 0.0}\n",
        encoding="utf-8",
    )
    s = get_settings(path=p)
    assert s.small_school_max_students == 60
    # The file's table replaces the default one (low/high are gone).
    assert s.projection_variants == {"central": {"entry_factor": 0.9, "urban_shift": 0.02},
                                     "老城区": {"entry_factor": 1.2, "urban_shift": 0.0}}
    assert projection.variant_params("老城区", s) == {"entry_factor": 1.2, "urban_shift": 0.0}
    with pytest.raises(SettingsError, match="bad_variant"):
        projection.variant_params("low", s)
    # Keyword overrides take precedence over the file; untouched fields keep their defaults.
    s2 = get_settings(path=p, small_school_max_students=80)
    assert s2.small_school_max_students == 80 and s2.stay_preference_m == 50.0


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(SettingsError, match="unknown_setting.*small_school_max"):
        get_settings(small_school_max=100)
    p = tmp_path / "bad.yaml"
    p.write_text("grid_spacing: 500\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown_setting.*grid_spacing"):
        get_settings(path=p)


@pytest.mark.parametrize("override, key", [
    ({"projection_variants": {}}, "projection_variants"),
    ({"projection_variants": {"central": 1.0}}, "projection_variants"),
    ({"new_school_min_classes": {"primary": 18}}, "new_school_min_classes"),
    ({"new_site_classes": {"junior": 30}}, "new_site_classes"),
    ({"small_school_max_students": -1}, "small_school_max_students"),
    ({"candidate_grid_spacing_m": 0}, "candidate_grid_spacing_m"),
    ({"stay_preference_m": -5}, "stay_preference_m"),
    ({"projection_to_year": "2030"}, "projection_to_year"),
    ({"projection_to_year": 30}, "projection_to_year"),
    ({"projection_to_year": True}, "projection_to_year"),
])
def test_bad_values_are_named(override, key):
    with pytest.raises(SettingsError, match=f"bad_setting.*{key}"):
        get_settings(**override)


# --- projection_variants -----------------------------------------------------------------------


def test_custom_variant_table_changes_the_projection():
    # "central" redefined as entry_factor 0.5, no migration. From tests/test_projection.py: the
    # 2025 grade-1 intake of 甲街道 is 0.55 × pop age 5 (80) = 44 → × 0.5 = 22; S1's share of grade 1
    # is 50/60 → 22 × 50/60 = 18.333; grade 2 (already at school) = 1.1 × 60 × 0.8 = 52.8 unchanged.
    s = get_settings(projection_variants={"central": {"entry_factor": 0.5, "urban_shift": 0.0}})
    p = projection.project_enrolment(projection_dataset(), to_year=2026, variant="central", settings=s)
    got = p.set_index(["year", "school_id", "grade"])["students"]
    assert got[(2025, "S1", 1)] == pytest.approx(22 * 50 / 60)
    assert got[(2025, "S1", 2)] == pytest.approx(52.8)
    # Default central (1.00, 0.5 %/year): S1 g1 2025 = 44 × 50/60 + 0.005 × 44 × 10/60
    # = 36.6667 + 0.0367 = 36.7033 (the share 1 − 0.995 of S2's 乡村 pupils moves to S1).
    d = projection.project_enrolment(projection_dataset(), to_year=2026, variant="central")
    assert d.set_index(["year", "school_id", "grade"])["students"][(2025, "S1", 1)] == pytest.approx(
        44 * 50 / 60 + 0.005 * 44 * 10 / 60)
    # project_variants runs exactly the variants of the table.
    assert list(projection.project_variants(projection_dataset(), to_year=2026, settings=s)) == ["central"]


# --- projection_to_year ------------------------------------------------------------------------


def test_projection_horizon_from_settings():
    # The hand set's latest year is 2024: a horizon of 2026 projects 2025 and 2026, of 2025 only 2025.
    assert get_settings().projection_to_year == 2030
    for horizon, years in ((2026, [2024, 2025, 2026]), (2025, [2024, 2025])):
        s = get_settings(projection_to_year=horizon)
        p = projection.project_enrolment(projection_dataset(), variant="central", settings=s)
        assert sorted(p["year"].unique()) == years
        assert {sorted(v["year"].unique())[-1] for v in projection.project_variants(
            projection_dataset(), settings=s).values()} == {horizon}


# --- new_school_min_classes --------------------------------------------------------------------


def _needs() -> pd.DataFrame:
    # One 镇街, 2030: two 小学 short of 6 and 4 classrooms, a third with 2 spare → net 6 + 4 − 2 = 8;
    # one 初中 short of 12 classrooms, no spare → net 12.
    return pd.DataFrame({
        "year": [2030] * 4, "township": ["甲镇"] * 4, "school_id": ["P1", "P2", "P3", "J1"],
        "stage": ["primary", "primary", "primary", "junior"], "students": [500, 400, 100, 900],
        "classes_needed": [18, 12, 4, 24], "classrooms_available": [12, 8, 6, 12],
        "classroom_shortfall": [6, 4, 0, 12], "spare_classrooms": [0, 0, 2, 0],
    })


def test_new_school_threshold_from_settings():
    def flags(settings):
        t = projection.township_needs(_needs(), settings=settings).set_index("stage")
        assert t.loc["primary", "net_classroom_shortfall"] == 8 and t.loc["junior", "net_classroom_shortfall"] == 12
        return t.loc["primary", "new_school"], t.loc["junior", "new_school"]

    assert flags(None) == (False, True)  # 8 < 18; 12 ≥ 12
    assert flags(get_settings(new_school_min_classes={"primary": 8, "junior": 13})) == (True, False)  # 8 ≥ 8; 12 < 13
    assert flags(get_settings(new_school_min_classes={"primary": 9, "junior": 12})) == (False, True)


# --- small_school_max_students -----------------------------------------------------------------


@pytest.mark.parametrize("line, expected", [(40, []), (41, ["A"]), (80, ["A"]), (81, ["A", "B"]), (100, ["A", "B"])])
def test_small_school_line_from_settings(line, expected):
    # A has 40 students, B 80: a school is listed when it has fewer than the line.
    ds = scenario_dataset(students=(40, 80))
    r = op.closure_ranking(ds, stage="primary", settings=get_settings(small_school_max_students=line))
    assert sorted(r["school_id"]) == expected


def test_explicit_max_students_wins_over_settings():
    ds = scenario_dataset(students=(40, 80))
    r = op.closure_ranking(ds, stage="primary", max_students=50, settings=get_settings(small_school_max_students=100))
    assert r["school_id"].tolist() == ["A"]
    assert sorted(op.closure_ranking(ds, stage="primary")["school_id"]) == ["A", "B"]  # default 100


# --- new_site_classes --------------------------------------------------------------------------


def test_new_site_classes_from_settings():
    # A and B hold 1 class × 45 = 45 places each; 90 children; one candidate C1 at x=1000 (on V2); p = 1,
    # capacitated. C1 with 2 classes = 90 places takes everyone: 30 × 1000 + 0 + 30 × 600 = 48000
    # child-metres. With 1 class (45 places) no single site can hold 90 children.
    ds = scenario_dataset(classes=(1, 1))
    cand = pd.DataFrame({"site_id": ["C1"], "x": [X0 + 1000.0], "y": [Y0]})
    s = op.suggest_sites(ds, stage="primary", p=1, candidates=cand, capacitated=True,
                         settings=get_settings(new_site_classes={"primary": 2, "junior": 30}))
    assert s.sites["site_id"].tolist() == ["C1"]
    assert s.objective == pytest.approx(48000.0)
    one = get_settings(new_site_classes={"primary": 1, "junior": 30})
    with pytest.raises(op.OptimizationError, match="insufficient_capacity"):
        op.suggest_sites(ds, stage="primary", p=1, candidates=cand, capacitated=True, settings=one)
    # The explicit keyword still wins over the settings.
    s = op.suggest_sites(ds, stage="primary", p=1, candidates=cand, capacitated=True, candidate_classes=2,
                         settings=one)
    assert s.sites["site_id"].tolist() == ["C1"]


# --- candidate_grid_spacing_m ------------------------------------------------------------------


def test_grid_spacing_from_settings():
    # A 4000 m × 4000 m 镇街: spacing 2000 → centres at 1000, 3000 on each axis → 2 × 2 = 4 sites;
    # spacing 1000 → 500, 1500, 2500, 3500 → 4 × 4 = 16.
    sq = shapely.box(X0, Y0, X0 + 4000, Y0 + 4000)
    ds = scenario_dataset()
    ds.townships = gpd.GeoDataFrame({"township": ["甲镇"]}, geometry=[sq], crs="EPSG:32650").to_crs("EPSG:4326")
    assert len(op.candidate_grid(ds)) == 4
    assert len(op.candidate_grid(ds, settings=get_settings(candidate_grid_spacing_m=1000))) == 16
    assert len(op.candidate_grid(ds, spacing_m=2000, settings=get_settings(candidate_grid_spacing_m=1000))) == 4


# --- stay_preference_m -------------------------------------------------------------------------


def test_stay_preference_from_settings():
    # Baseline (class capacity 2 × 45 = 90 at A): V1 (x=0), V2, V3 all go to A (500, 500, 1100 m).
    # A new school N at x=−460 is 460 m from V1: 40 m shorter than A. With the default tie-break of
    # 50 m V1 stays at A; with 30 m (< 40) it moves to N. (重新划片: without it V1 stays anyway.)
    lon, lat = _INV.transform(X0 - 460, Y0)
    scn = {"name": "新建", "rezone": True,
           "edits": [{"type": "open", "id": "N", "lon": lon, "lat": lat, "capacity": 30}]}
    ds = scenario_dataset()
    stay = sc.evaluate(ds, scn, stage="primary").flows.set_index("village_id")
    assert stay.loc["V1", "school_id"] == "A"
    move = sc.evaluate(ds, scn, stage="primary", settings=get_settings(stay_preference_m=30)).flows
    assert move.set_index("village_id").loc["V1", "school_id"] == "N"


# --- the settings file named by the environment / `jxedu --settings` ---------------------------


def test_environment_variable_names_the_settings_file(tmp_path, monkeypatch):
    f = tmp_path / "jxedu.yaml"
    f.write_text("teaching_point_min_students: 100\nwalk_limit_m: {primary: 1500, junior: 2500}\n", encoding="utf-8")
    monkeypatch.setenv("JXEDU_SETTINGS", str(f))
    s = get_settings()
    assert s.teaching_point_min_students == 100
    assert s.walk_limit_m == {"primary": 1500, "junior": 2500}
    # an explicit path and keyword overrides still win
    assert get_settings(path=None, teaching_point_min_students=70).teaching_point_min_students == 70


def test_cli_settings_option_reaches_the_indicators(tmp_path, monkeypatch, demo_dir):
    import json

    from typer.testing import CliRunner

    from jxedu.cli.app import app

    monkeypatch.setenv("JXEDU_SETTINGS", "")  # restored after the test (the CLI sets it)
    runner = CliRunner()
    base = json.loads(runner.invoke(app, ["indicators", str(demo_dir), "--json"]).stdout)
    f = tmp_path / "jxedu.yaml"
    f.write_text("teaching_point_min_students: 100\n", encoding="utf-8")
    res = runner.invoke(app, ["--settings", str(f), "indicators", str(demo_dir), "--json"])
    assert res.exit_code == 0, res.output
    raised = json.loads(res.stdout)
    # Independently from the CSVs: 教学点 of the year with 50–99 students drop out when the cut is 100.
    schools = pd.read_csv(demo_dir / "学校.csv", dtype=str, encoding="utf-8-sig")
    stats = pd.read_csv(demo_dir / "学段统计.csv", dtype={"学校标识码": str}, encoding="utf-8-sig")
    points = set(schools.loc[schools["办学类型"] == "教学点", "学校标识码"])
    year = raised["year"]
    tp = stats[(stats["学年"] == year) & stats["学校标识码"].isin(points)]
    dropped = int(((tp["在校生数"] >= 50) & (tp["在校生数"] < 100)).sum())
    assert dropped > 0
    assert raised["stages"]["primary"]["units"] == base["stages"]["primary"]["units"] - dropped
    assert raised["stages"]["junior"]["units"] == base["stages"]["junior"]["units"]


def test_cli_settings_option_rejects_a_bad_file(tmp_path, monkeypatch, demo_dir):
    from typer.testing import CliRunner

    from jxedu.cli.app import app

    monkeypatch.setenv("JXEDU_SETTINGS", "")
    f = tmp_path / "bad.yaml"
    f.write_text("teaching_point_minimum: 60\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["--settings", str(f), "indicators", str(demo_dir)])
    assert res.exit_code == 2
    assert "unknown_setting" in res.output and "teaching_point_minimum" in res.output


def test_resolve_settings_defaults_and_type_check():
    from jxedu.core.settings import resolve_settings

    s = get_settings(teaching_point_min_students=60)
    assert resolve_settings(s) is s
    assert resolve_settings(None).teaching_point_min_students == 50
    with pytest.raises(SettingsError, match="bad_settings"):
        resolve_settings({"teaching_point_min_students": 60})


def test_unit_costs_are_data_with_sources_and_a_county_replaces_them():
    from jxedu.core import costs

    table = costs.unit_costs()
    assert (table["source"].str.len() > 0).all() and not table["replaced"].any()
    assert costs.unit_cost("building_m2_primary") == 3200.0
    s = get_settings(unit_costs={"building_m2_primary": 3500})
    replaced = costs.unit_costs(s.unit_costs)
    assert replaced.loc["building_m2_primary", "value"] == 3500.0 and replaced.loc["building_m2_primary", "replaced"]
    assert replaced.loc["building_m2_primary", "source"] == "本县设置（unit_costs）"
    with pytest.raises(SettingsError, match="unknown_unit_cost"):
        get_settings(unit_costs={"gold_m2": 1})
    with pytest.raises(SettingsError, match="bad_unit_cost"):
        get_settings(unit_costs={"teacher_year": -5})


def test_readings_of_the_method_are_settings_with_checked_values():
    s = get_settings()
    assert (s.plan_pe_art_scope, s.unit_teachers) == ("unit", "stage")
    assert s.school_checks_include_small_points and s.teaching_area_net_of_indoor_sports
    assert (s.left_behind_care_min, s.after_school_participation_min) == (1.0, 0.9)
    with pytest.raises(SettingsError, match="plan_pe_art_scope"):
        get_settings(plan_pe_art_scope="township")
    with pytest.raises(SettingsError, match="unit_teachers"):
        get_settings(unit_teachers="all")
    with pytest.raises(SettingsError, match="after_school_participation_min"):
        get_settings(after_school_participation_min=90)
    assert tuple(s.alliance_areas) == ("town", "rural")
    with pytest.raises(SettingsError, match="alliance_areas"):
        get_settings(alliance_areas=["乡村"])


def test_county_targets_are_not_settings_and_rotation_rules_are():
    # the plan's targets are data (the 规划目标 table): the error says where they go
    with pytest.raises(SettingsError, match="规划目标") as exc:
        get_settings(plan_rotations_per_year=400)
    assert "unknown_setting" in str(exc.value)
    s = get_settings()
    assert (s.rotation_target_moves, s.rotation_target_basis) == ("all", "average")  # the documented defaults
    assert get_settings(rotation_target_moves="toward_rural_weak").rotation_target_moves == "toward_rural_weak"
    for bad in ({"rotation_target_moves": "rural"}, {"rotation_target_basis": "mean"}):
        with pytest.raises(SettingsError, match="bad_setting"):
            get_settings(**bad)
