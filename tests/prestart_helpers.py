"""A Prefect server, a process work pool, deployments from source, one process worker and its
pre-started process, each a real process of its own, for tests/test_prestart.py and
bench/flow_start.py.

The test process talks to Prefect's REST API with urllib and never imports Prefect: the other
tests' session-wide Prefect server expects to be the first to configure it.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SERVED_POOL = "reform"  # the worker serves it
UNSERVED_POOL = "by-hand"  # no worker: its runs are started by the tests themselves, as a worker would
LAUNCHER = f"{sys.executable} -m deployments.prestart.launch"
PLAIN_ENGINE = f"{sys.executable} -m prefect.engine"
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

PROBE_FLOWS = textwrap.dedent('''
    import os
    import time

    from prefect import flow, get_run_logger


    @flow(log_prints=True)
    async def probe(marker: str = "", sleep: float = 0.0) -> None:
        get_run_logger().info("probe logger line")
        print("probe print line")
        if marker:
            with open(marker + ".part", "w") as out:
                out.write(f"{os.getpid()} {os.getppid()}")
            os.rename(marker + ".part", marker)
        time.sleep(sleep)


    @flow
    async def failing() -> None:
        raise ValueError("probe failure")
''')

DEPLOY_SCRIPT = textwrap.dedent('''
    import json
    import sys

    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    spec = json.loads(sys.argv[1])
    with get_client(sync_client=True) as client:
        for pool in spec["pools"]:
            client.create_work_pool(WorkPoolCreate(
                name=pool, type="process", base_job_template=ProcessWorker.get_default_base_job_template()))
    for d in spec["deployments"]:
        flow.from_source(source=d["source"], entrypoint=d["entrypoint"]).deploy(
            name=d["name"], work_pool_name=d["pool"], job_variables=d["job_variables"], print_next_steps=False)
''')


@dataclass
class Deployment:
    name: str
    source: str
    entrypoint: str
    pool: str
    command: str | None  # None: the pool's default, `python -m prefect.engine`


def probe_deployments(source: Path) -> list[Deployment]:
    return [
        Deployment("probe-launch", str(source), "probe_flows.py:probe", SERVED_POOL, LAUNCHER),
        Deployment("probe-by-hand", str(source), "probe_flows.py:probe", UNSERVED_POOL, None),
        Deployment("failing-by-hand", str(source), "probe_flows.py:failing", UNSERVED_POOL, None),
    ]


def standing_deployments() -> list[Deployment]:
    """The project's daily standing report, from this checkout, with each command."""
    entrypoint = "flows/campaign.py:daily_standing_flow"
    return [Deployment("standing-plain", str(REPOSITORY), entrypoint, SERVED_POOL, None),
            Deployment("standing-launch", str(REPOSITORY), entrypoint, SERVED_POOL, LAUNCHER)]


@dataclass
class Stage:
    root: Path
    registry_url: str
    deployments: list[Deployment]
    worker_limit: int = 4
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    api_url: str = ""
    _ready_lines: int = 0

    @property
    def socket_path(self) -> Path:
        return self.root / "prestart.sock"

    @property
    def prestart_log(self) -> Path:
        return self.root / "prestart.log"

    def environment(self, **extra: str) -> dict[str, str]:
        """What a worker's flow run sees: the worker's environment and Prefect's settings."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "REFORM_"))}
        env.update({
            "PREFECT_HOME": str(self.root / "prefect-home"), "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", "PREFECT_UI_ENABLED": "0",
            "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "5",
            "REFORM_HOME": str(self.root / "reform-home"), "REFORM_DATABASE_URL": self.registry_url,
            "REFORM_PRESTART_SOCKET": str(self.socket_path),
        })
        env.update(extra)
        return env

    def start(self, *, worker: bool = True) -> Stage:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "probe-source").mkdir(exist_ok=True)
        (self.root / "probe-source" / "probe_flows.py").write_text(PROBE_FLOWS)
        port = _free_port()
        self.api_url = f"http://127.0.0.1:{port}/api"
        self._spawn("server", [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port), "--no-services"], self.environment())
        # The pre-started process imports its flows while the server starts. It is given Prefect
        # settings of its own that are wrong on purpose: a run must take its settings from the launcher.
        self.start_prestart()
        self._wait_for_api()
        spec = {"pools": [SERVED_POOL, UNSERVED_POOL], "deployments": [
            {"name": d.name, "source": d.source, "entrypoint": d.entrypoint, "pool": d.pool,
             "job_variables": {"command": d.command} if d.command else {}} for d in self.deployments]}
        subprocess.run([sys.executable, "-c", DEPLOY_SCRIPT, json.dumps(spec)], env=self.environment(),
                       cwd=self.root, check=True, capture_output=True, timeout=120)
        if worker:
            self._spawn("worker", [sys.executable, "-m", "prefect", "worker", "start", "--pool", SERVED_POOL,
                                   "--type", "process", "--limit", str(self.worker_limit)], self.environment())
        self.wait_until_prestart_ready()
        return self

    def start_prestart(self) -> None:
        self._ready_lines = self._count_ready_lines()
        self._spawn("prestart", [sys.executable, "-m", "deployments.prestart", "serve", "--socket",
                                 str(self.socket_path)],
                    self.environment(PREFECT_API_URL="http://127.0.0.1:9/wrong",
                                     PREFECT_HOME=str(self.root / "wrong-prefect-home"),
                                     REFORM_DATABASE_URL="sqlite:///" + str(self.root / "wrong.db")),
                    log=self.prestart_log)

    def wait_until_prestart_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self._count_ready_lines() == self._ready_lines:
            if self.processes["prestart"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the pre-started process did not start: {self.prestart_log.read_text()}")
            time.sleep(0.05)

    def _count_ready_lines(self) -> int:
        return self.prestart_log.read_text().count("已就绪") if self.prestart_log.exists() else 0

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_process(name)

    def stop_process(self, name: str) -> int | None:
        process = self.processes.pop(name, None)
        if process is None:
            return None
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                return process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        return process.wait()

    # Prefect's REST API

    def api(self, method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(
            f"{self.api_url}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json"})
        for attempt in range(20):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                # On SQLite the server answers 503 while its database is locked by a burst of writes.
                if error.code != 503 or attempt == 19:
                    raise
                time.sleep(0.25 * (attempt + 1))

    def create_run(self, deployment: str, parameters: dict | None = None) -> str:
        [found] = self.api("POST", "/deployments/filter", {"deployments": {"name": {"any_": [deployment]}}})
        deployment_id = found["id"]
        run = self.api("POST", f"/deployments/{deployment_id}/create_flow_run", {"parameters": parameters or {}})
        return run["id"]

    def state(self, run_id: str) -> str:
        return self.api("GET", f"/flow_runs/{run_id}")["state"]["type"]

    def wait(self, run_id: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while (state := self.state(run_id)) not in FINAL_STATES:
            if time.monotonic() > deadline:
                raise TimeoutError(f"flow run {run_id} still {state} after {timeout:g} s")
            time.sleep(0.2)
        return state

    def logs(self, run_id: str) -> list[str]:
        return [log["message"] for log in self.api("POST", "/logs/filter", {
            "logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC", "limit": 200})]

    def artifacts(self, run_id: str) -> dict[str, object]:
        found = self.api("POST", "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}})
        return {artifact["key"]: artifact["data"] for artifact in found}

    # Starting a flow run's command as a process worker does

    def start_command(self, command: str, run_id: str, **extra: str) -> subprocess.Popen:
        work = self.root / "work" / run_id
        work.mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(command.split(), env=self.environment(PREFECT__FLOW_RUN_ID=run_id, **extra),
                                cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def _spawn(self, name: str, command: list[str], env: dict[str, str], log: Path | None = None) -> None:
        log = log or self.root / f"{name}.log"
        with log.open("ab") as output:
            self.processes[name] = subprocess.Popen(command, env=env, cwd=self.root, stdin=subprocess.DEVNULL,
                                                    stdout=output, stderr=output, start_new_session=True)

    def _wait_for_api(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes["server"].poll() is not None:
                break
            try:
                if self.api("GET", "/health") is True:
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Prefect's server did not answer: {(self.root / 'server.log').read_text()[-2000:]}")


def wait_for_file(path: Path, process: subprocess.Popen | None = None, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the run ended before writing {path}: {process.stdout.read().decode()[-3000:]}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} was not written within {timeout:g} s")
        time.sleep(0.05)
    return path.read_text()


def children(pid: int) -> list[tuple[int, str]]:
    """The processes whose parent is ``pid``, with their state letter (Z: a zombie)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid:
                found.append((int(entry.name), state))
    return found


def is_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
