"""The signed-in patient's own profile."""

from __future__ import annotations

from patientportal.models.portal import Me
from patientportal.models.records import PatientRecord
from patientportal.settings import get_settings


def me(patient: PatientRecord) -> Me:
    settings = get_settings()
    return Me(
        patient_id=patient.patient_id,
        first_name=patient.first_name,
        last_name=patient.last_name,
        practice_name=settings.practice_name,
        practice_phone=settings.practice_phone,
        unread_messages=patient.unread_messages,
    )
