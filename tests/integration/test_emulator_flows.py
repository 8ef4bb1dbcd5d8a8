"""The emulator refuses a sign-in flow the app client does not allow, as Cognito does
(local/emulator.py, fix 5): moto alone accepts every flow whatever ``ExplicitAuthFlows`` says."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

PASSWORD = "Quiet-Harbor-Lantern-2207"  # moto holds a new pool to Cognito's default policy


def pool_with_user(cognito, flows: list[str] | None) -> tuple[str, str]:
    pool = cognito.create_user_pool(PoolName="flows")["UserPool"]["Id"]
    settings = {"ExplicitAuthFlows": flows} if flows is not None else {}
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="flows", **settings)["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool, Username="flow.tester", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="flow.tester", Password=PASSWORD, Permanent=True)
    return pool, client["ClientId"]


def password_sign_in(cognito, client_id: str) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "flow.tester", "PASSWORD": PASSWORD},
    )


def test_a_flow_the_client_does_not_list_is_refused_and_one_it_lists_works(stack):
    cognito = boto3.client("cognito-idp")
    _, refusing = pool_with_user(cognito, ["ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(ClientError) as refused:
        password_sign_in(cognito, refusing)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "USER_PASSWORD_AUTH flow not enabled for this client" in refused.value.response["Error"]["Message"]
    _, allowing = pool_with_user(cognito, ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert "AuthenticationResult" in password_sign_in(cognito, allowing)


def test_a_client_without_the_setting_allows_only_cognitos_default_flows(stack):
    cognito = boto3.client("cognito-idp")
    pool, client = pool_with_user(cognito, None)
    with pytest.raises(ClientError, match="USER_PASSWORD_AUTH flow not enabled"):
        password_sign_in(cognito, client)
    with pytest.raises(ClientError, match="ADMIN_USER_PASSWORD_AUTH flow not enabled"):
        cognito.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "flow.tester", "PASSWORD": PASSWORD},
        )


def test_the_templates_clients_refuse_the_admin_flow_the_portal_never_uses(demo):
    """Both app clients allow the password and refresh flows only (infra/template.yaml)."""
    cognito = boto3.client("cognito-idp")
    for pool_name, client_name in (
        ("PatientUserPool", "PatientUserPoolClient"),
        ("StaffUserPool", "StaffUserPoolClient"),
    ):
        with pytest.raises(ClientError, match="ADMIN_USER_PASSWORD_AUTH flow not enabled"):
            cognito.admin_initiate_auth(
                UserPoolId=demo.ref(pool_name),
                ClientId=demo.ref(client_name),
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "ava.thompson", "PASSWORD": "anything at all 1234"},
            )
