"""A Prefect cluster for tests: `reform cluster up` as a subprocess (deployments/cluster/remote.py),
with its own REFORM_HOME, port, Redis db and Prefect database, its workers running flows against
the registry the test names.

The Redis dbs and Prefect databases used here are the tests' own (a hand-run cluster keeps the
defaults, db 0 and reform_prefect): each cluster gets a fresh database, dropped when it stops, and
its Redis db emptied before it starts.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from deployments.cluster.remote import (
    FINAL_STATES,
    READY,
    RunningCluster,
    cluster_environment,
    empty_redis_db,
    free_port,
)
from deployments.cluster.remote import start_cluster as start_remote
from registry.prefect_database.service import drop_database
from tests.scratch_postgres import ADMIN_URL

__all__ = ["FINAL_STATES", "READY", "RunningCluster", "free_port", "start_cluster"]

PG_ADMIN_URL = os.environ.get("REFORM_TEST_PG_ADMIN_URL", ADMIN_URL)
REDIS_URL = "redis://127.0.0.1:6379"
TEST_PREFECT_DATABASE = "reform_prefect_test"


def start_cluster(home: Path, registry_url: str, *, workers: int = 2, api_servers: int = 2, redis_db: int = 14,
                  timeout: float = 360, extra_env: dict | None = None) -> RunningCluster:
    """`reform cluster up` in a subprocess on a fresh Prefect database; returns once it is ready."""
    database = f"{TEST_PREFECT_DATABASE}_{uuid.uuid4().hex[:8]}"
    empty_redis_db(REDIS_URL, redis_db)
    env = cluster_environment(home, registry_url, port=free_port(), redis_db=redis_db, prefect_database=database,
                              postgres_url=PG_ADMIN_URL,
                              extra={"REFORM_CLUSTER_CRASHED_AFTER_SECONDS": "60",
                                     "REFORM_CLUSTER_WORKER_POLL_SECONDS": "2", **(extra_env or {})})
    return start_remote(home, env, workers=workers, api_servers=api_servers, timeout=timeout,
                        on_stopped=lambda: drop_database(PG_ADMIN_URL, database))
