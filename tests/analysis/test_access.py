"""Tests of jxedu.analysis.access on a tiny hand-built county (distances worked out by hand below).

Layout (UTM 50N metres relative to the origin X0, Y0 near 金乡; every coordinate exact)::

    y
    1300 |           V4 (丙镇, no school)
    1150 |  F---+                         (F: a stray 200 m road fragment, (-200,1150)-(0,1150))
    1100 |  V2
    1000 |  N2----------N3
         |  |           |
         |  |           |
     300 |  |           |          V3
       0 |  N1/S1       N4/V1------M------N5/S2
         +--0---------1000-------2000-----2500---> x

Roads: L1 = N1(0,0)-N2(0,1000)-N3(1000,1000)-N4(1000,0); L2 = N4-M(2000,0)-N5(2500,0); the
fragment F. S1 (甲镇) sits on N1, S2 (乙镇) on N5. Townships: 甲镇 holds V1, V2 and S1; 乙镇 holds V3
and S2; 丙镇 holds V4 and has no school.

Hand-computed distances (snap = straight distance to the nearest main-component node):

* V1 (1000,0) on N4: straight S1 = 1000, S2 = 1500  -> straight nearest S1.
  Network S1 = N4-N3-N2-N1 = 1000+1000+1000 = 3000; S2 = N4-M-N5 = 1000+500 = 1500
  -> network nearest S2 (differs from the straight line). Assigned (甲镇 has only S1) = S1, 3000.
* V2 (0,1100): snaps to N2 (100 m; the fragment vertex (0,1150) is 50 m away but not on the main
  network). Straight S1 = 1100, network S1 = 100 + 1000 = 1100; S2 = 100+1000+1000+1000+1500 = 4600.
* V3 (2000,300): snaps to M (300). Straight S2 = hypot(500, 300) = 583.095; network S2 = 300 + 500
  = 800; network S1 = 300 + 1000 + 3000 = 4300.
* V4 (1000,1300): snaps to N3 (300). Straight S1 = hypot(1000,1300) = 1640.122, S2 = hypot(1500,1300)
  = 1984.943. Network S1 = 300 + 1000 + 1000 = 2300, S2 = 300 + 1000 + 1500 = 2800. 丙镇 has no
  school -> assigned = nearest anywhere = S1 (2300), assigned_outside.

Primary demand (ages 6-11) per village: V1 6 x 10 = 60, V2 6 x 5 = 30, V3 6 x 3 + 2 = 20 (age 6 has 5),
V4 6 x 6 + 4 = 40 (age 11 has 10). Everybody also has 7 children aged 12 (junior) and 9 aged 3.
"""

from __future__ import annotations

import dataclasses
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

import jxedu
from jxedu.analysis import access
from jxedu.core.config import UTM50N, WGS84
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, MissingTableError, SettingsError
from jxedu.core.schema import AGES

X0, Y0 = 436_000.0, 3_881_000.0  # metres, UTM 50N, near 金乡
_TO_WGS = Transformer.from_crs(UTM50N, WGS84, always_xy=True)


# --- fixture helpers (shared in spirit with tests/test_bus.py) -------------------------------


def points_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Point table from rows with local ``x``/``y`` (metres from X0, Y0): adds lon, lat, geometry."""
    df = pd.DataFrame(rows)
    df["x"] = df["x"].astype(float) + X0
    df["y"] = df["y"].astype(float) + Y0
    lon, lat = _TO_WGS.transform(df["x"].to_numpy(), df["y"].to_numpy())
    df["lon"], df["lat"] = lon, lat
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def lines_frame(lines: list[list[tuple[float, float]]]) -> gpd.GeoDataFrame:
    """Road lines from local metre coordinates, returned in WGS-84."""
    geoms = [shapely.LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines]
    return gpd.GeoDataFrame(geometry=geoms, crs=UTM50N).to_crs(WGS84)


def polygons_frame(boxes: dict[str, tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    """镇街 polygons from local metre boxes, returned in WGS-84."""
    geoms = [shapely.box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes.values()]
    return gpd.GeoDataFrame({"township": list(boxes)}, geometry=geoms, crs=UTM50N).to_crs(WGS84)


def village_row(vid, name, town, x, y, *, primary_each=0, extra=None, age12=7, age3=9) -> dict:
    """One 村居 row: ``primary_each`` children at every age 6-11, plus ``extra`` {age: n}."""
    ages = {a: 0 for a in AGES}
    for a in range(6, 12):
        ages[a] = primary_each
    ages[12] = age12
    ages[3] = age3
    for a, n in (extra or {}).items():
        ages[a] = n
    return {"village_id": vid, "name": name, "township": town, "x": x, "y": y,
            **{f"age_{a}": n for a, n in ages.items()}}


def make_dataset(schools, stage_rows, villages=None, roads=None, townships=None, year=2024):
    """A Dataset built directly (no loader): schools/villages from local metre coordinates."""
    sch = points_frame(schools)
    ss = pd.DataFrame(
        [{"year": year, "school_id": sid, "stage": st, "students": n} for sid, st, n in stage_rows]
    )
    return Dataset(
        source=None,
        schools=sch,
        stage_stats=ss,
        facilities=pd.DataFrame({"year": [], "school_id": []}),
        villages=None if villages is None else points_frame(villages),
        roads=roads,
        townships=townships,
    )


ROADS = [
    [(0, 0), (0, 1000), (1000, 1000), (1000, 0)],  # L1
    [(1000, 0), (2000, 0), (2500, 0)],  # L2
    [(-200, 1150), (0, 1150)],  # stray fragment, not connected
]
TOWN_BOXES = {
    "甲镇": (-500, -500, 1500, 1200),
    "乙镇": (1500, -500, 3000, 1200),
    "丙镇": (-500, 1200, 3000, 2000),
}


def tiny(*, roads=True, boundaries=False, extra_schools=(), extra_stage=()):
    schools = [
        {"school_id": "S1", "name": "甲镇小学", "school_type": "primary", "township": "甲镇",
         "urban_rural": "rural", "x": 0, "y": 0},
        {"school_id": "S2", "name": "乙镇中心小学", "school_type": "nine_year", "township": "乙镇",
         "urban_rural": "town", "x": 2500, "y": 0},
        *extra_schools,
    ]
    stage_rows = [("S1", "primary", 300), ("S2", "primary", 500), ("S2", "junior", 200),
                  *extra_stage]
    villages = [
        village_row("V1", "东村", "甲镇", 1000, 0, primary_each=10),
        village_row("V2", "北村", "甲镇", 0, 1100, primary_each=5),
        village_row("V3", "南村", "乙镇", 2000, 300, primary_each=3, extra={6: 5}),
        village_row("V4", "丙村", "丙镇", 1000, 1300, primary_each=6, extra={11: 10}),
    ]
    return make_dataset(
        schools, stage_rows, villages,
        roads=lines_frame(ROADS) if roads else None,
        townships=polygons_frame(TOWN_BOXES) if boundaries else None,
    )


def by_village(gdf) -> pd.DataFrame:
    return gdf.set_index("village_id")


# --- demand ---------------------------------------------------------------------------------


def test_village_demand_sums_stage_ages():
    ds = tiny()
    prim = by_village(access.village_demand(ds, stage="primary"))
    # 6 x 10; 6 x 5; 5 + 5 x 3; 5 x 6 + 10
    assert prim["demand"].to_dict() == {"V1": 60, "V2": 30, "V3": 20, "V4": 40}
    jun = by_village(access.village_demand(ds, stage="junior"))
    # ages 12-14: only age 12 has 7 children in every village
    assert jun["demand"].tolist() == [7, 7, 7, 7]
    assert prim.crs == WGS84 and {"x", "y", "geometry"} <= set(prim.columns)


def test_village_demand_follows_stage_ages_setting():
    from jxedu.core.settings import get_settings

    s = get_settings(stage_ages={"primary": (6, 7), "junior": (12, 13, 14)})
    prim = by_village(access.village_demand(tiny(), stage="primary", settings=s))
    # V3: age 6 = 5, age 7 = 3 -> 8; V1: 10 + 10
    assert prim.loc["V3", "demand"] == 8 and prim.loc["V1", "demand"] == 20


def test_village_demand_errors():
    ds = tiny()
    with pytest.raises(SettingsError, match="unknown_stage"):
        access.village_demand(ds, stage="senior")
    ds.villages = None
    with pytest.raises(MissingTableError, match="村居"):
        access.village_demand(ds, stage="primary")


def test_stage_schools_need_students_and_type():
    extra = ({"school_id": "S3", "name": "撤并小学", "school_type": "primary", "township": "甲镇",
              "urban_rural": "rural", "x": 1000, "y": 0},)
    # S3 has 0 primary students this year: closed, attracts nobody
    ds = tiny(extra_schools=extra, extra_stage=(("S3", "primary", 0),))
    prim = access.stage_schools(ds, stage="primary")
    assert sorted(prim["school_id"]) == ["S1", "S2"]
    assert prim.set_index("school_id")["students"].to_dict() == {"S1": 300, "S2": 500}
    # S2 (九年一贯制) is the only junior school
    assert access.stage_schools(ds, stage="junior")["school_id"].tolist() == ["S2"]
    with pytest.raises(DataError, match="unknown_year"):
        access.stage_schools(ds, stage="primary", year=1999)


# --- road graph -----------------------------------------------------------------------------


def test_road_graph_nodes_edges_and_main_component():
    g = access.road_graph(tiny())
    # nodes N1 N2 N3 N4 M N5 + 2 fragment ends; segments 3 (L1) + 2 (L2) + 1 (fragment)
    assert g.n_nodes == 8 and g.n_edges == 6
    assert int(g.main.sum()) == 6
    total = g.matrix.sum() / 2  # both directions stored
    assert total == pytest.approx(1000 * 3 + 1000 + 500 + 200, abs=1e-3)


def test_road_graph_snaps_near_ends_and_nodes_crossings():
    # two lines whose ends miss by 0.4 m join; a crossing without a shared vertex becomes a junction
    roads = lines_frame([[(0, 0), (1000, 0)], [(1000.4, 0), (2000, 0)], [(500, -500), (500, 500)]])
    g = access.road_graph(roads)
    # nodes: (0,0) (1000,0)~(1000.4,0) (2000,0) (500,-500) (500,500) (500,0 crossing) = 6
    assert g.n_nodes == 6 and int(g.main.sum()) == 6
    g2 = access.road_graph(roads, node_crossings=False)
    # without noding there is no crossing node, and the cross road is a separate component:
    # 5 nodes, of which the main road's 3 form the main component
    assert g2.n_nodes == 5 and int(g2.main.sum()) == 3


def test_network_nearest_adds_snap_distances():
    g = access.road_graph(tiny())
    src = np.array([[X0, Y0], [X0 + 2500, Y0]])  # S1, S2
    tgt = np.array([[X0 + 1000, Y0], [X0, Y0 + 1100], [X0 + 2000, Y0 + 300], [X0 + 1000, Y0 + 1300]])
    d, k = access.network_nearest(g, src, tgt)
    np.testing.assert_allclose(d, [1500, 1100, 800, 2300], atol=1e-6)
    assert k.tolist() == [1, 0, 1, 0]
    # a school off the road: 40 m from N4 -> V1's distance is 40 + 0
    d2, _ = access.network_nearest(g, np.array([[X0 + 1000, Y0 - 40]]), tgt[:1])
    assert d2[0] == pytest.approx(40.0)


# --- village access -------------------------------------------------------------------------


def test_village_access_network():
    acc = by_village(access.village_access(tiny(), stage="primary"))
    assert acc.attrs["method"] == "network" and acc.attrs["walk_limit_m"] == 2000
    # straight-line nearest vs network nearest differ for V1
    assert acc["nearest_school_id"].to_dict() == {"V1": "S1", "V2": "S1", "V3": "S2", "V4": "S1"}
    assert acc["network_nearest_school_id"].to_dict() == {"V1": "S2", "V2": "S1", "V3": "S2",
                                                          "V4": "S1"}
    np.testing.assert_allclose(acc["nearest_m"], [1000, 1100, math.hypot(500, 300),
                                                  math.hypot(1000, 1300)], atol=1e-6)
    np.testing.assert_allclose(acc["network_nearest_m"], [1500, 1100, 800, 2300], atol=1e-6)
    # assigned: own 镇街 (V1 must go to S1 in 甲镇, 3000 m by road); V4's 丙镇 has none
    assert acc["assigned_school_id"].to_dict() == {"V1": "S1", "V2": "S1", "V3": "S2", "V4": "S1"}
    assert acc["assigned_outside"].to_dict() == {"V1": False, "V2": False, "V3": False, "V4": True}
    np.testing.assert_allclose(acc["network_assigned_m"], [3000, 1100, 800, 2300], atol=1e-6)
    np.testing.assert_allclose(acc["distance_m"], [3000, 1100, 800, 2300], atol=1e-6)
    np.testing.assert_allclose(acc["assigned_m"], [1000, 1100, math.hypot(500, 300),
                                                   math.hypot(1000, 1300)], atol=1e-6)
    assert acc["beyond_walk"].to_dict() == {"V1": True, "V2": False, "V3": False, "V4": True}
    assert acc["is_nearest"].to_dict() == {"V1": False, "V2": True, "V3": True, "V4": True}
    assert acc.loc["V1", "assigned_school_name"] == "甲镇小学"


def test_village_access_straight_and_walk_override():
    acc = by_village(access.village_access(tiny(), stage="primary", method="straight"))
    assert acc.attrs["method"] == "straight"
    assert acc["network_nearest_m"].isna().all() and acc["network_assigned_m"].isna().all()
    np.testing.assert_allclose(acc["distance_m"], [1000, 1100, 583.0952, 1640.1219], atol=1e-3)
    assert not acc["beyond_walk"].any()  # all within 2000 m by straight line
    acc2 = by_village(access.village_access(tiny(), stage="primary", method="straight",
                                            walk_limit_m=1050))
    assert acc2["beyond_walk"].to_dict() == {"V1": False, "V2": True, "V3": False, "V4": True}


def test_village_access_without_roads_and_junior():
    ds = tiny(roads=False)
    acc = by_village(access.village_access(ds, stage="junior"))
    assert acc.attrs["method"] == "straight" and acc.attrs["walk_limit_m"] == 3000
    # only S2 teaches junior: V1 1500, V2 hypot(2500,1100) = 2731.300
    assert set(acc["assigned_school_id"]) == {"S2"}
    assert acc.loc["V2", "distance_m"] == pytest.approx(math.hypot(2500, 1100))
    assert acc["demand"].sum() == 28
    with pytest.raises(MissingTableError, match="道路"):
        access.village_access(ds, stage="primary", method="network")
    with pytest.raises(SettingsError, match="unknown_method"):
        access.village_access(ds, method="crow")


# --- summaries ------------------------------------------------------------------------------


def test_distance_summary_weighted():
    acc = access.village_access(tiny(), stage="primary")
    s = access.distance_summary(acc).set_index("township")
    assert list(s.index)[-1] == "全县"
    # 甲镇: V1 60 pupils at 3000, V2 30 at 1100 -> mean (180000 + 33000) / 90 = 2366.67;
    # cumulative 30 at 1100, 90 at 3000 -> median (45th pupil) 3000; 60 of 90 beyond
    r = s.loc["甲镇"]
    assert r["pupils"] == 90 and r["villages"] == 2
    assert r["mean_m"] == pytest.approx(213000 / 90)
    assert r["median_m"] == pytest.approx(3000) and r["max_m"] == pytest.approx(3000)
    assert r["beyond_pupils"] == 60 and r["beyond_share"] == pytest.approx(2 / 3)
    # county: 800 (20), 1100 (30), 2300 (40), 3000 (60); cumulative 20, 50, 90, 150
    # mean (16000 + 33000 + 92000 + 180000) / 150 = 2140; median = 75th -> 2300; p90 = 135th -> 3000
    c = s.loc["全县"]
    assert c["pupils"] == 150 and c["mean_m"] == pytest.approx(2140)
    assert c["median_m"] == pytest.approx(2300) and c["p90_m"] == pytest.approx(3000)
    assert c["beyond_pupils"] == 100 and c["beyond_share"] == pytest.approx(100 / 150)
    # English keys only: the Chinese headers are the presentation layer's (jxedu.present.access)
    assert list(s.columns) == ["villages", "pupils", "mean_m", "median_m", "p90_m", "max_m", "beyond_pupils",
                               "beyond_share"]


def test_nearby_share():
    acc = access.village_access(tiny(), stage="primary")
    s = access.nearby_share(acc).set_index("township")
    # assigned == network nearest for V2 (30), V3 (20), V4 (40); not V1 (60): 90 / 150
    assert s.loc["全县", "nearest_pupils"] == 90
    assert s.loc["全县", "nearby_share"] == pytest.approx(0.6)
    assert s.loc["甲镇", "nearby_share"] == pytest.approx(30 / 90)
    # by straight line every village's assigned school is its nearest
    st = access.nearby_share(access.village_access(tiny(), method="straight"), by=None)
    assert st["nearby_share"].tolist() == [1.0]


# --- catchments -----------------------------------------------------------------------------


def test_catchments_with_boundaries_tile_townships():
    ds = tiny(boundaries=True)
    c = access.catchments(ds, stage="primary").set_index("school_id")
    assert c.crs == WGS84
    # S1 gets V1, V2 (甲镇) and V4 (丙镇): 60 + 30 + 40 pupils; S2 gets V3 (乙镇): 20
    assert c["pupils"].to_dict() == {"S1": 130, "S2": 20}
    assert c["villages"].to_dict() == {"S1": 3, "S2": 1}
    # S2's area = 乙镇 = 1500 x 1700 m = 2.55 km²; S1's = 甲镇 2000 x 1700 + 丙镇 3500 x 800 = 6.2 km²
    assert c.loc["S2", "area_km2"] == pytest.approx(2.55, rel=1e-6)
    assert c.loc["S1", "area_km2"] == pytest.approx(6.2, rel=1e-6)


def test_catchments_without_boundaries_partition_the_hull():
    ds = tiny(roads=True)
    acc = access.village_access(ds, stage="primary")
    c = access.catchments(ds, access=acc).to_crs(UTM50N).set_index("school_id")
    vil = ds.villages.to_crs(UTM50N).set_index("village_id")
    # each village lies in its assigned school's area, and the two areas do not overlap
    assert c.loc["S1"].geometry.contains(vil.loc["V1"].geometry)
    assert c.loc["S1"].geometry.contains(vil.loc["V4"].geometry)
    assert c.loc["S2"].geometry.contains(vil.loc["V3"].geometry)
    assert c.loc["S1"].geometry.intersection(c.loc["S2"].geometry).area == pytest.approx(0, abs=1e-3)
    # together they cover the hull of villages and schools buffered by 1 km
    pts = np.vstack([np.c_[vil["x"], vil["y"]], [[X0, Y0], [X0 + 2500, Y0]]])
    hull = shapely.convex_hull(shapely.multipoints(pts)).buffer(1000.0)
    assert c.area.sum() == pytest.approx(hull.area, rel=1e-6)


def test_summary_of_one_township_has_no_county_row():
    acc = access.village_access(tiny(), stage="primary")
    s = access.distance_summary(acc[acc["township"] == "乙镇"])
    # only 乙镇 (V3: 20 pupils at 800 m); a 全县 row would repeat it
    assert s["township"].tolist() == ["乙镇"] and s.loc[0, "mean_m"] == pytest.approx(800)


def test_pairs_within_hand_case():
    # a = (0,0), (100,0); b = (30,40) [50 m from a0; hypot(70,40) = 80.6 m from a1], (100,60)
    # [hypot(100,60) = 116.6 m from a0; 60 m from a1]. Radius 70 m: (a0,b0) 50 m and (a1,b1) 60 m.
    from jxedu.analysis.access import pairs_within

    a_i, b_i, d = pairs_within([[0, 0], [100, 0]], [[30, 40], [100, 60]], 70.0)
    assert a_i.tolist() == [0, 1] and b_i.tolist() == [0, 1]
    assert d.tolist() == pytest.approx([50.0, 60.0])
    # radius 90 m adds (a1,b0) at 80.6 m; nothing on either side gives empty int arrays
    a_i, b_i, d = pairs_within([[0, 0], [100, 0]], [[30, 40], [100, 60]], 90.0)
    assert sorted(zip(a_i.tolist(), b_i.tolist(), strict=True)) == [(0, 0), (1, 0), (1, 1)]
    a_i, b_i, d = pairs_within(np.empty((0, 2)), [[0, 0]], 10.0)
    assert len(a_i) == len(b_i) == len(d) == 0 and a_i.dtype == np.int64


def test_weighted_quantile_by_hand():
    # values 800 (20), 1100 (30), 2300 (40), 3000 (60): cumulative 20, 50, 90, 150 of 150
    v, w = np.array([3000, 800, 2300, 1100.0]), np.array([60, 20, 40, 30.0])
    assert access.weighted_quantile(v, w, 0.5) == 2300  # 75th pupil
    assert access.weighted_quantile(v, w, 1 / 3) == 1100  # exactly 50 pupils at or below 1100
    assert access.weighted_quantile(v, w, 0.1) == 800
    assert math.isnan(access.weighted_quantile(v, np.zeros(4), 0.5))


# --- a 镇街 seen from the county ------------------------------------------------------------------
#
#   东镇: school A (0,0), villages P (500,0) and Q (1800,0); 西镇: school B (2000,0), village R (2600,0).
#   Straight lines. Q's nearest school is B in 西镇 (200 m), but 就近划片 sends it to A, in its own
#   东镇 (1800 m). Primary pupils: P 6 x 10 = 60, Q 6 x 5 = 30, R 6 x 2 = 12.
#   就近入学 share: 东镇 60 / 90 = 2/3 (Q is not sent to its nearest school); 西镇 12 / 12 = 1;
#   county (60 + 12) / 102. A 东镇 computed on its own data (school A only) would say 1.


def border_county():
    schools = [
        {"school_id": "A", "name": "东镇小学", "school_type": "primary", "township": "东镇",
         "urban_rural": "rural", "x": 0, "y": 0},
        {"school_id": "B", "name": "西镇小学", "school_type": "primary", "township": "西镇",
         "urban_rural": "rural", "x": 2000, "y": 0},
    ]
    villages = [
        village_row("P", "前村", "东镇", 500, 0, primary_each=10),
        village_row("Q", "桥村", "东镇", 1800, 0, primary_each=5),
        village_row("R", "河村", "西镇", 2600, 0, primary_each=2),
    ]
    return make_dataset(schools, [("A", "primary", 200), ("B", "primary", 150)], villages)


def test_township_view_keeps_the_nearest_school_across_the_border():
    a = jxedu.assess(border_county())
    east = a.township("东镇")
    acc = by_village(east.access("primary"))
    assert sorted(acc.index) == ["P", "Q"]
    # Q keeps its nearest school B of 西镇 (200 m) and its assigned school A (1800 m)
    assert acc.loc["Q", "nearest_school_id"] == "B" and acc.loc["Q", "nearest_m"] == pytest.approx(200)
    assert acc.loc["Q", "assigned_school_id"] == "A" and acc.loc["Q", "distance_m"] == pytest.approx(1800)
    assert acc["is_nearest"].to_dict() == {"P": True, "Q": False}
    share = east.nearby_share("primary")
    assert share["township"].tolist() == ["东镇"]
    assert share["nearest_pupils"].tolist() == [60] and share["nearby_share"].tolist() == [pytest.approx(2 / 3)]
    county = a.nearby_share("primary").set_index("township")
    assert county["nearby_share"].to_dict() == pytest.approx({"东镇": 2 / 3, "西镇": 1.0, "全县": 72 / 102})
    # the view is the county-wide row, not a recomputation on the 镇街's own schools
    ds = border_county()
    east_only = dataclasses.replace(  # the wrong way: the 镇街's own schools and villages alone
        ds, schools=ds.schools[ds.schools["township"] == "东镇"],
        villages=ds.villages[ds.villages["township"] == "东镇"], cache={})
    alone = access.nearby_share(access.village_access(east_only))
    assert alone["nearby_share"].tolist() == [1.0]
