"""Signing in and out through Cognito (ARCHITECTURE §5).

Every failure answers the same generic 401, whether the username exists, the password is
wrong or access is off, so sign-in tells an attacker nothing (SECURITY.md 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from botocore.exceptions import ClientError

from patientportal import aws, clock
from patientportal.auth import passwords
from patientportal.auth.tokens import unverified_claims
from patientportal.dal import keys, patients
from patientportal.dal.table import Table
from patientportal.errors import UnauthorizedError
from patientportal.settings import Settings

Account = Literal["patient", "staff"]

GENERIC_FAILURE = "The username or password is not right, or the account cannot sign in."


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int
    refresh_token: str | None


@dataclass(frozen=True)
class NewPasswordNeeded:
    session: str


def _authenticate(client_id: str, username: str, password: str) -> dict[str, object]:
    try:
        answer = aws.cognito().initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except ClientError as error:
        raise UnauthorizedError(GENERIC_FAILURE) from error
    return dict(answer)


def _signed_in(answer: dict[str, object]) -> SignedIn:
    result = answer.get("AuthenticationResult")
    if not isinstance(result, dict):
        raise UnauthorizedError(GENERIC_FAILURE)
    return SignedIn(
        access_token=str(result["AccessToken"]),
        expires_in=int(result.get("ExpiresIn", 900)),
        refresh_token=result.get("RefreshToken"),
    )


def patient_id_for_username(username: str) -> str | None:
    found = Table().get(keys.username(username))
    return str(found["patient_id"]) if found else None


def patient_login(username: str, password: str, settings: Settings) -> SignedIn:
    """The typed username is ours; Cognito knows the patient by their patient id."""
    patient_id = patient_id_for_username(username)
    if patient_id is None:
        raise UnauthorizedError(GENERIC_FAILURE)
    signed_in = _signed_in(_authenticate(settings.patient_client_id, patient_id, password))
    patient = patients.get_patient(patient_id)
    if patient is None or not patient.portal_access_enabled:
        raise UnauthorizedError(GENERIC_FAILURE)
    if int(unverified_claims(signed_in.access_token).get("iat", 0)) < patient.sessions_valid_after:
        # Signed in within the second of a revocation (say, right after changing the
        # password): a token from this second would be refused, so take one from the next.
        clock.wait_until(patient.sessions_valid_after)
        signed_in = _signed_in(_authenticate(settings.patient_client_id, patient_id, password))
    patients.record_login(patient, clock.timestamp())
    return signed_in


def staff_login(username: str, password: str, settings: Settings) -> SignedIn | NewPasswordNeeded:
    answer = _authenticate(settings.staff_client_id, username, password)
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return NewPasswordNeeded(session=str(answer["Session"]))
    if answer.get("ChallengeName"):
        raise UnauthorizedError(GENERIC_FAILURE)
    return _signed_in(answer)


def complete_new_password(username: str, session: str, new_password: str, settings: Settings) -> SignedIn:
    """A staff member's first sign-in: Cognito's temporary password is replaced."""
    passwords.check(new_password, username=username)
    try:
        answer = aws.cognito().respond_to_auth_challenge(
            ClientId=settings.staff_client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
        )
    except ClientError as error:
        raise UnauthorizedError(GENERIC_FAILURE) from error
    return _signed_in(dict(answer))


def client_of(account: Account, settings: Settings) -> str:
    return settings.patient_client_id if account == "patient" else settings.staff_client_id


def refresh(account: Account, refresh_token: str, settings: Settings) -> SignedIn:
    try:
        answer = aws.cognito().initiate_auth(
            ClientId=client_of(account, settings),
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except ClientError as error:
        raise UnauthorizedError("Sign in again.") from error
    signed_in = _signed_in(dict(answer))
    if account == "patient":
        patient = patients.get_patient(str(unverified_claims(signed_in.access_token).get("username", "")))
        if patient is None or not patient.portal_access_enabled:
            raise UnauthorizedError("Sign in again.")
    return SignedIn(access_token=signed_in.access_token, expires_in=signed_in.expires_in, refresh_token=None)


def logout(access_token: str | None) -> None:
    """Signs the user out everywhere Cognito knows of, which revokes their refresh tokens."""
    if not access_token:
        return
    try:
        aws.cognito().global_sign_out(AccessToken=access_token)
    except ClientError:
        return  # an expired or already revoked token: nothing left to revoke
