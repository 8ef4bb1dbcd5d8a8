"""The helper button: one action per request type, in one registry (docs/api.md "Request types
and their helper actions").

Adding a request type means adding one entry here. Each action turns the request into the
draft the practice works from (a new encounter note with the prescription on it, an
appointment request, a records-release task, a change set); pressing it again returns the
same draft. Each also publishes an event with ids and type only, so an EMR can pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from patientportal import clock, events, ids
from patientportal.auth.principal import Principal
from patientportal.dal import helper_results as stored_helpers
from patientportal.dal import patients
from patientportal.dal import requests as stored_requests
from patientportal.errors import NotFoundError
from patientportal.logic.patients import audit
from patientportal.logic.queue import change_sets
from patientportal.models.records import RequestRecord
from patientportal.models.requests import HelperResult
from patientportal.observability import logger

EVENT_SOURCE = "patient-portal.queue"
EVENT_DETAIL_TYPE = "Helper action"

Draft = dict[str, Any]


@dataclass(frozen=True)
class Helper:
    """``stored``: whether the draft is kept with the request (and announced by an event).
    Opening a reply makes nothing a colleague could take for work done, so it keeps nothing."""

    action: str
    label: str
    draft: Callable[[RequestRecord], Draft]
    stored: bool = True


def encounter_note_with_prescription(request: RequestRecord) -> Draft:
    details = request.details
    prescription = {name: details.get(name, "") for name in ("medication", "dosage", "quantity", "pharmacy")}
    return {
        "kind": "encounter_note",
        "status": "draft",
        "prescriptions": [prescription],
        "note": details.get("note", ""),
        "summary": f"Draft encounter note opened: {details.get('medication', '')} {details.get('dosage', '')}".strip(),
    }


def appointment_request_draft(request: RequestRecord) -> Draft:
    details = request.details
    return {
        "kind": "appointment_request",
        "status": "draft",
        "reason": details.get("reason", ""),
        "preferred_times": details.get("preferred_times", []),
        "provider": details.get("provider", ""),
        "summary": f"Appointment request drafted: {', '.join(details.get('preferred_times', []))}",
    }


def records_release_task(request: RequestRecord) -> Draft:
    details = request.details
    return {
        "kind": "records_release",
        "status": "to_do",
        "what": details.get("what", ""),
        "period": details.get("period", ""),
        "delivery": details.get("delivery", "portal"),
        "summary": f"Records-release task created: {details.get('what', '')}",
    }


def demographics_change_set(request: RequestRecord) -> Draft:
    """Each requested change beside what is on file, for staff to review and apply
    (``change_sets.apply_change_set``). An email change is flagged: it follows the
    email-change safeguards. The portal keeps no address: that one is shown, not applied."""
    patient = patients.get_patient(request.patient_id)
    on_file = patient.model_dump() if patient else {}
    changes: list[dict[str, Any]] = [
        {
            "field": name,
            "on_file": str(on_file.get(name, "")),
            "requested": value,
            "can_apply": name in change_sets.APPLICABLE,
            "needs_email_change_confirmation": name == "email",
        }
        for name, value in change_sets.requested_changes(request.details).items()
    ]
    return {
        "kind": "demographics_change_set",
        "status": "to_review",
        "changes": changes,
        "note": request.details.get("note", ""),
        "summary": f"Change set ready to review: {', '.join(str(change['field']) for change in changes)}",
    }


def reply_opener(request: RequestRecord) -> Draft:
    """Not stored: what is recorded is the reply, once it is sent."""
    return {"kind": "reply", "request_id": request.request_id, "summary": ""}


HELPERS: dict[str, Helper] = {
    "refill": Helper(
        "open_encounter_note", "Open encounter note with this prescription", encounter_note_with_prescription
    ),
    "appointment": Helper("draft_appointment", "Draft the appointment request", appointment_request_draft),
    "records": Helper("create_records_release", "Create a records-release task", records_release_task),
    "demographics": Helper("review_demographic_changes", "Review the requested changes", demographics_change_set),
    "message": Helper("open_reply", "Reply to this message", reply_opener, stored=False),
}


def run_helper(staff: Principal, request_id: str, *, api_request_id: str) -> HelperResult:
    """The request's helper result, made on the first press and found on every later one."""
    found = stored_requests.request_with_thread(request_id)
    if found is None:
        raise NotFoundError("There is no such request.")
    request, related = found
    helper = HELPERS[request.type]
    if not helper.stored:
        return HelperResult(
            action=helper.action,
            label=helper.label,
            result={**helper.draft(request), "draft_id": ""},
            created_at=clock.timestamp(),
            created_by=staff.username,
        )
    existing = next((item for item in related if item.get("kind") == "helper"), None)
    if existing is None:
        draft = {**helper.draft(request), "draft_id": ids.new_id()}
        existing = stored_helpers.add_helper_result(
            request_id,
            {
                "action": helper.action,
                "label": helper.label,
                "result": draft,
                "created_at": clock.timestamp(),
                "created_by": staff.username,
                "event_published": False,
            },
            audit_entry=audit.audit_item(staff, f"helper_{helper.action}", request.patient_id, api_request_id),
        )
    if not existing.get("event_published"):
        publish(request, existing)
    return HelperResult.model_validate(existing)


def helper_event(request: RequestRecord, helper: dict[str, Any]) -> events.Event:
    """The event a helper action publishes: ids and type only, never what the patient wrote."""
    return events.Event(
        source=EVENT_SOURCE,
        detail_type=EVENT_DETAIL_TYPE,
        detail={
            "request_id": request.request_id,
            "patient_id": request.patient_id,
            "request_type": request.type,
            "action": str(helper["action"]),
            "draft_id": str(helper["result"]["draft_id"]),
        },
    )


def publish(request: RequestRecord, helper: dict[str, Any]) -> None:
    """Ids and type only: an EMR integration fetches what it needs through its own access.
    A failure is logged and retried on the next press; the draft itself is already safe."""
    try:
        accepted = events.publish(helper_event(request, helper))
    except events.PublishError:
        logger.exception("helper event not published", extra={"request_id": request.request_id})
        return
    if not accepted:
        logger.error("helper event refused", extra={"request_id": request.request_id})
        return
    stored_helpers.mark_published(request.request_id)
