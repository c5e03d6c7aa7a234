"""The coordinators' dashboard over HTTP (Starlette's TestClient): the API's tokens, 401 and 404, each
role's view, sign-in with its rate limit, CSRF on every form, and the actions audited by name."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from reform.app import app as reform_app
from registry.users import service as users
from tests.conftest import postgres_database
from tests.dashboard_helpers import (
    PASSWORD,
    bearer,
    built_registries,
    copy_of,
    csrf_of,
    dashboard_client,
    log_in,
)


@pytest.fixture(scope="module")
def templates(seeded_templates, tmp_path_factory):
    template, drops = built_registries(seeded_templates, tmp_path_factory, postgres_database)
    yield template
    for drop in drops:
        drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def reg(request, templates, tmp_path, monkeypatch):
    built, drop = copy_of(request.param, templates(request.param), tmp_path, postgres_database)
    monkeypatch.setenv("REFORM_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REFORM_DATABASE_URL", built.url)
    yield built
    drop()


@pytest.fixture
def client(reg):
    with dashboard_client(reg.url) as c:
        yield c


def signed_in(client, person):
    response = log_in(client, person.name)
    assert response.status_code == 303 and response.headers["location"] == "/"
    return client


# --- the API -----------------------------------------------------------------------------------------

def test_the_api_without_a_token_answers_401(client):
    response = client.get("/api/obligations")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_token_answers_401(client):
    assert client.get("/api/standing", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_session_cookie_does_not_open_the_api(client, reg):
    signed_in(client, reg.people["city"])
    assert client.get("/api/obligations").status_code == 401


def test_the_citys_token_sees_every_campaigns_obligations(client, reg):
    entries = client.get("/api/obligations", headers=bearer(reg.people["city"])).json()
    assert {(e["campaign"], e["district"]) for e in entries} == {("shenyang-2016", None),
                                                                 ("shenyang-2016-210102", "210102")}
    assert set(entries[0]) == {"id", "campaign", "district", "org", "phase", "due", "state", "standing"}


def test_a_district_token_sees_only_its_districts_obligations(client, reg):
    city = client.get("/api/obligations", headers=bearer(reg.people["city"])).json()
    mine = client.get("/api/obligations", headers=bearer(reg.people["district"])).json()
    assert mine == [e for e in city if e["district"] == "210102"] and mine
    assert {e["org"].split("-")[0] for e in mine} == {"210102"}


def test_another_districts_id_answers_as_a_missing_one(client, reg):
    city_one = next(e for e in client.get("/api/obligations", headers=bearer(reg.people["city"])).json()
                    if e["district"] is None)
    other = client.get(f"/api/obligations/{city_one['id']}", headers=bearer(reg.people["district"]))
    missing = client.get("/api/obligations/999999", headers=bearer(reg.people["district"]))
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_one_obligation_comes_with_its_history(client, reg):
    [first] = [e for e in client.get("/api/obligations", headers=bearer(reg.people["district"])).json()
               if e["org"] == "210102-jyj" and e["phase"] == "inventory"]
    record = client.get(f"/api/obligations/{first['id']}", headers=bearer(reg.people["district"])).json()
    assert {k: record[k] for k in first} == first
    assert [(h["action"], h["to"]) for h in record["history"]] == [("开启", "待报送")]


def test_the_standing_matrix_has_the_colours_of_the_day(client, reg):
    matrix = client.get("/api/standing?as_of=2016-08-03", headers=bearer(reg.people["city"])).json()
    rows = {r["org"]: r for r in matrix["rows"]}
    # Due 2016-08-01 (7月底前, a Sunday moved to Monday): two working days late is a yellow card, and
    # 市教育局 handed its list in on time.
    assert rows["gaj"]["cells"]["inventory"] == {"count": 1, "open": 1, "colour": "yellow", "due": "2016-08-01"}
    assert rows["jyj"]["cells"]["inventory"]["colour"] == "done"
    later = client.get("/api/standing?as_of=2016-08-09", headers=bearer(reg.people["city"])).json()
    assert {r["org"]: r for r in later["rows"]}["gaj"]["cells"]["inventory"]["colour"] in ("red", "supervision")


def test_a_bad_date_is_refused_in_chinese(client, reg):
    response = client.get("/api/standing?as_of=2016-13-01", headers=bearer(reg.people["city"]))
    assert response.status_code == 400 and "YYYY-MM-DD" in response.json()["error"]


def test_an_agency_sees_only_what_its_organisation_owes(client, reg):
    entries = client.get("/api/obligations", headers=bearer(reg.people["agency"])).json()
    assert entries and {e["org"] for e in entries} == {"fzb"}


# --- signing in --------------------------------------------------------------------------------------

def test_pages_send_a_stranger_to_the_login(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_wrong_password_is_refused(client, reg):
    response = log_in(client, reg.people["city"].name, "wrong password")
    assert response.status_code == 401 and "用户名或密码不正确" in response.text


def test_five_failures_lock_the_name_even_for_the_right_password(client, reg):
    name = reg.people["city"].name
    assert [log_in(client, name, "wrong password").status_code for _ in range(5)] == [401] * 5
    locked = log_in(client, name, PASSWORD)
    assert locked.status_code == 429 and "分钟后再试" in locked.text and int(locked.headers["retry-after"]) > 0


def test_the_one_time_password_must_be_replaced_first(client, reg):
    made = users.add_user(reg.url, "新来的", "viewer", datetime(2016, 12, 1))
    assert log_in(client, "新来的", made.password).headers["location"] == "/password"
    assert client.get("/", follow_redirects=False).headers["location"] == "/password"
    page = client.get("/password").text
    changed = client.post("/password", data={"current": made.password, "new": "新的密码不少于十个字",
                                             "again": "新的密码不少于十个字", "csrf": csrf_of(page)},
                          follow_redirects=False)
    assert changed.headers["location"] == "/"
    assert client.get("/").status_code == 200


def test_the_session_cookie_is_signed_and_http_only(client, reg):
    response = log_in(client, reg.people["city"].name)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("reform_session=") and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    client.cookies.set("reform_session", "eyJ1c2VyIjogIuW4gue8luWnlOWKnueOi+S4vSJ9.forged.signature")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_every_page_carries_the_content_security_policy(client, reg):
    signed_in(client, reg.people["city"])
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


# --- what each role sees -----------------------------------------------------------------------------

def test_the_overview_shows_the_matrix_in_chinese(client, reg):
    page = signed_in(client, reg.people["city"]).get("/?as_of=2016-08-09").text
    assert '<html lang="zh-CN">' in page and '<meta name="viewport"' in page
    assert "单位 × 阶段" in page and '<th scope="col">清理自查</th>' in page
    assert '<a href="/org/gaj">市公安局</a>' in page


def test_the_overview_filters_by_standing_and_phase(client, reg):
    signed_in(client, reg.people["city"])
    late = client.get("/?as_of=2016-08-09&standing=late&phase=inventory").text
    assert '<a href="/org/gaj">' in late and '<a href="/org/jyj">' not in late


def test_an_unknown_phase_is_refused_with_the_codes_there_are(client, reg):
    page = signed_in(client, reg.people["city"]).get("/?phase=nosuch")
    assert page.status_code == 400 and "inventory" in page.text


def test_a_district_user_sees_only_its_district(client, reg):
    page = signed_in(client, reg.people["district"]).get("/").text
    assert "/org/210102-jyj" in page and '"/org/jyj"' not in page and "/org/210103" not in page


def test_another_districts_page_answers_404_as_a_missing_one(client, reg):
    signed_in(client, reg.people["district"])
    other, missing = client.get("/org/jyj"), client.get("/org/no-such-unit")
    assert other.status_code == missing.status_code == 404 and other.text == missing.text
    assert client.get("/districts").status_code == 404


def test_the_city_sees_a_districts_own_overview(client, reg):
    page = signed_in(client, reg.people["city"]).get("/?district=210102").text
    assert "和平区" in page and "/org/210102-jyj" in page


def test_an_organisation_page_shows_derivations_notices_and_submissions(client, reg):
    page = signed_in(client, reg.people["city"]).get("/org/jyj").text
    assert "期限如何得出" in page and "原文「7月底前」" in page
    assert "关于报送公共服务事项清单的通知" in page
    assert f'<a href="/submission/{reg.submission_id}/file">' in page
    assert page.count(f'<a href="/submission/{reg.submission_id}/file">') == 1  # agencies' replies name it too
    assert "已受理，3 项" in page and "【回执】公共服务事项清单已通过校验" in page


def test_a_stored_workbook_downloads_as_it_was_received(client, reg):
    signed_in(client, reg.people["city"])
    response = client.get(f"/submission/{reg.submission_id}/file")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "attachment" in response.headers["content-disposition"]


def test_a_district_cannot_download_the_citys_workbook(client, reg):
    signed_in(client, reg.people["district"])
    assert client.get(f"/submission/{reg.submission_id}/file").status_code == 404


def test_the_review_board_shows_the_conflict_to_decide(client, reg):
    page = signed_in(client, reg.people["city"]).get("/review").text
    assert "无法律法规依据" in page and f'action="/review/{reg.submission_id}/decide"' in page


def test_an_agency_sees_the_submissions_it_reviews_but_cannot_decide(client, reg):
    page = signed_in(client, reg.people["agency"]).get("/review").text
    assert f"<td>{reg.submission_id}</td>" in page and "/decide" not in page
    assert client.get("/ranking").status_code == 404
    assert client.get("/org/jyj").status_code == 404


def test_the_ranking_puts_the_latest_first(client, reg):
    page = signed_in(client, reg.people["city"]).get("/ranking").text
    assert "按逾期工作日" in page and "逾期工作日合计" in page


def test_the_districts_page_links_each_districts_overview(client, reg):
    page = signed_in(client, reg.people["city"]).get("/districts").text
    assert '<a href="/?district=210102">和平区</a>' in page and "shenyang-2016-210102" in page


def test_the_prefect_page_says_when_no_server_is_configured(client, reg):
    assert "PREFECT_API_URL" in signed_in(client, reg.people["city"]).get("/prefect").text


def test_names_are_escaped_on_the_page(client, reg):
    made = users.add_user(reg.url, "<script>alert(1)</script>", "viewer", datetime(2016, 12, 1))
    users.change_password(reg.url, made.user.name, made.password, PASSWORD)
    page = signed_in(client, made.user).get("/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- actions -----------------------------------------------------------------------------------------

def obligation_of(client, person, org: str, phase: str) -> int:
    return next(e["id"] for e in client.get("/api/obligations", headers=bearer(person)).json()
                if e["org"] == org and e["phase"] == phase)


def test_waiving_from_the_page_is_audited_with_the_users_name(client, reg):
    city = reg.people["city"]
    oid = obligation_of(client, city, "gaj", "inventory")
    page = signed_in(client, city).get(f"/obligation/{oid}").text
    done = client.post(f"/obligation/{oid}/waive", data={"csrf": csrf_of(page), "reason": "单位撤并"},
                       follow_redirects=False)
    assert done.status_code == 303
    record = client.get(f"/api/obligations/{oid}", headers=bearer(city)).json()
    assert record["state"] == "waived"
    assert (record["history"][-1]["actor"], record["history"][-1]["reason"]) == (city.name, "免除：单位撤并")


def test_a_form_without_its_csrf_token_changes_nothing(client, reg):
    city = reg.people["city"]
    oid = obligation_of(client, city, "gaj", "inventory")
    signed_in(client, city)
    refused = client.post(f"/obligation/{oid}/waive", data={"reason": "单位撤并"}, follow_redirects=False)
    forged = client.post(f"/obligation/{oid}/waive", data={"reason": "单位撤并", "csrf": "forged"})
    assert refused.status_code == forged.status_code == 403
    assert client.get(f"/api/obligations/{oid}", headers=bearer(city)).json()["state"] == "open"


def test_a_viewer_cannot_act(client, reg):
    oid = obligation_of(client, reg.people["city"], "gaj", "inventory")
    page = signed_in(client, reg.people["viewer"]).get(f"/obligation/{oid}").text
    assert "/waive" not in page
    refused = client.post(f"/obligation/{oid}/waive", data={"csrf": csrf_of(page), "reason": "试一试"})
    assert refused.status_code == 403 and "只能查看" in refused.text
    assert client.get(f"/api/obligations/{oid}", headers=bearer(reg.people["city"])).json()["state"] == "open"


def test_a_district_user_cannot_waive_the_citys_obligation(client, reg):
    oid = obligation_of(client, reg.people["city"], "gaj", "inventory")
    page = signed_in(client, reg.people["district"]).get("/").text
    response = client.post(f"/obligation/{oid}/waive", data={"csrf": csrf_of(page), "reason": "越权"})
    assert "没有编号为" in response.text  # told as a missing one, on the page it came from
    assert client.get(f"/api/obligations/{oid}", headers=bearer(reg.people["city"])).json()["state"] == "open"


def test_a_refusal_by_the_service_is_told_on_the_page(client, reg):
    oid = obligation_of(client, reg.people["city"], "jyj", "inventory")  # done already: cannot be waived
    page = signed_in(client, reg.people["city"]).get(f"/obligation/{oid}").text
    response = client.post(f"/obligation/{oid}/waive", data={"csrf": csrf_of(page), "reason": "试一试",
                                                              "back": f"/obligation/{oid}"})
    assert response.status_code == 200 and "请用 reform obligation reopen" in response.text


def test_a_resend_form_sent_twice_queues_one_copy(client, reg):
    city = reg.people["city"]
    oid = obligation_of(client, city, "jyj", "inventory")
    page = signed_in(client, city).get(f"/obligation/{oid}").text
    key = next(n["key"] for n in client.get(f"/api/obligations/{oid}", headers=bearer(city)).json()["notices"])
    form = {"csrf": csrf_of(page), "key": key, "request_key": "a1b2c3", "back": f"/obligation/{oid}"}
    first, second = client.post("/notice/resend", data=form), client.post("/notice/resend", data=form)
    assert "已重新排队" in first.text and "未重复发送" in second.text
    notices = client.get(f"/api/obligations/{oid}", headers=bearer(city)).json()["notices"]
    assert [n["key"].startswith("resend:a1b2c3:") for n in notices].count(True) == 1
    audit = client.get("/audit").text
    assert "重发通知" in audit and f"<td>{city.name}</td>" in audit


def test_deciding_a_conflict_is_audited_with_the_users_name(client, reg):
    city = reg.people["city"]
    page = signed_in(client, city).get("/review").text
    done = client.post(f"/review/{reg.submission_id}/decide",
                       data={"csrf": csrf_of(page), "item": "1", "opinion": "取消", "reason": "无法律依据"})
    assert "已决定" in done.text and f"决定人 {city.name}" in done.text
    assert city.name in client.get("/audit").text


# --- the command line --------------------------------------------------------------------------------

def test_reform_user_add_prints_the_password_and_token_as_json(reg):
    result = CliRunner().invoke(reform_app, ["user", "add", "和平区观察", "--role", "viewer", "--district", "和平区",
                                             "--format", "json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert {"name", "password", "token"} <= set(made) and made["district"] == "210102"
    assert users.user_for_token(reg.url, made["token"]).name == "和平区观察"


def test_reform_user_add_names_every_problem_at_once(reg):
    result = CliRunner().invoke(reform_app, ["user", "add", "市编委办王丽", "--role", "district", "--district", "999999"])
    assert result.exit_code == 2
    assert "已存在" in result.stderr and "没有区县代码 '999999'" in result.stderr


def test_the_overview_shows_a_change_at_once(client, reg):
    city = reg.people["city"]
    oid = obligation_of(client, city, "gaj", "inventory")
    signed_in(client, city)
    before = client.get("/?phase=inventory").text  # computed and kept (dashboard.overview_cache)
    assert '<a href="/org/gaj">市公安局</a></th><td class="s">督1 08-01' in before  # at 督查 by December
    page = client.get(f"/obligation/{oid}").text
    client.post(f"/obligation/{oid}/waive", data={"csrf": csrf_of(page), "reason": "单位撤并"})
    assert '<a href="/org/gaj">市公安局</a></th><td class="k">完' in client.get("/?phase=inventory").text


def test_the_prefect_page_shows_each_flows_last_run(reg, prefect_server):
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL

    from dashboard.app import create_app
    from dashboard.settings import DashboardSettings
    from tests.dashboard_helpers import AS_OF, SECRET

    # The session's Prefect server has served the files run before this one: a mailbox poll that one
    # of them ran would be that flow's last run here.
    with get_client(sync_client=True) as prefect:
        for polls in prefect.read_flows(flow_filter=FlowFilter(name=FlowFilterName(any_=["mailbox-intake"]))):
            prefect.delete_flow(polls.id)

    @flow(name="daily-sweep")
    def sweep_stand_in() -> int:
        return 1

    sweep_stand_in()
    api = PREFECT_API_URL.value()
    settings = DashboardSettings(secret=SECRET, prefect_api_url=api, prefect_ui_url="http://prefect.test")
    from starlette.testclient import TestClient

    with TestClient(create_app(reg.url, settings, as_of=AS_OF)) as client:
        page = signed_in(client, reg.people["city"]).get("/prefect").text
    sweep_row = page.split("督办扫描（daily-sweep）", 1)[1].split("</tr>", 1)[0]
    assert "已完成" in sweep_row and 'href="http://prefect.test/runs/flow-run/' in sweep_row
    assert "从未运行" in page.split("邮箱收取（mailbox-intake）", 1)[1].split("</tr>", 1)[0]
