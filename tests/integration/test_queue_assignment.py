"""Assignment in the Patient Portal Queue (issue 15, part 1): "Assign to me", to a named
colleague or back to nobody; the All, Unassigned and Assigned to me views, each one Query
through an index; two people at once; dismissing un-assigns and restoring comes back
unassigned; and each view's budget with 10,000 archived and 2,000 open items."""

from __future__ import annotations

import boto3
import pytest

from local import demo_data
from patientportal.dal import keys
from patientportal.dal.attributes import to_attributes

FRONTDESK, MANAGER = demo_data.STAFF_LOGINS


@pytest.fixture
def manager(login) -> str:
    return login("staff", MANAGER.username, MANAGER.password)


def first_open(queue_api) -> dict:
    status, page = queue_api("GET", "/api/staff/queue", query="limit=1")
    assert status == 200, page
    return page["items"][0]


def assign(queue_api, item: dict, assignee: str | None, token: str | None = None, version: int | None = None):
    body = {"assignee": assignee, "expected_version": version or item["version"]}
    return queue_api("POST", f"/api/staff/queue/{item['request_id']}/assignment", body=body, token=token)


def view(queue_api, name: str, token: str | None = None) -> list[str]:
    status, page = queue_api("GET", "/api/staff/queue", query=f"view={name}&limit=100", token=token)
    assert status == 200, page
    return [item["request_id"] for item in page["items"]]


def test_assign_to_me_moves_the_item_between_the_views_and_the_row_says_who(demo, queue_api, aws_calls):
    item = first_open(queue_api)
    assert item["assigned_to"] == ""
    assert item["request_id"] in view(queue_api, "unassigned")

    aws_calls.reset()
    status, taken = assign(queue_api, item, FRONTDESK.username)
    assert status == 200, taken
    # One read, one transaction (the change and its audit entry); no Cognito call for oneself
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}
    assert taken["assigned_to"] == FRONTDESK.username
    assert taken["version"] == item["version"] + 1

    assert item["request_id"] in view(queue_api, "mine")
    assert item["request_id"] not in view(queue_api, "unassigned")
    row = next(row for row in view_rows(queue_api, "all") if row["request_id"] == item["request_id"])
    assert row["assigned_to"] == FRONTDESK.username


def view_rows(queue_api, name: str) -> list[dict]:
    status, page = queue_api("GET", "/api/staff/queue", query=f"view={name}&limit=100")
    assert status == 200
    return page["items"]


def test_an_item_given_to_a_colleague_is_in_their_view_not_mine(demo, queue_api, manager, aws_calls):
    item = first_open(queue_api)
    aws_calls.reset()
    status, given = assign(queue_api, item, MANAGER.username.upper())  # usernames are case-insensitive
    assert status == 200, given
    assert given["assigned_to"] == MANAGER.username  # as the pool spells it
    assert aws_calls.operations() == {"GetItem": 2, "ListUsersInGroup": 1, "TransactWriteItems": 1}
    assert item["request_id"] in view(queue_api, "mine", token=manager)
    assert item["request_id"] not in view(queue_api, "mine")

    # Given back to nobody
    status, back = assign(queue_api, given, None)
    assert status == 200, back
    assert back["assigned_to"] == ""
    assert item["request_id"] in view(queue_api, "unassigned")


def test_nobody_of_that_name_is_a_404_naming_the_field_and_changes_nothing(demo, queue_api):
    item = first_open(queue_api)
    status, answer = assign(queue_api, item, "no.such.person")
    assert status == 404
    assert answer["error"]["field"] == "assignee"
    assert first_open(queue_api)["version"] == item["version"]


def test_two_people_assigning_at_once_one_wins_and_the_other_hears_who_has_it(demo, queue_api, manager):
    item = first_open(queue_api)
    status, _ = assign(queue_api, item, MANAGER.username, token=manager)
    assert status == 200
    # The front desk acts on the version it saw, which is now past
    status, answer = assign(queue_api, item, FRONTDESK.username)
    assert status == 409
    assert f"{MANAGER.username} has it now." in answer["error"]["message"]
    assert answer["current"]["assigned_to"] == MANAGER.username


def test_dismissing_un_assigns_and_restoring_brings_it_back_unassigned(demo, queue_api):
    item = first_open(queue_api)
    status, taken = assign(queue_api, item, FRONTDESK.username)
    assert status == 200
    status, dismissed = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/dismiss",
        body={"outcome": "completed", "expected_version": taken["version"]},
    )
    assert status == 200, dismissed
    assert dismissed["assigned_to"] == ""
    assert item["request_id"] not in view(queue_api, "mine")
    assert item["request_id"] not in view(queue_api, "unassigned")
    stored = boto3.client("dynamodb").get_item(
        TableName=demo.ref("PortalTable"), Key=to_attributes(keys.request(item["request_id"]))
    )["Item"]
    assert "assignee_pk" not in stored
    assert "assigned_to" not in stored

    status, restored = queue_api(
        "POST",
        f"/api/staff/archive/{item['request_id']}/restore",
        body={"expected_version": dismissed["version"]},
    )
    assert status == 200, restored
    assert restored["assigned_to"] == ""
    assert item["request_id"] in view(queue_api, "unassigned")


def test_an_archived_item_cannot_be_taken(demo, queue_api):
    item = first_open(queue_api)
    status, dismissed = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/dismiss",
        body={"outcome": "completed", "expected_version": item["version"]},
    )
    assert status == 200
    status, answer = assign(queue_api, dismissed, FRONTDESK.username)
    assert status == 409
    assert "no longer open" in answer["error"]["message"]


def test_the_type_filter_narrows_only_the_all_view(demo, queue_api):
    status, answer = queue_api("GET", "/api/staff/queue", query="view=mine&type=refill")
    assert status == 400
    assert answer["error"]["field"] == "type"
    status, answer = queue_api("GET", "/api/staff/queue", query="view=everyone")
    assert status == 422


def test_colleagues_are_the_enabled_members_of_staff(demo, queue_api, aws_calls):
    aws_calls.reset()
    status, answer = queue_api("GET", "/api/staff/colleagues")
    assert status == 200, answer
    names = [colleague["username"] for colleague in answer]
    assert {FRONTDESK.username, MANAGER.username} <= set(names)
    assert aws_calls.operations() == {"GetItem": 1, "ListUsersInGroup": 1}


def test_each_view_is_one_query_of_at_most_limit_plus_one_items_at_scale(demo, queue_api, aws_calls):
    # Given 10,000 archived requests and 2,000 open ones, 500 of them the front desk's
    client = boto3.client("dynamodb")
    table = demo.ref("PortalTable")
    rows = []
    for number in range(10_000):
        created = f"2025-{number % 12 + 1:02d}-15T10:00:00.{number:06d}Z"
        rows.append(
            {**keys.request(f"old-{number}"), **keys.archive_entry(created, f"old-{number}"), "kind": "request"}
        )
    for number in range(2_000):
        created = f"2026-01-01T10:00:00.{number:06d}Z"
        entry = keys.open_queue_entry(created, f"open-{number}", "refill")
        if number % 4 == 0:
            entry["assignee_pk"] = keys.assigned_to(FRONTDESK.username)
        rows.append(
            {
                **keys.request(f"open-{number}"),
                **entry,
                "kind": "request",
                "request_id": f"open-{number}",
                "patient_id": "p-ava",
                "patient_name": "Ava Thompson",
                "patient_date_of_birth": "1988-04-12",
                "type": "refill",
                "summary": "A refill",
                "created_at": created,
                "state": "open",
                "version": 1,
                "assigned_to": FRONTDESK.username if number % 4 == 0 else "",
            }
        )
    for start in range(0, len(rows), 25):
        batch = [{"PutRequest": {"Item": to_attributes(row)}} for row in rows[start : start + 25]]
        client.batch_write_item(RequestItems={table: batch})

    for name in ("all", "unassigned", "mine"):
        aws_calls.reset()
        status, page = queue_api("GET", "/api/staff/queue", query=f"view={name}&limit=20")
        assert status == 200, page
        assert len(page["items"]) == 20
        assert page["next_cursor"]
        # The view's Query, the overdue count, the settings and the sign-out check, the audit write
        assert aws_calls.operations() == {"GetItem": 2, "Query": 2, "PutItem": 1}, name
        assert aws_calls.items_read["Query"] <= 21, name
        assert aws_calls.items_read["Scan"] == 0
        if name == "mine":
            assert {item["assigned_to"] for item in page["items"]} == {FRONTDESK.username}
        if name == "unassigned":
            assert {item["assigned_to"] for item in page["items"]} == {""}
