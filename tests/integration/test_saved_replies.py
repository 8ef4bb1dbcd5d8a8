"""Saved replies (issue 15, part 7's neighbour): any member of staff reads the list (one
Query, bounded), administrators add, change and delete them (each one transaction with its
audit entry, changes at the version read), and their text may hold only the two placeholders
the reply dialog fills in."""

from __future__ import annotations

from typing import Any

import pytest

from local import demo_data
from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.models.practice import SAVED_REPLIES_LIMIT

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS
ROUTE = "/api/staff/saved-replies"
ONE_ROUTE = "/api/staff/saved-replies/{reply_id}"
FLU = {"title": "Flu shots", "text": "Dear {first_name}, flu shots are in at {practice_name}. Call us to book."}


@pytest.fixture
def frontdesk(login) -> str:
    return login("staff", FRONTDESK.username, FRONTDESK.password)


@pytest.fixture
def manager(login) -> str:
    return login("staff", ADMIN.username, ADMIN.password)


@pytest.fixture
def replies(call_queue):
    """Calls to the saved-reply routes, named as the template names them."""

    def call(method: str, token: str, reply_id: str | None = None, body: Any = None, query: str = ""):
        if reply_id is None:
            status, answer, _ = call_queue(method, ROUTE, body=body, token=token)
        else:
            status, answer, _ = call_queue(
                method,
                ONE_ROUTE.format(reply_id=reply_id),
                route=ONE_ROUTE,
                path_parameters={"reply_id": reply_id},
                body=body,
                query=query,
                token=token,
            )
        return status, answer

    return call


def practice_audit() -> list[dict[str, Any]]:
    items, _ = Table().query_page(partition=("pk", keys.PRACTICE), sort_prefix=("sk", "AUDIT#"), limit=100)
    return [dict(item) for item in items]


def test_the_list_starts_empty_and_costs_one_bounded_query(people, replies, frontdesk, aws_calls):
    aws_calls.reset()
    status, listed = replies("GET", frontdesk)
    assert (status, listed) == (200, {"items": [], "limit": SAVED_REPLIES_LIMIT})
    assert aws_calls.operations() == {"GetItem": 1, "Query": 1}  # the sign-out check, the list
    (query,) = aws_calls.parameters_of("Query")
    assert query["Limit"] == SAVED_REPLIES_LIMIT + 1


def test_an_administrator_adds_changes_and_deletes_replies_each_audited(people, replies, manager, frontdesk, aws_calls):
    # Added: one transaction (the reply, the count, the audit entry)
    aws_calls.reset()
    status, added = replies("POST", manager, body=FLU)
    assert status == 201, added
    assert aws_calls.operations() == {"GetItem": 1, "TransactWriteItems": 1}
    assert (added["title"], added["text"], added["version"], added["changed_by"]) == (
        FLU["title"],
        FLU["text"],
        1,
        ADMIN.username,
    )
    status, second = replies("POST", manager, body={"title": "Forms", "text": "Please bring your forms."})
    assert status == 201, second

    # Any member of staff reads them, oldest first
    status, listed = replies("GET", frontdesk)
    assert status == 200
    assert [reply["reply_id"] for reply in listed["items"]] == [added["reply_id"], second["reply_id"]]
    assert listed["items"][0] == added

    # Changed at the version read: no read first
    aws_calls.reset()
    change = {"title": "Flu shots 2026", "text": "Hello {first_name}: flu shots are in.", "expected_version": 1}
    status, changed = replies("PUT", manager, added["reply_id"], body=change)
    assert status == 200, changed
    assert aws_calls.operations() == {"GetItem": 1, "TransactWriteItems": 1}
    assert (changed["title"], changed["version"]) == ("Flu shots 2026", 2)

    # Deleted at the version read
    aws_calls.reset()
    status, deleted = replies("DELETE", manager, added["reply_id"], query="expected_version=2")
    assert (status, deleted) == (200, {"reply_id": added["reply_id"], "deleted": True})
    assert aws_calls.operations() == {"GetItem": 1, "TransactWriteItems": 1}
    assert [reply["reply_id"] for reply in replies("GET", frontdesk)[1]["items"]] == [second["reply_id"]]
    assert Table().get(keys.saved_reply_count())["replies"] == 1

    # Each change left one entry: who, what, which reply, which API request
    entries = practice_audit()
    assert [(entry["action"], entry["reply_id"]) for entry in entries] == [
        ("add_saved_reply", added["reply_id"]),
        ("add_saved_reply", second["reply_id"]),
        ("change_saved_reply", added["reply_id"]),
        ("delete_saved_reply", added["reply_id"]),
    ]
    assert {entry["actor"] for entry in entries} == {ADMIN.username}
    assert all(entry["request_id"] for entry in entries)


def test_front_desk_reads_the_list_but_may_not_change_it(people, replies, manager, frontdesk, aws_calls):
    status, added = replies("POST", manager, body=FLU)
    assert status == 201
    audited = len(practice_audit())
    aws_calls.reset()
    for method, reply_id, body, query in (
        ("POST", None, FLU, ""),
        ("PUT", added["reply_id"], {**FLU, "expected_version": 1}, ""),
        ("DELETE", added["reply_id"], None, "expected_version=1"),
    ):
        status, refused = replies(method, frontdesk, reply_id, body=body, query=query)
        assert (status, refused["error"]["code"]) == (403, "forbidden"), (method, refused)
    assert aws_calls.operations() == {"GetItem": 3}  # three sign-out checks; nothing written
    assert len(practice_audit()) == audited
    assert replies("GET", frontdesk)[1]["items"] == [added]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({**FLU, "text": "Dear {last_name}, see you soon."}, "text", "{last_name}"),
        ({**FLU, "text": "Hi {first_name}, your {dob} and { first_name }."}, "text", "{ first_name }, {dob}"),
        ({**FLU, "text": "   "}, "text", ""),
        ({**FLU, "title": ""}, "title", ""),
        ({**FLU, "title": "x" * 81}, "title", ""),
        ({"title": "No text"}, "text", ""),
        ({**FLU, "version": 3}, "version", ""),
    ],
)
def test_a_reply_with_other_placeholders_or_missing_parts_is_a_422_naming_the_field(  # noqa: PLR0917 - fixtures
    people, replies, manager, body, field, words
):
    status, refused = replies("POST", manager, body=body)
    assert status == 422, refused
    assert refused["error"]["field"] == field
    assert words in refused["error"]["message"]
    assert replies("GET", manager)[1]["items"] == []
    assert practice_audit() == []


def test_a_change_or_delete_at_a_stale_version_is_a_409_and_a_gone_reply_a_404(people, replies, manager, aws_calls):
    status, added = replies("POST", manager, body=FLU)
    assert status == 201
    reply_id = added["reply_id"]
    assert replies("PUT", manager, reply_id, body={**FLU, "title": "Newer", "expected_version": 1})[0] == 200

    # A colleague still holding version 1: refused, told how it stands (read on the failure path only)
    aws_calls.reset()
    status, refused = replies("PUT", manager, reply_id, body={**FLU, "expected_version": 1})
    assert status == 409, refused
    assert (refused["current"]["title"], refused["current"]["version"]) == ("Newer", 2)
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}
    status, refused = replies("DELETE", manager, reply_id, query="expected_version=1")
    assert (status, refused["current"]["version"]) == (409, 2)

    # Gone: a 404, for a change and a delete alike
    assert replies("DELETE", manager, reply_id, query="expected_version=2")[0] == 200
    status, refused = replies("PUT", manager, reply_id, body={**FLU, "expected_version": 2})
    assert (status, refused["error"]["code"]) == (404, "not_found")
    assert replies("DELETE", manager, reply_id, query="expected_version=2")[0] == 404
    assert Table().get(keys.saved_reply_count())["replies"] == 0

    # The version a delete needs, and a well-formed id
    status, refused = replies("DELETE", manager, reply_id)
    assert (status, refused["error"]["field"]) == (422, "expected_version")
    status, refused = replies("PUT", manager, "not an id!", body={**FLU, "expected_version": 1})
    assert (status, refused["error"]["field"]) == (422, "reply_id")


def test_the_list_holds_at_most_its_limit(people, replies, manager):
    # As if the practice had saved all but one already
    Table().put({**keys.saved_reply_count(), "replies": SAVED_REPLIES_LIMIT - 1})
    status, last = replies("POST", manager, body=FLU)
    assert status == 201, last
    status, refused = replies("POST", manager, body=FLU)
    assert status == 409, refused
    assert str(SAVED_REPLIES_LIMIT) in refused["error"]["message"]
    assert Table().get(keys.saved_reply_count())["replies"] == SAVED_REPLIES_LIMIT
    assert [entry["action"] for entry in practice_audit()] == ["add_saved_reply"]

    # Deleting one makes room again
    assert replies("DELETE", manager, last["reply_id"], query="expected_version=1")[0] == 200
    assert replies("POST", manager, body=FLU)[0] == 201
