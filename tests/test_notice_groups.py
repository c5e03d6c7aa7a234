"""One message per organisation, rung and day: the grouping rule alone, no database."""
from __future__ import annotations

from datetime import date

from rules.notice_groups import NoticeGroup, RungDecision, group_decisions, rung_order

DAY = date(2016, 10, 8)
DUE = date(2016, 9, 30)


def test_an_agencys_26_reviews_at_one_rung_make_one_group():
    decisions = [RungDecision(100 + n, "fzb", "yellow", DUE) for n in range(26)]
    [group] = group_decisions(DAY, decisions)
    assert (group.recipient, group.rung, group.on, len(group)) == ("fzb", "yellow", DAY, 26)
    assert group.obligation_ids == tuple(range(100, 126))


def test_each_organisation_and_rung_is_its_own_group():
    decisions = [RungDecision(1, "jyj", "yellow", DUE), RungDecision(2, "fzb", "yellow", DUE),
                 RungDecision(3, "jyj", "red", date(2016, 9, 27)), RungDecision(4, "jyj", "yellow", DUE)]
    assert group_decisions(DAY, decisions) == [
        NoticeGroup("fzb", "yellow", DAY, (2,)),
        NoticeGroup("jyj", "yellow", DAY, (1, 4)),
        NoticeGroup("jyj", "red", DAY, (3,)),
    ]


def test_the_order_is_stable_whatever_order_the_decisions_come_in():
    decisions = [RungDecision(9, "czj", "reminder-1", date(2016, 10, 10)),
                 RungDecision(3, "czj", "reminder-1", date(2016, 10, 10)),
                 RungDecision(7, "czj", "reminder-1", date(2016, 10, 9)),
                 RungDecision(5, "bwb", "reminder-5", date(2016, 10, 17)),
                 RungDecision(4, "czj", "reminder-5", date(2016, 10, 17))]
    expected = [NoticeGroup("bwb", "reminder-5", DAY, (5,)),
                NoticeGroup("czj", "reminder-5", DAY, (4,)),
                NoticeGroup("czj", "reminder-1", DAY, (7, 3, 9))]  # the earliest due first, then by number
    assert group_decisions(DAY, decisions) == expected
    assert group_decisions(DAY, reversed(decisions)) == expected


def test_no_decisions_make_no_groups():
    assert group_decisions(DAY, []) == []


def test_rungs_sort_as_the_ladder_climbs():
    rungs = ["supervision", "reminder-1", "yellow", "reminder-5", "red", "reminder-3"]
    assert sorted(rungs, key=rung_order) == ["reminder-5", "reminder-3", "reminder-1", "yellow", "red",
                                             "supervision"]
