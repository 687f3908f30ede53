"""Writing cells of the Excel workbooks jxedu makes (the ledger, the templates): text stays text.

openpyxl turns any string starting with ``=`` into a formula, and Excel re-reads a text cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula once a planner edits it. A school named
``=HYPERLINK("…")`` or a class named ``-1班`` must stay the name it is, so every cell jxedu writes
goes through :func:`set_cell`:

* text starting with one of :data:`FORMULA_TRIGGERS` is stored as a string with Excel's "quote
  prefix" (the ``'`` a planner would type), never as a formula;
* characters that XML cannot hold (control characters) are replaced by U+FFFD, so a stray
  ``\\x01`` in the data cannot make the whole workbook fail to save.

Numbers, dates and booleans are written as they are; formulas are never written.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_TRIGGERS", "safe_text", "set_cell"]

#: First characters that make Excel (or openpyxl) read text as a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n")
# XML 1.0 forbids these (openpyxl raises IllegalCharacterError on them).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(text: str) -> str:
    """``text`` with the characters XML cannot hold replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)


def set_cell(cell, value) -> None:
    """Write ``value`` into an openpyxl cell; text is always stored as text.

    Parameters
    ----------
    cell
        An ``openpyxl`` cell.
    value
        ``None``, a number, a date, a bool or text. Text starting with ``= + - @`` (or a tab or line
        break) is stored as a string with the quote prefix; it never becomes a formula.
    """
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        if text[:1] in FORMULA_TRIGGERS:
            cell.data_type = "s"  # openpyxl made it "f"
            cell.quotePrefix = True
        elif cell.quotePrefix:
            cell.quotePrefix = False
        return
    cell.value = value
