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

from jxedu.core.config import COUNTY_NAME
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
        """The county's name from the data (说明 item 县名), as every title and header shows it."""
        return self.meta.get("县名") or COUNTY_NAME

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
