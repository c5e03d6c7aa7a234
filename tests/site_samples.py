"""A site to render, built by hand, with every kind of content and hostile text in it (the benchmark's
large synthetic site is bench.synthetic_site).

The small site has three departments, nine items (eight with full guides, one still without), forms
given as files and as links, a certificate of every disposition, a 告知承诺书 and two versions with a
change log. Some of what the departments wrote is hostile: a script tag in an item's name, a
``javascript:`` address, a formula and markup in the text.
"""
from __future__ import annotations

from datetime import date, datetime

from rules.certificates import Disposition
from workbooks.site.model import Site, SiteCertificate, SiteChange, SiteDepartment, SiteFile, SiteItem

SCRIPT = "<script>alert(1)</script>"
JAVASCRIPT = "javascript:alert(1)"
FORMULA = "=1+1"
BOLD = "<b>bold</b>"
PORTAL = "https://zwfw.shenyang.gov.cn/"
OUTSIDE = "http://evil.example.com/steal"
ALLOWED = (PORTAL, "https://jyj.shenyang.gov.cn")

DEPARTMENTS = [
    SiteDepartment("jyj", "沈阳市教育局", "市教育局", "https://jyj.shenyang.gov.cn/gkml/"),
    SiteDepartment("gaj", "沈阳市公安局", "市公安局", "http://gaj.example.org/"),
    SiteDepartment("rsj", "沈阳市人力资源和社会保障局", "市人社局"),
]
NAMES = {d.code: d.name for d in DEPARTMENTS}

BLANK = "files/jyj/申请表（空白）.docx"
SAMPLE = "files/jyj/申请表示范文本.pdf"
MISTAKES = "files/jyj/申请表常见错误示例.pdf"
LETTER = "files/gaj/告知承诺书-居住证明.docx"
FILES = [
    SiteFile(BLANK, b"PK\x03\x04 blank form", "申请表（空白）"),
    SiteFile(SAMPLE, b"%PDF-1.4 sample", "申请表示范文本"),
    SiteFile(MISTAKES, b"%PDF-1.4 mistakes", "申请表常见错误示例"),
    SiteFile(LETTER, b"PK\x03\x04 letter", "居住证明告知承诺书"),
]


def approved_item(org: str, seq: int, name: str, **changes: object) -> dict:
    item = {"code": f"{org.upper()}-{seq:03d}", "seq": seq, "name": name, "kind": "主动服务", "category": "公共教育",
            "audience": "自然人", "implementer": NAMES.get(org, org), "legal_basis": "《中华人民共和国教育法》第二十九条",
            "time_limit_days": 20, "charged": False, "fee_basis": "", "materials": "居民身份证、户口簿", "remarks": ""}
    return {**item, **changes}


def material(position: int, name: str, *, form: bool = False, blank: str = "", sample: str = "", mistakes: str = "",
             notes: str = "") -> dict:
    return {"name": name, "position": position, "necessity": "必要", "form": "原件", "copies": 1,
            "source": "申请人自备", "basis": "", "is_form": form, "blank": blank, "sample": sample,
            "mistakes": mistakes, "notes": notes, "row": position + 1}


def guide(item: dict, **changes: object) -> dict:
    """A complete guide, as rules.guides normalises one, for ``item``."""
    full = {
        "code": item["code"], "name": item["name"], "basic_code": "210100JYJ001", "implementation_code": "",
        "item_type": "公共服务", "implementer": item["implementer"], "accepting_unit": f"{item['implementer']}政务服务窗口",
        "audience": item["audience"], "basis": item["legal_basis"],
        "conditions": "申请人为本市户籍居民；持有效居民身份证", "legal_days": 20, "promised_days": 5, "immediate": False,
        "charged": False, "fee_note": "不收费", "visits": 1, "online": True, "online_url": PORTAL + "item/1",
        "result": "证明文书", "consult_phone": "024-22725001", "consult_other": f"也可登录 {PORTAL}zx 在线咨询",
        "supervise_phone": "024-12345678、12345", "supervise_other": "沈阳市政务服务办监督科", "hours": "工作日 9:00-17:00",
        "address": "沈阳市沈河区市府大路 260 号", "downloads": "", "row": 5,
        "materials": [material(1, "居民身份证"), material(2, "户口簿")],
        "steps": [{"number": 1, "name": "受理", "actor": "窗口工作人员", "days": 0, "detail": "当场核对材料", "row": 5},
                  {"number": 2, "name": "审核", "actor": "业务科室", "days": 3, "detail": "", "row": 6},
                  {"number": 3, "name": "办结", "actor": "科室负责人", "days": 2, "detail": "通知申请人领取", "row": 7}],
        "fees": [],
        "faqs": [{"question": "可以委托他人办理吗？", "answer": "可以，须提交委托书。", "row": 5}],
    }
    return {**full, **changes}


def _items() -> list[SiteItem]:
    rows = []

    def add(org: str, item: dict, full_guide: dict | None) -> None:
        rows.append(SiteItem(org, NAMES[org], item, full_guide))

    first = approved_item("jyj", 1, "中小学生学籍证明")
    add("jyj", first, guide(first, materials=[
        material(1, "入学申请表", form=True, blank=BLANK, sample=SAMPLE, mistakes=MISTAKES, notes=FORMULA),
        material(2, "居民身份证")]))
    second = approved_item("jyj", 2, "普通话水平测试", charged=True, time_limit_days=30,
                           fee_basis="《辽宁省物价局关于普通话水平测试收费标准的通知》（辽价发〔2012〕10号）每人次50元")
    add("jyj", second, guide(second, charged=True, fee_note="", legal_days=30, promised_days=20, fees=[
        {"name": "普通话水平测试费", "standard": "每人次50元", "basis": "辽价发〔2012〕10号", "relief": "低保家庭免收",
         "row": 5}], materials=[material(1, "报名表", form=True, blank="https://jyj.shenyang.gov.cn/forms/blank.docx",
                                         sample="https://jyj.shenyang.gov.cn/forms/sample.pdf",
                                         mistakes="https://jyj.shenyang.gov.cn/forms/mistakes.pdf")]))
    third = approved_item("jyj", 3, "教师资格认定", remarks=BOLD)
    add("jyj", third, guide(third, immediate=True, legal_days=None, promised_days=None, visits=0,
                            conditions=f"具备教师资格条例规定的学历{BOLD}", result=f"教师资格证书 {FORMULA}"))
    for seq, name, category in ((1, "无犯罪记录证明", "公共安全"), (2, "户籍证明", "公共安全"),
                                (3, f"临时身份证明{SCRIPT}", "公共安全")):
        item = approved_item("gaj", seq, name, category=category, legal_basis="《中华人民共和国居民身份证法》第十一条")
        add("gaj", item, guide(item, online=seq != 2, online_url=JAVASCRIPT if seq == 3 else PORTAL + f"gaj/{seq}",
                               consult_other=f"{OUTSIDE} 或 {JAVASCRIPT}，官方渠道 {PORTAL}zx。",
                               faqs=[{"question": f"问题{SCRIPT}", "answer": f"</script>{SCRIPT}", "row": 5}]))
    for seq, name in ((1, "社会保险登记"), (2, "失业登记")):
        item = approved_item("rsj", seq, name, category="社会保障", audience="法人、自然人",
                             legal_basis="《中华人民共和国社会保险法》第五十七条")
        add("rsj", item, guide(item, audience="法人、自然人", visits=2, online=False, online_url=""))
    add("rsj", approved_item("rsj", 3, "就业困难人员认定", category="社会保障"), None)
    return rows


def certificate(org: str, name: str, disposition: str, *, items: tuple[str, ...], letter: str = "",
                **changes: object) -> SiteCertificate:
    entry = {"name": name, "items": list(items), "requester": NAMES[org], "issuer": "所在地社区居民委员会",
             "basis": "", "basis_level": "无", "disposition": disposition, "replacement": "", "share_source": "",
             "commitment": "", "verification": "", **changes}
    return SiteCertificate(org, NAMES[org], entry, letter)


CERTIFICATES = [
    certificate("jyj", "户口簿", Disposition.KEEP, items=("中小学生学籍证明",), issuer="沈阳市公安局",
                basis="《中华人民共和国户口登记条例》第四条", basis_level="行政法规"),
    certificate("jyj", "学历证明", Disposition.CANCEL, items=("教师资格认定",), replacement="通过学信网在线核验"),
    certificate("gaj", "居住证明", Disposition.COMMIT, items=("户籍证明",), letter=LETTER,
                commitment="本人在本市连续居住满一年", verification="与社区网格信息比对"),
    certificate("gaj", "亲属关系证明", Disposition.SHARE, items=("户籍证明",), share_source="沈阳市民政局"),
    certificate("rsj", "营业执照复印件证明", Disposition.LICENCE, items=("社会保险登记",), replacement="电子营业执照"),
]

CHANGES = [
    SiteChange(1, date(2016, 11, 30), "", "沈政办发〔2016〕88号", {}),
    SiteChange(2, date(2017, 3, 15), "动态调整：承接省级下放事项", "沈政办发〔2017〕12号", {
        "jyj": {"added": ["教师资格认定"], "removed": ["幼儿园办园许可"],
                "changed": {"普通话水平测试": [["办理时限（工作日）", 30, 20], ["是否收费", "否", "是"]]}},
        "rsj": {"added": ["就业困难人员认定"], "removed": [], "changed": {}},
    }),
]


def sample_site() -> Site:
    return Site(campaign_name="沈阳市简化优化公共服务流程方便基层群众办事创业工作", issued_by="沈阳市人民政府办公厅",
                version=2, approved_on=date(2016, 10, 28), meeting="市政府第 62 次常务会议",
                document="沈政办发〔2016〕88号", effective_on=date(2017, 3, 15),
                generated_at=datetime(2017, 3, 16, 9, 30), departments=list(DEPARTMENTS), items=_items(),
                certificates=list(CERTIFICATES), files=list(FILES), changes=list(CHANGES), allowed_links=ALLOWED,
                evaluations=[EVALUATION_MONTH])


EVALUATION_MONTH = {
    "month": "2017-01", "as_of": "2017-03-01",
    "totals": {"evaluations": 3, "bad": 1, "cases": 1, "rectified_on_time": 1, "rectified_late": 0, "overdue": 0,
               "unfounded": 0, "closed": 1, "open": 0},
    "by_level": {"headers": ["评价等级", "合计"], "rows": [["满意", 2], ["不满意", 1]]},
    "by_unit": {"headers": ["单位", "非常满意", "满意", "基本满意", "不满意", "非常不满意", "合计", "差评"],
                "rows": [["沈阳市教育局", 0, 2, 0, 1, 0, 3, 1]]},
    "by_item": {"headers": ["事项编码", "事项名称", "单位", "合计"], "rows": [["JYJ-001", "<script>alert(1)</script>", "沈阳市教育局", 3]]},
    "cases": {"headers": ["案件编号", "单位", "事项编码", "事项名称", "评价等级", "办理状态", "整改期限", "整改日期", "按期整改",
                          "申诉复核"],
              "rows": [[7, "沈阳市教育局", "JYJ-001", "中小学生学籍证明", "不满意", "已办结", "2017-02-28", "2017-02-16", "是", "否"]]},
}
