"""The whole stack over HTTP, as a person or the pages use it: `make run`'s runtime on
free ports. Covers the foundation's slice, the JWT authorizers, the pages' security
headers, the development mailbox and a clean stop on Ctrl-C."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from local import demo_data
from local.stack import STACK_NAME
from tests import staff_mfa
from tests.local.conftest import RunningPortal, start_portal

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]

AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
FRONTDESK = demo_data.STAFF_LOGINS[0]


def sign_in(portal: RunningPortal, who: str, username: str, password: str) -> str:
    if who == "staff":  # with the authenticator app's code
        return staff_mfa.staff_token_over_http(portal.url, username, password)
    answer = requests.post(
        f"{portal.url}/api/auth/{who}/login", json={"username": username, "password": password}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_for_new_mail(portal: RunningPortal, seen: set[str], *, to: str) -> dict[str, Any]:
    """The first email to ``to`` that was not in the mailbox before (other tests' may arrive too)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for email in requests.get(f"{portal.url}/_dev/mail.json", timeout=10).json():
            if email["message_id"] not in seen and email["to"] == [to]:
                return dict(email)
        time.sleep(0.1)
    raise AssertionError(f"no new email to {to} in the mailbox")


def test_the_slice_works_end_to_end_over_http(portal):
    # A demo patient signs in and asks for a refill
    patient = sign_in(portal, "patient", AVA.username, AVA.password)
    refill = {"type": "refill", "medication": "amoxicillin", "dosage": "500 mg", "pharmacy": "Riverside"}
    submitted = requests.post(f"{portal.url}/api/portal/requests", json=refill, headers=bearer(patient), timeout=10)
    assert submitted.status_code == 201, submitted.text

    # The front desk sees it in the queue with the patient's name
    staff = sign_in(portal, "staff", FRONTDESK.username, FRONTDESK.password)
    queue = requests.get(f"{portal.url}/api/staff/queue?order=newest", headers=bearer(staff), timeout=10).json()
    newest = queue["items"][0]
    assert newest["request_id"] == submitted.json()["request_id"]
    assert newest["patient_name"] == "Ava Thompson"

    # A secure message with notification on reaches the mailbox through the stream and notify
    before = {email["message_id"] for email in requests.get(f"{portal.url}/_dev/mail.json", timeout=10).json()}
    text = "Your refill of amoxicillin is ready."
    sent = requests.post(
        f"{portal.url}/api/staff/patients/p-ava/messages", json={"body": text}, headers=bearer(staff), timeout=10
    )
    assert sent.status_code == 201, sent.text
    email = wait_for_new_mail(portal, before, to="ava.thompson@example.com")
    assert email["to"] == ["ava.thompson@example.com"]
    everything = email["subject"] + email["text"] + email["html"]
    for phi in ("Ava", "Thompson", "1984-03-12", "amoxicillin", text):
        assert phi not in everything
    # Its link opens the portal
    link = f"{portal.url}/portal/"
    assert link in email["text"]
    assert requests.get(link, timeout=10).status_code == 200
    # And the patient finds the message in the portal
    messages = requests.get(f"{portal.url}/api/portal/messages", headers=bearer(patient), timeout=10).json()
    assert messages["items"][0]["body"] == text
    me = requests.get(f"{portal.url}/api/portal/me", headers=bearer(patient), timeout=10).json()
    assert me["unread_messages"] >= 1


def test_the_mailbox_page_lists_emails_with_working_links(portal):
    page = requests.get(f"{portal.url}/_dev/mail", timeout=10)
    assert page.status_code == 200
    assert "Development mailbox" in page.text


@pytest.mark.parametrize(
    "path", ["/api/staff/queue", "/api/portal/me", "/api/staff/patients/p-ava", "/api/portal/requests"]
)
def test_protected_routes_refuse_missing_and_garbage_tokens(portal, path):
    assert requests.get(f"{portal.url}{path}", timeout=10).status_code == 401
    assert requests.get(f"{portal.url}{path}", headers=bearer("not.a.jwt"), timeout=10).status_code == 401


def test_each_pools_token_works_only_on_its_own_routes(portal):
    patient = sign_in(portal, "patient", AVA.username, AVA.password)
    staff = sign_in(portal, "staff", FRONTDESK.username, FRONTDESK.password)
    assert requests.get(f"{portal.url}/api/staff/queue", headers=bearer(patient), timeout=10).status_code == 401
    assert requests.get(f"{portal.url}/api/portal/me", headers=bearer(staff), timeout=10).status_code == 401
    assert requests.get(f"{portal.url}/api/staff/queue", headers=bearer(staff), timeout=10).status_code == 200
    assert requests.get(f"{portal.url}/api/portal/me", headers=bearer(patient), timeout=10).status_code == 200


def test_a_token_signed_with_another_key_is_refused(portal):
    genuine = sign_in(portal, "staff", FRONTDESK.username, FRONTDESK.password)
    header = json.loads(base64.urlsafe_b64decode(genuine.split(".")[0] + "=="))
    claims = jwt.decode(genuine, options={"verify_signature": False})
    claims["cognito:groups"] = ["admin", "staff"]
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": header["kid"]})
    assert requests.get(f"{portal.url}/api/staff/queue", headers=bearer(forged), timeout=10).status_code == 401


def test_unknown_routes_are_404(portal):
    assert requests.get(f"{portal.url}/api/nothing/here", timeout=10).status_code == 404
    assert requests.delete(f"{portal.url}/api/staff/queue", timeout=10).status_code == 404


def test_bad_input_gets_a_clear_4xx_naming_the_field(portal):
    patient = sign_in(portal, "patient", AVA.username, AVA.password)
    url = f"{portal.url}/api/portal/requests"
    missing = requests.post(url, json={"type": "refill", "medication": "x"}, headers=bearer(patient), timeout=10)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "refill.dosage"
    unknown_type = requests.post(url, json={"type": "teleport"}, headers=bearer(patient), timeout=10)
    assert unknown_type.status_code == 422
    broken = requests.post(
        url, data=b'{"type": ', headers={**bearer(patient), "Content-Type": "application/json"}, timeout=10
    )
    assert broken.status_code == 400
    bad_cursor = requests.get(f"{url}?cursor=forged", headers=bearer(patient), timeout=10)
    assert bad_cursor.status_code == 400
    assert bad_cursor.json()["error"]["field"] == "cursor"


@pytest.mark.parametrize("path", ["/staff/", "/portal/", "/api/public/practice"])
def test_pages_and_api_carry_the_cloudfront_security_headers(portal, path):
    answer = requests.get(f"{portal.url}{path}", timeout=10)
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_files_outside_web_are_not_served(portal):
    assert requests.get(f"{portal.url}/../infra/template.yaml", timeout=10).status_code in (400, 403, 404)
    assert requests.get(f"{portal.url}/staff/%2e%2e/%2e%2e/README.md", timeout=10).status_code == 403


def test_refresh_cookie_is_locked_down_and_logout_revokes_it(portal):
    session = requests.Session()
    login = session.post(
        f"{portal.url}/api/auth/patient/login", json={"username": AVA.username, "password": AVA.password}, timeout=10
    )
    cookie = login.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"):
        assert attribute in cookie
    assert "Max-Age" not in cookie
    assert "Expires" not in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    cookies = {"portal_refresh": token}
    refreshed = requests.post(
        f"{portal.url}/api/auth/refresh", json={"account": "patient"}, cookies=cookies, timeout=10
    )
    assert refreshed.status_code == 200, refreshed.text
    access = login.json()["access_token"]
    out = requests.post(
        f"{portal.url}/api/auth/logout",
        json={"account": "patient"},
        cookies=cookies,
        headers=bearer(access),
        timeout=10,
    )
    assert out.status_code == 200
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    again = requests.post(f"{portal.url}/api/auth/refresh", json={"account": "patient"}, cookies=cookies, timeout=10)
    assert again.status_code == 401


def test_wrong_password_unknown_user_and_disabled_access_answer_the_same(portal):
    answers = [
        requests.post(
            f"{portal.url}/api/auth/patient/login", json={"username": username, "password": password}, timeout=10
        )
        for username, password in [
            (AVA.username, "wrong-password-123456"),
            ("nobody.at.all", "wrong-password-123456"),
        ]
    ]
    assert {answer.status_code for answer in answers} == {401}
    assert answers[0].content == answers[1].content


def test_first_staff_sign_in_sets_a_new_password(portal):
    cognito = boto3.client("cognito-idp", endpoint_url=portal.emulator_url, region_name="us-east-1")
    pool = next(
        pool["Id"]
        for pool in cognito.list_user_pools(MaxResults=10)["UserPools"]
        if pool["Name"] == f"{STACK_NAME}-staff"
    )
    cognito.admin_create_user(
        UserPoolId=pool, Username="newnurse", TemporaryPassword="Temporary-pass-2026", MessageAction="SUPPRESS"
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="newnurse", GroupName="staff")
    first = requests.post(
        f"{portal.url}/api/auth/staff/login",
        json={"username": "newnurse", "password": "Temporary-pass-2026"},
        timeout=10,
    ).json()
    assert first["challenge"] == "NEW_PASSWORD_REQUIRED"
    weak = requests.post(
        f"{portal.url}/api/auth/staff/challenge",
        json={"username": "newnurse", "session": first["session"], "new_password": "password1234"},
        timeout=10,
    )
    assert weak.status_code == 422
    assert weak.json()["error"]["field"] == "password"
    done = requests.post(
        f"{portal.url}/api/auth/staff/challenge",
        json={"username": "newnurse", "session": first["session"], "new_password": "quiet harbor lantern seventy"},
        timeout=10,
    )
    assert done.status_code == 200, done.text
    # The authenticator app is enrolled next (the staff pool requires a second factor)
    assert done.json()["challenge"] == "MFA_SETUP"
    status, signed_in = staff_mfa.finish(http_post(portal), "newnurse", done.status_code, done.json())
    assert status == 200, signed_in
    queue = requests.get(f"{portal.url}/api/staff/queue", headers=bearer(signed_in["access_token"]), timeout=10)
    assert queue.status_code == 200


def http_post(portal: RunningPortal) -> staff_mfa.Post:
    def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        answer = requests.post(f"{portal.url}{path}", json=body, timeout=10)
        return answer.status_code, answer.json()

    return post


def test_the_development_authenticator_shows_the_code_the_sign_in_takes(portal):
    expected = staff_mfa.code_now()  # at least a second and a half left in this step
    page = requests.get(f"{portal.url}/_dev/totp", timeout=10)
    now = requests.get(f"{portal.url}/_dev/totp.json", timeout=10).json()
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert "<script" not in page.text
    assert f'<strong id="code">{expected}</strong>' in page.text
    assert "ASDF ASDF ASDF" in page.text
    assert (now["code"], now["secret"]) == (expected, staff_mfa.AUTHENTICATOR.secret.upper())
    # The code shown signs a demo staff member in
    first = requests.post(
        f"{portal.url}/api/auth/staff/login",
        json={"username": FRONTDESK.username, "password": FRONTDESK.password},
        timeout=10,
    ).json()
    assert first["challenge"] == "SOFTWARE_TOKEN_MFA"
    staff_mfa.code_now()  # a fresh step, so the page's code is still good when it arrives
    code = requests.get(f"{portal.url}/_dev/totp.json", timeout=10).json()["code"]
    answer = {"username": FRONTDESK.username, "session": first["session"], "code": code}
    signed_in = requests.post(f"{portal.url}/api/auth/staff/mfa/code", json=answer, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    # The startup output says where the code is
    assert any("/_dev/totp" in line for line in portal.output)


def test_ctrl_c_stops_everything_it_started():
    running = start_portal(demo_data=False)
    assert requests.get(f"{running.url}/portal/", timeout=10).status_code == 200
    assert running.stop() == 0
    assert "Stopped." in "".join(running.output)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{running.url}/portal/", timeout=2)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{running.emulator_url}/moto-api/", timeout=2)
