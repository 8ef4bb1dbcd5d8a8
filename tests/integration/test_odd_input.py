"""Odd input through the handlers: each is a 4xx in the one error shape naming what is
wrong, never a 5xx, and nothing is written (found by an outside attacker against `make run`)."""

from __future__ import annotations

import json

import pytest

from local import demo_data
from tests.unit.test_http_errors import NOT_JSON

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


def writes(aws_calls) -> int:
    return sum(count for operation, count in aws_calls.operations().items() if operation in WRITES)


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_a_body_nested_100000_deep_is_a_400_naming_the_body(  # noqa: PLR0917 - fixtures
    people, call_auth, call_portal, login, aws_calls, body
):
    status, answer, _ = call_auth("POST", "/api/auth/patient/login", raw_body=body)
    assert status == 400
    assert answer["error"]["field"] == "body"
    patient = login("patient", AVA.username, AVA.password)
    aws_calls.reset()
    status, answer, _ = call_portal("POST", "/api/portal/messages", raw_body=body, token=patient)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "bad_request", "body")
    assert writes(aws_calls) == 0


def test_a_text_plain_body_is_a_415_in_the_one_error_shape_and_stores_nothing(
    people, call_auth, call_portal, login, aws_calls
):
    login_body = json.dumps({"username": AVA.username, "password": AVA.password}).encode()
    status, answer, _ = call_auth(
        "POST", "/api/auth/patient/login", raw_body=login_body, headers={"content-type": "text/plain"}
    )
    assert (status, answer) == (415, NOT_JSON)
    patient = login("patient", AVA.username, AVA.password)
    aws_calls.reset()
    form = b"type=refill&medication=amoxicillin&dosage=500+mg"
    for content_type, body in [
        ("text/plain", json.dumps({"type": "refill", "medication": "amoxicillin", "dosage": "500 mg"}).encode()),
        ("application/x-www-form-urlencoded", form),
    ]:
        status, answer, _ = call_portal(
            "POST", "/api/portal/requests", raw_body=body, headers={"content-type": content_type}, token=patient
        )
        assert (status, answer["error"]["field"]) == (415, "content-type"), content_type
    assert writes(aws_calls) == 0


@pytest.mark.parametrize("typed", ["😀", "-", "'", "\x00", "😀😀 -"])
def test_a_name_prefix_with_no_letter_or_digit_is_a_422_naming_q(staff, call_patients, typed):
    for path in ("/api/staff/onboarding", "/api/staff/patients"):
        status, answer, _ = call_patients("GET", path, query=f"q={typed}", token=staff)
        assert status == 422, (path, answer)
        assert answer["error"]["field"] == "q"
    status, answer, _ = call_patients(
        "POST", "/api/staff/onboarding/invitations", body={"filter": {"q": typed}}, token=staff
    )
    assert status == 422, answer
    assert answer["error"]["field"] == "filter.q"


def test_names_that_fold_longer_than_a_key_allows_are_stored_and_found(staff, call_patients):
    # Given a name whose folded form is far longer than the typed one (U+FDFA is 18 letters folded)
    long_name = "\ufdfa" * 200
    status, added, _ = call_patients(
        "POST",
        "/api/staff/patients",
        body={"first_name": long_name, "last_name": long_name, "date_of_birth": "1990-01-01"},
        token=staff,
    )
    # Then the patient is added, not a 500 from a sort key over 1,024 bytes
    assert status == 201, added
    # And the longest prefix staff can type still finds them, in the search and the onboarding list
    for path in ("/api/staff/patients", "/api/staff/onboarding"):
        status, page, _ = call_patients("GET", path, query=f"q={long_name[:100]}", token=staff)
        assert status == 200, page
        assert [row["patient_id"] for row in page["items"]] == [added["patient_id"]]
