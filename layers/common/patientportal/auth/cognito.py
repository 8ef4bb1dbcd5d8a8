"""Cognito, behind one module: every call to either user pool is made here, and Cognito's
errors stop here, turned into ``RefusedError`` (or the project's own errors) so that no caller
ever sees botocore or matches on Cognito's error codes.

Sign-in steps answer an ``Answer``: the tokens, or the challenge Cognito asks for next.

The patient pool's users have the patient id as their Cognito username (docs/decisions.md #1),
and every call about one tolerates a patient who has no Cognito user yet: one is made only
when a password is first set (by a link, by staff, or by registering).

The staff pool requires a second factor (an authenticator app, TOTP). Cognito hands out a
new challenge session at each step of enrolment (``AssociateSoftwareToken`` and
``VerifySoftwareToken`` each answer one), so every call here returns the session the next
step needs. A wrong code leaves the session it was tried with usable for another try; a
session Cognito no longer knows (too old, or used up) means signing in again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from botocore.exceptions import ClientError

from patientportal import aws
from patientportal.errors import ConflictError, NotFoundError
from patientportal.observability import logger
from patientportal.settings import get_settings

# Cognito says CodeMismatchException for a wrong code at sign-in, and
# EnableSoftwareTokenMFAException for a wrong first code while enrolling.
WRONG_CODE = frozenset({"CodeMismatchException", "EnableSoftwareTokenMFAException"})
DEVICE_NAME = "Authenticator app"


class RefusedError(Exception):
    """Cognito refused the call (a wrong password, an unknown user, a revoked token, a used-up
    session...); ``code`` is Cognito's own name for why, for logs only."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class WrongCodeError(RefusedError):
    """Cognito refused the code; the same session may try again."""


class StepExpiredError(RefusedError):
    """The challenge session is gone (expired, used, or unknown): sign in again."""


@dataclass(frozen=True)
class Answer:
    """Cognito's answer to a sign-in step: the tokens (``access_token`` set), or the challenge
    it asks for next with the session that answers it, or neither."""

    access_token: str | None = None
    expires_in: int = 900
    refresh_token: str | None = None
    challenge: str | None = None
    session: str | None = None


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _answer(raw: Mapping[str, Any]) -> Answer:
    challenge = raw.get("ChallengeName")
    session = raw.get("Session")
    step = Answer(challenge=str(challenge) if challenge else None, session=str(session) if session else None)
    result = raw.get("AuthenticationResult")
    if not isinstance(result, Mapping):
        return step
    refresh_token = result.get("RefreshToken")
    return replace(
        step,
        access_token=str(result["AccessToken"]),
        expires_in=int(result.get("ExpiresIn", 900)),
        refresh_token=str(refresh_token) if refresh_token is not None else None,
    )


# Signing in, for either pool (the app client says which).


def authenticate(client_id: str, username: str, password: str) -> Answer:
    """``InitiateAuth`` with a username and password; ``RefusedError`` when Cognito says no."""
    try:
        raw = aws.cognito().initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except ClientError as error:
        raise RefusedError(_error_code(error)) from error
    return _answer(raw)


def renew(client_id: str, refresh_token: str) -> Answer:
    """``InitiateAuth`` with a refresh token: a new access token, or ``RefusedError``."""
    try:
        raw = aws.cognito().initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    except ClientError as error:
        raise RefusedError(_error_code(error)) from error
    return _answer(raw)


def revoke(client_id: str, refresh_token: str) -> None:
    """``RevokeToken``: the refresh token (and what it issued) is refused from now on."""
    try:
        aws.cognito().revoke_token(Token=refresh_token, ClientId=client_id)
    except ClientError as error:
        raise RefusedError(_error_code(error)) from error


# The patient pool.


def _patient_pool() -> str:
    return get_settings().patient_user_pool_id


def _missing(error: ClientError) -> bool:
    return _error_code(error) == "UserNotFoundException"


def set_patient_password(patient_id: str, password: str) -> None:
    """Creates the user when needed, then sets a permanent password (no temporary one to email)."""
    client = aws.cognito()
    try:
        client.admin_set_user_password(
            UserPoolId=_patient_pool(), Username=patient_id, Password=password, Permanent=True
        )
        return
    except ClientError as error:
        if not _missing(error):
            raise
    client.admin_create_user(
        UserPoolId=_patient_pool(),
        Username=patient_id,
        UserAttributes=[{"Name": "custom:patient_id", "Value": patient_id}],
        MessageAction="SUPPRESS",
    )
    client.admin_set_user_password(UserPoolId=_patient_pool(), Username=patient_id, Password=password, Permanent=True)


def sign_out_patient_everywhere(patient_id: str) -> None:
    """Revokes every refresh token; access tokens are refused through ``sessions_valid_after``."""
    try:
        aws.cognito().admin_user_global_sign_out(UserPoolId=_patient_pool(), Username=patient_id)
    except ClientError as error:
        if not _missing(error):
            raise


def set_patient_enabled(patient_id: str, *, enabled: bool) -> None:
    client = aws.cognito()
    try:
        if enabled:
            client.admin_enable_user(UserPoolId=_patient_pool(), Username=patient_id)
        else:
            client.admin_disable_user(UserPoolId=_patient_pool(), Username=patient_id)
    except ClientError as error:
        if not _missing(error):
            raise


def patient_password_is(patient_id: str, password: str) -> bool:
    """Whether Cognito accepts this password for the patient (used before a change)."""
    try:
        authenticate(get_settings().patient_client_id, patient_id, password)
    except RefusedError:
        return False
    return True


# The staff pool: a first password, and the second factor.


def answer_new_password(client_id: str, username: str, session: str, new_password: str) -> Answer:
    """Answers NEW_PASSWORD_REQUIRED (a staff member's first sign-in); ``RefusedError`` when Cognito says no."""
    try:
        raw = aws.cognito().respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
        )
    except ClientError as error:
        raise RefusedError(_error_code(error)) from error
    return _answer(raw)


def _refusal(error: ClientError) -> RefusedError:
    code = _error_code(error)
    if code in WRONG_CODE:
        return WrongCodeError(code)
    logger.info("staff sign-in step refused", extra={"cognito_error": code})
    return StepExpiredError(code)


def associate(session: str) -> tuple[str, str]:
    """A new authenticator-app secret for the user of this MFA_SETUP session, and the next session."""
    try:
        answer = aws.cognito().associate_software_token(Session=session)
    except ClientError as error:
        raise _refusal(error) from error
    return str(answer["SecretCode"]), str(answer.get("Session") or session)


def verify(session: str, code: str) -> str:
    """Registers the app once its first code is right; the session that finishes MFA_SETUP."""
    try:
        answer = aws.cognito().verify_software_token(Session=session, UserCode=code, FriendlyDeviceName=DEVICE_NAME)
    except ClientError as error:
        raise _refusal(error) from error
    if answer.get("Status") != "SUCCESS":
        raise WrongCodeError(str(answer.get("Status")))
    return str(answer.get("Session") or session)


def respond(
    challenge: Literal["MFA_SETUP", "SOFTWARE_TOKEN_MFA"], username: str, session: str, *, code: str | None = None
) -> Answer:
    """Answers MFA_SETUP (after ``verify``) or SOFTWARE_TOKEN_MFA (with the code)."""
    responses = {"USERNAME": username}
    if code is not None:
        responses["SOFTWARE_TOKEN_MFA_CODE"] = code
    try:
        raw = aws.cognito().respond_to_auth_challenge(
            ClientId=get_settings().staff_client_id,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses=responses,
        )
    except ClientError as error:
        raise _refusal(error) from error
    return _answer(raw)


def reset_second_factor(username: str) -> None:
    """The member enrols an authenticator app again at their next sign-in, and is signed out
    everywhere now. Turning the software token off is not enough in a pool that requires
    MFA: Cognito keeps asking for the registered app's codes until the token is deleted."""
    client = aws.cognito()
    pool = get_settings().staff_user_pool_id
    try:
        client.admin_set_user_mfa_preference(
            UserPoolId=pool, Username=username, SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False}
        )
        client.admin_delete_software_token(UserPoolId=pool, Username=username)
        client.admin_user_global_sign_out(UserPoolId=pool, Username=username)
    except ClientError as error:
        if _error_code(error) == "UserNotFoundException":
            raise NotFoundError("There is no staff member with that username.", field="username") from error
        if _error_code(error) == "UserNotConfirmedException":
            raise ConflictError(
                "This staff member has not signed in for the first time yet; they set up the app then.",
                field="username",
            ) from error
        raise
