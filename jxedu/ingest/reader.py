"""Reading the bureau's data: one Excel workbook, or a folder of CSV/XLSX files and geo layers.

A data set is either

* **one workbook** (``.xlsx``) with one sheet per table, the sheet named with the table's Chinese
  name (``学校``, ``学段统计`` …), or
* **a folder** with one CSV or XLSX file per table (file stem = Chinese table name, e.g.
  ``学校.csv``), plus optional geo layers ``镇街边界.geojson|.gpkg`` (attribute ``镇街名称``),
  ``县界.geojson|.gpkg`` (the county outline), ``道路.geojson|.gpkg``, ``不可建设``, and a school-bus
  GTFS feed ``公交.zip`` or ``公交/``. A workbook inside the folder whose sheets are named as tables is
  read too.

Coordinates are checked against the county outline (:func:`jxedu.core.county.county_outline`: the 县界
layer, else the union of 镇街边界, else the outline shipped for the county's 行政区划代码); without
one, against China's extent only, with one warning saying how to give one.

The geo layers and the GTFS feed of a workbook are looked for in the workbook's folder under the same
names; each one used is reported as a warning (``layer_beside_workbook``) so the planner can check it
belongs to the data.

Headers are matched after NFKC normalisation with spaces removed, so full-width brackets and stray
spaces are tolerated; English column keys are accepted. A title row above the header (for example a
merged “某某县2024学年学校基本情况表”) is skipped, and so are 合计/总计/小计 rows (with a warning) —
a total is never counted as a school. CSV files may be UTF-8 (with or without BOM) or GBK/GB18030.
Personal-data columns (姓名, 身份证号 …) are dropped as soon as a table is read.

Input files are only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io as _io
import itertools
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from jxedu.core import config, schema
from jxedu.core.config import DEMO_DIR, UTM50N, WGS84
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError
from jxedu.core.schema import Table
from jxedu.ingest.checks import (
    OUTLINE_BUFFER,
    CheckOutline,
    RawTable,
    check_consistency,
    check_plan_targets,
    check_points,
    check_references,
    check_townships,
    convert_table,
    header_score,
    is_personal,
    match_header,
    protect_pupil_ids,
)
from jxedu.ingest.gtfs import check_gtfs
from jxedu.ingest.problems import Problem, ProblemSink, ValidationReport, norm_text

#: Rows searched for the header row (title rows above it are skipped).
HEADER_SEARCH_ROWS = 30
#: Table file suffixes.
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: Geo layer suffixes.
GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")
#: Sheets of a workbook ignored silently (instructions in the templates).
IGNORED_SHEETS = {"填表说明", "说明书", "readme"}
#: Cells marking a total row (after removing spaces); a prefix such as 全县 is allowed.
_TOTAL_RE = re.compile(r"^(全县|全镇|全乡|本页|总)?(合计|总计|小计|共计|总数)")
#: Keys of the columns that identify a row (besides a table's key): where a 合计 label is looked for.
_IDENTITY_KEYS = {"school_id", "teacher_id", "village_id", "name", "township", "class_name", "item"}
#: Cells treated as empty.
_EMPTY_CELLS = ["", " ", "  ", "   ", "\t", "\u3000", "\u3000\u3000", "\xa0", "\n"]
#: Township name attribute in the boundary layer, in order of preference (normalised).
_TOWNSHIP_ATTRS = ("镇街名称", "township", "镇街", "乡镇名称", "名称", "name")

#: Word planners often append to a sheet or file name (学校表, 学段统计表); ignored when matching.
_TABLE_SUFFIX_WORD = "表"

_TABLE_BY_NAME: dict[str, Table] = {}
for _t in schema.TABLES:
    _TABLE_BY_NAME[norm_text(_t.zh)] = _t
    _TABLE_BY_NAME[norm_text(_t.key)] = _t


@dataclass
class ReadResult:
    """What :func:`read_dataset` found.

    Attributes
    ----------
    dataset
        The data set, or ``None`` when it cannot be built (a required table or column is missing).
    problems
        Every problem, errors and warnings.
    """

    dataset: Dataset | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def load(path: str | Path | None = None, *, strict: bool = True) -> Dataset:
    """Read, validate and convert a data set.

    Parameters
    ----------
    path
        An Excel workbook (one sheet per table; optional geo layers and GTFS feed beside it in
        the same folder) or a folder (one CSV/XLSX per table, plus optional geo layers and a GTFS
        feed). ``None`` loads the demo data (:data:`jxedu.core.config.DEMO_DIR`),
        so a notebook parameter ``data_dir = None`` runs as it stands.
    strict
        If true (default), any error raises :class:`~jxedu.core.errors.DataError`. If false, only
        problems that prevent building the data set raise (a required table or column missing, an
        unreadable file); bad cells become null and every problem is kept in ``ds.problems``.

    Returns
    -------
    Dataset
        Typed tables with English column names; warnings in ``ds.problems``.

    Raises
    ------
    DataError
        With the Chinese report as message and the problems in ``.problems``.
    """
    path = DEMO_DIR if path is None else Path(path)
    result = read_dataset(path, strict=strict)
    errors = result.errors
    if result.dataset is None or (strict and errors):
        report = ValidationReport(result.problems, path)
        raise DataError(
            f"数据有错误，无法载入 (invalid_data)：共 {report.n_errors:,} 处错误。\n{report.to_text()}",
            result.problems,
        )
    return result.dataset


def read_dataset(path: Path, *, strict: bool = True, build: bool = True) -> ReadResult:
    """Read and check a data set; never raises for bad data.

    Parameters
    ----------
    path
        Workbook or folder.
    strict
        Only changes whether the data set is built when errors were found: with ``strict`` it is
        built only when there is no error (saves time); without, whenever possible.
    build
        Build the :class:`Dataset` at all (``False`` for a check only).

    Returns
    -------
    ReadResult
    """
    sink = ProblemSink()
    path = Path(path)
    if not path.exists():
        sink.add(Problem("error", "path_not_found", f"找不到数据：路径“{path}”不存在", str(path)))
        return ReadResult(None, sink.finish())

    raws: dict[str, RawTable] = {}
    geo_paths: dict[str, Path] = {}
    gtfs_path: Path | None = None
    with library_warnings(sink, None if path.is_dir() else path.name):
        if path.is_dir():
            sources, geo_paths, gtfs_path = _scan_folder(path, sink)
        else:
            sources = _scan_workbook_file(path, sink)
            # geo layers and the GTFS feed kept beside the workbook, found exactly as in a folder
            _, geo_paths, gtfs_path = _scan_folder(path.parent, sink, tables=False)
            for used in [*geo_paths.values(), *([gtfs_path] if gtfs_path is not None else [])]:
                sink.add(Problem("warning", "layer_beside_workbook",
                                 f"已一并读取工作簿“{path.name}”所在文件夹中的“{used.name}”，请确认它属于这份数据",
                                 used.name))
    for src in sources:
        if src.table.key in raws:
            first = raws[src.table.key]
            sink.add(Problem("error", "duplicate_table",
                             f"表“{src.table.zh}”出现了两次（另见 {first.where()}），只读取第一个",
                             src.file, src.sheet))
            continue
        with library_warnings(sink, src.file):
            raw = _read_source(src, sink)
        if raw is not None:
            raws[src.table.key] = raw

    fatal = False
    # a workbook that cannot be opened at all: that one error says it, no “missing table” list
    whole_file_failed = not path.is_dir() and any(
        p.severity == "error" and p.file == path.name and p.sheet is None for p in sink.problems)
    for t in schema.TABLES:
        if t.required and t.key not in raws:
            if not whole_file_failed and not any(p.code in ("missing_column", "empty_table", "header_not_found", "unreadable_file",
                                  "empty_file", "encoding_unknown", "unsupported_format")
                       and _names_table(p, t) for p in sink.problems):
                sink.add(Problem("error", "missing_table",
                                 f"缺少必需的表“{t.zh}”（工作表或文件“{t.zh}.csv / {t.zh}.xlsx”）",
                                 None, None, expected=t.zh))
            fatal = True

    with library_warnings(sink, None):
        frames: dict[str, pd.DataFrame] = {key: convert_table(raw, sink) for key, raw in raws.items()}

        townships = roads = unbuildable = county_layer = None
        if "townships" in geo_paths:
            townships = _read_townships(geo_paths["townships"], path, sink)
        if "county_layer" in geo_paths:
            county_layer = _read_county_layer(geo_paths["county_layer"], path, sink)
        townships, county_layer = _county_polygon_as_townships(townships, county_layer, frames, geo_paths, sink)
        if "roads" in geo_paths:
            roads = _read_layer("roads", geo_paths["roads"], path, sink)
        if "unbuildable" in geo_paths:
            unbuildable = _read_layer("unbuildable", geo_paths["unbuildable"], path, sink)
        if gtfs_path is not None:
            check_gtfs(gtfs_path, sink, display=gtfs_path.name)

        check_references(frames, raws, sink)
        check_consistency(frames, raws, sink)
        if "dropouts" in frames:
            frames["dropouts"] = protect_pupil_ids(frames["dropouts"], raws["dropouts"], sink)
        if townships is not None:
            check_townships(frames, raws, set(townships["township"].dropna()), sink)
        meta = _meta(frames)
        if not fatal and not whole_file_failed:  # a data set that cannot be read is named by nothing
            _check_county_profile(meta, raws, sink)
        if "plan_targets" in frames:
            check_plan_targets(frames["plan_targets"], raws["plan_targets"], sink)
        outline = _outline_utm(county_layer, townships, meta, sink,
                               not fatal and any(key in frames for key in ("schools", "villages")))
        for key in ("schools", "villages"):
            if key in frames:
                frames[key] = check_points(frames[key], raws[key], outline, sink)

    problems = sink.finish()
    n_errors = sum(p.severity == "error" for p in problems)
    if fatal or (strict and n_errors) or not build:
        return ReadResult(None, problems)

    synthetic = norm_text(meta.get(schema.META_SYNTHETIC, "")) in {"是", "true", "yes", "1", "y"}
    tables = {key: _finalise(frames[key], raws[key].table) for key in frames if key != "meta"}
    ds = Dataset(
        source=path,
        schools=tables["schools"],
        stage_stats=tables["stage_stats"],
        facilities=tables["facilities"],
        special_rooms=tables.get("special_rooms"),
        classes=tables.get("classes"),
        teachers=tables.get("teachers"),
        rotations=tables.get("rotations"),
        villages=tables.get("villages"),
        townships=townships,
        roads=roads,
        unbuildable=unbuildable,
        gtfs_path=gtfs_path,
        meta=meta,
        synthetic=synthetic,
        problems=problems,
        **{key: tables.get(key) for key in _PLAN_TABLES},
        county_layer=county_layer,
    )
    return ReadResult(ds, problems)


#: Optional tables of the plan's further tasks, passed to the Dataset by key.
_PLAN_TABLES = ("survey", "special_groups", "dropouts", "after_school", "alliances", "rural_projects", "plan_targets")


def _meta(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    """The 说明 items as text (item -> value; a blank value is ``""``)."""
    if "meta" not in frames:
        return {}
    m = frames["meta"].dropna(subset=["item"])
    return {str(k).strip(): ("" if pd.isna(v) else str(v).strip()) for k, v in zip(m["item"], m["value"])}


def _check_county_profile(meta: dict[str, str], raws: dict[str, RawTable], sink: ProblemSink) -> None:
    """One warning when the data do not name the county (说明 item 县名): every output says 本县."""
    from jxedu.core.county import META_NAME, NEUTRAL_NAME

    if meta.get(META_NAME):
        return
    where = raws["meta"].file if "meta" in raws else None
    sheet = raws["meta"].sheet if "meta" in raws else None
    sink.add(Problem("warning", "county_name_missing",
                     f"未填写县名：报告、地图、台账的标题中以“{NEUTRAL_NAME}”代称；请在“说明”表中增加一行"
                     f"“项目 = {META_NAME}，内容 = 本县全称（如 某某县）”，并可填“行政区划代码”“教育行政部门”",
                     where, sheet, expected=META_NAME))


def _names_table(p: Problem, t: Table) -> bool:
    return (p.sheet is not None and norm_text(p.sheet) == norm_text(t.zh)) or (
        p.file is not None and norm_text(Path(p.file).stem) == norm_text(t.zh)
    )


# ---------------------------------------------------------------------------------------------
# Finding the tables
# ---------------------------------------------------------------------------------------------


@dataclass
class _Source:
    table: Table
    path: Path
    file: str
    sheet: str | None = None  # sheet to read (workbooks); None = CSV or "pick for the table"
    kind: str = "csv"  # "csv" or "xlsx"


def _table_for(name: str) -> Table | None:
    """The table a sheet or file stem names; a trailing 表 is tolerated (``学段统计表``)."""
    n = norm_text(name)
    table = _TABLE_BY_NAME.get(n)
    if table is None and n.endswith(_TABLE_SUFFIX_WORD):
        table = _TABLE_BY_NAME.get(n[: -len(_TABLE_SUFFIX_WORD)])
    return table


def _scan_folder(root: Path, sink: ProblemSink, *, tables: bool = True,
                 ) -> tuple[list[_Source], dict[str, Path], Path | None]:
    """Find the table files, geo layers and GTFS feed of a folder.

    Parameters
    ----------
    root
        The folder.
    sink
        Receives problems (duplicate layers, unknown or unsupported table files).
    tables
        Look for table files too. ``False`` for the folder of a workbook, where only the geo
        layers and the GTFS feed are looked for and other files are not reported.

    Returns
    -------
    tuple
        Table sources, geo layer paths by key (``townships``, ``roads``, ``unbuildable``), GTFS feed path or ``None``.
    """
    sources: list[_Source] = []
    geo: dict[str, Path] = {}
    gtfs: Path | None = None
    geo_names = {norm_text(k): v for k, v in schema.GEO_LAYERS.items()}
    gtfs_name = norm_text(schema.GTFS_NAME)
    for f in sorted(root.iterdir()):
        if f.name.startswith((".", "~$")):
            continue
        stem, suffix = norm_text(f.stem), f.suffix.lower()
        if f.is_dir():
            if norm_text(f.name) == gtfs_name:
                gtfs = f
            continue
        if stem == gtfs_name and suffix == ".zip":
            gtfs = f
            continue
        if stem in geo_names and suffix in GEO_SUFFIXES:
            key = geo_names[stem]
            if key in geo:
                sink.add(Problem("warning", "duplicate_table",
                                 f"图层“{f.stem}”有多个文件，只读取“{geo[key].name}”", f.name))
            else:
                geo[key] = f
            continue
        if not tables:
            continue
        table = _table_for(f.stem)
        if suffix in TABLE_SUFFIXES:
            if table is not None:
                sources.append(_Source(table, f, f.name, None, "csv" if suffix == ".csv" else "xlsx"))
            elif suffix == ".csv":
                sink.add(Problem("warning", "unknown_file",
                                 "文件名不是已知的表名，已忽略（文件名应为表的中文名，如“学校.csv”）", f.name,
                                 expected="、".join(t.zh for t in schema.TABLES)))
            else:
                found = _scan_workbook_file(f, sink, quiet_unknown=True)
                if not found and not any(p.file == f.name and p.severity == "error" for p in sink.problems):
                    sink.add(Problem("warning", "unknown_file",
                                     "文件名和工作表名都不是已知的表名，已忽略", f.name,
                                     expected="、".join(t.zh for t in schema.TABLES)))
                sources.extend(found)
        elif suffix in (".xls", ".et", ".ods") and table is not None:
            sink.add(Problem("error", "unsupported_format",
                             f"不支持“{suffix}”格式，请在 Excel/WPS 中另存为 .xlsx 或 .csv", f.name))
    return sources, geo, gtfs


class _Workbook:
    """Read-only view of an .xlsx file: sheet names and each sheet's cell values from row 1.

    Uses python-calamine (fast, Rust) when installed, else openpyxl in read-only mode. Cached
    formula results are read, not formulas.
    """

    def __init__(self, path: Path) -> None:
        try:
            from python_calamine import CalamineWorkbook
        except ImportError:  # fallback: openpyxl (slower)
            import openpyxl

            self._cal = None
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            self.sheetnames = list(self._wb.sheetnames)
        else:
            self._wb = None
            self._cal = CalamineWorkbook.from_path(str(path))
            self.sheetnames = list(self._cal.sheet_names)

    def rows(self, name: str) -> list[list]:
        """All rows of sheet ``name`` starting at Excel row 1 (empty cells ``None`` or ``""``)."""
        if self._cal is not None:
            return self._cal.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return [list(r) for r in self._wb[name].iter_rows(min_row=1, values_only=True)]

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
        elif self._cal is not None and hasattr(self._cal, "close"):
            self._cal.close()


def _open_workbook(path: Path, display: str, sink: ProblemSink) -> _Workbook | None:
    if path.stat().st_size == 0:
        sink.add(Problem("error", "empty_file", "文件是空的（0 字节）", display))
        return None
    try:
        return _Workbook(path)
    except Exception as exc:  # noqa: BLE001 - readers raise many types for corrupt or foreign files
        sink.add(Problem("error", "unreadable_file",
                         f"无法读取：不是有效的 Excel (.xlsx) 文件（{type(exc).__name__}），请在 Excel/WPS 中重新保存",
                         display))
    return None


def _scan_workbook_file(path: Path, sink: ProblemSink, *, quiet_unknown: bool = False) -> list[_Source]:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        code = "unsupported_format"
        msg = (f"不支持“{path.suffix}”格式：数据集应为 .xlsx 工作簿或文件夹"
               + ("，请在 Excel/WPS 中另存为 .xlsx" if path.suffix.lower() in (".xls", ".et", ".ods") else ""))
        sink.add(Problem("error", code, msg, path.name))
        return []
    wb = _open_workbook(path, path.name, sink)
    if wb is None:
        return []
    try:
        names = list(wb.sheetnames)
    finally:
        wb.close()
    out = []
    for name in names:
        table = _table_for(name)
        if table is not None:
            out.append(_Source(table, path, path.name, name, "xlsx"))
        elif not quiet_unknown and norm_text(name) not in IGNORED_SHEETS:
            sink.add(Problem("warning", "unknown_sheet",
                             "工作表名不是已知的表名，已忽略", path.name, name,
                             expected="、".join(t.zh for t in schema.TABLES)))
    return out


# ---------------------------------------------------------------------------------------------
# Reading one table
# ---------------------------------------------------------------------------------------------


def _read_source(src: _Source, sink: ProblemSink) -> RawTable | None:
    try:
        if src.kind == "csv":
            grid = _csv_grid(src, sink)
        else:
            grid = _xlsx_grid(src, sink)
        if grid is None:
            return None
        header_cells, data = grid
        return _raw_from_grid(src, header_cells, data, sink)
    except (OSError, ValueError, UnicodeError, csv.Error, pd.errors.ParserError) as exc:
        sink.add(Problem("error", "unreadable_file", f"读取失败（{type(exc).__name__}），请检查文件格式",
                         src.file, src.sheet))
        return None


def _decode(data: bytes) -> tuple[str | None, str | None]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return None, None


def _find_header(rows: list[list], table: Table) -> int | None:
    scores = [header_score(r, table) for r in rows[:HEADER_SEARCH_ROWS]]
    if not scores or max(scores) == 0:
        return None
    return int(np.argmax(scores))


def _header_not_found(src: _Source, sink: ProblemSink) -> None:
    req = "、".join(c.zh for c in src.table.columns if c.required)
    sink.add(Problem("error", "header_not_found",
                     f"在前 {HEADER_SEARCH_ROWS} 行中找不到“{src.table.zh}”表的表头", src.file, src.sheet,
                     expected=f"表头包含：{req}"))


def _csv_grid(src: _Source, sink: ProblemSink) -> tuple[list, pd.DataFrame] | None:
    data = src.path.read_bytes()
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        sink.add(Problem("error", "empty_file", "文件是空的，没有表头和数据", src.file))
        return None
    text, _enc = _decode(data)
    if text is None:
        sink.add(Problem("error", "encoding_unknown",
                         "无法识别文件编码（应为 UTF-8 或 GBK/GB18030），或者这不是 CSV 文本文件", src.file))
        return None
    if "\x00" in text[:4096]:
        sink.add(Problem("error", "unreadable_file", "这不是 CSV 文本文件（含二进制内容）", src.file))
        return None
    head = list(itertools.islice(csv.reader(_io.StringIO(text)), HEADER_SEARCH_ROWS))
    h = _find_header(head, src.table)
    if h is None:
        _header_not_found(src, sink)
        return None
    width = max(len(r) for r in head[h:])
    # number columns are parsed by the C reader (fast); everything else stays text
    numeric = set()
    for j, cell in enumerate(head[h]):
        m = match_header(cell, src.table) if cell.strip() and not is_personal(cell) else None
        if m is not None and m.key and src.table.column(m.key).kind in ("int", "float"):
            numeric.add(j)
    dtypes = {j: str for j in range(width) if j not in numeric}
    try:
        df = pd.read_csv(
            _io.StringIO(text), header=None, skiprows=h + 1, names=list(range(width)), dtype=dtypes,
            keep_default_na=False, na_values=[""], skip_blank_lines=False, index_col=False, engine="c",
        )
    except pd.errors.EmptyDataError:
        df = pd.DataFrame({j: pd.Series([], dtype="str") for j in range(width)})
    except pd.errors.ParserError:  # ragged rows: parse in Python and pad
        rows = list(csv.reader(_io.StringIO(text)))[h + 1:]
        width = max([width, *map(len, rows)])
        df = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=list(range(width)), dtype="str")
    df.index = pd.RangeIndex(h + 2, h + 2 + len(df))  # Excel row numbers (1-based, header at h+1)
    return head[h], df


def _cell_str(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def _xlsx_grid(src: _Source, sink: ProblemSink) -> tuple[list, pd.DataFrame] | None:
    wb = _open_workbook(src.path, src.file, sink)
    if wb is None:
        return None
    try:
        if src.sheet is not None:
            name = src.sheet
        else:  # a file per table: the sheet named as the table, else the first sheet
            named = [n for n in wb.sheetnames if _table_for(n) is src.table]
            name = named[0] if named else wb.sheetnames[0]
        rows = wb.rows(name)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet: calamine/openpyxl raise XML, zip, key errors
        sink.add(Problem("error", "unreadable_file",
                         f"无法读取此工作表：文件已损坏（{type(exc).__name__}），请在 Excel/WPS 中打开并重新保存",
                         src.file, src.sheet))
        return None
    finally:
        wb.close()
    if not rows or all(all(c is None or _cell_str(c).strip() == "" for c in r) for r in rows[:HEADER_SEARCH_ROWS]):
        sink.add(Problem("error", "empty_file", "工作表是空的，没有表头和数据", src.file, src.sheet))
        return None
    h = _find_header([list(r) for r in rows[:HEADER_SEARCH_ROWS]], src.table)
    if h is None:
        _header_not_found(src, sink)
        return None
    body = rows[h + 1:]
    width = max([len(rows[h]), *(len(r) for r in body)]) if body else len(rows[h])
    obj = pd.DataFrame.from_records(body, columns=list(range(width))) if body else pd.DataFrame(
        columns=list(range(width)))
    df = pd.DataFrame(
        {j: pd.Series([_cell_str(v) for v in obj[j]], dtype="str") for j in range(width)},
    )
    df.index = pd.RangeIndex(h + 2, h + 2 + len(df))
    header = [_cell_str(c) for c in rows[h]] + [""] * (width - len(rows[h]))
    return header, df


def _raw_from_grid(src: _Source, header_cells: list, grid: pd.DataFrame, sink: ProblemSink) -> RawTable | None:
    table = src.table
    headers = [str(c).strip() if c is not None else "" for c in header_cells]
    headers += [""] * (grid.shape[1] - len(headers))
    keep: dict[int, str] = {}
    found: dict[str, str] = {}
    other: list[int] = []  # non-personal columns not kept (for empty-row and total detection)
    personal: list[str] = []
    for j, h in enumerate(headers[: grid.shape[1]]):
        if not h:
            if not grid[j].isin(_EMPTY_CELLS).all():
                other.append(j)
                sink.add(Problem("warning", "unknown_column", f"第 {j + 1} 列没有表头但有数据，已忽略",
                                 src.file, src.sheet, None, f"第{j + 1}列"))
            continue
        if is_personal(h):
            personal.append(h)
            continue
        m = match_header(h, table)
        if m.key is None:
            other.append(j)
            sink.add(Problem("warning", "unknown_column", "不是此表的已知列，已忽略", src.file, src.sheet, None, h,
                             expected="、".join(c.zh for c in table.columns)))
            continue
        if m.key in found:
            other.append(j)
            sink.add(Problem("error", "duplicate_column", f"与“{found[m.key]}”是同一列，重复出现，只读取第一列",
                             src.file, src.sheet, None, h))
            continue
        keep[j] = m.key
        found[m.key] = h
        if m.code:
            sink.add(Problem(m.severity or "warning", m.code, m.message or "", src.file, src.sheet, None, h))
    if personal:
        sink.add(Problem("warning", "personal_column_dropped",
                         f"个人信息列已删除，未读取其内容：{'、'.join(personal)}（教师只用“教师编号”标识）",
                         src.file, src.sheet))
    # personal columns are gone from here on
    cols = list(keep) + other
    g = grid[cols]
    if len(g):
        filled = np.zeros(len(g), dtype=bool)
        for j in cols:
            filled |= _nonblank(g[j])
        if not filled.all():  # rows of empty cells or cells of spaces only: not rows at all
            g = g[filled]
    g = _drop_total_rows(g, src, headers, keep, other, sink)
    data = g[list(keep)].rename(columns=keep)
    raw = RawTable(table, src.file, src.sheet, data, found)

    missing = [c for c in table.columns if c.required and c.key not in found]
    for c in missing:
        sink.add(Problem("error", "missing_column", f"缺少必需的列“{c.zh}”", src.file, src.sheet, None, c.zh,
                         expected=c.zh))
    if missing:
        return None
    if data.empty:
        sev = "error" if table.required else "warning"
        sink.add(Problem(sev, "empty_table", f"表“{table.zh}”只有表头，没有数据", src.file, src.sheet))
        if table.required:
            return None
    return raw


def _nonblank(col: pd.Series) -> np.ndarray:
    """Cells holding something other than spaces (each distinct text looked at once)."""
    if pd.api.types.is_numeric_dtype(col.dtype):
        return col.notna().to_numpy()
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    lut = np.fromiter((bool(str(u).strip()) for u in uniques), dtype=bool, count=len(uniques))
    return np.append(lut, False)[codes]  # code -1 (empty) picks the trailing False


def _total_labels(col: pd.Series) -> pd.Series:
    """Boolean mask of cells that read as a total (合计, 总计, 小计, 全县合计 …)."""
    if pd.api.types.is_numeric_dtype(col.dtype):
        return pd.Series(False, index=col.index)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    hits = [i for i, u in enumerate(np.asarray(uniques, dtype=object))
            if ("计" in u or "总数" in u) and _TOTAL_RE.match(re.sub(r"\s+", "", u))]
    return pd.Series(np.isin(codes, hits), index=col.index)


def _drop_total_rows(g: pd.DataFrame, src: _Source, headers: list[str], keep: dict[int, str], other: list[int],
                     sink: ProblemSink) -> pd.DataFrame:
    """Skip 合计/总计/小计 rows, with a warning each; return the other rows.

    A row is a total when one of its identifying columns (the table's key columns, ids and names)
    reads 合计/小计/…, or when its identifying columns are all empty and one of the first three
    other columns (an unnamed first column, 序号 …) does. A note in a free-text column (备注:
    ``合计：…``) never makes a row a total, and its text is never echoed.
    """
    table = src.table
    ident = set(table.primary_key) | {c.key for c in table.columns if c.key in _IDENTITY_KEYS}
    ident_cols = [j for j in keep if keep[j] in ident]
    total = pd.Series(False, index=g.index)
    label = pd.Series(None, index=g.index, dtype=object)
    label_col = pd.Series("", index=g.index, dtype="str")
    for j in ident_cols:
        hit = _total_labels(g[j]) & ~total
        label[hit] = g[j][hit]
        label_col[hit] = headers[j]
        total |= hit
    if other:
        no_ids = np.ones(len(g), dtype=bool)
        for j in ident_cols:
            no_ids &= ~_nonblank(g[j])
        for j in other[:3]:
            hit = _total_labels(g[j]) & no_ids & ~total
            label_col[hit] = headers[j] or f"第{j + 1}列"  # the cell may be a note: not echoed
            total |= hit
    if total.any():
        for r in g.index[total]:
            v = label[r]
            sink.add(Problem("warning", "total_row_skipped", "合计/小计行，已跳过（不计入学校和统计）",
                             src.file, src.sheet, int(r), label_col[r], None if v is None else str(v).strip()))
        g = g[~total]
    return g


# ---------------------------------------------------------------------------------------------
# Geo layers
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def library_warnings(sink: ProblemSink, file: str | None):
    """Turn the warnings libraries (pyogrio, GDAL, pandas, openpyxl …) raise while reading into
    ``library_warning`` problems of ``file``, so that none reaches stderr and the planner reads
    them in the report (each distinct message once). A warning attributed to jxedu's own code is
    passed on as a warning: it points at a bug, not at the file.

    Parameters
    ----------
    sink
        Receives the problems.
    file
        The file being read, as shown in problems (``None`` for the data set).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    seen: set[str] = set()
    ours = str(config.PACKAGE_DIR) + os.sep
    for w in caught:
        if str(w.filename).startswith(ours):
            # raised by jxedu's own code (a pandas deprecation in a check …): a bug to fix, not a
            # property of the file; emitted again so that it is seen (tests treat it as an error)
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            continue
        text = " ".join(str(w.message).split())[:300]
        if text in seen:
            continue
        seen.add(text)
        sink.add(Problem("warning", "library_warning",
                         f"读取时程序库给出提示（{w.category.__name__}）：{text}；请核对此文件", file))


#: Chinese words of GEOS's reasons for an invalid geometry (``shapely.is_valid_reason``).
_GEOMETRY_REASONS = {
    "Self-intersection": "边界自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points in geometry component": "点数太少",
    "Hole lies outside shell": "内环（洞）在外环之外",
    "Nested holes": "内环相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "环重复",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}


def _geometry_reason(reason: str) -> str:
    """``"Self-intersection[116.3 35.1]"`` -> ``"边界自相交（Self-intersection），位置约 116.3, 35.1"``."""
    m = re.match(r"^([^\[]+)(?:\[([-\d.eE+]+) ([-\d.eE+]+)\])?", reason)
    if not m:
        return reason
    what = m.group(1).strip()
    zh = _GEOMETRY_REASONS.get(what)
    text = f"{zh}（{what}）" if zh else what
    if m.group(2):
        text += f"，位置约 {float(m.group(2)):.5f}, {float(m.group(3)):.5f}"
    return text


def _read_geo(path: Path, root: Path, sink: ProblemSink):
    import geopandas as gpd

    display = path.name
    if path.stat().st_size == 0:
        sink.add(Problem("error", "empty_file", "文件是空的（0 字节）", display))
        return None
    failed = None
    with library_warnings(sink, display):
        try:
            gdf = gpd.read_file(path, engine="pyogrio")
        except Exception as exc:  # noqa: BLE001 - GDAL and GEOS raise many error types for bad files
            failed = exc
    if failed is not None:
        text = str(failed)
        if "closed linestring" in text or "LinearRing" in text:
            sink.add(Problem("error", "bad_geometry",
                             "图层几何无效 (bad_geometry)：有多边形的环未闭合（首尾坐标不同），请在 GIS 软件中修复后重新导出",
                             display))
        else:
            sink.add(Problem("error", "unreadable_file", f"无法读取此图层（{type(failed).__name__}），请检查文件",
                             display))
        return None
    if gdf.crs is None:
        sink.add(Problem("warning", "crs_missing", "图层没有坐标系信息，按 WGS84 (EPSG:4326) 处理", display))
        gdf = gdf.set_crs(WGS84)
    return gdf.to_crs(WGS84)


def _bad_geometries(gdf, display: str, names: pd.Series | None, sink: ProblemSink, *, kinds: tuple[str, ...],
                    severity: str = "error") -> np.ndarray:
    """Report features with no geometry, the wrong kind or an invalid one; return their mask.

    Features are numbered as GIS software lists them (the first is 第 1 个要素); ``names`` adds the
    feature's name to the message.
    """
    import shapely

    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = np.array(["" if m else g.geom_type for g, m in zip(geoms, missing, strict=True)], dtype=object)
    wrong = ~missing & ~np.isin(types, kinds)
    invalid = ~missing & ~wrong & ~shapely.is_valid(geoms)
    kinds_zh = "、".join(kinds)

    def label(i: int) -> str:
        name = names.iloc[i] if names is not None else None
        return f"第 {i + 1} 个要素" + (f"（镇街名称“{name}”）" if name is not None and not pd.isna(name) else "")

    for i in np.flatnonzero(missing):
        sink.add(Problem(severity, "empty_geometry", f"图层几何为空 (empty_geometry)：{display} {label(i)}没有几何图形",
                         display, expected=kinds_zh))
    for i in np.flatnonzero(wrong):
        sink.add(Problem(severity, "bad_geometry_type",
                         f"图层几何类型不符 (bad_geometry_type)：{display} {label(i)}是 {types[i]}，应为 {kinds_zh}",
                         display, expected=kinds_zh))
    for i in np.flatnonzero(invalid):
        reason = _geometry_reason(shapely.is_valid_reason(geoms[i]))
        sink.add(Problem(severity, "bad_geometry",
                         f"图层几何无效 (bad_geometry)：{display} {label(i)}：{reason}；请在 GIS 软件中修复"
                         "（如 QGIS“修复几何图形”）后重新导出", display, expected="有效的多边形"))
    return missing | wrong | invalid


def _read_townships(path: Path, root: Path, sink: ProblemSink):
    gdf = _read_geo(path, root, sink)
    if gdf is None:
        return None
    by_norm = {norm_text(c): c for c in gdf.columns if c != gdf.geometry.name}
    attr = next((by_norm[a] for a in _TOWNSHIP_ATTRS if a in by_norm), None)
    if attr is None:
        sink.add(Problem("error", "missing_column", "镇街边界图层缺少属性“镇街名称”", path.name, None, None,
                         "镇街名称", expected="镇街名称"))
        return None
    names = gdf[attr].astype(object).map(lambda v: None if v is None or pd.isna(v) else re.sub(r"\s+", "", str(v)))
    bad = _bad_geometries(gdf, path.name, names, sink, kinds=("Polygon", "MultiPolygon"))
    if bad.any():
        # a broken boundary must not make every school look outside the county: the layer is not
        # used (coordinates are checked against another outline, or none), its errors name it
        return None
    gdf = gdf.assign(township=pd.Series(names, index=gdf.index, dtype="str"))
    if attr != "township":
        gdf = gdf.drop(columns=[attr])
    cols = ["township"] + [c for c in gdf.columns if c not in ("township", gdf.geometry.name)] + [gdf.geometry.name]
    return gdf[cols]


#: Geometry types of the optional layers whose other features are dropped with a warning each.
_LAYER_KINDS: dict[str, tuple[str, ...]] = {"roads": ("LineString", "MultiLineString"),
                                            "unbuildable": ("Polygon", "MultiPolygon")}


def _read_layer(key: str, path: Path, root: Path, sink: ProblemSink):
    """An optional layer (道路: lines; 不可建设: polygons); features of another geometry are dropped with a
    warning each."""
    gdf = _read_geo(path, root, sink)
    if gdf is None:
        return None
    bad = _bad_geometries(gdf, path.name, None, sink, kinds=_LAYER_KINDS[key], severity="warning")
    return gdf[~bad].reset_index(drop=True) if bad.any() else gdf


def _read_county_layer(path: Path, root: Path, sink: ProblemSink):
    """The optional 县界 layer: the county's outline polygon(s); a broken one is not used."""
    gdf = _read_geo(path, root, sink)
    if gdf is None:
        return None
    if _bad_geometries(gdf, path.name, None, sink, kinds=("Polygon", "MultiPolygon")).any():
        return None  # a broken outline must not make every school look outside the county
    return gdf[[gdf.geometry.name]]


def _county_polygon_as_townships(townships, county_layer, frames, geo_paths, sink: ProblemSink):
    """A 镇街边界 layer of one polygon named after none of the data's 镇街 is the county's outline:
    used as 县界 (unless there is one), with one warning instead of one per school."""
    if townships is None or len(townships) != 1:
        return townships, county_layer
    named = set()
    for key in ("schools", "villages"):
        if key in frames:
            named |= set(frames[key]["township"].dropna())
    if not named or named & set(townships["township"].dropna()):
        return townships, county_layer
    name = townships["township"].iloc[0]
    sink.add(Problem("warning", "townships_is_county",
                     f"“镇街边界”图层只有一个多边形（“{name}”），与学校、村居表中的镇街都不符，像是县界："
                     + ("已忽略（另有县界图层）" if county_layer is not None else "已作为县界使用")
                     + "；如是县界，请把文件改名为“县界”（如 县界.geojson）；镇街边界应每个镇街一个多边形，"
                       "属性“镇街名称”与学校表的“所属镇街”一致", geo_paths["townships"].name, expected="县界"))
    return None, county_layer if county_layer is not None else townships[[townships.geometry.name]]


def _outline_utm(county_layer, townships, meta: dict[str, str], sink: ProblemSink, has_points: bool):
    """County outline for coordinate checks in UTM 50N, buffered, with the source named; ``None``
    (one warning) when the data give none — then only China's extent is checked."""
    import geopandas as gpd

    from jxedu.core.county import META_CODE, county_outline

    outline = county_outline(layer=county_layer, townships=townships, code=meta.get(META_CODE))
    if outline is None:
        if has_points:
            sink.add(Problem("warning", "outline_missing",
                             "没有县界，未检查坐标是否在县域内（只检查了在中国境内、经纬度未填反）：请在数据文件夹中"
                             "放入“县界.geojson”（或 .gpkg，县域多边形），或每个镇街一个多边形的“镇街边界”图层",
                             None, expected="县界.geojson"))
        return None
    utm = gpd.GeoSeries([outline.geometry], crs=WGS84).to_crs(UTM50N).iloc[0]
    return CheckOutline(utm.buffer(OUTLINE_BUFFER), outline.source_text, outline.geometry.centroid)


# ---------------------------------------------------------------------------------------------
# Final types
# ---------------------------------------------------------------------------------------------


def _finalise(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Final dtypes (int64/bool where complete), RangeIndex; GeoDataFrame for point tables."""
    out = {}
    for c in table.columns:
        if c.key not in df.columns:
            continue
        s = df[c.key]
        if c.kind in ("int", "year") and not s.isna().any():
            s = s.astype("int64")
        elif c.kind == "bool" and not c.nullable and not s.isna().any():
            s = s.astype(bool)
        out[c.key] = s.to_numpy() if not isinstance(s.dtype, pd.api.extensions.ExtensionDtype) else s.array
    for extra in ("crs_in", "x", "y"):
        if extra in df.columns:
            out[extra] = df[extra].to_numpy() if extra != "crs_in" else df[extra].array
    frame = pd.DataFrame(out)
    if table.key in ("schools", "villages"):
        import geopandas as gpd

        geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=WGS84)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
    return frame


def validate_path(path: str | Path) -> ValidationReport:
    """Check a data set (workbook or folder) and return every problem found.

    Never raises for bad data: a missing path, an unreadable file or a bad cell each become a
    :class:`Problem`.

    Parameters
    ----------
    path
        Excel workbook or folder.

    Returns
    -------
    ValidationReport
    """
    result = read_dataset(Path(path), strict=False, build=False)
    return ValidationReport(result.problems, Path(path))


def dataset_files(path: str | Path) -> list[Path]:
    """The files a data set is read from: its table files (or workbook), geo layers and GTFS feed.

    Parameters
    ----------
    path
        Workbook or folder.

    Returns
    -------
    list of pathlib.Path
        Sorted; a GTFS folder contributes every file in it. Files the reader ignores are not listed.
    """
    path = Path(path)
    sink = ProblemSink()
    if path.is_dir():
        sources, geo, gtfs = _scan_folder(path, sink)
        files = {s.path for s in sources}
    elif path.exists():
        _, geo, gtfs = _scan_folder(path.parent, sink, tables=False)
        files = {path}
    else:
        return []
    files |= set(geo.values())
    if gtfs is not None:
        files |= {f for f in gtfs.rglob("*") if f.is_file()} if gtfs.is_dir() else {gtfs}
    return sorted(files)


def dataset_fingerprint(path: str | Path) -> str:
    """A SHA-256 of the names and contents of :func:`dataset_files` (hex): two data sets with the same
    fingerprint are read the same way.

    Parameters
    ----------
    path
        Workbook or folder.

    Returns
    -------
    str
    """
    import hashlib

    path = Path(path)
    root = path if path.is_dir() else path.parent
    h = hashlib.sha256()
    for f in dataset_files(path):
        h.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0")
        with f.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """Resolve the ``data_dir`` parameter of a notebook or command to an existing path.

    Parameters
    ----------
    data_dir
        ``None`` for the committed synthetic demo set (:data:`jxedu.core.config.DEMO_DIR`); otherwise a
        workbook or folder. A relative path is taken from the current directory first, then from
        the repository root (so ``"data/demo"`` works from ``notebooks/`` too).

    Returns
    -------
    pathlib.Path
        Absolute path of the data set.

    Raises
    ------
    DataError
        If the path does not exist.
    """
    if data_dir is None:
        path = config.DEMO_DIR
    else:
        path = Path(data_dir).expanduser()
        if not path.is_absolute() and not path.exists() and (config.ROOT / path).exists():
            path = config.ROOT / path
    if not path.exists():
        raise DataError(f"找不到数据集 (data_not_found): {path}")
    return path.resolve()


def open_dataset(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Load the data set named by a notebook's ``data_dir`` parameter.

    Parameters
    ----------
    data_dir
        See :func:`resolve_data_dir` (``None`` = demo set).

    Returns
    -------
    Dataset
        As :func:`jxedu.load` returns it.
    """
    return load(resolve_data_dir(data_dir))
