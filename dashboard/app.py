"""The dashboard's application: its routes, and the session and security layers around them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import actions, api, auth, pages
from dashboard.auth import api_not_found
from dashboard.settings import DashboardSettings
from dashboard.web import HERE, Dashboard, render

# Scripts and styles from this site only, none inline; no frames, no plugins, forms post here alone.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
           (b"cross-origin-opener-policy", b"same-origin")]


class SecurityHeaders:
    """The same headers on every response; pages and API answers are never kept by a shared cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS,
                                      *([] if static else [(b"cache-control", b"no-store")])]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _missing(request: Request, _error: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return api_not_found()
    return render(request, "message.html", None, 404, title="页面不存在", message="没有这个页面或事项，或者您无权查看。")


def create_app(url: str, settings: DashboardSettings, as_of: date | None = None,
               clock: Callable[[], datetime] = datetime.now) -> Starlette:
    routes = [
        Route("/", pages.overview),
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/password", auth.password_page, methods=["GET"]),
        Route("/password", auth.change_password, methods=["POST"]),
        Route("/org/{code}", pages.organisation),
        Route("/obligation/{id}", pages.obligation),
        Route("/obligation/{id}/waive", actions.waive, methods=["POST"]),
        Route("/obligation/{id}/reopen", actions.reopen, methods=["POST"]),
        Route("/notice/resend", actions.resend, methods=["POST"]),
        Route("/submission/{id}/file", pages.submission_file),
        Route("/review", pages.review_board),
        Route("/review/{id}/decide", actions.decide, methods=["POST"]),
        Route("/ranking", pages.ranking),
        Route("/districts", pages.district_roll_up),
        Route("/prefect", pages.prefect),
        Route("/audit", pages.audit),
        Route("/api/obligations", api.obligations),
        Route("/api/obligations/{id}", api.one_obligation),
        Route("/api/standing", api.standing),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(GZipMiddleware, minimum_size=2000),
        Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="reform_session",
                   max_age=int(settings.session_hours * 3600), same_site="lax", https_only=settings.https_only),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={404: _missing})
    app.state.dashboard = Dashboard(url, settings, as_of, clock)
    return app
