"""Benchmark of jxedu.analysis.access: nearest school by straight line and along a road network.

(a) 1 000 000 demand points x 10 000 schools, straight line: :func:`jxedu.analysis.access.nearest_straight`
    (``scipy.spatial.cKDTree``) against ``geopandas.sjoin_nearest`` on the same points
    (goal: at least 3x faster).
(b) 100 000 points over a synthetic grid road network of about 200 000 edges with 1 000 schools:
    :func:`jxedu.analysis.access.network_nearest` (one multi-source ``scipy.sparse.csgraph.dijkstra``)
    against networkx ``single_source_dijkstra_path_length`` from every school (goal: ours under
    5 s). The networkx baseline is timed on a subset of schools and extrapolated linearly to all
    schools (labelled as such); both methods are checked to agree on that subset.

Run::

    .venv/bin/python bench/access.py            # full size
    .venv/bin/python bench/access.py --json     # one JSON object with the same figures
    .venv/bin/python bench/access.py --quick    # 1/10 of the sizes, for a smoke test
"""

from __future__ import annotations

import argparse
import json
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from jxedu.analysis.access import RoadGraph, nearest_straight, network_nearest, road_graph
from jxedu.core.config import UTM50N, WGS84

SEED = 20240901
EXTENT_M = 40_000.0  # metres: side of the square the points fall in (金乡 is about 35 x 43 km)


def bench_straight(n_points: int, n_schools: int, rng) -> dict:
    pts = rng.uniform(0, EXTENT_M, size=(n_points, 2)) + (400_000.0, 3_860_000.0)
    sch = rng.uniform(0, EXTENT_M, size=(n_schools, 2)) + (400_000.0, 3_860_000.0)

    t0 = time.perf_counter()
    d_ours, i_ours = nearest_straight(sch, pts)
    t_ours = time.perf_counter() - t0

    gp = gpd.GeoDataFrame(geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs=UTM50N)
    gs = gpd.GeoDataFrame({"school": np.arange(n_schools)},
                          geometry=gpd.points_from_xy(sch[:, 0], sch[:, 1]), crs=UTM50N)
    t0 = time.perf_counter()
    joined = gpd.sjoin_nearest(gp, gs, how="left", distance_col="d")
    t_sjoin = time.perf_counter() - t0

    # ties give several rows per point in sjoin_nearest: compare the distances of the first rows
    first = joined[~joined.index.duplicated()]
    agree = bool(np.allclose(first["d"].to_numpy(), d_ours, atol=1e-6))
    return {
        "points": n_points,
        "schools": n_schools,
        "ours_s": round(t_ours, 3),
        "sjoin_nearest_s": round(t_sjoin, 3),
        "speedup": round(t_sjoin / t_ours, 1),
        "distances_agree": agree,
    }


def grid_network(side: int, spacing_m: float, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A jittered side x side grid: 2*side*(side-1) edges."""
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    xy = np.c_[gx.ravel(), gy.ravel()] * spacing_m + rng.uniform(-0.2, 0.2, (side * side, 2)) * spacing_m
    idx = np.arange(side * side).reshape(side, side)
    i = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    j = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    w = np.hypot(*(xy[i] - xy[j]).T)
    return xy, i, j, w


def bench_network(n_points: int, n_schools: int, side: int, baseline_schools: int, rng) -> dict:
    spacing = 100.0  # metres
    xy, i, j, w = grid_network(side, spacing, rng)
    span = (side - 1) * spacing
    pts = rng.uniform(0, span, size=(n_points, 2))
    sch = rng.uniform(0, span, size=(n_schools, 2))

    t0 = time.perf_counter()
    graph = RoadGraph.from_edges(xy, i, j, w)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    d_ours, k_ours = network_nearest(graph, sch, pts)
    t_query = time.perf_counter() - t0

    # baseline: networkx single-source Dijkstra from each school (on a subset), min over schools
    g = nx.Graph()
    g.add_weighted_edges_from(zip(i.tolist(), j.tolist(), w.tolist()))
    s_node, s_d = graph.snap(sch)
    p_node, p_d = graph.snap(pts)
    sub = np.arange(min(baseline_schools, n_schools))
    best = np.full(graph.n_nodes, np.inf)
    t0 = time.perf_counter()
    for s in sub:
        lengths = nx.single_source_dijkstra_path_length(g, int(s_node[s]), weight="weight")
        nodes = np.fromiter(lengths.keys(), dtype=np.int64, count=len(lengths))
        vals = np.fromiter(lengths.values(), dtype=float, count=len(lengths)) + s_d[s]
        np.minimum.at(best, nodes, vals)
    t_nx_subset = time.perf_counter() - t0
    t_nx_full = t_nx_subset * n_schools / len(sub)
    d_nx = best[p_node] + p_d
    d_check, _ = network_nearest(graph, sch[sub], pts)
    agree = bool(np.allclose(d_nx, d_check, atol=1e-6))

    # the same network as a road layer (one WGS-84 line per edge), through road_graph
    lines = shapely.linestrings(np.stack([xy[i], xy[j]], axis=1) + (400_000.0, 3_860_000.0))
    layer = gpd.GeoDataFrame(geometry=lines, crs=UTM50N).to_crs(WGS84)
    t0 = time.perf_counter()
    from_layer = road_graph(layer)
    t_layer = time.perf_counter() - t0
    same_size = from_layer.n_nodes == graph.n_nodes and from_layer.n_edges == graph.n_edges
    return {
        "points": n_points,
        "schools": n_schools,
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
        "ours_build_s": round(t_build, 3),
        "ours_query_s": round(t_query, 3),
        "ours_total_s": round(t_build + t_query, 3),
        "networkx_subset_schools": int(len(sub)),
        "networkx_subset_s": round(t_nx_subset, 3),
        "networkx_all_schools_s_extrapolated": round(t_nx_full, 1),
        "speedup_vs_extrapolated": round(t_nx_full / (t_build + t_query), 1),
        "subset_distances_agree": agree,
        "goal_under_5s": bool(t_build + t_query < 5.0),
        "road_graph_from_layer_s": round(t_layer, 3),
        "road_graph_from_layer_same_graph": bool(same_size),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--quick", action="store_true", help="1/10 of the sizes (smoke test)")
    ap.add_argument("--baseline-schools", type=int, default=5,
                    help="schools timed for the networkx baseline (extrapolated to all)")
    args = ap.parse_args()
    f = 10 if args.quick else 1
    rng = np.random.default_rng(SEED)
    a = bench_straight(1_000_000 // f, 10_000 // f, rng)
    side = 317 if not args.quick else 100  # 317 x 317 grid: 2 * 317 * 316 = 200 344 edges
    b = bench_network(100_000 // f, 1_000 // f, side, args.baseline_schools, rng)
    result = {"straight": a, "network": b, "quick": args.quick}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print("(a) 直线最近学校 straight-line nearest school")
    print(f"    {a['points']:,} points x {a['schools']:,} schools")
    print(f"    jxedu (cKDTree)          {a['ours_s']:8.3f} s")
    print(f"    geopandas.sjoin_nearest  {a['sjoin_nearest_s']:8.3f} s")
    print(f"    ratio                    {a['speedup']:8.1f} x faster (goal >= 3x); "
          f"distances agree: {a['distances_agree']}")
    print("(b) 路网最近学校 network nearest school")
    print(f"    {b['points']:,} points, {b['schools']:,} schools, grid network "
          f"{b['nodes']:,} nodes / {b['edges']:,} edges")
    print(f"    jxedu build graph        {b['ours_build_s']:8.3f} s")
    print(f"    jxedu multi-source       {b['ours_query_s']:8.3f} s")
    print(f"    jxedu total              {b['ours_total_s']:8.3f} s (goal < 5 s: {b['goal_under_5s']})")
    print(f"    (road_graph from a {b['edges']:,}-line WGS-84 layer: projection, noding, snapping "
          f"{b['road_graph_from_layer_s']:.3f} s; same graph: {b['road_graph_from_layer_same_graph']})")
    print(f"    networkx, {b['networkx_subset_schools']} schools timed {b['networkx_subset_s']:8.3f} s")
    print(f"    networkx, all {b['schools']:,} schools EXTRAPOLATED "
          f"{b['networkx_all_schools_s_extrapolated']:8.1f} s")
    print(f"    ratio                    {b['speedup_vs_extrapolated']:8.1f} x faster (vs extrapolated); "
          f"subset distances agree: {b['subset_distances_agree']}")


if __name__ == "__main__":
    main()
