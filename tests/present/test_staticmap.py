"""Tests of jxedu.present.staticmap on the six-school county of tests/test_maps.py (Agg backend).

pytest turns warnings into errors, so a missing CJK glyph ("Glyph … missing from font") fails
these tests: every figure is drawn to PNG to force text layout.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar  # noqa: E402
from pyproj import Transformer  # noqa: E402

from jxedu.analysis.assessment import assess  # noqa: E402
from jxedu.core import config  # noqa: E402
from jxedu.present import staticmap  # noqa: E402
from jxedu.present import style as plotting  # noqa: E402
from tests.present.test_maps import TOWNSHIP_BOXES, make_dataset  # noqa: E402

_TO_UTM = Transformer.from_crs(config.WGS84, config.UTM50N, always_xy=True)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [
        t.get_text() for leg in fig.legends for t in leg.get_texts()
    ]


def _school_points(ax) -> int:
    """Points of the school scatters (zorder 5)."""
    return sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() == 5)


def test_nice_scale_lengths():
    # 20 % of the width, rounded down to 1/2/5 x 10^k
    assert staticmap.nice_length(10_000) == 2000  # target 2000
    assert staticmap.nice_length(37_000) == 5000  # target 7400
    assert staticmap.nice_length(4_000) == 500  # target 800
    assert staticmap.nice_length(60_000) == 10_000  # target 12 000


def test_county_layout_map(tmp_path):
    fig = staticmap.layout_map(assess(make_dataset()))
    ax = fig.axes[0]
    assert ax.get_title() == "金乡县学校布局（2024学年）"
    assert _school_points(ax) == 6
    texts = _texts(fig)
    assert "北" in texts and "合成演示数据" in texts and "金乡街道" in texts and "鸡黍镇" in texts
    # legend: one entry per kind with its count (小学 S1 + S6)
    assert "小学（2所）" in texts and "一贯制学校（2所）" in texts
    bars = [a for a in ax.artists if isinstance(a, AnchoredSizeBar)]
    assert len(bars) == 1
    # square view of the two boxes: height 0.22 deg ~ 24.4 km plus 2 x 6 % margin -> 27.3 km wide;
    # 20 % is 5.5 km -> a 5 km bar
    x0, x1 = ax.get_xlim()
    assert staticmap.nice_length(x1 - x0) == 5000
    assert bars[0].txt_label.get_text() == "5 公里"
    plotting.savefig(fig, tmp_path / "county.png", dpi=60)
    assert (tmp_path / "county.png").stat().st_size > 0


def test_township_zoom_and_status_colours(tmp_path):
    status = {"S3": "未达标", "S6": "达标"}
    fig = staticmap.layout_map(assess(make_dataset(synthetic=False)).township("鸡黍镇"), school_status=status)
    ax = fig.axes[0]
    assert ax.get_title() == "金乡县鸡黍镇学校布局（2024学年）"
    assert _school_points(ax) == 3  # S3, S4, S6
    assert "合成演示数据" not in _texts(fig)
    # the view is centred on the 鸡黍镇 box
    w, s, e, n = TOWNSHIP_BOXES["鸡黍镇"]
    cx, cy = _TO_UTM.transform((w + e) / 2, (s + n) / 2)
    assert np.mean(ax.get_xlim()) == pytest.approx(cx, abs=300)
    assert np.mean(ax.get_ylim()) == pytest.approx(cy, abs=300)
    # fill colours: S6 (小学 layer) 达标 green; S3 (一贯制) 未达标 red; S4 no result grey
    fills = {
        tuple(np.round(c.get_facecolors()[0][:3], 3)): len(c.get_offsets())
        for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() == 5
    }  # fmt: skip
    rgb = {k: tuple(np.round(matplotlib.colors.to_rgb(v), 3)) for k, v in plotting.STATUS_COLORS.items()}
    assert rgb["pass"] in fills and rgb["fail"] in fills
    assert tuple(np.round(matplotlib.colors.to_rgb(plotting.NEUTRAL_COLOR), 3)) in fills
    plotting.savefig(fig, tmp_path / "town.png", dpi=60)


def test_draws_on_given_axes_and_villages():
    fig, ax = plt.subplots()
    out = staticmap.layout_map(assess(make_dataset(villages=True)), ax=ax)
    assert out is fig
    # 4 villages of 10 children per age: 小学 6 ages + 初中 3 ages = 90 pupils each
    vil = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_zorder() == 3]
    assert len(vil) == 1 and len(vil[0].get_offsets()) == 4
    # area = 0.06 pt² per pupil x 90 = 5.4 pt²
    assert vil[0].get_sizes() == pytest.approx([5.4] * 4)
    plt.close(fig)


def test_outline_when_no_township_layer(tmp_path):
    ds = make_dataset()  # 行政区划代码 370828: the shipped outline of that county
    ds.townships = None
    fig = staticmap.layout_map(assess(ds))
    # the county outline (882 km²) is drawn as background and fixes the extent: ~ 36 km across
    x0, x1 = fig.axes[0].get_xlim()
    assert 35_000 < x1 - x0 < 50_000
    plotting.savefig(fig, tmp_path / "outline.png", dpi=50)


def test_no_outline_of_another_county_the_schools_set_the_view():
    import dataclasses

    # another county without 镇街边界 or 县界: no outline is drawn (never 金乡's), the six schools set the view
    ds = dataclasses.replace(make_dataset(), townships=None, meta={"县名": "示例县", "行政区划代码": "360999"})
    fig = staticmap.layout_map(assess(ds))
    ax = fig.axes[0]
    assert all(c.get_zorder() >= 2 for c in ax.collections)  # the outline would be the polygons at zorder 1
    # the schools span 116.17–116.34° E, 34.91–35.11° N: ~ 22 km north–south, < 35 km with the margins
    x0, x1 = ax.get_xlim()
    assert 15_000 < x1 - x0 < 35_000
    plt.close(fig)


def test_title_names_the_county_of_the_data():
    import dataclasses

    ds = dataclasses.replace(make_dataset(), meta={"县名": "示例县"})
    fig = staticmap.layout_map(assess(ds).township("鸡黍镇"))
    assert fig.axes[0].get_title() == "示例县鸡黍镇学校布局（2024学年）"
    plt.close(fig)


def test_county_outline_is_shifted_back_to_wgs84():
    # the bundled outline is published in GCJ-02: shifted back, it moves west by the GCJ-02 offset at
    # 金乡 (several hundred metres: more than 0.001 degree), nearly uniformly over one county (within
    # tens of metres), so its centre lands near where the centre's own inverse shift puts it
    import geopandas as gpd

    from jxedu.core.coords import gcj02_to_wgs84

    ds = make_dataset()
    ds.townships = None
    raw = gpd.read_file(config.DEMO_COUNTY_OUTLINE).geometry.union_all().centroid
    wgs = staticmap.county_outline(ds).geometry.union_all().centroid
    assert 1e-3 < raw.x - wgs.x < 1e-2
    assert (wgs.x, wgs.y) == pytest.approx(gcj02_to_wgs84(raw.x, raw.y), abs=5e-4)  # ~50 m of ~500
