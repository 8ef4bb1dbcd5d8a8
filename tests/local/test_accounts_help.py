"""Every account and access behaviour the help text describes, each test naming its
paragraph, walked over HTTP against the whole local stack (`python -m local`), as the staff
pages and the patient pages would. Demo patients used here are not used by the other local
tests, so the shared runtime's state stays predictable."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import requests

from local import demo_data
from tests import staff_mfa
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]

FRONTDESK = demo_data.STAFF_LOGINS[0]
PASSWORD = "velvet tractor sunrise 4127"


def sign_in(portal: RunningPortal, who: str, username: str, password: str) -> requests.Response:
    if who == "staff":  # with the authenticator app's code
        return staff_mfa.sign_in_over_http(portal.url, username, password)
    return requests.post(
        f"{portal.url}/api/auth/{who}/login", json={"username": username, "password": password}, timeout=10
    )


def token_of(answer: requests.Response) -> str:
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def staff_headers(portal: RunningPortal) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(sign_in(portal, 'staff', FRONTDESK.username, FRONTDESK.password))}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mail_for(portal: RunningPortal, address: str, subject_has: str, *, after: set[str]) -> dict[str, Any]:
    """The newest email to ``address`` whose subject contains ``subject_has``, not among ``after``."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for email in requests.get(f"{portal.url}/_dev/mail.json", timeout=10).json():
            if address in email["to"] and subject_has in email["subject"] and email["message_id"] not in after:
                return dict(email)
        time.sleep(0.1)
    raise AssertionError(f"no email to {address} about {subject_has!r}")


def seen(portal: RunningPortal) -> set[str]:
    return {email["message_id"] for email in requests.get(f"{portal.url}/_dev/mail.json", timeout=10).json()}


def link_token(email: dict[str, Any]) -> str:
    found = re.search(r"/portal/#token=([A-Za-z0-9_-]+)", email["text"])
    assert found, email["text"]
    return found.group(1)


def detail(portal: RunningPortal, staff: dict[str, str], patient_id: str) -> dict[str, Any]:
    answer = requests.get(f"{portal.url}/api/staff/patients/{patient_id}", headers=staff, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def status_of(portal: RunningPortal, staff: dict[str, str], patient_id: str) -> tuple[str, list[str]]:
    view = detail(portal, staff, patient_id)["portal_status"]
    return view["status"], [reason["reason"] for reason in view["reasons"]]


def complete(portal: RunningPortal, token: str, password: str, username: str | None = None) -> requests.Response:
    body: dict[str, Any] = {"token": token, "password": password}
    if username:
        body["username"] = username
    return requests.post(f"{portal.url}/api/auth/link/complete", json=body, timeout=10)


def test_view_portal_status_and_troubleshoot_each_colour(portal):
    """Help: View Patient's Portal Status, and troubleshooting by icon colour."""
    staff = staff_headers(portal)
    # Inactive lists each reason, with its fix
    assert status_of(portal, staff, "p-zoe") == ("inactive", ["access_off", "no_email", "no_zip"])
    fixes = [reason["fix"] for reason in detail(portal, staff, "p-zoe")["portal_status"]["reasons"]]
    assert any("portal access" in fix for fix in fixes)
    assert any("email" in fix for fix in fixes)
    assert any("zip" in fix for fix in fixes)
    # Unactivated: the fix is "Create my portal account" (or an invitation) ...
    assert status_of(portal, staff, "p-ines") == ("unactivated", ["unactivated"])
    before = seen(portal)
    ines = {"email": "ines.moreau@example.com", "last_name": "MOREAU", "date_of_birth": "1992-07-30", "zip": "02142"}
    claimed = requests.post(f"{portal.url}/api/auth/claim", json=ines, timeout=10)
    assert claimed.status_code == 202
    token = link_token(mail_for(portal, "ines.moreau@example.com", "Set up or reset", after=before))
    assert requests.post(f"{portal.url}/api/auth/link/inspect", json={"token": token}, timeout=10).json()[
        "needs_username"
    ]
    assert complete(portal, token, PASSWORD, "ines.moreau").status_code == 200
    token_of(sign_in(portal, "patient", "ines.moreau", PASSWORD))
    # ... and once she has signed in, she is active, whose fix is "I forgot my password"
    assert status_of(portal, staff, "p-ines") == ("active", ["active"])
    before = seen(portal)
    forgot = requests.post(f"{portal.url}/api/auth/forgot", json=ines, timeout=10)
    assert (forgot.status_code, forgot.text) == (202, claimed.text)
    token = link_token(mail_for(portal, "ines.moreau@example.com", "Set up or reset", after=before))
    info = requests.post(f"{portal.url}/api/auth/link/inspect", json={"token": token}, timeout=10).json()
    assert info["needs_username"] is False
    assert complete(portal, token, "granite orchard violin 5530").status_code == 200
    token_of(sign_in(portal, "patient", "ines.moreau", "granite orchard violin 5530"))


def test_mismatched_details_get_the_could_not_verify_email(portal):
    """Troubleshooting: "getting an email that his or her account could not be verified"."""
    before = seen(portal)
    typed = {
        "email": "grace.lindqvist@example.com",
        "last_name": "Lindqvist",
        "date_of_birth": "1966-09-09",
        "zip": "02199",
    }
    answer = requests.post(f"{portal.url}/api/auth/claim", json=typed, timeout=10)
    assert answer.status_code == 202
    email = mail_for(portal, "grace.lindqvist@example.com", "could not verify", after=before)
    assert "#token=" not in email["text"]
    # Staff double-check the details with her: with the right zip, the link comes
    before = seen(portal)
    requests.post(f"{portal.url}/api/auth/claim", json={**typed, "zip": "02144"}, timeout=10)
    assert link_token(mail_for(portal, "grace.lindqvist@example.com", "Set up or reset", after=before))


def test_enable_and_disable_portal_access(portal):
    """Help: Enable Patient Portal Access (toggle on and off), needing a zip and an email,
    after the privacy check."""
    staff = staff_headers(portal)
    url = f"{portal.url}/api/staff/patients/p-sofia/portal-access"
    # Without the privacy confirmation, enabling is refused, naming it
    refused = requests.put(url, json={"enabled": True}, headers=staff, timeout=10)
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "identity_confirmed")
    # Elena has no zip: refused, naming the zip
    no_zip = requests.put(
        f"{portal.url}/api/staff/patients/p-elena/portal-access",
        json={"enabled": True, "identity_confirmed": True},
        headers=staff,
        timeout=10,
    )
    assert (no_zip.status_code, no_zip.json()["error"]["field"]) == (422, "zip")
    # Sofia has both: on, then she is invited, sets up her account and signs in
    assert requests.put(url, json={"enabled": True, "identity_confirmed": True}, headers=staff, timeout=10).ok
    assert status_of(portal, staff, "p-sofia")[0] == "unactivated"
    before = seen(portal)
    assert (
        requests.post(f"{portal.url}/api/staff/patients/p-sofia/invitation", headers=staff, timeout=10).status_code
        == 202
    )
    token = link_token(mail_for(portal, "sofia.rossi@example.com", "invitation", after=before))
    assert complete(portal, token, PASSWORD, "sofia.r").status_code == 200
    session = token_of(sign_in(portal, "patient", "sofia.r", PASSWORD))
    assert requests.get(f"{portal.url}/api/portal/me", headers=bearer(session), timeout=10).status_code == 200
    # When access is toggled off, her very next request fails, and so does signing in
    assert requests.put(url, json={"enabled": False}, headers=staff, timeout=10).ok
    assert requests.get(f"{portal.url}/api/portal/me", headers=bearer(session), timeout=10).status_code == 401
    assert sign_in(portal, "patient", "sofia.r", PASSWORD).status_code == 401
    assert status_of(portal, staff, "p-sofia") == ("inactive", ["access_off"])


def test_patients_added_by_hand_with_activate_without_further_confirmation(portal):
    """Help: "Patient Portal access is automatically enabled if 'Should the patient be able to
    activate portal without further confirmation' is checked"."""
    staff = staff_headers(portal)
    added = requests.post(
        f"{portal.url}/api/staff/patients",
        json={
            "first_name": "Tariq",
            "last_name": "Quill",
            "date_of_birth": "1977-07-17",
            "email": "tariq.quill@example.com",
            "zip": "02170",
            "activate_without_confirmation": True,
        },
        headers=staff,
        timeout=10,
    )
    assert added.status_code == 201, added.text
    assert added.json()["portal_status"]["status"] == "unactivated"
    # He can then create his account himself
    before = seen(portal)
    details = {"email": "tariq.quill@example.com", "last_name": "Quill", "date_of_birth": "1977-07-17", "zip": "02170"}
    assert requests.post(f"{portal.url}/api/auth/claim", json=details, timeout=10).status_code == 202
    token = link_token(mail_for(portal, "tariq.quill@example.com", "Set up or reset", after=before))
    assert complete(portal, token, PASSWORD, "tquill").status_code == 200
    token_of(sign_in(portal, "patient", "tquill", PASSWORD))


def test_electronic_registration_and_its_confirmation_email(portal):
    """Help: a patient who signs up via the electronic registration form has access enabled
    when they click the confirmation email's link (and, on its page, choose a username and
    a password)."""
    staff = staff_headers(portal)
    form = {
        "first_name": "Beatriz",
        "last_name": "Souza",
        "date_of_birth": "1994-02-09",
        "email": "beatriz.souza@example.com",
        "zip": "02171",
    }
    before = seen(portal)
    assert requests.post(f"{portal.url}/api/auth/register", json=form, timeout=10).status_code == 202
    found = requests.get(f"{portal.url}/api/staff/patients?q=souza", headers=staff, timeout=10).json()["items"]
    assert [item["portal_status"]["status"] for item in found] == ["inactive"]
    token = link_token(mail_for(portal, "beatriz.souza@example.com", "Confirm your email", after=before))
    account = {"token": token, "username": "bia.souza", "password": PASSWORD}
    verified = requests.post(f"{portal.url}/api/auth/link/complete", json=account, timeout=10)
    assert verified.status_code == 200, verified.text
    token_of(sign_in(portal, "patient", "bia.souza", PASSWORD))
    # The link is single use
    assert requests.post(f"{portal.url}/api/auth/link/complete", json=account, timeout=10).status_code == 410


def test_a_never_used_verification_link_staff_enable_then_the_patient_resets(portal):
    """Help: "If that verification step is not completed, Patient Portal access will remain
    toggled off and you will need to manually enable ..., then have the patient follow the
    process for resetting his or her password." (Demo: Yusuf Demir.)"""
    staff = staff_headers(portal)
    assert status_of(portal, staff, "p-yusuf") == ("inactive", ["access_off"])
    assert detail(portal, staff, "p-yusuf")["registered_online"] is True
    assert sign_in(portal, "patient", "yusuf.d", "Yusuf-portal-demo-2026").status_code == 401
    enabled = requests.put(
        f"{portal.url}/api/staff/patients/p-yusuf/portal-access",
        json={"enabled": True, "identity_confirmed": True},
        headers=staff,
        timeout=10,
    )
    assert enabled.ok, enabled.text
    before = seen(portal)
    details = {"email": "yusuf.demir@example.com", "last_name": "Demir", "date_of_birth": "1997-03-21", "zip": "02157"}
    assert requests.post(f"{portal.url}/api/auth/forgot", json=details, timeout=10).status_code == 202
    token = link_token(mail_for(portal, "yusuf.demir@example.com", "Set up or reset", after=before))
    assert complete(portal, token, PASSWORD).status_code == 200
    token_of(sign_in(portal, "patient", "yusuf.d", PASSWORD))


def test_a_shared_email_needs_a_username_each_and_claim_asks_to_call(portal):
    """Help: "For patients who want to share a single email address, each one must have a
    unique username" (demo: the Okafor twins)."""
    staff = staff_headers(portal)
    maya, leo = (detail(portal, staff, patient_id) for patient_id in ("p-maya", "p-leo"))
    assert maya["email"] == leo["email"] == demo_data.SHARED_EMAIL
    assert maya["username"].casefold() != leo["username"].casefold()
    # Twins matching each other's details get "contact the practice", never a link
    before = seen(portal)
    twins = {"email": demo_data.SHARED_EMAIL, "last_name": "Okafor", "date_of_birth": "2009-06-01", "zip": "02140"}
    assert requests.post(f"{portal.url}/api/auth/forgot", json=twins, timeout=10).status_code == 202
    email = mail_for(portal, demo_data.SHARED_EMAIL, "contact", after=before)
    assert "#token=" not in email["text"]
    # A username differing only in case is taken
    check = requests.get(f"{portal.url}/api/staff/usernames/{maya['username'].upper()}", headers=staff, timeout=10)
    assert check.json() == {"valid": True, "available": False, "reason": "This username is taken."}


def test_privacy_note_email_changes_are_guarded(portal):
    """Help: Important Privacy Note: confirm the address before granting access (tested in
    enabling), and be very cautious when changing the email of a patient with access."""
    staff = staff_headers(portal)
    session = token_of(sign_in(portal, "patient", "kenji.w", "Kenji-portal-demo-2026"))
    url = f"{portal.url}/api/staff/patients/p-kenji"
    unconfirmed = requests.patch(url, json={"email": "kenji.new@example.org"}, headers=staff, timeout=10)
    assert (unconfirmed.status_code, unconfirmed.json()["error"]["field"]) == (422, "confirm_email_change")
    time.sleep(1.1)  # the revocation is by second: the old session must predate it
    before = seen(portal)
    changed = requests.patch(
        url,
        json={"email": "kenji.new@example.org", "confirm_email_change": True, "reason": "Confirmed by phone call"},
        headers=staff,
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    assert "changed" in mail_for(portal, "kenji.watanabe@example.com", "changed", after=before)["subject"]
    assert requests.get(f"{portal.url}/api/portal/me", headers=bearer(session), timeout=10).status_code == 401
    audit = requests.get(f"{url}/audit", headers=staff, timeout=10).json()["items"]
    assert "change_email" in [entry["action"] for entry in audit]


def test_invite_existing_patients_with_an_invitation_reset_email(portal):
    """Help: Invite Existing Patients, way 1: the invitation/reset email sets a username if
    there is none, then a password; a newer one replaces the older."""
    staff = staff_headers(portal)
    before = seen(portal)
    url = f"{portal.url}/api/staff/patients/p-tomasz/invitation"
    assert requests.post(url, headers=staff, timeout=10).status_code == 202
    first = link_token(mail_for(portal, "tomasz.nowak@example.com", "invitation", after=before))
    before = seen(portal)
    assert requests.post(url, headers=staff, timeout=10).status_code == 409  # minutes after the first: confirm
    assert requests.post(f"{url}?confirm_resend=true", headers=staff, timeout=10).status_code == 202
    second = link_token(mail_for(portal, "tomasz.nowak@example.com", "invitation", after=before))
    assert requests.post(f"{portal.url}/api/auth/link/inspect", json={"token": first}, timeout=10).status_code == 410
    check = requests.post(
        f"{portal.url}/api/auth/link/username", json={"token": second, "username": "tomasz.n"}, timeout=10
    )
    assert check.json() == {"valid": True, "available": True, "reason": ""}
    assert complete(portal, second, PASSWORD, "tomasz.n").status_code == 200
    assert complete(portal, second, PASSWORD, "tomasz.n").status_code == 410
    token_of(sign_in(portal, "patient", "tomasz.n", PASSWORD))
    # A link token is never a sign-in
    assert requests.get(f"{portal.url}/api/portal/me", headers=bearer(second), timeout=10).status_code == 401
    # And neither token ever reached a log line of the running stack
    logged = "".join(portal.output)
    assert first not in logged
    assert second not in logged


def test_manually_set_username_and_password(portal):
    """Help: Invite Existing Patients, way 2: type a username (green when valid and unique)
    and set the password by hand, then tell the patient in person."""
    staff = staff_headers(portal)
    invalid = requests.get(f"{portal.url}/api/staff/usernames/ab", headers=staff, timeout=10).json()
    assert invalid["valid"] is False
    assert requests.get(f"{portal.url}/api/staff/usernames/ravi.iyer", headers=staff, timeout=10).json()["available"]
    url = f"{portal.url}/api/staff/patients/p-ravi/credentials"
    weak = requests.put(url, json={"username": "ravi.iyer", "password": "ravi.iyer-1990"}, headers=staff, timeout=10)
    assert (weak.status_code, weak.json()["error"]["field"]) == (422, "password")
    done = requests.put(url, json={"username": "ravi.iyer", "password": PASSWORD}, headers=staff, timeout=10)
    assert done.status_code == 200, done.text
    token_of(sign_in(portal, "patient", "Ravi.Iyer", PASSWORD))
    assert status_of(portal, staff, "p-ravi")[0] == "active"
