"""What a running cluster left on disk for `reform cluster down` and for a second `up`: the
supervising process, every process it started (each the leader of its own process group) and the
port, in REFORM_HOME/cluster/state.json, rewritten whole on every change."""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Started:
    name: str  # api, services, worker-1, ...
    pid: int  # also its process group: each is started in a session of its own
    log: str


@dataclass
class ClusterState:
    supervisor: int
    port: int
    api_url: str
    workers: int
    api_servers: int
    ready: bool = False
    processes: list[Started] = field(default_factory=list)

    def groups(self) -> list[int]:
        return [p.pid for p in self.processes]

    def worker_pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.name.startswith("worker-")]


def cluster_dir(home: Path) -> Path:
    return home / "cluster"


def state_path(home: Path) -> Path:
    return cluster_dir(home) / "state.json"


def write_state(home: Path, state: ClusterState) -> None:
    path = state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)  # a reader sees the old state or the new, never half of one


def read_state(home: Path) -> ClusterState | None:
    try:
        data = json.loads(state_path(home).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return ClusterState(**{**data, "processes": [Started(**p) for p in data["processes"]]})


def remove_state(home: Path) -> None:
    state_path(home).unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_a_zombie(pid)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is left (its leader may be gone while children live on)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not Path("/proc").is_dir():
        return True  # not Linux: killpg(0) succeeding is all there is
    return any(_not_a_zombie(pid) for pid in group_members(pgid))


def living_members(pgid: int) -> list[int]:
    """The group's processes that still run (a zombie waits for its parent, and runs nothing)."""
    return [pid for pid in group_members(pgid) if _not_a_zombie(pid)]


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The fields after the command's closing parenthesis: state, ppid, pgrp, ...
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                members.append(int(entry.name))
    return members


def _not_a_zombie(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return not Path("/proc").is_dir()  # no /proc (not Linux): kill(0) succeeding is all there is
