"""好差评 (item 14): the terminals' export imported or refused whole, each 差评's case from
verification to its 回访 and one appeal, on the ladder, the month's public summary without anything
personal, and a person erased on request while the figures stay."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from reform.app import app
from registry.calendar.store import load_calendar
from registry.campaign.tables import AuditEntry, Obligation, Phase
from registry.db import transaction
from registry.evaluations import service
from registry.outbox.tables import OutboxMessage
from registry.review.approval import item_code
from registry.review.tables import ApprovedListVersion
from registry.supervision import service as supervision
from registry.supervision.tables import Complaint, RungTaken
from rules.evaluations import EvaluationError
from tests.second_half_helpers import approved_department

HEADER = ["评价时间", "事项编码", "事项名称", "办理单位", "评价等级", "评价内容", "评价人", "联系电话"]
PEOPLE = [("张晓梅", "13812345678"), ("李建国", "13987654321"), ("王丽", "024-23456789"), ("赵强", "15500001111")]
VERIFIED = date(2017, 1, 9)
IMPORTED_AT = datetime(2017, 1, 6, 18, 0)  # the day's export, imported that evening


def _csv(rows: list[list[str]], header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def _items(url: str) -> list[tuple[str, str]]:
    with transaction(url) as session:
        version = session.scalar(select(ApprovedListVersion).order_by(ApprovedListVersion.version.desc()))
        return [(item_code("jyj", n), item["name"]) for n, item in enumerate(version.snapshot["jyj"], start=1)]


def _month(url: str) -> list[list[str]]:
    """Four evaluations of January 2017: two good, two 差评, the second found by the item's name."""
    (code1, _), (_, name2), *_ = _items(url)
    return [["2017-01-05 09:30", code1, "", "jyj", "满意", "办得很快", *PEOPLE[0]],
            ["2017/1/6", code1, "", "jyj", "非常满意", "", *PEOPLE[1]],
            ["2017-01-06 14:00", "", name2, "jyj", "不满意", "窗口让我跑了三趟", *PEOPLE[2]],
            ["2017年1月6日", code1, "", "市教育局", "非常不满意", "材料要求前后不一", *PEOPLE[3]]]


@pytest.fixture
def approved(initialised) -> str:
    approved_department(initialised)
    return initialised


@pytest.fixture
def imported(approved) -> tuple[str, list[int]]:
    result = service.import_evaluations(approved, _csv(_month(approved)), "2017-01.csv", IMPORTED_AT)
    assert not result["problems"], result["problems"]
    return approved, result["cases"]


def _founded(url: str, case_id: int) -> dict:
    return service.verify(url, case_id, True, "窗口确未一次告知", VERIFIED)


# --- import ---------------------------------------------------------------------------------------

def test_an_export_is_imported_and_each_of_its_bad_evaluations_opens_a_case(imported):
    url, cases = imported
    assert len(cases) == 2
    listed = service.list_cases(url, "2017-01")
    assert [(c["level"], c["state"], c["unit_code"]) for c in listed] == [("不满意", "verifying", "jyj"),
                                                                          ("非常不满意", "verifying", "jyj")]


def test_an_item_given_by_name_is_tied_to_its_code_in_the_approved_list(imported):
    url, _ = imported
    (_, _), (code2, name2), *_ = _items(url)
    first = service.list_cases(url)[0]
    assert (first["item_code"], first["item_name"]) == (code2, name2)


def test_an_xlsx_export_is_read_like_a_csv_one(approved):
    book = Workbook()
    book.active.append(["评价时间", "事项名称", "办理单位", "评价等级"])
    name = _items(approved)[0][1]
    book.active.append([datetime(2017, 1, 6, 10, 0), name, "jyj", "非常不满意"])
    out = io.BytesIO()
    book.save(out)
    result = service.import_evaluations(approved, out.getvalue(), "终端导出.xlsx", IMPORTED_AT)
    assert (result["problems"], result["evaluations"], len(result["cases"])) == ([], 1, 1)
    assert service.list_cases(approved)[0]["evaluated_at"] == "2017-01-06 10:00:00"


def test_a_csv_export_saved_in_gb18030_is_read(approved):
    content = _csv(_month(approved)).decode("utf-8-sig").encode("gb18030")
    result = service.import_evaluations(approved, content, "导出.csv", IMPORTED_AT)
    assert (result["problems"], result["evaluations"]) == ([], 4)


def test_a_bad_export_is_told_row_by_row_and_nothing_is_imported(approved):
    code1 = _items(approved)[0][0]
    rows = [["2017-01-05 09:30", code1, "", "jyj", "满意", "", "", ""],
            ["2017-01-05 09:40", code1, "", "不存在的局", "满意", "", "", ""],
            ["2017-01-05 09:50", "JYJ-999", "", "jyj", "满意", "", "", ""],
            ["2017-01-05 10:00", code1, "", "jyj", "很好", "", "", ""],
            ["明天", code1, "", "jyj", "不满意", "", "", ""]]
    result = service.import_evaluations(approved, _csv(rows), "bad.csv", IMPORTED_AT)
    told = [(p.row, p.column) for p in result["problems"]]
    assert told == [(3, "办理单位"), (4, "事项编码"), (5, "评价等级"), (6, "评价时间")]
    assert result["evaluations"] == 0
    assert service.monthly_summary(approved, "2017-01")["totals"]["evaluations"] == 0


def test_an_export_without_a_required_header_is_refused(approved):
    result = service.import_evaluations(approved, _csv([["2017-01-05", "jyj", "满意"]], ["评价时间", "办理单位", "等级"]),
                                        "bad.csv", IMPORTED_AT)
    assert {p.column for p in result["problems"]} == {"评价等级", "事项编码"}


def test_the_same_export_imported_twice_is_refused_the_second_time(imported):
    url, _ = imported
    again = service.import_evaluations(url, _csv(_month(url)), "2017-01.csv", IMPORTED_AT)
    assert [p.what for p in again["problems"]] == ["这个文件已经导入过"]
    assert service.monthly_summary(url, "2017-01")["totals"]["evaluations"] == 4


# --- a case's life --------------------------------------------------------------------------------

def test_a_founded_case_owes_a_rectification_in_fifteen_working_days_on_the_ladder(imported):
    url, [case_id, _] = imported
    case = _founded(url, case_id)
    with transaction(url) as session:
        obligation = session.get(Obligation, case["obligation_id"])
        phase = session.get(Phase, obligation.phase_id)
        expected = load_calendar(session).add_working_days(VERIFIED, 15)
        assert (phase.code, obligation.ref, obligation.state) == ("evaluation_cases", f"evaluation-case-{case_id}",
                                                                   "open")
    assert (case["state"], case["due"]) == ("rectifying", expected.isoformat())


def _owed(url: str, ref: str) -> Obligation:
    with transaction(url) as session:
        obligation = session.scalar(select(Obligation).where(Obligation.ref == ref))
        session.expunge(obligation)
        return obligation


def test_a_new_case_owes_its_verification_by_the_unit_from_the_day_it_was_imported(imported):
    url, [case_id, _] = imported
    owed = _owed(url, f"evaluation-case-{case_id}/verify")
    with transaction(url) as session:
        expected = load_calendar(session).add_working_days(IMPORTED_AT.date(), 5)
    assert (owed.state, owed.due) == ("open", expected)
    _founded(url, case_id)
    assert _owed(url, f"evaluation-case-{case_id}/verify").state == "fulfilled"


def test_an_unfounded_finding_owes_a_review_by_the_general_office(imported):
    url, [_, case_id] = imported
    service.verify(url, case_id, False, "评价人误解", VERIFIED)
    with transaction(url) as session:
        office = session.get(Obligation, _owed(url, f"evaluation-case-{case_id}/review").id).debtor
        assert "general_office" in office.roles
    service.review(url, case_id, True, "同意", date(2017, 1, 12))
    assert _owed(url, f"evaluation-case-{case_id}/review").state == "fulfilled"


def test_a_founded_case_tells_the_unit_what_to_rectify_without_naming_the_evaluator(imported):
    url, [case_id, _] = imported
    case = _founded(url, case_id)
    with transaction(url) as session:
        [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "evaluation_case"))
        assert case["due"] in message.subject and "窗口让我跑了三趟" in message.text
        assert PEOPLE[2][0] not in message.text and PEOPLE[2][1] not in message.text


def test_rectified_then_visited_closes_the_case_on_time(imported):
    url, [case_id, _] = imported
    _founded(url, case_id)
    service.rectified(url, case_id, "已实行一次告知", date(2017, 1, 20))
    closed = service.visit(url, case_id, "满意", "评价人认可整改", date(2017, 1, 23))
    assert (closed["state"], closed["on_time"], closed["visit_result"]) == ("closed", True, "满意")
    with transaction(url) as session:
        assert session.get(Obligation, closed["obligation_id"]).state == "fulfilled"


def test_a_visit_before_the_rectification_is_refused(imported):
    url, [case_id, _] = imported
    _founded(url, case_id)
    with pytest.raises(EvaluationError, match="回访须在整改之后"):
        service.visit(url, case_id, "满意", "", date(2017, 1, 12))


def test_a_visit_before_verification_is_refused(imported):
    url, [case_id, _] = imported
    with pytest.raises(EvaluationError, match="待核实"):
        service.visit(url, case_id, "满意", "", date(2017, 1, 12))


def test_a_verification_without_a_reason_is_refused(imported):
    url, [case_id, _] = imported
    with pytest.raises(EvaluationError, match="核实理由不能为空"):
        service.verify(url, case_id, True, " ", VERIFIED)


def test_an_unfounded_case_closes_when_the_general_office_agrees(imported):
    url, [_, case_id] = imported
    reviewing = service.verify(url, case_id, False, "材料要求一直未变，评价人误解", VERIFIED)
    assert (reviewing["state"], reviewing["obligation_id"]) == ("reviewing", None)
    closed = service.review(url, case_id, True, "同意", date(2017, 1, 12))
    assert (closed["state"], closed["closed_on"]) == ("unfounded", "2017-01-12")


def test_an_unfounded_case_the_general_office_disagrees_with_is_rectified(imported):
    url, [_, case_id] = imported
    service.verify(url, case_id, False, "评价人误解", VERIFIED)
    founded = service.review(url, case_id, False, "材料清单确有两个版本", date(2017, 1, 12))
    assert (founded["state"], founded["founded"]) == ("rectifying", True)
    assert founded["obligation_id"] is not None


def test_a_founded_case_cannot_be_reviewed(imported):
    url, [case_id, _] = imported
    _founded(url, case_id)
    with pytest.raises(EvaluationError, match="不能复核"):
        service.review(url, case_id, True, "", date(2017, 1, 12))


def test_an_appeal_reopens_a_closed_case_and_a_second_appeal_is_refused(imported):
    url, [_, case_id] = imported
    service.verify(url, case_id, False, "评价人误解", VERIFIED)
    service.review(url, case_id, True, "同意", date(2017, 1, 12))
    reopened = service.appeal(url, case_id, "我有当时的录音", date(2017, 1, 16))
    assert (reopened["state"], reopened["appealed"], reopened["closed_on"]) == ("verifying", True, None)
    again = service.verify(url, case_id, True, "录音证实", date(2017, 1, 17))
    assert again["obligation_id"] is not None
    with transaction(url) as session:
        assert session.get(Obligation, again["obligation_id"]).ref == f"evaluation-case-{case_id}/appeal"
    service.rectified(url, case_id, "统一材料清单", date(2017, 1, 20))
    service.visit(url, case_id, "基本满意", "", date(2017, 1, 23))
    with pytest.raises(EvaluationError, match="已申诉复核过一次"):
        service.appeal(url, case_id, "还是不满意", date(2017, 1, 24))


def test_an_appeal_on_a_case_still_being_handled_is_refused(imported):
    url, [case_id, _] = imported
    with pytest.raises(EvaluationError, match="申诉针对已办结的案件"):
        service.appeal(url, case_id, "快点", date(2017, 1, 10))


def test_an_overdue_rectification_is_carded_by_the_daily_sweep(imported):
    url, [case_id, _] = imported
    case = _founded(url, case_id)
    with transaction(url) as session:
        late = load_calendar(session).add_working_days(date.fromisoformat(case["due"]), 1)
    supervision.sweep_day(url, late, mail_domain="example.org")
    with transaction(url) as session:
        rungs = set(session.scalars(select(RungTaken.rung).where(RungTaken.obligation_id == case["obligation_id"])))
    assert "yellow" in rungs


def test_a_bad_evaluation_of_a_complaint_answer_opens_a_case_on_its_department(initialised):
    c = supervision.record_complaint(initialised, text="窗口推诿", received_on=date(2017, 1, 3), department="jyj",
                                     complainant="孙悦", contact="13600000000", mail_domain="example.org")
    supervision.answer_complaint(initialised, c.id, "已约谈窗口负责人", date(2017, 1, 10))
    rated = service.evaluate_complaint(initialised, c.id, "不满意", date(2017, 1, 12))
    [case] = service.list_cases(initialised)
    assert (rated["case_id"], case["unit_code"], case["complaint_id"]) == (case["id"], "jyj", c.id)


def test_a_good_evaluation_of_a_complaint_answer_opens_no_case(initialised):
    c = supervision.record_complaint(initialised, text="窗口推诿", received_on=date(2017, 1, 3), department="jyj",
                                     mail_domain="example.org")
    supervision.answer_complaint(initialised, c.id, "已约谈窗口负责人", date(2017, 1, 10))
    assert service.evaluate_complaint(initialised, c.id, "满意", date(2017, 1, 12))["case_id"] is None


# --- the public summary and personal data ---------------------------------------------------------

def _everything_personal() -> list[str]:
    return [text for pair in PEOPLE for text in pair] + ["办得很快", "窗口让我跑了三趟", "材料要求前后不一"]


def _workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)


def test_the_summary_counts_by_level_unit_and_item(imported):
    url, _ = imported
    summary = service.monthly_summary(url, "2017-01")
    by_level = {row[0]: row[-1] for row in summary["by_level"]["rows"]}
    assert by_level == {"非常满意": 1, "满意": 1, "基本满意": 0, "不满意": 1, "非常不满意": 1}
    assert [row[-2:] for row in summary["by_unit"]["rows"]] == [[4, 2]]
    assert {row[0]: row[-2] for row in summary["by_item"]["rows"]} == {_items(url)[0][0]: 3, _items(url)[1][0]: 1}


def test_the_summary_says_whether_each_case_was_rectified_on_time(imported):
    url, [first, second] = imported
    _founded(url, first)
    service.rectified(url, first, "已整改", date(2017, 1, 20))
    service.visit(url, first, "满意", "", date(2017, 1, 23))
    _founded(url, second)
    case = service.list_cases(url)[1]
    with transaction(url) as session:
        late = load_calendar(session).add_working_days(date.fromisoformat(case["due"]), 2)
    service.rectified(url, second, "已整改", late)
    totals = service.monthly_summary(url, "2017-01")["totals"]
    assert (totals["rectified_on_time"], totals["rectified_late"], totals["open"]) == (1, 1, 1)


def test_a_rectification_still_owed_reads_overdue_in_the_summary_once_past_its_deadline(imported):
    url, [case_id, _] = imported
    due = date.fromisoformat(_founded(url, case_id)["due"])
    before = service.monthly_summary(url, "2017-01", as_of=due)
    after = service.monthly_summary(url, "2017-01", as_of=date(2017, 3, 1))
    assert (before["cases"]["rows"][0][8], after["cases"]["rows"][0][8]) == ("未到期", "逾期未整改")
    assert after["totals"]["overdue"] == 1


def test_the_summary_and_its_workbook_hold_no_name_phone_or_text(imported):
    url, [case_id, _] = imported
    _founded(url, case_id)
    service.rectified(url, case_id, "已整改", date(2017, 1, 20))
    service.visit(url, case_id, "满意", "张晓梅表示认可", date(2017, 1, 23))
    published = json.dumps(service.monthly_summary(url, "2017-01"), ensure_ascii=False)
    workbook = _workbook_text(service.monthly_summary_workbook(url, "2017-01"))
    assert [t for t in _everything_personal() if t in published or t in workbook] == []


def test_the_case_list_holds_no_person_and_the_coordinators_view_does(imported):
    url, [case_id, _] = imported
    listed = json.dumps(service.list_cases(url), ensure_ascii=False)
    assert [t for pair in PEOPLE for t in pair if t in listed] == []
    shown = service.show_case(url, case_id)
    assert (shown["person"], shown["contact"]) == PEOPLE[2]


def test_forgetting_an_evaluator_erases_the_person_and_keeps_the_case_and_figures(imported):
    url, [case_id, _] = imported
    before = service.monthly_summary(url, "2017-01")
    service.forget_case(url, case_id, date(2017, 2, 3), reason="本人来电要求")
    shown = service.show_case(url, case_id)
    assert (shown["person"], shown["contact"], shown["state"]) == ("", "", "verifying")
    assert service.monthly_summary(url, "2017-01") == before
    with transaction(url) as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "evaluation_person"))
        assert (entry.action, entry.reason) == ("forget", "本人来电要求")


def test_forgetting_a_complainant_erases_them_from_the_complaint_and_its_notices(initialised):
    c = supervision.record_complaint(initialised, text="没人受理", received_on=date(2017, 1, 3),
                                     complainant="孙悦", contact="13600000000", mail_domain="example.org")
    service.forget_complaint(initialised, c.id, date(2017, 1, 5))
    with transaction(initialised) as session:
        complaint = session.get(Complaint, c.id)
        assert (complaint.complainant, complaint.complainant_contact, complaint.text) == ("", "", "没人受理")
        assert complaint.person.erased_on == date(2017, 1, 5)
        texts = " ".join(m.text for m in session.scalars(select(OutboxMessage)))
        assert "孙悦" not in texts and "13600000000" not in texts
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.entity == "complaint")) == "forget"


# --- the command line -----------------------------------------------------------------------------

def test_reform_evaluations_import_lists_every_problem_and_exits_1(approved, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([["2017-01-05", "JYJ-999", "", "jyj", "很好", "", "", ""]]))
    result = CliRunner().invoke(app, ["evaluations", "import", str(path)])
    assert result.exit_code == 1
    assert "JYJ-999" in result.output and "很好" in result.output


def test_reform_evaluations_visit_before_rectification_is_a_one_line_refusal(imported):
    url, [case_id, _] = imported
    runner = CliRunner()
    assert runner.invoke(app, ["evaluations", "verify", str(case_id), "--founded", "--reason", "属实"]).exit_code == 0
    result = runner.invoke(app, ["evaluations", "visit", str(case_id), "--result", "满意"])
    assert result.exit_code == 2 and "回访须在整改之后" in result.output


def test_reform_evaluations_list_json_names_no_person(imported):
    result = CliRunner().invoke(app, ["evaluations", "list", "--month", "2017-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 2 and "person" not in rows[0]


def test_reform_complaint_evaluate_with_a_bad_level_opens_a_case(initialised):
    c = supervision.record_complaint(initialised, text="窗口推诿", received_on=date(2017, 1, 3), department="jyj",
                                     mail_domain="example.org")
    supervision.answer_complaint(initialised, c.id, "已约谈", date(2017, 1, 10))
    result = CliRunner().invoke(app, ["complaint", "evaluate", str(c.id), "非常不满意", "--on", "2017-01-12"])
    assert result.exit_code == 0, result.output
    assert "差评案件第 1 号" in result.output


def test_reform_evaluations_summary_writes_the_workbook(imported, tmp_path):
    out = tmp_path / "2017-01.xlsx"
    result = CliRunner().invoke(app, ["evaluations", "summary", "2017-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["按等级", "按单位", "按事项", "差评办理"]


# --- complainants moved out of the complaints table -----------------------------------------------

_ORG = "(SELECT id FROM organisations WHERE code = 'bwb')"
_CAMPAIGN = "(SELECT id FROM campaigns WHERE code = 'shenyang-2016')"
_BEFORE = [
    "INSERT INTO organisations (code, name, short_name, kind, roles, division_code, address)"
    " VALUES ('bwb', '沈阳市编委办', '市编委办', 'department', '[\"coordinator\"]', '', '')",
    "INSERT INTO campaigns (code, name, level, year, owner_org_id, issued_by, shift, settings)"
    f" VALUES ('shenyang-2016', '工作方案', 'city', 2016, {_ORG}, '', 'next', '{{}}')",
    "INSERT INTO complaints (campaign_id, received_on, channel, complainant, complainant_contact, subject, text,"
    f" named_department, state, answer) VALUES ({_CAMPAIGN}, '2016-07-01', 'letter', '张三', '13000000000',"
    " '办事难', '跑了三趟', '市编委办', 'unassigned', '')",
    "INSERT INTO complaints (campaign_id, received_on, channel, complainant, complainant_contact, subject, text,"
    f" named_department, state, answer) VALUES ({_CAMPAIGN}, '2016-07-02', 'letter', '', '',"
    " '匿名', '不留名', '市编委办', 'unassigned', '')",
]


def _upgrade(url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from registry.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    if revision.startswith("-"):
        command.downgrade(config, revision[1:])
    else:
        command.upgrade(config, revision)


def _complaints_before_the_move(url: str) -> None:
    from sqlalchemy import text

    from registry.db import engine_for

    _upgrade(url, "0012")
    with engine_for(url).begin() as connection:
        for row in _BEFORE:
            connection.execute(text(row))


def test_upgrading_moves_each_complainant_into_a_person_of_their_own(database_url):
    from registry.db import migrate

    _complaints_before_the_move(database_url)
    migrate(database_url)
    with transaction(database_url) as session:
        named, anonymous = session.scalars(select(Complaint).order_by(Complaint.id))
        assert (named.complainant, named.complainant_contact, named.text) == ("张三", "13000000000", "跑了三趟")
        assert (anonymous.person_id, anonymous.complainant) == (None, "")


def test_downgrading_puts_the_complainants_back_on_their_complaints(database_url):
    from sqlalchemy import text

    from registry.db import engine_for, migrate

    _complaints_before_the_move(database_url)
    migrate(database_url)
    _upgrade(database_url, "-0012")
    with engine_for(database_url).connect() as connection:
        rows = connection.execute(text("SELECT complainant, complainant_contact FROM complaints ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("张三", "13000000000"), ("", "")]
