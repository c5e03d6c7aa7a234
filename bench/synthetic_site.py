"""A public site of any size, for the publication benchmark: departments of about 30 items each, every
item with a full guide, certificates of every disposition, and a second version with its change log.

Built from plain values in a loop, so that 10,000 items take a fraction of a second and the benchmark
times the publication, not the making of its input.
"""
from __future__ import annotations

from datetime import date, datetime

from rules.certificates import DISPOSITIONS, Disposition
from workbooks.inventory_schema import CATEGORIES, KINDS
from workbooks.site.model import Site, SiteCertificate, SiteChange, SiteDepartment, SiteFile, SiteItem

ITEMS_PER_DEPARTMENT = 30
CAMPAIGN = "沈阳市简化优化公共服务流程方便基层群众办事创业工作"
ISSUED_BY = "沈阳市人民政府办公厅"
FIRST_EFFECTIVE = date(2016, 9, 1)
ADJUSTED = date(2017, 3, 1)
GENERATED_AT = datetime(2017, 3, 1, 9, 0)
HOSTS = ("https://zwfw.shenyang.gov.cn/",)
BASIS = "《中华人民共和国社会保险法》第二十条"
# A department's form files: the blank, the sample and the common mistakes, shared by its form materials.
FORM_FILES = ("申请表（空白）.docx", "申请表示范文本.pdf", "申请表常见错误示例.pdf")


def _department(n: int) -> SiteDepartment:
    code = f"d{n:03d}"
    return SiteDepartment(code, f"沈阳市第{n}局", f"第{n}局", f"https://{code}.shenyang.gov.cn/")


def _item(department: SiteDepartment, seq: int) -> dict:
    charged = seq % 10 == 0
    return {"code": f"{department.code.upper()}-{seq:03d}", "seq": seq, "name": f"{department.short_name}事项{seq}",
            "kind": KINDS[seq % len(KINDS)], "category": CATEGORIES[seq % len(CATEGORIES)],
            "audience": "自然人、法人" if seq % 3 == 0 else "自然人", "implementer": department.name,
            "legal_basis": BASIS, "time_limit_days": 20,
            "charged": charged, "fee_basis": "《沈阳市行政事业性收费标准》（沈价发〔2015〕8号）每件10元" if charged else "",
            "materials": "居民身份证、户口簿、申请表", "remarks": ""}


def _guide(item: dict, department: SiteDepartment, files: tuple[str, ...]) -> dict:
    code, name, charged = item["code"], item["name"], item["charged"]
    blank, sample, mistakes = files
    materials = [
        {"name": "居民身份证", "position": 1, "necessity": "必要", "form": "原件", "copies": 1, "source": "公安机关核发",
         "basis": BASIS, "is_form": False, "blank": "", "sample": "", "mistakes": "", "notes": "核验原件后退还"},
        {"name": "户口簿", "position": 2, "necessity": "必要", "form": "复印件", "copies": 1, "source": "申请人自备",
         "basis": BASIS, "is_form": False, "blank": "", "sample": "", "mistakes": "", "notes": ""},
        {"name": f"{name}申请表", "position": 3, "necessity": "必要", "form": "原件", "copies": 2, "source": "申请人填写",
         "basis": BASIS, "is_form": True, "blank": blank, "sample": sample, "mistakes": mistakes,
         "notes": "用黑色签字笔填写，不得涂改"},
    ]
    steps = [
        {"number": 1, "name": "受理", "actor": "窗口受理人员", "days": 0, "detail": "材料齐全的当场受理"},
        {"number": 2, "name": "审核", "actor": "业务科室审核人员", "days": 10, "detail": "审核申请材料"},
        {"number": 3, "name": "办结", "actor": "分管负责人", "days": 5, "detail": "作出决定并送达"},
    ]
    fees = [{"name": "工本费", "standard": "每件10元", "basis": item["fee_basis"], "relief": "低保户免收"}] if charged else []
    return {
        "code": code, "name": name, "basic_code": f"{item['seq']:012d}",
        "implementation_code": code.replace("-", "").rjust(36, "0"),
        "item_type": item["kind"], "implementer": department.name, "accepting_unit": f"{department.name}政务服务窗口",
        "audience": item["audience"], "basis": BASIS, "conditions": "申请人为本市户籍居民；申请材料齐全",
        "legal_days": 20, "promised_days": 15, "immediate": False, "charged": charged,
        "fee_note": item["fee_basis"] if charged else "不收费", "visits": item["seq"] % 2, "online": True,
        "online_url": f"{HOSTS[0]}item/{code}", "result": "批准文件", "consult_phone": "024-22725001",
        "consult_other": "", "supervise_phone": "024-12345678、12345", "supervise_other": "",
        "hours": "工作日 8:30—17:00", "address": "沈阳市沈河区市府大路260号", "downloads": f"{HOSTS[0]}forms/{code}",
        "materials": materials, "steps": steps, "fees": fees,
        "faqs": [{"question": "可以委托他人办理吗？", "answer": "可以，须提交委托书和受托人身份证。"},
                 {"question": "办理进度在哪里查询？", "answer": "登录网上办事大厅查询。"}],
    }


def _certificate(department: SiteDepartment, seq: int, disposition: str, item_names: list[str]) -> SiteCertificate:
    entry = {"seq": seq, "name": f"证明{seq}", "items": item_names[:2], "requester": department.name,
             "issuer": "所在地社区居民委员会", "basis": "", "basis_level": "无", "disposition": disposition,
             "replacement": "", "share_source": "", "commitment": "", "verification": ""}
    letter = ""
    if disposition == Disposition.KEEP:
        entry.update(basis=BASIS, basis_level="法律", issuer="县级以上医院")
    elif disposition == Disposition.COMMIT:
        entry.update(commitment="本人符合申请条件", verification="通过信息系统比对核查")
        letter = f"files/{department.code}/告知承诺书-证明{seq}.docx"
    elif disposition == Disposition.SHARE:
        entry.update(share_source="沈阳市公安局", replacement="户籍信息")
    elif disposition == Disposition.LICENCE:
        entry.update(replacement="营业执照")
    return SiteCertificate(department.code, department.name, entry, letter)


def synthetic_site(items: int) -> Site:
    """A site of ``items`` approved items in version 2, whose change log adds, removes and changes items."""
    departments = [_department(n) for n in range(1, -(-items // ITEMS_PER_DEPARTMENT) + 1)]
    site_items: list[SiteItem] = []
    certificates: list[SiteCertificate] = []
    files: list[SiteFile] = []
    log: dict[str, dict] = {}
    for index, department in enumerate(departments):
        count = min(ITEMS_PER_DEPARTMENT, items - index * ITEMS_PER_DEPARTMENT)
        paths = tuple(f"files/{department.code}/{name}" for name in FORM_FILES)
        files += [SiteFile(path, b"synthetic form " + path.encode(), path.rsplit("/", 1)[-1]) for path in paths]
        names = []
        for seq in range(1, count + 1):
            item = _item(department, seq)
            names.append(item["name"])
            site_items.append(SiteItem(department.code, department.name, item, _guide(item, department, paths)))
        for seq, disposition in enumerate(DISPOSITIONS, start=1):
            certificates.append(_certificate(department, seq, disposition, names))
            if certificates[-1].letter_path:
                files.append(SiteFile(certificates[-1].letter_path, b"synthetic letter", "告知承诺书"))
        log[department.code] = {"added": [names[-1]], "removed": [f"{department.short_name}已取消的事项"],
                                "changed": {names[0]: [["办理时限（工作日）", 30, 20], ["是否收费", "是", "否"]]}}
    changes = [SiteChange(1, FIRST_EFFECTIVE, "首次审定", "沈政办发〔2016〕88号", {}),
               SiteChange(2, ADJUSTED, "动态调整", "沈政办发〔2017〕12号", log)]
    return Site(campaign_name=CAMPAIGN, issued_by=ISSUED_BY, version=2, approved_on=date(2016, 8, 26),
                meeting="市政府第62次常务会议", document="沈政办发〔2016〕88号", effective_on=ADJUSTED,
                generated_at=GENERATED_AT, departments=departments, items=site_items, certificates=certificates,
                files=files, changes=changes, allowed_links=HOSTS)
