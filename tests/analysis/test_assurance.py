"""Assurance, quality and plan items on small hand-built data sets (arithmetic in the comments)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from jxedu import MissingTableError
from jxedu.analysis.assurance import (
    STATUS_EVIDENCE,
    STATUS_MET,
    STATUS_NO_DATA,
    STATUS_NOT_MET,
    assessed_schools,
    assurance_items,
    checklist_items,
    music_art_rooms,
    oversize_classes,
    pe_art_by_school,
    rotation_ratios,
    school_sizes,
)
from jxedu.analysis.rotation import eligible_teachers
from jxedu.core.dataset import Dataset
from jxedu.core.settings import get_settings
from jxedu.present.assurance import item_texts
from tests.core.test_county import plan_table

YEAR = 2024
_STAGES = {"primary": ("primary",), "teaching_point": ("primary",), "junior": ("junior",),
           "nine_year": ("primary", "junior"), "complete_middle": ("junior", "senior"),
           "twelve_year": ("primary", "junior", "senior")}


def build(schools, stats, *, facilities=None, rooms=None, classes=None, teachers=None, rotations=None,
          years=(YEAR,), plan=True) -> Dataset:
    """A Dataset from short dict lists; missing columns get neutral defaults.

    ``schools``: dicts with at least ``school_id``; ``stats``: dicts with ``school_id``, ``stage``,
    ``students`` (+ optional counts, ``year``). ``plan``: a 规划目标 table with 金乡's targets in every
    year (:func:`tests.core.test_county.plan_table`); ``False`` for none.
    """
    srows = []
    for i, s in enumerate(schools):
        srows.append({"school_id": s["school_id"], "name": s.get("name", f"学校{s['school_id']}"),
                      "school_type": s.get("school_type", "primary"), "township": s.get("township", "金乡街道"),
                      "urban_rural": s.get("urban_rural", "urban"), "lon": 116.30 + 0.01 * i, "lat": 35.08,
                      "crs": "WGS84", "boarding": False, "built_year": s.get("built_year", 2018)})
    sdf = pd.DataFrame(srows)
    gdf = gpd.GeoDataFrame(sdf, geometry=gpd.points_from_xy(sdf["lon"], sdf["lat"]), crs="EPSG:4326")
    ss = []
    for r in stats:
        row = {"year": YEAR, "classes": 1, "teachers": 10, "qualified_teachers": 10, "backbone_teachers": 1,
               "pe_teachers": 1, "music_teachers": 0, "art_teachers": 0, "certified_teachers": 10,
               "trained_teachers": 10, "migrant_students": 0}
        row.update(r)
        ss.append(row)
    ss = pd.DataFrame(ss)
    if facilities is None:
        facilities = [{"school_id": s["school_id"], "year": y} for s in schools for y in years]
    fac = []
    for r in facilities:
        row = {"teaching_area": 1000.0, "indoor_sports_area": 0.0, "sports_ground_area": 1000.0,
               "equipment_value_wan": 10.0, "multimedia_rooms": 5, "music_rooms": 1, "art_rooms": 1,
               "smart_campus": True}
        row.update(r)
        fac.append(row)
    return Dataset(
        source=Path("hand-built"), schools=gdf, stage_stats=ss, facilities=pd.DataFrame(fac),
        special_rooms=None if rooms is None else pd.DataFrame(rooms, columns=["school_id", "room_type", "area", "built_year"]),
        classes=None if classes is None else pd.DataFrame(classes),
        teachers=None if teachers is None else pd.DataFrame(teachers),
        rotations=None if rotations is None else pd.DataFrame(rotations),
        plan_targets=plan_table() if plan is True else (None if plan is False else plan),
    )


def _rooms(sid, music, art, built=None):
    return ([{"school_id": sid, "room_type": "music", "area": a, "built_year": built} for a in music]
            + [{"school_id": sid, "room_type": "art", "area": a, "built_year": built} for a in art])


def _item(df, key):
    """One item with the sentences a planner reads (:mod:`jxedu.present.assurance`) beside its facts."""
    return item_texts(df, get_settings()).set_index("item_key").loc[key]


# --- music and art rooms ------------------------------------------------------------------------


def rooms_ds():
    schools = [
        {"school_id": "A", "built_year": 2018},                       # 25 classes -> ceil(25/12) = 3 each
        {"school_id": "B", "built_year": 2016},                       # relaxed 73/67 (built <= 2016)
        {"school_id": "C", "built_year": 2017},                       # not relaxed: 96/90
        {"school_id": "D", "built_year": 2018, "urban_rural": "rural"},   # largest class 29 -> 54
        {"school_id": "E", "built_year": 2018, "urban_rural": "rural"},   # largest class 30 -> 96/90
        {"school_id": "F", "built_year": 2018, "urban_rural": "rural", "school_type": "nine_year"},  # 29 -> 61
    ]
    stats = [
        {"school_id": "A", "stage": "primary", "students": 1000, "classes": 25},
        {"school_id": "B", "stage": "primary", "students": 500, "classes": 12},
        {"school_id": "C", "stage": "primary", "students": 500, "classes": 13},
        {"school_id": "D", "stage": "primary", "students": 100, "classes": 6},
        {"school_id": "E", "stage": "primary", "students": 100, "classes": 6},
        {"school_id": "F", "stage": "primary", "students": 100, "classes": 6},
        {"school_id": "F", "stage": "junior", "students": 60, "classes": 3},
    ]
    rooms = (_rooms("A", [96, 96, 95.9], [90, 90, 90])       # music: 2 of 3 reach 96 -> short 1; art ok
             + _rooms("B", [73], [67])                       # meets 73/67 exactly
             + _rooms("C", [73, 96], [67, 90])               # 13 classes -> 2 needed; only 1 each counts
             + _rooms("D", [54], [54])                       # meets 54 exactly
             + _rooms("E", [54], [90])                       # music 54 < 96 -> short 1
             + _rooms("F", [60], [61])                       # junior small rural 61: music 60 fails
             + _rooms("A", [100], [100], built=2025))        # built after the year: not counted
    classes = [{"year": YEAR, "school_id": sid, "stage": "primary", "grade": 1, "class_name": "1班", "students": n}
               for sid, n in (("A", 40), ("B", 40), ("C", 40), ("D", 29), ("E", 30), ("F", 29))]
    return build(schools, stats, rooms=rooms, classes=classes)


def test_rooms_needed_and_area_rules():
    r = music_art_rooms(rooms_ds(), year=YEAR).set_index("school_id")
    # rooms needed: A 25 classes -> 3; B 12 -> 1; C 13 -> 2; F 6 + 3 = 9 -> 1
    assert r.loc["A", "rooms_needed"] == 3
    assert r.loc["B", "rooms_needed"] == 1
    assert r.loc["C", "rooms_needed"] == 2
    assert r.loc["F", "rooms_needed"] == 1
    # A: music rooms 96, 96 qualify (95.9 does not; the 2025 room does not exist in 2024)
    assert (r.loc["A", "music_rooms"], r.loc["A", "music_rooms_ok"], r.loc["A", "music_short"]) == (3, 2, 1)
    assert (r.loc["A", "art_rooms_ok"], r.loc["A", "art_short"]) == (3, 0)
    assert not r.loc["A", "meets"]
    # B built 2016: minimum 73/67
    assert (r.loc["B", "music_area_min"], r.loc["B", "art_area_min"]) == (73, 67)
    assert r.loc["B", "meets"]
    # C built 2017: 96/90; one room of each qualifies, 2 needed
    assert (r.loc["C", "music_area_min"], r.loc["C", "art_area_min"]) == (96, 90)
    assert (r.loc["C", "music_short"], r.loc["C", "art_short"]) == (1, 1)
    # D rural, largest class 29 < 30: 54 for both
    assert (r.loc["D", "music_area_min"], r.loc["D", "art_area_min"]) == (54, 54)
    assert r.loc["D", "meets"]
    # E rural, largest class 30: not a small school -> 96/90
    assert (r.loc["E", "music_area_min"], r.loc["E", "art_area_min"]) == (96, 90)
    assert (r.loc["E", "music_short"], r.loc["E", "art_short"]) == (1, 0)
    # F has 初中 students: 61 for both; music 60 fails, art 61 passes
    assert (r.loc["F", "music_area_min"], r.loc["F", "art_area_min"]) == (61, 61)
    assert (r.loc["F", "music_short"], r.loc["F", "art_short"]) == (1, 0)


def test_rooms_without_relaxation():
    r = music_art_rooms(rooms_ds(), year=YEAR, settings=get_settings(room_area_relaxation=False)).set_index("school_id")
    # B (73/67 rooms) and D (54/54) fail the full 96/90
    assert (r.loc["B", "music_short"], r.loc["B", "art_short"]) == (1, 1)
    assert not r.loc["D", "meets"]
    assert (r["music_area_min"] == 96).all() and (r["art_area_min"] == 90).all()


def test_rooms_fallback_to_facility_counts():
    ds = build([{"school_id": "A"}], [{"school_id": "A", "stage": "primary", "students": 900, "classes": 25}],
               facilities=[{"school_id": "A", "year": YEAR, "music_rooms": 3, "art_rooms": 2}])
    r = music_art_rooms(ds, year=YEAR).iloc[0]
    # 25 classes -> 3 needed; counts 3 and 2 without area check -> art short 1
    assert (r["music_short"], r["art_short"]) == (0, 1)
    assert r["source"] == "facility_counts"  # counts of 办学条件, areas not checked


def test_rooms_item_in_table():
    items = assurance_items(rooms_ds(), year=YEAR)
    it = _item(items, "music_art_rooms")
    # failing: A (music 1), C (1 + 1), E (music 1), F (music 1) -> 4 schools, music 4, art 1
    assert it["value"] == 4 and it["status"] == STATUS_NOT_MET
    assert "缺音乐教室 4 间、美术教室 1 间" in it["gap"]


# --- school size ------------------------------------------------------------------------------


def test_school_size_caps_and_relaxation():
    schools = [
        {"school_id": "P2000", "built_year": 2015},
        {"school_id": "P2001", "built_year": 2015},
        {"school_id": "N2500", "built_year": 2015, "school_type": "nine_year"},
        {"school_id": "N2501", "built_year": 2015, "school_type": "nine_year"},
        {"school_id": "OLD2400", "built_year": 2010},
        {"school_id": "OLD2401", "built_year": 2010},
        {"school_id": "MIG", "built_year": 2011},
        {"school_id": "MIG50", "built_year": 2011},
        {"school_id": "NOLD3000", "built_year": 2005, "school_type": "nine_year"},
    ]
    stats = [
        {"school_id": "P2000", "stage": "primary", "students": 2000},
        {"school_id": "P2001", "stage": "primary", "students": 2001},
        {"school_id": "N2500", "stage": "primary", "students": 1500},
        {"school_id": "N2500", "stage": "junior", "students": 1000},
        {"school_id": "N2501", "stage": "primary", "students": 1501},
        {"school_id": "N2501", "stage": "junior", "students": 1000},
        {"school_id": "OLD2400", "stage": "primary", "students": 2400},
        {"school_id": "OLD2401", "stage": "primary", "students": 2401},
        # 1201 / 2400 = 50.04 % > 50 % -> relaxed to 2400
        {"school_id": "MIG", "stage": "primary", "students": 2400, "migrant_students": 1201},
        # 1200 / 2400 = 50 % exactly: not more than half -> cap 2000, excess 400
        {"school_id": "MIG50", "stage": "primary", "students": 2400, "migrant_students": 1200},
        {"school_id": "NOLD3000", "stage": "primary", "students": 2000},
        {"school_id": "NOLD3000", "stage": "junior", "students": 1000},
    ]
    ds = build(schools, stats)
    r = school_sizes(ds, year=YEAR).set_index("school_id")
    expected = {"P2000": (2000, 0), "P2001": (2000, 1), "N2500": (2500, 0), "N2501": (2500, 1),
                "OLD2400": (2400, 0), "OLD2401": (2400, 1), "MIG": (2400, 0), "MIG50": (2000, 400),
                "NOLD3000": (3000, 0)}
    for sid, (cap, excess) in expected.items():
        assert (r.loc[sid, "cap"], r.loc[sid, "excess"]) == (cap, excess), sid
    assert r.loc["MIG", "relaxed_by_migrants"] and not r.loc["MIG", "relaxed_by_age"]
    # without relaxation: OLD2400 excess 400, NOLD3000 (3000 vs 2500) excess 500
    r2 = school_sizes(ds, year=YEAR, settings=get_settings(school_size_relaxation=False)).set_index("school_id")
    assert r2.loc["OLD2400", "excess"] == 400
    assert r2.loc["NOLD3000", "excess"] == 500
    it = _item(assurance_items(ds, year=YEAR), "school_size")
    # P2001, N2501, OLD2401, MIG50 over: 4 schools, 1 + 1 + 1 + 400 = 403 students
    assert it["value"] == 4
    assert "合计超出 403 人" in it["gap"]


def test_complete_middle_counts_junior_only():
    ds = build([{"school_id": "W", "school_type": "complete_middle"}],
               [{"school_id": "W", "stage": "junior", "students": 1900},
                {"school_id": "W", "stage": "senior", "students": 1500}])
    r = school_sizes(ds, year=YEAR).iloc[0]
    assert (r["students"], r["cap"], r["excess"]) == (1900, 2000, 0)


# --- class size -------------------------------------------------------------------------------


def test_oversize_classes_boundaries():
    rows = [("primary", 1, 45), ("primary", 2, 46), ("primary", 3, 55),
            ("junior", 7, 50), ("junior", 8, 51), ("junior", 9, 56), ("junior", 9, 66), ("senior", 10, 70)]
    classes = [{"year": YEAR, "school_id": "X", "stage": st, "grade": g, "class_name": f"{g}-{n}", "students": n}
               for st, g, n in rows]
    classes.append({"year": YEAR - 1, "school_id": "X", "stage": "primary", "grade": 1, "class_name": "old",
                    "students": 80})
    ds = build([{"school_id": "X", "school_type": "twelve_year"}],
               [{"school_id": "X", "stage": "primary", "students": 146},
                {"school_id": "X", "stage": "junior", "students": 223}], classes=classes)
    oc = oversize_classes(ds, year=YEAR)
    # over: 46 (+1), 55 (+10), 51 (+1), 56 (+6), 66 (+16); 45, 50, the 高中 70 and last year's 80 are not
    assert sorted(oc["students"]) == [46, 51, 55, 56, 66]
    assert oc["excess"].sum() == 1 + 10 + 1 + 6 + 16
    bands = dict(zip(oc["students"], oc["band"]))
    assert bands == {46: "large", 55: "large", 51: "large", 56: "big", 66: "super"}
    it = _item(assurance_items(ds, year=YEAR), "class_size")
    assert it["value"] == 5 and it["status"] == STATUS_NOT_MET
    assert "小学 2 个、初中 3 个" in it["gap"]


def test_oversize_needs_classes_table():
    ds = build([{"school_id": "X"}], [{"school_id": "X", "stage": "primary", "students": 10}])
    with pytest.raises(MissingTableError):
        oversize_classes(ds, year=YEAR)
    assert _item(assurance_items(ds, year=YEAR), "class_size")["status"] == STATUS_NO_DATA


# --- rotation ---------------------------------------------------------------------------------


def roster():
    """Year 2024. Eligible (jxedu.analysis.rotation rule): >= 6 years at the school and more than 5 years to
    retirement (male 60, female 55, unknown gender as male)."""
    t = [
        ("T1", "male", 1980, 2018, "none"),      # 6 years here, 16 to retirement -> eligible
        ("T2", "male", 1980, 2019, "none"),      # 5 years here -> no
        ("T3", "male", 1969, 2000, "none"),      # age 55: 5 to retirement -> excluded
        ("T4", "male", 1968, 2000, "city"),      # age 56: 4 -> excluded
        ("T5", "female", 1974, 2000, "none"),    # age 50: 5 to retirement at 55 -> excluded
        ("T5b", "female", 1975, 2000, "none"),   # age 49: 6 -> eligible
        ("T6", "female", 1973, 2000, "none"),    # age 51: 4 -> excluded
        ("T7", None, 1969, 2000, "none"),        # unknown gender uses 60: 5 -> excluded
        ("T8", None, 1970, 2000, "none"),        # unknown gender: 60 - 54 = 6 -> eligible (as female: 1)
        ("T10", "female", 1985, 2010, "county"),  # eligible, backbone
    ] + [(f"T{i}", "male", 1985, 2010, "none") for i in range(11, 27)]  # 16 more eligible
    rows = [{"teacher_id": tid, "school_id": "S", "stage": "primary", "subject": "语文", "gender": g,
             "birth_year": b, "education": "bachelor", "backbone_level": lv, "certified": True,
             "start_year": st, "training_hours": 400.0, "honour_year": None} for tid, g, b, st, lv in t]
    # a 高中 teacher meeting both conditions: not eligible, the rule covers compulsory-stage teachers only
    rows.append({**rows[0], "teacher_id": "H1", "stage": "senior"})
    rows[0]["honour_year"] = 2024
    rows[1]["honour_year"] = 2023
    return rows


def rotation_ds(rotated):
    rot = [{"year": YEAR, "teacher_id": t, "from_school_id": "S", "to_school_id": "R", "rotation_type": "城镇到乡村"}
           for t in rotated]
    rot.append({"year": YEAR - 1, "teacher_id": "T2", "from_school_id": "S", "to_school_id": "R", "rotation_type": "x"})
    return build([{"school_id": "S"}, {"school_id": "R", "urban_rural": "rural"}],
                 [{"school_id": "S", "stage": "primary", "students": 500},
                  {"school_id": "R", "stage": "primary", "students": 100}],
                 teachers=roster(), rotations=rot)


def test_eligible_teachers_by_hand():
    ds = rotation_ds([])
    ids = set(eligible_teachers(ds, year=YEAR)["teacher_id"])
    # T1, T5b, T8, T10, T11..T26 (16) = 20 teachers; H1 teaches 高中 and is left out
    assert ids == {"T1", "T5b", "T8", "T10"} | {f"T{i}" for i in range(11, 27)}
    # stricter rule: 7 years here drops T1 (6 years) -> 19
    assert len(eligible_teachers(ds, year=YEAR, settings=get_settings(rotation_min_years=7))) == 19


def test_rotation_ratios_by_hand():
    # rotated T1, T10 (county backbone), T4 (city backbone, excluded from eligible but rotated anyway), X9 (unknown)
    rr = rotation_ratios(rotation_ds(["T1", "T10", "T4", "X9"]), year=YEAR)
    assert (rr["eligible"], rr["rotated"], rr["rotated_backbone"], rr["unmatched"]) == (20, 4, 2, 1)
    assert rr["share"] == pytest.approx(4 / 20)            # 20 % >= 10 %
    assert rr["backbone_share"] == pytest.approx(2 / 4)    # 50 % >= 20 %
    # all four go from the 城区 school S to the 乡村 school R
    assert (rr["toward_rural"], rr["toward_target"]) == (4, 4)


def test_rotation_items_fail():
    # 1 rotated of 20 eligible = 5.0 % < 10 %: need ceil(0.1 * 20) - 1 = 1 more; 0 backbone of 1 < 20 %
    items = assurance_items(rotation_ds(["T1"]), year=YEAR)
    share = _item(items, "rotation_share")
    assert (share["value"], share["target"], share["status"]) == (5.0, 10.0, STATUS_NOT_MET)
    assert share["gap"] == "还需交流 1 人"
    bb = _item(items, "rotation_backbone_share")
    assert (bb["value"], bb["status"]) == (0.0, STATUS_NOT_MET)
    # the plan's target is a yearly average: 1 rotation in YEAR - 1 (T2) and 1 in YEAR (T1) -> (1 + 1) / 2 = 1.0
    # a year against 400: ceil(400 - 1.0) = 399 short
    plan = _item(items, "plan_rotations")
    assert (plan["value"], plan["status"], plan["gap"]) == (1.0, STATUS_NOT_MET, "年均还差 399 人")
    honour = _item(items, "plan_honoured_teachers")  # only T1 honoured in 2024
    assert (honour["value"], honour["status"]) == (1, STATUS_NOT_MET)


def test_rotation_items_pass_at_threshold():
    # 2 of 20 = exactly 10 %; T10 backbone: 1 of 2 = 50 %
    items = assurance_items(rotation_ds(["T1", "T10"]), year=YEAR)
    assert _item(items, "rotation_share")["status"] == STATUS_MET
    assert _item(items, "rotation_backbone_share")["status"] == STATUS_MET


# --- training, certificates, PE/art, smart campus, checklist -----------------------------------


def test_training_and_certificates_from_stats():
    ds = build([{"school_id": "A"}, {"school_id": "B"}],
               [{"school_id": "A", "stage": "primary", "students": 500, "teachers": 100, "trained_teachers": 95,
                 "certified_teachers": 100},
                {"school_id": "B", "stage": "primary", "students": 500, "teachers": 100, "trained_teachers": 100,
                 "certified_teachers": 100}])
    items = assurance_items(ds, year=YEAR)
    tr = _item(items, "training_completion")
    # 195 / 200 = 97.5 %
    assert (tr["value"], tr["status"]) == (97.5, STATUS_NOT_MET)
    assert "5 名" in tr["gap"]
    assert _item(items, "certificate_share")["status"] == STATUS_MET


def test_partial_training_data():
    # A not reported, B 100 %: the known part passes but A is unknown -> 数据不足
    ds = build([{"school_id": "A"}, {"school_id": "B"}],
               [{"school_id": "A", "stage": "primary", "students": 500, "teachers": 100, "trained_teachers": None},
                {"school_id": "B", "stage": "primary", "students": 500, "teachers": 100, "trained_teachers": 100}])
    assert _item(assurance_items(ds, year=YEAR), "training_completion")["status"] == STATUS_NO_DATA


def test_training_from_roster():
    ds = rotation_ds([])
    ds.stage_stats["trained_teachers"] = None
    ds.teachers.loc[ds.teachers["teacher_id"] == "T2", "training_hours"] = 359.5
    tr = _item(assurance_items(ds, year=YEAR), "training_completion")
    # 26 compulsory-stage teachers (T1..T8, T5b, T10, T11..T26; H1 is 高中), one below 360
    # -> 25 / 26 = 96.15 % -> 96.2 (one decimal, as the national form)
    assert tr["value"] == 96.2
    assert tr["status"] == STATUS_NOT_MET


def _pe_art_ds():
    return build([{"school_id": "A"}, {"school_id": "B"}, {"school_id": "N", "school_type": "nine_year"}],
                 [{"school_id": "A", "stage": "primary", "students": 1000, "pe_teachers": 5, "music_teachers": 2,
                   "art_teachers": 2},                                   # 9 / 1000 * 100 = 0.9 -> meets
                  {"school_id": "B", "stage": "primary", "students": 1001, "pe_teachers": 9},  # 0.899 -> short 1
                  {"school_id": "N", "stage": "primary", "students": 500, "pe_teachers": 1},   # 部 0.2
                  {"school_id": "N", "stage": "junior", "students": 600, "pe_teachers": 8}])   # 部 1.333


def test_pe_art_per_unit_by_default():
    assert pe_art_by_school(_pe_art_ds(), year=YEAR).empty  # the county set no target: no school is judged
    r = pe_art_by_school(_pe_art_ds(), year=YEAR, target=0.9).set_index(["school_id", "stage"])
    assert list(r.index) == [("A", "primary"), ("B", "primary"), ("N", "primary"), ("N", "junior")]
    assert bool(r.loc[("A", "primary"), "meets"]) and r.loc[("A", "primary"), "short_teachers"] == 0
    assert r.loc[("B", "primary"), "short_teachers"] == 1   # ceil(0.9 * 1001 / 100 - 9) = ceil(0.009)
    # N 小学部: 1 / 500 * 100 = 0.2 < 0.9 -> ceil(4.5 - 1) = 4; N 初中部 8 / 600 * 100 = 1.33 meets
    assert r.loc[("N", "primary"), "per_100"] == pytest.approx(0.2)
    assert r.loc[("N", "primary"), "short_teachers"] == 4 and bool(r.loc[("N", "junior"), "meets"])
    # the ledger key names the 部 only for a school with two 部
    assert r.loc[("N", "primary"), "ledger_key"] == "school|N|primary|plan_pe_art_every_school"
    assert r.loc[("B", "primary"), "ledger_key"] == "school|B|plan_pe_art_every_school"
    it = _item(assurance_items(_pe_art_ds(), year=YEAR), "plan_pe_art_every_school")
    # two 部 short (B, N 小学部): 1 + 4 = 5 teachers
    assert (it["value"], it["unit"]) == (2, "个")
    assert "2 所学校的 2 个学部共缺体育、艺术专任教师 5 人" in it["gap"]


def test_pe_art_per_whole_school_setting():
    s = get_settings(plan_pe_art_scope="school")
    r = pe_art_by_school(_pe_art_ds(), year=YEAR, settings=s, target=0.9).set_index("school_id")
    assert r["stage"].isna().all()
    # N whole school: 9 / 1100 * 100 = 0.818 < 0.9; need ceil(0.9 * 1100 / 100 - 9) = ceil(0.9) = 1 —
    # the 初中部's spare PE teachers hide the 小学部 that has one for 500 pupils
    assert r.loc["N", "per_100"] == pytest.approx(100 * 9 / 1100)
    assert r.loc["N", "short_teachers"] == 1
    it = _item(assurance_items(_pe_art_ds(), year=YEAR, settings=s), "plan_pe_art_every_school")
    assert it["value"] == 2 and "共缺体育、艺术专任教师 2 人" in it["gap"]
    assert it["source"] == "金政办字〔2024〕20号" and it["item_name"] == "每所学校每百名学生体育和艺术专任教师数不低于0.9人"


def test_no_plan_table_no_county_item():
    # the same county without a 规划目标 table: national items only, none of them cites a county plan
    ds = rotation_ds(["T1"])
    ds.plan_targets = None
    items = assurance_items(ds, year=YEAR)
    assert set(items["category"]) <= {"assurance", "quality"} and not (items["category"] == "plan").any()
    assert not items["source"].str.contains("政办").any()
    # a county whose plan sets only its 最美教师: only that item
    ds.plan_targets = plan_table(**{k: None for k in ("plan_pe_art_per_100_every_school", "plan_rotations_per_year",
                                                      "plan_smart_campus_coverage", "plan_target_year",
                                                      "plan_dropout_open", "plan_alliance_rural_coverage")})
    plan = assurance_items(ds, year=YEAR)
    assert plan.loc[plan["category"] == "plan", "item_key"].tolist() == ["plan_honoured_teachers"]


def test_smart_campus_and_teaching_point_cut():
    ds = build([{"school_id": "A"}, {"school_id": "B"}, {"school_id": "C"},
                {"school_id": "TP40", "school_type": "teaching_point"},
                {"school_id": "TP60", "school_type": "teaching_point"}],
               [{"school_id": "A", "stage": "primary", "students": 300},
                {"school_id": "B", "stage": "primary", "students": 300},
                {"school_id": "C", "stage": "primary", "students": 300},
                {"school_id": "TP40", "stage": "primary", "students": 40},
                {"school_id": "TP60", "stage": "primary", "students": 60}],
               facilities=[{"school_id": "A", "year": YEAR}, {"school_id": "B", "year": YEAR},
                           {"school_id": "C", "year": YEAR, "smart_campus": False},
                           {"school_id": "TP40", "year": YEAR, "smart_campus": False},
                           {"school_id": "TP60", "year": YEAR}])
    # by default every 教学点 is in the school-level checks (the 50-pupil cut is the indicators' only)
    assert set(assessed_schools(ds, year=YEAR)["school_id"]) == {"A", "B", "C", "TP40", "TP60"}
    it = _item(assurance_items(ds, year=YEAR), "plan_smart_campus")
    # A, B, TP60 yes; C, TP40 no -> 3 / 5 = 60 %
    assert (it["value"], it["status"]) == (60.0, STATUS_NOT_MET)
    off = get_settings(school_checks_include_small_points=False)
    assert set(assessed_schools(ds, year=YEAR, settings=off)["school_id"]) == {"A", "B", "C", "TP60"}
    # TP40 (40 < 50) left out -> 3 / 4 = 75 %
    assert _item(assurance_items(ds, year=YEAR, settings=off), "plan_smart_campus")["value"] == 75.0
    # with the cut at 30 TP40 enters again: 3 / 5 = 60 %
    it = _item(assurance_items(ds, year=YEAR, settings=get_settings(
        teaching_point_min_students=30, school_checks_include_small_points=False)), "plan_smart_campus")
    assert it["value"] == 60.0


def test_checklist_items():
    cl = checklist_items()
    assert (cl["status"] == STATUS_EVIDENCE).all()
    assert cl["item_key"].is_unique
    # government items 1, 2, 6, 7, 8, 10, 13 (two stages), 14, 15 and 15's 留守儿童 care = 11 rows; quality 2–9 and
    # 课后服务 = 9; satisfaction + veto = 2; no county-plan item (the plan's 强镇筑基 and 百强 schools come
    # with the county's own 强镇筑基与百强学校 table, never as a bare checklist row)
    assert len(cl) == 11 + 9 + 2
    assert not (cl["category"] == "plan").any()
    # the targets of the two items read from the settings (100 %, 90 %), in %
    assert cl.set_index("item_key").loc[["left_behind_care", "after_school_service"], "target"].tolist() == [100.0, 90.0]
    # an item the data answer leaves the checklist
    assert "satisfaction" not in set(checklist_items(computed={"satisfaction"})["item_key"])
    se = _item(cl, "special_ed_funding")
    assert se["target"] == 6000 and se["item_name"] == "特殊教育学校生均公用经费不低于6000元"
    assert checklist_items(settings=get_settings(special_ed_funding_min=8000)).set_index("item_key").loc[
        "special_ed_funding", "target"] == 8000
    assert cl.set_index("item_key").loc["nearby_enrolment_junior", "target"] == 95.0


def test_item_table_shape():
    items = assurance_items(rotation_ds(["T1"]), year=YEAR, include_checklist=True)
    assert items["item_key"].is_unique
    assert set(items["status"]) <= {STATUS_MET, STATUS_NOT_MET, STATUS_NO_DATA, STATUS_EVIDENCE}
    assert np.issubdtype(items["value"].dtype, np.floating)
    assert (items["source"].str.len() > 0).all()


def test_rotation_year_not_recorded_is_no_data():
    # the only rotations are of 2024 and 2023; ask about a year with stats but no rotation rows
    ds = rotation_ds(["T1"])
    extra = ds.stage_stats.assign(year=YEAR + 1)
    ds.stage_stats = pd.concat([ds.stage_stats, extra], ignore_index=True)
    ds.facilities = pd.concat([ds.facilities, ds.facilities.assign(year=YEAR + 1)], ignore_index=True)
    items = assurance_items(ds, year=YEAR + 1)
    for key in ("rotation_share", "rotation_backbone_share", "plan_rotations"):
        assert _item(items, key)["status"] == STATUS_NO_DATA, key


def _retention_ds(grade9: int) -> Dataset:
    stats = [{"school_id": "J", "stage": "junior", "students": 300, "year": y} for y in (YEAR - 2, YEAR)]
    classes = [{"year": YEAR - 2, "school_id": "J", "stage": "junior", "grade": 7, "class_name": "1", "students": 200},
               {"year": YEAR, "school_id": "J", "stage": "junior", "grade": 9, "class_name": "1", "students": grade9}]
    return build([{"school_id": "J", "school_type": "junior"}], stats, classes=classes, years=(YEAR - 2, YEAR))


def test_retention_estimate_and_a_value_above_100_percent_as_a_data_problem():
    it = _item(assurance_items(_retention_ds(190), year=YEAR), "junior_retention")
    # 190 grade-9 pupils ÷ 200 grade-7 pupils two years before = 95.0 %
    assert (it["value"], it["status"]) == (95.0, STATUS_EVIDENCE)
    it = _item(assurance_items(_retention_ds(203), year=YEAR), "junior_retention")
    # 203 ÷ 200 = 101.5 %: no retention rate; no value, the estimate in the facts, the text says why
    assert np.isnan(it["value"]) and it["status"] == STATUS_EVIDENCE
    assert it["facts"]["implausible"] and it["facts"]["estimate"] == pytest.approx(1.015)
    assert "数据有问题" in it["gap"] and "101.5%" in it["detail"]


# --- the plan's further tasks (tests/analysis/plan_tasks_data.py) --------------------------------


def test_plan_task_items_from_the_tables():
    from tests.analysis.plan_tasks_data import plan_county

    items = assurance_items(plan_county(), year=YEAR)
    sat = _item(items, "satisfaction")
    # overall 249/280 = 88.9 % but 家长 75 % < 85 %: not met; computed, so no longer evidence
    assert (sat["value"], sat["status"], bool(sat["evidence"])) == (88.9, STATUS_NOT_MET, False)
    assert "家长低于85%" in sat["gap"]
    # 残疾儿童 47/50 = 94.0 %, 随迁子女 84/110 = 76.4 %, 留守儿童 59/60 = 98.3 % (setting 100 %)
    assert _item(items, "disabled_enrolment")["value"] == 94.0
    assert _item(items, "disabled_enrolment")["gap"] == "尚有 3 名适龄残疾儿童少年未入学"
    assert _item(items, "migrant_public_share")["value"] == 76.4
    lb = _item(items, "left_behind_care")
    assert (lb["value"], lb["target"], lb["status"]) == (98.3, 100.0, STATUS_NOT_MET)
    # homework: A (grade 5), B (unpublished, grade 8), C (grade 1) = 3 schools
    hw = _item(items, "homework_burden")
    assert (hw["value"], hw["status"]) == (3, STATUS_NOT_MET)
    assert "1 所未公示作业，3 所书面作业超过规定时长，其中 1 所给一、二年级布置书面作业" == hw["gap"]
    # 课后服务 (190 + 240 + 480) / (200 + 300 + 500 + 30) = 910/1030 = 88.3 %; D offers none
    srv = _item(items, "after_school_service")
    assert (srv["value"], srv["target"], srv["gap"]) == (88.3, 90.0, "1 所学校未开展课后服务")
    # 辍学: of the 4 cases up to the 2024 school year 1 is open (P2, 劝返中)
    d = _item(items, "plan_dropout_ledger")
    assert (d["value"], d["target"], d["status"]) == (1, 0, STATUS_NOT_MET)
    # 集团化: 2 of the 3 rural schools (A, B in; D out) = 66.7 %
    al = _item(items, "plan_alliance_coverage")
    assert (al["value"], al["status"]) == (66.7, STATUS_NOT_MET) and "乙教学点" in al["gap"]
    assert _item(items, "plan_strong_towns")["status"] == STATUS_EVIDENCE
    # none of the answered items stays in the checklist
    cl = set(checklist_items(computed=set(items["item_key"]))["item_key"])
    assert not cl & {"satisfaction", "disabled_enrolment", "left_behind_care", "homework_burden", "plan_strong_towns"}


def test_plan_task_items_without_their_tables():
    from tests.analysis.plan_tasks_data import plan_county

    ds = plan_county(survey=True, special_groups=True, dropouts=True, after_school=True, alliances=True,
                     rural_projects=True)
    items = assurance_items(ds, year=YEAR, include_checklist=True)
    status = dict(zip(items["item_key"], items["status"]))
    # the catalogue's evidence items stay evidence (the checklist, as before); the plan's numeric ones are 数据不足
    for key in ("satisfaction", "disabled_enrolment", "migrant_public_share", "left_behind_care", "homework_burden",
                "after_school_service"):
        assert status[key] == STATUS_EVIDENCE, key
    assert status["plan_dropout_ledger"] == status["plan_alliance_coverage"] == STATUS_NO_DATA
    # 强镇筑基 and 百强 schools are the county's own projects: no table, no row (not even in the checklist)
    assert not {"plan_strong_towns", "plan_top_rural_schools"} & set(status)
    # never a zero: no value where there is no table
    assert items.set_index("item_key").loc[["plan_dropout_ledger", "plan_alliance_coverage"], "value"].isna().all()
    assert items["item_key"].is_unique


def test_demo_pe_art_per_unit_finds_the_two_units_a_whole_school_hides():
    import jxedu
    from jxedu.core.config import DEMO_DIR

    ds = jxedu.load(DEMO_DIR)
    off = dict(school_checks_include_small_points=False)
    target = ds.plan_target("plan_pe_art_per_100_every_school").value  # 金乡's 0.9 (规划目标)
    whole = pe_art_by_school(ds, settings=get_settings(plan_pe_art_scope="school", **off), target=target)
    unit = pe_art_by_school(ds, settings=get_settings(**off), target=target).set_index(["name", "stage"])
    # the re-computation: 9 schools per whole school, 11 per 部 — 马庙镇黄林学校 小学部 3/351 and
    # 化雨镇满海学校 初中部 1/134 are hidden by their other 部
    assert int((~whole["meets"]).sum()) == 9 and int((~unit["meets"]).sum()) == 11
    assert unit.loc[("马庙镇黄林学校", "primary"), "per_100"] == pytest.approx(100 * 3 / 351)
    assert unit.loc[("化雨镇满海学校", "junior"), "per_100"] == pytest.approx(100 * 1 / 134)
