"""Tests of jxedu.present.escape: each helper against the text that would break out of its context.

The browser check (no injected script runs in a real page) is in tests/hostile/test_browser_hostile.py.
"""

from __future__ import annotations

import json
import math

import pytest

from jxedu.present import escape


def test_html_text_and_attr():
    assert escape.html_text('<img src=x onerror="a()">&\'') == "&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;&#x27;"
    assert escape.html_text(None) == "" and escape.html_text(math.nan, missing="—") == "—"
    assert escape.html_text(12) == "12"
    assert escape.html_attr('a"b`c') == "a&quot;b&#96;c"


def test_html_in_template_cannot_close_or_substitute():
    assert escape.html_in_template("`${alert(1)}`\\") == "&#96;&#36;{alert(1)}&#96;&#92;"
    assert escape.html_in_template("a\u2028b") == "a&#8232;b"


def test_title_text_is_one_escaped_line():
    assert escape.title_text("甲镇</title><script>x()</script>\n乙\t丙\x00") == (
        "甲镇&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt; 乙 丙")


@pytest.mark.parametrize("text", [
    "</script><script>alert(1)</script>",
    "<!--",
    "\u2028\u2029",
    '"; alert(1); "',
    "胡集镇 & 羊山镇",
])
def test_js_string_round_trips_and_hides_markup(text):
    lit = escape.js_string(text)
    assert "<" not in lit and ">" not in lit and "&" not in lit
    assert "\u2028" not in lit and "\u2029" not in lit
    assert json.loads(lit) == text  # a JSON string literal of the same text


def test_js_value_of_structures():
    assert escape.js_value({"name": "</script>", "n": math.nan, "l": [1, "a"]}) == (
        '{"name": "\\u003c/script\\u003e", "n": null, "l": [1, "a"]}')


def test_js_template_text():
    assert escape.js_template_text("`${x}`\\</script>") == "\\`\\${x}\\`\\\\\\x3C/script>"


def test_css_string():
    # " -> \22, ; -> \3b, } -> \7d, < -> \3c, / -> \2f, newline -> \a; letters, digits, spaces and
    # Chinese stay
    assert escape.css_string('金乡县 · 甲镇"; } </style>\nA1') == (
        "金乡县 · 甲镇\\22 \\3b  \\7d  \\3c \\2f style\\3e \\a A1")
    assert escape.css_string("\\") == "\\5c "


def test_markdown_text():
    assert escape.markdown_text("[点我](javascript:alert(1))") == "\\[点我\\]\\(javascript:alert\\(1\\)\\)"
    assert escape.markdown_text("<b>*甲*</b>") == "&lt;b&gt;\\*甲\\*&lt;/b&gt;"
    assert escape.markdown_text("金乡县") == "金乡县"
