"""The county a data set describes: its name, code and bureau, its outline, and its own plan targets.

All of it is data, none of it code. The 说明 table names the county (:data:`META_NAME` 县名,
:data:`META_CODE` 行政区划代码, :data:`META_BUREAU` 教育行政部门); without 县名 every output says
:data:`NEUTRAL_NAME` (本县). The outline is the county's own 县界 layer, else the union of its
镇街边界, else — for 金乡's data only (行政区划代码 :data:`jxedu.core.config.DEMO_COUNTY_CODE`) — the
outline shipped with the package; otherwise there is none (:func:`county_outline`). The targets of
the county's plan (实施方案) come from its optional 规划目标 table: one row per target, keyed by the
documented list ``jxedu/data/plan_targets.csv`` (:func:`plan_keys`); a target the county did not set
does not exist (:func:`plan_target` returns ``None``), so no output shows one.

>>> from jxedu.core.county import plan_keys
>>> "plan_rotations_per_year" in plan_keys().index
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from jxedu.core import config
from jxedu.core.errors import SettingsError

__all__ = [
    "META_BUREAU",
    "META_CODE",
    "META_NAME",
    "NEUTRAL_NAME",
    "PLAN_ALLIANCE",
    "PLAN_DROPOUT",
    "PLAN_HONOURS",
    "PLAN_PE_ART",
    "PLAN_ROTATIONS",
    "PLAN_SMART_CAMPUS",
    "PLAN_SPANS",
    "PLAN_TARGET_YEAR",
    "PLAN_TARGETS_CSV",
    "Outline",
    "PlanTarget",
    "builtin_outline",
    "county_outline",
    "plan_keys",
    "plan_target",
    "plan_unit_factor",
]

#: 说明 items of the county profile.
META_NAME, META_CODE, META_BUREAU = "县名", "行政区划代码", "教育行政部门"
#: What every title says when the data do not name the county.
NEUTRAL_NAME = "本县"
#: Keys of the documented plan targets that code reads (``jxedu/data/plan_targets.csv``).
PLAN_PE_ART = "plan_pe_art_per_100_every_school"
PLAN_ROTATIONS = "plan_rotations_per_year"
PLAN_HONOURS = "plan_honoured_teachers_per_year"
PLAN_SMART_CAMPUS = "plan_smart_campus_coverage"
PLAN_TARGET_YEAR = "plan_target_year"
PLAN_DROPOUT = "plan_dropout_open"
PLAN_ALLIANCE = "plan_alliance_rural_coverage"
#: The documented list of plan targets.
PLAN_TARGETS_CSV = config.PACKAGE_DATA_DIR / "plan_targets.csv"
#: How a 规划目标 row applies to school years (column ``span`` of :data:`PLAN_TARGETS_CSV`).
PLAN_SPANS: tuple[str, ...] = ("yearly", "level", "deadline", "date")
#: Units a 规划目标 row may write for a documented unit, with the factor to the documented one.
_UNIT_SPELLINGS: dict[str, dict[str, float]] = {
    "比例": {"比例": 1.0, "%": 0.01, "％": 0.01, "百分比": 0.01},
    "人": {"人": 1.0, "名": 1.0},
    "人/百生": {"人/百生": 1.0, "人/百名学生": 1.0, "人/每百名学生": 1.0},
    "年": {"年": 1.0},
}
_OPS = (">=", "<=", ">", "<")


@lru_cache(maxsize=1)
def plan_keys() -> pd.DataFrame:
    """The documented plan targets (``jxedu/data/plan_targets.csv``), indexed by key.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, unit, op, span, label, meaning``.

    Raises
    ------
    SettingsError
        A key or name defined twice, an unknown ``op`` or ``span``.
    """
    df = pd.read_csv(PLAN_TARGETS_CSV, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    for col in ("key", "name"):
        if df[col].duplicated().any():
            raise SettingsError(f"规划目标项重复 (duplicate_plan_key): {df.loc[df[col].duplicated(), col].tolist()}")
    bad = sorted(set(df["op"]) - set(_OPS)) + sorted(set(df["span"]) - set(PLAN_SPANS))
    if bad:
        raise SettingsError(f"规划目标项表取值无效 (bad_plan_key): {bad}")
    return df.set_index("key")


def plan_unit_factor(key: str, unit: str | None) -> float | None:
    """The factor turning a 目标值 written in ``unit`` into the documented unit of ``key`` (1 for a
    blank unit), or ``None`` when the unit does not fit (``%`` for a 比例 gives 0.01)."""
    documented = str(plan_keys().loc[key, "unit"])
    if unit is None or (isinstance(unit, float) and math.isnan(unit)) or not str(unit).strip():
        return 1.0
    given = str(unit).strip()
    return _UNIT_SPELLINGS.get(documented, {documented: 1.0}).get(given)


@dataclass(frozen=True)
class PlanTarget:
    """One target of the county's plan, as the 规划目标 table sets it.

    Attributes
    ----------
    key
        The documented key (:func:`plan_keys`).
    value
        The target in the documented unit (a share 0–1 for 比例; a year for ``plan_target_year``).
    unit, op, span, name, label
        From the documented list.
    document
        The plan's 文号 (e.g. 某政办字〔2024〕20号); empty when the row gives none.
    start, end
        The school years the row covers (``None``: open).
    """

    key: str
    value: float
    unit: str
    op: str
    span: str
    name: str
    label: str
    document: str = ""
    start: int | None = None
    end: int | None = None

    def covers(self, year: int) -> bool:
        """Whether the target applies in school year ``year`` (a deadline applies from its start on)."""
        if self.span == "date":
            return True
        if self.start is not None and year < self.start:
            return False
        return self.span == "deadline" or self.end is None or year <= self.end

    def meets(self, figure) -> bool:
        """Whether a figure reaches the target (the target's own comparison)."""
        import operator

        return bool({">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}[self.op](
            float(figure), self.value))


def _year(v) -> int | None:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)


def plan_target(table: pd.DataFrame | None, key: str, year: int) -> PlanTarget | None:
    """The target ``key`` of a 规划目标 table that applies in ``year`` (``None`` when the county set none).

    Parameters
    ----------
    table
        The loaded 规划目标 table (``key, value, unit, document, start_year, end_year``) or ``None``.
    key
        A key of :func:`plan_keys`.
    year
        The school year assessed.

    Returns
    -------
    PlanTarget or None

    Raises
    ------
    SettingsError
        ``key`` is not a documented plan target.
    """
    keys = plan_keys()
    if key not in keys.index:
        raise SettingsError(f"未知的规划目标项 (unknown_plan_key): {key}；可用：{'、'.join(keys.index)}")
    if table is None or not len(table):
        return None
    info = keys.loc[key]
    rows = table[(table["key"] == key) & table["value"].notna()]
    found = []
    for r in rows.itertuples(index=False):
        factor = plan_unit_factor(key, getattr(r, "unit", None))
        if factor is None:  # the reader reports it; such a row sets nothing
            continue
        doc = getattr(r, "document", "")
        t = PlanTarget(key=key, value=float(r.value) * factor, unit=str(info["unit"]), op=str(info["op"]),
                       span=str(info["span"]), name=str(info["name"]), label=str(info["label"]),
                       document="" if doc is None or pd.isna(doc) else str(doc).strip(),
                       start=_year(getattr(r, "start_year", None)), end=_year(getattr(r, "end_year", None)))
        if t.covers(int(year)):
            found.append(t)
    if not found:
        return None
    # overlapping rows are an error of the reader; the latest start wins otherwise
    return max(found, key=lambda t: -math.inf if t.start is None else t.start)


# --- the outline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outline:
    """The county outline: one shapely (multi)polygon in WGS-84 degrees, and where it comes from.

    ``source``: ``county_layer`` (the data's 县界 layer), ``townships`` (the union of 镇街边界) or
    ``builtin`` (the outline shipped for the county's 行政区划代码).
    """

    geometry: object
    source: str

    @property
    def source_text(self) -> str:
        """Where the outline comes from, as a message names it."""
        return {"county_layer": "“县界”图层", "townships": "“镇街边界”图层的范围",
                "builtin": "内置县界"}[self.source]


#: Outlines shipped with the package, by 行政区划代码 (GCJ-02 lon/lat files).
BUILTIN_OUTLINES = {config.DEMO_COUNTY_CODE: config.DEMO_COUNTY_OUTLINE}


@lru_cache(maxsize=4)
def builtin_outline(code: str):
    """The shipped outline of the county with 行政区划代码 ``code`` in WGS-84, or ``None``."""
    path = BUILTIN_OUTLINES.get(str(code).strip())
    if path is None:
        return None
    import geopandas as gpd
    import shapely

    from jxedu.core.coords import shift_geometry

    gdf = gpd.read_file(path, engine="pyogrio")
    return shift_geometry(shapely.union_all(gdf.geometry.to_numpy()), to="WGS84")


def county_outline(*, layer=None, townships=None, code: str | None = None) -> Outline | None:
    """The county outline: the 县界 layer, else the union of 镇街边界, else the shipped outline of the
    county's 行政区划代码, else ``None``.

    Parameters
    ----------
    layer
        The data's 县界 layer (GeoDataFrame, any CRS) or ``None``.
    townships
        The 镇街边界 layer or ``None``.
    code
        The 说明 item 行政区划代码.

    Returns
    -------
    Outline or None
    """
    import shapely

    for source, gdf in (("county_layer", layer), ("townships", townships)):
        if gdf is not None and len(gdf):
            geoms = gdf.to_crs(config.WGS84).geometry.make_valid().to_numpy()
            return Outline(shapely.union_all(geoms), source)
    if code:
        geom = builtin_outline(str(code))
        if geom is not None:
            return Outline(geom, "builtin")
    return None
