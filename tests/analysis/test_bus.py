"""Tests of jxedu.analysis.bus on a small GTFS feed built here (all expected values worked out by hand).

Layout (UTM 50N metres relative to X0, Y0; straight-line distances, no road layer)::

    V3 (0,5000)                                  V5 (10000,3000)
    P3 (0,4000)                                  P5 (10000,2400)
         Q1 (0,200)   P1 (4000,500)                    Q2 (10000,150)
    V4 (-4000,0) S1 (0,0) V1 (1000,0) P2 (2000,0) V2 (4000,0)   S2 (10000,0)  V6 (11500,0)
    P4 (-4000,300)

Schools: S1 (甲镇, 小学), S2 (乙镇, 小学). Villages V1–V4 in 甲镇 (assigned S1), V5–V6 in 乙镇
(assigned S2). Primary demand: V1 60, V2 30, V3 24, V4 18, V5 12, V6 6 (children per age 6–11:
10, 5, 4, 3, 2, 1). Walking limit 2000 m (小学 default).

Routes and trips (school stops: Q1 is 200 m from S1, Q2 150 m from S2; radius 300 m):
  R1 (to S1): t1a P1 07:00, P2 07:10, Q1 07:20
              t1b P1 06:40, P2 06:55, Q1 07:05
              t1c Q1 16:30, P2 16:40, P1 16:50   (afternoon return)
              t1d P3 06:50, Q1 07:10              (northern branch)
  R2 (to S2): t2a P4 07:00, P5 07:30, Q2 07:40   (P4 is near V4, but R2 goes to S2, not S1)

Coverage (stop reach 800 m):
  V1 1000 m from S1: within walking distance.
  V2 4000 m: beyond; P1 at 500 m links it to S1 by R1 -> covered (shortest ride 20 min: t1a, t1c).
  V3 5000 m: beyond; nearest stop P3 is 1000 m away (> 800) -> uncovered.
  V4 4000 m: beyond; P4 at 300 m, but R2 does not serve S1 -> uncovered.
  V5 3000 m from S2: beyond; P5 at 600 m links it to S2 by R2 -> covered (07:30 -> 07:40 = 10 min).
  V6 1500 m: within walking distance.
甲镇: 132 pupils, beyond 30 + 24 + 18 = 72, covered 30 (share 30/72); 乙镇: 18, beyond 12, covered
12; county: 150, beyond 84, covered 42, share 0.5; uncovered list: V3 (24), V4 (18).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer

import jxedu
from jxedu.analysis import bus
from jxedu.core.config import UTM50N, WGS84
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, MissingTableError
from jxedu.core.schema import AGES

X0, Y0 = 436_000.0, 3_881_000.0  # metres, UTM 50N, near 金乡
_TO_WGS = Transformer.from_crs(UTM50N, WGS84, always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    return _TO_WGS.transform(X0 + x, Y0 + y)


def points_frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Point table from rows with local ``x``/``y`` metres: adds lon, lat, geometry (WGS-84)."""
    df = pd.DataFrame(rows)
    df["x"] = df["x"].astype(float) + X0
    df["y"] = df["y"].astype(float) + Y0
    lon, lat = _TO_WGS.transform(df["x"].to_numpy(), df["y"].to_numpy())
    df["lon"], df["lat"] = lon, lat
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)


def village(vid, town, x, y, per_age):
    ages = {f"age_{a}": (per_age if 6 <= a <= 11 else 0) for a in AGES}
    return {"village_id": vid, "name": f"{vid}村", "township": town, "x": x, "y": y, **ages}


STOPS = {  # stop_id: (name, x, y)
    "P1": ("东岗站", 4000, 500), "P2": ("中路站", 2000, 0), "P3": ("北洼站", 0, 4000),
    "P4": ("西湖站", -4000, 300), "P5": ("乙北站", 10000, 2400),
    "Q1": ("甲镇小学站", 0, 200), "Q2": ("乙镇小学站", 10000, 150),
}
ROUTES = {"R1": ("助学1路", "东岗—甲镇小学"), "R2": ("助学2路", "西湖—乙镇小学"), "R3": ("助学3路", "甲镇—乙镇")}
TRIPS = {  # trip_id: (route_id, [(stop_id, time), ...])
    "t1a": ("R1", [("P1", "07:00:00"), ("P2", "07:10:00"), ("Q1", "07:20:00")]),
    "t1b": ("R1", [("P1", "06:40:00"), ("P2", "06:55:00"), ("Q1", "07:05:00")]),
    "t1c": ("R1", [("Q1", "16:30:00"), ("P2", "16:40:00"), ("P1", "16:50:00")]),
    "t1d": ("R1", [("P3", "06:50:00"), ("Q1", "07:10:00")]),
    "t2a": ("R2", [("P4", "07:00:00"), ("P5", "07:30:00"), ("Q2", "07:40:00")]),
}


def write_feed(folder, *, shapes: bool = False, drop_time: tuple[str, str] | None = None,
               trips: dict | None = None):
    """Write the GTFS feed above (or only ``trips``) into ``folder`` (a folder is as valid as a zip)."""
    trips_used = TRIPS if trips is None else trips
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "agency.txt").write_text(
        "agency_id,agency_name,agency_url,agency_timezone\nJX,金乡县公交,http://example.org,Asia/Shanghai\n",
        encoding="utf-8")
    (folder / "calendar.txt").write_text(
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "school,1,1,1,1,1,0,0,20240901,20250630\n", encoding="utf-8")
    used = {"R1", "R2"} | {r for r, _ in trips_used.values()}
    (folder / "routes.txt").write_text(
        "route_id,agency_id,route_short_name,route_long_name,route_type\n"
        + "".join(f"{r},JX,{short},{long},3\n" for r, (short, long) in ROUTES.items() if r in used),
        encoding="utf-8")
    lines = ["stop_id,stop_name,stop_lat,stop_lon"]
    for sid, (name, x, y) in STOPS.items():
        lon, lat = lonlat(x, y)
        lines.append(f"{sid},{name},{lat!r},{lon!r}")
    (folder / "stops.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    head = "route_id,service_id,trip_id" + (",shape_id" if shapes else "")
    trips = [head] + [f"{r},school,{t}" + (",sh2" if shapes and r == "R2" else ("," if shapes else ""))
                      for t, (r, _) in trips_used.items()]
    (folder / "trips.txt").write_text("\n".join(trips) + "\n", encoding="utf-8")
    st = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for t, (_, calls) in trips_used.items():
        for k, (sid, time) in enumerate(calls, start=1):
            if drop_time == (t, sid):
                time = ""
            st.append(f"{t},{time},{time},{sid},{k}")
    (folder / "stop_times.txt").write_text("\n".join(st) + "\n", encoding="utf-8")
    if shapes:
        pts = [(-4000, 300), (10000, 300), (10000, 2400), (10000, 150)]
        sh = ["shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence"]
        for k, (x, y) in enumerate(pts, start=1):
            lon, lat = lonlat(x, y)
            sh.append(f"sh2,{lat!r},{lon!r},{k}")
        (folder / "shapes.txt").write_text("\n".join(sh) + "\n", encoding="utf-8")
    return folder


def make_ds(gtfs_path):
    schools = points_frame([
        {"school_id": "S1", "name": "甲镇小学", "school_type": "primary", "township": "甲镇",
         "urban_rural": "rural", "x": 0, "y": 0},
        {"school_id": "S2", "name": "乙镇小学", "school_type": "primary", "township": "乙镇",
         "urban_rural": "rural", "x": 10000, "y": 0},
    ])
    villages = points_frame([
        village("V1", "甲镇", 1000, 0, 10), village("V2", "甲镇", 4000, 0, 5),
        village("V3", "甲镇", 0, 5000, 4), village("V4", "甲镇", -4000, 0, 3),
        village("V5", "乙镇", 10000, 3000, 2), village("V6", "乙镇", 11500, 0, 1),
    ])
    ss = pd.DataFrame({"year": [2024, 2024], "school_id": ["S1", "S2"], "stage": ["primary"] * 2,
                       "students": [400, 300]})
    return Dataset(source=None, schools=schools, stage_stats=ss,
                   facilities=pd.DataFrame({"year": [], "school_id": []}),
                   villages=villages, gtfs_path=gtfs_path)


@pytest.fixture
def ds(tmp_path):
    return make_ds(write_feed(tmp_path / "公交"))


def test_load_feed_errors(tmp_path):
    with pytest.raises(MissingTableError, match="公交"):
        bus.load_feed(make_ds(None))
    with pytest.raises(MissingTableError):
        bus.load_feed(make_ds(tmp_path / "nowhere.zip"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon\nA,a,35,116\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing_gtfs_file"):
        bus.load_feed(bad)


def test_served_schools(ds):
    s = bus.served_schools(ds)
    assert list(zip(s["route_id"], s["school_id"], s["stop_id"])) == [("R1", "S1", "Q1"),
                                                                     ("R2", "S2", "Q2")]
    assert s["school_stop_m"].round(6).tolist() == [200.0, 150.0]
    # R1 calls at Q1 on its 4 trips and ends there (t1a, t1b, t1d); R2 once
    assert s["n_trips"].tolist() == [4, 1] and s["terminal"].tolist() == [True, True]
    # a 100 m radius finds no school stop at all
    assert bus.served_schools(ds, school_stop_radius_m=100).empty


def test_routes_and_stops(ds):
    r = bus.routes(ds).set_index("route_id")
    assert r["n_trips"].to_dict() == {"R1": 4, "R2": 1}
    assert r["school_names"].to_dict() == {"R1": ["甲镇小学"], "R2": ["乙镇小学"]}
    assert r["townships"].to_dict() == {"R1": ["甲镇"], "R2": ["乙镇"]}
    assert r.loc["R1", "school_ids"] == ["S1"]
    # R1's representative trip is t1a (3 stops, first id): hypot(2000,500) + hypot(2000,200) m
    assert r.loc["R1", "length_m"] == pytest.approx(math.hypot(2000, 500) + math.hypot(2000, 200), abs=1)
    # R2 from its stops: hypot(14000, 2100) + 2250 m
    assert r.loc["R2", "length_m"] == pytest.approx(math.hypot(14000, 2100) + 2250, abs=1)
    assert r.crs == WGS84 and r.geometry.geom_type.eq("LineString").all()
    st = bus.stops(ds).set_index("stop_id")
    assert st.loc["Q1", "route_names"] == ["助学1路"] and st.loc["P4", "route_ids"] == ["R2"]
    assert st.loc["P4", "townships"] == ["乙镇"] and st.loc["P3", "townships"] == ["甲镇"]
    assert len(st) == 7


def test_routes_use_shapes_when_present(tmp_path):
    d = make_ds(write_feed(tmp_path / "feed", shapes=True))
    r = bus.routes(d).set_index("route_id")
    # sh2: 14000 + 2100 + 2250 m
    assert r.loc["R2", "length_m"] == pytest.approx(18_350, abs=1)


def test_ride_times_first_morning_trip(ds):
    rt = bus.ride_times(ds)
    got = {(a, b): (c, d, e) for a, b, c, d, e in
           zip(rt["route_id"], rt["stop_id"], rt["departure"], rt["arrival"], rt["ride_min"])}
    # earliest trip at P1 is t1b: 06:40 -> 07:05 (25 min), although t1a rides only 20 min
    assert got == {
        ("R1", "P1"): ("06:40", "07:05", 25.0),
        ("R1", "P2"): ("06:55", "07:05", 10.0),
        ("R1", "P3"): ("06:50", "07:10", 20.0),
        ("R2", "P4"): ("07:00", "07:40", 40.0),
        ("R2", "P5"): ("07:30", "07:40", 10.0),
    }
    assert not rt["estimated"].any()
    # the school's 镇街; the ride along the stops of t1b P1 -> Q1: hypot(2000,500) + hypot(2000,200) m
    assert rt.set_index("stop_id").loc["P4", "township"] == "乙镇"
    assert rt.set_index("stop_id").loc["P1", "ride_m"] == pytest.approx(math.hypot(2000, 500) + math.hypot(2000, 200))


def test_ride_time_estimated_without_timetable(tmp_path):
    # P5 of t2a has no time: ride P5 -> Q2 estimated from 2250 m at 30 km/h = 4.5 min
    d = make_ds(write_feed(tmp_path / "feed", drop_time=("t2a", "P5")))
    rt = bus.ride_times(d).set_index("stop_id")
    assert rt.loc["P5", "estimated"] and rt.loc["P5", "ride_min"] == pytest.approx(4.5)


def test_coverage(ds):
    cov = bus.coverage(ds, stage="primary").set_index("village_id")
    assert cov["beyond_walk"].to_dict() == {"V1": False, "V2": True, "V3": True, "V4": True,
                                            "V5": True, "V6": False}
    assert cov["covered"].to_dict() == {"V1": False, "V2": True, "V3": False, "V4": False,
                                        "V5": True, "V6": False}
    assert cov["uncovered"].to_dict() == {"V1": False, "V2": False, "V3": True, "V4": True,
                                          "V5": False, "V6": False}
    # V4 has a stop within reach (P4, 300 m) but R2 does not go to its school
    assert not cov.loc["V4", "bus_link"] and cov.loc["V4", "nearest_stop_id"] == "P4"
    assert cov.loc["V2", "stop_id"] == "P1" and cov.loc["V2", "stop_m"] == pytest.approx(500)
    assert cov.loc["V2", "ride_min"] == pytest.approx(20) and cov.loc["V2", "route_names"] == ["助学1路"]
    assert cov.loc["V5", "ride_min"] == pytest.approx(10)
    assert cov.loc["V3", "nearest_stop_m"] == pytest.approx(1000)


def test_coverage_summary_and_uncovered(ds):
    cov = bus.coverage(ds)
    s = bus.coverage_summary(cov).set_index("township")
    assert s.loc["甲镇", ["pupils", "beyond_pupils", "covered_pupils", "uncovered_pupils"]].tolist() == \
        [132, 72, 30, 42]
    assert s.loc["甲镇", "covered_share"] == pytest.approx(30 / 72)
    assert s.loc["乙镇", "covered_share"] == pytest.approx(1.0)
    c = s.loc["全县"]
    assert [c["pupils"], c["beyond_pupils"], c["covered_pupils"], c["uncovered_villages"]] == [150, 84, 42, 2]
    assert c["covered_share"] == pytest.approx(0.5)
    u = bus.uncovered_villages(cov)
    assert u["village_name"].tolist() == ["V3村", "V4村"]
    assert u["pupils"].tolist() == [24, 18]
    assert u["distance_m"].tolist() == pytest.approx([5000, 4000])
    assert u["nearest_stop_name"].tolist() == ["北洼站", "西湖站"]
    assert u["nearest_stop_m"].tolist() == pytest.approx([1000, 300])


def test_coverage_reach_override(ds):
    # walking 1001 m to a stop brings V3 (P3 at 1000 m, R1 to S1) in: covered 30 + 12 + 24 = 66
    cov = bus.coverage(ds, stop_access_m=1001)
    s = bus.coverage_summary(cov, by=None)
    assert s.loc[0, "covered_pupils"] == 66 and s.loc[0, "uncovered_pupils"] == 18


def test_links_directions(ds):
    lk = bus.links(ds)
    # morning pairs: t1a P1,P2 -> S1; t1b P1,P2 -> S1; t1d P3 -> S1; t2a P4,P5 -> S2 = 7;
    # the afternoon return t1c gives P2, P1 from S1 (not to school) = 2 more rows
    assert len(lk) == 9 and int(lk["morning"].sum()) == 7
    back = lk[lk["trip_id"] == "t1c"].set_index("stop_id")
    assert not back["to_school"].any()
    # return ride Q1 16:30 -> P1 16:50
    assert back.loc["P1", "ride_min"] == pytest.approx(20.0)


def test_afternoon_pass_does_not_cover(tmp_path):
    # only the afternoon trip t1c remains on R1: V2 has a stop (P1) on a route to S1, but no bus
    # takes pupils to school in the morning -> V2 is not covered
    only = {k: v for k, v in TRIPS.items() if k in ("t1c", "t2a")}
    d = make_ds(write_feed(tmp_path / "feed", trips=only))
    cov = bus.coverage(d).set_index("village_id")
    assert not cov.loc["V2", "covered"] and cov.loc["V2", "uncovered"]
    assert cov.loc["V5", "covered"]


def test_a_route_serving_two_townships_is_in_both_views(tmp_path):
    # R3 calls at Q1 (甲镇小学站, 07:00), P2 (07:10), Q2 (乙镇小学站, 07:40): it serves S1 and S2
    trips = {**TRIPS, "t3a": ("R3", [("Q1", "07:00:00"), ("P2", "07:10:00"), ("Q2", "07:40:00")])}
    a = jxedu.assess(make_ds(write_feed(tmp_path / "feed", trips=trips)))
    assert a.bus_routes.set_index("route_id").loc["R3", "townships"] == ["甲镇", "乙镇"]
    assert sorted(a.township("甲镇").bus_routes["route_id"]) == ["R1", "R3"]
    assert sorted(a.township("乙镇").bus_routes["route_id"]) == ["R2", "R3"]
    # stops of the routes serving the 镇街's schools: 甲镇 R1 (P1 P2 P3 Q1) + R3 (Q1 P2 Q2)
    assert sorted(a.township("甲镇").bus_stops["stop_id"]) == ["P1", "P2", "P3", "Q1", "Q2"]
    assert sorted(a.township("乙镇").bus_stops["stop_id"]) == ["P2", "P4", "P5", "Q1", "Q2"]
    # ride times go with the school's 镇街: to S2 from P4, P5 (R2) and Q1, P2 (R3)
    rt = a.township("乙镇").ride_times
    assert sorted(zip(rt["route_id"], rt["stop_id"], strict=True)) == [("R2", "P4"), ("R2", "P5"), ("R3", "P2"),
                                                                       ("R3", "Q1")]
