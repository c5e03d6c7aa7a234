"""The forms' POSTs: decide a conflict, waive or reopen an obligation, resend a notice; through the same
service functions as the CLI, each audited with the user's name."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.errors import UserError
from dashboard.auth import action, local_path
from dashboard.web import as_user, flash, state
from registry.campaign import service as campaign
from registry.review import service as review
from registry.supervision import service as supervision
from registry.users.service import UserView


class MissingReason(UserError, ValueError):
    pass


def _reason(form) -> str:
    reason = str(form.get("reason", "")).strip()
    if not reason:
        raise MissingReason("请填写理由：理由记入审计日志")
    return reason


def _id(text) -> int:
    if not str(text).isdigit():
        raise MissingReason("编号应为整数")
    return int(str(text))


@action()
async def decide(request: Request, user: UserView) -> Response:
    form, app = await request.form(), state(request)
    submission_id, item = _id(request.path_params["id"]), str(form.get("item", ""))
    opinion = str(form.get("opinion", "")).strip()
    issued = await as_user(user, review.decide_conflict, app.url, submission_id, item, opinion,
                           str(form.get("reason", "")).strip(), app.now(), adjusted=str(form.get("adjusted", "")).strip(),
                           actor=user.name)
    flash(request, f"已决定：送审编号 {submission_id} 序号 {item} → {opinion}"
                   + ("；全部分歧已决定，书面审核意见已排队发给部门。" if issued else "。"))
    return RedirectResponse(local_path(str(form.get("back", ""))) or "/review", status_code=303)


@action()
async def waive(request: Request, user: UserView) -> Response:
    form, app = await request.form(), state(request)
    changed = await as_user(user, campaign.waive_obligation, app.url, _id(request.path_params["id"]), _reason(form),
                            app.now(), actor=user.name)
    flash(request, f"事项 {changed.id}（{changed.org_name}「{changed.phase_name}」）已免除，理由已记入审计日志。")
    return RedirectResponse(f"/obligation/{changed.id}", status_code=303)


@action()
async def reopen(request: Request, user: UserView) -> Response:
    form, app = await request.form(), state(request)
    changed = await as_user(user, campaign.reopen_obligation, app.url, _id(request.path_params["id"]), _reason(form),
                            app.now(), actor=user.name)
    flash(request, f"事项 {changed.id}（{changed.org_name}「{changed.phase_name}」）已重新开启，截止日期 {changed.due}。")
    return RedirectResponse(f"/obligation/{changed.id}", status_code=303)


@action()
async def resend(request: Request, user: UserView) -> Response:
    form, app = await request.form(), state(request)
    resent = await as_user(user, supervision.resend_notice, app.url, str(form.get("key", "")),
                           str(form.get("request_key", "")), user.name, app.now())
    flash(request, "通知已重新排队发送（下次投递时发出）。" if resent["created"] else "这次重发已排队，未重复发送。")
    return RedirectResponse(local_path(str(form.get("back", ""))) or "/", status_code=303)
