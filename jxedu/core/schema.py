"""The bureau's data format, as data: tables, their Chinese headers, types and rules.

This module is the single description of the input format. The loader (:mod:`jxedu.ingest.reader`), the
validator (:mod:`jxedu.ingest.checks`), the blank templates and the demo data generator all read it.

Column values of categorical columns are stored under English codes (``primary``, ``rural`` …);
:data:`LABELS` turns a code back into the Chinese word a planner reads.

Conventions
-----------
* ``year`` (学年) is the calendar year in which the school year starts: 2024 means 2024–2025.
  The loader accepts ``2024``, ``2024-2025``, ``2024学年`` and ``2024—2025学年``.
* Counts are non-negative integers; areas in ㎡; money in the unit the header names.
* Personal data columns (:data:`PERSONAL_COLUMNS`) are dropped on load, never stored or shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- categorical vocabularies (Chinese input value -> English code) -------------------------

SCHOOL_TYPES: dict[str, str] = {
    "小学": "primary",
    "初中": "junior",
    "九年一贯制学校": "nine_year",
    "十二年一贯制学校": "twelve_year",
    "完全中学": "complete_middle",
    "教学点": "teaching_point",
}
STAGES: dict[str, str] = {"小学": "primary", "初中": "junior", "高中": "senior"}
URBAN_RURAL: dict[str, str] = {"城区": "urban", "镇区": "town", "乡村": "rural"}
CRS_NAMES: dict[str, str] = {"WGS84": "WGS84", "GCJ02": "GCJ02", "BD09": "BD09", "CGCS2000": "CGCS2000"}
YES_NO: dict[str, bool] = {"是": True, "否": False}
ROOM_TYPES: dict[str, str] = {"音乐": "music", "美术": "art"}
GENDERS: dict[str, str] = {"男": "male", "女": "female"}
EDUCATION: dict[str, str] = {
    "高中及以下": "secondary",
    "中专": "secondary",
    "专科": "associate",
    "本科": "bachelor",
    "研究生": "postgraduate",
}
BACKBONE_LEVELS: dict[str, str] = {"无": "none", "县级": "county", "市级": "city", "省级": "province"}
VILLAGE_KINDS: dict[str, str] = {"村": "village", "社区": "community"}

#: Extra spellings accepted for categorical values (normalised before lookup).
ALIASES: dict[str, str] = {
    "九年一贯制": "九年一贯制学校",
    "十二年一贯制": "十二年一贯制学校",
    "小学教学点": "教学点",
    "初级中学": "初中",
    "WGS-84": "WGS84",
    "GCJ-02": "GCJ02",
    "CGCS-2000": "CGCS2000",
    "BD-09": "BD09",
    "Y": "是",
    "N": "否",
    "有": "是",
    "无证": "否",
    "大专": "专科",
    "硕士": "研究生",
    "博士": "研究生",
    "硕士研究生": "研究生",
    "博士研究生": "研究生",
    "大学本科": "本科",
    "高中": "高中",
}

#: English code -> Chinese label, for every vocabulary (for display).
LABELS: dict[str, str] = {}
for _vocab in (SCHOOL_TYPES, STAGES, URBAN_RURAL, ROOM_TYPES, GENDERS, BACKBONE_LEVELS, VILLAGE_KINDS):
    for _zh, _code in _vocab.items():
        LABELS.setdefault(_code, _zh)
LABELS.update({"secondary": "中专及以下", "associate": "专科", "bachelor": "本科", "postgraduate": "研究生"})

#: Stages a school type teaches, in the order of its 部.
STAGES_OF_TYPE: dict[str, tuple[str, ...]] = {
    "primary": ("primary",),
    "teaching_point": ("primary",),
    "junior": ("junior",),
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior", "senior"),
    "complete_middle": ("junior", "senior"),
}

#: The compulsory-education stages (义务教育): the ones the indicators, access and class caps cover.
COMPULSORY_STAGES: tuple[str, ...] = ("primary", "junior")

#: Grades of each stage (年级 1–6 小学, 7–9 初中, 10–12 高中).
GRADES_OF_STAGE: dict[str, tuple[int, ...]] = {
    "primary": (1, 2, 3, 4, 5, 6),
    "junior": (7, 8, 9),
    "senior": (10, 11, 12),
}


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    Parameters
    ----------
    key
        English name in the loaded frame.
    zh
        Chinese header as in the bureau's spreadsheets (and the templates).
    kind
        ``"str"``, ``"int"`` (non-negative count unless ``min`` says otherwise), ``"float"``,
        ``"year"`` (学年), ``"bool"`` (是/否), ``"cat"`` (uses ``vocab``), ``"date"``.
    required
        The column must be present (a missing optional column is filled with nulls).
    nullable
        Empty cells are allowed.
    vocab
        Allowed Chinese values -> English codes, for ``kind="cat"``.
    min, max
        Inclusive bounds for numbers.
    unit
        Unit shown to the planner (``"㎡"``, ``"万元"``, ``"人"`` …).
    """

    key: str
    zh: str
    kind: str = "str"
    required: bool = True
    nullable: bool = False
    vocab: dict | None = None
    min: float | None = None
    max: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class Table:
    """One input table.

    Parameters
    ----------
    key
        English name: the attribute of :class:`jxedu.core.dataset.Dataset`.
    zh
        Chinese name: sheet name in a workbook, file stem in a folder.
    columns
        Its columns.
    primary_key
        Columns that identify a row uniquely.
    required
        Whether every data set must have this table.
    references
        ``{column: (table, column)}``: values that must exist in another table.
    parts
        ``(part, whole)`` pairs: ``part`` must not exceed ``whole`` in the same row.
    """

    key: str
    zh: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    required: bool = False
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    parts: tuple[tuple[str, str], ...] = ()

    def column(self, key: str) -> Column:
        """Return the column with English key ``key``."""
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def _count(key: str, zh: str, **kw) -> Column:
    return Column(key, zh, "int", min=0, unit=kw.pop("unit", "人"), **kw)


_YEAR = Column("year", "学年", "year", min=1990, max=2100)
_SCHOOL = Column("school_id", "学校标识码")

SCHOOLS = Table(
    "schools",
    "学校",
    (
        _SCHOOL,
        Column("name", "学校名称"),
        Column("school_type", "办学类型", "cat", vocab=SCHOOL_TYPES),
        Column("township", "所属镇街"),
        Column("urban_rural", "城乡分类", "cat", vocab=URBAN_RURAL),
        Column("lon", "经度", "float", min=-180, max=180, unit="°"),
        Column("lat", "纬度", "float", min=-90, max=90, unit="°"),
        Column("crs", "坐标系", "cat", required=False, nullable=True, vocab=CRS_NAMES),
        Column("boarding", "是否寄宿制", "bool", required=False, nullable=True),
        Column("built_year", "建成年份", "int", required=False, nullable=True, min=1900, max=2100, unit="年"),
    ),
    primary_key=("school_id",),
    required=True,
)

STAGE_STATS = Table(
    "stage_stats",
    "学段统计",
    (
        _YEAR,
        _SCHOOL,
        Column("stage", "学段", "cat", vocab=STAGES),
        _count("students", "在校生数"),
        _count("classes", "班级数", unit="个"),
        _count("teachers", "专任教师数"),
        _count("qualified_teachers", "高于规定学历教师数"),
        _count("backbone_teachers", "县级以上骨干教师数"),
        _count("pe_teachers", "体育专任教师数"),
        _count("music_teachers", "音乐专任教师数"),
        _count("art_teachers", "美术专任教师数"),
        _count("certified_teachers", "持证专任教师数", required=False, nullable=True),
        _count("trained_teachers", "完成360学时培训教师数", required=False, nullable=True),
        _count("migrant_students", "随迁子女数", required=False, nullable=True),
    ),
    primary_key=("year", "school_id", "stage"),
    required=True,
    references={"school_id": ("schools", "school_id")},
    parts=(
        ("qualified_teachers", "teachers"),
        ("backbone_teachers", "teachers"),
        ("pe_teachers", "teachers"),
        ("music_teachers", "teachers"),
        ("art_teachers", "teachers"),
        ("certified_teachers", "teachers"),
        ("trained_teachers", "teachers"),
        ("migrant_students", "students"),
    ),
)

FACILITIES = Table(
    "facilities",
    "办学条件",
    (
        _YEAR,
        _SCHOOL,
        Column("teaching_area", "教学及辅助用房面积", "float", min=0, unit="㎡"),
        Column("indoor_sports_area", "室内体育用房面积", "float", min=0, unit="㎡"),
        Column("sports_ground_area", "运动场地面积", "float", min=0, unit="㎡"),
        Column("equipment_value_wan", "教学仪器设备值（万元）", "float", min=0, unit="万元"),
        _count("multimedia_rooms", "网络多媒体教室数", unit="间"),
        _count("music_rooms", "音乐专用教室数", unit="间", required=False, nullable=True),
        _count("art_rooms", "美术专用教室数", unit="间", required=False, nullable=True),
        Column("smart_campus", "智慧校园", "bool", required=False, nullable=True),
    ),
    primary_key=("year", "school_id"),
    required=True,
    references={"school_id": ("schools", "school_id")},
    parts=(("indoor_sports_area", "teaching_area"),),
)

SPECIAL_ROOMS = Table(
    "special_rooms",
    "专用教室",
    (
        _SCHOOL,
        Column("room_type", "类型", "cat", vocab=ROOM_TYPES),
        Column("area", "面积", "float", min=0, unit="㎡"),
        Column("built_year", "建成年份", "int", required=False, nullable=True, min=1900, max=2100, unit="年"),
    ),
    references={"school_id": ("schools", "school_id")},
)

CLASSES = Table(
    "classes",
    "班级",
    (
        _YEAR,
        _SCHOOL,
        Column("stage", "学段", "cat", vocab=STAGES),
        Column("grade", "年级", "int", min=1, max=12, unit=""),
        Column("class_name", "班级名称"),
        _count("students", "学生数"),
    ),
    primary_key=("year", "school_id", "stage", "class_name"),
    references={"school_id": ("schools", "school_id")},
)

TEACHERS = Table(
    "teachers",
    "教师",
    (
        Column("teacher_id", "教师编号"),
        _SCHOOL,
        Column("stage", "任教学段", "cat", vocab=STAGES),
        Column("subject", "任教学科"),
        Column("gender", "性别", "cat", required=False, nullable=True, vocab=GENDERS),
        Column("birth_year", "出生年份", "int", min=1940, max=2010, unit="年"),
        Column("education", "最高学历", "cat", vocab=EDUCATION),
        Column("backbone_level", "骨干级别", "cat", vocab=BACKBONE_LEVELS),
        Column("certified", "持有教师资格证", "bool"),
        Column("start_year", "本校任教起始年份", "int", min=1950, max=2100, unit="年"),
        Column("training_hours", "近五年培训学时", "float", min=0, unit="学时", required=False, nullable=True),
        Column("honour_year", "最美教师年份", "int", required=False, nullable=True, min=2000, max=2100, unit="年"),
    ),
    primary_key=("teacher_id",),
    references={"school_id": ("schools", "school_id")},
)

ROTATIONS = Table(
    "rotations",
    "交流轮岗",
    (
        _YEAR,
        Column("teacher_id", "教师编号"),
        Column("from_school_id", "派出学校标识码"),
        Column("to_school_id", "接收学校标识码"),
        Column("rotation_type", "交流类型"),
        Column("start_date", "开始日期", "date", required=False, nullable=True),
        Column("end_date", "结束日期", "date", required=False, nullable=True),
    ),
    primary_key=("year", "teacher_id"),
    references={
        "from_school_id": ("schools", "school_id"),
        "to_school_id": ("schools", "school_id"),
    },
)

#: Single-year ages counted in the village table (0–14).
AGES: tuple[int, ...] = tuple(range(15))

VILLAGES = Table(
    "villages",
    "村居",
    (
        Column("village_id", "村居代码"),
        Column("name", "村居名称"),
        Column("township", "所属镇街"),
        Column("kind", "村居类型", "cat", required=False, nullable=True, vocab=VILLAGE_KINDS),
        Column("lon", "经度", "float", min=-180, max=180, unit="°"),
        Column("lat", "纬度", "float", min=-90, max=90, unit="°"),
        Column("crs", "坐标系", "cat", required=False, nullable=True, vocab=CRS_NAMES),
        *(_count(f"age_{a}", f"年龄{a}") for a in AGES),
    ),
    primary_key=("village_id",),
)

META = Table(
    "meta",
    "说明",
    (Column("item", "项目"), Column("value", "内容", nullable=True)),
    primary_key=("item",),
)

def _plan_target_names() -> dict[str, str]:
    """目标项 -> key of the documented plan targets (``jxedu/data/plan_targets.csv``)."""
    import csv

    from jxedu.core.config import PACKAGE_DATA_DIR

    with open(PACKAGE_DATA_DIR / "plan_targets.csv", encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {r["name"]: r["key"] for r in rows}


#: The county's own plan targets (实施方案), one row per target; the documented list of 目标项 is
#: ``jxedu/data/plan_targets.csv`` (:mod:`jxedu.core.county`). No row, no target.
PLAN_TARGETS = Table(
    "plan_targets",
    "规划目标",
    (
        Column("key", "目标项", "cat", vocab=_plan_target_names()),
        Column("value", "目标值", "float"),
        Column("unit", "单位", required=False, nullable=True),
        Column("document", "文号", required=False, nullable=True),
        Column("start_year", "起始年份", "year", required=False, nullable=True, min=1990, max=2100),
        Column("end_year", "截止年份", "year", required=False, nullable=True, min=1990, max=2100),
        Column("note", "说明", required=False, nullable=True),
    ),
)

#: All tabular input tables, in load order (parents before children).
TABLES: tuple[Table, ...] = (
    SCHOOLS,
    STAGE_STATS,
    FACILITIES,
    SPECIAL_ROOMS,
    CLASSES,
    TEACHERS,
    ROTATIONS,
    VILLAGES,
    META,
    PLAN_TARGETS,
)
TABLES_BY_KEY: dict[str, Table] = {t.key: t for t in TABLES}
TABLES_BY_ZH: dict[str, Table] = {t.zh: t for t in TABLES}

#: Personal data: dropped on load, never stored, logged or shown.
PERSONAL_COLUMNS: dict[str, str] = {"姓名": "personal_name", "名字": "personal_name", "教师姓名": "personal_name",
                                    "身份证号": "id_number", "身份证号码": "id_number", "证件号码": "id_number",
                                    "手机号": "phone", "联系电话": "phone", "家庭住址": "address"}

#: Geo layers (file stem -> key). 镇街边界 needs a 镇街名称 attribute.
GEO_LAYERS: dict[str, str] = {"镇街边界": "townships", "道路": "roads", "不可建设": "unbuildable", "县界": "county_layer"}
#: GTFS feed of school bus routes: ``公交.zip`` or a folder ``公交/``.
GTFS_NAME = "公交"
#: Meta item marking a synthetic data set (value 是).
META_SYNTHETIC = "合成数据"
#: Meta items naming the county (:mod:`jxedu.core.county`): 县名, 行政区划代码, 教育行政部门.
META_COUNTY_ITEMS: tuple[str, ...] = ("县名", "行政区划代码", "教育行政部门")
