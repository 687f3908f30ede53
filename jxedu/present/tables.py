"""Presentation tables: any analysis frame as the table a planner reads.

:func:`table` picks columns of a frame by their English keys and shows them under the Chinese
headers of the vocabulary (:mod:`jxedu.core.vocabulary`), every cell formatted the one way the
vocabulary says — units in the header, thousands separators, percentages to one decimal, ✓/✗ for
flags, — for a figure that could not be computed. It returns a :class:`Table`, which JupyterLab
shows as HTML (no index, no truncation) and the PDF reports embed as it is.

>>> import pandas as pd
>>> t = table(pd.DataFrame({"township": ["金乡街道"], "students": [12139], "passes": [True]}))
>>> t.frame.columns.tolist()
['镇街', '在校生（人）', '是否达标']
>>> t.frame.iloc[0].tolist()
['金乡街道', '12,139', '✓']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from jxedu.analysis.assessment import Scope, township_of
from jxedu.core import vocabulary as vocab
from jxedu.present.escape import html_text

__all__ = ["Table", "scope_columns", "table"]


class Table:
    """A formatted table: Chinese headers, text cells, an optional caption and notes.

    Parameters
    ----------
    frame
        Display frame: Chinese headers, every cell already text.
    numeric
        Headers of the columns holding numbers (aligned right).
    caption
        Title shown above the table.
    notes
        Sentences shown below it (what a — means, how many rows are not shown …).
    """

    def __init__(self, frame: pd.DataFrame, *, numeric: Sequence[str] = (), caption: str = "",
                 notes: Sequence[str] = ()) -> None:
        self.frame = frame
        self.numeric = frozenset(numeric)
        self.caption = caption
        self.notes = [n for n in notes if n]

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def empty(self) -> bool:
        """Whether the table has no row."""
        return self.frame.empty

    def to_html(self, *, css: str = "jx-table") -> str:
        """Escaped HTML: every header and cell text is data, never markup."""
        esc = html_text
        cols = list(self.frame.columns)
        head = "".join(f"<th>{esc(str(c))}</th>" for c in cols)
        num = [c in self.numeric for c in cols]
        rows = []
        for values in self.frame.itertuples(index=False, name=None):
            cells = "".join(
                f'<td class="num">{esc(str(v))}</td>' if n else f"<td>{esc(str(v))}</td>"
                for v, n in zip(values, num, strict=True)
            )
            rows.append(f"<tr>{cells}</tr>")
        cap = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        notes = "".join(f'<p class="table-note">{esc(n)}</p>' for n in self.notes)
        return (f'<table class="{esc(css)}">{cap}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>{notes}")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        """Plain text: caption, the rows aligned by column, then the notes."""
        lines = [self.caption] if self.caption else []
        if self.frame.empty:
            lines.append("（无）")
        else:
            lines.append(self.frame.to_string(index=False))
        lines += self.notes
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.to_text()


def table(
    frame: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, str] | None = None,
    words: Mapping[str, str] | None = None,
    short: bool = False,
    caption: str = "",
    notes: Sequence[str] = (),
    max_rows: int | None = None,
    rest: str = "",
    empty: str = "",
) -> Table:
    """Show the columns of an analysis frame under the vocabulary's headers and formats.

    Parameters
    ----------
    frame
        An analysis frame (English column keys, English codes).
    columns
        Keys to show, in order (default: every column of the frame; each must be in the vocabulary).
    labels
        Header overrides for this table, key -> Chinese header (e.g. ``{"name": "村居"}``).
    formats
        Format overrides, key -> format of :data:`jxedu.core.vocabulary.FORMATS`.
    words
        Word kind of ``word`` columns, key -> kind (default: the column key, e.g. ``status``).
    short
        Use the vocabulary's short labels (narrow tables).
    caption
        Title above the table.
    notes
        Sentences below the table.
    max_rows
        Show at most this many rows; a note then says how many more there are and ``rest`` where
        they are (never a silent cut).
    rest
        Where the rows not shown can be found, e.g. ``"完整清单见台账"``.
    empty
        Note shown when the frame has no row (e.g. ``"没有未达标的学校。"``).

    Returns
    -------
    Table
    """
    keys = list(frame.columns) if columns is None else list(columns)
    labels = dict(labels or {})
    formats = dict(formats or {})
    words = dict(words or {})
    shown = frame if max_rows is None else frame.head(max_rows)
    out = {}
    numeric = []
    for key in keys:
        f = vocab.field(key)
        head = labels.get(key) or f.header(short=short)
        form = formats.get(key, f.format)
        if head in out:
            raise ValueError(f"two columns of one table would both be headed {head!r}: give one a label")
        out[head] = vocab.fmt_series(shown[key], form, kind=words.get(key, key)).to_numpy()
        if form in vocab.NUMERIC_FORMATS:
            numeric.append(head)
    display = pd.DataFrame(out)
    notes = list(notes)
    if max_rows is not None and len(frame) > max_rows:
        notes.insert(0, f"共 {len(frame):,} 行，此处列出前 {max_rows:,} 行{('；' + rest) if rest else ''}。")
    if frame.empty and empty:
        notes.insert(0, empty)
    return Table(display, numeric=numeric, caption=caption, notes=notes)


def scope_columns(scope: Scope, columns: Sequence[str]) -> list[str]:
    """The columns of a table for a scope: without ``township`` in a 镇街's own table (its one value is
    the caption's and the report's title).

    Parameters
    ----------
    scope
        The county's assessment or a 镇街 view.
    columns
        Column keys.

    Returns
    -------
    list of str
    """
    return [c for c in columns if not (c == "township" and township_of(scope) is not None)]
