"""The local runtime reads the template itself; these check that reading."""

from __future__ import annotations

import json

import pytest

from local import template as cfn
from local.streams import matches

TEMPLATE = cfn.load()


def resolver() -> cfn.Resolver:
    return cfn.Resolver(
        parameters={"DomainName": "", "SenderEmail": "a@b.example"},
        refs={"PortalTable": "table-1"},
        attributes={("PortalTable", "Arn"): "arn:table-1", ("Distribution", "DomainName"): "d.example"},
        conditions=TEMPLATE["Conditions"],
        pseudo={"AWS::Region": "us-east-1", "AWS::StackName": "s"},
    )


def test_intrinsics_resolve_against_what_was_created():
    r = resolver()
    assert r.resolve({"Ref": "PortalTable"}) == "table-1"
    assert r.resolve({"Fn::Sub": "${PortalTable.Arn}/index/*"}) == "arn:table-1/index/*"
    assert r.resolve({"Fn::Sub": "${AWS::StackName}-x"}) == "s-x"
    assert r.resolve({"Fn::If": ["HasDomain", "yes", "no"]}) == "no"
    assert r.resolve([{"Ref": "AWS::NoValue"}, "kept"]) == ["kept"]
    with pytest.raises(KeyError):
        r.resolve({"Ref": "Nothing"})


def test_every_function_route_is_read_with_its_authorizer():
    routes = cfn.http_routes(TEMPLATE)
    staff = [route for route in routes if route.path.startswith("/api/staff/")]
    portal = [route for route in routes if route.path.startswith("/api/portal/")]
    public = [route for route in routes if route.path.startswith(("/api/auth/", "/api/public/"))]
    assert staff
    assert portal
    assert public
    assert {route.authorizer for route in staff} == {"StaffAuthorizer"}
    assert {route.authorizer for route in portal} == {"PatientAuthorizer"}
    assert {route.authorizer for route in public} == {None}
    assert len(routes) == len(staff) + len(portal) + len(public)


def test_path_parameters_match_one_segment():
    route = cfn.Route(function="f", method="GET", path="/api/staff/queue/{request_id}", authorizer=None)
    found = route.pattern.match("/api/staff/queue/abc")
    assert found is not None
    assert found.groupdict() == {"request_id": "abc"}
    assert route.pattern.match("/api/staff/queue/abc/helper") is None


def test_the_notify_filter_keeps_new_outbox_entries_only():
    event = TEMPLATE["Resources"]["NotifyFunction"]["Properties"]["Events"]["Outbox"]["Properties"]
    pattern = json.loads(event["FilterCriteria"]["Filters"][0]["Pattern"])
    outbox = {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "outbox"}}}}
    assert matches(pattern, outbox)
    assert not matches(pattern, {**outbox, "eventName": "MODIFY"})
    assert not matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "message"}}}})


def test_a_route_without_auth_gets_the_apis_default_authorizer():
    template = cfn.load()
    function = template["Resources"]["QueueFunction"]["Properties"]["Events"]["ListQueue"]["Properties"]
    function.pop("Auth")
    route = next(route for route in cfn.http_routes(template) if route.path == "/api/staff/queue")
    assert route.authorizer == template["Resources"]["HttpApi"]["Properties"]["Auth"]["DefaultAuthorizer"]
