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
#: Respondent groups of the 社会认可度 survey (教督〔2017〕6号: 学生、家长、教师、校长、人大代表、政协委员及其他群众).
RESPONDENTS: dict[str, str] = {"学生": "student", "家长": "parent", "教师": "teacher", "校长": "principal",
                               "人大代表和政协委员": "deputy", "社会人士": "public"}
#: Reasons a pupil left school (控辍保学台账).
DROPOUT_REASONS: dict[str, str] = {"厌学": "disengaged", "家庭经济困难": "poverty", "外出务工": "work",
                                   "疾病或残疾": "illness", "早婚早育": "early_marriage", "其他": "other"}
#: Where a case of the 控辍保学台账 stands: 劝返中 and 其他 are open; the rest are resolved.
DROPOUT_STATUSES: dict[str, str] = {"劝返中": "in_progress", "已复学": "returned", "送教上门": "home_taught",
                                    "转入特殊教育学校": "special_school", "其他": "other"}
#: Kinds of school groups (集团化办学、城乡学校共同体、学校联盟).
ALLIANCE_KINDS: dict[str, str] = {"教育集团": "group", "城乡学校共同体": "community", "学校联盟": "alliance"}
#: Projects of rural schools and towns: 强镇筑基 pilot towns, 百强乡镇中学/小学.
RURAL_PROJECTS: dict[str, str] = {"强镇筑基试点": "strong_town", "百强乡镇中学": "top_junior", "百强乡镇小学": "top_primary"}
PROJECT_LEVELS: dict[str, str] = {"省级": "province", "市级": "city", "县级": "county"}
PROJECT_STATUSES: dict[str, str] = {"已认定": "recognised", "创建中": "in_progress"}

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
    "人大代表": "人大代表和政协委员",
    "政协委员": "人大代表和政协委员",
    "人大代表、政协委员": "人大代表和政协委员",
    "其他群众": "社会人士",
    "群众": "社会人士",
    "复学": "已复学",
    "已劝返复学": "已复学",
    "教育集团化": "教育集团",
    "城乡共同体": "城乡学校共同体",
    "强镇筑基": "强镇筑基试点",
}

#: English code -> Chinese label, for every vocabulary (for display).
LABELS: dict[str, str] = {}
for _vocab in (SCHOOL_TYPES, STAGES, URBAN_RURAL, ROOM_TYPES, GENDERS, BACKBONE_LEVELS, VILLAGE_KINDS, RESPONDENTS,
               DROPOUT_REASONS, DROPOUT_STATUSES, ALLIANCE_KINDS, RURAL_PROJECTS, PROJECT_STATUSES):
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
    note
        What the column counts, when its name alone does not say it (Chinese; shown in the template's
        header comment and in ``data/README.md``).
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
    note: str = ""


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


#: What 高于规定学历 means (resource indicator 1; reference §1 [V1]), in the template and the README.
QUALIFIED_NOTE = ("高于规定学历：小学专任教师最高学历为专科及以上，初中专任教师为本科及以上（中专及以下均不计；"
                  "按任教学段判断，初中部的专科学历教师不计）。有教师表时载入会按名册逐校逐学段核对，不一致时给出警告")
#: What 县级以上骨干教师 means (resource indicator 2).
BACKBONE_NOTE = "县级以上骨干教师：骨干级别为县级、市级或省级。有教师表时载入会按名册逐校逐学段核对，不一致时给出警告"

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
        _count("qualified_teachers", "高于规定学历教师数", note=QUALIFIED_NOTE),
        _count("backbone_teachers", "县级以上骨干教师数", note=BACKBONE_NOTE),
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
        Column("education", "最高学历", "cat", vocab=EDUCATION,
               note="高于规定学历：小学专科及以上、初中本科及以上（按任教学段）"),
        Column("backbone_level", "骨干级别", "cat", vocab=BACKBONE_LEVELS),
        Column("certified", "持有教师资格证", "bool"),
        Column("start_year", "本校任教起始年份", "int", min=1950, max=2100, unit="年"),
        Column("training_hours", "近五年培训学时", "float", min=0, unit="学时", required=False, nullable=True),
        Column("honour_year", "最美教师年份", "int", required=False, nullable=True, min=2000, max=2100, unit="年"),
        Column("year", "学年", "year", required=False, nullable=True, min=1990, max=2100,
               note="可选：填写时一个学年一份名册，同一教师每学年一行，每行都要填；不填时为最新一期名册，"
                    "往年的符合交流条件教师、骨干身份和“最美教师”按它推算并注明"),
    ),
    primary_key=("teacher_id", "year"),
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

def _optional_count(key: str, zh: str, **kw) -> Column:
    return _count(key, zh, required=False, nullable=True, **kw)


_TOWNSHIP = Column("township", "所属镇街")

SURVEY = Table(
    "survey",
    "满意度调查",
    (
        _YEAR,
        Column("respondent", "调查对象", "cat", vocab=RESPONDENTS),
        Column("school_id", "学校标识码", required=False, nullable=True,
               note="按学校调查时填写；按镇街或全县调查（如人大代表、社会人士）时留空"),
        Column("township", "所属镇街", required=False, nullable=True,
               note="按镇街调查时填写；填了学校标识码时可留空（按学校所属镇街计）；两列都空为全县"),
        _optional_count("valid", "有效问卷数", unit="份"),
        _optional_count("satisfied", "满意问卷数", unit="份",
                        note="回答“满意”或“比较满意”的有效问卷（社会认可度 = 满意 ÷ 有效）"),
        _optional_count("visits", "实地走访人数"),
        _optional_count("satisfied_visits", "走访满意人数"),
    ),
    primary_key=("year", "respondent", "school_id", "township"),
    references={"school_id": ("schools", "school_id")},
    parts=(("satisfied", "valid"), ("satisfied_visits", "visits")),
)

SPECIAL_GROUPS = Table(
    "special_groups",
    "特殊群体",
    (
        _YEAR,
        _TOWNSHIP,
        _optional_count("disabled_school_age", "适龄残疾儿童少年数",
                        note="户籍或常住在本镇街的义务教育适龄（6–15岁）残疾儿童少年，以残联、民政核定数为准"),
        _optional_count("disabled_mainstream", "随班就读人数"),
        _optional_count("disabled_special_school", "特殊教育学校就读人数"),
        _optional_count("disabled_home", "送教上门人数"),
        _optional_count("migrant_eligible", "符合条件的随迁子女数"),
        _optional_count("migrant_public", "公办学校就读随迁子女数"),
        _optional_count("migrant_purchased", "政府购买学位就读随迁子女数",
                        note="在政府购买学位的民办学校就读的随迁子女"),
        _optional_count("left_behind", "留守儿童数"),
        _optional_count("left_behind_care", "建立关爱帮扶档案的留守儿童数"),
    ),
    primary_key=("year", "township"),
    parts=(("left_behind_care", "left_behind"),),
)

DROPOUTS = Table(
    "dropouts",
    "控辍保学台账",
    (
        Column("pupil_id", "学生编号",
               note="化名编号（如 D000123），不得填写姓名、身份证号或电话；形似姓名或证件号的编号载入时被替换并给出警告"),
        _SCHOOL,
        Column("grade", "年级", "int", min=1, max=9, unit=""),
        Column("left_date", "辍学日期", "date"),
        Column("reason", "辍学原因", "cat", vocab=DROPOUT_REASONS),
        Column("status", "状态", "cat", vocab=DROPOUT_STATUSES,
               note="劝返中、其他为未销号；已复学、送教上门、转入特殊教育学校为已销号"),
        Column("returned_date", "复学日期", "date", required=False, nullable=True),
    ),
    primary_key=("pupil_id", "left_date"),
    references={"school_id": ("schools", "school_id")},
)

#: Grades of the compulsory stages whose homework time the 课后服务与作业 table records.
HOMEWORK_GRADES: tuple[int, ...] = tuple(range(1, 10))
_GRADE_NAMES = ("一", "二", "三", "四", "五", "六", "七", "八", "九")

AFTER_SCHOOL = Table(
    "after_school",
    "课后服务与作业",
    (
        _YEAR,
        _SCHOOL,
        Column("offers", "是否开展课后服务", "bool", required=False, nullable=True),
        _optional_count("participants", "参加课后服务学生数"),
        Column("homework_published", "是否公示作业", "bool", required=False, nullable=True),
        *(Column(f"homework_g{g}", f"{_GRADE_NAMES[g - 1]}年级书面作业时长", "float", required=False,
                 nullable=True, min=0, max=600, unit="分钟",
                 note="每天书面作业平均完成时间；一、二年级不布置书面作业（填 0），三至六年级不超过60分钟，初中不超过90分钟")
          for g in HOMEWORK_GRADES),
    ),
    primary_key=("year", "school_id"),
    references={"school_id": ("schools", "school_id")},
)

ALLIANCES = Table(
    "alliances",
    "集团化与联盟",
    (
        Column("alliance", "联盟名称"),
        Column("kind", "联盟类型", "cat", required=False, nullable=True, vocab=ALLIANCE_KINDS),
        _SCHOOL,
        Column("lead", "是否牵头学校", "bool", required=False, nullable=True),
    ),
    primary_key=("alliance", "school_id"),
    references={"school_id": ("schools", "school_id")},
)

RURAL_PROJECTS_TABLE = Table(
    "rural_projects",
    "强镇筑基与百强学校",
    (
        Column("project", "项目", "cat", vocab=RURAL_PROJECTS),
        _TOWNSHIP,
        Column("school_id", "学校标识码", required=False, nullable=True, note="百强乡镇中学、小学必填；强镇筑基试点留空"),
        Column("level", "级别", "cat", required=False, nullable=True, vocab=PROJECT_LEVELS),
        Column("status", "状态", "cat", vocab=PROJECT_STATUSES),
        Column("since_year", "起始年份", "int", required=False, nullable=True, min=2000, max=2100, unit="年"),
    ),
    primary_key=("project", "township", "school_id"),
    references={"school_id": ("schools", "school_id")},
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
    SURVEY,
    SPECIAL_GROUPS,
    DROPOUTS,
    AFTER_SCHOOL,
    ALLIANCES,
    RURAL_PROJECTS_TABLE,
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
