"""Named exceptions of jxedu.

Every message a planner can see is in Chinese with the English key beside it, e.g.
``缺少必需的表 (missing_table): 学校``. The command-line interface catches :class:`JxeduError`
and prints its message without a traceback.
"""

from __future__ import annotations


class JxeduError(Exception):
    """Base class of every error jxedu raises on purpose."""


class DataError(JxeduError):
    """The input data set cannot be used.

    Parameters
    ----------
    message
        Chinese message with the English key.
    problems
        The individual problems found (``jxedu.ingest.checks.Problem`` objects), if any.
    """

    def __init__(self, message: str, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class MissingTableError(DataError):
    """A table needed by an analysis is not in the data set."""


class SettingsError(JxeduError):
    """A setting has an invalid value."""


class YamlError(JxeduError):
    """A YAML file cannot be read safely (too large, alias bomb, syntax; the message names file and line).

    :func:`jxedu.core.yamlsafe.load_yaml` raises it (or the class its caller asks for) with the
    attributes ``code`` (English key), ``file`` and ``line`` (1-based, ``None`` when unknown).
    """

    code: str = ""
    file: str | None = None
    line: int | None = None


class ScenarioError(JxeduError):
    """A scenario file is malformed (the message names the file and line)."""


class LedgerError(JxeduError):
    """The ledger workbook cannot be read or written (open in Excel, locked, malformed)."""


class OptimizationError(JxeduError):
    """A location model has no solution (capacity too small, bad ``p``, time limit without a solution)."""


class ReportError(JxeduError):
    """One or more reports could not be produced."""


class EnvironmentSetupError(JxeduError):
    """Something the machine needs is missing (a font, a system library, a browser)."""
