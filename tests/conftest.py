"""Shared test set-up: headless matplotlib with a Chinese font, and the demo data path.

``MPLBACKEND=Agg`` is set before anything imports matplotlib, so no test needs a display (an inline
backend inherited from a notebook environment must not leak in); fonts are set up once per session
so that a chart drawn by any test renders Chinese.
"""

from __future__ import annotations

import os

os.environ["MPLBACKEND"] = "Agg"
# Tests run with the documented default settings, whatever the developer's shell has set.
os.environ.pop("JXEDU_SETTINGS", None)
# "Today" of the overdue items (jxedu.analysis.deadlines.as_of_date) is fixed, so every report and notebook
# the tests render is the same on any day: the first day of the demo data's latest school year (2026).
AS_OF = "2026-09-01"
os.environ["JXEDU_AS_OF"] = AS_OF

from pathlib import Path  # noqa: E402

# Tests mirror the package (tests/core, tests/ingest, …), each folder a package, so a small data builder
# lives in the test module of its topic and is shared by its full name
# (``from tests.planning.test_scenarios import _dataset``).
import pytest  # noqa: E402

from jxedu.core import config  # noqa: E402
from jxedu.present.style import setup_fonts  # noqa: E402

setup_fonts()


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """The committed synthetic demo data set (``data/demo``)."""
    path = config.DEMO_DIR
    if not path.exists():
        pytest.fail(f"demo data missing: {path} (regenerate with `jxedu demo-data data/demo`)")
    return path
