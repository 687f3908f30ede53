"""Layout scenarios (学校布局调整方案): what-if edits on a data set, evaluated at once and compared.

A **scenario** is a named list of edits on the base data set — close a school, merge one school into
another, open a school at a point, enlarge a school, add or extend a school-bus route, move villages
to a school (调整划片). Scenarios are YAML files (format in ``data/scenarios/README.md``), read by
:func:`load_scenario` with errors naming the file **and line**.

:func:`evaluate` turns a scenario into a :class:`ScenarioResult`; the baseline is the scenario
without edits. :func:`compare` puts any number of results side by side; :func:`change_map` draws
what changes; :func:`explorer` is the JupyterLab widget.

Model (every rule is documented here and in ``data/scenarios/README.md``)
--------------------------------------------------------------------------
* **Demand**: the children of each stage living in each 村居 (:func:`jxedu.analysis.access.village_demand`).
* **Assignment**: demand is assigned to the open schools of the stage by a capacity-constrained
  transportation LP solved by HiGHS (``scipy.optimize.linprog(method="highs-ds")``; the dual
  simplex returns a vertex, so with whole-number demand and capacity every flow is a whole number
  of children). Each 村居 may go to its :data:`CANDIDATES_K` nearest open schools (straight line)
  plus any school an edit sends it to; cost = distance (along the roads when the data set has a road
  layer and ``method="auto"``, else straight line) per child. A school may take more than its
  capacity only at a penalty of :data:`OVERFLOW_PENALTY_M` metres per child, so children are never
  lost: when no candidate has a free place, the nearest one is over-filled and the overflow is
  reported (classes and classrooms needed). The assignment is county-wide (a child may be assigned
  across a 镇街 boundary), unlike the 镇街 划片 rule of :mod:`jxedu.analysis.access`.
* **Capacity** of an existing school-stage (``capacity=``): ``"classes"`` (default) = classes held ×
  the class-size cap (45 小学, 50 初中, ``class_size_max`` of the standards table); ``"enrolment"`` =
  current students. Either is multiplied by ``headroom`` (default 1.0). Edits add to it
  (``enlarge``: ``capacity`` and/or ``classrooms`` × cap; ``open``: the new school's capacity).
* **Enrolment after the edits**: the LP works on resident children; schools report enrolled students
  (学段统计). A child who changes school carries ``f_s = min(students_s / baseline load_s, 1)``
  enrolled students of the school they leave (a rural school that lost children to town schools has
  fewer students than residents: each child carries that share; a school with more students than
  resident children keeps the surplus — children from outside its catchment, 随迁子女 — in place).
  For each 村居 the children who can stay at their baseline school stay; the others are spread over
  the schools gaining children of that 村居. The surplus of a school that closes follows its children
  (or goes to the merge target, or the nearest open school). The baseline reproduces the data
  exactly, and **totals are preserved** (asserted).
* **Teachers and facilities**: ``close`` — the teachers of each stage follow their pupils to the
  receiving schools in proportion (教师随学生分流); buildings, grounds and equipment stay behind.
  ``merge A into B`` — all teachers of A, its equipment value and multimedia rooms go to B;
  buildings and grounds too when ``keep_campus: true`` (A becomes a campus of B; its classrooms and
  capacity then count for B). ``open`` — teachers and facilities as given in the edit; items not
  given are set at the county's mean per student of that stage × the school's students.
  ``enlarge`` — the given teachers and facilities are added.
* **Resource indicators**: the seven values of every unit are recomputed from the new students,
  teachers and facilities (shared facilities of 一贯制 schools split by the weighted students of
  :data:`jxedu.analysis.indicators.SPLIT_WEIGHTS`), then the student-weighted CVs
  (:func:`jxedu.analysis.indicators.weighted_cv`).
* **Bus coverage**: a child beyond the walking limit (``settings.walk_limit_m``) is covered when a
  stop within ``settings.bus_stop_access_m`` of the 村居 is linked by a morning trip to the school
  (:func:`jxedu.analysis.bus.links`); stops of added or extended routes link to the schools that route serves.
  *Bus seats* = children covered only thanks to the added or extended routes (one seat each).
* **Classes and classrooms**: classes needed per school-stage = Σ over grades ceil(students of the
  grade / cap) (grade shares of the 班级 table; new schools split evenly over the grades);
  *classes without a classroom* = max(needed − classrooms available, 0) where classrooms available =
  classes held + classrooms added (a classroom serves any grade).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from jxedu.analysis import access
from jxedu.core import standards as std
from jxedu.core import vocabulary
from jxedu.core.config import SCENARIOS_DIR, UTM50N, WGS84
from jxedu.core.errors import DataError, JxeduError, ScenarioError
from jxedu.core.schema import COMPULSORY_STAGES, GRADES_OF_STAGE, LABELS, STAGES_OF_TYPE

__all__ = [
    "EDIT_TYPES",
    "Edit",
    "Scenario",
    "ScenarioResult",
    "change_map",
    "compare",
    "evaluate",
    "explorer",
    "list_scenarios",
    "load_scenario",
    "moves_table",
    "parse_scenario",
    "school_changes",
]

#: Stages a scenario evaluates (compulsory education).
STAGES: tuple[str, ...] = COMPULSORY_STAGES
#: Candidate schools per 村居 in the assignment LP (nearest open schools by straight line).
CANDIDATES_K = 10  # schools
#: Cost of one child over a school's capacity, in metres of travel: large, so that a school is
#: over-filled only when no candidate school has a free place.
OVERFLOW_PENALTY_M = 1_000_000.0  # metres per child
# Tie-break in favour of the baseline: ``settings.stay_preference_m`` (default 50 metres per child) —
# a child is moved from its baseline school only when the move shortens some trip by more than this
# (the LP has many equally good answers; without it a small edit could reshuffle children
# county-wide for no gain).
#: Network distances are used with ``method="auto"`` while schools × road nodes stays below this.
NETWORK_MAX_CELLS = 50_000_000  # matrix cells
#: Chinese name of the baseline.
BASELINE_NAME = "现状"

# --- the scenario format ----------------------------------------------------------------------

#: Edit types (English key -> Chinese name used in messages and the README).
EDIT_TYPES: dict[str, str] = {
    "close": "关闭",
    "merge": "合并",
    "open": "新建",
    "enlarge": "扩建",
    "add_route": "新增线路",
    "extend_route": "延伸线路",
    "reassign": "调整划片",
}
#: Chinese spellings of the edit types.
TYPE_ALIASES: dict[str, str] = {
    **{zh: en for en, zh in EDIT_TYPES.items()},
    "撤销": "close",
    "撤并": "merge",
    "新增学校": "open",
    "新增公交线路": "add_route",
}
#: Chinese keys -> English keys (any level of the file).
KEY_ALIASES: dict[str, str] = {
    "名称": "name",
    "方案名称": "name",
    "说明": "description",
    "描述": "description",
    "基准学年": "base_year",
    "学年": "base_year",
    "调整": "edits",
    "调整项": "edits",
    "类型": "type",
    "学校": "school",
    "学校标识码": "school",
    "并入": "into",
    "并入学校": "into",
    "保留校区": "keep_campus",
    "编号": "id",
    "经度": "lon",
    "纬度": "lat",
    "坐标系": "crs",
    "学段": "stages",
    "容量": "capacity",
    "学位数": "capacity",
    "教室": "classrooms",
    "教室数": "classrooms",
    "镇街": "township",
    "所属镇街": "township",
    "办学类型": "school_type",
    "教师": "teachers",
    "设施": "facilities",
    "办学条件": "facilities",
    "站点": "stops",
    "服务学校": "schools",
    "线路": "route",
    "村居": "villages",
    # teacher kinds
    "专任教师": "teachers",
    "专任教师数": "teachers",
    "高于规定学历教师": "qualified_teachers",
    "高于规定学历教师数": "qualified_teachers",
    "骨干教师": "backbone_teachers",
    "县级以上骨干教师": "backbone_teachers",
    "县级以上骨干教师数": "backbone_teachers",
    "体育教师": "pe_teachers",
    "音乐教师": "music_teachers",
    "美术教师": "art_teachers",
    # facility items
    "教学及辅助用房面积": "teaching_area",
    "体育运动场馆面积": "sports_area",
    "教学仪器设备值": "equipment_value_wan",
    "教学仪器设备值（万元）": "equipment_value_wan",
    "网络多媒体教室数": "multimedia_rooms",
    "网络多媒体教室": "multimedia_rooms",
}
#: Teacher kinds an ``open``/``enlarge`` edit may give (English keys of 学段统计).
TEACHER_KINDS: tuple[str, ...] = (
    "teachers", "qualified_teachers", "backbone_teachers", "pe_teachers", "music_teachers", "art_teachers",
)
#: Facility items an ``open``/``enlarge`` edit may give: ㎡ net of indoor sports rooms; ㎡ of 体育馆 +
#: 运动场地; 万元; rooms.
FACILITY_KEYS: tuple[str, ...] = ("teaching_area", "sports_area", "equipment_value_wan", "multimedia_rooms")
_FACILITY_TO_UNIT = {  # edit key -> indicators.units column, factor
    "teaching_area": ("teaching_area", 1.0),
    "sports_area": ("sports_area", 1.0),
    "equipment_value_wan": ("equipment_value", 10000.0),  # 万元 -> 元
    "multimedia_rooms": ("multimedia_rooms", 1.0),
}
_STAGE_VALUES = {"小学": "primary", "初中": "junior", "primary": "primary", "junior": "junior"}
_CRS_VALUES = {"WGS84": "WGS84", "WGS-84": "WGS84", "GCJ02": "GCJ02", "GCJ-02": "GCJ02",
               "CGCS2000": "CGCS2000", "BD09": "BD09", "BD-09": "BD09"}
_TOP_KEYS = {"name", "description", "base_year", "edits"}
_FIELDS: dict[str, dict[str, bool]] = {  # edit type -> field -> required
    "close": {"school": True},
    "merge": {"school": True, "into": True, "keep_campus": False},
    "open": {"id": False, "name": False, "lon": True, "lat": True, "crs": False, "stages": False,
             "capacity": True, "classrooms": False, "township": False, "school_type": False,
             "teachers": False, "facilities": False},
    "enlarge": {"school": True, "stages": False, "capacity": False, "classrooms": False,
                "teachers": False, "facilities": False},
    "add_route": {"id": False, "name": False, "stops": True, "schools": True},
    "extend_route": {"route": True, "stops": True},
    "reassign": {"villages": True, "school": True},
}


class _Int(int):
    """An int parsed from YAML that remembers its text (ids keep leading zeros)."""

    text: str


class _Map(dict):
    """A mapping parsed from YAML with the (1-based) line of itself and of each key."""

    line: int = 0
    key_lines: dict


class _Seq(list):
    """A sequence parsed from YAML with the (1-based) line of itself and of each item."""

    line: int = 0
    item_lines: list


class _LineLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that records line numbers (``node.start_mark.line``)."""

    def construct_mapping(self, node, deep=False):  # noqa: D102
        self.flatten_mapping(node)
        out = _Map()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, int):
                key = getattr(key, "text", str(key))
            key = str(key)
            if key in out:
                raise ScenarioError(
                    f"第{key_node.start_mark.line + 1}行：键重复 (duplicate_key): {key}"
                )
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node, deep=False):  # noqa: D102
        out = _Seq(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out

    def construct_yaml_int(self, node):  # noqa: D102
        value = _Int(super().construct_yaml_int(node))
        value.text = str(node.value)
        return value


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)


@dataclass(frozen=True)
class Edit:
    """One edit of a scenario.

    Attributes
    ----------
    kind
        One of :data:`EDIT_TYPES` (English key).
    fields
        Normalised fields (English keys; ids as strings; stages as codes; coordinates WGS-84).
    line
        Line of the edit in its file (0 when built in code).
    lines
        Line of each field.
    """

    kind: str
    fields: dict
    line: int = 0
    lines: dict = field(default_factory=dict)


@dataclass
class Scenario:
    """A named list of edits.

    Attributes
    ----------
    name
        Name shown in tables and maps.
    description
        Free text.
    base_year
        School year the edits apply to (``None``: the latest year of the data).
    edits
        The edits, in file order.
    source
        File the scenario was read from (``None`` when built in code).
    """

    name: str
    description: str = ""
    base_year: int | None = None
    edits: list[Edit] = field(default_factory=list)
    source: Path | None = None

    def of_kind(self, kind: str) -> list[Edit]:
        """Edits of one type."""
        return [e for e in self.edits if e.kind == kind]


def _where(source, line: int) -> str:
    name = Path(source).name if source is not None else "（方案）"
    return f"方案文件 {name} 第{line}行" if line else f"方案 {name}"


def _error(source, line: int, message: str) -> ScenarioError:
    return ScenarioError(f"{_where(source, line)}：{message}")


def _text(value) -> str:
    """Scalar id as text (ints keep their YAML spelling)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return getattr(value, "text", str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normalise_keys(m, source) -> dict:
    """English keys (Chinese aliases resolved), keeping line info; error on a duplicate alias."""
    out = _Map()
    out.line = getattr(m, "line", 0)
    out.key_lines = {}
    lines = getattr(m, "key_lines", {})
    for k, v in m.items():
        en = KEY_ALIASES.get(str(k).strip(), str(k).strip())
        if en in out:
            raise _error(source, lines.get(k, out.line), f"同一项目写了两次 (duplicate_key): {k}")
        out[en] = v
        out.key_lines[en] = lines.get(k, out.line)
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (YAML).

    Parameters
    ----------
    path
        A ``.yaml`` file; a bare name (``"关闭教学点"`` or ``"关闭教学点.yaml"``) is looked up in
        ``data/scenarios/``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        The file is missing, not YAML, or breaks the format; the message names the file and line.
    """
    p = Path(path)
    if not p.exists():
        for cand in (SCENARIOS_DIR / p, SCENARIOS_DIR / f"{p}.yaml", SCENARIOS_DIR / f"{p}.yml"):
            if cand.exists():
                p = cand
                break
        else:
            raise ScenarioError(f"找不到方案文件 (scenario_not_found): {path}")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"无法读取方案文件 (unreadable_scenario): {p.name}: {exc}") from None
    try:
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except ScenarioError as exc:
        raise ScenarioError(f"方案文件 {p.name} {exc}") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        raise _error(p, line, f"YAML 格式错误 (bad_yaml): {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"方案文件 {p.name}：YAML 格式错误 (bad_yaml): {exc}") from None
    return parse_scenario(raw, source=p)


def parse_scenario(raw, *, source: str | Path | None = None) -> Scenario:
    """Check and normalise a scenario given as a mapping (as read from YAML).

    Parameters
    ----------
    raw
        ``{"name": ..., "edits": [...]}`` (Chinese keys accepted).
    source
        File name for messages.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Unknown edit type or key, missing field, bad coordinates, capacity not positive, …
    """
    if not isinstance(raw, dict):
        raise _error(source, 1, "方案应为键值对 (bad_scenario)：需要 名称/name 和 调整/edits")
    top = _normalise_keys(raw, source)
    for k in top:
        if k not in _TOP_KEYS:
            raise _error(source, top.key_lines[k], f"未知项目 (unknown_key): {k}；可用：名称(name)、说明(description)、"
                         "基准学年(base_year)、调整(edits)")
    if "name" not in top or not _text(top["name"]):
        raise _error(source, top.line, "缺少方案名称 (missing_field): 名称 (name)")
    base_year = top.get("base_year")
    if base_year is not None:
        try:
            base_year = int(_text(base_year)[:4])
        except ValueError:
            raise _error(source, top.key_lines["base_year"], f"基准学年无效 (bad_year): {base_year}") from None
    edits_raw = top.get("edits") or []
    if not isinstance(edits_raw, list):
        raise _error(source, top.key_lines.get("edits", top.line), "调整 (edits) 应为列表（每项以“- ”开头）")
    item_lines = getattr(edits_raw, "item_lines", [0] * len(edits_raw))
    edits = [_parse_edit(e, source, ln) for e, ln in zip(edits_raw, item_lines, strict=True)]
    return Scenario(
        name=_text(top["name"]),
        description=_text(top.get("description") or ""),
        base_year=base_year,
        edits=edits,
        source=Path(source) if source is not None else None,
    )


def _parse_edit(raw, source, line: int) -> Edit:
    if not isinstance(raw, dict):
        raise _error(source, line, "每项调整应为键值对 (bad_edit)：需要 类型(type) 等项目")
    m = _normalise_keys(raw, source)
    line = m.line or line
    if "type" not in m:
        raise _error(source, line, "调整项缺少类型 (missing_field): 类型 (type)")
    t = _text(m["type"])
    kind = TYPE_ALIASES.get(t, t)
    if kind not in EDIT_TYPES:
        choices = "、".join(f"{zh}({en})" for en, zh in EDIT_TYPES.items())
        raise _error(source, m.key_lines["type"], f"未知的调整类型 (unknown_edit_type): {t}；可用：{choices}")
    spec = _FIELDS[kind]
    lines = dict(m.key_lines)
    for k in m:
        if k != "type" and k not in spec:
            raise _error(source, lines[k], f"“{EDIT_TYPES[kind]}”不接受项目 (unknown_key): {k}；"
                         f"可用：{'、'.join(spec)}")
    for k, req in spec.items():
        if req and (k not in m or m[k] is None or m[k] == ""):
            raise _error(source, line, f"“{EDIT_TYPES[kind]}”缺少必需项目 (missing_field): {k}")
    f: dict = {}
    err = partial(_error, source)
    for k in ("school", "into", "route", "id", "name", "township"):
        if k in m and m[k] is not None:
            f[k] = _text(m[k])
    if "keep_campus" in m:
        v = m["keep_campus"]
        v = {"是": True, "否": False}.get(v, v) if isinstance(v, str) else v
        if not isinstance(v, bool):
            raise err(lines["keep_campus"], f"保留校区 (keep_campus) 应为 是/否 或 true/false: {m['keep_campus']}")
        f["keep_campus"] = v
    if "stages" in m and m["stages"] is not None:
        vals = m["stages"] if isinstance(m["stages"], list) else [m["stages"]]
        stages = []
        for v in vals:
            s = _STAGE_VALUES.get(_text(v))
            if s is None:
                raise err(lines["stages"], f"学段无效 (bad_stage): {v}；可用：小学、初中")
            stages.append(s)
        f["stages"] = tuple(dict.fromkeys(stages))
        if kind == "enlarge" and len(f["stages"]) != 1:
            raise err(lines["stages"], "扩建一次只能针对一个学段 (bad_stage)：请为每个学段各写一项")
    if kind == "open":
        f["stages"] = f.get("stages", ("primary",))
        try:
            lon, lat = float(m["lon"]), float(m["lat"])
        except (TypeError, ValueError):
            raise err(lines.get("lon", line), f"坐标不是数字 (bad_coordinates): 经度 {m['lon']}，纬度 {m['lat']}") from None
        if not (73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0):
            raise err(lines.get("lon", line), f"坐标不在中国境内 (bad_coordinates): 经度 {lon}，纬度 {lat}"
                      "（经纬度是否写反？）")
        crs = _CRS_VALUES.get(_text(m.get("crs") or "WGS84").upper())
        if crs is None:
            raise err(lines["crs"], f"坐标系无效 (bad_crs): {m['crs']}；可用：WGS84、GCJ02、CGCS2000、BD09")
        from jxedu.core.coords import to_wgs84

        wlon, wlat = to_wgs84(np.array([lon]), np.array([lat]), crs)
        f.update(lon=float(wlon[0]), lat=float(wlat[0]), crs_in=crs)
        if "school_type" in m and m["school_type"] is not None:
            from jxedu.core.schema import ALIASES, SCHOOL_TYPES

            t_zh = ALIASES.get(_text(m["school_type"]), _text(m["school_type"]))
            code = SCHOOL_TYPES.get(t_zh, t_zh if t_zh in STAGES_OF_TYPE else None)
            if code is None:
                raise err(lines["school_type"], f"办学类型无效 (bad_school_type): {m['school_type']}")
            f["school_type"] = code
        else:
            f["school_type"] = "nine_year" if len(f["stages"]) == 2 else f["stages"][0]
        taught = set(STAGES_OF_TYPE[f["school_type"]]) & set(STAGES)
        if not set(f["stages"]) <= taught:
            raise err(lines.get("school_type", line), f"办学类型与学段不符 (bad_school_type): "
                      f"{LABELS.get(f['school_type'])} 不开设 {'、'.join(LABELS[s] for s in f['stages'])}")
    for k in ("capacity", "classrooms"):
        if k in m and m[k] is not None:
            f[k] = _per_stage_numbers(m[k], k, kind, f.get("stages"), err, lines[k], positive=(k == "capacity"))
    if "teachers" in m and m["teachers"] is not None:
        f["teachers"] = _per_stage_items(m["teachers"], TEACHER_KINDS, "教师", f.get("stages"), err, lines["teachers"])
    if "facilities" in m and m["facilities"] is not None:
        f["facilities"] = _items(m["facilities"], FACILITY_KEYS, "设施", err, lines["facilities"])
    if kind in ("add_route", "extend_route"):
        f["stops"] = _stops(m["stops"], err, lines["stops"])
    if kind == "add_route":
        f["schools"] = _id_list(m["schools"], err, lines["schools"], "服务学校 (schools)")
    if kind == "reassign":
        f["villages"] = _id_list(m["villages"], err, lines["villages"], "村居 (villages)")
    return Edit(kind=kind, fields=f, line=line, lines=lines)


def _id_list(value, err, line, what) -> tuple[str, ...]:
    vals = value if isinstance(value, list) else [value]
    ids = tuple(_text(v) for v in vals if v is not None and _text(v))
    if not ids:
        raise err(line, f"{what} 不能为空 (missing_field)")
    return ids


def _stops(value, err, line) -> tuple:
    """Stops: village ids (str) or WGS-84 points ``(lon, lat)``."""
    vals = value if isinstance(value, list) else [value]
    item_lines = getattr(value, "item_lines", [line] * len(vals))
    out = []
    for v, ln in zip(vals, item_lines, strict=True):
        if isinstance(v, dict):
            p = {KEY_ALIASES.get(str(k), str(k)): x for k, x in v.items()}
            try:
                lon, lat = float(p["lon"]), float(p["lat"])
            except (KeyError, TypeError, ValueError):
                raise err(ln, f"站点坐标应写 经度(lon) 和 纬度(lat) (bad_coordinates): {dict(v)}") from None
            if not (73.0 <= lon <= 136.0 and 3.0 <= lat <= 54.0):
                raise err(ln, f"站点坐标不在中国境内 (bad_coordinates): 经度 {lon}，纬度 {lat}")
            crs = _CRS_VALUES.get(_text(p.get("crs") or "WGS84").upper())
            if crs is None:
                raise err(ln, f"坐标系无效 (bad_crs): {p.get('crs')}")
            from jxedu.core.coords import to_wgs84

            wlon, wlat = to_wgs84(np.array([lon]), np.array([lat]), crs)
            out.append((float(wlon[0]), float(wlat[0]), ln))
        elif v is None or not _text(v):
            raise err(ln, "站点不能为空 (missing_field)")
        else:
            out.append((_text(v), ln))
    if not out:
        raise err(line, "站点 (stops) 不能为空 (missing_field)")
    return tuple(out)


def _number(v, err, line, what, *, positive: bool) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise err(line, f"{what} 应为数字 (bad_number): {v}") from None
    if not math.isfinite(x) or x < 0 or (positive and x <= 0):
        raise err(line, f"{what} 必须为{'正数' if positive else '非负数'} (not_positive): {v}")
    return x


def _per_stage_numbers(v, key, kind, stages, err, line, *, positive) -> dict:
    """A number, or a mapping stage -> number; returned as {stage or None: number}."""
    what = {"capacity": "容量 (capacity)", "classrooms": "教室数 (classrooms)"}[key]
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            s = _STAGE_VALUES.get(_text(k))
            if s is None:
                raise err(getattr(v, "key_lines", {}).get(k, line), f"学段无效 (bad_stage): {k}；可用：小学、初中")
            out[s] = _number(x, err, line, what, positive=positive)
        return out
    return {None: _number(v, err, line, what, positive=positive)}


def _items(v, allowed, what, err, line) -> dict:
    if not isinstance(v, dict):
        raise err(line, f"{what} 应为键值对 (bad_value)：如 体育教师: 2")
    out = {}
    for k, x in v.items():
        en = KEY_ALIASES.get(str(k).strip(), str(k).strip())
        ln = getattr(v, "key_lines", {}).get(k, line)
        if en not in allowed:
            raise err(ln, f"未知的{what}项目 (unknown_key): {k}；可用：{'、'.join(allowed)}")
        out[en] = _number(x, err, ln, f"{what} {k}", positive=False)
    return out


def _per_stage_items(v, allowed, what, stages, err, line) -> dict:
    """Teacher counts: a mapping kind -> n, or stage -> (kind -> n); returned {stage or None: {...}}."""
    if not isinstance(v, dict):
        raise err(line, f"{what} 应为键值对 (bad_value)：如 专任教师: 10")
    keys = [_STAGE_VALUES.get(_text(k)) for k in v]
    if all(k is not None for k in keys):
        return {
            s: _items(x, allowed, what, err, getattr(v, "key_lines", {}).get(k, line))
            for s, (k, x) in zip(keys, v.items(), strict=True)
        }
    return {None: _items(v, allowed, what, err, line)}


def list_scenarios(folder: str | Path | None = None) -> list[Path]:
    """Scenario files (``*.yaml``) of a folder, default ``data/scenarios/``, sorted by name."""
    folder = Path(folder) if folder is not None else SCENARIOS_DIR
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


# --- the evaluation context (precomputed once per data set, year and method) ---------------------


@dataclass
class _StageBase:
    """Everything about one stage that does not depend on the scenario."""

    stage: str
    cap: int  # students per class (class_size_max)
    walk_m: float  # metres
    vil: pd.DataFrame  # village_id, name, township, x, y, lon, lat, demand
    sch: pd.DataFrame  # existing schools of the stage: school_id, name, ..., students, classes, x, y
    dist: np.ndarray | None  # (villages × schools) metres along the roads; None = straight line
    grade_share: dict  # school_id -> array of grade shares of the stage's students
    linked: sparse.csr_array  # (villages × schools) a stop in reach links the village to the school

    @property
    def vxy(self) -> np.ndarray:
        return self.vil[["x", "y"]].to_numpy(dtype=float)

    @property
    def sxy(self) -> np.ndarray:
        return self.sch[["x", "y"]].to_numpy(dtype=float)


class _Context:
    """Precomputed inputs of :func:`evaluate` for one data set, year and distance method."""

    def __init__(self, ds, *, year: int | None, method: str, settings) -> None:
        from jxedu.analysis import indicators
        from jxedu.core.settings import get_settings

        self.ds = ds
        self.settings = settings if settings is not None else get_settings()
        self.year = ds.year_or_latest(year)
        ds.require("villages")
        self.graph = None
        if method not in ("auto", "network", "straight"):
            raise JxeduError(f"未知的距离方法 (unknown_method): {method}；可用：auto、network、straight")
        if method != "straight" and ds.roads is not None and len(ds.roads):
            self.graph = access.road_graph(ds)
            n_sch = len(ds.schools)
            if method == "auto" and n_sch * self.graph.n_nodes > NETWORK_MAX_CELLS:
                self.graph = None
        elif method == "network":
            ds.require("roads")
        self.method = "network" if self.graph is not None else "straight"
        self.units = indicators.units(ds, year=self.year, settings=self.settings)
        ss = ds.stage_stats
        self.stats = ss[ss["year"] == self.year]
        self._bus_setup()
        self.stages = {st: self._stage(st) for st in STAGES if self._has_stage(st)}
        if not self.stages:
            raise DataError(f"该学年没有义务教育学校 (no_schools): {self.year}学年")
        self._baseline: dict = {}

    def _has_stage(self, stage: str) -> bool:
        try:
            access.stage_schools(self.ds, stage=stage, year=self.year)
        except DataError:
            return False
        return True

    # -- bus ------------------------------------------------------------------------------------
    def _bus_setup(self) -> None:
        from jxedu.analysis import bus

        self.reach_m = float(self.settings.bus_stop_access_m)
        self.stop_ids = np.array([], dtype=object)
        self.stop_xy = np.zeros((0, 2))
        self.links = pd.DataFrame(columns=["stop_id", "school_id", "route_id"])
        self.route_ids: set = set()
        self.has_bus = self.ds.gtfs_path is not None and Path(self.ds.gtfs_path).exists()
        if not self.has_bus:
            return
        feed = bus.load_feed(self.ds)
        st = bus.stops(self.ds, feed=feed, settings=self.settings)
        self.stop_ids = st["stop_id"].to_numpy(dtype=object)
        self.stop_xy = st[["x", "y"]].to_numpy(dtype=float)
        lk = bus.links(self.ds, feed=feed, settings=self.settings)
        self.links = lk.loc[lk["morning"], ["stop_id", "school_id", "route_id"]].drop_duplicates()
        self.route_ids = set(feed.routes["route_id"].astype(str))

    def _linked(self, vxy: np.ndarray, school_ids: np.ndarray) -> sparse.csr_array:
        n_v, n_s = len(vxy), len(school_ids)
        if not len(self.stop_xy) or self.links.empty:
            return sparse.csr_array((n_v, n_s), dtype=bool)
        col = {s: j for j, s in enumerate(school_ids)}
        stop_pos = {s: i for i, s in enumerate(self.stop_ids)}
        lk = self.links[self.links["school_id"].isin(col)]
        # stop -> schools (sparse stops × schools), villages -> stops in reach (sparse)
        sp = sparse.csr_array(
            (np.ones(len(lk)), ([stop_pos[s] for s in lk["stop_id"]], [col[s] for s in lk["school_id"]])),
            shape=(len(self.stop_ids), n_s),
        )
        vs = _within(vxy, self.stop_xy, self.reach_m)
        return ((vs @ sp) > 0).astype(bool).tocsr()

    # -- one stage ------------------------------------------------------------------------------
    def _stage(self, stage: str) -> _StageBase:
        ds = self.ds
        vil = access.village_demand(ds, stage=stage, year=self.year, settings=self.settings)
        vil = pd.DataFrame(vil.drop(columns="geometry")).reset_index(drop=True)
        sch = pd.DataFrame(access.stage_schools(ds, stage=stage, year=self.year).drop(columns="geometry"))
        rows = self.stats[self.stats["stage"] == stage].groupby("school_id")["classes"].sum()
        sch["classes"] = sch["school_id"].map(rows).fillna(0).astype("int64")
        sch = sch.reset_index(drop=True)
        cap = int(std.threshold("class_size_max", stage))
        walk = access.walk_limit(stage, settings=self.settings)
        dist = None
        if self.graph is not None:
            dist = _network_matrix(self.graph, vil[["x", "y"]].to_numpy(float), sch[["x", "y"]].to_numpy(float))
        shares = {}
        grades = GRADES_OF_STAGE[stage]
        if ds.classes is not None:
            c = ds.classes
            c = c[(c["year"] == self.year) & (c["stage"] == stage)]
            g = c.groupby(["school_id", "grade"])["students"].sum().unstack(fill_value=0)
            g = g.reindex(columns=list(grades), fill_value=0)
            tot = g.sum(axis=1)
            g = g[tot > 0]
            for sid, row in g.iterrows():
                shares[sid] = row.to_numpy(dtype=float) / row.sum()
        linked = self._linked(vil[["x", "y"]].to_numpy(float), sch["school_id"].to_numpy(dtype=object))
        return _StageBase(stage, cap, walk, vil, sch, dist, shares, linked)

    def distances_from(self, xy: np.ndarray, vxy: np.ndarray) -> np.ndarray:
        """(villages × points) distances from new points, by the context's method."""
        if self.graph is not None:
            return _network_matrix(self.graph, vxy, xy)
        return np.hypot(vxy[:, None, 0] - xy[None, :, 0], vxy[:, None, 1] - xy[None, :, 1])


def _has_pair(r_known, c_known, r, c, n_cols: int) -> np.ndarray:
    """Whether each pair (r, c) is among the known pairs (integer keys, no sparse indexing)."""
    known = np.asarray(r_known, dtype=np.int64) * n_cols + np.asarray(c_known, dtype=np.int64)
    return np.isin(np.asarray(r, dtype=np.int64) * n_cols + np.asarray(c, dtype=np.int64), known)


def _within(a_xy: np.ndarray, b_xy: np.ndarray, r: float) -> sparse.csr_array:
    """Sparse (a × b) indicator of pairs within ``r`` metres (straight line)."""
    rows, cols, _d = access.pairs_within(a_xy, b_xy, r)
    return sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(a_xy), len(b_xy)))


def _network_matrix(graph, vxy: np.ndarray, sxy: np.ndarray) -> np.ndarray:
    """(villages × schools) road distances in metres (both snap distances added); the straight
    line where the roads do not connect."""
    s_node, s_snap = graph.snap(sxy)
    v_node, v_snap = graph.snap(vxy)
    uniq, inv = np.unique(s_node, return_inverse=True)
    rows = csgraph.dijkstra(graph.matrix, directed=False, indices=uniq)  # (unique nodes × nodes)
    d = rows[inv][:, v_node].T + s_snap[None, :] + v_snap[:, None]
    straight = np.hypot(vxy[:, None, 0] - sxy[None, :, 0], vxy[:, None, 1] - sxy[None, :, 1])
    bad = ~np.isfinite(d)
    d[bad] = straight[bad]
    return d


_CONTEXTS: dict = {}


def _context(ds, *, year, method, settings) -> _Context:
    key = (id(ds), year, method, id(settings))
    ctx = _CONTEXTS.get(key)
    # id() may be reused once an object is freed: check the objects themselves.
    if ctx is None or ctx.ds is not ds or (settings is not None and ctx.settings is not settings):
        if len(_CONTEXTS) > 8:
            _CONTEXTS.clear()
        ctx = _Context(ds, year=year, method=method, settings=settings)
        _CONTEXTS[key] = ctx
    return ctx


# --- applying the edits -----------------------------------------------------------------------


@dataclass
class _Plan:
    """The edits resolved against the data: what changes where."""

    closed: dict  # school_id -> merge target or None
    keep_campus: set  # merged schools whose campus becomes part of the target
    new: list  # dicts of new schools
    enlarge: list  # (school_id, stage or None, fields, line)
    reassign: dict  # village_id -> school_id
    new_stops: list  # (xy array (n, 2), tuple of school ids, is_extension)
    lines: dict  # school_id -> line of the edit that changed it


def _plan(ctx: _Context, scn: Scenario) -> _Plan:
    ds = ctx.ds
    src = scn.source
    sch = ds.schools.set_index("school_id")
    known = set(sch.index)
    vil_ids = set(ds.villages["village_id"].astype(str))
    teaching = {st: set(b.sch["school_id"]) for st, b in ctx.stages.items()}
    active = set().union(*teaching.values())
    plan = _Plan({}, set(), [], [], {}, [], {})
    new_stages: dict = {}

    def need_school(e: Edit, key: str, *, allow_new: bool = True) -> str:
        sid = e.fields[key]
        ln = e.lines.get(key, e.line)
        if sid in new_stages:
            if not allow_new:
                raise _error(src, ln, f"不能对新建学校执行此调整 (bad_edit): {sid}")
            return sid
        if sid not in known:
            raise _error(src, ln, f"未知的学校标识码 (unknown_school): {sid}")
        if sid not in active:
            raise _error(src, ln, f"该学校{ctx.year}学年没有义务教育在校生 (no_students): {sid} {sch.at[sid, 'name']}")
        if sid in plan.closed:
            raise _error(src, ln, f"该学校已在前面的调整中关闭或并入 (already_closed): {sid} {sch.at[sid, 'name']}")
        return sid

    def stages_of(sid: str) -> set:
        if sid in new_stages:
            return set(new_stages[sid])
        return {st for st, ids in teaching.items() if sid in ids}

    for e in scn.edits:
        f = e.fields
        if e.kind == "close":
            sid = need_school(e, "school", allow_new=False)
            plan.closed[sid] = None
            plan.lines[sid] = e.line
        elif e.kind == "merge":
            a = need_school(e, "school", allow_new=False)
            b = need_school(e, "into")
            if a == b:
                raise _error(src, e.lines.get("into", e.line), f"不能并入自身 (bad_merge): {a}")
            if not stages_of(a) & stages_of(b):
                raise _error(src, e.lines.get("into", e.line), "两校没有共同学段，无法合并 (bad_merge)："
                             f"{a} → {b}")
            plan.closed[a] = b
            if f.get("keep_campus"):
                plan.keep_campus.add(a)
            plan.lines[a] = plan.lines.setdefault(b, e.line)
        elif e.kind == "open":
            sid = f.get("id") or f"NEW{len(plan.new) + 1:02d}"
            if sid in known or sid in new_stages:
                raise _error(src, e.lines.get("id", e.line), f"新建学校的编号已存在 (duplicate_school): {sid}")
            x, y = _utm(f["lon"], f["lat"])
            stages = tuple(s for s in f["stages"] if s in ctx.stages)
            cap = _stage_map(f["capacity"], stages, src, e.lines.get("capacity", e.line), "容量 (capacity)")
            rooms = _stage_map(f.get("classrooms", {}), stages, src, e.lines.get("classrooms", e.line),
                               "教室数 (classrooms)")
            teachers = _stage_map(f.get("teachers", {}), stages, src, e.lines.get("teachers", e.line), "教师 (teachers)")
            town = f.get("township") or _township_at(ctx, x, y)
            plan.new.append({
                "school_id": sid, "name": f.get("name") or f"新建学校{len(plan.new) + 1}",
                "school_type": f["school_type"], "township": town, "urban_rural": None,
                "lon": f["lon"], "lat": f["lat"], "x": x, "y": y, "stages": stages, "capacity": cap,
                "classrooms": rooms, "teachers": teachers, "facilities": f.get("facilities", {}), "line": e.line,
            })
            new_stages[sid] = stages
            plan.lines[sid] = e.line
        elif e.kind == "enlarge":
            sid = need_school(e, "school")
            st = stages_of(sid)
            given = f.get("stages", (None,))[0]
            if given is not None and given not in st:
                raise _error(src, e.lines.get("stages", e.line), f"该学校不开设此学段 (bad_stage): {LABELS[given]}")
            stage = given if given is not None else (next(iter(st)) if len(st) == 1 else None)
            for key in ("capacity", "classrooms", "teachers"):
                v = f.get(key, {})
                if stage is None and v:
                    raise _error(src, e.lines.get(key, e.line), "该学校有小学、初中两个学段，请用 学段(stages) 写明"
                                 "扩建哪个学段 (missing_field): stages")
            if not any(k in f for k in ("capacity", "classrooms", "teachers", "facilities")):
                raise _error(src, e.line, "扩建需要写明 容量、教室、教师 或 设施 中的至少一项 (missing_field)")
            f = dict(f)
            for key, what in (("capacity", "容量 (capacity)"), ("classrooms", "教室数 (classrooms)"),
                              ("teachers", "教师 (teachers)")):
                if f.get(key):
                    f[key] = _stage_map(f[key], (stage,), src, e.lines.get(key, e.line), what)
            plan.enlarge.append((sid, stage, f, e.line))
            plan.lines.setdefault(sid, e.line)
        elif e.kind in ("add_route", "extend_route"):
            if e.kind == "add_route":
                schools = tuple(need_school(Edit("x", {"school": s}, e.line, {"school": e.lines.get("schools", e.line)}),
                                            "school") for s in f["schools"])
            else:
                rid = f["route"]
                if not ctx.has_bus:
                    raise _error(src, e.lines.get("route", e.line), "数据中没有公交线路，无法延伸 (missing_table): 公交")
                if rid not in ctx.route_ids:
                    raise _error(src, e.lines.get("route", e.line), f"未知的线路编号 (unknown_route): {rid}；"
                                 f"可用：{'、'.join(sorted(ctx.route_ids))}")
                schools = tuple(sorted(set(ctx.links.loc[ctx.links["route_id"] == rid, "school_id"])))
            xy = []
            for stop in f["stops"]:
                if len(stop) == 2:
                    vid, ln = stop
                    if vid not in vil_ids:
                        raise _error(src, ln, f"未知的村居代码 (unknown_village): {vid}")
                    row = ds.villages.loc[ds.villages["village_id"].astype(str) == vid].iloc[0]
                    xy.append((float(row["x"]), float(row["y"])))
                else:
                    xy.append(_utm(stop[0], stop[1]))
            plan.new_stops.append((np.array(xy, dtype=float), schools, e.kind == "extend_route"))
        elif e.kind == "reassign":
            sid = need_school(e, "school")
            for vid in f["villages"]:
                if vid not in vil_ids:
                    raise _error(src, e.lines.get("villages", e.line), f"未知的村居代码 (unknown_village): {vid}")
                plan.reassign[vid] = sid
            plan.lines.setdefault(sid, e.line)
    # an edit naming a school closed by a later edit
    for sid, _stage, _f, line in plan.enlarge:
        if sid in plan.closed:
            raise _error(src, line, f"扩建的学校在其他调整中被关闭或并入 (already_closed): {sid}")
    for vid, sid in plan.reassign.items():
        if sid in plan.closed:
            raise _error(src, plan.lines.get(sid, 0), f"划入的学校在其他调整中被关闭或并入 (already_closed): {sid}")
    return plan


def _stage_map(v: dict, stages: tuple, src, line, what) -> dict:
    """{None: x} (only for a single-stage school) or {stage: x} -> {stage: x}."""
    if not v:
        return {}
    if None in v:
        if len(stages) != 1:
            raise _error(src, line, f"该学校开设两个学段，{what} 请按学段分别写明，如 小学: 1350 (missing_field)")
        return {stages[0]: v[None]}
    bad = [s for s in v if s not in stages]
    if bad:
        raise _error(src, line, f"{what} 写了学校不开设的学段 (bad_stage): {'、'.join(LABELS[s] for s in bad)}")
    return dict(v)


def _utm(lon: float, lat: float) -> tuple[float, float]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(WGS84, UTM50N, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _township_at(ctx: _Context, x: float, y: float) -> str | None:
    """镇街 of a point: the boundary layer if present, else the nearest 村居's."""
    v = ctx.ds.villages
    if not len(v):
        return None
    i = int(np.argmin(np.hypot(v["x"].to_numpy(float) - x, v["y"].to_numpy(float) - y)))
    return str(v["township"].iloc[i])


# --- the assignment LP ------------------------------------------------------------------------


@dataclass
class _Assignment:
    flows: sparse.csr_array  # (villages × schools) children
    over: np.ndarray  # children over capacity per school
    r: np.ndarray  # village row of each flow
    c: np.ndarray  # school column of each flow
    x: np.ndarray  # children of each flow
    d: np.ndarray  # metres of each flow
    objective_m: float  # child-metres (without the overflow penalty)


def assign(
    demand,
    cost,
    capacity,
    *,
    fixed=None,
    overflow_penalty: float = OVERFLOW_PENALTY_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity-constrained transportation LP (HiGHS dual simplex) on explicit arrays.

    Minimise Σ cost·x + penalty·Σ over subject to Σ_s x[v, s] = demand[v] and
    Σ_v x[v, s] ≤ capacity[s] + over[s], x, over ≥ 0. Pairs with a non-finite cost are not allowed.

    Parameters
    ----------
    demand
        Children per origin (n_v).
    cost
        (n_v × n_s) metres per child.
    capacity
        Places per school (n_s).
    fixed
        Optional (n_v × n_s) flows imposed before the LP (they use capacity).
    overflow_penalty
        Cost of one child over capacity (metres).

    Returns
    -------
    flows : numpy.ndarray
        (n_v × n_s) children, fixed flows included.
    over : numpy.ndarray
        Children over capacity per school.
    """
    dem = np.asarray(demand, dtype=float)
    c = np.asarray(cost, dtype=float)
    cap = np.asarray(capacity, dtype=float)
    fx = np.zeros_like(c) if fixed is None else np.asarray(fixed, dtype=float)
    free = dem - fx.sum(axis=1)
    rows, cols = np.nonzero(np.isfinite(c) & (free[:, None] > 0))
    x, over = _solve_lp(free, rows, cols, c[rows, cols], cap - fx.sum(axis=0), overflow_penalty)
    out = fx.copy()
    np.add.at(out, (rows, cols), x)
    return out, over


def _solve_lp(free, rows, cols, d, cap_rem, penalty) -> tuple[np.ndarray, np.ndarray]:
    """The LP over the allowed pairs (rows, cols, d); returns pair flows and overflow per school."""
    n_v, n_s, n_p = len(free), len(cap_rem), len(rows)
    act = np.flatnonzero(free > 0)
    if len(act) == 0:
        return np.zeros(n_p), np.maximum(-cap_rem, 0.0)
    row_pos = np.full(n_v, -1)
    row_pos[act] = np.arange(len(act))
    if (np.bincount(rows, minlength=n_v)[act] == 0).any():
        raise JxeduError("有村居没有可选的学校 (no_candidate)：请检查学校和距离数据")
    a_eq = sparse.csr_array((np.ones(n_p), (row_pos[rows], np.arange(n_p))), shape=(len(act), n_p + n_s))
    a_ub = sparse.csr_array(
        (np.r_[np.ones(n_p), -np.ones(n_s)], (np.r_[cols, np.arange(n_s)], np.r_[np.arange(n_p), n_p + np.arange(n_s)])),
        shape=(n_s, n_p + n_s),
    )
    res = linprog(
        np.r_[d, np.full(n_s, penalty)], A_ub=a_ub, b_ub=cap_rem, A_eq=a_eq, b_eq=free[act],
        bounds=(0, None), method="highs-ds",
    )
    if res.status != 0:  # pragma: no cover - the overflow variables keep the LP feasible
        raise JxeduError(f"学位分配求解失败 (solver_failed): {res.message}")
    x = res.x[:n_p]
    xi = np.rint(x)
    if np.abs(x - xi).max(initial=0.0) < 1e-6:  # a vertex of a transportation LP is integral
        x = xi
    return x, np.maximum(res.x[n_p:], 0.0)


def _assign_stage(base: _StageBase, sxy, dist_new, open_mask, cap, fixed: dict,
                  prefer: _Assignment | None = None, *, stay_preference_m: float) -> _Assignment:
    """Assign a stage's children: LP over the K nearest open schools of each 村居 + fixed flows.

    With ``prefer`` (the baseline), a pair outside it costs ``stay_preference_m`` metres more.
    """
    vil = base.vil
    n_v, n_s, n_old = len(vil), len(sxy), len(base.sch)
    vxy = base.vxy
    demand = vil["demand"].to_numpy(dtype=float)
    fixed_v = np.zeros(n_v)
    f_rows = np.array([k[0] for k in fixed], dtype=np.int64)
    f_cols = np.array([k[1] for k in fixed], dtype=np.int64)
    f_amt = np.array(list(fixed.values()), dtype=float)
    np.add.at(fixed_v, f_rows, f_amt)
    free = np.maximum(demand - fixed_v, 0.0)
    open_idx = np.flatnonzero(open_mask)
    if len(open_idx) == 0:
        raise ScenarioError(f"{LABELS[base.stage]}没有开放的学校 (no_open_school)：方案关闭了该学段的全部学校")
    k = min(CANDIDATES_K, len(open_idx))
    act = np.flatnonzero(free > 0)
    _, j = cKDTree(sxy[open_idx]).query(vxy[act], k=k)
    j = np.asarray(j).reshape(len(act), k)
    rows = np.repeat(act, k)
    cols = open_idx[j.reshape(-1)]

    def pair_d(r, c):
        d = np.empty(len(r))
        old = c < n_old
        if base.dist is not None:
            d[old] = base.dist[r[old], c[old]]
        else:
            d[old] = np.hypot(*(vxy[r[old]] - sxy[c[old]]).T)
        d[~old] = dist_new[r[~old], c[~old] - n_old]
        return d

    d = pair_d(rows, cols)
    lp_cost = d
    if prefer is not None:  # pairs outside the baseline cost a little more (tie-break)
        known = _has_pair(prefer.r, prefer.c, rows, cols, n_s)
        lp_cost = d + float(stay_preference_m) * ~known
    fixed_load = np.zeros(n_s)
    np.add.at(fixed_load, f_cols, f_amt)
    cap_rem = np.where(open_mask, cap, 0.0) - fixed_load
    x, over = _solve_lp(free, rows, cols, lp_cost, cap_rem, OVERFLOW_PENALTY_M)
    over = np.where(open_mask | (fixed_load > 0), over, 0.0)
    all_r = np.r_[rows, f_rows]
    all_c = np.r_[cols, f_cols]
    all_x = np.r_[x, f_amt]
    keep = all_x > 0
    flows = sparse.csr_array((all_x[keep], (all_r[keep], all_c[keep])), shape=(n_v, n_s))
    flows.sum_duplicates()
    flows.eliminate_zeros()
    coo = flows.tocoo()
    fr, fc, fx = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(float)
    fd = pair_d(fr, fc) if len(fr) else np.zeros(0)
    got = np.bincount(fr, weights=fx, minlength=n_v)
    if not np.allclose(got, demand, atol=1e-6):  # pupils are never lost
        raise AssertionError("assignment lost children: row sums differ from the demand")
    return _Assignment(flows, over, fr, fc, fx, fd, float((fx * fd).sum()))


# --- evaluation -------------------------------------------------------------------------------

_TEACHER_NUMS = ("teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers")
_SHARED = ("teaching_area", "sports_area", "equipment_value", "multimedia_rooms")
_MOVABLE = ("equipment_value", "multimedia_rooms")  # follow a merge; areas only with keep_campus


@dataclass
class ScenarioResult:
    """Everything :func:`evaluate` found for one scenario.

    Attributes
    ----------
    name, description
        Of the scenario (``现状`` for the baseline).
    year, method
        School year; distance method (``"network"`` or ``"straight"``).
    summary
        Key figures: English key -> value (see :data:`SUMMARY_LABELS` for the Chinese names).
    schools
        One row per school × stage: ``school_id, name, township, school_type, stage, status``
        (现状/关闭/并入/新建/扩建/学生增减), ``students_before, students_after, change, capacity,
        load_before, load_after`` (resident children assigned), ``over_capacity, classes_held,
        classrooms_added, classes_needed, classes_short, x, y, lon, lat``.
    villages
        One row per 村居 × stage: ``village_id, name, township, stage, demand, school_before,
        school_after`` (school taking most of its children), ``distance_before_m, distance_after_m``
        (child-weighted), ``beyond_walk_after`` (children), ``changed``.
    flows
        One row per 村居 × school × stage with children: ``village_id, school_id, stage, pupils,
        distance_m, beyond_walk, bus_link, new_bus_link``.
    moves
        Enrolled students moving between schools: ``stage, from_school_id, from_name, to_school_id,
        to_name, students``.
    indicators
        One row per included unit: ``school_id, name, stage, students`` and the seven values,
        ``indicators_met, passes``.
    balance
        One row per stage × indicator: ``stage, key, label_zh, county_mean, cv, cv_limit,
        within_limit``.
    seconds
        Evaluation time.
    """

    name: str
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

    def _repr_markdown_(self) -> str:
        s = self.summary
        return (f"**{self.name}**（{self.year}学年）：关闭/并入 {s['closed']} 所，新建 {s['opened']} 所；"
                f"小学平均上学距离 {s.get('primary_mean_m', float('nan')):.0f} 米，"
                f"超出步行距离 {s.get('primary_beyond', 0):.0f} 人")


def _as_scenario(scenario) -> Scenario:
    if scenario is None:
        return Scenario(name=BASELINE_NAME)
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return parse_scenario(scenario)
    return load_scenario(scenario)


def evaluate(
    ds,
    scenario: Scenario | str | Path | dict | None = None,
    *,
    year: int | None = None,
    stage: str | tuple[str, ...] = STAGES,
    capacity: str = "classes",
    headroom: float = 1.0,
    close: tuple[str, ...] | list[str] = (),
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
        ``None`` for the baseline (现状).
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
    scn = _as_scenario(scenario)
    if close:
        extra = [Edit("close", {"school": str(s)}) for s in close]
        scn = Scenario(scn.name if scn.edits or scenario is not None else "自定义方案", scn.description,
                       scn.base_year, [*scn.edits, *extra], scn.source)
    if capacity not in ("classes", "enrolment"):
        raise JxeduError(f"未知的容量口径 (unknown_capacity): {capacity}；可用：classes（班级数×班额上限）、enrolment（现有在校生）")
    if not headroom > 0:
        raise JxeduError(f"容量系数必须为正数 (not_positive): headroom = {headroom}")
    ctx = _context(ds, year=year if year is not None else scn.base_year, method=method, settings=settings)
    stages = (stage,) if isinstance(stage, str) else tuple(stage)
    for st in stages:
        if st not in STAGES:
            raise JxeduError(f"未知学段 (unknown_stage): {st}；可用：primary（小学）、junior（初中）")
    stages = tuple(st for st in stages if st in ctx.stages)
    plan = _plan(ctx, scn)
    per_stage = {st: _evaluate_stage(ctx, plan, st, capacity=capacity, headroom=float(headroom)) for st in stages}
    ind, bal = _indicators(ctx, plan, per_stage)
    result = _result(ctx, scn, plan, per_stage, ind, bal)
    result.seconds = time.perf_counter() - t0
    return result


def _capacity(base: _StageBase, mode: str, headroom: float) -> np.ndarray:
    if mode == "classes":
        cap = base.sch["classes"].to_numpy(float) * base.cap
    else:
        cap = base.sch["students"].to_numpy(float)
    return cap * headroom


def _baseline(ctx: _Context, stage: str, mode: str, headroom: float) -> _Assignment:
    key = (stage, mode, headroom)
    if key not in ctx._baseline:
        base = ctx.stages[stage]
        n = len(base.sch)
        ctx._baseline[key] = _assign_stage(base, base.sxy, np.zeros((len(base.vil), 0)), np.ones(n, bool),
                                           _capacity(base, mode, headroom), {},
                                           stay_preference_m=ctx.settings.stay_preference_m)
    return ctx._baseline[key]


def _evaluate_stage(ctx: _Context, plan: _Plan, stage: str, *, capacity: str, headroom: float) -> dict:
    base = ctx.stages[stage]
    a0 = _baseline(ctx, stage, capacity, headroom)
    sch = base.sch[["school_id", "name", "township", "school_type", "urban_rural", "lon", "lat", "x", "y",
                    "students", "classes"]].copy()
    new = [n for n in plan.new if stage in n["stages"]]
    if new:
        extra = pd.DataFrame([{k: n[k] for k in ("school_id", "name", "township", "school_type", "urban_rural",
                                                  "lon", "lat", "x", "y")} for n in new])
        extra["students"] = 0
        extra["classes"] = 0
        sch = pd.concat([sch, extra], ignore_index=True)
    n_old, n_s = len(base.sch), len(sch)
    ids = sch["school_id"].to_numpy(dtype=object)
    pos = {s: i for i, s in enumerate(ids)}
    sxy = sch[["x", "y"]].to_numpy(float)
    dist_new = ctx.distances_from(sxy[n_old:], base.vxy) if new else np.zeros((len(base.vil), 0))
    cap = np.r_[_capacity(base, capacity, headroom), np.zeros(len(new))]
    rooms = np.zeros(n_s)
    for i, n in enumerate(new):
        cap[n_old + i] = n["capacity"].get(stage, 0.0)
        rooms[n_old + i] = n["classrooms"].get(stage, math.ceil(cap[n_old + i] / base.cap))
    status = np.array(["现状"] * n_old + ["新建"] * len(new), dtype=object)
    open_mask = np.ones(n_s, dtype=bool)
    target = np.full(n_s, -1)
    for sid, into in plan.closed.items():
        if sid not in pos:
            continue
        i = pos[sid]
        open_mask[i] = False
        status[i] = "关闭"
        if into is not None and into in pos:
            target[i] = pos[into]
            status[i] = "并入"
            if sid in plan.keep_campus:
                cap[pos[into]] += cap[i]
                rooms[pos[into]] += sch.at[i, "classes"]
    for sid, st, f, _line in plan.enlarge:
        if sid in pos and (st == stage or st is None):
            i = pos[sid]
            c = f.get("capacity", {}).get(st, 0.0)
            r = f.get("classrooms", {}).get(st, 0.0)
            cap[i] += c + r * base.cap
            rooms[i] += r
            if status[i] == "现状":
                status[i] = "扩建"
    # fixed flows: villages moved by 调整划片, children of merged schools to the target
    fixed: dict = {}
    vpos = {v: i for i, v in enumerate(base.vil["village_id"].astype(str))}
    demand = base.vil["demand"].to_numpy(float)
    moved_v = set()
    for vid, sid in plan.reassign.items():
        if sid in pos and demand[vpos[vid]] > 0:
            fixed[(vpos[vid], pos[sid])] = demand[vpos[vid]]
            moved_v.add(vpos[vid])
    for r, c, x in zip(a0.r, a0.c, a0.x, strict=True):
        if target[c] >= 0 and r not in moved_v:
            fixed[(r, int(target[c]))] = fixed.get((r, int(target[c])), 0.0) + x
    a1 = _assign_stage(base, sxy, dist_new, open_mask, cap, fixed, prefer=a0,
                       stay_preference_m=ctx.settings.stay_preference_m)

    # enrolment follows the children (see the module notes)
    E = sch["students"].to_numpy(float)
    x0 = sparse.csr_array((a0.x, (a0.r, a0.c)), shape=(len(base.vil), n_s))
    x1 = a1.flows
    l0 = np.asarray(x0.sum(axis=0)).ravel()
    f = np.minimum(np.divide(E, l0, out=np.zeros(n_s), where=l0 > 0), 1.0)
    stay = x0.minimum(x1)
    out = (x0 - stay).tocsr()
    inn = (x1 - stay).tocsr()
    tot = np.asarray(inn.sum(axis=1)).ravel()
    inv = np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)
    moves = (out @ sparse.diags_array(f)).T @ sparse.diags_array(inv) @ inn
    moves = sparse.lil_array(moves)
    # students not carried by resident children (enrolment above the baseline load, or a school
    # without 村居) stay, unless their school closes: then they follow its children, or go to the
    # merge target / the nearest open school
    carried = np.asarray(moves.sum(axis=1)).ravel()
    loose = np.flatnonzero(~open_mask & (E - carried > 1e-9))
    oi = np.flatnonzero(open_mask)
    for s_i in loose:
        rest = E[s_i] - carried[s_i]
        row = moves[[s_i], :].toarray().ravel()
        if target[s_i] >= 0 and open_mask[target[s_i]]:
            moves[s_i, target[s_i]] += rest
        elif row.sum() > 0:
            for t in np.flatnonzero(row > 0):
                moves[s_i, t] += rest * row[t] / row.sum()
        else:
            _, nn = cKDTree(sxy[oi]).query(sxy[s_i], k=1)
            moves[s_i, oi[int(nn)]] += rest
    moves = sparse.csr_array(moves)
    after = E - np.asarray(moves.sum(axis=1)).ravel() + np.asarray(moves.sum(axis=0)).ravel()
    if abs(after.sum() - E.sum()) > 1e-6 * max(E.sum(), 1.0) or (after < -1e-6).any():
        raise AssertionError("enrolment not preserved")  # pupils are never lost
    after_int = _round_total(np.maximum(after, 0.0), int(round(E.sum())))
    gained = np.asarray(moves.sum(axis=0)).ravel()
    lost = np.asarray(moves.sum(axis=1)).ravel()
    status = np.where((status == "现状") & ((gained > 0.5) | (lost > 0.5)), "学生增减", status)
    return dict(base=base, sch=sch, ids=ids, pos=pos, a0=a0, a1=a1, cap=cap, rooms=rooms, status=status,
                open=open_mask, target=target, moves=moves, after=after, after_int=after_int, new=new,
                dist_new=dist_new, sxy=sxy)


def _round_total(values: np.ndarray, total: int) -> np.ndarray:
    """Round to whole numbers keeping the total (largest remainders get the spare units)."""
    fl = np.floor(values + 1e-9)
    spare = int(total - fl.sum())
    if spare > 0:
        order = np.argsort(-(values - fl), kind="stable")
        fl[order[:spare]] += 1
    return fl.astype(np.int64)


def _indicators(ctx: _Context, plan: _Plan, per_stage: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recompute the seven indicators per unit and the student-weighted CVs."""
    from jxedu.analysis import indicators

    u = ctx.units.copy()
    u["students_after"] = u["students"].astype(float)
    for st, r in per_stage.items():
        m = u["stage"] == st
        after = pd.Series(r["after"][: len(r["base"].sch)], index=r["ids"][: len(r["base"].sch)])
        u.loc[m, "students_after"] = u.loc[m, "school_id"].map(after).fillna(u.loc[m, "students"]).to_numpy(float)
    # county means per student of each stage at baseline (for new schools without given numbers)
    inc = u[u["included"]]
    mean_per = {
        st: {c: float(g[c].sum() / g["students"].sum()) for c in (*_TEACHER_NUMS, *_SHARED)}
        for st, g in inc.groupby("stage") if g["students"].sum() > 0
    }
    tcols = {c: i for i, c in enumerate(_TEACHER_NUMS)}
    fcols = {c: i for i, c in enumerate(_SHARED)}
    tv0 = u[list(_TEACHER_NUMS)].to_numpy(float)
    teach = {(sid, st): tv0[i].copy() for i, (sid, st) in enumerate(zip(u["school_id"], u["stage"], strict=True))}
    fac_df = u.groupby("school_id")[[f"school_{c}" for c in _SHARED]].first()
    fac = {sid: row.astype(float).copy() for sid, row in zip(fac_df.index, fac_df.to_numpy(float), strict=True)}
    zero_t, zero_f = np.zeros(len(_TEACHER_NUMS)), np.zeros(len(_SHARED))
    # closed schools: teachers follow their pupils; merged: all to the target
    for st, r in per_stage.items():
        ids, mv = r["ids"], r["moves"]
        for sid, into in plan.closed.items():
            if sid not in r["pos"] or (sid, st) not in teach:
                continue
            i = r["pos"][sid]
            t = teach[(sid, st)]
            if into is not None and r["target"][i] >= 0:
                shares = {into: 1.0}
            else:
                row = mv[[i], :].toarray().ravel()
                shares = {ids[j]: row[j] / row.sum() for j in np.flatnonzero(row > 0)} if row.sum() > 0 else {}
            for tid, sh in shares.items():
                teach[(tid, st)] = teach.get((tid, st), zero_t) + sh * t
            teach[(sid, st)] = zero_t.copy()
    for sid, into in plan.closed.items():
        if sid in fac:
            if into is not None:
                items = _SHARED if sid in plan.keep_campus else _MOVABLE
                tgt = fac.setdefault(into, zero_f.copy())
                for c in items:
                    tgt[fcols[c]] += fac[sid][fcols[c]]
            fac[sid] = zero_f.copy()
    for sid, st, f, _line in plan.enlarge:
        for kind, n in f.get("teachers", {}).get(st, {}).items():
            col = "pe_art_teachers" if kind in ("pe_teachers", "music_teachers", "art_teachers") else kind
            teach.setdefault((sid, st), zero_t.copy())[tcols[col]] += n
        for k, n in f.get("facilities", {}).items():
            col, factor = _FACILITY_TO_UNIT[k]
            fac.setdefault(sid, zero_f.copy())[fcols[col]] += n * factor
    # new schools: rows per stage
    new_rows = []
    for n in plan.new:
        nf = fac.setdefault(n["school_id"], zero_f.copy())
        for st in n["stages"]:
            if st not in per_stage:
                continue
            r = per_stage[st]
            p1 = float(r["after"][r["pos"][n["school_id"]]])
            given = n["teachers"].get(st, {})
            vals = np.zeros(len(_TEACHER_NUMS))
            for col, i in tcols.items():
                art = ("pe_teachers", "music_teachers", "art_teachers")
                if col == "pe_art_teachers" and any(k in given for k in art):
                    vals[i] = sum(given.get(k, 0.0) for k in art)
                else:
                    vals[i] = given.get(col, mean_per.get(st, {}).get(col, 0.0) * p1)
            teach[(n["school_id"], st)] = vals
            for k in FACILITY_KEYS:
                col, _factor = _FACILITY_TO_UNIT[k]
                if k not in n["facilities"]:
                    nf[fcols[col]] += mean_per.get(st, {}).get(col, 0.0) * p1
            new_rows.append({"school_id": n["school_id"], "name": n["name"], "township": n["township"],
                             "school_type": n["school_type"], "stage": st, "students": 0.0, "students_after": p1,
                             "included": True})
        for k, v in n["facilities"].items():
            col, factor = _FACILITY_TO_UNIT[k]
            nf[fcols[col]] += v * factor
    if new_rows:
        u = pd.concat([u, pd.DataFrame(new_rows)], ignore_index=True)
    # weighted students for the split of shared facilities (senior students unchanged)
    u["_w"] = [float(indicators.SPLIT_WEIGHTS.get(t, {}).get(s, np.nan))
               for t, s in zip(u["school_type"].astype(object), u["stage"].astype(object), strict=True)]
    u["_wp"] = u["_w"].fillna(0.0) * u["students_after"]
    senior = ctx.stats[ctx.stats["stage"] == "senior"].groupby("school_id")["students"].sum()
    types = u.groupby("school_id")["school_type"].first()
    sen_w = pd.Series({sid: indicators.SPLIT_WEIGHTS.get(types.get(sid), {}).get("senior", 0.0) * float(n)
                       for sid, n in senior.items() if sid in types.index}, dtype=float)
    tot_w = u.groupby("school_id")["_wp"].sum().add(sen_w, fill_value=0.0)
    share = np.divide(u["_wp"].to_numpy(float), u["school_id"].map(tot_w).to_numpy(float),
                      out=np.full(len(u), np.nan), where=u["school_id"].map(tot_w).to_numpy(float) > 0)
    tp_min = ctx.settings.teaching_point_min_students
    p1 = u["students_after"].to_numpy(float)
    included = (p1 > 0) & u["_w"].notna().to_numpy() & ~((u["school_type"] == "teaching_point").to_numpy() & (p1 < tp_min))
    tv = np.array([teach.get((sid, st), zero_t) for sid, st in zip(u["school_id"], u["stage"], strict=True)])
    fv = np.array([fac.get(sid, np.full(len(_SHARED), np.nan)) for sid in u["school_id"]]) * share[:, None]
    nums = dict(zip(_TEACHER_NUMS, tv.T, strict=True)) | dict(zip(_SHARED, fv.T, strict=True))
    out = pd.DataFrame({"school_id": u["school_id"].to_numpy(), "name": u["name"].to_numpy(),
                        "township": u["township"].to_numpy(), "school_type": u["school_type"].to_numpy(),
                        "stage": u["stage"].to_numpy(), "students": p1})
    thr_tab = std.resource_thresholds().astype(float)
    # one row of thresholds per unit (vectorised: a per-row ``.loc`` cost 2.5 s at province scale)
    thr_rows = thr_tab.T.reindex(out["stage"].astype(object).to_numpy())
    floor = std.threshold("pass_floor_ratio")
    met_count = np.zeros(len(u), dtype=int)
    ok_all = np.ones(len(u), dtype=bool)
    for key, spec in indicators.SPECS.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            val = spec.per * nums[spec.numerator] / p1
        out[key] = val
        thr = thr_rows[key].to_numpy(float)
        met = val >= thr * (1 - indicators.REL_TOL)
        met_count += met
        ok_all &= met | (val >= floor * thr * (1 - indicators.REL_TOL))
    out["indicators_met"] = met_count
    out["passes"] = (met_count >= std.threshold("pass_min_indicators")) & ok_all
    out = out[included].reset_index(drop=True)
    rows = []
    for st in indicators.STAGES:
        g = out[out["stage"] == st]
        if g.empty:
            continue
        for key, spec in indicators.SPECS.items():
            v, p = g[key].to_numpy(float), g["students"].to_numpy(float)
            ok = ~np.isnan(v)
            cv = indicators.weighted_cv(v, p)
            limit = std.threshold("cv_limit", st)
            cmp = round(cv, 3) if ctx.settings.cv_compare_rounded else cv
            rows.append({"stage": st, "key": key, "label_zh": vocabulary.field(key).short,
                         "county_mean": float((v[ok] * p[ok]).sum() / p[ok].sum()) if p[ok].sum() > 0 else np.nan,
                         "cv": cv, "cv_limit": limit, "within_limit": bool(np.isfinite(cv) and cmp <= limit)})
    return out, pd.DataFrame(rows)


#: Chinese names of the key figures (rows of :func:`compare`), in display order. ``{st}`` is
#: replaced by 小学/初中 for the per-stage figures.
SUMMARY_LABELS: dict[str, str] = {
    "schools": "义务教育学校数",
    "closed": "关闭或并入的学校数",
    "opened": "新建学校数",
    "students": "义务教育在校生数",
    "oversize_schools": "超大规模学校数",
    "classes_short": "需新增班级数（缺教室）",
    "classrooms_planned": "计划新建教室数",
    "bus_seats": "新增校车座位数",
    "villages_changed": "调整学校的村居数",
    "{st}_students": "{st}在校生数",
    "{st}_mean_m": "{st}平均上学距离（米）",
    "{st}_beyond": "{st}超出步行距离的学生数",
    "{st}_bus_share": "{st}公交覆盖率（%）",
    "{st}_uncovered": "{st}超出步行距离且无校车的学生数",
    "{st}_over_capacity": "{st}超出学位容量的学生数",
    "{st}_classes_short": "{st}需新增班级数",
    "{st}_passing": "{st}资源配置达标学校数",
    "{st}_cv_exceeded": "{st}差异系数超标项数",
}


def _size_caps(ctx: _Context) -> dict:
    """School-size cap of every existing school (students, compulsory stages), computed once.

    ``school_size_max`` (2000; 九年/十二年一贯制 2500); the relaxed caps (2400/3000) when the
    ``school_size_relaxation`` setting is on and the school was built in 2010 or earlier or more
    than half of its students are 随迁子女 (baseline share).
    """
    if getattr(ctx, "_size_caps", None) is not None:
        return ctx._size_caps
    sch = ctx.ds.schools
    st = ctx.stats[ctx.stats["stage"].isin(STAGES)]
    tot = st.groupby("school_id")["students"].sum()
    mig = (pd.to_numeric(st["migrant_students"], errors="coerce").fillna(0).groupby(st["school_id"]).sum()
           if "migrant_students" in st.columns else tot * 0)
    share = (mig / tot.where(tot > 0)).fillna(0.0)
    built = sch.set_index("school_id")["built_year"] if "built_year" in sch.columns else pd.Series(dtype=float)
    built = pd.to_numeric(built, errors="coerce")
    out = {}
    relax_on = ctx.settings.school_size_relaxation
    y_lim = std.rule("school_size_relax_built_year")
    m_lim = std.rule("school_size_relax_migrant_share")
    for sid, t in zip(sch["school_id"], sch["school_type"], strict=True):
        kind = "through" if t in ("nine_year", "twelve_year") else "single_stage"
        b = built.get(sid, np.nan)
        relaxed = relax_on and (
            (not pd.isna(b) and std.meets(float(b), "school_size_relax_built_year"))
            or bool(std.meets(float(share.get(sid, 0.0)), "school_size_relax_migrant_share"))
        )
        out[sid] = std.threshold("school_size_max_relaxed" if relaxed else "school_size_max", kind)
    del y_lim, m_lim
    ctx._size_caps = out
    return out


def _result(ctx: _Context, scn: Scenario, plan: _Plan, per_stage: dict, ind: pd.DataFrame,
            bal: pd.DataFrame) -> ScenarioResult:
    from jxedu.analysis import indicators

    summary: dict = {}
    school_rows, village_rows, flow_rows, move_rows = [], [], [], []
    seats = 0.0
    for st, r in per_stage.items():
        base, a0, a1, sch = r["base"], r["a0"], r["a1"], r["sch"]
        n_s = len(sch)
        zh = LABELS[st]
        # bus links: existing stops (existing schools) + stops of added/extended routes
        old_link = sparse.csr_array(base.linked, shape=(len(base.vil), n_s)) if n_s > base.linked.shape[1] \
            else base.linked
        new_link = sparse.csr_array((len(base.vil), n_s), dtype=bool)
        for xy, schools, _ext in plan.new_stops:
            cols = [r["pos"][s] for s in schools if s in r["pos"]]
            if not cols:
                continue
            near = (_within(base.vxy, xy, ctx.reach_m).sum(axis=1) > 0).astype(float)
            sel = sparse.csr_array(
                (np.ones(len(cols)), (np.zeros(len(cols), dtype=np.int64), np.array(cols))), shape=(1, n_s))
            new_link = (new_link + sparse.csr_array(near.reshape(-1, 1)) @ sel) > 0
        new_link = sparse.csr_array(new_link)
        ol = _has_pair(*old_link.tocoo().coords, a1.r, a1.c, n_s)
        nl = _has_pair(*new_link.tocoo().coords, a1.r, a1.c, n_s)
        beyond = a1.d > base.walk_m
        total = a1.x.sum()
        b_n = float(a1.x[beyond].sum())
        cov = float(a1.x[beyond & (ol | nl)].sum())
        seats += float(a1.x[beyond & nl & ~ol].sum())
        vids = base.vil["village_id"].astype(str).to_numpy(dtype=object)
        flow_rows.append(pd.DataFrame({
            "village_id": vids[a1.r], "school_id": r["ids"][a1.c], "stage": st, "pupils": a1.x,
            "distance_m": a1.d, "beyond_walk": beyond, "bus_link": ol | nl, "new_bus_link": nl & ~ol}))
        # classes needed per school-stage
        after = r["after_int"].astype(float)
        grades = len(GRADES_OF_STAGE[st])
        needed = np.zeros(n_s, dtype=np.int64)
        for i, sid in enumerate(r["ids"]):
            sh = base.grade_share.get(sid)
            sh = np.full(grades, 1.0 / grades) if sh is None else sh
            needed[i] = int(np.ceil(np.round(after[i] * sh, 6) / base.cap).sum())
        held = sch["classes"].to_numpy(float)
        short = np.where(r["open"], np.maximum(needed - held - r["rooms"], 0), 0)
        l0 = np.bincount(a0.c, weights=a0.x, minlength=n_s)
        l1 = np.bincount(a1.c, weights=a1.x, minlength=n_s)
        school_rows.append(pd.DataFrame({
            "school_id": r["ids"], "name": sch["name"].to_numpy(), "township": sch["township"].to_numpy(),
            "school_type": sch["school_type"].to_numpy(), "stage": st, "status": r["status"],
            "students_before": sch["students"].to_numpy(np.int64), "students_after": r["after_int"],
            "change": r["after_int"] - sch["students"].to_numpy(np.int64), "capacity": r["cap"],
            "load_before": l0, "load_after": l1, "over_capacity": r["a1"].over,
            "classes_held": held.astype(np.int64), "classrooms_added": r["rooms"].astype(np.int64),
            "classes_needed": needed, "classes_short": short.astype(np.int64),
            "x": sch["x"].to_numpy(float), "y": sch["y"].to_numpy(float),
            "lon": sch["lon"].to_numpy(float), "lat": sch["lat"].to_numpy(float)}))
        # villages: main school before / after
        v = base.vil
        main0 = _main_school(a0, len(v))
        main1 = _main_school(a1, len(v))
        d0 = _mean_by_row(a0, len(v))
        d1 = _mean_by_row(a1, len(v))
        b1 = np.bincount(a1.r, weights=np.where(beyond, a1.x, 0.0), minlength=len(v))
        village_rows.append(pd.DataFrame({
            "village_id": vids, "name": v["name"].to_numpy(), "township": v["township"].to_numpy(), "stage": st,
            "demand": v["demand"].to_numpy(), "school_before": np.where(main0 >= 0, r["ids"][np.maximum(main0, 0)], None),
            "school_after": np.where(main1 >= 0, r["ids"][np.maximum(main1, 0)], None),
            "distance_before_m": d0, "distance_after_m": d1, "beyond_walk_after": b1,
            "changed": (main0 != main1) & (v["demand"].to_numpy() > 0), "x": v["x"].to_numpy(float),
            "y": v["y"].to_numpy(float), "lon": v["lon"].to_numpy(float), "lat": v["lat"].to_numpy(float)}))
        mv = r["moves"].tocoo()
        keep = mv.data > 1e-9
        names = sch["name"].to_numpy(dtype=object)
        move_rows.append(pd.DataFrame({
            "stage": st, "from_school_id": r["ids"][mv.row[keep]], "from_name": names[mv.row[keep]],
            "to_school_id": r["ids"][mv.col[keep]], "to_name": names[mv.col[keep]], "students": mv.data[keep]}))
        g = ind[ind["stage"] == st]
        bs = bal[bal["stage"] == st] if len(bal) else bal
        summary.update({
            f"{st}_students": int(r["after_int"].sum()),
            f"{st}_mean_m": float((a1.x * a1.d).sum() / total) if total > 0 else float("nan"),
            f"{st}_beyond": b_n,
            f"{st}_bus_share": 100.0 * cov / b_n if b_n > 0 else float("nan"),
            f"{st}_uncovered": b_n - cov,
            f"{st}_over_capacity": float(a1.over.sum()),
            f"{st}_classes_short": int(short.sum()),
            f"{st}_passing": int(g["passes"].sum()),
            f"{st}_cv_exceeded": int((~bs["within_limit"]).sum()) if len(bs) else 0,
        })
        for _, row in bs.iterrows():
            summary[f"{st}_cv_{row['key']}"] = float(row["cv"])
        del zh
    schools = pd.concat(school_rows, ignore_index=True)
    # school size: compulsory students of the school after the scenario
    size = schools.groupby("school_id")["students_after"].sum()
    caps = _size_caps(ctx)
    types = schools.groupby("school_id")["school_type"].first()
    default = {t: std.threshold("school_size_max", "through" if t in ("nine_year", "twelve_year") else "single_stage")
               for t in set(types)}
    cap_of = np.array([caps.get(sid, default[types[sid]]) for sid in size.index], dtype=float)
    over_size = int((size.to_numpy(float) > cap_of).sum())
    villages = pd.concat(village_rows, ignore_index=True)
    summary = {
        "schools": int((size > 0).sum()),
        "closed": len(plan.closed),
        "opened": len(plan.new),
        "students": int(schools["students_after"].sum()),
        "oversize_schools": over_size,
        "classes_short": int(schools["classes_short"].sum()),
        "classrooms_planned": int(schools["classrooms_added"].sum()),
        "bus_seats": int(round(seats)),
        "villages_changed": int(villages.loc[villages["changed"], "village_id"].nunique()),
        **summary,
    }
    before = int(schools["students_before"].sum())
    if summary["students"] != before:  # pupils are never lost
        raise AssertionError(f"students not preserved: {before} -> {summary['students']}")
    del indicators
    return ScenarioResult(
        name=scn.name, description=scn.description, year=ctx.year, method=ctx.method, summary=summary,
        schools=schools, villages=villages, flows=pd.concat(flow_rows, ignore_index=True),
        moves=pd.concat(move_rows, ignore_index=True), indicators=ind, balance=bal, scenario=scn,
    )


def _main_school(a: _Assignment, n_v: int) -> np.ndarray:
    """Per village the school column taking most of its children (-1 without children)."""
    out = np.full(n_v, -1)
    best = np.zeros(n_v)
    for r, c, x in zip(a.r, a.c, a.x, strict=True):
        if x > best[r]:
            best[r], out[r] = x, c
    return out


def _mean_by_row(a: _Assignment, n_v: int) -> np.ndarray:
    w = np.bincount(a.r, weights=a.x, minlength=n_v)
    s = np.bincount(a.r, weights=a.x * a.d, minlength=n_v)
    return np.divide(s, w, out=np.full(n_v, np.nan), where=w > 0)


# --- comparison, tables and maps --------------------------------------------------------------


def _label(key: str) -> str:
    from jxedu.analysis import indicators

    for st in STAGES:
        zh = LABELS[st]
        k = key.removeprefix(f"{st}_cv_")
        if key.startswith(f"{st}_cv_") and k in indicators.SPECS:
            return f"{zh}差异系数：{vocabulary.field(k).short}"
        tmpl = key.replace(st, "{st}", 1)
        if key.startswith(st) and tmpl in SUMMARY_LABELS:
            return SUMMARY_LABELS[tmpl].format(st=zh)
    return SUMMARY_LABELS.get(key, key)


def compare(results: list[ScenarioResult], *, labels: bool = True) -> pd.DataFrame:
    """Key figures of the baseline and any number of scenarios side by side.

    Parameters
    ----------
    results
        Results of :func:`evaluate` (the first is usually the baseline).
    labels
        Chinese row labels (平均上学距离, 超出步行距离的学生数, 公交覆盖率, 超大规模学校数,
        需新增班级数, 各指标差异系数 …); English keys otherwise.

    Returns
    -------
    pandas.DataFrame
        One row per figure, one column per scenario (its name; repeated names get a suffix).
        Distances in metres and shares in % with one decimal; CVs with three decimals.
    """
    cols, names = [], []
    for r in results:
        name = r.name
        while name in names:
            name += "′"
        names.append(name)
        cols.append(pd.Series(r.summary, name=name))
    df = pd.concat(cols, axis=1)
    order = [k for k in SUMMARY_LABELS if "{st}" not in k]
    for st in STAGES:
        order += [k.format(st=st) for k in SUMMARY_LABELS if "{st}" in k]
        order += [f"{st}_cv_{k}" for k in _cv_keys()]
    df = df.reindex([k for k in order if k in df.index])
    for k in df.index:
        if k.split("_cv_")[-1] in _cv_keys():
            df.loc[k] = df.loc[k].astype(float).round(3)
        elif k.endswith(("_mean_m",)):
            df.loc[k] = df.loc[k].astype(float).round(0)
        elif k.endswith("_share"):
            df.loc[k] = df.loc[k].astype(float).round(1)
    df = df.astype(object)
    for k in df.index:
        vals = df.loc[k].to_numpy()
        if k.split("_cv_")[-1] not in _cv_keys() and all(isinstance(v, int | float | np.number) and np.isfinite(v)
                                   and float(v).is_integer() for v in vals):
            df.loc[k] = [int(v) for v in vals]
    if labels:
        df.index = [_label(k) for k in df.index]
        df.index.name = "指标"
    return df


def _cv_keys():
    from jxedu.core.standards import RESOURCE_KEYS

    return RESOURCE_KEYS


def school_changes(result: ScenarioResult, *, labels: bool = True) -> pd.DataFrame:
    """Schools whose status or students change, biggest change first.

    Returns
    -------
    pandas.DataFrame
        学校、镇街、学段、变化类型、调整前在校生、调整后在校生、变化、需新增班级数 (Chinese headers
        with ``labels``).
    """
    s = result.schools
    s = s[(s["status"] != "现状") | (s["change"] != 0)].copy()
    s["_abs"] = s["change"].abs()
    s = s.sort_values(["_abs", "school_id"], ascending=[False, True], kind="stable")
    out = s[["name", "township", "stage", "status", "students_before", "students_after", "change", "classes_short"]]
    out = out.assign(stage=out["stage"].map(LABELS))
    if labels:
        out = out.rename(columns={"name": "学校", "township": "镇街", "stage": "学段", "status": "变化类型",
                                  "students_before": "调整前在校生", "students_after": "调整后在校生",
                                  "change": "变化", "classes_short": "需新增班级数"})
    return out.reset_index(drop=True)


def moves_table(result: ScenarioResult, *, labels: bool = True, min_students: float = 0.5) -> pd.DataFrame:
    """Where the students of changed schools go (学生去向), whole students, largest first."""
    m = result.moves[result.moves["students"] >= min_students].copy()
    m["students"] = m["students"].round(0).astype("int64")
    m = m.sort_values(["students"], ascending=False, kind="stable")
    out = m.assign(stage=m["stage"].map(LABELS))[["stage", "from_name", "to_name", "students"]]
    if labels:
        out = out.rename(columns={"stage": "学段", "from_name": "原学校", "to_name": "新学校", "students": "学生数"})
    return out.reset_index(drop=True)


_CHANGE_COLORS = {  # status -> colour of the change map
    "关闭": "#C62828",
    "并入": "#EF6C00",
    "新建": "#2E7D32",
    "扩建": "#1565C0",
    "学生增减": "#6A1B9A",
    "现状": "#9E9E9E",
}


def change_map(ds, result: ScenarioResult, *, baseline: ScenarioResult | None = None, basemap: str | None = "osm",
               stage: str | None = None):
    """A folium map of what the scenario changes.

    Schools coloured by change (关闭 red, 并入 orange, 新建 green, 扩建 blue, 学生增减 purple,
    unchanged grey; circles sized by students after the change) and lines from each 村居 whose
    school changes to its new school; 镇街 boundaries; a Chinese legend.

    Parameters
    ----------
    ds
        The data set (镇街 boundaries).
    result
        From :func:`evaluate`.
    baseline
        Unused placeholder for symmetry (the result already holds the before values).
    basemap
        As :func:`jxedu.present.maps.base_map` (``None`` = no tiles).
    stage
        Only one stage (default both).

    Returns
    -------
    folium.Map
    """
    import folium

    from jxedu.present import maps

    m = maps.base_map(basemap=basemap, title=f"学校布局调整：{result.name}")
    if ds.townships is not None:
        maps.add_townships(m, ds.townships, labels=False)
    gcj = maps._is_gcj(m)  # noqa: SLF001 - display shift of the maps module

    def loc(lon, lat):
        if gcj:
            from jxedu.core.coords import wgs84_to_gcj02

            glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
            return [float(glat[0]), float(glon[0])]
        return [float(lat), float(lon)]

    v = result.villages
    s = result.schools
    if stage is not None:
        v, s = v[v["stage"] == stage], s[s["stage"] == stage]
    pos = s.drop_duplicates("school_id").set_index("school_id")[["lon", "lat"]]
    ch = v[v["changed"] & v["school_after"].isin(pos.index)]
    feats = []
    for r in ch.itertuples(index=False):
        t = pos.loc[r.school_after]
        a, b = loc(r.lon, r.lat), loc(t["lon"], t["lat"])
        feats.append({"type": "Feature", "properties": {
            "tip": maps.esc(f"{r.name}（{LABELS[r.stage]}{int(r.demand)}人）改到新学校")},
            "geometry": {"type": "LineString", "coordinates": [[a[1], a[0]], [b[1], b[0]]]}})
    if feats:
        folium.GeoJson({"type": "FeatureCollection", "features": feats}, name="调整学校的村居",
                       style_function=lambda f: {"color": "#6A1B9A", "weight": 1.5, "opacity": 0.7,
                                                 "dashArray": "4 4"},
                       tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False)).add_to(m)
    agg = s.groupby("school_id").agg(name=("name", "first"), status=("status", lambda x: _worst(x)),
                                     before=("students_before", "sum"), after=("students_after", "sum"),
                                     lon=("lon", "first"), lat=("lat", "first"))
    for status, color in _CHANGE_COLORS.items():
        g = agg[agg["status"] == status]
        if g.empty:
            continue
        feats = []
        for r in g.itertuples():
            p = loc(r.lon, r.lat)
            feats.append({"type": "Feature", "properties": {
                "tip": maps.esc(f"{r.name}：{status}，在校生 {int(r.before)} → {int(r.after)}"),
                "radius": round(3 + 2.5 * math.sqrt(max(r.after, r.before) / 100.0), 1)},
                "geometry": {"type": "Point", "coordinates": [p[1], p[0]]}})
        fill = 0.25 if status == "关闭" else 0.7
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats}, name=f"学校：{status}", show=True,
            marker=folium.CircleMarker(radius=5, weight=2, fill=True),
            style_function=lambda f, c=color, o=fill: {"color": c, "fillColor": c, "fillOpacity": o,
                                                        "radius": f["properties"]["radius"]},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(m)
    items = "".join(
        f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;background:{c};'
        f'margin-right:4px"></span>{k}</div>' for k, c in _CHANGE_COLORS.items())
    notice = '<div style="color:#C62828;font-weight:bold">合成演示数据（非真实学校数据）</div>' if ds.synthetic else ""
    html = (f'<div style="position:fixed;bottom:24px;right:12px;z-index:9999;background:white;padding:6px 8px;'
            f'border:1px solid #999;font-size:12px"><b>{maps.esc(result.name)}</b>{notice}{items}'
            '<div><span style="color:#6A1B9A">- - -</span> 村居改到新学校</div></div>')
    m.get_root().html.add_child(folium.Element(html))
    folium.LayerControl(collapsed=True).add_to(m)
    lat = s["lat"].to_numpy(float)
    lon = s["lon"].to_numpy(float)
    if len(lat):
        sw, ne = loc(np.nanmin(lon), np.nanmin(lat)), loc(np.nanmax(lon), np.nanmax(lat))
        m.fit_bounds([sw, ne], padding=(12, 12))
    return m


def _worst(statuses) -> str:
    order = ["关闭", "并入", "新建", "扩建", "学生增减", "现状"]
    vals = list(statuses)
    return min(vals, key=lambda x: order.index(x) if x in order else len(order))


# --- interactive explorer ---------------------------------------------------------------------


def explorer(ds, *, year: int | None = None, folder: str | Path | None = None, basemap: str | None = "osm",
             capacity: str = "classes"):
    """JupyterLab widget: pick schools to close, a capacity slider and a scenario file.

    The comparison table (现状 vs the current choice) and the change map update on every change.
    Distances, the road graph, bus links and the baseline are computed once and cached, so one
    update takes well under half a second on the demo data.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default latest).
    folder
        Folder of scenario files (default ``data/scenarios/``).
    basemap
        Base map of the change map (``None`` = no tiles).
    capacity
        Capacity rule (see :func:`evaluate`).

    Returns
    -------
    ipywidgets.VBox
        The widget; its ``.update()`` re-evaluates (also called by every control).
    """
    import ipywidgets as w

    base = evaluate(ds, year=year, capacity=capacity)
    files = list_scenarios(folder)
    sch = base.schools.drop_duplicates("school_id")
    sch = sch.assign(total=sch["school_id"].map(base.schools.groupby("school_id")["students_before"].sum()))
    sch = sch.sort_values(["total", "school_id"])
    options = [(f"{r['name']}（{r['township']}，{int(r['total'])}人）", r["school_id"]) for _, r in sch.iterrows()]
    pick = w.SelectMultiple(options=options, rows=10, description="关闭学校", layout=w.Layout(width="420px"))
    slider = w.FloatSlider(value=1.0, min=0.8, max=1.5, step=0.05, description="容量系数", readout_format=".2f")
    chooser = w.Dropdown(options=[("（不使用方案文件）", None)] + [(p.stem, str(p)) for p in files],
                         description="方案文件")
    status = w.HTML()
    table = w.Output()
    mapbox = w.HTML(layout=w.Layout(height="520px"))

    def update(*_):
        t0 = time.perf_counter()
        try:
            baseline = evaluate(ds, year=year, capacity=capacity, headroom=slider.value)
            res = evaluate(ds, chooser.value, year=year, capacity=capacity, headroom=slider.value,
                           close=tuple(pick.value))
        except JxeduError as exc:
            status.value = f'<span style="color:#C62828">{exc}</span>'
            return
        df = compare([baseline, res])
        m = change_map(ds, res, basemap=basemap)
        html = m._repr_html_()
        with table:
            table.clear_output(wait=True)
            from IPython.display import display

            display(df)
        mapbox.value = html
        status.value = f"评估用时 {time.perf_counter() - t0:.2f} 秒（{res.name}）"
        box.last_result = res

    for c in (pick, slider, chooser):
        c.observe(update, names="value")
    box = w.VBox([w.HBox([pick, w.VBox([slider, chooser, status])]), table, mapbox])
    box.update = update
    box.last_result = base
    update()
    return box


# --- command line ---------------------------------------------------------------------------


