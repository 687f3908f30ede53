"""jxedu: planning workbench for 义务教育优质均衡发展 (quality-balanced compulsory education).

Typical use::

    import jxedu
    ds = jxedu.load("data/demo")          # every table, typed, English column names
    report = jxedu.validate("data/demo")  # every problem, with file, sheet, row and column
"""

from __future__ import annotations

from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, JxeduError, MissingTableError, ScenarioError, SettingsError

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "Dataset",
    "JxeduError",
    "MissingTableError",
    "ScenarioError",
    "SettingsError",
    "load",
    "validate",
]


def load(path, **kwargs) -> Dataset:
    """Load a data set (workbook or folder); see :func:`jxedu.ingest.reader.load`."""
    from jxedu.ingest.reader import load as _load

    return _load(path, **kwargs)


def validate(path, **kwargs):
    """Validate a data set and return every problem; see :func:`jxedu.ingest.checks.validate_path`."""
    from jxedu.ingest.reader import validate_path

    return validate_path(path, **kwargs)
