"""Settings: values the reference marks unverified, and planning assumptions.

Everything here has a documented default and can be changed per run, without touching code:

>>> from jxedu.core.settings import get_settings
>>> s = get_settings(teaching_point_min_students=60)

or from a YAML file (``get_settings(path="jxedu.yaml")``) holding any of the fields below. The
file's keys are the field names; unknown keys are an error.

When no path is given, the file named by the environment variable ``JXEDU_SETTINGS`` is used if set.
The command line sets it with ``jxedu --settings FILE <command>``, so every analysis, and every
notebook kernel that ``jxedu reports`` starts, runs with the same settings.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from jxedu.core.errors import SettingsError
from jxedu.core.yamlsafe import line_of, load_yaml, to_plain


def _ages(lo: int, hi: int) -> tuple[int, ...]:
    return tuple(range(lo, hi + 1))


@dataclass(frozen=True)
class Settings:
    """Run settings (frozen; use :func:`get_settings` with overrides to change one).

    Attributes
    ----------
    teaching_point_min_students
        A 教学点 with at least this many students counts as a 小学 unit; smaller ones are left out
        of the resource indicators. [U] in the reference (certain for Hebei's rules and the national
        form's wording). Default 50.
    special_ed_funding_min
        特殊教育学校 生均公用经费 floor in 元 per student per year. [U]: one regional copy says 8000.
        Default 6000.
    room_area_relaxation
        Apply the transitional relaxations of the music/art room areas (73/67 ㎡ for schools built in
        2016 or earlier; 54/61 ㎡ for small rural schools). [V1]. Default on.
    school_size_relaxation
        Apply the relaxed school-size caps (2400/3000) to schools built in 2010 or earlier or with
        more than 50 % 随迁子女. [V1]. Default on.
    rotation_min_years
        A teacher is eligible for rotation after this many years at the same school (counted from
        本校任教起始年份 to the school year). Common provincial rule: 6 years. Default 6.
    rotation_exclude_years_to_retirement
        Teachers within this many years of retirement are not eligible. Default 5.
    retirement_age
        Statutory retirement age by gender (years), used with the previous field. Default male 60,
        female 55. Teachers with unknown gender use the male age.
    cv_compare_rounded
        Compare the CV with its limit after rounding to 3 decimals. [U]; default off (compare
        unrounded, show rounded).
    supervision_overdue_days
        挂牌督导 (listed supervision) of the progress ledger (:mod:`jxedu.analysis.deadlines`): an
        item still open (not 已达标/已销号) more than this many days after its 完成时限 is listed for
        supervision. [U]: national practice escalates a problem not rectified by its deadline
        (通报、约谈、挂牌督导); the grace period is the county's choice. Default 90 days (one quarter,
        the interval of the bulletins).
    supervision_after_plan_deadline
        Also list for supervision every overdue item once the county plan's own deadline (the date
        to pass the national assessment, :func:`jxedu.analysis.deadlines.plan_deadline`) has passed,
        however few days it is overdue. [U]; default on.
    walk_limit_m
        Walking distance limit per stage, metres (planning assumption: rural 小学 service radius about
        2 km, 初中 about 3 km). Pupils farther away need a bus or boarding.
    bus_stop_access_m
        How far a pupil walks to a school-bus stop, metres. Default 800.
    school_stop_radius_m
        A bus stop within this distance of a school serves it, metres. Default 300.
    bus_speed_kmh
        Assumed school-bus speed where a timetable is missing, km/h. Default 30.
    stage_ages
        Single-year ages that make up each stage's demand in the village population table.
    tianditu_key
        Key for 天地图 base maps (None: 天地图 not available).
    leaflet_assets
        Folder with a local copy of Leaflet's scripts and styles, inlined into every map (None: the
        copy shipped in ``jxedu/static``; maps never load scripts from a CDN).
    projection_variants
        The enrolment projection variants (:mod:`jxedu.analysis.projection`), name -> ``entry_factor``
        (dimensionless multiplier of the grade-1 intake) and ``urban_shift`` (share of 乡村 school
        pupils moving to 城区 schools per year). Planning assumptions. A file or override replaces
        the whole table. Default low 0.95 / 0.000, central 1.00 / 0.005, high 1.05 / 0.010.
    projection_to_year
        Horizon of the enrolment projection: the last school year projected (the year it starts,
        as every ``year``). Planning assumption (the county plan's horizon); it must come after the
        latest year of the 班级 table. Default 2030.
    new_school_min_classes
        Smallest net classroom shortfall of a 镇街 and stage that calls for a new school rather
        than extensions, classes (planning assumption: a 3-form-entry 小学 of 18 classes, a
        4-form-entry 初中 of 12 classes). Default primary 18, junior 12.
    small_school_max_students
        Small-school line of :func:`jxedu.planning.optimize.closure_ranking`: schools with fewer students of
        the stage are ranked. Default 100 (乡村小规模学校 = fewer than 100 students, 国办发〔2018〕27号).
    new_site_classes
        Classes of a new candidate site in the capacitated site models of :mod:`jxedu.planning.optimize`
        (capacity = classes × class-size cap). Planning assumption; default primary 36, junior 30.
    candidate_grid_spacing_m
        Spacing of the regular grid of candidate sites (:func:`jxedu.planning.optimize.candidate_grid`),
        metres. Default 2000.
    candidate_clearance_m
        A candidate school site (grid point or a planner's) closer than this to an existing school is
        "on" that school and is not used: the grid leaves it out, a planner's site is an error.
        Planning assumption, metres. Default 300 (the size of a school's grounds).
    cv_warning_margin
        A CV at or above ``(1 − margin) × limit`` is a warning (预警) in the county report and gets single
        fixes (:func:`jxedu.analysis.shortfalls.cv_fixes_from`). Planning choice; default 0.10 (within
        10 % of the limit).
    unit_costs
        Replacements of the indicative unit costs of ``jxedu/data/unit_costs.csv`` (key -> value in
        元 per the table's unit), for the 估算 costs of plans and scenarios (:mod:`jxedu.core.costs`).
        Default: none (the table's values).
    stay_preference_m
        Scenario assignment tie-break (:mod:`jxedu.planning.scenarios`): a child is moved from its baseline
        school only when the move shortens some trip by more than this, metres per child. Default 50.
    plan_pe_art_scope
        How the county plan's “每所学校每百名学生体育和艺术专任教师数不低于0.9人” is read: ``"unit"``
        (default) checks every 部 of a school on its own — the 小学部 and the 初中部 of a 九年一贯制学校
        each need 0.9, as the resource indicator 3 does; ``"school"`` checks the compulsory stages of the
        whole school together (a well-staffed 初中部 can then hide a 小学部 without PE/art teachers).
        The plan gives no unit; reading per 部 is the stricter and the indicator's own.
    school_checks_include_small_points
        The school-level checks (music/art rooms, school size, PE/art per school, 智慧校园) include the
        教学点 below ``teaching_point_min_students`` (default on): the 50-pupil cut of the reference
        (§1.2) concerns the units of the resource indicators only; government-assurance item 3 and the
        plan speak of every school. Off: those 教学点 are left out of the school-level checks too.
    unit_teachers
        Whose teachers the teacher indicators (1–3) of a 部 count. ``"stage"`` (default): the 部's own
        teachers, by the stage they teach (学段统计 of that stage) — the reference's wording “Teacher
        indicators use each 部's own teachers (by the stage they teach) [U, inferred]”. ``"split"``: the
        school's teachers of all its stages are pooled and split between its 部 by weighted students,
        like the four shared facilities (for schools whose teachers teach across 部).
    teaching_area_net_of_indoor_sports
        生均教学及辅助用房面积 counts (教学及辅助用房面积 − 室内体育用房面积): the reference's wording
        “indoor sports rooms count in the next line, not here [V1]” (default on). Off: the gross 教学及辅助用房面积
        (indoor sports rooms then count in both indicators 4 and 5).
    left_behind_care_min
        Share of 留守儿童 with a care plan (关爱帮扶档案) that counts as 留守儿童关爱体系健全 (government-
        assurance item 15). The method gives no number [U]; default 1.0 (every 留守儿童).
    after_school_participation_min
        Share of compulsory-stage pupils taking part in 课后服务 that the 双减 item counts as met. No
        national number (课后服务 is voluntary; every school must offer it) [U]; default 0.9.
    alliance_areas
        城乡分类 codes of the schools the county plan's “集团化办学、城乡学校共同体实现县域内农村中小学全覆盖”
        counts as 农村中小学. The plan does not define 农村 [U]; default 镇区 and 乡村 (``["town",
        "rural"]``: every school outside the 城区).
    rotation_target_moves
        Which rotations count toward the county plan's yearly rotation target (规划目标 年均交流轮岗教师数):
        ``"all"`` — every rotation of a 小学/初中 teacher (the default: a plan's “年均交流轮岗教师 N 名”
        counts them all; the number from city and town schools to rural and weak schools is shown beside
        it); ``"toward_rural_weak"`` — only rotations from a 城区/镇区 school to a 乡村 or weak school.
    rotation_target_basis
        Which figure decides whether the rotation target is met (both are always shown): ``"average"`` —
        the average per year over the plan's years in the data, from the 规划目标 row's 起始年份 to the
        year assessed (default: the plan's “年均”); ``"yearly"`` — the year's own count.
    """

    teaching_point_min_students: int = 50  # students
    special_ed_funding_min: float = 6000.0  # 元 per student per year
    room_area_relaxation: bool = True
    school_size_relaxation: bool = True
    rotation_min_years: int = 6  # years at the same school
    rotation_exclude_years_to_retirement: int = 5  # years
    retirement_age: dict = field(default_factory=lambda: {"male": 60, "female": 55})  # years
    cv_compare_rounded: bool = False
    supervision_overdue_days: int = 90  # days past the 完成时限
    supervision_after_plan_deadline: bool = True
    walk_limit_m: dict = field(default_factory=lambda: {"primary": 2000.0, "junior": 3000.0})  # metres
    bus_stop_access_m: float = 800.0  # metres
    school_stop_radius_m: float = 300.0  # metres
    bus_speed_kmh: float = 30.0  # km/h
    stage_ages: dict = field(default_factory=lambda: {"primary": _ages(6, 11), "junior": _ages(12, 14)})
    tianditu_key: str | None = None
    leaflet_assets: str | None = None
    projection_variants: dict = field(default_factory=lambda: {
        "low": {"entry_factor": 0.95, "urban_shift": 0.000},  # multiplier; share per year
        "central": {"entry_factor": 1.00, "urban_shift": 0.005},
        "high": {"entry_factor": 1.05, "urban_shift": 0.010},
    })
    projection_to_year: int = 2030  # school year
    new_school_min_classes: dict = field(default_factory=lambda: {"primary": 18, "junior": 12})  # classes
    small_school_max_students: int = 100  # students (国办发〔2018〕27号)
    new_site_classes: dict = field(default_factory=lambda: {"primary": 36, "junior": 30})  # classes
    candidate_grid_spacing_m: float = 2000.0  # metres
    candidate_clearance_m: float = 300.0  # metres
    stay_preference_m: float = 50.0  # metres per child
    cv_warning_margin: float = 0.10  # share of the CV limit
    unit_costs: dict = field(default_factory=dict)  # key -> 元 per unit (replaces jxedu/data/unit_costs.csv)
    plan_pe_art_scope: str = "unit"  # "unit" (每个学部) | "school" (全校)
    school_checks_include_small_points: bool = True
    unit_teachers: str = "stage"  # "stage" (the 部's own teachers) | "split" (pooled, split as facilities)
    teaching_area_net_of_indoor_sports: bool = True
    left_behind_care_min: float = 1.0  # share of 留守儿童 with a care plan
    after_school_participation_min: float = 0.9  # share of pupils in 课后服务
    alliance_areas: tuple = ("town", "rural")  # 城乡分类 codes of 农村中小学
    rotation_target_moves: str = "all"  # or "toward_rural_weak"
    rotation_target_basis: str = "average"  # or "yearly"


_FIELDS = {f.name for f in dataclasses.fields(Settings)}

#: Environment variable naming the settings file used when no path is given.
SETTINGS_ENV = "JXEDU_SETTINGS"


def get_settings(*, path: str | Path | None = None, **overrides) -> Settings:
    """Return settings: defaults, then a YAML file, then keyword overrides.

    Parameters
    ----------
    path
        Optional YAML file with any of the :class:`Settings` fields; ``None`` uses the file named by
        the ``JXEDU_SETTINGS`` environment variable, if set.
    **overrides
        Field values that take precedence.

    Returns
    -------
    Settings

    Raises
    ------
    SettingsError
        Unknown field, unreadable file, or a value of the wrong kind. The file is read by
        :func:`jxedu.core.yamlsafe.load_yaml`: its size, aliases and nesting are bounded, a key
        written twice is an error, and messages name the file and line.
    """
    values: dict = {}
    if path is None:
        path = os.environ.get(SETTINGS_ENV) or None
    key_lines: dict = {}
    shown = ""
    if path is not None:
        p = Path(path)
        shown = f"设置文件 {p.name} "
        loaded = load_yaml(p, what="设置文件", lines=True, error=SettingsError)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise SettingsError(f"设置文件应为键值对 (bad_settings): {p.name} 第{line_of(loaded) or 1}行："
                                "每行写“设置项: 取值”")
        key_lines = dict(loaded.key_lines)
        values.update(to_plain(loaded))
    values.update(overrides)
    unknown = set(values) - _FIELDS
    if unknown:
        where = "、".join(f"{k}（{shown}第{key_lines[k]}行）" if k in key_lines else str(k)
                         for k in sorted(unknown, key=str))
        hint = ("；县规划目标（交流轮岗人数、最美教师、智慧校园等）不是设置项，请填在数据的“规划目标”表中"
                "（见 data/README.md）" if any(str(k).startswith("plan_") for k in unknown) else "")
        raise SettingsError(f"未知设置项 (unknown_setting): {where}{hint}；可用：{'、'.join(sorted(_FIELDS))}")
    s = Settings(**values)
    if s.teaching_point_min_students < 0:
        raise SettingsError("教学点人数下限不能为负 (bad_setting): teaching_point_min_students")
    if s.rotation_min_years < 0:
        raise SettingsError("交流轮岗任教年限不能为负 (bad_setting): rotation_min_years")
    if isinstance(s.supervision_overdue_days, bool) or not isinstance(s.supervision_overdue_days, int) or (
            s.supervision_overdue_days < 0):
        raise SettingsError("挂牌督导的逾期天数应为不小于 0 的整数 (bad_setting): supervision_overdue_days")
    if not isinstance(s.projection_variants, dict) or not s.projection_variants or not all(
            isinstance(v, dict) for v in s.projection_variants.values()):
        raise SettingsError("预测方案表应为“方案名: {entry_factor, urban_shift}” (bad_setting): projection_variants")
    if isinstance(s.projection_to_year, bool) or not isinstance(s.projection_to_year, int) or not (
            1900 <= s.projection_to_year <= 2200):
        raise SettingsError("预测终止学年应为四位数的年份，如 2030 (bad_setting): projection_to_year")
    for key in ("new_school_min_classes", "new_site_classes"):
        value = getattr(s, key)
        if not isinstance(value, dict) or not {"primary", "junior"} <= set(value):
            raise SettingsError(f"应分别给出小学和初中的班级数 (bad_setting): {key}")
    if s.small_school_max_students < 0:
        raise SettingsError("小规模学校人数线不能为负 (bad_setting): small_school_max_students")
    if s.candidate_grid_spacing_m <= 0:
        raise SettingsError("候选点网格间距应为正数 (bad_setting): candidate_grid_spacing_m")
    if s.candidate_clearance_m < 0:
        raise SettingsError("候选点与现有学校的最小距离不能为负 (bad_setting): candidate_clearance_m")
    if not 0 <= s.cv_warning_margin < 1:
        raise SettingsError("差异系数预警幅度应在 0 与 1 之间 (bad_setting): cv_warning_margin")
    if not isinstance(s.unit_costs, dict):
        raise SettingsError("单位造价应为“名称: 数值”的键值对 (bad_setting): unit_costs")
    from jxedu.core.costs import check_replacements  # the cost table's keys (core.costs reads no settings)

    check_replacements(s.unit_costs)
    if s.stay_preference_m < 0:
        raise SettingsError("保持原校的优先距离不能为负 (bad_setting): stay_preference_m")
    if s.plan_pe_art_scope not in ("unit", "school"):
        raise SettingsError("体育艺术教师配备的核查范围应为 unit（每个学部）或 school（全校） (bad_setting): plan_pe_art_scope")
    if s.unit_teachers not in ("stage", "split"):
        raise SettingsError("学部教师口径应为 stage（按任教学段）或 split（按加权学生数分摊） (bad_setting): unit_teachers")
    if not isinstance(s.alliance_areas, list | tuple) or not set(s.alliance_areas) <= {"urban", "town", "rural"}:
        raise SettingsError("农村学校的城乡分类应为 urban、town、rural 中的若干项 (bad_setting): alliance_areas")
    for key in ("left_behind_care_min", "after_school_participation_min"):
        if not 0 <= float(getattr(s, key)) <= 1:
            raise SettingsError(f"比例应在 0 与 1 之间 (bad_setting): {key}")
    if s.rotation_target_moves not in ("all", "toward_rural_weak"):
        raise SettingsError("交流轮岗目标的计数口径应为 all（全部义务教育学段交流）或 toward_rural_weak"
                            "（城镇学校到乡村和薄弱学校） (bad_setting): rotation_target_moves")
    if s.rotation_target_basis not in ("average", "yearly"):
        raise SettingsError("交流轮岗目标的判断依据应为 average（规划以来年均）或 yearly（当年） (bad_setting): "
                            "rotation_target_basis")
    return s


def resolve_settings(settings: Settings | None = None) -> Settings:
    """Return ``settings``, or :func:`get_settings` when ``None`` (the default of every analysis).

    Parameters
    ----------
    settings
        Settings passed by the caller, or ``None``.

    Returns
    -------
    Settings

    Raises
    ------
    SettingsError
        When ``settings`` is something other than a :class:`Settings`.
    """
    if settings is None:
        return get_settings()
    if not isinstance(settings, Settings):
        raise SettingsError("settings 参数应为 jxedu.core.settings.Settings (bad_settings)")
    return settings
