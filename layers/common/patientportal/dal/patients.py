"""Patient records."""

from __future__ import annotations

from typing import Any

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.models.records import PatientRecord


def patient_item(patient: PatientRecord, normalised_email: str) -> dict[str, Any]:
    """The stored item: the record plus its key and index attributes."""
    item: dict[str, Any] = {**patient.model_dump(), **keys.patient(patient.patient_id), "kind": "patient"}
    item.update(keys.name_entry(patient.last_name, patient.first_name, patient.patient_id))
    if normalised_email:
        item.update(keys.email_entry(normalised_email, patient.patient_id))
    return item


def get_patient(patient_id: str, *, table: Table | None = None) -> PatientRecord | None:
    found = (table or Table()).get(keys.patient(patient_id))
    return PatientRecord.model_validate(found) if found else None


def record_login(patient_id: str, at: str, *, table: Table | None = None) -> None:
    """First and last login, which the portal status needs."""
    (table or Table()).update(
        keys.patient(patient_id),
        expression="SET last_login_at = :at, first_login_at = if_not_exists(first_login_at, :at)",
        values={":at": at},
        condition="attribute_exists(pk)",
        conflict="No such patient.",
    )
