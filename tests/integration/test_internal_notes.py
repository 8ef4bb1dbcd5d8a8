"""Internal notes on queue items (issue 15, part 2): staff add one to any item, open or
archived; it is in the item's answer with its author and time, audited in the same write,
and it never reaches the patient: not in any answer of the patient's API, not in any email."""

from __future__ import annotations

import json
import uuid

from local import demo_data
from tests.integration.conftest import sent_emails

AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
FRONTDESK = demo_data.STAFF_LOGINS[0]
PORTAL_READS = ("/api/portal/me", "/api/portal/requests", "/api/portal/messages", "/api/portal/practice")


def avas_open_item(queue_api) -> dict:
    status, page = queue_api("GET", "/api/staff/queue", query="limit=200")
    assert status == 200
    return next(item for item in page["items"] if item["patient_id"] == "p-ava")


def test_a_note_is_kept_on_the_item_with_its_author_and_time_and_audited(
    demo, queue_api, call_patients, staff, aws_calls
):
    item = avas_open_item(queue_api)
    text = f"Called the pharmacy, they will fax by noon {uuid.uuid4().hex[:6]}"
    aws_calls.reset()
    status, note = queue_api("POST", f"/api/staff/queue/{item['request_id']}/notes", body={"body": text})
    assert status == 201, note
    # One read (whose patient) and one transaction: the note and its audit entry
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}
    assert (note["author"], note["body"], note["internal"]) == (FRONTDESK.username, text, True)

    status, opened = queue_api("GET", f"/api/staff/queue/{item['request_id']}")
    assert status == 200
    assert [(n["note_id"], n["author"], n["body"], n["created_at"]) for n in opened["notes"]] == [
        (note["note_id"], FRONTDESK.username, text, note["created_at"])
    ]
    # A note changes nothing of the item itself: its version, state and thread stay
    assert (opened["version"], opened["state"]) == (item["version"], "open")
    assert text not in json.dumps(opened["thread"])

    status, trail, _ = call_patients("GET", "/api/staff/patients/p-ava/audit", query="limit=200", token=staff)
    assert status == 200
    assert any(
        entry["action"] == "add_internal_note" and entry["actor"] == FRONTDESK.username for entry in trail["items"]
    )


def test_a_note_never_reaches_the_patient(demo, queue_api, login, call_portal, deliver_outbox):
    item = avas_open_item(queue_api)
    text = f"Internal only: check the dose with Dr. Rivera {uuid.uuid4().hex[:6]}"
    deliver_outbox()
    status, _ = queue_api("POST", f"/api/staff/queue/{item['request_id']}/notes", body={"body": text})
    assert status == 201
    # No email: the stream carries the note's write, and notify sends nothing for it
    assert deliver_outbox()["delivered"] == 0
    assert not any(text in email["subject"] + email["text"] + email["html"] for email in sent_emails())
    # Not in any answer the patient's API gives
    patient = login("patient", AVA.username, AVA.password)
    for path in PORTAL_READS:
        status, answer, _ = call_portal("GET", path, token=patient)
        assert status == 200, (path, answer)
        assert text not in json.dumps(answer), path
        assert '"internal"' not in json.dumps(answer), path


def test_notes_on_archived_items_too_and_bad_input_is_a_4xx(demo, queue_api):
    item = avas_open_item(queue_api)
    status, _ = queue_api(
        "POST",
        f"/api/staff/queue/{item['request_id']}/dismiss",
        body={"outcome": "completed", "expected_version": item["version"]},
    )
    assert status == 200
    status, note = queue_api("POST", f"/api/staff/queue/{item['request_id']}/notes", body={"body": "Done by phone."})
    assert status == 201, note
    status, answer = queue_api("POST", f"/api/staff/queue/{item['request_id']}/notes", body={"body": "  "})
    assert status == 422
    assert answer["error"]["field"] == "body"
    status, answer = queue_api("POST", "/api/staff/queue/no-such-item/notes", body={"body": "Hello"})
    assert status == 404
