"""``jxedu indicators --json``: the resource indicators and every item of the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jxedu.cli.app import app
from jxedu.core import schema
from jxedu.core import standards as std
from tests.analysis.test_indicators import write_csv_folder
from tests.core.test_county import plan_table
from tests.publish.test_ledger import make_ds


@pytest.fixture(scope="module")
def items(tmp_path_factory) -> dict[str, dict]:
    """The ``items`` of the JSON of the two-school county of the ledger tests (:func:`make_ds`), by key."""
    ds = make_ds()
    ds.facilities["smart_campus"] = "是"
    folder = write_csv_folder(ds, tmp_path_factory.mktemp("json") / "county")
    classes = pd.DataFrame({c.zh: ds.classes[c.key] for c in schema.CLASSES.columns})
    classes["学段"] = "小学"
    classes.to_csv(folder / "班级.csv", index=False, encoding="utf-8")
    # 金乡's plan targets, as a clerk writes them (目标项 by name)
    names = {k: n for n, k in schema.PLAN_TARGETS.columns[0].vocab.items()}
    plan = plan_table().assign(key=lambda d: d["key"].map(names))
    pd.DataFrame({c.zh: plan[c.key] for c in schema.PLAN_TARGETS.columns}).to_csv(
        folder / "规划目标.csv", index=False, encoding="utf-8")
    result = CliRunner().invoke(app, ["indicators", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # still exactly one JSON object
    assert data["year"] == 2024 and len(data["schools"]) == 2
    keys = [i["key"] for i in data["items"]]
    assert len(keys) == len(set(keys))
    return {i["key"]: i for i in data["items"]}


def test_every_item_of_the_catalogue_once(items):
    # all but the county's own projects (强镇筑基, 百强 schools), which come only with their table
    assert sorted(items) == sorted(set(std.items().index) - {"plan_strong_towns", "plan_top_rural_schools"})
    for i in items.values():
        assert set(i) >= {"key", "name", "value", "target", "unit", "status", "source"}
        assert i["status"] in ("达标", "未达标", "需佐证材料", "数据不足")
        assert i["name"] and i["source"]


def test_computed_items_worked_by_hand(items):
    # A: one class of 46 > 45 (小学): 1 class over the standard
    assert (items["class_size"]["value"], items["class_size"]["target"], items["class_size"]["unit"],
            items["class_size"]["status"]) == (1.0, 0.0, "个", "未达标")
    assert items["class_size"]["name"] == "班额（政府保障第5项）"
    assert items["class_size"]["source"] == "教督〔2017〕6号 政府保障程度第5项"
    # 60 + 14 trained of 60 + 14 teachers = 100 % against 100 %
    tc = items["training_completion"]
    assert (tc["value"], tc["target"], tc["unit"], tc["status"]) == (100.0, 100.0, "%", "达标")
    # rooms: A 25 classes needs ceil(25 / 12) = 3 of each and has 3, B 8 classes needs 1 and has 1: 0 schools short
    assert (items["music_art_rooms"]["value"], items["music_art_rooms"]["status"]) == (0.0, "达标")
    # no 教师/交流轮岗 tables: not computable — null, never 0
    rs = items["rotation_share"]
    assert (rs["value"], rs["target"], rs["unit"], rs["status"]) == (None, 10.0, "%", "数据不足")
    assert items["plan_rotations"]["value"] is None and items["plan_rotations"]["target"] == 400.0
    # 0 随迁子女 of 1200 pupils is a computed 0 %, shown; the item itself needs evidence
    assert (items["migrant_share"]["value"], items["migrant_share"]["status"]) == (0.0, "需佐证材料")
    # both schools report 智慧校园: 2 / 2 = 100 %; the plan's 文号 is the source
    sc = items["plan_smart_campus"]
    assert (sc["value"], sc["target"], sc["status"]) == (100.0, 100.0, "达标")
    assert sc["source"] == "金政办字〔2024〕20号"
    assert sc["name"] == "智慧校园覆盖率（县实施方案）"


def test_evidence_items(items):
    sat = items["satisfaction"]
    # 社会认可度 ≥ 85 %: a questionnaire, not in the data
    assert (sat["value"], sat["target"], sat["unit"], sat["status"]) == (None, 85.0, "%", "需佐证材料")
    assert sat["category"] == "recognition" and sat["source"] == "教督〔2017〕6号 社会认可度"
    lp = items["layout_plan"]  # a document without a number: no target, no unit
    assert (lp["value"], lp["target"], lp["unit"]) == (None, None, None)
    assert items["special_ed_funding"]["target"] == 6000.0  # the setting special_ed_funding_min [U]


def test_readable_output_unchanged(tmp_path):
    folder = write_csv_folder(make_ds(), Path(tmp_path) / "county")
    result = CliRunner().invoke(app, ["indicators", str(folder)])
    assert result.exit_code == 0, result.output
    assert "资源配置指标与差异系数 — 2024学年" in result.stdout and "{" not in result.stdout
