"""Layout scenarios (学校布局调整方案): a scenario's edits applied to the data, evaluated, compared.

:func:`evaluate` turns a :class:`~jxedu.planning.scenario_file.Scenario` (a YAML file, see
:mod:`jxedu.planning.scenario_file`) into a :class:`ScenarioResult`; the baseline is the scenario
without edits. The steps, each a public function reused by :mod:`jxedu.planning.optimize`:

1. :func:`resolve` checks the edits against the data (unknown school or village, a school closed
   twice …, errors naming the file's line) and returns a :class:`Plan`;
2. :func:`reassign_stage` re-assigns each stage's children (:mod:`jxedu.planning.assignment`) and
   moves the enrolled students (:class:`StageOutcome`);
3. :func:`reassess` re-computes the seven resource indicators, the pass rule and the CVs of the
   changed 学段统计 and 办学条件 tables through :mod:`jxedu.analysis.indicators` (``units`` →
   ``score_units`` → ``county_balance``) — the baseline is the assessment's (``a.indicators``,
   ``a.balance``);
4. the result frames and the key figures (:data:`COUNTY_FIGURES`, :data:`STAGE_FIGURES`).

:func:`compare`, :func:`school_changes`, :func:`moves` and :func:`township_figures` return plain
frames with English keys and codes; :mod:`jxedu.present.scenarios` shows them to a planner.

Model (documented here and in ``data/scenarios/README.md``)
------------------------------------------------------------
* **Demand** and **assignment**: see :mod:`jxedu.planning.assignment` (each 村居's children go to
  the nearest schools with a free place; county-wide; capacity ``"classes"`` = classes × 45/50 or
  ``"enrolment"`` = students, times ``headroom``). Edits add capacity (``enlarge``: ``capacity``
  and/or ``classrooms`` × cap; ``open``: the new school's capacity).
* **Who moves** (as a county reassigns): by default only the children of schools that close or
  merge, of schools whose places fall below their baseline load (shrunk), of 村居 moved by
  调整划片, and children a school held over its capacity in the baseline are re-assigned; every
  other baseline flow is fixed (:func:`reassign_stage`, ``_kept_flows``). 重新划片 (``rezone`` of the
  file or of :func:`evaluate`) frees every child of the county (``True``) or of the 村居 of the
  镇街 listed. ``summary["pupils_moved"]`` (and per stage) counts the enrolled students who change school.
* **Costs**: :mod:`jxedu.planning.costing` (估算, 元; capital and yearly apart).
* **Enrolment after the edits**: the LP works on resident children; schools report enrolled students
  (学段统计). A child who changes school carries ``f_s = min(students_s / baseline load_s, 1)``
  enrolled students of the school they leave (a rural school that lost children to town schools has
  fewer students than residents: each child carries that share; a school with more students than
  resident children keeps the surplus — children from outside its catchment, 随迁子女 — in place).
  For each 村居 the children who can stay at their baseline school stay; the others are spread over
  the schools gaining children of that 村居. The surplus of a school that closes follows its children
  (or goes to the merge target, or the nearest open school). The baseline reproduces the data
  exactly, and **totals are preserved** (asserted). Whole students: :func:`jxedu.core.numeric.round_keeping_total`.
* **Teachers and facilities**: ``close`` — the teachers of each stage follow their pupils to the
  receiving schools in proportion (教师随学生分流); buildings, grounds and equipment stay behind.
  ``merge A into B`` — all teachers of A, its equipment value and multimedia rooms go to B;
  buildings and grounds too when ``keep_campus: true`` (A becomes a campus of B; its classrooms and
  capacity then count for B). ``open`` — teachers and facilities as given in the edit; items not
  given are set at the county's mean per student of that stage (from ``a.indicators``) × the
  school's students. ``enlarge`` — the given teachers and facilities are added.
* **Resource indicators**: the changed tables go through :func:`jxedu.analysis.indicators.units`
  (units, shared facilities split by :data:`~jxedu.analysis.indicators.SPLIT_WEIGHTS`, the 教学点
  rule), :func:`~jxedu.analysis.indicators.score_units` (the seven values and the pass rule) and
  :func:`~jxedu.analysis.indicators.county_balance` (the student-weighted CVs).
* **Bus coverage**: a child beyond the walking limit is covered when a stop within
  ``settings.bus_stop_access_m`` of the 村居 is linked by a morning trip to the school
  (:func:`jxedu.analysis.bus.links`); stops of added or extended routes link to the schools that
  route serves. *Bus seats* = children covered only thanks to the added or extended routes.
* **Classes and classrooms**: classes needed per school-stage = Σ over grades
  ``ceil_count(students of the grade / cap)`` (grade shares of the 班级 table; new schools split
  evenly over the grades); *classes short* = max(needed − classrooms available, 0) where classrooms
  available = classes held + classrooms added (a classroom serves any grade).
* **School size**: compulsory students after the scenario against
  :func:`jxedu.core.standards.school_size_caps` (built year from 学校, 随迁子女 share from the
  assessment's school table).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from jxedu.analysis import indicators
from jxedu.core import standards as std
from jxedu.core.dataset import Dataset
from jxedu.core.errors import ScenarioError
from jxedu.core.numeric import ceil_count, round_keeping_total
from jxedu.core.schema import GRADES_OF_STAGE, LABELS
from jxedu.planning import assignment as asg
from jxedu.planning import costing
from jxedu.planning.scenario_file import (
    TEACHER_KINDS,
    Edit,
    Scenario,
    error_at,
    list_scenarios,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "CHANGE_STATUSES",
    "COUNTY_FIGURES",
    "STAGE_FIGURES",
    "Edit",
    "NewSchool",
    "Plan",
    "Scenario",
    "ScenarioResult",
    "StageOutcome",
    "compare",
    "evaluate",
    "evaluate_files",
    "figure_keys",
    "list_scenarios",
    "load_scenario",
    "moves",
    "parse_scenario",
    "reassess",
    "reassign_stage",
    "resolve",
    "school_changes",
    "smallest_teaching_point",
    "township_figures",
]

#: Stages a scenario evaluates (compulsory education).
STAGES: tuple[str, ...] = asg.STAGES
#: How a school-stage changes (codes of ``ScenarioResult.schools["change_status"]``), most
#: important first: closed, merged into another, new, enlarged, students gained or lost, unchanged.
CHANGE_STATUSES: tuple[str, ...] = ("closed", "merged", "opened", "enlarged", "students_changed", "unchanged")
#: County-wide key figures of a result (``ScenarioResult.summary``), in display order.
COUNTY_FIGURES: tuple[str, ...] = (
    "schools", "closed", "opened", "students", "pupils_moved", "oversize_schools", "classes_short",
    "classrooms_planned", "bus_seats", "villages_changed", "capital_cost_yuan", "yearly_cost_yuan",
)
#: Key figures per stage, keyed ``<stage>_<figure>`` (``primary_mean_m``), then one CV per
#: indicator (``primary_cv_<indicator key>``).
STAGE_FIGURES: tuple[str, ...] = (
    "students", "pupils_moved", "mean_m", "beyond", "bus_share", "uncovered", "over_capacity", "classes_short",
    "passing", "cv_exceeded",
)

#: Raw 办学条件 columns a scenario moves or adds (the inputs of :func:`jxedu.analysis.indicators.units`).
_FACILITY_RAW: tuple[str, ...] = (
    "teaching_area", "indoor_sports_area", "sports_ground_area", "equipment_value_wan", "multimedia_rooms",
)
#: Items that follow a merge; the areas follow only with ``keep_campus``.
_MOVABLE = ("equipment_value_wan", "multimedia_rooms")
#: Facility item of an edit -> raw 办学条件 column it adds to (㎡ net of indoor rooms add to the
#: teaching area, ㎡ of sports grounds and halls to the sports ground, 万元, rooms).
_EDIT_FACILITY_RAW = {"teaching_area": "teaching_area", "sports_area": "sports_ground_area",
                      "equipment_value_wan": "equipment_value_wan", "multimedia_rooms": "multimedia_rooms"}
#: Unit column of :func:`jxedu.analysis.indicators.units` -> raw column and factor (元 -> 万元) used to
#: staff and equip a new school at the county mean.
_UNIT_TO_RAW = {"teaching_area": ("teaching_area", 1.0), "sports_area": ("sports_ground_area", 1.0),
                "equipment_value": ("equipment_value_wan", 1e-4), "multimedia_rooms": ("multimedia_rooms", 1.0)}
_ART_KINDS = ("pe_teachers", "music_teachers", "art_teachers")


def figure_keys(*, stages: tuple[str, ...] = STAGES) -> list[str]:
    """Every key of ``ScenarioResult.summary``, in display order (county figures, then per stage)."""
    keys = list(COUNTY_FIGURES)
    for st in stages:
        keys += [f"{st}_{k}" for k in STAGE_FIGURES]
        keys += [f"{st}_cv_{k}" for k in indicators.KEYS]
    return keys


# --- 1. the edits resolved against the data ------------------------------------------------------


@dataclass
class NewSchool:
    """A school an ``open`` edit adds (ids, place, stages; per-stage capacity, classrooms and
    teachers as given; facilities as given)."""

    school_id: str
    name: str
    school_type: str
    township: str | None
    lon: float
    lat: float
    x: float
    y: float
    stages: tuple[str, ...]
    capacity: dict
    classrooms: dict
    teachers: dict
    facilities: dict
    line: int


@dataclass
class Plan:
    """The edits resolved against the data: what changes where.

    Attributes
    ----------
    closed
        school_id -> merge target (``None`` for a plain closure).
    keep_campus
        Merged schools whose campus becomes part of the target.
    new
        Schools opened.
    enlarge
        ``(school_id, stage or None, fields, line)`` per ``enlarge`` edit.
    reassign
        village_id -> school_id (调整划片).
    new_stops
        ``(points (n, 2) UTM metres, school ids served, is_extension)`` per route edit.
    lines
        school_id -> line of the edit that changed it.
    rezone
        重新划片: ``False`` (only displaced pupils move), ``True`` (every child re-assigned) or a
        frozenset of 镇街 whose 村居's children are re-assigned.
    """

    closed: dict = field(default_factory=dict)
    keep_campus: set = field(default_factory=set)
    new: list[NewSchool] = field(default_factory=list)
    enlarge: list = field(default_factory=list)
    reassign: dict = field(default_factory=dict)
    new_stops: list = field(default_factory=list)
    lines: dict = field(default_factory=dict)
    rezone: bool | frozenset = False

    @property
    def empty(self) -> bool:
        """Whether the plan changes nothing (the baseline)."""
        return not (self.closed or self.new or self.enlarge or self.reassign or self.new_stops)


class _Resolver:
    """Resolves the edits of one scenario in file order (one method per edit type)."""

    def __init__(self, ctx: asg.Context, scn: Scenario) -> None:
        self.ctx = ctx
        self.src = scn.source
        self.schools = ctx.ds.schools.set_index("school_id")
        self.villages = ctx.ds.villages.assign(village_id=ctx.ds.villages["village_id"].astype(str)).set_index(
            "village_id")
        self.teaching = {st: set(inp.sch["school_id"]) for st, inp in ctx.stages.items()}
        self.active = set().union(*self.teaching.values())
        self.new_stages: dict[str, tuple[str, ...]] = {}
        self.plan = Plan()

    def error(self, e: Edit, key: str | None, message: str):
        return error_at(self.src, e.lines.get(key, e.line) if key else e.line, message)

    def school(self, e: Edit, key: str, *, allow_new: bool = True, sid: str | None = None) -> str:
        """A school an edit names: existing with compulsory students this year, or new in this scenario."""
        sid = e.fields[key] if sid is None else sid
        if sid in self.new_stages:
            if not allow_new:
                raise self.error(e, key, f"不能对新建学校执行此调整 (bad_edit): {sid}")
            return sid
        if sid not in self.schools.index:
            raise self.error(e, key, f"未知的学校标识码 (unknown_school): {sid}")
        name = self.schools.at[sid, "name"]
        if sid not in self.active:
            raise self.error(e, key, f"该学校{self.ctx.year}学年没有义务教育在校生 (no_students): {sid} {name}")
        if sid in self.plan.closed:
            raise self.error(e, key, f"该学校已在前面的调整中关闭或并入 (already_closed): {sid} {name}")
        return sid

    def stages_of(self, sid: str) -> set:
        if sid in self.new_stages:
            return set(self.new_stages[sid])
        return {st for st, ids in self.teaching.items() if sid in ids}

    def stage_map(self, e: Edit, key: str, stages: tuple, what: str) -> dict:
        """``{None: x}`` (only for a single-stage school) or ``{stage: x}`` -> ``{stage: x}``."""
        v = e.fields.get(key) or {}
        if not v:
            return {}
        if None in v:
            if len(stages) != 1:
                raise self.error(e, key, f"该学校开设两个学段，{what} 请按学段分别写明，如 小学: 1350 (missing_field)")
            return {stages[0]: v[None]}
        bad = [s for s in v if s not in stages]
        if bad:
            raise self.error(e, key, f"{what} 写了学校不开设的学段 (bad_stage): {'、'.join(LABELS[s] for s in bad)}")
        return dict(v)

    # -- one method per edit type -----------------------------------------------------------------
    def close(self, e: Edit) -> None:
        sid = self.school(e, "school", allow_new=False)
        self.plan.closed[sid] = None
        self.plan.lines[sid] = e.line

    def merge(self, e: Edit) -> None:
        a = self.school(e, "school", allow_new=False)
        b = self.school(e, "into")
        if a == b:
            raise self.error(e, "into", f"不能并入自身 (bad_merge): {a}")
        if not self.stages_of(a) & self.stages_of(b):
            raise self.error(e, "into", f"两校没有共同学段，无法合并 (bad_merge)：{a} → {b}")
        self.plan.closed[a] = b
        if e.fields.get("keep_campus"):
            self.plan.keep_campus.add(a)
        self.plan.lines[a] = self.plan.lines.setdefault(b, e.line)

    def open(self, e: Edit) -> None:
        f, n = e.fields, len(self.plan.new) + 1
        sid = f.get("id") or f"NEW{n:02d}"
        if sid in self.schools.index or sid in self.new_stages:
            raise self.error(e, "id", f"新建学校的编号已存在 (duplicate_school): {sid}")
        x, y = (float(v) for v in asg.utm_xy(f["lon"], f["lat"]))
        stages = tuple(s for s in f["stages"] if s in self.ctx.stages)
        self.plan.new.append(NewSchool(
            school_id=sid, name=f.get("name") or f"新建学校{n}", school_type=f["school_type"],
            township=f.get("township") or self.ctx.township_at(x, y), lon=f["lon"], lat=f["lat"], x=x, y=y,
            stages=stages, capacity=self.stage_map(e, "capacity", stages, "容量 (capacity)"),
            classrooms=self.stage_map(e, "classrooms", stages, "教室数 (classrooms)"),
            teachers=self.stage_map(e, "teachers", stages, "教师 (teachers)"),
            facilities=f.get("facilities", {}), line=e.line,
        ))
        self.new_stages[sid] = stages
        self.plan.lines[sid] = e.line

    def enlarge(self, e: Edit) -> None:
        f = dict(e.fields)
        sid = self.school(e, "school")
        taught = self.stages_of(sid)
        given = f.get("stages", (None,))[0]
        if given is not None and given not in taught:
            raise self.error(e, "stages", f"该学校不开设此学段 (bad_stage): {LABELS[given]}")
        stage = given if given is not None else (next(iter(taught)) if len(taught) == 1 else None)
        for key in ("capacity", "classrooms", "teachers"):
            if stage is None and f.get(key):
                raise self.error(e, key, "该学校有小学、初中两个学段，请用 学段(stages) 写明扩建哪个学段 (missing_field): stages")
        if not any(k in f for k in ("capacity", "classrooms", "teachers", "facilities")):
            raise self.error(e, None, "扩建需要写明 容量、教室、教师 或 设施 中的至少一项 (missing_field)")
        for key, what in (("capacity", "容量 (capacity)"), ("classrooms", "教室数 (classrooms)"),
                          ("teachers", "教师 (teachers)")):
            if f.get(key):
                f[key] = self.stage_map(e, key, (stage,), what)
        self.plan.enlarge.append((sid, stage, f, e.line))
        self.plan.lines.setdefault(sid, e.line)

    def add_route(self, e: Edit) -> None:
        schools = tuple(self.school(e, "schools", sid=s) for s in e.fields["schools"])
        self.plan.new_stops.append((self.stop_points(e), schools, False))

    def extend_route(self, e: Edit) -> None:
        rid = e.fields["route"]
        if not self.ctx.has_bus:
            raise self.error(e, "route", "数据中没有公交线路，无法延伸 (missing_table): 公交")
        if rid not in self.ctx.route_ids:
            raise self.error(e, "route", f"未知的线路编号 (unknown_route): {rid}；可用：{'、'.join(sorted(self.ctx.route_ids))}")
        links = self.ctx.links
        schools = tuple(sorted(set(links.loc[links["route_id"] == rid, "school_id"])))
        self.plan.new_stops.append((self.stop_points(e), schools, True))

    def stop_points(self, e: Edit) -> np.ndarray:
        xy = []
        for stop in e.fields["stops"]:
            if len(stop) == 2:  # a village id and its line
                vid, ln = stop
                if vid not in self.villages.index:
                    raise error_at(self.src, ln, f"未知的村居代码 (unknown_village): {vid}")
                xy.append((float(self.villages.at[vid, "x"]), float(self.villages.at[vid, "y"])))
            else:
                xy.append(tuple(float(v) for v in asg.utm_xy(stop[0], stop[1])))
        return np.array(xy, dtype=float)

    def reassign(self, e: Edit) -> None:
        sid = self.school(e, "school")
        for vid in e.fields["villages"]:
            if vid not in self.villages.index:
                raise self.error(e, "villages", f"未知的村居代码 (unknown_village): {vid}")
            self.plan.reassign[vid] = sid
        self.plan.lines.setdefault(sid, e.line)

    def check_later_closures(self) -> None:
        """An edit naming a school that a later edit closes."""
        for sid, _stage, _f, line in self.plan.enlarge:
            if sid in self.plan.closed:
                raise error_at(self.src, line, f"扩建的学校在其他调整中被关闭或并入 (already_closed): {sid}")
        for sid in self.plan.reassign.values():
            if sid in self.plan.closed:
                raise error_at(self.src, self.plan.lines.get(sid, 0),
                               f"划入的学校在其他调整中被关闭或并入 (already_closed): {sid}")


def resolve(ctx: asg.Context, scenario: Scenario) -> Plan:
    """Check a scenario's edits against the data and resolve them into a :class:`Plan`.

    Parameters
    ----------
    ctx
        :func:`jxedu.planning.assignment.context` of the data set and year.
    scenario
        The scenario.

    Returns
    -------
    Plan

    Raises
    ------
    ScenarioError
        An edit names an unknown school, route or village, a school without compulsory students,
        a school already closed, a stage the school does not teach …; the message names the line.
    """
    r = _Resolver(ctx, scenario)
    for e in scenario.edits:
        getattr(r, e.kind)(e)
    r.check_later_closures()
    r.plan.rezone = _rezone(ctx, scenario)
    return r.plan


def _rezone(ctx: asg.Context, scenario: Scenario) -> bool | frozenset:
    """The scenario's 重新划片 checked against the 镇街 of the 村居 table."""
    rz = scenario.rezone
    if isinstance(rz, bool):
        return rz
    known = set(ctx.ds.villages["township"].astype(str))
    unknown = [t for t in rz if t not in known]
    if unknown:
        raise error_at(scenario.source, scenario.lines.get("rezone", 0),
                       f"重新划片的镇街不在村居表中 (unknown_township): {'、'.join(unknown)}")
    return frozenset(rz)


# --- 2. one stage re-assigned ----------------------------------------------------------------------


@dataclass
class StageOutcome:
    """One stage after the edits: schools, capacities, both assignments and the students' moves.

    Attributes
    ----------
    inputs
        The stage's :class:`~jxedu.planning.assignment.StageInputs`.
    sch
        Schools of the stage in the scenario: the existing ones (``inputs.sch``), then new ones.
    ids, pos
        School ids in that order; id -> position.
    a0, a1
        Baseline and scenario :class:`~jxedu.planning.assignment.Assignment`.
    capacity, rooms
        Places and classrooms added per school.
    status
        Codes of :data:`CHANGE_STATUSES` per school.
    open
        Open schools.
    target
        Merge target position per school (-1: none).
    moves
        Sparse (from × to) enrolled students moving.
    after, after_int
        Enrolled students after the edits (fractional; whole, total kept).
    dist_new, sxy
        (villages × new schools) metres; school points.
    """

    inputs: asg.StageInputs
    sch: pd.DataFrame
    ids: np.ndarray
    pos: dict
    a0: asg.Assignment
    a1: asg.Assignment
    capacity: np.ndarray
    rooms: np.ndarray
    status: np.ndarray
    open: np.ndarray
    target: np.ndarray
    moves: sparse.csr_array
    after: np.ndarray
    after_int: np.ndarray
    dist_new: np.ndarray
    sxy: np.ndarray

    @property
    def n_old(self) -> int:
        """Number of existing schools (the first rows of ``sch``)."""
        return len(self.inputs.sch)


_SCHOOL_COLUMNS = ["school_id", "name", "township", "school_type", "urban_rural", "lon", "lat", "x", "y"]


def _scenario_schools(inputs: asg.StageInputs, new: list[NewSchool]) -> pd.DataFrame:
    """The existing schools of the stage, then the new ones (no students, no classes yet)."""
    sch = inputs.sch[[*_SCHOOL_COLUMNS, "students", "classes"]].copy()
    if not new:
        return sch
    extra = pd.DataFrame([{k: getattr(n, k, None) for k in _SCHOOL_COLUMNS} for n in new])
    extra["students"] = 0
    extra["classes"] = 0
    return pd.concat([sch, extra], ignore_index=True)


def _capacities(inputs: asg.StageInputs, plan: Plan, stage: str, sch: pd.DataFrame, new: list[NewSchool],
                pos: dict, *, capacity: str, headroom: float):
    """Places, classrooms added, status, open mask and merge targets after the edits."""
    n_old, n_s = len(inputs.sch), len(sch)
    cap = np.r_[asg.stage_capacity(inputs, capacity=capacity, headroom=headroom), np.zeros(len(new))]
    rooms = np.zeros(n_s)
    for i, n in enumerate(new):
        cap[n_old + i] = n.capacity.get(stage, 0.0)
        rooms[n_old + i] = n.classrooms.get(stage, ceil_count(cap[n_old + i] / inputs.cap))
    status = np.array(["unchanged"] * n_old + ["opened"] * len(new), dtype=object)
    open_mask = np.ones(n_s, dtype=bool)
    target = np.full(n_s, -1)
    for sid, into in plan.closed.items():
        if sid not in pos:
            continue
        i = pos[sid]
        open_mask[i] = False
        status[i] = "closed"
        if into is not None and into in pos:
            target[i] = pos[into]
            status[i] = "merged"
            if sid in plan.keep_campus:
                cap[pos[into]] += cap[i]
                rooms[pos[into]] += sch.at[i, "classes"]
    for sid, st, f, _line in plan.enlarge:
        if sid in pos and (st == stage or st is None):
            i = pos[sid]
            added_rooms = f.get("classrooms", {}).get(st, 0.0)
            cap[i] += f.get("capacity", {}).get(st, 0.0) + added_rooms * inputs.cap
            rooms[i] += added_rooms
            if status[i] == "unchanged":
                status[i] = "enlarged"
    return cap, rooms, status, open_mask, target


def _fixed_flows(inputs: asg.StageInputs, plan: Plan, pos: dict, target: np.ndarray, a0: asg.Assignment) -> dict:
    """Flows the edits impose: villages moved by 调整划片, the children of a merged school to its target."""
    fixed: dict = {}
    vpos = {v: i for i, v in enumerate(inputs.vil["village_id"].astype(str))}
    demand = inputs.vil["demand"].to_numpy(float)
    moved = set()
    for vid, sid in plan.reassign.items():
        if sid in pos and demand[vpos[vid]] > 0:
            fixed[(vpos[vid], pos[sid])] = demand[vpos[vid]]
            moved.add(vpos[vid])
    for r, c, x in zip(a0.r, a0.c, a0.x, strict=True):
        if target[c] >= 0 and r not in moved:
            key = (r, int(target[c]))
            fixed[key] = fixed.get(key, 0.0) + x
    return fixed


def _kept_flows(inputs: asg.StageInputs, plan: Plan, a0: asg.Assignment, cap: np.ndarray, open_mask: np.ndarray,
                target: np.ndarray) -> dict:
    """Baseline flows that stay where they are (without 重新划片 of the whole county).

    A child stays at their baseline school unless it closes or merges, its places fall below its
    baseline load (shrunk), it was over capacity in the baseline, the 村居 is moved by 调整划片, or
    the 村居 lies in a 镇街 the scenario re-zones.
    """
    n_s = len(cap)
    load0 = a0.load(n_s)
    over0 = np.zeros(n_s)
    over0[: len(a0.over)] = a0.over
    free_school = ~open_mask | (target >= 0) | (over0 > 1e-6)
    free_school[: len(load0)] |= cap[: len(load0)] < load0 - 1e-6
    vpos = {v: i for i, v in enumerate(inputs.vil["village_id"].astype(str))}
    moved = {vpos[v] for v in plan.reassign if v in vpos}
    towns = inputs.vil["township"].astype(str).to_numpy()
    rezoned = np.isin(towns, list(plan.rezone)) if isinstance(plan.rezone, frozenset) else np.zeros(len(towns), bool)
    kept: dict = {}
    for r, c, x in zip(a0.r, a0.c, a0.x, strict=True):
        if free_school[c] or r in moved or rezoned[r]:
            continue
        kept[(int(r), int(c))] = float(x)
    return kept


def _carried_moves(enrolled: np.ndarray, x0: sparse.csr_array, x1: sparse.csr_array) -> sparse.lil_array:
    """Enrolled students carried by the children who change school (see the module notes)."""
    n_s = len(enrolled)
    l0 = np.asarray(x0.sum(axis=0)).ravel()
    carry = np.minimum(np.divide(enrolled, l0, out=np.zeros(n_s), where=l0 > 0), 1.0)
    stay = x0.minimum(x1)
    leave = (x0 - stay).tocsr()
    arrive = (x1 - stay).tocsr()
    tot = np.asarray(arrive.sum(axis=1)).ravel()
    inv = np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)
    moves = (leave @ sparse.diags_array(carry)).T @ sparse.diags_array(inv) @ arrive
    return sparse.lil_array(moves)


def _place_loose(moves: sparse.lil_array, enrolled, open_mask, target, sxy) -> sparse.csr_array:
    """Students a closed school has beyond those its children carry (enrolment above the baseline
    load, or a school without 村居) follow its children, or go to the merge target, or to the
    nearest open school."""
    carried = np.asarray(moves.sum(axis=1)).ravel()
    open_idx = np.flatnonzero(open_mask)
    for s_i in np.flatnonzero(~open_mask & (enrolled - carried > 1e-9)):
        rest = enrolled[s_i] - carried[s_i]
        row = moves[[s_i], :].toarray().ravel()
        if target[s_i] >= 0 and open_mask[target[s_i]]:
            moves[s_i, target[s_i]] += rest
        elif row.sum() > 0:
            for t in np.flatnonzero(row > 0):
                moves[s_i, t] += rest * row[t] / row.sum()
        else:
            _, nn = cKDTree(sxy[open_idx]).query(sxy[s_i], k=1)
            moves[s_i, open_idx[int(nn)]] += rest
    return sparse.csr_array(moves)


def _touches(plan: Plan, stage: str, pos: dict) -> bool:
    """Whether a plan changes a stage's places or assignment (closures, new schools, enlargements,
    调整划片 of its schools; bus routes change coverage only)."""
    return (any(sid in pos for sid in plan.closed) or any(stage in n.stages for n in plan.new)
            or any(sid in pos and st in (stage, None) for sid, st, _f, _line in plan.enlarge)
            or any(sid in pos for sid in plan.reassign.values()))


def reassign_stage(ctx: asg.Context, plan: Plan, stage: str, *, capacity: str = "classes",
                   headroom: float = 1.0) -> StageOutcome:
    """Re-assign one stage's children after the edits of a plan and move the enrolled students.

    Parameters
    ----------
    ctx
        :func:`jxedu.planning.assignment.context`.
    plan
        From :func:`resolve`.
    stage
        A stage of ``ctx.stages``.
    capacity, headroom
        As :func:`jxedu.planning.assignment.stage_capacity`.

    Returns
    -------
    StageOutcome
    """
    inputs = ctx.stages[stage]
    a0 = asg.baseline_assignment(ctx, stage, capacity=capacity, headroom=headroom)
    new = [n for n in plan.new if stage in n.stages]
    sch = _scenario_schools(inputs, new)
    ids = sch["school_id"].to_numpy(dtype=object)
    pos = {s: i for i, s in enumerate(ids)}
    sxy = sch[["x", "y"]].to_numpy(float)
    n_old, n_s, n_v = len(inputs.sch), len(sch), len(inputs.vil)
    dist_new = ctx.distances_from(sxy[n_old:], inputs.vxy) if new else np.zeros((n_v, 0))
    cap, rooms, status, open_mask, target = _capacities(inputs, plan, stage, sch, new, pos, capacity=capacity,
                                                        headroom=headroom)
    if _touches(plan, stage, pos):
        fixed = _fixed_flows(inputs, plan, pos, target, a0)
        if plan.rezone is not True:  # only displaced pupils move: every other baseline flow is fixed
            for key, x in _kept_flows(inputs, plan, a0, cap, open_mask, target).items():
                fixed[key] = fixed.get(key, 0.0) + x
        a1 = asg.assign_stage(inputs, sxy, dist_new, open_mask, cap, fixed,
                              prefer=a0, stay_preference_m=ctx.settings.stay_preference_m)
    else:  # nothing changes for this stage: the baseline is the answer (the tie-break keeps it)
        a1 = a0
    enrolled = sch["students"].to_numpy(float)
    x0 = sparse.csr_array((a0.x, (a0.r, a0.c)), shape=(n_v, n_s))
    mv = _place_loose(_carried_moves(enrolled, x0, a1.flows), enrolled, open_mask, target, sxy)
    gained, lost = np.asarray(mv.sum(axis=0)).ravel(), np.asarray(mv.sum(axis=1)).ravel()
    after = enrolled - lost + gained
    if abs(after.sum() - enrolled.sum()) > 1e-6 * max(enrolled.sum(), 1.0) or (after < -1e-6).any():
        raise AssertionError("enrolment not preserved")  # pupils are never lost
    status = np.where((status == "unchanged") & ((gained > 0.5) | (lost > 0.5)), "students_changed", status)
    return StageOutcome(
        inputs=inputs, sch=sch, ids=ids, pos=pos, a0=a0, a1=a1, capacity=cap, rooms=rooms, status=status,
        open=open_mask, target=target, moves=mv, after=after,
        after_int=round_keeping_total(np.maximum(after, 0.0), int(round(enrolled.sum()))),
        dist_new=dist_new, sxy=sxy,
    )


# --- 3. the changed tables re-assessed ---------------------------------------------------------------


class _Resources:
    """Teachers per school-stage and facilities per school, as the edits leave them (raw columns of
    学段统计 and 办学条件 of the year)."""

    def __init__(self, ctx: asg.Context, plan: Plan, outcomes: dict[str, StageOutcome]) -> None:
        self.ctx = ctx
        stats = ctx.stats.copy()
        stats["students"] = stats["students"].astype(float)
        for st, o in outcomes.items():
            after = pd.Series(o.after[: o.n_old], index=o.ids[: o.n_old])
            m = stats["stage"] == st
            stats.loc[m, "students"] = stats.loc[m, "school_id"].map(after).fillna(stats.loc[m, "students"])
        self.stats = stats
        keys = list(zip(stats["school_id"], stats["stage"], strict=True))
        values = stats[list(TEACHER_KINDS)].to_numpy(float)
        self.teachers = {k: values[i].copy() for i, k in enumerate(keys)}
        fac = ctx.ds.facilities
        fac = fac[fac["year"] == ctx.year]
        self.facilities = {sid: row.copy() for sid, row in
                           zip(fac["school_id"], fac[list(_FACILITY_RAW)].to_numpy(float), strict=True)}
        for n in plan.new:  # a new school starts empty; edits and the county mean equip it
            self.facilities[n.school_id] = np.zeros(len(_FACILITY_RAW))
        self.new_rows: list[dict] = []

    def teacher(self, sid: str, stage: str) -> np.ndarray:
        return self.teachers.setdefault((sid, stage), np.zeros(len(TEACHER_KINDS)))

    def facility(self, sid: str) -> np.ndarray:
        return self.facilities.setdefault(sid, np.zeros(len(_FACILITY_RAW)))

    def follow_closures(self, plan: Plan, outcomes: dict[str, StageOutcome]) -> None:
        """Teachers of a closed school follow its pupils (all to the target of a merge); a merge
        moves equipment and multimedia rooms (and the campus with ``keep_campus``)."""
        for st, o in outcomes.items():
            for sid, into in plan.closed.items():
                if sid not in o.pos or (sid, st) not in self.teachers:
                    continue
                i = o.pos[sid]
                if into is not None and o.target[i] >= 0:
                    shares = {into: 1.0}
                else:
                    row = o.moves[[i], :].toarray().ravel()
                    shares = {o.ids[j]: row[j] / row.sum() for j in np.flatnonzero(row > 0)} if row.sum() > 0 else {}
                t = self.teachers[(sid, st)]
                for tid, share in shares.items():
                    self.teachers[(tid, st)] = self.teacher(tid, st) + share * t
                self.teachers[(sid, st)] = np.zeros(len(TEACHER_KINDS))
        for sid, into in plan.closed.items():
            if sid not in self.facilities:
                continue
            if into is not None and into in self.facilities:  # a target without 办学条件 stays without
                items = _FACILITY_RAW if sid in plan.keep_campus else _MOVABLE
                tgt = self.facility(into)
                for c in items:
                    tgt[_FACILITY_RAW.index(c)] += self.facilities[sid][_FACILITY_RAW.index(c)]
            self.facilities[sid] = np.zeros(len(_FACILITY_RAW))

    def add_enlargements(self, plan: Plan) -> None:
        for sid, st, f, _line in plan.enlarge:
            for kind, n in f.get("teachers", {}).get(st, {}).items():
                self.teacher(sid, st)[TEACHER_KINDS.index(kind)] += n
            if sid in self.facilities:  # a school without 办学条件 stays without
                for k, n in f.get("facilities", {}).items():
                    self.facilities[sid][_FACILITY_RAW.index(_EDIT_FACILITY_RAW[k])] += n

    def staff_new_schools(self, plan: Plan, outcomes: dict[str, StageOutcome]) -> None:
        """Teachers and facilities of new schools: as given, else the county mean per student of the
        stage (``a.indicators``) × the school's students."""
        inc = self.ctx.assessment.indicators
        per = {st: g[["teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers",
                      *_UNIT_TO_RAW]].sum() / g["students"].sum()
               for st, g in inc.groupby("stage") if g["students"].sum() > 0}
        for n in plan.new:
            nf = self.facility(n.school_id)
            for st in n.stages:
                if st not in outcomes:
                    continue
                o = outcomes[st]
                students = float(o.after[o.pos[n.school_id]])
                mean = per.get(st, pd.Series(dtype=float))
                self.teachers[(n.school_id, st)] = self._new_teachers(n.teachers.get(st, {}), mean, students)
                for col, (raw, factor) in _UNIT_TO_RAW.items():
                    if not any(_EDIT_FACILITY_RAW[k] == raw for k in n.facilities):
                        nf[_FACILITY_RAW.index(raw)] += float(mean.get(col, 0.0)) * students * factor
                self.new_rows.append({"year": self.ctx.year, "school_id": n.school_id, "stage": st,
                                      "students": students, "classes": 0})
            for k, v in n.facilities.items():
                nf[_FACILITY_RAW.index(_EDIT_FACILITY_RAW[k])] += v

    @staticmethod
    def _new_teachers(given: dict, mean: pd.Series, students: float) -> np.ndarray:
        vals = np.zeros(len(TEACHER_KINDS))
        for i, kind in enumerate(TEACHER_KINDS):
            if kind in _ART_KINDS:
                continue
            vals[i] = given.get(kind, float(mean.get(kind, 0.0)) * students)
        if any(k in given for k in _ART_KINDS):
            for k in _ART_KINDS:
                vals[TEACHER_KINDS.index(k)] = given.get(k, 0.0)
        else:  # the county mean of 体育、艺术 teachers together
            vals[TEACHER_KINDS.index("pe_teachers")] = float(mean.get("pe_art_teachers", 0.0)) * students
        return vals

    def dataset(self, plan: Plan) -> Dataset:
        """The year's 学校, 学段统计 and 办学条件 after the edits."""
        ds = self.ctx.ds
        stats = pd.concat([self.stats, pd.DataFrame(self.new_rows)], ignore_index=True) if self.new_rows \
            else self.stats.copy()
        t = np.array([self.teachers.get(k, np.zeros(len(TEACHER_KINDS)))
                      for k in zip(stats["school_id"], stats["stage"], strict=True)]).reshape(-1, len(TEACHER_KINDS))
        stats[list(TEACHER_KINDS)] = t
        fac = pd.DataFrame([row for row in self.facilities.values()], columns=list(_FACILITY_RAW))
        fac.insert(0, "school_id", list(self.facilities))
        fac.insert(0, "year", self.ctx.year)
        schools = pd.DataFrame(ds.schools[["school_id", "name", "township", "urban_rural", "school_type"]])
        if plan.new:
            schools = pd.concat([schools, pd.DataFrame([{
                "school_id": n.school_id, "name": n.name, "township": n.township, "urban_rural": None,
                "school_type": n.school_type} for n in plan.new])], ignore_index=True)
        return Dataset(source=ds.source, schools=schools, stage_stats=stats, facilities=fac)


def reassess(ctx: asg.Context, plan: Plan, outcomes: dict[str, StageOutcome]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The resource indicators, pass rule and CVs after the edits (the assessment's for the baseline).

    Parameters
    ----------
    ctx
        :func:`jxedu.planning.assignment.context`.
    plan
        From :func:`resolve`.
    outcomes
        Stage -> :func:`reassign_stage`.

    Returns
    -------
    indicators : pandas.DataFrame
        :func:`jxedu.analysis.indicators.score_units` of the included units after the edits.
    balance : pandas.DataFrame
        :func:`jxedu.analysis.indicators.county_balance` of them.
    """
    ind, bal, _added = _reassessed(ctx, plan, outcomes)
    return ind, bal


def _reassessed(ctx: asg.Context, plan: Plan, outcomes: dict[str, StageOutcome]):
    """:func:`reassess`, and the net change of the county's 专任教师 (for the costs)."""
    a = ctx.assessment
    if plan.empty:
        return a.indicators, a.balance, 0.0
    res = _Resources(ctx, plan, outcomes)
    before = sum(float(v[0]) for v in res.teachers.values())
    res.follow_closures(plan, outcomes)
    res.add_enlargements(plan)
    res.staff_new_schools(plan, outcomes)
    after = sum(float(v[0]) for v in res.teachers.values())
    units = indicators.units(res.dataset(plan), year=ctx.year, settings=ctx.settings)
    scored = indicators.score_units(units.loc[units["included"]].reset_index(drop=True))
    return scored, indicators.county_balance(scored, settings=ctx.settings), after - before


# --- 4. the result ---------------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    """Everything :func:`evaluate` found for one scenario.

    Attributes
    ----------
    name, description
        Of the scenario (``name`` is ``None`` for the baseline and for unnamed edits; see
        :attr:`is_baseline`).
    year, method
        School year; distance method (``"network"`` or ``"straight"``).
    summary
        Key figures: :func:`figure_keys` -> value (shares 0–1, distances in metres).
    schools
        One row per school × stage: ``school_id, name, township, school_type, stage, change_status``
        (:data:`CHANGE_STATUSES`), ``students_before, students_after, students_change, capacity,
        load_before, load_after`` (resident children assigned), ``over_capacity, classes_held,
        classrooms_added, classes_needed, classes_short, x, y, lon, lat``.
    villages
        One row per 村居 × stage: ``village_id, name, township, stage, demand, school_before,
        school_after`` (school taking most of its children), ``distance_before_m, distance_after_m``
        (child-weighted), ``beyond_walk_before, beyond_walk_after`` (children), ``changed``.
    flows
        One row per 村居 × school × stage with children: ``village_id, school_id, stage, pupils,
        distance_m, beyond_walk, bus_link, new_bus_link``.
    moves
        Enrolled students moving between schools: ``stage, from_school_id, from_name, from_township,
        to_school_id, to_name, to_township, students``.
    indicators
        :func:`jxedu.analysis.indicators.score_units` of the included units after the edits.
    balance
        :func:`jxedu.analysis.indicators.county_balance` after the edits.
    seconds
        Evaluation time.
    scenario
        The scenario evaluated.
    costs
        The 估算 costs of the edits (:func:`jxedu.planning.costing.scenario_costs`); their totals are
        ``summary["capital_cost_yuan"]`` and ``summary["yearly_cost_yuan"]`` (元).
    rezone
        The 重新划片 in force (``False``: only displaced pupils moved; ``True``; or a frozenset of 镇街).
    bus_data
        Whether bus coverage could be computed: the data have a school-bus feed, or the scenario adds
        routes. Without, ``<stage>_bus_share`` and ``<stage>_uncovered`` are NaN (missing, not 0).
    """

    name: str | None
    description: str
    year: int
    method: str
    summary: dict
    schools: pd.DataFrame
    villages: pd.DataFrame
    flows: pd.DataFrame
    moves: pd.DataFrame
    indicators: pd.DataFrame
    balance: pd.DataFrame
    seconds: float = 0.0
    scenario: Scenario | None = None
    costs: pd.DataFrame | None = None
    rezone: bool | frozenset = False
    bus_data: bool = True

    @property
    def is_baseline(self) -> bool:
        """Whether this is the baseline (no edit)."""
        return self.scenario is None or self.scenario.is_baseline


def _bus_links(ctx: asg.Context, plan: Plan, o: StageOutcome) -> tuple[np.ndarray, np.ndarray]:
    """Per flow of the scenario: linked by an existing morning trip; linked only by an added route."""
    n_v, n_s = len(o.inputs.vil), len(o.sch)
    old_link = sparse.csr_array(o.inputs.linked, shape=(n_v, n_s)) if n_s > o.inputs.linked.shape[1] \
        else o.inputs.linked
    new_link = sparse.csr_array((n_v, n_s), dtype=bool)
    for xy, schools, _ext in plan.new_stops:
        cols = [o.pos[s] for s in schools if s in o.pos]
        if not cols:
            continue
        near = (asg.points_within(o.inputs.vxy, xy, ctx.reach_m).sum(axis=1) > 0).astype(float)
        sel = sparse.csr_array((np.ones(len(cols)), (np.zeros(len(cols), dtype=np.int64), np.array(cols))),
                               shape=(1, n_s))
        new_link = (new_link + sparse.csr_array(near.reshape(-1, 1)) @ sel) > 0
    new_link = sparse.csr_array(new_link)
    a1 = o.a1
    ol = asg.pair_known(*old_link.tocoo().coords, a1.r, a1.c, n_s)
    nl = asg.pair_known(*new_link.tocoo().coords, a1.r, a1.c, n_s)
    return ol, nl & ~ol


def _classes_needed(o: StageOutcome) -> np.ndarray:
    """Classes needed per school: Σ over grades ceil_count(students of the grade / cap)."""
    grades = len(GRADES_OF_STAGE[o.inputs.stage])
    even = np.full(grades, 1.0 / grades)
    after = o.after_int.astype(float)
    return np.array([int(ceil_count(after[i] * o.inputs.grade_share.get(sid, even) / o.inputs.cap).sum())
                     for i, sid in enumerate(o.ids)], dtype=np.int64)


def _school_frame(o: StageOutcome) -> pd.DataFrame:
    sch, n_s = o.sch, len(o.sch)
    needed = _classes_needed(o)
    held = sch["classes"].to_numpy(float)
    short = np.where(o.open, np.maximum(needed - held - o.rooms, 0), 0)
    before = sch["students"].to_numpy(np.int64)
    return pd.DataFrame({
        "school_id": o.ids, "name": sch["name"].to_numpy(), "township": sch["township"].to_numpy(),
        "school_type": sch["school_type"].to_numpy(), "stage": o.inputs.stage, "change_status": o.status,
        "students_before": before, "students_after": o.after_int, "students_change": o.after_int - before,
        "capacity": o.capacity, "load_before": o.a0.load(n_s), "load_after": o.a1.load(n_s),
        "over_capacity": o.a1.over, "classes_held": held.astype(np.int64),
        "classrooms_added": o.rooms.astype(np.int64), "classes_needed": needed,
        "classes_short": short.astype(np.int64),
        **{c: sch[c].to_numpy(float) for c in ("x", "y", "lon", "lat")},
    })


def _village_frame(o: StageOutcome) -> pd.DataFrame:
    v, n_v = o.inputs.vil, len(o.inputs.vil)
    walk = o.inputs.walk_m
    main0, main1 = o.a0.main_school(n_v), o.a1.main_school(n_v)

    def beyond(a: asg.Assignment) -> np.ndarray:
        return np.bincount(a.r, weights=np.where(a.d > walk, a.x, 0.0), minlength=n_v)

    def school(main: np.ndarray) -> np.ndarray:
        return np.where(main >= 0, o.ids[np.maximum(main, 0)], None)

    return pd.DataFrame({
        "village_id": v["village_id"].astype(str).to_numpy(dtype=object), "name": v["name"].to_numpy(),
        "township": v["township"].to_numpy(), "stage": o.inputs.stage, "demand": v["demand"].to_numpy(),
        "school_before": school(main0), "school_after": school(main1),
        "distance_before_m": o.a0.mean_distance(n_v), "distance_after_m": o.a1.mean_distance(n_v),
        "beyond_walk_before": beyond(o.a0), "beyond_walk_after": beyond(o.a1),
        "changed": (main0 != main1) & (v["demand"].to_numpy() > 0),
        **{c: v[c].to_numpy(float) for c in ("x", "y", "lon", "lat")},
    })


def _flow_frame(o: StageOutcome, bus_old: np.ndarray, bus_new: np.ndarray) -> pd.DataFrame:
    a1 = o.a1
    vids = o.inputs.vil["village_id"].astype(str).to_numpy(dtype=object)
    return pd.DataFrame({
        "village_id": vids[a1.r], "school_id": o.ids[a1.c], "stage": o.inputs.stage, "pupils": a1.x,
        "distance_m": a1.d, "beyond_walk": a1.d > o.inputs.walk_m, "bus_link": bus_old | bus_new,
        "new_bus_link": bus_new,
    })


def _move_frame(o: StageOutcome) -> pd.DataFrame:
    mv = o.moves.tocoo()
    keep = mv.data > 1e-9
    f, t = mv.row[keep], mv.col[keep]
    names = o.sch["name"].to_numpy(dtype=object)
    towns = o.sch["township"].to_numpy(dtype=object)
    return pd.DataFrame({
        "stage": o.inputs.stage, "from_school_id": o.ids[f], "from_name": names[f], "from_township": towns[f],
        "to_school_id": o.ids[t], "to_name": names[t], "to_township": towns[t], "students": mv.data[keep],
    })


def _stage_figures(st: str, o: StageOutcome, flows: pd.DataFrame, schools: pd.DataFrame,
                   ind: pd.DataFrame, bal: pd.DataFrame, *, bus_data: bool = True) -> dict:
    x, d = flows["pupils"].to_numpy(float), flows["distance_m"].to_numpy(float)
    beyond = flows["beyond_walk"].to_numpy(bool)
    covered = beyond & flows["bus_link"].to_numpy(bool)
    b_n, cov, total = float(x[beyond].sum()), float(x[covered].sum()), float(x.sum())
    if not bus_data:  # no bus feed and no added route: coverage is unknown, not 0
        cov = float("nan")
    bs = bal[bal["stage"] == st]
    out = {
        f"{st}_students": int(o.after_int.sum()),
        f"{st}_pupils_moved": int(round(float(o.moves.sum()))),
        f"{st}_mean_m": float((x * d).sum() / total) if total > 0 else float("nan"),
        f"{st}_beyond": b_n,
        f"{st}_bus_share": cov / b_n if b_n > 0 else float("nan"),
        f"{st}_uncovered": b_n - cov,
        f"{st}_over_capacity": float(o.a1.over.sum()),
        f"{st}_classes_short": int(schools["classes_short"].sum()),
        f"{st}_passing": int(ind.loc[ind["stage"] == st, "passes"].sum()),
        f"{st}_cv_exceeded": int((~bs["within_limit"].astype(bool)).sum()),
    }
    out |= {f"{st}_cv_{k}": float(c) for k, c in zip(bs["key"], bs["cv"], strict=True)}
    return out


def _oversize_schools(ctx: asg.Context, schools: pd.DataFrame) -> int:
    """Schools whose compulsory students after the scenario exceed :func:`~jxedu.core.standards.school_size_caps`."""
    size = schools.groupby("school_id", sort=False)["students_after"].sum()
    types = schools.groupby("school_id", sort=False)["school_type"].first()
    sch = ctx.ds.schools.set_index("school_id")
    built = sch["built_year"] if "built_year" in sch.columns else pd.Series(dtype=float)
    assessed = ctx.assessment.school_tables["schools"].set_index("school_id")["migrant_share"]
    caps = std.school_size_caps(types.to_numpy(), built.reindex(size.index).to_numpy(),
                                assessed.reindex(size.index).to_numpy(),
                                relaxation=ctx.settings.school_size_relaxation)["cap"].to_numpy()
    return int((size.to_numpy(float) > caps).sum())


def _result(ctx: asg.Context, scn: Scenario, plan: Plan, outcomes: dict[str, StageOutcome],
            ind: pd.DataFrame, bal: pd.DataFrame) -> ScenarioResult:
    parts: dict[str, list] = {"schools": [], "villages": [], "flows": [], "moves": []}
    summary: dict = {}
    seats = 0.0
    bus_data = ctx.ds.gtfs_path is not None or bool(plan.new_stops)
    for st, o in outcomes.items():
        bus_old, bus_new = _bus_links(ctx, plan, o)
        flows, schools = _flow_frame(o, bus_old, bus_new), _school_frame(o)
        seats += float(o.a1.x[(o.a1.d > o.inputs.walk_m) & bus_new].sum())
        parts["schools"].append(schools)
        parts["villages"].append(_village_frame(o))
        parts["flows"].append(flows)
        parts["moves"].append(_move_frame(o))
        summary |= _stage_figures(st, o, flows, schools, ind, bal, bus_data=bus_data)
    schools, villages, flows, moved = (pd.concat(parts[k], ignore_index=True)
                                       for k in ("schools", "villages", "flows", "moves"))
    if int(schools["students_after"].sum()) != int(schools["students_before"].sum()):  # never lost
        raise AssertionError("students not preserved")
    size = schools.groupby("school_id")["students_after"].sum()
    summary = {
        "schools": int((size > 0).sum()),
        "closed": len(plan.closed),
        "opened": len(plan.new),
        "students": int(schools["students_after"].sum()),
        "pupils_moved": int(sum(v for k, v in summary.items() if k.endswith("_pupils_moved"))),
        "oversize_schools": _oversize_schools(ctx, schools),
        "classes_short": int(schools["classes_short"].sum()),
        "classrooms_planned": int(schools["classrooms_added"].sum()),
        "bus_seats": int(round(seats)),
        "villages_changed": int(villages.loc[villages["changed"], "village_id"].nunique()),
        **summary,
    }
    return ScenarioResult(
        name=scn.name, description=scn.description, year=ctx.year, method=ctx.method, summary=summary,
        schools=schools, villages=villages, flows=flows, moves=moved, indicators=ind, balance=bal, scenario=scn,
        bus_data=bus_data,
    )


# --- evaluation ------------------------------------------------------------------------------------


def _as_scenario(scenario, close, rezone) -> Scenario:
    if scenario is None:
        scn = Scenario()
    elif isinstance(scenario, Scenario):
        scn = scenario
    elif isinstance(scenario, dict):
        scn = parse_scenario(scenario)
    else:
        scn = load_scenario(scenario)
    if not close and rezone is None:
        return scn
    extra = [Edit("close", {"school": str(s)}) for s in close]
    return Scenario(scn.name, scn.description, scn.base_year, [*scn.edits, *extra], scn.source,
                    rezone=scn.rezone if rezone is None else rezone, lines=scn.lines)


def _check_options(stage, capacity: str, headroom: float) -> tuple[str, ...]:
    if capacity not in asg.CAPACITY_MODES:
        raise ScenarioError(f"未知的容量口径 (unknown_capacity): {capacity}；可用：classes（班级数×班额上限）、enrolment（现有在校生）")
    if not headroom > 0:
        raise ScenarioError(f"容量系数必须为正数 (not_positive): headroom = {headroom}")
    stages = (stage,) if isinstance(stage, str) else tuple(stage)
    for st in stages:
        if st not in STAGES:
            raise ScenarioError(f"未知学段 (unknown_stage): {st}；可用：primary（小学）、junior（初中）")
    return stages


def evaluate(
    ds,
    scenario: Scenario | str | Path | dict | None = None,
    *,
    year: int | None = None,
    stage: str | tuple[str, ...] = STAGES,
    capacity: str = "classes",
    headroom: float = 1.0,
    close: tuple[str, ...] | list[str] = (),
    rezone: bool | tuple[str, ...] | None = None,
    method: str = "auto",
    settings=None,
) -> ScenarioResult:
    """Evaluate a scenario (or the baseline) on a data set.

    Parameters
    ----------
    ds
        The data set (needs 村居; uses 道路, 公交 and 班级 when present).
    scenario
        A :class:`Scenario`, a YAML file (path or name in ``data/scenarios/``), a mapping, or
        ``None`` for the baseline.
    year
        School year; default the scenario's 基准学年, else the latest year.
    stage
        ``"primary"``, ``"junior"`` or both (default).
    capacity
        ``"classes"`` (classes held × 45/50) or ``"enrolment"`` (current students).
    headroom
        Multiplier of the capacity of existing schools (1.0 = as is; 1.1 = 10 % more places).
    close
        Extra school ids to close (the widget's selection), added after the scenario's edits.
    rezone
        重新划片, replacing the scenario's own (``None``: the scenario's, default ``False``):
        ``False`` — only the pupils of closed or shrunk schools, and pupils over a school's capacity,
        move; ``True`` — every child is re-assigned; a tuple of 镇街 — their 村居 are re-assigned.
    method
        ``"auto"`` (roads when present), ``"network"`` or ``"straight"``.
    settings
        :class:`jxedu.core.settings.Settings` (walking limits, bus-stop reach, 教学点 threshold, the
        tie-break ``stay_preference_m``).

    Returns
    -------
    ScenarioResult

    Raises
    ------
    ScenarioError
        An edit does not fit the data (unknown school or village, …); the message names the line.
    """
    t0 = time.perf_counter()
    scn = _as_scenario(scenario, close, rezone)
    stages = _check_options(stage, capacity, headroom)
    ctx = asg.context(ds, year=year if year is not None else scn.base_year, method=method, settings=settings)
    plan = resolve(ctx, scn)
    outcomes = {st: reassign_stage(ctx, plan, st, capacity=capacity, headroom=float(headroom))
                for st in stages if st in ctx.stages}
    ind, bal, teachers_added = _reassessed(ctx, plan, outcomes)
    result = _result(ctx, scn, plan, outcomes, ind, bal)
    result.costs = costing.scenario_costs(ctx, plan, scn, teachers_added=teachers_added)
    result.summary |= costing.total_costs(result.costs)
    result.rezone = plan.rezone
    result.seconds = time.perf_counter() - t0
    return result


# --- plain frames for the presentation layer ---------------------------------------------------------


def evaluate_files(ds, files, *, year: int | None = None, settings=None
                   ) -> tuple[list[ScenarioResult], dict[str, str]]:
    """Evaluate scenario files, leaving out those whose edits do not fit the data.

    The example files of ``data/scenarios/`` name schools of the demo data: on another county's data
    their schools are unknown. Such a file is not an error of the data; it is left out and said so.

    Parameters
    ----------
    ds
        The data set.
    files
        Scenario files (:func:`list_scenarios`).
    year, settings
        As :func:`evaluate`.

    Returns
    -------
    tuple
        The results of the files that fit, and ``{file name: the message of the error}`` of the others.
    """
    results, skipped = [], {}
    for f in files:
        try:
            results.append(evaluate(ds, f, year=year, settings=settings))
        except ScenarioError as exc:  # an edit names a school or 村居 this data set does not have
            skipped[Path(f).name] = str(exc)
    return results, skipped


def smallest_teaching_point(ds, *, year: int | None = None) -> str | None:
    """学校标识码 of the 教学点 with the fewest compulsory-stage pupils (at least one) in the year: the
    default example of a closure; ``None`` when the data have no 教学点 with pupils."""
    y = ds.year_or_latest(year)
    tp = ds.schools.loc[ds.schools["school_type"] == "teaching_point", "school_id"].astype(str)
    st = ds.stage_stats
    n = st[(st["year"] == y) & st["school_id"].astype(str).isin(set(tp))].groupby("school_id")["students"].sum()
    n = n[n > 0]
    if n.empty:
        return None
    return str(n.sort_values(kind="stable").index[0])


def compare(results: list[ScenarioResult]) -> pd.DataFrame:
    """Key figures of the baseline and any number of scenarios, one row per result.

    Parameters
    ----------
    results
        Results of :func:`evaluate` (the first is usually the baseline).

    Returns
    -------
    pandas.DataFrame
        ``name`` (``None`` for the baseline and unnamed edits), ``baseline`` (bool), then the keys of
        :func:`figure_keys` present in the results, unrounded.
    """
    keys = [k for k in figure_keys() if any(k in r.summary for r in results)]
    out = pd.DataFrame([{k: r.summary.get(k, np.nan) for k in keys} for r in results], columns=keys)
    out.insert(0, "baseline", [r.is_baseline for r in results])
    out.insert(0, "name", pd.Series([r.name for r in results], dtype=object))
    return out


def school_changes(result: ScenarioResult) -> pd.DataFrame:
    """School-stages whose status or students change, biggest change in students first.

    Returns
    -------
    pandas.DataFrame
        ``school_id, name, township, stage, change_status, students_before, students_after,
        students_change, classes_short``.
    """
    s = result.schools
    s = s[(s["change_status"] != "unchanged") | (s["students_change"] != 0)]
    s = s.assign(_abs=s["students_change"].abs()).sort_values(["_abs", "school_id"], ascending=[False, True],
                                                              kind="stable")
    cols = ["school_id", "name", "township", "stage", "change_status", "students_before", "students_after",
            "students_change", "classes_short"]
    return s[cols].reset_index(drop=True)


def moves(result: ScenarioResult, *, min_students: float = 0.5) -> pd.DataFrame:
    """Where the students of changed schools go (学生去向): whole students, largest first.

    Parameters
    ----------
    result
        From :func:`evaluate`.
    min_students
        Leave out moves of fewer students (rounding remainders).

    Returns
    -------
    pandas.DataFrame
        The columns of ``result.moves``, ``students`` rounded to whole students.
    """
    m = result.moves[result.moves["students"] >= min_students]
    m = m.assign(students=m["students"].round(0).astype("int64"))
    return m.sort_values(["students"], ascending=False, kind="stable").reset_index(drop=True)


def township_figures(result: ScenarioResult) -> pd.DataFrame:
    """The scenario's effect per 镇街 and stage (rows of the county-wide result, by the 镇街 of the
    school or of the 村居).

    Returns
    -------
    pandas.DataFrame
        ``township, stage, schools_before, schools_after, students_before, students_after,
        students_change, classes_short`` (schools of the 镇街), ``pupils`` (resident children),
        ``mean_before_m, mean_after_m`` (their mean distance to school), ``beyond_before,
        beyond_after`` (children beyond the walking limit), ``villages_changed``.
    """
    s = result.schools.assign(open_before=lambda d: d["students_before"] > 0,
                              open_after=lambda d: d["students_after"] > 0)
    sch = s.groupby(["township", "stage"], sort=False).agg(
        schools_before=("open_before", "sum"), schools_after=("open_after", "sum"),
        students_before=("students_before", "sum"), students_after=("students_after", "sum"),
        classes_short=("classes_short", "sum"))
    sch["students_change"] = sch["students_after"] - sch["students_before"]
    v = result.villages.assign(
        m0=lambda d: d["demand"] * d["distance_before_m"].fillna(0.0),
        m1=lambda d: d["demand"] * d["distance_after_m"].fillna(0.0))
    vil = v.groupby(["township", "stage"], sort=False).agg(
        pupils=("demand", "sum"), m0=("m0", "sum"), m1=("m1", "sum"), beyond_before=("beyond_walk_before", "sum"),
        beyond_after=("beyond_walk_after", "sum"), villages_changed=("changed", "sum"))
    pupils = vil["pupils"].where(vil["pupils"] > 0)
    vil["mean_before_m"] = vil.pop("m0") / pupils
    vil["mean_after_m"] = vil.pop("m1") / pupils
    out = sch.join(vil, how="outer").reset_index()
    counts = ["schools_before", "schools_after", "students_before", "students_after", "students_change",
              "classes_short", "pupils", "villages_changed"]
    out[counts] = out[counts].fillna(0).astype("int64")
    order = {t: i for i, t in enumerate(sorted(out["township"].unique(), key=indicators.township_sort_key))}
    out = out.assign(_t=out["township"].map(order), _s=out["stage"].map({st: i for i, st in enumerate(STAGES)}))
    return out.sort_values(["_t", "_s"]).drop(columns=["_t", "_s"]).reset_index(drop=True)[[
        "township", "stage", "schools_before", "schools_after", "students_before", "students_after",
        "students_change", "classes_short", "pupils", "mean_before_m", "mean_after_m", "beyond_before",
        "beyond_after", "villages_changed"]]
