"""The rules a data set is checked against: every problem, with file, sheet, Excel row and column.

The reader (:mod:`jxedu.ingest.reader`) reads the files and hands each table to the checks here; the checks
are vectorised (pandas column operations and boolean masks), so a province-sized file is checked in
seconds. Each rule reports at most :data:`MAX_PER_GROUP` cells per file, column and rule, followed by
one summary line ("…及另外 N 处"), so a broken file never prints a million lines.

Problems are collected by :class:`jxedu.ingest.problems.ProblemSink`; :func:`jxedu.ingest.reader.validate_path`
runs every rule on a workbook or folder.

Values of personal-data columns (:data:`jxedu.core.schema.PERSONAL_COLUMNS`) never reach a problem: those
columns are dropped before any check runs.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jxedu.core import roster, schema
from jxedu.core.schema import Column, Table
from jxedu.ingest.problems import (
    MASKED,
    Problem,
    ProblemSink,
    is_free_text,
    mask_personal,
    value_text,
)
from jxedu.ingest.raw import RawTable, norm_text

#: Buffer around the county outline when testing coordinates (GPS and digitising tolerance).
OUTLINE_BUFFER = 1000  # metres
#: Columns holding identifiers: full-width characters folded, all spaces removed.
_ID_KEYS = {"school_id", "teacher_id", "village_id", "from_school_id", "to_school_id", "township", "pupil_id"}
#: Columns holding display names: only outer spaces stripped (keep full-width punctuation).
_NAME_KEYS = {"name"}
#: Tables of points (lon/lat checked against the county outline).
_POINT_TABLES = ("schools", "villages")

# Extra vocabulary accepted beyond the schema (BD-09 is converted by jxedu.core.coords.to_wgs84; a
# 规划目标 row may name its 目标项 by the documented English key too).
_EXTRA_VOCAB: dict[str, dict[str, str]] = {
    "crs": {"BD09": "BD09", "BD-09": "BD09"},
    "key": {k: k for k in (schema.PLAN_TARGETS.column("key").vocab or {}).values()},
}


# ---------------------------------------------------------------------------------------------
# Raw tables and header matching
# ---------------------------------------------------------------------------------------------


_BRACKET = re.compile(r"^(.*?)[\(\[【](.*?)[\)\]】]$")

#: Known unit spellings (normalised) -> canonical unit.
_UNIT_ALIASES: dict[str, str] = {
    "m2": "㎡",
    "平方米": "㎡",
    "平米": "㎡",
    "平方": "㎡",
    "亩": "亩",  # 1 亩 ≈ 666.7 ㎡: recognised so that it is refused, never read as ㎡
    "公顷": "公顷",
    "ha": "公顷",
    "人": "人",
    "名": "人",
    "个": "个",
    "班": "个",
    "间": "间",
    "元": "元",
    "万元": "万元",
    "年": "年",
    "学时": "学时",
    "课时": "学时",
    "份": "份",
    "分钟": "分钟",
    "分": "分钟",
    "min": "分钟",
    "°": "°",
    "度": "°",
}


def _canon_unit(u: str) -> str | None:
    return _UNIT_ALIASES.get(norm_text(u))  # norm_text applies NFKC: ｍ２ and m² both become m2


@dataclass(frozen=True)
class HeaderMatch:
    """Result of matching one header: the column key and an optional problem."""

    key: str | None
    code: str | None = None  # problem code, if any
    severity: str | None = None
    message: str | None = None


def _header_index(table: Table) -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    bases: dict[str, str] = {}  # name without a unit that the schema header carries
    for c in table.columns:
        exact[norm_text(c.zh)] = c.key
        exact[norm_text(c.key)] = c.key
        m = _BRACKET.match(norm_text(c.zh))
        if m:
            bases[m.group(1)] = c.key
    return exact, bases


_HEADER_CACHE: dict[str, tuple[dict[str, str], dict[str, str]]] = {}


def match_header(header: str, table: Table) -> HeaderMatch:
    """Match a header cell to a column of ``table``.

    Headers are compared after NFKC normalisation with every space removed, so half- and
    full-width brackets and stray spaces do not matter; English keys are accepted. A unit in
    brackets after a header whose schema name has none (``在校生数（人）``) matches when the unit
    fits the column; a unit contradicting the schema (``教学仪器设备值（元）``) is an error.

    Parameters
    ----------
    header
        The header cell as found.
    table
        The table schema.

    Returns
    -------
    HeaderMatch
    """
    if table.key not in _HEADER_CACHE:
        _HEADER_CACHE[table.key] = _header_index(table)
    exact, bases = _HEADER_CACHE[table.key]
    n = norm_text(header)
    if not n:
        return HeaderMatch(None)
    if n in exact:
        return HeaderMatch(exact[n])
    m = _BRACKET.match(n)
    if m:
        base, unit = m.group(1), m.group(2)
        if base in exact:  # schema header has no unit in its name
            col = table.column(exact[base])
            want = _canon_unit(col.unit) if col.unit else None
            got = _canon_unit(unit)
            if got is None:
                return HeaderMatch(
                    col.key, "unit_unrecognised", "warning",
                    f"表头中的单位“{unit}”无法识别，按“{col.unit or '无单位'}”读取",
                )
            if want is None or got == want or (want == "个" and got == "间") or (want == "间" and got == "个"):
                return HeaderMatch(col.key)
            return HeaderMatch(
                col.key, "unit_mismatch", "error",
                f"表头单位“{unit}”与规定单位“{col.unit}”不符，请换算为“{col.unit}”后填写",
            )
        if base in bases:  # schema header carries a unit: it must agree
            col = table.column(bases[base])
            got = _canon_unit(unit)
            if got is not None and got == _canon_unit(col.unit):
                return HeaderMatch(col.key)
            return HeaderMatch(
                col.key, "unit_mismatch", "error",
                f"表头单位“{unit}”与规定单位“{col.unit}”不符，请换算为“{col.unit}”后填写",
            )
    if n in bases:
        col = table.column(bases[n])
        return HeaderMatch(
            col.key, "unit_assumed", "warning", f"表头未注明单位，按“{col.unit}”读取（应为“{col.zh}”）"
        )
    return HeaderMatch(None)


_PERSONAL_NORM = {norm_text(k) for k in schema.PERSONAL_COLUMNS}
_PERSONAL_PARTS = ("姓名", "身份证", "证件号", "手机", "电话", "住址", "idnumber", "idcard")


def is_personal(header: str) -> bool:
    """Whether a header names a personal-data column (姓名, 身份证号, 手机号 …)."""
    n = norm_text(header)
    return bool(n) and (n in _PERSONAL_NORM or any(p in n for p in _PERSONAL_PARTS))


def header_score(cells: Iterable, table: Table) -> int:
    """Number of cells of a row that are headers of ``table`` (to find the header row)."""
    return sum(1 for c in cells if c is not None and str(c).strip() and match_header(str(c), table).key)


# ---------------------------------------------------------------------------------------------
# Cell conversion (vectorised)
# ---------------------------------------------------------------------------------------------


def _nfkc_strip(v: str) -> str:
    if v.isascii():  # NFKC leaves ASCII unchanged
        return v.strip()
    return unicodedata.normalize("NFKC", v).strip()


def _id_clean(v: str) -> str:
    if v.isalnum() and v.isascii():  # the common case: already clean
        return v
    v = re.sub(r"\s+", "", unicodedata.normalize("NFKC", v))
    if re.fullmatch(r"\d+\.0", v):  # an integer id stored as an Excel float
        v = v[:-2]
    return v


def _number_text(v: str) -> str:
    return re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", v))


def _parse_float(v: str) -> float:
    """One cell to float; full-width digits, spaces and thousands separators tolerated; NaN if not a
    finite number."""
    if "_" not in v:
        try:
            f = float(v)
            return f if math.isfinite(f) else math.nan
        except ValueError:
            pass
    try:
        f = float(_number_text(v).replace("_", "x"))
    except ValueError:
        return math.nan
    return f if math.isfinite(f) else math.nan


# Degrees, minutes, seconds after NFKC (″ becomes ′′): 116°17′30″, 116度17分30秒, 东经116°17′, 35.07°N.
_DMS_RE = re.compile(
    r"^(东经|西经|北纬|南纬|[EWNS])?(\d+(?:\.\d+)?)(?:°|度)"
    r"(?:(\d+(?:\.\d+)?)(?:′|'|分))?"
    r"(?:(\d+(?:\.\d+)?)(?:′′|''|\"|秒))?"
    r"([EWNS])?$",
    re.IGNORECASE,
)
_DMS_NEGATIVE = {"西经", "南纬", "w", "s"}


def parse_degrees(v: str) -> float:
    """One coordinate cell to decimal degrees; NaN if it is not a coordinate.

    Accepts plain numbers (as :func:`_parse_float`) and degree–minute–second text as planners copy
    it from maps and surveys: ``"116°17′30″"``, ``"116度17分30秒"``, ``"东经116°17′"``,
    ``"35.07°N"``. Minutes and seconds must be below 60; 西经/南纬/W/S give negative degrees.
    """
    f = _parse_float(v)
    if not math.isnan(f):
        return f
    m = _DMS_RE.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", v)))
    if not m:
        return math.nan
    hemi_pre, deg, minutes, seconds, hemi_post = m.groups()
    if hemi_pre and hemi_post:
        return math.nan
    mi, se = float(minutes or 0), float(seconds or 0)
    if mi >= 60 or se >= 60:
        return math.nan
    value = float(deg) + mi / 60 + se / 3600
    hemi = (hemi_pre or hemi_post or "").lower()
    return -value if hemi in _DMS_NEGATIVE else value


_YEAR_RE = re.compile(r"^(\d{4})(?:\.0+)?(?:[-—–~～至到/](\d{2}|\d{4}))?(?:学年度?|年度?)?$")


def parse_school_year(v) -> int | None:
    """Parse a 学年 cell: ``2024``, ``"2024-2025"``, ``"2024学年"``, ``"2024—2025学年"`` -> 2024.

    Returns ``None`` when the text is not a school year (including ``2024-2026``).
    """
    if v is None:
        return None
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v)))
    m = _YEAR_RE.match(t)
    if not m:
        return None
    start = int(m.group(1))
    if m.group(2):
        end = int(m.group(2))
        if end < 100:
            end += (start // 100) * 100
        if end != start + 1:
            return None
    return start


def _vocab_lookup(col: Column) -> dict[str, object]:
    vocab = dict(col.vocab or {})
    vocab.update(_EXTRA_VOCAB.get(col.key, {}))
    lut: dict[str, object] = {}
    for zh, code in vocab.items():
        lut[norm_text(zh)] = code
        if isinstance(code, str):
            lut[norm_text(code)] = code
    for alias, target in schema.ALIASES.items():
        if target in vocab:
            lut.setdefault(norm_text(alias), vocab[target])
    return lut


_BOOL_LUT: dict[str, bool] = {
    **{norm_text(k): v for k, v in schema.YES_NO.items()},
    **{norm_text(a): schema.YES_NO[t] for a, t in schema.ALIASES.items() if t in schema.YES_NO},
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
}


def expected_text(col: Column) -> str:
    """Chinese description of what a column holds (for ``Problem.expected``)."""
    if col.kind == "int":
        if col.min == 0 and col.max is None:
            return "非负整数"
        if col.min is not None and col.max is not None:
            return f"{col.min:g}–{col.max:g} 之间的整数"
        return "整数"
    if col.kind == "float":
        if col.min is not None and col.max is not None:
            return f"{col.min:g}–{col.max:g} 之间的数"
        if col.min == 0:
            return "非负数" + (f"（单位：{col.unit}）" if col.unit else "")
        return "数字"
    if col.kind == "year":
        return f"学年起始年份（{col.min:g}–{col.max:g}，如 2024 或 2024-2025）"
    if col.kind == "bool":
        return "是、否"
    if col.kind == "cat":
        return "、".join(col.vocab or {})
    if col.kind == "date":
        return "日期（如 2024-09-01）"
    return "文字"


def _bounds_problems(num: pd.Series, col: Column, raw: RawTable, sink: ProblemSink, exp: str) -> pd.Series:
    """Report values outside [min, max]; return the mask of bad cells."""
    bad = pd.Series(False, index=num.index)
    if col.min is not None:
        low = num < col.min
        if low.any():
            code = "negative_count" if (col.min == 0 and col.kind == "int") else (
                "negative_value" if col.min == 0 else ("year_out_of_range" if col.kind == "year" else "out_of_range")
            )
            what = "不能为负数" if col.min == 0 else "超出允许范围"
            sink.add_cells("error", code, raw, col.key, num.index[low], raw.data.loc[low, col.key],
                           message=lambda v, w=what: f"值“{v}”{w}，应为{exp}", expected=exp)
            bad |= low
    if col.max is not None:
        high = num > col.max
        if high.any():
            code = "year_out_of_range" if col.kind == "year" else "out_of_range"
            sink.add_cells("error", code, raw, col.key, num.index[high], raw.data.loc[high, col.key],
                           message=lambda v: f"值“{v}”超出允许范围，应为{exp}", expected=exp)
            bad |= high
    return bad


@dataclass
class _Cells:
    """One column factorised: each distinct text is converted once (fast on a million rows).

    ``codes[i]`` indexes ``uniques`` (``-1`` = empty cell, including cells of spaces only).
    """

    codes: np.ndarray
    uniques: np.ndarray  # object array of str

    @classmethod
    def of(cls, s: pd.Series) -> _Cells:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
        blank = np.fromiter((not u.strip() for u in uniques), dtype=bool, count=len(uniques))
        if blank.any():
            lut = np.arange(len(uniques))
            lut[blank] = -1
            codes = np.where(codes >= 0, lut[np.maximum(codes, 0)], -1)
        return cls(np.asarray(codes), uniques)

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    def floats(self, fn: Callable[[str], float]) -> np.ndarray:
        vals = np.empty(len(self.uniques) + 1, dtype="float64")
        vals[:-1] = [fn(u) for u in self.uniques]
        vals[-1] = np.nan
        return vals[self.codes]  # code -1 picks the trailing NaN

    def objects(self, fn: Callable[[str], object]) -> np.ndarray:
        vals = np.empty(len(self.uniques) + 1, dtype=object)
        vals[:-1] = [fn(u) for u in self.uniques]
        vals[-1] = None
        return vals[self.codes]

    def strings(self, fn: Callable[[str], str | None], index: pd.Index) -> pd.Series:
        arr = pd.array(np.asarray([fn(u) for u in self.uniques], dtype=object), dtype="str")
        return pd.Series(arr.take(self.codes, allow_fill=True), index=index)


def convert_column(raw: RawTable, col: Column, sink: ProblemSink) -> pd.Series:
    """Convert one column of a raw table to its schema type, reporting every bad cell.

    Bad cells become null. Returns a Series on the raw table's index (Excel rows).
    """
    idx = raw.data.index
    if col.key not in raw.data.columns:
        return _null_series(col, idx)
    s = raw.data[col.key]
    exp = expected_text(col)
    is_coord = col.key in ("lon", "lat") and raw.table.key in _POINT_TABLES
    if is_coord:
        exp += "（十进制度，或度分秒如 116°17′30″）"
    # a CSV number column already parsed by pandas' C reader: no text to look at
    typed = (col.kind in ("int", "float") and pd.api.types.is_numeric_dtype(s.dtype)
             and not pd.api.types.is_bool_dtype(s.dtype))
    if typed:
        cells = None
        num_typed = s.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(num_typed)
    else:
        cells = _Cells.of(s)
        present = cells.present

    def report(code: str, mask: np.ndarray, message: Callable[[str], str]) -> None:
        sink.add_cells("error", code, raw, col.key, idx[mask], s[mask], message=message, expected=exp)

    if not col.nullable and not present.all():
        missing = ~present
        sink.add_cells("error", "missing_value", raw, col.key, idx[missing], [None] * int(missing.sum()),
                       message=lambda v: f"必填项为空，应为{exp}", expected=exp)

    if col.kind in ("int", "float", "year"):
        if typed:
            num = np.where(np.isfinite(num_typed), num_typed, np.nan)
            code, what = "text_in_number", "不是数字"
        elif col.kind == "year":
            num = cells.floats(lambda u: (lambda y: math.nan if y is None else float(y))(parse_school_year(u)))
            code, what = "invalid_year", "不是有效的学年"
        else:
            num = cells.floats(parse_degrees if is_coord else _parse_float)
            code, what = "text_in_number", "不是数字"
        bad = present & np.isnan(num)
        if bad.any():
            report(code, bad, lambda v, w=what: f"值“{v}”{w}，应为{exp}")
        num = pd.Series(num, index=idx)
        if col.kind in ("int", "year"):
            frac = (num.notna() & (num != np.round(num))).to_numpy()
            if frac.any():
                report("not_integer", frac, lambda v: f"值“{v}”不是整数，应为{exp}")
                num[frac] = np.nan
        if not is_coord:
            # coordinates are range-checked in check_points, which can tell a swapped pair
            out_of_bounds = _bounds_problems(num, col, raw, sink, exp)
            num[out_of_bounds] = np.nan
        if col.kind == "float":
            return num
        return num.round().astype("Int64")

    if col.kind in ("cat", "bool"):
        lut = _BOOL_LUT if col.kind == "bool" else _vocab_lookup(col)
        mapped = cells.objects(lambda v: lut.get(norm_text(v)))
        bad = present & pd.isna(mapped)
        if bad.any():
            report("unknown_category", bad, lambda v: f"值“{v}”不在允许的取值中，应为：{exp}")
        if col.kind == "bool":
            return pd.Series(pd.array(mapped, dtype="boolean"), index=idx)
        return cells.strings(lambda v: lut.get(norm_text(v)), idx)

    if col.kind == "date":
        mapped = cells.objects(_parse_date)
        out = pd.Series(pd.to_datetime(pd.Series(mapped, dtype=object)).to_numpy(), index=idx)
        bad = present & out.isna().to_numpy()
        if bad.any():
            report("invalid_date", bad, lambda v: f"值“{v}”不是有效日期，应为{exp}")
        return out

    # plain text
    fn = _id_clean if col.key in _ID_KEYS else (str.strip if col.key in _NAME_KEYS else _nfkc_strip)
    return cells.strings(lambda v: fn(v) or None, idx)


def _parse_date(v: str):
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", v))
    t = re.sub(r"[年月./]", "-", t).rstrip("日").rstrip("-")
    if re.fullmatch(r"\d{5}(\.0+)?", t):  # Excel serial day number
        return pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(float(t)))
    try:
        return pd.Timestamp(t)
    except (ValueError, TypeError):
        return None


def _null_series(col: Column, idx: pd.Index) -> pd.Series:
    if col.kind in ("int", "year"):
        return pd.Series(pd.array([pd.NA] * len(idx), dtype="Int64"), index=idx)
    if col.kind == "float":
        return pd.Series(np.nan, index=idx, dtype="float64")
    if col.kind == "bool":
        return pd.Series(pd.array([pd.NA] * len(idx), dtype="boolean"), index=idx)
    if col.kind == "date":
        return pd.Series(pd.NaT, index=idx, dtype="datetime64[us]")
    return pd.Series(np.nan, index=idx, dtype="str")


def convert_table(raw: RawTable, sink: ProblemSink) -> pd.DataFrame:
    """Convert every schema column of a raw table; report cell problems and in-table rules.

    In-table rules: required values, types, bounds, vocabularies, parts not larger than their
    whole (:attr:`Table.parts`) and unique primary keys (:attr:`Table.primary_key`).

    Returns
    -------
    pandas.DataFrame
        Columns = every schema column (absent optional ones null), index = Excel rows.
    """
    df = pd.DataFrame({c.key: convert_column(raw, c, sink) for c in raw.table.columns}, index=raw.data.index)
    check_parts(df, raw, sink)
    check_primary_key(df, raw, sink)
    return df


def check_parts(df: pd.DataFrame, raw: RawTable, sink: ProblemSink) -> None:
    """Report rows where a part is larger than its whole (e.g. 骨干教师数 > 专任教师数)."""
    for part, whole in raw.table.parts:
        if part not in raw.data.columns or whole not in raw.data.columns:
            continue
        p, w = df[part], df[whole]
        bad = (p.notna() & w.notna() & (p > w)).fillna(False).astype(bool)
        if bad.any():
            wh = raw.header(whole)
            wv = [_fmt_num(x) for x in w[bad]]
            pv = [value_text(x) for x in raw.data.loc[bad, part]]
            sink.add_cells("error", "part_exceeds_whole", raw, part, df.index[bad], raw.data.loc[bad, part],
                           message=[f"值“{a}”大于同一行的“{wh}”（{b}），部分不能多于总数" for a, b in zip(pv, wv)],
                           expected=[f"不大于“{wh}”（{x}）" for x in wv])


def _fmt_num(x) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return str(x)
    return str(int(f)) if f == int(f) else f"{f:g}"


def check_primary_key(df: pd.DataFrame, raw: RawTable, sink: ProblemSink) -> None:
    """Report rows repeating the key of an earlier row (an optional key column the file leaves out,
    such as the 学年 of an undated 教师 roster, is not part of the key)."""
    pk = [k for k in raw.table.primary_key if k in raw.data.columns or raw.table.column(k).required]
    if not pk or any(k not in raw.data.columns for k in pk):
        return
    complete = df[pk].notna().all(axis=1)
    sub = df.loc[complete, pk]
    dup = sub.duplicated(keep="first")
    if not dup.any():
        return
    rows = sub.index.to_series(index=sub.index)
    first = rows.groupby([sub[k] for k in pk], sort=False, dropna=False).transform("first")
    cols = "、".join(raw.header(k) for k in pk)
    bad_idx = sub.index[dup]
    hidden = {k for k in pk if is_free_text(raw.table.key, k)}  # a pupil's pseudonym is never echoed
    keyvals = [" / ".join(MASKED if k in hidden else (value_text(raw.data.at[r, k]) or "") for k in pk)
               for r in bad_idx[: sink.limit + 1]]
    keyvals += [None] * (len(bad_idx) - len(keyvals))
    sink.add_cells("error", "duplicate_key", raw, None, bad_idx, keyvals,
                   message=lambda v: f"“{v}”重复出现，同一{cols}只能填一行",
                   expected=[f"唯一（与第{int(r)}行重复）" for r in first[dup]], column=cols)


# ---------------------------------------------------------------------------------------------
# Checks across tables
# ---------------------------------------------------------------------------------------------


def check_references(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    """Report rows naming a school (or other key) that its parent table does not have."""
    for key, raw in raws.items():
        for col, (ptable, pcol) in raw.table.references.items():
            if col not in raw.data.columns or ptable not in frames:
                continue
            parent = frames[ptable][pcol].dropna()
            vals = frames[key][col]
            bad = vals.notna() & ~vals.isin(parent)
            if bad.any():
                pzh = schema.TABLES_BY_KEY[ptable].zh
                pcol_zh = schema.TABLES_BY_KEY[ptable].column(pcol).zh
                sink.add_cells("error", "unknown_reference", raw, col, vals.index[bad], raw.data.loc[bad, col],
                               message=lambda v, pzh=pzh, pc=pcol_zh: f"“{v}”在“{pzh}”表的“{pc}”中不存在",
                               expected=f"“{pzh}”表中已有的{pcol_zh}")


def check_consistency(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    """Plausibility warnings across tables.

    * 学段统计: a stage the school's type does not teach; students but no classes.
    * 班级: a grade outside its stage.
    * 学段统计 without a matching 办学条件 row for the same school and year.
    * 交流轮岗: end date before start date.
    * 教师: a dated roster (学年 column) with rows without a year; the 高于规定学历 and 县级以上骨干
      counts of 学段统计 against the roster (:func:`check_roster_counts`).
    """
    schools = frames.get("schools")
    ss = frames.get("stage_stats")
    if ss is not None and "stage_stats" in raws:
        raw = raws["stage_stats"]
        if schools is not None:
            types = ss["school_id"].map(schools.drop_duplicates("school_id").set_index("school_id")["school_type"])
            allowed = {f"{t}|{s}" for t, stages in schema.STAGES_OF_TYPE.items() for s in stages}
            pair = types.astype(str) + "|" + ss["stage"].astype(str)
            bad = types.notna() & ss["stage"].notna() & ~pair.isin(allowed)
            if bad.any():
                sink.add_cells("warning", "stage_not_taught", raw, "stage", ss.index[bad],
                               raw.data.loc[bad, "stage"],
                               message=lambda v: f"学段“{v}”与该校办学类型不符",
                               expected=[f"{schema.LABELS.get(t, t)}所设学段："
                                         + "、".join(schema.LABELS[s] for s in schema.STAGES_OF_TYPE[t])
                                         for t in types[bad]])
        if "students" in raw.data.columns and "classes" in raw.data.columns:
            bad = ((ss["students"] > 0) & (ss["classes"] == 0)).fillna(False).astype(bool)
            if bad.any():
                sink.add_cells("warning", "students_without_classes", raw, "classes", ss.index[bad],
                               raw.data.loc[bad, "classes"],
                               message=lambda v: f"有在校生但班级数为“{v}”",
                               expected="大于 0 的班级数")
        fac = frames.get("facilities")
        if fac is not None and ss["year"].notna().any():
            have = set(zip(fac["year"].dropna().astype(int), fac["school_id"].dropna()))
            sub = ss[ss["year"].notna() & ss["school_id"].notna()]
            keys = pd.Series([(int(y), s) in have for y, s in zip(sub["year"], sub["school_id"])], index=sub.index)
            first = ~sub.duplicated(["year", "school_id"])
            bad = ~keys & first
            if bad.any():
                fzh = schema.FACILITIES.zh
                sink.add_cells("warning", "facilities_missing", raw, "school_id", sub.index[bad],
                               raw.data.loc[sub.index[bad], "school_id"],
                               message=lambda v: f"学校“{v}”在该学年没有“{fzh}”数据，资源配置指标将无法计算",
                               expected=f"“{fzh}”表中同一学年、同一学校的一行")
    _check_units_complete(frames, raws, sink)
    cls = frames.get("classes")
    if cls is not None and ss is not None and "stage_stats" in raws and "classes" in raws:
        _check_class_sums(ss, cls, raws["stage_stats"], sink)
    if cls is not None and "classes" in raws:
        raw = raws["classes"]
        codes, uniq = pd.factorize(cls["stage"], use_na_sentinel=True)
        lo_u = np.array([min(schema.GRADES_OF_STAGE.get(u, (np.nan,))) for u in uniq] + [np.nan], dtype="float64")
        hi_u = np.array([max(schema.GRADES_OF_STAGE.get(u, (np.nan,))) for u in uniq] + [np.nan], dtype="float64")
        lo, hi = lo_u[codes], hi_u[codes]
        g = cls["grade"].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = ~np.isnan(lo) & ~np.isnan(g) & ((g < lo) | (g > hi))
        if bad.any():
            sink.add_cells("warning", "grade_stage_mismatch", raw, "grade", cls.index[bad], raw.data.loc[bad, "grade"],
                           message=lambda v: f"年级“{v}”不属于该行的学段",
                           expected=[f"{schema.LABELS.get(s, s)}：" + "、".join(map(str, schema.GRADES_OF_STAGE[s]))
                                     for s in cls.loc[bad, "stage"]])
    rot = frames.get("rotations")
    if rot is not None and "rotations" in raws:
        raw = raws["rotations"]
        bad = (rot["end_date"].notna() & rot["start_date"].notna() & (rot["end_date"] < rot["start_date"]))
        bad = bad.fillna(False).astype(bool)
        if bad.any():
            sink.add_cells("warning", "date_order", raw, "end_date", rot.index[bad], raw.data.loc[bad, "end_date"],
                           message=lambda v: f"结束日期“{v}”早于开始日期", expected="不早于开始日期")
    _check_roster(frames, raws, sink)
    _check_plan_tables(frames, raws, sink)


def _check_roster(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    t = frames.get("teachers")
    if t is None or "teachers" not in raws:
        return
    raw = raws["teachers"]
    if roster.is_dated(t):
        bad = t["year"].isna().to_numpy()
        if bad.any():
            sink.add_cells("error", "missing_roster_year", raw, "year", t.index[bad], [None] * int(bad.sum()),
                           message=lambda v: "教师表填写了学年时每一行都要填学年（一个学年一份名册）",
                           expected="学年，如 2024")
    if "stage_stats" in frames and "stage_stats" in raws:
        check_roster_counts(frames["stage_stats"], t, raws["stage_stats"], sink,
                            names=None if frames.get("schools") is None else
                            dict(zip(frames["schools"]["school_id"], frames["schools"]["name"])))


#: 学段统计 columns checked against the roster: column -> (roster count, what the roster counts).
_ROSTER_CHECKED = {
    "qualified_teachers": "最高学历高于规定学历（小学专科及以上、初中本科及以上）",
    "backbone_teachers": "骨干级别为县级及以上",
}


def check_roster_counts(ss: pd.DataFrame, teachers: pd.DataFrame, raw: RawTable, sink: ProblemSink, *,
                        names: dict | None = None) -> None:
    """Warn where the typed 高于规定学历 or 县级以上骨干 counts of 学段统计 differ from the roster.

    The roster of a year (:func:`jxedu.core.roster.roster_of_year`) is compared with the 学段统计 rows
    of that year — for an undated roster, the latest year of 学段统计 only (the year it describes) —
    for every school and compulsory stage with a teacher on the roster. One warning per differing
    cell, naming the school and the stage and giving both numbers; a 小学 count that equals the
    roster's 本科 and above says that it looks like the 初中 rule.
    """
    names = names or {}
    sub = ss.dropna(subset=["year", "school_id", "stage"])
    sub = sub[sub["stage"].isin(schema.COMPULSORY_STAGES)]
    if sub.empty or not {"education", "backbone_level", "stage", "school_id"} <= set(teachers.columns):
        return
    dated = roster.roster_years(teachers)
    years = dated if dated else [int(sub["year"].max())]
    for y in years:
        t = roster.roster_of_year(teachers, y)
        counts = roster.roster_counts(t).set_index(["school_id", "stage"])
        bachelor = t[t["stage"] == "primary"]
        bachelor = bachelor[bachelor["education"].isin(("bachelor", "postgraduate"))].groupby("school_id").size()
        rows = sub[sub["year"].astype(int) == y]
        keys = list(zip(rows["school_id"], rows["stage"]))
        have = np.array([k in counts.index for k in keys], dtype=bool)
        if not have.any():
            continue
        rows = rows[have]
        keys = [k for k, h in zip(keys, have) if h]
        for col, what in _ROSTER_CHECKED.items():
            if col not in raw.data.columns:
                continue
            derived = np.array([counts.at[k, col] for k in keys], dtype=float)
            typed = rows[col].astype("float64").to_numpy()
            bad = ~np.isnan(typed) & (typed != derived)
            if not bad.any():
                continue
            msgs = []
            for (sid, st), a, b in zip(np.array(keys, dtype=object)[bad], typed[bad], derived[bad]):
                school = f"学校“{names[sid]}”（{sid}）" if sid in names else f"学校“{sid}”"
                hint = ""
                if col == "qualified_teachers" and st == "primary" and a == float(bachelor.get(sid, 0)) and a != b:
                    hint = "；填报数与名册中本科及以上的人数相同，疑似按初中口径统计（小学专科学历也属高于规定学历）"
                msgs.append(f"{school}{y}学年{schema.LABELS[st]}：“{raw.header(col)}”填报 {_fmt_num(a)} 人，"
                            f"教师表中{schema.LABELS[st]}{what}的教师 {_fmt_num(b)} 人{hint}")
            sink.add_cells("warning", "roster_count_mismatch", raw, col, rows.index[bad], raw.data.loc[rows.index[bad], col],
                           message=msgs, expected=[f"与教师表一致（{_fmt_num(b)}）" for b in derived[bad]])


def _check_plan_tables(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    """Plausibility warnings of the plan-task tables.

    * 满意度调查, 特殊群体, 强镇筑基与百强学校: a 镇街 the 学校 table does not name; a school whose
      所属镇街 differs from the row's.
    * 特殊群体: more enrolled disabled children (随班就读 + 特殊教育学校 + 送教上门) than school-age ones;
      more 随迁子女 in public and purchased places than eligible ones.
    * 控辍保学台账: 复学日期 before 辍学日期; 已复学 without a 复学日期.
    * 课后服务与作业: more participants than the school's compulsory-stage students (学段统计 of the year).
    * 集团化与联盟: a group without a lead school.
    * 强镇筑基与百强学校: a 百强 row without a school.
    """
    schools = frames.get("schools")
    towns = set(schools["township"].dropna()) if schools is not None else set()
    school_town = dict(zip(schools["school_id"], schools["township"])) if schools is not None else {}
    for key in ("survey", "special_groups", "rural_projects"):
        df, raw = frames.get(key), raws.get(key)
        if df is None or raw is None or not towns:
            continue
        t = df["township"]
        bad = (t.notna() & ~t.isin(towns)).to_numpy()
        if bad.any():
            sink.add_cells("warning", "unknown_township", raw, "township", df.index[bad], raw.data.loc[bad, "township"],
                           message=lambda v: f"镇街“{v}”不在“学校”表的所属镇街中",
                           expected="、".join(sorted(towns, key=lambda n: (not n.endswith("街道"), n))))
        if "school_id" in df:
            own = df["school_id"].map(school_town)
            bad = (t.notna() & own.notna() & (own != t)).to_numpy()
            if bad.any():
                sink.add_cells("warning", "school_township_mismatch", raw, "township", df.index[bad],
                               raw.data.loc[bad, "township"],
                               message=[f"该校在“学校”表中属于“{o}”，与本行的镇街不同" for o in own[bad]],
                               expected=[str(o) for o in own[bad]])
    _check_sums(frames, raws, sink)
    d, raw = frames.get("dropouts"), raws.get("dropouts")
    if d is not None and raw is not None:
        bad = (d["returned_date"].notna() & d["left_date"].notna() & (d["returned_date"] < d["left_date"]))
        bad = bad.fillna(False).astype(bool).to_numpy()
        if bad.any():
            sink.add_cells("warning", "date_order", raw, "returned_date", d.index[bad], raw.data.loc[bad, "returned_date"],
                           message=lambda v: f"复学日期“{v}”早于辍学日期", expected="不早于辍学日期")
        bad = ((d["status"] == "returned") & d["returned_date"].isna()).to_numpy()
        if bad.any():
            sink.add_cells("warning", "returned_without_date", raw, "returned_date", d.index[bad], [None] * int(bad.sum()),
                           message=lambda v: "状态为“已复学”但未填复学日期", expected="复学日期，如 2024-10-08")
    a, raw = frames.get("alliances"), raws.get("alliances")
    if a is not None and raw is not None and "lead" in raw.data.columns:
        led = a.groupby("alliance")["lead"].apply(lambda v: bool(v.fillna(False).astype(bool).any()))
        first = ~a["alliance"].duplicated()
        bad = (first & a["alliance"].map(led).eq(False)).to_numpy()
        if bad.any():
            sink.add_cells("warning", "alliance_without_lead", raw, "alliance", a.index[bad], raw.data.loc[bad, "alliance"],
                           message=lambda v: f"联盟“{v}”没有牵头学校（“是否牵头学校”为“是”的行）",
                           expected="每个联盟一所牵头学校")
    r, raw = frames.get("rural_projects"), raws.get("rural_projects")
    if r is not None and raw is not None:
        bad = (r["project"].isin(("top_junior", "top_primary")) & r["school_id"].isna()).to_numpy()
        if bad.any():
            sink.add_cells("warning", "project_without_school", raw, "school_id", r.index[bad], [None] * int(bad.sum()),
                           message=lambda v: "百强乡镇中学、小学应填写学校标识码", expected="学校标识码")


def _check_sums(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    """Sums that must not exceed a whole (特殊群体) and participants within the school's pupils (课后服务与作业)."""
    g, raw = frames.get("special_groups"), raws.get("special_groups")
    if g is not None and raw is not None:
        for parts, whole, what in ((("disabled_mainstream", "disabled_special_school", "disabled_home"),
                                    "disabled_school_age", "已入学的残疾儿童少年"),
                                   (("migrant_public", "migrant_purchased"), "migrant_eligible",
                                    "在公办学校和政府购买学位就读的随迁子女")):
            total = sum(g[c].astype("float64").fillna(0) for c in parts)
            w = g[whole].astype("float64")
            bad = (w.notna() & (total > w)).to_numpy()
            if bad.any():
                sink.add_cells("warning", "parts_exceed_whole", raw, whole, g.index[bad], raw.data.loc[bad, whole],
                               message=[f"{what}合计 {_fmt_num(x)} 人，多于“{raw.header(whole)}”" for x in total[bad]],
                               expected=[f"不少于 {_fmt_num(x)}" for x in total[bad]])
    a, raw, ss = frames.get("after_school"), raws.get("after_school"), frames.get("stage_stats")
    if a is not None and raw is not None and ss is not None and "participants" in raw.data.columns:
        comp = ss[ss["stage"].isin(schema.COMPULSORY_STAGES)].dropna(subset=["year", "school_id"])
        pupils = comp.groupby([comp["year"].astype(int), comp["school_id"]])["students"].sum()
        keys = [(int(y), s) if pd.notna(y) else None for y, s in zip(a["year"], a["school_id"])]
        n = np.array([float(pupils.get(k, np.nan)) if k is not None else np.nan for k in keys])
        p = a["participants"].astype("float64").to_numpy()
        bad = ~np.isnan(n) & ~np.isnan(p) & (p > n)
        if bad.any():
            sink.add_cells("warning", "participants_exceed_pupils", raw, "participants", a.index[bad],
                           raw.data.loc[bad, "participants"],
                           message=[f"参加课后服务学生数多于该校该学年义务教育在校生（{_fmt_num(x)} 人）" for x in n[bad]],
                           expected=[f"不超过 {_fmt_num(x)}" for x in n[bad]])


#: A 学生编号 that is a Chinese name (2–4 characters, a middle dot allowed).
_NAME_LIKE = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,5}$")


def protect_pupil_ids(df: pd.DataFrame, raw: RawTable, sink: ProblemSink) -> pd.DataFrame:
    """Replace every 学生编号 that looks like a name, an ID number or a phone number by a pseudonym.

    The 控辍保学台账 identifies a pupil by a pseudonymous number. A clerk who typed a name or an ID
    number there gets one warning per cell — never echoing it — and the value is replaced by
    ``匿名-`` plus 10 hex digits of a salted hash, so the same value names the same pupil (counts of
    distinct pupils stay right) and the original never reaches a frame, table or report.

    Returns
    -------
    pandas.DataFrame
        ``df`` with such 学生编号 replaced.
    """
    ids = df["pupil_id"]
    text = ids.astype("string")
    looks = np.array([False if pd.isna(v) else bool(_NAME_LIKE.match(str(v)) or mask_personal(str(v)) != str(v))
                      for v in text], dtype=bool)
    if not looks.any():
        return df
    sink.add_cells("warning", "personal_pupil_id", raw, "pupil_id", df.index[looks], [None] * int(looks.sum()),
                   message=lambda v: "学生编号疑似姓名、身份证号或电话号码，已替换为匿名编号；请改用化名编号",
                   expected="化名编号，如 D000123")
    out = df.copy()
    out.loc[looks, "pupil_id"] = [f"匿名-{hashlib.sha256(('jxedu-pupil|' + str(v)).encode('utf-8')).hexdigest()[:10]}"
                                  for v in ids[looks]]
    return out


def _year_school_keys(df: pd.DataFrame | None) -> set[tuple[int, str]]:
    if df is None:
        return set()
    sub = df[df["year"].notna() & df["school_id"].notna()]
    return set(zip(sub["year"].astype(int), sub["school_id"]))


def _check_units_complete(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    """Warn, naming the school, where a school has 班级 or 办学条件 rows in a year but no 学段统计 row
    (or neither 学段统计 nor 办学条件): it would drop out of the indicators without a word.

    One warning per school and year, on the first row of that school and year in the table that
    shows the school exists (班级 first, then 办学条件). A school with 学段统计 but no 办学条件 is
    reported by ``facilities_missing``.
    """
    schools = frames.get("schools")
    if schools is None:
        return
    names = dict(zip(schools["school_id"], schools["name"]))
    have_ss = _year_school_keys(frames.get("stage_stats"))
    have_fac = _year_school_keys(frames.get("facilities"))
    reported: set[tuple[int, str]] = set()
    ss_zh, fac_zh = schema.STAGE_STATS.zh, schema.FACILITIES.zh
    for key in ("classes", "facilities"):
        df = frames.get(key)
        if df is None or key not in raws:
            continue
        raw = raws[key]
        sub = df[df["year"].notna() & df["school_id"].notna() & df["school_id"].isin(names)]
        sub = sub[~sub.duplicated(["year", "school_id"])]
        pairs = list(zip(sub["year"].astype(int), sub["school_id"]))
        bad = [(y, sid) not in have_ss and (y, sid) not in reported for y, sid in pairs]
        if not any(bad):
            continue
        rows = sub.index[bad]
        picked = [pair for pair, b in zip(pairs, bad) if b]
        reported.update(picked)
        table_zh = raw.table.zh
        messages = []
        for y, sid in picked:
            lacking = f"“{ss_zh}”和“{fac_zh}”" if key == "classes" and (y, sid) not in have_fac else f"“{ss_zh}”"
            messages.append(f"学校“{names[sid]}”（{sid}）{y}学年有“{table_zh}”数据，但没有{lacking}数据："
                            "该校不计入资源配置指标与差异系数")
        sink.add_cells("warning", "stage_stats_missing", raw, "school_id", rows, raw.data.loc[rows, "school_id"],
                       message=messages, expected=f"“{ss_zh}”表中同一学年、同一学校的行")


def _check_class_sums(ss: pd.DataFrame, cls: pd.DataFrame, raw: RawTable, sink: ProblemSink) -> None:
    """Warn where 学段统计 disagrees with the sum of its 班级 rows (students, number of classes)."""
    keys = ["year", "school_id", "stage"]
    agg = (cls.dropna(subset=keys).groupby(keys, sort=False)
           .agg(class_students=("students", "sum"), class_count=("students", "size")))
    sub = ss.dropna(subset=keys)
    joined = sub[keys].join(agg, on=keys)
    has = joined["class_count"].notna()
    for col, other, what in (("students", "class_students", "“班级”表中各班学生数之和"),
                             ("classes", "class_count", "“班级”表中的班级行数")):
        if col not in raw.data.columns:
            continue
        a = sub[col].astype("float64")
        b = joined[other].astype("float64")
        bad = (has & a.notna() & (a != b)).to_numpy()
        if bad.any():
            bv = [_fmt_num(x) for x in b[bad]]
            sink.add_cells("warning", "class_sum_mismatch", raw, col, sub.index[bad], raw.data.loc[sub.index[bad], col],
                           message=[f"值“{value_text(v)}”与{what}（{x}）不一致"
                                    for v, x in zip(raw.data.loc[sub.index[bad], col], bv)],
                           expected=[f"{what}：{x}" for x in bv])


def check_townships(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable], names: set[str],
                    sink: ProblemSink) -> None:
    """Warn for 所属镇街 values that the 镇街边界 layer does not name."""
    for key in ("schools", "villages"):
        if key not in frames or key not in raws:
            continue
        t = frames[key]["township"]
        bad = t.notna() & ~t.isin(names)
        if bad.any():
            raw = raws[key]
            allowed = "、".join(sorted(names, key=lambda n: (not n.endswith("街道"), n)))
            sink.add_cells("warning", "unknown_township", raw, "township", t.index[bad], raw.data.loc[bad, "township"],
                           message=lambda v: f"镇街“{v}”不在“镇街边界”图层中", expected=allowed)


#: China's extent in degrees (west, south, east, north), islands of the South China Sea included: what
#: coordinates are checked against when the data give no county outline.
CHINA_EXTENT: tuple[float, float, float, float] = (73.4, 3.3, 135.1, 53.6)


@dataclass(frozen=True)
class CheckOutline:
    """The county outline coordinates are checked against.

    Attributes
    ----------
    utm
        The outline in UTM 50N metres, buffered by :data:`OUTLINE_BUFFER` (a shapely geometry).
    source_text
        Where it comes from, as a message says it (``“镇街边界”图层的范围`` …).
    centroid
        Its centre in WGS-84 degrees (a shapely point): the degrees a message suggests.
    """

    utm: object
    source_text: str
    centroid: object


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    w, s, e, n = CHINA_EXTENT
    with np.errstate(invalid="ignore"):
        return (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)


def _report_points(raw: RawTable, rows: pd.Index, far: np.ndarray, swapped: np.ndarray,
                   outline: CheckOutline | None, sink: ProblemSink) -> None:
    """The errors of points outside the county (or China) and of swapped coordinates, naming the
    outline used and the degrees to expect."""
    lon_h, lat_h = raw.header("lon"), raw.header("lat")
    pair = (raw.data["lon"].astype(object).astype(str) + ", " + raw.data["lat"].astype(object).astype(str))
    if outline is not None:
        c = outline.centroid
        where, hint = "县域内", f"“{lon_h}”填经度（约 {c.x:.0f}），“{lat_h}”填纬度（约 {c.y:.0f}）"
        area = f"县域内（按{outline.source_text}，含 {OUTLINE_BUFFER / 1000:g} 公里缓冲）"
    else:
        w, s, e, n = CHINA_EXTENT
        where, hint = "中国境内", f"“{lon_h}”填经度（{w:g}–{e:g}），“{lat_h}”填纬度（{s:g}–{n:g}）"
        area = "中国境内（没有县界，未检查是否在县域内）"
    if swapped.any():
        sink.add_cells("error", "coords_swapped", raw, None, rows[swapped], pair[swapped],
                       message=lambda v: f"坐标（{v}）不在{where}，经度和纬度可能填反了",
                       expected=hint, column=f"{lon_h}、{lat_h}")
    if far.any():
        sink.add_cells("error", "coords_outside_county" if outline is not None else "coords_outside_china", raw,
                       None, rows[far], pair[far], message=lambda v: f"坐标（{v}）不在{area}，请核对",
                       expected=f"{where}的经纬度", column=f"{lon_h}、{lat_h}")


def check_points(
    df: pd.DataFrame,
    raw: RawTable,
    outline: CheckOutline | None,
    sink: ProblemSink,
) -> pd.DataFrame:
    """Convert coordinates to WGS-84 and UTM 50N; report points outside the county or swapped.

    Parameters
    ----------
    df
        Converted ``schools`` or ``villages`` frame (``lon``, ``lat``, ``crs``).
    raw
        Its raw table.
    outline
        The county outline (:class:`CheckOutline`), or ``None``: then points are checked to lie in
        China (:data:`CHINA_EXTENT`) and not to have longitude and latitude swapped.
    sink
        Problem collector.

    Returns
    -------
    pandas.DataFrame
        ``df`` with ``lon``/``lat`` in WGS-84, ``crs_in`` (the declared system, WGS84 when blank)
        and ``x``/``y`` in UTM 50N metres; the ``crs`` column is removed.
    """
    import shapely
    from pyproj import Transformer

    from jxedu.core.config import UTM50N, WGS84
    from jxedu.core.coords import to_wgs84

    crs_in = df["crs"].astype(object).where(df["crs"].notna(), "WGS84").astype("str")
    if "crs" not in raw.data.columns or df["crs"].isna().all():
        sink.add(Problem("warning", "crs_assumed", "未填写“坐标系”列，按 WGS84 处理（高德/腾讯地图坐标为 GCJ02，请注明）",
                         raw.file, raw.sheet, None, raw.header("crs")))
    lon0 = df["lon"].to_numpy(dtype="float64", na_value=np.nan)
    lat0 = df["lat"].to_numpy(dtype="float64", na_value=np.nan)
    crs_arr = crs_in.to_numpy(dtype=object)
    to_utm = Transformer.from_crs(WGS84, UTM50N, always_xy=True)

    def project(lo: np.ndarray, la: np.ndarray, crs: np.ndarray):
        """WGS-84 and UTM of points whose degrees are in range (NaN elsewhere)."""
        valid = np.isfinite(lo) & np.isfinite(la) & (np.abs(lo) <= 180) & (np.abs(la) <= 90)
        wlon, wlat = np.full(len(lo), np.nan), np.full(len(lo), np.nan)
        px, py = np.full(len(lo), np.nan), np.full(len(lo), np.nan)
        if valid.any():
            wlon[valid], wlat[valid] = to_wgs84(lo[valid], la[valid], crs[valid])
            tx, ty = to_utm.transform(wlon[valid], wlat[valid])
            px[valid], py[valid] = tx, ty
        return wlon, wlat, px, py, valid

    lon, lat, x, y, valid = project(lon0, lat0, crs_arr)
    given = np.isfinite(lon0) & np.isfinite(lat0)
    if given.any():
        if outline is not None:
            shapely.prepare(outline.utm)
            inside = np.zeros(len(df), dtype=bool)
            inside[valid] = shapely.contains_xy(outline.utm, x[valid], y[valid])
        else:
            inside = given & _in_china(lon0, lat0)
        outside = given & ~inside
        if outside.any():
            pos = np.flatnonzero(outside)
            if outline is not None:
                _, _, sx, sy, svalid = project(lat0[pos], lon0[pos], crs_arr[pos])
                swapped_sub = np.zeros(len(pos), dtype=bool)
                swapped_sub[svalid] = shapely.contains_xy(outline.utm, sx[svalid], sy[svalid])
            else:
                swapped_sub = _in_china(lat0[pos], lon0[pos])
            swapped = np.zeros(len(df), dtype=bool)
            swapped[pos[swapped_sub]] = True
            _report_points(raw, df.index, outside & ~swapped, swapped, outline, sink)
    out = df.drop(columns=["crs"]).copy()
    out["lon"] = lon
    out["lat"] = lat
    out["crs_in"] = crs_in
    out["x"] = x
    out["y"] = y
    return out


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def check_plan_targets(df: pd.DataFrame, raw: RawTable, sink: ProblemSink) -> None:
    """Rules of the 规划目标 table beyond types: the unit fits the 目标项, a share lies in 0–1, a year
    is a year, 起始年份 ≤ 截止年份, and two rows of one 目标项 do not cover the same year.

    Parameters
    ----------
    df
        The converted table (``key, value, unit, document, start_year, end_year``), indexed by Excel row.
    raw
        Its raw table.
    sink
        Problem collector.
    """
    from jxedu.core.county import plan_keys, plan_unit_factor

    keys = plan_keys()
    known = df["key"].notna() & df["key"].isin(keys.index) & df["value"].notna()
    unit = df["unit"] if "unit" in df else pd.Series(None, index=df.index, dtype=object)
    factors = pd.Series([plan_unit_factor(k, u) if ok else 1.0 for k, u, ok in zip(df["key"], unit, known)],
                        index=df.index, dtype=object)
    bad_unit = known & factors.isna()
    if bad_unit.any():
        sink.add_cells("error", "plan_unit", raw, "unit", df.index[bad_unit], raw.data.loc[bad_unit, "unit"],
                       message=lambda v: f"单位“{v}”与该目标项的单位不符",
                       expected=[f"{keys.loc[k, 'unit']}（或留空）" for k in df.loc[bad_unit, "key"]])
    ok = known & ~bad_unit
    value = df["value"].where(ok).astype(float) * factors.where(ok).astype(float)
    span = df["key"].map(keys["span"]).where(ok)
    kind = df["key"].map(keys["unit"]).where(ok)
    share = (kind == "比例") & ~((value > 0) & (value <= 1))
    year = (span == "date") & ~((value >= 1990) & (value <= 2100) & (value == value.round()))
    negative = ~share & ~year & ok & (value < 0)
    for mask, text, expected in (
            (share, "比例应在 0 与 1 之间（或填 95 并在“单位”列写 %）", "0–1 的小数，如 0.95"),
            (year, "应为年份", "四位数的年份，如 2025"),
            (negative, "不能为负", "不小于 0 的数")):
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            sink.add_cells("error", "plan_value", raw, "value", df.index[mask], raw.data.loc[mask, "value"],
                           message=lambda v, text=text: f"目标值“{v}”{text}", expected=expected)
    if "start_year" in df and "end_year" in df:
        order = (df["start_year"].notna() & df["end_year"].notna() & (df["start_year"] > df["end_year"]))
        order = order.fillna(False).astype(bool)
        if order.any():
            sink.add_cells("error", "plan_years", raw, "end_year", df.index[order], raw.data.loc[order, "end_year"],
                           message=lambda v: f"截止年份“{v}”早于起始年份", expected="不早于起始年份")
    _check_plan_overlaps(df[ok], raw, keys, sink)


def _check_plan_overlaps(df: pd.DataFrame, raw: RawTable, keys: pd.DataFrame, sink: ProblemSink) -> None:
    """Two rows of one 目标项 covering a common school year (a date target: two rows at all)."""
    lo = df["start_year"].astype(float).fillna(-np.inf) if "start_year" in df else pd.Series(-np.inf, index=df.index)
    hi = df["end_year"].astype(float).fillna(np.inf) if "end_year" in df else pd.Series(np.inf, index=df.index)
    rows, values, expected = [], [], []
    for key, g in df.groupby("key"):
        idx = list(g.index)
        for i, a in enumerate(idx):
            for b in idx[i + 1:]:
                date = keys.loc[key, "span"] == "date"
                if date or (lo[a] <= hi[b] and lo[b] <= hi[a]):
                    rows.append(b)
                    values.append(raw.data.loc[b, "key"] if "key" in raw.data else key)
                    expected.append(f"与第{a}行的起止年份不重叠（修订的规划目标从新的起始年份起填一行）")
    if rows:
        sink.add_cells("error", "plan_overlap", raw, "key", rows, values,
                       message=lambda v: f"目标项“{v}”与另一行的年份重叠，无法确定适用哪一行", expected=expected)
