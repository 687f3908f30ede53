"""Indicative unit costs (估算): what a square metre, a room or a teacher costs, for the 元 of a plan.

The defaults are data (``jxedu/data/unit_costs.csv``, each with its source); a county replaces any of
them with the setting ``unit_costs`` (a mapping key -> value). Every cost computed from them is an
estimate and is shown as 估算.

>>> unit_cost("teacher_year")
110000.0
>>> unit_cost("teacher_year", {"teacher_year": 95000})
95000.0
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from jxedu.core.config import PACKAGE_DATA_DIR
from jxedu.core.errors import SettingsError

__all__ = ["UNIT_COSTS_CSV", "check_replacements", "unit_cost", "unit_costs"]

#: The default unit costs with their sources.
UNIT_COSTS_CSV = PACKAGE_DATA_DIR / "unit_costs.csv"


@lru_cache(maxsize=1)
def _defaults() -> pd.DataFrame:
    df = pd.read_csv(UNIT_COSTS_CSV, comment="#", dtype={"key": str, "unit": str, "label": str, "source": str},
                     encoding="utf-8")
    if df["key"].duplicated().any():
        raise SettingsError(f"单位造价表有重复项 (duplicate_unit_cost): {df.loc[df['key'].duplicated(), 'key'].tolist()}")
    return df.set_index("key")


def check_replacements(replacements: Mapping) -> None:
    """Raise :class:`SettingsError` unless every replacement names a known unit cost with a positive value."""
    unknown = set(replacements) - set(_defaults().index)
    if unknown:
        raise SettingsError(f"未知的单位造价 (unknown_unit_cost): {'、'.join(sorted(map(str, unknown)))}；"
                            f"可用：{'、'.join(_defaults().index)}")
    for key, value in replacements.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise SettingsError(f"单位造价应为正数 (bad_unit_cost): {key} = {value!r}")


def unit_costs(replacements: Mapping | None = None) -> pd.DataFrame:
    """Every unit cost in use: the defaults with the county's replacements.

    Parameters
    ----------
    replacements
        The setting ``unit_costs`` (key -> value), e.g. ``settings.unit_costs``.

    Returns
    -------
    pandas.DataFrame
        Indexed by key: ``value, unit, label, source`` and ``replaced`` (True when the setting gives it).

    Raises
    ------
    SettingsError
        The setting names a key the table does not have, or a value that is not a positive number.
    """
    df = _defaults().copy()
    over = dict(replacements or {})
    check_replacements(over)
    df["replaced"] = False
    for key, value in over.items():
        df.loc[key, "value"] = float(value)
        df.loc[key, "replaced"] = True
        df.loc[key, "source"] = "本县设置（unit_costs）"
    df["value"] = df["value"].astype(float)
    return df


def unit_cost(key: str, replacements: Mapping | None = None) -> float:
    """One unit cost (元 per its unit), with the county's replacements (the setting ``unit_costs``)."""
    return float(unit_costs(replacements).loc[key, "value"])
