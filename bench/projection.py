"""Benchmark: enrolment projection to the settings' horizon and class-size analysis at province scale.

Compares the vectorised code of :mod:`jxedu.analysis.projection` and :mod:`jxedu.analysis.classsize` with a
per-school loop (the baseline: what one writes by iterating over schools with ``groupby`` and plain
Python arithmetic), on the same data, in one process, side by side. Both must give the same numbers
(checked before timing is reported). Time is wall-clock (best of ``--repeat``); peak memory is
measured with :mod:`tracemalloc` (Python allocations, numpy/pandas buffers included).

Data: ``--source demo`` (default) writes the demo generator's set at ``--scale 65`` (≈ 10 000
schools, ≈ 850 镇街, eight school years, ≈ 1.1 million class rows) to a temporary folder with
:func:`jxedu.ingest.demo.generate` and loads it with :func:`jxedu.load` (≈ 35 s, not timed).
``--source synthetic`` builds comparable frames directly with numpy (fixed seed; ``--schools``).

Usage::

    .venv/bin/python bench/projection.py                      # demo set, scale 65 (≈ 10 000 schools)
    .venv/bin/python bench/projection.py --scale 5            # smaller
    .venv/bin/python bench/projection.py --source synthetic   # numpy-built set, 10 000 schools
    .venv/bin/python bench/projection.py --json          # one JSON object
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from jxedu.analysis import classsize, projection
from jxedu.core.dataset import Dataset
from jxedu.core.settings import get_settings

SEED = 370828
YEARS = tuple(range(2019, 2027))  # school years of history
TO_YEAR = get_settings().projection_to_year  # school year: the projection_to_year setting


# --- data ------------------------------------------------------------------------------------


def synthetic_dataset(n_schools: int = 10_000, *, seed: int = SEED) -> Dataset:
    """A province-scale data set built with numpy: schools, classes by grade and year, villages."""
    rng = np.random.default_rng(seed)
    n_town = max(1, n_schools // 12)
    towns = np.array([f"镇{i:04d}" for i in range(n_town)], dtype=object)
    town_of = rng.integers(0, n_town, n_schools)
    kind = rng.choice(["primary", "junior", "nine_year"], size=n_schools, p=[0.7, 0.2, 0.1])
    ur = rng.choice(["urban", "town", "rural"], size=n_schools, p=[0.15, 0.25, 0.6])
    sid = np.array([f"S{i:06d}" for i in range(n_schools)], dtype=object)
    schools = pd.DataFrame({"school_id": sid, "name": [f"学校{i}" for i in range(n_schools)],
                            "school_type": kind, "township": towns[town_of], "urban_rural": ur})
    # Enrolment per school-grade in the first year, then cohorts move up with noise.
    size = rng.lognormal(mean=np.log(60), sigma=0.6, size=n_schools)
    teaches = np.zeros((n_schools, 9), dtype=bool)
    teaches[kind == "primary", :6] = True
    teaches[kind == "junior", 6:] = True
    teaches[kind == "nine_year", :] = True
    rows = []
    enrol = np.where(teaches, np.maximum(size[:, None] * rng.uniform(0.8, 1.2, (n_schools, 9)), 1), 0).round()
    for y in YEARS:
        if y != YEARS[0]:
            new = np.zeros_like(enrol)
            new[:, 1:] = enrol[:, :-1] * rng.uniform(0.93, 1.05, (n_schools, 8))
            new[:, 0] = size * rng.uniform(0.85, 1.1, n_schools)
            enrol = np.where(teaches, new, 0).round()
        s_i, g_i = np.nonzero(enrol > 0)
        n = enrol[s_i, g_i].astype(int)
        cap = np.where(g_i < 6, 45, 50)
        k = np.maximum(1, np.round(n / (cap * rng.uniform(0.75, 1.05, len(n))))).astype(int)
        rep_s = np.repeat(s_i, k)
        rep_g = np.repeat(g_i, k)
        tot = np.repeat(n, k)
        kk = np.repeat(k, k)
        idx = np.arange(len(rep_s)) - np.repeat(np.cumsum(k) - k, k)
        size_c = tot // kk + (idx < tot % kk)
        rows.append(pd.DataFrame({
            "year": y, "school_id": sid[rep_s], "stage": np.where(rep_g < 6, "primary", "junior"),
            "grade": rep_g + 1, "class_name": [f"{g + 1}年级{i + 1}班" for g, i in zip(rep_g, idx)],
            "students": size_c.astype(int),
        }))
    classes = pd.concat(rows, ignore_index=True)
    # Villages: 6 per township, ages 0–14 around the township's intake.
    intake = classes[(classes["year"] == YEARS[-1]) & (classes["grade"] == 1)].merge(
        schools[["school_id", "township"]], on="school_id").groupby("township")["students"].sum()
    intake = intake.reindex(towns).fillna(0).to_numpy()
    n_vil = 6
    v_town = np.repeat(np.arange(n_town), n_vil)
    ages = {}
    for a in range(15):
        trend = 0.75 + 0.025 * a  # younger cohorts smaller
        ages[f"age_{a}"] = np.round(intake[v_town] / n_vil * trend * rng.uniform(1.1, 1.6, len(v_town))).astype(int)
    villages = pd.DataFrame({"village_id": [f"V{i:06d}" for i in range(len(v_town))], "name": "村",
                             "township": towns[v_town], **ages})
    stats = pd.DataFrame({"year": list(YEARS), "school_id": sid[0], "stage": "primary", "students": 1})
    return Dataset(source=Path("synthetic"), schools=schools, stage_stats=stats,
                   facilities=pd.DataFrame({"year": [], "school_id": []}), classes=classes, villages=villages)


def demo_dataset(scale: float, *, seed: int = SEED) -> Dataset:
    """A data set from the demo generator at ``scale`` (≈ 154 schools per unit of scale)."""
    import jxedu
    from jxedu.ingest import demo

    with tempfile.TemporaryDirectory(prefix="jxedu_bench_projection_") as tmp:
        demo.generate(Path(tmp), seed=seed, scale=scale)
        return jxedu.load(tmp)


# --- the per-school loop baseline --------------------------------------------------------------


def project_loop(ds, *, to_year: int = TO_YEAR, variant="central", rates=None) -> pd.DataFrame:
    """Per-school loop version of :func:`jxedu.analysis.projection.project_enrolment` (same rule, same result).

    The rates per 镇街 are estimated with the package (that step is shared); the carry-forward,
    allocation and migration run school by school in Python.
    """
    p = projection.variant_params(variant)
    r = rates if rates is not None else projection.estimate_rates(ds, to_year=to_year)
    y0 = r.base_year
    K = to_year - y0
    t_idx = {t: i for i, t in enumerate(r.townships)}
    # Township carry-forward, one township at a time.
    town_proj = {}
    for t, ti in t_idx.items():
        years = [list(r.base[ti])]
        for k in range(1, K + 1):
            prev = years[-1]
            row = [r.intake[ti, k - 1] * p["entry_factor"]]
            row += [r.progression[ti, g] * prev[g - 1] for g in range(1, 9)]
            years.append(row)
        town_proj[t] = years
    base = r.school_base
    info = base.drop_duplicates("school_id").set_index("school_id")
    town_of = info["township"].to_dict()
    area_of = info["urban_rural"].to_dict()
    proj = {}
    for sid, g in base.groupby("school_id"):
        t = town_of[sid]
        ti = t_idx[t]
        cells = {}
        for grade, n in zip(g["grade"], g["students"]):
            tot = r.base[ti, grade - 1]
            if n <= 0 or tot <= 0:
                continue
            share = n / tot
            cells[grade] = [town_proj[t][k][grade - 1] * share for k in range(K + 1)]
        proj[sid] = cells
    m = p["urban_shift"]
    if m > 0:
        for k in range(1, K + 1):
            f = 1.0 - (1.0 - m) ** k
            for grade in range(1, 10):
                urban_tot = sum(c[grade][k] for s, c in proj.items()
                                if area_of[s] == "urban" and grade in c)
                if urban_tot <= 0:
                    continue
                moved = 0.0
                for s, c in proj.items():
                    if area_of[s] == "rural" and grade in c:
                        moved += c[grade][k] * f
                        c[grade][k] *= 1.0 - f
                for s, c in proj.items():
                    if area_of[s] == "urban" and grade in c:
                        c[grade][k] += moved * c[grade][k] / urban_tot
    rows = []
    for sid, cells in proj.items():
        for grade, series in cells.items():
            for k, v in enumerate(series):
                rows.append((y0 + k, sid, town_of[sid], area_of[sid],
                             "primary" if grade <= 6 else "junior", grade, v, k > 0))
    return pd.DataFrame(rows, columns=["year", "school_id", "township", "urban_rural", "stage", "grade",
                                       "students", "projected"])


def classsize_loop(ds, *, year: int) -> pd.DataFrame:
    """Per-school loop version of the class-size analysis: per school and stage, classes, pupils,
    over-cap classes and the five bands; and classes needed at the caps per grade."""
    caps = {"primary": 45, "junior": 50}
    c = ds.classes[(ds.classes["year"] == year) & ds.classes["stage"].isin(caps)]
    rows = []
    for (sid, stage), g in c.groupby(["school_id", "stage"]):
        cap = caps[stage]
        bands = dict.fromkeys(classsize.BANDS, 0)
        over = 0
        for n in g["students"]:
            if n > cap:
                over += 1
            band = ("small" if n <= 35 else "normal" if n <= 45 else "large" if n <= 55
                    else "big" if n <= 65 else "super")
            bands[band] += 1
        needed = 0
        for _, gg in g.groupby("grade"):
            needed += math.ceil(int(gg["students"].sum()) / cap)
        rows.append({"school_id": sid, "stage": stage, "classes": len(g), "students": int(g["students"].sum()),
                     "over_cap": over, **bands, "classes_needed": needed})
    return pd.DataFrame(rows)


def classsize_vectorised(ds, *, year: int) -> pd.DataFrame:
    """The package's class-size analysis, reduced to the columns of :func:`classsize_loop`."""
    s = classsize.class_size_summary(ds, year=year, by="school")
    n = classsize.classes_needed(ds, year=year).groupby(["school_id", "stage"], as_index=False)["classes_needed"].sum()
    s = s.merge(n, on=["school_id", "stage"])
    s = s.rename(columns={col: band for band, col in classsize.BAND_COLUMNS.items()})
    return s[["school_id", "stage", "classes", "students", "over_cap", *classsize.BANDS, "classes_needed"]]


# --- timing ----------------------------------------------------------------------------------


def _measure(fn, repeat: int):
    """Best wall time of ``repeat`` runs and the peak traced memory of one run (MB)."""
    best = math.inf
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, best, peak / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", choices=("synthetic", "demo"), default="demo",
                    help="demo: jxedu.ingest.demo.generate(scale) + jxedu.load; synthetic: numpy frames (faster)")
    ap.add_argument("--schools", type=int, default=10_000, help="schools (synthetic source)")
    ap.add_argument("--scale", type=float, default=65.0, help="demo scale (demo source)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of the vectorised code (best)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    ds = synthetic_dataset(args.schools) if args.source == "synthetic" else demo_dataset(args.scale)
    prep = time.perf_counter() - t0
    year = int(ds.classes["year"].max())

    # The rates per 镇街 are estimated once (shared by both; timed on their own).
    rates, t_rates, m_rates = _measure(lambda: projection.estimate_rates(ds, to_year=TO_YEAR), args.repeat)

    def proj_vec():
        return projection.project_enrolment(ds, to_year=TO_YEAR, variant="central", rates=rates)

    def proj_loop():
        return project_loop(ds, to_year=TO_YEAR, variant="central", rates=rates)

    def cls_vec():
        return classsize_vectorised(ds, year=year)

    def cls_loop():
        return classsize_loop(ds, year=year)

    p_vec, tp_vec, mp_vec = _measure(proj_vec, args.repeat)
    c_vec, tc_vec, mc_vec = _measure(cls_vec, args.repeat)
    p_loop, tp_loop, mp_loop = _measure(proj_loop, 1)
    c_loop, tc_loop, mc_loop = _measure(cls_loop, 1)
    t_vec, t_loop = tp_vec + tc_vec, tp_loop + tc_loop
    m_vec, m_loop = max(mp_vec, mc_vec), max(mp_loop, mc_loop)

    key = ["year", "school_id", "grade"]
    a = p_vec.sort_values(key).reset_index(drop=True)
    b = p_loop.sort_values(key).reset_index(drop=True)
    same_proj = len(a) == len(b) and bool((a[key] == b[key]).all().all()) and bool(
        np.allclose(a["students"], b["students"]))
    k2 = ["school_id", "stage"]
    ca = c_vec.sort_values(k2).reset_index(drop=True)
    cb = c_loop.sort_values(k2).reset_index(drop=True)[ca.columns]
    same_cls = ca.astype(str).equals(cb.astype(str))
    out = {
        "source": args.source,
        "schools": int(ds.schools["school_id"].nunique()),
        "townships": int(ds.schools["township"].nunique()),
        "class_rows": len(ds.classes),
        "projection_rows": len(p_vec),
        "prepare_s": round(prep, 2),
        "rates_s": round(t_rates, 3),
        "rates_peak_mb": round(m_rates, 1),
        "projection_vectorised_s": round(tp_vec, 3),
        "projection_loop_s": round(tp_loop, 3),
        "projection_speedup": round(tp_loop / tp_vec, 1),
        "projection_vectorised_peak_mb": round(mp_vec, 1),
        "projection_loop_peak_mb": round(mp_loop, 1),
        "classsize_vectorised_s": round(tc_vec, 3),
        "classsize_loop_s": round(tc_loop, 3),
        "classsize_speedup": round(tc_loop / tc_vec, 1),
        "classsize_vectorised_peak_mb": round(mc_vec, 1),
        "classsize_loop_peak_mb": round(mc_loop, 1),
        "vectorised_s": round(t_vec, 3),
        "vectorised_peak_mb": round(m_vec, 1),
        "loop_s": round(t_loop, 3),
        "loop_peak_mb": round(m_loop, 1),
        "speedup": round(t_loop / t_vec, 1),
        "same_projection": same_proj,
        "same_classsize": same_cls,
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"数据：{out['schools']} 所学校，{out['townships']} 个镇街，{out['class_rows']} 个班级记录"
              f"（{args.source}，准备 {out['prepare_s']} 秒）")
        print(f"估计升级率与入学率（两者共用）：{out['rates_s']} 秒，峰值内存 {out['rates_peak_mb']} MB")
        print(f"学位预测到{TO_YEAR}年（{out['projection_rows']} 行）：向量化 {out['projection_vectorised_s']} 秒"
              f"（峰值 {out['projection_vectorised_peak_mb']} MB），逐校循环 {out['projection_loop_s']} 秒"
              f"（峰值 {out['projection_loop_peak_mb']} MB），加速 {out['projection_speedup']} 倍")
        print(f"班额分析（{year}学年）：向量化 {out['classsize_vectorised_s']} 秒"
              f"（峰值 {out['classsize_vectorised_peak_mb']} MB），逐校循环 {out['classsize_loop_s']} 秒"
              f"（峰值 {out['classsize_loop_peak_mb']} MB），加速 {out['classsize_speedup']} 倍")
        print(f"合计：向量化（jxedu）{out['vectorised_s']} 秒，逐校循环（基线）{out['loop_s']} 秒，"
              f"加速比 {out['speedup']} 倍；结果一致：预测 {same_proj}，班额 {same_cls}")
    return 0 if (same_proj and same_cls) else 1


if __name__ == "__main__":
    sys.exit(main())
