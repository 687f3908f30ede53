"""Tests of jxedu.analysis.rotation on hand-built rosters (every expected number worked out in comments).

The tables, charts and the flow map of jxedu.present.teachers are tested in tests/present/test_teachers.py.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from jxedu.analysis import rotation
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, MissingTableError
from jxedu.core.settings import get_settings
from tests.core.test_county import plan_table

STAGE_COLS = [
    "students", "classes", "teachers", "qualified_teachers", "backbone_teachers", "pe_teachers",
    "music_teachers", "art_teachers",
]


def _schools(rows):
    df = pd.DataFrame(rows, columns=["school_id", "name", "school_type", "township", "urban_rural", "lon", "lat"])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    utm = gdf.to_crs("EPSG:32650")
    gdf["x"] = utm.geometry.x
    gdf["y"] = utm.geometry.y
    return gdf


def _stats(rows):
    """rows: (year, school_id, stage, students, teachers, backbone, pe, music, art)."""
    out = []
    for y, sid, st, students, teachers, bb, pe, mu, art in rows:
        out.append({"year": y, "school_id": sid, "stage": st, "students": students, "classes": 1,
                    "teachers": teachers, "qualified_teachers": teachers, "backbone_teachers": bb,
                    "pe_teachers": pe, "music_teachers": mu, "art_teachers": art})
    return pd.DataFrame(out)


def _teacher(tid, sid, *, subject="语文", gender="male", birth=1980, backbone="none", start=2010, stage="primary",
             hours=400.0, honour=None):
    return {"teacher_id": tid, "school_id": sid, "stage": stage, "subject": subject, "gender": gender,
            "birth_year": birth, "education": "bachelor", "backbone_level": backbone, "certified": True,
            "start_year": start, "training_hours": hours, "honour_year": honour}


def _dataset(schools, stats, teachers, rotations=None, plan=True):
    """``plan``: 金乡's targets in every year (:func:`tests.core.test_county.plan_table`), a table, or ``False``."""
    return Dataset(
        source=Path("hand-built"),
        schools=schools,
        stage_stats=stats,
        facilities=pd.DataFrame({"year": [], "school_id": []}),
        teachers=pd.DataFrame(teachers),
        rotations=None if rotations is None else pd.DataFrame(
            rotations, columns=["year", "teacher_id", "from_school_id", "to_school_id"]),
        plan_targets=plan_table() if plan is True else (None if plan is False else plan),
    )


def _roster() -> Dataset:
    """Five schools, a roster of 15 teachers and rotations in 2023 (1) and 2024 (5).

    Schools: U1 城区 (金乡街道), T1 镇区 and R1 乡村 (羊山镇), R2 乡村 and W1 镇区 weak (胡集镇).
    Teachers (year 2024: years at school = 2024 − start; age = 2024 − birth):
      A  U1 体育, county backbone, start 2018 (6 y: eligible boundary), male 44
      B  U1 数学, start 2019 (5 y: not eligible)
      C  U1 美术, male born 1970 (54: 6 y to 60 → eligible), start 2000
      D  U1 语文, male born 1969 (55: 5 y to 60 → excluded), start 2000
      E  T1 语文, province backbone, female born 1975 (49: 6 y to 55 → eligible), start 2000
      F  T1 语文, female born 1974 (50: 5 y to 55 → excluded), start 2000
      G  R1 语文, unknown gender born 1970 (54: male age → eligible), start 2000
      H  R1 语文, unknown gender born 1969 (55 → excluded), start 2000
      N1–N3 at U1, N4–N6 at T1: 语文, male 1980, start 2010 (eligible)
      X  U1 语文, start 2010 (eligible), rotated in 2023
    """
    schools = _schools([
        ("U1", "城区一小", "primary", "金乡街道", "urban", 116.30, 35.08),
        ("T1", "羊山镇中心小学", "primary", "羊山镇", "town", 116.23, 35.12),
        ("R1", "羊山镇甲村小学", "primary", "羊山镇", "rural", 116.22, 35.13),
        ("R2", "胡集镇乙村小学", "primary", "胡集镇", "rural", 116.27, 35.17),
        ("W1", "胡集镇丙小学", "primary", "胡集镇", "town", 116.28, 35.16),
    ])
    stats = _stats([
        # year, school, stage, students, teachers, backbone, pe, music, art
        (2024, "U1", "primary", 1000, 60, 12, 6, 3, 3),
        (2024, "T1", "primary", 500, 30, 5, 3, 1, 1),
        (2024, "R1", "primary", 200, 10, 1, 1, 0, 0),
        (2024, "R2", "primary", 300, 15, 2, 1, 0, 0),
        (2024, "W1", "primary", 100, 6, 1, 1, 0, 0),
    ])
    t = [
        _teacher("A", "U1", subject="体育", backbone="county", start=2018),
        _teacher("B", "U1", subject="数学", start=2019),
        _teacher("C", "U1", subject="美术", birth=1970, start=2000),
        _teacher("D", "U1", birth=1969, start=2000),
        _teacher("E", "T1", backbone="province", gender="female", birth=1975, start=2000),
        _teacher("F", "T1", gender="female", birth=1974, start=2000),
        _teacher("G", "R1", gender=None, birth=1970, start=2000),
        _teacher("H", "R1", gender=None, birth=1969, start=2000),
        *[_teacher(f"N{i}", "U1") for i in (1, 2, 3)],
        *[_teacher(f"N{i}", "T1") for i in (4, 5, 6)],
        _teacher("X", "U1"),
    ]
    rot = [
        (2023, "X", "U1", "R1"),
        (2024, "A", "U1", "R1"),
        (2024, "C", "U1", "W1"),
        (2024, "E", "T1", "R2"),
        (2024, "G", "R1", "U1"),
        (2024, "B", "U1", "T1"),
    ]
    return _dataset(schools, stats, t, rot)


@pytest.fixture
def roster() -> Dataset:
    """:func:`_roster`."""
    return _roster()


WEAK = ["W1"]


def test_eligibility_boundaries(roster):
    el = rotation.eligible_teachers(roster, year=2024)
    # 2024: A (6 y), C (54 m), E (49 f), G (54, unknown → male), N1–N6, X (start 2010)
    # excluded: B (5 y), D (55 m), F (50 f), H (55 unknown).
    assert sorted(el["teacher_id"]) == sorted(["A", "C", "E", "G", "N1", "N2", "N3", "N4", "N5", "N6", "X"])
    a = el.set_index("teacher_id").loc["A"]
    assert a["years_at_school"] == 6 and a["years_to_retirement"] == 60 - 44
    # Each teacher carries the 镇街 of the school (a 镇街 view keeps its own): A at U1 (金乡街道), G at R1 (羊山镇).
    assert a["township"] == "金乡街道" and el.set_index("teacher_id").loc["G", "township"] == "羊山镇"
    # Only pseudonymous ids and roster attributes are returned.
    assert "name" not in el.columns and "id_number" not in el.columns


def test_eligibility_is_a_setting(roster):
    # With 5 years at school required, B (5 y) becomes eligible: 11 + 1 = 12.
    s = get_settings(rotation_min_years=5)
    assert len(rotation.eligible_teachers(roster, year=2024, settings=s)) == 12
    # Excluding only the last 4 years before retirement: D (5 y to go), F (5 y), H (5 y) join: 11 + 3.
    s = get_settings(rotation_exclude_years_to_retirement=4)
    assert len(rotation.eligible_teachers(roster, year=2024, settings=s)) == 14


def test_weak_schools_from_indicator_frame():
    # Units: S1 primary passes, S1 junior fails (S1 is weak), S2 passes; in 2023 S2 failed.
    ind = pd.DataFrame({"year": [2024, 2024, 2024, 2023], "school_id": ["S1", "S1", "S2", "S2"],
                        "passes": [True, False, True, False]})
    assert rotation.weak_schools(ind, year=2024) == {"S1"}
    assert rotation.weak_schools(ind) == {"S1", "S2"}
    assert rotation.weak_by_year(ind) == {2023: {"S2"}, 2024: {"S1"}}


def test_weak_schools_per_year(roster):
    # W1 weak in 2023 only: X's 2023 rotation U1 → R1 is toward the target anyway (R1 乡村); C's 2024
    # rotation U1 → W1 (镇区) counts only when W1 is weak in 2024.
    rec = rotation.rotation_records(roster, weak={2023: ["W1"], 2024: []})
    c = rec.set_index("teacher_id").loc["C"]
    assert not c["to_weak"] and not c["toward_target"]
    rec = rotation.rotation_records(roster, weak={2024: ["W1"]})
    assert bool(rec.set_index("teacher_id").loc["C", "toward_target"])


def test_county_summary_ratios_and_direction(roster):
    s = rotation.rotation_summary(roster, weak=WEAK).set_index("year")
    y24 = s.loc[2024]
    # 5 rotations: A U1→R1 (城区→乡村), C U1→W1 (城区→weak 镇区), E T1→R2 (镇区→乡村),
    # G R1→U1 (乡村→城区), B U1→T1 (城区→镇区, not weak).
    assert y24["rotated"] == 5
    assert y24["toward_target"] == 3  # A, C, E
    assert y24["toward_rural"] == 2  # A, E
    assert y24["toward_weak"] == 1  # C
    # the plan (open from the first year of the table, 2023): every rotation counts, 1 in 2023, 5 in 2024:
    # 2024 average (1 + 5) / 2 = 3.0 against 400 -> not met
    assert y24["rotation_target"] == 400 and y24["plan_counted"] == 5 and y24["plan_average"] == 3.0
    assert not y24["meets_rotation_target"]
    assert y24["eligible"] == 11  # see test_eligibility_boundaries
    assert y24["rotation_share"] == pytest.approx(5 / 11)  # 0.4545 ≥ 0.10
    assert y24["meets_rotation_share"]
    assert y24["backbone_rotated"] == 2  # A county, E province
    assert y24["backbone_share"] == pytest.approx(2 / 5)  # 0.40 ≥ 0.20
    assert y24["meets_backbone_share"]
    y23 = s.loc[2023]
    # 2023 eligibility: A has 5 y (no), B 4 y (no); C 53, D 54 (6 y to go: yes), E 48, F 49 (yes),
    # G 53, H 54 (yes), N1–N6, X → 6 + 6 + 1 = 13.
    assert y23["eligible"] == 13
    assert y23["rotated"] == 1 and y23["backbone_rotated"] == 0
    assert y23["rotation_share"] == pytest.approx(1 / 13)  # 0.077 < 0.10
    assert not y23["meets_rotation_share"] and not y23["meets_backbone_share"]


def test_summary_from_records_already_computed(roster):
    # The assessment passes its records and eligible teachers: same figures as reading the data.
    rec = rotation.rotation_records(roster, weak=WEAK)
    elig = rotation.eligible_teachers(roster, year=2024)
    t = rotation.rotation_summary(roster, year=2024, by="township", records=rec, eligible=elig).set_index("township")
    assert t.loc["金乡街道", ["rotated_out", "rotated_in", "eligible"]].tolist() == [3, 1, 6]
    c = rotation.rotation_summary(roster, records=rec).set_index("year")
    assert c.loc[2024, "toward_target"] == 3 and c.loc[2023, "rotated"] == 1
    with pytest.raises(DataError, match="bad_eligible"):
        rotation.rotation_summary(roster, records=rec, eligible=elig)


def test_township_summary(roster):
    t = rotation.rotation_summary(roster, year=2024, by="township", weak=WEAK).set_index("township")
    # 金乡街道 (U1): sent A, C, B = 3 (backbone A); received G = 1; eligible A, C, N1–N3, X = 6.
    assert t.loc["金乡街道", ["rotated_out", "rotated_in", "eligible", "backbone_rotated"]].tolist() == [3, 1, 6, 1]
    assert t.loc["金乡街道", "rotation_share"] == pytest.approx(3 / 6)
    # 羊山镇 (T1, R1): sent E, G = 2 (backbone E); received A, B = 2; eligible E, G, N4–N6 = 5.
    assert t.loc["羊山镇", ["rotated_out", "rotated_in", "eligible", "backbone_rotated"]].tolist() == [2, 2, 5, 1]
    assert t.loc["羊山镇", "backbone_share"] == pytest.approx(0.5)
    # 羊山镇 sent E (T1 镇区 → R2 乡村: toward the target) and G (R1 乡村 → U1: not).
    assert t.loc["羊山镇", "toward_target"] == 1
    # 胡集镇: received C and E, sent nobody, no eligible teacher → ratio undefined.
    assert t.loc["胡集镇", ["rotated_out", "rotated_in", "eligible"]].tolist() == [0, 2, 0]
    assert np.isnan(t.loc["胡集镇", "rotation_share"])
    # 街道 come first.
    assert list(t.index) == ["金乡街道", "羊山镇", "胡集镇"]


def test_school_summary(roster):
    s = rotation.rotation_summary(roster, year=2024, by="school", weak=WEAK).set_index("school_id")
    # U1 sent A, C, B and received G; W1 received C; every school is listed, names kept.
    assert s.loc["U1", ["rotated_out", "rotated_in"]].tolist() == [3, 1]
    assert s.loc["W1", ["rotated_out", "rotated_in", "eligible"]].tolist() == [0, 1, 0]
    assert s.loc["W1", "school_name"] == "胡集镇丙小学"
    assert len(s) == 5


def test_direction_counts_and_matrix(roster):
    d = rotation.rotation_direction(rotation.rotation_records(roster, year=2024, weak=WEAK))
    # 金乡街道 → 羊山镇: A (城区 → 乡村 R1) and B (城区 → 镇区 T1); 金乡街道 → 胡集镇: C (城区 → 镇区 W1);
    # 羊山镇 → 胡集镇: E (镇区 → 乡村); 羊山镇 → 金乡街道: G (乡村 → 城区).
    assert d["rotated"].sum() == 5 and len(d) == 5
    m = rotation.direction_matrix(d).set_index("from_urban_rural")
    # 城区 row: B, C to 镇区; A to 乡村. 镇区 row: E to 乡村. 乡村 row: G to 城区.
    cols = ["to_urban", "to_town", "to_rural", "rotated"]
    assert m.loc["urban", cols].tolist() == [0, 2, 1, 3]
    assert m.loc["town", cols].tolist() == [0, 0, 1, 1]
    assert m.loc["rural", cols].tolist() == [1, 0, 0, 1]
    assert m.loc["total", cols].tolist() == [1, 2, 2, 5]
    # Rows of one 镇街 (胡集镇 receives C and E): the same rule on fewer rows.
    hu = rotation.direction_matrix(d[(d["from_township"] == "胡集镇") | (d["to_township"] == "胡集镇")])
    assert hu.set_index("from_urban_rural").loc["total", cols].tolist() == [0, 1, 1, 2]


def test_gap_filling(roster):
    g = rotation.gap_filling(roster, year=2024, weak=WEAK).set_index("school_id")
    # R1: 200 students, PE/art 1 (0.5 per 100), backbone 1 (0.5). Receives A (体育, county backbone):
    # PE/art 2 → 1.0 ≥ 0.9 closed; backbone 2 → 1.0 ≥ 1.0 closed.
    assert g.loc["R1", "pe_art_per_100_before"] == pytest.approx(0.5)
    assert g.loc["R1", "pe_art_per_100_after"] == pytest.approx(1.0)
    assert g.loc["R1", "pe_art_gap_status"] == "closed"
    assert g.loc["R1", "backbone_gap_status"] == "closed"
    # R2: 300 students, PE/art 1 (0.333), backbone 2 (0.667). Receives E (语文, province):
    # PE/art unchanged → open; backbone 3 → 1.0 closed.
    assert g.loc["R2", "pe_art_gap_status"] == "open"
    assert g.loc["R2", "backbone_per_100_after"] == pytest.approx(1.0)
    assert g.loc["R2", "backbone_gap_status"] == "closed"
    # W1: 100 students, PE/art 1 (1.0, no gap). Receives C (美术): 2 → 2.0. Backbone 1 (1.0): no gap.
    assert g.loc["W1", "pe_art_gap_status"] == "no_gap"
    assert g.loc["W1", "pe_art_after"] == 2
    assert bool(g.loc["W1", "to_weak"])
    # T1 receives B; U1 receives G: 5 receiving schools in all; closed first, then open, then no gap.
    assert len(g) == 4 + 1
    assert g["pe_art_gap_status"].tolist() == ["closed", "open", "no_gap", "no_gap", "no_gap"]
    # The same from records already computed (the assessment's).
    rec = rotation.rotation_records(roster, weak=WEAK)
    g2 = rotation.gap_filling(roster, year=2024, records=rec).set_index("school_id")
    assert g2.loc["R2", "backbone_gap_status"] == "closed" and len(g2) == 5


def _plan_dataset() -> Dataset:
    """U1 城区 sends; R1 乡村 (same 镇街 as U1) and R2 乡村 (another 镇街) receive.

    2024 小学: U1 1000 students, PE/art 12 (needs ceil(0.9 × 10) = 9: spare 3), backbone 12 (needs 10:
    spare 2); R1 200 students, 10 teachers, PE/art 1 (0.5/100), backbone 1 (0.5/100); R2 100 students,
    8 teachers, PE/art 0, backbone 2 (2.0/100).
    Eligible in 2025 at U1: P1 体育, P2 音乐, P3 美术 + county backbone, B1 county, B2 city, N1–N4 语文
    (9 teachers). Not eligible: Y (start 2020, 5 years in 2025).
    """
    schools = _schools([
        ("U1", "城区一小", "primary", "金乡街道", "urban", 116.30, 35.08),
        ("R1", "街道甲村小学", "primary", "金乡街道", "rural", 116.31, 35.09),
        ("R2", "胡集镇乙村小学", "primary", "胡集镇", "rural", 116.27, 35.17),
    ])
    stats = _stats([
        (2024, "U1", "primary", 1000, 60, 12, 6, 3, 3),
        (2024, "R1", "primary", 200, 10, 1, 1, 0, 0),
        (2024, "R2", "primary", 100, 8, 2, 0, 0, 0),
    ])
    t = [
        _teacher("P1", "U1", subject="体育"),
        _teacher("P2", "U1", subject="音乐"),
        _teacher("P3", "U1", subject="美术", backbone="county"),
        _teacher("B1", "U1", backbone="county"),
        _teacher("B2", "U1", subject="数学", backbone="city"),
        *[_teacher(f"N{i}", "U1") for i in (1, 2, 3, 4)],
        _teacher("Y", "U1", start=2020),
    ]
    return _dataset(schools, stats, t, None)


def test_plan_next_year_greedy():
    ds = _plan_dataset()
    plan = rotation.plan_next_year(ds, year=2024, target=6, weak=[])
    # needed = max(6, ceil(10 % × 9) = 1) = 6; backbone needed = ceil(20 % × 6) = 2.
    assert (plan.plan_year, plan.eligible, plan.needed, plan.backbone_needed) == (2025, 9, 6, 2)
    # Phase 1 (PE/art, lowest per 100 first): R2 (0.0) gets P1 (ties by 教师编号) → 1.0, closed;
    #   R1 (0.5) gets P2 (U1 is in R1's 镇街) → 1.0, closed. U1 PE/art spare 3 → 1.
    # Phase 2 (backbone below 1.0): R1 (0.5) gets B1 (B1 < B2 < P3) → 1.0. Spare backbone 2 → 1.
    # Phase 2b (20 % share: 1 of 2): lowest backbone per 100 is R1 (1.0 < R2 2.0) → B2. Spare 0.
    # Phase 3 (most pupils per teacher): R1 200 / 14 = 14.3 > R2 100 / 9 = 11.1 → N1; R1 200 / 15 =
    #   13.3 still > 11.1 → N2. P3 is not sent: U1 has no spare backbone left.
    m = plan.moves
    got = list(zip(m["teacher_id"], m["to_school_id"], strict=True))
    assert got == [("P1", "R2"), ("P2", "R1"), ("B1", "R1"), ("B2", "R1"), ("N1", "R1"), ("N2", "R1")]
    assert m["reason"].tolist() == ["pe_art_gap", "pe_art_gap", "backbone_gap", "backbone_share",
                                    "pupils_per_teacher", "pupils_per_teacher"]
    assert m["order"].tolist() == [1, 2, 3, 4, 5, 6] and set(m["plan_year"]) == {2025}
    assert m.set_index("teacher_id").loc["P1", ["from_school_name", "to_school_name", "to_township"]].tolist() == [
        "城区一小", "胡集镇乙村小学", "胡集镇"]
    assert plan.planned == 6 and plan.backbone_planned == 2 and plan.shortfall == 0
    assert plan.backbone_share == pytest.approx(2 / 6)
    assert plan.rotation_share == pytest.approx(6 / 9)
    assert plan.figures()["rotations_planned"] == 6
    assert "name" not in m.columns


def test_plan_shortfall_when_not_enough_teachers():
    ds = _plan_dataset()
    plan = rotation.plan_next_year(ds, year=2024, target=400, weak=[])
    # Sendable: 9 eligible, minus P3 — once B1 and B2 use U1's 2 spare backbone places, P3
    # (also backbone) cannot go; P1, P2 use 2 of the 3 spare PE/art places. 8 planned, 392 short.
    assert plan.planned == 8
    assert plan.shortfall == 392
    with pytest.raises(DataError, match="bad_target"):
        rotation.plan_next_year(ds, year=2024, target=-1, weak=[])


def test_plan_by_township():
    ds = _plan_dataset()
    plan = rotation.plan_next_year(ds, year=2024, target=6, weak=[])
    t = rotation.plan_by_township(plan, ds).set_index("township")
    # All six leave U1 (金乡街道); P1 goes to R2 (胡集镇), the five others to R1 (金乡街道).
    # Backbone among them: B1, B2; PE/art: P1, P2.
    assert t.loc["金乡街道", ["planned_out", "planned_in", "backbone_planned_out", "pe_art_planned_out"]].tolist() == [
        6, 5, 2, 2]
    assert t.loc["胡集镇", ["planned_out", "planned_in"]].tolist() == [0, 1]
    assert set(t["plan_year"]) == {2025}


def test_pe_art_needs():
    ds = _plan_dataset()
    plan = rotation.plan_next_year(ds, year=2024, target=6, weak=[])
    n = rotation.pe_art_needs(ds, year=2024, plan=plan).set_index("school_id")
    cols = ["pe_art_required", "pe_art_gap", "pe_art_planned_in", "pe_art_to_hire"]
    # U1: ceil(0.9 × 1000 / 100) = 9 (not 10: float noise guarded), have 12 → gap 0.
    assert n.loc["U1", "pe_art_required"] == 9 and n.loc["U1", "pe_art_gap"] == 0
    # R1: ceil(0.9 × 200 / 100) = ceil(1.8) = 2, have 1 → gap 1; P2 planned in → hire 0.
    assert n.loc["R1", cols].tolist() == [2, 1, 1, 0]
    # R2: ceil(0.9) = 1, have 0 → gap 1; P1 planned → hire 0.
    assert n.loc["R2", cols].tolist() == [1, 1, 1, 0]
    assert n.loc["R1", "pe_art_teachers_per_100"] == pytest.approx(0.5)
    # Without a plan every gap is to hire; the plan's moves frame works as the plan.
    n0 = rotation.pe_art_needs(ds, year=2024).set_index("school_id")
    assert n0.loc["R1", "pe_art_to_hire"] == 1
    assert rotation.pe_art_needs(ds, year=2024, plan=plan.moves).set_index("school_id").loc["R2", "pe_art_to_hire"] == 0


def test_training_honours(roster):
    ds = roster
    t = ds.teachers.copy()
    # 15 teachers (U1: A B C D N1–N3 X; T1: E F N4–N6; R1: G H), all with 400 学时; set 4 below 360
    # (B 359.5, D 0, F empty, H 100).
    t.loc[t["teacher_id"] == "B", "training_hours"] = 359.5
    t.loc[t["teacher_id"] == "D", "training_hours"] = 0.0
    t.loc[t["teacher_id"] == "F", "training_hours"] = np.nan
    t.loc[t["teacher_id"] == "H", "training_hours"] = 100.0
    t.loc[t["teacher_id"].isin(["A", "C"]), "honour_year"] = 2023
    t.loc[t["teacher_id"] == "E", "honour_year"] = 2024
    ds.teachers = t
    out = rotation.training_honours(ds, year=2024)
    tr = out["training"].set_index("township")
    # 金乡街道 (U1): A, B, C, D, N1–N3, X = 8 teachers; B and D below → 6 trained.
    assert tr.loc["金乡街道", ["teachers", "trained"]].tolist() == [8, 6]
    # 全县: 15 teachers, 4 below → 11 trained, 11/15 < 100 %; the 全县 row comes last.
    assert tr.loc["全县", ["teachers", "trained"]].tolist() == [15, 11]
    assert not tr.loc["全县", "meets_training"]
    assert list(tr.index) == ["金乡街道", "羊山镇", "全县"]
    h = out["honours"].set_index("year")
    assert h.loc[2023, "honoured"] == 2 and h.loc[2024, "honoured"] == 1
    assert set(h["honours_target"]) == {100}
    assert not h["meets_honours"].any()  # target 100 per year


def test_training_counts_compulsory_stage_teachers_only(roster):
    # Item 9 concerns the 义务教育 专任教师 (as assurance.assurance_items): a 高中 teacher of U1 with 0 学时
    # changes nothing, while a 最美教师 of any stage still counts toward the ≥ 100 a year.
    ds = roster
    t = ds.teachers.copy()
    t["training_hours"] = 400.0
    senior = t.loc[t["teacher_id"] == "A"].assign(teacher_id="S1", stage="senior", training_hours=0.0,
                                                     honour_year=2024)
    ds.teachers = pd.concat([t, senior], ignore_index=True)
    out = rotation.training_honours(ds, year=2024)
    tr = out["training"].set_index("township")
    # 15 compulsory-stage teachers, all with 400 ≥ 360 学时 → 15 of 15 = 100 %.
    assert tr.loc["全县", ["teachers", "trained"]].tolist() == [15, 15]
    assert tr.loc["全县", "meets_training"]
    assert out["honours"].set_index("year").loc[2024, "honoured"] == 1  # S1


def test_errors(roster):
    with pytest.raises(DataError, match="unknown_year"):
        rotation.rotation_summary(roster, year=2010, weak=WEAK)
    with pytest.raises(DataError, match="bad_by"):
        rotation.rotation_summary(roster, by="province", weak=WEAK)
    ds = _plan_dataset()
    with pytest.raises(MissingTableError, match="missing_table"):
        rotation.rotation_summary(ds, weak=[])


@pytest.mark.parametrize("subject,expected", [("体育与健康", True), ("音乐", True), ("美术", True),
                                              ("艺术", True), ("语文", False), (None, False)])
def test_pe_art_subjects(subject, expected):
    assert bool(rotation.is_pe_art_subject(pd.Series([subject], dtype=object)).iloc[0]) is expected


def test_empty_rotation_table(roster):
    roster.rotations = roster.rotations.iloc[0:0]
    with pytest.raises(DataError, match="empty_table"):
        rotation.rotation_summary(roster, weak=WEAK)
    with pytest.raises(DataError, match="empty_table"):
        rotation.gap_filling(roster, weak=WEAK)
    # No rotation: the direction matrix is all zeros.
    d = rotation.rotation_direction(rotation.rotation_records(roster, weak=WEAK))
    assert rotation.direction_matrix(d)["rotated"].tolist() == [0, 0, 0, 0]


def _dated_roster(*, dated: bool = True) -> Dataset:
    """U1 城区, R1 乡村; rosters of 2023 and 2024 (or, undated, the 2024 one alone).

    2023: P at U1 (start 2015: 8 years, eligible), not backbone; Q at U1 (start 2015, eligible), 县级 骨干.
    2024: P is now 县级 骨干; Q has left; R joined U1 in 2024 (0 years: not eligible).
    Rotations: 2023 P U1 → R1; 2024 R U1 → R1.
    """
    schools = _schools([("U1", "城区一小", "primary", "金乡街道", "urban", 116.30, 35.08),
                        ("R1", "甲村小学", "primary", "羊山镇", "rural", 116.22, 35.13)])
    stats = _stats([(y, sid, "primary", 500, 20, 2, 2, 1, 1) for y in (2023, 2024) for sid in ("U1", "R1")])
    r2023 = [{**_teacher("P", "U1", start=2015), "year": 2023},
             {**_teacher("Q", "U1", start=2015, backbone="county"), "year": 2023}]
    r2024 = [{**_teacher("P", "U1", start=2015, backbone="county"), "year": 2024},
             {**_teacher("R", "U1", start=2024), "year": 2024}]
    teachers = r2023 + r2024 if dated else [{k: v for k, v in t.items() if k != "year"} for t in r2024]
    return _dataset(schools, stats, teachers, [(2023, "P", "U1", "R1"), (2024, "R", "U1", "R1")])


def test_a_dated_roster_is_read_year_by_year():
    from jxedu.analysis.assurance import rotation_ratios

    ds = _dated_roster()
    # 2023 reads the 2023 roster: P and Q eligible; P rotated, not yet backbone
    assert sorted(rotation.eligible_teachers(ds, year=2023)["teacher_id"]) == ["P", "Q"]
    rec = rotation.rotation_records(ds, weak=set()).set_index("year")
    assert not rec.loc[2023, "is_backbone"] and rec.loc[2023, "teacher_id"] == "P"
    r = rotation_ratios(ds, year=2023, weak=set())
    # 1 rotated of 2 eligible = 50 %, none backbone; read from the year's own roster
    assert (r["eligible"], r["rotated"], r["rotated_backbone"], r["roster_from_latest"]) == (2, 1, 0, False)
    # 2024: P eligible (9 years), R not (0 years)
    assert rotation.eligible_teachers(ds, year=2024)["teacher_id"].tolist() == ["P"]


def test_an_undated_roster_reads_past_years_from_the_latest_and_says_so():
    from jxedu.analysis.assurance import rotation_ratios

    ds = _dated_roster(dated=False)
    # 2023 from the 2024 roster: Q (left) is not seen, P counts as backbone already
    assert rotation.eligible_teachers(ds, year=2023)["teacher_id"].tolist() == ["P"]
    r = rotation_ratios(ds, year=2023, weak=set())
    assert (r["eligible"], r["rotated_backbone"], r["roster_from_latest"]) == (1, 1, True)
    assert not rotation_ratios(ds, year=2024, weak=set())["roster_from_latest"]


# --- the county plan's rotation target: yearly count and the average since the plan began -----------


def _plan_years_dataset(plan) -> Dataset:
    """Three schools and rotations in 2023–2026 for the plan-target rules (issue 13).

    U1 城区 小学, R1 乡村 小学, C1 完全中学 (城区, 初中 + 高中). Teachers P1–P9 teach 小学 at U1,
    S1 teaches 高中 at C1. Rotations per year (every one of a 小学 teacher unless said):
      2023: 3  (before the plan: never averaged)
      2024: 2  P1, P2 U1 → R1                       (both city → rural)
      2025: 5  P3, P4 U1 → R1; P5, P6, P7 R1 → U1   (2 city → rural, 3 rural → city)
      2026: 6  P1–P6 U1 → R1, and S1 (高中) C1 → U1  (the 高中 rotation is left out: 6, not 7)
    """
    schools = _schools([
        ("U1", "城区一小", "primary", "城关街道", "urban", 116.30, 35.08),
        ("R1", "甲村小学", "primary", "甲镇", "rural", 116.22, 35.13),
        ("C1", "县一中", "complete_middle", "城关街道", "urban", 116.31, 35.09),
    ])
    stats = _stats([(y, s, st, 400, 30, 4, 2, 1, 1) for y in (2023, 2024, 2025, 2026)
                    for s, st in (("U1", "primary"), ("R1", "primary"), ("C1", "junior"), ("C1", "senior"))])
    t = [_teacher(f"P{i}", "U1" if i <= 4 else "R1") for i in range(1, 10)] + [_teacher("S1", "C1", stage="senior")]
    rot = ([(2023, f"P{i}", "U1", "R1") for i in (7, 8, 9)]
           + [(2024, "P1", "U1", "R1"), (2024, "P2", "U1", "R1")]
           + [(2025, "P3", "U1", "R1"), (2025, "P4", "U1", "R1")] + [(2025, f"P{i}", "R1", "U1") for i in (5, 6, 7)]
           + [(2026, f"P{i}", "U1", "R1") for i in range(1, 7)] + [(2026, "S1", "C1", "U1")])
    ds = _dataset(schools, stats, t, rot, plan=plan)
    big = {"teaching_area": 100_000.0, "indoor_sports_area": 0.0, "sports_ground_area": 100_000.0,
           "equipment_value_wan": 10_000.0, "multimedia_rooms": 1_000.0}  # every unit passes: no weak school
    ds.facilities = pd.DataFrame([{"year": y, "school_id": s, **big} for y in (2023, 2024, 2025, 2026)
                                  for s in ("U1", "R1", "C1")])
    return ds


def test_rotation_target_yearly_and_three_year_average_by_hand():
    ds = _plan_years_dataset(plan_table(start=2024, plan_rotations_per_year=4))
    s = rotation.rotation_summary(ds, weak=[]).set_index("year")
    # every compulsory-stage rotation counts (default rotation_target_moves = all); 高中 S1 is left out
    assert s["rotated"].tolist() == [3, 2, 5, 6]
    assert s["toward_target"].tolist() == [3, 2, 2, 6]  # city → rural only (2025: 3 go back to the city)
    # the plan begins in 2024: 2023 has no target; averages over the plan's years present in the table
    assert pd.isna(s.loc[2023, "rotation_target"]) and pd.isna(s.loc[2023, "meets_rotation_target"])
    # 2024: 2 / 1 = 2.0; 2025: (2 + 5) / 2 = 3.5; 2026: (2 + 5 + 6) / 3 = 13 / 3 = 4.333
    assert s.loc[2024, "plan_average"] == 2.0 and s.loc[2025, "plan_average"] == 3.5
    assert s.loc[2026, "plan_average"] == pytest.approx(13 / 3)
    # against 4 a year, by the average (default): 2025 not met although its own 5 ≥ 4; 2026 met
    assert s["meets_rotation_target"].tolist()[1:] == [False, False, True]
    p = rotation.plan_progress(s.reset_index(), ds.plan_target("plan_rotations_per_year", 2025), 2025)
    assert (p["counted"], p["meets_yearly"], p["meets_average"], p["average_years"]) == (5, True, False, [2024, 2025])
    assert (p["short_yearly"], p["short_average"]) == (0, 1)  # ceil(4 − 3.5) = 1
    # by the year's own count instead: 2 < 4, 5 ≥ 4, 6 ≥ 4
    y = rotation.rotation_summary(ds, weak=[], settings=get_settings(rotation_target_basis="yearly")).set_index("year")
    assert y["meets_rotation_target"].tolist()[1:] == [False, True, True]
    # counting only city/town → rural or weak: 2, 2, 6 -> 2026 average (2 + 2 + 6) / 3 = 3.333 < 4
    w = rotation.rotation_summary(ds, weak=[], settings=get_settings(rotation_target_moves="toward_rural_weak"))
    w = w.set_index("year")
    assert w["plan_counted"].tolist()[1:] == [2, 2, 6] and w.loc[2026, "plan_average"] == pytest.approx(10 / 3)
    assert not w.loc[2026, "meets_rotation_target"]


def test_rotation_count_and_eligible_pool_share_their_stages():
    import jxedu

    ds = _plan_years_dataset(plan_table(start=2024, plan_rotations_per_year=4))
    a = jxedu.assess(ds, year=2026)
    # S1 (高中) is neither eligible nor counted: 6 rotated of the nine 小学 teachers eligible (P1–P9,
    # start 2010: 16 years at the school) -> 6 / 9
    rr = a.rotation_ratios
    assert (rr["rotated"], rr["eligible"]) == (6, 9) and rr["share"] == pytest.approx(6 / 9)
    assert rr["plan"]["average"] == pytest.approx(13 / 3) and rr["plan"]["meets"]
    item = a.assurance.set_index("item_key").loc["plan_rotations"]
    assert (item["value"], item["target"], item["status"]) == (4.3, 4.0, "met")
    # no plan table: no target, no plan item, and the trend has no target columns to fill
    b = jxedu.assess(_plan_years_dataset(False), year=2026)
    assert b.rotation_ratios["plan"] is None and "plan_rotations" not in set(b.assurance["item_key"])
    assert b.rotation_summary["rotation_target"].isna().all()
