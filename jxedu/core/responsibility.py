"""Who is responsible for an item: the responsible-unit table (``jxedu/data/responsible_units.csv``).

One row per item key (``item_key, responsible, basis``); ``{镇街}`` in ``responsible`` stands for the
government of the school's 镇街 (``X镇人民政府`` / ``X街道办事处``). The mapping follows the division of
work of the county plan as far as known; planners may edit the CSV.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from jxedu.core.config import PACKAGE_DATA_DIR
from jxedu.core.vocabulary import COUNTY

__all__ = ["RESPONSIBLE_CSV", "responsible", "responsible_units", "township_government"]

#: The responsible-unit table.
RESPONSIBLE_CSV = PACKAGE_DATA_DIR / "responsible_units.csv"


@lru_cache(maxsize=1)
def responsible_units() -> pd.DataFrame:
    """The responsible-unit table: ``item_key, responsible, basis``."""
    return pd.read_csv(RESPONSIBLE_CSV, encoding="utf-8", dtype=str).fillna("")


def township_government(township: str | None) -> str:
    """The government of a 镇街 (``X镇人民政府``, ``X街道办事处``); ``各镇街`` for the county."""
    if not township or township == COUNTY:
        return "各镇街"
    if township.endswith("街道"):
        return f"{township}办事处"
    if township.endswith("镇"):
        return f"{township}人民政府"
    return township


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    df = responsible_units()
    return dict(zip(df["item_key"], df["responsible"], strict=True))


def responsible(key: str, township: str | None) -> str:
    """The units responsible for an item in a 镇街 (the default row for an item the table lacks)."""
    table = _table()
    return table.get(key, table.get("default", "县教体局")).replace("{镇街}", township_government(township))
