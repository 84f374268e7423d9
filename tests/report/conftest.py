"""Fixtures of the report tests: the small warehouse of `report_fixture`, its rendered report,
and a real headless Chromium driven over the DevTools protocol."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from report_fixture import RUN_ID, build_warehouse

from fronts.report.pdf import QUIET_FLAGS, find_browser
from fronts.store import connect


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("report") / "fronts.duckdb")


@pytest.fixture(scope="session")
def report_data(warehouse: Path):
    from fronts.report import load_report_data

    con = connect(warehouse, read_only=True)
    try:
        return load_report_data(con, RUN_ID)
    finally:
        con.close()


@pytest.fixture(scope="session")
def report_files(report_data) -> dict[str, str]:
    from fronts.report import render_report

    return render_report(report_data)


# ----------------------------------------------------------------------------------------------
# Headless Chromium over the DevTools protocol (websockets is already installed with Prefect).


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser's path; skips without one, unless FRONTS_REQUIRE_BROWSER=1 (CI) fails."""
    browser = find_browser()
    if browser is None:
        reason = "no Chromium on PATH (apt-get install -y chromium)"
        if os.environ.get("FRONTS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return browser


class Browser:
    """Just enough of the DevTools protocol to load a page and watch what it does."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect as ws_connect

        self.ws = ws_connect(ws_url, max_size=None, open_timeout=20)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, timeout: float = 30, **params):
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def visit(self, url: str, width: int = 1280, height: int = 900) -> dict[str, Any]:
        """Load `url` in a fresh tab; return its errors, requests, charts and a screenshot."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.events.clear()
        self.send("Page.navigate", session, url=url)
        drawn = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.pump(0.25)
            drawn = self.eval(session, "document.body && document.body.dataset.chartsDrawn")
            if drawn is not None and self.eval(session, "document.readyState") == "complete":
                break
        self.pump(0.5)  # late errors
        shot = self.send("Page.captureScreenshot", session, format="png")["data"]
        result = {
            "session": session,
            "charts_drawn": drawn,
            "errors": _errors(self.events),
            "requests": [
                e["params"]["request"]["url"]
                for e in self.events
                if e.get("method") == "Network.requestWillBeSent"
            ],
            "png": base64.b64decode(shot),
        }
        return result

    def eval(self, session: str, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return reply.get("result", {}).get("value")


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a)) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:500])
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append("log: " + p["entry"].get("text", ""))
    return out


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="fronts-cdp-") as profile:
        proc = subprocess.Popen(
            [
                chromium,
                *QUIET_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            ws_url = None
            deadline = time.monotonic() + 30
            while ws_url is None and time.monotonic() < deadline:
                line = proc.stderr.readline()  # type: ignore[union-attr]
                if not line and proc.poll() is not None:
                    break
                found = re.search(r"DevTools listening on (ws://\S+)", line)
                ws_url = found.group(1) if found else None
            if ws_url is None:
                pytest.fail("Chromium did not open its DevTools port")
            # Keep reading its log so that a full pipe never blocks the browser.
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # type: ignore[union-attr]
            b = Browser(ws_url)
            yield b
            b.ws.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
