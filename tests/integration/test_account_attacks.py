"""What an outsider tried against the account routes, and what they get now (docs/security.md):
registration that tells nothing and mails nobody without limit, a link that is no username
oracle, sign-in doing the same work for unknown usernames, self-registrations that cannot
lock a patient out, confirmation only on a press, and sessions that end when idle and at
sign-out, for patients and staff alike."""

from __future__ import annotations

import time
from typing import Any

import pytest

from local import demo_data
from patientportal import clock, limits
from patientportal.auth import link_tokens as link_rules
from patientportal.auth.tokens import unverified_claims
from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.logic.onboarding import import_file, imports
from patientportal.settings import get_settings
from tests import staff_mfa
from tests.integration.conftest import AVA_ON_FILE
from tests.integration.test_accounts_links import (
    INES,
    NEW_PASSWORD,
    mail_to,
    outbox_items,
    token_in,
    whole_answer,
)

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")

# An invented newcomer, and a copy of Ava Thompson's details as an attacker would type them.
NEWCOMER = {
    "first_name": "Talia",
    "last_name": "Brandt",
    "date_of_birth": "1991-05-17",
    "email": "talia.brandt@example.com",
    "zip": "02144",
}
AVA_COPY = {"first_name": "Ava", **AVA_ON_FILE}


def move_clock(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """The portal's clock, moved on: no test sleeps to see time pass."""
    moment = int(time.time()) + seconds
    monkeypatch.setattr(clock, "epoch_seconds", lambda: moment)


def refresh_cookie(raw: dict[str, Any]) -> str:
    (cookie,) = raw["cookies"]
    return str(cookie.split(";")[0])


def sign_in(call_auth, who: str, username: str, password: str) -> tuple[str, str, str]:
    """The access token, the Set-Cookie header and the cookie to send back (staff answer
    their second factor on the way)."""
    last: list[dict[str, Any]] = []

    def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        status, answer, raw = call_auth("POST", path, body=body)
        last.append(raw)
        return status, answer

    status, body = post(f"/api/auth/{who}/login", {"username": username, "password": password})
    status, body = staff_mfa.finish(post, username, status, body)
    assert status == 200, body
    raw = last[-1]
    (set_cookie,) = raw["cookies"]
    return str(body["access_token"]), set_cookie, refresh_cookie(raw)


def audit_entries(patient_id: str) -> list[dict[str, Any]]:
    items, _ = Table().query_page(
        partition=("pk", keys.patient_items_partition(patient_id)), sort_prefix=("sk", "AUDIT#"), limit=100
    )
    return items


def refresh(call_auth, account: str, cookie: str) -> tuple[int, Any]:
    status, body, _ = call_auth("POST", "/api/auth/refresh", body={"account": account}, headers={"cookie": cookie})
    return status, body


def logout(call_auth, account: str, cookie: str | None, token: str | None = None) -> int:
    headers = {"cookie": cookie} if cookie else {}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return int(call_auth("POST", "/api/auth/logout", body={"account": account}, headers=headers)[0])


# 1. Registration tells nothing ------------------------------------------------------------


@pytest.mark.usefixtures("people")
def test_registration_does_the_same_work_with_the_same_answer_whoever_exists(call_auth, aws_calls):
    # Given a newcomer, and a copy of a real patient's details (email, name, birth date, zip)
    answers, work = [], []
    for form in (NEWCOMER, AVA_COPY):
        aws_calls.reset()
        # When each registers
        status, _, raw = call_auth("POST", "/api/auth/register", body=form)
        answers.append((status, whole_answer(raw)))  # headers and Set-Cookie too
        work.append([operation for _, operation in aws_calls.calls])
    # Then both get the same status and body, from the same calls: the attempt counted, then
    # one transaction; nothing is looked up, no Cognito user is made before the address is proven
    assert answers[0] == answers[1]
    assert answers[0][0] == 202
    assert work[0] == work[1] == ["TransactWriteItems", "TransactWriteItems"]


@pytest.mark.usefixtures("people")
def test_registration_is_throttled_before_anything_is_looked_up(call_auth, aws_calls):
    # Given 20 registrations from one address within the hour (each to its own mailbox)
    for number in range(limits.REGISTER_PER_SOURCE.attempts):
        form = {**NEWCOMER, "email": f"talia{number}@example.com"}
        assert call_auth("POST", "/api/auth/register", body=form)[0] == 202
    # When the 21st comes, with a new email or with a real patient's
    for form in (NEWCOMER, AVA_COPY):
        aws_calls.reset()
        status, body, _ = call_auth("POST", "/api/auth/register", body=form)
        # Then it is refused with the same body as ever, after one write and no read
        assert status == 429
        assert body["accepted"] is True
        assert aws_calls.operations() == {"TransactWriteItems": 1}


@pytest.mark.usefixtures("people")
def test_registration_is_throttled_per_viewer_address_and_per_hour(call_auth, monkeypatch):
    # Given one viewer who used up the registrations of an address: 20 an hour (docs/security.md 1.4)
    assert (limits.REGISTER_PER_SOURCE.attempts, limits.REGISTER_PER_SOURCE.window_seconds) == (20, 3600)
    first, second = "198.51.100.7:40000", "198.51.100.8:40000"
    accepted = set()
    for number in range(limits.REGISTER_PER_SOURCE.attempts):
        form = {**NEWCOMER, "email": f"talia{number}@example.com"}
        status, _, raw = call_auth("POST", "/api/auth/register", body=form, viewer=first)
        assert status == 202, raw
        accepted.add(raw["body"])
    # When that viewer registers once more, from another port of the same address
    status, _, raw = call_auth("POST", "/api/auth/register", body=NEWCOMER, viewer="198.51.100.7:40001")
    # Then it is refused with the accepted answer's body
    assert status == 429
    assert accepted == {raw["body"]}
    # And another viewer is still served: the count is per viewer address, not for everyone
    assert call_auth("POST", "/api/auth/register", body=NEWCOMER, viewer=second)[0] == 202
    # And an hour on, the first viewer is served again
    move_clock(monkeypatch, limits.REGISTER_PER_SOURCE.window_seconds)
    form = {**NEWCOMER, "email": "talia.next.hour@example.com"}
    assert call_auth("POST", "/api/auth/register", body=form, viewer=first)[0] == 202


@pytest.mark.usefixtures("people")
def test_registration_asks_for_no_username_or_password(call_auth):
    status, body, _ = call_auth(
        "POST", "/api/auth/register", body={**NEWCOMER, "username": "ava.thompson", "password": NEW_PASSWORD}
    )
    assert (status, body["error"]["code"]) == (422, "validation_error")


# 2. No public route mails an address more than 3 times an hour ----------------------------


@pytest.mark.usefixtures("people")
def test_registrations_send_a_stranger_at_most_three_emails_an_hour(call_auth, deliver_outbox):
    # Given an attacker registering again and again with a stranger's address
    bodies = {call_auth("POST", "/api/auth/register", body=NEWCOMER)[2]["body"] for _ in range(6)}
    deliver_outbox()
    # Then every answer is the same, and the stranger got 3 emails
    assert len(bodies) == 1
    assert len(mail_to(NEWCOMER["email"])) == limits.PER_DESTINATION.attempts == 3


@pytest.mark.usefixtures("people")
def test_claim_and_forgot_together_mail_one_address_at_most_three_times_an_hour(call_auth, deliver_outbox):
    for path in ("/api/auth/forgot", "/api/auth/claim", "/api/auth/forgot", "/api/auth/claim"):
        assert call_auth("POST", path, body=INES)[0] == 202
    deliver_outbox()
    assert len(mail_to(INES["email"])) == 3
    assert len(outbox_items()) == 3


@pytest.mark.usefixtures("people")
def test_the_mail_cap_is_per_hour(call_auth, deliver_outbox, monkeypatch):
    for _ in range(4):
        call_auth("POST", "/api/auth/register", body=NEWCOMER)
    move_clock(monkeypatch, limits.PER_DESTINATION.window_seconds)
    call_auth("POST", "/api/auth/register", body=NEWCOMER)
    deliver_outbox()
    assert len(mail_to(NEWCOMER["email"])) == 4


# 3. A link is no username oracle -------------------------------------------------------------


@pytest.mark.usefixtures("people")
def test_the_link_username_check_answers_only_while_the_account_needs_one(call_auth, deliver_outbox):
    # Given Ava, who has a username, asks for a reset link
    call_auth("POST", "/api/auth/forgot", body=AVA_ON_FILE)
    deliver_outbox()
    token = token_in(mail_to(AVA_ON_FILE["email"])[0])
    # When her link is used to test another name
    status, body, _ = call_auth("POST", "/api/auth/link/username", body={"token": token, "username": "leo.okafor"})
    # Then it answers nothing about that name
    assert (status, body["error"]["field"]) == (422, "username")
    assert "taken" not in body["error"]["message"].lower()


@pytest.mark.usefixtures("people")
def test_the_link_username_check_stops_after_a_bounded_number_of_checks(call_auth, deliver_outbox, aws_calls):
    # Given Inès's claim link (her account still needs a username)
    call_auth("POST", "/api/auth/claim", body=INES)
    deliver_outbox()
    token = token_in(mail_to(INES["email"])[0])
    checks = [
        call_auth("POST", "/api/auth/link/username", body={"token": token, "username": f"ines{number}"})[0]
        for number in range(limits.USERNAME_CHECKS_PER_LINK)
    ]
    assert checks == [200] * limits.USERNAME_CHECKS_PER_LINK
    # When one more is asked, it is refused before any username is looked up
    aws_calls.reset()
    status, _, _ = call_auth("POST", "/api/auth/link/username", body={"token": token, "username": "ava.thompson"})
    assert status == 429
    # the link and its patient only: the username's item is never read
    assert aws_calls.operations() == {"GetItem": 2, "UpdateItem": 1}
    # And completing the link cannot be used as a check either
    status, _, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "ava.thompson", "password": NEW_PASSWORD}
    )
    assert status == 429


# 4. Sign-in does the same work for an unknown username ---------------------------------------


@pytest.mark.usefixtures("people")
def test_sign_in_does_the_same_work_for_an_unknown_username_and_a_wrong_password(call_auth, aws_calls):
    work = []
    for username in (AVA.username, "nobody.at.all"):
        aws_calls.reset()
        status, _body, raw = call_auth(
            "POST", "/api/auth/patient/login", body={"username": username, "password": "not her password 1"}
        )
        assert status == 401
        work.append(([operation for _, operation in aws_calls.calls], raw["body"]))
    assert work[0] == work[1]
    assert work[0][0] == ["GetItem", "InitiateAuth"]


# 5. A self-registration cannot lock a patient out ------------------------------------------------


@pytest.mark.usefixtures("people")
def test_an_unconfirmed_copy_of_a_patient_takes_no_part_in_forgot_or_import(call_auth, deliver_outbox):
    # Given an attacker registers a copy of Ava's details and never confirms it
    assert call_auth("POST", "/api/auth/register", body=AVA_COPY)[0] == 202
    deliver_outbox()
    # When Ava says she forgot her password
    call_auth("POST", "/api/auth/forgot", body=AVA_ON_FILE)
    deliver_outbox()
    # Then she gets her reset link, not "contact the practice"
    reset = [email for email in mail_to(AVA_ON_FILE["email"]) if "reset" in email["subject"].lower()]
    assert len(reset) == 1, [email["subject"] for email in mail_to(AVA_ON_FILE["email"])]
    # And an import's duplicate check finds only the real Ava
    on_file = imports.patients_on_file()
    assert on_file[import_file.identity_of("Thompson", "Ava", "1984-03-12")] == "p-ava"


@pytest.mark.usefixtures("people")
def test_an_unconfirmed_registration_expires_with_its_link_and_staff_see_it_marked(
    call_auth, call_patients, login, deliver_outbox
):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    before = clock.epoch_seconds()
    call_auth("POST", "/api/auth/register", body=NEWCOMER)
    (found,) = call_patients("GET", "/api/staff/patients", query="q=brandt", token=staff)[1]["items"]
    # Staff see it marked as an unconfirmed self-registration
    assert found["portal_status"]["reasons"][0]["reason"] == "unverified"
    # The table's TTL removes it when its link expires
    stored = Table().get(keys.patient(found["patient_id"]))
    assert stored is not None
    lifetime = link_rules.LIFETIME_SECONDS["verify_email"]
    assert before + lifetime <= stored["expires_at"] <= clock.epoch_seconds() + lifetime
    assert "email_pk" not in stored
    # Once confirmed, it is kept and found by email like any patient
    deliver_outbox()
    token = token_in(mail_to(NEWCOMER["email"])[0])
    body = {"token": token, "username": "talia.b", "password": NEW_PASSWORD}
    assert call_auth("POST", "/api/auth/link/complete", body=body)[0] == 200
    kept = Table().get(keys.patient(found["patient_id"]))
    assert kept is not None
    assert "expires_at" not in kept
    assert (kept["portal_status"], kept["status_pk"]) == ("unactivated", keys.status_partition("unactivated"))
    # And no other patient record carries an expiry the TTL could act on
    assert "expires_at" not in Table().get(keys.patient("p-ava"))
    assert kept["email_pk"] == keys.email_partition(NEWCOMER["email"])


# 6. Opening the confirmation link confirms nothing ------------------------------------------------


@pytest.mark.usefixtures("people")
def test_opening_the_confirmation_link_confirms_nothing_until_the_press(
    call_auth, call_patients, login, deliver_outbox
):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    call_auth("POST", "/api/auth/register", body=NEWCOMER)
    deliver_outbox()
    token = token_in(mail_to(NEWCOMER["email"])[0])
    # A mail scanner opens the page, which inspects the link, again and again
    for _ in range(3):
        assert call_auth("POST", "/api/auth/link/inspect", body={"token": token})[0] == 200
    (found,) = call_patients("GET", "/api/staff/patients", query="q=brandt", token=staff)[1]["items"]
    assert found["portal_status"]["reasons"][0]["reason"] == "unverified"
    # And the old route that confirmed as the page loaded is gone
    assert call_auth("POST", "/api/auth/verify-email", body={"token": token})[0] == 404


# 7. Sessions end with the browser and when idle -----------------------------------------------


@pytest.mark.usefixtures("people")
def test_the_refresh_cookie_is_a_session_cookie(call_auth):
    for who, login in (("patient", AVA), ("staff", FRONTDESK)):
        _, set_cookie, _ = sign_in(call_auth, who, login.username, login.password)
        assert "Max-Age" not in set_cookie
        assert "Expires" not in set_cookie
        assert "HttpOnly" in set_cookie


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(("who", "login"), [("patient", AVA), ("staff", FRONTDESK)])
def test_a_session_idle_past_the_limit_is_not_resumed(call_auth, monkeypatch, who, login):
    _, _, cookie = sign_in(call_auth, who, login.username, login.password)
    # Within the limit a new token comes, and counts as activity
    move_clock(monkeypatch, 29 * 60)
    assert refresh(call_auth, who, cookie)[0] == 200
    move_clock(monkeypatch, 29 * 60 + 29 * 60)
    assert refresh(call_auth, who, cookie)[0] == 200
    # Past 30 minutes without one, the session is over
    move_clock(monkeypatch, 29 * 60 + 29 * 60 + 31 * 60)
    status, body = refresh(call_auth, who, cookie)
    assert status == 401
    assert "without activity" in body["error"]["message"]
    # For good: even with the clock back, it does not come back
    move_clock(monkeypatch, 0)
    assert refresh(call_auth, who, cookie)[0] == 401


@pytest.mark.usefixtures("people")
def test_the_idle_limit_is_a_template_parameter(stack, call_auth, monkeypatch):
    parameter = stack.template["Parameters"]["SessionIdleMinutes"]
    assert parameter["Default"] == 30
    assert stack.functions["AuthFunction"]["SESSION_IDLE_MINUTES"] == "30"
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "10")
    get_settings.cache_clear()
    _, _, cookie = sign_in(call_auth, "patient", AVA.username, AVA.password)
    move_clock(monkeypatch, 11 * 60)
    assert refresh(call_auth, "patient", cookie)[0] == 401


# 8. Sign-out ends the session ------------------------------------------------------------------


@pytest.mark.usefixtures("people")
def test_after_sign_out_the_patient_access_token_reads_nothing(call_auth, call_portal):
    token, _, cookie = sign_in(call_auth, "patient", AVA.username, AVA.password)
    assert call_portal("GET", "/api/portal/me", token=token)[0] == 200
    clock.wait_until(int(unverified_claims(token)["iat"]) + 1)  # sign-out comes after the token's second
    assert logout(call_auth, "patient", cookie, token) == 200
    assert call_portal("GET", "/api/portal/me", token=token)[0] == 401
    assert refresh(call_auth, "patient", cookie)[0] == 401


@pytest.mark.usefixtures("people")
def test_after_sign_out_the_staff_access_token_reads_and_writes_nothing(call_auth, call_patients):
    token, _, cookie = sign_in(call_auth, "staff", FRONTDESK.username, FRONTDESK.password)
    assert call_patients("GET", "/api/staff/patients/p-ava", token=token)[0] == 200
    audit_before = audit_entries("p-ava")
    assert len(audit_before) == 1  # the read above
    assert logout(call_auth, "staff", cookie, token) == 200
    status, _, _ = call_patients("GET", "/api/staff/patients/p-ava", token=token)
    assert status == 401
    assert refresh(call_auth, "staff", cookie)[0] == 401
    assert audit_entries("p-ava") == audit_before  # the refused read left no entry


@pytest.mark.usefixtures("people")
def test_sign_out_with_an_expired_access_token_still_ends_the_session(call_auth):
    # The page's access token has expired: sign-out sends only the cookie
    _, _, cookie = sign_in(call_auth, "patient", AVA.username, AVA.password)
    assert logout(call_auth, "patient", cookie, token=None) == 200
    assert refresh(call_auth, "patient", cookie)[0] == 401


@pytest.mark.usefixtures("people")
def test_sign_out_ends_only_that_session_of_the_person(call_auth, call_portal):
    # Given Ava is signed in on two computers
    _, _, first = sign_in(call_auth, "patient", AVA.username, AVA.password)
    _, _, second = sign_in(call_auth, "patient", AVA.username, AVA.password)
    # When she signs out on the first
    assert logout(call_auth, "patient", first) == 200
    # Then the second renews its token at once (even within the sign-out's second) and reads her data
    status, body = refresh(call_auth, "patient", second)
    assert status == 200
    assert call_portal("GET", "/api/portal/me", token=body["access_token"])[0] == 200
    assert refresh(call_auth, "patient", first)[0] == 401
