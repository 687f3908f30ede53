"""Tests of jxedu.analysis.roster_check: indicators 1–2 from the roster against the typed counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import jxedu
from jxedu.analysis.roster_check import typed_vs_roster
from jxedu.core.dataset import Dataset


def _ds(teachers: pd.DataFrame) -> Dataset:
    schools = pd.DataFrame({"school_id": ["N"], "name": ["羊山学校"], "township": ["羊山镇"],
                            "school_type": ["nine_year"], "urban_rural": ["rural"]})
    ss = pd.DataFrame({"year": [2024, 2024], "school_id": ["N", "N"], "stage": ["primary", "junior"],
                       "students": [200, 100], "teachers": [3, 2], "qualified_teachers": [1, 2],
                       "backbone_teachers": [1, 0]})
    return Dataset(source=Path("hand"), schools=schools, stage_stats=ss, facilities=pd.DataFrame(),
                   teachers=teachers)


ROSTER = pd.DataFrame({
    "teacher_id": ["T1", "T2", "T3", "T4", "T5"], "school_id": ["N"] * 5,
    "stage": ["primary", "primary", "primary", "junior", "junior"],
    "education": ["secondary", "associate", "bachelor", "associate", "bachelor"],
    "backbone_level": ["county", "none", "none", "none", "none"],
})


def test_the_typed_count_of_the_wrong_rule_is_found():
    c = typed_vs_roster(_ds(ROSTER)).set_index("stage")
    # 小学: 专科 T2 + 本科 T3 = 2 高于规定学历 (the clerk typed 1: 本科+ only) → 100·2/200 = 1.0 vs 0.5 typed
    assert (c.loc["primary", "roster_qualified"], c.loc["primary", "qualified_teachers"]) == (2, 1)
    assert c.loc["primary", "roster_qualified_per_100"] == pytest.approx(1.0)
    assert c.loc["primary", "qualified_per_100"] == pytest.approx(0.5)
    assert bool(c.loc["primary", "differs"]) and not bool(c.loc["primary", "backbone_differs"])
    # 初中: only 本科 T5 counts = 1, typed 2 (the 专科 counted) → differs
    assert c.loc["junior", "roster_qualified"] == 1 and bool(c.loc["junior", "qualified_differs"])


def test_no_roster_of_the_year_compares_nothing():
    dated = ROSTER.assign(year=2023)
    assert typed_vs_roster(_ds(dated)).empty
    assert typed_vs_roster(_ds(dated.assign(year=2024)))["differs"].all()
    a = jxedu.assess(_ds(ROSTER))
    assert a.roster_check["differs"].tolist() == [True, True]
