"""Tests of jxedu.core.yamlsafe: bounded, safe YAML with file and line in every message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from jxedu.core.errors import ScenarioError, SettingsError, YamlError
from jxedu.core.settings import get_settings
from jxedu.core.yamlsafe import MAX_BYTES, MAX_NODES, YamlMap, line_of, load_yaml, to_plain


def laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs" document: level 0 holds ``width`` strings, each further level ``width``
    aliases of the level below — ``levels * width`` aliases expanding to about ``width ** (levels + 1)``
    nodes."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_plain_documents():
    assert load_yaml("a: 1\nb: [x, y]\nc: {d: 2.5}\n") == {"a": 1, "b": ["x", "y"], "c": {"d": 2.5}}
    assert load_yaml("") is None
    assert load_yaml("# only a comment\n") is None
    # a few aliases are ordinary YAML and stay allowed
    assert load_yaml("base: &b {x: 1}\nother: *b\n") == {"base": {"x": 1}, "other": {"x": 1}}


def test_billion_laughs_is_refused_fast_with_its_line():
    # 8 levels of 9 aliases: 72 aliases (under the alias limit) but 9**9 ≈ 387 million strings.
    # Level 5 is the first over 100 000 nodes: 9**6 = 531 441 strings (+ lists); it is on line 6.
    start = time.perf_counter()
    with pytest.raises(YamlError) as info:
        load_yaml(laughs(8), name="方案.yaml")
    assert time.perf_counter() - start < 2.0
    err = info.value
    assert err.code == "yaml_too_large" and err.line == 6 and err.file == "方案.yaml"
    assert "方案.yaml 第6行" in str(err) and "100,000" in str(err)


def test_expansion_just_under_the_limit_is_read():
    # 3 levels of 9: 9**4 = 6 561 strings + 1 + 9 + 81 + 729 lists < 100 000
    doc = load_yaml(laughs(3))
    assert len(doc["a3"]) == 9 and doc["a3"][0][0][0] == ["lol"] * 9


def test_too_many_aliases():
    text = "x: &x 1\nl:\n" + "".join("  - *x\n" for _ in range(101))
    with pytest.raises(YamlError) as info:
        load_yaml(text)
    # aliases on lines 3..103; the 101st is on line 103
    assert info.value.code == "yaml_too_many_aliases" and info.value.line == 103
    assert load_yaml(text, max_aliases=200)["l"] == [1] * 101


def test_recursive_alias():
    with pytest.raises(YamlError) as info:
        load_yaml("ok: 1\nloop: &a [1, *a]\n")
    assert info.value.code == "yaml_recursive_alias" and info.value.line == 2


def test_deep_nesting_stops_at_the_limit_without_recursion_error():
    with pytest.raises(YamlError) as info:
        load_yaml("[" * 100_000 + "]" * 100_000)
    assert info.value.code == "yaml_too_deep"
    assert load_yaml("[" * 50 + "]" * 50) is not None  # exactly 50 levels is allowed


def test_oversize_file_is_not_read(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(YamlError) as info:
        load_yaml(p, what="设置文件")
    assert info.value.code == "yaml_file_too_large"
    assert "设置文件 big.yaml" in str(info.value) and f"{MAX_BYTES + 3:,} 字节" in str(info.value)
    with pytest.raises(YamlError, match="yaml_file_too_large"):
        load_yaml("a: " + "b" * 200, max_bytes=100)


def test_tags_never_run_code(tmp_path):
    marker = tmp_path / "ran.txt"
    for text in (f"!!python/object/apply:os.system ['touch {marker}']",
                 f"a: !!python/object/new:subprocess.check_call [['touch', '{marker}']]",
                 "a: !!python/name:os.system\n"):
        with pytest.raises(YamlError) as info:
            load_yaml(text)
        assert info.value.code == "yaml_unsupported_tag"
    assert not marker.exists()
    with pytest.raises(YamlError, match="yaml_unsupported_tag"):
        load_yaml("a: 1\nb: !custom 2\n")


def test_duplicate_key_names_both_lines():
    with pytest.raises(YamlError) as info:
        load_yaml("名称: 甲\nedits: []\n名称: 乙\n")
    assert info.value.code == "yaml_duplicate_key" and info.value.line == 3
    assert "另见第1行" in str(info.value)
    # a merge key (<<) is not a duplicate
    assert load_yaml("b: &b {x: 1}\nc:\n  <<: *b\n  x: 2\n")["c"] == {"x": 2}


def test_syntax_errors_and_control_characters_have_a_line():
    with pytest.raises(YamlError) as info:
        load_yaml("a: 1\nb: c: d\n")
    assert info.value.code == "yaml_syntax" and info.value.line == 2
    with pytest.raises(YamlError) as info:
        load_yaml("a: 1\nb: x\x07y\n")
    assert info.value.code == "yaml_syntax" and info.value.line == 2 and "U+0007" in str(info.value)
    with pytest.raises(YamlError, match="yaml_bad_value"):
        load_yaml("n: " + "1" * 5000)


def test_encodings(tmp_path):
    p = tmp_path / "gbk.yaml"
    p.write_bytes("名称: 关闭教学点\n".encode("gbk"))
    assert load_yaml(p) == {"名称": "关闭教学点"}
    p.write_bytes("\ufeff名称: 甲\n".encode("utf-8"))
    assert load_yaml(p) == {"名称": "甲"}
    with pytest.raises(YamlError, match="yaml_encoding"):
        load_yaml(b"\xff\xfe\x00\x81\x30")
    with pytest.raises(YamlError, match="yaml_unreadable"):
        load_yaml(tmp_path / "missing.yaml")


def test_lines_and_plain_values():
    text = "name: 方案\nedits:\n  - type: close\n    school: '0012'\n  - type: open\n    id: 0017\n"
    doc = load_yaml(text, lines=True)
    assert isinstance(doc, YamlMap)
    assert line_of(doc) == 1 and line_of(doc, "edits") == 2
    assert line_of(doc["edits"], 0) == 3 and line_of(doc["edits"], 1) == 5
    assert line_of(doc["edits"][1], "id") == 6
    # an integer keeps its spelling (0017 is octal 15 in YAML 1.1)
    assert doc["edits"][1]["id"] == 15 and doc["edits"][1]["id"].text == "0017"
    plain = to_plain(doc)
    assert type(plain) is dict and type(plain["edits"]) is list and type(plain["edits"][1]["id"]) is int
    assert line_of({"a": 1}, "a") is None


def test_callers_choose_their_error_class():
    with pytest.raises(ScenarioError, match="方案文件 x.yaml 第2行"):
        load_yaml("a: 1\na: 2\n", what="方案文件", name="x.yaml", error=ScenarioError)


# --- settings files --------------------------------------------------------------------------


def test_settings_file_alias_bomb(tmp_path):
    p = tmp_path / "jxedu.yaml"
    p.write_text(laughs(8) + "teaching_point_min_students: 60\n", encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        get_settings(path=p)
    assert "yaml_too_large" in str(info.value) and "设置文件 jxedu.yaml 第6行" in str(info.value)


def test_settings_file_oversize_and_syntax(tmp_path):
    p = tmp_path / "jxedu.yaml"
    p.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(SettingsError, match="yaml_file_too_large"):
        get_settings(path=p)
    p.write_text("walk_limit_m: {primary: 1500\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="yaml_syntax.*jxedu.yaml 第2行"):
        get_settings(path=p)
    p.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="bad_settings.*jxedu.yaml 第1行"):
        get_settings(path=p)


def test_settings_unknown_key_and_duplicate_have_their_line(tmp_path):
    p = tmp_path / "jxedu.yaml"
    p.write_text("teaching_point_min_students: 60\n# 注释\ngrid_spacing: 500\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"unknown_setting.*grid_spacing（设置文件 jxedu.yaml 第3行）"):
        get_settings(path=p)
    p.write_text("teaching_point_min_students: 60\nteaching_point_min_students: 70\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="yaml_duplicate_key.*第2行"):
        get_settings(path=p)


def test_settings_file_values_are_plain(tmp_path):
    p = tmp_path / "jxedu.yaml"
    p.write_text("walk_limit_m: {primary: 1500, junior: 3000}\nteaching_point_min_students: 60\n", encoding="utf-8")
    s = get_settings(path=p)
    assert s.walk_limit_m == {"primary": 1500, "junior": 3000} and type(s.walk_limit_m) is dict
    assert type(s.teaching_point_min_students) is int and s.teaching_point_min_students == 60
    assert Path(p).read_text(encoding="utf-8").startswith("walk_limit_m")  # the file is only read
    assert MAX_NODES == 100_000
