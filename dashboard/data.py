"""What each page reads, as one call into the registry's service functions (run in the user's scope)."""
from __future__ import annotations

from datetime import date

from markupsafe import Markup

from core.errors import UserError
from dashboard.matrix import matrix_rows_html, standing_matrix
from dashboard.overview_cache import OverviewCache
from dashboard.ranking import delay_ranking
from registry.calendar import service as calendar
from registry.campaign import service as campaign
from registry.campaign.service import StatusFilter
from registry.directory import service as directory
from registry.intake import service as intake
from registry.review import service as review
from registry.supervision import service as supervision
from registry.users.service import Role, UserView

REVIEW_PHASES = ("review", "guides_review", "certificates_review")


class BadFilter(UserError, ValueError):
    pass


def own_filter(user: UserView, phase: str = "", standing: str = "", district: str = "", org: str = "") -> StatusFilter:
    """An agency sees what its organisation owes; a district filter only for those who see every district."""
    if user.role == Role.AGENCY:
        org = user.org
    return StatusFilter(org=org, phase=phase, standing=standing,
                        district=district if user.sees_every_district else "")


def overview(url: str, user: UserView, as_of: date, phase: str, standing: str, district: str, sort: str,
             cache: OverviewCache | None = None) -> tuple[dict, Markup]:
    """The matrix and its rows' HTML, computed again only once the registry's standings have changed."""
    key = (user.scope, user.org, as_of, phase, standing, district, sort, campaign.standing_version(url))

    def make() -> tuple[dict, Markup]:
        # A district asked for without a campaign of its own is seen in what it owes the city.
        code = None if district and user.sees_every_district else _campaign_of(url, user)
        status = campaign.campaign_status(url, as_of, code, own_filter(user, standing=standing, district=district))
        codes = [p["code"] for p in status["phases"]]
        if phase and phase not in codes:
            raise BadFilter(f"没有阶段 {phase!r}，可用的阶段代码：{'、'.join(codes)}")
        matrix = standing_matrix(status, sort, phase)
        matrix["all_phases"] = [{"code": p["code"], "name": p["name"]} for p in status["phases"]]
        matrix["districts"] = directory.district_names(url) if user.sees_every_district else {}
        return matrix, matrix_rows_html(matrix)

    return cache.get(key, make) if cache is not None else make()


def organisation(url: str, user: UserView, code: str, as_of: date) -> dict | None:
    """Every obligation of the organisation, in every campaign the user sees, each with its explanation."""
    if user.role == Role.AGENCY and code != user.org:
        return None
    found = []
    name = None
    for c in campaign.campaigns(url):
        status = campaign.campaign_status(url, as_of, c["code"], StatusFilter(org=code))
        for o in status["obligations"]:
            name = name or o["org_name"]
            found.append(o | {"campaign": c["code"], "campaign_name": c["name"],
                              "explain": supervision.explain_obligation(url, o["id"], as_of)})
    if name is None:
        names = directory.organisation_names(url)
        if code not in names:
            return None
        name = names[code]
    return {"code": code, "name": name, "obligations": found, "submissions": intake.submissions_of(url, code)}


def obligation(url: str, user: UserView, obligation_id: int, as_of: date, now) -> dict | None:
    record = supervision.show_obligation(url, obligation_id, as_of, now)
    if user.role == Role.AGENCY and record["org"] != user.org:
        return None
    return record


def reviewable(url: str, user: UserView, as_of: date) -> set[int]:
    """The submissions an agency user owes an opinion on (every one it was sent)."""
    status = campaign.campaign_status(url, as_of, _campaign_of(url, user), StatusFilter(org=user.org))
    return {int(o["ref"]) for o in status["obligations"] if o["phase"] in REVIEW_PHASES and o["ref"].isdigit()}


def review_board(url: str, user: UserView, as_of: date, district: str) -> dict:
    code = _campaign_of(url, user, district)
    rows = review.review_status(url, as_of, None, code)
    if user.role == Role.AGENCY:
        mine = reviewable(url, user, as_of)
        rows = [r for r in rows if r["submission_id"] in mine]
    for r in rows:
        r["items"] = review.conflicts_of(url, r["submission_id"]) if r["conflicts"] else []
    return {"rows": rows, "campaign": code, "districts": directory.district_names(url) if user.sees_every_district
            else {}}


def ranking(url: str, user: UserView, as_of: date, district: str) -> dict:
    status = campaign.campaign_status(url, as_of, _campaign_of(url, user, district), own_filter(user))
    found = delay_ranking(status, calendar.working_calendar(url),
                          supervision.cards_received(url, status["campaign"]["code"]))
    found["districts"] = directory.district_names(url) if user.sees_every_district else {}
    return found


def stored_file(url: str, user: UserView, submission_id: int, as_of: date):
    if user.role == Role.AGENCY:
        own = {s["id"] for s in intake.submissions_of(url, user.org)}
        if submission_id not in own | reviewable(url, user, as_of):
            return None
    return intake.stored_file(url, submission_id)


def _campaign_of(url: str, user: UserView, district: str = "") -> str:
    """The campaign a page shows: a district's own when one is asked for (by whoever sees every
    district) and open; else the user's own: the district's for its users, the city's for the rest."""
    wanted = district if district and user.sees_every_district else user.district
    found = campaign.campaigns(url)
    # In a province another city is a scope too: its campaign is city-level, with the city's code.
    own = next((c["code"] for c in found if wanted and c["level"] in ("city", "district") and c["district"] == wanted),
               None)
    return own or next((c["code"] for c in found if c["level"] == "city"), found[0]["code"] if found else None)


def api_obligations(url: str, user: UserView, as_of: date) -> list[dict]:
    entries = []
    for c in campaign.campaigns(url):
        status = campaign.campaign_status(url, as_of, c["code"], own_filter(user))
        entries += [{"id": o["id"], "campaign": c["code"], "district": c["district"], "org": o["org"],
                     "phase": o["phase"], "due": o["due"], "state": o["state"], "standing": o["standing"]}
                    for o in status["obligations"]]
    return entries


def api_obligation(url: str, user: UserView, obligation_id: int, as_of: date, now) -> dict | None:
    record = obligation(url, user, obligation_id, as_of, now)
    if record is None:
        return None
    return {"id": record["id"], "campaign": record["campaign"], "district": record["district"], "org": record["org"],
            "phase": record["phase"], "due": record["deadline"]["due"], "state": record["state_code"],
            "standing": record["standing"], "org_name": record["org_name"], "phase_name": record["phase_name"],
            "deadline": record["deadline"], "history": record["history"], "notices": record["notices"],
            "next": record["next"]}
