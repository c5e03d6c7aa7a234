"""Flow runs started by a process worker through the launcher and a pre-started process: the
same runs, states, logs and exit codes as with `python -m prefect.engine`, in a fraction of the time.

One Prefect server, one process worker and its pre-started process serve the whole module. Runs
on the pool without a worker are started here exactly as the worker starts them (its command, in
a directory of its own, with PREFECT__FLOW_RUN_ID and the worker's environment), where a test must
hold the launcher's process in its hand.
"""
from __future__ import annotations

import json
import shutil
import signal
import socket
import time

import pytest

from tests.prestart_helpers import (
    LAUNCHER,
    PLAIN_ENGINE,
    Stage,
    children,
    is_alive,
    probe_deployments,
    standing_deployments,
    wait_for_file,
)


@pytest.fixture(scope="module")
def stage(tmp_path_factory, seeded_templates):
    root = tmp_path_factory.mktemp("prestart")
    registry = root / "registry.db"
    shutil.copyfile(seeded_templates("sqlite").split("///", 1)[1], registry)
    running = Stage(root, f"sqlite:///{registry}", probe_deployments(root / "probe-source") + standing_deployments())
    try:
        yield running.start()
    finally:
        running.stop()


def handed_over(stage: Stage) -> int:
    return stage.prestart_log.read_text().count("开始一次流程运行")


def test_the_daily_standing_report_is_the_same_through_the_launcher(stage):
    plain = stage.create_run("standing-plain", {"as_of": "2016-08-09", "campaign_code": "shenyang-2016"})
    launched = stage.create_run("standing-launch", {"as_of": "2016-08-09", "campaign_code": "shenyang-2016"})
    assert stage.wait(launched) == "COMPLETED"
    assert stage.wait(plain) == "COMPLETED"
    by_plain, by_launcher = stage.artifacts(plain), stage.artifacts(launched)
    assert set(by_launcher) == {"campaign-standing", "campaign-overdue"}
    assert by_launcher == by_plain
    # Read from the registry the launcher's environment names (the pre-started process was given another).
    assert json.loads(by_launcher["campaign-standing"])[0]["阶段"] == "清理自查"


def test_a_run_through_the_worker_runs_in_a_child_of_the_prestarted_process_and_logs_to_prefect(stage, tmp_path):
    before = handed_over(stage)
    run = stage.create_run("probe-launch", {"marker": str(tmp_path / "marker")})
    assert stage.wait(run) == "COMPLETED"
    _pid, parent = wait_for_file(tmp_path / "marker").split()
    assert int(parent) == stage.processes["prestart"].pid
    assert handed_over(stage) == before + 1
    # The engine sends its logs in batches, the last as its process exits: after the final state.
    deadline = time.monotonic() + 20
    while not {"probe logger line", "probe print line"} <= set(logs := stage.logs(run)):
        assert time.monotonic() < deadline, logs
        time.sleep(0.2)


def test_a_failing_flow_fails_with_the_engines_exit_code(stage):
    codes, states = [], []
    for command in (PLAIN_ENGINE, LAUNCHER):
        run = stage.create_run("failing-by-hand")
        process = stage.start_command(command, run)
        output = process.communicate(timeout=90)[0].decode()
        codes.append(process.returncode)
        states.append(stage.state(run))
        assert "probe failure" in output
    assert codes[0] == codes[1]  # Prefect 3.9's engine exits 0 once it has reported the failure
    assert states == ["FAILED", "FAILED"]


def test_sigterm_reaches_the_run_as_it_reaches_the_engine(stage, tmp_path):
    outcomes = []
    for command in (PLAIN_ENGINE, LAUNCHER):
        run = stage.create_run("probe-by-hand", {"marker": str(tmp_path / command.split()[-1]), "sleep": 60})
        process = stage.start_command(command, run)
        run_pid = int(wait_for_file(tmp_path / command.split()[-1], process).split()[0])
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
        assert not is_alive(run_pid)
        outcomes.append((process.returncode, stage.wait(run, timeout=30)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][1] == "CRASHED"


def test_killing_the_launcher_kills_its_run(stage, tmp_path):
    run = stage.create_run("probe-by-hand", {"marker": str(tmp_path / "marker"), "sleep": 60})
    launcher = stage.start_command(LAUNCHER, run)
    child, parent = map(int, wait_for_file(tmp_path / "marker", launcher).split())
    assert parent == stage.processes["prestart"].pid
    launcher.kill()
    launcher.wait()
    deadline = time.monotonic() + 10
    while is_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_alive(child)
    while child in dict(children(parent)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child not in dict(children(parent))  # reaped, not left a zombie


@pytest.mark.parametrize("socket_state", ["missing", "stale"])
def test_without_a_prestarted_process_the_launcher_becomes_the_engine(stage, tmp_path, socket_state):
    path = tmp_path / "prestart.sock"
    if socket_state == "stale":  # left by a killed process: the file is there, nobody listens
        with socket.socket(socket.AF_UNIX) as dead:
            dead.bind(str(path))
    run = stage.create_run("probe-by-hand", {"marker": str(tmp_path / "marker")})
    before = handed_over(stage)
    launcher = stage.start_command(LAUNCHER, run, REFORM_PRESTART_SOCKET=str(path))
    output = launcher.communicate(timeout=90)[0].decode()
    assert launcher.returncode == 0, output
    assert stage.state(run) == "COMPLETED"
    run_pid, _parent = wait_for_file(tmp_path / "marker").split()
    assert int(run_pid) == launcher.pid  # the launcher's own process, become `python -m prefect.engine`
    assert handed_over(stage) == before


def test_many_runs_in_a_row_leave_no_process_behind(stage, tmp_path):
    runs = [stage.create_run("probe-launch") for _ in range(8)]
    assert [stage.wait(run) for run in runs] == ["COMPLETED"] * 8
    deadline = time.monotonic() + 10
    while children(stage.processes["prestart"].pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children(stage.processes["prestart"].pid) == []
    assert [state for _pid, state in children(stage.processes["worker"].pid) if state == "Z"] == []


def test_cancelling_a_run_through_the_worker_cancels_it_in_its_child(stage, tmp_path):
    run = stage.create_run("probe-launch", {"marker": str(tmp_path / "marker"), "sleep": 60})
    child, parent = map(int, wait_for_file(tmp_path / "marker").split())
    assert parent == stage.processes["prestart"].pid
    stage.api("POST", f"/flow_runs/{run}/set_state", {"state": {"type": "CANCELLING"}, "force": True})
    assert stage.wait(run, timeout=60) == "CANCELLED"
    deadline = time.monotonic() + 10
    while is_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_alive(child)


def test_a_run_outlives_its_prestarted_process_and_reports_its_exit(stage, tmp_path):
    run = stage.create_run("probe-by-hand", {"marker": str(tmp_path / "marker"), "sleep": 2})
    launcher = stage.start_command(LAUNCHER, run)
    wait_for_file(tmp_path / "marker", launcher)
    stage.processes["prestart"].kill()  # no one left to reap the child and report its status
    stage.processes.pop("prestart").wait()
    output = launcher.communicate(timeout=60)[0].decode()
    assert launcher.returncode == 0, output
    assert stage.state(run) == "COMPLETED"
    stage.start_prestart()  # over the stale socket it left
    stage.wait_until_prestart_ready()


def test_the_prestarted_process_stops_on_sigterm_and_removes_its_socket(stage):
    assert stage.stop_process("prestart") == 0
    assert not stage.socket_path.exists()
    assert "已停止" in stage.prestart_log.read_text()
    stage.start_prestart()
    stage.wait_until_prestart_ready()
