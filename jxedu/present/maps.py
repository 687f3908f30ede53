"""Interactive maps of the school layout (folium / Leaflet), readable in Chinese and usable offline.

:func:`county_map` draws the schools of one school year (one layer per kind of school, circles
sized by compulsory-stage enrolment and coloured by indicator status or enrolment band), the 镇街
boundaries, the villages' school-age population, catchments and school-bus routes, with Chinese
popups, a legend, a layer control and a search box. The ``add_*`` functions draw one layer from a
GeoDataFrame, so notebooks can put the results of :mod:`jxedu.analysis.access` and :mod:`jxedu.analysis.bus` on a map.

Coordinates
    Layers are given in WGS-84 (or any CRS geopandas can convert). On the 高德 base map every drawn
    point and line is shifted to GCJ-02 for display (:func:`jxedu.core.coords.shift_geometry`); the
    data are never changed. OpenStreetMap and 天地图 use WGS-84/CGCS2000 as they are.

Escaping
    Every text that comes from the data (school, village, route names …) is HTML-escaped before it
    goes into a popup, tooltip or legend (:func:`esc`), so a school called ``<script>…`` shows as
    text.

Offline use
    folium loads Leaflet, jQuery and the search plugin from CDNs (often unreachable from a county
    intranet). Every map of :func:`base_map` (and so every map of jxedu: layout, catchments, bus
    coverage, the rotation flow map, the scenario change map) inlines the local copy shipped in
    ``jxedu/static`` (or the folder of the ``leaflet_assets`` setting) when it is rendered — shown in
    JupyterLab or written by :func:`save_map` — so it draws without any network. Base-map tiles
    always need the network; ``basemap=None`` draws none.

Every map takes an :class:`~jxedu.analysis.assessment.Assessment` or a 镇街 view of it
(``a.scope(township)``) and draws what the assessment computed — ``a.indicators`` (school status),
``a.access(stage)``, ``a.catchments(stage)``, ``a.coverage(stage)``, ``a.bus_routes``, ``a.bus_stops``
— so a map shows the same figures as the tables beside it.

Typical use::

    import jxedu
    from jxedu.present import maps
    a = jxedu.assess(jxedu.open_data(None))
    m = maps.county_map(a.scope("王丕街道"), basemap="amap")
    maps.save_map(m, "reports/2024/学校布局.html")
"""

from __future__ import annotations

import base64
import os
import re
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

from jxedu.analysis.assessment import Scope, assessment_of, township_of
from jxedu.core import config
from jxedu.core import vocabulary as vocab
from jxedu.core.coords import shift_geometry
from jxedu.core.errors import DataError, EnvironmentSetupError, MissingTableError, SettingsError
from jxedu.core.schema import COMPULSORY_STAGES, STAGES_OF_TYPE
from jxedu.core.settings import Settings, resolve_settings
from jxedu.core.tempfiles import remove_stale, temp_file
from jxedu.present import style
from jxedu.present.access import SCHOOL_GROUPS, band_labels, place_name, school_table
from jxedu.present.escape import html_in_template, title_text
from jxedu.present.text import missing_note

__all__ = [
    "BAND_COLORS",
    "BASEMAPS",
    "LAYERS",
    "STATIC_DIR",
    "VILLAGE_COLORS",
    "add_bus_routes",
    "add_bus_stops",
    "add_catchments",
    "add_legend",
    "add_schools",
    "add_summary_probe",
    "add_townships",
    "add_villages",
    "base_map",
    "catchment_map",
    "county_map",
    "coverage_map",
    "esc",
    "fit",
    "group_colors",
    "inline_assets",
    "is_gcj02",
    "map_summary_script",
    "save_map",
    "school_radius",
    "village_radius",
]

#: The local copy of Leaflet and the plugins used (see ``jxedu/static/README.md``).
STATIC_DIR: Path = config.PACKAGE_DIR / "static"

# --- layers and colours ---------------------------------------------------------------------------

#: Layers :func:`county_map` can draw (``layers=`` keys).
LAYERS: tuple[str, ...] = ("schools", "townships", "villages", "catchments", "bus")


def group_colors() -> dict[str, str]:
    """Outline colour of each school layer (小学 blue, 初中 orange, 一贯制 purple, 教学点 grey)."""
    return {
        "primary": style.STAGE_COLORS["primary"],
        "junior": style.STAGE_COLORS["junior"],
        "through": style.STAGE_COLORS["senior"],
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
    """Escape a value from the data for a popup, tooltip, legend or label of a map.

    Folium places popup and tooltip HTML inside JavaScript template literals, so this is
    :func:`jxedu.present.escape.html_in_template`: ``& < > " '`` and also `` ` ``, ``$`` and ``\\``
    become character references (no ``${…}`` can run, no backslash starts an escape).

    Parameters
    ----------
    value
        Any value; ``None``/NaN give ``""``.

    Returns
    -------
    str
    """
    if not isinstance(value, (str, list, tuple, dict)) and value is not None and pd.isna(value):
        return ""
    return html_in_template(value)


def _count(value, unit: str = "") -> str:
    """A count as the vocabulary shows it (``1,200 人``; — when missing)."""
    text = vocab.fmt(value, "int")
    return f"{text} {unit}" if unit and text != vocab.MISSING else text


def _metres(metres) -> str:
    """A village's distance in whole metres, as the village tables show it."""
    text = vocab.fmt(metres, "m0")
    return f"{text} 米" if text != vocab.MISSING else text


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


_NO_STATUS_KEY = "unassessed"  # word of a school without an indicator result (教学点 under 50, no data)


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

    drawn = shift_geometry(geoms.values, to="GCJ02") if gcj else geoms.values
    drawn = shapely.transform(drawn, lambda c: np.round(c, COORD_DECIMALS))
    return gpd.GeoSeries(drawn, index=geoms.index, crs=config.WGS84)


def is_gcj02(m: folium.Map) -> bool:
    """Whether a map draws in GCJ-02 (the 高德 base map): layers are shifted for display."""
    return getattr(m, "jxedu_crs", "WGS84") == "GCJ02"


#: Kept for :mod:`jxedu.planning.scenarios`, which still reads it (use :func:`is_gcj02`).
_is_gcj = is_gcj02


def _feature_collection(geoms: gpd.GeoSeries, props: list[dict]) -> dict:
    feats = []
    for i, (g, p) in enumerate(zip(geoms, props, strict=True)):
        if g is None or g.is_empty:
            continue
        feats.append({"type": "Feature", "id": i, "geometry": shapely.geometry.mapping(g), "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _tooltip(fc: dict, fields: list[str], aliases: list[str], *, sticky: bool) -> folium.GeoJsonTooltip | None:
    """The tooltip of a GeoJSON layer; none for a layer without features (folium cannot check the
    fields of an empty layer: a 镇街 without a 初中 has no 初中 service areas)."""
    if not fc["features"]:
        return None
    return folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=sticky)


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
    colors = group_colors()
    geoms = _display_geoms(schools, is_gcj02(m))
    _extend_bounds(m, geoms)
    radius = school_radius(schools["students"])
    year = schools.attrs.get("year")
    groups = {key: folium.FeatureGroup(name=vocab.word(key, "school_group"), show=True) for key in SCHOOL_GROUPS}
    for i, (idx, row) in enumerate(schools.iterrows()):
        key = row["group"] if row["group"] in groups else "primary"
        g = geoms.loc[idx]
        if g is None or g.is_empty:
            continue
        popup = folium.Popup(_table_html(row["name"], _school_rows(row, year)), max_width=360)
        tip = f"{esc(row['name'])}（{_count(row['students'])}人）"
        marker = folium.CircleMarker(
            location=[g.y, g.x],
            radius=round(float(radius[i]), 1),
            color=colors[key],
            weight=2,
            fill=True,
            fill_color=_school_fill(row, color_by),
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
        _add_search(m, list(groups.values()))
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "schools": color_by}
    m.jxedu_statuses = set(schools["status"].dropna())
    return groups


def _add_search(m: folium.Map, groups: list[folium.FeatureGroup]) -> None:
    """The search box on school names (Chinese texts), over an index of the school layers."""
    index = _LayerIndex(groups)
    index.add_to(m)
    _SearchLocale().add_to(m)
    Search(layer=index, search_label="jxName", placeholder="搜索学校名称…", collapsed=False, position="topleft",
           search_zoom=15).add_to(m)


def _school_fill(row: pd.Series, color_by: str) -> str:
    """Fill colour of a school marker: its status (grey without one) or its enrolment band."""
    if color_by == "status":
        return style.STATUS_COLORS[row["status"]] if row["status"] else style.NEUTRAL_COLOR
    return BAND_COLORS[row["band"]]


def _school_rows(row: pd.Series, year) -> list[tuple[str, str]]:
    """The (label, value) rows of a school's popup, labels from the vocabulary."""
    h = vocab.field
    rows = [
        (h("school_id").label, row["school_id"]),
        (h("school_type").label, vocab.word(row["school_type"])),
        (h("township").label, row.get("township")),
        (h("urban_rural").label, vocab.word(row.get("urban_rural"))),
        (h("year").label, f"{year}学年" if year is not None else vocab.MISSING),
    ]
    if row.get("has_stats", True):
        rows.append((h("compulsory_students").label, _count(row["students"], "人")))
        for stage in ("primary", "junior", "senior"):
            n = row.get(f"students_{stage}", 0)
            if n:
                rows.append((f"　其中{vocab.word(stage)}", _count(n, "人")))
        rows.append((f"{h('classes').label}（义务教育）", _count(row["classes"], "个")))
        rows.append((h("teachers").label, _count(row.get("teachers"), "人")))
    else:
        rows.append((h("students").label, "本学年无学段统计"))
    rows.append(("资源配置达标情况", vocab.word(row["status"] or _NO_STATUS_KEY, "status")))
    return rows


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
    geoms = _display_geoms(townships, is_gcj02(m), simplify_m=simplify_m)
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
        tooltip=_tooltip(fc, ["name"], ["镇街"], sticky=False),
        name=name,
    ).add_to(fg)
    if labels:
        _add_township_names(fg, geoms, names)
    fg.add_to(m)
    if highlight is None:
        _extend_bounds(m, geoms)
    else:
        _extend_bounds(m, geoms[[n == highlight for n in names]])
    return fg


def _add_township_names(fg: folium.FeatureGroup, geoms: gpd.GeoSeries, names: list[str]) -> None:
    """Each 镇街's name at a point inside it."""
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
    geoms = _display_geoms(villages, is_gcj02(m))
    fc = _feature_collection(geoms, _village_props(villages, demand_col, schools))
    fg = folium.FeatureGroup(name=name, show=show)
    fields = ["name", "township", "demand"]
    aliases = [vocab.field(k).label for k in ("village_name", "township", "pupils")]
    if "assigned_school_id" in villages.columns:
        fields.append("school"), aliases.append(vocab.field("assigned_school_name").label)
    if "distance_m" in villages.columns:  # straight lines without a road layer: the tooltip says so
        how = f"（{vocab.word('straight', 'distance_method')}）" if villages.attrs.get("method") == "straight" else ""
        fields.append("distance"), aliases.append(vocab.field("distance_m").label + how)
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
        tooltip=_tooltip(fc, fields, aliases, sticky=False),
        name=name,
    ).add_to(fg)
    fg.add_to(m)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "villages": "beyond_walk" in villages.columns}
    return fg


def _village_props(villages: gpd.GeoDataFrame, demand_col: str, schools: pd.DataFrame | None) -> list[dict]:
    """Tooltip texts (escaped) and style values of each village."""
    school_names = {}
    if schools is not None:
        school_names = dict(zip(schools["school_id"].astype(str), schools["name"], strict=True))
    beyond = villages["beyond_walk"] if "beyond_walk" in villages.columns else pd.Series(False, index=villages.index)
    props = []
    for idx, row in villages.iterrows():
        far = bool(beyond.loc[idx]) if pd.notna(beyond.loc[idx]) else False
        props.append({
            "name": esc(row.get("name", row.get("village_id", ""))),
            "township": esc(row.get("township", "")),
            "demand": _count(row[demand_col], "人"),
            "school": esc(_assigned_name(row, school_names)),
            "distance": _metres(row.get("distance_m")),
            "walk": "超出步行距离" if far else "步行范围内",
            "_r": round(float(village_radius(row[demand_col])), 1),
            "_far": far,
        })
    return props


def _assigned_name(row: pd.Series, school_names: Mapping[str, str]) -> str:
    name = row.get("assigned_school_name")
    if name is not None and not pd.isna(name):
        return str(name)
    sid = row.get("assigned_school_id")
    if sid is None or pd.isna(sid):
        return vocab.MISSING
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
    geoms = _display_geoms(catchments, is_gcj02(m), simplify_m=simplify_m)
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
                "demand": _count(row[pupils_col], "人") if pupils_col else vocab.MISSING,
                "villages": _count(row[count_col]) if count_col else vocab.MISSING,
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
        tooltip=_tooltip(fc, fields, aliases, sticky=True),
        name=name,
    ).add_to(fg)
    fg.add_to(m)
    m.jxedu_legend = {**getattr(m, "jxedu_legend", {}), "catchments": True}
    return fg


def _join_names(value) -> str:
    if value is None:
        return vocab.MISSING
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return "、".join(str(v) for v in value) or vocab.MISSING
    if pd.isna(value):
        return vocab.MISSING
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
    geoms = _display_geoms(routes, is_gcj02(m), simplify_m=simplify_m)
    school_col = _first_col(routes, ("school_names", "schools", "school_ids"))
    props = []
    for i, (_, row) in enumerate(routes.iterrows()):
        props.append(
            {
                "name": esc(_route_label(row, i)),
                "schools": esc(_join_names(row[school_col])) if school_col else vocab.MISSING,
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
        tooltip=_tooltip(fc, fields, aliases, sticky=True),
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
    geoms = _display_geoms(stops, is_gcj02(m))
    name_col = _first_col(stops, ("stop_name", "name", "stop_id"))
    route_col = _first_col(stops, ("route_names", "routes"))
    props = [
        {
            "name": esc(row[name_col]) if name_col else "",
            "routes": esc(_join_names(row[route_col])) if route_col else vocab.MISSING,
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
        tooltip=_tooltip(fc, fields, aliases, sticky=False),
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
    drawn = getattr(m, "jxedu_legend", {})
    parts = [f'<div style="font-weight:bold;font-size:13px;margin-bottom:2px;">{esc(title)}</div>']
    if synthetic:
        parts.append(f'<div style="color:#C62828;font-weight:bold;">{esc(vocab.SYNTHETIC_MARK)}（非真实学校数据）</div>')
    if "schools" in drawn:
        parts += _school_legend(drawn["schools"], getattr(m, "jxedu_statuses", {"pass", "fail"}))
    if "villages" in drawn:
        parts += _village_legend(beyond=bool(drawn["villages"]))
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


def _school_legend(color_by: str, statuses: set) -> list[str]:
    """Legend lines of the school layers: kinds (outline), fill colours, marker sizes."""
    parts = ['<div style="font-weight:bold;margin-top:4px;">学校（圆圈边框：类型）</div>']
    for key in SCHOOL_GROUPS:
        extra = "（含完全中学）" if key == "through" else ""
        parts.append(f"<div>{_swatch('#FFFFFF', border=group_colors()[key])}{vocab.word(key, 'school_group')}{extra}</div>")
    if color_by == "status":
        parts.append('<div style="font-weight:bold;margin-top:4px;">填充颜色：资源配置达标情况</div>')
        for key in ("pass", "near", "fail"):
            if key in statuses:
                parts.append(f"<div>{_swatch(style.STATUS_COLORS[key])}{vocab.word(key, 'status')}</div>")
        parts.append(f"<div>{_swatch(style.NEUTRAL_COLOR)}{vocab.word(_NO_STATUS_KEY, 'status')}</div>")
    else:
        parts.append('<div style="font-weight:bold;margin-top:4px;">填充颜色：义务教育在校生规模</div>')
        for key, label in band_labels().items():
            parts.append(f"<div>{_swatch(BAND_COLORS[key])}{esc(label)}</div>")
    sizes = "".join(
        f'<span style="display:inline-block;width:{2 * r:.0f}px;height:{2 * r:.0f}px;border-radius:50%;'
        f'border:1px solid #555;vertical-align:middle;margin:0 3px;"></span>{vocab.fmt(n, "int")}人'
        for n, r in ((100, school_radius(100)), (1000, school_radius(1000)), (2000, school_radius(2000)))
    )
    parts.append(f"<div>圆圈大小：{sizes}</div>")
    return parts


def _village_legend(*, beyond: bool) -> list[str]:
    """Legend lines of the village layers (within / beyond walking distance when known)."""
    vc = VILLAGE_COLORS
    parts = ['<div style="font-weight:bold;margin-top:4px;">村居（圆点大小：学龄人口）</div>']
    if beyond:
        parts.append(f"<div>{_swatch(vc['within'], border=vc['within_edge'], size=8)}步行范围内</div>")
        parts.append(f"<div>{_swatch(vc['beyond'], border=vc['beyond_edge'], size=8)}超出步行距离</div>")
    else:
        parts.append(f"<div>{_swatch(vc['within'], border=vc['within_edge'], size=8)}村居</div>")
    return parts


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


_KEY_RE = re.compile(r"^[A-Za-z0-9]+$")


def base_map(
    *,
    basemap: str | None = "osm",
    tianditu_key: str | None = None,
    leaflet_assets: str | os.PathLike | None = None,
    title: str | None = None,
    settings: Settings | None = None,
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
        Folder with the local Leaflet copy: the map's scripts and styles are inlined from it, in
        JupyterLab as in a saved file, so a map never needs a CDN (a county intranet has none).
        ``None`` = the ``leaflet_assets`` setting, else the copy shipped in ``jxedu/static``.
    title
        Page title.
    settings
        Settings (``tianditu_key``, ``leaflet_assets``); ``None`` = :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    folium.Map
    """
    if basemap not in BASEMAPS:
        raise SettingsError(
            f"未知底图 (unknown_basemap): {basemap}；可用：osm（OpenStreetMap）、amap（高德）、"
            "tianditu（天地图）、None（无底图）"
        )
    s = resolve_settings(settings)
    assets = leaflet_assets if leaflet_assets is not None else (s.leaflet_assets or STATIC_DIR)
    # branca writes the title into <title> as it is: escaped here (a 镇街 name is data)
    fig = _JxFigure(assets_dir=Path(assets), title=title_text(title) if title is not None else None)
    m = folium.Map(location=[35.07, 116.30], zoom_start=11, tiles=None, control_scale=False)
    fig.add_child(m)
    _MetricScale().add_to(m)
    fig.header.add_child(Element(_PAGE_CSS), name="jx_page_css")
    m.jxedu_crs = BASEMAPS[basemap][1]
    m.jxedu_basemap = basemap
    _add_tiles(m, basemap, tianditu_key if tianditu_key is not None else s.tianditu_key)
    return m


def _add_tiles(m: folium.Map, basemap: str | None, tianditu_key: str | None) -> None:
    """The tile layers of a base map (none for ``None``)."""
    label = BASEMAPS[basemap][0]
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
        if not tianditu_key:
            raise SettingsError(
                "使用天地图底图需要密钥 (missing_tianditu_key)：请在设置 tianditu_key 中填写天地图开发者密钥"
                "（https://console.tianditu.gov.cn/ 申请），或改用 basemap='osm' / 'amap' / None。"
            )
        if not _KEY_RE.match(str(tianditu_key)):
            raise SettingsError("天地图密钥只能包含字母和数字 (bad_tianditu_key)")
        folium.TileLayer(
            _TIANDITU_URL.format(layer="vec", key=tianditu_key), attr=_TIANDITU_ATTR, name=label,
            subdomains="01234567", max_zoom=18,
        ).add_to(m)
        folium.TileLayer(
            _TIANDITU_URL.format(layer="cva", key=tianditu_key), attr=_TIANDITU_ATTR, name="天地图注记",
            subdomains="01234567", max_zoom=18, overlay=True, control=False,
        ).add_to(m)


def _wanted_layers(a, layers: Iterable[str] | None) -> set[str]:
    """The layers to draw: every layer the data allow, or those asked for (an error when their
    data are missing)."""
    wanted = set(LAYERS if layers is None else layers)
    unknown = wanted - set(LAYERS)
    if unknown:
        raise SettingsError(
            f"未知图层 (unknown_layer): {'、'.join(sorted(map(str, unknown)))}；可用：{'、'.join(LAYERS)}"
        )
    needs = {"villages": "access", "catchments": "catchments", "bus": "bus_routes"}
    for layer, measure in needs.items():
        reason = a.missing(measure) if layer in wanted else None
        if reason is not None and layers is not None:
            raise MissingTableError(reason)
        if reason is not None:
            wanted.discard(layer)
    if "townships" in wanted and a.ds.townships is None:
        if layers is not None:
            a.ds.require("townships")
        wanted.discard("townships")
    return wanted


def _finish(m: folium.Map, scope: Scope, title: str) -> folium.Map:
    """Layer control, legend (with the synthetic-data mark) and the zoom to what was drawn."""
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    add_legend(m, title=title, synthetic=assessment_of(scope).ds.synthetic)
    fit(m)
    return m


def _start(scope: Scope, title: str, *, basemap, leaflet_assets, tianditu_key=None) -> folium.Map:
    """A base map with the 镇街 boundaries (the scope's 镇街 highlighted and zoomed to)."""
    a = assessment_of(scope)
    m = base_map(basemap=basemap, tianditu_key=tianditu_key, leaflet_assets=leaflet_assets, title=title,
                 settings=a.settings)
    if a.ds.townships is not None:
        add_townships(m, a.ds.townships, highlight=township_of(scope))
    return m


def county_map(
    scope: Scope,
    *,
    basemap: str | None = "osm",
    school_status=None,
    layers: Iterable[str] | None = None,
    leaflet_assets: str | os.PathLike | None = None,
    tianditu_key: str | None = None,
) -> folium.Map:
    """The interactive school-layout map of the county (or of one 镇街).

    Parameters
    ----------
    scope
        ``a`` (the county) or ``a.township(name)`` / ``a.scope(township)``: that 镇街's schools,
        villages and catchments, the routes serving its schools, the other boundaries drawn light and
        the map zoomed to it.
    basemap
        ``"osm"``, ``"amap"`` (高德, drawn in GCJ-02), ``"tianditu"`` (needs ``tianditu_key``) or
        ``None`` (no tiles).
    school_status
        Per-school 达标/未达标 (see :func:`jxedu.present.access.normalise_status`); ``None`` = the
        assessment's indicators when the data allow, else schools are coloured by enrolment band.
    layers
        Which of :data:`LAYERS` to draw; ``None`` = every layer the data allow (``villages`` and
        ``catchments`` (hidden at first) need the 村居 table, ``bus`` the GTFS feed).
    leaflet_assets
        See :func:`base_map`.
    tianditu_key
        See :func:`base_map`.

    Returns
    -------
    folium.Map
        With a layer control, a legend and a school search box; save it with :func:`save_map`.
    """
    a = assessment_of(scope)
    wanted = _wanted_layers(a, layers)
    title = f"{place_name(scope)}学校布局（{a.year}学年）"
    m = base_map(basemap=basemap, tianditu_key=tianditu_key, leaflet_assets=leaflet_assets, title=title,
                 settings=a.settings)
    schools = school_table(scope, school_status=school_status)
    if "townships" in wanted:
        add_townships(m, a.ds.townships, highlight=township_of(scope))
    for stage in COMPULSORY_STAGES:
        word = vocab.word(stage)
        if "catchments" in wanted:
            add_catchments(m, scope.catchments(stage), name=f"学校服务范围（{word}）", show=False, schools=schools)
        if "villages" in wanted:
            add_villages(m, scope.access(stage), name=f"村居学龄人口（{word}）", show=stage == "primary",
                         schools=schools)
    if "bus" in wanted:
        add_bus_routes(m, scope.bus_routes)
        add_bus_stops(m, scope.bus_stops)
    if "schools" in wanted:
        add_schools(m, schools)
    return _finish(m, scope, title)


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
    configured = resolve_settings(None).leaflet_assets
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
    remove_stale(out.parent, f".{out.name}-", suffix=".tmp")  # left by an interrupted save
    tmp = temp_file(out.parent, f".{out.name}-", suffix=".tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
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



# --- maps of access and buses ----------------------------------------------------------------------


def catchment_map(
    scope: Scope,
    stage: str = "primary",
    *,
    basemap: str | None = "osm",
    leaflet_assets: str | os.PathLike | None = None,
) -> folium.Map:
    """Interactive map of the schools' service areas (catchments) of one stage with the villages.

    Parameters
    ----------
    scope
        The county's assessment or a 镇街 view (its schools' service areas and its villages).
    stage
        ``"primary"`` or ``"junior"``.
    basemap, leaflet_assets
        As :func:`county_map`.

    Returns
    -------
    folium.Map
        (a :class:`~jxedu.present.text.Note` naming the missing table when the data have no 村居)
    """
    a = assessment_of(scope)
    if a.missing("catchments") is not None:
        return missing_note(scope, "catchments", shows="各学校的服务范围（泰森多边形）和村居学龄人口的地图")
    word = vocab.word(stage)
    title = f"{place_name(scope)}{word}服务范围（{a.year}学年）"
    m = _start(scope, title, basemap=basemap, leaflet_assets=leaflet_assets)
    schools = school_table(scope)
    add_catchments(m, scope.catchments(stage), name=f"学校服务范围（{word}）", show=True, schools=schools)
    add_villages(m, scope.access(stage), name=f"村居学龄人口（{word}）", schools=schools)
    # a boolean array: an empty Series of objects would select columns (a 镇街 without schools)
    teaches = np.array([stage in STAGES_OF_TYPE.get(t, ()) for t in schools["school_type"]], dtype=bool)
    add_schools(m, schools[teaches])
    return _finish(m, scope, title)


def coverage_map(
    scope: Scope,
    stage: str = "primary",
    *,
    basemap: str | None = "osm",
    leaflet_assets: str | os.PathLike | None = None,
) -> folium.Map:
    """Interactive map of school-bus coverage of one stage: routes and stops, the villages beyond
    walking distance that no bus takes to their school (the list of
    :func:`jxedu.present.access.uncovered_table`) and, in a second layer, those a bus covers, with
    the schools and 镇街 boundaries.

    Parameters
    ----------
    scope
        The county's assessment or a 镇街 view (its villages and schools, the routes serving its
        schools and their stops).
    stage
        ``"primary"`` or ``"junior"``.
    basemap, leaflet_assets
        As :func:`county_map`.

    Returns
    -------
    folium.Map
        (a :class:`~jxedu.present.text.Note` naming the missing table or feed when the data lack it)
    """
    a = assessment_of(scope)
    if a.missing("coverage") is not None:
        return missing_note(scope, "coverage", shows="校车线路、站点和超出步行距离而未被校车覆盖的村居的地图")
    title = f"{place_name(scope)}公交助学覆盖（{vocab.word(stage)}，{a.year}学年）"
    m = _start(scope, title, basemap=basemap, leaflet_assets=leaflet_assets)
    schools = school_table(scope)
    add_bus_routes(m, scope.bus_routes)
    add_bus_stops(m, scope.bus_stops)
    cov = scope.coverage(stage)
    covered, uncovered = cov[cov["covered"]], cov[cov["uncovered"]]
    if len(covered):
        # beyond walking distance but a bus takes them: drawn in the colour of the villages within reach
        add_villages(m, covered.drop(columns=["beyond_walk"]), name="校车已覆盖村居", show=False, schools=schools)
    if len(uncovered):
        add_villages(m, uncovered, name="未覆盖村居（超出步行距离）", schools=schools)
    add_schools(m, schools)
    return _finish(m, scope, title)
