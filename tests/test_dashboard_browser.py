"""The coordinators' dashboard in a real browser: Debian's Chromium through Playwright, against the app
served by uvicorn on a free port. A city user signs in and sees the matrix in the day's colours, a
district user sees only its district, a conflict is decided from the page and the audit log names who
decided it, axe-core finds no serious problem, and screenshots are kept in the test's folder."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe

from dashboard.app import create_app
from dashboard.settings import DashboardSettings
from tests.browser_helpers import PHONE, SERIOUS
from tests.conftest import postgres_database
from tests.dashboard_helpers import AS_OF, PASSWORD, SECRET, built_registries, copy_of

# The traffic lights as dashboard.css paints them.
RED, YELLOW, DONE = "rgb(198, 40, 40)", "rgb(249, 168, 37)", "rgb(236, 239, 241)"


@pytest.fixture(scope="module")
def template(seeded_templates, tmp_path_factory):
    make, drops = built_registries(seeded_templates, tmp_path_factory, postgres_database)
    yield make("sqlite")
    for drop in drops:
        drop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """The dashboard on a registry of the test's own, served by uvicorn in a thread."""

    def __init__(self, url: str) -> None:
        self.port = _free_port()
        app = create_app(url, DashboardSettings(secret=SECRET), as_of=AS_OF)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.05)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(template, tmp_path, monkeypatch):
    built, drop = copy_of("sqlite", template, tmp_path, postgres_database)
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", built.url)
    server = Served(built.url)
    yield server, built
    server.stop()
    drop()


class Visitor:
    """One person's browser window, with what went wrong on its pages recorded."""

    def __init__(self, browser, base: str, viewport: dict | None = None) -> None:
        self.base = base
        self.context = browser.new_context(viewport=viewport or {"width": 1366, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return response

    def log_in(self, name: str, password: str = PASSWORD) -> None:
        self.open("/login")
        self.page.get_by_label("用户名").fill(name)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state("load")

    def cell(self, org_name: str, phase_name: str):
        headers = self.page.locator("table.matrix thead th").all_inner_texts()
        # The row's own header is its first child, as 单位 is the first column's.
        column = headers.index(phase_name) + 1
        row = self.page.locator("table.matrix tbody tr", has=self.page.get_by_role("link", name=org_name, exact=True))
        return row.locator(f":nth-child({column})")

    def background(self, locator) -> str:
        return locator.evaluate("e => getComputedStyle(e).backgroundColor")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser, served):
    server, _ = served
    opened = []

    def open_window(viewport: dict | None = None) -> Visitor:
        opened.append(Visitor(browser, server.base, viewport))
        return opened[-1]

    yield open_window
    for v in opened:
        v.close()


def test_a_city_user_sees_the_matrix_in_the_colours_of_the_day(visitor, served):
    _, built = served
    city = visitor()
    city.log_in(built.people["city"].name)
    assert city.page.locator("h1").inner_text().endswith("各单位对照各阶段")
    city.open("/?as_of=2016-08-03")
    # 7月底前 was Monday 2016-08-01: two working days later 市公安局 has a yellow card; 市教育局's list is in.
    late, done = city.cell("市公安局", "清理自查"), city.cell("市教育局", "清理自查")
    assert late.inner_text().startswith("黄1") and city.background(late) == YELLOW
    assert done.inner_text().startswith("完") and city.background(done) == DONE
    city.open("/?as_of=2016-08-09")
    assert city.background(city.cell("市公安局", "清理自查")) == RED
    assert city.errors == []


def test_the_charts_are_drawn_by_echarts_within_the_content_security_policy(visitor, served):
    _, built = served
    city = visitor()
    city.log_in(built.people["city"].name)
    city.page.wait_for_selector("#totals-chart[data-drawn='true'] canvas")
    assert city.page.locator("#timeline-chart canvas").count() >= 1
    assert city.errors == []


def test_a_district_user_sees_only_its_district_and_404_for_anothers(visitor, served):
    _, built = served
    district = visitor()
    district.log_in(built.people["district"].name)
    names = district.page.locator("table.matrix tbody th").all_inner_texts()
    assert names and all(name.startswith("和平区") for name in names)
    assert district.open("/org/jyj").status == 404
    assert district.open("/org/no-such-unit").status == 404
    assert district.page.locator("h1").inner_text() == "页面不存在"


def test_a_conflict_is_decided_from_the_page_and_the_audit_log_names_who(visitor, served):
    _, built = served
    city = visitor()
    city.log_in(built.people["city"].name)
    city.open("/review")
    form = city.page.locator("form.decide").first
    form.get_by_label("决定意见").select_option("取消")
    form.get_by_label("理由").fill("无法律法规依据，同意法制办意见")
    form.get_by_role("button").click()
    city.page.wait_for_load_state("load")
    assert "已决定" in city.page.locator(".flash").inner_text()
    assert f"决定人 {built.people['city'].name}" in city.page.locator(".decided").first.inner_text()
    city.open("/audit")
    decided = city.page.locator("tbody tr", has_text="协调决定").first.inner_text()
    assert built.people["city"].name in decided and "无法律法规依据，同意法制办意见" in decided


@pytest.mark.parametrize("path", ["/", "/org/jyj", "/review", "/ranking", "/districts", "/audit", "/prefect"])
def test_axe_finds_no_serious_accessibility_problem(visitor, served, path):
    _, built = served
    city = visitor()
    city.log_in(built.people["city"].name)
    city.open(path)
    found = Axe().run(city.page).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found if v["impact"] in SERIOUS]
    assert serious == []


def test_the_login_page_has_no_serious_accessibility_problem(visitor):
    stranger = visitor()
    stranger.open("/login")
    found = Axe().run(stranger.page).response["violations"]
    assert [(v["id"], v["impact"]) for v in found if v["impact"] in SERIOUS] == []


def test_the_overview_fits_a_phone_screen(visitor, served):
    _, built = served
    phone = visitor(PHONE)
    phone.log_in(built.people["district"].name)
    assert phone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_screenshots_of_the_overview_and_an_organisation_page(visitor, served, tmp_path: Path):
    _, built = served
    city = visitor()
    city.log_in(built.people["city"].name)
    shots = []
    for path, name in (("/?as_of=2016-08-09", "overview.png"), ("/org/jyj", "organisation.png")):
        city.open(path)
        if path.startswith("/?"):
            city.page.wait_for_selector("#totals-chart[data-drawn='true']")
        city.page.screenshot(path=str(tmp_path / name), full_page=True)
        shots.append(tmp_path / name)
        print(f"screenshot: {tmp_path / name}")
    assert [s.name for s in shots if s.stat().st_size > 20_000] == ["overview.png", "organisation.png"]
