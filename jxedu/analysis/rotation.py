"""Teacher rotation (交流轮岗), training and honours: where each year stands and who could rotate next.

Rules and assumptions (each is either a standard read from :mod:`jxedu.core.standards` or a setting of
:mod:`jxedu.core.settings`; nothing here is a hard-coded threshold):

* **Eligibility** (:func:`eligible_teachers`, the ONE place of the rule — other modules call it).
  A teacher on the roster (教师 table) is eligible for rotation in school year ``Y`` when

  - ``Y − 本校任教起始年份 ≥ rotation_min_years`` (setting, default **6** years at the same school), and
  - the teacher is **not** within ``rotation_exclude_years_to_retirement`` years of retirement
    (setting, default **5**): with ``age = Y − 出生年份`` and the statutory ``retirement_age`` by
    gender (setting, default 男 60, 女 55; unknown gender uses the male age), the teacher is
    excluded when ``retirement_age − age ≤ 5``. A man aged 54 (6 years to go) is eligible, a man
    aged 55 (5 years to go) is not; a woman aged 49 is eligible, a woman aged 50 is not.

  The roster is one snapshot (the bureau's latest). For past years the rule is applied to that
  snapshot: teachers who have since left or changed school are not seen. Teachers are identified
  by the pseudonymous 教师编号 only; names and ID numbers never enter jxedu (dropped on load).
* **Backbone** (骨干): 骨干级别 县级, 市级 or 省级, as recorded on the roster.
* **PE/art teachers**: 任教学科 containing 体育, 音乐, 美术 or 艺术 (:data:`PE_ART_SUBJECT_KEYS`).
* **The two national ratios** (教督〔2017〕6号 保障程度第11项): rotated ≥ 10 % of eligible
  (``rotation_share_of_eligible``) and backbone ≥ 20 % of rotated (``backbone_share_of_rotated``).
  The share of eligible is computed against the county's eligible teachers of the same year.
* **The county plan's target** (金政办字〔2024〕20号): ≥ 400 teachers a year (``plan_rotations_per_year``)
  rotated *from 城区/镇区 schools to 乡村 schools or to weak schools*. A rotation counts toward the
  target when its sending school is 城区 or 镇区 and its receiving school is 乡村 or weak
  (``toward_target``); all rotations count toward the national 10 % ratio.
* **Weak schools** (薄弱学校): schools with at least one unit (小学部/初中部) failing the resource
  indicators of the year (:func:`jxedu.analysis.indicators.resource_indicators`, ``passes`` False). Every
  function accepts ``weak=`` (an iterable of 学校标识码) to override this.
* **Gap filling** (:func:`gap_filling`): the 学段统计 counts of the receiving school are taken as
  *before* the rotated-in teachers arrive; *after* adds each rotated-in teacher to the unit of their
  任教学段 (to the school's first stage when it does not teach that stage).
* **Planning the next year** (:func:`plan_next_year`): see its docstring for the greedy rule.
"""

from __future__ import annotations

import heapq
import html
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from jxedu.analysis.indicators import township_sort_key
from jxedu.core.errors import DataError
from jxedu.core.numeric import ceil_count
from jxedu.core.schema import COMPULSORY_STAGES, LABELS
from jxedu.core.settings import Settings
from jxedu.core.settings import resolve_settings as _settings
from jxedu.core.standards import ASSESSED_STAGES, threshold

__all__ = [
    "BACKBONE_LEVELS",
    "COLUMN_LABELS",
    "COUNTY_ROW",
    "PE_ART_SUBJECT_KEYS",
    "direction_matrix",
    "eligible_teachers",
    "flow_map",
    "for_township",
    "key_figures",
    "gap_filling",
    "is_pe_art_subject",
    "pe_art_needs",
    "plan_next_year",
    "plan_summary",
    "plot_direction",
    "plot_rotation_trend",
    "rotation_records",
    "rotation_summary",
    "to_chinese",
    "training_honours",
    "weak_schools",
]

#: 骨干级别 codes that count as 县级以上骨干教师.
BACKBONE_LEVELS: tuple[str, ...] = ("county", "city", "province")
#: Substrings of 任教学科 that make a 体育/艺术（音乐、美术）专任教师.
PE_ART_SUBJECT_KEYS: tuple[str, ...] = ("体育", "音乐", "美术", "艺术")
#: Stages of compulsory education (the only ones rotation planning looks at).
COMPULSORY: tuple[str, ...] = COMPULSORY_STAGES
#: 城乡分类 codes of sending schools for the county plan's target.
SENDING_AREAS: tuple[str, ...] = ("urban", "town")
#: Name of the county-wide row of summaries.
COUNTY_ROW = "全县"
#: Order of 城乡分类 codes in matrices and charts.
AREA_ORDER: tuple[str, ...] = ("urban", "town", "rural")

#: Chinese display headers of every frame this module returns (see :func:`to_chinese`).
COLUMN_LABELS: dict[str, str] = {
    "year": "学年",
    "plan_year": "计划学年",
    "township": "镇街",
    "school_id": "学校标识码",
    "school_name": "学校名称",
    "urban_rural": "城乡分类",
    "stage": "学段",
    "teacher_id": "教师编号",
    "subject": "任教学科",
    "gender": "性别",
    "backbone_level": "骨干级别",
    "is_backbone": "骨干教师",
    "is_pe_art": "体育艺术教师",
    "years_at_school": "本校任教年限",
    "age": "年龄",
    "years_to_retirement": "距退休年限",
    "rotated": "交流轮岗人数",
    "rotated_out": "派出人数",
    "rotated_in": "接收人数",
    "toward_target": "城镇→乡村/薄弱学校人数",
    "toward_rural": "城镇→乡村人数",
    "toward_weak": "流向薄弱学校人数",
    "target": "目标人数",
    "meets_target": "达到目标",
    "eligible": "符合交流条件人数",
    "rotation_share": "交流比例",
    "meets_rotation_share": "交流比例达标（≥10%）",
    "backbone_rotated": "骨干教师交流人数",
    "backbone_share": "骨干占比",
    "meets_backbone_share": "骨干占比达标（≥20%）",
    "from_school_id": "派出学校标识码",
    "from_school": "派出学校",
    "from_township": "派出镇街",
    "from_urban_rural": "派出学校城乡分类",
    "to_school_id": "接收学校标识码",
    "to_school": "接收学校",
    "to_township": "接收镇街",
    "to_urban_rural": "接收学校城乡分类",
    "to_weak": "接收学校为薄弱学校",
    "students": "在校生数",
    "rotated_in_pe_art": "接收体育艺术教师",
    "rotated_in_backbone": "接收骨干教师",
    "pe_art_before": "体育艺术教师（交流前）",
    "pe_art_after": "体育艺术教师（交流后）",
    "pe_art_per_100_before": "每百生体育艺术教师（交流前）",
    "pe_art_per_100_after": "每百生体育艺术教师（交流后）",
    "pe_art_gap_status": "体育艺术缺口",
    "backbone_before": "骨干教师（交流前）",
    "backbone_after": "骨干教师（交流后）",
    "backbone_per_100_before": "每百生骨干教师（交流前）",
    "backbone_per_100_after": "每百生骨干教师（交流后）",
    "backbone_gap_status": "骨干缺口",
    "pe_art": "体育艺术教师",
    "pe_art_per_100": "每百生体育艺术教师",
    "required": "达到0.9所需人数",
    "need": "缺口人数",
    "planned_in": "计划交流补充",
    "to_hire": "需招聘",
    "order": "序号",
    "reason": "安排理由",
    "teachers": "专任教师数",
    "trained": "完成360学时人数",
    "trained_share": "培训完成率",
    "meets_training": "培训达标（100%）",
    "honoured": "最美教师人数",
    "meets_honours": "达到目标（≥100）",
    "source": "来源",
}

#: Chinese words of the gap statuses of :func:`gap_filling`.
GAP_STATUS_LABELS: dict[str, str] = {
    "no_gap": "无缺口",
    "closed": "已补齐",
    "narrowed": "缩小",
    "open": "未改善",
}


# --- small helpers ----------------------------------------------------------------------------


def is_pe_art_subject(subject: pd.Series) -> pd.Series:
    """True where 任教学科 is 体育, 音乐, 美术 or 艺术 (substring match, e.g. 体育与健康).

    Parameters
    ----------
    subject
        The ``subject`` column of the teachers table.

    Returns
    -------
    pandas.Series of bool
    """
    s = subject.astype("string").fillna("")
    mask = pd.Series(False, index=subject.index)
    for key in PE_ART_SUBJECT_KEYS:
        mask |= s.str.contains(key, regex=False)
    return mask.astype(bool)


def to_chinese(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy for display: Chinese headers and Chinese words for codes.

    Parameters
    ----------
    df
        Any frame returned by this module, :mod:`jxedu.analysis.classsize` or :mod:`jxedu.analysis.projection`.

    Returns
    -------
    pandas.DataFrame
        Same values; columns renamed with :data:`COLUMN_LABELS`; 城乡分类/学段/骨干级别/性别 codes
        turned into Chinese; booleans into 是/否.
    """
    out = df.copy()
    for col in out.columns:
        if col in ("urban_rural", "from_urban_rural", "to_urban_rural", "stage", "backbone_level", "gender"):
            out[col] = out[col].map(lambda v: LABELS.get(v, v) if isinstance(v, str) else v)
        elif col.endswith("gap_status"):
            out[col] = out[col].map(lambda v: GAP_STATUS_LABELS.get(v, v))
        elif out[col].dtype == bool:
            out[col] = out[col].map({True: "是", False: "否"})
    from jxedu.analysis import classsize, projection

    labels = {**projection.COLUMN_LABELS, **classsize.COLUMN_LABELS, **COLUMN_LABELS}
    return out.rename(columns={c: labels.get(c, c) for c in out.columns})


def for_township(df: pd.DataFrame, township: str | None) -> pd.DataFrame:
    """Rows of ``df`` that concern one 镇街 (``None`` returns ``df`` unchanged).

    Teacher rotation is organised county-wide (teachers move between 镇街), so analyses run on the
    whole county and a 镇街 view keeps the rows whose ``township``, ``from_township`` or
    ``to_township`` is that 镇街.

    Parameters
    ----------
    df
        Any frame of this module, :mod:`jxedu.analysis.classsize` or :mod:`jxedu.analysis.projection`.
    township
        镇街 name.

    Returns
    -------
    pandas.DataFrame
    """
    if township is None:
        return df
    cols = [c for c in ("township", "from_township", "to_township") if c in df.columns]
    if not cols:
        raise DataError("该表没有镇街列，无法按镇街筛选 (no_township_column)")
    mask = np.zeros(len(df), dtype=bool)
    for c in cols:
        mask |= (df[c] == township).to_numpy()
    return df[mask].reset_index(drop=True)


def _teachers(ds) -> pd.DataFrame:
    ds.require("teachers")
    t = ds.teachers
    keep = [
        c
        for c in (
            "teacher_id", "school_id", "stage", "subject", "gender", "birth_year", "backbone_level",
            "start_year", "training_hours", "honour_year",
        )
        if c in t.columns
    ]
    # Only whitelisted columns travel further: nothing personal can leak through a join.
    t = t[keep].copy()
    t["is_backbone"] = t["backbone_level"].isin(BACKBONE_LEVELS)
    t["is_pe_art"] = is_pe_art_subject(t["subject"])
    return t


def _schools(ds) -> pd.DataFrame:
    s = pd.DataFrame(ds.schools[["school_id", "name", "township", "urban_rural"]])
    return s.rename(columns={"name": "school_name"})


def _rotations(ds) -> pd.DataFrame:
    ds.require("rotations")
    return ds.rotations


def _rotation_years(ds, year: int | None) -> list[int]:
    """Years to summarise: every year of the rotations table (``None``) or the one asked for."""
    rot = _rotations(ds)
    years = sorted(int(y) for y in rot["year"].dropna().unique())
    if year is None:
        return years
    if int(year) not in years:
        raise DataError(
            f"交流轮岗表中没有该学年 (unknown_year): {year}；可用学年：{'、'.join(map(str, years)) or '无'}"
        )
    return [int(year)]


def _one_rotation_year(ds, year: int | None) -> int:
    years = _rotation_years(ds, year)
    if not years:
        raise DataError("交流轮岗表为空 (empty_table): 交流轮岗")
    return years[-1]


def _stats_year(ds, year: int) -> int:
    """The 学段统计 year matching ``year`` (the latest one at or before it; else the first)."""
    years = ds.years
    before = [y for y in years if y <= year]
    return before[-1] if before else years[0]


def weak_schools(ds, *, year: int | None = None) -> set[str]:
    """学校标识码 of schools with a unit failing the resource indicators in ``year``.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default: latest of 学段统计; a year missing there uses the nearest earlier).

    Returns
    -------
    set of str
    """
    from jxedu.analysis.indicators import resource_indicators

    y = ds.latest_year if year is None else _stats_year(ds, int(year))
    ind = resource_indicators(ds, year=y)
    failing = ind.loc[~ind["passes"].astype(bool), "school_id"]
    return set(failing.astype(str))


def _weak(ds, year: int, weak: Iterable[str] | None) -> set[str]:
    return set(map(str, weak)) if weak is not None else weak_schools(ds, year=year)


# --- eligibility ------------------------------------------------------------------------------


def eligible_teachers(ds, *, year: int | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Teachers eligible for rotation in a school year (the single home of the rule).

    Rule (module docstring): a compulsory-stage teacher (任教学段 小学 or 初中; the 高中部 teachers of
    完全中学 and 十二年一贯制 schools are outside the 义务教育 rotation rule) with
    ``year − 本校任教起始年份 ≥ rotation_min_years`` (default 6) and more than
    ``rotation_exclude_years_to_retirement`` (default 5) years before the ``retirement_age`` of the
    teacher's gender (default 男 60, 女 55; unknown gender: male age). The three numbers are settings.

    Parameters
    ----------
    ds
        The data set (needs the 教师 table).
    year
        School year the rule is applied to; default the latest year of 学段统计. May be a future
        year (planning).
    settings
        Run settings; default :func:`jxedu.core.settings.get_settings`.

    Returns
    -------
    pandas.DataFrame
        One row per eligible teacher: ``teacher_id, school_id, stage, subject, gender,
        backbone_level, is_backbone, is_pe_art, years_at_school, age, years_to_retirement``. No
        name, no ID number.

    Raises
    ------
    MissingTableError
        Without the 教师 table.
    """
    s = _settings(settings)
    y = ds.latest_year if year is None else int(year)
    t = _teachers(ds)
    t["years_at_school"] = y - t["start_year"].astype(float)
    t["age"] = y - t["birth_year"].astype(float)
    ages = s.retirement_age
    male_age = float(ages.get("male", 60))
    ret = t["gender"].map({k: float(v) for k, v in ages.items()}) if "gender" in t else None
    ret = pd.Series(male_age, index=t.index) if ret is None else ret.astype(float).fillna(male_age)
    t["years_to_retirement"] = ret - t["age"]
    ok = (
        t["stage"].isin(ASSESSED_STAGES)
        & (t["years_at_school"] >= s.rotation_min_years)
        & (t["years_to_retirement"] > s.rotation_exclude_years_to_retirement)
    )
    cols = [
        "teacher_id", "school_id", "stage", "subject", "gender", "backbone_level", "is_backbone",
        "is_pe_art", "years_at_school", "age", "years_to_retirement",
    ]
    out = t.loc[ok, [c for c in cols if c in t.columns]].reset_index(drop=True)
    for c in ("years_at_school", "age", "years_to_retirement"):
        out[c] = out[c].astype(int)
    return out


# --- what happened ----------------------------------------------------------------------------


def rotation_records(ds, *, year: int | None = None, weak: Iterable[str] | None = None) -> pd.DataFrame:
    """Rotations with the attributes every summary needs (one row per rotation).

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗 and 教师).
    year
        One school year, or ``None`` for every year of the 交流轮岗 table.
    weak
        学校标识码 of weak schools (default: from the resource indicators of each year).

    Returns
    -------
    pandas.DataFrame
        ``year, teacher_id, from_school_id, to_school_id, stage, subject, backbone_level,
        is_backbone, is_pe_art, from_/to_ school_name, township, urban_rural, to_weak,
        toward_rural, toward_target``.
    """
    years = _rotation_years(ds, year)
    rot = _rotations(ds)
    rot = rot[rot["year"].isin(years)][["year", "teacher_id", "from_school_id", "to_school_id"]].copy()
    t = _teachers(ds)[["teacher_id", "stage", "subject", "backbone_level", "is_backbone", "is_pe_art"]]
    rot = rot.merge(t, on="teacher_id", how="left")
    rot["is_backbone"] = rot["is_backbone"].fillna(False).astype(bool)
    rot["is_pe_art"] = rot["is_pe_art"].fillna(False).astype(bool)
    sch = _schools(ds)
    for side in ("from", "to"):
        rot = rot.merge(
            sch.rename(columns={c: f"{side}_{c}" for c in sch.columns if c != "school_id"}).rename(
                columns={"school_id": f"{side}_school_id"}
            ),
            on=f"{side}_school_id",
            how="left",
        )
    rot["year"] = rot["year"].astype(int)
    weak_by_year = {y: _weak(ds, y, weak) for y in years}
    rot["to_weak"] = [str(s) in weak_by_year[y] for y, s in zip(rot["year"], rot["to_school_id"])]
    sending = rot["from_urban_rural"].isin(SENDING_AREAS)
    rot["toward_rural"] = sending & (rot["to_urban_rural"] == "rural")
    rot["toward_target"] = sending & ((rot["to_urban_rural"] == "rural") | rot["to_weak"])
    return rot.reset_index(drop=True)


def rotation_summary(
    ds,
    *,
    year: int | None = None,
    by: str = "county",
    weak: Iterable[str] | None = None,
    settings: Settings | None = None,
    township: str | None = None,
) -> pd.DataFrame:
    """Rotations per year against the 400 target and the 10 % / 20 % ratios.

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗 and 教师).
    year
        One school year, or ``None`` for every year of the 交流轮岗 table (the trend).
    by
        ``"county"`` (one row per year), ``"township"`` or ``"school"``. For 镇街/学校 rows the
        ratios use the teachers the unit *sent* (``rotated_out``) and its own eligible teachers;
        ``rotated_in`` shows what it received. The 400 target applies to the county only.
    weak
        学校标识码 of weak schools (default: from the resource indicators).
    settings
        Run settings (eligibility rule).
    township
        With ``by="county"``: restrict to one 镇街 — rotations *sent* by its schools and its eligible
        teachers (``rotated_in`` adds what it received). With ``"township"``/``"school"``: keep
        that 镇街's rows. Run on the whole county's data set (not a subset) so that the other end of
        each rotation is known.

    Returns
    -------
    pandas.DataFrame
        County: ``year, rotated, toward_target, toward_rural, toward_weak, target, meets_target,
        eligible, rotation_share, meets_rotation_share, backbone_rotated, backbone_share,
        meets_backbone_share``. 镇街/学校: the unit columns, ``rotated_out, rotated_in`` and the same
        ratio columns (no target).
    """
    if by not in ("county", "township", "school"):
        raise DataError(f"汇总层级无效 (bad_by): {by}；可选 county、township、school")
    years = _rotation_years(ds, year)
    if not years:
        raise DataError("交流轮岗表为空 (empty_table): 交流轮岗")
    rec = rotation_records(ds, year=year, weak=weak)
    share_min = threshold("rotation_share_of_eligible")
    backbone_min = threshold("backbone_share_of_rotated")
    target = threshold("plan_rotations_per_year")
    sch = _schools(ds)
    rows = []
    for y in years:
        r = rec[rec["year"] == y]
        elig = eligible_teachers(ds, year=y, settings=settings).merge(sch, on="school_id", how="left")
        if by == "county":
            rotated_in = None
            if township is not None:
                rotated_in = int((r["to_township"] == township).sum())
                r = r[r["from_township"] == township]
                elig = elig[elig["township"] == township]
            rows.append(
                {
                    "year": y,
                    **({} if rotated_in is None else {"rotated_in": rotated_in}),
                    "rotated": len(r),
                    "toward_target": int(r["toward_target"].sum()),
                    "toward_rural": int(r["toward_rural"].sum()),
                    "toward_weak": int(r["to_weak"].sum()),
                    "target": int(target),
                    "eligible": len(elig),
                    "backbone_rotated": int(r["is_backbone"].sum()),
                }
            )
            continue
        key = by if by == "township" else "school_id"
        out_counts = r.groupby(f"from_{key}").agg(
            rotated_out=("teacher_id", "size"),
            backbone_rotated=("is_backbone", "sum"),
            toward_target=("toward_target", "sum"),
        )
        in_counts = r.groupby(f"to_{key}").agg(rotated_in=("teacher_id", "size"))
        el = elig.groupby(key).size().rename("eligible")
        units = sch[[key]].drop_duplicates() if by == "township" else sch.copy()
        g = units.set_index(key).join(el).join(out_counts).join(in_counts).fillna(0).reset_index()
        g.insert(0, "year", y)
        rows.extend(g.to_dict("records"))
    df = pd.DataFrame(rows)
    count_cols = [c for c in ("rotated", "rotated_out", "rotated_in", "toward_target", "toward_rural",
                              "toward_weak", "eligible", "backbone_rotated") if c in df.columns]
    for c in count_cols:
        df[c] = df[c].astype(int)
    sent = df["rotated"] if by == "county" else df["rotated_out"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["rotation_share"] = np.where(df["eligible"] > 0, sent / df["eligible"].where(df["eligible"] > 0), np.nan)
        df["backbone_share"] = np.where(sent > 0, df["backbone_rotated"] / sent.where(sent > 0), np.nan)
    df["meets_rotation_share"] = df["rotation_share"].fillna(0) >= share_min
    df["meets_backbone_share"] = df["backbone_share"].fillna(0) >= backbone_min
    if by == "county":
        df["meets_target"] = df["toward_target"] >= df["target"]
        order = ["year", "rotated", "toward_target", "toward_rural", "toward_weak", "target", "meets_target",
                 "eligible", "rotation_share", "meets_rotation_share", "backbone_rotated", "backbone_share",
                 "meets_backbone_share"]
        if township is not None:
            order.insert(2, "rotated_in")
        return df[order]
    if by == "township":
        df = df.sort_values(["year", "township"], key=_township_key).reset_index(drop=True)
    else:
        df = df.sort_values(["year", "township", "school_id"], key=_township_key).reset_index(drop=True)
    return for_township(df, township)


def _township_key(col: pd.Series) -> pd.Series:
    """Sort key: 街道 first, then by name (as :attr:`Dataset.townships_list`)."""
    if col.name == "township":
        return col.map(township_sort_key)
    return col


def direction_matrix(ds, *, year: int | None = None, township: str | None = None) -> pd.DataFrame:
    """Rotations of one year by 城乡分类, sending (rows) → receiving (columns).

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗).
    year
        School year (default: latest of the 交流轮岗 table).
    township
        Only rotations sent from or received by this 镇街's schools.

    Returns
    -------
    pandas.DataFrame
        Integer counts, index and columns ``城区, 镇区, 乡村`` (Chinese), with a 合计 row and column.
    """
    y = _one_rotation_year(ds, year)
    rot = _rotations(ds)
    rot = rot[rot["year"] == y]
    sch = _schools(ds)
    if township is not None:
        ids = set(sch.loc[sch["township"] == township, "school_id"])
        rot = rot[rot["from_school_id"].isin(ids) | rot["to_school_id"].isin(ids)]
    ur = sch.set_index("school_id")["urban_rural"]
    frm = rot["from_school_id"].map(ur)
    to = rot["to_school_id"].map(ur)
    mat = pd.crosstab(frm, to).reindex(index=list(AREA_ORDER), columns=list(AREA_ORDER), fill_value=0)
    mat = mat.astype(int)
    mat.index = [LABELS[a] for a in AREA_ORDER]
    mat.columns = [LABELS[a] for a in AREA_ORDER]
    mat.index.name = "派出学校"
    mat.columns.name = "接收学校"
    mat["合计"] = mat.sum(axis=1)
    mat.loc["合计"] = mat.sum(axis=0)
    return mat


def plot_direction(matrix: pd.DataFrame, *, kind: str = "alluvial", title: str | None = None):
    """Draw a :func:`direction_matrix` as a heat map or a two-column alluvial (flow) chart.

    Parameters
    ----------
    matrix
        Output of :func:`direction_matrix` (the 合计 row/column are ignored).
    kind
        ``"alluvial"`` (bands from sending to receiving, width ∝ count) or ``"heatmap"``.
    title
        Chart title (Chinese); a default is used when omitted.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    from jxedu.present import style as plotting

    m = matrix.drop(index="合计", columns="合计", errors="ignore")
    colors = {"城区": "#C44E52", "镇区": "#DD8452", "乡村": "#55A868"}
    if kind == "heatmap":
        fig, ax = plotting.new_figure(size="a4", title=title or "交流轮岗方向（派出 → 接收）")
        ax.grid(False)
        im = ax.imshow(m.to_numpy(), cmap="Blues")
        ax.set_xticks(range(m.shape[1]), m.columns)
        ax.set_yticks(range(m.shape[0]), m.index)
        ax.set_xlabel("接收学校城乡分类")
        ax.set_ylabel("派出学校城乡分类")
        vmax = max(int(m.to_numpy().max()), 1)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                v = int(m.iat[i, j])
                ax.text(j, i, f"{v}", ha="center", va="center", color="white" if v > vmax / 2 else "black")
        fig.colorbar(im, ax=ax, label="人数")
        return fig
    if kind != "alluvial":
        raise DataError(f"图表类型无效 (bad_kind): {kind}；可选 alluvial、heatmap")
    fig, ax = plotting.new_figure(size="a4", title=title or "交流轮岗流向（派出 → 接收）")
    ax.grid(False)
    ax.axis("off")
    total = float(m.to_numpy().sum()) or 1.0
    gap = 0.03
    width = 0.12
    # Left blocks (sending) and right blocks (receiving), top to bottom.
    left_tot = m.sum(axis=1)
    right_tot = m.sum(axis=0)

    def blocks(totals):
        pos, y = {}, 1.0
        for k, v in totals.items():
            h = v / total * (1 - gap * (len(totals) - 1))
            pos[k] = [y - h, y]
            y -= h + gap
        return pos

    lpos, rpos = blocks(left_tot), blocks(right_tot)
    lcur = {k: v[1] for k, v in lpos.items()}
    rcur = {k: v[1] for k, v in rpos.items()}
    for src in m.index:
        for dst in m.columns:
            v = float(m.loc[src, dst])
            if v <= 0:
                continue
            h = v / total * (1 - gap * (len(left_tot) - 1))
            l_top, r_top = lcur[src], rcur[dst]
            lcur[src] -= h
            rcur[dst] -= h
            x0, x1 = width, 1 - width
            xm = (x0 + x1) / 2
            verts = [
                (x0, l_top), (xm, l_top), (xm, r_top), (x1, r_top),
                (x1, r_top - h), (xm, r_top - h), (xm, l_top - h), (x0, l_top - h), (x0, l_top),
            ]
            codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4,
                     MplPath.LINETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
            ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=colors.get(src, "#999999"),
                                   alpha=0.45, edgecolor="none"))
    for pos, x, side in ((lpos, 0.0, "派出"), (rpos, 1 - width, "接收")):
        for k, (lo, hi) in pos.items():
            if hi - lo <= 0:
                continue
            ax.add_patch(Rectangle((x, lo), width, hi - lo, facecolor=colors.get(k, "#999999")))
            n = int(left_tot[k] if side == "派出" else right_tot[k])
            ax.text(x + width / 2, (lo + hi) / 2, f"{side}\n{k}\n{n}人", ha="center", va="center",
                    fontsize=8, color="white")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.02)
    return fig


def plot_rotation_trend(summary: pd.DataFrame, *, title: str | None = None):
    """Bar chart of rotations per year (county :func:`rotation_summary`) with the 400 target.

    Parameters
    ----------
    summary
        County-level output of :func:`rotation_summary` (``year=None`` for the trend).
    title
        Chart title (Chinese).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from jxedu.present import style as plotting

    fig, ax = plotting.new_figure(size="a4", title=title or "交流轮岗人数与目标")
    x = summary["year"].astype(int).astype(str)
    ax.bar(x, summary["rotated"], color=plotting.NEUTRAL_COLOR, label="交流轮岗总人数")
    ax.bar(x, summary["toward_target"], color=plotting.STAGE_COLORS["primary"], width=0.5,
           label="城镇→乡村/薄弱学校")
    ax.axhline(float(summary["target"].iloc[0]), color=plotting.THRESHOLD_COLOR, linestyle="--",
               label=f"目标 {int(summary['target'].iloc[0])} 人")
    ax.set_xlabel("学年")
    ax.set_ylabel("人数")
    ax.legend(loc="upper left", fontsize=8)
    return fig


# --- do rotations fill the gaps? -----------------------------------------------------------


def _units(ds, year: int) -> pd.DataFrame:
    """Compulsory-stage units of 学段统计 in ``year`` with PE/art and backbone counts."""
    st = ds.stage_stats
    st = st[(st["year"] == year) & st["stage"].isin(COMPULSORY)].copy()
    st["pe_art"] = st["pe_teachers"] + st["music_teachers"] + st["art_teachers"]
    return st[["school_id", "stage", "students", "teachers", "pe_art", "backbone_teachers"]].rename(
        columns={"backbone_teachers": "backbone"}
    )


def _unit_stage(units: pd.DataFrame, school_ids: pd.Series, stages: pd.Series) -> pd.Series:
    """Stage of the receiving unit: the teacher's stage if the school teaches it, else its first."""
    have = set(zip(units["school_id"], units["stage"]))
    first = units.sort_values("stage", key=lambda s: s.map({"primary": 0, "junior": 1})).drop_duplicates(
        "school_id").set_index("school_id")["stage"]
    return pd.Series(
        [st if (sid, st) in have else first.get(sid, st) for sid, st in zip(school_ids, stages)],
        index=school_ids.index,
    )


def _gap_status(before: pd.Series, after: pd.Series, thr: float) -> pd.Series:
    status = np.where(
        before >= thr, "no_gap", np.where(after >= thr, "closed", np.where(after > before, "narrowed", "open"))
    )
    return pd.Series(status, index=before.index)


def gap_filling(ds, *, year: int | None = None, weak: Iterable[str] | None = None) -> pd.DataFrame:
    """Whether the year's rotations fill the PE/art and backbone gaps of the receiving schools.

    For every receiving unit (school × 学段): PE/art teachers per 100 students and backbone teachers
    per 100 students before (学段统计 of the year) and after counting the rotated-in teachers, with a
    status each against 0.9 (``pe_art_teachers_per_100``) and 1.0 (``backbone_teachers_per_100``):
    无缺口 (already met), 已补齐 (closed), 缩小 (narrowed), 未改善 (open).

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗, 教师, 学段统计).
    year
        School year (default: latest of 交流轮岗).
    weak
        Weak schools override (see :func:`rotation_records`).

    Returns
    -------
    pandas.DataFrame
        One row per receiving unit, sorted by status then school.
    """
    y = _one_rotation_year(ds, year)
    rec = rotation_records(ds, year=y, weak=weak)
    units = _units(ds, _stats_year(ds, y))
    rec = rec.assign(unit_stage=_unit_stage(units, rec["to_school_id"], rec["stage"].fillna("primary")))
    got = rec.groupby(["to_school_id", "unit_stage"]).agg(
        rotated_in=("teacher_id", "size"),
        rotated_in_pe_art=("is_pe_art", "sum"),
        rotated_in_backbone=("is_backbone", "sum"),
    ).reset_index().rename(columns={"to_school_id": "school_id", "unit_stage": "stage"})
    df = got.merge(units, on=["school_id", "stage"], how="left")
    df["students"] = df["students"].fillna(0).astype(int)
    for c in ("pe_art", "backbone"):
        df[c] = df[c].fillna(0).astype(int)
    per100 = 100.0 / df["students"].where(df["students"] > 0)
    df["pe_art_before"] = df["pe_art"]
    df["pe_art_after"] = df["pe_art"] + df["rotated_in_pe_art"].astype(int)
    df["backbone_before"] = df["backbone"]
    df["backbone_after"] = df["backbone"] + df["rotated_in_backbone"].astype(int)
    for k in ("pe_art", "backbone"):
        df[f"{k}_per_100_before"] = df[f"{k}_before"] * per100
        df[f"{k}_per_100_after"] = df[f"{k}_after"] * per100
    pe_thr = {st: threshold("pe_art_teachers_per_100", st) for st in COMPULSORY}
    bb_thr = {st: threshold("backbone_teachers_per_100", st) for st in COMPULSORY}
    df["pe_art_gap_status"] = "no_gap"
    df["backbone_gap_status"] = "no_gap"
    for st in COMPULSORY:
        m = df["stage"] == st
        df.loc[m, "pe_art_gap_status"] = _gap_status(
            df.loc[m, "pe_art_per_100_before"].fillna(np.inf), df.loc[m, "pe_art_per_100_after"].fillna(np.inf),
            pe_thr[st])
        df.loc[m, "backbone_gap_status"] = _gap_status(
            df.loc[m, "backbone_per_100_before"].fillna(np.inf),
            df.loc[m, "backbone_per_100_after"].fillna(np.inf), bb_thr[st])
    df = df.merge(_schools(ds), on="school_id", how="left")
    df["to_weak"] = df["school_id"].astype(str).isin(_weak(ds, y, weak))
    df.insert(0, "year", y)
    cols = ["year", "township", "school_id", "school_name", "urban_rural", "to_weak", "stage", "students",
            "rotated_in", "rotated_in_pe_art", "rotated_in_backbone",
            "pe_art_before", "pe_art_after", "pe_art_per_100_before", "pe_art_per_100_after", "pe_art_gap_status",
            "backbone_before", "backbone_after", "backbone_per_100_before", "backbone_per_100_after",
            "backbone_gap_status"]
    for c in ("rotated_in", "rotated_in_pe_art", "rotated_in_backbone"):
        df[c] = df[c].astype(int)
    order = {"closed": 0, "narrowed": 1, "open": 2, "no_gap": 3}
    df = df.sort_values(["pe_art_gap_status", "school_id"], key=lambda s: s.map(order) if s.name.endswith(
        "status") else s)
    return df[cols].reset_index(drop=True)


# --- flow map ------------------------------------------------------------------------------


def flow_map(ds, *, year: int | None = None, weak: Iterable[str] | None = None, township: str | None = None):
    """Folium map of one year's rotations: a line per sending → receiving pair, width ∝ count.

    Tooltips are Chinese (学校名称, 人数, 骨干/体育艺术人数); every data text is HTML-escaped.
    Receiving schools that are weak are drawn with a red ring.

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗).
    year
        School year (default: latest of 交流轮岗).
    weak
        Weak schools override.
    township
        Only rotations sent from or received by this 镇街's schools.

    Returns
    -------
    folium.Map
    """
    import folium

    y = _one_rotation_year(ds, year)
    rec = for_township(rotation_records(ds, year=y, weak=weak), township)
    pos = pd.DataFrame(ds.schools[["school_id", "lat", "lon"]]).set_index("school_id")
    pairs = rec.groupby(["from_school_id", "to_school_id"]).agg(
        n=("teacher_id", "size"), backbone=("is_backbone", "sum"), pe_art=("is_pe_art", "sum"),
        from_name=("from_school_name", "first"), to_name=("to_school_name", "first"),
        to_weak=("to_weak", "first"),
    ).reset_index()
    center = [float(pos["lat"].mean()), float(pos["lon"].mean())]
    fmap = _base_map(ds, center, title=f"{y}学年交流轮岗流向图")
    colours = {"urban": "#C44E52", "town": "#DD8452", "rural": "#55A868"}
    fg_lines = folium.FeatureGroup(name=f"{y}学年交流轮岗流向")
    for r in pairs.itertuples(index=False):
        if r.from_school_id not in pos.index or r.to_school_id not in pos.index:
            continue
        a = pos.loc[r.from_school_id]
        b = pos.loc[r.to_school_id]
        tip = (
            f"派出：{html.escape(str(r.from_name))} → 接收：{html.escape(str(r.to_name))}<br>"
            f"{int(r.n)} 人（骨干 {int(r.backbone)} 人，体育艺术 {int(r.pe_art)} 人）"
            + ("<br>接收学校为薄弱学校" if r.to_weak else "")
        )
        folium.PolyLine(
            [[float(a["lat"]), float(a["lon"])], [float(b["lat"]), float(b["lon"])]],
            weight=1.5 + 2.0 * math.sqrt(int(r.n)),
            color="#2F4B7C",
            opacity=0.6,
            tooltip=folium.Tooltip(tip),
        ).add_to(fg_lines)
    fg_lines.add_to(fmap)
    fg_sch = folium.FeatureGroup(name="派出 / 接收学校")
    involved = set(pairs["from_school_id"]) | set(pairs["to_school_id"])
    sch = _schools(ds).set_index("school_id")
    weak_set = set(pairs.loc[pairs["to_weak"], "to_school_id"])
    out_n = pairs.groupby("from_school_id")["n"].sum()
    in_n = pairs.groupby("to_school_id")["n"].sum()
    for sid in sorted(involved):
        if sid not in pos.index:
            continue
        ur = sch.loc[sid, "urban_rural"]
        tip = (
            f"{html.escape(str(sch.loc[sid, 'school_name']))}（{LABELS.get(ur, html.escape(str(ur)))}）<br>"
            f"派出 {int(out_n.get(sid, 0))} 人，接收 {int(in_n.get(sid, 0))} 人"
        )
        folium.CircleMarker(
            [float(pos.loc[sid, "lat"]), float(pos.loc[sid, "lon"])],
            radius=5,
            color="#C62828" if sid in weak_set else colours.get(ur, "#777777"),
            weight=3 if sid in weak_set else 1,
            fill=True,
            fill_color=colours.get(ur, "#777777"),
            fill_opacity=0.9,
            tooltip=folium.Tooltip(tip),
        ).add_to(fg_sch)
    fg_sch.add_to(fmap)
    legend = (
        "<div style='position: fixed; bottom: 20px; left: 20px; z-index: 9999; background: white;"
        " padding: 6px 10px; border: 1px solid #999; font-size: 12px;'>"
        f"<b>{y}学年交流轮岗（派出 → 接收）</b><br>"
        "<span style='color:#C44E52'>●</span> 城区学校 "
        "<span style='color:#DD8452'>●</span> 镇区学校 "
        "<span style='color:#55A868'>●</span> 乡村学校<br>"
        "红色外圈：薄弱学校；线宽：交流人数</div>"
    )
    fmap.get_root().html.add_child(folium.Element(legend))
    folium.LayerControl(collapsed=True).add_to(fmap)
    used_pos = pos.loc[[s for s in involved if s in pos.index]]
    if len(used_pos):
        fmap.fit_bounds([[float(used_pos["lat"].min()), float(used_pos["lon"].min())],
                         [float(used_pos["lat"].max()), float(used_pos["lon"].max())]])
    return fmap


def _base_map(ds, center, *, title: str | None = None):
    """The maps helper's OpenStreetMap base map (offline-capable) when available, else plain folium.

    Points are drawn in WGS-84, so only a WGS-84 base map (OpenStreetMap) is used here.
    """
    import folium

    try:
        from jxedu.present import maps
    except ImportError:
        maps = None
    if maps is not None and hasattr(maps, "base_map"):
        m = maps.base_map(basemap="osm", title=title)
        m.location = center
        return m
    return folium.Map(location=center, zoom_start=11, tiles="OpenStreetMap", control_scale=True)


# --- planning the next year ------------------------------------------------------------------


def pe_art_needs(ds, *, year: int | None = None, plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """PE/art teachers each school unit must hire or receive to reach 0.9 per 100 students.

    ``required = ceil(0.9 × students / 100)`` (``plan_pe_art_per_100_every_school``), ``need =
    max(required − have, 0)``; with a ``plan`` from :func:`plan_next_year` the PE/art teachers it
    sends to the unit are ``planned_in`` and ``to_hire = max(need − planned_in, 0)``.

    Parameters
    ----------
    ds
        The data set.
    year
        School year of 学段统计 (default latest).
    plan
        Optional plan of :func:`plan_next_year`.

    Returns
    -------
    pandas.DataFrame
        ``township, school_id, school_name, urban_rural, stage, students, pe_art, pe_art_per_100,
        required, need, planned_in, to_hire``; units with a need first (largest first).
    """
    y = ds.year_or_latest(year)
    thr = threshold("plan_pe_art_per_100_every_school")
    u = _units(ds, y)
    u = u[u["students"] > 0].copy()
    u["pe_art_per_100"] = u["pe_art"] * 100.0 / u["students"]
    u["required"] = ceil_count(thr * u["students"] / 100.0).astype(int)
    u["need"] = (u["required"] - u["pe_art"]).clip(lower=0).astype(int)
    if plan is not None and len(plan):
        p = plan[plan["is_pe_art"]].groupby(["to_school_id", "to_stage"]).size().rename("planned_in")
        p.index.names = ["school_id", "stage"]
        u = u.merge(p.reset_index(), on=["school_id", "stage"], how="left")
    else:
        u["planned_in"] = 0
    u["planned_in"] = u["planned_in"].fillna(0).astype(int)
    u["to_hire"] = (u["need"] - u["planned_in"]).clip(lower=0).astype(int)
    u = u.merge(_schools(ds), on="school_id", how="left")
    cols = ["township", "school_id", "school_name", "urban_rural", "stage", "students", "pe_art",
            "pe_art_per_100", "required", "need", "planned_in", "to_hire"]
    return u.sort_values(["need", "school_id"], ascending=[False, True])[cols].reset_index(drop=True)


def plan_next_year(
    ds,
    *,
    year: int | None = None,
    target: int | None = None,
    settings: Settings | None = None,
    weak: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Propose the next school year's rotations: who could go where (教师编号 only, never names).

    The rule (greedy, largest gaps first; every step is deterministic):

    1. **Size.** Plan year ``P = year + 1``. Eligible teachers are those of :func:`eligible_teachers`
       for ``P``, minus teachers already rotating in ``year``. The plan needs
       ``n = max(target, ceil(10 % × eligible))`` teachers (target default 400,
       ``plan_rotations_per_year``) of whom ``ceil(20 % × n)`` backbone.
    2. **Who may go.** Eligible teachers of 城区/镇区 schools that are not weak, of 小学/初中. A
       sending unit keeps at least 0.9 PE/art and 1.0 backbone teachers per 100 students: it gives
       only PE/art (backbone) teachers above ``ceil(0.9 × students / 100)``
       (``ceil(1.0 × students / 100)``).
    3. **Where to.** Receiving units are the 小学/初中 units of 乡村 schools and of weak schools; the
       teacher's 任教学段 must match the unit.
    4. **Phase 1 — PE/art:** while some receiving unit is below 0.9 PE/art teachers per 100 students,
       the unit with the lowest value gets an eligible PE/art teacher.
    5. **Phase 2 — backbone:** while some unit is below 1.0 backbone per 100, the lowest gets an
       eligible backbone teacher; then, until the 20 % share is reached, the unit with the lowest
       backbone per 100 gets one.
    6. **Phase 3 — the rest:** until ``n`` is reached, the unit with the most students per 专任教师
       (counting teachers already planned in) gets an eligible teacher of its stage.

    Within a step the teacher comes from a sending school of the same 镇街 when there is one, else
    from the sending unit with the most spare teachers of the kind; ties by 教师编号.

    Parameters
    ----------
    ds
        The data set (needs 教师 and 学段统计; 交流轮岗 optional).
    year
        Base school year (default latest of 学段统计); the plan is for ``year + 1``.
    target
        Rotations wanted (default the plan's 400).
    settings
        Run settings (eligibility rule).
    weak
        Weak schools override (default from the resource indicators of ``year``).

    Returns
    -------
    pandas.DataFrame
        One row per proposed rotation: ``order, plan_year, teacher_id, subject, stage, backbone_level,
        is_backbone, is_pe_art, from_school_id, from_school, from_township, from_urban_rural,
        to_school_id, to_school, to_township, to_urban_rural, to_weak, to_stage, reason``.
        ``df.attrs["summary"]`` holds the totals (see :func:`plan_summary`).
    """
    y = ds.year_or_latest(year)
    plan_year = y + 1
    target = int(threshold("plan_rotations_per_year") if target is None else target)
    if target < 0:
        raise DataError(f"目标人数不能为负 (bad_target): {target}")
    share_min = threshold("rotation_share_of_eligible")
    backbone_min = threshold("backbone_share_of_rotated")
    pe_thr = threshold("plan_pe_art_per_100_every_school")
    bb_thr = {st: threshold("backbone_teachers_per_100", st) for st in COMPULSORY}
    weak_set = _weak(ds, y, weak)

    elig = eligible_teachers(ds, year=plan_year, settings=settings)
    if ds.rotations is not None:
        busy = set(ds.rotations.loc[ds.rotations["year"] == y, "teacher_id"])
        elig = elig[~elig["teacher_id"].isin(busy)]
    n_eligible = len(elig)
    n_needed = max(target, ceil_count(share_min * n_eligible))
    bb_needed = ceil_count(backbone_min * n_needed)

    sch = _schools(ds).set_index("school_id")
    units = _units(ds, y).merge(sch, left_on="school_id", right_index=True, how="left")
    units = units[units["students"] > 0]
    units["weak"] = units["school_id"].astype(str).isin(weak_set)
    send_mask = units["urban_rural"].isin(SENDING_AREAS) & ~units["weak"]
    recv = units[(units["urban_rural"] == "rural") | units["weak"]].copy()
    send = units[send_mask].copy()

    # Sending units: spare PE/art and backbone teachers.
    spare_pe = {(r.school_id, r.stage): int(r.pe_art - ceil_count(pe_thr * r.students / 100.0))
                for r in send.itertuples()}
    spare_bb = {(r.school_id, r.stage): int(r.backbone - ceil_count(bb_thr[r.stage] * r.students / 100.0))
                for r in send.itertuples()}
    send_keys = set(spare_pe)
    pool = elig.assign(key=list(zip(elig["school_id"], elig["stage"])))
    pool = pool[pool["key"].isin(send_keys)].sort_values("teacher_id")
    pool = pool.merge(sch[["township"]], left_on="school_id", right_index=True, how="left")
    teachers = {r.teacher_id: r for r in pool.itertuples(index=False)}
    used: set[str] = set()

    # Receiving units state.
    state = {
        (r.school_id, r.stage): {
            "students": int(r.students), "teachers": int(r.teachers), "pe_art": int(r.pe_art),
            "backbone": int(r.backbone), "township": r.township,
        }
        for r in recv.itertuples()
    }
    plan_rows: list[dict] = []

    def candidates(stage: str, kind: str, township: str):
        """Best free teacher of a stage and kind (pe_art / backbone / any) for a receiving 镇街."""
        best, best_key = None, None
        for tid, t in teachers.items():
            if tid in used or t.stage != stage:
                continue
            k = (t.school_id, t.stage)
            if kind == "pe_art" and not t.is_pe_art:
                continue
            if kind == "backbone" and not t.is_backbone:
                continue
            # PE/art and backbone teachers leave only from a sending unit's spare (any phase).
            if t.is_pe_art and spare_pe[k] <= 0:
                continue
            if t.is_backbone and spare_bb[k] <= 0:
                continue
            spare = spare_pe[k] if kind == "pe_art" else spare_bb[k] if kind == "backbone" else 0
            plain = 0 if (kind != "any" or not (t.is_pe_art or t.is_backbone)) else 1
            rank = (plain, t.township != township, -spare, tid)
            if best_key is None or rank < best_key:
                best, best_key = t, rank
        return best

    def assign(unit, t, reason):
        used.add(t.teacher_id)
        k = (t.school_id, t.stage)
        if t.is_pe_art:
            spare_pe[k] -= 1
        if t.is_backbone:
            spare_bb[k] -= 1
        s = state[unit]
        s["teachers"] += 1
        s["pe_art"] += int(t.is_pe_art)
        s["backbone"] += int(t.is_backbone)
        plan_rows.append({"teacher_id": t.teacher_id, "to_school_id": unit[0], "to_stage": unit[1],
                          "reason": reason})

    def per100(unit, field):
        s = state[unit]
        return s[field] * 100.0 / s["students"]

    def run_phase(kind, score, still_open, reason, stop):
        """Pop the unit with the lowest score while it is open and candidates exist."""
        heap = [(score(u), u) for u in state if still_open(u)]
        heapq.heapify(heap)
        while heap and not stop():
            sc, u = heapq.heappop(heap)
            if sc != score(u):  # stale entry
                if still_open(u):
                    heapq.heappush(heap, (score(u), u))
                continue
            t = candidates(u[1], kind, state[u]["township"])
            if t is None:
                continue  # nobody of this stage and kind left for this unit
            assign(u, t, reason)
            if still_open(u):
                heapq.heappush(heap, (score(u), u))

    def full():
        return len(plan_rows) >= n_needed

    def backbone_count():
        return sum(bool(teachers[r["teacher_id"]].is_backbone) for r in plan_rows)

    run_phase("pe_art", lambda u: per100(u, "pe_art"), lambda u: per100(u, "pe_art") < pe_thr - 1e-9,
              "补体育艺术教师缺口（每百生低于0.9）", full)
    run_phase("backbone", lambda u: per100(u, "backbone"),
              lambda u: per100(u, "backbone") < bb_thr[u[1]] - 1e-9, "补骨干教师缺口（每百生低于1.0）", full)
    run_phase("backbone", lambda u: per100(u, "backbone"), lambda u: True, "达到骨干教师占比20%",
              lambda: full() or backbone_count() >= bb_needed)

    def pupils_per_teacher(u):
        s = state[u]
        return -s["students"] / max(s["teachers"], 1)

    run_phase("any", pupils_per_teacher, lambda u: True, "补充师资（生师比较高）", full)

    plan = pd.DataFrame(plan_rows, columns=["teacher_id", "to_school_id", "to_stage", "reason"])
    plan.insert(0, "order", np.arange(1, len(plan) + 1))
    plan.insert(1, "plan_year", plan_year)
    tcols = pool.set_index("teacher_id")[["subject", "stage", "backbone_level", "is_backbone", "is_pe_art",
                                          "school_id"]]
    plan = plan.join(tcols, on="teacher_id").rename(columns={"school_id": "from_school_id"})
    for side in ("from", "to"):
        plan = plan.join(
            sch[["school_name", "township", "urban_rural"]].rename(
                columns={"school_name": f"{side}_school", "township": f"{side}_township",
                         "urban_rural": f"{side}_urban_rural"}),
            on=f"{side}_school_id",
        )
    plan["to_weak"] = plan["to_school_id"].astype(str).isin(weak_set)
    plan["is_backbone"] = plan["is_backbone"].astype(bool)
    plan["is_pe_art"] = plan["is_pe_art"].astype(bool)
    cols = ["order", "plan_year", "teacher_id", "subject", "stage", "backbone_level", "is_backbone", "is_pe_art",
            "from_school_id", "from_school", "from_township", "from_urban_rural", "to_school_id", "to_school",
            "to_township", "to_urban_rural", "to_weak", "to_stage", "reason"]
    plan = plan[cols]
    n_bb = int(plan["is_backbone"].sum())
    plan.attrs["summary"] = {
        "plan_year": plan_year,
        "target": target,
        "eligible": n_eligible,
        "needed": n_needed,
        "planned": len(plan),
        "shortfall": max(n_needed - len(plan), 0),
        "rotation_share": len(plan) / n_eligible if n_eligible else float("nan"),
        "backbone_needed": bb_needed,
        "backbone_planned": n_bb,
        "backbone_share": n_bb / len(plan) if len(plan) else float("nan"),
    }
    return plan


def plan_summary(plan: pd.DataFrame) -> pd.DataFrame:
    """The totals of a :func:`plan_next_year` plan as a small Chinese table (项目, 数值).

    Parameters
    ----------
    plan
        Output of :func:`plan_next_year`.

    Returns
    -------
    pandas.DataFrame
    """
    s = plan.attrs.get("summary")
    if s is None:
        raise DataError("计划表缺少汇总信息 (missing_summary)：请使用 plan_next_year 的结果")
    rows = [
        ("计划学年", s["plan_year"]),
        ("目标人数（县计划）", s["target"]),
        ("符合交流条件人数", s["eligible"]),
        ("需交流人数（目标与10%取大）", s["needed"]),
        ("计划交流人数", s["planned"]),
        ("尚缺人数", s["shortfall"]),
        ("交流比例", f"{s['rotation_share']:.1%}" if s["eligible"] else "—"),
        ("需骨干教师人数（20%）", s["backbone_needed"]),
        ("计划骨干教师人数", s["backbone_planned"]),
        ("骨干占比", f"{s['backbone_share']:.1%}" if s["planned"] else "—"),
    ]
    return pd.DataFrame(rows, columns=["项目", "数值"]).astype({"数值": str})


# --- training and honours --------------------------------------------------------------------


def training_honours(ds, *, year: int | None = None) -> dict[str, pd.DataFrame]:
    """Training completion (5 years, 360 学时) and 最美教师 per year against the plan's ≥ 100.

    Parameters
    ----------
    ds
        The data set (needs 教师 for the roster figures; 学段统计's optional
        完成360学时培训教师数 gives the per-year trend when filled).
    year
        Last year of the honours series (default latest of 学段统计).

    Returns
    -------
    dict
        ``"training"``: per 镇街 and 全县 from the roster's 小学/初中 teachers (as assurance item 9;
        高中部 teachers are outside the rule) — ``township, teachers, trained, trained_share,
        meets_training`` (trained = 近五年培训学时 ≥ ``training_hours_required``; an empty cell counts
        as not trained). ``"training_trend"``: per year from the 小学/初中 rows of 学段统计 —
        ``year, teachers, trained, trained_share, meets_training`` (empty when the column is
        empty). ``"honours"``: per year from the first 最美教师年份 (or the first data year) to
        ``year`` — ``year, honoured, target, meets_honours``.
    """
    y = ds.year_or_latest(year)
    t = _teachers(ds)
    t = t[t["stage"].isin(COMPULSORY)].copy()  # 专任教师 of 小学/初中, as assurance item 9
    hours_req = threshold("training_hours_required")
    share_req = threshold("training_completion")
    target = int(threshold("plan_honoured_teachers_per_year"))
    hours = t["training_hours"] if "training_hours" in t else pd.Series(np.nan, index=t.index)
    t["trained"] = pd.to_numeric(hours, errors="coerce").astype(float).fillna(0) >= hours_req
    t = t.merge(_schools(ds)[["school_id", "township"]], on="school_id", how="left")
    g = t.groupby("township").agg(teachers=("teacher_id", "size"), trained=("trained", "sum")).reset_index()
    g = pd.concat(
        [g, pd.DataFrame([{"township": COUNTY_ROW, "teachers": int(g["teachers"].sum()),
                           "trained": int(g["trained"].sum())}])],
        ignore_index=True,
    )
    g["trained"] = g["trained"].astype(int)
    g["trained_share"] = g["trained"] / g["teachers"].where(g["teachers"] > 0)
    g["meets_training"] = g["trained_share"].fillna(0) >= share_req - 1e-12
    g = g.sort_values("township", key=lambda s: s.map(township_sort_key)).reset_index(drop=True)

    st = ds.stage_stats
    trend = pd.DataFrame(columns=["year", "teachers", "trained", "trained_share", "meets_training"])
    if "trained_teachers" in st and st["trained_teachers"].notna().any():
        s2 = st[st["trained_teachers"].notna() & st["stage"].isin(COMPULSORY)]
        trend = s2.groupby("year").agg(teachers=("teachers", "sum"), trained=("trained_teachers", "sum")).reset_index()
        trend["trained_share"] = trend["trained"] / trend["teachers"].where(trend["teachers"] > 0)
        trend["meets_training"] = trend["trained_share"].fillna(0) >= share_req - 1e-12

    roster = _teachers(ds)  # 最美教师 may teach any stage
    hy = (pd.to_numeric(roster["honour_year"], errors="coerce").dropna().astype(int) if "honour_year" in roster
          else pd.Series([], dtype=int))
    first = int(min(hy.min(), y)) if len(hy) else ds.years[0]
    years = list(range(first, y + 1))
    counts = hy.value_counts()
    honours = pd.DataFrame({"year": years, "honoured": [int(counts.get(v, 0)) for v in years]})
    honours["target"] = target
    honours["meets_honours"] = honours["honoured"] >= target
    return {"training": g, "training_trend": trend, "honours": honours}


def key_figures(ds, *, year: int | None = None, weak: Iterable[str] | None = None,
                settings: Settings | None = None, township: str | None = None) -> str:
    """The year's key rotation figures as short Chinese text (for notebooks and reports).

    Parameters
    ----------
    ds
        The data set (needs 交流轮岗 and 教师).
    year
        School year (default latest of 交流轮岗).
    weak, settings, township
        As :func:`rotation_summary` (with ``township`` the figures are those the 镇街 sent; the
        400 target is county-wide).

    Returns
    -------
    str
        Lines: rotations vs the target, eligible teachers, the 10 % and 20 % ratios.
    """
    y = _one_rotation_year(ds, year)
    r = rotation_summary(ds, year=y, weak=weak, settings=settings, township=township).iloc[0]

    def ok(flag) -> str:
        return "达标" if bool(flag) else "未达标"

    share = "—" if pd.isna(r["rotation_share"]) else f"{r['rotation_share']:.1%}"
    bshare = "—" if pd.isna(r["backbone_share"]) else f"{r['backbone_share']:.1%}"
    head = f"学年：{y}" + (f"（{township}，按派出学校统计；400 人为全县目标）" if township else "")
    extra = [f"接收交流教师：{int(r['rotated_in'])} 人"] if township else []
    return "\n".join([
        head,
        *extra,
        f"交流轮岗教师：{int(r['rotated'])} 人，其中城镇→乡村/薄弱学校 {int(r['toward_target'])} 人"
        f"（目标 ≥ {int(r['target'])} 人，{ok(r['meets_target'])}）",
        f"符合交流条件教师：{int(r['eligible'])} 人",
        f"交流比例：{share}（要求 ≥ 10%，{ok(r['meets_rotation_share'])}）",
        f"骨干教师：{int(r['backbone_rotated'])} 人，占交流人数 {bshare}（要求 ≥ 20%，{ok(r['meets_backbone_share'])}）",
    ])
