"""JupyterLab widgets (ipywidgets): the scenario explorer, also served as a web page.

:func:`explorer` lets a planner pick schools to close, change the capacity factor, choose a
scenario file or ask for 重新划片; the comparison table and the change map of
:mod:`jxedu.present.scenarios` update on every change. The assignment context (distances, road
graph, bus links, the baseline) is computed once per data set
(:func:`jxedu.planning.assignment.context`), so one update takes well under half a second on the
demo data.

Colleagues without JupyterLab open the same explorer as a web page: ``make explorer`` serves
``notebooks/explorer.ipynb`` with Voilà (code hidden, no JupyterLab), which calls
:func:`explorer_page`. Nothing is fetched from the internet: the widget scripts come from the
environment (Voilà and ``jupyterlab_widgets``), the map's Leaflet is inlined
(``offline=True``, no base-map tiles).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from jxedu.core import vocabulary as vocab
from jxedu.core.errors import JxeduError
from jxedu.planning import scenarios as sc
from jxedu.present import escape, maps
from jxedu.present import scenarios as present
from jxedu.present.text import Note, synthetic_notice

__all__ = ["DATA_ENV", "explorer", "explorer_page", "offline_map_html"]

#: Environment variable naming the data set of the web explorer (``make explorer DATA=…``).
DATA_ENV = "JXEDU_EXPLORER_DATA"
#: CSS classes of the explorer's parts (a browser test finds them by these).
DOM_CLASSES = {"schools": "jx-close-schools", "headroom": "jx-headroom", "scenario": "jx-scenario-file",
               "rezone": "jx-rezone", "status": "jx-status", "table": "jx-comparison", "map": "jx-map"}

#: Range and step of the capacity factor slider (1.0 = the capacity as it is).
HEADROOM_RANGE = (0.8, 1.5, 0.05)


def _school_options(result: sc.ScenarioResult) -> list[tuple[str, str]]:
    """(label, school_id) of every school with compulsory students, smallest first."""
    s = result.schools
    total = s.groupby("school_id")["students_before"].sum()
    first = s.drop_duplicates("school_id").set_index("school_id")
    order = sorted(total.index, key=lambda sid: (total[sid], sid))
    return [(f"{first.at[sid, 'name']}（{first.at[sid, 'township']}，{vocab.fmt(total[sid], 'int')}人）", sid)
            for sid in order]


def offline_map_html(m, *, height: int = 520) -> str:
    """A folium map as an ``<iframe srcdoc>`` with Leaflet inlined (opens without network)."""
    page = maps.inline_assets(m.get_root().render())
    return (f'<iframe srcdoc="{escape.html_attr(page)}" style="width:100%;height:{int(height)}px;border:none" '
            'title="学校布局调整地图"></iframe>')


def explorer(ds, *, year: int | None = None, folder: str | Path | None = None, basemap: str | None = "osm",
             capacity: str = "classes", township: str | None = None, offline: bool = False):
    """JupyterLab widget: pick schools to close, a capacity slider, a scenario file and 重新划片.

    Parameters
    ----------
    ds
        The data set.
    year
        School year (default latest).
    folder
        Folder of scenario files (default ``data/scenarios/``).
    basemap
        Base map of the change map (``None`` = no tiles).
    capacity
        Capacity rule (see :func:`jxedu.planning.scenarios.evaluate`).
    township
        Highlight this 镇街 on the map (the evaluation stays county-wide).
    offline
        Inline Leaflet into the map (the web page; JupyterLab loads it as folium does).

    Returns
    -------
    ipywidgets.VBox
        The widget (a :class:`~jxedu.present.text.Note` when the data have no 村居 table); ``.update()`` re-evaluates (also called by every control); ``.last_result`` is
        the last :class:`~jxedu.planning.scenarios.ScenarioResult`.
    """
    import ipywidgets as w
    from IPython.display import display

    if ds.villages is None:  # the explorer re-assigns children: without 村居 there are none to assign
        return Note("> 交互式探索需要村居表（各村居的位置和学龄人口），数据中没有，本节从略。")
    base = sc.evaluate(ds, year=year, capacity=capacity)
    pick = w.SelectMultiple(options=_school_options(base), rows=10, description="关闭学校",
                            layout=w.Layout(width="420px"))
    lo, hi, step = HEADROOM_RANGE
    slider = w.FloatSlider(value=1.0, min=lo, max=hi, step=step, description="容量系数", readout_format=".2f")
    chooser = w.Dropdown(options=[("（不使用方案文件）", None)] + [(p.stem, str(p)) for p in sc.list_scenarios(folder)],
                         description="方案文件")
    rezone = w.Checkbox(value=False, description="全县重新划片", indent=False)
    status = w.HTML()
    table = w.Output()
    mapbox = w.HTML(layout=w.Layout(height="520px"))
    for part, widget in (("schools", pick), ("headroom", slider), ("scenario", chooser), ("rezone", rezone),
                         ("status", status), ("table", table), ("map", mapbox)):
        widget.add_class(DOM_CLASSES[part])

    def update(*_):
        t0 = time.perf_counter()
        try:
            baseline = sc.evaluate(ds, year=year, capacity=capacity, headroom=slider.value)
            res = sc.evaluate(ds, chooser.value, year=year, capacity=capacity, headroom=slider.value,
                              close=tuple(pick.value), rezone=True if rezone.value else None)
        except JxeduError as exc:
            status.value = f'<span style="color:#C62828">{maps.esc(exc)}</span>'
            return
        with table:
            table.clear_output(wait=True)
            display(present.comparison_table([baseline, res]))
        m = present.change_map(ds, res, basemap=basemap, township=township)
        mapbox.value = offline_map_html(m) if offline else m._repr_html_()
        status.value = maps.esc(f"评估用时 {time.perf_counter() - t0:.2f} 秒（{present.result_name(res)}）")
        box.last_result = res

    for c in (pick, slider, chooser, rezone):
        c.observe(update, names="value")
    box = w.VBox([w.HBox([pick, w.VBox([slider, chooser, rezone, status])]), table, mapbox])
    box.update = update
    box.last_result = base
    update()
    return box


def explorer_page(data_dir: str | os.PathLike | None = None, *, year: int | None = None, township: str | None = None):
    """The explorer as the web page shows it (``notebooks/explorer.ipynb`` under Voilà).

    Parameters
    ----------
    data_dir
        The data set; ``None``: the environment variable :data:`DATA_ENV` (``make explorer DATA=…``),
        else the synthetic demo data.
    year, township
        As :func:`explorer`.

    Returns
    -------
    ipywidgets.VBox
        The synthetic-data notice (when the data are synthetic) above :func:`explorer` without base-map
        tiles and with Leaflet inlined (no network needed).
    """
    import ipywidgets as w

    from jxedu.ingest.reader import open_dataset

    ds = open_dataset(data_dir or os.environ.get(DATA_ENV) or None)
    notice = str(synthetic_notice(ds)).lstrip("> ").replace("**", "")
    box = explorer(ds, year=year, basemap=None, township=township, offline=True)
    head = w.HTML(f"<h2>{maps.esc(ds.county_name)}学校布局调整方案探索</h2>"
                  + (f'<p style="color:#C62828;font-weight:bold">{maps.esc(notice)}</p>' if notice else "")
                  + "<p>选择要关闭的学校、调整容量系数、选择方案文件或勾选“全县重新划片”，下面的对比表和地图随之更新。"
                    "默认只有被关闭学校的学生转学；地图不加载底图（离线）。</p>")
    page = w.VBox([head, box])
    page.explorer = box
    return page
