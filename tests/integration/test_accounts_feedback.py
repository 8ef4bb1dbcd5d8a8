"""SES bounces and complaints reach notify through the configuration set's SNS topic and mark
the patient's email undeliverable, shown beside the portal status; and sign-in records the
first and last login that the status needs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.notify import app as notify
from local import demo_data
from local.functions import LambdaContext

FRONTDESK = demo_data.STAFF_LOGINS[0]


def sns_event(*notifications: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {"EventSource": "aws:sns", "Sns": {"Message": json.dumps(notification)}} for notification in notifications
        ]
    }


def bounce(address: str, kind: str = "Permanent") -> dict[str, Any]:
    return {"eventType": "Bounce", "bounce": {"bounceType": kind, "bouncedRecipients": [{"emailAddress": address}]}}


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


def undeliverable(call_patients, staff: str, patient_id: str) -> bool:
    status, detail, _ = call_patients("GET", f"/api/staff/patients/{patient_id}", token=staff)
    assert status == 200, detail
    return bool(detail["portal_status"]["email_undeliverable"])


def test_a_permanent_bounce_marks_every_patient_with_that_address(staff, call_patients):
    # Given the Okafor twins share one address, and Ines has her own
    # When SES reports a transient bounce for Ines and a permanent one for the shared address
    answer = notify.handler(
        sns_event(bounce("ines.moreau@example.com", "Transient"), bounce(demo_data.SHARED_EMAIL.upper())),
        LambdaContext(function_name="notify"),
    )
    # Then both twins are marked, shown beside their (active) status; Ines is not
    assert answer == {"batchItemFailures": []}
    assert undeliverable(call_patients, staff, "p-maya")
    assert undeliverable(call_patients, staff, "p-leo")
    assert not undeliverable(call_patients, staff, "p-ines")
    _, detail, _ = call_patients("GET", "/api/staff/patients/p-maya", token=staff)
    assert detail["portal_status"]["status"] == "active"


def test_a_complaint_marks_the_address_and_no_more_email_goes_to_it(staff, call_patients, call_auth, deliver_outbox):
    complaint = {
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "ines.moreau@example.com"}]},
    }
    notify.handler(sns_event(complaint), LambdaContext(function_name="notify"))
    assert undeliverable(call_patients, staff, "p-ines")
    # No link is sent to an undeliverable address, and staff are told why an invitation cannot go
    call_auth(
        "POST",
        "/api/auth/claim",
        body={"email": "ines.moreau@example.com", "last_name": "Moreau", "date_of_birth": "1992-07-30", "zip": "02142"},
    )
    assert deliver_outbox()["delivered"] == 0
    status, body, _ = call_patients("POST", "/api/staff/patients/p-ines/invitation", token=staff)
    assert (status, body["error"]["field"]) == (422, "email")
    # Correcting the address clears the mark
    status, detail, _ = call_patients(
        "PATCH",
        "/api/staff/patients/p-ines",
        body={"email": "ines.m@example.org", "confirm_email_change": True, "reason": "Old address bounced"},
        token=staff,
    )
    assert (status, detail["portal_status"]["email_undeliverable"]) == (200, False)


def test_sign_in_records_the_first_and_then_the_last_login(staff, call_patients, login):
    # Given Ravi, set up by staff and never signed in
    call_patients(
        "PUT",
        "/api/staff/patients/p-ravi/credentials",
        body={"username": "ravi.iyer", "password": "velvet tractor sunrise 4127"},
        token=staff,
    )
    _, before, _ = call_patients("GET", "/api/staff/patients/p-ravi", token=staff)
    assert (before["first_login_at"], before["portal_status"]["status"]) == ("", "unactivated")
    # When he signs in twice
    login("patient", "ravi.iyer", "velvet tractor sunrise 4127")
    _, first, _ = call_patients("GET", "/api/staff/patients/p-ravi", token=staff)
    login("patient", "ravi.iyer", "velvet tractor sunrise 4127")
    _, second, _ = call_patients("GET", "/api/staff/patients/p-ravi", token=staff)
    # Then the first login stays, the last moves on, and he is active
    assert first["first_login_at"]
    assert second["first_login_at"] == first["first_login_at"]
    assert second["last_login_at"] > first["last_login_at"]
    assert second["portal_status"]["status"] == "active"


def test_a_password_change_checks_the_current_one_and_revokes_every_session(staff, login, call_portal):
    # (The logic behind POST /api/portal/password, which the portal function serves.)
    from patientportal.dal import patients  # noqa: PLC0415
    from patientportal.errors import ValidationFailedError  # noqa: PLC0415
    from patientportal.logic.accounts.credentials import change_own_password  # noqa: PLC0415

    ava = next(item for item in demo_data.PATIENT_LOGINS if item.username == "ava.thompson")
    session = login("patient", ava.username, ava.password)
    record = patients.get_patient("p-ava")
    assert record is not None
    with pytest.raises(ValidationFailedError) as wrong:
        change_own_password(record, "not the password", "harvest lantern pebble 902")
    assert wrong.value.field == "current_password"
    with pytest.raises(ValidationFailedError) as weak:
        change_own_password(record, ava.password, "thompson-2024")
    assert weak.value.field == "new_password"
    # (no clock games: a revocation refuses tokens of its own second, decision 34)
    change_own_password(record, ava.password, "harvest lantern pebble 902")
    assert call_portal("GET", "/api/portal/me", token=session)[0] == 401
    assert login("patient", ava.username, "harvest lantern pebble 902")
