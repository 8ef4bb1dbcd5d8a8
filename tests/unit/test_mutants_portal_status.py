"""The portal-status rule (portal_status.py), written where mutation testing found it
untested (docs/security.md "Mutation testing"): an unconfirmed registration is told apart,
and a fix offers an email only when one reaches the patient."""

from __future__ import annotations

from typing import Any

from patientportal.models.records import PatientRecord
from patientportal.portal_status import FIXES, FIXES_WITHOUT_EMAIL, portal_status


def patient(**fields: Any) -> PatientRecord:
    base: dict[str, Any] = {
        "patient_id": "p1",
        "first_name": "Test",
        "last_name": "Person",
        "date_of_birth": "1990-01-01",
        "email": "someone@example.com",
        "zip": "02139",
        "portal_access_enabled": True,
    }
    return PatientRecord.model_validate({**base, **fields})


def test_an_unconfirmed_registration_is_inactive_and_says_so_with_its_fix():
    view = portal_status(patient(unconfirmed=True, expires_at=2_000_000_000))
    assert view.status == "inactive"
    assert [(reason.reason, reason.fix) for reason in view.reasons] == [("unverified", FIXES["unverified"])]


def test_an_unconfirmed_registration_with_access_off_lists_both():
    view = portal_status(patient(unconfirmed=True, expires_at=2_000_000_000, portal_access_enabled=False))
    assert [reason.reason for reason in view.reasons] == ["unverified", "access_off"]


def test_the_fix_offers_an_email_only_when_one_reaches_the_patient():
    reachable = portal_status(patient())
    assert [(reason.reason, reason.fix) for reason in reachable.reasons] == [("unactivated", FIXES["unactivated"])]
    bounced = portal_status(patient(email_undeliverable=True))
    assert [(reason.reason, reason.fix) for reason in bounced.reasons] == [
        ("unactivated", FIXES_WITHOUT_EMAIL["unactivated"])
    ]
    active = portal_status(patient(first_login_at="2026-01-01T00:00:00Z"))
    assert active.reasons[0].fix == FIXES["active"]
