"""Overdue items in the Patient Portal Queue (issue 15, part 4): each row says whether it has
waited longer than the practice allows, counted in its business time, and the first page
counts them, at most 100 read, whatever the queue holds."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from local import demo_data
from patientportal import clock
from patientportal.dal import keys
from patientportal.dal.attributes import to_attributes
from patientportal.models.practice import WEEKDAYS

MANAGER = demo_data.STAFF_LOGINS[1]
ALWAYS_OPEN = {day: {"open": "00:00", "close": "23:59"} for day in WEEKDAYS}


@pytest.fixture
def manager(login) -> str:
    return login("staff", MANAGER.username, MANAGER.password)


def open_rows(count: int, *, hours_ago: float, prefix: str) -> list[dict]:
    """Open refill requests as the queue stores them, received ``hours_ago``."""
    created = clock.timestamp(clock.now() - timedelta(hours=hours_ago))
    rows = []
    for number in range(count):
        request_id = f"{prefix}-{number:05d}"
        rows.append(
            {
                **keys.request(request_id),
                **keys.open_queue_entry(created, request_id, "refill"),
                "kind": "request",
                "request_id": request_id,
                "patient_id": "p-ava",
                "patient_name": "Ava Thompson",
                "patient_date_of_birth": "1984-03-12",
                "type": "refill",
                "summary": "A refill",
                "created_at": created,
                "state": "open",
                "version": 1,
            }
        )
    return rows


def store(table: str, rows: list[dict]) -> None:
    client = boto3.client("dynamodb")
    for start in range(0, len(rows), 25):
        client.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": to_attributes(row)}} for row in rows[start : start + 25]]}
        )


def set_wait(queue_api, manager: str, **wait) -> None:
    status, current = queue_api("GET", "/api/staff/practice-settings", token=manager)
    assert status == 200, current
    body = {
        "time_zone": "America/New_York",
        "office_hours": ALWAYS_OPEN,
        **wait,
        "expected_version": current["version"],
    }
    status, saved = queue_api("PUT", "/api/staff/practice-settings", body=body, token=manager)
    assert status == 200, saved


def queue_page(queue_api, query: str = "limit=200") -> dict:
    status, page = queue_api("GET", "/api/staff/queue", query=query)
    assert status == 200, page
    return page


def test_items_past_the_practices_wait_are_marked_and_counted(stack, people, queue_api, manager):
    table = stack.ref("PortalTable")
    store(table, open_rows(2, hours_ago=5, prefix="old") + open_rows(3, hours_ago=0.25, prefix="new"))
    set_wait(queue_api, manager, overdue_after=2, overdue_unit="business_hours")
    page = queue_page(queue_api)
    marks = {item["request_id"]: item["overdue"] for item in page["items"]}
    assert marks == {"old-00000": True, "old-00001": True, "new-00000": False, "new-00001": False, "new-00002": False}
    assert page["overdue_count"] == 2
    # Oldest first, the default order: the overdue ones lead
    assert [item["overdue"] for item in page["items"]] == [True, True, False, False, False]

    # A longer wait, and nothing is overdue; the next page carries no count
    set_wait(queue_api, manager, overdue_after=6, overdue_unit="business_hours")
    page = queue_page(queue_api, "limit=2")
    assert page["overdue_count"] == 0
    assert not any(item["overdue"] for item in page["items"])
    later = queue_page(queue_api, f"limit=2&cursor={page['next_cursor']}")
    assert later["overdue_count"] is None


def test_a_day_by_default_and_closed_days_do_not_count(stack, people, queue_api):
    table = stack.ref("PortalTable")
    store(table, open_rows(1, hours_ago=30 * 24, prefix="month") + open_rows(1, hours_ago=0.1, prefix="now"))
    # The defaults: Monday to Friday, 8 to 5, one business day. A month-old item is overdue;
    # one received minutes ago is not, whatever the day.
    page = queue_page(queue_api)
    marks = {item["request_id"]: item["overdue"] for item in page["items"]}
    assert marks == {"month-00000": True, "now-00000": False}
    assert page["overdue_count"] == 1


def test_the_count_stops_at_100_and_reads_no_more(stack, people, queue_api, aws_calls):
    store(stack.ref("PortalTable"), open_rows(250, hours_ago=24 * 10, prefix="late"))
    aws_calls.reset()
    page = queue_page(queue_api, "limit=20")
    assert page["overdue_count"] == 100  # the page shows "100 or more"
    assert all(item["overdue"] for item in page["items"])
    (count,) = [query for query in aws_calls.parameters_of("Query") if query.get("Select") == "COUNT"]
    assert count["Limit"] == 100
    assert count["IndexName"] == "Queue"
    assert aws_calls.operations() == {"GetItem": 2, "Query": 2, "PutItem": 1}
