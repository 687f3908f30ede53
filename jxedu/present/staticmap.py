"""Static school-layout maps (geopandas/matplotlib) for the PDF reports.

:func:`layout_map` draws, in UTM zone 50N metres: the 镇街 boundaries (one highlighted and zoomed to
when given), the schools by kind (one marker shape per kind, area proportional to compulsory-stage
enrolment, coloured by 达标/未达标 when a status is given), the villages as dots sized by their
school-age population and the school-bus routes, with a Chinese title, 镇街 names, a legend, a scale
bar, a north arrow and the notice 合成演示数据 on synthetic data.

The north arrow points to grid north of UTM 50N; at 金乡 (116.3°E, 35°N) grid north differs from
true north by the meridian convergence (116.3 − 117) × sin 35° ≈ −0.4°, invisible at this scale.

The map takes the county's assessment or a 镇街 view of it and draws what the assessment holds: the
school status of ``a.indicators``, the villages' pupils of ``a.access(stage)``, ``a.bus_routes``.
"""

from __future__ import annotations

import geopandas as gpd
import matplotlib.patheffects as path_effects
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from jxedu.analysis.assessment import Scope, assessment_of, township_of
from jxedu.core import config
from jxedu.core import vocabulary as vocab
from jxedu.core.errors import DataError
from jxedu.present import style as plotting
from jxedu.present.access import SCHOOL_GROUPS, place_name, school_table
from jxedu.present.maps import group_colors

__all__ = ["MARKERS", "add_north_arrow", "add_scale_bar", "county_outline", "layout_map", "nice_length"]

#: Marker of each kind of school (keys of :data:`jxedu.present.access.SCHOOL_GROUPS`).
MARKERS: dict[str, str] = {"primary": "o", "junior": "s", "through": "D", "teaching_point": "^"}

SCHOOL_AREA_MIN = 12.0  # pt², marker area of a school with no pupils
SCHOOL_AREA_PER_PUPIL = 0.09  # pt² per pupil: 2000 pupils -> 192 pt² (radius ~ 7.8 pt)
VILLAGE_AREA_PER_PUPIL = 0.06  # pt² per pupil: 300 pupils -> 18 pt²
VILLAGE_AREA_MIN = 1.0  # pt²
ZOOM_MARGIN = 0.06  # share of the extent added on each side
SIMPLIFY_M = 20.0  # metres, boundary simplification for drawing


def nice_length(span_m: float, *, fraction: float = 0.2) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k metres) close to ``fraction`` of ``span_m``.

    Parameters
    ----------
    span_m
        Width of the map in metres.
    fraction
        Target share of the width.

    Returns
    -------
    float
        Metres; the largest of 1, 2, 5 × 10^k not above ``fraction · span_m``.
    """
    target = max(span_m * fraction, 1.0)
    exp = 10 ** np.floor(np.log10(target))
    for step in (5, 2, 1):
        if step * exp <= target:
            return float(step * exp)
    return float(exp)


def add_scale_bar(ax: Axes, *, loc: str = "lower left") -> float:
    """Draw a scale bar on an axes in metres (UTM); return its length in metres."""
    x0, x1 = ax.get_xlim()
    length = nice_length(abs(x1 - x0))
    label = f"{length / 1000:g} 公里" if length >= 1000 else f"{length:g} 米"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        label,
        loc=loc,
        pad=0.6,
        borderpad=0.8,
        sep=4,
        frameon=True,
        size_vertical=abs(ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.006,
        fontproperties={"size": 8},
    )
    bar.patch.set_alpha(0.8)
    bar.patch.set_edgecolor("none")
    ax.add_artist(bar)
    return length


def add_north_arrow(ax: Axes, *, xy: tuple[float, float] = (0.95, 0.93), size: float = 0.08) -> None:
    """Draw a north arrow (grid north) with the character 北 in axes coordinates."""
    x, y = xy
    ax.annotate(
        "北",
        xy=(x, y),
        xytext=(x, y - size),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=10,
        fontweight="bold",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 10, "headlength": 10},
    )


def layout_map(
    scope: Scope,
    *,
    ax: Axes | None = None,
    show_villages: bool = True,
    show_routes: bool = True,
    school_status=None,
    size: str | tuple[float, float] = (6.3, 5.0),
    label_failing: bool = False,
) -> Figure:
    """Static map of the school layout of the county or one 镇街.

    Parameters
    ----------
    scope
        ``a`` (the county) or a 镇街 view ``a.scope(township)``: that 镇街 highlighted and zoomed to,
        only its schools and villages drawn, and the routes serving its schools.
    ax
        Axes to draw on (a new figure when ``None``).
    show_villages
        Draw villages sized by school-age population (needs the 村居 table).
    show_routes
        Draw school-bus routes (needs the GTFS feed).
    school_status
        Per-school 达标/未达标 (see :func:`jxedu.present.access.normalise_status`); ``None`` = the
        assessment's indicators when the data allow, else schools are coloured by kind.
    size
        Figure size (inches, or a key of :data:`jxedu.present.style.FIGSIZE`) when ``ax`` is None; the
        default fills the 160 mm text width of an A4 page, the legend to the right of the map.
    label_failing
        Write the name of every school that fails the resource indicators beside its marker (a 镇街
        map; on the county map only the 镇街 are named).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plotting.setup_fonts()
    a = assessment_of(scope)
    township = township_of(scope)
    if ax is None:
        fig, ax = plotting.new_figure(size=size)
        ax.grid(False)
    else:
        fig = ax.figure
    schools = school_table(scope, school_status=school_status)
    pts = gpd.GeoDataFrame(schools.drop(columns="geometry"),
                           geometry=gpd.points_from_xy(schools["x"], schools["y"]), crs=config.UTM50N)
    tw, background = _draw_boundaries(ax, a.ds, township)
    _set_extent(ax, scope, tw, background, pts)
    legend_items: list = []
    if show_villages:
        legend_items += _draw_villages(ax, scope)
    if show_routes:
        legend_items += _draw_routes(ax, scope)
    legend_items += _draw_schools(ax, pts)
    if tw is not None:
        _label_townships(ax, tw, township)
    if label_failing and township is not None:
        _label_failing_schools(ax, pts)
    ax.set_title(f"{place_name(scope)}学校布局（{a.year}学年）", fontsize=12, fontweight="bold")
    # the legend beside the map but inside the figure (constrained layout makes room for it)
    fig.legend(handles=legend_items, loc="outside right upper", fontsize=7, frameon=False, borderpad=0.2,
               labelspacing=0.6)
    add_scale_bar(ax, loc="lower left")
    add_north_arrow(ax)
    if a.ds.synthetic:
        ax.text(
            0.99, 0.01, vocab.SYNTHETIC_MARK, transform=ax.transAxes, ha="right", va="bottom",
            fontsize=9, color="#C62828", fontweight="bold", zorder=7,
        )  # fmt: skip
    return fig


def county_outline(ds) -> gpd.GeoDataFrame | None:
    """The data set's county outline (:attr:`jxedu.core.dataset.Dataset.outline`: its 县界 layer, the
    union of its 镇街边界, or the outline shipped for its 行政区划代码) in WGS-84; ``None`` without one."""
    outline = ds.outline
    if outline is None:
        return None
    return gpd.GeoDataFrame({"source": [outline.source]}, geometry=[outline.geometry], crs=config.WGS84)


def _draw_boundaries(ax: Axes, ds, township: str | None):
    """The 镇街 boundaries (the scope's 镇街 highlighted), or the county outline without them (nothing
    when the data give none: the schools alone set the view).

    Returns the boundaries in UTM (``None`` without them) and the bounds of the outline drawn instead
    (``None`` without one).
    """
    if ds.townships is None or not len(ds.townships):
        outline = county_outline(ds)
        if outline is None:
            return None, None
        outline = outline.to_crs(config.UTM50N)
        outline.plot(ax=ax, facecolor="#FAFAF5", edgecolor="#9E9E9E", linewidth=0.8)
        return None, outline.total_bounds
    tw = ds.townships.to_crs(config.UTM50N)
    tw = tw.assign(geometry=tw.geometry.simplify(SIMPLIFY_M, preserve_topology=True))
    other = tw if township is None else tw[tw["township"] != township]
    other.plot(ax=ax, facecolor="#F4F4F4" if township else "#FAFAF5", edgecolor="#9E9E9E", linewidth=0.6)
    if township is not None:
        tw[tw["township"] == township].plot(ax=ax, facecolor="#FFF8E1", edgecolor="#333333", linewidth=1.6)
    return tw, None


def _set_extent(ax: Axes, scope: Scope, tw, background, pts: gpd.GeoDataFrame) -> None:
    """A square view of the scope's 镇街 (or the county) and its schools, with a margin."""
    township = township_of(scope)
    if township is not None and tw is not None and (tw["township"] == township).any():
        minx, miny, maxx, maxy = tw[tw["township"] == township].total_bounds
    elif tw is not None:
        minx, miny, maxx, maxy = tw.total_bounds
    elif township is None and background is not None:
        minx, miny, maxx, maxy = background
    else:
        minx, miny, maxx, maxy = pts.total_bounds
    if len(pts):
        bx = pts.total_bounds
        minx, miny, maxx, maxy = min(minx, bx[0]), min(miny, bx[1]), max(maxx, bx[2]), max(maxy, bx[3])
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        raise DataError(f"没有可绘制的学校或镇街边界 (nothing_to_draw): {place_name(scope)}")
    span = max(maxx - minx, maxy - miny, 2000.0)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = span / 2 * (1 + 2 * ZOOM_MARGIN)
    ax.set_xlim(cx - half, cx + half)
    ax.set_ylim(cy - half, cy + half)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _village_pupils(scope: Scope):
    """Compulsory-stage school-age population per village (小学 + 初中 ages) of the scope: the
    ``demand`` of ``a.access(stage)``; ``None`` without the 村居 table."""
    if assessment_of(scope).missing("access") is not None:
        return None
    primary, junior = scope.access("primary"), scope.access("junior")
    out = primary[["village_id", "x", "y"]].copy()
    out["pupils"] = primary["demand"].to_numpy() + junior.set_index("village_id").loc[
        primary["village_id"], "demand"].to_numpy()
    return out


def _draw_villages(ax: Axes, scope: Scope) -> list:
    vil = _village_pupils(scope)
    if vil is None or not len(vil):
        return []
    ax.scatter(
        vil["x"], vil["y"],
        s=np.maximum(VILLAGE_AREA_MIN, vil["pupils"].to_numpy(dtype=float) * VILLAGE_AREA_PER_PUPIL),
        color="#8D6E63", alpha=0.55, linewidths=0, zorder=3,
    )  # fmt: skip
    return [Line2D([], [], marker="o", linestyle="", color="#8D6E63", alpha=0.7, markersize=4,
                   label="村居（大小：学龄人口）")]


def _draw_routes(ax: Axes, scope: Scope) -> list:
    if assessment_of(scope).missing("bus_routes") is not None:
        return []
    routes = scope.bus_routes
    routes = routes[routes.geometry.notna()]
    if not len(routes):
        return []
    routes.to_crs(config.UTM50N).plot(ax=ax, color="#00897B", linewidth=1.2, alpha=0.85, zorder=4)
    return [Line2D([], [], color="#00897B", linewidth=1.5, label="校车线路")]


def _draw_schools(ax: Axes, pts: gpd.GeoDataFrame) -> list:
    """The schools by kind (marker shape), size by enrolment, fill by status when there is one."""
    colors = group_colors()
    use_status = pts["status"].notna().any()
    items = []
    for key in SCHOOL_GROUPS:
        sub = pts[pts["group"] == key]
        if len(sub):
            face = (plotting.status_colors(sub["status"].where(sub["status"].notna(), None).tolist())
                    if use_status else [colors[key]] * len(sub))
            ax.scatter(
                sub["x"], sub["y"],
                s=SCHOOL_AREA_MIN + SCHOOL_AREA_PER_PUPIL * sub["students"].to_numpy(dtype=float),
                marker=MARKERS[key], c=face, edgecolors=colors[key] if use_status else "white",
                linewidths=1.0, alpha=0.9, zorder=5,
            )  # fmt: skip
        items.append(
            Line2D([], [], marker=MARKERS[key], linestyle="", markersize=7,
                   markerfacecolor="white" if use_status else colors[key],
                   markeredgecolor=colors[key], label=f"{vocab.word(key, 'school_group')}（{len(sub)}所）")
        )  # fmt: skip
    if use_status:
        for k in ("pass", "fail"):
            items.append(Line2D([], [], marker="o", linestyle="", markersize=7, color=plotting.STATUS_COLORS[k],
                                label=f"资源配置{vocab.word(k, 'status')}"))
        items.append(Line2D([], [], marker="o", linestyle="", markersize=7, color=plotting.NEUTRAL_COLOR,
                            label=vocab.word("unassessed", "status")))
    for n in (100, 1000, 2000):
        area = SCHOOL_AREA_MIN + SCHOOL_AREA_PER_PUPIL * n
        items.append(
            Line2D([], [], marker="o", linestyle="", markersize=float(np.sqrt(area)),
                   markerfacecolor="none", markeredgecolor="#555555", label=f"在校生 {vocab.fmt(n, 'int')} 人")
        )  # fmt: skip
    return items


#: Offsets (points) tried, in order, for a school's name beside its marker.
_LABEL_OFFSETS = ((8, 6), (8, -10), (-8, 6), (-8, -10), (0, 12), (0, -16), (14, -2), (-14, -2))


def _label_failing_schools(ax: Axes, pts: gpd.GeoDataFrame) -> None:
    """The names of the failing schools, each placed where it overlaps no name already placed."""
    failing = pts[pts["status"] == "fail"].sort_values("students", ascending=False)
    if not len(failing):
        return
    halo = [path_effects.withStroke(linewidth=2.5, foreground="white")]
    fig = ax.figure
    fig.canvas.draw()  # a renderer, to measure the names
    renderer = fig.canvas.get_renderer()
    placed: list = []
    for r in failing.itertuples(index=False):
        for dx, dy in _LABEL_OFFSETS:
            label = ax.annotate(
                str(r.name), (r.x, r.y), xytext=(dx, dy), textcoords="offset points", fontsize=6.5,
                ha="left" if dx >= 0 else "right", va="center", color="#B71C1C", zorder=8, path_effects=halo,
            )  # fmt: skip
            box = label.get_window_extent(renderer).expanded(1.05, 1.15)
            if not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
            label.remove()
        else:  # every place taken: the last one, overlapping, rather than no name
            label = ax.annotate(str(r.name), (r.x, r.y), xytext=_LABEL_OFFSETS[0], textcoords="offset points",
                                fontsize=6.5, color="#B71C1C", zorder=8, path_effects=halo)
            placed.append(label.get_window_extent(renderer))


def _label_townships(ax: Axes, tw: gpd.GeoDataFrame, township: str | None) -> None:
    """The 镇街 names inside the view (the scope's 镇街 bold)."""
    halo = [path_effects.withStroke(linewidth=2.5, foreground="white")]
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    for name, geom in zip(tw["township"], tw.geometry, strict=True):
        pt = geom.representative_point()
        if xlim[0] <= pt.x <= xlim[1] and ylim[0] <= pt.y <= ylim[1]:
            ax.text(
                pt.x, pt.y, str(name), ha="center", va="center", zorder=6,
                fontsize=9 if name == township else 7.5,
                fontweight="bold" if name == township else "normal",
                color="#212121" if township in (None, name) else "#757575", path_effects=halo,
            )  # fmt: skip
