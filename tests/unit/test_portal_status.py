"""The portal-status rule of docs/api.md "Portal status": every reason listed, with its fix."""

from __future__ import annotations

import pytest

from patientportal.models.records import PatientRecord
from patientportal.portal_status import FIXES, FIXES_WITHOUT_EMAIL, can_sign_in, portal_status, status_of


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
        ({"email": "", "zip": ""}, ["no_email", "no_zip"]),
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


@pytest.mark.parametrize(
    ("fields", "status_name", "reasons"),
    [
        # Credentials set by staff for a patient with no email: they can sign in
        ({"email": "", "username": "wei.c"}, "unactivated", ["unactivated", "no_email"]),
        (
            {"email": "", "username": "wei.c", "first_login_at": "2026-01-01T00:00:00Z"},
            "active",
            ["active", "no_email"],
        ),
        # No zip: only the self-service identity check needs it; an invitation still reaches them
        ({"zip": ""}, "unactivated", ["unactivated", "no_zip"]),
        ({"zip": "", "username": "a.d", "first_login_at": "2026-01-01T00:00:00Z"}, "active", ["active", "no_zip"]),
        # Nothing can reach a patient with neither an email nor a username
        ({"email": "", "zip": ""}, "inactive", ["no_email", "no_zip"]),
        # Access off or an unconfirmed registration: no sign-in whatever else is on file
        (
            {"portal_access_enabled": False, "username": "x", "first_login_at": "2026-01-01T00:00:00Z"},
            "inactive",
            ["access_off"],
        ),
    ],
)
def test_the_status_says_whether_the_patient_can_sign_in(fields, status_name, reasons):
    record = patient(**fields)
    view = portal_status(record)
    assert (view.status, [reason.reason for reason in view.reasons]) == (status_name, reasons)
    assert status_of(record) == status_name
    assert can_sign_in(record) is record.portal_access_enabled


def test_no_email_reaching_an_active_patient_is_said_and_no_email_is_offered():
    fixes = {
        reason.reason: reason.fix
        for reason in portal_status(patient(email="", username="wei.c", first_login_at="x")).reasons
    }
    assert "forgot" not in fixes["active"]
    assert "reset email" not in fixes["active"]
    bounced = portal_status(patient(username="b", first_login_at="x", email_undeliverable=True)).reasons[0].fix
    assert "forgot" not in bounced


def test_the_sign_in_check_asks_for_access_on_only_not_an_email_or_a_zip():
    assert can_sign_in(patient(email="", zip="", username="wei.c"))
    assert not can_sign_in(patient(portal_access_enabled=False, username="x"))
    assert not can_sign_in(patient(portal_access_enabled=True, expires_at=2_000_000_000))


# Written where mutation testing found the rule untested (docs/security.md 10.9): an
# unconfirmed registration is told apart, and a fix offers an email only when one reaches
# the patient.


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
