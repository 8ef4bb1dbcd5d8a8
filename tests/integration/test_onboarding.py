"""The onboarding tool over HTTP, in-process under moto: the list of every patient (paged,
searched, filtered by status, reading only its page with 5,000 patients on file), the
counts per status and per invitation state, and the stored status kept current by every
write that can change it."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from local import demo_data
from patientportal import clock, normalise
from patientportal.dal import patients
from patientportal.dal.attributes import to_attributes
from patientportal.logic.mail import feedback
from patientportal.models.records import PatientRecord
from tests.integration.test_accounts_links import NEW_PASSWORD, mail_to, token_in

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


def onboarding(call_patients, staff: str, query: str = "") -> dict:
    status, page, _ = call_patients("GET", "/api/staff/onboarding", query=query, token=staff)
    assert status == 200, page
    return page


def counts(call_patients, staff: str) -> dict:
    status, body, _ = call_patients("GET", "/api/staff/onboarding/counts", token=staff)
    assert status == 200, body
    return body


def expected_status(row: tuple) -> str:
    """Access on lets a patient sign in; a username, or an email to send one to, lets them get
    there (the zip is only for the self-service identity check)."""
    _, _, _, _, email, _, access, username, _, logged_in = row
    if not (access and (email or username)):
        return "inactive"
    return "active" if logged_in else "unactivated"


def test_the_list_shows_every_patient_by_last_then_first_name_with_status_and_pages(staff, call_patients):
    # When staff page through the whole list, three at a time
    seen, cursor = [], None
    while True:
        page = onboarding(call_patients, staff, "limit=3" + (f"&cursor={cursor}" if cursor else ""))
        assert len(page["items"]) <= 3
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then every demo patient is there once, by last then first name, with their status
    names = [(item["last_name"].casefold(), item["first_name"].casefold()) for item in seen]
    assert names == sorted(names)
    assert len(seen) == len(demo_data.PATIENTS)
    by_id = {item["patient_id"]: item for item in seen}
    for row in demo_data.PATIENTS:
        assert by_id[row[0]]["portal_status"]["status"] == expected_status(row), row[0]
    assert by_id["p-olu"]["portal_status"]["email_undeliverable"] is True
    assert by_id["p-ava"]["email"] == "ava.thompson@example.com"
    assert by_id["p-ava"]["invitation"] is None
    assert [reason["reason"] for reason in by_id["p-zoe"]["portal_status"]["reasons"]] == [
        "access_off",
        "no_email",
        "no_zip",
    ]


def test_the_list_searches_by_last_name_prefix_and_filters_by_status(staff, call_patients):
    okafors = onboarding(call_patients, staff, "q=oka")["items"]
    assert [item["patient_id"] for item in okafors] == ["p-leo", "p-maya"]
    inactive = onboarding(call_patients, staff, "status=inactive&limit=200")["items"]
    expected = {row[0] for row in demo_data.PATIENTS if expected_status(row) == "inactive"}
    assert {item["patient_id"] for item in inactive} == expected
    assert all(item["portal_status"]["status"] == "inactive" for item in inactive)
    both = onboarding(call_patients, staff, "status=active&q=t")["items"]
    assert [item["patient_id"] for item in both] == ["p-ava"]
    # Accents and case do not matter
    assert [item["patient_id"] for item in onboarding(call_patients, staff, "q=fernand")["items"]] == ["p-lucia"]


def test_bad_list_parameters_are_4xx_naming_the_field(staff, call_patients, login):
    status, body, _ = call_patients("GET", "/api/staff/onboarding", query="status=pending", token=staff)
    assert (status, body["error"]["field"]) == (422, "status")
    status, body, _ = call_patients("GET", "/api/staff/onboarding", query="limit=0", token=staff)
    assert (status, body["error"]["field"]) == (422, "limit")
    status, body, _ = call_patients("GET", "/api/staff/onboarding", query="cursor=bogus", token=staff)
    assert (status, body["error"]["field"]) == (400, "cursor")
    # And patients cannot use the onboarding routes
    patient = login("patient", AVA.username, AVA.password)
    for path in ("/api/staff/onboarding", "/api/staff/onboarding/counts"):
        status, _, _ = call_patients("GET", path, token=patient)
        assert status == 403


def _many_patients(table: str, count: int) -> None:
    client = boto3.client("dynamodb")
    for start in range(0, count, 25):
        batch: list[Any] = []
        for number in range(start, min(start + 25, count)):
            record = PatientRecord(
                patient_id=f"bulk-{number:05d}",
                first_name=f"Given{number % 97:02d}",
                last_name=f"Surname{number:05d}",
                date_of_birth="1980-01-01",
                email=f"bulk{number}@example.com" if number % 3 else "",
                zip="02139",
                portal_access_enabled=number % 2 == 0,
            )
            item = patients.patient_item(record, normalise.email(record.email))
            batch.append({"PutRequest": {"Item": to_attributes(item)}})
        client.batch_write_item(RequestItems={table: batch})


def test_a_page_reads_only_that_page_with_five_thousand_patients(staff, call_patients, stack, aws_calls):
    # Given 5,000 patients on file
    _many_patients(stack.ref("PortalTable"), 5000)
    for query in ("limit=50", "limit=50&status=unactivated", "limit=20&q=surname04", "limit=200&status=inactive"):
        # When staff read a page (all, one status, a name prefix)
        aws_calls.reset()
        page = onboarding(call_patients, staff, query)
        # Then it is one Query reading at most limit + 1 items, and no Scan; one write records
        # whom the page showed (and one read is the staff sign-out check, decision 40)
        limit = int(query.split("&")[0].split("=")[1])
        assert len(page["items"]) == limit
        assert aws_calls.operations() == {"GetItem": 1, "Query": 1, "PutItem": 1}, query
        assert aws_calls.items_read["Query"] <= limit + 1
        assert aws_calls.items_read["Scan"] == 0
        # And the next page costs the same
        aws_calls.reset()
        following = onboarding(call_patients, staff, f"{query}&cursor={page['next_cursor']}")
        assert aws_calls.operations() == {"GetItem": 1, "Query": 1, "PutItem": 1}
        assert aws_calls.items_read["Query"] <= limit + 1
        assert {item["patient_id"] for item in following["items"]}.isdisjoint(
            item["patient_id"] for item in page["items"]
        )
    # And the counts read no patient record: only Select=COUNT Queries on keys-only indexes
    aws_calls.reset()
    totals = counts(call_patients, staff)
    assert set(aws_calls.operations()) == {"GetItem", "Query"}  # the sign-out check, then counts
    assert aws_calls.operations()["GetItem"] == 1
    assert aws_calls.items_read["Query"] == 0
    assert sum(totals["statuses"].values()) == 5000 + len(demo_data.PATIENTS)
    assert totals["statuses"]["unactivated"] >= 5000 // 3


def test_counts_follow_each_invitation_from_sent_to_opened_used_expired_and_bounced(
    staff, call_patients, call_auth, deliver_outbox, monkeypatch
):
    # Given the demo's counts
    before = counts(call_patients, staff)
    expected = {"inactive": 0, "unactivated": 0, "active": 0}
    for row in demo_data.PATIENTS:
        expected[expected_status(row)] += 1
    assert before["statuses"] == expected
    assert before["invitations"] == {"sent": 0, "opened": 0, "used": 0, "expired": 0, "bounced": 0}
    # When staff invite Inès, Tomasz, Grace and Ravi (all unactivated)
    for patient_id in ("p-ines", "p-tomasz", "p-grace", "p-ravi"):
        status, body, _ = call_patients("POST", f"/api/staff/patients/{patient_id}/invitation", token=staff)
        assert status == 202, body
    deliver_outbox()
    assert counts(call_patients, staff)["invitations"]["sent"] == 4
    listed = {item["patient_id"]: item for item in onboarding(call_patients, staff, "status=unactivated")["items"]}
    assert listed["p-ines"]["invitation"]["state"] == "sent"
    assert listed["p-ines"]["invitation"]["expires_at"].endswith("Z")
    # And Inès opens her link page, Tomasz opens his and sets his password
    ines = token_in(mail_to("ines.moreau@example.com")[0])
    tomasz = token_in(mail_to("tomasz.nowak@example.com")[0])
    for token in (ines, tomasz, ines):
        status, _, _ = call_auth("POST", "/api/auth/link/inspect", body={"token": token})
        assert status == 200
    status, body, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": tomasz, "username": "tomasz.n", "password": NEW_PASSWORD}
    )
    assert status == 200, body
    # And Grace's address bounces
    feedback.record_feedback(
        {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bouncedRecipients": [{"emailAddress": "grace.lindqvist@example.com"}],
            },
        }
    )
    # Then each state is counted once
    now = counts(call_patients, staff)["invitations"]
    assert now == {"sent": 1, "opened": 1, "used": 1, "expired": 0, "bounced": 1}
    listed = {item["patient_id"]: item for item in onboarding(call_patients, staff, "limit=200")["items"]}
    assert [listed[p]["invitation"]["state"] for p in ("p-ravi", "p-ines", "p-tomasz", "p-grace")] == [
        "sent",
        "opened",
        "used",
        "bounced",
    ]
    assert listed["p-grace"]["portal_status"]["email_undeliverable"] is True
    # And three days later the unused ones have expired
    moment = int(time.time()) + 73 * 3600
    monkeypatch.setattr(clock, "epoch_seconds", lambda: moment)
    assert counts(call_patients, staff)["invitations"] == {
        "sent": 0,
        "opened": 0,
        "used": 1,
        "expired": 2,
        "bounced": 1,
    }
    listed = {item["patient_id"]: item for item in onboarding(call_patients, staff, "q=iyer")["items"]}
    assert listed["p-ravi"]["invitation"]["state"] == "expired"


def statuses_of(call_patients, staff: str) -> dict[str, str]:
    """Each patient's status as the filtered lists (the stored, indexed status) give it."""
    found = {}
    for name in ("inactive", "unactivated", "active"):
        for item in onboarding(call_patients, staff, f"status={name}&limit=200")["items"]:
            assert item["portal_status"]["status"] == name, item["patient_id"]
            found[item["patient_id"]] = name
    return found


def test_the_stored_status_follows_every_change_that_moves_it(staff, call_patients, call_auth, login, deliver_outbox):
    # Access on for Omar: inactive -> unactivated
    status, body, _ = call_patients(
        "PUT",
        "/api/staff/patients/p-omar/portal-access",
        body={"enabled": True, "identity_confirmed": True},
        token=staff,
    )
    assert status == 200, body
    assert statuses_of(call_patients, staff)["p-omar"] == "unactivated"
    # Zip removed for Ravi: still unactivated (an invitation reaches him); his email removed
    # too (no username, so nothing reaches him): inactive; an email back: unactivated again
    status, body, _ = call_patients("PATCH", "/api/staff/patients/p-ravi", body={"zip": ""}, token=staff)
    assert status == 200, body
    assert statuses_of(call_patients, staff)["p-ravi"] == "unactivated"
    guarded = {"confirm_email_change": True, "reason": "Asked at the front desk"}
    status, body, _ = call_patients("PATCH", "/api/staff/patients/p-ravi", body={"email": "", **guarded}, token=staff)
    assert status == 200, body
    assert statuses_of(call_patients, staff)["p-ravi"] == "inactive"
    call_patients(
        "PATCH", "/api/staff/patients/p-ravi", body={"email": "ravi.iyer@example.com", **guarded}, token=staff
    )
    assert statuses_of(call_patients, staff)["p-ravi"] == "unactivated"
    # An email added for Wei (access already on, so confirmed): inactive -> unactivated
    status, body, _ = call_patients(
        "PATCH",
        "/api/staff/patients/p-wei",
        body={"email": "wei.chen@example.com", "confirm_email_change": True, "reason": "Given at the front desk"},
        token=staff,
    )
    assert status == 200, body
    assert statuses_of(call_patients, staff)["p-wei"] == "unactivated"
    # A new patient added with access at once, and then a first login: unactivated -> active
    status, added, _ = call_patients(
        "POST",
        "/api/staff/patients",
        body={
            "first_name": "Priya",
            "last_name": "Raman",
            "date_of_birth": "1991-05-06",
            "email": "priya.raman@example.com",
            "zip": "02160",
            "activate_without_confirmation": True,
        },
        token=staff,
    )
    assert status == 201, added
    assert statuses_of(call_patients, staff)[added["patient_id"]] == "unactivated"
    call_patients("POST", f"/api/staff/patients/{added['patient_id']}/invitation", token=staff)
    deliver_outbox()
    token = token_in(mail_to("priya.raman@example.com")[0])
    status, _, _ = call_auth(
        "POST", "/api/auth/link/complete", body={"token": token, "username": "priya.r", "password": NEW_PASSWORD}
    )
    assert status == 200
    login("patient", "priya.r", NEW_PASSWORD)
    assert statuses_of(call_patients, staff)[added["patient_id"]] == "active"
    # Access off for Ava: active -> inactive
    call_patients("PUT", "/api/staff/patients/p-ava/portal-access", body={"enabled": False}, token=staff)
    assert statuses_of(call_patients, staff)["p-ava"] == "inactive"
    # And a self-registered patient who confirms the address: inactive -> unactivated
    status, _, _ = call_auth(
        "POST",
        "/api/auth/register",
        body={
            "first_name": "Ilse",
            "last_name": "Vogel",
            "date_of_birth": "1993-03-03",
            "email": "ilse.vogel@example.com",
            "zip": "02161",
        },
    )
    assert status == 202
    vogels = onboarding(call_patients, staff, "q=vogel")["items"]
    assert [item["portal_status"]["status"] for item in vogels] == ["inactive"]
    deliver_outbox()
    status, _, _ = call_auth(
        "POST",
        "/api/auth/link/complete",
        body={"token": token_in(mail_to("ilse.vogel@example.com")[0]), "username": "ilse.v", "password": NEW_PASSWORD},
    )
    assert status == 200
    assert statuses_of(call_patients, staff)[vogels[0]["patient_id"]] == "unactivated"
    # And the counts agree with the lists
    totals = counts(call_patients, staff)["statuses"]
    final = statuses_of(call_patients, staff)
    assert totals == {name: list(final.values()).count(name) for name in ("inactive", "unactivated", "active")}
