"""A patient's record as staff see it."""

from __future__ import annotations

from pydantic import BaseModel

from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.errors import NotFoundError
from patientportal.logic import audit
from patientportal.logic.portal_status import PortalStatusView, portal_status
from patientportal.models.records import PatientRecord


class PatientDetail(BaseModel):
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: str
    email: str
    zip: str
    phone: str
    username: str
    portal_access_enabled: bool
    portal_status: PortalStatusView
    first_login_at: str
    last_login_at: str
    email_confirmed_by: str = ""
    email_confirmed_at: str = ""
    registered_online: bool = False
    version: int = 1


def detail_of(patient: PatientRecord) -> PatientDetail:
    return PatientDetail.model_validate({**patient.model_dump(), "portal_status": portal_status(patient)})


def patient_detail(staff: Principal, patient_id: str, *, api_request_id: str) -> PatientDetail:
    patient = patients.get_patient(patient_id)
    if patient is None:
        raise NotFoundError("There is no such patient.")
    audit.record(staff, "view_patient", patient_id, api_request_id)
    return detail_of(patient)
