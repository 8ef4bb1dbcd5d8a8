"""What the template sets up at the edges: the API answers only through the template's own
CloudFront distribution, which tells it the viewer's address; and an access token from
either pool cannot call Cognito's own self-service API (docs/decisions.md)."""

from __future__ import annotations

import json
from typing import Any

from local import template as cfn
from patientportal import http
from patientportal.auth import cookies, passwords

TEMPLATE = cfn.load()
RESOURCES = TEMPLATE["Resources"]
POOLS = ("StaffUserPool", "PatientUserPool")
CLIENTS = ("StaffUserPoolClient", "PatientUserPoolClient")


def distribution() -> dict[str, Any]:
    config: dict[str, Any] = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]
    return config


def api_behavior() -> dict[str, Any]:
    (behavior,) = [item for item in distribution()["CacheBehaviors"] if item["PathPattern"] == "/api/*"]
    return dict(behavior)


def policy(reference: Any, kind: str) -> dict[str, Any]:
    """The template's own policy a behavior names (a managed policy's id is a literal)."""
    assert isinstance(reference, dict), f"{reference} is not a policy of this template"
    assert set(reference) == {"Ref"}, f"{reference} is not a policy of this template"
    resource = RESOURCES[reference["Ref"]]
    assert resource["Type"] == f"AWS::CloudFront::{kind}"
    config: dict[str, Any] = resource["Properties"][f"{kind}Config"]
    return config


def test_the_api_behavior_forwards_the_viewer_address_and_what_the_api_reads():
    behavior = api_behavior()
    forwarded = policy(behavior["OriginRequestPolicyId"], "OriginRequestPolicy")
    keyed = policy(behavior["CachePolicyId"], "CachePolicy")

    headers = forwarded["HeadersConfig"]
    assert headers["HeaderBehavior"] == "whitelist"
    assert "CloudFront-Viewer-Address" in headers["Headers"]
    assert "Content-Type" in headers["Headers"]  # JSON bodies, and the CSV import
    assert forwarded["CookiesConfig"] == {"CookieBehavior": "whitelist", "Cookies": sorted(cookies.NAMES.values())}

    # CloudFront forwards Authorization only from the cache key; nothing may be kept there.
    parameters = keyed["ParametersInCacheKeyAndForwardedToOrigin"]
    assert parameters["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Authorization"]}
    assert parameters["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert (keyed["MinTTL"], keyed["DefaultTTL"]) == (0, 0)
    assert keyed["MaxTTL"] <= 1


def test_cloudfront_sends_the_origin_secret_the_functions_expect_and_neither_holds_a_literal():
    behavior = api_behavior()
    (origin,) = [item for item in distribution()["Origins"] if item["Id"] == behavior["TargetOriginId"]]
    (header,) = origin["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == http.ORIGIN_HEADER

    secret = RESOURCES["OriginVerifySecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    assert "SecretString" not in secret["Properties"]
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32

    value = json.dumps(header["HeaderValue"])
    assert "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString" in value
    expected = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["ORIGIN_VERIFY_SECRET"]
    assert expected == header["HeaderValue"]


def test_access_tokens_of_both_pools_lose_the_self_service_scope():
    trigger = RESOURCES["TokensFunction"]
    assert trigger["Type"] == "AWS::Lambda::Function"
    assert trigger["Properties"]["Handler"] == "app.handler"
    assert trigger["Properties"]["Code"] == "../functions/tokens"
    arn = {"Fn::GetAtt": ["TokensFunction", "Arn"]}
    permissions = [body["Properties"] for body in cfn.resources_of_type(TEMPLATE, "AWS::Lambda::Permission").values()]
    for pool in POOLS:
        properties = RESOURCES[pool]["Properties"]
        assert properties["UserPoolTier"] == "ESSENTIALS", pool  # V2_0 events need Essentials
        assert properties["LambdaConfig"] == {"PreTokenGenerationConfig": {"LambdaArn": arn, "LambdaVersion": "V2_0"}}
        assert [
            grant
            for grant in permissions
            if grant["FunctionName"] == arn
            and grant["Principal"] == "cognito-idp.amazonaws.com"
            and grant["SourceArn"] == {"Fn::GetAtt": [pool, "Arn"]}
        ], pool


def test_app_clients_read_and_write_no_attribute_of_ours_and_hide_who_exists():
    for client in CLIENTS:
        properties = RESOURCES[client]["Properties"]
        # An empty or missing list would mean "every standard attribute".
        assert properties["WriteAttributes"] == ["zoneinfo"], client
        assert properties["ReadAttributes"] == ["zoneinfo"], client
        assert properties["PreventUserExistenceErrors"] == "ENABLED"
        assert properties["EnableTokenRevocation"] is True
        assert properties["AuthSessionValidity"] == 3  # minutes, Cognito's shortest

    policy = RESOURCES["PatientUserPool"]["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == passwords.MINIMUM_LENGTH
    # Composition rules would refuse passphrases the portal's own policy accepts.
    assert not any(
        policy[rule] for rule in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
