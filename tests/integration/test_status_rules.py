"""Issue 12, the rules a new front-desk person stumbles on, in-process under moto: a patient
without an email who signs in with credentials set by staff is shown as able to (and counted
so); a second invitation does not erase the first one's use, an active patient gets a reset
instead, and a send minutes after the last one asks for a confirmation; a sign-in refusal
tells a newly registered patient where to look, in the same words for everyone."""

from __future__ import annotations

import pytest

from local import demo_data
from tests.integration.jobs_support import JobsStream
from tests.integration.test_accounts_links import NEW_PASSWORD, mail_to, token_in
from tests.integration.test_jobs_invitations import paced  # noqa: F401 - a fixture

FRONTDESK = demo_data.STAFF_LOGINS[0]
RESET_SUBJECT = "Set up or reset your Riverbend Family Practice portal sign-in"
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


def status_of(call_patients, staff: str, patient_id: str) -> tuple[str, list[str], dict[str, str]]:
    status, detail, _ = call_patients("GET", f"/api/staff/patients/{patient_id}", token=staff)
    assert status == 200, detail
    view = detail["portal_status"]
    return (
        view["status"],
        [found["reason"] for found in view["reasons"]],
        {r["reason"]: r["fix"] for r in view["reasons"]},
    )


def counts(call_patients, staff: str) -> dict:
    status, body, _ = call_patients("GET", "/api/staff/onboarding/counts", token=staff)
    assert status == 200, body
    return body


def listed_status(call_patients, staff: str, patient_id: str, status_name: str) -> bool:
    status, page, _ = call_patients(
        "GET", "/api/staff/onboarding", query=f"status={status_name}&limit=200", token=staff
    )
    assert status == 200, page
    return patient_id in {item["patient_id"] for item in page["items"]}


def test_a_patient_without_email_who_signs_in_with_staff_credentials_is_shown_and_counted_as_able_to(
    staff, call_patients, login
):
    # Given Wei: access on, a zip, no email, no username: nothing can reach him yet
    assert status_of(call_patients, staff, "p-wei")[:2] == ("inactive", ["no_email"])
    before = counts(call_patients, staff)["statuses"]

    # When staff set a username and password for him, to tell him in person
    status, _, _ = call_patients(
        "PUT",
        "/api/staff/patients/p-wei/credentials",
        body={"username": "wei.c", "password": NEW_PASSWORD},
        token=staff,
    )
    assert status == 200

    # Then he can use the portal: not activated yet, with the note that no email reaches him
    assert status_of(call_patients, staff, "p-wei")[:2] == ("unactivated", ["unactivated", "no_email"])
    assert listed_status(call_patients, staff, "p-wei", "unactivated")
    # And when he signs in, he is active, and the fixes do not offer emails that cannot reach him
    assert login("patient", "wei.c", NEW_PASSWORD)
    status_name, reasons, fixes = status_of(call_patients, staff, "p-wei")
    assert (status_name, reasons) == ("active", ["active", "no_email"])
    assert "forgot" not in fixes["active"]
    assert "password" in fixes["active"]
    assert listed_status(call_patients, staff, "p-wei", "active")
    after = counts(call_patients, staff)["statuses"]
    assert after == {**before, "inactive": before["inactive"] - 1, "active": before["active"] + 1}


def test_a_patient_without_a_zip_can_be_invited_and_is_not_shown_as_unable_to_use_the_portal(
    staff, call_patients, call_auth, deliver_outbox
):
    # Amara: access on, an email, no zip. An invitation reaches her (the zip is only for
    # the self-service identity check of "Create my portal account" and "I forgot my password")
    assert status_of(call_patients, staff, "p-amara")[:2] == ("unactivated", ["unactivated", "no_zip"])
    status, _, _ = call_patients("POST", "/api/staff/patients/p-amara/invitation", token=staff)
    assert status == 202
    deliver_outbox()
    token = token_in(mail_to("amara.diallo@example.com")[0])
    status, body, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "amara.d", "password": NEW_PASSWORD}
    )
    assert status == 200, body
    assert (
        call_auth("POST", "/api/auth/patient/login", body={"username": "amara.d", "password": NEW_PASSWORD})[0] == 200
    )
    assert status_of(call_patients, staff, "p-amara")[:2] == ("active", ["active", "no_zip"])


@pytest.mark.usefixtures("paced")
def test_a_used_invitation_stays_counted_and_an_active_patient_gets_a_reset_not_an_invitation(
    staff, call_patients, call_auth, deliver_outbox, stack
):
    # Given Tomasz used his invitation
    assert call_patients("POST", "/api/staff/patients/p-tomasz/invitation", token=staff)[0] == 202
    deliver_outbox()
    token = token_in(mail_to("tomasz.nowak@example.com")[0])
    status, body, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "tomasz.n", "password": NEW_PASSWORD}
    )
    assert status == 200, body
    assert counts(call_patients, staff)["invitations"]["used"] == 1

    # When a bulk send (confirmed: the last one was minutes ago) picks him again, with Ava,
    # who signed in long ago
    status, body, _ = call_patients(
        "POST",
        "/api/staff/onboarding/invitations",
        body={"patient_ids": ["p-tomasz", "p-ava"], "confirm_resend": True},
        token=staff,
    )
    assert status == 202, body
    assert JobsStream(stack).run() == 1
    deliver_outbox()

    # Then each gets a password-reset email, not "set up your account", and the used
    # invitation is still counted as used
    subjects = {
        address: sorted(email["subject"] for email in mail_to(address))
        for address in ("tomasz.nowak@example.com", "ava.thompson@example.com")
    }
    assert subjects == {
        "tomasz.nowak@example.com": [RESET_SUBJECT, "Your invitation to the Riverbend Family Practice patient portal"],
        "ava.thompson@example.com": [RESET_SUBJECT],
    }
    assert counts(call_patients, staff)["invitations"]["used"] == 1
    status, page, _ = call_patients("GET", "/api/staff/onboarding", query="q=nowak", token=staff)
    assert page["items"][0]["invitation"]["state"] == "used"


def test_a_send_minutes_after_the_last_asks_for_a_confirmation(staff, call_patients, deliver_outbox):
    # Given Inès was invited just now
    assert call_patients("POST", "/api/staff/patients/p-ines/invitation", token=staff)[0] == 202
    deliver_outbox()
    # When staff send again, one by one or in bulk, it is refused naming the confirmation
    status, body, _ = call_patients("POST", "/api/staff/patients/p-ines/invitation", token=staff)
    assert (status, body["error"]["field"]) == (409, "confirm_resend"), body
    status, body, _ = call_patients(
        "POST", "/api/staff/onboarding/invitations", body={"patient_ids": ["p-ines", "p-grace"]}, token=staff
    )
    assert (status, body["error"]["field"]) == (409, "confirm_resend"), body
    deliver_outbox()
    assert len(mail_to("ines.moreau@example.com")) == 1
    assert mail_to("grace.lindqvist@example.com") == []
    # And confirmed, it goes
    status, body, _ = call_patients(
        "POST", "/api/staff/patients/p-ines/invitation", query="confirm_resend=true", token=staff
    )
    assert status == 202, body
    deliver_outbox()
    assert len(mail_to("ines.moreau@example.com")) == 2


def test_a_sign_in_refusal_tells_everyone_to_look_for_the_confirmation_email_alike(call_auth, people):
    # Given someone who has just registered (no username yet: it is chosen on the emailed link)
    form = {
        "first_name": "Talia",
        "last_name": "Brandt",
        "date_of_birth": "1991-05-17",
        "email": "talia.brandt@example.com",
        "zip": "02144",
    }
    assert call_auth("POST", "/api/auth/register", body=form)[0] == 202
    # When she tries to sign in with what she thinks is her username, and Ava mistypes hers
    registered = call_auth(
        "POST", "/api/auth/patient/login", body={"username": "talia.brandt", "password": NEW_PASSWORD}
    )
    mistyped = call_auth("POST", "/api/auth/patient/login", body={"username": AVA.username, "password": NEW_PASSWORD})
    # Then both are told the same, including where a new registration's sign-in is chosen
    assert registered[0] == mistyped[0] == 401
    assert registered[1] == mistyped[1]
    assert "confirmation email" in registered[1]["error"]["message"]
