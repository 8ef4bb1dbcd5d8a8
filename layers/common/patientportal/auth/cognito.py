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
from patientportal.errors import BadRequestError, ConflictError, NotFoundError, ValidationFailedError
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
        missing = _no_such_member(error)
        if missing is not None:
            raise missing from error
        if _error_code(error) == "UserNotConfirmedException":
            raise ConflictError(
                "This staff member has not signed in for the first time yet; they set up the app then.",
                field="username",
            ) from error
        raise


# The staff pool's members, as an administrator manages them (docs/api.md "Staff: staff members").

STAFF_GROUP = "staff"
ADMIN_GROUP = "admin"
# Cognito's largest page of ListUsers and ListUsersInGroup.
STAFF_PAGE_MAX = 60


@dataclass(frozen=True)
class StaffAccount:
    """A member of the staff pool as Cognito keeps them; the role is their groups' (read apart)."""

    username: str
    email: str
    enabled: bool
    # FORCE_CHANGE_PASSWORD until the invitation's temporary password is replaced.
    status: str


def _staff_pool() -> str:
    return get_settings().staff_user_pool_id


def _staff_account(user: Mapping[str, Any], attributes_key: str = "Attributes") -> StaffAccount:
    attributes = {str(item["Name"]): str(item.get("Value", "")) for item in user.get(attributes_key) or []}
    return StaffAccount(
        username=str(user["Username"]),
        email=attributes.get("email", ""),
        enabled=bool(user.get("Enabled", True)),
        status=str(user.get("UserStatus", "")),
    )


def _no_such_member(error: ClientError) -> NotFoundError | None:
    if _error_code(error) == "UserNotFoundException":
        return NotFoundError("There is no staff member with that username.", field="username")
    return None


def staff_page(limit: int, token: str | None) -> tuple[list[StaffAccount], str | None]:
    """One ``ListUsers`` page of the staff pool (at most ``STAFF_PAGE_MAX``), and the token of
    the next; a token Cognito did not give out is a 400 on ``cursor``."""
    arguments: dict[str, Any] = {"UserPoolId": _staff_pool(), "Limit": limit, "AttributesToGet": ["email"]}
    if token:
        arguments["PaginationToken"] = token
    try:
        answer = aws.cognito().list_users(**arguments)
    except ClientError as error:
        # InvalidToken is the emulator's name for what Cognito calls an invalid parameter.
        if token and _error_code(error) in {"InvalidParameterException", "InvalidToken"}:
            raise BadRequestError("The cursor is not one this API gave out.", field="cursor") from error
        raise
    accounts = [_staff_account(user) for user in answer.get("Users", [])]
    return accounts, str(answer["PaginationToken"]) if answer.get("PaginationToken") else None


def _group_members(group: str, *, pages: int | None = None) -> list[StaffAccount]:
    """The members of one staff group: one ``ListUsersInGroup`` per 60, at most ``pages`` of them."""
    found: list[StaffAccount] = []
    arguments: dict[str, Any] = {"UserPoolId": _staff_pool(), "GroupName": group, "Limit": STAFF_PAGE_MAX}
    read = 0
    while pages is None or read < pages:
        answer = aws.cognito().list_users_in_group(**arguments)
        read += 1
        found += [_staff_account(user) for user in answer.get("Users", [])]
        if not answer.get("NextToken"):
            break
        arguments["NextToken"] = answer["NextToken"]
    return found


def administrators() -> list[StaffAccount]:
    """Every member of the admin group."""
    return _group_members(ADMIN_GROUP)


# A small practice's staff fit on one page of 60; five pages bound the work whatever the pool holds.
COLLEAGUE_PAGES = 5


def colleague_usernames() -> list[str]:
    """Every enabled member of staff (group ``staff``), by username: whom a queue item can be given to."""
    members = _group_members(STAFF_GROUP, pages=COLLEAGUE_PAGES)
    return sorted((member.username for member in members if member.enabled), key=str.lower)


def staff_account(username: str) -> StaffAccount:
    """``AdminGetUser``: the member as Cognito keeps them; a 404 on ``username`` when none."""
    try:
        user = aws.cognito().admin_get_user(UserPoolId=_staff_pool(), Username=username)
    except ClientError as error:
        raise (_no_such_member(error) or error) from error
    return _staff_account(user, "UserAttributes")


def invite_staff_member(username: str, email: str, *, administrator: bool) -> StaffAccount:
    """Creates the member and has Cognito email the invitation (the pool's
    ``InviteMessageTemplate``: the username and a temporary password for 3 days), then puts
    them in the staff group, and the admin group for an administrator. A username taken (in
    any case: the pool's usernames are not case sensitive) is a 409 on ``username``."""
    client = aws.cognito()
    pool = _staff_pool()
    try:
        created = client.admin_create_user(
            UserPoolId=pool,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
    except ClientError as error:
        if _error_code(error) == "UsernameExistsException":
            raise ConflictError("That username is taken; choose another.", field="username") from error
        if _error_code(error) == "InvalidParameterException":
            raise ValidationFailedError("Cognito refused this username or email address.", field="username") from error
        raise
    groups = (STAFF_GROUP, ADMIN_GROUP) if administrator else (STAFF_GROUP,)
    for group in groups:
        client.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=group)
    return _staff_account(created["User"])


def set_administrator(username: str, *, administrator: bool) -> None:
    """Into the admin group or out of it (the staff group stays); signed out everywhere, so
    the next sign-in's token carries the new groups."""
    client = aws.cognito()
    pool = _staff_pool()
    try:
        if administrator:
            client.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=ADMIN_GROUP)
        else:
            client.admin_remove_user_from_group(UserPoolId=pool, Username=username, GroupName=ADMIN_GROUP)
        client.admin_user_global_sign_out(UserPoolId=pool, Username=username)
    except ClientError as error:
        raise (_no_such_member(error) or error) from error


def set_staff_enabled(username: str, *, enabled: bool) -> None:
    """``AdminDisableUser`` (Cognito then refuses every sign-in and refresh), with a global
    sign-out; or ``AdminEnableUser``."""
    client = aws.cognito()
    pool = _staff_pool()
    try:
        if enabled:
            client.admin_enable_user(UserPoolId=pool, Username=username)
        else:
            client.admin_disable_user(UserPoolId=pool, Username=username)
            client.admin_user_global_sign_out(UserPoolId=pool, Username=username)
    except ClientError as error:
        raise (_no_such_member(error) or error) from error
