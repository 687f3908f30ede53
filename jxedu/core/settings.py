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
