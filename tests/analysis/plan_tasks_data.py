"""A four-school county with the six plan-task tables, for the tests of the plan's further tasks.

==  ==========  ===============  ======  =====  =================================================
id  name        type             镇街     城乡    2024 students
==  ==========  ===============  ======  =====  =================================================
A   甲小学       小学              甲镇     乡村    200
B   甲中学       初中              甲镇     镇区    300
C   乙小学       小学              乙街道   城区    500
D   乙教学点     教学点            乙街道   乡村     30 (under the 50-pupil cut: still in the school-level checks)
==  ==========  ===============  ======  =====  =================================================

Every expected number of the tests is worked out in their comments from the rows below.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from jxedu.core.dataset import Dataset
from tests.core.test_county import plan_table

YEAR = 2024

SCHOOLS = [("A", "甲小学", "primary", "甲镇", "rural"), ("B", "甲中学", "junior", "甲镇", "town"),
           ("C", "乙小学", "primary", "乙街道", "urban"), ("D", "乙教学点", "teaching_point", "乙街道", "rural")]
STUDENTS = {("A", "primary"): 200, ("B", "junior"): 300, ("C", "primary"): 500, ("D", "primary"): 30}

#: (respondent, school, 镇街, valid, satisfied, visits, satisfied visits)
SURVEY = [
    ("student", "A", None, 50, 45, None, None),
    ("parent", "A", None, 40, 30, None, None),
    ("student", "C", None, 100, 95, None, None),
    ("teacher", "B", None, 20, 18, None, None),
    ("deputy", None, "甲镇", 10, 9, None, None),
    ("public", None, "乙街道", 30, 24, 20, 18),
    ("public", None, None, 10, 10, None, None),  # a county-level row
]
#: 镇街, disabled (school age, mainstream, special school, home), migrant (eligible, public, purchased),
#: left-behind (all, with a care file)
SPECIAL = [("甲镇", 20, 12, 4, 2, 10, 8, 1, 50, 50), ("乙街道", 30, 25, 3, 1, 100, 70, 5, 10, 9)]
#: pupil, school, grade, left, reason, status, returned
DROPOUTS = [
    ("P1", "A", 5, "2024-10-10", "disengaged", "returned", "2024-11-05"),
    ("P2", "B", 8, "2024-11-20", "work", "in_progress", None),
    ("P3", "B", 9, "2025-03-01", "illness", "home_taught", None),
    ("P2", "B", 8, "2023-12-01", "work", "returned", "2024-01-10"),
]
#: school, offers, participants, published, minutes of grades 1–9 (None: the grade is not taught)
AFTER_SCHOOL = [
    ("A", True, 190, True, [0, 0, 50, 60, 61, 40, None, None, None]),
    ("B", True, 240, False, [None] * 6 + [90, 95, None]),
    ("C", True, 480, True, [10, 0, 50, 50, 50, 50, None, None, None]),
    ("D", False, 0, True, [0, 0, 30, None, None, None, None, None, None]),
]
#: alliance, kind, school, lead
ALLIANCES = [("甲共同体", "community", "B", True), ("甲共同体", "community", "A", False),
             ("城区集团", "group", "C", True), ("城区集团", "group", "B", False)]
#: project, 镇街, school, level, status, since
PROJECTS = [("strong_town", "甲镇", None, "province", "recognised", 2023),
            ("top_primary", "甲镇", "A", "city", "in_progress", 2024)]


def plan_county(**drop) -> Dataset:
    """The county above; ``drop`` names tables to leave out (``survey=True`` …)."""
    sdf = pd.DataFrame(SCHOOLS, columns=["school_id", "name", "school_type", "township", "urban_rural"])
    sdf["lon"], sdf["lat"], sdf["built_year"] = 116.3, 35.0, 2015
    schools = gpd.GeoDataFrame(sdf, geometry=gpd.points_from_xy(sdf["lon"], sdf["lat"]), crs="EPSG:4326")
    ss = pd.DataFrame([{"year": YEAR, "school_id": sid, "stage": st, "students": n, "classes": 6, "teachers": 20,
                        "qualified_teachers": 20, "backbone_teachers": 3, "pe_teachers": 2, "music_teachers": 1,
                        "art_teachers": 1, "migrant_students": 0} for (sid, st), n in STUDENTS.items()])
    fac = pd.DataFrame([{"year": YEAR, "school_id": s[0], "teaching_area": 3000.0, "indoor_sports_area": 0.0,
                         "sports_ground_area": 8000.0, "equipment_value_wan": 200.0, "multimedia_rooms": 20,
                         "music_rooms": 1, "art_rooms": 1, "smart_campus": True} for s in SCHOOLS])
    survey = pd.DataFrame([{"year": YEAR, "respondent": r, "school_id": s, "township": t, "valid": v, "satisfied": k,
                            "visits": vi, "satisfied_visits": kv} for r, s, t, v, k, vi, kv in SURVEY])
    for c in ("visits", "satisfied_visits"):
        survey[c] = pd.array(survey[c], dtype="Int64")
    special = pd.DataFrame(SPECIAL, columns=["township", "disabled_school_age", "disabled_mainstream",
                                             "disabled_special_school", "disabled_home", "migrant_eligible",
                                             "migrant_public", "migrant_purchased", "left_behind",
                                             "left_behind_care"]).assign(year=YEAR)
    dropouts = pd.DataFrame(DROPOUTS, columns=["pupil_id", "school_id", "grade", "left_date", "reason", "status",
                                               "returned_date"])
    dropouts["left_date"] = pd.to_datetime(dropouts["left_date"])
    dropouts["returned_date"] = pd.to_datetime(dropouts["returned_date"])
    after = pd.DataFrame([{"year": YEAR, "school_id": s, "offers": o, "participants": p, "homework_published": h,
                           **{f"homework_g{g}": (np.nan if m is None else float(m)) for g, m in enumerate(mins, 1)}}
                          for s, o, p, h, mins in AFTER_SCHOOL])
    alliances = pd.DataFrame(ALLIANCES, columns=["alliance", "kind", "school_id", "lead"])
    projects = pd.DataFrame(PROJECTS, columns=["project", "township", "school_id", "level", "status", "since_year"])
    tables = {"survey": survey, "special_groups": special, "dropouts": dropouts, "after_school": after,
              "alliances": alliances, "rural_projects": projects}
    return Dataset(source=Path("hand-plan"), schools=schools, stage_stats=ss, facilities=fac,
                   plan_targets=None if drop.get("plan_targets") else plan_table(),
                   **{k: (None if drop.get(k) else v) for k, v in tables.items()})
