"""The helper button's registry and its event, with the table and EventBridge replaced by
fakes: one helper per request type, a draft made once and found after, and an event with ids
and type only, marked published only once EventBridge took it. No emulator, no AWS client."""

from __future__ import annotations

import json
import logging
from typing import Any, get_args

import pytest

from patientportal import aws, events
from patientportal.auth.principal import Principal
from patientportal.dal import helper_results as stored_helpers
from patientportal.dal import requests as stored_requests
from patientportal.logic.patients import audit
from patientportal.logic.queue import helper_actions
from patientportal.models.records import RequestRecord
from patientportal.models.requests import RequestType

STAFF = Principal(kind="staff", subject="s-1", username="front.desk", groups=frozenset({"staff"}), issued_at=1)
DETAILS: dict[str, dict[str, Any]] = {
    "refill": {"medication": "Lisinopril", "dosage": "10 mg", "quantity": "30", "pharmacy": "Main St", "note": "hi"},
    "appointment": {"reason": "Check-up", "preferred_times": ["Mon am", "Tue pm"], "provider": "Dr Lee"},
    "records": {"what": "Lab results", "period": "2025", "delivery": "email"},
    "message": {},
}


def request(kind: str = "refill", **details: Any) -> RequestRecord:
    return RequestRecord(
        request_id="r-1",
        patient_id="p-1",
        patient_name="Ava Thompson",
        patient_date_of_birth="1984-03-12",
        type=kind,  # type: ignore[arg-type]
        summary="private words the patient wrote",
        details=details or DETAILS.get(kind, {}),
        created_at="2026-01-01T00:00:00Z",
    )


@pytest.fixture(autouse=True)
def no_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(service: str) -> Any:
        raise AssertionError(f"a unit test made an AWS client ({service})")

    monkeypatch.setattr(aws, "_client", refuse)


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The request ids marked published."""
    marked: list[str] = []
    monkeypatch.setattr(stored_helpers, "mark_published", marked.append)
    return marked


def test_every_request_type_has_exactly_one_helper_with_a_distinct_action():
    assert set(helper_actions.HELPERS) == set(get_args(RequestType))
    actions = [helper.action for helper in helper_actions.HELPERS.values()]
    assert len(set(actions)) == len(actions)
    assert all(helper.label for helper in helper_actions.HELPERS.values())


def test_the_refill_helper_puts_the_prescription_on_a_draft_encounter_note():
    draft = helper_actions.HELPERS["refill"].draft(request("refill"))
    assert draft["kind"] == "encounter_note"
    assert draft["status"] == "draft"
    assert draft["prescriptions"] == [
        {"medication": "Lisinopril", "dosage": "10 mg", "quantity": "30", "pharmacy": "Main St"}
    ]
    assert draft["summary"] == "Draft encounter note opened: Lisinopril 10 mg"


def test_the_appointment_and_records_helpers_carry_what_was_asked():
    appointment = helper_actions.HELPERS["appointment"].draft(request("appointment"))
    assert (appointment["preferred_times"], appointment["provider"]) == (["Mon am", "Tue pm"], "Dr Lee")
    assert appointment["summary"] == "Appointment request drafted: Mon am, Tue pm"
    records = helper_actions.HELPERS["records"].draft(request("records"))
    assert (records["kind"], records["status"], records["delivery"]) == ("records_release", "to_do", "email")
    # Without a delivery asked for, records go to the portal
    assert helper_actions.HELPERS["records"].draft(request("records", what="X-ray"))["delivery"] == "portal"


def test_the_event_carries_ids_and_type_only():
    event = helper_actions.helper_event(
        request("refill"), {"action": "open_encounter_note", "result": {"draft_id": "d-1"}}
    )
    assert (event.source, event.detail_type) == ("patient-portal.queue", "Helper action")
    assert dict(event.detail) == {
        "request_id": "r-1",
        "patient_id": "p-1",
        "request_type": "refill",
        "action": "open_encounter_note",
        "draft_id": "d-1",
    }
    assert "Lisinopril" not in json.dumps(dict(event.detail))


def test_an_event_eventbridge_took_is_marked_published(monkeypatch, published):
    sent: list[events.Event] = []
    monkeypatch.setattr(events, "publish", lambda event: sent.append(event) or True)
    helper_actions.publish(request(), {"action": "open_encounter_note", "result": {"draft_id": "d-1"}})
    assert [event.detail["draft_id"] for event in sent] == ["d-1"]
    assert published == ["r-1"]


def test_a_refused_event_is_logged_and_left_unpublished_for_the_next_press(monkeypatch, published, caplog):
    monkeypatch.setattr(events, "publish", lambda _: False)
    with caplog.at_level(logging.INFO):
        helper_actions.publish(request(), {"action": "open_encounter_note", "result": {"draft_id": "d-1"}})
    assert published == []
    assert "helper event refused" in caplog.text


def test_an_event_that_could_not_be_sent_is_logged_and_left_unpublished(monkeypatch, published, caplog):
    def unreachable(_: events.Event) -> bool:
        raise events.PublishError("could not connect")

    monkeypatch.setattr(events, "publish", unreachable)
    with caplog.at_level(logging.INFO):
        helper_actions.publish(request(), {"action": "open_encounter_note", "result": {"draft_id": "d-1"}})
    assert published == []
    assert "helper event not published" in caplog.text


def test_the_first_press_makes_the_draft_and_a_later_press_finds_it_without_publishing_again(monkeypatch, published):
    stored: dict[str, dict[str, Any]] = {}
    sent: list[events.Event] = []
    monkeypatch.setattr(events, "publish", lambda event: sent.append(event) or True)
    monkeypatch.setattr(audit, "audit_item", lambda *arguments: {"audit": arguments[1:]})

    def add_helper_result(request_id: str, item: dict[str, Any], *, audit_entry: dict[str, Any]) -> dict[str, Any]:
        assert audit_entry == {"audit": ("helper_open_encounter_note", "p-1", "api-1")}
        stored[request_id] = {**item, "kind": "helper"}
        return stored[request_id]

    def mark(request_id: str) -> None:
        published.append(request_id)
        stored[request_id]["event_published"] = True

    monkeypatch.setattr(stored_helpers, "add_helper_result", add_helper_result)
    monkeypatch.setattr(stored_helpers, "mark_published", mark)
    monkeypatch.setattr(stored_requests, "request_with_thread", lambda _: (request(), list(stored.values())))

    first = helper_actions.run_helper(STAFF, "r-1", api_request_id="api-1")
    again = helper_actions.run_helper(STAFF, "r-1", api_request_id="api-2")
    assert first == again
    assert (first.action, first.created_by) == ("open_encounter_note", "front.desk")
    assert first.result["draft_id"]
    assert published == ["r-1"]
    assert len(sent) == 1
