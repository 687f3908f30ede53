"""Tests of jxedu.analysis.classsize on hand-made classes (boundaries 45/46, 55/56, 65/66; 50/51 for 初中).

Tables and charts of jxedu.present.classes are tested in tests/present/test_classes.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jxedu.analysis import classsize
from jxedu.core.dataset import Dataset
from jxedu.core.errors import DataError, MissingTableError


def _dataset(classes: pd.DataFrame | None) -> Dataset:
    schools = pd.DataFrame({
        "school_id": ["S1", "S2"], "name": ["城区小学", "乡村中学"], "school_type": ["primary", "junior"],
        "township": ["金乡街道", "羊山镇"], "urban_rural": ["urban", "rural"],
    })
    stats = pd.DataFrame({"year": [2024], "school_id": ["S1"], "stage": ["primary"], "students": [1]})
    return Dataset(source=Path("hand"), schools=schools, stage_stats=stats,
                   facilities=pd.DataFrame({"year": [], "school_id": []}), classes=classes)


def _classes() -> pd.DataFrame:
    rows = []
    # 2024, S1 小学 grade 1: 35, 36, 45, 46 (162 pupils); grade 2: 55, 56, 65, 66 (242 pupils).
    for i, n in enumerate([35, 36, 45, 46]):
        rows.append((2024, "S1", "primary", 1, f"一年级{i}班", n))
    for i, n in enumerate([55, 56, 65, 66]):
        rows.append((2024, "S1", "primary", 2, f"二年级{i}班", n))
    # 2024, S2 初中 grade 7: 50, 51 (101 pupils).
    rows += [(2024, "S2", "junior", 7, "七年级1班", 50), (2024, "S2", "junior", 7, "七年级2班", 51)]
    # 2023: S1 one class of 60 (over), S2 one of 40; a 高中 class that must be ignored.
    rows += [(2023, "S1", "primary", 1, "一年级1班", 60), (2023, "S2", "junior", 7, "七年级1班", 40),
             (2023, "S2", "senior", 10, "高一1班", 80)]
    return pd.DataFrame(rows, columns=["year", "school_id", "stage", "grade", "class_name", "students"])


@pytest.mark.parametrize("size,band", [(35, "small"), (36, "normal"), (45, "normal"), (46, "large"),
                                       (55, "large"), (56, "big"), (65, "big"), (66, "super"), (90, "super")])
def test_band_boundaries(size, band):
    assert classsize.class_band([size])[0] == band
    assert classsize.class_band(size)[0] == band  # a scalar works too


def test_band_limits_from_standards():
    # class_band_normal 36, _large 46, _big 56, _super 66 in the standards table.
    assert classsize.band_limits() == {"small": (None, 35), "normal": (36, 45), "large": (46, 55), "big": (56, 65),
                                       "super": (66, None)}


def test_caps():
    assert classsize.stage_cap("primary") == 45
    assert classsize.stage_cap("junior") == 50
    with pytest.raises(DataError, match="bad_stage"):
        classsize.stage_cap("senior")


def test_class_records():
    c = classsize.class_records(_dataset(_classes()), years=[2024]).set_index("class_name")
    # 46 in 小学 is over the cap of 45; 50 in 初中 is not (cap 50), 51 is.
    cols = ["class_pupils", "class_cap", "class_band", "is_over_cap"]
    assert c.loc["一年级3班", cols].tolist() == [46, 45, "large", True]
    assert c.loc["七年级1班", ["class_cap", "is_over_cap"]].tolist() == [50, False]
    assert bool(c.loc["七年级2班", "is_over_cap"])
    assert c.loc["一年级0班", "school_name"] == "城区小学" and len(c) == 10


def test_over_cap_and_bands_per_stage():
    ds = _dataset(_classes())
    s = classsize.class_size_summary(ds, year=2024, by="county").set_index("stage")
    # 小学: 8 classes; over 45: 46, 55, 56, 65, 66 = 5. Bands: small 1 (35), normal 2 (36, 45),
    # large 2 (46, 55), big 2 (56, 65), super 1 (66).
    p = s.loc["primary"]
    assert p["classes"] == 8 and p["over_cap"] == 5
    assert [p[c] for c in classsize.BAND_COLUMNS.values()] == [1, 2, 2, 2, 1]
    assert p["students"] == 162 + 242
    assert p["class_size"] == pytest.approx((162 + 242) / 8)  # 50.5
    assert p["max_class_size"] == 66
    # 初中: 50 is within the cap, 51 is over it; both are in the 偏大 band (46–55).
    j = s.loc["junior"]
    assert j["classes"] == 2 and j["over_cap"] == 1 and j["band_large"] == 2
    assert j["over_cap_share"] == pytest.approx(0.5)


def test_township_rows_and_county_row():
    ds = _dataset(_classes())
    t = classsize.class_size_summary(ds, year=2024, by="township")
    assert list(zip(t["township"], t["stage"], strict=True)) == [
        ("金乡街道", "primary"), ("羊山镇", "junior"), ("全县", "primary"), ("全县", "junior")]
    # The 全县 rows are the sums of the 镇街 rows (one 镇街 per stage here).
    assert t.loc[t["township"] == "全县", "classes"].tolist() == [8, 2]


def test_records_already_computed():
    # The assessment passes its records: a summary of them equals the one read from the data.
    ds = _dataset(_classes())
    rec = classsize.class_records(ds)
    s = classsize.class_size_summary(ds, year=2024, by="county", records=rec).set_index("stage")
    assert s.loc["primary", "over_cap"] == 5 and s.loc["junior", "classes"] == 2
    n = classsize.classes_needed(ds, year=2023, records=rec).set_index(["school_id", "grade"])
    # 2023 S1 grade 1: one class of 60 → ceil(60 / 45) = 2 needed, 1 extra.
    assert n.loc[("S1", 1), ["classes_needed", "extra_classes"]].tolist() == [2, 1]


def test_trend_ignores_senior_and_counts_per_year():
    ds = _dataset(_classes())
    tr = classsize.class_size_trend(ds, since=2019).set_index(["year", "stage"])
    # 2023: 小学 1 class of 60 (over, 大班额); 初中 1 class of 40; the 高中 class of 80 is left out.
    assert tr.loc[(2023, "primary"), ["classes", "over_cap", "band_big"]].tolist() == [1, 1, 1]
    assert tr.loc[(2023, "junior"), ["classes", "over_cap", "band_super"]].tolist() == [1, 0, 0]
    assert tr.loc[(2024, "primary"), "over_cap"] == 5
    # since=2024 keeps one year only.
    assert set(classsize.class_size_trend(ds, since=2024)["year"]) == {2024}


def test_trend_by_township_with_county_rows():
    ds = _dataset(_classes())
    tr = classsize.class_size_trend(ds, by="township").set_index(["year", "township", "stage"])
    # 2023: 金乡街道 (S1) 小学 1 class of 60; 羊山镇 (S2) 初中 1 of 40; 全县 the same two rows.
    assert tr.loc[(2023, "金乡街道", "primary"), "over_cap"] == 1
    assert tr.loc[(2023, "全县", "primary"), "classes"] == 1 and tr.loc[(2023, "全县", "junior"), "classes"] == 1
    assert len(tr) == 8  # 2 years × (2 镇街 rows + 2 全县 rows)


def test_classes_needed():
    ds = _dataset(_classes())
    n = classsize.classes_needed(ds, year=2024).set_index(["school_id", "grade"])
    # S1 grade 1: 162 pupils / 45 = 3.6 → 4 needed, 4 held → 0 extra.
    assert n.loc[("S1", 1), ["students", "classes_held", "classes_needed", "extra_classes"]].tolist() == [162, 4, 4, 0]
    # S1 grade 2: 242 / 45 = 5.38 → 6 needed, 4 held → 2 extra.
    assert n.loc[("S1", 2), ["classes_needed", "extra_classes"]].tolist() == [6, 2]
    # S2 grade 7: 101 / 50 = 2.02 → 3 needed, 2 held → 1 extra.
    assert n.loc[("S2", 7), ["classes_needed", "extra_classes", "class_cap"]].tolist() == [3, 1, 50]


def test_classes_needed_exact_multiple():
    # 90 pupils in one grade of 小学 at a cap of 45: exactly 2 classes, held 2 → none extra (the boundary).
    rows = pd.DataFrame([(2024, "S1", "primary", 3, "三年级1班", 45), (2024, "S1", "primary", 3, "三年级2班", 45)],
                        columns=["year", "school_id", "stage", "grade", "class_name", "students"])
    n = classsize.classes_needed(_dataset(rows), year=2024)
    assert n[["classes_needed", "extra_classes"]].iloc[0].tolist() == [2, 0]


def test_top_oversize_schools():
    ds = _dataset(_classes())
    top = classsize.top_oversize_schools(ds, year=2024)
    # S1 has 5 over-size classes, S2 has 1.
    assert top["school_id"].tolist() == ["S1", "S2"]
    assert top["over_cap"].tolist() == [5, 1]
    assert top.loc[0, "band_super"] == 1
    assert len(classsize.top_oversize_schools(ds, year=2024, n=1)) == 1


def test_errors():
    ds = _dataset(_classes())
    with pytest.raises(DataError, match="unknown_year"):
        classsize.class_size_summary(ds, year=2000)
    with pytest.raises(DataError, match="bad_by"):
        classsize.class_size_summary(ds, by="province")
    with pytest.raises(MissingTableError):
        classsize.class_size_summary(_dataset(None))
