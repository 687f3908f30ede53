"""Write the notebooks of ``notebooks/`` from their Python definitions in ``scripts/notebooks/``.

Each module ``scripts/notebooks/<anything>.py`` defines::

    NOTEBOOK = "00_data_overview.ipynb"       # file name in notebooks/
    CELLS = [md("# 标题 …"), code("data_dir = None", tags=["parameters"]), …]

using the helpers :func:`md` and :func:`code` of this file (import them with
``from build_notebooks import md, code``). Notebooks are written without outputs, kernel
``python3``, and validated with :func:`nbformat.validate`; then each written notebook is executed on
the demo data and the outputs of its ``# NBVAL_CHECK_OUTPUT`` cells are stored (see
``scripts/record_checks.py``: nbval compares nothing in a cell stored without outputs).

Usage::

    .venv/bin/python scripts/build_notebooks.py            # every definition
    .venv/bin/python scripts/build_notebooks.py 00_data     # those whose module or notebook name contains "00_data"
    .venv/bin/python scripts/build_notebooks.py --no-record # write only, do not execute
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = Path(__file__).resolve().parent / "notebooks"
NOTEBOOKS = ROOT / "notebooks"

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (jxedu)", "language": "python"}


def md(text: str) -> nbformat.NotebookNode:
    """A Markdown cell (leading/trailing blank lines removed)."""
    return new_markdown_cell(text.strip("\n"))


def code(source: str, *, tags: list[str] | tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """A code cell without outputs; ``tags`` e.g. ``["parameters"]`` for papermill."""
    cell = new_code_cell(source.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def skip(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Tag a cell ``report-skip``: shown in JupyterLab, left out of the PDF (:mod:`jxedu.publish.reports`)."""
    from jxedu.publish.reports import SKIP_TAG

    cell.metadata["tags"] = [*cell.metadata.get("tags", []), SKIP_TAG]
    return cell


def make_notebook(cells: list) -> nbformat.NotebookNode:
    """A notebook of the given cells with the project's kernel metadata, cell ids stable."""
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: rebuilding gives the same file
    nbformat.validate(nb)
    return nb


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_nbdef_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(path: Path) -> tuple[Path, str]:
    """Return the target file and the JSON text of one definition module."""
    module = _load(path)
    nb = make_notebook(module.CELLS)
    return NOTEBOOKS / module.NOTEBOOK, nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="only definitions whose name contains one of these")
    parser.add_argument("--no-record", action="store_true", help="do not execute to store check outputs")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # so definitions can import this file
    from record_checks import record

    for path in sorted(DEFINITIONS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        target, text = build(path)
        if args.names and not any(n in path.stem or n in target.name for n in args.names):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"written    {target.relative_to(ROOT)}")
        if not args.no_record:
            n = record(target)
            print(f"recorded   {n} check cell(s) in {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
