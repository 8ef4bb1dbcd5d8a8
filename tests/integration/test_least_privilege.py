"""The least-privilege check itself (docs/security.md 4.4): it refuses what a function's
policy does not grant, naming function, action and resource; it authorizes each call as IAM
does; and it needs no grant for, and finds none of, the calls IAM never evaluates. The check
runs on every integration test (``conftest.py``, ``tests/least_privilege.py``)."""

from __future__ import annotations

import botocore.session

from tests import least_privilege
from tests.iam_match import Grant, action_matches, allowing, resource_matches


def test_a_call_its_function_may_not_make_is_refused_naming_function_action_and_resource(stack, call_auth):
    # Given the auth function's grants as the template has them, less GetItem on the table
    granted = {
        function: [grant for grant in own if (function, grant.action) != ("AuthFunction", "dynamodb:GetItem")]
        for function, own in least_privilege.grants(stack).items()
    }
    # When a sign-in reads the table (the username's item)
    call_auth("POST", "/api/auth/patient/login", body={"username": "nobody-here", "password": "a" * 12})
    problems = least_privilege.check(stack, run=least_privilege.Record(), granted=granted)
    # Then the read is refused, and the message names the function, the action and the table
    table = stack.resolver.attribute("PortalTable", "Arn")
    assert problems
    assert all(
        problem.startswith(f"AuthFunction may not dynamodb:GetItem on {table} [${{PortalTable.Arn}}]")
        for problem in problems
    ), problems
    # And with the template's own grants the same sign-in passes
    call_auth("POST", "/api/auth/patient/login", body={"username": "nobody-here", "password": "a" * 12})
    assert least_privilege.check(stack, run=least_privilege.Record()) == []


def test_each_call_is_authorized_as_iam_authorizes_it(stack):
    table = stack.resolver.attribute("PortalTable", "Arn")
    name = stack.ref("PortalTable")

    def needs(prefix, operation, params):
        return least_privilege.authorizations(stack, prefix, operation, params)

    # A transaction: one action per item, on that item's table
    items = [{kind: {"TableName": name}} for kind in ("Put", "Update", "Delete", "ConditionCheck")]
    assert needs("dynamodb", "TransactWriteItems", {"TransactItems": items}) == [
        ("dynamodb:PutItem", table),
        ("dynamodb:UpdateItem", table),
        ("dynamodb:DeleteItem", table),
        ("dynamodb:ConditionCheckItem", table),
    ]
    assert needs("dynamodb", "TransactGetItems", {"TransactItems": [{"Get": {"TableName": name}}]}) == [
        ("dynamodb:GetItem", table)
    ]
    # A query of an index is on the index's own ARN; of the table, on the table's
    assert needs("dynamodb", "Query", {"TableName": name, "IndexName": "Roster"}) == [
        ("dynamodb:Query", f"{table}/index/Roster")
    ]
    assert needs("dynamodb", "Query", {"TableName": name}) == [("dynamodb:Query", table)]
    assert needs("dynamodb", "BatchGetItem", {"RequestItems": {name: {}}}) == [("dynamodb:BatchGetItem", table)]
    # An Admin* call is on its pool
    pool = stack.resolver.attribute("StaffUserPool", "Arn")
    assert needs("cognito-idp", "AdminUserGlobalSignOut", {"UserPoolId": stack.ref("StaffUserPool")}) == [
        ("cognito-idp:AdminUserGlobalSignOut", pool)
    ]
    # A send is on the sender's identity and on the configuration set it names
    sender = stack.ref("SenderIdentity")
    configuration = stack.ref("EmailConfigurationSet")
    assert needs("ses", "SendEmail", {"FromEmailAddress": sender, "ConfigurationSetName": configuration}) == [
        ("ses:SendEmail", stack.arn("ses", f"identity/{sender}")),
        ("ses:SendEmail", stack.arn("ses", f"configuration-set/{configuration}")),
    ]
    # An event is on its bus
    bus = stack.resolver.attribute("PortalEventBus", "Arn")
    assert needs("events", "PutEvents", {"Entries": [{"EventBusName": stack.ref("PortalEventBus")}]}) == [
        ("events:PutEvents", bus)
    ]


def test_the_matcher_reads_wildcards_case_and_deny_as_iam_does():
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    assert action_matches("dynamodb:get*", "dynamodb:GetItem")
    assert not action_matches("dynamodb:Get*", "dynamodb:BatchGetItem")
    assert resource_matches(f"{table}/index/*", f"{table}/index/Roster")
    assert not resource_matches(f"{table}/index/*", table)
    assert not resource_matches(table, f"{table}/index/Roster")
    assert not resource_matches(table.replace("table/t", "table/T"), table)
    allow = Grant("F", 0, "Allow", "dynamodb:*", "as written", f"{table}*")
    deny = Grant("F", 1, "Deny", "dynamodb:DeleteItem", "as written", table)
    assert allowing([allow, deny], "dynamodb:GetItem", table) == [allow]
    assert allowing([allow, deny], "dynamodb:DeleteItem", table) == []


def test_calls_iam_never_evaluates_need_no_grant_and_the_template_grants_none():
    cognito = botocore.session.get_session().get_service_model("cognito-idp")
    for operation in ("InitiateAuth", "RespondToAuthChallenge", "RevokeToken", "GlobalSignOut", "ChangePassword"):
        assert least_privilege.unsigned(cognito.operation_model(operation)), operation
    for operation in ("AdminUserGlobalSignOut", "AdminSetUserPassword", "AdminDeleteSoftwareToken"):
        assert not least_privilege.unsigned(cognito.operation_model(operation)), operation
    assert least_privilege.granted_but_never_evaluated() == []
