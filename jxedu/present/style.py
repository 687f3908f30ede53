"""Shared matplotlib set-up and style: Chinese fonts, colours, figure and file helpers.

Every chart of jxedu goes through this module so that Chinese text renders (no empty boxes, no
"Glyph … missing" warnings) and charts look alike across notebooks and PDF reports.

Typical use::

    from jxedu.present import style as plotting
    fig, ax = plotting.new_figure(title="各镇街在校生数")
    ax.bar(names, values, color=plotting.STAGE_COLORS["primary"])
    plotting.savefig(fig, "reports/2024/students.png")

Importing this module calls :func:`setup_fonts` once (cached); it raises
:class:`jxedu.core.errors.EnvironmentSetupError` when no Chinese font is installed.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.font_manager as font_manager
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from jxedu.core.errors import EnvironmentSetupError

__all__ = [
    "CJK_FAMILIES",
    "CJK_FONT_FILES",
    "FIGSIZE",
    "NEUTRAL_COLOR",
    "STAGE_COLORS",
    "STAGE_LABELS",
    "STATUS_COLORS",
    "STATUS_LABELS",
    "THRESHOLD_COLOR",
    "CJKFont",
    "cjk_font",
    "legend_handles",
    "new_figure",
    "savefig",
    "setup_fonts",
    "status_colors",
]

# --- fonts --------------------------------------------------------------------------------------

#: Font families that cover simplified Chinese, in order of preference. The first ones come with
#: Debian's ``fonts-noto-cjk`` (the package the setup script installs).
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)

#: Font files registered with matplotlib when its font cache does not know them yet (e.g. the font
#: package was installed after the cache was built).
CJK_FONT_FILES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)

#: Environment variable naming a font file to use instead of the search (``.ttf``/``.otf``/``.ttc``).
FONT_ENV_VAR = "JXEDU_CJK_FONT"

_MISSING_FONT_MESSAGE = (
    "未找到中文字体 (missing_cjk_font)：图表中的中文无法显示。"
    "请安装 Debian 软件包 fonts-noto-cjk（sudo apt-get install -y fonts-noto-cjk），"
    "或运行 make reports / make test 自动安装；也可用环境变量 JXEDU_CJK_FONT 指定字体文件。"
    " — No Chinese (CJK) font found; install the Debian package fonts-noto-cjk"
    " (sudo apt-get install -y fonts-noto-cjk) or set JXEDU_CJK_FONT to a font file."
)


@dataclass(frozen=True)
class CJKFont:
    """The Chinese font jxedu draws with.

    Attributes
    ----------
    family
        Family name as matplotlib knows it (e.g. ``"Noto Sans CJK SC"``).
    path
        The font file (may be a ``.ttc`` collection).
    index
        Face index inside a collection (0 for single-face files).
    """

    family: str
    path: Path
    index: int = 0


def _find_registered(families: Iterable[str]) -> font_manager.FontEntry | None:
    """Return the regular-weight entry of the first family matplotlib knows, if any."""
    by_name: dict[str, list[font_manager.FontEntry]] = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry)
    for family in families:
        entries = [e for e in by_name.get(family, []) if Path(e.fname).is_file()]
        if entries:
            # Prefer the regular weight (400) and upright style.
            entries.sort(key=lambda e: (e.style != "normal", abs(_weight(e.weight) - 400)))
            return entries[0]
    return None


def _weight(weight: int | str) -> int:
    """Numeric font weight (matplotlib stores ints, older caches strings)."""
    if isinstance(weight, int):
        return weight
    return font_manager.weight_dict.get(str(weight), 400)


def _register(path: str | os.PathLike) -> bool:
    """Register a font file with matplotlib; return False if it cannot be read."""
    try:
        font_manager.fontManager.addfont(os.fspath(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return True


@functools.cache
def cjk_font() -> CJKFont:
    """Find an installed font covering simplified Chinese and register it with matplotlib.

    Search order: the file named by the environment variable ``JXEDU_CJK_FONT``; the families of
    :data:`CJK_FAMILIES` in matplotlib's font cache; the files of :data:`CJK_FONT_FILES`.

    Returns
    -------
    CJKFont
        The family name and file.

    Raises
    ------
    EnvironmentSetupError
        If no Chinese font is installed (message names the Debian package ``fonts-noto-cjk``).
    """
    override = os.environ.get(FONT_ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not path.is_file() or not _register(path):
            raise EnvironmentSetupError(
                f"环境变量 {FONT_ENV_VAR} 指定的字体文件无法读取 (bad_font_file): {path}"
            )
        faces = [e for e in font_manager.fontManager.ttflist if Path(e.fname) == path]

        def rank(e: font_manager.FontEntry) -> tuple:
            # Known families first, then simplified-Chinese faces of a collection, regular weight.
            known = CJK_FAMILIES.index(e.name) if e.name in CJK_FAMILIES else len(CJK_FAMILIES)
            return (known, not e.name.endswith((" SC", " CN")), abs(_weight(e.weight) - 400))

        entry = min(faces, key=rank)
        return CJKFont(entry.name, Path(entry.fname), int(getattr(entry, "index", 0) or 0))

    entry = _find_registered(CJK_FAMILIES)
    if entry is None:
        for candidate in CJK_FONT_FILES:
            if Path(candidate).is_file():
                _register(candidate)
        entry = _find_registered(CJK_FAMILIES)
    if entry is None:
        raise EnvironmentSetupError(_MISSING_FONT_MESSAGE)
    return CJKFont(entry.name, Path(entry.fname), int(getattr(entry, "index", 0) or 0))


def setup_fonts() -> str:
    """Make matplotlib draw Chinese text; return the font family used.

    Sets ``font.family`` to sans-serif with the Chinese family first in ``font.sans-serif`` (Latin
    text is drawn with it too; DejaVu Sans stays as fallback) and ``axes.unicode_minus = False``
    (the ASCII hyphen is used for negative numbers). Safe to call many times: the font search is
    cached and re-applying the settings is cheap (a notebook may have reset ``rcParams``).

    Returns
    -------
    str
        The font family, e.g. ``"Noto Sans CJK SC"``.

    Raises
    ------
    EnvironmentSetupError
        If no Chinese font is installed.
    """
    family = cjk_font().family
    sans = [family] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != family]
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = sans
    matplotlib.rcParams["axes.unicode_minus"] = False
    # SVG output keeps text as paths so the viewer does not need the font.
    matplotlib.rcParams["svg.fonttype"] = "path"
    # Embed TrueType (Type 42) outlines in PDF/PS output instead of Type 3 bitmaps.
    matplotlib.rcParams["pdf.fonttype"] = 42
    matplotlib.rcParams["ps.fonttype"] = 42
    return family


# --- colours ------------------------------------------------------------------------------------

#: Pass / near / fail colours for standards (达标 / 接近达标 / 未达标). "near" = below the standard
#: but at or above the 85 % floor of the 2017 method.
STATUS_COLORS: dict[str, str] = {
    "pass": "#2E7D32",  # green
    "near": "#F9A825",  # amber
    "fail": "#C62828",  # red
}
#: Chinese labels of :data:`STATUS_COLORS` keys, for legends.
STATUS_LABELS: dict[str, str] = {"pass": "达标", "near": "接近达标", "fail": "未达标"}

#: One colour per 学段 (stage code of :mod:`jxedu.core.schema`).
STAGE_COLORS: dict[str, str] = {
    "primary": "#4C72B0",  # blue
    "junior": "#DD8452",  # orange
    "senior": "#8172B3",  # purple
}
#: Chinese labels of :data:`STAGE_COLORS` keys.
STAGE_LABELS: dict[str, str] = {"primary": "小学", "junior": "初中", "senior": "高中"}

#: Colour for totals, reference bars and anything without a status.
NEUTRAL_COLOR = "#7F7F7F"
#: Colour of threshold / standard lines drawn across a chart.
THRESHOLD_COLOR = "#333333"


def status_colors(passed: Iterable[bool | str | None]) -> list[str]:
    """Colours for a sequence of results.

    Parameters
    ----------
    passed
        ``True``/``False`` or status keys ``"pass"``/``"near"``/``"fail"``; ``None`` (unknown)
        gets :data:`NEUTRAL_COLOR`.

    Returns
    -------
    list of str
        One hex colour per item.
    """
    out: list[str] = []
    for value in passed:
        if value is None:
            out.append(NEUTRAL_COLOR)
        elif isinstance(value, str):
            if value not in STATUS_COLORS:
                raise ValueError(f"unknown status {value!r}; expected one of {sorted(STATUS_COLORS)}")
            out.append(STATUS_COLORS[value])
        else:
            out.append(STATUS_COLORS["pass"] if bool(value) else STATUS_COLORS["fail"])
    return out


def legend_handles(colors: dict[str, str], labels: dict[str, str] | None = None) -> list[Patch]:
    """Legend patches for a colour mapping, labelled in Chinese.

    Parameters
    ----------
    colors
        Key -> colour, e.g. :data:`STATUS_COLORS` or :data:`STAGE_COLORS`.
    labels
        Key -> Chinese label; defaults to :data:`STATUS_LABELS` / :data:`STAGE_LABELS` / the key.

    Returns
    -------
    list of matplotlib.patches.Patch
        For ``ax.legend(handles=...)``.
    """
    if labels is None:
        labels = {**STATUS_LABELS, **STAGE_LABELS}
    return [Patch(facecolor=c, label=labels.get(k, k)) for k, c in colors.items()]


# --- figures ------------------------------------------------------------------------------------

#: Standard figure sizes in inches: ``"wide"`` for notebooks, ``"a4"`` fits the text width of an
#: A4 portrait page (160 mm), ``"a4_half"`` is half its height, ``"square"`` for maps.
FIGSIZE: dict[str, tuple[float, float]] = {
    "wide": (9.0, 4.8),  # inches
    "a4": (6.3, 4.2),  # inches; 160 mm wide
    "a4_half": (6.3, 2.8),  # inches
    "square": (6.3, 6.3),  # inches
}


def new_figure(
    *,
    nrows: int = 1,
    ncols: int = 1,
    size: str | tuple[float, float] = "wide",
    title: str | None = None,
    **subplots_kw,
) -> tuple[Figure, Axes]:
    """Create a figure with the jxedu style (Chinese font, light grid, constrained layout).

    Parameters
    ----------
    nrows, ncols
        Grid of axes, as for :func:`matplotlib.pyplot.subplots`.
    size
        A key of :data:`FIGSIZE` or ``(width, height)`` in inches.
    title
        Figure title (Chinese).
    **subplots_kw
        Passed to :func:`matplotlib.pyplot.subplots` (``sharex``, ``subplot_kw`` …).

    Returns
    -------
    (Figure, Axes or array of Axes)
        As :func:`matplotlib.pyplot.subplots` returns them. The figure is managed by pyplot so that
        notebooks show it; close it with :func:`savefig` or ``plt.close(fig)`` in batch code.
    """
    setup_fonts()
    figsize = FIGSIZE[size] if isinstance(size, str) else tuple(size)
    subplots_kw.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **subplots_kw)
    for ax in fig.axes:
        ax.grid(True, axis="y", color="#DDDDDD", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if title:
        fig.suptitle(title, fontsize="large", fontweight="bold")
    return fig, axes


def savefig(fig: Figure, path: str | os.PathLike, *, dpi: int = 200, close: bool = True) -> Path:
    """Save a figure (folders are created), then close it.

    Parameters
    ----------
    fig
        The figure.
    path
        Output file; the suffix picks the format (``.png``, ``.svg``, ``.pdf``).
    dpi
        Resolution for raster formats (dots per inch).
    close
        Close the figure afterwards (frees memory in batch runs; in a notebook pass ``False`` to
        still see it).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    setup_fonts()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=dpi, bbox_inches="tight", facecolor="white")
    if close:
        plt.close(fig)
    return out


# Set up fonts on import, so that any chart drawn after ``import jxedu.present.style`` shows Chinese.
setup_fonts()
