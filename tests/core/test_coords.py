"""Tests of jxedu.core.coords against published test vectors.

Sources (numbers copied from their test files, not from our output):

* googollee/eviltransform, ``python/test.py``: WGS-84 -> GCJ-02 for Shanghai, Shenzhen, Beijing,
  asserted there to 6 decimals (``assertAlmostEqual(..., 6)``); its exact inverse is asserted to
  within 0.5 m. (Its BD-09 vectors are left out: they do not match its own formulas either.)
* wandergis/coordtransform, ``test/app.js`` (also used by hutool's ``CoordinateUtilTest`` and
  coordtransform_rs): conversions of (116.404, 39.915). Its GCJ-02 -> WGS-84 and BD-09 -> GCJ-02 are
  one-step approximations, so we compare those within 1e-6° (≈ 0.1 m) only.
* hujiulong/gcoord, ``test/unit/crs/WGS84.spec.ts``, ``GCJ02.spec.ts``, ``BD09.spec.ts``: conversions
  of (123, 45), asserted there with ``toBeCloseTo(x, 5)`` (|error| < 5e-6°); ``[183, 45]`` is outside
  China and passes unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest

from jxedu.core import coords

# (wgs_lon, wgs_lat, gcj_lon, gcj_lat) -- googollee/eviltransform python/test.py
EVILTRANSFORM = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # beijing
]


@pytest.mark.parametrize("wlon, wlat, glon, glat", EVILTRANSFORM)
def test_wgs84_to_gcj02_eviltransform(wlon, wlat, glon, glat):
    lon, lat = coords.wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize("wlon, wlat, glon, glat", EVILTRANSFORM)
def test_gcj02_to_wgs84_eviltransform(wlon, wlat, glon, glat):
    lon, lat = coords.gcj02_to_wgs84(glon, glat)
    # eviltransform asks < 0.5 m of its exact inverse; our iteration reaches < 1e-7° (≈ 1 cm)
    assert lon == pytest.approx(wlon, abs=1e-7)
    assert lat == pytest.approx(wlat, abs=1e-7)


def test_coordtransform_vectors():
    # wandergis/coordtransform test/app.js, input (116.404, 39.915) for every function
    assert coords.wgs84_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-12
    )
    assert coords.gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-12
    )
    # their inverses are one-step approximations: agree within 1e-6° (≈ 0.1 m)
    assert coords.bd09_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.39762729119315, 39.90865673957631), abs=1e-6
    )
    assert coords.gcj02_to_wgs84(116.404, 39.915) == pytest.approx(
        (116.39775550083061, 39.91359571849836), abs=1e-6
    )


def test_gcoord_vectors():
    # hujiulong/gcoord test/unit/crs/*.spec.ts, input (123, 45); their tolerance toBeCloseTo(5)
    tol = 5e-6
    assert coords.wgs84_to_gcj02(123, 45) == pytest.approx((123.00607541, 45.00197815), abs=tol)
    assert coords.wgs84_to_bd09(123, 45) == pytest.approx((123.0124491, 45.0083293), abs=tol)
    assert coords.gcj02_to_wgs84(123, 45) == pytest.approx((122.99395597, 44.99804071), abs=tol)
    assert coords.gcj02_to_bd09(123, 45) == pytest.approx((123.00636499, 45.00636899), abs=tol)
    assert coords.bd09_to_gcj02(123, 45) == pytest.approx((122.99363304, 44.99365430), abs=tol)
    assert coords.bd09_to_wgs84(123, 45) == pytest.approx((122.98762210, 44.99171540), abs=tol)


def test_outside_china_passthrough():
    # gcoord: [183, 45] is outside China; also a point in Europe
    assert coords.wgs84_to_gcj02(183, 45) == (183.0, 45.0)
    assert coords.gcj02_to_wgs84(2.35, 48.85) == pytest.approx((2.35, 48.85), abs=1e-12)
    lon, lat = coords.wgs84_to_gcj02(np.array([116.3, 2.35]), np.array([35.0, 48.85]))
    assert lon[1] == 2.35 and lat[1] == 48.85 and lon[0] != 116.3
    assert not coords.in_china(183, 45) and coords.in_china(116.3, 35.07)


def _jinxiang_grid():
    # 11 x 11 points over the county's bounds (116.115–116.511 E, 34.853–35.237 N)
    lon, lat = np.meshgrid(np.linspace(116.115, 116.511, 11), np.linspace(34.853, 35.237, 11))
    return lon, lat


def test_round_trips_over_jinxiang():
    lon, lat = _jinxiang_grid()
    g_lon, g_lat = coords.wgs84_to_gcj02(lon, lat)
    # the GCJ-02 offset there is a few hundred metres (≈ 0.005°): a round trip must undo it
    assert np.all(np.abs(g_lon - lon) > 1e-3)
    back = coords.gcj02_to_wgs84(g_lon, g_lat)
    np.testing.assert_allclose(back, (lon, lat), atol=1e-6, rtol=0)
    b_lon, b_lat = coords.wgs84_to_bd09(lon, lat)
    back = coords.bd09_to_wgs84(b_lon, b_lat)
    np.testing.assert_allclose(back, (lon, lat), atol=1e-6, rtol=0)
    back = coords.bd09_to_gcj02(*coords.gcj02_to_bd09(g_lon, g_lat))
    np.testing.assert_allclose(back, (g_lon, g_lat), atol=1e-6, rtol=0)


def test_vectorised_shapes_and_scalars():
    lon, lat = _jinxiang_grid()
    out = coords.wgs84_to_gcj02(lon, lat)
    assert out[0].shape == (11, 11) and out[1].shape == (11, 11)
    # element-wise equal to the scalar call
    assert out[0][3, 4] == coords.wgs84_to_gcj02(float(lon[3, 4]), float(lat[3, 4]))[0]
    s = coords.bd09_to_wgs84(116.3, 35.07)
    assert isinstance(s[0], float) and isinstance(s[1], float)
    lst = coords.gcj02_to_wgs84([116.3, 116.4], [35.0, 35.1])
    assert lst[0].shape == (2,)


def test_to_wgs84_by_named_system():
    glon, glat = coords.wgs84_to_gcj02(116.3, 35.07)
    blon, blat = coords.wgs84_to_bd09(116.3, 35.07)
    lon, lat = coords.to_wgs84(
        [116.3, glon, blon, 116.3], [35.07, glat, blat, 35.07], ["WGS84", "GCJ02", "BD09", None]
    )
    np.testing.assert_allclose(lon, 116.3, atol=1e-7)
    np.testing.assert_allclose(lat, 35.07, atol=1e-7)


def test_shift_geometry_moves_every_vertex_both_ways():
    import shapely

    # eviltransform's Shanghai vector (WGS-84 -> GCJ-02), as the two ends of a line
    (wlon, wlat, glon, glat) = EVILTRANSFORM[0]
    line = shapely.LineString([(wlon, wlat), (wlon, wlat)])
    shifted = coords.shift_geometry(line, to="GCJ02")
    np.testing.assert_allclose(np.asarray(shifted.coords), [[glon, glat], [glon, glat]], atol=1e-6)
    back = coords.shift_geometry(shapely.Point(glon, glat), to="WGS84")
    assert (back.x, back.y) == pytest.approx((wlon, wlat), abs=5e-6)
    # arrays of geometries stay arrays
    arr = coords.shift_geometry(np.array([shapely.Point(wlon, wlat)] * 2), to="GCJ02")
    assert arr.shape == (2,) and arr[1].x == pytest.approx(glon, abs=1e-6)
    with pytest.raises(ValueError, match="unknown target"):
        coords.shift_geometry(line, to="BD09")
