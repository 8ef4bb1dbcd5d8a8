"""The Patient Portal Queue through its handlers (in-process, against the emulator):
helper actions, replies with dispositions, dismiss, archive, restore, and their AWS budgets."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from local import demo_data
from patientportal.dal import keys
from patientportal.dal import requests as stored_requests
from patientportal.dal.attributes import to_attributes
from patientportal.logic.queue import archive
from tests.integration.conftest import sent_emails

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
LEO = next(login for login in demo_data.PATIENT_LOGINS if login.username == "leo.okafor")


def open_item(queue_api, request_type: str) -> dict[str, Any]:
    status, page = queue_api("GET", "/api/staff/queue", query=f"type={request_type}&limit=1")
    assert status == 200
    return page["items"][0]


def test_each_type_has_a_helper_and_a_second_press_returns_the_same_draft(demo, queue_api, aws_calls):
    expectations = {
        "refill": ("open_encounter_note", "encounter_note"),
        "appointment": ("draft_appointment", "appointment_request"),
        "records": ("create_records_release", "records_release"),
        "demographics": ("review_demographic_changes", "demographics_change_set"),
        # "message" opens the reply and stores nothing: test_the_reply_helper_records_nothing_on_the_item
    }
    for request_type, (action, kind) in expectations.items():
        item = open_item(queue_api, request_type)
        aws_calls.reset()
        status, first = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
        assert status == 200, first
        assert (first["action"], first["result"]["kind"]) == (action, kind)
        assert aws_calls.operations()["PutEvents"] == 1
        aws_calls.reset()
        status, second = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
        assert second["result"]["draft_id"] == first["result"]["draft_id"]
        # the staff member's sign-out check, then found, not made again, not published again
        assert aws_calls.operations() == {"GetItem": 1, "Query": 1}


def test_the_refill_helper_opens_a_note_with_the_requested_prescription(demo, queue_api):
    item = next(
        row
        for row in queue_api("GET", "/api/staff/queue", query="type=refill")[1]["items"]
        if row["patient_name"] == "Ava Thompson"
    )
    _, helper = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
    prescription = helper["result"]["prescriptions"][0]
    assert (prescription["medication"], prescription["dosage"]) == ("amoxicillin", "500 mg")
    assert helper["result"]["summary"] == "Draft encounter note opened: amoxicillin 500 mg"
    # and the item shows it when opened
    _, detail = queue_api("GET", f"/api/staff/queue/{item['request_id']}")
    assert detail["helper"]["result"]["draft_id"] == helper["result"]["draft_id"]


def test_the_demographics_helper_sets_each_change_beside_what_is_on_file(demo, queue_api):
    item = open_item(queue_api, "demographics")
    _, helper = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
    changes = {change["field"]: change for change in helper["result"]["changes"]}
    assert changes["address"]["requested"] == "12 Harbor Lane"
    assert changes["phone"]["on_file"] == ""


def test_a_default_reply_notifies_links_and_leaves_the_item_open(demo, queue_api, deliver_outbox, aws_calls):
    deliver_outbox()
    item = open_item(queue_api, "appointment")
    aws_calls.reset()
    status, answer = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/reply",
        body={"body": "Tuesday at 9:30 works.", "expected_version": item["version"]},
    )
    assert status == 200, answer
    # the staff member's sign-out check, one read and one transaction
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}
    assert answer["message"]["request_id"] == item["request_id"]
    assert (answer["item"]["state"], answer["item"]["version"]) == ("open", item["version"] + 1)
    _, detail = queue_api("GET", f"/api/staff/queue/{item['request_id']}")
    assert [message["body"] for message in detail["thread"]][-1] == "Tuesday at 9:30 works."
    assert [entry["action"] for entry in detail["history"]] == ["replied"]
    assert deliver_outbox()["delivered"] == 1


def test_a_reply_can_skip_the_email_and_the_link(demo, queue_api, deliver_outbox):
    deliver_outbox()
    item = open_item(queue_api, "records")
    status, answer = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/reply",
        body={
            "body": "Ready at the front desk.",
            "notify_patient": False,
            "link_to_request": False,
            "expected_version": item["version"],
        },
    )
    assert status == 200, answer
    assert answer["message"]["request_id"] is None
    assert deliver_outbox()["delivered"] == 0
    _, detail = queue_api("GET", f"/api/staff/queue/{item['request_id']}")
    assert "Ready at the front desk." not in [message["body"] for message in detail["thread"]]


@pytest.mark.parametrize("disposition", ["completed", "not_completed"])
def test_a_reply_can_dismiss_the_item_into_the_archive(demo, queue_api, disposition):
    item = open_item(queue_api, "refill")
    status, answer = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/reply",
        body={"body": "Done.", "disposition": disposition, "expected_version": item["version"]},
    )
    assert status == 200, answer
    assert answer["item"]["state"] == disposition
    open_ids = [row["request_id"] for row in queue_api("GET", "/api/staff/queue", query="limit=200")[1]["items"]]
    assert item["request_id"] not in open_ids
    _, archived = queue_api("GET", "/api/staff/archive", query=f"outcome={disposition}")
    assert item["request_id"] in [row["request_id"] for row in archived["items"]]


def test_a_stale_reply_is_a_409_with_the_current_state_and_writes_nothing(demo, queue_api, deliver_outbox):
    deliver_outbox()
    item = open_item(queue_api, "message")
    assert (
        queue_api(
            "POST",
            f"/api/staff/queue/{item['request_id']}/dismiss",
            body={"outcome": "completed", "expected_version": item["version"]},
        )[0]
        == 200
    )
    status, answer = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/reply",
        body={"body": "Late answer", "expected_version": item["version"]},
    )
    assert status == 409
    assert answer["current"]["state"] == "completed"
    assert answer["current"]["version"] == item["version"] + 1
    deliver_outbox()  # (the emulator streams a failed transaction's writes; notify sends none of them)
    assert sent_emails() == []


def test_a_stale_version_is_a_409_while_the_item_stays_open(demo, queue_api, deliver_outbox):
    # Given a reply that leaves the item open (its state unchanged, its version moved on)
    deliver_outbox()
    item = open_item(queue_api, "appointment")
    path = f"/api/staff/queue/{item['request_id']}"
    first = {"body": "Tuesday at 9:30 works.", "disposition": "leave_open", "expected_version": item["version"]}
    status, answer = queue_api("POST", f"{path}/reply", body=first)
    assert status == 200, answer
    assert (answer["item"]["state"], answer["item"]["version"]) == ("open", item["version"] + 1)
    # When a colleague who saw the first version replies (leaving it open) or dismisses it
    late = {**first, "body": "Wednesday at 10 instead."}
    status, answer = queue_api("POST", f"{path}/reply", body=late)
    # Then only the version can refuse them, since the item is still open: 409 with the item as it stands
    assert status == 409, answer
    assert (answer["current"]["state"], answer["current"]["version"]) == ("open", item["version"] + 1)
    status, answer = queue_api(
        "POST", f"{path}/dismiss", body={"outcome": "completed", "expected_version": item["version"]}
    )
    assert status == 409, answer
    assert (answer["current"]["state"], answer["current"]["version"]) == ("open", item["version"] + 1)
    # And nothing of theirs was written: one reply in the thread and history, one email
    _, detail = queue_api("GET", path)
    assert [message["body"] for message in detail["thread"]][-1] == "Tuesday at 9:30 works."
    assert "Wednesday at 10 instead." not in [message["body"] for message in detail["thread"]]
    assert [entry["action"] for entry in detail["history"]] == ["replied"]
    assert (detail["state"], detail["version"]) == ("open", item["version"] + 1)
    deliver_outbox()  # (the emulator streams a failed transaction's writes; notify sends none of them)
    assert len(sent_emails()) == 1


def test_dismiss_and_restore_are_one_transaction_each_with_the_audit_entry(demo, queue_api, aws_calls):
    item = open_item(queue_api, "appointment")
    aws_calls.reset()
    status, dismissed = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/dismiss",
        body={"outcome": "not_completed", "expected_version": item["version"]},
    )
    assert status == 200, dismissed
    # the staff session, the request (whose patient, which version), then both writes or neither
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}
    (transaction,) = aws_calls.parameters_of("TransactWriteItems")
    assert [next(iter(entry)) for entry in transaction["TransactItems"]] == ["Update", "Put"]
    assert dismissed["state"] == "not_completed"
    assert dismissed["dismissed_by"] == FRONTDESK.username
    assert dismissed["version"] == item["version"] + 1
    aws_calls.reset()
    status, restored = queue_api(
        "POST", f"/api/staff/archive/{item['request_id']}/restore", body={"expected_version": dismissed["version"]}
    )
    assert status == 200, restored
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}
    assert restored["state"] == "open"
    assert restored["dismissed_by"] == ""
    _, page = queue_api("GET", "/api/staff/queue", query="type=appointment&limit=200")
    assert item["request_id"] in [row["request_id"] for row in page["items"]]
    _, detail = queue_api("GET", f"/api/staff/queue/{item['request_id']}")
    assert [(entry["action"], entry["by"]) for entry in detail["history"]] == [
        ("dismissed", FRONTDESK.username),
        ("restored", FRONTDESK.username),
    ]


def test_dismissing_twice_or_an_unknown_item_is_refused_clearly(demo, queue_api):
    item = open_item(queue_api, "records")
    body = {"outcome": "completed", "expected_version": item["version"]}
    assert queue_api("POST", f"/api/staff/queue/{item['request_id']}/dismiss", body=body)[0] == 200
    status, answer = queue_api("POST", f"/api/staff/queue/{item['request_id']}/dismiss", body=body)
    assert status == 409
    assert answer["current"]["state"] == "completed"
    assert queue_api("POST", "/api/staff/queue/no-such-item/dismiss", body=body)[0] == 404
    status, answer = queue_api(
        "POST", f"/api/staff/queue/{item['request_id']}/dismiss", body={"outcome": "maybe", "expected_version": 1}
    )
    assert status == 422
    assert answer["error"]["field"] == "outcome"


def test_the_archive_lists_newest_first_and_searches_by_name_text_type_outcome_and_date(demo, queue_api):
    status, page = queue_api("GET", "/api/staff/archive", query="limit=200")
    assert status == 200
    created = [row["created_at"] for row in page["items"]]
    assert created == sorted(created, reverse=True)
    assert len(page["items"]) == len(demo_data.ARCHIVED_REQUESTS)
    by_name = queue_api("GET", "/api/staff/archive", query="q=SALAZAR")[1]["items"]
    assert {row["patient_name"] for row in by_name} == {"Bruno Salazar"}
    by_text = queue_api("GET", "/api/staff/archive", query="q=metformin")[1]["items"]
    assert [row["summary"] for row in by_text] == ["Refill: metformin 500 mg"]
    refused = queue_api("GET", "/api/staff/archive", query="type=appointment&outcome=not_completed")[1]["items"]
    assert [(row["type"], row["state"]) for row in refused] == [("appointment", "not_completed")]
    newest = created[0][:10]
    assert all(
        row["created_at"][:10] == newest
        for row in queue_api("GET", "/api/staff/archive", query=f"from={newest}&to={newest}")[1]["items"]
    )
    assert queue_api("GET", "/api/staff/archive", query="from=2026-02-01&to=2026-01-01")[0] == 422


def test_archive_pages_follow_the_cursor_across_months(demo, queue_api):
    seen, cursor = [], None
    while True:
        status, page = queue_api("GET", "/api/staff/archive", query="limit=5" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, page
        seen += [row["request_id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == len(demo_data.ARCHIVED_REQUESTS)
    assert queue_api("GET", "/api/staff/archive", query="cursor=forged")[0] == 400


def test_an_archive_search_over_any_dates_reads_a_bounded_number_of_queries_per_request(demo, queue_api, aws_calls):
    # When staff search from year 1 to year 9999 (one Query a month was about 120,000)
    aws_calls.reset()
    status, first = queue_api("GET", "/api/staff/archive", query="from=0001-01-01&to=9999-12-31")
    # Then the request reads at most the budget, finds what those months hold, and goes on by cursor
    assert status == 200, first
    assert aws_calls.operations()["Query"] == archive.QUERIES_PER_PAGE
    assert len(first["items"]) == len(demo_data.ARCHIVED_REQUESTS)
    assert first["next_cursor"]
    aws_calls.reset()
    status, second = queue_api(
        "GET", "/api/staff/archive", query=f"from=0001-01-01&to=9999-12-31&cursor={first['next_cursor']}"
    )
    assert status == 200, second
    assert aws_calls.operations()["Query"] == archive.QUERIES_PER_PAGE
    assert second["items"] == []
    assert second["next_cursor"] not in {None, first["next_cursor"]}
    # And the far ends of the calendar are answered, not a 500
    for query in ("to=0001-01-01", "from=0001-01-01&to=0001-01-31", "from=9999-12-31&to=9999-12-31"):
        aws_calls.reset()
        status, page = queue_api("GET", "/api/staff/archive", query=query)
        assert (status, page["items"], page["next_cursor"]) == (200, [], None), query
        assert aws_calls.operations()["Query"] <= 1


def test_a_search_cut_short_by_its_budget_goes_on_where_it_stopped(demo, queue_api, stack, aws_calls, monkeypatch):
    # Given 60 archived requests over six months, every third one about metformin
    client = boto3.client("dynamodb")
    batch = []
    for number in range(60):
        created = f"2025-{number % 6 + 1:02d}-{number % 28 + 1:02d}T10:00:00.{number:06d}Z"
        summary = "Refill: metformin 500 mg" if number % 3 == 0 else "Refill: cetirizine 10 mg"
        batch.append(
            {
                **keys.request(f"old-{number}"),
                **keys.archive_entry(created, f"old-{number}"),
                "kind": "request",
                "request_id": f"old-{number}",
                "patient_id": "p-ava",
                "patient_name": "Ava Thompson",
                "patient_date_of_birth": "1984-03-12",
                "type": "refill",
                "summary": summary,
                "search_text": f"ava thompson {summary.casefold()}",
                "state": "completed",
                "created_at": created,
                "dismissed_at": created,
                "dismissed_by": "frontdesk",
                "version": 2,
            }
        )
    for start in range(0, len(batch), 25):
        client.batch_write_item(
            RequestItems={
                stack.ref("PortalTable"): [
                    {"PutRequest": {"Item": to_attributes(item)}} for item in batch[start : start + 25]
                ]
            }
        )
    search = "q=metformin&from=2025-01-01&to=2025-12-31"
    status, everything = queue_api("GET", "/api/staff/archive", query=search + "&limit=200")
    assert (status, everything["next_cursor"]) == (200, None), everything
    expected = [row["request_id"] for row in everything["items"]]
    assert len(expected) == 20
    # When each request may read only two Queries (pages end mid-month and at a month's end)
    monkeypatch.setattr(archive, "QUERIES_PER_PAGE", 2)
    seen, cursor, requests = [], None, 0
    while True:
        aws_calls.reset()
        status, page = queue_api(
            "GET", "/api/staff/archive", query=search + "&limit=3" + (f"&cursor={cursor}" if cursor else "")
        )
        assert status == 200, page
        assert aws_calls.operations()["Query"] <= 2
        requests += 1
        seen += [row["request_id"] for row in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # Then following the cursor finds every match once, newest first, as one long read would
    assert seen == expected
    assert requests > 20 // 3


def test_a_queue_page_reads_only_its_page_with_ten_thousand_items_archived(demo, queue_api, stack, aws_calls):
    # Given 10,000 archived requests spread over twelve months
    client = boto3.client("dynamodb")
    table = stack.ref("PortalTable")
    for start in range(0, 10_000, 25):
        batch = []
        for number in range(start, start + 25):
            created = f"2025-{number % 12 + 1:02d}-15T10:00:00.{number:06d}Z"
            item = {
                **keys.request(f"old-{number}"),
                **keys.archive_entry(created, f"old-{number}"),
                "kind": "request",
                "request_id": f"old-{number}",
                "state": "completed",
                "created_at": created,
            }
            batch.append({"PutRequest": {"Item": to_attributes(item)}})
        client.batch_write_item(RequestItems={table: batch})
    # When staff read a page of the open queue
    aws_calls.reset()
    status, page = queue_api("GET", "/api/staff/queue", query="limit=3")
    # Then it is one Query that read at most limit + 1 items, and the one write of whom it showed;
    # besides, the practice's settings and the overdue count (at most 100 items, keys counted)
    assert status == 200
    assert len(page["items"]) == 3
    assert aws_calls.operations() == {"GetItem": 2, "Query": 2, "PutItem": 1}
    assert [query.get("Limit") for query in aws_calls.parameters_of("Query") if query.get("Select") == "COUNT"] == [100]
    assert aws_calls.items_read["Query"] <= 4
    assert aws_calls.items_read["Scan"] == 0


@pytest.mark.parametrize(("query", "index"), [("limit=5", "Queue"), ("type=refill&limit=5", "QueueByType")])
def test_a_queue_page_reads_only_the_rows_attributes(demo, queue_api, aws_calls, query, index):
    # When staff list the open queue (all of it, or one type)
    aws_calls.reset()
    status, page = queue_api("GET", "/api/staff/queue", query=query)
    assert status == 200, page
    assert page["items"]
    # Then its one Query asks for the row's attributes (and the cursor's keys) only, by name
    (parameters,) = [query for query in aws_calls.parameters_of("Query") if query.get("Select") != "COUNT"]
    assert parameters["IndexName"] == index
    assert "ProjectionExpression" in parameters, "the queue Query reads whole items"
    names = parameters.get("ExpressionAttributeNames", {})
    projected = {names.get(name.strip(), name.strip()) for name in parameters["ProjectionExpression"].split(",")}
    wanted = set(stored_requests.QUEUE_ROW) | set(keys.CURSOR_ATTRIBUTES[index])
    assert projected == wanted
    # And the items it read held nothing else: no details, history or search text left the table
    read = [attributes for operation, attributes in aws_calls.attributes_read if operation == "Query"]
    assert read
    assert all(attributes <= wanted for attributes in read), [sorted(a - wanted) for a in read]


def test_patients_cannot_use_queue_routes(demo, login, queue_api):
    patient = login("patient", AVA.username, AVA.password)
    status, answer = queue_api("GET", "/api/staff/archive", token=patient)
    assert (status, answer["error"]["code"]) == (403, "forbidden")
    status, answer = queue_api(
        "POST", "/api/staff/queue/x/dismiss", body={"outcome": "completed", "expected_version": 1}, token=patient
    )
    assert (status, answer["error"]["code"]) == (403, "forbidden")


def test_the_helper_event_carries_ids_and_type_only(demo, queue_api, stack):
    # Given a rule on the portal's bus that forwards helper events to a queue
    events, sqs = boto3.client("events"), boto3.client("sqs")
    bus = stack.ref("PortalEventBus")
    queue_url = sqs.create_queue(QueueName="helper-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="helpers", EventBusName=bus, EventPattern='{"source": ["patient-portal.queue"]}')
    events.put_targets(Rule="helpers", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    item = open_item(queue_api, "refill")

    # When staff press the helper button
    queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")

    # Then one event names the request, the patient, the type and the draft, and nothing else
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    detail = json.loads(messages[0]["Body"])["detail"]
    assert set(detail) == {"request_id", "patient_id", "request_type", "action", "draft_id"}
    assert (detail["request_id"], detail["request_type"]) == (item["request_id"], "refill")
    assert item["patient_name"] not in json.dumps(detail)


def test_queue_rows_show_the_helper_result_and_a_409_says_who_handled_it(demo, queue_api):
    item = open_item(queue_api, "refill")
    _, helper = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
    row = next(
        row
        for row in queue_api("GET", "/api/staff/queue", query="type=refill&limit=200")[1]["items"]
        if row["request_id"] == item["request_id"]
    )
    assert row["helper_summary"] == helper["result"]["summary"]
    assert row["version"] == item["version"]  # the helper changes no state
    body = {"outcome": "completed", "expected_version": item["version"]}
    assert queue_api("POST", f"/api/staff/queue/{item['request_id']}/dismiss", body=body)[0] == 200
    status, answer = queue_api("POST", f"/api/staff/queue/{item['request_id']}/dismiss", body=body)
    assert status == 409
    assert answer["current"]["dismissed_by"] == FRONTDESK.username
    assert answer["current"]["dismissed_at"]


FELIX = next(person for person in demo_data.PATIENTS if person[0] == "p-felix")


@pytest.fixture
def submit_as_felix(login, call_portal):
    """A request from Felix Andersson (who has portal access) through the portal; its id."""
    token = login("patient", FELIX[7], FELIX[8])

    def submit(body: dict[str, Any]) -> str:
        status, answer, _ = call_portal("POST", "/api/portal/requests", body=body, token=token)
        assert status == 201, answer
        return str(answer["request_id"])

    return submit


def demographics_item(queue_api) -> dict[str, Any]:
    """Felix Andersson's demo request: a new address and phone (docs/api.md "Staff: queue and archive")."""
    _, page = queue_api("GET", "/api/staff/queue", query="type=demographics&limit=200")
    return next(row for row in page["items"] if row["patient_name"] == "Felix Andersson")


def test_a_change_set_can_be_applied_in_part_and_completes_the_request(
    demo, queue_api, call_patients, staff, aws_calls
):
    # Given the review of a demographics request: each field on file beside the requested value
    item = demographics_item(queue_api)
    _, helper = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
    changes = {change["field"]: change for change in helper["result"]["changes"]}
    assert (changes["phone"]["on_file"], changes["phone"]["requested"]) == ("", "(555) 010-0142")
    assert changes["phone"]["can_apply"] is True
    # the portal keeps no postal address: staff see it, and update it in the practice's records
    assert changes["address"]["can_apply"] is False

    # When staff apply the phone only, with "Mark the request completed" left on
    aws_calls.reset()
    status, answer = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/changes",
        body={"fields": ["phone"], "expected_version": item["version"]},
    )

    # Then the record has the new phone, the request is in the archive, and both are audited
    assert status == 200, answer
    assert answer["patient"]["phone"] == "(555) 010-0142"
    assert answer["applied"] == ["phone"]
    assert (answer["item"]["state"], answer["item"]["version"]) == ("completed", item["version"] + 1)
    # staff check, the request, then update_patient (read, transaction, read back), then the
    # request's change with its audit entry in one transaction
    assert aws_calls.operations() == {"GetItem": 4, "TransactWriteItems": 2}
    patient_id = item["patient_id"]
    _, detail = call_patients(
        "GET",
        f"/api/staff/patients/{patient_id}",
        route="/api/staff/patients/{patient_id}",
        path_parameters={"patient_id": patient_id},
        token=staff,
    )[:2]
    assert detail["phone"] == "(555) 010-0142"
    _, trail = call_patients(
        "GET",
        f"/api/staff/patients/{patient_id}/audit",
        route="/api/staff/patients/{patient_id}/audit",
        path_parameters={"patient_id": patient_id},
        token=staff,
    )[:2]
    actions = [entry["action"] for entry in trail["items"]]
    assert {"change_demographics", "apply_change_set"} <= set(actions)


def test_a_change_set_can_leave_the_request_open_and_refuses_bad_choices(demo, queue_api):
    item = demographics_item(queue_api)
    path = f"/api/staff/queue/{item['request_id']}/changes"
    # a field the patient did not ask to change, and one the portal does not keep, name the field
    status, answer = queue_api("POST", path, body={"fields": ["email"], "expected_version": item["version"]})
    assert (status, answer["error"]["field"]) == (422, "fields.0"), answer
    status, answer = queue_api("POST", path, body={"fields": ["address"], "expected_version": item["version"]})
    assert (status, answer["error"]["field"]) == (422, "fields.0"), answer
    status, answer = queue_api("POST", path, body={"fields": [], "expected_version": item["version"]})
    assert (status, answer["error"]["field"]) == (422, "fields"), answer
    # applied without completing: the request stays open, its row says what was applied
    status, answer = queue_api(
        "POST", path, body={"fields": ["phone"], "mark_completed": False, "expected_version": item["version"]}
    )
    assert status == 200, answer
    assert (answer["item"]["state"], answer["item"]["helper_summary"]) == ("open", "Changes applied: phone")
    # a stale version is a 409 with the item as it stands
    status, answer = queue_api("POST", path, body={"fields": ["phone"], "expected_version": item["version"]})
    assert status == 409
    assert answer["current"]["version"] == item["version"] + 1


def test_an_email_change_in_a_change_set_follows_the_email_change_rule(demo, queue_api, submit_as_felix):
    request_id = submit_as_felix({"type": "demographics", "changes": {"email": "felix.new@example.com"}})
    _, item = queue_api("GET", f"/api/staff/queue/{request_id}")
    path = f"/api/staff/queue/{request_id}/changes"
    # Felix has portal access: the change needs the confirmation and a reason
    status, answer = queue_api("POST", path, body={"fields": ["email"], "expected_version": item["version"]})
    assert (status, answer["error"]["field"]) == (422, "confirm_email_change"), answer
    status, answer = queue_api(
        "POST",
        path,
        body={
            "fields": ["email"],
            "confirm_email_change": True,
            "reason": "Patient asked through the portal",
            "expected_version": item["version"],
        },
    )
    assert status == 200, answer
    assert answer["patient"]["email"] == "felix.new@example.com"


def test_the_reply_helper_records_nothing_on_the_item(demo, queue_api, aws_calls):
    # Opening a reply and cancelling it is not work done: nothing lasting is written
    item = open_item(queue_api, "message")
    aws_calls.reset()
    status, answer = queue_api("POST", f"/api/staff/queue/{item['request_id']}/helper")
    assert status == 200, answer
    assert answer["result"]["kind"] == "reply"
    assert aws_calls.operations() == {"GetItem": 1, "Query": 1}
    _, detail = queue_api("GET", f"/api/staff/queue/{item['request_id']}")
    assert (detail["helper"], detail["helper_summary"]) == (None, "")
