"""Small numeric helpers shared by the analysis modules.

:func:`ceil_count` rounds a need up to whole units (teachers, rooms, square metres …) without being
fooled by float noise: 7 % of 100 students, ``0.07 * 100``, is ``7.000000000000001`` in binary
floating point, and a plain ``ceil`` would ask for 8 teachers where the hand calculation gives 7.
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
