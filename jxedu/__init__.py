"""jxedu: planning workbench for 义务教育优质均衡发展 (quality-balanced compulsory education).

Typical use::

    import jxedu
    ds = jxedu.load("data/demo")          # every table, typed, English column names
    report = jxedu.validate("data/demo")  # every problem, with file, sheet, row and column
    a = jxedu.assess(ds)                  # every measure of the latest year, computed once
    a.township("金乡街道").indicators      # the county-wide result filtered to one 镇街
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
    "assess",
    "load",
    "open_data",
    "validate",
]


def load(path, **kwargs) -> Dataset:
    """Load a data set (workbook or folder); see :func:`jxedu.ingest.reader.load`."""
    from jxedu.ingest.reader import load as _load

    return _load(path, **kwargs)


def open_data(data_dir=None) -> Dataset:
    """Load the data set a notebook's ``data_dir`` parameter names (``None``: the synthetic demo set);
    see :func:`jxedu.ingest.reader.open_dataset`."""
    from jxedu.ingest.reader import open_dataset

    return open_dataset(data_dir)


def validate(path, **kwargs):
    """Validate a data set and return every problem; see :func:`jxedu.ingest.checks.validate_path`."""
    from jxedu.ingest.reader import validate_path

    return validate_path(path, **kwargs)


def assess(ds: Dataset, **kwargs):
    """The assessment of a data set (every measure, computed once); see :func:`jxedu.analysis.assessment.assess`."""
    from jxedu.analysis.assessment import assess as _assess

    return _assess(ds, **kwargs)
