"""The Prefect settings every process of the cluster shares, and those only the workers need.

Several API server processes agree only through shared stores: PostgreSQL for state, and Redis
(prefect-redis) for the event broker and its de-duplicating cache, the causal ordering of events,
concurrency leases, the worker cleanup queue, and Docket, the queue of the servers' background work.
Any of these left at Prefect's in-memory default would split the cluster into processes that
cannot see each other's events, leases or background work.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from core.settings import ClusterSettings

WORK_POOL = "reform"
REDIS_MODULES = {
    "PREFECT_MESSAGING_BROKER": "prefect_redis.messaging",
    "PREFECT_MESSAGING_CACHE": "prefect_redis.messaging",
    "PREFECT_SERVER_EVENTS_CAUSAL_ORDERING": "prefect_redis.ordering",
    "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect_redis.lease_storage",
    "PREFECT_SERVER_WORKER_CHANNEL_CLEANUP_QUEUE_STORAGE": "prefect_redis.cleanup_queue",
}


def api_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"


def cluster_environment(cluster: ClusterSettings, prefect_home: Path) -> dict[str, str]:
    """The environment of every cluster process: the caller's, with Prefect pointed at the cluster."""
    return {
        **os.environ,
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_URL": api_url(cluster.api_port),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": cluster.prefect_database_url,
        # Migrated once by `reform cluster up` before any server starts, never by racing servers.
        "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false",
        # Written once by `up` too: M servers starting together race on them (registry.prefect_database.blocks).
        "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
        **REDIS_MODULES,
        "PREFECT_REDIS_MESSAGING_URL": cluster.redis_db_url,
        "PREFECT_SERVER_DOCKET_URL": cluster.redis_db_url,
        "PREFECT_SERVER_UI_ENABLED": "true" if cluster.ui else "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        # The CLI's own output and colours are for a terminal; these go to log files.
        "PREFECT_CLI_COLORS": "false",
        "PREFECT_CLI_WRAP_LINES": "false",
    }


def worker_environment(cluster: ClusterSettings, prefect_home: Path) -> dict[str, str]:
    """A worker's environment, which its flow runs inherit: the registry's REFORM_* settings as the
    caller has them, the heartbeat, and this interpreter first on PATH for the flow-run command."""
    environment = cluster_environment(cluster, prefect_home)
    bin_dir = str(Path(sys.executable).parent)
    return {
        **environment,
        "PATH": os.pathsep.join([bin_dir, environment.get("PATH", "")]),
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(cluster.heartbeat_seconds),
        "PREFECT_WORKER_QUERY_SECONDS": str(cluster.worker_poll_seconds),
        "PREFECT_WORKER_PREFETCH_SECONDS": str(cluster.worker_poll_seconds),
    }
