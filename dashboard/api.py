"""The JSON API under /api/, for scripts: what the token's user may see, nothing more."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.errors import UserError
from dashboard import data
from dashboard.auth import api, api_not_found
from dashboard.web import as_user, state
from registry.users.service import UserView


def _refused(error: UserError) -> JSONResponse:
    return JSONResponse({"error": str(error)}, status_code=400)


@api
async def obligations(request: Request, user: UserView) -> Response:
    app = state(request)
    try:
        entries = await as_user(user, data.api_obligations, app.url, user, app.day(request))
    except UserError as error:
        return _refused(error)
    return JSONResponse(entries)


@api
async def one_obligation(request: Request, user: UserView) -> Response:
    app = state(request)
    text = request.path_params["id"]
    if not text.isdigit() or len(text) > 11:
        return api_not_found()
    try:
        record = await as_user(user, data.api_obligation, app.url, user, int(text), app.day(request), app.now())
    except UserError:
        record = None
    return api_not_found() if record is None else JSONResponse(record)


@api
async def standing(request: Request, user: UserView) -> Response:
    app, q = state(request), request.query_params
    try:
        matrix, _ = await as_user(user, data.overview, app.url, user, app.day(request), q.get("phase", ""),
                                  q.get("standing", ""), q.get("district", ""), q.get("sort", "lateness"), app.overviews)
    except UserError as error:
        return _refused(error)
    return JSONResponse(matrix)
