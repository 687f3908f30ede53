"""Coordinates used in China: WGS-84, GCJ-02 (高德/腾讯) and BD-09 (百度).

GCJ-02 is WGS-84 with a published obfuscation offset of several hundred metres; BD-09 adds a further
offset to GCJ-02. The forward formulas are the widely published ones (e.g. ``eviltransform``,
``coordtransform``); the inverses are solved by fixed-point iteration to better than 1e-7° (≈ 1 cm).
Outside mainland China GCJ-02 equals WGS-84.

All functions are vectorised: they take scalars or NumPy arrays of longitude and latitude in degrees
and return ``(lon, lat)`` of the same shape. CGCS2000 is treated as equal to WGS-84 (they differ by
centimetres at county scale).

Analysis never runs in GCJ-02 or BD-09: convert to WGS-84 on load, measure in UTM 50N
(:data:`jxedu.core.config.UTM50N`), and convert to GCJ-02 only to draw on a Chinese base map.
"""

from __future__ import annotations

import numpy as np
import shapely

_A = 6378245.0  # metres, Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # Krasovsky eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0  # BD-09 constant
_INVERSE_TOL = 1e-9  # degrees
_INVERSE_MAX_ITER = 30


def in_china(lon, lat) -> np.ndarray:
    """Whether points fall in the rough mainland-China box where GCJ-02 applies.

    Parameters
    ----------
    lon, lat
        Degrees.

    Returns
    -------
    numpy.ndarray of bool
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon > 73.66) & (lon < 135.05) & (lat > 3.86) & (lat < 53.55)


def _transform_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon, lat):
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _shape(lon, lat, out_lon, out_lat):
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return float(out_lon), float(out_lat)
    return out_lon, out_lat


def wgs84_to_gcj02(lon, lat):
    """Convert WGS-84 to GCJ-02.

    Parameters
    ----------
    lon, lat
        WGS-84 degrees (scalars or arrays).

    Returns
    -------
    tuple
        GCJ-02 ``(lon, lat)``.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    dlon, dlat = _gcj_offset(x, y)
    inside = in_china(x, y)
    return _shape(lon, lat, np.where(inside, x + dlon, x), np.where(inside, y + dlat, y))


def gcj02_to_wgs84(lon, lat):
    """Convert GCJ-02 to WGS-84 (iterative inverse, error < 1e-7°).

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees.

    Returns
    -------
    tuple
        WGS-84 ``(lon, lat)``.
    """
    gx = np.asarray(lon, dtype=float)
    gy = np.asarray(lat, dtype=float)
    x, y = gx.copy(), gy.copy()
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = wgs84_to_gcj02(x, y)
        ex, ey = np.asarray(fx) - gx, np.asarray(fy) - gy
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < _INVERSE_TOL) and np.all(np.abs(ey) < _INVERSE_TOL):
            break
    return _shape(lon, lat, x, y)


def gcj02_to_bd09(lon, lat):
    """Convert GCJ-02 to BD-09 (百度).

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees.

    Returns
    -------
    tuple
        BD-09 ``(lon, lat)``.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _shape(lon, lat, z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006)


def bd09_to_gcj02(lon, lat):
    """Convert BD-09 to GCJ-02 (iterative inverse, error < 1e-7°).

    Parameters
    ----------
    lon, lat
        BD-09 degrees.

    Returns
    -------
    tuple
        GCJ-02 ``(lon, lat)``.
    """
    bx = np.asarray(lon, dtype=float)
    by = np.asarray(lat, dtype=float)
    # closed-form approximation, then refine
    x0, y0 = bx - 0.0065, by - 0.006
    z = np.sqrt(x0 * x0 + y0 * y0) - 0.00002 * np.sin(y0 * _X_PI)
    theta = np.arctan2(y0, x0) - 0.000003 * np.cos(x0 * _X_PI)
    x, y = z * np.cos(theta), z * np.sin(theta)
    for _ in range(_INVERSE_MAX_ITER):
        fx, fy = gcj02_to_bd09(x, y)
        ex, ey = np.asarray(fx) - bx, np.asarray(fy) - by
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < _INVERSE_TOL) and np.all(np.abs(ey) < _INVERSE_TOL):
            break
    return _shape(lon, lat, x, y)


def wgs84_to_bd09(lon, lat):
    """Convert WGS-84 to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    """Convert BD-09 to WGS-84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon, lat, crs):
    """Convert coordinates given in a named system to WGS-84.

    Parameters
    ----------
    lon, lat
        Degrees (arrays).
    crs
        Array or scalar of ``"WGS84"``, ``"CGCS2000"``, ``"GCJ02"``, ``"BD09"``; null means WGS84.

    Returns
    -------
    tuple of numpy.ndarray
        WGS-84 ``(lon, lat)``.
    """
    lon = np.asarray(lon, dtype=float).copy()
    lat = np.asarray(lat, dtype=float).copy()
    crs = np.broadcast_to(np.asarray(crs, dtype=object), lon.shape)
    for name, fn in (("GCJ02", gcj02_to_wgs84), ("BD09", bd09_to_wgs84)):
        m = crs == name
        if np.any(m):
            lon[m], lat[m] = fn(lon[m], lat[m])
    return lon, lat


#: Shifts :func:`shift_geometry` makes: target system -> conversion from the other one.
_SHIFTS = {"GCJ02": wgs84_to_gcj02, "WGS84": gcj02_to_wgs84}


def shift_geometry(geometry, *, to: str):
    """Shift shapely geometries between WGS-84 and GCJ-02, vertex by vertex (the one home of the rule).

    Maps drawn on a 高德 base map shift every point and line to GCJ-02 (``to="GCJ02"``); the bundled
    county outline, published in GCJ-02, is shifted back to WGS-84 (``to="WGS84"``) before it is
    measured or drawn with the data. Analysis never runs in GCJ-02.

    Parameters
    ----------
    geometry
        A shapely geometry or an array of them, lon/lat degrees (WGS-84 for ``to="GCJ02"``, GCJ-02 for
        ``to="WGS84"``).
    to
        ``"GCJ02"`` or ``"WGS84"``: the system to shift into.

    Returns
    -------
    shapely.Geometry or numpy.ndarray
        The same shapes in the target system (an array for an array).

    Examples
    --------
    >>> p = shift_geometry(shapely.Point(116.30, 35.07), to="GCJ02")
    >>> round(p.x - 116.30, 4) != 0
    True
    """
    if to not in _SHIFTS:
        raise ValueError(f"unknown target system {to!r}; expected 'GCJ02' or 'WGS84'")
    convert = _SHIFTS[to]
    return shapely.transform(geometry, lambda a: np.column_stack(convert(a[:, 0], a[:, 1])))
