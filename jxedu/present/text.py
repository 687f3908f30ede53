"""Sentences a planner reads: the synthetic-data notice, notes on missing data, headings.

Notebooks show these as formatted Markdown (:class:`Note`); the PDF reports embed the same text.
Numbers inside sentences are formatted through :mod:`jxedu.core.vocabulary`.
"""

from __future__ import annotations

from jxedu.analysis.assessment import assessment_of
from jxedu.core import vocabulary as vocab
from jxedu.present.escape import markdown_text

__all__ = ["Note", "missing_note", "scope_name", "synthetic_notice"]


class Note(str):
    """A short Markdown text that notebooks show formatted (an empty note shows nothing)."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # the plain-text view: the text itself, never a quoted '' for an empty note
        return str(self)


def scope_name(scope) -> str:
    """``全县`` for an :class:`~jxedu.analysis.assessment.Assessment`, the 镇街's name for a
    :class:`~jxedu.analysis.assessment.TownshipView`."""
    return scope.name


def synthetic_notice(scope) -> Note:
    """The warning at the top of every notebook made from synthetic data (empty otherwise).

    Parameters
    ----------
    scope
        An assessment, a 镇街 view of one, or a :class:`~jxedu.core.dataset.Dataset`.

    Returns
    -------
    Note
    """
    ds = getattr(scope, "ds", None) or getattr(getattr(scope, "assessment", None), "ds", None) or scope
    if not ds.synthetic:
        return Note("")
    return Note(f"> ⚠️ **{vocab.SYNTHETIC_MARK}**（synthetic demo data）：{vocab.synthetic_notice(markdown_text(ds.county_name))}"
                "只用于演示和测试本工具，不能作为规划决策的依据。")


def missing_note(scope, measure: str, *, shows: str) -> Note:
    """What a section would have shown and which table it needs (empty when the data have it).

    Parameters
    ----------
    scope
        An assessment or a 镇街 view of one.
    measure
        The measure the section reads (a key of :data:`jxedu.analysis.assessment.REQUIRES`).
    shows
        What the section shows, e.g. ``"各村居到划片学校的距离"``.

    Returns
    -------
    Note
    """
    a = assessment_of(scope)
    reason = a.missing(measure)
    if reason is None:
        return Note("")
    return Note(f"> 本节需要的数据缺失：{reason}。补充后，本节将显示{shows}。")
