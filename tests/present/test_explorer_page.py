"""The web explorer (``make explorer``: Voilà serving ``notebooks/explorer.ipynb``) in headless Chromium.

Voilà is started on a free loopback port; Chromium (Debian package ``chromium``) opens the page with
the network off except loopback, and is driven over the DevTools protocol (``websocket-client``):
the page loads with the comparison table, choosing a scenario file in the dropdown updates the
table, and no request leaves the machine. A screenshot is kept in the test's temporary folder.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from jxedu.cli.commands import explorer_command
from jxedu.present.widgets import DOM_CLASSES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and Path("/usr/bin/chromium").exists():
    CHROMIUM = "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`; scripts/setup installs it)"
)

#: Seconds the page may take to show the table (kernel start, data, the first evaluation).
LOAD_TIMEOUT = 150  # seconds


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback only
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no answer from {url} within {timeout} s")


class _Page:
    """One Chromium tab over the DevTools protocol."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.n = 0
        self.requests: list[str] = []

    def call(self, method: str, **params) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Network.requestWillBeSent":
                self.requests.append(msg["params"]["request"]["url"])
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression: str):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.js(expression):
                return
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for: {expression}")


@pytest.fixture()
def explorer_server(demo_dir):
    port = _free_port()
    argv, env = explorer_command(demo_dir, port=port)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/voila/static/voila.js", 90)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # Voilà and the kernel it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stderr.close()


@pytest.fixture()
def browser(tmp_path):
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost",  # only loopback is reachable
         "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={profile}",
         "--window-size=1280,1600", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        end = time.monotonic() + 30
        while not port_file.exists() and time.monotonic() < end:
            time.sleep(0.2)
        port = int(port_file.read_text().split()[0])
        _wait_http(f"http://127.0.0.1:{port}/json/version", 30)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:  # noqa: S310
            tab = next(t for t in json.load(r) if t["type"] == "page")
        page = _Page(tab["webSocketDebuggerUrl"])
        yield page
        page.ws.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_explorer_page_loads_and_a_widget_updates_the_table(explorer_server, browser, tmp_path):
    page = browser
    page.call("Network.enable")
    page.call("Page.enable")
    page.call("Page.navigate", url=explorer_server)
    table = f".{DOM_CLASSES['table']} table"
    page.wait_for(f"document.querySelector('{table}') !== null", LOAD_TIMEOUT)
    heads = page.js(f"Array.from(document.querySelectorAll('{table} thead th')).map(th => th.textContent)")
    assert heads == ["指标", "现状", "现状′"]  # nothing chosen yet: the baseline beside itself
    assert page.js("document.body.innerText.includes('合成演示数据')")
    # choose the scenario file close_teaching_point in the dropdown: the table gets its column
    select = f".{DOM_CLASSES['scenario']} select"
    options = page.js(f"Array.from(document.querySelectorAll('{select} option')).map(o => o.textContent)")
    assert "close_teaching_point" in options
    page.js(f"(() => {{ const s = document.querySelector('{select}'); "
            f"s.selectedIndex = {options.index('close_teaching_point')}; "
            "s.dispatchEvent(new Event('change', {bubbles: true})); })()")
    page.wait_for(f"Array.from(document.querySelectorAll('{table} thead th')).some(th => "
                  "th.textContent === '关闭羊山镇袁堂教学点')", 60)
    moved = page.js(f"Array.from(document.querySelectorAll('{table} tbody tr')).map(tr => "
                    "Array.from(tr.children).map(td => td.textContent)).find(r => r[0] === '转学的学生（人）')")
    assert moved == ["转学的学生（人）", "0", "24"]  # only 袁堂教学点's 24 pupils move
    shot = page.call("Page.captureScreenshot", format="png")
    (tmp_path / "explorer.png").write_bytes(base64.b64decode(shot["data"]))
    if os.environ.get("JXEDU_KEEP_SCREENSHOT"):
        shutil.copy(tmp_path / "explorer.png", os.environ["JXEDU_KEEP_SCREENSHOT"])
    outside = [u for u in page.requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "about:"))]
    assert outside == []  # nothing fetched from the internet
