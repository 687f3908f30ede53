"""Every analysis notebook runs to its end on another county's data and on the smallest data set.

* 云溪县 (:mod:`tests.county_fixture`): not 金乡, no roads, no bus feed, no 规划目标 — every notebook
  runs through papermill as ``jxedu notebooks`` runs it, shows planner tables only
  (:func:`tests.publish.test_notebook_runs.planner_view_problems`), never names 金乡 or its plan,
  and shows no county target.
* The required tables only (学校, 学段统计, 办学条件; no 说明, no layers): every section whose table is
  missing says so and the notebook goes on.
* A map of notebook 02 as JupyterLab shows it (the output's iframe) draws all 25 schools in headless
  Chromium with the network cut off (every request goes to a closed proxy port): Leaflet comes from
  the package, not a CDN. A negative control with Leaflet loaded from its CDN draws nothing.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import nbformat
import papermill
import pytest

from jxedu.core import config
from jxedu.present import maps
from tests.county_fixture import COUNTY, write_minimal, write_other_county
from tests.present.test_browser import _FLAGS, CHROMIUM
from tests.publish.test_notebook_runs import planner_view_problems

NOTEBOOKS = sorted((config.ROOT / "notebooks").glob("0*.ipynb"))
_EXECUTED: dict[tuple[str, str], Path] = {}


@pytest.fixture(scope="module")
def data_sets(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("counties")
    return {"other": write_other_county(root / "云溪县"), "minimal": write_minimal(root / "minimal")}


def _execute(path: Path, data: Path, out_dir: Path) -> Path:
    key = (path.stem, str(data))
    if key not in _EXECUTED:
        out = out_dir / f"{data.name}-{path.name}"
        papermill.execute_notebook(str(path), str(out), parameters={"data_dir": str(data)}, kernel_name="python3",
                                   cwd=str(path.parent), progress_bar=False, log_output=False)
        _EXECUTED[key] = out
    return _EXECUTED[key]


def _texts(nb) -> str:
    """Every text a planner sees in the outputs (maps left out: their scripts are Leaflet's)."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append(out.text)
            data = out.get("data", {})
            page = data.get("text/html", "")
            if "leaflet" in page.lower():
                continue
            found += [page, data.get("text/markdown", ""), data.get("text/plain", "")]
    return "\n".join(found)


@pytest.mark.parametrize("which", ["other", "minimal"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_any_county(path, which, data_sets, tmp_path_factory):
    nb = nbformat.read(_execute(path, data_sets[which], tmp_path_factory.mktemp("nb")), as_version=4)
    assert planner_view_problems(nb) == []
    text = _texts(nb)
    assert "金乡" not in text and "金政办" not in text
    assert "县规划目标（" not in text and "县实施方案" not in text  # no county target the county never set
    if which == "other":
        assert COUNTY in text  # named from the data (the synthetic-data notice at least)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`)")
def test_notebook_map_draws_offline(data_sets, tmp_path_factory, tmp_path):
    nb = nbformat.read(_execute(config.ROOT / "notebooks" / "02_school_layout.ipynb", data_sets["other"],
                                tmp_path_factory.mktemp("nb")), as_version=4)
    frames = [out["data"]["text/html"] for cell in nb.cells for out in cell.get("outputs", [])
              if "srcdoc=" in out.get("data", {}).get("text/html", "")]
    assert frames, "notebook 02 shows no map"
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', frames[0]).group(1))  # the county map, as JupyterLab gets it
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page)
    s = _open_offline(page, tmp_path / "map.html", tmp_path)
    assert s["errors"] == [] and s["schools"] == 25 and s["legend"] == 1
    # negative control: the same page with Leaflet from its CDN draws nothing without a network
    start = page.index("<script>\n/* @preserve\n * Leaflet 1.9.4")
    end = page.index("</script>", start) + len("</script>")
    cdn = page[:start] + '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js"></script>' + page[end:]
    s = _open_offline(cdn, tmp_path / "cdn.html", tmp_path)
    assert s["schools"] == 0 and any("L is not defined" in e for e in s["errors"])


def _open_offline(page: str, path: Path, tmp_path: Path) -> dict:
    """Open a page in headless Chromium with every network request sent to a closed port; the probe's
    summary (:func:`jxedu.present.maps.map_summary_script`)."""
    path.write_text(page.replace("<head>", "<head>" + maps.map_summary_script(), 1), encoding="utf-8")
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    proc = subprocess.run([CHROMIUM, *_FLAGS, "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                           f"--user-data-dir={profile}", "--dump-dom", path.resolve().as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'<pre id="jx-summary">(.*?)</pre>', proc.stdout, re.S)
    assert m, f"probe wrote no summary; stderr: {proc.stderr[-2000:]}"
    return json.loads(m.group(1).replace("&quot;", '"'))
