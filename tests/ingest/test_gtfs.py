"""Tests of jxedu.ingest.gtfs: the school-bus feed is opened and checked when a data set is validated."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import jxedu
from jxedu.ingest.problems import ProblemSink
from tests.ingest.test_checks import write_set

#: A minimal valid feed: one route, one morning trip over two stops.
GTFS_FILES: dict[str, str] = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nJX,金乡县公交助学,https://example.org,Asia/Shanghai\n",
    "calendar.txt": ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                     "S,1,1,1,1,1,0,0,20240901,20250710\n"),
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,甲村站,35.05,116.25\nB,学校站,35.07,116.30\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,JX,助学1路,甲村—学校,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,S,T1\n",
    "stop_times.txt": ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                       "T1,07:00:00,07:00:30,A,1\nT1,07:10:00,07:10:00,B,2\n"),
}


def write_gtfs(path: Path, *, replace: dict[str, str | None] | None = None, folder: bool = False) -> Path:
    """Write the minimal feed as ``path`` (a zip, or a folder with ``folder``); ``replace`` maps a file
    name to new text, or to None to leave the file out."""
    files = {**GTFS_FILES, **(replace or {})}
    if folder:
        path.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            if text is not None:
                (path / name).write_text(text, encoding="utf-8")
        return path
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            if text is not None:
                zf.writestr(name, text)
    return path


def _gtfs_problems(tmp_path: Path, **kw) -> list:
    root = write_set(tmp_path / "data")
    write_gtfs(root / ("公交" if kw.get("folder") else "公交.zip"), **kw)
    report = jxedu.validate(root)
    return [p for p in report.problems if p.file and p.file.startswith("公交")]


def test_valid_feed_has_no_problem(tmp_path):
    assert _gtfs_problems(tmp_path) == []
    assert _gtfs_problems(tmp_path / "f", folder=True) == []


def test_missing_stops_is_an_error_at_validation(tmp_path):
    probs = _gtfs_problems(tmp_path, replace={"stops.txt": None})
    assert [(p.severity, p.code, p.file, p.expected) for p in probs] == [
        ("error", "missing_gtfs_file", "公交.zip", "stops.txt")]


def test_standard_files_missing_are_warnings(tmp_path):
    probs = _gtfs_problems(tmp_path, replace={"agency.txt": None, "calendar.txt": None})
    assert sorted((p.severity, p.expected) for p in probs) == [("warning", "agency.txt"), ("warning", "calendar.txt")]


def test_missing_column_and_bad_values(tmp_path):
    probs = _gtfs_problems(tmp_path, replace={
        "routes.txt": "route_id,route_type\nR1,3\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,甲村站,北纬35,116.25\nA,学校站,35.07,116.30\n",
        "stop_times.txt": ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                           "T1,7点,07:00:30,A,1\nT1,07:10:00,07:10:00,B,1.5\n"),
    })
    got = sorted((p.code, p.file, p.row, p.column, p.value) for p in probs)
    assert got == [
        ("duplicate_key", "公交.zip/stops.txt", 3, "stop_id", "A"),
        ("invalid_time", "公交.zip/stop_times.txt", 2, "arrival_time", "7点"),
        ("missing_column", "公交.zip/routes.txt", None, "route_short_name", None),
        ("not_integer", "公交.zip/stop_times.txt", 3, "stop_sequence", "1.5"),
        # stop B no longer exists (both rows are A): stop_times row 3 names an unknown stop
        ("text_in_number", "公交.zip/stops.txt", 2, "stop_lat", "北纬35"),
        ("unknown_reference", "公交.zip/stop_times.txt", 3, "stop_id", "B"),
    ]
    # routes.txt is unusable, so trips.route_id is not checked against it
    assert not any(p.file.endswith("trips.txt") for p in probs)


def test_references(tmp_path):
    probs = _gtfs_problems(tmp_path, replace={"trips.txt": "route_id,service_id,trip_id\nR9,S,T1\n",
                                              "stop_times.txt": ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                                                 "T2,07:00:00,07:00:30,A,1\n")})
    assert sorted((p.code, p.file, p.row, p.value) for p in probs) == [
        ("unknown_reference", "公交.zip/stop_times.txt", 2, "T2"),
        ("unknown_reference", "公交.zip/trips.txt", 2, "R9"),
    ]


def test_unreadable_feeds(tmp_path):
    root = write_set(tmp_path / "data")
    (root / "公交.zip").write_bytes(b"not a zip")
    (p,) = [p for p in jxedu.validate(root).problems if p.file == "公交.zip"]
    assert (p.severity, p.code) == ("error", "unreadable_file")
    # files in a subfolder of the zip
    with zipfile.ZipFile(root / "公交.zip", "w") as zf:
        for name, text in GTFS_FILES.items():
            zf.writestr(f"feed/{name}", text)
    (p,) = [p for p in jxedu.validate(root).problems if p.file == "公交.zip"]
    assert p.code == "gtfs_in_subfolder"
    # GBK text
    write_gtfs(root / "公交.zip", replace={"stops.txt": None})
    with zipfile.ZipFile(root / "公交.zip", "a") as zf:
        zf.writestr("stops.txt", GTFS_FILES["stops.txt"].encode("gbk"))
    codes = {p.code for p in jxedu.validate(root).problems if p.file and p.file.startswith("公交")}
    assert codes == {"encoding_unknown"}


def test_zip_bomb_is_not_extracted(tmp_path, monkeypatch):
    from jxedu.ingest import gtfs

    monkeypatch.setattr(gtfs, "MAX_UNCOMPRESSED", 1000)
    path = write_gtfs(tmp_path / "公交.zip", replace={"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "x" * 2000})
    sink = ProblemSink()
    gtfs.check_gtfs(path, sink)
    (p,) = sink.finish()
    assert p.code == "gtfs_too_large"


@pytest.mark.parametrize("folder", [False, True])
def test_load_fails_early_on_a_broken_feed(tmp_path, folder):
    root = write_set(tmp_path / "data")
    write_gtfs(root / ("公交" if folder else "公交.zip"), replace={"stop_times.txt": None}, folder=folder)
    with pytest.raises(jxedu.DataError, match="missing_gtfs_file"):
        jxedu.load(root)
