"""Benchmark of the province on the cluster: a day's sweep of every campaign and an intake of
replies, with 1 worker and with 2, on `reform cluster up` (2 API servers) over PostgreSQL and Redis.

    .venv/bin/python -m bench.cluster [--workers 1 2] [--obligations 100000] [--replies 9000]

The generated province (`reform province generate`, its default sizes: 14 cities, 100 districts,
114 campaigns, 8,727 organisations) is loaded once; synthetic open obligations spread over every
campaign bring it to ``--obligations`` (the plan's own obligations are about 17,600). Each worker
count then gets a fresh copy of that registry and a fresh cluster, and the same work:

- the day's sweep: one run of the daily-sweep deployment, which starts one run per campaign on
  the workers; timed from its creation until it completes, with the flow runs per minute;
- intake: a reply with a workbook from each of ``--replies`` organisations that owe an inventory
  (there are about 8,600), in the cluster's Maildir, taken in by one run of the mailbox poll, which hands batches to the workers;
- the Prefect server's database size afterwards.

Targets (issue 15): the sweep of the whole province in 60 s or less with 2 workers; no run left
Late. The ratio of 1 worker to 2 is printed as measured: two cores also carry the API servers,
the services, PostgreSQL and Redis. Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import mailbox
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

from demo.samples import filled_workbook, item_rows, reply_mail
from deployments.cluster.remote import FINAL_STATES, cluster_environment, empty_redis_db, free_port, start_cluster
from registry.campaign import service as campaign_service
from registry.intake import service as intake
from registry.prefect_database.service import database_size, drop_database
from registry.province import service as province
from tests.scratch_postgres import ADMIN_URL, copy_database, scratch_database

DAY = date(2017, 1, 23)  # every campaign has something late: the cities' inventories, the districts' too
NOW = datetime(2017, 1, 10, 9, 0)
REDIS_URL = "redis://127.0.0.1:6379"
REDIS_DB = 10
TARGET_SWEEP_SECONDS = 60.0


def build_template(work: Path, obligations: int) -> tuple[str, int, int]:
    """The province loaded and topped up; returns (its database's URL, campaigns, open obligations)."""
    folder = work / "province"
    province.generate_province(folder)
    url, _ = scratch_database(ADMIN_URL, prefix="reform_bench_province")
    started = time.perf_counter()
    load = province.load_province(url, folder)
    print(f"province loaded: {load.cities} cities, {load.districts} districts, {load.organisations_added} "
          f"organisations, {load.obligations_opened} obligations in {time.perf_counter() - started:.1f} s", flush=True)
    codes = [c["code"] for c in campaign_service.campaigns(url)]
    missing = max(0, obligations - load.obligations_opened)
    for n, code in enumerate(codes):
        share = missing // len(codes) + (1 if n < missing % len(codes) else 0)
        if share:
            campaign_service.add_synthetic_obligations(url, share, DAY, code)
    counts = province.province_counts(url)
    print(f"open obligations: {counts['open_obligations']} ({missing} synthetic, spread over {len(codes)} campaigns)",
          flush=True)
    return url, len(codes), counts["open_obligations"]


def fill_maildir(url: str, maildir: Path, replies: int) -> int:
    addresses = dict(list(intake.reply_addresses(url, "inventory", NOW).items())[:replies])
    workbook = filled_workbook(None, item_rows(3))
    box = mailbox.Maildir(str(maildir), create=True)
    for org, (sender, to) in addresses.items():
        box.add(reply_mail(sender=sender, sender_name="联系人", to=to, subject="公共服务事项清单",
                           attachments=[("清单.xlsx", workbook)], message_id=f"<{org}.bench@province.example.org>"))
    return len(addresses)


def run_with(workers: int, template: str, work: Path, replies: int) -> dict:
    url, drop = copy_database(template, prefix="reform_bench_registry")
    home = work / f"home-{workers}"
    maildir = home / "maildir"
    prefect_database = f"reform_prefect_bench_{uuid.uuid4().hex[:8]}"
    empty_redis_db(REDIS_URL, REDIS_DB)
    env = cluster_environment(home, url, port=free_port(), redis_db=REDIS_DB, prefect_database=prefect_database,
                              postgres_url=ADMIN_URL,
                              extra={"REFORM_INTAKE_MAILBOX": "maildir", "REFORM_MAILDIR_PATH": str(maildir)})
    started = time.perf_counter()
    cluster = start_cluster(home, env, workers=workers, api_servers=2,
                            on_stopped=lambda: drop_database(ADMIN_URL, prefect_database))
    figures: dict = {"workers": workers, "up_seconds": time.perf_counter() - started}
    try:
        print(f"{workers} worker(s): cluster up in {figures['up_seconds']:.1f} s", flush=True)
        started = time.perf_counter()
        run = cluster.start_run("daily-sweep/daily-sweep", {"as_of": DAY.isoformat(), "deliver": False})
        state = cluster.wait_for_state(run, FINAL_STATES, 1800)["state_name"]
        figures["sweep_seconds"] = time.perf_counter() - started
        children = cluster.flow_runs("daily-sweep/campaign-sweep")
        figures["sweep_state"], figures["sweep_runs"] = state, len(children) + 1
        figures["runs_per_minute"] = figures["sweep_runs"] / figures["sweep_seconds"] * 60
        print(f"  sweep: {state} in {figures['sweep_seconds']:.1f} s, {figures['sweep_runs']} flow runs "
              f"({figures['runs_per_minute']:.0f} per minute)", flush=True)
        figures["replies"] = fill_maildir(url, maildir, replies)
        started = time.perf_counter()
        run = cluster.start_run("mailbox-intake/mailbox-poll", {"deliver": False, "now": NOW.isoformat()})
        figures["intake_state"] = cluster.wait_for_state(run, FINAL_STATES, 3600)["state_name"]
        figures["intake_seconds"] = time.perf_counter() - started
        figures["messages_per_second"] = figures["replies"] / figures["intake_seconds"]
        print(f"  intake: {figures['intake_state']}, {figures['replies']} replies in {figures['intake_seconds']:.1f} s "
              f"({figures['messages_per_second']:.1f} messages/s)", flush=True)
        figures["late"] = len(cluster.api("POST", "/flow_runs/filter", {"flow_runs": {"state": {"name": {"any_": ["Late"]}}}}))
        figures["prefect_db_mb"] = database_size(ADMIN_URL, prefect_database) / 1024 / 1024
        print(f"  runs left Late: {figures['late']}; Prefect database {figures['prefect_db_mb']:.0f} MB", flush=True)
    finally:
        cluster.stop()
        drop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--obligations", type=int, default=100_000)
    parser.add_argument("--replies", type=int, default=9_000, help="at most one per organisation owing an inventory")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="reform-bench-cluster-"))
    template, campaigns, open_obligations = build_template(work, args.obligations)
    try:
        results = {n: run_with(n, template, work, args.replies) for n in args.workers}
    finally:
        drop_database(ADMIN_URL, template.rsplit("/", 1)[1])
    print(f"\nprovince: {campaigns} campaigns, {open_obligations} open obligations, 2 API servers")
    for n, r in results.items():
        print(f"{n} worker(s): sweep {r['sweep_seconds']:.1f} s ({r['runs_per_minute']:.0f} flow runs/min), "
              f"intake {r['messages_per_second']:.1f} messages/s, Prefect database {r['prefect_db_mb']:.0f} MB")
    missed = []
    if 1 in results and 2 in results:
        one, two = results[1], results[2]
        print(f"1 worker / 2 workers: sweep {one['sweep_seconds'] / two['sweep_seconds']:.2f}×, "
              f"intake {two['messages_per_second'] / one['messages_per_second']:.2f}×")
    if 2 in results and results[2]["sweep_seconds"] > TARGET_SWEEP_SECONDS:
        missed.append(f"sweep with 2 workers {results[2]['sweep_seconds']:.1f} s > {TARGET_SWEEP_SECONDS:.0f} s")
    if any(r["late"] for r in results.values()):
        missed.append("runs left Late")
    if any(r["sweep_state"] != "Completed" or r["intake_state"] != "Completed" for r in results.values()):
        missed.append("a run did not complete")
    print("targets missed: " + "; ".join(missed) if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
