"""What every page and API call shares: the app's state, the user's scope, rendering, the CSRF token."""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from core.errors import UserError
from dashboard.matrix import CELL_CLASS, COLOUR_NAMES, MARKS, SORTS, short_day
from dashboard.overview_cache import OverviewCache
from dashboard.settings import DashboardSettings
from registry.users import service as users
from registry.users.service import UserView

HERE = Path(__file__).parent
ECHARTS = HERE / "static" / "vendor" / "echarts.min.js"


class BadRequest(UserError, ValueError):
    """A query parameter that cannot be read: answered 400 with its message."""


@dataclass
class Dashboard:
    url: str
    settings: DashboardSettings
    as_of: date | None = None  # the day pages show by default (the demo's simulated day); today otherwise
    clock: Callable[[], datetime] = datetime.now
    templates: Environment = field(init=False)
    overviews: OverviewCache = field(default_factory=OverviewCache)

    def __post_init__(self) -> None:
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(["html"], default=True))
        self.templates.filters["short_day"] = short_day
        self.templates.globals.update(COLOUR_NAMES=COLOUR_NAMES, SORTS=SORTS, CELL_CLASS=CELL_CLASS, MARKS=MARKS)

    @property
    def charts_available(self) -> bool:
        return ECHARTS.is_file()

    def day(self, request: Request) -> date:
        text = request.query_params.get("as_of", "")
        if text:
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise BadRequest(f"日期 {text!r} 格式不对，应为 YYYY-MM-DD，例如 2016-07-20") from None
        return self.as_of or self.clock().date()

    def now(self) -> datetime:
        """When an action happens: the clock's time on the dashboard's day (the demo's simulated one)."""
        now = self.clock()
        return datetime.combine(self.as_of, now.time()) if self.as_of else now


def state(request: Request) -> Dashboard:
    return request.app.state.dashboard


async def as_user(user: UserView, fn: Callable[..., Any], *args, **kwargs) -> Any:
    """Call a service function in a worker thread, inside the user's district scope."""
    def call():
        with users.acting_as(user):
            return fn(*args, **kwargs)

    return await run_in_threadpool(call)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    expected = request.session.get("csrf", "")
    return bool(expected) and bool(sent) and hmac.compare_digest(expected.encode(), str(sent).encode())


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = [kind, message]


NAV = (("/", "总览", None), ("/review", "审核协调", None), ("/ranking", "延误排名", ("city", "district", "viewer")),
       ("/districts", "区县", ("city", "viewer")), ("/prefect", "流程运行", ("city", "district", "viewer")),
       ("/audit", "审计日志", ("city", "district", "viewer")))


def render(request: Request, template: str, user: UserView | None = None, status_code: int = 200,
           **context) -> HTMLResponse:
    app = state(request)
    nav = [(href, label) for href, label, roles in NAV if user is not None and (roles is None or user.role in roles)
           and not (href == "/districts" and user.district)]
    message = request.session.pop("flash", None) if "session" in request.scope else None
    html = app.templates.get_template(template).render(
        request=request, user=user, nav=nav, path=request.url.path, csrf=csrf_token(request), flash=message,
        charts_available=app.charts_available, **context)
    return HTMLResponse(html, status_code=status_code)
