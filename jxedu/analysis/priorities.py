"""What to fix first: every school-level shortfall of a year as one ranked list of actions, with amounts
and indicative costs.

One row per action — a unit's missing teachers or ㎡, a school over its size cap, classes over the
class-size limit, missing music and art rooms, PE/art teachers under the county plan's line, and a
镇街's classroom gap at the projection horizon — ranked by severity (within a tier: values under the 85 % floor first, then the most pupils affected,
then the furthest from the standard):

* **tier 1** — a school-stage that fails the pass rule (which includes every value under 85 % of its
  standard): the least actions that make it pass (:func:`jxedu.analysis.shortfalls.shortfalls_from`,
  ``in_pass_plan``);
* **tier 2** — schools over the size cap and classes over the class-size limit;
* **tier 3** — the rest: music and art rooms, PE/art teachers per school, the classroom gap to the
  projection horizon, and misses that a unit does not need to pass.

Amounts are what closes the gap (teachers, ㎡, 元, rooms, classes, classrooms); costs are estimates
(估算) from the unit costs of :mod:`jxedu.core.costs`: capital (元) and yearly (元 a year, teachers).
A cost that cannot be priced (a backbone teacher is recognised, not hired) is NaN, never 0.

County-wide rows (the CVs near their limit) are in :func:`county_warnings`; county targets (rotations,
最美教师) are items of :mod:`jxedu.analysis.assurance`, judged for the county only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import KEYS, SPECS
from jxedu.core import costs
from jxedu.core import standards as std
from jxedu.core.numeric import ceil_count

__all__ = ["COLUMNS", "build", "county_warnings"]

#: Columns of :func:`build`.
COLUMNS: tuple[str, ...] = (
    "tier", "township", "school_id", "name", "stage", "kind", "key", "value", "threshold", "amount", "amount_unit",
    "school_amount", "ratio", "under_floor", "pupils", "cost", "cost_year", "responsible_key", "ledger_key", "rank",
)

#: Unit cost key of each indicator's school amount (teachers are yearly, the rest capital).
_INDICATOR_COST = {
    "qualified_teachers_per_100": "teacher_year",
    "pe_art_teachers_per_100": "teacher_year",
    "teaching_area_per_student": "building_m2",
    "sports_area_per_student": "sports_ground_m2",
    "multimedia_rooms_per_100": "multimedia_room",
}
#: Amount unit code of each indicator (words of kind ``amount_unit`` in the vocabulary).
_INDICATOR_UNIT = {
    "qualified_teachers_per_100": "teachers", "backbone_teachers_per_100": "teachers",
    "pe_art_teachers_per_100": "teachers", "teaching_area_per_student": "m2", "sports_area_per_student": "m2",
    "equipment_value_per_student": "yuan", "multimedia_rooms_per_100": "rooms",
}


def _building(stage: str, prices: dict) -> float:
    """元 per ㎡ of school building for a stage (小学 or 初中 price; other stages the 初中 one)."""
    return prices["building_m2_primary"] if stage == "primary" else prices["building_m2_junior"]


def _classroom(stage: str, prices: dict) -> float:
    """元 of one classroom built for a stage."""
    return prices["classroom_m2"] * _building(stage, prices)


def _row(**kw) -> dict:
    base = dict.fromkeys(COLUMNS, np.nan)
    base.update({"under_floor": False, "stage": None, "school_id": None, "name": None})
    base.update(kw)
    return base


def _merge_shared(sf: pd.DataFrame) -> pd.DataFrame:
    """One row per school for a shared facility item missed by several of its 部: the school builds once,
    the largest of the 部' school amounts (as :func:`jxedu.analysis.shortfalls.totals` counts it)."""
    shared = sf["key"].map(lambda k: SPECS[k].shared).astype(bool)
    keep = sf.loc[~shared]
    merged = []
    for (_, _), g in sf.loc[shared].groupby(["school_id", "key"], sort=False):
        if len(g) == 1:
            merged.append(g)
            continue
        first = g.sort_values("school_amount", ascending=False).iloc[[0]].copy()
        first["stage"] = None  # the whole school: every 部 that shares the facility
        first["in_pass_plan"] = bool((g["in_pass_plan"].astype(bool) & ~g["unit_passes"].astype(bool)).any())
        first["unit_passes"] = bool(g["unit_passes"].astype(bool).all())
        first["under_floor"] = bool(g["under_floor"].astype(bool).any())
        first["ratio"] = g["ratio"].min()
        merged.append(first)
    return pd.concat([keep, *merged]) if merged else keep


def _resource_rows(a, prices: dict) -> list[dict]:
    """Tier 1 (the pass plans of failing units) and tier 3 (every other miss) of the resource indicators."""
    rows = []
    for r in _merge_shared(a.shortfalls).itertuples(index=False):
        tier = 1 if (r.in_pass_plan and not r.unit_passes) else 3
        amount = r.school_amount if SPECS[r.key].shared else r.amount
        cost = cost_year = np.nan
        if pd.notna(amount):
            kind = _INDICATOR_COST.get(r.key)
            if r.key == "equipment_value_per_student":
                cost = float(amount)
            elif kind == "teacher_year":
                cost_year = float(amount) * prices["teacher_year"]
            elif kind == "building_m2":
                cost = float(amount) * _building(r.stage or "junior", prices)
            elif kind is not None:
                cost = float(amount) * prices[kind]
        rows.append(_row(
            tier=tier, township=r.township, school_id=r.school_id, name=r.name, stage=r.stage, kind="resource",
            key=r.key, value=r.value, threshold=r.threshold, amount=r.amount, amount_unit=_INDICATOR_UNIT[r.key],
            school_amount=r.school_amount,
            ratio=r.ratio, under_floor=bool(r.under_floor), cost=cost, cost_year=cost_year, responsible_key=r.key,
            ledger_key=f"school|{r.school_id}|{r.stage or 'all'}|{r.key}",
            pupils=float(r.students)))
    return rows


def _size_rows(a, prices: dict) -> list[dict]:
    """Tier 2: schools over the size cap — the pupils over it, and the classrooms to place them elsewhere."""
    rows = []
    sizes = a.school_tables["sizes"]
    for r in sizes.loc[~sizes["meets"]].itertuples(index=False):
        stage = "junior" if r.school_type in ("junior", "complete_middle") else "primary"
        classrooms = ceil_count(r.excess / std.threshold("class_size_max", stage))
        rows.append(_row(
            tier=2, township=r.township, school_id=r.school_id, name=r.name, stage=None, kind="school_size",
            key="school_size", value=float(r.students), threshold=float(r.cap), amount=float(r.excess),
            amount_unit="pupils", school_amount=float(classrooms),
            ratio=r.students / r.cap, cost=classrooms * _classroom(stage, prices), responsible_key="school_size",
            ledger_key=f"school|{r.school_id}|school_size", pupils=float(r.students)))
    return rows


def extra_classes(classes: pd.DataFrame) -> int:
    """Classes to add so that no class exceeds its limit, grade by grade (pupils spread evenly).

    Parameters
    ----------
    classes
        Rows of :func:`jxedu.analysis.assurance.oversize_classes` (one school), or every class of a
        grade: ``stage, grade, students, limit``.
    """
    total = 0
    for _, grade in classes.groupby(["stage", "grade"]):
        n, limit = float(grade["students"].sum()), float(grade["limit"].iloc[0])
        total += max(0, ceil_count(n / limit) - len(grade))
    return total


def _class_rows(a, prices: dict) -> list[dict]:
    """Tier 2: classes over the class-size limit — the classes to add (each needs a classroom)."""
    if a.ds.classes is None:
        return []
    rows = []
    oc = a.oversize_classes
    for sid, g in oc.groupby("school_id", sort=False):
        n_extra = extra_classes(g)
        stage = "junior" if (g["stage"] == "junior").any() else "primary"
        rows.append(_row(
            tier=2, township=g["township"].iloc[0], school_id=sid, name=g["name"].iloc[0], stage=None,
            kind="class_size", key="class_size", value=float(g["students"].max()), threshold=float(g["limit"].max()),
            amount=float(len(g)), amount_unit="classes",
            school_amount=float(n_extra), cost=n_extra * _classroom(stage, prices), responsible_key="class_size",
            ledger_key=f"school|{sid}|class_size", pupils=float(g["students"].sum())))
    return rows


def _school_pupils(a, school_id: str) -> float:
    """Compulsory-stage pupils of a school in the year (the school tables' count)."""
    sch = a.school_tables["schools"]
    return float(sch.loc[sch["school_id"] == school_id, "students"].sum())


def _room_rows(a, prices: dict) -> list[dict]:
    """Tier 3: missing music and art rooms (built at the school's area minimum and equipped)."""
    rows = []
    rooms = a.school_tables["rooms"]
    for r in rooms.itertuples(index=False):
        for kind, area in (("music", r.music_area_min), ("art", r.art_area_min)):
            short = getattr(r, f"{kind}_short")
            if pd.isna(short) or short <= 0:
                continue
            each = area * prices["building_m2_junior"] + prices["special_room_equipment"]
            rows.append(_row(
                tier=3, township=r.township, school_id=r.school_id, name=r.name, kind=f"{kind}_rooms",
                key=f"{kind}_rooms", value=float(getattr(r, f"{kind}_rooms_ok")), threshold=float(r.rooms_needed),
                amount=float(short), amount_unit="rooms", school_amount=float(area),
                cost=float(short) * each, responsible_key=f"{kind}_rooms",
                ledger_key=f"school|{r.school_id}|{kind}_rooms", pupils=_school_pupils(a, r.school_id)))
    return rows


def _pe_art_rows(a, prices: dict) -> list[dict]:
    """Tier 3: schools (or 部, ``plan_pe_art_scope``) under the county plan's PE/art teachers per 100 pupils."""
    pe = a.school_tables["pe_art"]
    return [_row(tier=3, township=r.township, school_id=r.school_id, name=r.name, stage=r.stage, kind="pe_art_plan",
                 key="plan_pe_art_every_school", value=float(r.per_100), threshold=float(r.target),
                 amount=float(r.short_teachers), amount_unit="teachers",
                 ratio=r.per_100 / r.target, cost_year=float(r.short_teachers) * prices["teacher_year"],
                 responsible_key="plan_pe_art_every_school", ledger_key=r.ledger_key,
                 pupils=float(r.students))
            for r in pe.loc[~pe["meets"]].itertuples(index=False)]


def _capacity_rows(a, prices: dict) -> list[dict]:
    """Tier 3: a 镇街's classrooms short at the projection horizon (central variant), net of spare rooms."""
    if a.missing("township_needs") is not None:
        return []
    needs = a.township_needs["central"]
    horizon = int(needs["year"].max())
    rows = []
    for r in needs.loc[(needs["year"] == horizon) & (needs["net_classroom_shortfall"] > 0)].itertuples(index=False):
        rows.append(_row(
            tier=3, township=r.township, stage=r.stage, kind="capacity", key="new_school" if r.new_school else "enlarge",
            value=float(r.classes_needed), threshold=float(r.classrooms_available), amount=float(r.net_classroom_shortfall), amount_unit="classrooms", school_amount=float(horizon),
            cost=float(r.net_classroom_shortfall) * _classroom(r.stage, prices), responsible_key="capacity",
            ledger_key=f"township|{r.township}|{r.stage}|capacity", pupils=float(r.students)))
    return rows


def build(a) -> pd.DataFrame:
    """Every school-level action of the assessment's year, ranked (see the module docstring).

    Parameters
    ----------
    a
        The county's :class:`~jxedu.analysis.assessment.Assessment`: every figure is read from it.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``tier`` (1–3), ``township, school_id, name, stage`` (``None`` for a
        whole school or a 镇街 row), ``kind`` (``resource``, ``school_size``, ``class_size``,
        ``music_rooms``, ``art_rooms``, ``pe_art_plan``, ``capacity``), ``key`` (indicator or item key;
        ``new_school``/``enlarge`` for capacity; a facility shared by several 部 of one school is one row
        with ``stage`` ``None`` and the largest of their school amounts), ``value`` and ``threshold`` (the
        unit's value and standard; a school's pupils and cap; its largest class and the limit; rooms
        that meet the area and rooms needed; PE/art per 100 pupils and the plan's line; a 镇街's classes
        needed and classrooms at the horizon), ``amount`` and ``amount_unit`` (code: ``teachers``,
        ``m2``, ``yuan``, ``rooms``, ``pupils``, ``classes``, ``classrooms``), ``school_amount`` (what the
        school adds for a shared facility; classrooms for size and class rows; the room area; the
        horizon year for capacity), ``ratio`` (share of the standard or cap), ``under_floor``, ``cost``
        (元, capital, 估算), ``cost_year`` (元 a year, 估算), ``responsible_key`` (row of
        ``jxedu/data/responsible_units.csv``), ``ledger_key`` (the ledger's 事项编号), ``pupils`` (pupils
        affected: the unit's, the school's, the over-cap classes', the 镇街 stage's) and ``rank`` (1 = the
        most severe of the county). Sorted by rank.
    """
    prices = costs.unit_costs(a.settings.unit_costs)["value"].to_dict()
    rows = (_resource_rows(a, prices) + _size_rows(a, prices) + _class_rows(a, prices) + _room_rows(a, prices)
            + _pe_art_rows(a, prices) + _capacity_rows(a, prices))
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    key_order = {k: i for i, k in enumerate(KEYS)}
    out["_k"] = out["key"].map(key_order).fillna(len(KEYS))
    out["_floor"] = np.where(out["under_floor"].astype(bool), 0, 1)
    # the most severe first: under the 85 % floor, then the most pupils affected, then furthest from the standard
    out = out.sort_values(["tier", "_floor", "pupils", "ratio", "school_id", "_k"],
                          ascending=[True, True, False, True, True, True], na_position="last", kind="stable")
    for c in ("value", "threshold", "amount", "school_amount", "ratio", "pupils", "cost", "cost_year"):
        out[c] = out[c].astype(float)
    out["rank"] = np.arange(1, len(out) + 1)
    return out.drop(columns=["_k", "_floor"]).reset_index(drop=True)


def county_warnings(a, *, margin: float) -> pd.DataFrame:
    """The CVs over their limit or within ``margin`` of it (预警), worst first (county only).

    Parameters
    ----------
    a
        The county's assessment.
    margin
        Share of the limit: a CV at or above ``(1 − margin) × limit`` is a warning.

    Returns
    -------
    pandas.DataFrame
        The rows of ``a.balance`` concerned, with ``status`` (``over`` / ``near``) and ``headroom``
        (limit − CV).
    """
    b = a.balance.loc[a.balance["cv"].notna()].copy()
    b["status"] = np.where(~b["within_limit"], "over", np.where(b["cv"] >= (1 - margin) * b["cv_limit"], "near", ""))
    b = b.loc[b["status"] != ""]
    b["headroom"] = b["cv_limit"] - b["cv"]
    return b.sort_values("headroom").reset_index(drop=True)
