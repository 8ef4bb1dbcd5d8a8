"""A patient as staff see it: the record's details with its portal status explained."""

from typing import Literal

from patientportal.models.common import Model

PortalStatus = Literal["inactive", "unactivated", "active"]


class StatusReason(Model):
    reason: str
    fix: str


class PortalStatusView(Model):
    status: PortalStatus
    reasons: list[StatusReason]
    email_undeliverable: bool


class PatientSummary(Model):
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: str
    portal_status: PortalStatusView


class PatientDetail(Model):
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
