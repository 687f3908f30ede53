"""The 估算 cost of a scenario in 元: what its edits build (capital) and what they cost every year.

Every amount is a unit cost of :mod:`jxedu.core.costs` (``jxedu/data/unit_costs.csv``, each with its
source; the setting ``unit_costs`` replaces any) times a quantity the scenario gives or implies. The
items, per edit (:func:`scenario_costs`):

* ``open`` (新建) and ``enlarge`` (扩建), per stage —
  *building* (校舍): the 教学及辅助用房面积 the edit gives, else classrooms × ``classroom_m2``
  (75 ㎡ of building per classroom, auxiliary space included), where classrooms are those the edit
  gives, else ⌈places ÷ class-size cap⌉; × ``building_m2_primary`` / ``building_m2_junior``.
  *sports ground* (运动场地): the 体育运动场馆面积 the edit gives × ``sports_ground_m2``; a new
  school whose edit gives none gets a row without an amount (``basis = "not_given"``: not zero,
  not counted). *equipment* (教学仪器设备): the 教学仪器设备值 the edit gives (万元 × 10 000), else
  new places × ``equipment_per_pupil`` (小学) / ``equipment_per_pupil_junior`` (初中).
  *multimedia rooms* (网络多媒体教室): rooms the edit gives × ``multimedia_room``.
* teachers (every year): the net change of the county's 专任教师 after the edits (teachers the
  edits add or a new school gets at the county mean; teachers of a closed school follow their
  pupils and cost nothing new) × ``teacher_year``.
* ``add_route`` / ``extend_route`` (every year): the one-way length of the added line × ``bus_route_km_year``
  (元 per route-km a year: a vehicle-km cost × 2 return trips × 190 school days). A new route runs
  through its stops in file order and on to the nearest school it serves; an extension from the
  route's existing stop nearest to its first new stop through the new stops. Along the roads when
  the context has a road graph, else straight lines (``distance_method``).

Closures and merges save running costs and free buildings; neither is counted (no saving is
claimed). Frames have English keys and codes; :mod:`jxedu.present.scenarios` shows them, labelled 估算.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jxedu.core import costs
from jxedu.core.numeric import ceil_count
from jxedu.planning import assignment as asg

__all__ = ["COST_ITEMS", "COST_KINDS", "building_key", "equipment_key", "scenario_costs", "total_costs"]

#: Items of a cost frame (codes of ``item``), in display order.
COST_ITEMS: tuple[str, ...] = ("building", "sports_ground", "equipment", "multimedia_rooms", "teachers", "bus_route")
#: ``capital`` (one-off, 建设投资) or ``yearly`` (每年运行费用).
COST_KINDS: tuple[str, ...] = ("capital", "yearly")
_COLUMNS = ["edit", "edit_type", "subject_id", "subject", "stage", "item", "kind", "quantity", "unit", "unit_key",
            "unit_cost", "unit_cost_unit", "cost_yuan", "basis", "source", "distance_method"]


def building_key(stage: str) -> str:
    """Unit cost key of building per ㎡ for a stage."""
    return "building_m2_primary" if stage == "primary" else "building_m2_junior"


def equipment_key(stage: str) -> str:
    """Unit cost key of equipment per new place for a stage."""
    return "equipment_per_pupil" if stage == "primary" else "equipment_per_pupil_junior"


class _Rows:
    """Collects cost rows; every amount is quantity × the unit cost in force."""

    def __init__(self, ctx: asg.Context) -> None:
        self.table = costs.unit_costs(ctx.settings.unit_costs)
        self.rows: list[dict] = []

    def add(self, base: dict, item: str, kind: str, key: str | None, quantity: float, *, basis: str,
            unit: str | None = None, stage: str | None = None, method: str | None = None,
            unit_cost: float | None = None) -> None:
        """One row: ``quantity`` × the unit cost ``key`` (or an explicit ``unit_cost`` the file gives)."""
        given = basis != "not_given"
        if key is None:
            value, source, per = float(unit_cost), "方案文件给出", None
        else:
            uc = self.table.loc[key]
            value, source, per = float(uc["value"]), str(uc["source"]), str(uc["unit"])
        self.rows.append({**base, "stage": stage, "item": item, "kind": kind,
                          "quantity": float(quantity) if given else np.nan, "unit": unit or per.split("/")[-1],
                          "unit_key": key, "unit_cost": value, "unit_cost_unit": per,
                          "cost_yuan": float(quantity) * value if given else np.nan,
                          "basis": basis, "source": source, "distance_method": method})


def _school_items(rows: _Rows, base: dict, stage: str, *, places: float, classrooms: float | None,
                  facilities: dict, cap: int, share: float, new: bool) -> None:
    """Building, sports ground, equipment and multimedia rooms of one school-stage."""
    fac = facilities or {}
    if "teaching_area" in fac:
        rows.add(base, "building", "capital", building_key(stage), fac["teaching_area"] * share, basis="given",
                 unit="㎡", stage=stage)
    else:
        rooms = classrooms if classrooms is not None else ceil_count(places / cap)
        if rooms > 0:
            area = float(rooms) * float(rows.table.loc["classroom_m2", "value"])
            rows.add(base, "building", "capital", building_key(stage), area, basis="classrooms", unit="㎡", stage=stage)
    if "sports_area" in fac:
        rows.add(base, "sports_ground", "capital", "sports_ground_m2", fac["sports_area"] * share, basis="given",
                 unit="㎡", stage=stage)
    elif new:
        rows.add(base, "sports_ground", "capital", "sports_ground_m2", 0.0, basis="not_given", unit="㎡", stage=stage)
    if "equipment_value_wan" in fac:
        rows.add(base, "equipment", "capital", None, fac["equipment_value_wan"] * share * 1e4, basis="given",
                 unit="元", stage=stage, unit_cost=1.0)
    elif places > 0:
        rows.add(base, "equipment", "capital", equipment_key(stage), places, basis="places", unit="个学位", stage=stage)
    if fac.get("multimedia_rooms"):
        rows.add(base, "multimedia_rooms", "capital", "multimedia_room", fac["multimedia_rooms"] * share,
                 basis="given", stage=stage)


def _path_m(ctx: asg.Context, xy: np.ndarray) -> float:
    """Length of a path through points in order (metres), by the context's method."""
    if len(xy) < 2:
        return 0.0
    d = ctx.distances_from(xy[1:], xy[:-1])  # (points[:-1] × points[1:])
    return float(np.trace(d))


def _route_items(rows: _Rows, ctx: asg.Context, plan, scenario) -> None:
    """Bus routes added or extended: one-way route-km × the yearly cost per route-km."""
    route_edits = [(i, e) for i, e in enumerate(scenario.edits, 1) if e.kind in ("add_route", "extend_route")]
    for (i, e), (xy, schools, extension) in zip(route_edits, plan.new_stops, strict=True):
        if extension:
            rid = e.fields["route"]
            stops = ctx.links.loc[ctx.links["route_id"] == rid, "stop_id"].unique()
            pos = {s: k for k, s in enumerate(ctx.stop_ids)}
            have = ctx.stop_xy[[pos[s] for s in stops if s in pos]]
            start = have[np.argmin(np.hypot(*(have - xy[0]).T))] if len(have) else xy[0]
            path = np.vstack([start, xy])
            subject_id, subject = rid, rid
        else:
            sch = ctx.ds.schools.set_index("school_id")
            known = [s for s in schools if s in sch.index]
            if known:
                sxy = sch.loc[known, ["x", "y"]].to_numpy(float)
                last = sxy[np.argmin(np.hypot(*(sxy - xy[-1]).T))]
                path = np.vstack([xy, last])
            else:  # a route serving only new schools: its stops alone
                path = xy
            subject_id = e.fields.get("id") or ""
            subject = e.fields.get("name") or subject_id
        km = _path_m(ctx, path) / 1000.0
        base = {"edit": i, "edit_type": e.kind, "subject_id": subject_id, "subject": subject}
        rows.add(base, "bus_route", "yearly", "bus_route_km_year", km, basis="route_km", unit="公里",
                 method=ctx.method)


def scenario_costs(ctx: asg.Context, plan, scenario, *, teachers_added: float) -> pd.DataFrame:
    """The 估算 costs of a scenario's edits, one row per edit, stage and item.

    Parameters
    ----------
    ctx
        :func:`jxedu.planning.assignment.context` (unit costs from its settings, roads, bus stops).
    plan
        :func:`jxedu.planning.scenarios.resolve` of the scenario.
    scenario
        The :class:`~jxedu.planning.scenario_file.Scenario` (edit order and ids).
    teachers_added
        Net change of the county's 专任教师 after the edits (may be fractional: a new school staffed
        at the county mean per student).

    Returns
    -------
    pandas.DataFrame
        ``edit`` (1-based position in the file; 0 for the county-wide teacher row), ``edit_type,
        subject_id, subject`` (school or route), ``stage, item`` (:data:`COST_ITEMS`), ``kind``
        (:data:`COST_KINDS`), ``quantity, unit`` (of the quantity), ``unit_key, unit_cost,
        unit_cost_unit`` (元 per unit, as the unit-cost table says; ``None`` for an amount the file
        gives), ``cost_yuan``
        (NaN with ``basis = "not_given"``), ``basis`` (``given``, ``classrooms``, ``places``,
        ``route_km``, ``net_teachers``, ``not_given``), ``source`` (of the unit cost),
        ``distance_method`` (bus rows).
    """
    rows = _Rows(ctx)
    names = ctx.ds.schools.set_index("school_id")["name"]
    cap = {st: inp.cap for st, inp in ctx.stages.items()}
    opened, enlarged = iter(plan.new), iter(plan.enlarge)  # both in file order
    for i, e in enumerate(scenario.edits, 1):
        if e.kind == "open":
            n = next(opened)
            total = sum(n.capacity.get(st, 0.0) for st in n.stages) or 1.0
            for st in n.stages:
                base = {"edit": i, "edit_type": "open", "subject_id": n.school_id, "subject": n.name}
                places = n.capacity.get(st, 0.0)
                _school_items(rows, base, st, places=places, classrooms=n.classrooms.get(st),
                              facilities=n.facilities, cap=cap.get(st, 45), share=places / total, new=True)
        elif e.kind == "enlarge":
            sid, st, f, _line = next(enlarged)
            if st is None:
                continue
            base = {"edit": i, "edit_type": "enlarge", "subject_id": sid, "subject": names.get(sid, sid)}
            rooms = f.get("classrooms", {}).get(st)
            places = f.get("capacity", {}).get(st, 0.0) + (rooms or 0.0) * cap.get(st, 45)
            if rooms is None and not f.get("capacity"):
                rooms = 0.0  # teachers or facilities only: nothing built for places
            _school_items(rows, base, st, places=places, classrooms=rooms, facilities=f.get("facilities", {}),
                          cap=cap.get(st, 45), share=1.0, new=False)
    _route_items(rows, ctx, plan, scenario)
    if abs(teachers_added) > 1e-9:
        rows.add({"edit": 0, "edit_type": None, "subject_id": None, "subject": None}, "teachers", "yearly",
                 "teacher_year", teachers_added, basis="net_teachers", unit="人")
    out = pd.DataFrame(rows.rows, columns=_COLUMNS)
    order = {k: j for j, k in enumerate(COST_ITEMS)}
    return out.assign(_o=out["item"].map(order)).sort_values(["edit", "_o"], kind="stable").drop(
        columns="_o").reset_index(drop=True)


def total_costs(frame: pd.DataFrame) -> dict:
    """Capital and yearly totals of a cost frame (元; rows without an amount left out).

    Returns
    -------
    dict
        ``capital_cost_yuan``, ``yearly_cost_yuan``, ``costs_incomplete`` (some item has no amount).
    """
    c = frame["cost_yuan"]
    return {"capital_cost_yuan": float(c[frame["kind"] == "capital"].sum()),
            "yearly_cost_yuan": float(c[frame["kind"] == "yearly"].sum()),
            "costs_incomplete": bool(c.isna().any())}
