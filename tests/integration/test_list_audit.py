"""Staff lists leave a trace of whom they showed (HIPAA 164.312(b), docs/decisions.md 44):
each page of the queue, the archive, the patient search and the onboarding list is one
write, the jobs worker turns it into one entry per patient, staff member, list and hour, and
the patient's audit trail answers "who saw this patient, in which list, when"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from local import demo_data
from patientportal import clock
from tests.integration.jobs_support import JobsStream

FRONTDESK = demo_data.STAFF_LOGINS[0]
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
# The hour the tests read the lists in (the demo data is dated from now, so this hour too).
HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

# Each list, how to ask for a page of it, and the function that serves it.
LISTS = {
    "queue": ("queue", "/api/staff/queue", "limit=3"),
    "archive": ("queue", "/api/staff/archive", "limit=3"),
    "patient_search": ("patients", "/api/staff/patients", "q=thompson"),
    "onboarding": ("patients", "/api/staff/onboarding", "limit=3"),
}


@pytest.fixture
def staff(demo, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


@pytest.fixture
def at(monkeypatch):
    """Sets the portal's clock (the lists' hour windows come from it)."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment)

    set_to(HOUR + timedelta(minutes=5))
    return set_to


@pytest.fixture
def page(call_queue, call_patients, staff):
    def read(view: str, query: str = "") -> dict:
        area, path, default = LISTS[view]
        call = call_queue if area == "queue" else call_patients
        status, body, _ = call("GET", path, query=query or default, token=staff)
        assert status == 200, body
        return body

    return read


def writes(aws_calls) -> dict[str, int]:
    return {operation: count for operation, count in aws_calls.operations().items() if operation in WRITES}


def seen_entries(call_patients, staff: str, patient_id: str) -> list[dict]:
    status, trail, _ = call_patients("GET", f"/api/staff/patients/{patient_id}/audit", query="limit=200", token=staff)
    assert status == 200, trail
    return [entry for entry in trail["items"] if entry["action"] == "view_list"]


@pytest.mark.parametrize("view", list(LISTS))
def test_each_list_page_is_one_write_and_the_patients_audit_trail_says_who_saw_them_and_when(  # noqa: PLR0917 - fixtures
    view, page, at, stack, call_patients, staff, aws_calls
):
    jobs = JobsStream(stack)
    jobs.run()
    # When frontdesk reads a page of the list
    aws_calls.reset()
    shown = [row["patient_id"] for row in page(view)["items"]]
    # Then serving it wrote exactly once, however many patients it showed
    assert shown
    assert writes(aws_calls) == {"PutItem": 1}
    # And once the jobs worker has had it, each patient shown has the entry in their audit trail
    jobs.run()
    for patient_id in set(shown):
        entries = seen_entries(call_patients, staff, patient_id)
        assert [(entry["actor"], entry["view"], entry["at"]) for entry in entries] == [
            (FRONTDESK.username, view, clock.timestamp(HOUR))
        ], patient_id


def test_refreshes_within_the_hour_add_no_entry_and_the_next_hour_adds_one(  # noqa: PLR0917 - fixtures
    page, at, stack, call_patients, staff, aws_calls
):
    jobs = JobsStream(stack)
    jobs.run()
    table = stack.ref("PortalTable")
    # When the queue refreshes every 30 seconds for ten minutes, one write each time
    for refresh in range(20):
        at(HOUR + timedelta(minutes=5, seconds=30 * refresh))
        aws_calls.reset()
        shown = [row["patient_id"] for row in page("queue")["items"]]
        assert writes(aws_calls) == {"PutItem": 1}
    # Then the hour holds one record of that page, and each patient one entry
    pages = boto3.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="pk = :hour",
        ExpressionAttributeValues={":hour": {"S": "SEEN#" + HOUR.strftime("%Y-%m-%dT%H")}},
    )["Items"]
    assert len(pages) == 1
    jobs.run()
    patient = shown[0]
    assert len(seen_entries(call_patients, staff, patient)) == 1
    # And a longer page in the same hour adds entries only for the patients it newly shows
    aws_calls.reset()
    longer = [row["patient_id"] for row in page("queue", "limit=6")["items"]]
    assert writes(aws_calls) == {"PutItem": 1}
    aws_calls.reset()
    jobs.run()
    new_patients = set(longer) - set(shown)
    assert writes(aws_calls) == ({"BatchWriteItem": 1} if new_patients else {})
    for patient_id in set(longer):
        assert len(seen_entries(call_patients, staff, patient_id)) == 1, patient_id
    # And the first refresh of the next hour is a new entry
    at(HOUR + timedelta(hours=1, seconds=10))
    page("queue")
    jobs.run()
    assert [entry["at"] for entry in seen_entries(call_patients, staff, patient)] == [
        clock.timestamp(HOUR + timedelta(hours=1)),
        clock.timestamp(HOUR),
    ]
    # And a page that shows nobody writes nothing
    aws_calls.reset()
    assert page("patient_search", "q=zzzz")["items"] == []
    assert writes(aws_calls) == {}
