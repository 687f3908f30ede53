"""Benchmark of ``jxedu reports``: all 13 镇街 and the county on the demo data.

Compared, in one process, side by side:

* **plain loop** (the baseline): per report, as subprocesses with the venv's executables,
  ``papermill`` (fresh kernel) → ``jupyter nbconvert --to html --no-input`` → ``weasyprint``;
* **jxedu, 1 worker**: what ``jxedu reports`` does — the county computed once for the batch
  (:func:`jxedu.publish.reports.batch_assessment`), then :func:`jxedu.publish.reports.run_jobs` with
  ``workers=1`` (one kernel reused for every report, each report filtering the county, rendering
  in-process);
* **jxedu, 2 workers**: the same with two worker processes.

For each: the wall time of the whole set, the wall time of a single report (the county), and the
seconds per extra report ``(T_all − T_one) / (n − 1)``. Ratios: plain ÷ jxedu (goal ≥ 6× for the batch of
14 on two cores with 2 workers).

Usage::

    .venv/bin/python bench/reports.py            # 13 镇街 + county (several minutes)
    .venv/bin/python bench/reports.py --quick    # 3 镇街, no county
    .venv/bin/python bench/reports.py --json     # one JSON object
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jxedu.core.config import DEMO_DIR
from jxedu.publish import reports

BIN = Path(sys.executable).parent
#: The speed-up of a batch with 2 workers over the plain loop aimed at (issue 12).
GOAL = 6.0  # times


def plain_one(job: reports.ReportJob, out: Path) -> float:
    """Render one report with the three command-line tools; return its wall time (s)."""
    out.mkdir(parents=True, exist_ok=True)
    nb = out / f"{job.stem}.ipynb"
    html = out / f"{job.stem}.html"
    pdf = out / f"{job.stem}.pdf"
    params = [a for k, v in job.parameters.items() for a in ("-p", k, str(v))]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    t = time.perf_counter()
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    subprocess.run([str(BIN / "papermill"), str(job.notebook), str(nb), *params, "-k", "python3",
                    "--no-progress-bar"], **run)
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb), "--output",
                    html.name, "--output-dir", str(out)], **run)
    subprocess.run([str(BIN / "weasyprint"), str(html), str(pdf)], **run)
    return time.perf_counter() - t


def plain(jobs: list[reports.ReportJob], out: Path) -> float:
    t = time.perf_counter()
    for job in jobs:
        plain_one(job, out)
    return time.perf_counter() - t


def jxedu_run(jobs: list[reports.ReportJob], workers: int) -> float:
    t = time.perf_counter()
    with reports.batch_assessment(jobs):
        results = reports.run_jobs(jobs, workers=workers, progress=False)
    wall = time.perf_counter() - t
    bad = [r for r in results if not r.ok]
    if bad:
        raise SystemExit(reports.format_summary(results))
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 镇街 without the county")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--data", default=str(DEMO_DIR), help="data set (default: the demo data)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="jxedu-bench-reports-") as tmp:
        tmp = Path(tmp)
        all_jobs = reports.plan_reports(args.data, out=tmp / "jx")
        if args.quick:
            jobs = [j for j in all_jobs if j.stem != reports.COUNTY_STEM][:3]
        else:
            jobs = all_jobs
        one = [jobs[-1]]  # the county (or the last 镇街 with --quick)
        n = len(jobs)
        fig: dict = {"reports": n, "cpu_count": os.cpu_count(), "quick": args.quick}
        fig["plain_one_s"] = plain_one(one[0], tmp / "plain1")
        fig["plain_all_s"] = plain(jobs, tmp / "plain")
        fig["jxedu_w1_one_s"] = jxedu_run(one, 1)
        fig["jxedu_w1_all_s"] = jxedu_run(jobs, 1)
        fig["jxedu_w2_all_s"] = jxedu_run(jobs, 2)
        for key in ("plain", "jxedu_w1"):
            fig[f"{key}_per_extra_s"] = (fig[f"{key}_all_s"] - fig[f"{key}_one_s"]) / max(n - 1, 1)
        fig["jxedu_w2_per_extra_s"] = (fig["jxedu_w2_all_s"] - fig["jxedu_w1_one_s"]) / max(n - 1, 1)
        fig["ratio_plain_vs_w1"] = fig["plain_all_s"] / fig["jxedu_w1_all_s"]
        fig["ratio_plain_vs_w2"] = fig["plain_all_s"] / fig["jxedu_w2_all_s"]
        fig["ratio_w1_vs_w2"] = fig["jxedu_w1_all_s"] / fig["jxedu_w2_all_s"]
        fig["goal_met"] = fig["ratio_plain_vs_w2"] >= GOAL

    if args.json:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in fig.items()}))
        return 0
    print(f"报告份数 (reports): {n}  CPU: {fig['cpu_count']}")
    print(f"plain loop (papermill → nbconvert → weasyprint): {fig['plain_all_s']:7.1f} s  "
          f"one report {fig['plain_one_s']:5.1f} s  per extra {fig['plain_per_extra_s']:5.2f} s")
    print(f"jxedu reports --workers 1:                       {fig['jxedu_w1_all_s']:7.1f} s  "
          f"one report {fig['jxedu_w1_one_s']:5.1f} s  per extra {fig['jxedu_w1_per_extra_s']:5.2f} s")
    print(f"jxedu reports --workers 2:                       {fig['jxedu_w2_all_s']:7.1f} s  "
          f"                  per extra {fig['jxedu_w2_per_extra_s']:5.2f} s")
    print(f"ratio plain / workers 1: {fig['ratio_plain_vs_w1']:.2f}×   plain / workers 2: "
          f"{fig['ratio_plain_vs_w2']:.2f}× (goal ≥ {GOAL:g}×: {'met' if fig['goal_met'] else 'NOT met'})   "
          f"workers 1 / workers 2: {fig['ratio_w1_vs_w2']:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
