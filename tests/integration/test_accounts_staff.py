"""The staff side of accounts, in-process under moto: portal status and its fixes, enabling
and disabling access, adding patients by hand, credentials set by hand, invitations, the
guarded email change, and the electronic registration form with its verification link."""

from __future__ import annotations

import importlib
import re
import time
from typing import Any

import pytest

from local import demo_data
from patientportal import clock
from patientportal.auth import link_tokens as link_rules
from patientportal.dal import keys
from patientportal.dal.table import Table
from tests.integration.conftest import AVA_ON_FILE
from tests.integration.test_accounts_links import NEW_PASSWORD, mail_to, token_in

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
LEO = next(login for login in demo_data.PATIENT_LOGINS if login.username == "leo.okafor")


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


def later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Moves the portal's clock on (tokens' iat stay real), so a revocation is seen as after them."""
    moment = int(time.time()) + seconds
    monkeypatch.setattr(clock, "epoch_seconds", lambda: moment)


def audit_actions(call_patients, staff: str, patient_id: str) -> list[str]:
    status, page, _ = call_patients("GET", f"/api/staff/patients/{patient_id}/audit", token=staff)
    assert status == 200, page
    return [entry["action"] for entry in page["items"]]


def test_status_lists_every_reason_and_its_fix_and_shows_a_bounced_address(staff, call_patients):
    # Zoé has no access, no email and no zip; Inès is unactivated; Ava is active
    expectations = {
        "p-zoe": ("inactive", ["access_off", "no_email", "no_zip"]),
        "p-wei": ("inactive", ["no_email"]),
        "p-amara": ("unactivated", ["unactivated", "no_zip"]),  # an invitation reaches her
        "p-omar": ("inactive", ["access_off"]),
        "p-ines": ("unactivated", ["unactivated"]),
        "p-ava": ("active", ["active"]),
    }
    for patient_id, (status_name, reasons) in expectations.items():
        status, detail, _ = call_patients("GET", f"/api/staff/patients/{patient_id}", token=staff)
        assert status == 200, detail
        view = detail["portal_status"]
        assert (view["status"], [reason["reason"] for reason in view["reasons"]]) == (status_name, reasons)
        assert all(reason["fix"] for reason in view["reasons"])
    # And the undeliverable demo address is flagged beside its status
    status, detail, _ = call_patients("GET", "/api/staff/patients/p-olu", token=staff)
    assert detail["portal_status"]["email_undeliverable"] is True


def test_search_by_name_prefix_shows_each_portal_status(staff, call_patients, aws_calls):
    aws_calls.reset()
    status, page, _ = call_patients("GET", "/api/staff/patients", query="q=okaf", token=staff)
    assert status == 200, page
    assert {(item["first_name"], item["portal_status"]["status"]) for item in page["items"]} == {
        ("Maya", "active"),
        ("Leo", "active"),
    }
    # One word is a last-name prefix, then a first name: two Queries; and whom the page showed
    assert aws_calls.operations() == {"GetItem": 1, "Query": 2, "PutItem": 1}
    assert call_patients("GET", "/api/staff/patients", query="q=", token=staff)[0] == 422
    # Accents and case do not matter: "fernand" and "FERNÁ" both find Lucía Fernández
    for typed in ("fernand", "FERN%C3%81"):
        status, page, _ = call_patients("GET", "/api/staff/patients", query=f"q={typed}", token=staff)
        assert [item["last_name"] for item in page["items"]] == ["Fernández"], typed


def test_enabling_needs_email_zip_and_the_privacy_confirmation(staff, call_patients):
    # Zoé has neither email nor zip: the 422 names both, email first
    status, body, _ = call_patients(
        "PUT",
        "/api/staff/patients/p-zoe/portal-access",
        body={"enabled": True, "identity_confirmed": True},
        token=staff,
    )
    assert (status, body["error"]["field"]) == (422, "email")
    assert "zip" in body["error"]["message"]
    # Elena has an email but no zip
    status, body, _ = call_patients(
        "PUT",
        "/api/staff/patients/p-elena/portal-access",
        body={"enabled": True, "identity_confirmed": True},
        token=staff,
    )
    assert (status, body["error"]["field"]) == (422, "zip")
    # Omar has both, but staff have not confirmed only he uses the address
    status, body, _ = call_patients(
        "PUT", "/api/staff/patients/p-omar/portal-access", body={"enabled": True}, token=staff
    )
    assert (status, body["error"]["field"]) == (422, "identity_confirmed")
    # With the confirmation, access is on, the confirmation recorded, and it is audited
    status, detail, _ = call_patients(
        "PUT",
        "/api/staff/patients/p-omar/portal-access",
        body={"enabled": True, "identity_confirmed": True},
        token=staff,
    )
    assert status == 200, detail
    assert detail["portal_status"]["status"] == "unactivated"
    assert detail["email_confirmed_by"] == FRONTDESK.username
    assert detail["email_confirmed_at"]
    assert "enable_portal_access" in audit_actions(call_patients, staff, "p-omar")


def test_disabling_access_takes_effect_on_the_next_request(staff, login, call_patients, call_portal, call_auth):
    # Given Ava signed in, with a refresh cookie
    status, _, raw = call_auth(
        "POST", "/api/auth/patient/login", body={"username": AVA.username, "password": AVA.password}
    )
    session = str(__import__("json").loads(raw["body"])["access_token"])
    cookie = next(value for value in raw["cookies"] if value.startswith("portal_refresh="))
    assert call_portal("GET", "/api/portal/me", token=session)[0] == 200

    # When staff disable her access
    status, detail, _ = call_patients(
        "PUT", "/api/staff/patients/p-ava/portal-access", body={"enabled": False}, token=staff
    )
    assert (status, detail["portal_status"]["status"]) == (200, "inactive")

    # Then her next API call, a refresh and a new sign-in all fail
    assert call_portal("GET", "/api/portal/me", token=session)[0] == 401
    refresh = call_auth(
        "POST", "/api/auth/refresh", body={"account": "patient"}, headers={"cookie": cookie.split(";")[0]}
    )
    assert refresh[0] == 401
    assert (
        call_auth("POST", "/api/auth/patient/login", body={"username": AVA.username, "password": AVA.password})[0]
        == 401
    )
    assert "disable_portal_access" in audit_actions(call_patients, staff, "p-ava")

    # And when access is enabled again, she can sign in again
    call_patients(
        "PUT",
        "/api/staff/patients/p-ava/portal-access",
        body={"enabled": True, "identity_confirmed": True},
        token=staff,
    )
    assert login("patient", AVA.username, AVA.password)


def test_a_patient_added_by_hand_is_activated_at_once_only_with_email_and_zip(staff, call_patients):
    person = {"first_name": "Priya", "last_name": "Raman", "date_of_birth": "1993-05-17", "phone": "555-0100"}
    status, with_both, _ = call_patients(
        "POST",
        "/api/staff/patients",
        body={**person, "email": "priya.raman@example.com", "zip": "02160", "activate_without_confirmation": True},
        token=staff,
    )
    assert status == 201, with_both
    assert (with_both["portal_access_enabled"], with_both["portal_status"]["status"]) == (True, "unactivated")
    status, no_zip, _ = call_patients(
        "POST",
        "/api/staff/patients",
        body={**person, "email": "priya.raman@example.com", "activate_without_confirmation": True},
        token=staff,
    )
    assert status == 201
    assert no_zip["portal_access_enabled"] is False
    assert [reason["reason"] for reason in no_zip["portal_status"]["reasons"]] == ["access_off", "no_zip"]
    status, unchecked, _ = call_patients(
        "POST", "/api/staff/patients", body={**person, "email": "priya.raman@example.com", "zip": "02160"}, token=staff
    )
    assert unchecked["portal_access_enabled"] is False
    assert "add_patient" in audit_actions(call_patients, staff, with_both["patient_id"])
    # Bad input names the field
    status, bad, _ = call_patients(
        "POST", "/api/staff/patients", body={**person, "date_of_birth": "17/05/1993"}, token=staff
    )
    assert (status, bad["error"]["field"]) == (422, "date_of_birth")


def test_staff_set_credentials_by_hand_for_patients_sharing_an_email(staff, call_patients, login):
    # Given a new patient sharing the Okafor family's email
    status, added, _ = call_patients(
        "POST",
        "/api/staff/patients",
        body={
            "first_name": "Ada",
            "last_name": "Okafor",
            "date_of_birth": "1980-01-15",
            "email": demo_data.SHARED_EMAIL,
            "zip": "02140",
            "activate_without_confirmation": True,
        },
        token=staff,
    )
    patient_id = added["patient_id"]
    path = f"/api/staff/patients/{patient_id}/credentials"

    # When staff check usernames live: invalid, taken without regard to case, free
    assert call_patients("GET", "/api/staff/usernames/a!", token=staff)[1]["valid"] is False
    taken = call_patients("GET", "/api/staff/usernames/MAYA.OKAFOR", token=staff)[1]
    assert (taken["valid"], taken["available"]) == (True, False)
    free = call_patients("GET", "/api/staff/usernames/ada.okafor", token=staff)[1]
    assert (free["valid"], free["available"]) == (True, True)

    # Then setting a taken one is a 409, a weak password a 422, both naming the field
    status, body, _ = call_patients("PUT", path, body={"username": "Maya.Okafor"}, token=staff)
    assert (status, body["error"]["field"]) == (409, "username")
    status, body, _ = call_patients(
        "PUT", path, body={"username": "ada.okafor", "password": "okafor123456"}, token=staff
    )
    assert (status, body["error"]["field"]) == (422, "password")
    # And a valid pair lets her sign in with her own username at the shared email
    status, detail, _ = call_patients(
        "PUT", path, body={"username": "ada.okafor", "password": NEW_PASSWORD}, token=staff
    )
    assert (status, detail["username"]) == (200, "ada.okafor")
    assert login("patient", "ada.okafor", NEW_PASSWORD)
    assert "set_credentials" in audit_actions(call_patients, staff, patient_id)

    # When staff rename her, the old username is free again and the new one works
    call_patients("PUT", path, body={"username": "ada.o"}, token=staff)
    assert call_patients("GET", "/api/staff/usernames/ada.okafor", token=staff)[1]["available"] is True
    assert login("patient", "ada.o", NEW_PASSWORD)


def test_a_credential_change_by_staff_revokes_sessions(staff, login, call_patients, call_portal):
    session = login("patient", AVA.username, AVA.password)
    status, _, _ = call_patients(
        "PUT", "/api/staff/patients/p-ava/credentials", body={"password": NEW_PASSWORD}, token=staff
    )
    assert status == 200
    assert call_portal("GET", "/api/portal/me", token=session)[0] == 401


def test_an_invitation_link_sets_username_then_password_and_a_newer_one_revokes_it(  # noqa: PLR0917 - fixtures
    staff, call_patients, call_auth, deliver_outbox, login, monkeypatch
):
    # Given Tomasz, unactivated and without a username; Zoé, who cannot be invited
    assert call_patients("POST", "/api/staff/patients/p-zoe/invitation", token=staff)[1]["error"]["field"] == "email"
    # When staff send him two invitations
    status, sent, _ = call_patients("POST", "/api/staff/patients/p-tomasz/invitation", token=staff)
    assert (status, sent["sent_to"]) == (202, "tomasz.nowak@example.com")
    deliver_outbox()
    call_patients("POST", "/api/staff/patients/p-tomasz/invitation", query="confirm_resend=true", token=staff)
    deliver_outbox()
    newer, older = (token_in(email) for email in mail_to("tomasz.nowak@example.com"))
    # Then only the newer works, and it lasts 72 hours, not one
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": older})[0] == 410
    later(monkeypatch, 2 * 3600)
    status, info, _ = call_auth("POST", "/api/auth/link/inspect", body={"token": newer})
    assert (status, info["purpose"], info["needs_username"]) == (200, "invitation", True)
    status, _, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": newer, "username": "t.nowak", "password": NEW_PASSWORD}
    )
    assert status == 200
    assert login("patient", "t.nowak", NEW_PASSWORD)
    assert "send_invitation" in audit_actions(call_patients, staff, "p-tomasz")
    # A link past its lifetime is refused (with his username set, staff's send is now a reset)
    call_patients("POST", "/api/staff/patients/p-tomasz/invitation", query="confirm_resend=true", token=staff)
    deliver_outbox()
    latest = token_in(mail_to("tomasz.nowak@example.com")[0])
    later(monkeypatch, link_rules.LIFETIME_SECONDS["invitation"] + 3 * 3600)
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": latest})[0] == 410


def test_an_email_change_is_guarded_notifies_the_old_address_and_revokes(  # noqa: PLR0917 - fixtures
    staff, login, call_patients, call_portal, call_auth, deliver_outbox
):
    # Given Ava signed in, and a reset link she asked for
    session = login("patient", AVA.username, AVA.password)
    call_auth(
        "POST",
        "/api/auth/forgot",
        body=AVA_ON_FILE,
    )
    deliver_outbox()
    token = token_in(mail_to("ava.thompson@example.com")[0])
    change = {"email": "ava.t@example.org"}
    # When staff change her email without the confirmation, or without a reason
    status, body, _ = call_patients("PATCH", "/api/staff/patients/p-ava", body=change, token=staff)
    assert (status, body["error"]["field"]) == (422, "confirm_email_change")
    status, body, _ = call_patients(
        "PATCH", "/api/staff/patients/p-ava", body={**change, "confirm_email_change": True}, token=staff
    )
    assert (status, body["error"]["field"]) == (422, "reason")
    # Then nothing changed; with both, it does
    status, detail, _ = call_patients(
        "PATCH",
        "/api/staff/patients/p-ava",
        body={**change, "confirm_email_change": True, "reason": "Patient asked at the front desk, ID checked"},
        token=staff,
    )
    assert (status, detail["email"]) == (200, "ava.t@example.org")
    deliver_outbox()
    # The old address is told, the new one is not
    notice = mail_to("ava.thompson@example.com")[0]
    assert "changed" in notice["subject"]
    assert mail_to("ava.t@example.org") == []
    # Sessions and links are revoked
    assert call_portal("GET", "/api/portal/me", token=session)[0] == 401
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": token})[0] == 410
    # And it is audited with its reason
    assert "change_email" in audit_actions(call_patients, staff, "p-ava")
    # A patient without access needs no confirmation; other demographics neither
    status, _, _ = call_patients(
        "PATCH", "/api/staff/patients/p-omar", body={"email": "omar.h@example.org"}, token=staff
    )
    assert status == 200
    status, detail, _ = call_patients("PATCH", "/api/staff/patients/p-ava", body={"phone": "555-0142"}, token=staff)
    assert (status, detail["phone"]) == (200, "555-0142")


REGISTRATION = {
    "first_name": "Mirela",
    "last_name": "Kovač",
    "date_of_birth": "1990-10-03",
    "email": "mirela.kovac@example.com",
    "zip": "02161",
}


@pytest.mark.usefixtures("people")
def test_registration_waits_with_access_off_until_the_link_sets_up_the_account(
    call_auth, deliver_outbox, login, call_patients, staff
):
    # When Mirela registers online
    status, body, _raw = call_auth("POST", "/api/auth/register", body=REGISTRATION)
    assert status == 202, body
    # Then she appears for staff, inactive and marked as an unconfirmed self-registration
    (found,) = call_patients("GET", "/api/staff/patients", query="q=kov", token=staff)[1]["items"]
    assert found["portal_status"]["status"] == "inactive"
    assert found["portal_status"]["reasons"][0]["reason"] == "unverified"
    # When she opens the confirmation email's link, nothing is confirmed yet (a mail scanner
    # opening it changes nothing)
    deliver_outbox()
    token = token_in(mail_to(REGISTRATION["email"])[0])
    info = call_auth("POST", "/api/auth/link/inspect", body={"token": token})[1]
    assert (info["purpose"], info["needs_username"]) == ("verify_email", True)
    assert (
        call_patients("GET", f"/api/staff/patients/{found['patient_id']}", token=staff)[1]["portal_access_enabled"]
        is False
    )
    # When she presses the button with a username and a password
    status, ready, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "mirela.k", "password": NEW_PASSWORD}
    )
    assert (status, ready) == (200, {"username": "mirela.k"})
    # Then access is on, she is a patient like any other, and she signs in
    detail = call_patients("GET", f"/api/staff/patients/{found['patient_id']}", token=staff)[1]
    assert (detail["portal_access_enabled"], detail["registered_online"]) == (True, True)
    assert [reason["reason"] for reason in detail["portal_status"]["reasons"]] == ["unactivated"]
    assert login("patient", "mirela.k", NEW_PASSWORD)
    assert call_auth("POST", "/api/auth/link/complete", body={"token": token, "password": NEW_PASSWORD})[0] == 410


@pytest.mark.usefixtures("people")
def test_a_never_used_verification_link_leaves_access_off_until_staff_enable_and_a_reset(
    call_auth, deliver_outbox, login, call_patients, staff
):
    # Given Mirela registered but never used the link
    call_auth("POST", "/api/auth/register", body=REGISTRATION)
    (found,) = call_patients("GET", "/api/staff/patients", query="q=kov", token=staff)[1]["items"]
    # When staff enable her access, confirming the address is hers
    status, _, _ = call_patients(
        "PUT",
        f"/api/staff/patients/{found['patient_id']}/portal-access",
        body={"enabled": True, "identity_confirmed": True},
        token=staff,
    )
    assert status == 200
    # Then the record is kept for good, found by her email, with its true stored status
    kept = Table().get(keys.patient(found["patient_id"]))
    assert kept is not None
    assert "expires_at" not in kept
    assert kept["email_pk"] == keys.email_partition(REGISTRATION["email"])
    assert (kept["portal_status"], kept["status_pk"]) == ("unactivated", keys.status_partition("unactivated"))
    # And she resets her password with "I forgot my password"
    call_auth(
        "POST",
        "/api/auth/forgot",
        body={"email": REGISTRATION["email"], "last_name": "Kovac", "date_of_birth": "1990-10-03", "zip": "02161"},
    )
    deliver_outbox()
    token = token_in(next(email for email in mail_to(REGISTRATION["email"]) if "reset" in email["subject"]))
    status, _, _ = call_auth(
        "POST",
        "/api/auth/link/complete",
        body={"token": token, "username": "mirela.k", "password": "quiet meadow lantern 88"},
    )
    assert status == 200
    # Then she signs in with the username she chose and the new password
    assert login("patient", "mirela.k", "quiet meadow lantern 88")


@pytest.mark.usefixtures("people")
def test_the_confirmation_link_refuses_a_weak_password_or_bad_username_naming_the_field(call_auth, deliver_outbox):
    call_auth("POST", "/api/auth/register", body=REGISTRATION)
    deliver_outbox()
    token = token_in(mail_to(REGISTRATION["email"])[0])
    weak = {"token": token, "username": "mirela.k", "password": "mirela.k2026!"}
    status, body, _ = call_auth("POST", "/api/auth/link/complete", body=weak)
    assert (status, body["error"]["field"]) == (422, "password")
    status, body, _ = call_auth("POST", "/api/auth/link/complete", body={**weak, "username": "no spaces"})
    assert (status, body["error"]["field"]) == (422, "username")
    # The link still works after both
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": token})[0] == 200


# A body and query each staff route accepts, so that only the caller check can refuse a
# patient's token: a body that failed validation would be answered 422 before the check ran.
STAFF_ROUTE_REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/staff/patients"): {"query": "q=okafor"},
    ("POST", "/api/staff/patients"): {
        "body": {"first_name": "Rowan", "last_name": "Ellery", "date_of_birth": "1990-01-01"}
    },
    ("PATCH", "/api/staff/patients/<patient_id>"): {"body": {"phone": "(555) 010-0199"}},
    ("PUT", "/api/staff/patients/<patient_id>/portal-access"): {"body": {"enabled": False}},
    ("POST", "/api/staff/patients/<patient_id>/invitation"): {},
    ("PUT", "/api/staff/patients/<patient_id>/credentials"): {"body": {"password": NEW_PASSWORD}},
    ("POST", "/api/staff/patients/<patient_id>/messages"): {"body": {"body": "Your results are in."}},
    ("POST", "/api/staff/onboarding/invitations"): {"body": {"patient_ids": ["p-leo"]}},
    ("POST", "/api/staff/patients/import"): {
        "raw_body": b"first_name,last_name,date_of_birth\nRowan,Ellery,1990-01-01\n",
        "headers": {"content-type": "text/csv"},
    },
    ("POST", "/api/staff/staff-members/<username>/mfa-reset"): {},
    ("POST", "/api/staff/staff-members"): {"body": {"username": "nurse.rowan", "email": "rowan@example.com"}},
    ("PATCH", "/api/staff/staff-members/<username>"): {"body": {"enabled": False}},
    ("POST", "/api/staff/queue/<request_id>/helper"): {},
    ("POST", "/api/staff/queue/<request_id>/changes"): {"body": {"fields": ["phone"], "expected_version": 1}},
    ("POST", "/api/staff/queue/<request_id>/reply"): {"body": {"body": "Done.", "expected_version": 1}},
    ("POST", "/api/staff/queue/<request_id>/dismiss"): {"body": {"outcome": "completed", "expected_version": 1}},
    ("POST", "/api/staff/archive/<request_id>/restore"): {"body": {"expected_version": 1}},
    ("POST", "/api/staff/queue/<request_id>/assignment"): {"body": {"assignee": "frontdesk", "expected_version": 1}},
    ("POST", "/api/staff/queue/<request_id>/notes"): {"body": {"body": "Called back."}},
    ("PUT", "/api/staff/practice-settings"): {"body": {"overdue_after": 2, "expected_version": 0}},
    ("POST", "/api/staff/saved-replies"): {"body": {"title": "Ready", "text": "Hello {first_name}."}},
    ("PUT", "/api/staff/saved-replies/<reply_id>"): {
        "body": {"title": "Ready", "text": "Hello {first_name}.", "expected_version": 1}
    },
    ("DELETE", "/api/staff/saved-replies/<reply_id>"): {"query": "expected_version=1"},
}
# Real ids where there are any, so a route that forgot its check would act on them.
PATH_VALUES = {
    "patient_id": "p-leo",
    "username": FRONTDESK.username,
    "request_id": "r-any",
    "job_id": "j-any",
    "reply_id": "any-reply",
}


def staff_routes() -> list[tuple[str, str, str]]:
    """Every staff route of every function, as (area, method, path as registered)."""
    routes = []
    for area in ("patients", "queue"):
        app = importlib.import_module(f"functions.{area}.app").app
        routes += [
            (area, route.method, route.path)
            for route in app._static_routes + app._dynamic_routes
            if route.path.startswith("/api/staff/")
        ]
    return sorted(routes)


@pytest.mark.usefixtures("people")
def test_staff_routes_refuse_patient_tokens(login, call_patients, call_queue):
    routes = staff_routes()
    writes = {(method, path) for _, method, path in routes if method != "GET"}
    assert not writes - STAFF_ROUTE_REQUESTS.keys(), "name a valid request for each new staff route"
    patient = login("patient", AVA.username, AVA.password)
    callers = {"patients": call_patients, "queue": call_queue}
    for area, method, route in routes:
        # When a patient's token brings a request the route would otherwise accept
        request = STAFF_ROUTE_REQUESTS.get((method, route), {})
        path = re.sub(r"<(\w+)>", lambda name: PATH_VALUES[name.group(1)], route)
        status, body, _ = callers[area](method, path, token=patient, **request)
        # Then it is refused as not staff, exactly, before anything is done
        assert (status, (body or {}).get("error", {}).get("code")) == (403, "forbidden"), (method, route, body)
    # And Leo, whose id was in every path, still signs in with his own password
    assert login("patient", LEO.username, LEO.password)
