"""JupyterLab widgets (ipywidgets): the scenario explorer.

:func:`explorer` lets a planner pick schools to close, change the capacity factor or choose a
scenario file; the comparison table and the change map of :mod:`jxedu.present.scenarios` update on
every change. The assignment context (distances, road graph, bus links, the baseline) is computed
once per data set (:func:`jxedu.planning.assignment.context`), so one update takes well under half a
second on the demo data.
"""

from __future__ import annotations

import time
from pathlib import Path

from jxedu.core import vocabulary as vocab
from jxedu.core.errors import JxeduError
from jxedu.planning import scenarios as sc
from jxedu.present import maps
from jxedu.present import scenarios as present

__all__ = ["explorer"]

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


def explorer(ds, *, year: int | None = None, folder: str | Path | None = None, basemap: str | None = "osm",
             capacity: str = "classes", township: str | None = None):
    """JupyterLab widget: pick schools to close, a capacity slider and a scenario file.

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

    Returns
    -------
    ipywidgets.VBox
        The widget; ``.update()`` re-evaluates (also called by every control); ``.last_result`` is
        the last :class:`~jxedu.planning.scenarios.ScenarioResult`.
    """
    import ipywidgets as w
    from IPython.display import display

    base = sc.evaluate(ds, year=year, capacity=capacity)
    pick = w.SelectMultiple(options=_school_options(base), rows=10, description="关闭学校",
                            layout=w.Layout(width="420px"))
    lo, hi, step = HEADROOM_RANGE
    slider = w.FloatSlider(value=1.0, min=lo, max=hi, step=step, description="容量系数", readout_format=".2f")
    chooser = w.Dropdown(options=[("（不使用方案文件）", None)] + [(p.stem, str(p)) for p in sc.list_scenarios(folder)],
                         description="方案文件")
    status = w.HTML()
    table = w.Output()
    mapbox = w.HTML(layout=w.Layout(height="520px"))

    def update(*_):
        t0 = time.perf_counter()
        try:
            baseline = sc.evaluate(ds, year=year, capacity=capacity, headroom=slider.value)
            res = sc.evaluate(ds, chooser.value, year=year, capacity=capacity, headroom=slider.value,
                              close=tuple(pick.value))
        except JxeduError as exc:
            status.value = f'<span style="color:#C62828">{maps.esc(exc)}</span>'
            return
        with table:
            table.clear_output(wait=True)
            display(present.comparison_table([baseline, res]))
        mapbox.value = present.change_map(ds, res, basemap=basemap, township=township)._repr_html_()
        status.value = maps.esc(f"评估用时 {time.perf_counter() - t0:.2f} 秒（{present.result_name(res)}）")
        box.last_result = res

    for c in (pick, slider, chooser):
        c.observe(update, names="value")
    box = w.VBox([w.HBox([pick, w.VBox([slider, chooser, status])]), table, mapbox])
    box.update = update
    box.last_result = base
    update()
    return box
