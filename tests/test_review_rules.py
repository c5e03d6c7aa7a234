"""The pure rules of parallel review: checking an agency's rows, pre-flags, the merge, the diff, routing."""
from __future__ import annotations

from registry.review.obligations import load_angles
from rules.review import (
    AgencyOpinion,
    ReviewRow,
    Route,
    check_review_rows,
    diff_lists,
    merge_item,
    merge_opinions,
    pre_flags,
    route_for,
)

PACKET = [(1, "就业失业登记"), (2, "法律援助申请"), (3, "健康证明办理")]


def rows(*opinions, order=(0, 1, 2)):
    return [ReviewRow(n + 2, str(PACKET[i][0]), PACKET[i][1], *opinions[k]) for n, (k, i) in
            enumerate(zip(range(len(order)), order))]


def item(**fields):
    base = {"seq": 1, "name": "就业失业登记", "legal_basis": "《就业促进法》第三十五条", "charged": False, "fee_basis": "",
            "time_limit_days": 3}
    return {**base, **fields}


def test_complete_rows_with_allowed_opinions_pass():
    assert check_review_rows(PACKET, rows(("保留",), ("调整", "", "时限改为5日"), ("取消", "无法律依据"))) == []


def test_cancel_without_a_reason_is_named_with_its_row():
    [finding] = check_review_rows(PACKET, rows(("保留",), ("取消",), ("保留",)))
    assert (finding.row, finding.column) == (3, "审核理由")
    assert "取消" in finding.what


def test_an_opinion_outside_the_allowed_values_is_refused():
    [finding] = check_review_rows(PACKET, rows(("同意",), ("保留",), ("保留",)))
    assert "「同意」不是可选的值" in finding.what and "保留、取消、调整、合并" in finding.fix


def test_an_opinion_with_a_hidden_character_is_shown_with_it_made_visible():
    [finding] = check_review_rows(PACKET, rows(("保留\u200b",), ("保留",), ("保留",)))
    assert finding.what == "审核意见「保留⟨U+200B⟩」含不可见字符 U+200B（零宽空格），删除或改正后即为「保留」"


def test_full_width_opinions_are_read_as_the_same_opinion():
    assert check_review_rows(PACKET, rows((" 保留 ",), ("保留",), ("保留",))) == []


def test_an_added_row_is_reported():
    extra = rows(("保留",), ("保留",), ("保留",)) + [ReviewRow(5, "4", "新增事项", "保留")]
    [finding] = check_review_rows(PACKET, extra)
    assert finding.row == 5 and "新增" in finding.what


def test_a_removed_row_is_reported_by_its_number_and_name():
    [finding] = check_review_rows(PACKET, rows(("保留",), ("保留",), order=(0, 2)))
    assert "序号 2「法律援助申请」被删除" in finding.what


def test_reordered_rows_are_reported_once():
    findings = check_review_rows(PACKET, rows(("保留",), ("保留",), ("保留",), order=(1, 0, 2)))
    assert len(findings) == 1 and "顺序" in findings[0].what


def test_rows_are_matched_by_number_and_name_together():
    renamed = [ReviewRow(2, "1", "就业登记", "保留"), *rows(("保留",), ("保留",), order=(1, 2))[0:2]]
    whats = " ".join(f.what for f in check_review_rows(PACKET, renamed))
    assert "不在送审清单中" in whats and "被删除" in whats


def test_no_legal_basis_is_flagged_for_the_legal_office_only():
    angles = load_angles()
    bare = item(legal_basis="")
    assert "未填写设定依据" in pre_flags(bare, angles["fzb"])
    assert pre_flags(bare, angles["czj"]) == []


def test_a_fee_without_a_stated_basis_is_flagged_for_finance():
    assert pre_flags(item(charged=True), load_angles()["czj"]) == ["收费事项未写明收费依据及标准"]


def test_a_time_limit_beyond_the_statutory_one_is_flagged_for_the_service_office():
    [flag] = pre_flags(item(time_limit_days=8), load_angles()["zwfwb"])  # 就业失业登记: 5 by the configuration
    assert "超过法定时限 5 个工作日" in flag


def test_a_missing_time_limit_is_flagged():
    assert pre_flags(item(time_limit_days=None), load_angles()["zwfwb"]) == ["未填写办理时限"]


def test_scope_words_are_flagged_for_the_editorial_office():
    [flag] = pre_flags(item(name="户外广告设置审批"), load_angles()["bwb"])
    assert "审批" in flag


def test_unanimous_opinions_merge_without_conflict():
    merged = merge_item("1", "x", {a: AgencyOpinion("保留") for a in ("bwb", "fzb", "czj", "zwfwb")})
    assert (merged.outcome, merged.conflict) == ("保留", False)


def test_keep_against_cancel_is_a_conflict_for_the_coordinator():
    merged = merge_item("1", "x", {"bwb": AgencyOpinion("保留"), "fzb": AgencyOpinion("取消", "无依据"),
                                   "czj": AgencyOpinion("保留"), "zwfwb": AgencyOpinion("保留")})
    assert merged.conflict and merged.outcome is None


def test_one_adjustment_among_keeps_applies():
    merged = merge_item("1", "x", {"bwb": AgencyOpinion("保留"), "zwfwb": AgencyOpinion("调整", "", "时限改为3日")})
    assert (merged.outcome, merged.adjusted, merged.conflict) == ("调整", "时限改为3日", False)


def test_two_different_adjustments_conflict():
    merged = merge_item("1", "x", {"fzb": AgencyOpinion("调整", "", "依据改为A"),
                                   "zwfwb": AgencyOpinion("调整", "", "时限改为3日")})
    assert merged.conflict


def test_merge_follows_the_packet_order():
    by_agency = {"fzb": {("2", "法律援助申请"): AgencyOpinion("保留"), ("1", "就业失业登记"): AgencyOpinion("保留"),
                         ("3", "健康证明办理"): AgencyOpinion("保留")}}
    assert [m.seq for m in merge_opinions(PACKET, by_agency)] == ["1", "2", "3"]


def test_the_diff_names_added_removed_and_changed_items():
    before = [item(), item(seq=2, name="法律援助申请")]
    after = [item(time_limit_days=2), item(seq=2, name="健康证明办理")]
    diff = diff_lists(before, after)
    assert (diff.added, diff.removed) == (["健康证明办理"], ["法律援助申请"])
    assert [c.field for c in diff.changed["就业失业登记"]] == ["办理时限（工作日）"]


def test_a_renumbered_item_is_not_a_change():
    assert diff_lists([item()], [item(seq=7)]).empty


def test_a_list_after_its_written_opinion_is_the_departments_response():
    assert route_for(zero_report=False, already_routed=False, reviewed_before=True,
                     opinion_issued_before=True) is Route.RESPONSE


def test_a_list_replacing_one_still_under_review_is_reviewed_anew():
    assert route_for(zero_report=False, already_routed=False, reviewed_before=True,
                     opinion_issued_before=False) is Route.REVIEW


def test_zero_reports_are_not_reviewed():
    assert route_for(zero_report=True, already_routed=False, reviewed_before=False,
                     opinion_issued_before=False) is Route.SKIP
