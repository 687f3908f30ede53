"""One computed assessment per data set, school year and settings: every fact computed once.

:func:`assess` is what notebooks, reports, the ledger, maps, scenarios and the command line read.
Each measure is computed on first use, county-wide, and kept; asking again returns the same frame.

>>> import jxedu
>>> a = jxedu.assess(jxedu.load("data/demo"))            # doctest: +SKIP
>>> a.indicators                     # one row per school-stage unit, English keys
>>> a.access("primary")              # every 村居's nearest and assigned 小学
>>> t = a.township("王丕街道")
>>> t.access("primary")              # the county-wide result filtered to 王丕街道's villages

Scoping to a 镇街 (:meth:`Assessment.township`) is one operation on the county-wide result: a
measure that depends on neighbours — the nearest school across a 镇街 border, catchments, bus
links, rotations between 镇街 — is never recomputed on a subset of the data. Measures that exist
only for the whole county (the CVs, the county plan's yearly targets) are not offered for a 镇街
(:data:`COUNTY_ONLY`): a 镇街 report shows its contribution, never a verdict on a county target.

A measure whose tables are missing from the data raises :class:`~jxedu.core.errors.MissingTableError`
naming them; :meth:`Assessment.missing` says so beforehand (``None`` when it can be computed).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import pandas as pd

from jxedu.analysis import (
    access,
    after_school,
    alliances,
    assurance,
    bus,
    classsize,
    dropout,
    indicators,
    overview,
    priorities,
    projection,
    roster_check,
    rotation,
    shortfalls,
    special_groups,
    survey,
    trend,
)
from jxedu.core.county import PLAN_PE_ART, PlanTarget
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, MissingTableError
from jxedu.core.schema import COMPULSORY_STAGES, TABLES_BY_KEY
from jxedu.core.settings import Settings, resolve_settings
from jxedu.core.vocabulary import COUNTY

__all__ = ["COUNTY_ONLY", "REQUIRES", "Assessment", "Scope", "TownshipView", "assess", "assessment_of", "township_of"]

#: Tables (attributes of :class:`~jxedu.core.dataset.Dataset`) each measure needs beyond the
#: required three. ``gtfs_path`` is the school-bus feed.
REQUIRES: dict[str, tuple[str, ...]] = {
    "access": ("villages",),
    "catchments": ("villages",),
    "distance_summary": ("villages",),
    "nearby_share": ("villages",),
    "coverage": ("villages", "gtfs_path"),
    "coverage_summary": ("villages", "gtfs_path"),
    "uncovered": ("villages", "gtfs_path"),
    "bus_routes": ("gtfs_path",),
    "bus_stops": ("gtfs_path",),
    "ride_times": ("gtfs_path",),
    "class_records": ("classes",),
    "class_sizes": ("classes",),
    "class_trend": ("classes",),
    "oversize_schools": ("classes",),
    "classes_needed": ("classes",),
    "projections": ("classes",),
    "projection_rates": ("classes",),
    "classroom_needs": ("classes",),
    "township_needs": ("classes",),
    "eligible_teachers": ("teachers",),
    "rotations": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_summary": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_by_township": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_by_school": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_direction": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "gap_filling": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_plan": ("teachers",),
    "pe_art_needs": ("teachers",),
    "training_honours": ("teachers",),
    "training": ("teachers",),
    "class_history": ("classes",),
    "enrolment_history": ("classes",),
    "progression_rates": ("classes",),
    "rotation_history": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_township_trend": ("rotations", "teachers"),  # who rotated: stage, subject, 骨干 from 教师
    "rotation_plan_moves": ("teachers",),
    "rotation_plan_by_township": ("teachers",),
    "bus_feed": ("gtfs_path",),
    "rotation_ratios": ("teachers", "rotations"),
    "oversize_classes": ("classes",),
    "roster_check": ("teachers",),
    "satisfaction": ("survey",),
    "school_satisfaction": ("survey",),
    "special_group_rates": ("special_groups",),
    "dropout_cases": ("dropouts",),
    "dropout_by_township": ("dropouts",),
    "dropout_monthly": ("dropouts",),
    "after_school": ("after_school",),
    "alliance_groups": ("alliances",),
    "alliance_coverage": ("alliances",),
    "alliance_coverage_by_township": ("alliances",),
    "rural_projects": ("rural_projects",),
}

#: Measures computed per stage (methods taking the stage code).
PER_STAGE: tuple[str, ...] = ("access", "catchments", "distance_summary", "nearby_share", "coverage",
                              "coverage_summary", "uncovered")

#: Measures that exist for the whole county only (not offered by :class:`TownshipView`).
COUNTY_ONLY: frozenset[str] = frozenset({
    "balance", "cv_fixes", "cv_warnings", "assurance", "checklist", "rotation_ratios", "weak_schools",
    "rotation_summary", "indicator_trend", "indicators_all_years", "assurance_trend", "county_totals",
    "projection_rates", "training_honours", "rotation_plan",
})

#: Scoping rule of a measure whose rows concern two 镇街 (a rotation's sending and receiving school)
#: or several (a bus route serving schools of several 镇街, the stops of such routes): the columns any
#: of which names the 镇街 — a column of lists names every 镇街 it holds.
SCOPE_COLUMNS: dict[str, tuple[str, ...]] = {
    "rotations": ("from_township", "to_township"),
    "rotation_history": ("from_township", "to_township"),
    "rotation_direction": ("from_township", "to_township"),
    "rotation_plan_moves": ("from_township", "to_township"),
    "bus_routes": ("townships",),
    "bus_stops": ("townships",),
    "alliance_groups": ("townships",),
}


def assess(ds: Dataset, *, year: int | None = None, settings: Settings | None = None) -> Assessment:
    """The assessment of a data set for one school year and settings (computed once, then kept).

    Parameters
    ----------
    ds
        The data set (:func:`jxedu.load`).
    year
        School year (the year it starts, e.g. 2024); ``None`` for the latest in the data.
    settings
        Run settings; ``None`` for :func:`jxedu.core.settings.get_settings` (the ``JXEDU_SETTINGS``
        file if set, else the documented defaults).

    Returns
    -------
    Assessment
        The same object for the same data set, year and settings.
    """
    s = resolve_settings(settings)
    y = ds.year_or_latest(year)
    key = ("assessment", y, repr(s))
    found = ds.cache.get(key)
    if found is None:
        found = ds.cache[key] = Assessment(ds, y, s)
    return found


class Assessment:
    """Every measure of one data set, school year and settings, computed on first use.

    Do not build one directly: :func:`assess` returns the kept one.

    Attributes
    ----------
    ds
        The data set.
    year
        The school year assessed.
    settings
        The settings it was computed with.
    """

    def __init__(self, ds: Dataset, year: int, settings: Settings) -> None:
        self.ds = ds
        self.year = year
        self.settings = settings
        self._per_stage: dict[tuple[str, str], object] = {}

    def __repr__(self) -> str:
        return f"<Assessment {self.ds.source} {self.year}>"

    # -- scope and availability -----------------------------------------------------------------

    @property
    def name(self) -> str:
        """Name of the scope: ``全县`` (a :class:`TownshipView` is named after its 镇街)."""
        return COUNTY

    @property
    def county_name(self) -> str:
        """The county's name from the data."""
        return self.ds.county_name

    @property
    def townships(self) -> list[str]:
        """The 镇街 of the data set (from the data, 街道 first)."""
        return self.ds.townships_list

    def township(self, name: str) -> TownshipView:
        """The county-wide measures filtered to one 镇街 (see :class:`TownshipView`)."""
        return TownshipView(self, name)

    def plan_target(self, key: str) -> PlanTarget | None:
        """The county plan's target ``key`` for the assessed year, from the data's 规划目标 table, or
        ``None`` when the county set none — the one way code reads a county target.

        Parameters
        ----------
        key
            A key of ``jxedu/data/plan_targets.csv`` (``plan_rotations_per_year`` …).

        Returns
        -------
        jxedu.core.county.PlanTarget or None
        """
        return self.ds.plan_target(key, self.year)

    def scope(self, township: str | None) -> Assessment | TownshipView:
        """The assessment itself for ``None`` (the county), else :meth:`township` — what a notebook's
        ``township`` parameter selects."""
        return self if township is None else self.township(township)

    def missing(self, measure: str) -> str | None:
        """Why a measure cannot be computed (Chinese, naming the missing tables), or ``None``."""
        absent = [t for t in REQUIRES.get(measure, ()) if getattr(self.ds, t, None) is None]
        if not absent:
            return None
        names = "、".join("公交助学线路（GTFS）" if t == "gtfs_path" else TABLES_BY_KEY[t].zh
                         if t in TABLES_BY_KEY else {"townships": "镇街边界", "roads": "道路"}.get(t, t)
                         for t in absent)
        return f"缺少{names}，无法计算此项 (missing_table)"

    def compute_all(self) -> Assessment:
        """Compute every measure the data allow, now (a batch of reports then only filters them).

        Returns
        -------
        Assessment
            ``self``.
        """
        for name, attr in type(self).__dict__.items():
            if isinstance(attr, cached_property) and not name.startswith("_") and self.missing(name) is None:
                getattr(self, name)
        for stage in COMPULSORY_STAGES:
            for name in PER_STAGE:
                if self.missing(name) is None:
                    getattr(self, name)(stage)
        return self

    def _need(self, measure: str) -> None:
        reason = self.missing(measure)
        if reason is not None:
            raise MissingTableError(reason)

    def _stage(self, name: str, stage: str, make: Callable[[], object]):
        if stage not in COMPULSORY_STAGES:
            raise DataError(f"学段无效 (bad_stage): {stage}；可选 primary（小学）、junior（初中）")
        key = (name, stage)
        if key not in self._per_stage:
            self._need(name)
            self._per_stage[key] = make()
        return self._per_stage[key]

    # -- data overview --------------------------------------------------------------------------

    @cached_property
    def township_summary(self) -> pd.DataFrame:
        """Schools, students, classes and teachers per 镇街 (last row the county)."""
        return overview.township_summary(self.ds, year=self.year)

    @cached_property
    def county_totals(self) -> dict:
        """Key figures of the county for the year."""
        return overview.county_totals(self.ds, year=self.year)

    # -- resource indicators --------------------------------------------------------------------

    @cached_property
    def units(self) -> pd.DataFrame:
        """Every school-stage unit of the year, included in the assessment or not (with the reason)."""
        return indicators.units(self.ds, year=self.year, settings=self.settings)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The seven resource indicators of every included unit, met flags and the pass rule."""
        included = self.units.loc[self.units["included"]].reset_index(drop=True)
        return indicators.score_units(included)

    @cached_property
    def balance(self) -> pd.DataFrame:
        """County mean and student-weighted CV per stage and indicator (county only)."""
        return indicators.county_balance(self.indicators, settings=self.settings)

    @cached_property
    def passing(self) -> pd.DataFrame:
        """Units and passing units per 镇街 and stage, with the county rows (``township = 全县``)."""
        return indicators.by_township(self.indicators)

    @cached_property
    def failing(self) -> pd.DataFrame:
        """The units that do not pass."""
        return indicators.failing_units(self.indicators)

    @cached_property
    def shortfalls(self) -> pd.DataFrame:
        """Every unit × indicator below its standard (passing units' misses too), with what reaches it."""
        return shortfalls.shortfalls_from(self.indicators)

    @cached_property
    def pass_plan(self) -> pd.DataFrame:
        """The shortfalls that make up the least plan of each failing unit."""
        return shortfalls.pass_plan(self.shortfalls)

    @cached_property
    def shortfall_totals(self) -> pd.DataFrame:
        """What the least plans need, summed per 镇街 (last row the county)."""
        return shortfalls.totals(self.shortfalls, scope="pass")

    @cached_property
    def cv_fixes(self) -> pd.DataFrame:
        """Single changes that bring a CV under (or back within a margin of) its limit (county only)."""
        return shortfalls.cv_fixes_from(self.indicators, self.balance, watch_margin=self.settings.cv_warning_margin)

    @cached_property
    def priorities(self) -> pd.DataFrame:
        """Every school-level action of the year, ranked by severity, with amounts and 估算 costs."""
        return priorities.build(self)

    @cached_property
    def cv_warnings(self) -> pd.DataFrame:
        """The CVs over their limit or within the warning margin of it (county only)."""
        return priorities.county_warnings(self, margin=self.settings.cv_warning_margin)

    # -- assurance, quality and plan items ------------------------------------------------------

    @cached_property
    def school_tables(self) -> dict[str, pd.DataFrame]:
        """The per-school tables of the school-level items (rooms, sizes, PE/art …)."""
        return assurance.school_tables(self.ds, year=self.year, settings=self.settings)

    @cached_property
    def assurance(self) -> pd.DataFrame:
        """The assurance, quality and county-plan items the data can answer (county only)."""
        rotation = None if self.ds.teachers is None or self.ds.rotations is None else self.rotation_ratios
        return assurance.assurance_items(self.ds, year=self.year, settings=self.settings,
                                         tables=self.school_tables, rotation=rotation)

    @cached_property
    def checklist(self) -> pd.DataFrame:
        """The items that need documents as evidence (county only)."""
        return assurance.checklist_items(settings=self.settings, computed=set(self.assurance["item_key"]))

    @cached_property
    def weak_schools(self) -> set[str]:
        """学校标识码 of the weak schools of the year: those with a unit failing the resource indicators."""
        ind = self.indicators
        return set(ind.loc[~ind["passes"].astype(bool), "school_id"].astype(str))

    @cached_property
    def rotation_ratios(self) -> dict:
        """The two ratios of assurance item 11 and the plan's count for the year (county only)."""
        if self.settings.rotation_target_moves == "all":
            # every rotation counts toward the plan: the weak schools of other years are not needed (and the
            # resource indicators of every year are not computed for them)
            return assurance.rotation_ratios(self.ds, year=self.year, settings=self.settings,
                                             weak={self.year: self.weak_schools})
        return assurance.rotation_ratios(self.ds, year=self.year, settings=self.settings, weak=self._weak_by_year,
                                         records=self.rotation_history)

    @cached_property
    def oversize_classes(self) -> pd.DataFrame:
        """Every compulsory-stage class above the class-size limit."""
        return assurance.oversize_classes(self.ds, year=self.year)

    # -- access and buses -----------------------------------------------------------------------

    def access(self, stage: str) -> pd.DataFrame:
        """Nearest and assigned school of every 村居 for a stage, computed on the whole county."""
        return self._stage("access", stage, lambda: access.village_access(
            self.ds, stage=stage, year=self.year, settings=self.settings))

    def catchments(self, stage: str) -> pd.DataFrame:
        """Service areas of the schools of a stage (``township``: the school's 镇街)."""
        return self._stage("catchments", stage, lambda: access.catchments(
            self.ds, stage=stage, year=self.year, access=self.access(stage), settings=self.settings))

    def distance_summary(self, stage: str) -> pd.DataFrame:
        """Distance to the assigned school per 镇街 and the county, weighted by pupils."""
        return self._stage("distance_summary", stage, lambda: access.distance_summary(self.access(stage)))

    def nearby_share(self, stage: str) -> pd.DataFrame:
        """Share of pupils whose assigned school is their nearest (就近入学) per 镇街 and the county;
        the nearest school is sought county-wide, also across a 镇街 border."""
        return self._stage("nearby_share", stage, lambda: access.nearby_share(self.access(stage)))

    def coverage(self, stage: str) -> pd.DataFrame:
        """Per 村居: beyond walking distance of its assigned school, and whether a bus takes it there."""
        return self._stage("coverage", stage, lambda: bus.coverage(
            self.ds, stage=stage, year=self.year, access=self.access(stage), feed=self.bus_feed,
            settings=self.settings))

    def coverage_summary(self, stage: str) -> pd.DataFrame:
        """Pupils beyond walking distance and those a school bus covers, per 镇街 and the county."""
        return self._stage("coverage_summary", stage, lambda: bus.coverage_summary(self.coverage(stage)))

    def uncovered(self, stage: str) -> pd.DataFrame:
        """The 村居 beyond walking distance that no bus links to their school, most pupils first."""
        return self._stage("uncovered", stage, lambda: bus.uncovered_villages(self.coverage(stage)))

    @cached_property
    def bus_feed(self):
        """The school-bus GTFS feed (gtfs-kit)."""
        self._need("bus_routes")
        return bus.load_feed(self.ds)

    @cached_property
    def bus_routes(self) -> pd.DataFrame:
        """The school-bus routes with the schools they serve (and their 镇街, ``townships``)."""
        return bus.routes(self.ds, feed=self.bus_feed, settings=self.settings)

    @cached_property
    def bus_stops(self) -> pd.DataFrame:
        """The school-bus stops with the routes calling there (and the 镇街 those routes serve)."""
        return bus.stops(self.ds, feed=self.bus_feed, settings=self.settings)

    @cached_property
    def ride_times(self) -> pd.DataFrame:
        """Ride time from each stop to each school its routes serve (first morning trip)."""
        return bus.ride_times(self.ds, feed=self.bus_feed, settings=self.settings)

    # -- class sizes and places -----------------------------------------------------------------

    @cached_property
    def class_history(self) -> pd.DataFrame:
        """Every 小学/初中 class of every year with its cap, band and over-cap flag."""
        self._need("class_records")
        return classsize.class_records(self.ds)

    @cached_property
    def class_records(self) -> pd.DataFrame:
        """Every class of the year with its cap, band and over-cap flag."""
        h = self.class_history
        return h.loc[h["year"] == self.year].reset_index(drop=True)

    @cached_property
    def class_sizes(self) -> pd.DataFrame:
        """Class-size distribution of the year per 镇街 and stage (the 全县 rows last)."""
        return classsize.class_size_summary(self.ds, year=self.year, by="township", records=self.class_records)

    @cached_property
    def class_trend(self) -> pd.DataFrame:
        """Classes, over-cap classes and bands per year, 镇街 and stage since 2019 (with 全县 rows)."""
        return classsize.class_size_trend(self.ds, by="township", records=self.class_history)

    @cached_property
    def oversize_schools(self) -> pd.DataFrame:
        """Schools by number of classes over the cap (those with one at least)."""
        return classsize.top_oversize_schools(self.ds, year=self.year, n=None, records=self.class_records)

    @cached_property
    def classes_needed(self) -> pd.DataFrame:
        """Classes needed at the caps per school and grade, against the classes held."""
        return classsize.classes_needed(self.ds, year=self.year, records=self.class_records)

    @cached_property
    def enrolment_history(self) -> pd.DataFrame:
        """Enrolment per year, school and grade from the 班级 table (the projection's history)."""
        self._need("projections")
        return projection.enrolment_history(self.ds)

    @cached_property
    def projection_rates(self) -> projection.Rates:
        """Progression ratios and entry rates per 镇街 to the ``projection_to_year`` horizon (county only)."""
        self._need("projection_rates")
        return projection.estimate_rates(self.ds, history=self.enrolment_history, settings=self.settings)

    @cached_property
    def progression_rates(self) -> pd.DataFrame:
        """:attr:`projection_rates` as a frame, one row per 镇街 (entry rate, progression ratios)."""
        return self.projection_rates.table()

    @cached_property
    def projections(self) -> dict[str, pd.DataFrame]:
        """Projected enrolment per school, stage and grade for every variant of the settings."""
        self._need("projections")
        return projection.project_variants(self.ds, settings=self.settings, rates=self.projection_rates)

    @cached_property
    def classroom_needs(self) -> dict[str, pd.DataFrame]:
        """Classrooms needed per year, school and stage against those available, per variant."""
        self._need("classroom_needs")
        return {v: projection.classroom_needs(p, self.ds) for v, p in self.projections.items()}

    @cached_property
    def township_needs(self) -> dict[str, pd.DataFrame]:
        """Per variant, year, 镇街 and stage: classroom shortfall, spare rooms, net need, new-school flag."""
        return {v: projection.township_needs(n, settings=self.settings) for v, n in self.classroom_needs.items()}

    # -- teachers and rotation ------------------------------------------------------------------

    @cached_property
    def eligible_teachers(self) -> pd.DataFrame:
        """Teachers eligible for rotation in the year."""
        self._need("eligible_teachers")
        return rotation.eligible_teachers(self.ds, year=self.year, settings=self.settings)

    @cached_property
    def _weak_by_year(self) -> dict[int, set[str]]:
        """Weak schools (a unit failing the resource indicators) of every year of the data."""
        weak = rotation.weak_by_year(self.indicators_all_years)
        weak[self.year] = rotation.weak_schools(self.indicators)
        return weak

    @cached_property
    def rotation_history(self) -> pd.DataFrame:
        """Every rotation of the 交流轮岗 table with the attributes every summary needs."""
        self._need("rotations")
        return rotation.rotation_records(self.ds, weak=self._weak_by_year)

    @cached_property
    def rotations(self) -> pd.DataFrame:
        """The year's rotations (empty when the 交流轮岗 table has none for the year)."""
        h = self.rotation_history
        return h.loc[h["year"] == self.year].reset_index(drop=True)

    @cached_property
    def rotation_summary(self) -> pd.DataFrame:
        """Rotations per year against the target and the 10 %/20 % ratios (county only)."""
        self._need("rotation_summary")
        return rotation.rotation_summary(self.ds, settings=self.settings, records=self.rotation_history)

    @cached_property
    def rotation_township_trend(self) -> pd.DataFrame:
        """Rotations per year and 镇街: sent, received, eligible and the shares of what it sent."""
        self._need("rotation_by_township")
        return rotation.rotation_summary(self.ds, by="township", settings=self.settings, records=self.rotation_history)

    @cached_property
    def rotation_by_township(self) -> pd.DataFrame:
        """The year's rotations per 镇街 (every 镇街, zeros included)."""
        self._need("rotation_by_township")
        return rotation.rotation_summary(self.ds, year=self.year, by="township", settings=self.settings,
                                         records=self.rotations, eligible=self.eligible_teachers)

    @cached_property
    def rotation_by_school(self) -> pd.DataFrame:
        """The year's rotations per school (every school, zeros included)."""
        self._need("rotation_by_school")
        return rotation.rotation_summary(self.ds, year=self.year, by="school", settings=self.settings,
                                         records=self.rotations, eligible=self.eligible_teachers)

    @cached_property
    def rotation_direction(self) -> pd.DataFrame:
        """The year's rotations counted by sending/receiving 镇街 and 城乡分类."""
        return rotation.rotation_direction(self.rotations)

    @cached_property
    def gap_filling(self) -> pd.DataFrame:
        """Whether the year's rotations fill the PE/art and backbone gaps of the receiving schools."""
        self._need("gap_filling")
        return rotation.gap_filling(self.ds, year=self.year, records=self.rotations)

    @cached_property
    def rotation_plan(self) -> rotation.RotationPlan:
        """A proposal of next year's rotations (教师编号 only) and its sizes (county only)."""
        self._need("rotation_plan")
        return rotation.plan_next_year(self.ds, year=self.year, settings=self.settings,
                                       weak=self._weak_by_year[self.year])

    @cached_property
    def rotation_plan_moves(self) -> pd.DataFrame:
        """The proposed rotations themselves (教师编号 only); a 镇街 sees those it sends or receives."""
        return self.rotation_plan.moves

    @cached_property
    def rotation_plan_by_township(self) -> pd.DataFrame:
        """Rotations the plan would have each 镇街 send and receive."""
        return rotation.plan_by_township(self.rotation_plan, self.ds)

    @cached_property
    def pe_art_needs(self) -> pd.DataFrame:
        """PE/art teachers each unit must hire or receive to reach the plan's target per 100 students (the
        national standard per stage when the county plan sets none)."""
        self._need("pe_art_needs")
        target = self.plan_target(PLAN_PE_ART)
        return rotation.pe_art_needs(self.ds, year=self.year, plan=self.rotation_plan,
                                     target=None if target is None else target.value)

    @cached_property
    def training_honours(self) -> dict[str, pd.DataFrame]:
        """Training completion and 最美教师 per year (county only)."""
        self._need("training_honours")
        return rotation.training_honours(self.ds, year=self.year)

    @cached_property
    def training(self) -> pd.DataFrame:
        """Training completion per 镇街 (the 全县 row last)."""
        return self.training_honours["training"]

    # -- every year -----------------------------------------------------------------------------

    @cached_property
    def indicators_all_years(self) -> pd.DataFrame:
        """The resource indicators of every year of the data (the trend and the weak schools of past years)."""
        return indicators.resource_indicators(self.ds, year="all", settings=self.settings)

    @cached_property
    def indicator_trend(self) -> pd.DataFrame:
        """Resource indicators for every year of the data (county level)."""
        return trend.indicator_trend(self.ds, settings=self.settings, indicators=self.indicators_all_years)

    @cached_property
    def assurance_trend(self) -> pd.DataFrame:
        """The numeric assurance and county-plan items for every year of the data."""
        return trend.assurance_trend(self.ds, settings=self.settings)

    # -- cross-checks and the plan's further tasks ---------------------------------------------

    @cached_property
    def roster_check(self) -> pd.DataFrame:
        """Per 部: the typed 高于规定学历 and 骨干 counts against the roster's (empty without a roster of the year)."""
        self._need("roster_check")
        return roster_check.typed_vs_roster(self.ds, year=self.year)

    @cached_property
    def satisfaction(self) -> pd.DataFrame:
        """社会认可度 per 镇街 and respondent group (every group pooled too), the 全县 rows last."""
        self._need("satisfaction")
        return survey.satisfaction(self.ds, year=self.year)

    @cached_property
    def school_satisfaction(self) -> pd.DataFrame:
        """社会认可度 per school and respondent group."""
        self._need("school_satisfaction")
        return survey.school_satisfaction(self.ds, year=self.year)

    @cached_property
    def special_group_rates(self) -> pd.DataFrame:
        """残疾儿童少年入学率, 随迁子女 in public and purchased places, 留守儿童 with a care file, per 镇街 and 全县."""
        self._need("special_group_rates")
        return special_groups.special_group_rates(self.ds, year=self.year, settings=self.settings)

    @cached_property
    def dropout_cases(self) -> pd.DataFrame:
        """Every case of the 控辍保学台账 (no pupil identifier), with its 镇街 and whether it is open."""
        self._need("dropout_cases")
        return dropout.dropout_cases(self.ds)

    @cached_property
    def dropout_by_township(self) -> pd.DataFrame:
        """Cases, open cases and how the others closed, per 镇街 (the year's new cases too), 全县 last."""
        return dropout.open_by_township(self.dropout_cases, self.townships, year=self.year)

    @cached_property
    def dropout_monthly(self) -> pd.DataFrame:
        """Pupils who left and came back per month and the cases open at each month's end, per 镇街 and 全县."""
        cases = self.dropout_cases
        frames = [dropout.monthly_counts(cases.loc[cases["township"] == t]).assign(township=t)
                  for t in self.townships if (cases["township"] == t).any()]
        frames.append(dropout.monthly_counts(cases).assign(township=COUNTY))
        return pd.concat(frames, ignore_index=True)[["township", "month", "left", "returned", "open_end"]]

    @cached_property
    def after_school(self) -> pd.DataFrame:
        """Per school: 课后服务 offered and taken up, 作业公示, homework minutes per grade against the limits."""
        self._need("after_school")
        return after_school.after_school_schools(self.ds, year=self.year, settings=self.settings)

    @cached_property
    def alliance_groups(self) -> pd.DataFrame:
        """The education groups and 城乡学校共同体 with their lead school, members and 镇街 (``townships``)."""
        self._need("alliance_groups")
        return alliances.groups(self.ds)

    @cached_property
    def alliance_coverage(self) -> pd.DataFrame:
        """Every rural school of the year (setting ``alliance_areas``) and whether a group covers it."""
        self._need("alliance_coverage")
        return alliances.coverage(self.ds, schools=self.school_tables["schools"], settings=self.settings)

    @cached_property
    def alliance_coverage_by_township(self) -> pd.DataFrame:
        """Rural schools and those covered per 镇街, 全县 last."""
        return alliances.coverage_by_township(self.alliance_coverage, self.townships)

    @cached_property
    def rural_projects(self) -> pd.DataFrame:
        """The 强镇筑基 pilot towns and the 百强乡镇中学/小学."""
        self._need("rural_projects")
        return alliances.projects(self.ds)


def _scope(value, township: str, columns: tuple[str, ...]):
    """Rows of a county-wide result that concern one 镇街 (frames in dicts and tuples too)."""
    if value is None:
        return None
    if isinstance(value, pd.DataFrame):
        present = [c for c in columns if c in value.columns]
        if not present:
            raise KeyError(f"frame has none of the scope columns {columns}")
        mask = pd.Series(False, index=value.index)
        for c in present:
            mask |= value[c].map(lambda v: township in v if isinstance(v, list | tuple | set | frozenset)
                                 else v == township).astype(bool)
        return value.loc[mask]
    if isinstance(value, dict):
        return {k: _scope(v, township, columns) for k, v in value.items()}
    raise TypeError(f"cannot scope a {type(value).__name__} to a 镇街")


class TownshipView:
    """An :class:`Assessment` seen from one 镇街: each measure is the county-wide one, filtered.

    ``view.indicators`` is ``assessment.indicators`` with the rows of the 镇街's schools;
    ``view.access("primary")`` the county-wide access of its villages (a village's nearest school
    may lie in the next 镇街). County-only measures (:data:`COUNTY_ONLY`) raise ``AttributeError``.
    """

    def __init__(self, assessment: Assessment, township: str) -> None:
        if township not in assessment.townships:
            raise DataError(
                f"数据中没有该镇街 (unknown_township): {township}；可用镇街：{'、'.join(assessment.townships)}"
            )
        self.assessment = assessment
        self.name = township

    def __repr__(self) -> str:
        return f"<TownshipView {self.name} of {self.assessment!r}>"

    @property
    def year(self) -> int:
        """The school year assessed."""
        return self.assessment.year

    @property
    def ds(self):
        """The data set (the whole county's: a view never subsets the data)."""
        return self.assessment.ds

    @property
    def county_name(self) -> str:
        """The county's name from the data."""
        return self.assessment.county_name

    def plan_target(self, key: str) -> PlanTarget | None:
        """The county plan's target ``key`` (:meth:`Assessment.plan_target`): the same for every 镇街."""
        return self.assessment.plan_target(key)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in COUNTY_ONLY:
            raise AttributeError(f"{name} is a county-wide measure: read it from the Assessment, not a 镇街")
        value = getattr(self.assessment, name)
        columns = SCOPE_COLUMNS.get(name, ("township",))
        if callable(value):
            return lambda *args, **kwargs: _scope(value(*args, **kwargs), self.name, columns)
        return _scope(value, self.name, columns)


#: What presentation and publishing functions take: the county's assessment or a 镇街 view of one.
Scope = Assessment | TownshipView


def assessment_of(scope: Scope) -> Assessment:
    """The county's assessment behind a scope (the assessment itself for the county)."""
    return scope.assessment if isinstance(scope, TownshipView) else scope


def township_of(scope: Scope) -> str | None:
    """The 镇街 of a view; ``None`` for the county."""
    return scope.name if isinstance(scope, TownshipView) else None
