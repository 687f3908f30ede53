"""The thresholds of the 2017 national method and of the county plan, read from one table.

The table is ``jxedu/data/standards.csv``: one row per threshold with its stage (``primary``,
``junior``, ``single_stage``, ``through`` or ``all``), value, unit, comparison (``>=``, ``<=``, ``>``,
``<``), category, Chinese label, reference tag (V, V1, U — see
``shared/reference/moe-2017-indicators.md``) and source. Code reads thresholds only through this
module; values the reference marks unverified are settings (:mod:`jxedu.core.settings`), not rows here.
"""

from __future__ import annotations

import operator
from functools import lru_cache

import pandas as pd

from jxedu.core.config import PACKAGE_DATA_DIR
from jxedu.core.errors import SettingsError
from jxedu.core.schema import COMPULSORY_STAGES

#: The standards table shipped with the package.
STANDARDS_CSV = PACKAGE_DATA_DIR / "standards.csv"

#: The seven resource indicators, in the order of the national form.
RESOURCE_KEYS: tuple[str, ...] = (
    "qualified_teachers_per_100",
    "backbone_teachers_per_100",
    "pe_art_teachers_per_100",
    "teaching_area_per_student",
    "sports_area_per_student",
    "equipment_value_per_student",
    "multimedia_rooms_per_100",
)

#: Stages assessed by the resource indicators.
ASSESSED_STAGES: tuple[str, ...] = COMPULSORY_STAGES

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@lru_cache(maxsize=1)
def standards() -> pd.DataFrame:
    """Return the standards table (a copy is cheap; do not modify the returned frame).

    Returns
    -------
    pandas.DataFrame
        Columns ``key, stage, value, unit, op, category, label_zh, tag, source``.
    """
    df = pd.read_csv(STANDARDS_CSV, encoding="utf-8", dtype={"key": str, "stage": str})
    bad = set(df["op"]) - set(_OPS)
    if bad:
        raise SettingsError(f"标准表比较符无效 (bad_operator): {sorted(bad)}")
    dup = df.duplicated(["key", "stage"])
    if dup.any():
        raise SettingsError(f"标准表有重复项 (duplicate_standard): {df.loc[dup, 'key'].tolist()}")
    return df


def threshold(key: str, stage: str = "all") -> float:
    """Return one threshold value.

    Parameters
    ----------
    key
        Standard key, e.g. ``"cv_limit"``.
    stage
        ``"primary"``, ``"junior"``, ``"single_stage"``, ``"through"`` or ``"all"``. A key stored
        only under ``"all"`` is returned for any stage.

    Returns
    -------
    float
    """
    return float(_row(key, stage)["value"])


def rule(key: str, stage: str = "all") -> pd.Series:
    """Return the whole row of a standard (value, unit, op, label, tag, source)."""
    return _row(key, stage)


def meets(value, key: str, stage: str = "all"):
    """Compare ``value`` (scalar or array) with a standard using its own operator."""
    r = _row(key, stage)
    return _OPS[r["op"]](value, float(r["value"]))


def label(key: str, stage: str = "all") -> str:
    """Chinese label of a standard."""
    return str(_row(key, stage)["label_zh"])


def resource_thresholds() -> pd.DataFrame:
    """Resource-indicator thresholds as a frame indexed by key with one column per stage."""
    df = standards()
    df = df[df["category"] == "resource"]
    df = df[df["key"].isin(RESOURCE_KEYS)]
    return df.pivot(index="key", columns="stage", values="value").loc[list(RESOURCE_KEYS)]


@lru_cache(maxsize=None)
def _row(key: str, stage: str) -> pd.Series:
    df = standards()
    m = df[(df["key"] == key) & (df["stage"] == stage)]
    if m.empty:
        m = df[(df["key"] == key) & (df["stage"] == "all")]
    if m.empty:
        raise SettingsError(f"标准表中没有该项 (unknown_standard): {key} / {stage}")
    return m.iloc[0]
