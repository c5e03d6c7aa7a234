"""Publication's use cases: render an approved version as the public site, move it into place,
record it and send each department its part; take in the address where a department published it.

The site is rendered into a temporary folder beside its destination and moved into place whole, so
a reader never sees half a site and a failed rendering leaves the last one as it was.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.errors import UserError
from core.settings import Settings, get_settings
from registry.db import transaction
from registry.publication import addresses, assemble, publishing
from workbooks.site.model import Site
from workbooks.site.render import render_department, render_site

CURRENT = "current"
# Marks a folder as a site this command wrote, which a later publication may replace whole.
MARKER = ".reform-site"


class UnwritableSite(UserError, PermissionError):
    pass


@dataclass(frozen=True)
class Published:
    version: int
    path: Path
    index: Path
    items: int
    guides: int
    certificates: int
    departments: int
    bundles: int  # departments sent their part now
    released: int  # departments with nothing to publish, released
    changes: str  # the version's change log in one line, "" for version 1


def publish(url: str, now: datetime, version: int | None = None, out: Path | None = None,
            settings: Settings | None = None, actor: str = "system", campaign: str | None = None) -> Published:
    """Render version ``version`` (the newest when None) into ``out`` (default <site_dir>/vN, with
    <site_dir>/current pointing at the newest; a district's under <site_dir>/<its code>/), then
    record it and send the departments' bundles."""
    settings = settings or get_settings()
    with transaction(url) as session:
        site, district = assemble.site_of(session, version, now, tuple(settings.publication.allowed_links), campaign)
    site_dir = settings.site_dir / district if district else settings.site_dir
    target = out or site_dir / f"v{site.version}"
    _check_writable(target)
    bundles = _render_into_place(site, target)
    if out is None:
        _point_current(site_dir, target)
    counts = {"items": len(site.items), "guides": sum(1 for i in site.items if i.guide),
              "certificates": len(site.certificates)}
    changed = set(site.changes[-1].changes) if site.version > 1 and site.changes else set()
    with transaction(url) as session:
        recorded = publishing.record_publication(session, site.version, str(target), counts, bundles, changed,
                                                 settings, now, actor, campaign)
    return Published(site.version, target, target / "index.html", counts["items"], counts["guides"],
                     counts["certificates"], len(site.departments), recorded.bundles, recorded.released,
                     change_summary(site))


def change_summary(site: Site) -> str:
    """"jxw 新增 1 项（困难群众临时救助申请）" for the version's changes against the one before."""
    if site.version == 1 or not site.changes:
        return ""
    parts = []
    for code, diff in sorted(site.changes[-1].changes.items()):
        for key, word in (("added", "新增"), ("removed", "删除")):
            if diff.get(key):
                parts.append(f"{code} {word} {len(diff[key])} 项（{'、'.join(diff[key])}）")
        if diff.get("changed"):
            parts.append(f"{code} 修改 {len(diff['changed'])} 项（{'、'.join(diff['changed'])}）")
    return "；".join(parts)


def _check_writable(target: Path) -> None:
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UnwritableSite(f"{parent} 不是目录，不能在其中写出网站（{target}）")
    if not os.access(parent, os.W_OK):
        raise UnwritableSite(f"没有写入权限：{parent}（公布的网站写到 {target}）")
    if target.exists() and not target.is_dir():
        raise UnwritableSite(f"输出位置是一个已有的文件：{target}，请给出一个目录")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        # Publishing replaces the folder whole: never a folder that holds something else.
        raise UnwritableSite(f"输出目录 {target} 已有其他内容，不是此前公布的网站；请给出一个空目录或新目录")


def _render_into_place(site: Site, target: Path) -> dict[str, tuple[str, bytes, int]]:
    """Render beside ``target`` and move it in whole; returns each department's bundle."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        fresh = work / "site"
        fresh.mkdir()
        render_site(site, fresh)
        (fresh / MARKER).write_text(f"第 {site.version} 版，{site.generated_at.isoformat()} 生成\n", encoding="utf-8")
        bundles = {}
        for department in site.departments:
            part = work / "bundles" / department.code
            part.mkdir(parents=True)
            render_department(site, department.code, part)
            items = sum(1 for i in site.items if i.org_code == department.code)
            bundles[department.code] = (f"公共服务事项-{department.short_name or department.code}-第{site.version}版.zip",
                                        _zip(part), items)
        old = work / "old"
        if target.exists():
            target.rename(old)
        fresh.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return bundles


def _zip(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())
    return out.getvalue()


def _point_current(site_dir: Path, target: Path) -> None:
    """<site_dir>/current -> vN, replaced in one rename so it never points nowhere."""
    link = site_dir / CURRENT
    temporary = site_dir / f".{CURRENT}-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target.name if target.parent == site_dir else target, target_is_directory=True)
    os.replace(temporary, link)


def unpublished_versions(url: str, campaign: str | None = None) -> list[int]:
    """Approved versions newer than the newest published one: what the safety net publishes."""
    with transaction(url) as session:
        return publishing.unpublished_versions(session, campaign)


def campaigns_to_publish(url: str) -> list[str]:
    """Every campaign with an approved version not yet published: the city's and the districts'."""
    with transaction(url) as session:
        return publishing.campaigns_to_publish(session)


def record_address_by_hand(url: str, org_code: str, address: str, now: datetime) -> str:
    """`reform publish --address`: a department told its address some other way than by mail."""
    with transaction(url) as session:
        return addresses.record_given_address(session, org_code, address, now)
