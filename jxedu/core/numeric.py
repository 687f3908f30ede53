"""Small numeric helpers shared by the analysis modules.

:func:`ceil_count` rounds a need up to whole units (teachers, rooms, square metres …) without being
fooled by float noise: 7 % of 100 students, ``0.07 * 100``, is ``7.000000000000001`` in binary
floating point, and a plain ``ceil`` would ask for 8 teachers where the hand calculation gives 7.
:func:`round_keeping_total` turns fractional counts (students spread over schools) into whole ones
that keep their sum.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: Decimals kept before rounding up: differences below 0.5e-6 of a unit are treated as float noise.
#: Six decimals also absorb the relative noise of large values (about 1e-16 × |x|, i.e. 1e-7 at
#: |x| = 1e9), which a fixed tolerance of 1e-9 would not.
CEIL_DECIMALS = 6  # decimals (dimensionless)


def ceil_count(x, *, floor: float | None = 0, decimals: int = CEIL_DECIMALS):
    """Round up to a whole number of units, ignoring float noise; never below ``floor``.

    The value is first rounded to ``decimals`` decimals, then rounded up, then raised to ``floor``.
    NaN stays NaN (a missing input gives a missing need, not zero).

    Parameters
    ----------
    x
        A number, a NumPy array or a pandas Series (nullable dtypes allowed; ``pd.NA`` is NaN).
    floor
        Smallest result (``0``: a surplus needs nothing). ``None`` keeps negative results.
    decimals
        Decimals kept before rounding up (see :data:`CEIL_DECIMALS`).

    Returns
    -------
    int, float, numpy.ndarray or pandas.Series
        For a scalar, an ``int`` (or ``float`` NaN/inf when ``x`` is not finite); for an array, a
        float64 array of whole numbers (NaN kept); for a Series, a float64 Series with the same index
        and name. Use ``.astype(int)`` where no NaN can occur and an integer column is wanted.

    Examples
    --------
    >>> ceil_count(0.07 * 100)  # 7.000000000000001
    7
    >>> ceil_count(9.000000000000002)
    9
    >>> ceil_count(9.0001)
    10
    >>> ceil_count(-3.2)
    0
    >>> ceil_count(-3.2, floor=None)
    -3
    """
    a = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.ceil(np.round(a, decimals))
        if floor is not None:
            out = np.maximum(out, float(floor))
    if isinstance(x, pd.Series):
        return pd.Series(out, index=x.index, name=x.name, dtype=float)
    if out.ndim == 0:
        v = float(out)
        return int(v) if math.isfinite(v) else v
    return out


def round_keeping_total(values, total: int) -> np.ndarray:
    """Round non-negative shares to whole numbers that add up to ``total`` (largest remainder).

    Every value is first rounded down (ignoring float noise below 1e-9); the units still missing
    from ``total`` go one each to the values with the largest remainders (ties: the first).
    Used where fractional students must become whole students without changing the sum.

    Parameters
    ----------
    values
        Non-negative numbers (a 1-D array or sequence) whose sum is ``total`` up to rounding.
    total
        The whole number the result must add up to.

    Returns
    -------
    numpy.ndarray
        int64 array of the same length.

    Examples
    --------
    >>> round_keeping_total([1.5, 1.5, 1.0], 4).tolist()
    [2, 1, 1]
    >>> round_keeping_total([0.4, 0.3, 0.3], 1).tolist()
    [1, 0, 0]
    """
    v = np.asarray(values, dtype=float)
    out = np.floor(v + 1e-9)
    spare = int(total - out.sum())
    if spare > 0:
        order = np.argsort(-(v - out), kind="stable")
        out[order[:spare]] += 1
    return out.astype(np.int64)
