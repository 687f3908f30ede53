"""Tests of jxedu.present.widgets: the scenario explorer re-evaluates on every control."""

from __future__ import annotations

import pytest

from tests.planning.test_scenarios import _dataset

pytest.importorskip("ipywidgets")

from jxedu.present.widgets import explorer  # noqa: E402


def test_explorer_closes_the_picked_school():
    box = explorer(_dataset(), basemap=None, capacity="enrolment")
    pick = box.children[0].children[0]
    # smallest first: both have 60 students, so by id: A then B
    assert [sid for _label, sid in pick.options] == ["A", "B"]
    assert pick.options[0][0] == "甲小学（甲镇，60人）"
    assert box.last_result.summary["closed"] == 0
    pick.value = ("A",)
    assert box.last_result.summary["closed"] == 1
    assert box.last_result.summary["students"] == 120
    status = box.children[0].children[1].children[3]
    assert "自定义方案" in status.value


def test_explorer_rezone_checkbox_and_offline_map():
    # close A with 重新划片 of the county: the two-school line has nothing to re-zone beyond A's
    # pupils, so 60 move either way; the map is an iframe with Leaflet inlined (no CDN).
    box = explorer(_dataset(), basemap=None, capacity="enrolment", offline=True)
    pick, rezone = box.children[0].children[0], box.children[0].children[1].children[2]
    pick.value = ("A",)
    assert box.last_result.rezone is False and box.last_result.summary["pupils_moved"] == 60
    rezone.value = True
    assert box.last_result.rezone is True
    page = box.children[2].value
    assert page.startswith("<iframe srcdoc=") and "cdn.jsdelivr" not in page and "Leaflet" in page
