"""`reform cluster up`, `reform cluster down` and `reform deploy` against the machine's PostgreSQL and
Redis: two API server processes, the services, two process workers, every deployment of
prefect.yaml registered, a run on a worker, a killed worker's run marked Crashed by the heartbeat
automation, and nothing left behind by `down` or by a signal to `up`."""
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
from typer.testing import CliRunner

from deployments.cluster.checks import port_free
from deployments.cluster.state import living_members
from reform.app import app
from tests.cluster_fixture import RunningCluster, free_port, start_cluster

pytestmark = pytest.mark.postgres
runner = CliRunner()
# The session's `cluster` fixture uses db 14; the clusters of this file run beside it.
MODULE_REDIS_DB = 13
SIGNAL_REDIS_DB = 12
INTAKE_SUBMISSIONS = 400


@pytest.fixture(scope="module")
def registry(seeded_templates):
    from tests.conftest import postgres_database

    url, drop = postgres_database(seeded_templates("postgresql").rsplit("/", 1)[1])
    yield url
    drop()


@pytest.fixture(scope="module")
def up(registry, tmp_path_factory) -> RunningCluster:
    started = time.monotonic()
    running = start_cluster(tmp_path_factory.mktemp("cluster") / "home", registry, redis_db=MODULE_REDIS_DB)
    print(f"\nreform cluster up ready in {time.monotonic() - started:.1f} s")
    yield running
    if running.process.poll() is None:
        running.stop()


def _api_servers(up) -> list[int]:
    api = next(p for p in up.state()["processes"] if p["name"] == "api")
    return [pid for pid in living_members(api["pid"]) if "multiprocessing-fork" in _cmdline(pid)]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def test_two_api_server_processes_answer_on_the_one_port(up):
    servers = _api_servers(up)
    assert len(servers) == 2
    with urllib.request.urlopen(f"{up.api_url}/health", timeout=5) as response:
        assert response.status == 200
    # One server process gone: the other answers, and uvicorn starts another in its place.
    os.kill(servers[0], signal.SIGKILL)
    with urllib.request.urlopen(f"{up.api_url}/health", timeout=5) as response:
        assert response.status == 200
    deadline = time.monotonic() + 60
    while len(_api_servers(up)) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(_api_servers(up)) == 2 and servers[0] not in _api_servers(up)


def test_the_pool_has_both_workers_online(up):
    assert up.online_workers() == {"reform-worker-1", "reform-worker-2"}


def test_every_deployment_of_prefect_yaml_is_registered(up):
    from deployments.declared import declared

    assert {f"{d.flow_name}/{d.name}" for d in declared()} <= up.deployment_names()
    assert len(declared()) == 11
    # Each starts its runs in the project's root, and an event's payload still fills its parameters.
    routing = up.deployment("review-routing/review-routing")
    assert routing["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(Path(__file__).resolve().parents[1])}}]
    assert routing["work_pool_name"] == "reform"
    [automation] = [a for a in up.api("POST", "/automations/filter", {})
                    if any(action.get("deployment_id") == routing["id"] for action in a["actions"])]
    assert automation["trigger"]["expect"] == ["reform.submission.accepted"]
    assert automation["actions"][0]["parameters"] == {"submission_id": "{{ event.payload.submission_id }}"}


def test_a_deployment_runs_to_completion_on_a_worker(up):
    run_id = up.start_run("daily-standing/campaign-standing", {"as_of": "2016-07-20"})
    run = up.wait_for_state(run_id, {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}, timeout=120)
    assert run["state_name"] == "Completed"
    assert run["work_pool_name"] == "reform"


def test_reform_deploy_again_adds_nothing(up):
    before = up.deployment_names()
    done = subprocess.run([sys.executable, "-m", "reform", "deploy"], env=up.env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已登记 11 个部署" in done.stdout and "心跳中断自动化已更新" in done.stdout
    assert up.deployment_names() == before
    automations = up.api("POST", "/automations/filter", {})
    assert [a["name"] for a in automations].count("心跳中断的流程运行标记为 Crashed") == 1


def test_a_run_whose_worker_is_killed_is_marked_crashed(up, registry):
    from bench.intake import fill_maildir, populate
    from demo.samples import filled_workbook, item_rows

    # Much work for one run: a mailbox full of departments' workbooks.
    replies = populate(registry, INTAKE_SUBMISSIONS)
    fill_maildir(up.home / "maildir", replies, filled_workbook(None, item_rows(200)))
    run_id = up.start_run("mailbox-intake/mailbox-poll", {"now": "2016-07-20T10:00:00", "deliver": False})
    run = up.wait_for_state(run_id, {"RUNNING", "COMPLETED", "FAILED", "CRASHED"}, timeout=120)
    assert run["state_type"] == "RUNNING"
    up.wait_for_heartbeat(run_id, 60)
    engine = up.flow_run(run_id)["infrastructure_pid"]
    [worker] = [i for i, pid in enumerate(up.worker_pids()) if int(engine) in living_members(pid)]
    killed_at = time.monotonic()
    up.kill_worker(worker)

    crashed = up.wait_for_state(run_id, {"CRASHED", "COMPLETED", "FAILED"}, timeout=150)
    assert crashed["state_type"] == "CRASHED"
    print(f"\nkilled worker's run marked Crashed {time.monotonic() - killed_at:.0f} s after the kill")
    assert [r["id"] for r in up.flow_runs("mailbox-intake/mailbox-poll", "Crashed")] == [run_id]
    assert len(up.start_worker()) == 2  # `up` replaced the killed worker


def test_a_second_up_on_the_same_home_is_refused(up):
    result = runner.invoke(app, ["cluster", "up"], env={**up.env, "REFORM_CLUSTER_API_PORT": str(free_port())})
    assert result.exit_code == 2
    assert "集群已在运行" in result.stderr


def test_down_stops_every_process_and_frees_the_port(up):
    pids = up.pids()
    groups = [p["pid"] for p in up.state()["processes"]]
    started = time.monotonic()
    done = up.stop()
    print(f"\nreform cluster down took {time.monotonic() - started:.1f} s")
    assert done.returncode == 0, done.stderr
    assert "集群已停止" in done.stdout
    assert up.process.returncode == 0
    assert [p for p in pids if Path(f"/proc/{p}").exists() and living_members(p)] == []
    assert [g for g in groups if living_members(g)] == []
    assert port_free(up.port)
    assert not (up.home / "cluster" / "state.json").exists()


def test_a_signal_to_up_stops_every_process_and_frees_the_port(registry, tmp_path):
    running = start_cluster(tmp_path / "home", registry, workers=1, api_servers=1, redis_db=SIGNAL_REDIS_DB)
    groups = [p["pid"] for p in running.state()["processes"]]
    port = running.port
    running.process.send_signal(signal.SIGTERM)
    assert running.wait(timeout=90) == 0
    assert running.output[-1] == "集群已停止"
    assert [g for g in groups if living_members(g)] == []
    assert port_free(port)
    assert not (tmp_path / "home" / "cluster" / "state.json").exists()


# -- refused before anything starts: one Chinese line, exit 2 ----------------------------------------

@pytest.fixture
def ready_registry(initialised, tmp_path, monkeypatch):
    monkeypatch.setenv("REFORM_CLUSTER_API_PORT", str(free_port()))
    return initialised


def _refused(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr


def test_up_refuses_a_port_taken(ready_registry, monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("REFORM_CLUSTER_API_PORT", str(taken.getsockname()[1]))
        assert f"端口 {taken.getsockname()[1]} 已被占用" in _refused(runner.invoke(app, ["cluster", "up"]))


def test_up_refuses_an_unreachable_redis(ready_registry, monkeypatch):
    monkeypatch.setenv("REFORM_CLUSTER_REDIS_URL", f"redis://127.0.0.1:{free_port()}")
    assert "无法连接 Redis" in _refused(runner.invoke(app, ["cluster", "up"]))


def test_up_refuses_an_unreachable_postgresql(ready_registry, monkeypatch):
    monkeypatch.setenv("REFORM_CLUSTER_POSTGRES_URL", f"postgresql://postgres@127.0.0.1:{free_port()}")
    assert "无法连接 PostgreSQL" in _refused(runner.invoke(app, ["cluster", "up"]))


def test_up_refuses_the_registrys_own_database_for_prefect(registry, tmp_path, monkeypatch):
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", registry)
    monkeypatch.setenv("REFORM_CLUSTER_API_PORT", str(free_port()))
    monkeypatch.setenv("REFORM_CLUSTER_PREFECT_DATABASE", registry.rsplit("/", 1)[1])
    assert "同一个数据库" in _refused(runner.invoke(app, ["cluster", "up"]))


def test_down_with_no_cluster_says_so(ready_registry):
    assert "集群未在运行" in _refused(runner.invoke(app, ["cluster", "down"]))


def test_deploy_refuses_without_a_prefect_server(ready_registry, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert "未设置 PREFECT_API_URL" in _refused(runner.invoke(app, ["deploy"]))
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{free_port()}/api")
    assert "没有应答" in _refused(runner.invoke(app, ["deploy"]))

