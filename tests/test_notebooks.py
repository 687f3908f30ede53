"""Notebook conventions: jupytext pairs in step, the parameters cell, stored check outputs only.

Every notebook of ``notebooks/`` is a jupytext pair (``notebooks/jupytext.toml``): the ``.ipynb``
that JupyterLab, nbval and papermill open, and the ``py:percent`` script beside it that reviewers
read as a diff. A pair out of step fails here: run ``make sync-notebooks``.
"""

from __future__ import annotations

import jupytext
import nbformat
import pytest

from jxedu.core import config

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
NOTEBOOKS = sorted((config.ROOT / "notebooks").glob("*.ipynb"))
SCRIPTS = sorted((config.ROOT / "notebooks").glob("*.py"))


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.cell_type, c.source.strip(), tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def test_there_are_notebooks():
    assert any(p.name == "00_data_overview.ipynb" for p in NOTEBOOKS)


def test_every_notebook_has_its_script_and_every_script_its_notebook():
    assert {p.stem for p in NOTEBOOKS} == {p.stem for p in SCRIPTS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_pair_in_step(path):
    script = path.with_suffix(".py")
    from_script = jupytext.read(script)
    notebook = nbformat.read(path, as_version=4)
    assert _cells(from_script) == _cells(notebook), (
        f"{path.name} and {script.name} differ: run `make sync-notebooks` (jupytext --sync)"
    )


def test_pair_check_fails_when_the_script_is_edited(tmp_path):
    path = NOTEBOOKS[0]
    text = path.with_suffix(".py").read_text(encoding="utf-8") + "\n# %%\nprint('edited')\n"
    edited = jupytext.reads(text, fmt="py:percent")
    assert _cells(edited) != _cells(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_conventions(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    # papermill: the first code cell holds the parameters, data_dir among them
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged 'parameters'"
    assert "data_dir" in code[0].source
    for i, cell in enumerate(code):
        lines = cell.source.splitlines()
        assert not any(line.strip().startswith("try:") for line in lines), f"code cell {i}: no try/except in cells"
        if cell.source.lstrip().startswith(CHECK_MARK):
            # nbval skips the comparison of a cell stored unrun: the reference output must be there
            # (scripts/record_checks.py stores it).
            assert cell.execution_count is not None and cell.outputs, (
                f"code cell {i} is marked {CHECK_MARK} but has no stored output: "
                f"run `.venv/bin/python scripts/record_checks.py {path.relative_to(config.ROOT)}`"
            )
            for out in cell.outputs:
                assert set(out.get("data", {})) <= {"text/plain"}, f"code cell {i}: only text is stored"
        else:
            assert not cell.outputs and cell.execution_count is None, (
                f"code cell {i} has outputs: notebooks are committed without outputs"
            )
