"""A patient's record as staff see it."""

from __future__ import annotations

from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.logic.patients import audit
from patientportal.models.patients import PatientDetail
from patientportal.models.records import PatientRecord
from patientportal.portal_status import portal_status


def detail_of(patient: PatientRecord) -> PatientDetail:
    return PatientDetail.from_record(patient, portal_status=portal_status(patient))


def patient_detail(staff: Principal, patient_id: str, *, api_request_id: str) -> PatientDetail:
    patient = patients.existing_patient(patient_id)
    audit.record(staff, "view_patient", patient_id, api_request_id)
    return detail_of(patient)
