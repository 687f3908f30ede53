"""Store the reference outputs of ``# NBVAL_CHECK_OUTPUT`` cells in notebooks; strip all others.

nbval (``--nbval-lax``) compares a cell marked ``# NBVAL_CHECK_OUTPUT`` with the output stored in
the notebook file, and **skips the comparison when the stored cell was never run** (no
``execution_count``). A notebook committed entirely without outputs therefore checks nothing. This
script executes each notebook on its default parameters (the demo data), then writes it back with
text outputs kept only for the check cells (a few lines of key figures) and every other cell
cleared, so the committed file stays small and free of data.

Usage::

    .venv/bin/python scripts/record_checks.py                      # every notebooks/*.ipynb
    .venv/bin/python scripts/record_checks.py notebooks/01_indicators.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
#: Output MIME types kept for check cells (images and HTML tables are never compared).
KEEP_MIME = ("text/plain",)
CELL_TIMEOUT = 600  # seconds


def is_check_cell(cell) -> bool:
    """Whether a cell's first line is the nbval check marker."""
    return cell.cell_type == "code" and cell.source.lstrip().startswith(CHECK_MARK)


def _text_outputs(outputs: list) -> list:
    """Keep stream and plain-text results; drop images, HTML and metadata."""
    kept = []
    for out in outputs:
        if out.output_type == "stream":
            kept.append(nbformat.v4.new_output("stream", name=out.name, text=out.text))
        elif out.output_type in ("execute_result", "display_data"):
            data = {k: v for k, v in out.get("data", {}).items() if k in KEEP_MIME}
            if data:
                kept.append(nbformat.v4.new_output(out.output_type, data=data,
                                                   execution_count=out.get("execution_count")))
        elif out.output_type == "error":
            raise RuntimeError(f"check cell raised {out.ename}: {out.evalue}")
    return kept


def record(path: Path) -> int:
    """Execute ``path`` and store the outputs of its check cells; return how many were stored."""
    nb = nbformat.read(path, as_version=4)
    executed = nbformat.read(path, as_version=4)
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(executed, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    stored = 0
    for cell, done in zip(nb.cells, executed.cells, strict=True):
        if cell.cell_type != "code":
            continue
        if is_check_cell(cell):
            stored += 1
            cell.outputs = _text_outputs(done.outputs)
            cell.execution_count = stored
            for out in cell.outputs:
                if "execution_count" in out:
                    out.execution_count = stored
        else:
            cell.outputs = []
            cell.execution_count = None
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return stored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        n = record(path)
        print(f"recorded {n} check cell(s)  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
