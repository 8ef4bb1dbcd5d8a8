"""A patient's record as staff see it."""

from __future__ import annotations

from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.errors import NotFoundError
from patientportal.logic.patients import audit
from patientportal.models.patients import PatientDetail
from patientportal.models.records import PatientRecord
from patientportal.portal_status import portal_status


def detail_of(patient: PatientRecord) -> PatientDetail:
    return PatientDetail.from_record(patient, portal_status=portal_status(patient))


def patient_detail(staff: Principal, patient_id: str, *, api_request_id: str) -> PatientDetail:
    patient = patients.get_patient(patient_id)
    if patient is None:
        raise NotFoundError("There is no such patient.")
    audit.record(staff, "view_patient", patient_id, api_request_id)
    return detail_of(patient)
