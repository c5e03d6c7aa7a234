"""What `reform cluster up` refuses before it starts anything, each in one Chinese line."""
from __future__ import annotations

import socket
from pathlib import Path

import redis

from core.errors import UserError
from deployments.cluster.state import group_alive, process_alive, read_state


class PortTaken(UserError):
    pass


class RedisUnreachable(UserError):
    pass


class ClusterAlreadyUp(UserError):
    pass


def refuse_running_cluster(home: Path) -> list[int]:
    """Refuse while this home's cluster runs; return the groups a killed one left behind, to stop."""
    state = read_state(home)
    if state is None:
        return []
    if process_alive(state.supervisor):
        raise ClusterAlreadyUp(f"集群已在运行（进程 {state.supervisor}，{state.api_url}）：先运行 reform cluster down，"
                               "或为另一个集群另设 REFORM_HOME")
    return [group for group in state.groups() if group_alive(group)]


def port_free(port: int) -> bool:
    """Whether a server could listen on ``port`` of loopback now."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def refuse_taken_port(port: int) -> None:
    if not port_free(port):
        raise PortTaken(f"端口 {port} 已被占用：停止占用它的程序，或用 REFORM_CLUSTER_API_PORT 另选端口")


def refuse_unreachable_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RedisUnreachable(f"无法连接 Redis（{url}）：{error}；请先启动 Redis 或检查 REFORM_CLUSTER_REDIS_URL") from None
    finally:
        client.close()
