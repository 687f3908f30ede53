"""The one vocabulary of what a planner reads: labels, units, display formats and category words.

Analyses return frames with English keys and English codes; everything a planner sees — notebook
tables, chart labels, map legends, PDF reports, the ledger and the command line — takes its Chinese
words from here, so a column is called the same everywhere and a number is shown the same way.

The vocabulary is data: ``jxedu/data/vocabulary/fields-*.csv`` (one row per column key: label,
unit, format, short label) and ``words-*.csv`` (one row per code: its Chinese word). Category codes
of the input format (``primary``, ``rural`` …) come from :data:`jxedu.core.schema.LABELS`.

>>> header("students")
'在校生（人）'
>>> fmt(12139, "int")
'12,139'
>>> fmt(0.0865, "pct1")
'8.7%'
>>> fmt(float("nan"), "dec2")
'—'
>>> threshold_text("rotation_share_of_eligible")
'≥ 10%'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from jxedu.core import standards as std
from jxedu.core.config import PACKAGE_DATA_DIR
from jxedu.core.errors import SettingsError
from jxedu.core.schema import LABELS

__all__ = [
    "COUNTY",
    "CROSS",
    "FORMATS",
    "MISSING",
    "NO_BUS_DATA",
    "NUMERIC_FORMATS",
    "SYNTHETIC_MARK",
    "TICK",
    "Field",
    "field",
    "fields",
    "fill_thresholds",
    "fmt",
    "fmt_series",
    "header",
    "plan_text",
    "km_text",
    "plan_value",
    "synthetic_notice",
    "threshold_text",
    "threshold_value",
    "word",
    "words",
]

#: Folder of the vocabulary tables.
VOCABULARY_DIR = PACKAGE_DATA_DIR / "vocabulary"

#: Name of the county-wide scope in every table row, heading and legend.
COUNTY = "全县"
#: What a cell shows when a figure could not be computed (the table's note says why).
MISSING = "—"
#: A check that passes, and one that fails (format ``check``: 达标, 达到目标 …).
TICK, CROSS = "✓", "✗"
#: A plain fact that holds or not (format ``flag``: 超出步行距离, 需新建学校 …): a tick would read as “good”.
YES, NO = "是", "否"
#: The mark on every page, table and map made from synthetic data.
SYNTHETIC_MARK = "合成演示数据"
#: What a bus-coverage cell shows when the data have no school-bus feed (never 0 %).
NO_BUS_DATA = "无公交数据"

#: Display formats of :func:`fmt`.
FORMATS: tuple[str, ...] = (
    "text", "word", "label", "short", "int", "dec1", "dec2", "dec3", "pct1", "km1", "m0", "yuan", "wan2", "flag",
    "check", "year", "g",
)
#: Formats whose cells are numbers (right-aligned in tables).
NUMERIC_FORMATS: frozenset[str] = frozenset(
    {"int", "dec1", "dec2", "dec3", "pct1", "km1", "m0", "yuan", "wan2", "year", "g"}
)
#: Unit a format implies when the vocabulary gives none (km1 shows metres as kilometres).
_FORMAT_UNITS = {"km1": "公里", "m0": "米", "yuan": "元", "wan2": "万元"}

_OP_TEXT = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)(?:/([a-z_]+))?(:v)?\}")


@dataclass(frozen=True)
class Field:
    """How one column key is shown.

    Attributes
    ----------
    key
        English column key of the analysis frames.
    label
        Chinese label (thresholds already filled in from the standards table).
    unit
        Unit shown after the label (``""`` for none).
    format
        One of :data:`FORMATS`.
    short
        Compact label for narrow tables and chart axes (the label when none is given).
    """

    key: str
    label: str
    unit: str
    format: str
    short: str

    def header(self, *, short: bool = False) -> str:
        """``label（unit）``, e.g. ``在校生（人）``; the short label with ``short``."""
        text = self.short if short else self.label
        return f"{text}（{self.unit}）" if self.unit else text

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (right-aligned)."""
        return self.format in NUMERIC_FORMATS


def _read_tables(prefix: str, columns: list[str]) -> pd.DataFrame:
    frames = []
    for path in sorted(VOCABULARY_DIR.glob(f"{prefix}-*.csv")):
        df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
        if list(df.columns) != columns:
            raise SettingsError(f"词汇表列名应为 {','.join(columns)} (bad_vocabulary): {path.name}")
        frames.append(df.assign(_file=path.name))
    if not frames:
        return pd.DataFrame(columns=[*columns, "_file"])
    return pd.concat(frames, ignore_index=True)


def fill_thresholds(text: str) -> str:
    """Replace ``{key}`` / ``{key/stage}`` by the threshold text of that standard (``≥ 10%``) and
    ``{key:v}`` / ``{key/stage:v}`` by its value alone (``10%``, ``2000``)."""
    def one(m: re.Match) -> str:
        key, stage = m.group(1), m.group(2) or "all"
        return threshold_value(key, stage) if m.group(3) else threshold_text(key, stage)

    return _PLACEHOLDER.sub(one, text)


@lru_cache(maxsize=1)
def fields() -> dict[str, Field]:
    """Every field of the vocabulary, by key.

    Raises
    ------
    SettingsError
        A key defined twice, an unknown format, or a label citing an unknown standard.
    """
    df = _read_tables("fields", ["key", "label", "unit", "format", "short"])
    dup = df[df.duplicated("key", keep=False)]
    if len(dup):
        where = "、".join(f"{k}（{f}）" for k, f in zip(dup["key"], dup["_file"], strict=True))
        raise SettingsError(f"词汇表中的列重复定义 (duplicate_field): {where}")
    bad = df[~df["format"].isin(FORMATS)]
    if len(bad):
        raise SettingsError(f"词汇表中的显示格式无效 (bad_format): {'、'.join(bad['key'] + '=' + bad['format'])}")
    out = {}
    for r in df.itertuples(index=False):
        label = fill_thresholds(r.label)
        unit = r.unit or _FORMAT_UNITS.get(r.format, "")
        out[r.key] = Field(r.key, label, unit, r.format, fill_thresholds(r.short) if r.short else label)
    return out


@lru_cache(maxsize=1)
def words() -> dict[tuple[str, str], str]:
    """Chinese word of every ``(kind, code)`` of the words tables."""
    df = _read_tables("words", ["kind", "code", "word"])
    dup = df[df.duplicated(["kind", "code"], keep=False)]
    if len(dup):
        raise SettingsError(f"词汇表中的取值重复定义 (duplicate_word): {'、'.join(dup['kind'] + '.' + dup['code'])}")
    return {(r.kind, r.code): r.word for r in df.itertuples(index=False)}


def field(key: str) -> Field:
    """The :class:`Field` of a column key.

    Raises
    ------
    KeyError
        The key is not in the vocabulary (add it to a ``fields-*.csv`` table).
    """
    try:
        return fields()[key]
    except KeyError:
        raise KeyError(f"column {key!r} is not in the vocabulary (jxedu/data/vocabulary/fields-*.csv)") from None


def header(key: str, *, short: bool = False) -> str:
    """The Chinese header of a column key: ``label（unit）``."""
    return field(key).header(short=short)


def word(code, kind: str | None = None) -> str:
    """The Chinese word of a code: the words tables' entry of that ``kind``, else the input format's
    word (:data:`jxedu.core.schema.LABELS`: stages, school types, 城乡分类 …); a value that is no code
    is shown as it is. Without ``kind`` only the input format's words are looked up (a code such as
    ``open`` means different things in different kinds)."""
    if _missing(code):
        return MISSING
    if isinstance(code, (bool, np.bool_)):
        return TICK if code else CROSS
    text = str(code)
    if kind is not None and (kind, text) in words():
        return words()[(kind, text)]
    return LABELS.get(text, text)


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return math.isnan(v)
    return False


def fmt(value, format: str, *, kind: str | None = None) -> str:
    """The display text of one value.

    Parameters
    ----------
    value
        A number, code, flag or text; ``None``/NaN/NA become :data:`MISSING`.
    format
        One of :data:`FORMATS`.
    kind
        Word kind for ``format="word"``.

    Returns
    -------
    str
    """
    if format == "word":
        return word(value, kind)
    if _missing(value):
        return MISSING
    if format == "text":
        return str(value)
    if format in ("label", "short"):  # the value is a vocabulary key (e.g. an indicator key)
        f = field(str(value))
        return f.short if format == "short" else f.label
    if format == "flag":
        return YES if bool(value) else NO
    if format == "check":
        return TICK if bool(value) else CROSS
    v = float(value)
    if not math.isfinite(v):
        return MISSING
    if format in ("int", "yuan", "m0"):
        return f"{_half_up(v, 0):,}"
    if format == "year":
        return str(int(_half_up(v, 0)))
    if format == "dec1":
        return f"{_half_up(v, 1):,}"
    if format in ("dec2", "wan2"):
        return f"{_half_up(v, 2):,}"
    if format == "dec3":
        return f"{_half_up(v, 3)}"
    if format == "pct1":
        return f"{_half_up(v * 100, 1, exact=v, scale=2)}%"
    if format == "km1":
        return f"{_half_up(v / 1000, 1, exact=v, scale=-3):,}"
    if format == "g":
        return f"{v:g}"
    raise ValueError(f"unknown display format {format!r}")


def _half_up(v: float, decimals: int, *, exact: float | None = None, scale: int = 0) -> Decimal:
    """Round half up (四舍五入) on the decimal text of a float, as a person rounding by hand would:
    0.0865 shown as a percentage is 8.7 %, 2.5 people are 3 (Python's ``round`` gives 8.6 and 2).

    ``exact`` and ``scale``: round ``exact × 10**scale`` instead of ``v`` (the same number without the
    float error of the multiplication).
    """
    d = Decimal(repr(exact if exact is not None else v)).scaleb(scale if exact is not None else 0)
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q.is_zero() else q  # never "-0"


def fmt_series(values: pd.Series, format: str, *, kind: str | None = None) -> pd.Series:
    """:func:`fmt` applied to every value of a Series (same index)."""
    return pd.Series([fmt(v, format, kind=kind) for v in values.tolist()], index=values.index, dtype=object)


def threshold_value(key: str, stage: str = "all") -> str:
    """A threshold's value as written in a sentence: ``10%`` for a share, else the number (``2000``)."""
    r = std.rule(key, stage)
    v = float(r["value"])
    return f"{v * 100:g}%" if str(r["unit"]) == "比例" else f"{v:g}"


def threshold_text(key: str, stage: str = "all") -> str:
    """A threshold of the standards table as shown in labels: ``≥ 10%``, ``≤ 0.50``, ``≥ 400 人``."""
    r = std.rule(key, stage)
    v = float(r["value"])
    unit = str(r["unit"])
    op = _OP_TEXT[str(r["op"])]
    if unit == "比例":
        return f"{op} {v * 100:g}%"
    if unit in ("系数", "项", "年", "权重"):
        return f"{op} {v:.2f}" if unit == "系数" else f"{op} {v:g}"
    return f"{op} {v:g} {unit}"


def km_text(metres: float) -> str:
    """A distance setting (metres) in kilometres without trailing zeros, as every sentence writes it:
    ``2 公里``, ``2.5 公里``.

    >>> km_text(2000), km_text(2500)
    ('2 公里', '2.5 公里')
    """
    return f"{fmt(float(metres) / 1000, 'g')} 公里"


def plan_value(target) -> str:
    """A county-plan target's value as written in a sentence: ``100%`` for a share, ``2025`` for a
    year, else the number (``400``, ``0.9``).

    Parameters
    ----------
    target
        A :class:`jxedu.core.county.PlanTarget`.
    """
    v = float(target.value)
    return f"{v * 100:g}%" if target.unit == "比例" else f"{v:g}"


def plan_text(target) -> str:
    """A county-plan target as labels show it: ``≥ 400 人``, ``≥ 100%``, ``≥ 0.9 人/百生``."""
    op = _OP_TEXT[target.op]
    if target.unit == "比例":
        return f"{op} {float(target.value) * 100:g}%"
    return f"{op} {float(target.value):g} {target.unit}"


def synthetic_notice(county: str) -> str:
    """The warning shown on everything made from the synthetic demo data set."""
    return f"本数据为{SYNTHETIC_MARK}，数字由程序随机生成，不代表{county}的真实情况。"
