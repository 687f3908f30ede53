"""特殊群体 (children of special groups) from the 特殊群体 table: 残疾儿童少年, 随迁子女, 留守儿童 per 镇街.

* **残疾儿童少年入学率** (教育质量第2项, ``disabled_enrolment`` ≥ 95 %): (随班就读 + 特殊教育学校 +
  送教上门) ÷ 适龄残疾儿童少年.
* **随迁子女** (政府保障第15项, ``migrant_public_share`` ≥ 85 %): (公办学校 + 政府购买学位) ÷ 符合条件的
  随迁子女.
* **留守儿童关爱** (政府保障第15项): 建立关爱帮扶档案的留守儿童 ÷ 留守儿童, against the setting
  ``left_behind_care_min`` (the method gives no number; default every child).

The targets are county targets: a 镇街's rate is its contribution, the verdict is the county's (the
``全县`` row). A count left empty stays missing (never 0): a 镇街 without it is left out of that rate.

Typical use::

    from jxedu.analysis.special_groups import special_group_rates
    rates = special_group_rates(ds, year=2024)     # per 镇街, 全县 last
"""

from __future__ import annotations

import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.vocabulary import COUNTY

__all__ = ["COLUMNS", "special_group_rates"]

#: Columns of :func:`special_group_rates`.
COLUMNS: tuple[str, ...] = (
    "township", "disabled_school_age", "disabled_enrolled", "disabled_mainstream", "disabled_special_school",
    "disabled_home", "disabled_rate", "meets_disabled", "migrant_eligible", "migrant_placed", "migrant_public",
    "migrant_purchased", "migrant_rate", "meets_migrant", "left_behind", "left_behind_care", "care_rate",
    "meets_care",
)
_RAW = ("disabled_school_age", "disabled_mainstream", "disabled_special_school", "disabled_home", "migrant_eligible",
        "migrant_public", "migrant_purchased", "left_behind", "left_behind_care")


def _flag(rate: pd.Series, key: str | None, minimum: float | None = None) -> pd.Series:
    vals = [pd.NA if pd.isna(r) else bool(std.meets(r, key) if key else r >= minimum - 1e-12) for r in rate]
    return pd.Series(pd.array(vals, dtype="boolean"), index=rate.index)


def special_group_rates(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """The three rates per 镇街 and for the county.

    Parameters
    ----------
    ds
        The data set (needs 特殊群体).
    year
        School year (default: the latest).
    settings
        Run settings (``left_behind_care_min``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per 镇街 of the year's rows, then ``全县``. Rates 0–1, NaN
        when the counts are missing or the whole is 0; ``meets_*`` ``<NA>`` then. A 镇街 missing one
        part of a sum (e.g. 送教上门 left empty while 随班就读 is given) counts that part as 0; the
        county pools only the 镇街 that give both the whole and some part of a rate.

    Raises
    ------
    MissingTableError
        Without the 特殊群体 table.
    """
    ds.require("special_groups")
    s = _settings(settings)
    y = ds.year_or_latest(year)
    g = ds.special_groups
    g = g.loc[pd.to_numeric(g["year"], errors="coerce") == y, ["township", *_RAW]].copy()
    for c in _RAW:
        g[c] = pd.to_numeric(g[c], errors="coerce").astype(float)
    g = g.groupby("township", sort=False)[list(_RAW)].sum(min_count=1).reset_index()
    g["disabled_enrolled"] = g[["disabled_mainstream", "disabled_special_school", "disabled_home"]].sum(
        axis=1, min_count=1)
    g["migrant_placed"] = g[["migrant_public", "migrant_purchased"]].sum(axis=1, min_count=1)
    # the county pools the 镇街 that give both the whole and its part of each rate
    county = {"township": COUNTY}
    for whole, part in (("disabled_school_age", "disabled_enrolled"), ("migrant_eligible", "migrant_placed"),
                        ("left_behind", "left_behind_care")):
        known = g[whole].notna() & g[part].notna()
        county[whole] = g.loc[known, whole].sum() if known.any() else float("nan")
        county[part] = g.loc[known, part].sum() if known.any() else float("nan")
    for c in ("disabled_mainstream", "disabled_special_school", "disabled_home", "migrant_public", "migrant_purchased"):
        county[c] = g[c].sum(min_count=1)
    out = pd.concat([g, pd.DataFrame([county])], ignore_index=True) if len(g) else g
    out["disabled_rate"] = out["disabled_enrolled"] / out["disabled_school_age"].where(out["disabled_school_age"] > 0)
    out["migrant_rate"] = out["migrant_placed"] / out["migrant_eligible"].where(out["migrant_eligible"] > 0)
    out["care_rate"] = out["left_behind_care"] / out["left_behind"].where(out["left_behind"] > 0)
    out["meets_disabled"] = _flag(out["disabled_rate"], "disabled_enrolment")
    out["meets_migrant"] = _flag(out["migrant_rate"], "migrant_public_share")
    out["meets_care"] = _flag(out["care_rate"], None, float(s.left_behind_care_min))
    out = out.sort_values("township", key=lambda t: t.map(township_sort_key)).reset_index(drop=True)
    return out[list(COLUMNS)]
