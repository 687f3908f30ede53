"""School bus routes (公交助学) from a GTFS feed: routes, stops, schools served, ride times, coverage.

The feed is the data set's ``公交.zip`` or ``公交/`` folder (:attr:`jxedu.core.dataset.Dataset.gtfs_path`),
read with gtfs-kit. Stop coordinates are WGS-84 as the GTFS standard requires; distances are measured
in UTM 50N metres.

Rules (the distances are settings, :class:`jxedu.core.settings.Settings`):

* **A route serves a school** when at least one of its trips calls at a stop within
  ``school_stop_radius_m`` (default 300 m) of the school. This works for any feed; a demo or county
  feed whose morning trips end at the school satisfies it with the terminal stop (``terminal`` is
  True when the stop near the school is the last stop of some trip).
* **A stop links a pupil to a school** when a morning trip calls at the stop and *then* at a stop
  near that school, arriving there before 12:00 (a trip without times there counts too). A bus that
  passes the school on its way out in the afternoon does not take pupils to school. The ride time
  is that of the first morning trip (departure at the stop to arrival at the school stop); where
  the timetable has no times there, it is estimated from the straight distances between
  consecutive stops at ``bus_speed_kmh``.
* **Coverage**: a 村居 beyond walking distance of its assigned school (:mod:`jxedu.analysis.access`) is
  *covered* when a stop within ``bus_stop_access_m`` (default 800 m, straight line) links it to that
  school. Beyond walking distance and not covered = *uncovered*: where 公交助学 must go next.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from jxedu.analysis.access import nearest_straight, pairs_within, summarise, village_access
from jxedu.core.config import UTM50N, WGS84
from jxedu.core.errors import DataError, MissingTableError
from jxedu.core.settings import resolve_settings as _settings

__all__ = [
    "MORNING_END_S",
    "coverage",
    "coverage_summary",
    "links",
    "load_feed",
    "ride_times",
    "routes",
    "served_schools",
    "stops",
    "uncovered_villages",
]

_TO_UTM = Transformer.from_crs(WGS84, UTM50N, always_xy=True)
#: Trips reaching the school stop before this time are morning (to-school) trips.
MORNING_END_S = 12 * 3600  # seconds after midnight (12:00)

# --- reading --------------------------------------------------------------------------------

_FEED_CACHE: dict[tuple[str, float], object] = {}


def load_feed(ds_or_path):
    """Read the school-bus GTFS feed with gtfs-kit (distances in km).

    Parameters
    ----------
    ds_or_path
        A data set (uses ``ds.gtfs_path``) or the path of a GTFS zip or folder.

    Returns
    -------
    gtfs_kit.Feed

    Raises
    ------
    MissingTableError
        The data set has no feed, or the path does not exist.
    DataError
        The feed cannot be read or lacks stops, routes, trips or stop_times.
    """
    import gtfs_kit as gk

    path = ds_or_path if isinstance(ds_or_path, str | Path) else ds_or_path.gtfs_path
    if path is None or not Path(path).exists():
        raise MissingTableError(
            "此分析需要的表缺失 (missing_table): 公交（GTFS 校车线路，公交.zip 或 公交/ 文件夹）；"
            "请在数据中补充后重试。"
        )
    path = Path(path)
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _FEED_CACHE:
        try:
            feed = gk.read_feed(path, dist_units="km")
        except (ValueError, KeyError, OSError) as exc:
            raise DataError(f"无法读取公交（GTFS）数据 (bad_gtfs): {path.name}: {exc}") from None
        missing = [t for t in ("stops", "routes", "trips", "stop_times") if getattr(feed, t) is None]
        if missing:
            raise DataError(f"公交（GTFS）数据缺少文件 (missing_gtfs_file): {'、'.join(m + '.txt' for m in missing)}")
        _FEED_CACHE.clear()
        _FEED_CACHE[key] = feed
    return _FEED_CACHE[key]


def _seconds(times: pd.Series) -> np.ndarray:
    """GTFS ``H:MM:SS`` (hours may exceed 24) to seconds; NaN where empty."""
    s = times.astype("string").str.strip()
    parts = s.str.split(":", expand=True)
    if parts.shape[1] < 3:
        return np.full(len(times), np.nan)
    h, m, sec = (pd.to_numeric(parts[i], errors="coerce") for i in range(3))
    return (h * 3600 + m * 60 + sec).to_numpy(dtype=float)


def _hhmm(seconds) -> str | None:
    if seconds is None or not np.isfinite(seconds):
        return None
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _stop_table(feed) -> pd.DataFrame:
    st = feed.stops[["stop_id", "stop_name", "stop_lon", "stop_lat"]].copy()
    st = st.dropna(subset=["stop_lon", "stop_lat"])
    x, y = _TO_UTM.transform(st["stop_lon"].to_numpy(float), st["stop_lat"].to_numpy(float))
    st["x"], st["y"] = x, y
    return st.reset_index(drop=True)


def _stop_times(feed, stop_xy: pd.DataFrame) -> pd.DataFrame:
    """Stop times with route, seconds and straight distance along the trip's stops (metres)."""
    st = feed.stop_times[["trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time"]]
    st = st.merge(feed.trips[["trip_id", "route_id"]], on="trip_id", how="inner")
    st = st.merge(stop_xy[["stop_id", "x", "y"]], on="stop_id", how="inner")
    st = st.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    st["arr_s"] = _seconds(st["arrival_time"])
    st["dep_s"] = _seconds(st["departure_time"])
    st["arr_s"] = st["arr_s"].fillna(st["dep_s"])
    st["dep_s"] = st["dep_s"].fillna(st["arr_s"])
    same = st["trip_id"].eq(st["trip_id"].shift())
    step = np.hypot(st["x"].diff(), st["y"].diff()).where(same, 0.0).fillna(0.0)
    st["cum_m"] = step.groupby(st["trip_id"]).cumsum()
    st["pos"] = st.groupby("trip_id").cumcount()
    st["last"] = st["pos"] == st.groupby("trip_id")["pos"].transform("max")
    return st


def _near_school_stops(ds, stop_xy: pd.DataFrame, radius_m: float) -> pd.DataFrame:
    """(school_id, stop_id, school_stop_m) for every stop within ``radius_m`` of a school."""
    cols = ["school_id", "stop_id", "school_stop_m"]
    if stop_xy.empty:
        return pd.DataFrame(columns=cols)
    sch = ds.schools
    sxy = sch[["x", "y"]].to_numpy(float)
    pxy = stop_xy[["x", "y"]].to_numpy(float)
    i, j, d = pairs_within(sxy, pxy, radius_m)
    if not len(i):
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        {"school_id": sch["school_id"].to_numpy()[i], "stop_id": stop_xy["stop_id"].to_numpy()[j],
         "school_stop_m": d}
    )


# --- routes, stops, schools served ----------------------------------------------------------


def served_schools(
    ds, *, feed=None, school_stop_radius_m: float | None = None, settings=None
) -> pd.DataFrame:
    """Which schools each route serves: a trip of the route calls at a stop near the school.

    Parameters
    ----------
    ds
        The data set (schools and the feed).
    feed
        A feed from :func:`load_feed` (read from ``ds`` when ``None``).
    school_stop_radius_m
        A stop within this many metres of a school serves it; setting ``school_stop_radius_m``
        (default 300) when ``None``.
    settings
        Settings.

    Returns
    -------
    pandas.DataFrame
        ``route_id, route_short_name, school_id, school_name, stop_id, stop_name, school_stop_m,
        n_trips`` (trips of the route calling there), ``terminal`` (the stop ends some trip), one row
        per route, school and stop near it.
    """
    radius = float(school_stop_radius_m if school_stop_radius_m is not None
                   else _settings(settings).school_stop_radius_m)
    feed = load_feed(ds) if feed is None else feed
    stop_xy = _stop_table(feed)
    near = _near_school_stops(ds, stop_xy, radius)
    st = _stop_times(feed, stop_xy)
    calls = st.merge(near, on="stop_id", how="inner")
    cols = ["route_id", "route_short_name", "school_id", "school_name", "stop_id", "stop_name",
            "school_stop_m", "n_trips", "terminal"]
    if calls.empty:
        return pd.DataFrame(columns=cols)
    g = calls.groupby(["route_id", "school_id", "stop_id"], sort=True).agg(
        n_trips=("trip_id", "nunique"), terminal=("last", "any"), school_stop_m=("school_stop_m", "first")
    ).reset_index()
    g = g.merge(feed.routes[["route_id", "route_short_name"]], on="route_id", how="left")
    g = g.merge(ds.schools[["school_id", "name"]].rename(columns={"name": "school_name"}),
                on="school_id", how="left")
    g = g.merge(stop_xy[["stop_id", "stop_name"]], on="stop_id", how="left")
    return g[cols].reset_index(drop=True)


def _route_lines(feed, st: pd.DataFrame) -> dict:
    """Route id -> representative LineString (UTM): the shape of its trip with most stops, or the
    straight stop-to-stop line of that trip when the feed has no shapes."""
    counts = st.groupby("trip_id").size().rename("n").reset_index()
    counts = counts.merge(feed.trips[["trip_id", "route_id"]], on="trip_id")
    best = counts.sort_values(["route_id", "n", "trip_id"], ascending=[True, False, True])
    best = best.drop_duplicates("route_id").set_index("route_id")["trip_id"]
    shapes = {}
    if feed.shapes is not None and "shape_id" in feed.trips.columns and len(feed.shapes):
        sh = feed.shapes.sort_values(["shape_id", "shape_pt_sequence"])
        x, y = _TO_UTM.transform(sh["shape_pt_lon"].to_numpy(float), sh["shape_pt_lat"].to_numpy(float))
        sh = sh.assign(x=x, y=y)
        for sid, g in sh.groupby("shape_id"):
            if len(g) >= 2:
                shapes[sid] = shapely.LineString(g[["x", "y"]].to_numpy())
    shape_of = feed.trips.set_index("trip_id")["shape_id"] if "shape_id" in feed.trips.columns else None
    out = {}
    for route_id, trip_id in best.items():
        sid = shape_of.get(trip_id) if shape_of is not None else None
        if sid is not None and sid in shapes:
            out[route_id] = shapes[sid]
            continue
        pts = st.loc[st["trip_id"] == trip_id, ["x", "y"]].to_numpy()
        out[route_id] = shapely.LineString(pts) if len(pts) >= 2 else None
    return out


def routes(ds, *, feed=None, school_stop_radius_m: float | None = None, settings=None) -> gpd.GeoDataFrame:
    """The school bus routes with the schools they serve.

    Parameters
    ----------
    ds
        The data set.
    feed, school_stop_radius_m, settings
        As :func:`served_schools`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``route_id, route_short_name, route_long_name, n_trips, n_stops, school_ids, school_names,
        townships`` (lists: the schools served and their 镇街, each once), ``length_m`` (of the
        representative line, metres), geometry (WGS-84 line: the shape of the route's longest trip,
        or its stops joined in order). A route serving schools of two 镇街 concerns both.
    """
    feed = load_feed(ds) if feed is None else feed
    stop_xy = _stop_table(feed)
    st = _stop_times(feed, stop_xy)
    served = served_schools(ds, feed=feed, school_stop_radius_m=school_stop_radius_m, settings=settings)
    r = feed.routes.copy()
    for c in ("route_short_name", "route_long_name"):
        if c not in r.columns:
            r[c] = None
    r = r[["route_id", "route_short_name", "route_long_name"]]
    trips_per_route = feed.trips.groupby("route_id")["trip_id"].nunique()
    r["n_trips"] = r["route_id"].map(trips_per_route).fillna(0).astype("int64")
    r["n_stops"] = r["route_id"].map(st.groupby("route_id")["stop_id"].nunique()).fillna(0).astype("int64")
    schools = _route_schools(ds, served)
    for c in ("school_ids", "school_names", "townships"):
        r[c] = [list(schools[c].get(rid, [])) for rid in r["route_id"]]
    lines = _route_lines(feed, st)
    geoms = gpd.GeoSeries([lines.get(rid) for rid in r["route_id"]], crs=UTM50N)
    r["length_m"] = geoms.length.to_numpy()
    out = gpd.GeoDataFrame(r, geometry=geoms.to_crs(WGS84).to_numpy(), crs=WGS84)
    return out.reset_index(drop=True)


def _route_schools(ds, served: pd.DataFrame) -> pd.DataFrame:
    """Per route: lists of the ids, names and 镇街 of the schools it serves (in served order)."""
    pairs = served.drop_duplicates(["route_id", "school_id"])
    pairs = pairs.merge(ds.schools[["school_id", "township"]], on="school_id", how="left")
    by_route = pairs.groupby("route_id", sort=False)
    return pd.DataFrame({
        "school_ids": by_route["school_id"].agg(list),
        "school_names": by_route["school_name"].agg(lambda v: [str(x) for x in v.dropna()]),
        "townships": by_route["township"].agg(lambda v: list(dict.fromkeys(v.dropna()))),
    })


def stops(ds, *, feed=None, settings=None) -> gpd.GeoDataFrame:
    """The bus stops with the routes calling there.

    Parameters
    ----------
    ds
        The data set.
    feed, settings
        As :func:`served_schools`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``stop_id, stop_name, route_ids, route_names`` (lists; a route without a short name is named
        by its id), ``n_routes``, ``townships`` (list: the 镇街 of the schools the routes calling
        there serve), ``x, y`` (UTM metres), geometry (WGS-84 points).
    """
    feed = load_feed(ds) if feed is None else feed
    stop_xy = _stop_table(feed)
    st = _stop_times(feed, stop_xy)
    label = _route_names(feed)
    calls = st[["stop_id", "route_id"]].drop_duplicates().sort_values(["stop_id", "route_id"])
    rids = calls.groupby("stop_id")["route_id"].agg(list)
    towns = _route_schools(ds, served_schools(ds, feed=feed, settings=settings))["townships"]
    out = stop_xy.copy()
    out["route_ids"] = [list(rids.get(s, [])) for s in out["stop_id"]]
    out["route_names"] = [[str(label.get(r, r)) for r in ids] for ids in out["route_ids"]]
    out["n_routes"] = out["route_ids"].map(len).astype("int64")
    out["townships"] = [list(dict.fromkeys(t for r in ids for t in towns.get(r, []))) for ids in out["route_ids"]]
    geom = gpd.points_from_xy(out["stop_lon"], out["stop_lat"])
    out = out[["stop_id", "stop_name", "route_ids", "route_names", "n_routes", "townships", "x", "y"]]
    return gpd.GeoDataFrame(out, geometry=geom, crs=WGS84).reset_index(drop=True)


def _route_names(feed) -> pd.Series:
    """Route id -> its short name (the id where the feed gives none)."""
    rn = feed.routes.set_index("route_id")
    ids = pd.Series(rn.index, rn.index)
    return rn["route_short_name"].fillna(ids) if "route_short_name" in rn.columns else ids


# --- links and ride times -------------------------------------------------------------------


def links(ds, *, feed=None, school_stop_radius_m: float | None = None, settings=None) -> pd.DataFrame:
    """Every (trip, boarding stop, school) pair a trip connects, in either direction.

    Returns
    -------
    pandas.DataFrame
        ``route_id, trip_id, stop_id, school_id, school_stop_id, to_school`` (the stop comes before
        the school stop on the trip), ``morning`` (to the school, arriving before 12:00 or at an
        unknown time: the pairs that count for coverage), ``dep_s`` (departure at the stop,
        seconds after midnight),
        ``ride_min`` (on a return trip: from the school stop to the stop), ``ride_m`` (straight
        distances between consecutive stops, metres), ``estimated`` (ride time from ``ride_m`` at
        ``bus_speed_kmh`` because the timetable lacks a time).
    """
    s = _settings(settings)
    radius = float(school_stop_radius_m if school_stop_radius_m is not None else s.school_stop_radius_m)
    feed = load_feed(ds) if feed is None else feed
    stop_xy = _stop_table(feed)
    near = _near_school_stops(ds, stop_xy, radius)
    st = _stop_times(feed, stop_xy)
    q = st.merge(near[["school_id", "stop_id"]], on="stop_id", how="inner")
    q = q[["trip_id", "school_id", "stop_id", "pos", "arr_s", "dep_s", "cum_m"]].rename(
        columns={"stop_id": "school_stop_id", "pos": "pos_q", "arr_s": "arr_q", "dep_s": "dep_q",
                 "cum_m": "cum_q"}
    )
    p = st[["route_id", "trip_id", "stop_id", "pos", "arr_s", "dep_s", "cum_m"]]
    pairs = p.merge(q, on="trip_id", how="inner")
    pairs = pairs[pairs["pos"] != pairs["pos_q"]].copy()
    pairs["to_school"] = pairs["pos"] < pairs["pos_q"]
    ride_m = (pairs["cum_q"] - pairs["cum_m"]).abs()
    # towards the school: departure at the stop -> arrival at the school stop; on a return trip:
    # departure at the school stop -> arrival at the stop
    timed = pd.Series(
        np.where(pairs["to_school"], pairs["arr_q"] - pairs["dep_s"], pairs["arr_s"] - pairs["dep_q"]),
        index=pairs.index,
    ) / 60.0
    timed = timed.where(timed >= 0)
    speed_m_per_min = s.bus_speed_kmh * 1000.0 / 60.0
    pairs["estimated"] = timed.isna()
    pairs["ride_min"] = np.where(pairs["estimated"], ride_m / speed_m_per_min, timed)
    pairs["ride_m"] = ride_m
    pairs["morning"] = pairs["to_school"] & ~(pairs["arr_q"] >= MORNING_END_S)
    # per trip, boarding stop and school keep the closest stop near the school
    pairs = pairs.sort_values(["trip_id", "stop_id", "school_id", "ride_m"], kind="stable")
    pairs = pairs.drop_duplicates(["trip_id", "stop_id", "school_id"])
    cols = ["route_id", "trip_id", "stop_id", "school_id", "school_stop_id", "to_school", "morning",
            "dep_s", "ride_min", "ride_m", "estimated"]
    return pairs[cols].reset_index(drop=True)


def ride_times(ds, *, feed=None, school_stop_radius_m: float | None = None, settings=None) -> pd.DataFrame:
    """Ride time from each stop to each school its routes serve, on the first morning trip.

    Only morning trips that call at the stop before the school stop count (see the module notes).
    Per route, stop and school the trip leaving the stop earliest is taken.

    Parameters
    ----------
    ds
        The data set.
    feed, school_stop_radius_m, settings
        As :func:`served_schools`.

    Returns
    -------
    pandas.DataFrame
        ``route_id, route_short_name, stop_id, stop_name, school_id, school_name, township`` (the
        school's 镇街), ``trip_id, departure, arrival`` (HH:MM; no arrival when the time is
        estimated), ``ride_min``, ``ride_m`` (straight distances between consecutive stops, metres),
        ``estimated``; sorted by route and departure.
    """
    feed = load_feed(ds) if feed is None else feed
    lk = links(ds, feed=feed, school_stop_radius_m=school_stop_radius_m, settings=settings)
    lk = lk[lk["morning"]].sort_values(["route_id", "stop_id", "school_id", "dep_s", "trip_id"])
    first = lk.drop_duplicates(["route_id", "stop_id", "school_id"]).copy()
    first["departure"] = [_hhmm(v) for v in first["dep_s"]]
    first["arrival"] = [_hhmm(d + 60 * r) if not e else None
                        for d, r, e in zip(first["dep_s"], first["ride_min"], first["estimated"], strict=True)]
    first = first.merge(feed.routes[["route_id", "route_short_name"]], on="route_id", how="left")
    first = first.merge(_stop_table(feed)[["stop_id", "stop_name"]], on="stop_id", how="left")
    first = first.merge(ds.schools[["school_id", "name", "township"]].rename(columns={"name": "school_name"}),
                        on="school_id", how="left")
    first = first.sort_values(["route_id", "dep_s", "stop_id"], kind="stable")
    cols = ["route_id", "route_short_name", "stop_id", "stop_name", "school_id", "school_name", "township",
            "trip_id", "departure", "arrival", "ride_min", "ride_m", "estimated"]
    return first[cols].reset_index(drop=True)


# --- coverage -------------------------------------------------------------------------------


def coverage(
    ds,
    *,
    stage: str = "primary",
    year: int | None = None,
    stop_access_m: float | None = None,
    school_stop_radius_m: float | None = None,
    access: gpd.GeoDataFrame | None = None,
    feed=None,
    settings=None,
) -> gpd.GeoDataFrame:
    """Per 村居: beyond walking distance of its assigned school, and does a bus take it there?

    Parameters
    ----------
    ds
        The data set (村居, schools, the feed; roads are used when present).
    stage, year
        As :func:`jxedu.analysis.access.village_access`.
    stop_access_m
        How far a pupil walks to a stop, metres; setting ``bus_stop_access_m`` (800) when ``None``.
    school_stop_radius_m
        As :func:`served_schools`.
    access
        A :func:`jxedu.analysis.access.village_access` result to reuse.
    feed, settings
        As :func:`served_schools`.

    Returns
    -------
    geopandas.GeoDataFrame
        The access columns ``village_id, name, township, demand, assigned_school_id,
        assigned_school_name, distance_m, beyond_walk`` plus ``nearest_stop_id, nearest_stop_name,
        nearest_stop_m`` (any stop), ``bus_link`` (a stop within reach links the 村居 to its assigned
        school), ``stop_id, stop_name, stop_m`` (the nearest such stop, metres), ``route_names``
        (list of the routes from there), ``ride_min`` (shortest ride from that stop), ``covered``
        (beyond walking distance and linked), ``uncovered`` (beyond walking distance and not linked).
    """
    s = _settings(settings)
    reach = float(stop_access_m if stop_access_m is not None else s.bus_stop_access_m)
    feed = load_feed(ds) if feed is None else feed
    acc = access if access is not None else village_access(ds, stage=stage, year=year, settings=s)
    keep = ["village_id", "name", "township", "lon", "lat", "x", "y", "demand", "assigned_school_id",
            "assigned_school_name", "distance_m", "walk_limit_m", "beyond_walk", "geometry"]
    out = acc[keep].copy().reset_index(drop=True)
    stop_xy = _stop_table(feed)
    nearest = _nearest_stops(out, stop_xy)
    linked = _linked_stops(ds, out, stop_xy, feed, reach=reach, school_stop_radius_m=school_stop_radius_m,
                           settings=s)
    out = pd.concat([out, nearest, linked], axis=1)
    beyond = out["beyond_walk"].to_numpy(dtype=bool)
    out["covered"] = beyond & out["bus_link"].to_numpy(dtype=bool)
    out["uncovered"] = beyond & ~out["bus_link"].to_numpy(dtype=bool)
    res = gpd.GeoDataFrame(out, geometry="geometry", crs=acc.crs or WGS84)
    res.attrs.update(acc.attrs)
    res.attrs["stop_access_m"] = reach
    return res


def _nearest_stops(vil: pd.DataFrame, stop_xy: pd.DataFrame) -> pd.DataFrame:
    """``nearest_stop_id, nearest_stop_name, nearest_stop_m``: the nearest stop of any route."""
    n = len(vil)
    out = pd.DataFrame({"nearest_stop_id": pd.Series([None] * n, dtype=object),
                        "nearest_stop_name": pd.Series([None] * n, dtype=object),
                        "nearest_stop_m": np.full(n, np.nan)})
    if len(stop_xy) and n:
        d, j = nearest_straight(stop_xy[["x", "y"]].to_numpy(float), vil[["x", "y"]].to_numpy(float))
        out["nearest_stop_id"] = stop_xy["stop_id"].to_numpy(dtype=object)[j]
        out["nearest_stop_name"] = stop_xy["stop_name"].to_numpy(dtype=object)[j]
        out["nearest_stop_m"] = d
    return out


def _linked_stops(ds, vil: pd.DataFrame, stop_xy: pd.DataFrame, feed, *, reach: float,
                  school_stop_radius_m: float | None, settings) -> pd.DataFrame:
    """Per 村居 the nearest stop within ``reach`` from which a morning trip goes to its assigned
    school: ``stop_id, stop_name, stop_m, route_names`` (list), ``ride_min`` (shortest ride from
    there) and ``bus_link`` (such a stop exists)."""
    n = len(vil)
    out = pd.DataFrame({"stop_id": pd.Series([None] * n, dtype=object),
                        "stop_name": pd.Series([None] * n, dtype=object),
                        "route_names": pd.Series([[] for _ in range(n)], dtype=object),
                        "stop_m": np.full(n, np.nan), "ride_min": np.full(n, np.nan),
                        "bus_link": np.zeros(n, dtype=bool)})
    if not len(stop_xy) or not n:
        return out
    vi, sk, vd = pairs_within(vil[["x", "y"]].to_numpy(float), stop_xy[["x", "y"]].to_numpy(float), reach)
    cand = pd.DataFrame({"row": vi, "stop_id": stop_xy["stop_id"].to_numpy()[sk], "stop_m": vd,
                         "school_id": vil["assigned_school_id"].to_numpy()[vi]})
    lk = links(ds, feed=feed, school_stop_radius_m=school_stop_radius_m, settings=settings)
    label = _route_names(feed)
    per = lk[lk["morning"]].groupby(["stop_id", "school_id"]).agg(
        ride_min=("ride_min", "min"),
        route_names=("route_id", lambda r: [str(label.get(x, x)) for x in sorted(set(r))]),
    ).reset_index()
    ok = cand.merge(per, on=["stop_id", "school_id"], how="inner")
    if ok.empty:
        return out
    ok = ok.sort_values(["row", "stop_m", "ride_min"]).drop_duplicates("row")
    ok = ok.merge(stop_xy[["stop_id", "stop_name"]], on="stop_id", how="left").set_index("row")
    for c in ("stop_id", "stop_name", "route_names", "stop_m", "ride_min"):
        vals = out[c].to_numpy().copy()
        vals[ok.index.to_numpy()] = ok[c].to_numpy()
        out[c] = vals
    out["bus_link"] = np.isin(np.arange(n), ok.index.to_numpy())
    return out


def _coverage_row(g: pd.DataFrame) -> dict:
    w = g["demand"].to_numpy(dtype=float)
    b = g["beyond_walk"].to_numpy(dtype=bool)
    c = g["covered"].to_numpy(dtype=bool)
    u = g["uncovered"].to_numpy(dtype=bool)
    beyond = float(w[b].sum())
    return {
        "villages": len(g),
        "pupils": int(w.sum()),
        "beyond_villages": int(b.sum()),
        "beyond_pupils": int(beyond),
        "covered_pupils": int(w[c].sum()),
        "uncovered_pupils": int(w[u].sum()),
        "covered_share": float(w[c].sum()) / beyond if beyond > 0 else float("nan"),
        "uncovered_villages": int((u & (w > 0)).sum()),
    }


def coverage_summary(cov: pd.DataFrame, *, by: str | None = "township") -> pd.DataFrame:
    """Pupils beyond walking distance and how many a school bus covers, per 镇街 and county.

    Parameters
    ----------
    cov
        From :func:`coverage`.
    by
        Grouping column; ``None`` gives the county row only.

    Returns
    -------
    pandas.DataFrame
        ``township, villages, pupils, beyond_villages, beyond_pupils, covered_pupils,
        uncovered_pupils, covered_share`` (covered ÷ beyond, fraction; NaN when nobody is beyond),
        ``uncovered_villages``; last row the county.
    """
    out = summarise(cov, _coverage_row, by=by)
    out.attrs.update(cov.attrs)
    return out


def uncovered_villages(cov: pd.DataFrame) -> pd.DataFrame:
    """The 村居 beyond walking distance that no school bus links to their school, most pupils first.

    This is the list where 公交助学 must go next.

    Parameters
    ----------
    cov
        From :func:`coverage`.

    Returns
    -------
    pandas.DataFrame
        ``township, village_id, village_name, pupils, assigned_school_name, distance_m,
        nearest_stop_name, nearest_stop_m`` (metres), 村居 with at least one pupil only.
    """
    u = cov[cov["uncovered"] & (cov["demand"] > 0)]
    u = u.sort_values(["demand", "distance_m"], ascending=[False, False], kind="stable")
    out = pd.DataFrame({
        "township": u["township"].to_numpy(),
        "village_id": u["village_id"].to_numpy(),
        "village_name": u["name"].to_numpy(),
        "pupils": u["demand"].to_numpy(dtype="int64"),
        "assigned_school_name": u["assigned_school_name"].to_numpy(),
        "distance_m": u["distance_m"].to_numpy(dtype=float),
        "nearest_stop_name": u["nearest_stop_name"].to_numpy(),
        "nearest_stop_m": u["nearest_stop_m"].to_numpy(dtype=float),
    })
    out.attrs.update(cov.attrs)
    return out
