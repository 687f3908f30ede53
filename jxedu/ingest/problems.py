"""Problems found in a data set: :class:`Problem`, the capped :class:`ProblemSink` and the
:class:`ValidationReport` that prints them in Chinese (file, sheet, Excel row and column).

Every reader and check of :mod:`jxedu.ingest` reports through a :class:`ProblemSink`; nothing here
reads a file, so the readers (:mod:`jxedu.ingest.reader`) and the rules (:mod:`jxedu.ingest.checks`)
both build on this module without importing each other in a circle.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from jxedu.core import schema
from jxedu.ingest.raw import RawTable, norm_text

#: Problems listed per (rule, file, sheet, column) before a summary line replaces the rest.
MAX_PER_GROUP = 50

#: Columns whose cells are free text (notes a planner types): their content never reaches a problem.
#: The pseudonymous 学生编号 of the 控辍保学台账 is treated so too: a clerk may have typed a name there.
FREE_TEXT_COLUMNS: dict[str, frozenset[str]] = {"meta": frozenset({"value"}), "dropouts": frozenset({"pupil_id"}),
                                                "plan_targets": frozenset({"note"})}
#: What a masked cell shows in a problem.
MASKED = "（内容已隐去）"

# Personal numbers inside any text of a problem (message, value, expected): Chinese ID numbers
# (18 digits with a plausible birth date, or the old 15-digit form), mobile phone numbers
# (11 digits 1[3-9]…, also written 139-1234-5678 or +86 …) and landlines with an area code
# (0537-1234567, (0537)1234567, 05371234567).
_ID18 = r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
_ID15 = r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
_MOBILE = r"(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
_LANDLINE = r"(?:[(（]0[1-9]\d{1,2}[)）]|0[1-9]\d{1,2}[- ]?)\d{7,8}"
_PERSONAL_NUMBER = re.compile(
    rf"(?<![0-9A-Za-z])(?:(?P<id>{_ID18}|{_ID15})|(?P<phone>{_MOBILE}|{_LANDLINE}))(?![0-9A-Za-z])"
)
_MASK_WORDS = {"id": "［身份证号已隐去］", "phone": "［电话号码已隐去］"}


def mask_personal(text: str | None) -> str | None:
    """Replace every ID number and phone number in ``text`` by a placeholder.

    Parameters
    ----------
    text
        Any text, or ``None``.

    Returns
    -------
    str or None
        ``text`` with ``370828198512120044`` shown as ``［身份证号已隐去］`` and ``13912345678`` as
        ``［电话号码已隐去］``; ``None`` stays ``None``.

    Examples
    --------
    >>> mask_personal("合计：褚晓红370828198512120044")
    '合计：褚晓红［身份证号已隐去］'
    """
    if not text:
        return text
    return _PERSONAL_NUMBER.sub(lambda m: _MASK_WORDS[m.lastgroup], str(text))


def is_free_text(table_key: str, column_key: str | None) -> bool:
    """Whether a column holds free text, whose cells are never echoed (:data:`FREE_TEXT_COLUMNS`)."""
    return column_key is not None and column_key in FREE_TEXT_COLUMNS.get(table_key, ())

SEVERITY_ZH = {"error": "错误", "warning": "警告"}

#: Chinese column names of :meth:`ValidationReport.to_frame`.
FRAME_COLUMNS_ZH = {
    "severity": "级别",
    "code": "代码",
    "message": "说明",
    "file": "文件",
    "sheet": "工作表",
    "row": "行",
    "column": "列",
    "value": "值",
    "expected": "应为",
}



# ---------------------------------------------------------------------------------------------
# Problem and report
# ---------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """One problem found in a data set.

    Attributes
    ----------
    severity
        ``"error"`` (the data cannot be used as it is) or ``"warning"`` (used, but check it).
    code
        English key of the rule, e.g. ``"text_in_number"``.
    message
        Chinese description, one sentence.
    file
        File name relative to the data set (the workbook's name for a workbook).
    sheet
        Sheet name inside a workbook, or ``None``.
    row
        Row number as Excel shows it (title and header rows counted), ``None`` for a table-level
        problem.
    column
        Header as found in the file (Chinese), or ``None``.
    value
        The cell as found, as a string, or ``None``.
    expected
        What the cell should hold (Chinese), or ``None``.
    count
        How many problems this one stands for: 1, or for a summary line of a capped group
        ("……及另外 N 处") the N problems it replaces.

    Notes
    -----
    ID numbers and phone numbers in ``message``, ``value`` and ``expected`` are masked when the
    problem is made (:func:`mask_personal`), wherever the text came from.
    """

    severity: str
    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    count: int = 1

    def __post_init__(self) -> None:
        self.message = mask_personal(self.message)
        self.value = mask_personal(self.value)
        self.expected = mask_personal(self.expected)

    @property
    def is_error(self) -> bool:
        """Whether the problem is an error."""
        return self.severity == "error"

    def location(self) -> str:
        """Chinese location: file, sheet, row and column that exist."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"列“{self.column}”")
        return " ".join(parts) if parts else "数据集"

    def __str__(self) -> str:
        return f"{SEVERITY_ZH.get(self.severity, self.severity)} [{self.code}] {self.location()}：{self.message}"

    def to_dict(self) -> dict:
        """Plain dict (for JSON)."""
        return asdict(self)


@dataclass
class ValidationReport:
    """Every problem of one data set.

    Attributes
    ----------
    problems
        All problems, errors and warnings, in file order.
    source
        The workbook or folder checked.
    """

    problems: list[Problem] = field(default_factory=list)
    source: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity ``warning``."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    @property
    def n_errors(self) -> int:
        """Errors found, including those a capped group only counts ("……及另外 N 处")."""
        return count_problems(self.problems, "error")

    @property
    def n_warnings(self) -> int:
        """Warnings found, including those a capped group only counts."""
        return count_problems(self.problems, "warning")

    def summary(self) -> str:
        """One Chinese line with the counts of problems found (listed or not)."""
        n_err, n_warn = self.n_errors, self.n_warnings
        if not self.problems:
            return "未发现问题 (no problems)。"
        verdict = "数据可以使用" if n_err == 0 else "数据有错误，请修改后重试"
        listed = sum(1 for p in self.problems if not is_summary(p))
        capped = ""
        if listed < n_err + n_warn:
            capped = (f"（逐条列出 {listed:,} 处，其余 {n_err + n_warn - listed:,} 处同类问题"
                      f"各合并为一行“……及另外 N 处”）")
        return f"错误 {n_err:,} 处，警告 {n_warn:,} 处{capped}：{verdict}。"

    def to_text(self) -> str:
        """Chinese report: counts, then every problem grouped by file."""
        lines = []
        if self.source is not None:
            lines.append(f"数据检查 (validate)：{self.source}")
        lines.append(self.summary())
        groups: dict[str, list[Problem]] = {}
        for p in self.problems:
            key = p.file or "数据集"
            if p.sheet:
                key = f"{key} 工作表“{p.sheet}”"
            groups.setdefault(key, []).append(p)
        for key, probs in groups.items():
            lines.append("")
            lines.append(f"【{key}】")
            for p in probs:
                loc = []
                if p.row is not None:
                    loc.append(f"第{p.row}行")
                if p.column:
                    loc.append(f"列“{p.column}”")
                where = (" ".join(loc) + "：") if loc else ""
                lines.append(f"  {SEVERITY_ZH.get(p.severity, p.severity)} [{p.code}] {where}{p.message}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """Problems as a DataFrame with Chinese column names (for notebooks)."""
        rows = [p.to_dict() for p in self.problems]
        df = pd.DataFrame(rows, columns=list(FRAME_COLUMNS_ZH))
        df["severity"] = df["severity"].map(SEVERITY_ZH)
        df["row"] = df["row"].astype("Int64")
        return df.rename(columns=FRAME_COLUMNS_ZH)

    def to_json(self) -> str:
        """JSON object: source, ok, counts and the problems (Chinese text, not escaped)."""
        obj = {
            "source": str(self.source) if self.source is not None else None,
            "ok": self.ok,
            "errors": self.n_errors,
            "warnings": self.n_warnings,
            "listed": len(self.problems),
            "problems": [p.to_dict() for p in self.problems],
        }
        return json.dumps(obj, ensure_ascii=False, indent=2)

    def __str__(self) -> str:
        return self.to_text()


class ProblemSink:
    """Collects problems; caps each (severity, code, file, sheet, column) group.

    Parameters
    ----------
    limit
        Problems listed per group; the rest are counted in one summary problem.
    """

    def __init__(self, *, limit: int = MAX_PER_GROUP) -> None:
        self.limit = limit
        self.problems: list[Problem] = []
        self._listed: dict[tuple, int] = {}
        self._overflow: dict[tuple, tuple[Problem, int]] = {}

    def add(self, problem: Problem) -> None:
        """Add one problem (counted against its group's cap)."""
        key = (problem.severity, problem.code, problem.file, problem.sheet, problem.column)
        n = self._listed.get(key, 0)
        if n < self.limit:
            self._listed[key] = n + 1
            self.problems.append(problem)
        else:
            first, count = self._overflow.get(key, (problem, 0))
            self._overflow[key] = (first, count + 1)

    def add_cells(
        self,
        severity: str,
        code: str,
        raw: RawTable,
        key: str | None,
        rows: Iterable,
        values: Iterable,
        *,
        message: Callable[[str], str] | list[str],
        expected: str | Iterable[str] | None = None,
        column: str | None = None,
    ) -> None:
        """Add one problem per cell (rows and values aligned), respecting the cap.

        Parameters
        ----------
        severity, code
            As in :class:`Problem`.
        raw
            The table the cells belong to (file, sheet, headers).
        key
            English column key (its header as found is reported) or ``None``.
        rows
            Excel row numbers.
        values
            Cell values as found (converted with ``str``).
        message
            Builds the Chinese message from the value string, or one message per cell.
        expected
            One string for all cells, or one per cell.
        column
            Header to report instead of ``raw.header(key)``.
        """
        col = column if column is not None else (raw.header(key) if key else None)
        values = list(values)
        if is_free_text(raw.table.key, key):  # notes a planner typed: never echoed
            values = [None if value_text(v) is None else MASKED for v in values]
        self.add_rows(severity, code, raw.file, raw.sheet, col, rows, values, message=message, expected=expected)

    def add_rows(
        self,
        severity: str,
        code: str,
        file: str | None,
        sheet: str | None,
        column: str | None,
        rows: Iterable,
        values: Iterable,
        *,
        message: Callable[[str], str] | list[str],
        expected: str | Iterable[str] | None = None,
    ) -> None:
        """Add one problem per row of any file (rows and values aligned), respecting the cap.

        Only the problems listed are built; the others of the group are counted (fast on a million
        rows).

        Parameters
        ----------
        severity, code, file, sheet, column
            As in :class:`Problem`.
        rows
            Row numbers as the planner sees them.
        values
            Cell values as found (converted with ``str``).
        message
            Builds the Chinese message from the value string, or one message per cell.
        expected
            One string for all cells, or one per cell.
        """
        col = column
        group = (severity, code, file, sheet, col)
        rows = list(rows)
        if not rows:
            return
        values = list(values)
        exp_list = list(expected) if (expected is not None and not isinstance(expected, str)) else None
        room = max(self.limit - self._listed.get(group, 0), 0)

        def msg(i: int, v: str | None) -> str:
            return message[i] if isinstance(message, list) else message(v)

        for i in range(min(room, len(rows))):
            v = value_text(values[i])
            exp = exp_list[i] if exp_list is not None else expected
            self.add(Problem(severity, code, msg(i, v), file, sheet, as_int(rows[i]), col, v, exp))
        extra = len(rows) - min(room, len(rows))
        if extra:
            v = value_text(values[room]) if room < len(values) else None
            exp = exp_list[room] if exp_list is not None else expected
            first = Problem(severity, code, msg(room, v), file, sheet, None, col, None, exp)
            prev, count = self._overflow.get(group, (first, 0))
            self._overflow[group] = (prev, count + extra)

    def finish(self) -> list[Problem]:
        """Return the problems with one summary per capped group appended."""
        out = list(self.problems)
        summaries = []
        for (sev, code, file, sheet, col), (first, count) in self._overflow.items():
            summaries.append(
                Problem(
                    sev,
                    code,
                    f"{_SUMMARY_PREFIX} {count:,} 处同类问题（只列出前 {self.limit} 处）：{first.message}",
                    file,
                    sheet,
                    None,
                    col,
                    None,
                    first.expected,
                    count,
                )
            )
        return sort_problems(out, summaries)


_SUMMARY_PREFIX = "……及另外"


def is_summary(problem: Problem) -> bool:
    """Whether a problem is the summary line of a capped group ("……及另外 N 处同类问题")."""
    return problem.row is None and problem.message.startswith(_SUMMARY_PREFIX)


def count_problems(problems: Iterable[Problem], severity: str | None = None) -> int:
    """Problems found of a severity (all for ``None``), a capped group's summary counted as its N."""
    return sum(p.count for p in problems if severity is None or p.severity == severity)


def sort_problems(problems: list[Problem], summaries: list[Problem] = ()) -> list[Problem]:
    """Order problems by file (first appearance), then table-level ones, then by row; each
    summary line ("……及另外") follows the last row of its file."""
    rank = {norm_text(t.zh): i for i, t in enumerate(schema.TABLES)}
    order: dict[tuple, tuple] = {}
    for p in [*problems, *summaries]:
        if (p.file, p.sheet) not in order:
            name = p.sheet if p.sheet else Path(p.file).stem if p.file else ""
            first = -1 if p.file is None else rank.get(norm_text(name), 100)
            order[(p.file, p.sheet)] = (first, len(order))
    keyed = [((order[(p.file, p.sheet)], 0 if p.row is None else 1, p.row or 0, i), p)
             for i, p in enumerate(problems)]
    keyed += [((order[(p.file, p.sheet)], 2, 0, i), p) for i, p in enumerate(summaries)]
    return [p for _, p in sorted(keyed, key=lambda kp: kp[0])]


def value_text(v) -> str | None:
    """A cell value as problem text: whole floats without ``.0``; ``None`` for empty cells."""
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
    if v is pd.NA:
        return None
    return str(v)


def as_int(v) -> int | None:
    """An Excel row number as ``int`` (``None`` when there is none)."""
    try:
        return int(v)
    except (TypeError, ValueError):
        return None
