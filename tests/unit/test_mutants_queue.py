"""The queue's transitions (logic/queue/items.py) and the conditional writes behind them
(dal/requests.py), written where mutation testing found them untested (docs/security.md
"Mutation testing"): moto's in-process DynamoDB judges every condition, so a stale version,
a second dismissal or restoring an open item is refused by the table itself, and each change
is read back as it was stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from patientportal import aws, clock, normalise
from patientportal.auth.principal import Principal
from patientportal.dal import keys, patient_items, patients
from patientportal.dal import messages as stored_messages
from patientportal.dal import requests as stored_requests
from patientportal.dal.attributes import from_attributes
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import ConflictError, NotFoundError
from patientportal.logic.patients import audit
from patientportal.logic.queue import items
from patientportal.models.records import MessageRecord, RequestRecord
from patientportal.models.requests import Dismissal, Restoration, StaffReply
from tests.unit.in_process_table import in_process_table, store_patient

REAL_TIMESTAMP = clock.timestamp
STAFF = Principal(kind="staff", subject="s", username="front.desk", groups=frozenset({"staff"}), issued_at=1)
AT = "2027-01-15T08:00:00Z"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Table]:
    monkeypatch.setattr(clock, "timestamp", lambda _=None: AT)
    with in_process_table(monkeypatch) as table:
        store_patient(table)
        yield table


def patient_message(body: str, *, request_id: str) -> MessageRecord:
    """Ava's first message of a request, "m-1"."""
    return MessageRecord(
        message_id="m-1",
        patient_id="p-1",
        author="patient",
        author_id="p-1",
        body=body,
        created_at=AT,
        request_id=request_id,
    )


def request(request_id: str = "r-1", **fields: Any) -> RequestRecord:
    base: dict[str, Any] = {
        "request_id": request_id,
        "patient_id": "p-1",
        "patient_name": "Ava Thompson",
        "patient_date_of_birth": "1984-03-12",
        "type": "refill",
        "summary": "Lisinopril 10 mg",
        "details": {"medication": "Lisinopril"},
        "created_at": "2027-01-10T09:00:00Z",
        "version": 3,
    }
    return RequestRecord.model_validate({**base, **fields})


def stored(request_id: str = "r-1") -> dict[str, Any]:
    found = Table().get(keys.request(request_id))
    assert found is not None
    return found


def everything(kind: str) -> list[dict[str, Any]]:
    answer = aws.dynamodb().scan(TableName=Table().name)
    return [item for item in map(from_attributes, answer["Items"]) if item.get("kind") == kind]


def audit_actions() -> list[tuple[str, str, str]]:
    entries = everything("audit")
    assert all(entry["request_id"] == "api-1" for entry in entries)  # tied to API Gateway's request
    return sorted((entry["action"], entry["patient_id"], entry["actor"]) for entry in entries)


# The stored item and its queue entries


def test_an_open_request_is_on_both_queue_indexes_and_an_archived_one_in_its_month(table):
    stored_requests.add_request(request("r-open"))
    stored_requests.add_request(request("r-done", state="completed", type="records"))
    open_item = stored("r-open")
    assert (open_item["queue_pk"], open_item["queue_type_pk"]) == (keys.OPEN_QUEUE, "QUEUE#OPEN#refill")
    assert open_item["queue_sk"] == "2027-01-10T09:00:00Z#r-open"
    assert open_item["kind"] == "request"
    assert open_item["search_text"] == normalise.search_text("Ava Thompson Lisinopril 10 mg")
    assert open_item["patient_pk"] == keys.patient_items_partition("p-1")
    done = stored("r-done")
    assert done["queue_pk"] == keys.archive_partition("2027-01")
    assert "queue_type_pk" not in done


def test_a_request_is_written_once_only_with_or_without_its_first_message(table):
    stored_requests.add_request(request())
    with pytest.raises(ConflictError):
        stored_requests.add_request(request())
    first = patient_message("Hello", request_id="r-2")
    stored_requests.add_request(request("r-2", type="message"), first)
    with pytest.raises(ConflictError) as refused:
        stored_requests.add_request(request("r-2", type="message"), first)
    assert refused.value.message == "That request already exists."
    found = stored_requests.request_with_thread("r-2")
    assert found is not None
    record, related = found
    assert record.request_id == "r-2"
    assert [(item["kind"], item["body"]) for item in related] == [("message", "Hello")]


def test_a_thread_message_needs_its_request():
    loose = MessageRecord(
        message_id="m-1", patient_id="p-1", author="patient", author_id="p-1", body="x", created_at=AT
    )
    with pytest.raises(ValueError, match="belongs to a request"):
        stored_messages.thread_message_item(loose)


def test_an_unknown_request_has_no_thread_and_no_record(table):
    assert stored_requests.request_with_thread("r-none") is None
    assert stored_requests.get_request("r-none") is None


# Listing and opening


def test_the_queue_lists_open_items_by_age_and_type_and_records_whom_it_showed(table):
    stored_requests.add_request(request("r-old", created_at="2027-01-01T09:00:00Z"))
    stored_requests.add_request(request("r-new", created_at="2027-01-05T09:00:00Z", type="appointment"))
    stored_requests.add_request(request("r-done", state="completed"))
    oldest = items.list_queue(STAFF, request_type=None, order="oldest", limit=10, cursor=None, api_request_id="api-1")
    assert [item.request_id for item in oldest.items] == ["r-old", "r-new"]
    assert oldest.next_cursor is None
    newest = items.list_queue(STAFF, request_type=None, order="newest", limit=1, cursor=None, api_request_id="api-1")
    assert [item.request_id for item in newest.items] == ["r-new"]
    assert newest.next_cursor
    refills = items.list_queue(
        STAFF, request_type="refill", order="oldest", limit=10, cursor=None, api_request_id="api-1"
    )
    assert [item.request_id for item in refills.items] == ["r-old"]
    assert everything("list_view")  # the page said whom it showed


def test_opening_an_item_shows_its_thread_and_helper_and_is_audited(table):
    stored_requests.add_request(request())
    table.put({**keys.thread_message("r-1", "m-1"), "kind": "message", **_message("m-1")})
    helper = {"action": "refill_note", "label": "Draft a note", "result": {"summary": "Draft"}}
    table.put({**keys.helper_result("r-1"), "kind": "helper", **helper, "created_at": AT, "created_by": "nurse"})
    detail = items.get_queue_item(STAFF, "r-1", api_request_id="api-1")
    assert detail.request_id == "r-1"
    assert [message.body for message in detail.thread] == ["Please renew"]
    assert detail.helper is not None
    assert (detail.helper.action, detail.helper.created_by) == ("refill_note", "nurse")
    assert audit_actions() == [("view_request", "p-1", "front.desk")]


def test_opening_an_unknown_item_is_a_404_and_audits_nothing(table):
    with pytest.raises(NotFoundError) as refused:
        items.get_queue_item(STAFF, "r-none", api_request_id="api-1")
    assert refused.value.message == "There is no such request."
    assert audit_actions() == []


def _message(message_id: str) -> dict[str, Any]:
    return MessageRecord(
        message_id=message_id,
        patient_id="p-1",
        author="patient",
        author_id="p-1",
        body="Please renew",
        created_at=AT,
        request_id="r-1",
    ).model_dump()


# Dismissing and restoring


def test_dismissing_archives_the_item_at_the_version_seen_with_its_history_and_audit(table):
    stored_requests.add_request(request())
    item = items.dismiss_request(
        STAFF, "r-1", Dismissal(outcome="not_completed", expected_version=3), api_request_id="api-1"
    )
    assert (item.state, item.version, item.dismissed_at, item.dismissed_by) == ("not_completed", 4, AT, "front.desk")
    now = stored()
    assert now["queue_pk"] == keys.archive_partition("2027-01")
    assert "queue_type_pk" not in now
    assert now["history"] == [{"at": AT, "by": "front.desk", "action": "dismissed", "state": "not_completed"}]
    assert audit_actions() == [("dismiss_request", "p-1", "front.desk")]


@pytest.mark.parametrize("version", [2, 4])
def test_a_dismissal_at_another_version_is_a_409_with_the_item_as_it_stands(table, version):
    stored_requests.add_request(request())
    with pytest.raises(ConflictError) as refused:
        items.dismiss_request(
            STAFF, "r-1", Dismissal(outcome="completed", expected_version=version), api_request_id="api-1"
        )
    assert refused.value.message == "Someone else handled this item first; here it is as it now stands."
    assert refused.value.current["state"] == "open"
    assert refused.value.current["version"] == 3
    assert stored()["version"] == 3
    assert audit_actions() == []


def test_an_item_is_dismissed_once_only(table):
    stored_requests.add_request(request())
    items.dismiss_request(STAFF, "r-1", Dismissal(outcome="completed", expected_version=3), api_request_id="api-1")
    with pytest.raises(ConflictError) as refused:
        items.dismiss_request(STAFF, "r-1", Dismissal(outcome="completed", expected_version=4), api_request_id="api-1")
    assert refused.value.current["state"] == "completed"
    assert len(stored()["history"]) == 1


def test_dismissing_or_restoring_an_unknown_item_is_a_404_and_creates_nothing(table):
    with pytest.raises(NotFoundError):
        items.dismiss_request(
            STAFF, "r-none", Dismissal(outcome="completed", expected_version=1), api_request_id="api-1"
        )
    with pytest.raises(NotFoundError):
        items.restore_request(STAFF, "r-none", Restoration(expected_version=1), api_request_id="api-1")
    assert Table().get(keys.request("r-none")) is None


def test_restoring_puts_an_archived_item_back_on_both_queues_and_only_an_archived_one(table):
    stored_requests.add_request(request())
    items.dismiss_request(STAFF, "r-1", Dismissal(outcome="completed", expected_version=3), api_request_id="api-1")
    item = items.restore_request(STAFF, "r-1", Restoration(expected_version=4), api_request_id="api-1")
    assert (item.state, item.version, item.dismissed_at, item.dismissed_by) == ("open", 5, "", "")
    now = stored()
    assert (now["queue_pk"], now["queue_type_pk"]) == (keys.OPEN_QUEUE, "QUEUE#OPEN#refill")
    assert "dismissed_at" not in now
    assert "dismissed_by" not in now
    assert now["history"][-1] == {"at": AT, "by": "front.desk", "action": "restored", "state": "open"}
    with pytest.raises(ConflictError):
        items.restore_request(STAFF, "r-1", Restoration(expected_version=5), api_request_id="api-1")
    assert audit_actions() == [("dismiss_request", "p-1", "front.desk"), ("restore_request", "p-1", "front.desk")]


def test_a_change_set_applied_in_part_leaves_the_item_open_and_says_so(table):
    stored_requests.add_request(request(type="demographics"))
    change = stored_requests.change_set_applied("r-1", summary="Zip changed", complete=False, at=AT, by="front.desk")
    stored_requests.apply(change, 3, audit_entry(), table=table)
    record = RequestRecord.model_validate(stored())
    assert (record.state, record.version, record.helper_summary) == ("open", 4, "Zip changed")
    assert stored()["queue_pk"] == keys.OPEN_QUEUE
    assert change.after == {"helper_summary": "Zip changed"}
    assert record.history == [{"at": AT, "by": "front.desk", "action": "changes_applied", "state": "open"}]


def test_a_change_set_applied_completely_completes_the_item(table):
    stored_requests.add_request(request(type="demographics"))
    change = stored_requests.change_set_applied("r-1", summary="All applied", complete=True, at=AT, by="front.desk")
    stored_requests.apply(change, 3, audit_entry(), table=table)
    record = RequestRecord.model_validate(stored())
    assert (record.state, record.version, record.helper_summary, record.dismissed_by) == (
        "completed",
        4,
        "All applied",
        "front.desk",
    )
    assert "queue_type_pk" not in stored()
    assert [entry["action"] for entry in record.history] == ["changes_applied", "dismissed"]
    assert change.after == {
        "state": "completed",
        "dismissed_at": AT,
        "dismissed_by": "front.desk",
        "helper_summary": "All applied",
        "assigned_to": "",  # an archived item is nobody's
    }
    with pytest.raises(ConflictError):
        stored_requests.apply(change, 4, audit_entry(), table=table)  # no longer open
    assert len(everything("audit")) == 1  # the refused change wrote no audit entry either


def audit_entry() -> dict[str, Any]:
    return audit.audit_item(STAFF, "apply_change_set", "p-1", "api-1")


# Replying


def reply(**fields: Any) -> StaffReply:
    return StaffReply.model_validate({"body": "Renewed, pick it up Friday.", "expected_version": 3, **fields})


def test_a_reply_that_leaves_the_item_open_moves_its_version_on_and_notifies(table):
    stored_requests.add_request(request())
    result = items.reply_to_request(STAFF, "r-1", reply(), api_request_id="api-1")
    assert (result.item.state, result.item.version) == ("open", 4)
    assert result.message.body == "Renewed, pick it up Friday."
    now = stored()
    assert (now["version"], now["state"], now["queue_pk"]) == (4, "open", keys.OPEN_QUEUE)
    assert now["history"] == [{"at": AT, "by": "front.desk", "action": "replied", "state": "open"}]
    (message,) = everything("message")
    assert (message["request_id"], message["author"], message["author_id"]) == ("r-1", "practice", "front.desk")
    (email,) = everything("outbox")
    assert (email["template"], email["patient_id"]) == ("secure_message_waiting", "p-1")
    assert audit_actions() == [("reply_leave_open", "p-1", "front.desk")]
    assert patients.get_patient("p-1").unread_messages == 1  # type: ignore[union-attr]


def test_a_reply_can_skip_the_email_and_the_link_and_dismiss_the_item(table):
    stored_requests.add_request(request())
    result = items.reply_to_request(
        STAFF,
        "r-1",
        reply(notify_patient=False, link_to_request=False, disposition="completed"),
        api_request_id="api-1",
    )
    assert (result.item.state, result.item.version) == ("completed", 4)
    assert everything("outbox") == []
    (message,) = everything("message")
    assert message.get("request_id") is None
    assert stored()["state"] == "completed"
    assert audit_actions() == [("reply_completed", "p-1", "front.desk")]


def test_a_stale_reply_is_a_409_and_writes_nothing(table):
    stored_requests.add_request(request())
    with pytest.raises(ConflictError) as refused:
        items.reply_to_request(STAFF, "r-1", reply(expected_version=2), api_request_id="api-1")
    assert refused.value.current["version"] == 3
    assert everything("message") == []
    assert everything("outbox") == []
    assert audit_actions() == []


def test_a_reply_to_an_unknown_item_is_a_404(table):
    with pytest.raises(NotFoundError):
        items.reply_to_request(STAFF, "r-none", reply(), api_request_id="api-1")


# What mutation testing found next


def test_a_second_queue_page_follows_the_cursor_and_rows_hold_only_what_a_row_shows(table):
    for day in (1, 2, 3):
        stored_requests.add_request(request(f"r-{day}", created_at=f"2027-01-0{day}T09:00:00Z"))
    first = items.list_queue(STAFF, request_type=None, order="oldest", limit=2, cursor=None, api_request_id="api-1")
    second = items.list_queue(
        STAFF, request_type=None, order="oldest", limit=2, cursor=first.next_cursor, api_request_id="api-1"
    )
    assert [item.request_id for item in first.items + second.items] == ["r-1", "r-2", "r-3"]
    rows, _ = stored_requests.open_queue_page(request_type=None, order="oldest", limit=5, cursor=None)
    assert {name for row in rows for name in row} <= {*stored_requests.QUEUE_ROW, "pk", "sk", "queue_pk", "queue_sk"}
    assert "details" not in rows[0]


def test_a_queue_page_records_the_queue_view_with_the_api_request(table):
    stored_requests.add_request(request())
    items.list_queue(STAFF, request_type=None, order="oldest", limit=10, cursor=None, api_request_id="api-1")
    (seen,) = everything("list_view")
    assert (seen["view"], seen["request_id"], seen["actor"], seen["patient_ids"]) == (
        "queue",
        "api-1",
        "front.desk",
        ["p-1"],
    )


def test_an_item_without_a_helper_result_opens_without_one(table):
    stored_requests.add_request(request())
    assert items.get_queue_item(STAFF, "r-1", api_request_id="api-1").helper is None


@pytest.mark.parametrize(
    "act",
    [
        lambda: items.dismiss_request(
            STAFF, "r-none", Dismissal(outcome="completed", expected_version=1), api_request_id="x"
        ),
        lambda: items.restore_request(STAFF, "r-none", Restoration(expected_version=1), api_request_id="x"),
        lambda: items.reply_to_request(STAFF, "r-none", reply(), api_request_id="x"),
    ],
    ids=["dismiss", "restore", "reply"],
)
def test_an_unknown_item_is_said_to_be_none(table, act):
    with pytest.raises(NotFoundError) as refused:
        act()
    assert refused.value.message == "There is no such request."


def test_a_stale_reply_says_someone_else_handled_it(table):
    stored_requests.add_request(request())
    with pytest.raises(ConflictError) as refused:
        items.reply_to_request(STAFF, "r-1", reply(expected_version=2), api_request_id="api-1")
    assert refused.value.message == "Someone else handled this item first; here it is as it now stands."


def test_a_replys_message_and_the_items_history_share_one_moment_and_its_email_expires(table, monkeypatch):
    monkeypatch.setattr(clock, "timestamp", REAL_TIMESTAMP)
    monkeypatch.setattr(clock, "epoch_seconds", lambda: 1_800_000_000)
    stored_requests.add_request(request())
    result = items.reply_to_request(STAFF, "r-1", reply(), api_request_id="api-1")
    assert stored()["history"][-1]["at"] == result.message.created_at
    (email,) = everything("outbox")
    assert email["expires_at"] == outbox.expiry()


def test_each_message_of_a_thread_is_kept_and_reaches_the_patients_inbox(table):
    first = patient_message("One", request_id="r-1")
    stored_requests.add_request(request(type="message"), first)
    second = first.model_copy(update={"message_id": "m-2", "body": "Two"})
    table.put(stored_messages.thread_message_item(second))
    found = stored_requests.request_with_thread("r-1")
    assert found is not None
    assert sorted(item["body"] for item in found[1]) == ["One", "Two"]
    inbox, _ = table.query_page(index="PatientItems", partition=("patient_pk", keys.patient_items_partition("p-1")))
    assert {item.get("body") for item in inbox} >= {"One", "Two"}


def test_a_request_id_is_written_once_even_with_another_first_message(table):
    first = patient_message("One", request_id="r-1")
    stored_requests.add_request(request(type="message"), first)
    again = first.model_copy(update={"message_id": "m-2"})
    with pytest.raises(ConflictError):
        stored_requests.add_request(request(type="message", summary="Another"), again)
    assert stored()["summary"] == "Lisinopril 10 mg"


def test_a_thread_message_is_written_once_even_for_a_new_request(table):
    first = patient_message("One", request_id="r-1")
    table.put(stored_messages.thread_message_item(first))
    with pytest.raises(ConflictError):
        stored_requests.add_request(request(type="message"), first.model_copy(update={"body": "Changed"}))
    assert Table().get(keys.request("r-1")) is None


def test_a_long_thread_is_read_whole(table):
    stored_requests.add_request(request(type="message"))
    for number in range(60):
        message = MessageRecord(
            message_id=f"m-{number:03}",
            patient_id="p-1",
            author="patient",
            author_id="p-1",
            body=str(number),
            created_at=AT,
            request_id="r-1",
        )
        table.put(stored_messages.thread_message_item(message))
    found = stored_requests.request_with_thread("r-1")
    assert found is not None
    assert len(found[1]) == 60


def test_the_patients_requests_are_listed_newest_first_page_by_page_and_no_one_elses(table):
    for day in (1, 2, 3):
        stored_requests.add_request(request(f"r-{day}", created_at=f"2027-01-0{day}T09:00:00Z"))
    stored_requests.add_request(request("r-other", patient_id="p-2", created_at="2027-01-04T09:00:00Z"))
    first, cursor = stored_requests.patient_requests_page("p-1", limit=2, cursor=None)
    assert [record.request_id for record in first] == ["r-3", "r-2"]
    assert all(isinstance(record, RequestRecord) for record in first)
    rest, end = stored_requests.patient_requests_page("p-1", limit=2, cursor=cursor, table=table)
    assert [record.request_id for record in rest] == ["r-1"]
    assert end is None
    assert stored()["patient_sk"] == "REQUEST#2027-01-01T09:00:00Z#r-1"


def test_an_archived_request_is_placed_by_its_date_and_id(table):
    stored_requests.add_request(request(state="completed"))
    assert stored()["queue_sk"] == "2027-01-10T09:00:00Z#r-1"


def test_messages_of_several_threads_reach_the_patients_inbox_newest_first(table):
    # Each thread lives in its own request's partition; the inbox sorts by the message's own id.
    for message_id, request_id in (("m-1", "r-2"), ("m-2", "r-1"), ("m-3", "r-3")):
        message = MessageRecord(
            message_id=message_id,
            patient_id="p-1",
            author="patient",
            author_id="p-1",
            body=message_id,
            created_at=AT,
            request_id=request_id,
        )
        table.put(stored_messages.thread_message_item(message))
    inbox, _ = patient_items.page("p-1", "MSG#", MessageRecord, limit=10)
    assert [message.message_id for message in inbox] == ["m-3", "m-2", "m-1"]
    inbox, _ = patient_items.page("p-1", "MSG#", MessageRecord, limit=10, newest_first=False)
    assert [message.message_id for message in inbox] == ["m-1", "m-2", "m-3"]
