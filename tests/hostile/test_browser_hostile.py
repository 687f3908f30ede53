"""Hostile names in every page a planner opens, checked in headless Chromium: no injected script runs.

The county, catchment, coverage and rotation-flow maps and a report page are rendered from a tiny data set whose
school, 镇街, 村居, route and stop names carry script payloads (:mod:`tests.hostile.corpus`). Each page
gets a probe that opens every popup and tooltip and then reports whether any payload ran, the
JavaScript errors, and the page title (which must be the name itself, not cut short by a
``</title>`` in it). The report's PDF header must show the 镇街 name as written.

No network: maps are saved offline with ``basemap=None``; Chromium runs with networking off.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from shapely.geometry import box

from jxedu.analysis.assessment import assess
from jxedu.core import schema
from jxedu.core.config import UTM50N, WGS84
from jxedu.core.dataset import Dataset
from jxedu.present import access as show_access
from jxedu.present import maps
from jxedu.present import teachers as show_teachers
from jxedu.present.tables import table
from jxedu.publish import reports, sections
from tests.analysis.test_bus import X0, Y0, lonlat, points_frame, village
from tests.hostile.corpus import ROUTE, SCHOOL, STOP, TOWNSHIP, TOWNSHIP_2, VILLAGE, with_probe

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`)")

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-extensions", "--virtual-time-budget=5000"]
_RESULT = re.compile(r'<pre id="jx-pwned">(.*?)</pre>', re.S)


def _open(page: Path, tmp_path: Path) -> dict:
    """Open ``page`` in headless Chromium; the probe's result."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    proc = subprocess.run([CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = _RESULT.search(proc.stdout)
    assert m, f"the probe wrote nothing; stderr: {proc.stderr[-2000:]}"
    return json.loads(html.unescape(m.group(1)))


def _feed(folder: Path) -> Path:
    """One morning trip of route ROUTE from stop STOP (near 村居 V2) to the stop at school S1."""
    folder.mkdir(parents=True)
    (folder / "agency.txt").write_text("agency_id,agency_name,agency_url,agency_timezone\n"
                                       "JX,公交,http://example.org,Asia/Shanghai\n", encoding="utf-8")
    (folder / "calendar.txt").write_text(
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "S,1,1,1,1,1,0,0,20240901,20250630\n", encoding="utf-8")
    (folder / "routes.txt").write_text("route_id,agency_id,route_short_name,route_long_name,route_type\n"
                                       f'R1,JX,"{ROUTE}",线路,3\n', encoding="utf-8")
    rows = []
    for sid, name, x, y in (("A", STOP, 4000, 300), ("B", "学校站", 0, 200)):
        lon, lat = lonlat(x, y)
        rows.append(f'{sid},"{name.replace(chr(34), chr(34) * 2)}",{lat!r},{lon!r}')
    (folder / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon\n" + "\n".join(rows) + "\n",
                                      encoding="utf-8")
    (folder / "trips.txt").write_text("route_id,service_id,trip_id\nR1,S,t1\n", encoding="utf-8")
    (folder / "stop_times.txt").write_text("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                           "t1,07:00:00,07:00:00,A,1\nt1,07:15:00,07:15:00,B,2\n", encoding="utf-8")
    return folder


def hostile_dataset(tmp_path: Path) -> Dataset:
    """Two 小学 and a 初中 in two 镇街 with hostile names, three 村居, one bus route (names from the corpus)."""
    schools = points_frame([
        {"school_id": "S1", "name": SCHOOL, "school_type": "primary", "township": TOWNSHIP,
         "urban_rural": "rural", "x": 0, "y": 0},
        {"school_id": "S2", "name": "乙镇小学", "school_type": "primary", "township": TOWNSHIP_2,
         "urban_rural": "rural", "x": 10000, "y": 0},
        {"school_id": "S3", "name": "乙镇中学", "school_type": "junior", "township": TOWNSHIP_2,
         "urban_rural": "rural", "x": 9000, "y": 1000},
    ])
    v1, v2, v3 = (village("V1", TOWNSHIP, 1000, 0, 10), village("V2", TOWNSHIP, 4000, 0, 5),
                  village("V3", TOWNSHIP_2, 10000, 3000, 2))
    v1["name"] = VILLAGE
    villages = points_frame([v1, v2, v3])
    towns = gpd.GeoDataFrame({"township": [TOWNSHIP, TOWNSHIP_2]},
                             geometry=[box(X0 - 2000, Y0 - 2000, X0 + 6000, Y0 + 6000),
                                       box(X0 + 6000, Y0 - 2000, X0 + 14000, Y0 + 6000)], crs=UTM50N).to_crs(WGS84)
    ss = pd.DataFrame({"year": [2024] * 3, "school_id": ["S1", "S2", "S3"], "stage": ["primary", "primary", "junior"],
                       "students": [400, 300, 500]})
    for c in schema.STAGE_STATS.columns:  # as the loader leaves them: every schema column present
        if c.key not in ss:
            ss[c.key] = 10 if c.kind == "int" and c.required else np.nan
    facilities = pd.DataFrame({c.key: pd.Series(dtype=float) for c in schema.FACILITIES.columns})
    rotations = pd.DataFrame({"year": [2024, 2024], "teacher_id": ["T1", "T2"], "from_school_id": ["S2", "S1"],
                              "to_school_id": ["S1", "S3"], "rotation_type": ["交流", "交流"],
                              "start_date": pd.NaT, "end_date": pd.NaT})
    teachers = pd.DataFrame({"teacher_id": ["T1", "T2"], "school_id": ["S1", "S3"], "stage": ["primary", "junior"],
                             "subject": ["语文", "体育"], "gender": ["female", "male"], "birth_year": [1985, 1990],
                             "education": ["bachelor", "bachelor"], "backbone_level": ["county", "none"],
                             "certified": [True, True], "start_year": [2024, 2024], "training_hours": [80.0, 60.0],
                             "honour_year": pd.array([pd.NA, pd.NA], dtype="Int64")})
    return Dataset(source=None, schools=schools, stage_stats=ss, facilities=facilities, teachers=teachers,
                   rotations=rotations,
                   villages=villages, townships=towns, gtfs_path=_feed(tmp_path / "公交"), synthetic=True,
                   meta={"县名": "金乡县"})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    return tmp, assess(hostile_dataset(tmp))


def _save(m, path: Path) -> Path:
    maps.save_map(m, path, offline=True)
    path.write_text(with_probe(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["county", "township", "catchment", "coverage", "flow"])
def test_maps_with_hostile_names_run_no_injected_script(hostile, tmp_path, kind):
    tmp, a = hostile
    if kind == "county":
        m = maps.county_map(a, basemap=None)
    elif kind == "township":
        m = maps.county_map(a.township(TOWNSHIP), basemap=None)
    elif kind == "catchment":
        m = maps.catchment_map(a.township(TOWNSHIP), "primary", basemap=None)
    elif kind == "coverage":
        m = maps.coverage_map(a.township(TOWNSHIP), "primary", basemap=None)
    else:  # the rotation flows: tooltips of lines and schools built from one JSON payload
        m = show_teachers.flow_map(a, basemap=None)
    page = _save(m, tmp_path / f"{kind}.html")
    text = page.read_text(encoding="utf-8")
    assert VILLAGE not in text and SCHOOL not in text  # never raw in the page
    res = _open(page, tmp_path)
    assert res["pwned"] == 0, res
    assert res["errors"] == []
    assert res["opened"] >= 3  # popups and tooltips were really opened (schools, 镇街, 村居 …)
    if kind == "flow":
        assert res["title"].startswith("2024学年交流轮岗流向")
        return
    place = "金乡县" if kind == "county" else f"金乡县{' '.join(TOWNSHIP.split())}"
    assert res["title"].startswith(place)  # the whole name is the title: nothing broke out of <title>


def _report_notebook(path: Path, a) -> Path:
    """An executed report notebook as papermill would leave it: HTML, Markdown and stream outputs
    made by the report sections and presentation helpers from the hostile data."""
    view = a.township(TOWNSHIP)
    frame = pd.DataFrame({"township": [TOWNSHIP, TOWNSHIP_2], "name": [SCHOOL, VILLAGE], "students": [400, 300]})
    outputs = [
        new_output("display_data", data={"text/html": sections.title(view).data}),
        new_output("display_data", data={"text/html": sections.priorities(view).data}),
        new_output("display_data", data={"text/html": sections.headline(view).data}),
        new_output("display_data", data={"text/html": sections.access_section(view).data}),
        new_output("display_data", data={"text/markdown": str(show_access.layout_headline(view))}),
        new_output("display_data", data={"text/markdown": str(show_access.bus_headline(view))}),
        new_output("display_data", data={"text/html": table(frame, caption=f"{TOWNSHIP}学校").to_html()}),
        new_output("stream", name="stdout", text=f"{SCHOOL} {ROUTE}\n"),
    ]
    cell = new_code_cell("rc.title(ds)", outputs=outputs)
    nb = new_notebook(cells=[cell])
    nbformat.write(nb, str(path))
    return path


def test_report_html_and_pdf_with_hostile_names(hostile, tmp_path):
    from pypdf import PdfReader

    tmp, a = hostile
    nb = _report_notebook(tmp_path / "r.ipynb", a)
    header = f"金乡县 · {TOWNSHIP} · 2024学年 义务教育优质均衡发展监测报告"
    page_html = reports.notebook_to_html(nb, title=TOWNSHIP, header=header)
    # the <style> element holds the whole header, escaped: nothing closed it early
    style = page_html[page_html.index("<style>"):page_html.index("</style>")]
    assert "@top-center" in style and "</" not in style
    page = tmp_path / "report.html"
    page.write_text(with_probe(page_html), encoding="utf-8")
    res = _open(page, tmp_path)
    assert res["pwned"] == 0, res
    assert res["errors"] == []
    assert res["title"] == " ".join(TOWNSHIP.split())  # U+2028 is a space in a title
    # the PDF's running header shows the whole name as written (a report whose body does not hold
    # the name, so that the text found can only come from the header)
    plain = new_notebook(cells=[new_code_cell("x", outputs=[
        new_output("display_data", data={"text/html": "<p>正文</p>"})])])
    nbformat.write(plain, str(tmp_path / "plain.ipynb"))
    pdf = tmp_path / "report.pdf"
    reports.html_to_pdf(reports.notebook_to_html(tmp_path / "plain.ipynb", title=TOWNSHIP, header=header), pdf)
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert f"金乡县 · {TOWNSHIP.strip()} · 2024学年" in text


def test_probe_sees_a_payload_when_escaping_is_off(hostile, tmp_path, monkeypatch):
    """Negative control: without the <title> and CSS escapers the payloads do run, and the probe says so."""
    tmp, a = hostile
    monkeypatch.setattr(maps, "title_text", lambda text: text)
    res = _open(_save(maps.county_map(a.township(TOWNSHIP), basemap=None), tmp_path / "raw.html"), tmp_path)
    # </title> ended the title: <script>window.__jxPwned=5</script>, then …=6 after "}</style>, ran
    assert res["pwned"] == 6
    monkeypatch.setattr(reports, "css_string", lambda text: text)
    nb = _report_notebook(tmp_path / "r.ipynb", a)
    page = tmp_path / "raw-report.html"
    page.write_text(with_probe(reports.notebook_to_html(nb, title="x", header=f"甲 · {TOWNSHIP}")), encoding="utf-8")
    assert _open(page, tmp_path)["pwned"] == 6  # "}</style><script>window.__jxPwned=6</script> ran
