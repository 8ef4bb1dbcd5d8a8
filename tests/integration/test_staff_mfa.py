"""The staff sign-in's second factor (an authenticator app), in-process under moto: the pool
requires it, a first sign-in enrols the app (QR code and key), a wrong code is refused with
a clear message and may be tried again, later sign-ins ask for the code, and an admin's
reset (audited) makes the member enrol again."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

from local import demo_data
from local.stack import LOCAL_PARAMETERS
from patientportal.dal import keys
from patientportal.dal.table import Table
from tests import staff_mfa
from tests.integration.conftest import post_auth

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
PRACTICE = LOCAL_PARAMETERS["PracticeName"]
RESET_ROUTE = "/api/staff/staff-members/{username}/mfa-reset"


def login_step(call_auth, username: str, password: str) -> tuple[int, Any, dict[str, Any]]:
    return call_auth("POST", "/api/auth/staff/login", body={"username": username, "password": password})


def reset(call_patients, token: str, username: str) -> tuple[int, Any, dict[str, Any]]:
    return call_patients(
        "POST",
        RESET_ROUTE.format(username=username),
        route=RESET_ROUTE,
        path_parameters={"username": username},
        token=token,
    )


def new_staff_member(stack) -> tuple[str, str]:
    """A member an admin has just added: a temporary password, nothing enrolled."""
    username = f"nurse{uuid.uuid4().hex[:6]}"
    cognito = boto3.client("cognito-idp")
    pool = stack.ref("StaffUserPool")
    cognito.admin_create_user(
        UserPoolId=pool, Username=username, TemporaryPassword="Temporary-pass-2026", MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName="staff")
    return username, "Temporary-pass-2026"


def staff_audit_entries(username: str) -> list[dict[str, Any]]:
    items, _ = Table().query_page(
        partition=("pk", keys.staff_partition(username)), sort_prefix=("sk", "AUDIT#"), newest_first=True, limit=10
    )
    return [dict(item) for item in items]


def test_the_staff_pool_requires_software_tokens_and_the_patient_pool_is_unchanged(stack):
    staff = stack.template["Resources"]["StaffUserPool"]["Properties"]
    assert (staff["MfaConfiguration"], staff["EnabledMfas"]) == ("ON", ["SOFTWARE_TOKEN_MFA"])
    assert "MfaConfiguration" not in stack.template["Resources"]["PatientUserPool"]["Properties"]
    # ... and the emulator's pools were made from those properties
    cognito = boto3.client("cognito-idp")
    provisioned = cognito.get_user_pool_mfa_config(UserPoolId=stack.ref("StaffUserPool"))
    assert provisioned["MfaConfiguration"] == "ON"
    assert provisioned["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert cognito.get_user_pool_mfa_config(UserPoolId=stack.ref("PatientUserPool"))["MfaConfiguration"] == "OFF"


def test_a_first_sign_in_enrols_the_app_and_a_wrong_code_can_be_tried_again(stack, people, call_auth, call_queue):
    username, temporary = new_staff_member(stack)
    status, first, _ = login_step(call_auth, username, temporary)
    assert (status, first["challenge"]) == (200, "NEW_PASSWORD_REQUIRED")

    # The new password leads to enrolling the authenticator app, not into the portal
    status, setup, raw = call_auth(
        "POST",
        "/api/auth/staff/challenge",
        body={"username": username, "session": first["session"], "new_password": "quiet harbor lantern seventy"},
    )
    assert (status, setup["challenge"]) == (200, "MFA_SETUP"), setup
    assert "access_token" not in setup
    assert not raw.get("cookies")

    # Enrolment: Cognito's secret, its otpauth:// address (practice and username) and a QR code
    status, enrolment, _ = call_auth(
        "POST", "/api/auth/staff/mfa/enrol", body={"username": username, "session": setup["session"]}
    )
    assert status == 200, enrolment
    assert enrolment["secret"] == COGNITO_TOTP_MFA_SECRET  # what the emulator's AssociateSoftwareToken answers
    address = urlsplit(enrolment["otpauth_uri"])
    assert (address.scheme, address.netloc) == ("otpauth", "totp")
    assert address.path == f"/{PRACTICE.replace(' ', '%20')}:{username}"
    assert parse_qs(address.query) == {
        "secret": [COGNITO_TOTP_MFA_SECRET],
        "issuer": [PRACTICE],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
    svg = enrolment["qr_svg"]
    assert svg.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "<path" in svg
    assert "<script" not in svg.lower()
    assert "href" not in svg.lower()

    # A wrong code is refused with a clear message on the code field, and the session still works
    wrong = {"username": username, "session": enrolment["session"], "code": staff_mfa.wrong_code()}
    status, refused, _ = call_auth("POST", "/api/auth/staff/mfa/enrol/confirm", body=wrong)
    assert status == 422, refused
    assert refused["error"]["field"] == "code"
    assert "not right" in refused["error"]["message"]
    assert "clock" in refused["error"]["message"]

    # Not six digits: said as such, before Cognito is asked
    status, refused, _ = call_auth("POST", "/api/auth/staff/mfa/enrol/confirm", body={**wrong, "code": "12 ab"})
    assert (status, refused["error"]["field"]) == (422, "code")
    assert "6-digit" in refused["error"]["message"]

    # The right code (as an app shows it, with a space) signs in, with the refresh cookie
    code = staff_mfa.code_now()
    right = {**wrong, "code": f"{code[:3]} {code[3:]}"}
    status, tokens, raw = call_auth("POST", "/api/auth/staff/mfa/enrol/confirm", body=right)
    assert status == 200, tokens
    assert any(cookie.startswith("staff_refresh=") for cookie in raw["cookies"])
    status, queue, _ = call_queue("GET", "/api/staff/queue", token=tokens["access_token"])
    assert status == 200, queue

    # From now on the password alone is not enough: the next sign-in asks for the code
    status, again, raw = login_step(call_auth, username, "quiet harbor lantern seventy")
    assert (status, again["challenge"]) == (200, "SOFTWARE_TOKEN_MFA")
    assert "access_token" not in again
    assert not raw.get("cookies")


def test_every_later_sign_in_asks_for_the_code_and_refuses_a_wrong_one(people, call_auth):
    status, challenge, raw = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    assert (status, challenge["challenge"]) == (200, "SOFTWARE_TOKEN_MFA"), challenge
    assert "access_token" not in challenge
    assert not raw.get("cookies")

    answer = {"username": FRONTDESK.username, "session": challenge["session"], "code": staff_mfa.wrong_code()}
    status, refused, _ = call_auth("POST", "/api/auth/staff/mfa/code", body=answer)
    assert status == 422, refused
    assert refused["error"]["field"] == "code"
    assert "not right" in refused["error"]["message"]

    # A second try with the same session and the right code signs in
    status, tokens, raw = call_auth("POST", "/api/auth/staff/mfa/code", body={**answer, "code": staff_mfa.code_now()})
    assert status == 200, tokens
    assert tokens["access_token"]
    assert any(cookie.startswith("staff_refresh=") for cookie in raw["cookies"])


def test_a_sign_in_step_cognito_no_longer_knows_says_sign_in_again(people, call_auth):
    stale = {"username": FRONTDESK.username, "session": "s" * 40, "code": staff_mfa.code_now()}
    for path in ("/api/auth/staff/mfa/code", "/api/auth/staff/mfa/enrol/confirm"):
        status, refused, _ = call_auth("POST", path, body=stale)
        assert status == 401, (path, refused)
        assert "Sign in again" in refused["error"]["message"]
    status, refused, _ = call_auth("POST", "/api/auth/staff/mfa/enrol", body={"username": "x", "session": "s" * 40})
    assert status == 401, refused
    # Not a session at all: a 422 on the field, never a 500
    status, refused, _ = call_auth("POST", "/api/auth/staff/mfa/code", body={**stale, "session": "short"})
    assert (status, refused["error"]["field"]) == (422, "session"), refused


def test_an_admin_reset_makes_the_member_enrol_again_signs_them_out_and_is_audited(
    stack, people, call_auth, call_patients, login
):
    admin = login("staff", ADMIN.username, ADMIN.password)
    # The front desk is signed in somewhere with a refresh token
    status, challenge, _ = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    assert challenge["challenge"] == "SOFTWARE_TOKEN_MFA"
    status, signed_in, raw = call_auth(
        "POST",
        "/api/auth/staff/mfa/code",
        body={"username": FRONTDESK.username, "session": challenge["session"], "code": staff_mfa.code_now()},
    )
    assert status == 200, signed_in
    refresh_token = next(c for c in raw["cookies"] if c.startswith("staff_refresh=")).split(";")[0].split("=", 1)[1]

    status, answer, raw = reset(call_patients, admin, FRONTDESK.username)
    assert status == 200, answer
    assert answer["username"] == FRONTDESK.username

    # One audit entry: who, what, whom, when, which request
    (entry,) = staff_audit_entries(FRONTDESK.username)
    assert entry["actor"] == ADMIN.username
    assert entry["action"] == "staff_mfa_reset"
    assert entry["staff_username"] == FRONTDESK.username
    assert entry["at"] == answer["reset_at"]
    assert entry["request_id"]

    # Signed out everywhere: the refresh token renews nothing
    cognito = boto3.client("cognito-idp")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(
            ClientId=stack.ref("StaffUserPoolClient"),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )

    # And the access token they hold is refused at once, not only when it expires
    assert call_patients("GET", "/api/staff/patients/p-ava", token=signed_in["access_token"])[0] == 401

    # The next sign-in enrols an app again, and the one after asks for its code
    status, setup, _ = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    assert (status, setup["challenge"]) == (200, "MFA_SETUP"), setup
    status, done = staff_mfa.finish(post_auth(call_auth), FRONTDESK.username, status, setup)
    assert status == 200, done
    assert done["access_token"]
    status, again, _ = login_step(call_auth, FRONTDESK.username, FRONTDESK.password)
    assert (status, again["challenge"]) == (200, "SOFTWARE_TOKEN_MFA")


def test_only_an_admin_may_reset_and_a_patient_token_reaches_no_staff_mfa_route(
    stack, people, call_auth, call_patients, login
):
    frontdesk = login("staff", FRONTDESK.username, FRONTDESK.password)
    admin = login("staff", ADMIN.username, ADMIN.password)
    patient = login("patient", AVA.username, AVA.password)

    status, refused, _ = reset(call_patients, frontdesk, ADMIN.username)
    assert status == 403, refused
    assert refused["error"]["message"] == "This route is for practice administrators."
    status, refused, _ = reset(call_patients, patient, FRONTDESK.username)
    assert status == 403, refused

    # Nobody of that name: 404 on the username, and nothing reset or audited
    status, refused, _ = reset(call_patients, admin, "nobody-here")
    assert (status, refused["error"]["field"]) == (404, "username"), refused
    for username in (ADMIN.username, FRONTDESK.username, "nobody-here"):
        assert staff_audit_entries(username) == []
    status, still, _ = login_step(call_auth, ADMIN.username, ADMIN.password)
    assert still["challenge"] == "SOFTWARE_TOKEN_MFA"

    # API Gateway puts the reset behind the staff pool's authorizer (a patient token is refused
    # there before the function runs), and a patient's sign-in has no staff challenge to answer
    event = stack.template["Resources"]["PatientsFunction"]["Properties"]["Events"]["ResetStaffMfa"]["Properties"]
    assert (event["Path"], event["Auth"]["Authorizer"]) == (RESET_ROUTE, "StaffAuthorizer")
    status, refused, _ = call_auth(
        "POST",
        "/api/auth/staff/mfa/code",
        body={"username": AVA.username, "session": patient, "code": staff_mfa.code_now()},
        token=patient,
    )
    assert status == 401, refused
