"""`reform cluster up`: Prefect's API servers, its services and process workers on loopback, started
in order, watched in the foreground and stopped whole; `reform cluster down` stops them from another
shell through the state file.

The M API servers are one `prefect server start --no-services --workers M`: Prefect's own
multi-worker server, M uvicorn processes behind one port. Every client (the workers, `reform`, the
UI) has one address and needs no load balancer on loopback, the kernel spreads the connections over
the M processes, uvicorn replaces one that dies, and Prefect refuses at start a configuration the M
processes could not share (SQLite, in-memory messaging or leases).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from core.errors import UserError
from core.settings import ClusterSettings, get_settings
from deployments.cluster import checks, processes
from deployments.cluster.environment import WORK_POOL, api_url, cluster_environment, worker_environment
from deployments.cluster.state import (
    ClusterState,
    Started,
    cluster_dir,
    group_alive,
    process_alive,
    read_state,
    remove_state,
    write_state,
)
from deployments.prestart.protocol import SOCKET_VARIABLE as PRESTART_SOCKET
from registry.prefect_database import service as prefect_database

STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STARTUP_SECONDS = 180
WORKER_GRACE_SECONDS = 10
SERVER_GRACE_SECONDS = 10
# A process that dies this often within RESTART_WINDOW_SECONDS is not restarted again: the cluster stops.
MAX_RESTARTS = 5
RESTART_WINDOW_SECONDS = 300


class Stopping(BaseException):
    """A stopping signal reached `up`: unwinds whatever it was doing, to stop everything it started."""


class ClusterFailed(UserError):
    pass


class ClusterNotUp(UserError):
    pass


class Cluster:
    def __init__(self, home: Path, settings: ClusterSettings, workers: int, api_servers: int,
                 say: Callable[[str], None]) -> None:
        self.home = home.resolve()
        self.settings = settings
        self.workers = workers
        self.api_servers = api_servers
        self.say = say
        self.logs = cluster_dir(self.home) / "logs"
        self.prefect_home = cluster_dir(self.home) / "prefect"
        self.running: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, list[float]] = {}
        self.state = ClusterState(supervisor=os.getpid(), port=settings.api_port, api_url=api_url(settings.api_port),
                                  workers=workers, api_servers=api_servers)

    # -- up ----------------------------------------------------------------------------------------

    def run(self) -> None:
        """Start everything, say when it is ready, and supervise until a stopping signal."""
        leftovers = checks.refuse_running_cluster(self.home)
        if leftovers:
            processes.stop_groups(leftovers, SERVER_GRACE_SECONDS)  # a cluster killed outright, found again
        remove_state(self.home)
        checks.refuse_taken_port(self.settings.api_port)
        checks.refuse_unreachable_redis(self.settings.redis_db_url)
        prefect_database.refuse_shared_database(_registry_url(), self.settings.prefect_database_url)
        created = prefect_database.ensure_database(self.settings.postgres_admin_url, self.settings.prefect_database)
        previous = {sig: signal.signal(sig, _raise_stopping) for sig in STOPPING_SIGNALS}
        try:
            self._save()
            self._migrate(created)
            self._start_servers()
            self._register_and_start_workers()
            self.state.ready = True
            self._save()
            self.say(f"PREFECT_API_URL={self.state.api_url}")
            self.say(f"集群已就绪：API 服务器 {self.api_servers} 个进程，工作进程 {self.workers} 个（工作池 {WORK_POOL}）；"
                     f"日志在 {self.logs}；停止：Ctrl-C 或 reform cluster down")
            self._supervise()
        except Stopping:
            pass
        finally:
            for sig in STOPPING_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the stopping short
            self._stop_all()
            remove_state(self.home)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.say("集群已停止")

    def _migrate(self, created: bool) -> None:
        what = "已新建" if created else "已存在"
        self._start_once("migrate", processes.prefect_command("server", "database", "upgrade", "-y"))
        self._finish("migrate", "Prefect 数据库迁移失败")
        self.say(f"Prefect 数据库 {self.settings.prefect_database}（{what}）已迁移到最新版本")

    def _start_servers(self) -> None:
        # Block types are written by one process while the servers start (they do not write them).
        self._start_once("blocks", prefect_database.register_blocks_command())
        self._start("api")
        self._start("services")
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(self.state.api_url):
            for name in ("api", "services"):
                if self.running[name].poll() is not None:
                    raise ClusterFailed(f"Prefect {_role(name)}启动失败（退出码 {self.running[name].returncode}），"
                                        f"详见 {self._log(name)}")
            if time.monotonic() > deadline:
                raise ClusterFailed(f"Prefect API 服务器 {STARTUP_SECONDS} 秒内未就绪，详见 {self._log('api')}")
            time.sleep(0.2)
        self._finish("blocks", "Prefect 区块类型登记失败")
        self.say(f"Prefect API 服务器已就绪：{self.state.api_url}（{self.api_servers} 个进程，另有 1 个服务进程）")

    def _register_and_start_workers(self) -> None:
        """`reform deploy`, with the workers started as soon as it has made their work pool."""
        self._start_once("deploy", [sys.executable, "-m", "reform", "deploy"])
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _pool_exists(self.state.api_url) and self.running["deploy"].poll() is None:
            if time.monotonic() > deadline:
                raise ClusterFailed(f"工作池 {WORK_POOL} {STARTUP_SECONDS} 秒内未建立，详见 {self._log('deploy')}")
            time.sleep(0.2)
        if _pool_exists(self.state.api_url):
            for i in range(1, self.workers + 1):
                self._start(f"prestart-{i}")  # before its worker: until it answers, runs start the plain engine
                self._start(f"worker-{i}")
        self._finish("deploy", "登记部署失败")
        self.say(f"已登记 deployments/prefect.yaml 中的全部部署和心跳中断自动化（工作池 {WORK_POOL}）")
        self._wait_for_workers()

    def _wait_for_workers(self) -> None:
        names = {_worker_name(n) for n in self.running if n.startswith("worker-")}
        deadline = time.monotonic() + STARTUP_SECONDS
        while not names <= _online_workers(self.state.api_url):
            for name, process in self.running.items():
                if name.startswith("worker-") and process.poll() is not None:
                    raise ClusterFailed(f"工作进程 {name} 启动失败（退出码 {process.returncode}），详见 {self._log(name)}")
            if time.monotonic() > deadline:
                raise ClusterFailed(f"工作进程 {STARTUP_SECONDS} 秒内未全部上线，详见 {self.logs}")
            time.sleep(0.5)

    def _supervise(self) -> None:
        while True:
            time.sleep(0.5)
            for name, process in list(self.running.items()):
                if process.poll() is None:
                    continue
                recent = [t for t in self.restarts.get(name, []) if time.monotonic() - t < RESTART_WINDOW_SECONDS]
                if len(recent) >= MAX_RESTARTS:
                    raise ClusterFailed(f"{name} 在 {RESTART_WINDOW_SECONDS} 秒内退出了 {MAX_RESTARTS} 次以上，集群已停止；"
                                        f"详见 {self._log(name)}")
                self.restarts[name] = [*recent, time.monotonic()]
                self.say(f"{name} 已退出（退出码 {process.returncode}），正在重新启动")
                processes.kill_group(process.pid)  # what it started goes with it: a worker's flow runs
                self._start(name)

    # -- the processes -----------------------------------------------------------------------------

    def _command(self, name: str) -> tuple[list[str], dict[str, str]]:
        environment = cluster_environment(self.settings, self.prefect_home)
        if name == "api":
            return processes.prefect_command("server", "start", "--host", "127.0.0.1", "--port",
                                             str(self.settings.api_port), "--no-services",
                                             "--workers", str(self.api_servers)), environment
        if name == "services":
            return processes.prefect_command("server", "services", "start"), environment
        # The registry as `up` resolved it: a flow run starts in the project's root, where a relative
        # REFORM_HOME or another .env would name another registry. A worker and its pre-started
        # process share one environment, so that a run forked there sees what the worker's would.
        number = name.rsplit("-", 1)[1]
        socket = cluster_dir(self.home) / f"prestart-{number}.sock"
        environment = {**worker_environment(self.settings, self.prefect_home), "REFORM_HOME": str(self.home),
                       "REFORM_DATABASE_URL": _registry_url(), PRESTART_SOCKET: str(socket)}
        if name.startswith("prestart-"):
            return [sys.executable, "-m", "deployments.prestart", "serve", "--socket", str(socket)], environment
        return (processes.prefect_command("worker", "start", "--pool", WORK_POOL, "--type", "process",
                                          "--name", _worker_name(name), "--limit", str(self.settings.worker_runs)),
                environment)

    def _start(self, name: str) -> subprocess.Popen:
        command, environment = self._command(name)
        process = processes.start(command, environment, self._log(name))
        self.running[name] = process
        self.state.processes = [p for p in self.state.processes if p.name != name]
        self.state.processes.append(Started(name=name, pid=process.pid, log=str(self._log(name))))
        self._save()
        return process

    def _start_once(self, name: str, command: list[str]) -> None:
        """A step that runs to its end (migrations, registration), stopped with the cluster like the rest."""
        environment = {**cluster_environment(self.settings, self.prefect_home), "REFORM_HOME": str(self.home)}
        process = processes.start(command, environment, self._log(name))
        self.running[name] = process
        self.state.processes.append(Started(name=name, pid=process.pid, log=str(self._log(name))))
        self._save()

    def _finish(self, name: str, failure: str) -> None:
        try:
            code = self.running[name].wait()
        finally:
            del self.running[name]
            self.state.processes = [p for p in self.state.processes if p.name != name]
            self._save()
        if code != 0:
            raise ClusterFailed(f"{failure}（退出码 {code}），详见 {self._log(name)}")

    def _stop_all(self) -> None:
        # Workers first, while the API can still hear how their runs end; then the servers.
        workers = [p.pid for n, p in self.running.items() if n.startswith("worker-")]
        processes.stop_groups(workers, WORKER_GRACE_SECONDS)
        processes.stop_groups([p.pid for p in self.running.values()], SERVER_GRACE_SECONDS)
        for process in self.running.values():
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.running.clear()

    def _log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def _save(self) -> None:
        write_state(self.home, self.state)


def stop_cluster(home: Path, wait_seconds: float = 60) -> ClusterState:
    """`reform cluster down`: ask the supervising `up` to stop everything, and make sure it did."""
    home = home.resolve()
    state = read_state(home)
    if state is None:
        raise ClusterNotUp(f"集群未在运行（{cluster_dir(home)} 下没有状态文件）：它已停止，或由另一个 REFORM_HOME 启动")
    if process_alive(state.supervisor):
        try:
            os.kill(state.supervisor, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait_seconds
        while process_alive(state.supervisor) and time.monotonic() < deadline:
            time.sleep(0.1)
    # Whatever a supervisor killed outright left behind, or one that did not stop in time.
    leftovers = [group for group in state.groups() if group_alive(group)]
    processes.stop_groups(leftovers, 5)
    remove_state(home)
    return state


def _raise_stopping(_signum, _frame) -> None:
    raise Stopping


def _registry_url() -> str:
    return get_settings().database_url


def _worker_name(name: str) -> str:
    return f"reform-{name}"


def _role(name: str) -> str:
    return {"api": "API 服务器", "services": "服务进程"}.get(name, name)


def _answers(url: str) -> bool:
    """Whether a GET of ``url`` answers 200: the API's health, the work pool's existence."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _healthy(url: str) -> bool:
    return _answers(f"{url}/health")


def _pool_exists(url: str) -> bool:
    return _answers(f"{url}/work_pools/{WORK_POOL}")


def _online_workers(url: str) -> set[str]:
    request = urllib.request.Request(f"{url}/work_pools/{WORK_POOL}/workers/filter", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return {w["name"] for w in json.load(response) if w.get("status") == "ONLINE"}
    except (urllib.error.URLError, OSError, ValueError):
        return set()
