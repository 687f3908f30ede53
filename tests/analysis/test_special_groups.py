"""Tests of jxedu.analysis.special_groups on the county of tests/analysis/plan_tasks_data.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jxedu.analysis.special_groups import special_group_rates
from jxedu.core.settings import get_settings
from tests.analysis.plan_tasks_data import YEAR, plan_county


def test_three_rates_per_township_and_county():
    r = special_group_rates(plan_county(), year=YEAR).set_index("township")
    # 甲镇 disabled (12 + 4 + 2) / 20 = 90 % < 95 %; 乙街道 (25 + 3 + 1) / 30 = 96.7 %
    assert r.loc["甲镇", "disabled_rate"] == pytest.approx(0.9) and not bool(r.loc["甲镇", "meets_disabled"])
    assert r.loc["乙街道", "disabled_rate"] == pytest.approx(29 / 30) and bool(r.loc["乙街道", "meets_disabled"])
    # county 47 / 50 = 94 %: not met
    assert (r.loc["全县", "disabled_enrolled"], r.loc["全县", "disabled_school_age"]) == (47, 50)
    assert not bool(r.loc["全县", "meets_disabled"])
    # 随迁子女: 甲镇 (8 + 1) / 10 = 90 %; 乙街道 (70 + 5) / 100 = 75 %; county 84 / 110 = 76.4 %
    assert r.loc["乙街道", "migrant_rate"] == pytest.approx(0.75)
    assert r.loc["全县", "migrant_rate"] == pytest.approx(84 / 110)
    # 留守儿童: county 59 / 60 = 98.3 %: short of the default 100 %, met at a 95 % setting
    assert r.loc["全县", "care_rate"] == pytest.approx(59 / 60) and not bool(r.loc["全县", "meets_care"])
    r95 = special_group_rates(plan_county(), year=YEAR, settings=get_settings(left_behind_care_min=0.95))
    assert bool(r95.set_index("township").loc["全县", "meets_care"])
    assert r.index[-1] == "全县"


def test_a_missing_count_is_left_out_never_zero():
    ds = plan_county()
    extra = pd.DataFrame([{"year": YEAR, "township": "丙镇", "migrant_eligible": 10, "migrant_public": 10}])
    ds.special_groups = pd.concat([ds.special_groups, extra], ignore_index=True)
    r = special_group_rates(ds, year=YEAR).set_index("township")
    # 丙镇 gives no disabled counts: no rate (not 0 %), and the county still pools 47 / 50
    assert np.isnan(r.loc["丙镇", "disabled_rate"]) and pd.isna(r.loc["丙镇", "meets_disabled"])
    assert r.loc["全县", "disabled_rate"] == pytest.approx(0.94)
    # its 随迁子女 count: county (84 + 10) / (110 + 10) = 94 / 120
    assert r.loc["全县", "migrant_rate"] == pytest.approx(94 / 120)
