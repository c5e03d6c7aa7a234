"""The public site as files, without a browser: every page there, every guide element on an item page,
hostile text inert, links only where the site allows and all of them resolving, the department's part
self-contained, and the same bytes every time."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bench.synthetic_site import synthetic_site
from rules.guides import ELEMENTS
from tests.site_samples import (
    ALLOWED,
    BOLD,
    FORMULA,
    JAVASCRIPT,
    LETTER,
    OUTSIDE,
    SCRIPT,
    sample_site,
)
from workbooks.site.model import SiteFile
from workbooks.site.render import (
    CSP,
    is_allowed_link,
    page_path_of_department,
    page_path_of_item,
    render_department,
    render_site,
)


class Page(HTMLParser):
    """What a test looks at in one HTML file: links, headings, ids, metas, scripts and the tags used."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (attribute, value) of every href and src
        self.headings: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        self.metas: list[dict] = []
        self.json_ld: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.html_lang = ""
        self._heading: list | None = None
        self._json: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        self.links += [(k, values[k]) for k in ("href", "src") if k in values]
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "html":
            self.html_lang = values.get("lang", "")
        if tag == "meta":
            self.metas.append(values)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "script" and values.get("type") == "application/ld+json":
            self._json = []

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        if tag == "script" and self._json is not None:
            self.json_ld.append("".join(self._json))
            self._json = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading[1] += data
        if self._json is not None:
            self._json.append(data)

    def tagged(self, tag: str) -> list[dict]:
        return [attrs for t, attrs in self.tags if t == tag]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_site(sample_site(), out)
    return out


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("jyj")
    render_department(sample_site(), "jyj", out)
    return out


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def page(root: Path, path: str) -> Page:
    return Page((root / path).read_text(encoding="utf-8"))


def test_every_page_of_the_site_is_written(site_dir):
    site = sample_site()
    expected = ["index.html", "certificates.html", "changes.html", "search-index.json", "static/search-index.js",
                "static/search.js", "static/site.css", "static/print.css",
                *(page_path_of_department(d.code) for d in site.departments),
                *(page_path_of_item(i.item["code"]) for i in site.items), *(f.path for f in site.files)]
    assert [p for p in expected if not (site_dir / p).is_file()] == []


def test_render_site_returns_exactly_the_files_it_wrote(tmp_path):
    written = render_site(sample_site(), tmp_path)
    assert sorted(written) == sorted(p for p in tmp_path.rglob("*") if p.is_file())


def test_the_page_paths_are_the_codes():
    assert page_path_of_item("JYJ-001") == "items/JYJ-001.html"
    assert page_path_of_department("jyj") == "departments/jyj.html"
    assert page_path_of_item("../../etc/passwd") == "items/_.._etc_passwd.html"


def test_an_item_page_has_a_heading_for_every_guide_element(site_dir):
    for item in sample_site().items:
        if item.guide is None:
            continue
        headings = [text for level, text in page(site_dir, page_path_of_item(item.item["code"])).headings if level == 2]
        assert [e for e in ELEMENTS if e not in headings] == [], item.item["code"]


def test_an_item_page_shows_its_materials_steps_fees_and_faqs(site_dir):
    text = (site_dir / "items/JYJ-002.html").read_text(encoding="utf-8")
    for expected in ("报名表", "普通话水平测试费", "每人次50元", "辽价发〔2012〕10号", "低保家庭免收", "法定 30 个工作日，承诺 20 个工作日",
                     "可以委托他人办理吗？", "024-22725001", "024-12345678、12345", "市府大路 260 号"):
        assert expected in text
    steps = re.search(r'<ol class="steps">(.*?)</ol>', text, re.S).group(1)
    assert [s for s in ("受理", "审核", "办结") if s in steps] == ["受理", "审核", "办结"]


def test_an_immediate_item_with_no_visits_says_so(site_dir):
    text = (site_dir / "items/JYJ-003.html").read_text(encoding="utf-8")
    assert "即办" in text and "0 次（零跑动）" in text


def test_an_item_without_its_guide_yet_says_it_is_being_written(site_dir):
    text = (site_dir / "items/RSJ-003.html").read_text(encoding="utf-8")
    assert "办事指南正在编制" in text and "就业困难人员认定" in text


def test_forms_and_samples_link_to_the_sites_files(site_dir):
    hrefs = [unquote(v) for k, v in page(site_dir, "items/JYJ-001.html").links if k == "href"]
    assert {"../files/jyj/申请表（空白）.docx", "../files/jyj/申请表示范文本.pdf", "../files/jyj/申请表常见错误示例.pdf"} <= set(hrefs)


def test_forms_given_as_allowed_addresses_are_links(site_dir):
    hrefs = [v for k, v in page(site_dir, "items/JYJ-002.html").links if k == "href"]
    assert "https://jyj.shenyang.gov.cn/forms/sample.pdf" in hrefs


def test_no_page_holds_a_script_from_the_departments_text(site_dir):
    offenders = [p.name for p in html_files(site_dir) if re.search(r"<script>\s*alert", p.read_text("utf-8"), re.I)]
    assert offenders == []


def test_a_script_tag_in_an_item_name_is_shown_as_text(site_dir):
    text = (site_dir / "items/GAJ-003.html").read_text(encoding="utf-8")
    assert "<h1>临时身份证明&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in text


def test_no_page_uses_markup_from_the_departments_text(site_dir):
    assert [p.name for p in html_files(site_dir) if page(site_dir, p.relative_to(site_dir).as_posix()).tagged("b")] == []
    assert "&lt;b&gt;bold&lt;/b&gt;" in (site_dir / "items/JYJ-003.html").read_text(encoding="utf-8")


def test_javascript_addresses_are_never_links(site_dir):
    links = [(p.name, v) for p in html_files(site_dir) for _, v in page(site_dir, p.relative_to(site_dir).as_posix()).links
             if "javascript:" in v.lower().replace(" ", "")]
    assert links == []
    assert f"网上办理：{JAVASCRIPT}" in (site_dir / "items/GAJ-003.html").read_text("utf-8")


def test_a_formula_stays_text(site_dir):
    assert f"<td>{FORMULA}</td>" in (site_dir / "items/JYJ-001.html").read_text(encoding="utf-8")


def test_every_page_carries_the_content_security_policy(site_dir):
    for path in html_files(site_dir):
        metas = page(site_dir, path.relative_to(site_dir).as_posix()).metas
        assert [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"] == [CSP], path.name


def test_no_page_has_an_inline_script_other_than_json_ld(site_dir):
    for path in html_files(site_dir):
        scripts = page(site_dir, path.relative_to(site_dir).as_posix()).tagged("script")
        assert [s for s in scripts if "src" not in s and s.get("type") != "application/ld+json"] == [], path.name


def test_an_item_page_describes_the_service_as_json_ld(site_dir):
    [block] = page(site_dir, "items/JYJ-001.html").json_ld
    service = json.loads(block)
    assert service["@type"] == "GovernmentService"
    assert service["name"] == "中小学生学籍证明"
    assert service["provider"] == {"@type": "GovernmentOrganization", "name": "沈阳市教育局"}
    assert service["areaServed"]["name"] == "沈阳市"
    assert service["audience"]["audienceType"] == "自然人"
    channel = service["availableChannel"]
    assert channel["@type"] == "ServiceChannel" and channel["availableLanguage"] == "zh-CN"
    assert channel["servicePhone"]["telephone"] == "024-22725001"
    assert channel["serviceUrl"] == "https://zwfw.shenyang.gov.cn/item/1"


def test_json_ld_cannot_be_closed_by_an_items_text(site_dir):
    raw = (site_dir / "items/GAJ-003.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == f"临时身份证明{SCRIPT}"


def test_json_ld_leaves_out_an_online_address_the_site_does_not_allow(site_dir):
    [block] = page(site_dir, "items/GAJ-003.html").json_ld
    assert "serviceUrl" not in json.loads(block)["availableChannel"]


def external_links(root: Path) -> list[str]:
    return [v for p in html_files(root) for _, v in page(root, p.relative_to(root).as_posix()).links
            if urlsplit(v).scheme]


def test_external_links_go_only_to_allowed_addresses(site_dir):
    links = external_links(site_dir)
    assert links and [v for v in links if not v.startswith(ALLOWED)] == []


def test_an_address_outside_the_allowed_ones_is_shown_as_text(site_dir):
    raw = (site_dir / "items/GAJ-001.html").read_text(encoding="utf-8")
    assert OUTSIDE in raw and f'href="{OUTSIDE}"' not in raw
    assert "http://gaj.example.org/" in (site_dir / "departments/gaj.html").read_text(encoding="utf-8")
    assert 'href="http://gaj.example.org/"' not in (site_dir / "departments/gaj.html").read_text(encoding="utf-8")


def test_an_allowed_address_in_free_text_is_a_link(site_dir):
    hrefs = [v for _, v in page(site_dir, "items/GAJ-001.html").links]
    assert "https://zwfw.shenyang.gov.cn/zx" in hrefs


def test_allowed_prefixes_end_at_a_boundary():
    assert is_allowed_link("https://jyj.shenyang.gov.cn/a", ALLOWED)
    assert not is_allowed_link("https://jyj.shenyang.gov.cn.example.com/a", ALLOWED)
    assert not is_allowed_link("javascript:alert(1)", ("javascript:",))
    assert not is_allowed_link('https://zwfw.shenyang.gov.cn/"onclick=x', ALLOWED)


def broken_links(root: Path) -> list[tuple[str, str]]:
    """Every relative href and src that does not lead to a file inside ``root`` (or an id on it)."""
    broken = []
    for path in html_files(root):
        for _, value in page(root, path.relative_to(root).as_posix()).links:
            parts = urlsplit(value)
            if parts.scheme:
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            inside = target.is_relative_to(root.resolve())
            if not inside or not target.is_file():
                broken.append((path.name, value))
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in page(root, target.relative_to(
                    root.resolve()).as_posix()).ids:
                broken.append((path.name, value))
    return broken


def test_every_relative_link_of_the_site_resolves(site_dir):
    assert broken_links(site_dir) == []


def test_the_search_index_links_resolve(site_dir):
    entries = json.loads((site_dir / "search-index.json").read_text(encoding="utf-8"))
    assert len(entries) == len(sample_site().items)
    assert [e["link"] for e in entries if not (site_dir / unquote(e["link"])).is_file()] == []


def test_the_search_index_script_holds_the_same_index_escaped(site_dir):
    script = (site_dir / "static/search-index.js").read_text(encoding="utf-8")
    prefix = "window.SEARCH_INDEX = "
    assert script.startswith(prefix) and "<" not in script
    assert json.loads(script[len(prefix):].rstrip().rstrip(";")) == json.loads(
        (site_dir / "search-index.json").read_text(encoding="utf-8"))


def test_a_search_entry_has_name_department_category_audience_and_link(site_dir):
    entries = json.loads((site_dir / "search-index.json").read_text(encoding="utf-8"))
    assert entries[0] == {"name": "中小学生学籍证明", "code": "JYJ-001", "department": "沈阳市教育局",
                          "department_short": "市教育局", "category": "公共教育", "audience": "自然人",
                          "link": "items/JYJ-001.html"}


def test_the_home_page_states_the_approval(site_dir):
    text = (site_dir / "index.html").read_text(encoding="utf-8")
    for expected in ("2016年10月28日", "市政府第 62 次常务会议", "沈政办发〔2016〕88号", "第 2 版"):
        assert expected in text


def test_the_home_page_counts_items_by_department_and_category(site_dir):
    text = (site_dir / "index.html").read_text(encoding="utf-8")
    assert re.search(r"沈阳市公安局</a></th><td>3</td><td>3</td><td>0</td><td>2</td>", text)
    assert re.search(r"<th scope=\"row\">社会保障</th><td>3</td>", text)


def test_the_home_page_search_box_is_labelled(site_dir):
    home = page(site_dir, "index.html")
    [field] = [i for i in home.tagged("input") if i.get("type") == "search"]
    assert [label for label in home.tagged("label") if label.get("for") == field["id"]]


def test_the_certificates_page_lists_the_kept_and_the_cancelled_with_what_replaces_them(site_dir):
    text = (site_dir / "certificates.html").read_text(encoding="utf-8")
    kept, gone = text.split('id="gone"')
    assert "户口簿" in kept and "《中华人民共和国户口登记条例》第四条" in kept and "学历证明" not in kept
    for name, instead in (("学历证明", "通过学信网在线核验"), ("居住证明", "申请人书面承诺，不再提交证明"),
                          ("亲属关系证明", "通过沈阳市民政局信息共享核验"), ("营业执照复印件证明", "以电子营业执照替代")):
        assert re.search(rf"{name}</th>.*?{instead}", gone), name


def test_the_certificates_page_links_every_letter(site_dir):
    hrefs = [unquote(v) for k, v in page(site_dir, "certificates.html").links if k == "href"]
    assert hrefs.count(LETTER) == 2  # in the cancelled list and in the list of letters


def test_the_change_log_shows_each_version_with_its_date_reason_and_document(site_dir):
    text = (site_dir / "changes.html").read_text(encoding="utf-8")
    for expected in ("第 2 版", "2017年3月15日", "动态调整：承接省级下放事项", "沈政办发〔2017〕12号", "第 1 版", "首次公布"):
        assert expected in text
    assert text.index("第 2 版") < text.index("第 1 版")


def test_the_change_log_shows_what_was_added_removed_and_changed(site_dir):
    text = (site_dir / "changes.html").read_text(encoding="utf-8")
    assert '<a href="items/JYJ-003.html">教师资格认定</a>' in text
    assert "<li>幼儿园办园许可</li>" in text
    assert "<td>办理时限（工作日）</td><td>30</td><td>20</td>" in text


def test_every_page_has_one_h1_and_headings_in_order(site_dir):
    for path in html_files(site_dir):
        levels = [level for level, _ in page(site_dir, path.relative_to(site_dir).as_posix()).headings]
        assert levels.count(1) == 1 and levels[0] == 1, path.name
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), path.name


def test_every_page_is_chinese_with_landmarks_a_skip_link_and_a_viewport(site_dir):
    for path in html_files(site_dir):
        found = page(site_dir, path.relative_to(site_dir).as_posix())
        assert found.html_lang == "zh-CN"
        assert all(found.tagged(tag) for tag in ("header", "nav", "main", "footer")), path.name
        assert ("href", "#main") in found.links and "main" in found.ids
        assert [m for m in found.metas if m.get("name") == "viewport"], path.name


def test_every_table_header_has_a_scope(site_dir):
    for path in html_files(site_dir):
        headers = page(site_dir, path.relative_to(site_dir).as_posix()).tagged("th")
        assert [h for h in headers if h.get("scope") not in ("col", "row", "rowgroup")] == [], path.name


def test_guide_pages_have_a_print_stylesheet(site_dir):
    links = page(site_dir, "items/JYJ-001.html").tagged("link")
    assert [k for k in links if k.get("media") == "print" and k["href"] == "../static/print.css"]


def test_rendering_twice_gives_the_same_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    render_site(sample_site(), first)
    render_site(sample_site(), second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert [f for f in files if (first / f).read_bytes() != (second / f).read_bytes()] == []


def test_the_department_part_holds_its_page_items_and_files_only(bundle_dir):
    files = sorted(p.relative_to(bundle_dir).as_posix() for p in bundle_dir.rglob("*") if p.is_file())
    assert files == ["files/jyj/申请表常见错误示例.pdf", "files/jyj/申请表示范文本.pdf", "files/jyj/申请表（空白）.docx",
                     "index.html", "items/JYJ-001.html", "items/JYJ-002.html", "items/JYJ-003.html",
                     "static/print.css", "static/site.css"]


def test_the_department_part_is_self_contained(bundle_dir):
    assert broken_links(bundle_dir) == []
    assert [v for v in external_links(bundle_dir) if not v.startswith(ALLOWED)] == []


def test_the_department_part_shows_its_certificates(bundle_dir):
    text = (bundle_dir / "index.html").read_text(encoding="utf-8")
    assert "户口簿" in text and "学历证明" in text and "居住证明" not in text


def test_a_department_part_with_a_letter_carries_it(tmp_path):
    render_department(sample_site(), "gaj", tmp_path)
    assert (tmp_path / LETTER).is_file() and broken_links(tmp_path) == []


def test_an_unknown_department_is_refused(tmp_path):
    with pytest.raises(ValueError, match="xyz"):
        render_department(sample_site(), "xyz", tmp_path)


def test_a_file_outside_the_files_folder_is_refused(tmp_path):
    site = replace(sample_site(), files=[SiteFile("files/../../outside.txt", b"x")])
    with pytest.raises(ValueError, match="outside.txt"):
        render_site(site, tmp_path)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_synthetic_site_renders_every_item(tmp_path):
    site = synthetic_site(120)
    render_site(site, tmp_path)
    assert len(list((tmp_path / "items").glob("*.html"))) == 120
    assert broken_links(tmp_path) == []


def test_the_formula_and_bold_samples_are_in_the_site():
    # The hostile strings the tests above look for are really in the sample's text.
    text = repr(sample_site())
    assert all(s in text for s in (SCRIPT, JAVASCRIPT, FORMULA, BOLD, OUTSIDE))


def test_the_evaluations_page_shows_each_months_figures_with_its_text_escaped(tmp_path):
    render_site(sample_site(), tmp_path)
    page = (tmp_path / "evaluations.html").read_text(encoding="utf-8")
    assert "2017-01" in page and "按期整改" in page and "沈阳市教育局" in page
    assert "<script>alert" not in page


def test_a_large_site_rendered_by_workers_is_the_same_site(tmp_path, monkeypatch):
    import workbooks.site.render as render

    site = synthetic_site(render.PARALLEL_FROM)
    shared = sorted(p.relative_to(tmp_path / "shared") for p in render_site(site, _mkdir(tmp_path / "shared")))
    monkeypatch.setattr(render, "PARALLEL_FROM", 10 ** 9)
    alone = sorted(p.relative_to(tmp_path / "alone") for p in render_site(site, _mkdir(tmp_path / "alone")))
    assert shared == alone and any(p.parts[0] == "items" for p in shared)
    for page in shared[::97]:
        assert (tmp_path / "shared" / page).read_bytes() == (tmp_path / "alone" / page).read_bytes()


def _mkdir(path):
    path.mkdir()
    return path
