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

import numpy as np
import pandas as pd

from jxedu.core.config import PACKAGE_DATA_DIR
from jxedu.core.errors import SettingsError
from jxedu.core.schema import COMPULSORY_STAGES

#: The standards table shipped with the package.
STANDARDS_CSV = PACKAGE_DATA_DIR / "standards.csv"
#: The catalogue of the method's assurance, quality, recognition and county-plan items.
ITEMS_CSV = PACKAGE_DATA_DIR / "items.csv"
#: Categories of the items, in the order of the method.
ITEM_CATEGORIES: tuple[str, ...] = ("assurance", "quality", "recognition", "plan")

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


@lru_cache(maxsize=1)
def items() -> pd.DataFrame:
    """The item catalogue (``jxedu/data/items.csv``), indexed by item key.

    Returns
    -------
    pandas.DataFrame
        Columns ``category, ref, name, short, measures, action, standard, evidence`` (bool); ``name``
        and ``action`` may cite thresholds as ``{key}``/``{key:v}`` (filled in by
        :func:`jxedu.core.vocabulary.fill_thresholds`).
    """
    df = pd.read_csv(ITEMS_CSV, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    bad = set(df["category"]) - set(ITEM_CATEGORIES)
    if bad:
        raise SettingsError(f"事项表类别无效 (bad_item_category): {sorted(bad)}")
    if df["key"].duplicated().any():
        raise SettingsError(f"事项表有重复项 (duplicate_item): {df.loc[df['key'].duplicated(), 'key'].tolist()}")
    df["evidence"] = df["evidence"].map({"yes": True, "no": False})
    return df.set_index("key")


def source(key: str) -> str:
    """The source document of a standard (any stage: the rows of one key share their source)."""
    df = standards()
    m = df.loc[df["key"] == key, "source"]
    return str(m.iloc[0]) if len(m) else str(rule(key)["source"])


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


#: School types whose cap is the 一贯制 one (义务教育阶段 students only).
THROUGH_TYPES: frozenset[str] = frozenset({"nine_year", "twelve_year"})


def school_size_caps(school_type, built_year, migrant_share, *, relaxation: bool) -> pd.DataFrame:
    """The school-size cap of each school (政府保障第4项), the one home of the rule.

    2000 students; 2500 for 九年一贯制/十二年一贯制 (their 义务教育阶段 only). With ``relaxation``
    (the ``school_size_relaxation`` setting, a transitional rule [V1]) 2400 / 3000 for a school built
    in 2010 or earlier or with more than 50 % 随迁子女 (years and share from the standards table).

    Parameters
    ----------
    school_type
        School-type codes (:data:`jxedu.core.schema.SCHOOL_TYPES`), one per school.
    built_year
        Year built (NaN when unknown: no relaxation by age).
    migrant_share
        Share 0–1 of 随迁子女 among the compulsory-stage students (NaN when unknown).
    relaxation
        Apply the relaxed caps.

    Returns
    -------
    pandas.DataFrame
        ``cap`` (students), ``relaxed_by_age``, ``relaxed_by_migrants`` (bool), one row per school in
        the order given.
    """
    kind = np.where(pd.Series(school_type, dtype=object).isin(THROUGH_TYPES).to_numpy(), "through", "single_stage")
    built = pd.to_numeric(pd.Series(built_year, dtype=object), errors="coerce").to_numpy(dtype=float)
    share = pd.to_numeric(pd.Series(migrant_share, dtype=object), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        by_age = relaxation & ~np.isnan(built) & meets(built, "school_size_relax_built_year")
        by_migrants = relaxation & ~np.isnan(share) & meets(share, "school_size_relax_migrant_share")
    caps = {k: (threshold("school_size_max", k), threshold("school_size_max_relaxed", k))
            for k in ("single_stage", "through")}
    plain = np.array([caps[k][0] for k in kind], dtype=float)
    relaxed = np.array([caps[k][1] for k in kind], dtype=float)
    return pd.DataFrame({"cap": np.where(by_age | by_migrants, relaxed, plain),
                         "relaxed_by_age": np.asarray(by_age, dtype=bool),
                         "relaxed_by_migrants": np.asarray(by_migrants, dtype=bool)})
