"""Benchmark of the dashboard's overview: 1,000 organisations × 10 phases on one page.

    python -m bench.dashboard [--organisations 1000] [--runs 20]

Builds a fresh SQLite registry (calendar, directory, the 2016 plan), adds synthetic city departments
up to the number of organisations, and one open obligation for every organisation in each of the
plan's first ten phases, due over 60 working days around the day. Then, in the same run:

- baseline: the plain query that counts standings (campaign_status and a count by standing);
- overview: ``GET /`` through Starlette's TestClient, signed in as a city user: the first request
  computes the matrix (the same campaign_status, the cells, their HTML) and keeps it; the next ones
  check the session and the registry's fingerprint and render the page around the matrix kept;
- the page's size, as sent (gzip) and as the browser holds it.

Targets (issue 14): the overview's median server time 50 ms or less, and the page 500 KB or less.
Exits 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import yaml
from starlette.testclient import TestClient

from dashboard.app import create_app
from dashboard.settings import DashboardSettings
from registry.campaign.service import add_synthetic_obligations, campaign_status, initialise
from registry.directory.service import import_directory, organisation_names
from registry.users.service import add_user, change_password

AS_OF = date(2016, 10, 10)
PHASES = ("inventory", "review", "response", "approval", "guides", "guides_review", "publication", "certificates",
          "certificates_review", "district_plans")
TARGET_MS = 50.0
TARGET_KB = 500.0
PASSWORD = "benchmark-password"


def synthetic_directory(path: Path, start: int, count: int) -> None:
    person = {"name": "联系人", "email": "", "phone": "024-22720000"}
    organisations = [{"code": f"load{n:04d}", "name": f"沈阳市第{n}测试局", "short_name": f"测试{n}局",
                      "kind": "department", "address": "沈阳市沈河区市府大路260号",
                      "contact": person | {"email": f"load{n:04d}@shenyang.example.org"}}
                     for n in range(start, start + count)]
    path.write_text(yaml.safe_dump({"organisations": organisations}, allow_unicode=True), encoding="utf-8")


def build(url: str, workdir: Path, organisations: int) -> int:
    initialise(url)
    have = len(organisation_names(url))
    if organisations > have:
        synthetic_directory(workdir / "load.yaml", 1, organisations - have)
        import_directory(url, workdir / "load.yaml")
    total = len(organisation_names(url))
    add_synthetic_obligations(url, total * len(PHASES), AS_OF, phase_codes=PHASES)
    return total


def baseline(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    counts = Counter(o["standing"] for o in campaign_status(url, AS_OF)["obligations"])
    return time.perf_counter() - started, dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    missed = []
    with tempfile.TemporaryDirectory(prefix="reform-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        total = build(url, Path(tmp), args.organisations)
        made = add_user(url, "基准测试", "city", datetime(2016, 10, 1))
        change_password(url, made.user.name, made.password, PASSWORD)
        app = create_app(url, DashboardSettings(secret="a benchmark's own signing key, long enough"), as_of=AS_OF)
        with TestClient(app) as client:
            login = client.get("/login").text
            csrf = login.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            client.post("/login", data={"name": made.user.name, "password": PASSWORD, "csrf": csrf},
                        follow_redirects=False)
            started = time.perf_counter()
            client.get("/")  # the first: the matrix computed and kept (dashboard.overview_cache)
            first = time.perf_counter() - started
            plain, overview = [], []
            for _ in range(args.runs):
                seconds, counts = baseline(url)
                plain.append(seconds)
                started = time.perf_counter()
                page = client.get("/")
                overview.append(time.perf_counter() - started)
                assert page.status_code == 200, page.text[:300]
        html = page.content
        sent = len(gzip.compress(html, compresslevel=9))
        rows = html.count(b'<tr><th scope="row"><a href="/org/')
        median_plain, median_page = 1000 * statistics.median(plain), 1000 * statistics.median(overview)
        print(f"organisations {total:,d} × phases {len(PHASES)}: {sum(counts.values()):,d} obligations "
              f"({', '.join(f'{k} {v:,d}' for k, v in sorted(counts.items()))}); matrix rows {rows:,d}")
        print(f"baseline (campaign_status + count): median {median_plain:.1f} ms over {args.runs} runs")
        print(f"overview GET /:                      median {median_page:.1f} ms over {args.runs} runs "
              f"({median_page / median_plain:.2f}× the baseline)")
        print(f"overview's first GET / (computing the matrix, templates compiled): {1000 * first:.0f} ms")
        print(f"page: {len(html) / 1024:.0f} KB as rendered, {sent / 1024:.0f} KB sent (gzip)")
        if median_page > TARGET_MS:
            missed.append(f"overview median {median_page:.1f} ms over {TARGET_MS:.0f} ms")
        if len(html) / 1024 > TARGET_KB:
            missed.append(f"page {len(html) / 1024:.0f} KB over {TARGET_KB:.0f} KB")
    for problem in missed:
        print(f"MISSED: {problem}")
    print("all targets met" if not missed else f"{len(missed)} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
