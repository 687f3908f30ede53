"""Checking the school-bus GTFS feed (``公交.zip`` or ``公交/``) when a data set is validated.

The analyses read the feed with gtfs-kit (:func:`jxedu.analysis.bus.load_feed`) only when a bus
measure is asked for; a feed without ``stops.txt`` would then fail in the middle of a report. Here
the feed is opened at validation time and checked for what jxedu reads from it:

* the files :data:`REQUIRED_FILES` (``stops``, ``routes``, ``trips``, ``stop_times``) and their
  columns :data:`REQUIRED_COLUMNS`; the files the GTFS standard also requires (``agency``,
  ``calendar`` or ``calendar_dates``) are a warning;
* UTF-8 text (the GTFS standard's encoding);
* unique ``stop_id``, ``route_id``, ``trip_id``; stop coordinates that are numbers in range;
  ``stop_sequence`` a non-negative integer; times written ``H:MM:SS``;
* references: ``trips.route_id`` in ``routes``, ``stop_times.trip_id`` in ``trips`` and
  ``stop_times.stop_id`` in ``stops``.

Every problem names the feed and the file inside it (``公交.zip/stops.txt``), the row as a text
editor shows it (header = row 1) and the column. A zip larger than :data:`MAX_UNCOMPRESSED`
uncompressed is refused before anything is extracted.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from jxedu.ingest.problems import Problem, ProblemSink

__all__ = ["MAX_UNCOMPRESSED", "REQUIRED_COLUMNS", "REQUIRED_FILES", "check_gtfs"]

#: Files jxedu reads from a feed.
REQUIRED_FILES: tuple[str, ...] = ("stops", "routes", "trips", "stop_times")
#: Columns jxedu reads from each required file.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes": ("route_id", "route_short_name"),
    "trips": ("route_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time"),
}
#: Largest feed read, bytes uncompressed (a county's school buses need a few megabytes).
MAX_UNCOMPRESSED = 512 * 1024 * 1024  # bytes

_TIME_RE = re.compile(r"^\d{1,3}:[0-5]\d:[0-5]\d$")


class _Feed:
    """The text files of a feed (zip or folder), by stem."""

    def __init__(self, path: Path, display: str, sink: ProblemSink) -> None:
        self.path, self.display, self.sink = path, display, sink
        self.names: dict[str, str] = {}  # stem -> member or file name
        self.zip: zipfile.ZipFile | None = None

    def open(self) -> bool:
        if self.path.is_dir():
            self.names = {f.stem: f.name for f in self.path.iterdir() if f.is_file() and f.suffix == ".txt"}
            return True
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            self._error("unreadable_file", f"无法打开公交（GTFS）压缩包：不是有效的 zip 文件（{type(exc).__name__}）")
            return False
        infos = [i for i in self.zip.infolist() if not i.is_dir()]
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            self._error("gtfs_too_large", f"压缩包解压后有 {total:,} 字节，超过上限 {MAX_UNCOMPRESSED:,} 字节")
            return False
        for i in infos:
            name = i.filename
            if "/" in name.strip("/"):
                continue  # only files at the top of the zip are GTFS files
            if name.endswith(".txt"):
                self.names[name[:-4]] = name
        if not self.names and any(i.filename.endswith(".txt") for i in infos):
            self._error("gtfs_in_subfolder", "压缩包中的 GTFS 文件在子文件夹里；请把 stops.txt 等文件直接放在压缩包的最外层")
            return False
        return True

    def where(self, stem: str) -> str:
        return f"{self.display}/{self.names.get(stem, stem + '.txt')}"

    def _error(self, code: str, message: str, file: str | None = None, severity: str = "error") -> None:
        self.sink.add(Problem(severity, code, message, file or self.display))

    def read(self, stem: str) -> pd.DataFrame | None:
        """The file as text columns (index = row numbers, header row 1), or ``None`` with a problem."""
        try:
            if self.zip is not None:
                data = self.zip.read(self.names[stem])
            else:
                data = (self.path / self.names[stem]).read_bytes()
        except (OSError, KeyError, zipfile.BadZipFile, RuntimeError) as exc:
            self._error("unreadable_file", f"无法读取（{type(exc).__name__}）", self.where(stem))
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self._error("encoding_unknown", "GTFS 文件应为 UTF-8 编码（请用“另存为 UTF-8”保存）", self.where(stem))
            return None
        if not text.strip():
            self._error("empty_file", "文件是空的，没有表头和数据", self.where(stem))
            return None
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except (pd.errors.ParserError, ValueError) as exc:
            self._error("unreadable_file", f"不是有效的 CSV 文本（{str(exc)[:80]}）", self.where(stem))
            return None
        df.columns = [str(c).strip() for c in df.columns]
        df.index = pd.RangeIndex(2, 2 + len(df))
        return df

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def check_gtfs(path: Path, sink: ProblemSink, *, display: str | None = None) -> None:
    """Check a GTFS feed for what jxedu reads from it; every problem goes to ``sink``.

    Parameters
    ----------
    path
        The feed: a zip file or a folder of ``.txt`` files.
    sink
        Receives the problems.
    display
        Name of the feed in problems (default: the path's name).
    """
    feed = _Feed(path, display or path.name, sink)
    try:
        if not feed.open():
            return
        missing = [t for t in REQUIRED_FILES if t not in feed.names]
        for t in missing:
            sink.add(Problem("error", "missing_gtfs_file", f"公交（GTFS）数据缺少文件 {t}.txt，校车分析无法进行",
                             feed.display, expected=f"{t}.txt"))
        standard = [t for t in ("agency",) if t not in feed.names]
        if "calendar" not in feed.names and "calendar_dates" not in feed.names:
            standard.append("calendar")
        for t in standard:
            sink.add(Problem("warning", "gtfs_standard_file_missing",
                             f"GTFS 标准要求的文件 {t}.txt 缺失（jxedu 不读取此文件，其他软件可能需要）",
                             feed.display, expected=f"{t}.txt"))
        frames = {}
        for t in REQUIRED_FILES:
            if t in feed.names:
                df = feed.read(t)
                if df is not None and _check_columns(feed, t, df):
                    frames[t] = df
        _check_values(feed, frames)
        _check_references(feed, frames)
    finally:
        feed.close()


def _check_columns(feed: _Feed, stem: str, df: pd.DataFrame) -> bool:
    ok = True
    for c in REQUIRED_COLUMNS[stem]:
        if c not in df.columns:
            feed.sink.add(Problem("error", "missing_column", f"缺少 GTFS 列“{c}”", feed.where(stem), None, None, c,
                                  expected=c))
            ok = False
    if ok and df.empty:
        feed.sink.add(Problem("error", "empty_table", f"{stem}.txt 只有表头，没有数据", feed.where(stem)))
        ok = False
    return ok


def _blank(s: pd.Series) -> np.ndarray:
    return (s.str.strip() == "").to_numpy()


def _check_values(feed: _Feed, frames: dict[str, pd.DataFrame]) -> None:
    sink = feed.sink
    for stem, key in (("stops", "stop_id"), ("routes", "route_id"), ("trips", "trip_id")):
        df = frames.get(stem)
        if df is None:
            continue
        ids = df[key].str.strip()
        empty = _blank(df[key])
        if empty.any():
            sink.add_rows("error", "missing_value", feed.where(stem), None, key, df.index[empty],
                          [None] * int(empty.sum()), message=lambda v, k=key: f"必填项“{k}”为空", expected="不重复的编号")
        dup = (ids.duplicated(keep="first") & ~empty).to_numpy()
        if dup.any():
            sink.add_rows("error", "duplicate_key", feed.where(stem), None, key, df.index[dup], ids[dup],
                          message=lambda v, k=key: f"“{v}”重复出现，每个 {k} 只能有一行", expected="不重复的编号")
    stops = frames.get("stops")
    if stops is not None:
        for col, lim in (("stop_lat", 90.0), ("stop_lon", 180.0)):
            num = pd.to_numeric(stops[col].str.strip(), errors="coerce")
            bad = (num.isna() | (num.abs() > lim)).to_numpy()
            if bad.any():
                sink.add_rows("error", "text_in_number", feed.where("stops"), None, col, stops.index[bad],
                              stops[col][bad], message=lambda v, c=col: f"值“{v}”不是有效的{'纬度' if c == 'stop_lat' else '经度'}",
                              expected=f"-{lim:g}–{lim:g} 之间的十进制度（WGS-84）")
    st = frames.get("stop_times")
    if st is not None:
        seq = pd.to_numeric(st["stop_sequence"].str.strip(), errors="coerce")
        bad = (seq.isna() | (seq < 0) | (seq != np.round(seq))).to_numpy()
        if bad.any():
            sink.add_rows("error", "not_integer", feed.where("stop_times"), None, "stop_sequence", st.index[bad],
                          st["stop_sequence"][bad], message=lambda v: f"值“{v}”不是非负整数", expected="非负整数")
        for col in ("arrival_time", "departure_time"):
            t = st[col].str.strip()
            ok = (t == "") | t.str.match(_TIME_RE)
            bad = (~ok).to_numpy()
            if bad.any():
                sink.add_rows("error", "invalid_time", feed.where("stop_times"), None, col, st.index[bad], st[col][bad],
                              message=lambda v: f"时间“{v}”应写成 时:分:秒", expected="如 07:05:00（可留空）")


def _check_references(feed: _Feed, frames: dict[str, pd.DataFrame]) -> None:
    for child, col, parent, pcol in (("trips", "route_id", "routes", "route_id"),
                                     ("stop_times", "trip_id", "trips", "trip_id"),
                                     ("stop_times", "stop_id", "stops", "stop_id")):
        if child not in frames or parent not in frames:
            continue
        vals = frames[child][col].str.strip()
        known = set(frames[parent][pcol].str.strip())
        bad = ((vals != "") & ~vals.isin(known)).to_numpy()
        if bad.any():
            feed.sink.add_rows("error", "unknown_reference", feed.where(child), None, col, frames[child].index[bad],
                               vals[bad], message=lambda v, p=parent, c=pcol: f"“{v}”在 {p}.txt 的 {c} 中不存在",
                               expected=f"{parent}.txt 中已有的 {pcol}")
