"""Every analysis notebook runs to its end for one 镇街 too, and shows planners presentation tables.

nbval (``make test``) runs each notebook with its default parameters (the whole county). Here each
runs again with ``township`` set, through papermill as ``jxedu notebooks`` runs them, and every
output is read as a planner would see it:

* no error and nothing on stderr;
* every table has Chinese headers (each header holds a Chinese character);
* no raw values: ``True``/``False``/``NaN``/``None`` cells, pandas' truncation ``…`` or
  ``N rows × M columns``, numpy reprs such as ``np.float64(``.
"""

from __future__ import annotations

import html
import re

import nbformat
import papermill
import pytest

from jxedu.core import config

NOTEBOOKS = sorted((config.ROOT / "notebooks").glob("0*.ipynb"))
#: The 镇街 the notebooks are run for: a rural town of the demo data (the county seat 金乡街道 is in
#: the report tests).
TOWNSHIP = "化雨镇"

_CJK = re.compile(r"[\u4e00-\u9fff]")
_TH = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_TD = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_RAW_CELLS = {"True", "False", "NaN", "nan", "None", "<NA>", "NaT", "…", "..."}
_RAW_TEXT = (re.compile(r"\d+ rows × \d+ columns"), re.compile(r"np\.(float|int)\d*\("), re.compile(r"\bdtype:"))


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def planner_view_problems(nb) -> list[str]:
    """What a planner should never see in an executed notebook (empty list: nothing)."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            where = f"cell {i} ({cell.source.splitlines()[0][:40] if cell.source else ''})"
            if out.output_type == "error":
                found.append(f"{where}: {out.ename}: {out.evalue}")
                continue
            if out.output_type == "stream":
                if out.name == "stderr":
                    found.append(f"{where}: stderr: {out.text[:200]}")
                texts = [out.text]
            else:
                data = out.get("data", {})
                texts = [data.get("text/plain", "")] if "text/html" not in data else []
                page = data.get("text/html", "")
                if "<table" in page and "folium" not in page and "leaflet" not in page.lower():
                    for head in _TH.findall(page):
                        if not _CJK.search(_text(head)):
                            found.append(f"{where}: header without Chinese: {_text(head)!r}")
                    for cell_text in map(_text, _TD.findall(page)):
                        if cell_text in _RAW_CELLS:
                            found.append(f"{where}: raw cell {cell_text!r}")
                    texts.append(_text(page))
            for t in texts:
                for pattern in _RAW_TEXT:
                    if pattern.search(t):
                        found.append(f"{where}: raw output {pattern.pattern!r}")
    return found


def test_the_check_catches_raw_tables():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={
        "text/html": "<table><thead><tr><th>name</th><th>学校</th></tr></thead>"
                     "<tbody><tr><td>True</td><td>NaN</td></tr></tbody></table><p>151 rows × 14 columns</p>",
        "text/plain": "x"})]
    nb.cells.append(cell)
    found = planner_view_problems(nb)
    assert "header without Chinese: 'name'" in found[0]
    assert any("raw cell 'True'" in f for f in found) and any("raw cell 'NaN'" in f for f in found)
    assert any("rows ×" in f for f in found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_for_one_township(path, tmp_path):
    params = papermill.inspect_notebook(str(path))
    assert "township" in params, f"{path.name}: no township parameter"
    out = tmp_path / path.name
    papermill.execute_notebook(str(path), str(out), parameters={"township": TOWNSHIP}, kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False, log_output=False)
    nb = nbformat.read(out, as_version=4)
    assert planner_view_problems(nb) == []
