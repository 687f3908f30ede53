"""The loaded data set: every table as a typed frame with English column names.

:func:`jxedu.load` builds a :class:`Dataset`; analyses take one. Column names are the ``key`` of
:mod:`jxedu.core.schema`; categorical values are English codes (``LABELS`` gives the Chinese word).

Point tables (``schools``, ``villages``) are GeoDataFrames in WGS-84 (:data:`jxedu.core.config.WGS84`)
with extra float columns ``x`` and ``y``: the same points in UTM 50N metres
(:data:`jxedu.core.config.UTM50N`), for distance work. ``lon``/``lat`` hold WGS-84 degrees after load
(GCJ-02 input is converted; the original system is kept in ``crs_in``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from jxedu.core import county
from jxedu.core.errors import MissingTableError
from jxedu.core.schema import TABLES_BY_KEY


@dataclass
class Dataset:
    """Every table of one data set.

    Attributes
    ----------
    source
        The workbook or folder it was loaded from.
    schools, stage_stats, facilities
        The required tables.
    special_rooms, classes, teachers, rotations, villages
        Optional tables (``None`` when absent).
    survey, special_groups, dropouts, after_school, alliances, rural_projects
        Optional tables of the plan's further tasks (满意度调查, 特殊群体, 控辍保学台账, 课后服务与作业,
        集团化与联盟, 强镇筑基与百强学校); ``None`` when absent.
    townships
        镇街 polygons (WGS-84) with column ``township``; ``None`` when absent.
    roads
        Road lines (WGS-84); ``None`` when absent.
    unbuildable
        不可建设: polygons (WGS-84) where no school can be built (farmland under protection, water,
        flood zones …); candidate school sites never fall inside them. ``None`` when absent.
    gtfs_path
        Path of the school-bus GTFS feed (zip or folder); ``None`` when absent.
    plan_targets
        规划目标: the county plan's own targets (``key, value, unit, document, start_year, end_year,
        note``); ``None`` when absent — then the county set no target (:meth:`plan_target`).
    county_layer
        县界: the county's outline polygon(s) (WGS-84); ``None`` when absent (:attr:`outline`).
    meta
        Items of the optional 说明 table.
    synthetic
        True for the synthetic demo data (meta item 合成数据 = 是).
    problems
        Warnings found while loading (``jxedu.ingest.problems.Problem``); errors raise instead.
    cache
        What has been computed from these tables (:func:`jxedu.assess` keeps its assessments here);
        never part of the data.
    """

    source: Path
    schools: gpd.GeoDataFrame
    stage_stats: pd.DataFrame
    facilities: pd.DataFrame
    special_rooms: pd.DataFrame | None = None
    classes: pd.DataFrame | None = None
    teachers: pd.DataFrame | None = None
    rotations: pd.DataFrame | None = None
    villages: gpd.GeoDataFrame | None = None
    townships: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    unbuildable: gpd.GeoDataFrame | None = None
    gtfs_path: Path | None = None
    meta: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    problems: list = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    survey: pd.DataFrame | None = None
    special_groups: pd.DataFrame | None = None
    dropouts: pd.DataFrame | None = None
    after_school: pd.DataFrame | None = None
    alliances: pd.DataFrame | None = None
    rural_projects: pd.DataFrame | None = None
    plan_targets: pd.DataFrame | None = None
    county_layer: gpd.GeoDataFrame | None = None

    # -- convenience -------------------------------------------------------------------------

    @property
    def years(self) -> list[int]:
        """School years present in 学段统计, ascending."""
        return sorted(int(y) for y in self.stage_stats["year"].unique())

    @property
    def latest_year(self) -> int:
        """The most recent school year in 学段统计."""
        return self.years[-1]

    @property
    def townships_list(self) -> list[str]:
        """镇街 names, from the data (the boundary layer if present, else the schools table), sorted
        with 街道 first, then by name."""
        names = set(self.schools["township"].dropna())
        if self.townships is not None:
            names |= set(self.townships["township"].dropna())
        return sorted(names, key=lambda n: (not n.endswith("街道"), n))

    @property
    def county_name(self) -> str:
        """The county's name from the data (说明 item 县名), as every title and header shows it;
        本县 when the data do not name it (the reader then warns once)."""
        return (self.meta.get(county.META_NAME) or "").strip() or county.NEUTRAL_NAME

    @property
    def county_code(self) -> str:
        """The county's 行政区划代码 (说明 item), ``""`` when not given."""
        return (self.meta.get(county.META_CODE) or "").strip()

    @property
    def bureau(self) -> str:
        """The education bureau's name (说明 item 教育行政部门), else ``<县名>教育行政部门``."""
        return (self.meta.get(county.META_BUREAU) or "").strip() or f"{self.county_name}教育行政部门"

    @property
    def outline(self) -> county.Outline | None:
        """The county outline (:func:`jxedu.core.county.county_outline`): the 县界 layer, else the
        union of 镇街边界, else the shipped outline of the county's 行政区划代码, else ``None``."""
        key = ("outline", id(self.county_layer), id(self.townships), self.county_code)
        if key not in self.cache:
            self.cache[key] = county.county_outline(layer=self.county_layer, townships=self.townships,
                                                    code=self.county_code)
        return self.cache[key]

    def plan_target(self, key: str, year: int | None = None) -> county.PlanTarget | None:
        """The county plan's target ``key`` that applies in ``year`` (default: the latest year), or
        ``None`` when the county set none (no 规划目标 row covers the year).

        Parameters
        ----------
        key
            A key of ``jxedu/data/plan_targets.csv`` (e.g. ``"plan_rotations_per_year"``).
        year
            School year.

        Returns
        -------
        jxedu.core.county.PlanTarget or None
        """
        return county.plan_target(self.plan_targets, key, self.latest_year if year is None else int(year))

    @property
    def plan_documents(self) -> list[str]:
        """The 文号 of the county's plan(s) named in 规划目标, in the order first given."""
        if self.plan_targets is None or "document" not in self.plan_targets:
            return []
        docs = self.plan_targets["document"].dropna().astype(str).str.strip()
        return list(dict.fromkeys(d for d in docs if d))

    def require(self, *tables: str) -> None:
        """Raise :class:`MissingTableError` unless every named table is present.

        Parameters
        ----------
        *tables
            English table keys (``"classes"``, ``"teachers"``, ``"villages"``, ``"townships"`` …).
        """
        missing = [t for t in tables if getattr(self, t, None) is None]
        if missing:
            names = "、".join(TABLES_BY_KEY[t].zh if t in TABLES_BY_KEY else t for t in missing)
            raise MissingTableError(
                f"此分析需要的表缺失 (missing_table): {names}；请在数据中补充后重试。"
            )

    def year_or_latest(self, year: int | None) -> int:
        """Return ``year`` if given and present, the latest year if ``None``."""
        if year is None:
            return self.latest_year
        if int(year) not in self.years:
            from jxedu.core.errors import DataError

            raise DataError(
                f"数据中没有该学年 (unknown_year): {year}；可用学年：{'、'.join(map(str, self.years))}"
            )
        return int(year)
