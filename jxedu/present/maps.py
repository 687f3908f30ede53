"""Interactive maps of the school layout (folium / Leaflet), readable in Chinese and usable offline.

:func:`county_map` draws the schools of one school year (one layer per kind of school, circles
sized by compulsory-stage enrolment and coloured by indicator status or enrolment band), the 镇街
boundaries, the villages' school-age population, catchments and school-bus routes, with Chinese
popups, a legend, a layer control and a search box. The ``add_*`` functions draw one layer from a
GeoDataFrame, so notebooks can put the results of :mod:`jxedu.analysis.access` and :mod:`jxedu.analysis.bus` on a map.

Coordinates
    Layers are given in WGS-84 (or any CRS geopandas can convert). On the 高德 base map every drawn
    point and line is shifted to GCJ-02 for display (:func:`jxedu.core.coords.wgs84_to_gcj02`); the
    data are never changed. OpenStreetMap and 天地图 use WGS-84/CGCS2000 as they are.

Escaping
    Every text that comes from the data (school, village, route names …) is HTML-escaped before it
    goes into a popup, tooltip or legend (:func:`esc`), so a school called ``<script>…`` shows as
    text.

Offline use
    folium loads Leaflet, jQuery and the search plugin from CDNs (often unreachable from a county
    intranet). :func:`save_map` (``offline=True``, the default) inlines the local copy shipped in
    ``jxedu/static`` (or the folder of the ``leaflet_assets`` setting) into the HTML file, which
    then opens without any network. Passing ``leaflet_assets=`` to :func:`county_map` makes the map
    offline in JupyterLab too. Base-map tiles always need the network; ``basemap=None`` draws none.

Typical use::

    from jxedu.present import maps
    m = maps.county_map(ds, basemap="amap")
    maps.save_map(m, "reports/2024/学校布局.html")
"""

from __future__ import annotations

import base64
import html
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.plugins import Search
from folium.template import Template

from jxedu.analysis import access, bus, indicators
from jxedu.core import config
from jxedu.core.coords import wgs84_to_gcj02
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, EnvironmentSetupError, SettingsError
from jxedu.core.schema import COMPULSORY_STAGES, FACILITIES, LABELS, STAGE_STATS
from jxedu.core.schema import STAGES_OF_TYPE as _STAGES_OF_TYPE

__all__ = [
    "BASEMAPS",
    "LAYERS",
    "SCHOOL_GROUPS",
    "STATIC_DIR",
    "add_bus_routes",
    "add_bus_stops",
    "add_catchments",
    "add_legend",
    "add_schools",
    "add_townships",
    "add_villages",
    "access_headline",
    "base_map",
    "beyond_walk_table",
    "catchment_map",
    "county_map",
    "fit",
    "layout_headline",
    "save_map",
    "school_counts",
    "township_access",
    "enrolment_band",
    "esc",
    "inline_assets",
    "normalise_status",
    "school_table",
]

#: The local copy of Leaflet and the plugins used (see ``jxedu/static/README.md``).
STATIC_DIR: Path = config.PACKAGE_DIR / "static"

# --- vocabularies ----------------------------------------------------------------------------

#: Map layer of each kind of school: layer key -> school types (codes of :mod:`jxedu.core.schema`).
SCHOOL_GROUPS: dict[str, tuple[str, ...]] = {
    "primary": ("primary",),
    "junior": ("junior",),
    "through": ("nine_year", "twelve_year", "complete_middle"),
    "teaching_point": ("teaching_point",),
}
#: Chinese layer names of :data:`SCHOOL_GROUPS`.
GROUP_LABELS: dict[str, str] = {
    "primary": "小学",
    "junior": "初中",
    "through": "一贯制学校",
    "teaching_point": "教学点",
}
_GROUP_OF_TYPE: dict[str, str] = {t: g for g, types in SCHOOL_GROUPS.items() for t in types}

#: Layers :func:`county_map` can draw (``layers=`` keys).
LAYERS: tuple[str, ...] = ("schools", "townships", "villages", "catchments", "bus")

#: Compulsory stages (enrolment shown and used for marker size).
_COMPULSORY = COMPULSORY_STAGES


def _palette():
    """Colours of the shared style (:mod:`jxedu.present.style`)."""
    from jxedu.present import style as plotting

    return plotting


def group_colors() -> dict[str, str]:
    """Outline colour of each school layer (小学 blue, 初中 orange, 一贯制 purple, 教学点 grey)."""
    p = _palette()
    return {
        "primary": p.STAGE_COLORS["primary"],
        "junior": p.STAGE_COLORS["junior"],
        "through": p.STAGE_COLORS["senior"],
        "teaching_point": "#4D4D4D",
    }


#: Enrolment bands (used for the fill colour before indicator results exist): key -> colour.
BAND_COLORS: dict[str, str] = {
    "small": "#C6DBEF",  # fewer than the small-school funding floor (100)
    "medium": "#6BAED6",
    "large": "#2171B5",
    "over": "#C62828",  # above the school-size cap of the standard
    "nodata": "#BDBDBD",
}

#: Village dots: within / beyond the walking limit (kept apart from the 达标/未达标 colours).
VILLAGE_COLORS: dict[str, str] = {
    "within": "#90A4AE",  # blue grey
    "within_edge": "#546E7A",
    "beyond": "#AB47BC",  # purple
    "beyond_edge": "#6A1B9A",
}

# --- base maps -------------------------------------------------------------------------------

_OSM_ATTR = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> 贡献者 (contributors)'
)
_AMAP_ATTR = '&copy; <a href="https://www.amap.com/">高德地图</a> (AutoNavi)'
_TIANDITU_ATTR = '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a> 国家地理信息公共服务平台'
_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={key}"
)

#: Base maps: key -> (Chinese name, coordinate system drawn in).
BASEMAPS: dict[str | None, tuple[str, str]] = {
    "osm": ("OpenStreetMap", "WGS84"),
    "amap": ("高德地图", "GCJ02"),
    "tianditu": ("天地图", "WGS84"),
    None: ("无底图", "WGS84"),
}

# --- sizes -----------------------------------------------------------------------------------

SCHOOL_RADIUS_MIN = 3.0  # pixels, a school with no pupils
SCHOOL_RADIUS_PER_SQRT = 0.3  # pixels per sqrt(pupil): 100 pupils -> 6 px, 2000 -> 16.4 px
SCHOOL_RADIUS_MAX = 24.0  # pixels
VILLAGE_RADIUS_MIN = 1.5  # pixels
VILLAGE_RADIUS_PER_SQRT = 0.3  # pixels per sqrt(pupil): 100 pupils -> 4.5 px
VILLAGE_RADIUS_MAX = 12.0  # pixels
TOWNSHIP_SIMPLIFY_M = 40.0  # metres, tolerance of the boundary simplification (in UTM 50N)
CATCHMENT_SIMPLIFY_M = 40.0  # metres
ROUTE_SIMPLIFY_M = 15.0  # metres
COORD_DECIMALS = 6  # decimal places of drawn lon/lat (1e-6 deg ~ 0.1 m)


def school_radius(students) -> np.ndarray:
    """Marker radius in pixels for a compulsory-stage enrolment (square-root scale).

    ``r = 3 + 0.3 * sqrt(students)``, at most 24 px: the marker's area grows with the number of
    pupils.
    """
    s = np.clip(np.asarray(students, dtype=float), 0, None)
    s = np.nan_to_num(s, nan=0.0)
    return np.minimum(SCHOOL_RADIUS_MIN + SCHOOL_RADIUS_PER_SQRT * np.sqrt(s), SCHOOL_RADIUS_MAX)


def village_radius(pupils) -> np.ndarray:
    """Marker radius in pixels for a village's pupils (square-root scale, at most 12 px)."""
    s = np.nan_to_num(np.clip(np.asarray(pupils, dtype=float), 0, None), nan=0.0)
    return np.minimum(VILLAGE_RADIUS_MIN + VILLAGE_RADIUS_PER_SQRT * np.sqrt(s), VILLAGE_RADIUS_MAX)


# --- escaping --------------------------------------------------------------------------------


def esc(value) -> str:
    """HTML-escape a value from the data for a popup, tooltip or legend.

    Besides ``& < > " '`` the characters `` ` ``, ``$`` and ``\\`` are replaced by character
    references too, because folium places popup and tooltip HTML inside JavaScript template
    literals (where ``${…}`` would run and a backslash would start an escape).

    Parameters
    ----------
    value
        Any value; ``None``/NaN give ``""``.

    Returns
    -------
    str
    """
    if value is None:
        return ""
    if not isinstance(value, (str, list, tuple, dict)) and pd.isna(value):
        return ""
    text = html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _fmt_int(value) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{int(round(float(value))):,}"


def _fmt_km(metres) -> str:
    if metres is None or pd.isna(metres):
        return "—"
    return f"{float(metres) / 1000:.2f} 公里"


def _table_html(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Popup HTML: a bold title and a two-column table. Every piece is escaped here."""
    cells = "".join(
        f'<tr><th style="text-align:left;padding-right:8px;white-space:nowrap;">{esc(k)}</th>'
        f"<td>{esc(v)}</td></tr>"
        for k, v in rows
    )
    return (
        '<div style="font-family:sans-serif;font-size:13px;">'
        f'<div style="font-weight:bold;font-size:14px;margin-bottom:4px;">{esc(title)}</div>'
        f"<table>{cells}</table></div>"
    )


# --- school table ----------------------------------------------------------------------------


def _status_value(value) -> str | None:
    """One status value -> ``"pass"``/``"near"``/``"fail"``/``None`` (not assessed)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return "pass" if value else "fail"
    text = str(value).strip()
    table = {
        "达标": "pass",
        "pass": "pass",
        "通过": "pass",
        "接近达标": "near",
        "near": "near",
        "未达标": "fail",
        "不达标": "fail",
        "fail": "fail",
        "不参评": None,
        "未参评": None,
        "": None,
    }
    if text not in table:
        raise DataError(
            f"学校达标情况的取值无法识别 (bad_status): {text}；可用：达标、接近达标、未达标、不参评"
        )
    return table[text]


_STATUS_RANK = {"pass": 0, "near": 1, "fail": 2}
#: Label of a school without an indicator result (not assessed, e.g. 教学点 under 50, or no data).
_NO_STATUS = "未参评或无结果"


def normalise_status(school_status) -> dict[str, str | None]:
    """Per-school status from a mapping, Series or DataFrame.

    Parameters
    ----------
    school_status
        * a mapping or Series ``school_id -> "达标"/"未达标"`` (also ``"接近达标"``, ``"不参评"``,
          ``True``/``False`` or ``"pass"``/``"near"``/``"fail"``), or
        * a DataFrame with a ``school_id`` column and one of the columns ``status``, ``passes``,
          ``passed``, ``pass`` (e.g. ``jxedu.analysis.indicators.resource_indicators``: one row per school
          and stage).

        A school with several rows (one per 学段) gets its worst status: a 九年一贯制学校 passes only
        when both of its 部 pass.

    Returns
    -------
    dict
        ``school_id -> "pass" | "near" | "fail" | None``.
    """
    if isinstance(school_status, pd.DataFrame):
        col = next(
            (c for c in ("status", "passes", "passed", "pass") if c in school_status.columns), None
        )
        if "school_id" not in school_status.columns or col is None:
            raise DataError(
                "学校达标情况表需要列 school_id 与 status/passes (missing_column): "
                f"现有列：{'、'.join(map(str, school_status.columns))}"
            )
        pairs = zip(school_status["school_id"].astype(str), school_status[col], strict=True)
    elif isinstance(school_status, pd.Series):
        pairs = zip(school_status.index.astype(str), school_status.to_numpy(), strict=True)
    elif isinstance(school_status, Mapping):
        pairs = ((str(k), v) for k, v in school_status.items())
    else:
        raise DataError(
            "school_status 应为字典、Series 或 DataFrame (bad_status_table): "
            f"{type(school_status).__name__}"
        )
    out: dict[str, str | None] = {}
    for sid, value in pairs:
        status = _status_value(value)
        old = out.get(sid)
        if sid not in out or (
            status is not None and (old is None or _STATUS_RANK[status] > _STATUS_RANK[old])
        ):
            out[sid] = status
    return out


def _size_caps() -> dict[str, float]:
    """School-size caps (students, compulsory stages) from the standards table."""
    from jxedu.core import standards

    return {
        "single_stage": standards.threshold("school_size_max", "single_stage"),  # students
        "through": standards.threshold("school_size_max", "through"),  # students
        "small": standards.threshold("small_school_funded_as"),  # students
    }


_BAND_MEDIUM_MAX = 999  # students: upper end of the 100–999 band (display only)


def enrolment_band(students, school_type: str, *, has_stats: bool = True) -> str:
    """Enrolment band of a school for colouring before indicator results exist.

    Bands: ``small`` under the small-school funding floor (100 students, standards table),
    ``medium`` up to 999, ``large`` up to the school-size cap of the standard (2000; 2500 for 九年/
    十二年一贯制), ``over`` above it, ``nodata`` without 学段统计 rows for the year.

    Parameters
    ----------
    students
        Compulsory-stage students.
    school_type
        Type code (:data:`jxedu.core.schema.SCHOOL_TYPES` values).
    has_stats
        Whether the school has statistics for the year.

    Returns
    -------
    str
    """
    if not has_stats or students is None or pd.isna(students):
        return "nodata"
    caps = _size_caps()
    cap = caps["through"] if school_type in ("nine_year", "twelve_year") else caps["single_stage"]
    if students < caps["small"]:
        return "small"
    if students <= _BAND_MEDIUM_MAX:
        return "medium"
    if students <= cap:
        return "large"
    return "over"


def band_labels() -> dict[str, str]:
    """Chinese legend labels of the enrolment bands."""
    caps = _size_caps()
    return {
        "small": f"不足{caps['small']:.0f}人",
        "medium": f"{caps['small']:.0f}–{_BAND_MEDIUM_MAX}人",
        "large": f"{_BAND_MEDIUM_MAX + 1}人至规模上限",
        "over": f"超过规模上限（{caps['single_stage']:.0f}人；九年/十二年一贯制{caps['through']:.0f}人）",
        "nodata": "本学年无统计",
    }


def _indicator_status(ds: Dataset, year: int) -> dict[str, str | None] | None:
    """Per-school pass/fail from :mod:`jxedu.analysis.indicators` when that module and its tables exist.

    A school passes when every one of its assessed units (小学部, 初中部) passes; schools left out of
    the assessment (e.g. 教学点 under 50 students) get no status.
    """
    for table in (FACILITIES, STAGE_STATS):
        frame = getattr(ds, table.key)
        if frame is None or frame.empty:
            return None
        if any(c.required and c.key not in frame.columns for c in table.columns):
            return None
    ind = indicators.resource_indicators(ds, year=year)
    return normalise_status(ind[["school_id", "passes"]])


def school_table(ds: Dataset, *, year: int | None = None, school_status=None) -> gpd.GeoDataFrame:
    """One row per school with its enrolment of the year, for maps.

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` = latest.
    school_status
        Optional per-school status (see :func:`normalise_status`).

    Returns
    -------
    geopandas.GeoDataFrame
        WGS-84 points with columns ``school_id, name, school_type, group, township, urban_rural,
        students_primary, students_junior, students_senior, students`` (小学 + 初中),
        ``classes`` (小学 + 初中), ``teachers`` (all stages), ``has_stats``, ``status``
        (``pass``/``near``/``fail``/None), ``band``, ``x``, ``y`` (UTM 50N metres).
    """
    y = ds.year_or_latest(year)
    schools = ds.schools.copy()
    schools["school_id"] = schools["school_id"].astype(str)
    st = ds.stage_stats[ds.stage_stats["year"] == y].copy()
    st["school_id"] = st["school_id"].astype(str)
    students = st.pivot_table(index="school_id", columns="stage", values="students", aggfunc="sum")
    compulsory = st[st["stage"].isin(_COMPULSORY)]
    classes = compulsory.groupby("school_id")["classes"].sum()
    teachers = st.groupby("school_id")["teachers"].sum()
    sid = schools["school_id"]
    for stage in ("primary", "junior", "senior"):
        col = students[stage] if stage in students.columns else pd.Series(dtype=float)
        schools[f"students_{stage}"] = sid.map(col).fillna(0).astype(int).to_numpy()
    schools["students"] = schools["students_primary"] + schools["students_junior"]
    schools["classes"] = sid.map(classes).fillna(0).astype(int).to_numpy()
    schools["teachers"] = sid.map(teachers).fillna(0).astype(int).to_numpy()
    schools["has_stats"] = sid.isin(set(st["school_id"])).to_numpy()
    schools["group"] = schools["school_type"].map(_GROUP_OF_TYPE)
    status = normalise_status(school_status) if school_status is not None else _indicator_status(ds, y)
    status = status or {}
    schools["status"] = pd.Series([status.get(s) for s in sid], index=schools.index, dtype=object)
    schools["band"] = [
        enrolment_band(n, t, has_stats=h)
        for n, t, h in zip(schools["students"], schools["school_type"], schools["has_stats"], strict=True)
    ]
    schools.attrs["year"] = y
    schools.attrs["has_status"] = bool(status)
    return schools


# --- geometry for display --------------------------------------------------------------------


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        return gdf.set_crs(config.WGS84)
    if gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(config.WGS84)
    return gdf


def _simplify(geoms: gpd.GeoSeries, tolerance_m: float | None) -> gpd.GeoSeries:
    """Simplify geometry in UTM 50N; polygons forming a clean coverage keep shared edges."""
    if not tolerance_m:
        return geoms
    utm = geoms.to_crs(config.UTM50N)
    arr = utm.values
    polygonal = bool(len(arr)) and bool(np.all(np.isin(shapely.get_type_id(arr), (3, 6))))
    if polygonal and bool(shapely.coverage_is_valid(arr)):
        out = shapely.coverage_simplify(arr, tolerance_m)
    else:
        out = shapely.simplify(arr, tolerance_m, preserve_topology=True)
    return gpd.GeoSeries(out, index=geoms.index, crs=config.UTM50N).to_crs(config.WGS84)


def _display_geoms(
    gdf: gpd.GeoDataFrame, gcj: bool, *, simplify_m: float | None = None
) -> gpd.GeoSeries:
    """Geometry as drawn: WGS-84 (or GCJ-02 for 高德), simplified, rounded to 1e-6 degrees."""
    geoms = _simplify(_to_wgs84(gdf).geometry, simplify_m)

    def move(coords: np.ndarray) -> np.ndarray:
        lon, lat = coords[:, 0], coords[:, 1]
        if gcj:
            lon, lat = wgs84_to_gcj02(lon, lat)
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS)

    return gpd.GeoSeries(shapely.transform(geoms.values, move), index=geoms.index, crs=config.WGS84)


def _is_gcj(m: folium.Map) -> bool:
    return getattr(m, "jxedu_crs", "WGS84") == "GCJ02"


def _feature_collection(geoms: gpd.GeoSeries, props: list[dict]) -> dict:
    feats = []
    for i, (g, p) in enumerate(zip(geoms, props, strict=True)):
        if g is None or g.is_empty:
            continue
        feats.append({"type": "Feature", "id": i, "geometry": shapely.geometry.mapping(g), "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _first_col(df: pd.DataFrame, candidates: Iterable[str]) -> str | None:
    return next((c for c in candidates if c in df.columns), None)


def _extend_bounds(m: folium.Map, geoms: gpd.GeoSeries) -> None:
    geoms = geoms[~(geoms.is_empty | geoms.isna())]
    if len(geoms) == 0:
        return
    minx, miny, maxx, maxy = geoms.total_bounds
    old = getattr(m, "jxedu_bounds", None)
    if old is not None:
        minx, miny = min(minx, old[0]), min(miny, old[1])
        maxx, maxy = max(maxx, old[2]), max(maxy, old[3])
    m.jxedu_bounds = (float(minx), float(miny), float(maxx), float(maxy))


# --- layers ----------------------------------------------------------------------------------


class _LayerIndex(folium.FeatureGroup):
    """A feature group of existing layers, not shown and not in the layer control: the index the
    search box looks school names up in (leaflet-search walks nested groups)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup([
            {%- for layer in this.members %}{{ layer.get_name() }}{% if not loop.last %}, {% endif %}{% endfor -%}
        ]);
        {% endmacro %}
        """
    )

    def __init__(self, members: list[folium.FeatureGroup]) -> None:
        super().__init__(name="学校检索", control=False, show=False)
        self._name = "LayerIndex"
        self.members = list(members)


class _SearchLocale(MacroElement):
    """Chinese texts of the leaflet-search control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.Control.Search.mergeOptions({textErr: '未找到该学校', textCancel: '取消',
                                       textPlaceholder: '搜索学校名称…'});
        {% endmacro %}
        """
    )


def add_schools(
    m: folium.Map,
    schools: gpd.GeoDataFrame,
    *,
    search: bool = True,
    color_by: str | None = None,
) -> dict[str, folium.FeatureGroup]:
    """Draw schools: one layer per kind (小学, 初中, 一贯制学校, 教学点), circles sized by enrolment.

    Parameters
    ----------
    m
        The map (from :func:`county_map` or :func:`base_map`).
    schools
        Output of :func:`school_table` (or a GeoDataFrame with its columns).
    search
        Add a search box on school names.
    color_by
        ``"status"`` (达标 / 未达标) or ``"band"`` (enrolment band); ``None`` = status when any
        school has one, else band.

    Returns
    -------
    dict
        Layer key -> FeatureGroup.
    """
    if color_by is None:
        color_by = "status" if schools["status"].notna().any() else "band"
    p = _palette()
    colors = group_colors()
    geoms = _display_geoms(schools, _is_gcj(m))
    _extend_bounds(m, geoms)
    radius = school_radius(schools["students"])
    year = schools.attrs.get("year")
    groups: dict[str, folium.FeatureGroup] = {}
    for key, label in GROUP_LABELS.items():
        groups[key] = folium.FeatureGroup(name=f"{label}", show=True)
    for i, (idx, row) in enumerate(schools.iterrows()):
        key = row["group"] if row["group"] in groups else "primary"
        g = geoms.loc[idx]
        if g is None or g.is_empty:
            continue
        if color_by == "status":
            fill = p.STATUS_COLORS[row["status"]] if row["status"] else p.NEUTRAL_COLOR
        else:
            fill = BAND_COLORS[row["band"]]
        status_text = p.STATUS_LABELS[row["status"]] if row["status"] else _NO_STATUS
        rows = [
            ("学校标识码", row["school_id"]),
            ("办学类型", LABELS.get(row["school_type"], row["school_type"])),
            ("所属镇街", row.get("township")),
            ("城乡分类", LABELS.get(row.get("urban_rural"), row.get("urban_rural"))),
            ("学年", f"{year}学年" if year is not None else "—"),
        ]
        if row.get("has_stats", True):
            rows.append(("在校生数（义务教育）", f"{_fmt_int(row['students'])} 人"))
            for stage in ("primary", "junior", "senior"):
                n = row.get(f"students_{stage}", 0)
                if n:
                    rows.append((f"　其中{LABELS[stage]}", f"{_fmt_int(n)} 人"))
            rows.append(("班级数（义务教育）", f"{_fmt_int(row['classes'])} 个"))
            rows.append(("专任教师数", f"{_fmt_int(row.get('teachers'))} 人"))
        else:
            rows.append(("在校生数", "本学年无学段统计"))
        rows.append(("达标情况", status_text))
        popup = folium.Popup(_table_html(row["name"], rows), max_width=360)
        tip = f"{esc(row['name'])}（{_fmt_int(row['students'])}人）"
        marker = folium.CircleMarker(
            location=[g.y, g.x],
            radius=round(float(radius[i]), 1),
            color=colors[key],
            weight=2,
            fill=True,
            fill_color=fill,
            fill_opacity=0.85,
            class_name=f"jx-school jx-school-{key}",
            popup=popup,
            tooltip=folium.Tooltip(tip),
        )
        marker.options["jxName"] = esc(row["name"])
        marker.add_to(groups[key])
    for fg in groups.values():
        fg.add_to(m)
    if search:
        index = _LayerIndex(list(groups.values()))
        index.add_to(m)
        _SearchLocale().add_to(m)
        Search(
            layer=index,
            search_label="jxName",
            placeholder="搜索学校名称…",
            collapsed=False,
            position="topleft",
            search_zoom=15,
        ).add_to(m)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "schools": color_by}
    m.jxedu_statuses = set(schools["status"].dropna())
    return groups


def add_townships(
    m: folium.Map,
    townships: gpd.GeoDataFrame,
    *,
    highlight: str | None = None,
    name: str = "镇街边界",
    labels: bool = True,
    simplify_m: float = TOWNSHIP_SIMPLIFY_M,
) -> folium.FeatureGroup:
    """Draw 镇街 boundaries (simplified in UTM 50N) with their names.

    Parameters
    ----------
    m
        The map.
    townships
        Polygons with a ``township`` column.
    highlight
        A 镇街 drawn stronger (the others light).
    name
        Layer name.
    labels
        Write each 镇街 name at a point inside it.
    simplify_m
        Simplification tolerance in metres.

    Returns
    -------
    folium.FeatureGroup
    """
    geoms = _display_geoms(townships, _is_gcj(m), simplify_m=simplify_m)
    names = townships["township"].astype(str).tolist()
    props = [{"name": esc(n), "hl": n == highlight} for n in names]
    fc = _feature_collection(geoms, props)
    fg = folium.FeatureGroup(name=name, show=True)

    def style(feature):
        hl = feature["properties"]["hl"]
        return {
            "color": "#333333" if hl else "#666666",
            "weight": 3 if hl else 1.2,
            "fillColor": "#FFF3C4" if hl else "#FFFFFF",
            "fillOpacity": 0.25 if hl else 0.05,
            "dashArray": None if hl else "4 3",
        }

    folium.GeoJson(
        fc,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["镇街"], sticky=False),
        name=name,
    ).add_to(fg)
    if labels:
        for g, n in zip(geoms, names, strict=True):
            if g is None or g.is_empty:
                continue
            pt = g.representative_point()
            folium.Marker(
                [pt.y, pt.x],
                icon=folium.DivIcon(
                    html=(
                        '<div style="font-size:12px;font-weight:bold;color:#444;white-space:nowrap;'
                        'text-shadow:0 0 3px #fff,0 0 3px #fff;transform:translate(-50%,-50%);">'
                        f"{esc(n)}</div>"
                    ),
                    icon_size=(0, 0),
                ),
                interactive=False,
            ).add_to(fg)
    fg.add_to(m)
    if highlight is None:
        _extend_bounds(m, geoms)
    else:
        _extend_bounds(m, geoms[[n == highlight for n in names]])
    return fg


def add_villages(
    m: folium.Map,
    villages: gpd.GeoDataFrame,
    *,
    name: str = "村居学龄人口",
    show: bool = True,
    demand_col: str = "demand",
    schools: pd.DataFrame | None = None,
) -> folium.FeatureGroup:
    """Draw villages as small circles sized by pupils; red when beyond walking distance.

    Parameters
    ----------
    m
        The map.
    villages
        Points with ``demand`` (pupils), optional ``name``, ``township``, ``assigned_school_id``,
        ``distance_m``, ``beyond_walk`` (output of ``jxedu.analysis.access.village_access``).
    name
        Layer name.
    show
        Visible when the map opens.
    demand_col
        Column of pupils.
    schools
        School table (``school_id``, ``name``) to show the assigned school's name.

    Returns
    -------
    folium.FeatureGroup
    """
    if demand_col not in villages.columns:
        raise DataError(f"村居图层缺少学龄人口列 (missing_column): {demand_col}")
    geoms = _display_geoms(villages, _is_gcj(m))
    school_names = {}
    if schools is not None:
        school_names = dict(zip(schools["school_id"].astype(str), schools["name"], strict=True))
    beyond = villages["beyond_walk"] if "beyond_walk" in villages.columns else pd.Series(False, index=villages.index)
    props = []
    for idx, row in villages.iterrows():
        far = bool(beyond.loc[idx]) if pd.notna(beyond.loc[idx]) else False
        props.append(
            {
                "name": esc(row.get("name", row.get("village_id", ""))),
                "township": esc(row.get("township", "")),
                "demand": f"{_fmt_int(row[demand_col])} 人",
                "school": esc(_assigned_name(row, school_names)),
                "distance": _fmt_km(row.get("distance_m")),
                "walk": "超出步行距离" if far else "步行范围内",
                "_r": round(float(village_radius(row[demand_col])), 1),
                "_far": far,
            }
        )
    fc = _feature_collection(geoms, props)
    fg = folium.FeatureGroup(name=name, show=show)
    fields, aliases = ["name", "township", "demand"], ["村居", "所属镇街", "学龄人口"]
    if "assigned_school_id" in villages.columns:
        fields.append("school"), aliases.append("划片/就近学校")
    if "distance_m" in villages.columns:
        fields.append("distance"), aliases.append("距离")
    if "beyond_walk" in villages.columns:
        fields.append("walk"), aliases.append("步行")

    def style(feature):
        far = feature["properties"]["_far"]
        return {
            "radius": feature["properties"]["_r"],
            "color": VILLAGE_COLORS["beyond_edge"] if far else VILLAGE_COLORS["within_edge"],
            "fillColor": VILLAGE_COLORS["beyond"] if far else VILLAGE_COLORS["within"],
            "fillOpacity": 0.7,
            "weight": 1,
        }

    folium.GeoJson(
        fc,
        style_function=style,
        marker=folium.CircleMarker(radius=3, fill=True),
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=False),
        name=name,
    ).add_to(fg)
    fg.add_to(m)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "villages": "beyond_walk" in villages.columns}
    return fg


def _assigned_name(row: pd.Series, school_names: Mapping[str, str]) -> str:
    name = row.get("assigned_school_name")
    if name is not None and not pd.isna(name):
        return str(name)
    sid = row.get("assigned_school_id")
    if sid is None or pd.isna(sid):
        return "—"
    return str(school_names.get(str(sid), sid))


_CATEGORY_COLORS = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
    "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
)  # fmt: skip


def add_catchments(
    m: folium.Map,
    catchments: gpd.GeoDataFrame,
    *,
    name: str = "学校服务范围",
    show: bool = False,
    schools: pd.DataFrame | None = None,
    simplify_m: float = CATCHMENT_SIMPLIFY_M,
) -> folium.FeatureGroup:
    """Draw school catchments (service areas) as lightly filled polygons.

    Parameters
    ----------
    m
        The map.
    catchments
        Polygons with ``school_id``; optional ``name`` (school name), ``pupils`` (or ``demand``)
        and ``villages`` (or ``n_villages``: count of 村居), as ``jxedu.analysis.access.catchments`` returns.
    name
        Layer name.
    show
        Visible when the map opens.
    schools
        School table to look up school names when ``catchments`` has none.
    simplify_m
        Simplification tolerance in metres.

    Returns
    -------
    folium.FeatureGroup
    """
    geoms = _display_geoms(catchments, _is_gcj(m), simplify_m=simplify_m)
    names = {}
    if schools is not None:
        names = dict(zip(schools["school_id"].astype(str), schools["name"], strict=True))
    name_col = _first_col(catchments, ("school_name", "name"))
    pupils_col = _first_col(catchments, ("pupils", "demand"))
    count_col = _first_col(catchments, ("villages", "n_villages"))
    props = []
    for i, (_, row) in enumerate(catchments.iterrows()):
        sid = str(row.get("school_id", ""))
        label = row[name_col] if name_col else names.get(sid, sid)
        props.append(
            {
                "name": esc(label),
                "demand": f"{_fmt_int(row[pupils_col])} 人" if pupils_col else "—",
                "villages": _fmt_int(row[count_col]) if count_col else "—",
                "_c": _CATEGORY_COLORS[i % len(_CATEGORY_COLORS)],
            }
        )
    fc = _feature_collection(geoms, props)
    fg = folium.FeatureGroup(name=name, show=show)
    fields, aliases = ["name"], ["学校"]
    if pupils_col:
        fields.append("demand"), aliases.append("服务范围内学龄人口")
    if count_col:
        fields.append("villages"), aliases.append("村居数")
    folium.GeoJson(
        fc,
        style_function=lambda f: {
            "color": f["properties"]["_c"],
            "weight": 1.5,
            "fillColor": f["properties"]["_c"],
            "fillOpacity": 0.12,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        name=name,
    ).add_to(fg)
    fg.add_to(m)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "catchments": True}
    return fg


def _join_names(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return "、".join(str(v) for v in value) or "—"
    if pd.isna(value):
        return "—"
    return str(value)


def _route_label(row: pd.Series, i: int) -> str:
    """``short（long）`` from the GTFS route names, or whatever name there is."""
    parts = [
        str(row[c]) for c in ("route_name", "route_short_name", "route_long_name", "name")
        if c in row.index and row[c] is not None and not pd.isna(row[c]) and str(row[c]).strip()
    ]
    if not parts:
        return str(row.get("route_id", i + 1))
    return parts[0] if len(parts) == 1 else f"{parts[0]}（{parts[1]}）"


def add_bus_routes(
    m: folium.Map,
    routes: gpd.GeoDataFrame,
    *,
    name: str = "校车（公交助学）线路",
    show: bool = True,
    simplify_m: float = ROUTE_SIMPLIFY_M,
) -> folium.FeatureGroup:
    """Draw school-bus routes as coloured lines with their name and the schools they serve.

    Parameters
    ----------
    m
        The map.
    routes
        Lines with a route name (``route_name``, ``route_short_name``, ``route_long_name`` or
        ``name``) and optionally the schools served (``schools``, ``school_names`` or
        ``school_ids``: a list or a text).
    name
        Layer name.
    show
        Visible when the map opens.
    simplify_m
        Simplification tolerance in metres.

    Returns
    -------
    folium.FeatureGroup
    """
    geoms = _display_geoms(routes, _is_gcj(m), simplify_m=simplify_m)
    school_col = _first_col(routes, ("school_names", "schools", "school_ids"))
    props = []
    for i, (_, row) in enumerate(routes.iterrows()):
        props.append(
            {
                "name": esc(_route_label(row, i)),
                "schools": esc(_join_names(row[school_col])) if school_col else "—",
                "_c": _CATEGORY_COLORS[i % len(_CATEGORY_COLORS)],
            }
        )
    fc = _feature_collection(geoms, props)
    fg = folium.FeatureGroup(name=name, show=show)
    fields, aliases = ["name"], ["线路"]
    if school_col:
        fields.append("schools"), aliases.append("服务学校")
    folium.GeoJson(
        fc,
        style_function=lambda f: {"color": f["properties"]["_c"], "weight": 4, "opacity": 0.8},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        name=name,
    ).add_to(fg)
    fg.add_to(m)
    _extend_bounds(m, geoms)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "routes": True}
    return fg


def add_bus_stops(
    m: folium.Map,
    stops: gpd.GeoDataFrame,
    *,
    name: str = "校车站点",
    show: bool = True,
) -> folium.FeatureGroup:
    """Draw school-bus stops as small white circles with their name.

    Parameters
    ----------
    m
        The map.
    stops
        Points with ``stop_name`` (or ``name``) and optionally ``routes`` (served routes).
    name
        Layer name.
    show
        Visible when the map opens.

    Returns
    -------
    folium.FeatureGroup
    """
    geoms = _display_geoms(stops, _is_gcj(m))
    name_col = _first_col(stops, ("stop_name", "name", "stop_id"))
    route_col = _first_col(stops, ("route_names", "routes"))
    props = [
        {
            "name": esc(row[name_col]) if name_col else "",
            "routes": esc(_join_names(row[route_col])) if route_col else "—",
        }
        for _, row in stops.iterrows()
    ]
    fc = _feature_collection(geoms, props)
    fg = folium.FeatureGroup(name=name, show=show)
    fields, aliases = ["name"], ["站点"]
    if route_col:
        fields.append("routes"), aliases.append("线路")
    folium.GeoJson(
        fc,
        marker=folium.CircleMarker(radius=3, color="#212121", weight=1.5, fill=True, fill_color="#FFFFFF", fill_opacity=1),
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=False),
        name=name,
    ).add_to(fg)
    fg.add_to(m)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "stops": True}
    return fg


# --- legend ----------------------------------------------------------------------------------


class _Legend(MacroElement):
    """A Leaflet control holding the legend HTML (built from escaped pieces)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', 'jx-legend leaflet-control-layers');
            div.style.padding = '6px 8px';
            div.style.fontSize = '12px';
            div.style.lineHeight = '18px';
            div.style.maxWidth = '300px';
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position


def _swatch(color: str, *, border: str | None = None, size: int = 12, round_: bool = True) -> str:
    radius = "50%" if round_ else "2px"
    return (
        f'<span style="display:inline-block;width:{size}px;height:{size}px;border-radius:{radius};'
        f'background:{color};border:2px solid {border or color};vertical-align:middle;'
        'margin-right:4px;"></span>'
    )


def add_legend(
    m: folium.Map,
    *,
    title: str,
    synthetic: bool = False,
    position: str = "bottomright",
) -> _Legend:
    """Add the Chinese legend for the layers drawn so far.

    Parameters
    ----------
    m
        The map.
    title
        Title line (escaped here).
    synthetic
        Show the notice 合成演示数据.
    position
        Leaflet control position.

    Returns
    -------
    MacroElement
    """
    p = _palette()
    drawn = getattr(m, "jxedu_legend", {})
    parts = [f'<div style="font-weight:bold;font-size:13px;margin-bottom:2px;">{esc(title)}</div>']
    if synthetic:
        parts.append(
            '<div style="color:#C62828;font-weight:bold;">合成演示数据（非真实学校数据）</div>'
        )
    if "schools" in drawn:
        parts.append('<div style="font-weight:bold;margin-top:4px;">学校（圆圈边框：类型）</div>')
        for key, label in GROUP_LABELS.items():
            extra = "（含完全中学）" if key == "through" else ""
            parts.append(f"<div>{_swatch('#FFFFFF', border=group_colors()[key])}{label}{extra}</div>")
        if drawn["schools"] == "status":
            present = getattr(m, "jxedu_statuses", {"pass", "fail"})
            parts.append('<div style="font-weight:bold;margin-top:4px;">填充颜色：资源配置达标情况</div>')
            for key in ("pass", "near", "fail"):
                if key in present:
                    parts.append(f"<div>{_swatch(p.STATUS_COLORS[key])}{p.STATUS_LABELS[key]}</div>")
            parts.append(f"<div>{_swatch(p.NEUTRAL_COLOR)}{_NO_STATUS}</div>")
        else:
            parts.append('<div style="font-weight:bold;margin-top:4px;">填充颜色：义务教育在校生规模</div>')
            for key, label in band_labels().items():
                parts.append(f"<div>{_swatch(BAND_COLORS[key])}{esc(label)}</div>")
        sizes = "".join(
            f'<span style="display:inline-block;width:{2 * r:.0f}px;height:{2 * r:.0f}px;border-radius:50%;'
            f'border:1px solid #555;vertical-align:middle;margin:0 3px;"></span>{n}人'
            for n, r in ((100, school_radius(100)), (1000, school_radius(1000)), (2000, school_radius(2000)))
        )
        parts.append(f"<div>圆圈大小：{sizes}</div>")
    if "villages" in drawn:
        parts.append('<div style="font-weight:bold;margin-top:4px;">村居（圆点大小：学龄人口）</div>')
        if drawn["villages"]:
            vc = VILLAGE_COLORS
            parts.append(f"<div>{_swatch(vc['within'], border=vc['within_edge'], size=8)}步行范围内</div>")
            parts.append(f"<div>{_swatch(vc['beyond'], border=vc['beyond_edge'], size=8)}超出步行距离</div>")
        else:
            parts.append(f"<div>{_swatch(VILLAGE_COLORS['within'], border=VILLAGE_COLORS['within_edge'], size=8)}村居</div>")
    if "catchments" in drawn:
        parts.append(f"<div>{_swatch('#1F77B4', size=10, round_=False)}学校服务范围（按就近原则划分）</div>")
    if "routes" in drawn:
        parts.append(
            '<div><span style="display:inline-block;width:22px;height:0;border-top:4px solid #1F77B4;'
            'vertical-align:middle;margin-right:4px;"></span>校车线路（每条线路一种颜色）</div>'
        )
    if "stops" in drawn:
        parts.append(f"<div>{_swatch('#FFFFFF', border='#212121', size=8)}校车站点</div>")
    legend = _Legend("".join(parts), position=position)
    legend.add_to(m)
    return legend


# --- the map ---------------------------------------------------------------------------------


class _MetricScale(MacroElement):
    """Leaflet's scale bar in metres/kilometres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


_PAGE_CSS = (
    "<style>.leaflet-control-search .search-input{width:160px;}"
    ".leaflet-container{font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif;}</style>"
)


class _JxFigure(Figure):
    """A branca Figure that inlines the local Leaflet copy when ``assets_dir`` is set."""

    def __init__(self, *, assets_dir: Path | None = None, title: str | None = None) -> None:
        super().__init__(title=title)
        self.assets_dir = assets_dir

    def render(self, **kwargs) -> str:
        out = super().render(**kwargs)
        if self.assets_dir is not None:
            out = inline_assets(out, self.assets_dir)
        return out


def _settings():
    from jxedu.core.settings import get_settings

    return get_settings()


_KEY_RE = re.compile(r"^[A-Za-z0-9]+$")


def base_map(
    *,
    basemap: str | None = "osm",
    tianditu_key: str | None = None,
    leaflet_assets: str | os.PathLike | None = None,
    title: str | None = None,
) -> folium.Map:
    """An empty map with the chosen base map (layers are added with the ``add_*`` functions).

    Parameters
    ----------
    basemap
        ``"osm"`` (OpenStreetMap), ``"amap"`` (高德; layers are shifted to GCJ-02 for display),
        ``"tianditu"`` (天地图 vector map with labels; needs a key) or ``None`` (no tiles, works
        fully offline).
    tianditu_key
        天地图 key; ``None`` = the ``tianditu_key`` setting.
    leaflet_assets
        Folder with the local Leaflet copy: the map's scripts and styles are inlined from it (also
        when shown in JupyterLab). ``None`` = the ``leaflet_assets`` setting; if that is unset the
        CDNs are used until :func:`save_map` inlines ``jxedu/static``.
    title
        Page title.

    Returns
    -------
    folium.Map
    """
    if basemap not in BASEMAPS:
        raise SettingsError(
            f"未知底图 (unknown_basemap): {basemap}；可用：osm（OpenStreetMap）、amap（高德）、"
            "tianditu（天地图）、None（无底图）"
        )
    settings = _settings()
    assets = leaflet_assets if leaflet_assets is not None else settings.leaflet_assets
    fig = _JxFigure(assets_dir=Path(assets) if assets is not None else None, title=title)
    m = folium.Map(location=[35.07, 116.30], zoom_start=11, tiles=None, control_scale=False)
    fig.add_child(m)
    _MetricScale().add_to(m)
    fig.header.add_child(Element(_PAGE_CSS), name="jx_page_css")
    label, crs = BASEMAPS[basemap]
    m.jxedu_crs = crs
    m.jxedu_basemap = basemap
    if basemap == "osm":
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png", attr=_OSM_ATTR, name=label, max_zoom=19
        ).add_to(m)
    elif basemap == "amap":
        folium.TileLayer(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            attr=_AMAP_ATTR,
            name=label,
            subdomains="1234",
            max_zoom=18,
        ).add_to(m)
    elif basemap == "tianditu":
        key = tianditu_key if tianditu_key is not None else settings.tianditu_key
        if not key:
            raise SettingsError(
                "使用天地图底图需要密钥 (missing_tianditu_key)：请在设置 tianditu_key 中填写天地图开发者密钥"
                "（https://console.tianditu.gov.cn/ 申请），或改用 basemap='osm' / 'amap' / None。"
            )
        if not _KEY_RE.match(str(key)):
            raise SettingsError("天地图密钥只能包含字母和数字 (bad_tianditu_key)")
        folium.TileLayer(
            _TIANDITU_URL.format(layer="vec", key=key), attr=_TIANDITU_ATTR, name=label,
            subdomains="01234567", max_zoom=18,
        ).add_to(m)
        folium.TileLayer(
            _TIANDITU_URL.format(layer="cva", key=key), attr=_TIANDITU_ATTR, name="天地图注记",
            subdomains="01234567", max_zoom=18, overlay=True, control=False,
        ).add_to(m)
    return m


def county_map(
    ds: Dataset,
    *,
    year: int | None = None,
    township: str | None = None,
    basemap: str | None = "osm",
    school_status=None,
    layers: Iterable[str] | None = None,
    leaflet_assets: str | os.PathLike | None = None,
    tianditu_key: str | None = None,
) -> folium.Map:
    """The interactive school-layout map of the county (or of one 镇街).

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` = latest.
    township
        Show only this 镇街's schools and villages (the other boundaries stay, drawn light) and
        zoom to it; ``None`` = the whole county.
    basemap
        ``"osm"``, ``"amap"`` (高德, drawn in GCJ-02), ``"tianditu"`` (needs ``tianditu_key``) or
        ``None`` (no tiles).
    school_status
        Per-school 达标/未达标 (see :func:`normalise_status`); ``None`` = from
        :mod:`jxedu.analysis.indicators` when available, else schools are coloured by enrolment band.
    layers
        Which of :data:`LAYERS` to draw; ``None`` = every layer the data allow (``villages`` needs
        the 村居 table, ``catchments`` too (hidden at first), ``bus`` the GTFS feed).
    leaflet_assets
        See :func:`base_map`.
    tianditu_key
        See :func:`base_map`.

    Returns
    -------
    folium.Map
        With a layer control, a legend and a school search box; save it with :func:`save_map`.
    """
    y = ds.year_or_latest(year)
    if township is not None:
        ds.subset_township(township)  # validates the name
    wanted = set(LAYERS if layers is None else layers)
    unknown = wanted - set(LAYERS)
    if unknown:
        raise SettingsError(
            f"未知图层 (unknown_layer): {'、'.join(sorted(map(str, unknown)))}；可用：{'、'.join(LAYERS)}"
        )
    explicit = layers is not None
    if explicit and wanted & {"villages", "catchments"}:
        ds.require("villages")
    if explicit and "bus" in wanted and ds.gtfs_path is None:
        raise DataError("数据中没有校车线路 (missing_gtfs): 需要 公交.zip 或 公交/ 文件夹")
    if explicit and "townships" in wanted:
        ds.require("townships")

    from jxedu.core.config import COUNTY_NAME

    place = f"{COUNTY_NAME}{township or ''}"
    title = f"{place}学校布局（{y}学年）"
    m = base_map(basemap=basemap, tianditu_key=tianditu_key, leaflet_assets=leaflet_assets, title=title)

    schools = school_table(ds, year=y, school_status=school_status)
    shown = schools if township is None else schools[schools["township"] == township]

    if "townships" in wanted and ds.townships is not None:
        add_townships(m, ds.townships, highlight=township)
    stages = ("primary", "junior")
    if ds.villages is not None and wanted & {"villages", "catchments"}:
        for stage in stages:
            vil = access.village_access(ds, stage=stage, year=y)
            if "catchments" in wanted:
                cat = access.catchments(ds, stage=stage, year=y, access=vil)
                if township is not None:
                    cat = cat[cat["township"] == township]
                add_catchments(m, cat, name=f"学校服务范围（{LABELS[stage]}）", show=False, schools=schools)
            if "villages" in wanted:
                if township is not None:
                    vil = vil[vil["township"] == township]
                add_villages(
                    m, vil, name=f"村居学龄人口（{LABELS[stage]}）", show=stage == "primary", schools=schools
                )
    if "bus" in wanted and ds.gtfs_path is not None:
        add_bus_routes(m, bus.routes(ds))
        add_bus_stops(m, bus.stops(ds))
    if "schools" in wanted:
        add_schools(m, shown)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    add_legend(m, title=title, synthetic=ds.synthetic)
    fit(m)
    return m


def fit(m: folium.Map, *, padding: int = 12) -> None:
    """Zoom the map to the bounds of what was drawn (``fit_bounds``)."""
    bounds = getattr(m, "jxedu_bounds", None)
    if bounds is None:
        return
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(padding, padding))


# --- offline assets and saving ---------------------------------------------------------------

#: Remote scripts/styles folium references -> local file in the assets folder (None = not needed
#: by jxedu maps: the link is dropped in offline mode).
_ASSET_RULES: tuple[tuple[re.Pattern, str | None], ...] = (
    (re.compile(r"/leaflet@[\d.]+/dist/leaflet\.js$"), "leaflet.js"),
    (re.compile(r"/leaflet@[\d.]+/dist/leaflet\.css$"), "leaflet.css"),
    (re.compile(r"/jquery-3\.[\d.]+(\.min)?\.js$"), "jquery.min.js"),
    (re.compile(r"/leaflet-search@[\d.]+/dist/leaflet-search(\.min)?\.js$"), "leaflet-search.min.js"),
    (re.compile(r"/leaflet-search@[\d.]+/dist/leaflet-search(\.min)?\.css$"), "leaflet-search.min.css"),
    (re.compile(r"/bootstrap@[\d.]+/dist/(js|css)/bootstrap(\.bundle)?\.min\.(js|css)$"), None),
    (re.compile(r"/bootstrap/[\d.]+/css/bootstrap-glyphicons\.css$"), None),
    (re.compile(r"/@fortawesome/fontawesome-free@[\d.]+/css/all\.min\.css$"), None),
    (re.compile(r"/Leaflet\.awesome-markers/[\d.]+/leaflet\.awesome-markers\.(js|css)$"), None),
    (re.compile(r"/leaflet\.awesome\.rotate\.min\.css$"), None),
)
_SCRIPT_TAG = re.compile(r'<script\s+src="(https?://[^"]+)"\s*>\s*</script>')
_LINK_TAG = re.compile(r'<link\s+rel="stylesheet"\s+href="(https?://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:)([^'\")]+)\1\)")
_MIME = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}


def _local_file(url: str) -> str | None:
    for pattern, name in _ASSET_RULES:
        if pattern.search(url):
            return name
    raise EnvironmentSetupError(
        f"离线地图缺少本地资源 (offline_asset_missing): {url}；"
        "请改用 jxedu 提供的图层，或以 save_map(..., offline=False) 保存（需联网打开）。"
    )


def _read_asset(folder: Path, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise EnvironmentSetupError(
            f"离线地图资源文件不存在 (offline_asset_missing): {path}；"
            f"设置 leaflet_assets 所指文件夹应包含 {name}（见 jxedu/static/README.md）"
        )
    return path.read_text(encoding="utf-8")


def _inline_css(folder: Path, name: str) -> str:
    css = _read_asset(folder, name)

    def data_uri(match: re.Match) -> str:
        ref = (folder / match.group(2)).resolve()
        if not ref.is_file():
            return match.group(0)
        mime = _MIME.get(ref.suffix.lower(), "application/octet-stream")
        return f"url(data:{mime};base64,{base64.b64encode(ref.read_bytes()).decode('ascii')})"

    css = _CSS_URL.sub(data_uri, css)
    return "<style>\n" + css.replace("</style", "<\\/style") + "\n</style>"


def _inline_js(folder: Path, name: str) -> str:
    js = _read_asset(folder, name)
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return "<script>\n" + js.replace("</script", "<\\/script") + "\n</script>"


def inline_assets(page: str, assets_dir: str | os.PathLike | None = None) -> str:
    """Replace the CDN ``<script src>``/``<link>`` tags of a rendered map by the local copy.

    Parameters
    ----------
    page
        The HTML of a rendered folium map.
    assets_dir
        Folder with the files of ``jxedu/static`` (default: the ``leaflet_assets`` setting, else
        ``jxedu/static``).

    Returns
    -------
    str
        Self-contained HTML (no remote script or style left).

    Raises
    ------
    EnvironmentSetupError
        A referenced library has no local copy, or a file is missing from the folder.
    """
    folder = Path(assets_dir) if assets_dir is not None else _default_assets()
    done: set[str] = set()

    def script(match: re.Match) -> str:
        name = _local_file(match.group(1))
        if name is None or name in done:
            return ""
        done.add(name)
        return _inline_js(folder, name)

    def link(match: re.Match) -> str:
        name = _local_file(match.group(1))
        if name is None or name in done:
            return ""
        done.add(name)
        return _inline_css(folder, name)

    return _LINK_TAG.sub(link, _SCRIPT_TAG.sub(script, page))


def _default_assets() -> Path:
    configured = _settings().leaflet_assets
    return Path(configured) if configured else STATIC_DIR


def save_map(m: folium.Map, path: str | os.PathLike, *, offline: bool = True) -> Path:
    """Write a map to an HTML file (atomically: a temporary file, then a rename).

    Parameters
    ----------
    m
        The map.
    path
        Output ``.html`` file; folders are created.
    offline
        Inline the local copy of Leaflet and its plugins so the file opens without network
        (tiles of a base map still need it; use ``basemap=None`` for none).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    root = m.get_root()
    page = root.render()
    if offline and not (isinstance(root, _JxFigure) and root.assets_dir is not None):
        page = inline_assets(page)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def map_summary_script() -> str:
    """A script that, after the page has loaded, writes a JSON summary of what Leaflet drew
    (counts of school markers per layer, JavaScript errors) into ``<pre id="jx-summary">``.

    Used by the browser test; it changes nothing on the map.
    """
    return (
        "<script>window.__jxErrors=[];window.addEventListener('error',function(e){"
        "window.__jxErrors.push(String(e.message||e));});"
        "window.addEventListener('load',function(){setTimeout(function(){"
        "var s={schools:document.querySelectorAll('path.jx-school').length,groups:{},"
        "legend:document.querySelectorAll('.jx-legend').length,"
        "search:document.querySelectorAll('.leaflet-control-search').length,"
        "errors:window.__jxErrors};"
        "['primary','junior','through','teaching_point'].forEach(function(k){"
        "s.groups[k]=document.querySelectorAll('path.jx-school-'+k).length;});"
        "var pre=document.createElement('pre');pre.id='jx-summary';"
        "pre.textContent=JSON.stringify(s);document.body.appendChild(pre);},200);});</script>"
    )


def add_summary_probe(m: folium.Map) -> None:
    """Add :func:`map_summary_script` to the map's page header (before Leaflet loads)."""
    m.get_root().header.add_child(Element(map_summary_script()), name="jx_summary_probe", index=1)



# --- tables and maps for the layout notebook -------------------------------------------------


def school_counts(ds: Dataset, *, year: int | None = None, township: str | None = None) -> pd.DataFrame:
    """Schools by kind and 镇街, with compulsory-stage students (Chinese headers).

    Parameters
    ----------
    ds
        The data set.
    year
        School year; ``None`` = latest.
    township
        Only this 镇街 (no 全县 row); ``None`` = every 镇街 and a last row 全县.

    Returns
    -------
    pandas.DataFrame
        Columns 镇街, 小学, 初中, 一贯制学校, 教学点, 学校合计, 义务教育在校生（人）; 镇街 ordered with
        街道 first. Schools without statistics in the year are counted (they are in the 学校 table).
    """
    t = school_table(ds, year=year)
    if township is not None:
        ds.subset_township(township)  # validates the name
    names = ds.townships_list if township is None else [township]
    rows = []
    for name in names:
        sub = t[t["township"] == name]
        row = {"镇街": name}
        for key, label in GROUP_LABELS.items():
            row[label] = int((sub["group"] == key).sum())
        row["学校合计"] = len(sub)
        row["义务教育在校生（人）"] = int(sub["students"].sum())
        rows.append(row)
    out = pd.DataFrame(rows)
    if township is None:
        total = {"镇街": "全县", **{c: int(out[c].sum()) for c in out.columns if c != "镇街"}}
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out


def layout_headline(ds: Dataset, *, year: int | None = None, township: str | None = None) -> str:
    """One line of key figures: schools by kind and compulsory-stage students.

    Returns
    -------
    str
        E.g. ``2024学年 金乡县：学校 151 所（小学 102、初中 22、一贯制学校 12、教学点 15），义务教育在校生 … 人``.
    """
    y = ds.year_or_latest(year)
    row = school_counts(ds, year=y, township=township).iloc[-1]
    from jxedu.core.config import COUNTY_NAME

    kinds = "、".join(f"{label} {row[label]}" for label in GROUP_LABELS.values())
    return (
        f"{y}学年 {COUNTY_NAME}{township or ''}：学校 {row['学校合计']} 所（{kinds}），"
        f"义务教育在校生 {row['义务教育在校生（人）']:,} 人"
    )


def township_access(
    ds: Dataset, *, stage: str = "primary", year: int | None = None, township: str | None = None
) -> gpd.GeoDataFrame:
    """``jxedu.analysis.access.village_access`` computed on the whole county, then limited to one 镇街.

    Computing on the whole county keeps the nearest school of a village near a 镇街 border right
    (it may lie in the next 镇街).
    """
    if township is not None:
        ds.subset_township(township)  # validates the name
    acc = access.village_access(ds, stage=stage, year=year)
    if township is not None:
        acc = acc[acc["township"] == township]
    return acc


def access_headline(acc: pd.DataFrame) -> str:
    """One line: villages, pupils and pupils beyond walking distance of a ``village_access`` result."""
    stage = acc.attrs.get("stage", "primary")
    limit = acc.attrs.get("walk_limit_m")
    pupils = int(acc["demand"].sum())
    beyond = int(acc.loc[acc["beyond_walk"].astype(bool), "demand"].sum())
    n_far = int(acc["beyond_walk"].astype(bool).sum())
    share = beyond / pupils * 100 if pupils else 0.0
    lim = f"（{limit:.0f} 米）" if limit is not None else ""
    return (
        f"{LABELS.get(stage, stage)}：村居 {len(acc)} 个，学龄人口 {pupils:,} 人；"
        f"超出步行距离{lim}的村居 {n_far} 个、学龄人口 {beyond:,} 人（{share:.1f}%）"
    )


def beyond_walk_table(acc: pd.DataFrame, *, top: int | None = 20) -> pd.DataFrame:
    """Villages beyond walking distance, most pupils first (Chinese headers).

    Parameters
    ----------
    acc
        A ``jxedu.analysis.access.village_access`` result.
    top
        Keep the first rows only (``None`` = all).

    Returns
    -------
    pandas.DataFrame
        村居, 镇街, 学龄人口（人）, 划片学校, 距离（米）.
    """
    far = acc[acc["beyond_walk"].astype(bool)].sort_values(["demand", "distance_m"], ascending=[False, False])
    out = pd.DataFrame(
        {
            "村居": far["name"].to_numpy(),
            "镇街": far["township"].to_numpy(),
            "学龄人口（人）": far["demand"].astype(int).to_numpy(),
            "划片学校": far["assigned_school_name"].to_numpy(),
            "距离（米）": far["distance_m"].round(0).astype(int).to_numpy(),
        }
    )
    return out if top is None else out.head(top)


def catchment_map(
    ds: Dataset,
    *,
    stage: str = "primary",
    year: int | None = None,
    township: str | None = None,
    basemap: str | None = "osm",
    leaflet_assets: str | os.PathLike | None = None,
) -> folium.Map:
    """Interactive map of the schools' service areas (catchments) of one stage with the villages.

    Parameters
    ----------
    ds
        The data set (needs 村居).
    stage
        ``"primary"`` or ``"junior"``.
    year, township, basemap, leaflet_assets
        As :func:`county_map`.

    Returns
    -------
    folium.Map
    """
    ds.require("villages")
    y = ds.year_or_latest(year)
    from jxedu.core.config import COUNTY_NAME

    title = f"{COUNTY_NAME}{township or ''}{LABELS.get(stage, stage)}服务范围（{y}学年）"
    m = base_map(basemap=basemap, leaflet_assets=leaflet_assets, title=title)
    acc = access.village_access(ds, stage=stage, year=y)
    cat = access.catchments(ds, stage=stage, year=y, access=acc)
    schools = school_table(ds, year=y)
    if township is not None:
        ds.subset_township(township)
        cat, acc = cat[cat["township"] == township], acc[acc["township"] == township]
        schools = schools[schools["township"] == township]
    if ds.townships is not None:
        add_townships(m, ds.townships, highlight=township)
    add_catchments(m, cat, name=f"学校服务范围（{LABELS.get(stage, stage)}）", show=True, schools=schools)
    add_villages(m, acc, name=f"村居学龄人口（{LABELS.get(stage, stage)}）", schools=schools)
    # a boolean array: an empty Series of objects would select columns (a 镇街 without schools)
    teaches = np.array([stage in _STAGES_OF_TYPE.get(t, ()) for t in schools["school_type"]], dtype=bool)
    add_schools(m, schools[teaches])
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    add_legend(m, title=title, synthetic=ds.synthetic)
    fit(m)
    return m


def coverage_map(
    ds,
    cov: gpd.GeoDataFrame,
    *,
    township: str | None = None,
    basemap: str | None = "osm",
    feed=None,
):
    """Interactive map of school-bus coverage: routes, stops, and the villages beyond walking
    distance (red = not covered, the list of :func:`jxedu.analysis.bus.uncovered_villages`; covered ones in a second
    layer), with the schools and 镇街 boundaries. 

    Parameters
    ----------
    ds
        The data set.
    cov
        From :func:`jxedu.analysis.bus.coverage`.
    township
        Only this 镇街's villages and schools (``None`` = whole county).
    basemap
        As :func:`jxedu.present.base_map` (``"osm"``, ``"amap"``, ``"tianditu"`` or ``None``).
    feed
        A feed from :func:`jxedu.analysis.bus.load_feed`.

    Returns
    -------
    folium.Map
    """
    from jxedu.core.config import COUNTY_NAME

    feed = bus.load_feed(ds) if feed is None else feed
    stage = cov.attrs.get("stage", "primary")
    year = cov.attrs.get("year")
    title = f"{COUNTY_NAME}{township or ''}公交助学覆盖（{LABELS.get(stage, stage)}）"
    m = base_map(basemap=basemap, title=title)
    if ds.townships is not None:
        add_townships(m, ds.townships, highlight=township)
    shown = cov if township is None else cov[cov["township"] == township]
    schools = school_table(ds, year=year)
    add_bus_routes(m, bus.routes(ds, township=township, feed=feed))
    add_bus_stops(m, bus.stops(ds, township=township, feed=feed))
    covered = shown[shown["covered"]]
    uncovered = shown[shown["uncovered"]]
    if len(covered):
        # drawn green: they are beyond walking distance but a bus takes them
        add_villages(m, covered.drop(columns=["beyond_walk"]), name="校车已覆盖村居", show=False,
                          schools=schools)
    if len(uncovered):
        add_villages(m, uncovered, name="未覆盖村居（超出步行距离）", schools=schools)
    add_schools(m, schools if township is None else schools[schools["township"] == township])
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    add_legend(m, title=title, synthetic=ds.synthetic)
    fit(m)
    return m
