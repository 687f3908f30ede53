"""The scenario file format (学校布局调整方案文件): YAML read into :class:`Scenario`, errors with file and line.

A **scenario** is a named list of edits on the base data set — close a school, merge one school into
another, open a school at a point, enlarge a school, add or extend a school-bus route, move villages
to a school (调整划片). The format is documented in ``data/scenarios/README.md``: Chinese and
English keys mean the same (:data:`KEY_ALIASES`), edit types have Chinese spellings
(:data:`TYPE_SPELLINGS`). These Chinese words are the input format's vocabulary, and so are the
messages: every :class:`~jxedu.core.errors.ScenarioError` raised here names the file **and line**
(``方案文件 my.yaml 第12行：…``) with the English key in brackets.

:func:`load_scenario` reads a file, :func:`parse_scenario` a mapping; both return a checked
:class:`Scenario` whose :class:`Edit` fields are normalised (English keys, ids as text, stages as
codes, coordinates WGS-84). Whether the schools and villages named exist is checked when the
scenario is evaluated (:func:`jxedu.planning.scenarios.resolve`), with the same line numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from jxedu.core.config import SCENARIOS_DIR
from jxedu.core.coords import to_wgs84
from jxedu.core.errors import ScenarioError
from jxedu.core.schema import ALIASES, COMPULSORY_STAGES, LABELS, SCHOOL_TYPES, STAGES_OF_TYPE
from jxedu.core.yamlsafe import YamlMap, load_yaml

__all__ = [
    "EDIT_KINDS",
    "FACILITY_KEYS",
    "KEY_ALIASES",
    "TEACHER_KINDS",
    "TYPE_SPELLINGS",
    "Edit",
    "Scenario",
    "error_at",
    "list_scenarios",
    "load_scenario",
    "parse_scenario",
]

#: Stages a scenario may name (compulsory education).
STAGES: tuple[str, ...] = COMPULSORY_STAGES

#: Spellings of each edit type in a file; the first is the one messages use.
TYPE_SPELLINGS: dict[str, tuple[str, ...]] = {
    "close": ("关闭", "撤销"),
    "merge": ("合并", "撤并"),
    "open": ("新建", "新增学校"),
    "enlarge": ("扩建",),
    "add_route": ("新增线路", "新增公交线路"),
    "extend_route": ("延伸线路",),
    "reassign": ("调整划片",),
}
#: Edit types (English keys), in the order of the README.
EDIT_KINDS: tuple[str, ...] = tuple(TYPE_SPELLINGS)
_TYPE_OF_SPELLING: dict[str, str] = {zh: en for en, names in TYPE_SPELLINGS.items() for zh in names}

#: Chinese keys -> English keys (any level of the file).
KEY_ALIASES: dict[str, str] = {
    "名称": "name",
    "方案名称": "name",
    "说明": "description",
    "描述": "description",
    "基准学年": "base_year",
    "学年": "base_year",
    "重新划片": "rezone",
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

_STAGE_VALUES = {"小学": "primary", "初中": "junior", "primary": "primary", "junior": "junior"}
_CRS_VALUES = {"WGS84": "WGS84", "WGS-84": "WGS84", "GCJ02": "GCJ02", "GCJ-02": "GCJ02",
               "CGCS2000": "CGCS2000", "BD09": "BD09", "BD-09": "BD09"}
_TOP_KEYS = {"name", "description", "base_year", "rezone", "edits"}
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
_ID_FIELDS = ("school", "into", "route", "id", "name", "township")
#: Longitude and latitude bounds of China (degrees): a point outside is a typo or swapped axes.
_LON_RANGE, _LAT_RANGE = (73.0, 136.0), (3.0, 54.0)


# --- the objects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One edit of a scenario.

    Attributes
    ----------
    kind
        One of :data:`EDIT_KINDS`.
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
        Name given in the file; ``None`` for the baseline and for edits built in code without a
        name (the presentation layer names those 现状 / 自定义方案).
    description
        Free text.
    base_year
        School year the edits apply to (``None``: the latest year of the data).
    edits
        The edits, in file order.
    source
        File the scenario was read from (``None`` when built in code).
    rezone
        重新划片: ``False`` (default) — only the pupils of closed or shrunk schools and pupils over a
        school's capacity move, everyone else stays at their school; ``True`` — every child of the
        county is re-assigned (the nearest school with a place); a tuple of 镇街 names — the
        children of those 镇街's 村居 are re-assigned.
    lines
        Line of each top-level key in the file (``{}`` when built in code).
    """

    name: str | None = None
    description: str = ""
    base_year: int | None = None
    edits: list[Edit] = field(default_factory=list)
    source: Path | None = None
    rezone: bool | tuple[str, ...] = False
    lines: dict = field(default_factory=dict)

    @property
    def is_baseline(self) -> bool:
        """Whether the scenario changes nothing (the baseline, 现状)."""
        return not self.edits

    def of_kind(self, kind: str) -> list[Edit]:
        """Edits of one type."""
        return [e for e in self.edits if e.kind == kind]


def error_at(source, line: int, message: str) -> ScenarioError:
    """A :class:`~jxedu.core.errors.ScenarioError` naming the file and line of a scenario.

    Parameters
    ----------
    source
        File of the scenario (``None`` when built in code).
    line
        1-based line (0: unknown).
    message
        Chinese message with the English key in brackets.

    Returns
    -------
    ScenarioError
        ``方案文件 <name> 第<line>行：<message>``.
    """
    name = Path(source).name if source is not None else "（方案）"
    where = f"方案文件 {name} 第{line}行" if line else f"方案 {name}"
    return ScenarioError(f"{where}：{message}")


def _text(value) -> str:
    """Scalar id as text (ints keep their YAML spelling; an empty value is ``""``, never ``"None"``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return getattr(value, "text", str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normalise_keys(m, source) -> YamlMap:
    """English keys (Chinese aliases resolved), keeping line info; error on a duplicate alias."""
    out = YamlMap()
    out.line = getattr(m, "line", 0)
    out.key_lines = {}
    lines = getattr(m, "key_lines", {})
    for k, v in m.items():
        en = KEY_ALIASES.get(str(k).strip(), str(k).strip())
        if en in out:
            raise error_at(source, lines.get(k, out.line), f"同一项目写了两次 (duplicate_key): {k}")
        out[en] = v
        out.key_lines[en] = lines.get(k, out.line)
    return out


# --- reading -----------------------------------------------------------------------------------


def _find(path: str | Path) -> Path:
    p = Path(path)
    if p.exists():
        return p
    for cand in (SCENARIOS_DIR / p, SCENARIOS_DIR / f"{p}.yaml", SCENARIOS_DIR / f"{p}.yml"):
        if cand.exists():
            return cand
    raise ScenarioError(f"找不到方案文件 (scenario_not_found): {path}")


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (YAML).

    Parameters
    ----------
    path
        A ``.yaml`` file; a bare name (``"close_teaching_point"`` or ``"close_teaching_point.yaml"``)
        is looked up in ``data/scenarios/``.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        The file is missing, not YAML, or breaks the format; the message names the file and line.
    """
    p = _find(path)
    raw = load_yaml(p, what="方案文件", lines=True, error=ScenarioError)
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
        raise error_at(source, 1, "方案应为键值对 (bad_scenario)：需要 名称/name 和 调整/edits")
    top = _normalise_keys(raw, source)
    for k in top:
        if k not in _TOP_KEYS:
            raise error_at(source, top.key_lines[k], f"未知项目 (unknown_key): {k}；可用：名称(name)、说明(description)、"
                           "基准学年(base_year)、重新划片(rezone)、调整(edits)")
    if "name" not in top:
        raise error_at(source, top.line, "缺少方案名称 (missing_field): 名称 (name)")
    if not _text(top["name"]):
        raise error_at(source, top.key_lines["name"], "方案名称不能为空 (empty_name)：请在“名称：”后写上方案名称")
    edits_raw = top.get("edits") or []
    if not isinstance(edits_raw, list):
        raise error_at(source, top.key_lines.get("edits", top.line), "调整 (edits) 应为列表（每项以“- ”开头）")
    item_lines = getattr(edits_raw, "item_lines", [0] * len(edits_raw))
    return Scenario(
        name=_text(top["name"]),
        description=_unfold(_text(top.get("description") or "")),
        base_year=_base_year(top, source),
        edits=[_parse_edit(e, source, ln) for e, ln in zip(edits_raw, item_lines, strict=True)],
        source=Path(source) if source is not None else None,
        rezone=_rezone(top, source),
        lines=dict(top.key_lines),
    )


def _rezone(top: YamlMap, source) -> bool | tuple[str, ...]:
    """重新划片: 是/否 (true/false), or a list of 镇街 names."""
    value = top.get("rezone")
    if value is None:
        return False
    line = top.key_lines["rezone"]
    if isinstance(value, list):
        names = tuple(dict.fromkeys(_text(v) for v in value if v is not None and _text(v)))
        if not names:
            raise error_at(source, line, "重新划片 (rezone) 的镇街列表不能为空 (missing_field)")
        return names
    v = {"是": True, "否": False}.get(value, value) if isinstance(value, str) else value
    if not isinstance(v, bool):
        raise error_at(source, line, f"重新划片 (rezone) 应为 是/否、true/false 或镇街名称列表 (bad_value): {value}")
    return v


#: A space between two Chinese characters (or Chinese punctuation).
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def _unfold(text: str) -> str:
    """Drop the spaces YAML's folded style (``>-``) puts where a Chinese sentence was wrapped."""
    return _CJK_SPACE.sub("", text)


def _base_year(top: YamlMap, source) -> int | None:
    value = top.get("base_year")
    if value is None:
        return None
    try:
        return int(_text(value)[:4])
    except ValueError:
        raise error_at(source, top.key_lines["base_year"], f"基准学年无效 (bad_year): {value}") from None


def list_scenarios(folder: str | Path | None = None) -> list[Path]:
    """Scenario files (``*.yaml``) of a folder, default ``data/scenarios/``, sorted by name."""
    folder = Path(folder) if folder is not None else SCENARIOS_DIR
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


# --- one edit ----------------------------------------------------------------------------------

#: ``err(line, message)``: a ScenarioError at a line of the file being read.
_Err = Callable[[int, str], ScenarioError]


def _parse_edit(raw, source, line: int) -> Edit:
    """Check one edit: its type, the fields that type accepts and needs, then each field's value."""
    if not isinstance(raw, dict):
        raise error_at(source, line, "每项调整应为键值对 (bad_edit)：需要 类型(type) 等项目")
    m = _normalise_keys(raw, source)
    line = m.line or line
    kind = _edit_kind(m, source, line)
    _check_fields(m, kind, source, line)

    def err(ln: int, message: str) -> ScenarioError:
        return error_at(source, ln, message)

    lines = dict(m.key_lines)
    f: dict = {k: _text(m[k]) for k in _ID_FIELDS if k in m and m[k] is not None}
    if "keep_campus" in m:
        f["keep_campus"] = _yes_no(m["keep_campus"], err, lines["keep_campus"])
    if "stages" in m and m["stages"] is not None:
        f["stages"] = _stages(m["stages"], kind, err, lines["stages"])
    if kind == "open":
        f.update(_open_site(m, f.get("stages", ("primary",)), err, lines, line))
    for k in ("capacity", "classrooms"):
        if k in m and m[k] is not None:
            f[k] = _per_stage_numbers(m[k], k, err, lines[k], positive=(k == "capacity"))
    if "teachers" in m and m["teachers"] is not None:
        f["teachers"] = _per_stage_items(m["teachers"], TEACHER_KINDS, "教师", err, lines["teachers"])
    if "facilities" in m and m["facilities"] is not None:
        f["facilities"] = _items(m["facilities"], FACILITY_KEYS, "设施", err, lines["facilities"])
    if kind in ("add_route", "extend_route"):
        f["stops"] = _stops(m["stops"], err, lines["stops"])
    if kind == "add_route":
        f["schools"] = _id_list(m["schools"], err, lines["schools"], "服务学校 (schools)")
    if kind == "reassign":
        f["villages"] = _id_list(m["villages"], err, lines["villages"], "村居 (villages)")
    return Edit(kind=kind, fields=f, line=line, lines=lines)


def _edit_kind(m: YamlMap, source, line: int) -> str:
    if "type" not in m:
        raise error_at(source, line, "调整项缺少类型 (missing_field): 类型 (type)")
    t = _text(m["type"])
    kind = _TYPE_OF_SPELLING.get(t, t)
    if kind not in TYPE_SPELLINGS:
        choices = "、".join(f"{names[0]}({en})" for en, names in TYPE_SPELLINGS.items())
        raise error_at(source, m.key_lines["type"], f"未知的调整类型 (unknown_edit_type): {t}；可用：{choices}")
    return kind


def _check_fields(m: YamlMap, kind: str, source, line: int) -> None:
    """Every field is one the type accepts; every field it needs is given."""
    spec = _FIELDS[kind]
    zh = TYPE_SPELLINGS[kind][0]
    for k in m:
        if k != "type" and k not in spec:
            raise error_at(source, m.key_lines[k], f"“{zh}”不接受项目 (unknown_key): {k}；可用：{'、'.join(spec)}")
    for k, required in spec.items():
        if required and (k not in m or m[k] is None or m[k] == ""):
            raise error_at(source, line, f"“{zh}”缺少必需项目 (missing_field): {k}")


def _yes_no(value, err: _Err, line: int) -> bool:
    v = {"是": True, "否": False}.get(value, value) if isinstance(value, str) else value
    if not isinstance(v, bool):
        raise err(line, f"保留校区 (keep_campus) 应为 是/否 或 true/false: {value}")
    return v


def _stages(value, kind: str, err: _Err, line: int) -> tuple[str, ...]:
    vals = value if isinstance(value, list) else [value]
    stages = []
    for v in vals:
        s = _STAGE_VALUES.get(_text(v))
        if s is None:
            raise err(line, f"学段无效 (bad_stage): {v}；可用：小学、初中")
        stages.append(s)
    out = tuple(dict.fromkeys(stages))
    if kind == "enlarge" and len(out) != 1:
        raise err(line, "扩建一次只能针对一个学段 (bad_stage)：请为每个学段各写一项")
    return out


def _point(lon, lat, crs, err: _Err, line: int, what: str, *, crs_line: int | None = None) -> tuple[float, float, str]:
    """A point of the file as WGS-84 ``(lon, lat, crs_in)``; checks it lies in China."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise err(line, f"{what}坐标不是数字 (bad_coordinates): 经度 {lon}，纬度 {lat}") from None
    if not (_LON_RANGE[0] <= x <= _LON_RANGE[1] and _LAT_RANGE[0] <= y <= _LAT_RANGE[1]):
        raise err(line, f"{what}坐标不在中国境内 (bad_coordinates): 经度 {x}，纬度 {y}（经纬度是否写反？）")
    code = _CRS_VALUES.get(_text(crs or "WGS84").upper())
    if code is None:
        raise err(crs_line or line, f"坐标系无效 (bad_crs): {crs}；可用：WGS84、GCJ02、CGCS2000、BD09")
    wlon, wlat = to_wgs84(np.array([x]), np.array([y]), code)
    return float(wlon[0]), float(wlat[0]), code


def _open_site(m: YamlMap, stages: tuple[str, ...], err: _Err, lines: dict, line: int) -> dict:
    """Location, stages and school type of a new school."""
    lon, lat, crs = _point(m["lon"], m["lat"], m.get("crs"), err, lines.get("lon", line), "",
                           crs_line=lines.get("crs"))
    out = {"stages": stages, "lon": lon, "lat": lat, "crs_in": crs}
    out["school_type"] = _school_type(m, stages, err, lines, line)
    return out


def _school_type(m: YamlMap, stages: tuple[str, ...], err: _Err, lines: dict, line: int) -> str:
    if "school_type" in m and m["school_type"] is not None:
        given = _text(m["school_type"])
        zh = ALIASES.get(given, given)
        code = SCHOOL_TYPES.get(zh, zh if zh in STAGES_OF_TYPE else None)
        if code is None:
            raise err(lines["school_type"], f"办学类型无效 (bad_school_type): {m['school_type']}")
    else:
        code = "nine_year" if len(stages) == 2 else stages[0]
    taught = set(STAGES_OF_TYPE[code]) & set(STAGES)
    if not set(stages) <= taught:
        raise err(lines.get("school_type", line), f"办学类型与学段不符 (bad_school_type): "
                  f"{LABELS.get(code)} 不开设 {'、'.join(LABELS[s] for s in stages)}")
    return code


def _id_list(value, err: _Err, line: int, what: str) -> tuple[str, ...]:
    vals = value if isinstance(value, list) else [value]
    ids = tuple(_text(v) for v in vals if v is not None and _text(v))
    if not ids:
        raise err(line, f"{what} 不能为空 (missing_field)")
    return ids


def _stops(value, err: _Err, line: int) -> tuple:
    """Stops: ``(village_id, line)`` or WGS-84 points ``(lon, lat, line)``."""
    vals = value if isinstance(value, list) else [value]
    item_lines = getattr(value, "item_lines", [line] * len(vals))
    out = []
    for v, ln in zip(vals, item_lines, strict=True):
        if isinstance(v, dict):
            p = {KEY_ALIASES.get(str(k), str(k)): x for k, x in v.items()}
            if "lon" not in p or "lat" not in p:
                raise err(ln, f"站点坐标应写 经度(lon) 和 纬度(lat) (bad_coordinates): {dict(v)}")
            lon, lat, _crs = _point(p["lon"], p["lat"], p.get("crs"), err, ln, "站点")
            out.append((lon, lat, ln))
        elif v is None or not _text(v):
            raise err(ln, "站点不能为空 (missing_field)")
        else:
            out.append((_text(v), ln))
    if not out:
        raise err(line, "站点 (stops) 不能为空 (missing_field)")
    return tuple(out)


def _number(v, err: _Err, line: int, what: str, *, positive: bool) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise err(line, f"{what} 应为数字 (bad_number): {v}") from None
    if not math.isfinite(x) or x < 0 or (positive and x <= 0):
        raise err(line, f"{what} 必须为{'正数' if positive else '非负数'} (not_positive): {v}")
    return x


def _per_stage_numbers(v, key: str, err: _Err, line: int, *, positive: bool) -> dict:
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


def _items(v, allowed: tuple[str, ...], what: str, err: _Err, line: int) -> dict:
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


def _per_stage_items(v, allowed: tuple[str, ...], what: str, err: _Err, line: int) -> dict:
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
