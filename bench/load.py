"""Benchmark of jxedu.load: time and peak memory, against plain ``pandas.read_csv``.

Two data sets:

* **demo** — ``data/demo`` (about 150 schools, 17 000 class rows, 6 000 teachers); goal < 2 s.
* **province** — about 10 000 schools, generated into a temporary folder with
  ``jxedu.ingest.demo.generate(out, scale=65)``; goals < 15 s and < 2 GB peak memory.

Baseline: ``pandas.read_csv`` of the same CSV files with default options and no validation (the
geo layers are not read by the baseline; jxedu reads them too). Each measurement runs in a fresh
subprocess of this script so its peak resident memory (``ru_maxrss``) is its own; time counts the
load call only (imports excluded) and is the best of ``--repeat`` runs.

Usage::

    python bench/load.py                 # demo and province
    python bench/load.py --skip-province # demo only
    python bench/load.py --json          # one JSON object with the same figures
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_GOAL_S = 2.0  # seconds
PROVINCE_GOAL_S = 15.0  # seconds
PROVINCE_GOAL_MB = 2048.0  # MiB of peak resident memory
PROVINCE_SCALE = 65  # copies of the county ≈ 10 000 schools


def _child(mode: str, path: str, repeat: int) -> dict:
    """Run inside the subprocess: load ``path`` ``repeat`` times, report best time and peak RSS."""
    import geopandas  # noqa: F401 - imported before timing, like jxedu's own imports
    import pandas as pd

    import jxedu

    times, cpu = [], []
    info: dict = {}
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        if mode == "jxedu":
            ds = jxedu.load(path)
            info = {
                "schools": len(ds.schools),
                "classes": 0 if ds.classes is None else len(ds.classes),
                "teachers": 0 if ds.teachers is None else len(ds.teachers),
                "warnings": len(ds.problems),
            }
        else:
            frames = {p.stem: pd.read_csv(p) for p in sorted(Path(path).glob("*.csv"))}
            info = {"rows": int(sum(len(f) for f in frames.values()))}
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        ds = frames = None  # noqa: F841 - drop the data before the next run
    return {"seconds": min(times), "cpu_seconds": min(cpu), "peak_mb": round(_peak_mb(), 1), **info}


def _peak_mb() -> float:
    """Peak resident memory of this process in MiB (VmHWM: reset by exec, unlike ru_maxrss, which
    Linux carries over from the parent that forked this process)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _measure(mode: str, path: Path, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path), "--repeat", str(repeat)],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed ({mode} {path}):\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _case(name: str, path: Path, repeat: int, goal_s: float, goal_mb: float | None) -> dict:
    jx = _measure("jxedu", path, repeat)
    base = _measure("baseline", path, repeat)
    size_mb = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
    return {
        "data": name,
        "path": str(path),
        "size_mb": round(size_mb, 1),
        "jxedu_seconds": round(jx["seconds"], 3),
        "jxedu_cpu_seconds": round(jx["cpu_seconds"], 3),
        "jxedu_peak_mb": jx["peak_mb"],
        "baseline_seconds": round(base["seconds"], 3),
        "baseline_cpu_seconds": round(base["cpu_seconds"], 3),
        "baseline_peak_mb": base["peak_mb"],
        "ratio_time": round(jx["seconds"] / base["seconds"], 2) if base["seconds"] else None,
        "ratio_memory": round(jx["peak_mb"] / base["peak_mb"], 2) if base["peak_mb"] else None,
        "schools": jx.get("schools"),
        "classes": jx.get("classes"),
        "teachers": jx.get("teachers"),
        "goal_seconds": goal_s,
        "goal_peak_mb": goal_mb,
        "meets_goal": bool(jx["seconds"] < goal_s and (goal_mb is None or jx["peak_mb"] < goal_mb)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--skip-province", action="store_true", help="only the demo set")
    ap.add_argument("--scale", type=float, default=PROVINCE_SCALE, help="province scale (copies of the county)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (best time kept)")
    ap.add_argument("--demo", type=Path, default=ROOT / "data" / "demo", help="demo data folder")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        print(json.dumps(_child(args.child[0], args.child[1], args.repeat)))
        return 0

    from jxedu.ingest.demo import generate

    results = []
    with tempfile.TemporaryDirectory(prefix="jxedu-bench-") as tmp:
        demo = args.demo
        if not demo.exists():  # not committed yet: generate the same set
            demo = generate(Path(tmp) / "demo", scale=1.0)
        results.append(_case("demo", demo, args.repeat, DEMO_GOAL_S, None))
        if not args.skip_province:
            t0 = time.perf_counter()
            prov = generate(Path(tmp) / "province", scale=args.scale)
            gen_s = time.perf_counter() - t0
            res = _case(f"province (scale {args.scale:g})", prov, max(1, min(args.repeat, 2)),
                        PROVINCE_GOAL_S, PROVINCE_GOAL_MB)
            res["generate_seconds"] = round(gen_s, 1)
            results.append(res)

    if args.json:
        print(json.dumps({"benchmark": "load", "baseline": "pandas.read_csv of the same CSV files, no validation",
                          "results": results}, ensure_ascii=False))
        return 0
    print("jxedu.load benchmark — baseline: pandas.read_csv of the same CSV files (no validation, no geo layers)")
    for r in results:
        print(f"\n[{r['data']}] {r['path']}  ({r['size_mb']} MB; {r['schools']} schools, "
              f"{r['classes']} classes, {r['teachers']} teachers)")
        print(f"  jxedu.load      {r['jxedu_seconds']:8.3f} s (CPU {r['jxedu_cpu_seconds']:7.3f} s)"
              f"   peak {r['jxedu_peak_mb']:8.1f} MB")
        print(f"  pandas.read_csv {r['baseline_seconds']:8.3f} s (CPU {r['baseline_cpu_seconds']:7.3f} s)"
              f"   peak {r['baseline_peak_mb']:8.1f} MB")
        print(f"  ratio           {r['ratio_time']:8.2f} ×   memory {r['ratio_memory']:.2f} ×")
        goal = f"< {r['goal_seconds']:g} s" + (f", < {r['goal_peak_mb']:g} MB" if r["goal_peak_mb"] else "")
        print(f"  goal {goal}: {'met' if r['meets_goal'] else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
