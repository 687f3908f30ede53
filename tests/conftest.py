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

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

# Tests mirror the package (tests/core, tests/ingest, …). Small data builders live in the test module of
# their topic and are shared by name (``from test_scenarios import _dataset``), so every test folder
# is importable whichever test runs first. A folder that is a package (``__init__.py``: tests/present,
# whose modules repeat the topics' names, e.g. test_scenarios) comes last, so a shared name finds the
# topic's module (tests/planning/test_scenarios.py) first.
for _folder in sorted(p for p in Path(__file__).parent.iterdir() if p.is_dir() and p.name.isidentifier()):
    if str(_folder) in sys.path:
        continue
    if (_folder / "__init__.py").exists():
        sys.path.append(str(_folder))
    else:
        sys.path.insert(0, str(_folder))

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
