"""The events the flows emit and the deployments listen for: names and payloads in one place."""
from __future__ import annotations

from prefect.events import emit_event

# An accepted list (or zero report): review routing starts from it.
ACCEPTED_EVENT = "reform.submission.accepted"
# An agency's review opinion was recorded: the merge listens for it.
OPINION_EVENT = "reform.review.opinion"
# A version of the city list was approved or adjusted: publication listens for it.
APPROVED_EVENT = "reform.list.approved"

ACCEPTED_OUTCOMES = ("accepted", "zero_report")
OPINION_OUTCOME = "opinion"


def _resource(result: dict) -> dict:
    return {"prefect.resource.id": f"reform.submission.{result['submission_id']}", "reform.org": result["org_code"]}


def accepted_payload(result: dict) -> dict:
    return {"submission_id": result["submission_id"], "obligation_id": result["obligation_id"],
            "org_code": result["org_code"], "version": result["version"], "items": result["items"],
            "zero_report": result["outcome"] == "zero_report"}


def opinion_payload(result: dict) -> dict:
    return {"submission_id": result["submission_id"], "obligation_id": result["obligation_id"],
            "agency": result["org_code"]}


def announce_accepted(result: dict) -> None:
    """The review work starts from this event (one per accepted submission)."""
    emit_event(event=ACCEPTED_EVENT, resource=_resource(result), payload=accepted_payload(result))


def announce_opinion(result: dict) -> None:
    """An agency's opinion was recorded: the merge deployment listens for this."""
    emit_event(event=OPINION_EVENT, resource=_resource(result), payload=opinion_payload(result))


def newly_accepted(results: list[dict]) -> list[dict]:
    """The results first taken in as an accepted list (or zero report); a repeat is not one."""
    return [r for r in results if not r["already_seen"] and r["outcome"] in ACCEPTED_OUTCOMES]


def announce_taken_in(results: list[dict], accepted: bool = True) -> None:
    """One event per message first taken in as an accepted list (unless ``accepted`` is False: its
    run routes them itself) or an opinion; a repeat sends none."""
    for result in results:
        if result["already_seen"]:
            continue
        if result["outcome"] in ACCEPTED_OUTCOMES and accepted:
            announce_accepted(result)
        elif result["outcome"] == OPINION_OUTCOME:
            announce_opinion(result)


def announce_approved(version: int, items: int, campaign: str | None = None) -> None:
    """Publication starts from this event (one per frozen version of a campaign)."""
    resource = f"reform.list.{campaign}.v{version}" if campaign else f"reform.list.v{version}"
    emit_event(event=APPROVED_EVENT, resource={"prefect.resource.id": resource},
               payload={"version": version, "items": items, "campaign": campaign or ""})
