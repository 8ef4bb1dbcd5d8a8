"""Applying a demographics request's change set: the fields staff chose, with the values the
patient asked for, written to the patient's record by the same rule as staff editing the
patient (``logic.patients.demographics.update_patient``: its checks, its email-change guard,
its audit entry), then the request marked and, unless staff choose otherwise, dismissed as
completed.

The values come from the stored request, never from the caller: staff choose which of the
patient's changes to apply, not what they say.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from patientportal import clock
from patientportal.auth.principal import Principal
from patientportal.dal import requests as stored_requests
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, NotFoundError, ValidationFailedError
from patientportal.logic.patients import audit, demographics
from patientportal.logic.queue.items import stale
from patientportal.models.accounts import PatientChanges
from patientportal.models.requests import ChangeSetApplied, ChangeSetApproval, QueueItem

# What the patient record keeps of what a patient may ask to change; the portal keeps no
# postal address, so an address change is shown for staff to copy into the practice's records.
APPLICABLE = frozenset({"first_name", "last_name", "zip", "phone", "email"})
LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "address": "address",
    "zip": "zip code",
    "phone": "phone number",
    "email": "email",
}


def requested_changes(details: dict[str, Any]) -> dict[str, str]:
    """The changes a demographics request asks for, leaving out any left blank."""
    changes = details.get("changes", {})
    return {name: str(value) for name, value in sorted(changes.items()) if value}


def _patient_changes(wanted: dict[str, str], approval: ChangeSetApproval) -> PatientChanges:
    try:
        return PatientChanges.model_validate(
            {
                **wanted,
                "confirm_email_change": approval.confirm_email_change,
                "reason": approval.reason,
                "expected_version": approval.patient_version,
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "fields"
        raise ValidationFailedError(
            f"The requested {LABELS.get(field, field)} cannot be kept on file as it is: {first['msg']}.", field=field
        ) from error


def apply_change_set(
    staff: Principal, request_id: str, approval: ChangeSetApproval, *, api_request_id: str
) -> ChangeSetApplied:
    """The chosen changes on the patient's record, then the request's change with its audit
    entry in one transaction. The request's version is checked before the patient is
    changed, so a request someone else handled is a 409 and the record is left as it was."""
    request = stored_requests.get_request(request_id)
    if request is None:
        raise NotFoundError("There is no such request.")
    if request.type != "demographics":
        raise ValidationFailedError("Only a demographic-changes request has changes to apply.", field="request_id")
    if request.state != "open" or request.version != approval.expected_version:
        raise stale(request_id)
    requested = requested_changes(request.details)
    chosen = list(dict.fromkeys(approval.fields))
    for position, name in enumerate(approval.fields):
        if name not in requested:
            raise ValidationFailedError(
                f"The patient did not ask to change the {LABELS[name]}.", field=f"fields.{position}"
            )
        if name not in APPLICABLE:
            raise ValidationFailedError(
                f"The portal keeps no {LABELS[name]}: update it in the practice's records.",
                field=f"fields.{position}",
            )
    changes = _patient_changes({name: requested[name] for name in chosen}, approval)
    patient = demographics.update_patient(staff, request.patient_id, changes, api_request_id=api_request_id)

    at = clock.timestamp()
    summary = "Changes applied: " + ", ".join(chosen)
    transition = stored_requests.change_set_applied(
        request_id, summary=summary, complete=approval.mark_completed, at=at, by=staff.username
    )
    table = Table()
    try:
        table.transact(
            [
                stored_requests.transition_entry(transition, approval.expected_version, table),
                table.put_entry(audit.audit_item(staff, "apply_change_set", request.patient_id, api_request_id)),
            ],
            conflict="Someone else handled this item first.",
        )
    except ConflictError as error:
        current = stale(request_id).current
        raise ConflictError(
            "The patient's record was updated, but someone else handled this item meanwhile; "
            "here it is as it now stands.",
            current=current,
        ) from error
    dismissed = {"state": "completed", "dismissed_at": at, "dismissed_by": staff.username}
    item = QueueItem.from_record(
        request,
        version=request.version + 1,
        helper_summary=summary,
        **(dismissed if approval.mark_completed else {}),
    )
    return ChangeSetApplied(applied=chosen, patient=patient, item=item)
