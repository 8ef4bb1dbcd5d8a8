"""Staff adding, finding and changing patients; an email change of a patient with portal
access is guarded (docs/security.md "Access control", 4.3)."""

from __future__ import annotations

from typing import Any

from patientportal import clock, ids, normalise
from patientportal.auth import cognito
from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.dal.messages import outbox_item
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import NotFoundError, ValidationFailedError
from patientportal.logic.patients import audit
from patientportal.logic.patients.detail import detail_of
from patientportal.models.accounts import NewPatient, PatientChanges
from patientportal.models.common import Page
from patientportal.models.patients import PatientDetail, PatientSummary
from patientportal.models.records import PatientRecord
from patientportal.portal_status import portal_status

# "Ava Thompson" could part after any word: each place is a Query, so a name without a comma
# is at most this many words ("Rosa De La Vega": 7 Queries). A comma says where it parts.
MAX_NAME_WORDS = 4


def patient_searches(typed: str) -> list[patients.NameSearch]:
    """What a typed search means (docs/api.md "Finding a patient"), as the index Queries that
    answer it, in the order their patients are shown:

    - a date of birth, ``03/12/1984``, ``3/12/1984`` or ``1984-03-12``: that date;
    - ``Last, First``: that whole last name, first names starting so (none typed: any);
    - one word: last names starting so, then first names starting so;
    - several words: the whole as the start of a last name (``De La``), then First Last (the
      first name whole, the last name's start), then Last First, at each place the words could
      part.
    """
    if normalise.looks_like_a_date(typed):
        born = normalise.birth_date(typed)
        if born is None:
            raise ValidationFailedError("Type a date of birth as MM/DD/YYYY or YYYY-MM-DD.", field="q")
        return [patients.by_birth_date(born)]
    if "," in typed:
        last, _, first = typed.partition(",")
        if not normalise.can_match_a_name(last):
            raise ValidationFailedError("Type the last name before the comma: Last, First.", field="q")
        return [patients.by_last_then_first(last, first)]
    words = [word for word in typed.split() if normalise.can_match_a_name(word)]
    if not words:
        raise ValidationFailedError("Type a name (letters or digits) or a date of birth.", field="q")
    if len(words) > MAX_NAME_WORDS:
        raise ValidationFailedError(
            f"Type at most {MAX_NAME_WORDS} words, or the last name, a comma and the first name.", field="q"
        )
    if len(words) == 1:
        return [patients.by_last_name(words[0]), patients.by_first_name(words[0])]
    parts = [(" ".join(words[:place]), " ".join(words[place:])) for place in range(1, len(words))]
    return [
        patients.by_last_name(" ".join(words)),
        *(patients.by_first_then_last(first, last) for first, last in parts),
        *(patients.by_last_then_first(last, first) for last, first in parts),
    ]


def find_patients(
    staff: Principal, typed: str, *, limit: int, cursor: str | None, api_request_id: str
) -> Page[PatientSummary]:
    """By name or date of birth as staff type them, with each patient's portal status: one
    index Query per meaning of what was typed (at most seven), and one write recording whom
    the page showed."""
    found, next_cursor = patients.search_patients(patient_searches(typed), limit=limit, cursor=cursor)
    items = [PatientSummary.from_record(patient, portal_status=portal_status(patient)) for patient in found]
    audit.record_list_view(staff, "patient_search", (item.patient_id for item in items), api_request_id)
    return Page[PatientSummary](items=items, next_cursor=next_cursor)


def add_patient(staff: Principal, new: NewPatient, *, api_request_id: str) -> PatientDetail:
    """With "activate without further confirmation", access is on at once when an email and
    a zip are on file; staff ticking it is their confirmation that the address is the patient's."""
    activate = new.activate_without_confirmation and bool(new.email) and bool(new.zip)
    record = PatientRecord.new(
        ids.new_id(), new, created_at=clock.timestamp(), confirmed_by=staff.username if activate else ""
    )
    table = Table()
    table.transact(
        [
            patients.new_patient_entry(record, normalise.email(record.email), table=table),
            table.put_entry(audit.audit_item(staff, "add_patient", record.patient_id, api_request_id)),
        ],
        conflict="That patient already exists.",
    )
    return detail_of(record)


def _changed_fields(patient: PatientRecord, changes: PatientChanges) -> dict[str, Any]:
    wanted: dict[str, Any] = changes.model_dump(
        include={"first_name", "last_name", "email", "zip", "phone"}, exclude_none=True
    )
    if changes.date_of_birth is not None:
        wanted["date_of_birth"] = changes.date_of_birth.isoformat()
    return {name: value for name, value in wanted.items() if getattr(patient, name) != value}


def update_patient(staff: Principal, patient_id: str, changes: PatientChanges, *, api_request_id: str) -> PatientDetail:
    """Demographics change in one conditional write with its audit entry. Changing the email
    of a patient with portal access needs ``confirm_email_change`` and a ``reason``; it
    notifies the old address, revokes links and sessions, and the audit entry says why."""
    patient = patients.existing_patient(patient_id)
    fields = _changed_fields(patient, changes)
    if not fields:
        audit.record(staff, "view_patient", patient_id, api_request_id)
        return detail_of(patient)
    email_changed = "email" in fields and normalise.email(fields["email"]) != normalise.email(patient.email)
    guarded = email_changed and patient.portal_access_enabled
    if guarded and not changes.confirm_email_change:
        raise ValidationFailedError(
            "This patient has portal access: confirm the email change and give a reason.",
            field="confirm_email_change",
        )
    if guarded and not changes.reason:
        raise ValidationFailedError("Give the reason for the email change.", field="reason")
    changed = patient.model_copy(update=fields)
    index, remove = patients.index_fields(changed, normalise.email(changed.email))
    update: dict[str, Any] = {**fields, **index}
    table = Table()
    entries = []
    action = "change_demographics"
    if email_changed:
        action = "change_email"
        update["email_undeliverable"] = False
        remove = [*remove, "link_password", "link_verify_email"]
        if guarded:
            update["sessions_valid_after"] = clock.revocation_point()
            update["email_confirmed_by"] = staff.username
            update["email_confirmed_at"] = clock.timestamp()
        if patient.email and not patient.email_undeliverable:
            notice = outbox.email_to(patient.email, patient_id, "email_changed")
            entries.append(table.put_entry(outbox_item(notice, outbox.expiry())))
    audit_entry = audit.audit_item(staff, action, patient_id, api_request_id)
    if changes.reason:
        audit_entry["reason"] = changes.reason
    entries.append(table.put_entry(audit_entry))
    entries.append(
        patients.update_entry(patient_id, update, remove=remove, expected_version=changes.expected_version, table=table)
    )
    table.transact(entries, conflict="The patient's record changed; reload it.")
    if guarded:
        cognito.sign_out_patient_everywhere(patient_id)
    updated = patients.get_patient(patient_id)
    if updated is None:
        raise NotFoundError("There is no such patient.")
    return detail_of(updated)
