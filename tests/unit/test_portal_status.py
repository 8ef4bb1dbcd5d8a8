"""The portal-status rule of docs/api.md "Portal status": every reason listed, with its fix."""

from __future__ import annotations

import pytest

from patientportal.models.records import PatientRecord
from patientportal.portal_status import portal_status


def patient(**fields: object) -> PatientRecord:
    base: dict[str, object] = {
        "patient_id": "p1",
        "first_name": "Test",
        "last_name": "Person",
        "date_of_birth": "1990-01-01",
        "email": "someone@example.com",
        "zip": "02139",
        "portal_access_enabled": True,
    }
    return PatientRecord.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "reasons"),
    [
        ({"portal_access_enabled": False}, ["access_off"]),
        ({"email": ""}, ["no_email"]),
        ({"zip": ""}, ["no_zip"]),
        ({"portal_access_enabled": False, "email": "", "zip": ""}, ["access_off", "no_email", "no_zip"]),
    ],
)
def test_inactive_lists_every_reason_with_a_fix(fields, reasons):
    status = portal_status(patient(**fields))
    assert status.status == "inactive"
    assert [reason.reason for reason in status.reasons] == reasons
    assert all(reason.fix for reason in status.reasons)


def test_possible_but_never_used_is_unactivated():
    assert portal_status(patient()).status == "unactivated"


def test_logged_in_once_is_active_and_bounces_show_beside_any_status():
    status = portal_status(patient(first_login_at="2026-01-01T00:00:00Z", email_undeliverable=True))
    assert (status.status, status.email_undeliverable) == ("active", True)
    assert portal_status(patient(portal_access_enabled=False, email_undeliverable=True)).email_undeliverable
