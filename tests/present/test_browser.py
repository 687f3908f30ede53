"""The county map in a real browser: headless Chromium (Debian package ``chromium``) opens the
offline HTML, and a probe script (:func:`jxedu.present.maps.map_summary_script`) writes into the page what
Leaflet drew — the school markers (SVG ``path.jx-school`` elements) per layer — and every JavaScript
error; ``--dump-dom`` returns the page after its scripts ran.

No network is needed or used: the map is saved offline with ``basemap=None``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jxedu.analysis.assessment import assess
from jxedu.present import maps
from tests.present.test_maps import make_dataset

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and Path("/usr/bin/chromium").exists():
    CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`; scripts/setup installs it)"
)

_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--virtual-time-budget=5000",
]
_SUMMARY = re.compile(r'<pre id="jx-summary">(.*?)</pre>', re.S)


def _summary(page: Path, tmp_path: Path) -> dict:
    """Open ``page`` in headless Chromium and return the probe's JSON summary."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    proc = subprocess.run(
        [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = _SUMMARY.search(proc.stdout)
    assert match, f"probe wrote no summary; stderr: {proc.stderr[-2000:]}"
    return json.loads(match.group(1).replace("&quot;", '"'))


def _save(m, path: Path) -> Path:
    maps.add_summary_probe(m)
    return maps.save_map(m, path, offline=True)


def test_county_map_draws_every_school_marker(tmp_path):
    # 6 schools: 小学 S1 + S6, 初中 S2, 一贯制 S3 (九年) + S5 (完全中学), 教学点 S4
    ds = make_dataset(first_name="<script>alert(1)</script>", villages=True)
    page = _save(maps.county_map(assess(ds), basemap=None), tmp_path / "county.html")
    s = _summary(page, tmp_path)
    assert s["errors"] == []
    assert s["schools"] == 6
    assert s["groups"] == {"primary": 2, "junior": 1, "through": 2, "teaching_point": 1}
    assert s["legend"] == 1 and s["search"] == 1


def test_township_map_in_gcj02_draws_its_schools(tmp_path):
    # 鸡黍镇: S3, S4, S6 (高德 mode shifts the points; tiles cannot load offline, no script error)
    page = _save(maps.county_map(assess(make_dataset()).township("鸡黍镇"), basemap="amap"), tmp_path / "town.html")
    s = _summary(page, tmp_path)
    assert s["errors"] == []
    assert s["groups"] == {"primary": 1, "junior": 0, "through": 1, "teaching_point": 1}


def test_probe_reports_script_errors(tmp_path):
    # negative control: without Leaflet the map script fails and nothing is drawn
    page = _save(maps.county_map(assess(make_dataset()), basemap=None), tmp_path / "broken.html")
    html = page.read_text(encoding="utf-8")
    start = html.index("<script>\n/* @preserve\n * Leaflet 1.9.4")
    end = html.index("</script>", start) + len("</script>")
    page.write_text(html[:start] + html[end:], encoding="utf-8")
    s = _summary(page, tmp_path)
    assert s["schools"] == 0
    assert any("L is not defined" in e for e in s["errors"])


def test_demo_county_map_in_browser(demo_dir, tmp_path):
    import jxedu

    ds = jxedu.load(demo_dir)
    page = _save(maps.county_map(assess(ds), basemap=None), tmp_path / "demo.html")
    s = _summary(page, tmp_path)
    assert s["errors"] == []
    assert s["schools"] == len(ds.schools)
