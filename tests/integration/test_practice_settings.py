"""The practice's settings (issue 15): office hours, time zone and when an item is overdue,
read by any member of staff and kept by administrators (at the version read, audited), and
what patients see of them: the hours, and when a message sent out of hours will be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from local import demo_data
from local.stack import LOCAL_PARAMETERS
from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.models.practice import WEEKDAYS

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
ROUTE = "/api/staff/practice-settings"
WEEKDAY = {"open": "08:00", "close": "17:00"}
DEFAULT_HOURS: dict[str, dict[str, str] | None] = {
    day: (WEEKDAY if day not in ("saturday", "sunday") else None) for day in WEEKDAYS
}


@pytest.fixture
def frontdesk(login) -> str:
    return login("staff", FRONTDESK.username, FRONTDESK.password)


@pytest.fixture
def manager(login) -> str:
    return login("staff", ADMIN.username, ADMIN.password)


@pytest.fixture
def ava(login) -> str:
    return login("patient", AVA.username, AVA.password)


def settings_body(version: int = 0, **changes: Any) -> dict[str, Any]:
    return {
        "time_zone": "America/New_York",
        "office_hours": dict(DEFAULT_HOURS),
        "overdue_after": 1,
        "overdue_unit": "business_days",
        "expected_version": version,
        **changes,
    }


def practice_audit() -> list[dict[str, Any]]:
    items, _ = Table().query_page(partition=("pk", keys.PRACTICE), sort_prefix=("sk", "AUDIT#"), limit=50)
    return [dict(item) for item in items]


def closed_now() -> tuple[dict[str, Any], datetime]:
    """Hours open only on the day after tomorrow (New York), and when that day opens."""
    zone = ZoneInfo("America/New_York")
    day = datetime.now(zone).date() + timedelta(days=2)
    hours: dict[str, dict[str, str] | None] = dict.fromkeys(WEEKDAYS)
    hours[WEEKDAYS[day.weekday()]] = WEEKDAY
    opens = datetime(day.year, day.month, day.day, 8, 0, tzinfo=zone).astimezone(UTC)
    return {"time_zone": "America/New_York", "office_hours": hours}, opens


def open_now() -> dict[str, Any]:
    """Open all day every day, in a time zone where it is nowhere near midnight now."""
    zone = "UTC" if 1 <= datetime.now(UTC).hour <= 22 else "Asia/Tokyo"
    return {"time_zone": zone, "office_hours": {day: {"open": "00:00", "close": "23:59"} for day in WEEKDAYS}}


def save(call_queue, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    status, answer, _ = call_queue("PUT", ROUTE, body=body, token=token)
    return status, answer


def test_unsaved_settings_are_the_defaults_and_cost_one_read(people, call_queue, frontdesk, aws_calls):
    aws_calls.reset()
    status, settings, _ = call_queue("GET", ROUTE, token=frontdesk)
    assert status == 200, settings
    assert settings == {
        "time_zone": "America/New_York",
        "office_hours": DEFAULT_HOURS,
        "overdue_after": 1,
        "overdue_unit": "business_days",
        "version": 0,
        "changed_by": "",
        "changed_at": "",
    }
    # The staff member's sign-out check, then the settings' one GetItem (which found nothing)
    assert aws_calls.operations() == {"GetItem": 2}
    assert aws_calls.items_read["GetItem"] == 1


def test_an_administrator_saves_the_settings_in_one_transaction_with_its_audit_entry(
    people, call_queue, manager, frontdesk, aws_calls
):
    hours = {**DEFAULT_HOURS, "saturday": {"open": "09:00", "close": "12:30"}, "friday": None}
    body = settings_body(0, office_hours=hours, time_zone="America/Chicago", overdue_after=4)
    body["overdue_unit"] = "business_hours"
    aws_calls.reset()
    status, saved = save(call_queue, manager, body)
    assert status == 200, saved
    assert aws_calls.operations() == {"GetItem": 1, "TransactWriteItems": 1}
    assert (saved["version"], saved["changed_by"]) == (1, ADMIN.username)
    assert saved["office_hours"]["friday"] is None
    assert saved["office_hours"]["saturday"] == {"open": "09:00", "close": "12:30"}

    # Any member of staff reads them back as saved (a closed day included, which DynamoDB
    # keeps no empty value for)
    status, read, _ = call_queue("GET", ROUTE, token=frontdesk)
    assert status == 200
    assert read == saved
    assert list(read["office_hours"]) == list(WEEKDAYS)

    # One audit entry: who, what, when, which API request
    (entry,) = practice_audit()
    assert (entry["actor"], entry["action"], entry["kind"]) == (ADMIN.username, "change_practice_settings", "audit")
    assert entry["at"] == saved["changed_at"]
    assert entry["request_id"]
    assert entry["expires_at"] > datetime.now(UTC).timestamp() + 5 * 365 * 24 * 3600

    # The next save names the version it read (a whole number may come as 2.0)
    status, again = save(call_queue, manager, {**body, "expected_version": 1.0, "overdue_after": 2.0})
    assert (status, again["version"], again["overdue_after"]) == (200, 2, 2)
    assert len(practice_audit()) == 2


def test_a_save_at_a_stale_version_is_a_409_with_the_settings_as_they_stand(people, call_queue, manager, aws_calls):
    status, first = save(call_queue, manager, settings_body(0, overdue_after=3))
    assert status == 200, first
    aws_calls.reset()

    # A second administrator still holding the never-saved settings
    status, refused = save(call_queue, manager, settings_body(0, overdue_after=5))
    assert status == 409, refused
    assert refused["error"]["code"] == "conflict"
    assert (refused["current"]["version"], refused["current"]["overdue_after"]) == (1, 3)
    # The failed transaction, then one more read (failure path only) to say how they stand
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}

    # ... and one past the stored version
    status, refused = save(call_queue, manager, settings_body(7))
    assert status == 409, refused
    assert len(practice_audit()) == 1
    status, read, _ = call_queue("GET", ROUTE, token=manager)
    assert (read["version"], read["overdue_after"]) == (1, 3)


def test_front_desk_reads_the_settings_but_may_not_change_them(people, call_queue, frontdesk, aws_calls):
    aws_calls.reset()
    status, refused = save(call_queue, frontdesk, settings_body(0))
    assert status == 403, refused
    assert refused["error"]["code"] == "forbidden"
    assert aws_calls.operations() == {"GetItem": 1}  # the sign-out check; nothing written
    assert practice_audit() == []
    assert call_queue("GET", ROUTE, token=frontdesk)[0] == 200


def test_a_patient_token_is_refused(people, call_queue, ava):
    assert call_queue("GET", ROUTE, token=ava)[0] == 403
    assert save(call_queue, ava, settings_body(0))[0] == 403


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "IANA time zone"),
        ({"office_hours": dict.fromkeys(WEEKDAYS[:6], WEEKDAY)}, "office_hours", "missing: sunday"),
        ({"office_hours": dict.fromkeys(WEEKDAYS)}, "office_hours", "at least one day"),
        (
            {"office_hours": {**DEFAULT_HOURS, "monday": {"open": "17:00", "close": "08:00"}}},
            "office_hours.monday",
            "later",
        ),
        (
            {"office_hours": {**DEFAULT_HOURS, "monday": {"open": "8am", "close": "17:00"}}},
            "office_hours.monday.open",
            "",
        ),
        ({"office_hours": {**DEFAULT_HOURS, "someday": WEEKDAY}}, "office_hours.someday.[key]", "monday"),
        ({"overdue_after": 0}, "overdue_after", ""),
        ({"overdue_after": 31}, "overdue_after", ""),
        ({"overdue_after": "2"}, "overdue_after", ""),
        ({"overdue_after": 1.5}, "overdue_after", ""),
        ({"overdue_unit": "weeks"}, "overdue_unit", ""),
        ({"expected_version": -1}, "expected_version", ""),
        ({"practice_name": "Elsewhere"}, "practice_name", ""),
    ],
)
def test_invalid_settings_are_a_422_naming_the_field(  # noqa: PLR0917 - fixtures
    people, call_queue, manager, changes, field, words
):
    status, refused = save(call_queue, manager, settings_body(0, **changes))
    assert status == 422, refused
    assert refused["error"]["field"] == field, refused
    assert words in refused["error"]["message"]
    assert practice_audit() == []


def test_a_patient_sees_the_practice_and_its_hours_at_two_reads(people, call_portal, ava, aws_calls):
    aws_calls.reset()
    status, practice, _ = call_portal("GET", "/api/portal/practice", token=ava)
    assert status == 200, practice
    assert aws_calls.operations() == {"GetItem": 2}  # the access check, the settings
    assert (practice["name"], practice["phone"]) == (
        LOCAL_PARAMETERS["PracticeName"],
        LOCAL_PARAMETERS["PracticePhone"],
    )
    assert (practice["time_zone"], practice["office_hours"]) == ("America/New_York", DEFAULT_HOURS)
    assert practice["open_now"] is (practice["next_opening_at"] is None)


def test_out_of_hours_the_patients_answers_say_when_the_practice_next_reads(  # noqa: PLR0917 - fixtures
    people, call_portal, call_queue, manager, ava, aws_calls
):
    hours, opens = closed_now()
    assert save(call_queue, manager, settings_body(0, **hours))[0] == 200
    expected = opens.strftime("%Y-%m-%dT%H:%M:%SZ")

    status, practice, _ = call_portal("GET", "/api/portal/practice", token=ava)
    assert (status, practice["open_now"], practice["next_opening_at"]) == (200, False, expected)

    aws_calls.reset()
    refill = {"type": "refill", "medication": "amoxicillin", "dosage": "500 mg"}
    status, submitted, _ = call_portal("POST", "/api/portal/requests", body=refill, token=ava)
    assert (status, submitted["next_read_at"]) == (201, expected)
    # The access check, the settings (read before the write, so a failed read stores nothing), the request
    assert aws_calls.operations() == {"GetItem": 2, "PutItem": 1}

    aws_calls.reset()
    status, sent, _ = call_portal("POST", "/api/portal/messages", body={"body": "A question"}, token=ava)
    assert (status, sent["next_read_at"]) == (201, expected)
    assert aws_calls.operations() == {"GetItem": 2, "TransactWriteItems": 1}

    # While the office is open, there is nothing to wait for
    assert save(call_queue, manager, settings_body(1, **open_now()))[0] == 200
    status, submitted, _ = call_portal("POST", "/api/portal/requests", body=refill, token=ava)
    assert (status, submitted["next_read_at"]) == (201, None)
    status, sent, _ = call_portal("POST", "/api/portal/messages", body={"body": "Another"}, token=ava)
    assert (status, sent["next_read_at"]) == (201, None)
    status, practice, _ = call_portal("GET", "/api/portal/practice", token=ava)
    assert (practice["open_now"], practice["next_opening_at"]) == (True, None)
