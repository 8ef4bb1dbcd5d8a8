"""Signing in, resuming and ending sessions (logic/accounts/sessions.py), written where
mutation testing found them untested (docs/security.md "Mutation testing", "Sessions"):
Cognito is a fake that records what it is asked, the table is moto's in-process DynamoDB,
so what a session leaves behind (its item, a revocation point) is read back from the table."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from patientportal import aws, clock
from patientportal.auth import cognito, link_tokens
from patientportal.dal import keys, patients
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.table import Table
from patientportal.errors import UnauthorizedError, ValidationFailedError
from patientportal.logic.accounts import sessions
from patientportal.models.records import PatientRecord
from patientportal.settings import Settings
from tests.unit.in_process_table import in_process_table
from tests.unit.in_process_table import store_patient as stored

SETTINGS = Settings(
    table_name="unit",
    practice_name="Riverbend",
    staff_client_id="staff-app",
    patient_client_id="patient-app",
    session_idle_minutes=30,
)
NOW = 1_800_000_000


def token(**claims: Any) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"header.{payload}.signature"


def answer(*, iat: int = NOW, username: str = "p-1", refresh: str | None = None) -> cognito.Answer:
    return cognito.Answer(access_token=token(iat=iat, username=username), expires_in=900, refresh_token=refresh)


class FakeCognito:
    """Answers ``authenticate`` and ``renew`` with the next of ``answers`` (an exception is
    raised instead) and records every call, ``revoke`` included."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: cognito.Answer | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, ...]] = []
        self.revoke_refusal: Exception | None = None
        monkeypatch.setattr(cognito, "authenticate", lambda *arguments: self.answer("authenticate", *arguments))
        monkeypatch.setattr(cognito, "renew", lambda *arguments: self.answer("renew", *arguments))
        monkeypatch.setattr(cognito, "revoke", self.revoke)
        monkeypatch.setattr(
            cognito, "answer_new_password", lambda *arguments: self.answer("answer_new_password", *arguments)
        )

    def answer(self, operation: str, *arguments: str) -> cognito.Answer:
        self.calls.append((operation, *arguments))
        found = self.answers.pop(0)
        if isinstance(found, Exception):
            raise found
        return found

    def revoke(self, client_id: str, refresh_token: str) -> None:
        self.calls.append(("revoke", client_id, refresh_token))
        if self.revoke_refusal:
            raise self.revoke_refusal


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Table]:
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW)
    monkeypatch.setattr(clock, "revocation_point", lambda: NOW + 1)
    monkeypatch.setattr(clock, "timestamp", lambda _=None: "2027-01-15T08:00:00Z")
    monkeypatch.setattr(clock, "wait_until", lambda _: None)
    with in_process_table(monkeypatch) as table:
        yield table


def store_patient(table: Table, *, username: str | None = "ava", **fields: Any) -> PatientRecord:
    return stored(table, username=username or "", **fields)


def stored_session(table: Table, refresh_token: str) -> dict[str, Any] | None:
    return table.get(keys.session(link_tokens.digest(refresh_token)))


def start_session(table: Table, account: sessions.Account, subject: str, refresh_token: str, *, at: int) -> None:
    stored_sessions.start(
        link_tokens.digest(refresh_token), account=account, subject=subject, now=at, expires_at=at + 3600, table=table
    )


# Signing in


def test_a_patient_signs_in_by_their_own_username_and_the_first_login_is_recorded(table, monkeypatch):
    store_patient(table, username="ava")
    fake = FakeCognito(monkeypatch, answer(refresh="r-1"))
    signed_in = sessions.patient_login("Ava", "right password", SETTINGS)
    assert signed_in.refresh_token == "r-1"
    assert fake.calls == [("authenticate", "patient-app", "p-1", "right password")]
    record = patients.get_patient("p-1")
    assert record is not None
    assert (record.first_login_at, record.last_login_at) == ("2027-01-15T08:00:00Z", "2027-01-15T08:00:00Z")


def test_a_username_whose_patient_is_gone_is_the_same_refusal(table, monkeypatch):
    table.put(keys.username_entry("ghost", "p-gone"))
    FakeCognito(monkeypatch, answer())
    with pytest.raises(UnauthorizedError) as refused:
        sessions.patient_login("ghost", "right password", SETTINGS)
    assert refused.value.message == sessions.PATIENT_FAILURE


def test_a_sign_in_in_the_second_of_a_revocation_is_asked_again_with_the_same_details(table, monkeypatch):
    store_patient(table, sessions_valid_after=NOW + 1)
    fake = FakeCognito(monkeypatch, answer(iat=NOW, refresh="r-old"), answer(iat=NOW + 1, refresh="r-new"))
    assert sessions.patient_login("ava", "right password", SETTINGS).refresh_token == "r-new"
    assert fake.calls == [("authenticate", "patient-app", "p-1", "right password")] * 2


def test_a_token_without_an_issue_time_is_taken_again():
    signed_in = sessions.SignedIn(access_token=token(username="u"), expires_in=900, refresh_token=None)
    again = sessions.SignedIn(access_token=token(iat=5), expires_in=900, refresh_token=None)
    assert sessions.after_revocation(signed_in, 1, lambda: again) is again


def test_a_first_staff_password_containing_the_username_is_refused_before_cognito(table, monkeypatch):
    fake = FakeCognito(monkeypatch)
    with pytest.raises(ValidationFailedError) as refused:
        sessions.complete_new_password("frontdesk", "session-1", "frontdesk Quartz Meadow Lantern 93", SETTINGS)
    assert refused.value.field == "password"
    assert fake.calls == []


def test_a_first_staff_password_leads_to_the_authenticator_step(table, monkeypatch):
    fake = FakeCognito(monkeypatch, cognito.Answer(challenge="MFA_SETUP", session="session-2"))
    strong = "Quartz Meadow Lantern 93"
    outcome = sessions.complete_new_password("frontdesk", "session-1", strong, SETTINGS)
    assert outcome == sessions.StaffChallenge(name="MFA_SETUP", session="session-2")
    assert fake.calls == [("answer_new_password", "staff-app", "frontdesk", "session-1", strong)]


# Keeping a session


def test_a_new_session_is_kept_by_its_refresh_tokens_digest_alone(table):
    sessions.begin("patient", answer(username="p-1", refresh="r-1"), lifetime_seconds=3600)
    item = stored_session(table, "r-1")
    assert item is not None
    assert (item["account"], item["subject"], item["last_active_at"], item["expires_at"]) == (
        "patient",
        "p-1",
        NOW,
        NOW + 3600,
    )
    assert "r-1" not in json.dumps(item)


def test_without_a_refresh_token_nothing_is_kept(table):
    sessions.begin("patient", answer(refresh=None), lifetime_seconds=3600)
    assert aws.dynamodb().scan(TableName=table.name)["Count"] == 0


def test_a_staff_sign_in_in_the_second_of_their_sign_out_lowers_the_sign_out_to_it(table):
    stored_sessions.record_staff_sign_out("frontdesk", NOW + 1, table=table)
    sessions.begin("staff", answer(iat=NOW, username="frontdesk", refresh="r-1"), lifetime_seconds=3600)
    assert stored_sessions.staff_signed_out_at("frontdesk", table=table) == NOW
    assert stored_session(table, "r-1") is not None


@pytest.mark.parametrize("signed_out_at", [0, NOW])
def test_a_staff_sign_in_records_when_in_one_write_and_leaves_an_earlier_sign_out(table, aws_calls, signed_out_at):
    if signed_out_at:
        stored_sessions.record_staff_sign_out("frontdesk", signed_out_at, table=table)
    aws_calls.reset()
    sessions.begin("staff", answer(iat=NOW, username="frontdesk", refresh="r-1"), lifetime_seconds=3600)
    assert aws_calls.operations() == {"PutItem": 1, "UpdateItem": 1}  # the session; the member's sign-in
    item = table.get(keys.staff_member("frontdesk"))
    assert item is not None
    assert item["last_signed_in_at"] == "2027-01-15T08:00:00Z"  # the staff accounts page's "last sign-in"
    assert stored_sessions.staff_signed_out_at("frontdesk", table=table) == signed_out_at


def test_a_patient_sign_in_changes_no_staff_sign_out(table):
    stored_sessions.record_staff_sign_out("p-1", NOW + 1, table=table)
    sessions.begin("patient", answer(iat=NOW, username="p-1", refresh="r-1"), lifetime_seconds=3600)
    assert stored_sessions.staff_signed_out_at("p-1", table=table) == NOW + 1


# Resuming


@pytest.mark.parametrize("idle_seconds", [0, 30 * 60])
def test_a_session_used_within_the_idle_limit_is_resumed_and_its_activity_recorded(table, monkeypatch, idle_seconds):
    store_patient(table)
    start_session(table, "patient", "p-1", "r-1", at=NOW - idle_seconds)
    fake = FakeCognito(monkeypatch, answer(refresh="ignored"))
    renewed = sessions.refresh("patient", "r-1", SETTINGS)
    assert renewed.refresh_token is None  # the cookie stays the one it was
    assert renewed.access_token == answer().access_token
    assert fake.calls == [("renew", "patient-app", "r-1")]
    item = stored_session(table, "r-1")
    assert item is not None
    assert item["last_active_at"] == NOW


def test_a_staff_session_is_renewed_through_the_staff_app(table, monkeypatch):
    start_session(table, "staff", "frontdesk", "r-1", at=NOW)
    fake = FakeCognito(monkeypatch, answer(username="frontdesk"))
    sessions.refresh("staff", "r-1", SETTINGS)
    assert fake.calls == [("renew", "staff-app", "r-1")]


def test_a_staff_session_renewed_in_the_second_of_a_sign_out_elsewhere_takes_a_later_token(table, monkeypatch):
    start_session(table, "staff", "frontdesk", "r-1", at=NOW)
    stored_sessions.record_staff_sign_out("frontdesk", NOW + 1, table=table)
    later = answer(iat=NOW + 1, username="frontdesk")
    fake = FakeCognito(monkeypatch, answer(iat=NOW, username="frontdesk"), later)
    assert sessions.refresh("staff", "r-1", SETTINGS).access_token == later.access_token
    assert fake.calls == [("renew", "staff-app", "r-1")] * 2


def test_a_session_idle_past_the_limit_is_ended_for_good(table, monkeypatch):
    store_patient(table)
    start_session(table, "patient", "p-1", "r-1", at=NOW - 30 * 60 - 1)
    fake = FakeCognito(monkeypatch)
    with pytest.raises(UnauthorizedError) as refused:
        sessions.refresh("patient", "r-1", SETTINGS)
    assert refused.value.message == sessions.IDLE
    assert fake.calls == [("revoke", "patient-app", "r-1")]
    assert stored_session(table, "r-1") is None
    record = patients.get_patient("p-1")
    assert record is not None
    assert record.sessions_valid_after == NOW + 1


@pytest.mark.parametrize(("stored_account", "asked_account"), [(None, "patient"), ("staff", "patient")])
def test_a_session_the_server_does_not_know_for_that_account_is_not_resumed(
    table, monkeypatch, stored_account, asked_account
):
    if stored_account:
        start_session(table, stored_account, "p-1", "r-1", at=NOW)
    fake = FakeCognito(monkeypatch)
    with pytest.raises(UnauthorizedError) as refused:
        sessions.refresh(asked_account, "r-1", SETTINGS)
    assert refused.value.message == sessions.SIGN_IN_AGAIN
    assert fake.calls == []


@pytest.mark.parametrize("fields", [{"portal_access_enabled": False}, {"unconfirmed": True, "expires_at": 2**31}])
def test_a_patient_who_can_no_longer_sign_in_is_not_resumed(table, monkeypatch, fields):
    store_patient(table, **fields)
    start_session(table, "patient", "p-1", "r-1", at=NOW)
    FakeCognito(monkeypatch, answer())
    with pytest.raises(UnauthorizedError) as refused:
        sessions.refresh("patient", "r-1", SETTINGS)
    assert refused.value.message == sessions.SIGN_IN_AGAIN


def test_a_patient_no_longer_on_file_is_not_resumed(table, monkeypatch):
    start_session(table, "patient", "p-gone", "r-1", at=NOW)
    FakeCognito(monkeypatch, answer())
    with pytest.raises(UnauthorizedError):
        sessions.refresh("patient", "r-1", SETTINGS)


def test_a_refresh_token_cognito_refuses_is_sign_in_again(table, monkeypatch):
    start_session(table, "staff", "frontdesk", "r-1", at=NOW)
    FakeCognito(monkeypatch, cognito.RefusedError("NotAuthorizedException"))
    with pytest.raises(UnauthorizedError) as refused:
        sessions.refresh("staff", "r-1", SETTINGS)
    assert refused.value.message == sessions.SIGN_IN_AGAIN


def test_a_session_signed_out_in_another_tab_meanwhile_is_not_resumed(table, monkeypatch):
    start_session(table, "staff", "frontdesk", "r-1", at=NOW)
    fake = FakeCognito(monkeypatch, answer(username="frontdesk"))

    def renew_while_signed_out_elsewhere(*arguments: str) -> cognito.Answer:
        table.delete(keys.session(link_tokens.digest("r-1")))
        return fake.answer("renew", *arguments)

    monkeypatch.setattr(cognito, "renew", renew_while_signed_out_elsewhere)
    with pytest.raises(UnauthorizedError) as refused:
        sessions.refresh("staff", "r-1", SETTINGS)
    assert refused.value.message == sessions.SIGN_IN_AGAIN
    assert stored_session(table, "r-1") is None  # not written back by the refused refresh


# Signing out


def test_a_patient_sign_out_revokes_ends_the_session_and_refuses_older_tokens(table, monkeypatch):
    store_patient(table)
    start_session(table, "patient", "p-1", "r-1", at=NOW)
    start_session(table, "patient", "p-1", "r-other", at=NOW)
    fake = FakeCognito(monkeypatch)
    sessions.logout("patient", "r-1", SETTINGS)
    assert fake.calls == [("revoke", "patient-app", "r-1")]
    assert stored_session(table, "r-1") is None
    assert stored_session(table, "r-other") is not None  # the person's other session goes on
    record = patients.get_patient("p-1")
    assert record is not None
    assert record.sessions_valid_after == NOW + 1


def test_a_staff_sign_out_records_the_moment_on_the_member(table, monkeypatch):
    start_session(table, "staff", "frontdesk", "r-1", at=NOW)
    fake = FakeCognito(monkeypatch)
    sessions.logout("staff", "r-1", SETTINGS)
    assert fake.calls == [("revoke", "staff-app", "r-1")]
    assert stored_session(table, "r-1") is None
    assert stored_sessions.staff_signed_out_at("frontdesk", table=table) == NOW + 1


def test_a_sign_out_still_holds_when_cognito_refuses_the_revocation_or_the_patient_is_gone(table, monkeypatch):
    start_session(table, "patient", "p-gone", "r-1", at=NOW)
    fake = FakeCognito(monkeypatch)
    fake.revoke_refusal = cognito.RefusedError("NotAuthorizedException")
    sessions.logout("patient", "r-1", SETTINGS)
    assert stored_session(table, "r-1") is None
    assert patients.get_patient("p-gone") is None  # no record made for a patient not on file


@pytest.mark.parametrize(
    ("stored_account", "account", "client"), [(None, "staff", "staff-app"), ("staff", "patient", "patient-app")]
)
def test_a_refresh_token_that_is_not_a_session_of_that_account_is_only_revoked(
    table, monkeypatch, stored_account, account, client
):
    if stored_account:
        start_session(table, stored_account, "frontdesk", "r-1", at=NOW)
    fake = FakeCognito(monkeypatch)
    sessions.logout(account, "r-1", SETTINGS)
    assert fake.calls == [("revoke", client, "r-1")]
    if stored_account:
        assert stored_session(table, "r-1") is not None
    assert stored_sessions.staff_signed_out_at("frontdesk", table=table) == 0


def test_an_unknown_username_is_put_to_cognito_as_nobody_and_refused_alike(table, monkeypatch):
    fake = FakeCognito(monkeypatch, cognito.RefusedError("NotAuthorizedException"))
    with pytest.raises(UnauthorizedError) as refused:
        sessions.patient_login("Nobody.Here", "a password", SETTINGS)
    assert refused.value.message == sessions.PATIENT_FAILURE
    assert fake.calls == [("authenticate", "patient-app", sessions.nobody("Nobody.Here"), "a password")]


def test_a_patient_session_renewed_in_the_second_of_a_revocation_asks_the_patient_app_again(table, monkeypatch):
    store_patient(table, sessions_valid_after=NOW + 1)
    start_session(table, "patient", "p-1", "r-1", at=NOW)
    later = answer(iat=NOW + 1)
    fake = FakeCognito(monkeypatch, answer(iat=NOW), later)
    renewed = sessions.refresh("patient", "r-1", SETTINGS)
    assert (renewed.access_token, renewed.expires_in) == (later.access_token, 900)
    assert fake.calls == [("renew", "patient-app", "r-1")] * 2
