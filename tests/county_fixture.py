"""A second county, not 金乡: 云溪县 (synthetic), written as a clerk fills the template.

Six 镇街 in 江西 (about 115.8–116.1° E, 28.4–28.64° N, inside UTM zone 50), 25 schools, five school
years (2022–2026) of 学段统计/办学条件/班级, a teacher roster, three years of rotations (2024–2026),
60 村居 and a 镇街边界 layer — and, as a county starting out would have it, **no** roads, no bus feed,
no 县界 layer and no 规划目标 table. :func:`write_minimal` writes the three required tables only (no
说明, no layers): the smallest data set jxedu accepts.

The rotations are laid down by hand so that their counts can be worked out (:data:`ROTATIONS`):

==========  =======================  ============================  ========
year        compulsory-stage moves   of them city/town → rural     高中 moves
==========  =======================  ============================  ========
2024        40                       24                            2
2025        44                       26                            1
2026        48                       30                            2
==========  =======================  ============================  ========

Everything else is drawn from a fixed-seed generator (the same files every run).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from jxedu.core import schema

COUNTY = "云溪县"
CODE = "360999"
BUREAU = "云溪县教育体育局"
YEARS = (2022, 2023, 2024, 2025, 2026)
LON0, LAT0 = 115.80, 28.40  # south-west corner of the county (degrees)
CELL_LON, CELL_LAT = 0.10, 0.12  # size of one 镇街 cell (degrees)
#: 镇街: name, column, row, 城乡分类 of its seat.
TOWNSHIPS = (("云溪街道", 0, 0), ("东山镇", 1, 0), ("西河镇", 2, 0), ("南塘镇", 0, 1), ("北岭乡", 1, 1),
             ("青石乡", 2, 1))
#: Schools: id suffix, name, type, 镇街, 城乡分类, pupils per grade (2026), built year.
SCHOOLS = (
    ("001", "云溪县实验小学", "primary", "云溪街道", "urban", 260, 1998),
    ("002", "云溪县城南小学", "primary", "云溪街道", "urban", 230, 2012),
    ("003", "云溪县城北小学", "primary", "云溪街道", "urban", 200, 2008),
    ("004", "云溪县文昌小学", "primary", "云溪街道", "urban", 150, 2018),
    ("005", "云溪县第一初级中学", "junior", "云溪街道", "urban", 420, 2001),
    ("006", "云溪县城东中学", "junior", "云溪街道", "urban", 300, 2015),
    ("007", "云溪县第二中学", "complete_middle", "云溪街道", "urban", 260, 1990),
    ("011", "东山镇中心小学", "primary", "东山镇", "town", 110, 2005),
    ("012", "东山镇上坪小学", "primary", "东山镇", "rural", 30, 1996),
    ("013", "东山镇中学", "junior", "东山镇", "town", 150, 2003),
    ("014", "东山镇石门教学点", "teaching_point", "东山镇", "rural", 12, 1992),
    ("021", "西河镇中心小学", "primary", "西河镇", "town", 100, 2006),
    ("022", "西河镇柳村小学", "primary", "西河镇", "rural", 28, 1999),
    ("023", "西河镇港口小学", "primary", "西河镇", "rural", 24, 1997),
    ("024", "西河学校", "nine_year", "西河镇", "town", 90, 2010),
    ("031", "南塘镇中心小学", "primary", "南塘镇", "town", 95, 2004),
    ("032", "南塘镇塘背小学", "primary", "南塘镇", "rural", 26, 1995),
    ("033", "南塘镇中学", "junior", "南塘镇", "town", 140, 2002),
    ("034", "南塘镇坳头教学点", "teaching_point", "南塘镇", "rural", 5, 1988),
    ("041", "北岭乡中心小学", "primary", "北岭乡", "town", 70, 2007),
    ("042", "北岭乡大坑小学", "primary", "北岭乡", "rural", 22, 1994),
    ("043", "北岭乡中学", "junior", "北岭乡", "town", 110, 2009),
    ("051", "青石学校", "nine_year", "青石乡", "town", 60, 2011),
    ("052", "青石乡竹林教学点", "teaching_point", "青石乡", "rural", 9, 1993),
    ("053", "青石乡溪口小学", "primary", "青石乡", "rural", 20, 1998),
)
#: Rotations per year: (compulsory-stage moves, of them city/town → rural, 高中 moves).
ROTATIONS = {2024: (40, 24, 2), 2025: (44, 26, 1), 2026: (48, 30, 2)}

_ENC = "utf-8-sig"


def school_id(suffix: str) -> str:
    """学校标识码 of a school of the fixture (``3609992`` + its suffix)."""
    return f"{CODE}2{suffix}"


def _cell(township: str) -> tuple[float, float]:
    _, col, row = next(t for t in TOWNSHIPS if t[0] == township)
    return LON0 + col * CELL_LON, LAT0 + row * CELL_LAT


def _write(df: pd.DataFrame, table: schema.Table, folder: Path) -> None:
    """Write English-keyed rows under the table's Chinese headers, codes as the clerk's words."""
    out = pd.DataFrame()
    for c in table.columns:
        if c.key not in df.columns:
            continue
        s = df[c.key]
        if c.kind == "cat":
            back = {v: k for k, v in (c.vocab or {}).items()}
            s = s.map(lambda v, back=back: back.get(v, v) if pd.notna(v) else v)
        elif c.kind == "bool":
            s = s.map(lambda v: "" if pd.isna(v) else ("是" if v else "否"))
        out[c.zh] = s
    out.to_csv(folder / f"{table.zh}.csv", index=False, encoding=_ENC, lineterminator="\n")


def _schools(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for suffix, name, kind, town, area, _, built in SCHOOLS:
        lon0, lat0 = _cell(town)
        spread = 0.015 if area == "urban" else 0.035
        lon = lon0 + CELL_LON / 2 + rng.uniform(-spread, spread)
        lat = lat0 + CELL_LAT / 2 + rng.uniform(-spread, spread)
        rows.append({"school_id": school_id(suffix), "name": name, "school_type": kind, "township": town,
                     "urban_rural": area, "lon": round(lon, 6), "lat": round(lat, 6), "crs": "WGS84",
                     "boarding": kind in ("junior", "nine_year", "complete_middle"), "built_year": built})
    return pd.DataFrame(rows)


def _classes(rng: np.random.Generator) -> pd.DataFrame:
    """Every class of every year: pupils per grade shrink a little each year back in time."""
    rows = []
    for suffix, _, kind, _, area, per_grade, _ in SCHOOLS:
        cap = {"urban": 52, "town": 46, "rural": 40}[area]
        for y in YEARS:
            for stage in schema.STAGES_OF_TYPE[kind]:
                for g in schema.GRADES_OF_STAGE[stage]:
                    pupils = int(round(per_grade * (1 + 0.03 * (2026 - y)) * rng.uniform(0.9, 1.1)))
                    if kind == "teaching_point" and g > 4:
                        continue
                    n = max(1, int(np.ceil(pupils / cap)))
                    sizes = [pupils // n + (1 if i < pupils % n else 0) for i in range(n)]
                    for i, size in enumerate(sizes, start=1):
                        rows.append({"year": y, "school_id": school_id(suffix), "stage": stage, "grade": g,
                                     "class_name": f"{g}年级{i}班", "students": max(size, 1)})
    return pd.DataFrame(rows)


def _teachers(rng: np.random.Generator, classes: pd.DataFrame) -> pd.DataFrame:
    """The 2026 roster: about one teacher per 14 pupils (3 for a 教学点), subjects, 骨干, years."""
    last = classes[classes["year"] == 2026].groupby(["school_id", "stage"])["students"].sum()
    subjects = ["语文", "数学", "英语", "科学", "道德与法治", "体育", "音乐", "美术"]
    weights = np.array([0.26, 0.24, 0.14, 0.08, 0.08, 0.08, 0.06, 0.06])
    rows, k = [], 0
    for (sid, stage), pupils in last.items():
        n = 3 if sid.endswith(("014", "034", "052")) else max(4, int(round(pupils / 14)))
        for _ in range(n):
            k += 1
            gender = "female" if rng.random() < 0.6 else "male"
            rows.append({
                "teacher_id": f"Y{k:05d}", "school_id": sid, "stage": stage,
                "subject": subjects[rng.choice(len(subjects), p=weights)], "gender": gender,
                "birth_year": int(rng.integers(1968, 2000)), "education": "bachelor" if rng.random() < 0.8 else "associate",
                "backbone_level": "county" if rng.random() < 0.12 else "none", "certified": rng.random() < 0.98,
                "start_year": int(rng.integers(2005, 2024)), "training_hours": float(rng.integers(200, 480)),
                "honour_year": pd.NA,
            })
    t = pd.DataFrame(rows)
    t.loc[t.index[::40], "honour_year"] = 2025
    t.loc[t.index[5::40], "honour_year"] = 2026
    t["honour_year"] = t["honour_year"].astype("Int64")
    return t


def _stage_stats(classes: pd.DataFrame, teachers: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    g = classes.groupby(["year", "school_id", "stage"]).agg(students=("students", "sum"),
                                                          classes=("class_name", "size")).reset_index()
    roster = teachers.groupby(["school_id", "stage"])
    counts = roster.size()
    pe = roster["subject"].apply(lambda s: int((s == "体育").sum()))
    music = roster["subject"].apply(lambda s: int((s == "音乐").sum()))
    art = roster["subject"].apply(lambda s: int((s == "美术").sum()))
    bb = roster["backbone_level"].apply(lambda s: int((s != "none").sum()))
    # 高于规定学历 as the roster gives it (小学 专科及以上, 初中 本科及以上): the typed counts agree with it
    above = {"primary": {"associate", "bachelor", "postgraduate"}, "junior": {"bachelor", "postgraduate"}}
    qual = teachers.groupby(["school_id", "stage"]).apply(
        lambda d: int(d["education"].isin(above.get(d.name[1], set())).sum()), include_groups=False)
    rows = []
    for r in g.itertuples(index=False):
        key = (r.school_id, r.stage)
        shrink = 1.0 if r.year == 2026 else 1 - 0.02 * (2026 - r.year)
        teachers_n = int(round(counts.get(key, 4) * shrink))
        rows.append({"year": r.year, "school_id": r.school_id, "stage": r.stage, "students": r.students,
                     "classes": r.classes, "teachers": teachers_n,
                     "qualified_teachers": min(teachers_n, int(round(qual.get(key, 0) * shrink))),
                     "backbone_teachers": min(teachers_n, int(round(bb.get(key, 0) * shrink))),
                     "pe_teachers": min(teachers_n, int(pe.get(key, 0))), "music_teachers": int(music.get(key, 0)),
                     "art_teachers": int(art.get(key, 0)), "certified_teachers": teachers_n,
                     "trained_teachers": int(round(teachers_n * 0.9)), "migrant_students": int(r.students * 0.05)})
    return pd.DataFrame(rows)


def _facilities(stats: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    by = stats.groupby(["year", "school_id"]).agg(students=("students", "sum"), classes=("classes", "sum"))
    rows = []
    for (y, sid), r in by.iterrows():
        n = float(r["students"])
        rows.append({"year": y, "school_id": sid, "teaching_area": round(n * rng.uniform(4.0, 7.5), 1),
                     "indoor_sports_area": round(n * rng.uniform(0.2, 0.6), 1),
                     "sports_ground_area": round(n * rng.uniform(6.0, 14.0), 1),
                     "equipment_value_wan": round(n * rng.uniform(1800, 3200) / 10000, 2),
                     "multimedia_rooms": int(np.ceil(n / 100 * rng.uniform(2.0, 3.0))),
                     "music_rooms": max(1, int(r["classes"] // 12)), "art_rooms": max(1, int(r["classes"] // 12)),
                     "smart_campus": bool(rng.random() < 0.6)})
    return pd.DataFrame(rows)


def _rotations(teachers: pd.DataFrame) -> pd.DataFrame:
    """The rotations of :data:`ROTATIONS`: city/town teachers to rural schools, the rest among city and
    town schools, and a few 高中 teachers of the 完全中学."""
    area = {school_id(s[0]): s[4] for s in SCHOOLS}
    comp = teachers[teachers["stage"].isin(schema.COMPULSORY_STAGES)]
    sending = comp[comp["school_id"].map(area).isin(["urban", "town"])].sort_values("teacher_id")
    rural_p = [school_id(s[0]) for s in SCHOOLS if s[4] == "rural" and s[2] == "primary"]
    town_p = [school_id(s[0]) for s in SCHOOLS if s[4] == "town" and s[2] == "primary"]
    seniors = teachers[teachers["stage"] == "senior"].sort_values("teacher_id")
    rows, pos, spos = [], 0, 0
    for y, (n, to_rural, n_senior) in ROTATIONS.items():
        for i in range(n):
            t = sending.iloc[pos % len(sending)]
            pos += 1
            if i < to_rural:
                to = rural_p[i % len(rural_p)]
            else:  # to a town 小学 (another one when the teacher is at the first)
                to = town_p[0] if t["school_id"] != town_p[0] else town_p[1]
            rows.append({"year": y, "teacher_id": t["teacher_id"], "from_school_id": t["school_id"], "to_school_id": to,
                         "rotation_type": "轮岗", "start_date": f"{y}-09-01", "end_date": f"{y + 1}-07-10"})
        for _ in range(n_senior):
            t = seniors.iloc[spos % len(seniors)]
            spos += 1
            rows.append({"year": y, "teacher_id": t["teacher_id"], "from_school_id": t["school_id"],
                         "to_school_id": school_id("005"), "rotation_type": "支教", "start_date": f"{y}-09-01",
                         "end_date": f"{y + 1}-07-10"})
    return pd.DataFrame(rows)


def _villages(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for t, (name, _, _) in enumerate(TOWNSHIPS):
        lon0, lat0 = _cell(name)
        for j in range(10):
            lon = lon0 + rng.uniform(0.005, CELL_LON - 0.005)
            lat = lat0 + rng.uniform(0.005, CELL_LAT - 0.005)
            size = int(rng.integers(8, 30)) * (3 if name == "云溪街道" else 1)  # children per age: ~1,500 a year county-wide
            row = {"village_id": f"{CODE}{t + 1:03d}{j + 1:03d}", "name": f"{name[:2]}{'甲乙丙丁戊己庚辛壬癸'[j]}村",
                   "township": name, "kind": "village", "lon": round(lon, 6), "lat": round(lat, 6), "crs": "WGS84"}
            row.update({f"age_{a}": int(rng.poisson(size)) for a in schema.AGES})
            rows.append(row)
    return pd.DataFrame(rows)


def _townships_geojson() -> dict:
    feats = []
    for name, col, row in TOWNSHIPS:
        x0, y0 = LON0 + col * CELL_LON, LAT0 + row * CELL_LAT
        ring = [[x0, y0], [x0 + CELL_LON, y0], [x0 + CELL_LON, y0 + CELL_LAT], [x0, y0 + CELL_LAT], [x0, y0]]
        feats.append({"type": "Feature", "properties": {"镇街名称": name},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": feats}


def write_other_county(folder: Path, *, plan_targets: list[dict] | None = None, meta: bool = True) -> Path:
    """Write 云溪县 to ``folder`` (created) as CSV files and a 镇街边界 layer.

    Parameters
    ----------
    folder
        Output folder.
    plan_targets
        Rows of a 规划目标 table with its Chinese headers (none by default: the county set no target).
    meta
        Write the 说明 table with 县名, 行政区划代码, 教育行政部门 and 合成数据 = 是.

    Returns
    -------
    pathlib.Path
        ``folder``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(360999)
    schools = _schools(rng)
    classes = _classes(rng)
    teachers = _teachers(rng, classes)
    stats = _stage_stats(classes, teachers, rng)
    for df, table in ((schools, schema.SCHOOLS), (stats, schema.STAGE_STATS), (_facilities(stats, rng), schema.FACILITIES),
                      (classes, schema.CLASSES), (teachers, schema.TEACHERS), (_rotations(teachers), schema.ROTATIONS),
                      (_villages(rng), schema.VILLAGES)):
        _write(df, table, folder)
    if meta:
        pd.DataFrame({"项目": ["县名", "行政区划代码", "教育行政部门", "合成数据"],
                      "内容": [COUNTY, CODE, BUREAU, "是"]}).to_csv(folder / "说明.csv", index=False, encoding=_ENC)
    (folder / "镇街边界.geojson").write_text(json.dumps(_townships_geojson(), ensure_ascii=False), encoding="utf-8")
    if plan_targets:
        pd.DataFrame(plan_targets).to_csv(folder / "规划目标.csv", index=False, encoding=_ENC)
    return folder


def write_minimal(folder: Path) -> Path:
    """Write only the required tables of 云溪县 (学校, 学段统计, 办学条件): no 说明, no layers."""
    full = write_other_county(Path(folder), meta=False)
    keep = {f"{t.zh}.csv" for t in schema.TABLES if t.required}
    for f in full.iterdir():
        if f.name not in keep:
            f.unlink()
    return full
