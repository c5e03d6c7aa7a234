"""Signing in and out, the one-time password's replacement, and the guards every page, form and API
call passes: a signed-in user (or a bearer token) of a role allowed there, and a CSRF token on every form."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from core.errors import UserError
from dashboard.web import as_user, csrf_ok, csrf_token, flash, render, state
from registry.users import service as users
from registry.users.service import UserView

Handler = Callable[[Request, UserView], Awaitable[Response]]


async def session_user(request: Request) -> UserView | None:
    name = request.session.get("user")
    if not name:
        return None
    return await run_in_threadpool(users.user_named, state(request).url, name)


def not_found(request: Request, user: UserView | None) -> Response:
    """Another district's page or id answers exactly as a missing one does."""
    return render(request, "message.html", user, 404, title="页面不存在", message="没有这个页面或事项，或者您无权查看。")


def page(*roles: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A page for signed-in users of ``roles`` (every role when none is named); others get 404."""
    def wrap(handler: Handler):
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            user = await session_user(request)
            if user is None:
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            if user.must_change_password:
                return RedirectResponse("/password", status_code=303)
            if roles and user.role not in roles:
                return not_found(request, user)
            return await handler(request, user)
        return endpoint
    return wrap


def action(*roles: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A form's POST: a signed-in user who may act, with the session's CSRF token; a refusal by the
    service functions comes back to the page it was sent from, in its own words."""
    def wrap(handler: Handler):
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            form = await request.form()
            if not csrf_ok(request, form.get("csrf")):
                return render(request, "message.html", None, 403, title="请求无效",
                              message="表单已过期或来源不明（CSRF 校验未通过），请返回刷新页面后重试。")
            user = await session_user(request)
            if user is None or user.must_change_password:
                return RedirectResponse("/login", status_code=303)
            if not user.can_act or (roles and user.role not in roles):
                return render(request, "message.html", user, 403, title="无权操作", message="您的角色只能查看，不能操作。")
            back = local_path(str(form.get("back", ""))) or "/"
            try:
                return await handler(request, user)
            except UserError as error:
                flash(request, str(error), "error")
                return RedirectResponse(back, status_code=303)
        return endpoint
    return wrap


def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An API call: ``Authorization: Bearer <token>``, else 401."""
    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = None
        if scheme.lower() == "bearer" and token.strip():
                user = await run_in_threadpool(users.user_for_token, state(request).url, token.strip())
        if user is None:
            return JSONResponse({"error": "需要有效的接口令牌：请求头 Authorization: Bearer <令牌>"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="reform"'})
        return await handler(request, user)
    return endpoint


def local_path(path: str) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else ""


async def login_page(request: Request) -> Response:
    csrf_token(request)
    return render(request, "login.html", None, next=local_path(request.query_params.get("next", "")))


async def login(request: Request) -> Response:
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = local_path(str(form.get("next", ""))) or "/"
    if not csrf_ok(request, form.get("csrf")):
        return render(request, "login.html", None, 403, error="表单已过期，请重新输入。", name=name, next=target)
    app = state(request)
    try:
        user = await run_in_threadpool(users.authenticate, app.url, name, password, app.clock())
    except users.LoginLocked as locked:
        response = render(request, "login.html", None, 429, error=str(locked), name=name, next=target)
        response.headers["Retry-After"] = str(locked.minutes * 60)
        return response
    if user is None:
        return render(request, "login.html", None, 401, error="用户名或密码不正确。", name=name, next=target)
    request.session.clear()
    request.session["user"] = user.name
    csrf_token(request)  # a new token for the new session
    return RedirectResponse("/password" if user.must_change_password else target, status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    if csrf_ok(request, form.get("csrf")):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def password_page(request: Request) -> Response:
    user = await session_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "password.html", user)


async def change_password(request: Request) -> Response:
    form = await request.form()
    user = await session_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    if not csrf_ok(request, form.get("csrf")):
        return render(request, "password.html", user, 403, error="表单已过期，请重新输入。")
    new, again = str(form.get("new", "")), str(form.get("again", ""))
    if new != again:
        return render(request, "password.html", user, 400, error="两次输入的新密码不一致。")
    try:
        await as_user(user, users.change_password, state(request).url, user.name, str(form.get("current", "")), new)
    except UserError as error:
        return render(request, "password.html", user, 400, error=str(error))
    flash(request, "新密码已设置。")
    return RedirectResponse("/", status_code=303)


def api_not_found() -> JSONResponse:
    return JSONResponse({"error": "没有这个事项，或者您无权查看"}, status_code=404)
