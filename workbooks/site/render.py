"""The public site (公布) as static pages: the approved list with every item's guide and the certificate
clean-up, written from one ``Site`` so that any web server, or none (file://), can serve it.

Everything a department submitted is untrusted text. The templates escape it (autoescape everywhere),
no script is ever built from it except the JSON-LD data blocks and the search index, which are JSON with
``<``, ``>`` and ``&`` escaped, and a page links only to the site's own pages, to ``site.files`` and to
addresses under ``site.allowed_links``; any other address a department wrote (``javascript:`` too) stays
text. Output depends on the ``Site`` alone, so rendering twice gives the same bytes.
"""
from __future__ import annotations

import json
import os
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from html import escape as html_escape
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from rules.cell_text import fold, unhidden
from rules.certificates import NO_LONGER_DEMANDED, Disposition, instead
from rules.guides import ELEMENTS, NO_FEE
from workbooks.site.model import Site, SiteCertificate, SiteDepartment, SiteFile, SiteItem

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STYLES = ("site.css", "print.css")
SEARCH_SCRIPT = "search.js"
HOME = "index.html"
CERTIFICATES = "certificates.html"
CHANGES = "changes.html"
EVALUATIONS = "evaluations.html"
# Below this many items the pages are rendered in this process: starting workers would cost more.
PARALLEL_FROM, MAX_WORKERS, SHARE = 2000, 4, 500
SEARCH_INDEX = "search-index.json"
# file:// pages cannot fetch JSON in Chromium, so the home page loads the same index as a script.
SEARCH_INDEX_SCRIPT = "static/search-index.js"
FILES_FOLDER = "files"
DATA_FOLDER = "data"
AREA_SERVED = "沈阳市"
LANGUAGE = "zh-CN"
# JSON-LD is a data block, not a script the browser runs, so script-src 'self' does not refuse it.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'none'")
# The numbered anchors of a guide page's sections, in ELEMENTS order.
ELEMENT_IDS = {element: f"e{n}" for n, element in enumerate(ELEMENTS, start=1)}

_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+", re.I)
_URL_TAIL = ".,;:!?"
_UNSAFE_NAME = re.compile(r"[^\w.-]")
# Characters that could end a <script> element or break a JavaScript string if left as they are.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                                 "\u2029": "\\u2029"})


def page_path_of_item(item_code: str) -> str:
    """Where an item's guide page is, in the site and in its department's part alike."""
    return f"items/{_file_name(item_code)}.html"


def page_path_of_department(org_code: str) -> str:
    return f"departments/{_file_name(org_code).lower()}.html"


def _file_name(code: str) -> str:
    # A code is the approved list's: letters, digits and a dash; anything else cannot reach the path.
    name = _UNSAFE_NAME.sub("_", unhidden(str(code)).strip()).lstrip(".")
    return name or "_"


def is_allowed_link(url: str, allowed: Sequence[str]) -> bool:
    """An http(s) address under one of the ``allowed`` prefixes; "https://a.gov.cn" does not admit
    "https://a.gov.cn.example.com"."""
    if not _URL.fullmatch(url):
        return False
    for prefix in allowed:
        if not _URL.fullmatch(prefix) or not url.startswith(prefix):
            continue
        if prefix.endswith("/") or url[len(prefix):][:1] in ("", "/", "?", "#"):
            return True
    return False


def script_json(value: object) -> str:
    """JSON that no text inside it can turn into the end of a <script> element."""
    text = json.dumps(value, ensure_ascii=False, indent=None, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


@dataclass(frozen=True)
class Piece:
    """A run of text and, when it is an address the site may link to, where it links."""

    text: str
    href: str = ""


@dataclass
class _Output:
    """One rendering: the whole site or a department's part, with where each page of it lives."""

    site: Site
    out: Path
    files: dict[str, SiteFile]  # the SiteFile paths this output holds
    departments: dict[str, str]  # folded org code -> its page in this output
    items: frozenset[str]  # item codes with a page in this output
    nav: list[tuple[str, str]]  # (label, path)
    written: list[Path] = field(default_factory=list)
    # The site's items and certificates by folded org code, grouped once per rendering: a department
    # page looking through every item made a city of 10,000 items quadratic.
    items_by_org: dict[str, list[SiteItem]] = field(init=False)
    certificates_by_org: dict[str, list[SiteCertificate]] = field(init=False)

    def __post_init__(self) -> None:
        self.items_by_org, self.certificates_by_org = defaultdict(list), defaultdict(list)
        for item in self.site.items:
            self.items_by_org[_org_key(item.org_code)].append(item)
        for certificate in self.site.certificates:
            self.certificates_by_org[_org_key(certificate.org_code)].append(certificate)


class _Page:
    """What a template asks while it renders one page: relative links from where the page is."""

    def __init__(self, output: _Output, path: str) -> None:
        self.output, self.path = output, path
        self.csp = CSP

    def to(self, target: str) -> str:
        return _relative(target, posixpath.dirname(self.path) or ".")

    def nav(self) -> list[tuple[str, str, bool]]:
        return [(label, self.to(path), path == self.path) for label, path in self.output.nav]

    def item(self, code: str) -> str:
        return self.to(page_path_of_item(code)) if str(code) in self.output.items else ""

    def department(self, org_code: str) -> str:
        path = self.output.departments.get(_org_key(org_code))
        return self.to(path) if path else ""

    def text(self, value: object) -> list[Piece]:
        """Free text with the addresses the site allows as links, every other address as text."""
        text = _shown(value)
        if "://" not in text:
            return [Piece(text)] if text else []  # most text holds no address at all
        pieces, start = [], 0
        for match in _URL.finditer(text):
            url = match.group(0).rstrip(_URL_TAIL)
            end = match.start() + len(url)
            if not is_allowed_link(url, self.output.site.allowed_links):
                continue
            if match.start() > start:
                pieces.append(Piece(text[start:match.start()]))
            pieces.append(Piece(url, url))
            start = end
        if start < len(text):
            pieces.append(Piece(text[start:]))
        return pieces

    def resource(self, value: object, label: str = "") -> Piece:
        """A form, sample or address: a link when it is one of the site's files or an allowed address."""
        text = _shown(value).strip()
        if text in self.output.files:
            return Piece(label or self.output.files[text].title or PurePosixPath(text).name, self.to(text))
        if is_allowed_link(text, self.output.site.allowed_links):
            return Piece(label or text, text)
        return Piece(text)


@lru_cache(maxsize=65536)
def _relative(target: str, base: str) -> str:
    # Thousands of item pages link the same few targets from the same folder.
    return quote(posixpath.relpath(target, base), safe="/#")


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


@lru_cache(maxsize=4096)  # a few hundred departments, looked up for every item
def _org_key(code: str) -> str:
    return fold(code).lower()


def _cn_date(value: date | datetime) -> str:
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


class _Environment(Environment):
    """Dot lookups find a dict's keys before its methods: a certificate's ``items`` are its items."""

    def getattr(self, obj: object, attribute: str) -> object:
        # A plain dict first: the templates look up hundreds of thousands of keys on a large site.
        if (type(obj) is dict or isinstance(obj, Mapping)) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


# Text and links are shown on every page many times over: as Python, not as Jinja macros, they cost a
# tenth. Everything that came from a submitter is escaped (html.escape, quotes included), then the
# whole marked safe once.
def _link(href: str, text: str) -> str:
    return f'<a href="{html_escape(href)}">{html_escape(text)}</a>'


def _piece(one: Piece) -> Markup:
    return Markup(_link(one.href, one.text) if one.href else html_escape(one.text))


def _pieces(pieces: Iterable[Piece]) -> Markup:
    """Text and links in a row; a line break in text stays a line break."""
    return Markup("".join(_link(p.href, p.text) if p.href else "<br>".join(map(html_escape, p.text.split("\n")))
                          for p in pieces))


def _text(page: _Page, value: object, empty: str = "未填写") -> Markup:
    pieces = page.text(value)
    if pieces:
        return _pieces(pieces)
    return Markup(f'<span class="empty">{html_escape(empty)}</span>' if empty else "")


def _environment() -> Environment:
    # The templates are the package's own and never change while it runs: no file check per page.
    env = _Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["cn_date"] = _cn_date
    env.filters["shown"] = _shown
    env.globals.update(ELEMENTS=ELEMENTS, ELEMENT_IDS=ELEMENT_IDS, NO_FEE=NO_FEE, piece=_piece, pieces=_pieces,
                       text=_text)
    return env


_ENV = _environment()


# --- the views the templates show --------------------------------------------------------------


def _items_of(output: _Output, org_code: str) -> list[SiteItem]:
    return output.items_by_org.get(_org_key(org_code), [])


def _certificates_of(output: _Output, org_code: str) -> list[SiteCertificate]:
    return output.certificates_by_org.get(_org_key(org_code), [])


def _disposition(certificate: SiteCertificate) -> str:
    return fold(certificate.entry.get("disposition"))


def _kept(certificates: Iterable[SiteCertificate]) -> list[SiteCertificate]:
    return [c for c in certificates if _disposition(c) == Disposition.KEEP]


def _gone(certificates: Iterable[SiteCertificate]) -> list[SiteCertificate]:
    """Every certificate no longer demanded, with what the applicant does instead."""
    return [c for c in certificates if _disposition(c) in NO_LONGER_DEMANDED]


def _certificate_view(certificate: SiteCertificate) -> dict:
    entry = certificate.entry
    return {"org_code": certificate.org_code, "org_name": certificate.org_name, "name": _shown(entry.get("name")),
            "item_names": "、".join(map(str, entry.get("items") or ())),
            "requester": _shown(entry.get("requester")) or certificate.org_name,
            "issuer": _shown(entry.get("issuer")), "basis": _shown(entry.get("basis")),
            "basis_level": _shown(entry.get("basis_level")), "disposition": _disposition(certificate),
            "instead": instead(entry), "letter": certificate.letter_path}


def _audience(item: SiteItem) -> str:
    return _shown((item.guide or {}).get("audience") or item.item.get("audience"))


def _time_limit(guide: Mapping) -> str:
    if guide.get("immediate"):
        return "即办"
    legal, promised = guide.get("legal_days"), guide.get("promised_days")
    parts = [f"法定 {legal} 个工作日" if legal is not None else "",
             f"承诺 {promised} 个工作日" if promised is not None else ""]
    return "，".join(p for p in parts if p)


def _visits(visits: int | None) -> str:
    if visits is None:
        return ""
    return "0 次（零跑动）" if visits == 0 else f"{visits} 次"


def _step_days(days: int | None) -> str:
    if days is None:
        return ""
    return "即时办理" if days == 0 else f"{days} 个工作日"


def _guide_view(item: SiteItem) -> dict | None:
    guide = item.guide
    if guide is None:
        return None
    materials = sorted(guide.get("materials") or [], key=lambda m: m.get("position") or 0)
    return {**guide, "materials": materials, "forms": [m for m in materials if m.get("is_form")],
            "time_limit": _time_limit(guide), "visits_text": _visits(guide.get("visits")),
            "steps": [{**s, "days_text": _step_days(s.get("days"))} for s in guide.get("steps") or []],
            "fees": guide.get("fees") or [], "faqs": [q for q in guide.get("faqs") or [] if q.get("question")]}


def _json_ld(site: Site, item: SiteItem, page: _Page) -> str:
    guide = item.guide or {}
    channel: dict = {"@type": "ServiceChannel", "name": f"{item.item.get('name')}办理渠道",
                     "availableLanguage": LANGUAGE}
    phone = guide.get("consult_phone")
    if phone:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": phone, "contactType": "咨询"}
    online = _shown(guide.get("online_url")).strip()
    if guide.get("online") and is_allowed_link(online, site.allowed_links):
        channel["serviceUrl"] = online
    if guide.get("address"):
        channel["serviceLocation"] = {"@type": "Place", "address": guide["address"]}
    if guide.get("hours"):
        channel["hoursAvailable"] = guide["hours"]
    service = {
        "@context": "https://schema.org", "@type": "GovernmentService", "name": _shown(item.item.get("name")),
        "identifier": _shown(item.item.get("code")),
        "serviceType": _shown(item.item.get("category") or guide.get("item_type") or item.item.get("kind")),
        "provider": {"@type": "GovernmentOrganization",
                     "name": _shown(guide.get("implementer") or item.item.get("implementer") or item.org_name)},
        "areaServed": {"@type": "City", "name": AREA_SERVED},
        "audience": {"@type": "Audience", "audienceType": _audience(item)},
        "availableChannel": channel,
    }
    return script_json(service)


def _by_department(output: _Output) -> list[dict]:
    rows = []
    for department in output.site.departments:
        items = _items_of(output, department.code)
        certificates = _certificates_of(output, department.code)
        rows.append({"department": department, "items": len(items),
                     "guides": sum(1 for i in items if i.guide is not None),
                     "kept": len(_kept(certificates)), "gone": len(_gone(certificates))})
    return rows


def _by_category(site: Site) -> list[tuple[str, int]]:
    counts = Counter(_shown(i.item.get("category")) or "未分类" for i in site.items)
    return list(counts.items())  # first seen first: the approved list's own order


def _search_index(site: Site) -> list[dict]:
    names = {_org_key(d.code): d for d in site.departments}
    entries = []
    for item in site.items:
        department = names.get(_org_key(item.org_code))
        entries.append({"name": _shown(item.item.get("name")), "code": _shown(item.item.get("code")),
                        "department": item.org_name,
                        "department_short": department.short_name if department else "",
                        "category": _shown(item.item.get("category")), "audience": _audience(item),
                        "link": quote(page_path_of_item(str(item.item.get("code"))), safe="/")})
    return entries


def _change_views(site: Site, page: _Page) -> list[dict]:
    """Each version's changes against the one before, newest first, department by department."""
    order = {_org_key(d.code): n for n, d in enumerate(site.departments)}
    names = {_org_key(d.code): d.name for d in site.departments}
    codes_by_name = {(_org_key(i.org_code), fold(i.item.get("name"))): str(i.item.get("code")) for i in site.items}
    views = []
    for change in sorted(site.changes, key=lambda c: c.version, reverse=True):
        departments = []
        for org_code in sorted(change.changes, key=lambda c: (order.get(_org_key(c), len(order)), c)):
            log = change.changes[org_code] or {}
            key = _org_key(org_code)

            def link(name: str, key: str = key) -> str:
                code = codes_by_name.get((key, fold(name)))
                return page.item(code) if code else ""

            departments.append({
                "name": names.get(key, org_code), "page": page.department(org_code),
                "added": [Piece(str(n), link(str(n))) for n in log.get("added") or []],
                "removed": [str(n) for n in log.get("removed") or []],
                "changed": [(Piece(str(name), link(str(name))), [[_shown(v) for v in f] for f in fields])
                            for name, fields in (log.get("changed") or {}).items()],
            })
        views.append({"change": change, "departments": departments})
    return views


# --- writing -----------------------------------------------------------------------------------


def _checked_file_path(path: str) -> str:
    """A SiteFile's place in the site: under files/, with no way out of the folder."""
    pure = PurePosixPath(path)
    if (pure.is_absolute() or "\\" in path or any(part in ("", ".", "..") for part in path.split("/"))
            or pure.parts[0] != FILES_FOLDER or len(pure.parts) < 2):
        raise ValueError(f"文件路径「{path}」不在网站的 {FILES_FOLDER}/ 目录下，不能发布")
    return path


def _write(output: _Output, path: str, content: bytes) -> None:
    target = output.out / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    output.written.append(target)


def _render(output: _Output, template: str, path: str, **context: object) -> None:
    page = _Page(output, path)
    html = _ENV.get_template(template).render(p=page, site=output.site, **context)
    _write(output, path, html.encode("utf-8"))


def _write_files(output: _Output) -> None:
    for path in sorted(output.files):
        _write(output, path, output.files[path].content)


def _write_styles(output: _Output, names: Sequence[str]) -> None:
    for name in names:
        _write(output, f"static/{name}", (STATIC / name).read_bytes())


def _department_page(output: _Output, department: SiteDepartment, path: str) -> None:
    certificates = _certificates_of(output, department.code)
    items = _items_of(output, department.code)
    _render(output, "department.html", path, department=department,
            items=[(i, _guide_view(i)) for i in items],
            kept=[_certificate_view(c) for c in _kept(certificates)],
            gone=[_certificate_view(c) for c in _gone(certificates)])


def _item_pages(output: _Output, items: Sequence[SiteItem]) -> None:
    """One page per item. A city's thousands of pages are shared among the machine's cores: each worker
    renders a share at a time, given the site without its items and without the files' bytes."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(items) < PARALLEL_FROM or workers < 2:
        _item_share(output, items)
        return
    slim = replace(output, site=replace(output.site, items=[], certificates=[], files=[]), written=[],
                   files={path: replace(f, content=b"") for path, f in output.files.items()})
    shares = [items[n:n + SHARE] for n in range(0, len(items), SHARE)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_workers_context()) as pool:
        for written in pool.map(_item_share, [slim] * len(shares), shares):
            output.written += written


def _workers_context():
    """Workers forked from a server process that loaded only this module: not from this process, whose
    Prefect threads a fork would copy mid-lock, and without re-importing its main module as spawn does."""
    context = get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _item_share(output: _Output, items: Iterable[SiteItem]) -> list[Path]:
    start = len(output.written)
    for item in items:
        path = page_path_of_item(str(item.item.get("code")))
        page = _Page(output, path)
        _render(output, "item.html", path, item=item, guide=_guide_view(item), json_ld=_json_ld(output.site, item, page),
                department_page=page.department(item.org_code))
    return output.written[start:]


def render_site(site: Site, out: Path) -> list[Path]:
    """Write the whole site into ``out`` (an existing, empty folder the caller made; the caller moves it
    into place afterwards). Returns the files written."""
    files = {_checked_file_path(f.path): f for f in site.files}
    output = _Output(site=site, out=out, files=files,
                     departments={_org_key(d.code): page_path_of_department(d.code) for d in site.departments},
                     items=frozenset(str(i.item.get("code")) for i in site.items),
                     nav=[("首页", HOME), ("证明事项清理", CERTIFICATES), ("清单调整记录", CHANGES),
                          ("好差评公示", EVALUATIONS)])
    # Imported here: the open data needs the workbook libraries, the page workers do not.
    from workbooks.site.open_data import write_open_data  # noqa: PLC0415 - keeps the page workers light

    data = sorted(write_open_data(site, out / DATA_FOLDER) or [])
    output.written += data
    _write_files(output)
    _write_styles(output, (*STYLES, SEARCH_SCRIPT))
    index = _search_index(site)
    _write(output, SEARCH_INDEX, (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    _write(output, SEARCH_INDEX_SCRIPT, f"window.SEARCH_INDEX = {script_json(index)};\n".encode())
    data_links = sorted(p.relative_to(out).as_posix() for p in (out / DATA_FOLDER).rglob("*") if p.is_file())
    _render(output, "index.html", HOME, by_department=_by_department(output), by_category=_by_category(site),
            data_links=data_links)
    for department in site.departments:
        _department_page(output, department, page_path_of_department(department.code))
    _item_pages(output, site.items)
    _render(output, "certificates.html", CERTIFICATES, kept=[_certificate_view(c) for c in _kept(site.certificates)],
            gone=[_certificate_view(c) for c in _gone(site.certificates)],
            letters=[_certificate_view(c) for c in site.certificates if c.letter_path])
    page = _Page(output, CHANGES)
    _render(output, "changes.html", CHANGES, versions=_change_views(site, page))
    _render(output, "evaluations.html", EVALUATIONS, months=site.evaluations)
    return sorted(set(output.written))


def _files_needed(site: Site, items: Sequence[SiteItem], certificates: Sequence[SiteCertificate]) -> set[str]:
    needed = {c.letter_path for c in certificates if c.letter_path}
    for item in items:
        guide = item.guide or {}
        needed |= {_shown(guide.get(k)).strip() for k in ("online_url", "downloads")}
        for material in guide.get("materials") or []:
            needed |= {_shown(material.get(k)).strip() for k in ("blank", "sample", "mistakes")}
    return needed


def render_department(site: Site, org_code: str, out: Path) -> list[Path]:
    """The department's own part: its page (``index.html``), its item pages, its certificates, the
    styles and the files its items and certificates need; every link inside it relative and inside it,
    so it works from the department's own website."""
    department = next((d for d in site.departments if _org_key(d.code) == _org_key(org_code)), None)
    if department is None:
        raise ValueError(f"单位代码「{org_code}」不在本次公布的部门中")
    wanted = _org_key(org_code)
    items = [i for i in site.items if _org_key(i.org_code) == wanted]
    certificates = [c for c in site.certificates if _org_key(c.org_code) == wanted]
    needed = _files_needed(site, items, certificates)
    files = {_checked_file_path(f.path): f for f in site.files if f.path in needed}
    output = _Output(site=replace(site, items=items, certificates=certificates), out=out, files=files,
                     departments={_org_key(department.code): HOME},
                     items=frozenset(str(i.item.get("code")) for i in items),
                     nav=[(department.short_name or department.name, HOME)])
    _write_files(output)
    _write_styles(output, STYLES)
    _department_page(output, department, HOME)
    _item_pages(output, items)
    return sorted(set(output.written))
