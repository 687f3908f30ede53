"""Tests of jxedu.core.numeric: rounding a need up to whole units without float noise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jxedu.core.numeric import ceil_count


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.07 * 100, 7),  # 7.000000000000001 in floating point: 7 teachers, not 8
        (9.000000000000002, 9),  # float noise above 9: 9, not 10
        (8.9999999, 9),
        (9.0001, 10),
        (9.0, 9),
        (0.1 + 0.2, 1),  # 0.30000000000000004 is a real fraction of a unit: 1
        (3 * 0.1 * 10, 3),  # 3.0000000000000004 -> 3
        (0.0, 0),
        (-3.2, 0),  # a surplus needs nothing
        (-0.5, 0),
    ],
)
def test_scalar_hand_cases(x, expected):
    assert 0.07 * 100 != 7 and 3 * 0.1 * 10 != 3  # the noisy inputs really are noisy
    got = ceil_count(x)
    assert got == expected and type(got) is int


def test_floor_option():
    assert ceil_count(-3.2, floor=None) == -3  # ceil(-3.2) = -3
    assert ceil_count(0.2, floor=1) == 1
    assert ceil_count(0.0, floor=1) == 1  # at least one room
    assert ceil_count(25 / 12, floor=1) == 3  # 25 classes / 12 per room = 2.083 -> 3
    assert ceil_count(-7.5, floor=-5) == -5


def test_large_values_keep_float_noise_out():
    # 1.1 * 1e8 = 110000000.00000001 in floating point; the need is 110 000 000 units
    assert 1.1 * 1e8 != 110_000_000
    assert ceil_count(1.1 * 1e8) == 110_000_000


def test_nan_and_inf_scalars():
    assert math.isnan(ceil_count(float("nan")))
    assert math.isnan(ceil_count(np.nan, floor=None))
    assert ceil_count(float("inf")) == math.inf


def test_numpy_array():
    a = np.array([9.000000000000002, 8.9999999, 9.0001, -2.0, np.nan])
    got = ceil_count(a)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    np.testing.assert_array_equal(got, [9.0, 9.0, 10.0, 0.0, np.nan])
    np.testing.assert_array_equal(ceil_count(a[:4], floor=None), [9.0, 9.0, 10.0, -2.0])


def test_pandas_series_keeps_index_and_name():
    s = pd.Series([0.07 * 100, 12.5, -1.0, pd.NA], index=[10, 20, 30, 40], name="need", dtype="Float64")
    got = ceil_count(s)
    assert isinstance(got, pd.Series) and got.dtype == np.float64
    assert got.index.tolist() == [10, 20, 30, 40] and got.name == "need"
    # 7.000000000000001 -> 7; 12.5 -> 13; -1 -> floor 0; NA -> NaN
    assert got.iloc[:3].tolist() == [7.0, 13.0, 0.0] and np.isnan(got.iloc[3])
    ints = ceil_count(pd.Series([1200 * 0.9 / 100, 401 * 0.9 / 100])).astype(int)
    assert ints.tolist() == [11, 4]  # 10.8 -> 11; 3.609 -> 4


# --- round_keeping_total -----------------------------------------------------------------------


def test_round_keeping_total_gives_spare_units_to_the_largest_remainders():
    from jxedu.core.numeric import round_keeping_total

    # 1.5 + 1.5 + 1.0 = 4: floors 1, 1, 1 and the one spare unit to the first largest remainder
    assert round_keeping_total(np.array([1.5, 1.5, 1.0]), 4).tolist() == [2, 1, 1]
    # 2.2 + 3.7 + 4.1 = 10: floors 2, 3, 4 (9) -> the spare unit to 3.7 (remainder 0.7)
    assert round_keeping_total([2.2, 3.7, 4.1], 10).tolist() == [2, 4, 4]
    # 2.9999999999 is 3 (float noise below 1e-9 is no remainder): floors 3 and 0, nothing spare
    assert round_keeping_total([2.9999999999, 1.0000000001], 4).tolist() == [3, 1]
    assert round_keeping_total([], 0).tolist() == []
