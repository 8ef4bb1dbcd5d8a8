"""The sign-in rules of logic/accounts, with Cognito replaced by a fake: what each answer of
Cognito's becomes, that every refusal is the same generic 401, and that a second-factor code
refusal is told apart from a step that must start again. No emulator, and no AWS client is
ever made (``no_clients``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from patientportal import aws, clock
from patientportal.auth import cognito
from patientportal.dal import patients as stored_patients
from patientportal.errors import UnauthorizedError, ValidationFailedError
from patientportal.logic.accounts import second_factor, sessions
from patientportal.models.records import PatientRecord
from patientportal.settings import Settings

SETTINGS = Settings(
    table_name="portal", practice_name="Riverbend", staff_client_id="staff-app", patient_client_id="patient-app"
)


def token(**claims: Any) -> str:
    """A JWT-shaped token carrying ``claims`` (signatures are not checked on Cognito's answers)."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"header.{payload}.signature"


def tokens(*, iat: int = 1000, refresh: str | None = "refresh-1") -> cognito.Answer:
    return cognito.Answer(access_token=token(iat=iat, username="u"), expires_in=600, refresh_token=refresh)


@pytest.fixture(autouse=True)
def no_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(service: str) -> Any:
        raise AssertionError(f"a unit test made an AWS client ({service})")

    monkeypatch.setattr(aws, "_client", refuse)


class FakeCognito:
    """Records each call to ``cognito.authenticate`` and answers with the next of ``answers``
    (an exception is raised instead)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: cognito.Answer | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, ...]] = []
        monkeypatch.setattr(cognito, "authenticate", self.authenticate)

    def authenticate(self, client_id: str, username: str, password: str) -> cognito.Answer:
        self.calls.append((client_id, username, password))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.mark.parametrize("name", ["NEW_PASSWORD_REQUIRED", "MFA_SETUP", "SOFTWARE_TOKEN_MFA"])
def test_a_staff_password_that_is_right_leads_to_the_challenge_cognito_asks_for(monkeypatch, name):
    fake = FakeCognito(monkeypatch, cognito.Answer(challenge=name, session="session-1"))
    outcome = sessions.staff_login("front.desk", "right password", SETTINGS)
    assert outcome == sessions.StaffChallenge(name=name, session="session-1")
    assert fake.calls == [("staff-app", "front.desk", "right password")]


def test_a_staff_sign_in_without_a_challenge_is_signed_in_with_cognitos_tokens(monkeypatch):
    answer = tokens()
    FakeCognito(monkeypatch, answer)
    outcome = sessions.staff_login("front.desk", "right password", SETTINGS)
    assert outcome == sessions.SignedIn(
        access_token=str(answer.access_token), expires_in=600, refresh_token="refresh-1"
    )


@pytest.mark.parametrize(
    "answer",
    [
        cognito.Answer(challenge="CUSTOM_CHALLENGE", session="session-1"),  # a step the portal does not offer
        cognito.Answer(challenge="SMS_MFA", session="session-1"),
        cognito.Answer(challenge="MFA_SETUP"),  # a known step, but nothing to answer it with
        cognito.Answer(),  # neither tokens nor a challenge
        cognito.RefusedError("NotAuthorizedException"),
        cognito.RefusedError("UserNotFoundException"),
    ],
)
def test_every_other_staff_answer_is_the_same_generic_refusal(monkeypatch, answer):
    FakeCognito(monkeypatch, answer)
    with pytest.raises(UnauthorizedError) as refused:
        sessions.staff_login("front.desk", "a password", SETTINGS)
    assert refused.value.message == sessions.GENERIC_FAILURE


def test_an_unknown_patient_username_is_still_put_to_cognito_as_nobody(monkeypatch):
    monkeypatch.setattr(sessions, "patient_id_for_username", lambda _: None)
    fake = FakeCognito(monkeypatch, cognito.RefusedError("NotAuthorizedException"))
    with pytest.raises(UnauthorizedError) as refused:
        sessions.patient_login("Someone.Else", "a password", SETTINGS)
    assert refused.value.message == sessions.PATIENT_FAILURE  # the patients' one refusal
    assert fake.calls == [("patient-app", sessions.nobody("Someone.Else"), "a password")]
    assert sessions.nobody("someone.else") == sessions.nobody("Someone.Else") != sessions.nobody("someone")
    assert sessions.nobody("x").startswith("nobody-")


def patient(**fields: Any) -> PatientRecord:
    base = {
        "patient_id": "p-1",
        "first_name": "Ava",
        "last_name": "Thompson",
        "date_of_birth": "1984-03-12",
        "email": "ava@example.com",
        "zip": "02139",
        "portal_access_enabled": True,
    }
    return PatientRecord.model_validate({**base, **fields})


def test_a_patient_whose_access_is_off_is_refused_although_cognito_accepted_the_password(monkeypatch):
    logins: list[str] = []
    monkeypatch.setattr(sessions, "patient_id_for_username", lambda _: "p-1")
    monkeypatch.setattr(stored_patients, "get_patient", lambda _: patient(portal_access_enabled=False))
    monkeypatch.setattr(stored_patients, "record_login", lambda record, _: logins.append(record.patient_id))
    fake = FakeCognito(monkeypatch, tokens())
    with pytest.raises(UnauthorizedError) as refused:
        sessions.patient_login("ava", "right password", SETTINGS)
    assert refused.value.message == sessions.PATIENT_FAILURE  # the patients' one refusal
    assert fake.calls == [("patient-app", "p-1", "right password")]  # Cognito knows the patient id
    assert logins == []


def test_a_token_from_the_second_of_a_revocation_is_taken_again_from_the_next(monkeypatch):
    waited: list[int] = []
    monkeypatch.setattr(sessions, "patient_id_for_username", lambda _: "p-1")
    monkeypatch.setattr(stored_patients, "get_patient", lambda _: patient(sessions_valid_after=1001))
    monkeypatch.setattr(stored_patients, "record_login", lambda *_: None)
    monkeypatch.setattr(clock, "wait_until", waited.append)
    fresh = tokens(iat=1001, refresh="refresh-2")
    fake = FakeCognito(monkeypatch, tokens(iat=1000), fresh)
    signed_in = sessions.patient_login("ava", "right password", SETTINGS)
    assert signed_in.refresh_token == "refresh-2"
    assert waited == [1001]
    assert len(fake.calls) == 2


def test_a_token_issued_at_or_after_the_revocation_point_is_kept_without_waiting(monkeypatch):
    monkeypatch.setattr(clock, "wait_until", lambda _: pytest.fail("waited"))
    first = sessions.SignedIn(access_token=token(iat=1001), expires_in=600, refresh_token=None)
    assert sessions.after_revocation(first, 1001, lambda: pytest.fail("asked again")) is first


def test_a_weak_first_password_is_refused_before_cognito_is_asked(monkeypatch):
    monkeypatch.setattr(cognito, "answer_new_password", lambda *_: pytest.fail("Cognito was asked"))
    with pytest.raises(ValidationFailedError) as refused:
        sessions.complete_new_password("front.desk", "session-1", "front.desk", SETTINGS)
    assert refused.value.field == "password"


def test_a_first_password_cognito_refuses_is_the_generic_refusal(monkeypatch):
    asked: list[tuple[str, ...]] = []

    def answer_new_password(*arguments: str) -> cognito.Answer:
        asked.append(arguments)
        raise cognito.RefusedError("NotAuthorizedException")

    monkeypatch.setattr(cognito, "answer_new_password", answer_new_password)
    strong = "correct horse battery staple 42"
    with pytest.raises(UnauthorizedError) as refused:
        sessions.complete_new_password("front.desk", "session-1", strong, SETTINGS)
    assert refused.value.message == sessions.GENERIC_FAILURE
    assert asked == [("staff-app", "front.desk", "session-1", strong)]


def test_signing_out_without_a_refresh_cookie_asks_nothing_of_cognito(monkeypatch):
    monkeypatch.setattr(cognito, "revoke", lambda *_: pytest.fail("revoked"))
    sessions.logout("patient", None, SETTINGS)
    sessions.logout("staff", "", SETTINGS)


@pytest.mark.parametrize(
    ("refusal", "error", "message"),
    [
        (cognito.WrongCodeError("CodeMismatchException"), ValidationFailedError, second_factor.WRONG_CODE),
        (cognito.StepExpiredError("NotAuthorizedException"), UnauthorizedError, second_factor.STEP_EXPIRED),
    ],
)
def test_a_wrong_code_may_be_tried_again_and_a_lost_step_means_signing_in_again(monkeypatch, refusal, error, message):
    def respond(*_: Any, **__: Any) -> cognito.Answer:
        raise refusal

    monkeypatch.setattr(cognito, "respond", respond)
    with pytest.raises(error) as refused:
        second_factor.answer_code("front.desk", "session-1", "123 456")
    assert refused.value.message == message


def test_the_code_as_typed_reaches_cognito_without_its_spaces(monkeypatch):
    asked: list[tuple[Any, ...]] = []

    def respond(challenge: str, username: str, session: str, *, code: str | None = None) -> cognito.Answer:
        asked.append((challenge, username, session, code))
        return tokens()

    monkeypatch.setattr(cognito, "respond", respond)
    outcome = second_factor.answer_code("front.desk", "session-1", "123 456")
    assert isinstance(outcome, sessions.SignedIn)
    assert asked == [("SOFTWARE_TOKEN_MFA", "front.desk", "session-1", "123456")]


def test_even_a_wrong_code_at_enrolment_start_means_signing_in_again(monkeypatch):
    def associate(_: str) -> tuple[str, str]:
        raise cognito.WrongCodeError("CodeMismatchException")

    monkeypatch.setattr(cognito, "associate", associate)
    with pytest.raises(UnauthorizedError) as refused:
        second_factor.enrol("front.desk", "session-1", issuer="Riverbend")
    assert refused.value.message == second_factor.STEP_EXPIRED
