"""Tests of jxedu.present.maps on a small hand-built county (six schools in two 镇街).

Schools of the fixture (year 2024; students per 学段 in 学段统计):

====  ==========================  ===============  ===========================  ==============
id    name                        type             students                     map layer
====  ==========================  ===============  ===========================  ==============
S1    春城小学                    primary          小学 1200 (24 classes)        小学
S2    金乡县第一初级中学          junior           初中 2100 (42 classes)        初中
S3    鸡黍镇九年一贯制学校        nine_year        小学 400 + 初中 300 = 700     一贯制学校
S4    王庄教学点                  teaching_point   小学 40                       教学点
S5    金乡一中                    complete_middle  初中 900 (+ 高中 1500)        一贯制学校
S6    南店子小学                  primary          no 学段统计 row in 2024       小学
====  ==========================  ===============  ===========================  ==============

So the layers hold 小学 2 (S1, S6), 初中 1, 一贯制学校 2 (S3, S5), 教学点 1: 6 markers.

Resources (only in :func:`make_dataset` with ``complete=True``) are chosen so the indicator result
is clear without arithmetic on the margin: S1 and S5 have every resource far above the standard,
S2 has none, S3's 小学部 has enough but its 初中部 has no teachers (3 teacher indicators missed), S4
is a 教学点 under 50 students (not assessed), S6 has no statistics. Hence S1 达标, S2 未达标, S3
未达标 (a school passes only if both 部 pass), S4 and S6 no status, S5 达标.
"""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from jxedu.analysis.assessment import assess
from jxedu.core import config
from jxedu.core import vocabulary as vocab
from jxedu.core.coords import wgs84_to_gcj02
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, EnvironmentSetupError, SettingsError
from jxedu.core.schema import AGES, FACILITIES, STAGE_STATS
from jxedu.present import access, maps
from jxedu.present import style as plotting

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

_SCHOOLS = [
    # id, name, type, township, urban_rural, lon, lat
    ("S1", "春城小学", "primary", "金乡街道", "urban", 116.300, 35.070),
    ("S2", "金乡县第一初级中学", "junior", "金乡街道", "urban", 116.310, 35.080),
    ("S3", "鸡黍镇九年一贯制学校", "nine_year", "鸡黍镇", "rural", 116.210, 34.960),
    ("S4", "王庄教学点", "teaching_point", "鸡黍镇", "rural", 116.200, 34.950),
    ("S5", "金乡一中", "complete_middle", "金乡街道", "urban", 116.290, 35.090),
    ("S6", "南店子小学", "primary", "鸡黍镇", "rural", 116.230, 34.970),
]
# id, stage, students, classes, teachers, qualified, backbone, pe, music, art
_STATS = [
    ("S1", "primary", 1200, 24, 80, 60, 15, 6, 3, 3),
    ("S2", "junior", 2100, 42, 0, 0, 0, 0, 0, 0),
    ("S3", "primary", 400, 12, 25, 20, 5, 2, 1, 1),
    ("S3", "junior", 300, 8, 0, 0, 0, 0, 0, 0),
    ("S4", "primary", 40, 3, 3, 3, 1, 1, 0, 0),
    ("S5", "junior", 900, 18, 70, 60, 10, 5, 2, 2),
    ("S5", "senior", 1500, 30, 100, 100, 10, 5, 2, 2),
]
# id, teaching_area, indoor_sports, sports_ground, equipment 万元, multimedia rooms
_FACILITIES = [
    ("S1", 6000.0, 0.0, 10000.0, 300.0, 30),
    ("S2", 0.0, 0.0, 0.0, 0.0, 0),
    ("S3", 7300.0, 0.0, 14600.0, 730.0, 73),
    ("S4", 100.0, 0.0, 100.0, 1.0, 1),
    ("S5", 100000.0, 0.0, 100000.0, 1000.0, 90),
]
TOWNSHIP_BOXES = {"金乡街道": (116.25, 35.02, 116.35, 35.12), "鸡黍镇": (116.15, 34.90, 116.25, 35.02)}


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=config.WGS84)
    utm = g.geometry.to_crs(config.UTM50N)
    g["x"], g["y"] = utm.x.to_numpy(), utm.y.to_numpy()
    return g


def make_dataset(
    *, first_name: str = "春城小学", complete: bool = False, villages: bool = False, synthetic: bool = True
) -> Dataset:
    """The six-school county of the module docstring.

    ``complete`` adds every column of 学段统计 and 办学条件 (so jxedu.analysis.indicators can run);
    ``villages`` adds four 村居 with 10 children of every age.
    """
    rows = [list(r) for r in _SCHOOLS]
    rows[0][1] = first_name
    schools = pd.DataFrame(rows, columns=["school_id", "name", "school_type", "township", "urban_rural", "lon", "lat"])
    keys = ["school_id", "stage", "students", "classes", "teachers", "qualified_teachers",
            "backbone_teachers", "pe_teachers", "music_teachers", "art_teachers"]  # fmt: skip
    st = pd.DataFrame(_STATS, columns=keys)
    st.insert(0, "year", 2024)
    fac = pd.DataFrame(
        _FACILITIES,
        columns=["school_id", "teaching_area", "indoor_sports_area", "sports_ground_area",
                 "equipment_value_wan", "multimedia_rooms"],
    )  # fmt: skip
    fac.insert(0, "year", 2024)
    if not complete:
        fac = fac[["year", "school_id"]]
    else:
        for c in STAGE_STATS.columns + FACILITIES.columns:
            frame = st if c in STAGE_STATS.columns else fac
            if c.key not in frame.columns:
                frame[c.key] = pd.NA
    tw = gpd.GeoDataFrame(
        {"township": list(TOWNSHIP_BOXES)}, geometry=[box(*b) for b in TOWNSHIP_BOXES.values()], crs=config.WGS84
    )
    vil = None
    if villages:
        v = pd.DataFrame(
            {
                "village_id": ["V1", "V2", "V3", "V4"],
                "name": ["王庄村", "李楼村", XSS, "张堂村"],
                "township": ["金乡街道", "金乡街道", "鸡黍镇", "鸡黍镇"],
                "lon": [116.301, 116.34, 116.205, 116.17],
                "lat": [35.071, 35.11, 34.955, 34.91],
            }
        )
        for a in AGES:
            v[f"age_{a}"] = 10
        vil = _points(v)
    return Dataset(
        source=config.ROOT, schools=_points(schools), stage_stats=st, facilities=fac, townships=tw,
        villages=vil, synthetic=synthetic, meta={"县名": "金乡县", "行政区划代码": "370828"},
    )  # fmt: skip


#: Names of the school layers (the vocabulary's words of the school groups).
LAYER_NAMES = [vocab.word(k, "school_group") for k in access.SCHOOL_GROUPS]


def _markers(m: folium.Map) -> dict[str, list[folium.CircleMarker]]:
    """School markers per layer name."""
    out = {}
    for child in m._children.values():
        if isinstance(child, folium.FeatureGroup) and child.layer_name in LAYER_NAMES:
            out[child.layer_name] = [c for c in child._children.values() if isinstance(c, folium.CircleMarker)]
    return out


def _by_name(m: folium.Map) -> dict[str, folium.CircleMarker]:
    return {mk.options["jxName"]: mk for ms in _markers(m).values() for mk in ms}


# --- school table ----------------------------------------------------------------------------


def test_school_table_sums_compulsory_students_per_school():
    t = access.school_table(assess(make_dataset())).set_index("school_id")
    # S3: 小学 400 + 初中 300 = 700; classes 12 + 8 = 20
    assert t.loc["S3", "students"] == 700
    assert t.loc["S3", "classes"] == 20
    # S5 (完全中学): only 初中 900 is compulsory; 高中 1500 kept apart
    assert t.loc["S5", "students"] == 900
    assert t.loc["S5", "students_senior"] == 1500
    # S6 has no 学段统计 row in 2024
    assert not t.loc["S6", "has_stats"] and t.loc["S6", "students"] == 0
    assert t["group"].to_dict() == {
        "S1": "primary", "S2": "junior", "S3": "through", "S4": "teaching_point", "S5": "through", "S6": "primary",
    }  # fmt: skip


def test_enrolment_bands_follow_the_standards_table():
    # caps: 2000 (小学/初中), 2500 (九年/十二年一贯制); small-school floor 100
    assert access.enrolment_band(99, "primary") == "small"
    assert access.enrolment_band(100, "primary") == "medium"
    assert access.enrolment_band(999, "primary") == "medium"
    assert access.enrolment_band(2000, "junior") == "large"
    assert access.enrolment_band(2001, "junior") == "over"
    assert access.enrolment_band(2400, "nine_year") == "large"
    assert access.enrolment_band(2501, "twelve_year") == "over"
    assert access.enrolment_band(0, "primary", has_stats=False) == "nodata"
    t = access.school_table(assess(make_dataset())).set_index("school_id")
    assert t["band"].to_dict() == {
        "S1": "large", "S2": "over", "S3": "medium", "S4": "small", "S5": "medium", "S6": "nodata",
    }  # fmt: skip


def test_normalise_status_takes_the_worst_stage():
    df = pd.DataFrame(
        {"school_id": ["S3", "S3", "S1", "S4"], "passes": [True, False, True, None]}
    )
    assert access.normalise_status(df) == {"S3": "fail", "S1": "pass", "S4": None}
    assert access.normalise_status({"S1": "达标", "S2": "未达标", "S3": "接近达标"}) == {
        "S1": "pass", "S2": "fail", "S3": "near",
    }  # fmt: skip
    with pytest.raises(DataError, match="bad_status"):
        access.normalise_status({"S1": "优秀"})
    with pytest.raises(DataError, match="missing_column"):
        access.normalise_status(pd.DataFrame({"school_id": ["S1"], "score": [1]}))


def test_default_status_comes_from_the_indicators():
    t = access.school_table(assess(make_dataset(complete=True))).set_index("school_id")
    assert t["status"].to_dict() == {"S1": "pass", "S2": "fail", "S3": "fail", "S4": None, "S5": "pass", "S6": None}


def test_radius_is_square_root_scaled():
    # r = 3 + 0.3 * sqrt(n): 100 -> 6.0; 2000 -> 3 + 0.3 * 44.721 = 16.416; capped at 24
    assert maps.school_radius([0, 100, 2000, 10**6]).tolist() == pytest.approx([3.0, 6.0, 16.4164, 24.0], abs=1e-4)
    # villages: 1.5 + 0.3 * sqrt(n): 100 -> 4.5
    assert float(maps.village_radius(100)) == pytest.approx(4.5)


# --- escaping --------------------------------------------------------------------------------


def test_esc_escapes_html_and_template_literal_syntax():
    assert maps.esc(XSS) == XSS_ESCAPED
    assert maps.esc("`${x}`\\") == "&#96;&#36;{x}&#96;&#92;"
    assert maps.esc(None) == "" and maps.esc(float("nan")) == ""
    assert maps.esc('a"b\'c&') == "a&quot;b&#x27;c&amp;"


def test_saved_map_shows_script_names_as_text(tmp_path):
    ds = make_dataset(first_name=XSS, villages=True)
    m = maps.county_map(assess(ds), basemap=None)
    page = maps.save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert XSS_ESCAPED in page  # in the school popup (raw HTML inside a template literal)


# --- layers, colours, popups -----------------------------------------------------------------


def test_county_map_layers_and_marker_counts():
    m = maps.county_map(assess(make_dataset()), basemap=None)
    counts = {k: len(v) for k, v in _markers(m).items()}
    assert counts == {"小学": 2, "初中": 1, "一贯制学校": 2, "教学点": 1}
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup) and c.control]
    assert "镇街边界" in names
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())
    assert any(type(c).__name__ == "Search" for c in m._children.values())


def test_colours_by_status_or_band():
    p = plotting
    m = maps.county_map(assess(make_dataset()), basemap=None, school_status={"S1": "达标", "S2": "未达标"})
    mk = _by_name(m)
    assert mk["春城小学"].options["fillColor"] == p.STATUS_COLORS["pass"]
    assert mk["金乡县第一初级中学"].options["fillColor"] == p.STATUS_COLORS["fail"]
    assert mk["王庄教学点"].options["fillColor"] == p.NEUTRAL_COLOR
    # without status (and without the facility columns the indicators need): enrolment bands
    mk = _by_name(maps.county_map(assess(make_dataset()), basemap=None))
    assert mk["金乡县第一初级中学"].options["fillColor"] == maps.BAND_COLORS["over"]  # 2100 > 2000
    assert mk["王庄教学点"].options["fillColor"] == maps.BAND_COLORS["small"]  # 40 < 100
    # the outline shows the kind of school
    assert mk["金乡一中"].options["color"] == maps.group_colors()["through"]
    # radius of S3 (700 pupils): 3 + 0.3 * sqrt(700) = 3 + 7.937 = 10.9
    assert mk["鸡黍镇九年一贯制学校"].options["radius"] == pytest.approx(10.9)


def test_popup_in_chinese_with_enrolment():
    m = maps.county_map(assess(make_dataset()), basemap=None)
    marker = _by_name(m)["鸡黍镇九年一贯制学校"]
    popup = next(c for c in marker._children.values() if isinstance(c, folium.Popup))
    html = popup.html.render()
    assert "义务教育在校生" in html and "700 人" in html
    assert "九年一贯制学校" in html and "鸡黍镇" in html and "未参评或无结果" in html


def test_amap_shifts_drawn_points_to_gcj02():
    ds = make_dataset()
    osm = _by_name(maps.county_map(assess(ds), basemap="osm"))["春城小学"].location
    amap = _by_name(maps.county_map(assess(ds), basemap="amap"))["春城小学"].location
    assert osm == pytest.approx([35.07, 116.30])
    glon, glat = wgs84_to_gcj02(116.30, 35.07)
    assert amap == pytest.approx([round(glat, 6), round(glon, 6)])
    # the GCJ-02 offset here is several hundred metres (> 0.001 degree)
    assert abs(amap[1] - 116.30) > 1e-3


def test_basemaps_and_tianditu_key():
    ds = make_dataset()
    with pytest.raises(SettingsError, match="missing_tianditu_key"):
        maps.county_map(assess(ds), basemap="tianditu")
    with pytest.raises(SettingsError, match="bad_tianditu_key"):
        maps.county_map(assess(ds), basemap="tianditu", tianditu_key="abc'+x")
    m = maps.county_map(assess(ds), basemap="tianditu", tianditu_key="abc123")
    urls = [c.tiles for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(urls) == 2
    assert "vec_w" in urls[0] and "cva_w" in urls[1] and all(u.endswith("tk=abc123") for u in urls)
    m = maps.county_map(assess(ds), basemap="amap")
    (tile,) = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert tile.tiles.startswith("https://webrd0{s}.is.autonavi.com/") and tile.options["subdomains"] == "1234"
    assert "高德" in tile.options["attribution"]
    assert not [c for c in maps.county_map(assess(ds), basemap=None)._children.values() if isinstance(c, folium.TileLayer)]
    with pytest.raises(SettingsError, match="unknown_basemap"):
        maps.county_map(assess(ds), basemap="google")
    with pytest.raises(SettingsError, match="unknown_layer"):
        maps.county_map(assess(ds), layers=["schools", "heatmap"])


def _fit_bounds(m: folium.Map) -> list[float]:
    """[south, west, north, east] of the map's fit_bounds."""
    (fb,) = [c for c in m._children.values() if type(c).__name__ == "FitBounds"]
    return [*fb.bounds[0], *fb.bounds[1]]


def test_fit_bounds_follow_the_data_and_the_township():
    ds = make_dataset()
    # whole county: union of the two township boxes (the schools lie inside)
    assert _fit_bounds(maps.county_map(assess(ds), basemap=None)) == pytest.approx([34.90, 116.15, 35.12, 116.35])
    m = maps.county_map(assess(ds).township("鸡黍镇"), basemap=None)
    assert _fit_bounds(m) == pytest.approx([34.90, 116.15, 35.02, 116.25])
    counts = {k: len(v) for k, v in _markers(m).items()}
    assert counts == {"小学": 1, "初中": 0, "一贯制学校": 1, "教学点": 1}  # S6, S3, S4
    with pytest.raises(DataError, match="unknown_township"):
        maps.county_map(assess(ds).township("不存在镇"))


def test_legend_in_chinese_with_synthetic_notice():
    m = maps.county_map(assess(make_dataset()), basemap=None, school_status={"S1": "达标"})
    (legend,) = [c for c in m._children.values() if type(c).__name__ == "_Legend"]
    assert "金乡县学校布局（2024学年）" in legend.body
    assert "合成演示数据" in legend.body and "资源配置达标情况" in legend.body
    m = maps.county_map(assess(make_dataset(synthetic=False)), basemap=None)
    (legend,) = [c for c in m._children.values() if type(c).__name__ == "_Legend"]
    assert "合成演示数据" not in legend.body and "在校生规模" in legend.body


def test_add_layers_from_hand_built_frames(tmp_path):
    m = maps.base_map(basemap=None)
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["V1", "V2"], "name": [XSS, "李楼村"], "township": ["鸡黍镇", "鸡黍镇"],
            "demand": [100, 25], "assigned_school_id": ["S3", "S3"], "assigned_school_name": ["九年制", "九年制"],
            "distance_m": [1500.0, 3250.0], "beyond_walk": [False, True],
        },
        geometry=[Point(116.20, 34.95), Point(116.22, 34.99)], crs=config.WGS84,
    )  # fmt: skip
    maps.add_villages(m, villages)
    routes = gpd.GeoDataFrame(
        {"route_id": ["R1"], "route_short_name": ["1路"], "route_long_name": ["城区线"], "schools": ["春城小学、金乡一中"]},
        geometry=[LineString([(116.2, 34.95), (116.3, 35.07)])], crs=config.WGS84,
    )  # fmt: skip
    maps.add_bus_routes(m, routes)
    stops = gpd.GeoDataFrame(
        {"stop_id": ["P1"], "stop_name": ["南门站<b>"], "routes": ["1路"]},
        geometry=[Point(116.25, 35.0)], crs=config.WGS84,
    )  # fmt: skip
    maps.add_bus_stops(m, stops)
    catch = gpd.GeoDataFrame(
        {"school_id": ["S3"], "name": ["九年制"], "pupils": [125], "villages": [2]},
        geometry=[Polygon([(116.15, 34.90), (116.25, 34.90), (116.25, 35.0)])], crs=config.WGS84,
    )  # fmt: skip
    maps.add_catchments(m, catch)
    geo = {c.layer_name: g for c in m._children.values() if isinstance(c, folium.FeatureGroup)
           for g in c._children.values() if isinstance(g, folium.GeoJson)}  # fmt: skip
    vp = [f["properties"] for f in geo["村居学龄人口"].data["features"]]
    assert vp[0]["name"] == XSS_ESCAPED and vp[0]["distance"] == "1,500 米" and vp[0]["walk"] == "步行范围内"
    assert vp[1]["walk"] == "超出步行距离" and vp[1]["_r"] == 3.0  # 1.5 + 0.3 * sqrt(25) = 3.0
    assert geo["校车（公交助学）线路"].data["features"][0]["properties"]["name"] == "1路（城区线）"
    assert geo["校车站点"].data["features"][0]["properties"]["name"] == "南门站&lt;b&gt;"
    cp = geo["学校服务范围"].data["features"][0]["properties"]
    assert cp["demand"] == "125 人" and cp["villages"] == "2"
    page = maps.save_map(m, tmp_path / "layers.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page


def test_village_layers_from_access_module():
    m = maps.county_map(assess(make_dataset(villages=True)), basemap=None)
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert "村居学龄人口（小学）" in names and "村居学龄人口（初中）" in names
    assert "学校服务范围（小学）" in names


# --- offline HTML ----------------------------------------------------------------------------

_REMOTE = re.compile(r'<(script|link)[^>]+(src|href)="https?://')


def test_save_offline_inlines_local_assets(tmp_path):
    m = maps.county_map(assess(make_dataset()), basemap=None)
    out = tmp_path / "sub" / "map.html"
    maps.save_map(m, out)
    page = out.read_text(encoding="utf-8")
    assert not _REMOTE.search(page)
    assert "Leaflet 1.9.4" in page and "jQuery v3.7.1" in page and "L.Control.Search" in page
    assert "url(data:image/png;base64," in page  # layer-control icon inlined
    assert [p.name for p in out.parent.iterdir()] == ["map.html"]  # no temporary file left
    # a jxedu map is self-contained wherever it is rendered: in JupyterLab (the notebook's iframe) too
    assert not _REMOTE.search(html.unescape(m._repr_html_())) and "Leaflet 1.9.4" in html.unescape(m._repr_html_())
    # a plain folium map is inlined by save_map only when asked (offline=False keeps the CDN links)
    plain = folium.Map(location=[35.07, 116.30], tiles=None)
    online = maps.save_map(plain, tmp_path / "online.html", offline=False).read_text(encoding="utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@' in online
    assert not _REMOTE.search(maps.save_map(plain, tmp_path / "plain.html").read_text(encoding="utf-8"))


def test_leaflet_assets_folder_makes_the_map_itself_offline(tmp_path):
    m = maps.county_map(assess(make_dataset()), basemap=None, leaflet_assets=maps.STATIC_DIR)
    page = m.get_root().render()
    assert not _REMOTE.search(page) and "Leaflet 1.9.4" in page
    with pytest.raises(EnvironmentSetupError, match="offline_asset_missing"):
        maps.county_map(assess(make_dataset()), basemap=None, leaflet_assets=tmp_path).get_root().render()


def test_unknown_remote_script_cannot_go_offline():
    page = '<html><head><script src="https://example.org/plugin.js"></script></head></html>'
    with pytest.raises(EnvironmentSetupError, match="offline_asset_missing"):
        maps.inline_assets(page)


def _ring(cx: float, cy: float, r: float, n: int, seed: int) -> Polygon:
    """A wiggly ring of n vertices (metres, UTM) - stands in for a detailed boundary."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = r * (1 + 0.03 * rng.standard_normal(n))
    return Polygon(np.column_stack([cx + rr * np.cos(t), cy + rr * np.sin(t)]))


def test_large_county_map_stays_small(tmp_path):
    # 13 townships of 20 000 vertices each, 400 schools, 650 villages
    rng = np.random.default_rng(7)
    x0, y0 = 436_000.0, 3_881_000.0  # metres, UTM 50N near 金乡
    centres = [(x0 + 9000 * (i % 4), y0 + 9000 * (i // 4)) for i in range(13)]
    names = [f"第{i + 1}镇" for i in range(13)]
    tw = gpd.GeoDataFrame(
        {"township": names}, geometry=[_ring(cx, cy, 4200, 20_000, i) for i, (cx, cy) in enumerate(centres)],
        crs=config.UTM50N,
    ).to_crs(config.WGS84)  # fmt: skip
    n = 400
    pick = rng.integers(0, 13, n)
    xy = np.array(centres)[pick] + rng.uniform(-2500, 2500, (n, 2))
    pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=config.UTM50N).to_crs(config.WGS84)
    types = np.array(["primary", "junior", "nine_year", "teaching_point"])[rng.integers(0, 4, n)]
    schools = pd.DataFrame(
        {"school_id": [f"S{i}" for i in range(n)], "name": [f"学校{i}" for i in range(n)], "school_type": types,
         "township": np.array(names)[pick], "urban_rural": "rural", "lon": pts.x, "lat": pts.y}
    )  # fmt: skip
    st = pd.DataFrame({"year": 2024, "school_id": schools["school_id"], "stage": np.where(types == "junior", "junior", "primary"),
                       "students": rng.integers(20, 2500, n), "classes": 10, "teachers": 20})  # fmt: skip
    ds = Dataset(source=config.ROOT, schools=_points(schools), stage_stats=st,
                 facilities=pd.DataFrame({"year": [2024], "school_id": ["S0"]}), townships=tw)  # fmt: skip
    m = maps.county_map(assess(ds), basemap=None)
    size = maps.save_map(m, tmp_path / "big.html").stat().st_size
    assert size < 5 * 1024 * 1024
    # the boundaries were simplified: far fewer than the 13 x 20 000 input vertices are drawn
    fc = next(g for c in m._children.values() if isinstance(c, folium.FeatureGroup) and c.layer_name == "镇街边界"
              for g in c._children.values() if isinstance(g, folium.GeoJson)).data  # fmt: skip
    drawn = sum(len(f["geometry"]["coordinates"][0]) for f in fc["features"])
    assert drawn < 13 * 20_000 / 10
    assert len(_by_name(m)) == n


def test_demo_county_map_under_5_mb(demo_dir, tmp_path):
    import jxedu

    ds = jxedu.load(demo_dir)
    m = maps.county_map(assess(ds), basemap=None)
    out = maps.save_map(m, tmp_path / "demo.html")
    assert out.stat().st_size < 5 * 1024 * 1024
    assert len(_by_name(m)) == len(ds.schools)


def test_summary_probe_is_valid_script():
    script = maps.map_summary_script()
    assert script.startswith("<script>") and script.endswith("</script>")
    assert "path.jx-school" in script
    json.dumps(script)  # plain text, no objects


def test_catchment_map_of_a_township_without_schools():
    # drop 鸡黍镇's schools (S3, S4, S6): its two 村居 are served from 金乡街道, and its own map
    # shows them with no school marker instead of failing (an empty mask once selected columns)
    import dataclasses

    ds = make_dataset(villages=True)
    keep = ds.schools["township"] != "鸡黍镇"
    ids = set(ds.schools.loc[keep, "school_id"])
    ds = dataclasses.replace(ds, schools=ds.schools[keep], stage_stats=ds.stage_stats[ds.stage_stats["school_id"].isin(ids)],
                             facilities=ds.facilities[ds.facilities["school_id"].isin(ids)])
    m = maps.catchment_map(assess(ds).township("鸡黍镇"), basemap=None)
    assert sum(len(v) for v in _markers(m).values()) == 0
    villages = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)
                and c.layer_name == "村居学龄人口（小学）"]
    gj = [c for c in villages[0]._children.values() if isinstance(c, folium.GeoJson)][0]
    assert sorted(f["properties"]["name"] for f in gj.data["features"]) == sorted([maps.esc(XSS), "张堂村"])


def _layer_features(m: folium.Map, name: str) -> list[dict]:
    """Properties of the features of one GeoJSON layer."""
    for c in m._children.values():
        if isinstance(c, folium.FeatureGroup) and c.layer_name == name:
            return [f["properties"] for g in c._children.values() if isinstance(g, folium.GeoJson)
                    for f in g.data["features"]]
    return []


def test_title_and_legend_name_the_county_of_the_data():
    import dataclasses

    ds = dataclasses.replace(make_dataset(), meta={"县名": "示例县"})
    m = maps.county_map(assess(ds).township("鸡黍镇"), basemap=None)
    (legend,) = [c for c in m._children.values() if type(c).__name__ == "_Legend"]
    assert "示例县鸡黍镇学校布局（2024学年）" in legend.body and "金乡县" not in legend.body


def test_township_map_shows_its_villages_with_the_county_wide_distances():
    a = assess(make_dataset(villages=True))
    m = maps.county_map(a.township("金乡街道"), basemap=None)
    # 王庄村 and 李楼村 are the 金乡街道 villages; their popups carry the county-wide assigned school
    acc = a.access("primary").set_index("village_id")
    props = _layer_features(m, "村居学龄人口（小学）")
    assert sorted(p["name"] for p in props) == ["李楼村", "王庄村"]
    wz = next(p for p in props if p["name"] == "王庄村")
    assert wz["school"] == acc.loc["V1", "assigned_school_name"] == "春城小学"
    assert wz["demand"] == "60 人"  # 10 children at each of the six 小学 ages


def test_coverage_map_of_a_township(tmp_path):
    from tests.analysis.test_bus import make_ds, write_feed

    a = assess(make_ds(write_feed(tmp_path / "公交")))
    m = maps.coverage_map(a.township("甲镇"), "primary", basemap=None)
    # 甲镇: V3, V4 beyond walking distance and not covered; V2 covered; only R1 serves 甲镇小学
    assert sorted(p["name"] for p in _layer_features(m, "未覆盖村居（超出步行距离）")) == ["V3村", "V4村"]
    assert [p["name"] for p in _layer_features(m, "校车已覆盖村居")] == ["V2村"]
    assert [p["name"] for p in _layer_features(m, "校车（公交助学）线路")] == ["助学1路（东岗—甲镇小学）"]
    (legend,) = [c for c in m._children.values() if type(c).__name__ == "_Legend"]
    assert "本县甲镇公交助学覆盖（小学，2024学年）" in legend.body  # the bus test data do not name the county


@pytest.mark.parametrize("stage", ["primary", "junior"])
def test_demo_township_coverage_maps_show_the_county_rows(demo_dir, stage):
    import jxedu

    a = assess(jxedu.load(demo_dir))
    cov = a.coverage(stage)
    for name in a.townships:
        m = maps.coverage_map(a.township(name), stage, basemap=None)
        shown = sorted(p["name"] for p in _layer_features(m, "未覆盖村居（超出步行距离）"))
        expected = cov[(cov["township"] == name) & cov["uncovered"]]["name"].map(maps.esc)
        assert shown == sorted(expected), name
