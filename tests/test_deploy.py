"""`fronts deploy` against a real Prefect server on loopback: the annual deployment exists with its
schedule and parameters, and a run of it, triggered by hand, completes on the sample corpus."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fronts.cli import main

pytestmark = pytest.mark.slow

CRON = "0 6 1 3 *"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def prefect_server(tmp_path):
    """A real `prefect server start` on a free loopback port, with its own database."""
    url = f"http://127.0.0.1:{_free_port()}/api"
    port = url.rsplit(":", 1)[1].split("/")[0]
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": url,
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    prefect = str(Path(sys.executable).with_name("prefect"))
    server = subprocess.Popen(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", port],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait(lambda: _healthy(url), 180, "the Prefect server")
        yield url, env
    finally:
        _stop(server)


def test_a_deployment_needs_a_server_and_a_valid_schedule(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main(["deploy", "--cron", CRON, "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "needs a Prefect server" in capsys.readouterr().err
    assert main(["deploy", "--cron", "61 6 1 3 *"]) == 2
    assert "not a cron expression" in capsys.readouterr().err


def test_the_annual_deployment_is_scheduled_and_a_hand_run_completes(tmp_path, prefect_server):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from fronts.sample import sample_paths
    from fronts.store import connect

    url, env = prefect_server
    db, reports = tmp_path / "w.duckdb", tmp_path / "reports"
    config = tmp_path / "fronts.toml"
    config.write_text(f'db = "{db}"\nreports = "{reports}"\nseed = 3\n', encoding="utf-8")
    fronts = str(Path(sys.executable).with_name("fronts"))
    options = ["--cron", CRON, "--name", "yearly", "--config", str(config), "--no-pdf"]
    serve = subprocess.Popen(
        [fronts, "deploy", *map(str, sample_paths()), *options],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}), get_client(sync_client=True) as c:

            def deployment():
                try:
                    return c.read_deployment_by_name("research-fronts/yearly")
                except Exception:  # not registered yet
                    return None

            found = _wait(deployment, 180, "the deployment")
            assert [s.schedule.cron for s in found.schedules] == [CRON]
            assert found.parameters["config"]["db"] == str(db)
            assert found.parameters["replace"] is True and found.parameters["pdf"] is False
            run = c.create_flow_run_from_deployment(found.id)

            def finished():
                state = c.read_flow_run(run.id).state
                return state if state is not None and state.is_final() else None

            state = _wait(finished, 600, "the triggered run")
            assert state.is_completed(), state.message
    finally:
        _stop(serve)
    con = connect(db, read_only=True)
    try:
        status = con.execute("SELECT status FROM runs").fetchall()
    finally:
        con.close()
    assert status == [("completed",)]
    assert any(reports.glob("*/index.html"))
