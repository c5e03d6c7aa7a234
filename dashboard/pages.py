"""The pages: overview, organisation, one obligation, review board, delay ranking, districts, Prefect, audit."""
from __future__ import annotations

import secrets
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from core.errors import UserError
from dashboard import charts, data
from dashboard.auth import not_found, page
from dashboard.matrix import COLOURS, NOT_APPLICABLE, SORTS
from dashboard.prefect_runs import last_runs
from dashboard.web import as_user, render, state
from registry.campaign import service as campaign
from registry.districts import service as districts
from registry.users.service import UserView

STANDING_CHOICES = {"": "全部", "late": "黄牌和红牌", "open": "尚未完成", "red": "红牌", "yellow": "黄牌", "due": "今日到期",
                    "near_due": "临近期限", "on_track": "正常推进", "done": "已完成"}


def _bad(request: Request, user: UserView, error: UserError) -> Response:
    return render(request, "message.html", user, 400, title="无法显示", message=str(error))


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


@page()
async def overview(request: Request, user: UserView) -> Response:
    app, q = state(request), request.query_params
    sort = q.get("sort", "lateness") if q.get("sort") in SORTS else "lateness"
    filters = {"phase": q.get("phase", ""), "standing": q.get("standing", ""), "district": q.get("district", "")}
    try:
        as_of = app.day(request)
        matrix, rows_html = await as_user(user, data.overview, app.url, user, as_of, filters["phase"],
                                          filters["standing"], filters["district"], sort, app.overviews)
    except UserError as error:
        return _bad(request, user, error)
    return render(request, "overview.html", user, m=matrix, rows_html=rows_html, filters=filters, sort=sort, colours=(*COLOURS, NOT_APPLICABLE),
                  standings=STANDING_CHOICES, totals_chart=charts.phase_totals(matrix),
                  timeline_chart=charts.timeline(matrix), query=request.url.query)


@page()
async def organisation(request: Request, user: UserView) -> Response:
    app = state(request)
    try:
        found = await as_user(user, data.organisation, app.url, user, request.path_params["code"], app.day(request))
    except UserError:
        found = None
    if found is None:
        return not_found(request, user)
    return render(request, "organisation.html", user, org=found)


@page()
async def obligation(request: Request, user: UserView) -> Response:
    app = state(request)
    obligation_id = _int(request.path_params["id"])
    try:
        record = None if obligation_id is None else await as_user(
            user, data.obligation, app.url, user, obligation_id, app.day(request), app.now())
    except UserError:
        record = None
    if record is None:
        return not_found(request, user)
    # One key per form shown: sending the same form twice queues one copy (registry.outbox.resend).
    return render(request, "obligation.html", user, o=record, request_key=secrets.token_hex(8),
                  back=quote(request.url.path))


@page()
async def submission_file(request: Request, user: UserView) -> Response:
    app = state(request)
    submission_id = _int(request.path_params["id"])
    try:
        stored = None if submission_id is None else await as_user(user, data.stored_file, app.url, user,
                                                                  submission_id, app.day(request))
    except UserError:
        stored = None
    if stored is None:
        return not_found(request, user)
    quoted = quote(stored.filename)
    return Response(stored.content, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quoted}"})


@page()
async def review_board(request: Request, user: UserView) -> Response:
    app = state(request)
    try:
        board = await as_user(user, data.review_board, app.url, user, app.day(request),
                              request.query_params.get("district", ""))
    except UserError as error:
        return _bad(request, user, error)
    return render(request, "review.html", user, board=board, district=request.query_params.get("district", ""))


@page("city", "district", "viewer")
async def ranking(request: Request, user: UserView) -> Response:
    app = state(request)
    try:
        found = await as_user(user, data.ranking, app.url, user, app.day(request),
                              request.query_params.get("district", ""))
    except UserError as error:
        return _bad(request, user, error)
    return render(request, "ranking.html", user, r=found, delay_chart=charts.delays(found),
                  district=request.query_params.get("district", ""))


@page("city", "viewer")
async def district_roll_up(request: Request, user: UserView) -> Response:
    if not user.sees_every_district:
        return not_found(request, user)
    app = state(request)
    try:
        as_of = app.day(request)
        entries = await as_user(user, districts.district_list, app.url, as_of)
    except UserError as error:
        return _bad(request, user, error)
    return render(request, "districts.html", user, entries=entries, as_of=as_of,
                  district_chart=charts.district_completion(entries))


@page("city", "district", "viewer")
async def prefect(request: Request, user: UserView) -> Response:
    settings = state(request).settings
    runs, problem = [], ""
    if settings.prefect_api_url:
        try:
            runs = await last_runs(settings.prefect_api_url, settings.prefect_ui_url)
        except Exception as error:  # noqa: BLE001 - an unreachable server is told on the page, never a 500
            problem = f"无法连接 Prefect 服务器 {settings.prefect_api_url}：{type(error).__name__}"
    return render(request, "prefect.html", user, runs=runs, problem=problem, settings=settings)


@page("city", "district", "viewer")
async def audit(request: Request, user: UserView) -> Response:
    entries = await as_user(user, campaign.audit_log, state(request).url, 200)
    return render(request, "audit.html", user, entries=entries)
