"""A cluster started as a subprocess and watched from outside: the tests' and the benchmark's handle.

    running = start_cluster(home, cluster_environment(home, registry_url, port, ...))
    running.run_deployment("daily-standing/campaign-standing", {}, timeout=120)   # → "Completed"
    running.kill_worker(0)                             # SIGKILL worker-1's group, its flow runs with it
    running.stop()                                     # reform cluster down

It talks to Prefect's API plainly over HTTP, so that the caller's own Prefect settings (a test
session's temporary server) stay untouched.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY = "集群已就绪"
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class ClusterTimeout(AssertionError):
    """A run or a worker did not get where it was awaited in time."""


class ClusterDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningCluster:
    process: subprocess.Popen
    home: Path
    api_url: str
    env: dict[str, str]
    prefect_database: str
    output: list[str] = field(default_factory=list)
    # What the starter cleans up once the cluster has stopped (a test's throwaway Prefect database).
    on_stopped: Callable[[], None] = lambda: None

    @property
    def port(self) -> int:
        return int(self.api_url.rsplit(":", 1)[1].split("/")[0])

    # -- Prefect's API, plainly over HTTP: the test process's own Prefect settings stay untouched ----

    def api(self, method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(f"{self.api_url}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response) if response.status != 204 else None

    def deployment(self, name: str) -> dict:
        """``name``: flow/deployment, e.g. daily-standing/campaign-standing."""
        return self.api("GET", f"/deployments/name/{name}")

    def deployment_names(self) -> set[str]:
        flows = {f["id"]: f["name"] for f in self.api("POST", "/flows/filter", {})}
        return {f"{flows[d['flow_id']]}/{d['name']}" for d in self.api("POST", "/deployments/filter", {})}

    def start_run(self, name: str, parameters: dict | None = None) -> str:
        run = self.api("POST", f"/deployments/{self.deployment(name)['id']}/create_flow_run",
                       {"parameters": parameters or {}})
        return run["id"]

    def flow_run(self, run_id: str) -> dict:
        return self.api("GET", f"/flow_runs/{run_id}")

    def wait_for_state(self, run_id: str, states: set[str], timeout: float) -> dict:
        """Wait until the run's state type is one of ``states`` (RUNNING, COMPLETED, CRASHED, ...)."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.flow_run(run_id)
            if run["state_type"] in states:
                return run
            if time.monotonic() > deadline:
                raise ClusterTimeout(f"flow run {run_id} still {run['state_name']} after {timeout:g} s")
            time.sleep(0.5)

    def run_deployment(self, name: str, parameters: dict | None = None, timeout: float = 120) -> str:
        """Run a deployment on the cluster's workers and return the final state's name (Completed, ...)."""
        run_id = self.start_run(name, parameters)
        return self.wait_for_state(run_id, FINAL_STATES, timeout)["state_name"]

    def flow_runs(self, deployment: str, state: str | None = None) -> list[dict]:
        """The flow runs of a deployment, optionally only those in a state named ``state`` (Crashed, ...)."""
        query: dict = {"deployments": {"id": {"any_": [self.deployment(deployment)["id"]]}}}
        if state is not None:
            query["flow_runs"] = {"state": {"name": {"any_": [state]}}}
        return self.api("POST", "/flow_runs/filter", query)

    def wait_for_heartbeat(self, run_id: str, timeout: float) -> None:
        """Wait until the server has stored a heartbeat of the run: the crash automation's window
        opens with the first one, so a run killed before it stays Running."""
        deadline = time.monotonic() + timeout
        while not self.api("POST", "/events/filter", {
                "filter": {"event": {"name": ["prefect.flow-run.heartbeat"]},
                           "resource": {"id": [f"prefect.flow-run.{run_id}"]},
                           "occurred": {"since": "2000-01-01T00:00:00Z"}},
                "limit": 1})["events"]:
            if time.monotonic() > deadline:
                raise ClusterTimeout(f"no heartbeat from flow run {run_id} within {timeout:g} s")
            time.sleep(0.5)

    def online_workers(self) -> set[str]:
        return {w["name"] for w in self.api("POST", "/work_pools/reform/workers/filter", {})
                if w["status"] == "ONLINE"}

    # -- the processes ---------------------------------------------------------------------------

    def state(self) -> dict:
        return json.loads((self.home / "cluster" / "state.json").read_text(encoding="utf-8"))

    def worker_pids(self) -> list[int]:
        """The workers' pids (each its process group), worker-1 first."""
        workers = sorted((p for p in self.state()["processes"] if p["name"].startswith("worker-")),
                         key=lambda p: int(p["name"].split("-")[1]))
        return [p["pid"] for p in workers]

    def kill_worker(self, i: int) -> int:
        """SIGKILL the i-th worker (0 for worker-1) with its whole process group, its flow runs included.

        `up` starts a replacement under the same name; start_worker() waits for it."""
        pid = self.worker_pids()[i]
        os.killpg(pid, signal.SIGKILL)
        return pid

    def start_worker(self, timeout: float = 120) -> list[int]:
        """Wait until every worker `up` supervises runs and is online again; returns their pids."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            pids = self.worker_pids()
            alive = all(_alive(pid) for pid in pids)
            if alive and len(pids) == state["workers"] and len(self.online_workers()) >= state["workers"]:
                return pids
            if time.monotonic() > deadline:
                raise ClusterTimeout(f"workers not back within {timeout:g} s: {pids}")
            time.sleep(0.5)

    def pids(self) -> list[int]:
        """`up` and every process group it started, as the state file lists them."""
        state = self.state()
        return [state["supervisor"], *[p["pid"] for p in state["processes"]]]

    def stop(self, timeout: float = 90) -> subprocess.CompletedProcess:
        """`reform cluster down` from another process, then the test's own clean-up."""
        done = subprocess.run([sys.executable, "-m", "reform", "cluster", "down"], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
        self.wait()
        return done

    def wait(self, timeout: float = 90) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            self.on_stopped()
        return code


def cluster_environment(home: Path, registry_url: str, *, port: int, redis_db: int, prefect_database: str,
                        postgres_url: str, extra: dict | None = None) -> dict[str, str]:
    """The environment of `reform cluster up` and of the clients that talk to it. The caller's own
    REFORM_* and PREFECT_* (a test's monkeypatching, a temporary server) stay out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFORM_", "PREFECT_"))}
    env.update({
        "REFORM_HOME": str(home), "REFORM_DATABASE_URL": registry_url,
        "REFORM_CLUSTER_API_PORT": str(port), "REFORM_CLUSTER_REDIS_DB": str(redis_db),
        "REFORM_CLUSTER_PREFECT_DATABASE": prefect_database, "REFORM_CLUSTER_POSTGRES_URL": postgres_url,
        # The UI's files are copied on a server's first start: nobody looks at them here.
        "REFORM_CLUSTER_UI": "false",
        # No schedule fires: what runs is what the caller starts, so that what it measures or
        # checks is its own runs' work (a poll every 5 minutes would take in its mail meanwhile).
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_HOME": str(home / "client-prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        **(extra or {}),
    })
    return env


def start_cluster(home: Path, env: dict[str, str], *, workers: int = 2, api_servers: int = 2, timeout: float = 360,
                  on_stopped: Callable[[], None] = lambda: None) -> RunningCluster:
    """`reform cluster up` in a subprocess; returns once it printed its readiness line."""
    home.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "reform", "cluster", "up", "--workers", str(workers),
                                "--api-servers", str(api_servers)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    running = RunningCluster(process=process, home=home, api_url=env["PREFECT_API_URL"], env=env,
                             prefect_database=env["REFORM_CLUSTER_PREFECT_DATABASE"], on_stopped=on_stopped)
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            running.output.append(line.rstrip("\n"))
            if line.startswith(READY):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout) or process.poll() is not None:
        _stop_anyway(process)
        on_stopped()
        raise ClusterDidNotStart("reform cluster up did not become ready:\n" + "\n".join(running.output))
    return running


def _stop_anyway(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def empty_redis_db(redis_url: str, db: int) -> None:
    """Empty one Redis database, as a fresh cluster's messaging needs it."""
    import redis  # noqa: PLC0415 - only the callers that start a cluster need it

    client = redis.Redis.from_url(redis_url, db=db)
    try:
        client.flushdb()
    finally:
        client.close()
