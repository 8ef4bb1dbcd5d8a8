"""One-time links (logic/accounts/links.py) as the table keeps them, written where mutation
testing found them untested (docs/security.md "Mutation testing", 1.8 to 1.10): moto's
in-process DynamoDB judges the single-use and newest-link conditions, and Cognito is a fake
that records what the link changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from patientportal import aws, clock, limits, normalise
from patientportal.auth import cognito, link_tokens
from patientportal.dal import keys, patients
from patientportal.dal.attributes import from_attributes
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import ConflictError, GoneError, TooManyRequestsError, ValidationFailedError
from patientportal.logic.accounts import credentials, links
from patientportal.models.records import PatientRecord
from tests.unit.in_process_table import in_process_table, store_patient

NOW = 1_800_000_000
AT = "2027-01-15T08:00:00Z"
STRONG = "Quartz Meadow Lantern 93"


@pytest.fixture
def cognito_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(cognito, "set_patient_password", lambda *arguments: calls.append(("password", *arguments)))
    monkeypatch.setattr(
        cognito, "sign_out_patient_everywhere", lambda *arguments: calls.append(("sign_out", *arguments))
    )
    return calls


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch, cognito_calls: list[tuple[str, ...]]) -> Iterator[Table]:
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW)
    monkeypatch.setattr(clock, "revocation_point", lambda: NOW + 1)
    monkeypatch.setattr(clock, "timestamp", lambda _=None: AT)
    with in_process_table(monkeypatch) as table:
        yield table


def everything(kind: str) -> list[dict[str, Any]]:
    answer = aws.dynamodb().scan(TableName=Table().name)
    return [item for item in map(from_attributes, answer["Items"]) if item.get("kind") == kind]


def send(table: Table, purpose: link_tokens.Purpose, **also: Any) -> str:
    """Issues a link for the stored patient and answers its token, as the email carries it."""
    patient = patients.get_patient("p-1")
    assert patient is not None
    issued = links.issue(patient, purpose, table=table, also=also or None)
    table.transact(issued.entries, conflict="unexpected")
    (email,) = [item for item in everything("outbox") if item["outbox_id"] not in SENT]
    SENT.add(email["outbox_id"])
    token = str(email["link_fragment"])
    assert link_tokens.digest(token) == issued.token_sha256
    return token


SENT: set[str] = set()


@pytest.fixture(autouse=True)
def forget_sent() -> None:
    SENT.clear()


def patient() -> PatientRecord:
    found = patients.get_patient("p-1")
    assert found is not None
    return found


# Issuing


@pytest.mark.parametrize(
    ("purpose", "template", "slot", "lifetime"),
    [
        ("reset", "account_link", "link_password", 3600),
        ("invitation", "invitation", "link_password", 72 * 3600),
        ("verify_email", "verify_email", "link_verify_email", 24 * 3600),
    ],
)
def test_a_link_is_stored_as_its_digest_points_from_the_patient_and_rides_in_its_email(
    table, purpose, template, slot, lifetime
):
    store_patient(table)
    token = send(table, purpose)
    digest = link_tokens.digest(token)
    (link,) = everything("link")
    assert (link["pk"], link["purpose"], link["patient_id"], link["expires_at"], link["created_at"]) == (
        f"TOKEN#{digest}",
        purpose,
        "p-1",
        NOW + lifetime,
        AT,
    )
    assert token not in str(link)
    assert getattr(patient(), slot) == digest
    (email,) = everything("outbox")
    assert (email["template"], email["to"], email["patient_id"]) == (template, "ava@example.com", "p-1")
    assert email["expires_at"] == outbox.expiry()  # the token in it goes with the entry


def test_an_invitation_records_its_state_on_the_patient_and_a_reset_does_not(table):
    store_patient(table)
    token = send(table, "invitation")
    record = patient()
    assert (record.invitation_state, record.invitation_link, record.invitation_expires_at) == (
        "sent",
        link_tokens.digest(token),
        NOW + 72 * 3600,
    )
    assert record.invitation_sent_at == AT
    stored = Table().get(keys.patient("p-1"))
    assert stored is not None
    assert keys.invitation_entry("sent", NOW + 72 * 3600, "p-1").items() <= stored.items()  # the onboarding counts
    send(table, "reset", email_undeliverable=False)
    assert patient().invitation_state == "sent"


def test_a_link_for_a_patient_written_in_the_same_transaction_points_nowhere_yet(table):
    record = PatientRecord.model_validate(
        {"patient_id": "p-9", "first_name": "N", "last_name": "P", "date_of_birth": "2000-01-01", "email": "n@x.org"}
    )
    issued = links.issue(record, "verify_email", table=table, new_patient=True)
    assert len(issued.entries) == 2  # the link and its email; the new record carries the pointer
    assert issued.expires_at == NOW + 24 * 3600


# Which links are live


def test_a_newer_link_in_the_same_slot_revokes_the_older(table):
    store_patient(table)
    older = send(table, "invitation")
    newer = send(table, "reset")
    with pytest.raises(GoneError) as refused:
        links.live_link(older)
    assert (refused.value.message, refused.value.field) == (links.GONE, "token")
    assert links.live_link(newer).purpose == "reset"
    confirmation = send(table, "verify_email")  # another slot leaves the reset alone
    assert links.live_link(newer).purpose == "reset"
    assert links.live_link(confirmation).purpose == "verify_email"


def test_a_link_expires_at_its_second(table, monkeypatch):
    store_patient(table)
    token = send(table, "reset")
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW + 3599)
    assert links.live_link(token).expires_at == NOW + 3600
    monkeypatch.setattr(clock, "epoch_seconds", lambda: NOW + 3600)
    with pytest.raises(GoneError):
        links.live_link(token)


def test_an_unknown_link_or_one_whose_patient_is_gone_is_gone(table):
    store_patient(table)
    token = send(table, "reset")
    with pytest.raises(GoneError) as refused:
        links.live_link("not-a-token")
    assert (refused.value.message, refused.value.field) == (links.GONE, "token")
    table.delete(keys.patient("p-1"))
    with pytest.raises(GoneError):
        links.live_link(token)


def test_opening_an_invitation_marks_it_opened_and_consumes_nothing(table):
    store_patient(table)
    token = send(table, "invitation")
    info = links.inspect(token)
    assert (info.purpose, info.needs_username, info.expires_at) == ("invitation", True, clock.iso(NOW + 72 * 3600))
    assert patient().invitation_state == "opened"
    assert links.live_link(token)  # still usable


def test_opening_a_reset_changes_nothing_and_says_whether_a_username_is_needed(table):
    store_patient(table, username="ava.t", invitation_state="sent")
    token = send(table, "reset")
    assert links.inspect(token).needs_username is False
    assert patient().invitation_state == "sent"


# The username check


def test_the_username_check_answers_only_while_the_account_needs_one(table):
    store_patient(table, username="ava.t")
    token = send(table, "reset")
    with pytest.raises(ValidationFailedError) as refused:
        links.check_username(token, "someone")
    assert (refused.value.message, refused.value.field) == ("This account already has a username.", "username")


def test_the_username_check_says_what_is_taken_and_stops_after_its_limit(table):
    store_patient(table)
    table.put(keys.username_entry("ben", "p-2"))
    token = send(table, "invitation")
    assert links.check_username(token, "Ben").available is False
    assert links.check_username(token, "ava").available is True
    for _ in range(limits.USERNAME_CHECKS_PER_LINK - 2):
        links.check_username(token, "ava")
    with pytest.raises(TooManyRequestsError):
        links.check_username(token, "ava")


# Completing


def test_completing_a_reset_sets_the_password_signs_out_everywhere_and_uses_the_link_once(table, cognito_calls):
    store_patient(table, username="ava.t")
    token = send(table, "reset")
    ready = links.complete(token, None, STRONG)
    assert ready.username == "ava.t"
    assert cognito_calls == [("password", "p-1", STRONG), ("sign_out", "p-1")]
    record = patient()
    assert record.sessions_valid_after == NOW + 1
    assert record.link_password == ""
    (link,) = everything("link")
    assert link["used_at"] == AT
    with pytest.raises(GoneError):
        links.complete(token, None, STRONG)
    assert len(cognito_calls) == 2


def test_completing_without_a_username_needs_a_free_valid_one_and_claims_it(table, cognito_calls):
    store_patient(table)
    table.put(keys.username_entry("ben", "p-2"))
    token = send(table, "invitation")
    with pytest.raises(ValidationFailedError) as refused:
        links.complete(token, None, STRONG)
    assert (refused.value.message, refused.value.field) == ("Choose a username.", "username")
    with pytest.raises(ValidationFailedError):
        links.complete(token, "a", STRONG)  # too short
    with pytest.raises(ConflictError) as taken:
        links.complete(token, "BEN", STRONG)
    assert (taken.value.message, taken.value.field) == ("This username is taken.", "username")
    assert links.complete(token, "Ava.T", STRONG).username == "Ava.T"
    record = patient()
    assert (record.username, record.invitation_state) == ("Ava.T", "used")
    stored = Table().get(keys.patient("p-1"))
    assert stored is not None
    assert keys.invitation_entry("used", NOW + 72 * 3600, "p-1").items() <= stored.items()
    assert table.get(keys.username("ava.t")) == {**keys.username_entry("Ava.T", "p-1")}
    assert cognito_calls == [("password", "p-1", STRONG), ("sign_out", "p-1")]


def test_a_password_against_the_policy_consumes_nothing(table, cognito_calls):
    store_patient(table, username="ava.t")
    token = send(table, "reset")
    with pytest.raises(ValidationFailedError):
        links.complete(token, None, "Thompson Quartz Meadow 93")  # contains the name
    assert links.live_link(token)
    assert cognito_calls == []


def test_completing_a_confirmation_turns_access_on(table):
    store_patient(table, portal_access_enabled=False, expires_at=NOW + 24 * 3600, registered_online=True)
    token = send(table, "verify_email")
    links.complete(token, "ava.t", STRONG)
    record = patient()
    assert record.portal_access_enabled is True
    assert not record.unconfirmed
    assert (record.email_confirmed_by, record.email_confirmed_at) == ("patient", AT)
    assert record.link_verify_email == ""
    assert patients.patients_with_email(normalise.email("ava@example.com"))  # found by email from now on
    stored = Table().get(keys.patient("p-1"))
    assert stored is not None
    assert stored["portal_status"] == "unactivated"


def test_a_link_replaced_while_it_was_being_completed_is_gone(table, monkeypatch, cognito_calls):
    store_patient(table, username="ava.t")
    token = send(table, "reset")
    check = credentials.check_password

    def meanwhile_a_newer_link(*arguments: Any, **options: Any) -> None:
        check(*arguments, **options)
        send(table, "reset")

    monkeypatch.setattr(credentials, "check_password", meanwhile_a_newer_link)
    with pytest.raises(GoneError) as refused:
        links.complete(token, None, STRONG)
    assert (refused.value.message, refused.value.field) == (links.GONE, "token")
    assert cognito_calls == []


def test_a_username_taken_while_the_link_was_being_completed_is_a_conflict(table, monkeypatch, cognito_calls):
    store_patient(table)
    token = send(table, "invitation")
    check = credentials.check_password

    def meanwhile_someone_takes_it(*arguments: Any, **options: Any) -> None:
        check(*arguments, **options)
        table.put(keys.username_entry("ava.t", "p-2"))

    monkeypatch.setattr(credentials, "check_password", meanwhile_someone_takes_it)
    with pytest.raises(ConflictError) as refused:
        links.complete(token, "ava.t", STRONG)
    assert (refused.value.message, refused.value.field) == ("This username is taken.", "username")
    assert links.live_link(token)
    assert cognito_calls == []


def test_a_link_marked_used_is_refused_even_while_the_patient_still_points_to_it(table):
    store_patient(table, username="ava.t")
    token = send(table, "reset")
    table.update(keys.one_time_link(link_tokens.digest(token)), expression="SET used_at = :at", values={":at": AT})
    with pytest.raises(GoneError) as refused:
        links.live_link(token)
    assert refused.value.field == "token"


def test_a_password_containing_the_chosen_username_is_refused(table, cognito_calls):
    store_patient(table)
    token = send(table, "invitation")
    with pytest.raises(ValidationFailedError) as refused:
        links.complete(token, "lanternfish", "lanternfish Quartz Meadow 93")
    assert refused.value.field == "password"
    assert cognito_calls == []
