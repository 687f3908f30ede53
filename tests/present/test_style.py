"""Tests for jxedu.present.style: Chinese text renders, colours and figure helpers."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from fontTools.ttLib import TTFont

from jxedu.core.errors import EnvironmentSetupError
from jxedu.present import style as plotting

# Every Chinese character the chart below draws, plus the county name.
CHART_TEXT = ("金乡县各镇街在校生数", "镇街", "在校生数（人）", "小学", "初中", "变化")


def _draw_chinese_chart() -> list[warnings.WarningMessage]:
    """Draw a chart with Chinese title, labels, legend and a negative tick; return its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plotting.new_figure(title=CHART_TEXT[0])
        ax.bar(["金乡街道", "鸡黍镇"], [1200, -300], color=plotting.STAGE_COLORS["primary"], label="小学")
        ax.plot([0, 1], [800, -150], color=plotting.STAGE_COLORS["junior"], label="初中")
        ax.set_xlabel(CHART_TEXT[1])
        ax.set_ylabel(CHART_TEXT[2])
        ax.set_ylim(-500, 1500)  # ticks include −500
        ax.legend(title=CHART_TEXT[5])
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels()]
        plt.close(fig)
    assert any(lbl.startswith("-") for lbl in labels), labels  # a negative tick was drawn
    return list(caught)


def test_setup_fonts_sets_chinese_family_first():
    family = plotting.setup_fonts()
    assert family in plotting.CJK_FAMILIES
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_setup_fonts_is_idempotent():
    first = plotting.setup_fonts()
    second = plotting.setup_fonts()
    assert first == second
    # The family is listed once, not once per call.
    assert matplotlib.rcParams["font.sans-serif"].count(first) == 1


def test_chinese_chart_draws_without_missing_glyphs():
    caught = _draw_chinese_chart()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []


def test_missing_glyph_check_detects_a_latin_only_font():
    # The check above must be able to fail: with DejaVu Sans alone, Chinese glyphs are missing.
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig, ax = plt.subplots()
            ax.set_title("金乡县")
            fig.canvas.draw()
            plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_font_file_has_glyphs_for_the_county_name():
    font = plotting.cjk_font()
    assert font.path.is_file()
    tt = TTFont(str(font.path), fontNumber=font.index, lazy=True)
    cmap = tt.getBestCmap()
    for text in ("金乡县", *CHART_TEXT):
        for ch in text:
            if ch.strip():
                assert ord(ch) in cmap, f"{ch!r} (U+{ord(ch):04X}) not in {font.path}"
    tt.close()


def test_missing_font_raises_named_error(monkeypatch):
    monkeypatch.delenv(plotting.FONT_ENV_VAR, raising=False)
    monkeypatch.setattr(plotting, "CJK_FAMILIES", ("No Such Font SC",))
    monkeypatch.setattr(plotting, "CJK_FONT_FILES", ("/nonexistent/font.ttc",))
    with pytest.raises(EnvironmentSetupError, match="fonts-noto-cjk"):
        plotting.cjk_font.__wrapped__()  # bypass the cache


def test_font_env_var_overrides_the_search(monkeypatch):
    real = plotting.cjk_font()
    monkeypatch.setenv(plotting.FONT_ENV_VAR, str(real.path))
    monkeypatch.setattr(plotting, "CJK_FAMILIES", ("No Such Font SC",))
    found = plotting.cjk_font.__wrapped__()
    assert found.path == real.path
    # In a collection (.ttc) the simplified-Chinese face is chosen, not the JP/KR/TC one.
    assert found.family.endswith(" SC")


def test_font_env_var_bad_file_raises(monkeypatch, tmp_path):
    monkeypatch.setenv(plotting.FONT_ENV_VAR, str(tmp_path / "nope.ttf"))
    with pytest.raises(EnvironmentSetupError, match="JXEDU_CJK_FONT"):
        plotting.cjk_font.__wrapped__()


def test_status_colors():
    got = plotting.status_colors([True, False, None, "near", "pass"])
    assert got == ["#2E7D32", "#C62828", "#7F7F7F", "#F9A825", "#2E7D32"]
    with pytest.raises(ValueError):
        plotting.status_colors(["ok"])


def test_legend_handles_use_chinese_labels():
    handles = plotting.legend_handles(plotting.STATUS_COLORS)
    assert [h.get_label() for h in handles] == ["达标", "接近达标", "未达标"]
    stage = plotting.legend_handles(plotting.STAGE_COLORS)
    assert [h.get_label() for h in stage] == ["小学", "初中", "高中"]


def test_new_figure_size_and_title():
    fig, ax = plotting.new_figure(size="a4", title="标题")
    assert tuple(fig.get_size_inches()) == pytest.approx((6.3, 4.2))
    assert fig._suptitle.get_text() == "标题"
    assert not ax.spines["top"].get_visible()
    plt.close(fig)
    fig, axes = plotting.new_figure(nrows=1, ncols=2, size=(4, 2))
    assert len(axes) == 2 and tuple(fig.get_size_inches()) == pytest.approx((4, 2))
    plt.close(fig)


def test_savefig_writes_png_and_closes(tmp_path):
    fig, ax = plotting.new_figure()
    ax.set_title("金乡县")
    out = plotting.savefig(fig, tmp_path / "sub" / "chart.png")
    assert out == tmp_path / "sub" / "chart.png"
    assert Path(out).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.fignum_exists(fig.number)
