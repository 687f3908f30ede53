"""Deadlines (完成时限) of the items the county tracks, and when an item is 逾期 or 挂牌督导.

Every item of the progress ledger (:mod:`jxedu.publish.ledger`) has a deadline: by default the
county plan's — the last day of September of the year its 规划目标 table gives for passing the
national assessment (``plan_target_year``; 金乡: 2025) — and an item's own where the plan sets one
(``jxedu/data/deadlines.csv``: a target with a 截止年份, such as 智慧校园, by the end of that year;
the yearly targets by the end of each school year). A county whose 规划目标 gives no such year has
no default deadline (``None``): the planner types one into the ledger, which keeps it.

* **逾期** (overdue): the deadline has passed — the day after it at the earliest — and the item is
  not 已达标 / 已销号. :func:`overdue_days` counts the days past the deadline.
* **挂牌督导** (listed supervision): an overdue item more than
  ``settings.supervision_overdue_days`` days past its deadline, and (with
  ``settings.supervision_after_plan_deadline``) every overdue item once the plan's own deadline has
  passed (:func:`supervised`).

Which day is "today" is always explicit (:func:`as_of_date`): the value given, else the date in the
environment variable :data:`AS_OF_ENV` (``JXEDU_AS_OF=2025-06-30``, which ``jxedu reports --as-of``
sets for the report kernels), else the computer's date.

:func:`plan_deadline` is the one place that reads the plan's deadlines.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache

import pandas as pd

from jxedu.core import standards as std
from jxedu.core.config import PACKAGE_DATA_DIR
from jxedu.core.county import PLAN_TARGET_YEAR
from jxedu.core.errors import SettingsError
from jxedu.core.settings import Settings

__all__ = [
    "AS_OF_ENV",
    "DEADLINES_CSV",
    "DEFAULT",
    "as_of_date",
    "deadline_rules",
    "overdue_days",
    "parse_date",
    "plan_deadline",
    "supervised",
]

#: The table of default deadlines.
DEADLINES_CSV = PACKAGE_DATA_DIR / "deadlines.csv"
#: Its row for every item not listed (the plan's own deadline).
DEFAULT = "default"
#: Environment variable with the date that counts as today (``YYYY-MM-DD``).
AS_OF_ENV = "JXEDU_AS_OF"
#: The deadline of a target the plan sets for every year: the end of the school year assessed.
SCHOOL_YEAR_END = "school_year_end"
_SCHOOL_YEAR_LAST_DAY = (8, 31)  # month, day: a school year Y runs to 31 August of Y + 1
_PLAN_YEAR = "{plan_target_year}"
_PLAN_END = "{plan_end}"
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@lru_cache(maxsize=1)
def deadline_rules() -> pd.DataFrame:
    """The default deadlines (``jxedu/data/deadlines.csv``), indexed by item key.

    Returns
    -------
    pandas.DataFrame
        Columns ``deadline`` (``YYYY-MM-DD`` with ``{plan_target_year}`` for the plan's target year,
        or ``school_year_end``) and ``basis``.

    Raises
    ------
    SettingsError
        A key twice, no ``default`` row, or a deadline that is neither form.
    """
    df = pd.read_csv(DEADLINES_CSV, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    if df["item_key"].duplicated().any():
        raise SettingsError(f"完成时限表有重复项 (duplicate_deadline): "
                            f"{df.loc[df['item_key'].duplicated(), 'item_key'].tolist()}")
    if DEFAULT not in set(df["item_key"]):
        raise SettingsError(f"完成时限表缺少 default 行 (missing_default_deadline): {DEADLINES_CSV.name}")
    for key, rule in zip(df["item_key"], df["deadline"], strict=True):
        if _resolve(rule, plan_year=2000, plan_end=2000, school_year=2000) is None:
            raise SettingsError(f"完成时限无效 (bad_deadline): {DEADLINES_CSV.name} {key}：“{rule}”；"
                                f"应为 YYYY-MM-DD（年份可写 {_PLAN_YEAR} 或 {_PLAN_END}）或 {SCHOOL_YEAR_END}")
    return df.set_index("item_key")


def _resolve(rule: str, *, plan_year: int | None, plan_end: int | None, school_year: int) -> dt.date | None:
    """The date of a rule; ``None`` when it needs a year the county's plan does not give."""
    rule = rule.strip()
    if rule == SCHOOL_YEAR_END:
        return dt.date(school_year + 1, *_SCHOOL_YEAR_LAST_DAY)
    for token, year in ((_PLAN_YEAR, plan_year), (_PLAN_END, plan_end)):
        if token in rule:
            if year is None:
                return None
            rule = rule.replace(token, str(year))
    return parse_date(rule)


def _plan_year(a) -> int | None:
    """The year the county's plan sets for passing the assessment (规划目标 ``plan_target_year``), if any."""
    t = a.ds.plan_target(PLAN_TARGET_YEAR, a.year)
    return None if t is None else int(t.value)


def _plan_end(a, item: str) -> int | None:
    """The 截止年份 of the plan target behind a county-plan item (items.csv ``standard``), if any."""
    items = std.items()
    if item not in items.index or items.loc[item, "category"] != "plan" or not items.loc[item, "standard"]:
        return None
    t = a.ds.plan_target(items.loc[item, "standard"], a.year)
    return None if t is None else t.end


def plan_deadline(a, item: str | None = None) -> dt.date | None:
    """The plan's deadline of an item (its own row of ``deadlines.csv``, else the plan's).

    Parameters
    ----------
    a
        The assessment (:func:`jxedu.assess`): its school year for the yearly targets, its data set's
        规划目标 for the plan's years.
    item
        The item's key as in ``responsible_units.csv`` (``class_size``, ``sports_area_per_student``,
        ``cv``, ``plan_smart_campus`` …); ``None`` for the plan's own deadline (the ``default`` row).

    Returns
    -------
    datetime.date or None
        ``None`` when the county's plan gives no year for it (no 规划目标 ``plan_target_year``): the
        planner's own 完成时限 then decides.
    """
    rules = deadline_rules()
    plan_year = _plan_year(a)
    if item in rules.index:
        d = _resolve(rules.loc[item, "deadline"], plan_year=plan_year, plan_end=_plan_end(a, item),
                     school_year=int(a.year))
        if d is not None:
            return d
    return _resolve(rules.loc[DEFAULT, "deadline"], plan_year=plan_year, plan_end=None, school_year=int(a.year))


def parse_date(value) -> dt.date | None:
    """A cell's value as a date: a date or datetime, or text ``2025-09-30``, ``2025/9/30``, ``2025.9.30``
    or ``2025年9月30日``; ``None`` for anything else (blank, a number, ``2025年底`` …)."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _DATE.match(value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:  # 2025-02-30
                return None
    return None


def as_of_date(value: dt.date | str | None = None) -> dt.date:
    """The date that counts as today: ``value``, else ``$JXEDU_AS_OF``, else the computer's date.

    Parameters
    ----------
    value
        A date, or text ``YYYY-MM-DD``.

    Raises
    ------
    SettingsError
        ``value`` (or the environment variable) is not a date.
    """
    where = "统计日期"
    if value is None:
        value = os.environ.get(AS_OF_ENV) or None
        where = f"环境变量 {AS_OF_ENV}"
    if value is None:
        return dt.date.today()
    d = parse_date(value)
    if d is None:
        raise SettingsError(f"{where}应为日期，如 2025-09-30 (bad_as_of): {str(value)[:40]}")
    return d


def overdue_days(deadline: dt.date | None, as_of: dt.date) -> int | None:
    """Days ``as_of`` is past ``deadline`` (1 on the day after it); ``None`` when not past or no deadline."""
    if deadline is None:
        return None
    days = (as_of - deadline).days
    return days if days > 0 else None


def supervised(days: int | None, *, as_of: dt.date, plan_deadline: dt.date | None, settings: Settings) -> bool:
    """Whether an item ``days`` overdue (:func:`overdue_days`) is 挂牌督导 (rules of the module docstring).

    Parameters
    ----------
    days
        Days overdue, ``None`` if the item is not overdue (never supervised then).
    as_of
        Today.
    plan_deadline
        The plan's own deadline (:func:`plan_deadline` without an item); ``None`` when the plan gives
        none (then only the days overdue count).
    settings
        ``supervision_overdue_days`` and ``supervision_after_plan_deadline``.
    """
    if days is None:
        return False
    return days > settings.supervision_overdue_days or (settings.supervision_after_plan_deadline
                                                        and plan_deadline is not None and as_of > plan_deadline)
