"""Who may call what (auth/principal.py) and the checks every signed-in request passes
(logic/accounts/request_checks.py), written where mutation testing found them untested
(docs/security.md "Mutation testing"): each pool's caller passes its own check, each refusal
is the answer the API gives, and a revocation refuses tokens from before it and not after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from patientportal.auth.principal import Principal, parse_groups, principal_from_claims
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.table import Table
from patientportal.errors import ForbiddenError, UnauthorizedError
from patientportal.logic.accounts import request_checks
from patientportal.settings import Settings
from tests.unit.in_process_table import in_process_table, store_patient

SETTINGS = Settings(
    table_name="t", practice_name="p", staff_user_pool_id="us-east-1_staff", patient_user_pool_id="us-east-1_pat"
)
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/"


def claims(pool: str, **extra: Any) -> dict[str, Any]:
    return {"iss": ISSUER + pool, "token_use": "access", "username": "someone", "sub": "s", "iat": 100, **extra}


def staff(*groups: str, issued_at: int = 100, username: str = "front.desk") -> Principal:
    return Principal(kind="staff", subject="s", username=username, groups=frozenset(groups), issued_at=issued_at)


def patient_principal(patient_id: str = "p-1", issued_at: int = 100) -> Principal:
    return Principal(kind="patient", subject="s", username=patient_id, groups=frozenset(), issued_at=issued_at)


def test_an_admin_passes_both_the_admin_and_the_staff_check():
    admin = principal_from_claims(claims("us-east-1_staff", **{"cognito:groups": "[staff admin]"}), SETTINGS)
    assert admin.require_admin() is admin
    assert admin.require_staff() is admin
    only_admin = staff("admin")
    assert only_admin.require_staff() is only_admin  # the admin group alone is staff too


def test_a_patient_passes_the_patient_check_and_is_known_by_the_token_alone():
    principal = principal_from_claims(claims("us-east-1_pat", username="p-ava"), SETTINGS)
    assert principal.require_patient() is principal
    assert principal.patient_id == "p-ava"


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (Principal.require_patient, "This route is for patients."),
        (lambda principal: principal.patient_id, "This route is for patients."),
    ],
)
def test_staff_on_a_patient_route_are_refused_with_the_routes_own_words(check, message):
    with pytest.raises(ForbiddenError) as refused:
        check(staff("staff", "admin"))
    assert refused.value.message == message


def test_refusals_of_a_staff_route_and_an_admin_route_say_which_they_are():
    with pytest.raises(ForbiddenError) as refused:
        patient_principal().require_staff()
    assert refused.value.message == "This route is for practice staff."
    with pytest.raises(ForbiddenError) as refused:
        staff("staff").require_admin()
    assert refused.value.message == "This route is for practice administrators."


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        ("[staff,admin]", {"staff", "admin"}),  # a comma-separated flattening reads the same
        ("[staff, admin]", {"staff", "admin"}),
        ("[Xray staff]", {"Xray", "staff"}),  # names are read exactly, whatever letter they start with
        ("[]", set()),
        ("", set()),
    ],
)
def test_flattened_groups_are_read_exactly(value, groups):
    assert parse_groups(value) == groups


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (None, "Sign in first."),
        (claims("us-east-1_pat", token_use="id"), "Use an access token."),
        (claims("us-east-1_other"), "Sign in first."),
        (claims("us-east-1_pat", username=""), "Sign in first."),
    ],
)
def test_each_refused_token_gets_the_apis_words(bad, message):
    with pytest.raises(UnauthorizedError) as refused:
        principal_from_claims(bad, SETTINGS)
    assert refused.value.message == message


def test_a_token_without_an_issue_time_counts_as_issued_at_the_epoch():
    found = claims("us-east-1_pat")
    del found["iat"]
    assert principal_from_claims(found, SETTINGS).issued_at == 0  # refused by any revocation


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Table]:
    with in_process_table(monkeypatch) as table:
        yield table


def test_a_patient_with_access_on_gets_their_own_record(table):
    store_patient(table, sessions_valid_after=100)
    store_patient(table, patient_id="p-2", first_name="Someone")
    record = request_checks.active_patient(patient_principal("p-1", issued_at=100))  # the revocation's own second
    assert record.patient_id == "p-1"
    assert record.first_name == "Ava"


@pytest.mark.parametrize(
    ("fields", "issued_at"),
    [
        ({"portal_access_enabled": False}, 100),
        ({"expires_at": 2_000_000_000, "unconfirmed": True}, 100),  # a registration waiting for its link
        ({"sessions_valid_after": 101}, 100),  # signed out, password changed... after the token
    ],
)
def test_a_patient_whose_access_is_off_or_whose_token_predates_a_revocation_is_refused(table, fields, issued_at):
    store_patient(table, **fields)
    with pytest.raises(UnauthorizedError) as refused:
        request_checks.active_patient(patient_principal("p-1", issued_at=issued_at))
    assert refused.value.message == "Sign in again."


def test_a_patient_not_on_file_is_refused(table):
    with pytest.raises(UnauthorizedError) as refused:
        request_checks.active_patient(patient_principal("p-gone"))
    assert refused.value.message == "Sign in again."


def test_a_staff_token_is_refused_on_the_patient_check_before_anything_is_read(table):
    with pytest.raises(ForbiddenError):
        request_checks.active_patient(staff("staff"))


def test_a_staff_token_from_before_that_members_sign_out_is_refused_and_one_from_after_passes(table):
    stored_sessions.record_staff_sign_out("front.desk", 200, table=table)
    with pytest.raises(UnauthorizedError) as refused:
        request_checks.signed_in_staff(staff("staff", issued_at=199))
    assert refused.value.message == "Sign in again."
    same_second = staff("staff", issued_at=200)
    assert request_checks.signed_in_staff(same_second) is same_second
    other_member = staff("staff", issued_at=50, username="nurse")  # another member's sign-out is not theirs
    assert request_checks.signed_in_staff(other_member) is other_member


def test_a_patient_principal_reads_no_staff_sign_out(table, monkeypatch):
    monkeypatch.setattr(stored_sessions, "staff_signed_out_at", lambda *_, **__: pytest.fail("read"))
    principal = patient_principal(issued_at=1)
    assert request_checks.signed_in_staff(principal) is principal
