"""The public site in a real browser: Debian's Chromium through Playwright, over file:// as a visitor who
saved the site would open it. The search finds items, an item page shows its guide, axe-core finds no
serious accessibility problem, and the departments' hostile text never runs."""
from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from rules.guides import ELEMENTS
from tests.browser_helpers import PHONE, SERIOUS
from tests.site_samples import sample_site
from workbooks.site.render import render_site


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_site(sample_site(), out)
    return out


class Visit:
    """A page opened in a fresh context, with what went wrong on it recorded."""

    def __init__(self, browser, site_dir: Path, path: str, viewport: dict | None = None) -> None:
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto((site_dir / path).as_uri())
        self.page.wait_for_load_state("load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, site_dir):
    opened = []

    def open_page(path: str, viewport: dict | None = None) -> Visit:
        opened.append(Visit(browser, site_dir, path, viewport))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def test_the_home_page_loads_without_a_console_error(visit):
    home = visit("index.html")
    assert home.page.locator("h1").inner_text().endswith("公共服务事项清单")
    assert home.errors == []


def test_an_item_page_loads_without_a_console_error(visit):
    item = visit("items/JYJ-001.html")
    assert item.page.locator("h1").inner_text() == "中小学生学籍证明"
    assert item.errors == []


def results(page) -> list[tuple[str, str]]:
    links = page.locator("#search-results a")
    return [(links.nth(n).inner_text(), links.nth(n).get_attribute("href")) for n in range(links.count())]


def test_typing_an_items_name_finds_it(visit):
    home = visit("index.html")
    home.page.get_by_label("输入事项名称、部门或类别").fill("普通话")
    assert results(home.page) == [("普通话水平测试", "items/JYJ-002.html")]
    assert home.page.locator("#search-status").inner_text() == "找到 1 个事项"


def test_a_search_result_opens_the_items_page(visit):
    home = visit("index.html")
    home.page.get_by_label("输入事项名称、部门或类别").fill("户籍证明")
    home.page.locator("#search-results a").first.click()
    home.page.wait_for_load_state("load")
    assert home.page.locator("h1").inner_text() == "户籍证明"


def test_a_department_name_finds_its_items(visit):
    home = visit("index.html")
    home.page.get_by_label("输入事项名称、部门或类别").fill("市公安局")
    assert [href for _, href in results(home.page)] == ["items/GAJ-001.html", "items/GAJ-002.html", "items/GAJ-003.html"]


def test_a_search_that_finds_nothing_says_so(visit):
    home = visit("index.html")
    home.page.get_by_label("输入事项名称、部门或类别").fill("不存在的事项")
    assert results(home.page) == []
    assert home.page.locator("#search-status").inner_text() == "没有找到相关事项"


def test_an_item_page_shows_every_guide_element(visit):
    item = visit("items/JYJ-002.html")
    missing = [e for e in ELEMENTS if not item.page.get_by_role("heading", level=2, name=e, exact=True).is_visible()]
    assert missing == []


def test_the_departments_script_text_never_runs(visit):
    item = visit("items/GAJ-003.html")
    item.page.wait_for_timeout(200)
    assert item.dialogs == [] and item.errors == []
    assert "<script>alert(1)</script>" in item.page.locator("h1").inner_text()


def test_a_search_for_a_script_shows_it_as_text(visit):
    home = visit("index.html")
    home.page.get_by_label("输入事项名称、部门或类别").fill("<script>")
    assert results(home.page) == [("临时身份证明<script>alert(1)</script>", "items/GAJ-003.html")]
    assert home.dialogs == []




@pytest.mark.parametrize("path", ["index.html", "items/JYJ-001.html", "certificates.html", "changes.html",
                                  "departments/jyj.html"])
def test_axe_finds_no_serious_accessibility_problem(visit, path):
    opened = visit(path)
    found = Axe().run(opened.page).response["violations"]
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in found if v["impact"] in SERIOUS]
    assert serious == []


def test_an_item_page_fits_a_phone_screen(visit):
    item = visit("items/JYJ-001.html", PHONE)
    assert item.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_skip_link_is_the_first_stop_and_visible_when_focused(visit):
    home = visit("index.html")
    home.page.keyboard.press("Tab")
    focused = home.page.locator(":focus")
    assert focused.inner_text() == "跳到主要内容" and focused.is_visible()
    assert focused.bounding_box()["y"] >= 0


def test_a_printed_guide_has_no_navigation_and_writes_out_its_links(visit):
    item = visit("items/JYJ-002.html")
    item.page.emulate_media(media="print")
    assert not item.page.locator("nav.site-nav").is_visible()
    after = item.page.evaluate("""getComputedStyle(document.querySelector('main a[href^="https"]'), '::after').content""")
    assert "https://jyj.shenyang.gov.cn/forms/" in after


def test_screenshots_of_the_home_page_and_an_item_page(visit, tmp_path):
    shots = []
    for path, name in (("index.html", "home.png"), ("items/JYJ-001.html", "item.png")):
        opened = visit(path)
        opened.page.screenshot(path=str(tmp_path / name), full_page=True)
        shots.append(tmp_path / name)
    assert [s.name for s in shots if s.stat().st_size > 10_000] == ["home.png", "item.png"]
