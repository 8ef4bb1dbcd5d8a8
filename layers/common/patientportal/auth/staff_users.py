"""The staff pool's users: the second factor (an authenticator app, TOTP) during sign-in,
and an admin's reset of it.

Cognito hands out a new challenge session at each step of enrolment (``AssociateSoftwareToken``
and ``VerifySoftwareToken`` each answer one), so every call here returns the session the
next step needs. A wrong code leaves the session it was tried with usable for another try;
a session Cognito no longer knows (too old, or used up) means signing in again.
"""

from __future__ import annotations

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


class WrongCodeError(Exception):
    """Cognito refused the code; the same session may try again."""


class StepExpiredError(Exception):
    """The challenge session is gone (expired, used, or unknown): sign in again."""


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _refusal(error: ClientError) -> Exception:
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
) -> dict[str, Any]:
    """Answers MFA_SETUP (after ``verify``) or SOFTWARE_TOKEN_MFA (with the code)."""
    responses = {"USERNAME": username}
    if code is not None:
        responses["SOFTWARE_TOKEN_MFA_CODE"] = code
    try:
        answer = aws.cognito().respond_to_auth_challenge(
            ClientId=get_settings().staff_client_id,
            ChallengeName=challenge,
            Session=session,
            ChallengeResponses=responses,
        )
    except ClientError as error:
        raise _refusal(error) from error
    return dict(answer)


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
