"""The pre token generation trigger (functions/tokens): a V2_0 event in, the same event out
with the self-service scope suppressed from the access token and the groups kept."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from functions.tokens import app
from local import template as cfn

SELF_SERVICE = "aws.cognito.signin.user.admin"


def v2_event(trigger_source: str, groups: list[str]) -> dict[str, object]:
    """The shape Cognito sends a V2_0 trigger (ids invented)."""
    return {
        "version": "2",
        "triggerSource": trigger_source,
        "region": "us-east-1",
        "userPoolId": "us-east-1_EXAMPLE",
        "userName": "p-example",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "exampleclientid"},
        "request": {
            "userAttributes": {"sub": "00000000-0000-0000-0000-000000000000"},
            "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None},
            "scopes": [SELF_SERVICE],
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


@pytest.mark.parametrize(
    "trigger_source",
    ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens", "TokenGeneration_NewPasswordChallenge"],
)
@pytest.mark.parametrize("groups", [["staff", "admin"], []])
def test_every_token_loses_the_self_service_scope_and_keeps_its_groups(trigger_source, groups):
    event = v2_event(trigger_source, groups)
    sent = copy.deepcopy(event)

    answer = app.handler(event, None)

    assert answer["response"] == {
        "claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"scopesToSuppress": [SELF_SERVICE]},
            "groupOverrideDetails": sent["request"]["groupConfiguration"],
        }
    }
    assert {key: value for key, value in answer.items() if key != "response"} == {
        key: value for key, value in sent.items() if key != "response"
    }


def test_the_trigger_imports_nothing_but_the_standard_library():
    code = (
        "import sys, json; "
        f"sys.path[:0] = [{str(cfn.ROOT)!r}]; "
        "before = set(sys.modules); import functions.tokens.app; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout  # noqa: S603
    loaded = set(json.loads(output))
    assert {"functions.tokens.app"} <= loaded
    assert not {
        name
        for name in loaded
        if name.split(".")[0] in {"boto3", "botocore", "aws_lambda_powertools", "pydantic", "patientportal"}
    }
