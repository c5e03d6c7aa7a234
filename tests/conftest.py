"""Shared fixtures: a fresh registry on SQLite and on the PostgreSQL server on 127.0.0.1:5432.

With REFORM_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL fails the run
instead of skipping its half of the tests.
"""
from __future__ import annotations

import mailbox
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from registry.db import engine_for, migrate
from tests.browser_helpers import ARGS, CHROMIUM
from tests.scratch_postgres import ADMIN_URL, scratch_database

PG_ADMIN_URL = os.environ.get("REFORM_TEST_PG_ADMIN_URL", ADMIN_URL)

# Each file runs whole on one worker (--dist loadfile, pyproject.toml), in this order: the files that
# take minutes start first, so that none of them starts late and ends the run alone.
LONGEST_FIRST = ("test_demo.py", "test_province_cluster.py", "test_cluster.py", "test_dashboard_browser.py",
                 "test_prestart.py", "test_intake_concurrency.py", "test_intake_imap.py", "test_sweep_flow.py",
                 "test_intake_flow.py", "test_outbox_claims.py", "test_intake_workbook_rules.py", "test_province.py")


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def postgres_database(template: str = "") -> tuple[str, callable]:
    try:
        return scratch_database(PG_ADMIN_URL, template=template)
    except Exception as error:  # noqa: BLE001 - any failure to reach the server means the same
        if os.environ.get("REFORM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path: Path) -> str:
    """A database on each backend; the tests that take it run twice.

    Empty, or, for tests that ask for ``initialised``, a copy of the seeded template: creating it
    that way directly saves a second CREATE DATABASE, which costs most of a second on PostgreSQL.
    """
    seeded = "initialised" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "registry.db"
        if seeded:
            shutil.copyfile(request.getfixturevalue("seeded_templates")("sqlite").split("///", 1)[1], path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("seeded_templates")("postgresql").rsplit("/", 1)[1] if seeded else ""
    url, drop = postgres_database(template)
    yield url
    drop()


@pytest.fixture
def workspace(database_url: str, tmp_path: Path, monkeypatch) -> str:
    """REFORM_* pointed at a fresh home and database, as the CLI and the tasks read them."""
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", database_url)
    return database_url


@pytest.fixture(scope="session")
def seeded_templates(tmp_path_factory):
    """One initialised registry per backend, built once and copied for each test.

    Loading the calendar, the directory and the plan takes seconds; copying a SQLite file or
    creating a PostgreSQL database from a template takes milliseconds.
    """
    from registry.campaign.setup import initialise

    built: dict[str, str] = {}
    drops = []

    def template(backend: str) -> str:
        if backend not in built:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'registry.db'}"
            else:
                url, drop = postgres_database()
                drops.append(drop)
            initialise(url)
            engine_for(url).dispose()  # a template must have no open connections
            built[backend] = url
        return built[backend]

    yield template
    for drop in drops:
        drop()


@pytest.fixture
def initialised(workspace: str) -> str:
    """A registry with the shipped calendar, the sample directory and the 2016 plan loaded."""
    return workspace  # database_url copied it from the seeded template


@pytest.fixture
def migrated(database_url: str) -> str:
    migrate(database_url)
    return database_url


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One temporary Prefect server for the whole run: starting one costs about fifteen seconds."""
    from core.local_prefect import use_embedded_prefect

    use_embedded_prefect(tmp_path_factory.mktemp("prefect-home"))
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

    Recipients at bounce.example.org get a permanent 550; at busy.example.org a transient 451.
    """
    from tests.mail_servers import RecordingSMTP

    with RecordingSMTP() as server:
        monkeypatch.setenv("REFORM_SMTP_HOST", server.host)
        monkeypatch.setenv("REFORM_SMTP_PORT", str(server.port))
        yield server


@pytest.fixture(scope="session")
def dovecot():
    """Dovecot IMAP on loopback with its own configuration (Debian package dovecot-imapd)."""
    from tests.dovecot import Dovecot

    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def maildir(tmp_path, monkeypatch):
    """An intake mailbox that is a Maildir folder of the test's own, as REFORM_INTAKE_MAILBOX=maildir reads it."""
    path = tmp_path / "maildir"
    monkeypatch.setenv("REFORM_INTAKE_MAILBOX", "maildir")
    monkeypatch.setenv("REFORM_MAILDIR_PATH", str(path))
    return mailbox.Maildir(str(path), create=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for a module's browser tests (tests/browser_helpers.py)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: these tests need Debian's chromium; run scripts/install-test-servers")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()
