"""Account claim, forgot password and one-time links, in-process under moto (docs/security.md
"Identity" and "Sessions"): generic answers, the emails each case gets, links that are
single-use, expire and are revoked by newer ones, throttling, and the DynamoDB work of claim
and forgot."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import boto3
import pytest

from local import demo_data
from patientportal import clock
from patientportal.auth import link_tokens as link_rules
from patientportal.dal import keys
from patientportal.dal.attributes import from_attributes
from patientportal.dal.table import Table
from tests.integration.conftest import AVA_ON_FILE, sent_emails

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
# Inès Moreau: access on, email and ZIP+4 on file, no username, never signed in.
INES = {"email": "ines.moreau@example.com", "last_name": "Moreau", "date_of_birth": "1992-07-30", "zip": "02142"}
NEW_PASSWORD = "copper kettle rainy harbor 71"


def token_in(email: dict[str, Any]) -> str:
    found = re.search(r"#token=([A-Za-z0-9_-]+)", email["text"])
    assert found, email["text"]
    return found.group(1)


def outbox_items() -> list[dict[str, Any]]:
    """What the table holds (a test may scan; request paths never do)."""
    items = boto3.client("dynamodb").scan(TableName=Table().name)["Items"]
    return [from_attributes(item) for item in items if item["pk"]["S"].startswith("OUTBOX#")]


def whole_answer(raw: dict[str, Any]) -> str:
    """Everything a function answered (status, headers, Set-Cookie, body), in one comparable text."""
    return json.dumps(raw, sort_keys=True)


def mail_to(address: str) -> list[dict[str, Any]]:
    return [email for email in sent_emails() if address in email["to"]]


@pytest.mark.usefixtures("people")
def test_a_matching_claim_sends_a_one_time_link_that_sets_username_and_password(call_auth, deliver_outbox, login):
    # Given Inès types her details with other case, spaces, no accent and a ZIP+4
    details = {**INES, "email": "  Ines.Moreau@Example.com ", "last_name": "moreau ", "zip": "02142-1011"}

    # When she asks to create her portal account
    status, body, _ = call_auth("POST", "/api/auth/claim", body=details)
    deliver_outbox()

    # Then the generic answer, and a link in the fragment of a link to the email on file
    assert status == 202, body
    (email,) = mail_to(INES["email"])
    token = token_in(email)
    assert f"/portal/#token={token}" in email["text"]
    assert "?token" not in email["text"] + email["html"]
    # in both parts of the email: the HTML part carries the same link, and no more than the text
    assert f"/portal/#token={token}" in email["html"]
    for phi in ("Inès", "Ines", "Moreau", "1992", "07-30", "02142"):
        for part in ("subject", "text", "html"):
            assert phi not in email[part], (phi, part)
    # Only the SHA-256 of the token is stored
    stored = Table().get(keys.one_time_link(link_rules.digest(token)))
    assert stored is not None
    assert stored["purpose"] == "reset"
    assert Table().get(keys.one_time_link(token)) is None

    # When the link page is opened, it asks for a username and does not consume the link
    for _ in range(2):
        status, info, _ = call_auth("POST", "/api/auth/link/inspect", body={"token": token})
        assert status == 200, info
        assert info["needs_username"] is True
        assert info["purpose"] == "reset"

    # And the live username check answers validity and availability without regard to case
    status, check, _ = call_auth("POST", "/api/auth/link/username", body={"token": token, "username": "AVA.Thompson"})
    assert (status, check["valid"], check["available"]) == (200, True, False)
    status, check, _ = call_auth("POST", "/api/auth/link/username", body={"token": token, "username": "a"})
    assert (status, check["valid"]) == (200, False)
    status, check, _ = call_auth("POST", "/api/auth/link/username", body={"token": token, "username": "ines.m"})
    assert (status, check["valid"], check["available"]) == (200, True, True)

    # When she completes it with a weak password, a taken username, then good ones
    status, weak, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "ines.m", "password": "password1234"}
    )
    assert (status, weak["error"]["field"]) == (422, "password")
    status, taken, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "Ava.Thompson", "password": NEW_PASSWORD}
    )
    assert (status, taken["error"]["field"]) == (409, "username")
    status, done, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "ines.m", "password": NEW_PASSWORD}
    )
    assert (status, done) == (200, {"username": "ines.m"})

    # Then she signs in with them (any case of the username), and the link is used up
    assert login("patient", "INES.M", NEW_PASSWORD)
    status, again, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "ines.m", "password": NEW_PASSWORD}
    )
    assert (status, again["error"]["code"]) == (410, "gone")
    status, _, _ = call_auth("POST", "/api/auth/link/inspect", body={"token": token})
    assert status == 410


@pytest.mark.usefixtures("people")
def test_claim_and_forgot_answer_byte_identically_in_every_case(call_auth, call_patients, login):
    # Given the cases: a match, a missing email, a mismatch, a shared email, disabled access
    cases = {
        "match": INES,
        "missing": {**INES, "email": "nobody.here@example.com"},
        "mismatch": {**INES, "date_of_birth": "1992-07-31"},
        "shared": {
            "email": "okafor.family@example.com",
            "last_name": "Okafor",
            "date_of_birth": "2009-06-01",
            "zip": "02140",
        },
        "disabled": {
            "email": "omar.haddad@example.com",
            "last_name": "Haddad",
            "date_of_birth": "1989-12-02",
            "zip": "02145",
        },
        "active": {
            "email": "ava.thompson@example.com",
            "last_name": "Thompson",
            "date_of_birth": "1984-03-12",
            "zip": "02139",
        },
    }
    answers = set()
    for route in ("/api/auth/claim", "/api/auth/forgot"):
        for details in cases.values():
            # When each is sent
            status, _, raw = call_auth("POST", route, body=details)
            answers.add((status, whole_answer(raw)))
    # Then every answer is the same, byte for byte: status, headers, cookies and body
    assert len(answers) == 1
    assert next(iter(answers))[0] == 202

    # And the patient logins answer the same for a wrong password, an unknown username and disabled access
    status, _, _ = call_patients(
        "PUT",
        "/api/staff/patients/p-ava/portal-access",
        body={"enabled": False},
        token=login("staff", FRONTDESK.username, FRONTDESK.password),
    )
    assert status == 200
    logins = set()
    for username, password in (
        (AVA.username, AVA.password),  # right password, access off
        (AVA.username, "not-the-password-at-all"),
        ("nobody.at.all", AVA.password),
    ):
        status, _, raw = call_auth("POST", "/api/auth/patient/login", body={"username": username, "password": password})
        logins.add((status, whole_answer(raw)))
    assert len(logins) == 1
    assert next(iter(logins))[0] == 401


@pytest.mark.usefixtures("people")
def test_each_case_gets_its_own_email_at_the_address_on_file_only(call_auth, deliver_outbox):
    # When a mismatch, a shared email, disabled access and an unknown email are tried
    call_auth("POST", "/api/auth/forgot", body={**INES, "last_name": "Moreno"})
    call_auth(
        "POST",
        "/api/auth/claim",
        body={
            "email": "okafor.family@example.com",
            "last_name": "Okafor",
            "date_of_birth": "2009-06-01",
            "zip": "02140",
        },
    )
    call_auth(
        "POST",
        "/api/auth/claim",
        body={"email": "omar.haddad@example.com", "last_name": "Haddad", "date_of_birth": "1989-12-02", "zip": "02145"},
    )
    call_auth("POST", "/api/auth/claim", body={**INES, "email": "attacker@example.net"})
    deliver_outbox()

    # Then the mismatch gets "could not verify", the twins and disabled access "contact the practice"
    (mismatch,) = mail_to(INES["email"])
    assert "could not verify" in mismatch["subject"]
    assert "#token=" not in mismatch["text"]
    (shared,) = mail_to("okafor.family@example.com")
    assert "contact" in shared["subject"].lower()
    assert "#token=" not in shared["text"]
    (disabled,) = mail_to("omar.haddad@example.com")
    assert "contact" in disabled["subject"].lower()
    # And nothing ever goes to an address typed into the form
    assert mail_to("attacker@example.net") == []
    assert len(sent_emails()) == 3


@pytest.mark.usefixtures("people")
def test_claim_costs_the_same_work_in_every_case_and_no_scan(call_auth, aws_calls):
    # Given each kind of answer
    seen = []
    for details in (INES, {**INES, "zip": "99999"}, {**INES, "email": "nobody.here@example.com"}):
        aws_calls.reset()
        # When claim is asked
        status, _, _ = call_auth("POST", "/api/auth/claim", body=details)
        # Then the attempt is counted before the one Query, and the mail counter, the email
        # and the link are one transaction after it: the same calls, in the same order
        assert status == 202
        seen.append(list(aws_calls.calls))
    assert seen[0] == seen[1] == seen[2]
    assert [operation for _, operation in seen[0]] == ["TransactWriteItems", "Query", "TransactWriteItems"]


@pytest.mark.usefixtures("people")
def test_attempts_are_throttled_per_email_with_the_same_body(call_auth, deliver_outbox):
    # Given five attempts for one email within the window
    bodies = set()
    for _ in range(5):
        status, _, raw = call_auth("POST", "/api/auth/forgot", body={**INES, "zip": "00000"})
        assert status == 202
        bodies.add(raw["body"])
    # When a sixth is made
    status, _, raw = call_auth("POST", "/api/auth/claim", body=INES)
    # Then it is refused with 429 and the same body, and writes no email. (The table is
    # checked, not the mailbox: moto's stream also emits the writes of a cancelled transaction.)
    assert status == 429
    assert raw["body"] in bodies
    assert len(outbox_items()) == 3  # and the address itself got at most 3 emails this hour
    # And another email from the same source is still served
    status, _, _ = call_auth("POST", "/api/auth/claim", body={**INES, "email": "someone.else@example.com"})
    assert status == 202


@pytest.mark.usefixtures("people")
def test_attempts_are_throttled_per_source_address(call_auth):
    statuses = [
        call_auth("POST", "/api/auth/claim", body={**INES, "email": f"person{number}@example.com"})[0]
        for number in range(21)
    ]
    assert statuses == [202] * 20 + [429]


@pytest.mark.usefixtures("people")
def test_a_newer_link_revokes_the_older_and_links_expire(call_auth, deliver_outbox, monkeypatch):
    # Given two reset links asked for one after the other
    call_auth("POST", "/api/auth/forgot", body=INES)
    deliver_outbox()
    call_auth("POST", "/api/auth/forgot", body=INES)
    deliver_outbox()
    newer, older = (token_in(email) for email in mail_to(INES["email"]))

    # Then the older is refused, the newer works
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": older})[0] == 410
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": newer})[0] == 200

    # When an hour passes, the reset link has expired
    later = clock.epoch_seconds() + link_rules.LIFETIME_SECONDS["reset"] + 1
    monkeypatch.setattr(clock, "epoch_seconds", lambda: later)
    status, body, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": newer, "username": "ines.m", "password": NEW_PASSWORD}
    )
    assert (status, body["error"]["code"]) == (410, "gone")
    # And a made-up token is gone too, never a 500
    assert call_auth("POST", "/api/auth/link/inspect", body={"token": "x" * 43})[0] == 410


@pytest.mark.usefixtures("people")
def test_a_password_reset_revokes_other_sessions(call_auth, call_portal, deliver_outbox, login):
    # Given Ava signed in a while ago
    old_session = login("patient", AVA.username, AVA.password)
    assert call_portal("GET", "/api/portal/me", token=old_session)[0] == 200

    # When she resets her password with "I forgot my password"
    call_auth(
        "POST",
        "/api/auth/forgot",
        body=AVA_ON_FILE,
    )
    deliver_outbox()
    (email,) = mail_to("ava.thompson@example.com")
    token = token_in(email)
    status, info, _ = call_auth("POST", "/api/auth/link/inspect", body={"token": token})
    assert info["needs_username"] is False
    status, done, _ = call_auth("POST", "/api/auth/link/complete", body={"token": token, "password": NEW_PASSWORD})
    assert (status, done["username"]) == (200, AVA.username)

    # Then the old session's next call fails, the old password no longer works, the new one does
    assert call_portal("GET", "/api/portal/me", token=old_session)[0] == 401
    assert (
        call_auth("POST", "/api/auth/patient/login", body={"username": AVA.username, "password": AVA.password})[0]
        == 401
    )
    assert login("patient", AVA.username, NEW_PASSWORD)


@pytest.mark.usefixtures("people")
def test_the_token_never_appears_in_a_log_line(call_auth, deliver_outbox, caplog, capsys):
    # Given logs captured at INFO, the level the functions log at (botocore's own DEBUG
    # wire logging, off in Lambda, would print request bodies and passwords alike)
    caplog.set_level(logging.INFO)
    # When a link is asked for, delivered, inspected and completed
    call_auth("POST", "/api/auth/claim", body=INES)
    deliver_outbox()
    token = token_in(mail_to(INES["email"])[0])
    call_auth("POST", "/api/auth/link/inspect", body={"token": token})
    call_auth("POST", "/api/auth/link/complete", body={"token": token, "username": "ines.m", "password": NEW_PASSWORD})
    # Then no log line holds it
    captured = capsys.readouterr()
    assert "email sent" in captured.out + caplog.text  # notify's log line was captured
    assert token not in caplog.text
    assert token not in captured.out + captured.err
    # And the outbox item forgot the raw token once the email was sent
    (entry,) = outbox_items()
    assert entry["template"] == "account_link"
    assert entry.get("sent_at")
    assert "link_fragment" not in entry


@pytest.mark.usefixtures("people")
def test_bad_input_is_a_422_naming_the_field(call_auth):
    bad = {"email": "not-an-email", "last_name": "", "date_of_birth": "1992-13-45", "zip": "abc"}
    for field, value in bad.items():
        status, body, _ = call_auth("POST", "/api/auth/claim", body={**INES, field: value})
        assert (status, body["error"]["field"]) == (422, field)
    status, body, _ = call_auth("POST", "/api/auth/link/complete", body={"token": "short", "password": "x"})
    assert (status, body["error"]["field"]) == (422, "token")
    status, body, _ = call_auth("POST", "/api/auth/claim", raw_body=b"{not json")
    assert (status, body["error"]["field"]) == (400, "body")
