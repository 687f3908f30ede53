"""The hostile-input corpus: names that try to run as script or formula, personal data where it does
not belong, and broken or oversized inputs. The tests of this package feed them to every output.

Every payload that would run sets ``window.__jxPwned`` (a number naming the payload), so a page
opened in Chromium tells whether any of them ran (:data:`PWNED_PROBE`).

Where each case of issue 14 is tested:

==========================================  ===========================================================
case                                        test
==========================================  ===========================================================
script in school/村居/镇街/route names       test_browser_hostile (maps, report HTML, PDF header)
formula in names (=HYPERLINK, =1班)         test_ledger_hostile
ledger round trip (comments, formulas …)   tests/publish/test_ledger.py (round trip section)
ID number in a 备注 合计 cell; phones       test_ingest_hostile
1 000 000 whitespace-only rows             test_ingest_hostile
bad / empty 镇街边界 geometry, GDAL warning  test_ingest_hostile
GTFS feed without stops.txt                tests/ingest/test_gtfs.py, test_ingest_hostile (CLI)
schools without 学段统计                    test_ingest_hostile
YAML alias bomb, oversize, tags            tests/core/test_yamlsafe.py
killed batch / export leftovers, mixing    tests/publish/test_reports.py, tests/publish/test_ledger.py
==========================================  ===========================================================
"""

from __future__ import annotations

#: A school name: HTML, template-literal and script-closing payloads at once.
SCHOOL = ('甲<img src=x onerror="window.__jxPwned=1">小学${window.__jxPwned=2}`+(window.__jxPwned=3)+`'
          "</script><script>window.__jxPwned=4</script>\\")
#: A 镇街 name: breaks out of <title>, <style> and CSS strings if it can (no "/" in a real name? it may).
TOWNSHIP = '乙镇</title><script>window.__jxPwned=5</script>"}</style><script>window.__jxPwned=6</script>\u2028'
#: A second 镇街 with quotes and an HTML comment opener.
TOWNSHIP_2 = "丙镇'\"<!--<svg onload=window.__jxPwned=7>"
#: A 村居 name.
VILLAGE = '丁村<svg/onload="window.__jxPwned=8">'
#: A bus route and a stop name.
ROUTE = "助学${window.__jxPwned=9}路`"
STOP = "东站</div><img src=x onerror=window.__jxPwned=10>"
#: Names a spreadsheet would run as formulas.
FORMULAS = ['=HYPERLINK("http://example.invalid/","点我")', "+1班", "-1班", "@SUM(A1)", "=1班"]

#: Every hostile text, for tests that only need "any".
ALL = [SCHOOL, TOWNSHIP, TOWNSHIP_2, VILLAGE, ROUTE, STOP, *FORMULAS]

#: A script that, after the page (and its own scripts) ran, opens every popup and tooltip of every
#: Leaflet map, waits, and writes ``{"pwned": …, "errors": […], "title": …, "opened": n}`` into
#: ``<pre id="jx-pwned">``. Put it into a page with :func:`with_probe`.
PWNED_PROBE = """<script>
window.__jxPwned = 0; window.__jxErr = [];
window.addEventListener('error', function (e) { window.__jxErr.push(String(e.message || e)); });
window.addEventListener('load', function () {
  var opened = 0;
  try {
    Object.keys(window).forEach(function (k) {
      var m = window[k];
      if (typeof L !== 'undefined' && m instanceof L.Map) {
        m.eachLayer(function (l) {
          try { if (l.getPopup && l.getPopup()) { l.openPopup(); opened++; } } catch (e) {}
          try { if (l.getTooltip && l.getTooltip()) { l.openTooltip(l.getLatLng ? l.getLatLng() : (l.getBounds ? l.getBounds().getCenter() : undefined)); opened++; } } catch (e) {}
        });
      }
    });
  } catch (e) { window.__jxErr.push('probe: ' + e); }
  setTimeout(function () {
    var pre = document.createElement('pre'); pre.id = 'jx-pwned';
    pre.textContent = JSON.stringify({pwned: window.__jxPwned, errors: window.__jxErr, title: document.title,
                                      opened: opened});
    document.body.appendChild(pre);
  }, 500);
});
</script>"""


def with_probe(page: str) -> str:
    """``page`` with :data:`PWNED_PROBE` as the first thing of ``<head>`` (before any other script)."""
    i = page.index("<head>") + len("<head>")
    return page[:i] + PWNED_PROBE + page[i:]
