"""The patient pool's users, whose Cognito username is the patient id (docs/decisions.md #1).

Every call tolerates a patient who has no Cognito user yet: one is made only when a
password is first set (by a link, by staff, or by registering).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from patientportal import aws
from patientportal.settings import get_settings


def _pool() -> str:
    return get_settings().patient_user_pool_id


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "UserNotFoundException"


def set_password(patient_id: str, password: str) -> None:
    """Creates the user when needed, then sets a permanent password (no temporary one to email)."""
    client = aws.cognito()
    try:
        client.admin_set_user_password(UserPoolId=_pool(), Username=patient_id, Password=password, Permanent=True)
        return
    except ClientError as error:
        if not _missing(error):
            raise
    client.admin_create_user(
        UserPoolId=_pool(),
        Username=patient_id,
        UserAttributes=[{"Name": "custom:patient_id", "Value": patient_id}],
        MessageAction="SUPPRESS",
    )
    client.admin_set_user_password(UserPoolId=_pool(), Username=patient_id, Password=password, Permanent=True)


def sign_out_everywhere(patient_id: str) -> None:
    """Revokes every refresh token; access tokens are refused through ``sessions_valid_after``."""
    try:
        aws.cognito().admin_user_global_sign_out(UserPoolId=_pool(), Username=patient_id)
    except ClientError as error:
        if not _missing(error):
            raise


def set_enabled(patient_id: str, *, enabled: bool) -> None:
    client = aws.cognito()
    try:
        if enabled:
            client.admin_enable_user(UserPoolId=_pool(), Username=patient_id)
        else:
            client.admin_disable_user(UserPoolId=_pool(), Username=patient_id)
    except ClientError as error:
        if not _missing(error):
            raise


def password_is(patient_id: str, password: str) -> bool:
    """Whether Cognito accepts this password for the patient (used before a change)."""
    try:
        aws.cognito().initiate_auth(
            ClientId=get_settings().patient_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": patient_id, "PASSWORD": password},
        )
    except ClientError:
        return False
    return True
