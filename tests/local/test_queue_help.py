"""Each paragraph of the reference help text about the Patient Portal Queue, walked over
HTTP against the whole local stack, as the staff page and the portal will use it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from local import demo_data
from tests import staff_mfa
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]

AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
FRONTDESK, ADMIN = demo_data.STAFF_LOGINS


def token_for(portal: RunningPortal, who: str, username: str, password: str) -> str:
    if who == "staff":  # with the authenticator app's code
        return staff_mfa.staff_token_over_http(portal.url, username, password)
    answer = requests.post(
        f"{portal.url}/api/auth/{who}/login", json={"username": username, "password": password}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


class Client:
    def __init__(self, portal: RunningPortal, token: str) -> None:
        self.portal = portal
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        answer = requests.get(f"{self.portal.url}{path}", params=params, headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: Any = None) -> requests.Response:
        return requests.post(f"{self.portal.url}{path}", json=body or {}, headers=self.headers, timeout=10)


@pytest.fixture
def patient(portal) -> Client:
    return Client(portal, token_for(portal, "patient", AVA.username, AVA.password))


@pytest.fixture
def staff(portal) -> Client:
    return Client(portal, token_for(portal, "staff", FRONTDESK.username, FRONTDESK.password))


def submitted_refill(patient: Client, medication: str) -> str:
    answer = patient.post("/api/portal/requests", {"type": "refill", "medication": medication, "dosage": "250 mg"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["request_id"])


def queue_row(staff: Client, request_id: str) -> dict[str, Any]:
    rows = staff.get("/api/staff/queue", order="newest", limit=200)["items"]
    return next(row for row in rows if row["request_id"] == request_id)


def test_the_queue_shows_requests_and_secure_messages_from_the_portal(patient, staff):
    # Requests and secure messages coming from the portal both appear, each with who and what
    request_id = submitted_refill(patient, "cetirizine")
    message = patient.post("/api/portal/messages", {"body": "Is a video visit possible?"})
    assert message.status_code == 201
    rows = {row["request_id"]: row for row in staff.get("/api/staff/queue", order="newest")["items"]}
    assert rows[request_id]["type"] == "refill"
    assert rows[message.json()["request_id"]]["type"] == "message"
    assert rows[request_id]["patient_name"] == "Ava Thompson"
    assert rows[request_id]["patient_date_of_birth"] == "1984-03-12"


def test_the_helper_button_beside_a_refill_opens_a_note_with_the_prescription(patient, staff):
    request_id = submitted_refill(patient, "doxycycline")
    answer = staff.post(f"/api/staff/queue/{request_id}/helper")
    assert answer.status_code == 200, answer.text
    result = answer.json()["result"]
    assert result["kind"] == "encounter_note"
    assert result["prescriptions"][0]["medication"] == "doxycycline"
    again = staff.post(f"/api/staff/queue/{request_id}/helper").json()
    assert again["result"]["draft_id"] == result["draft_id"]


def test_a_secure_reply_by_default_emails_the_patient_and_joins_the_request(portal, patient, staff):
    request_id = submitted_refill(patient, "loratadine")
    before = portal.settled_mail_count()
    row = queue_row(staff, request_id)
    answer = staff.post(
        f"/api/staff/queue/{request_id}/reply", {"body": "Sent to your pharmacy.", "expected_version": row["version"]}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"]["request_id"] == request_id
    portal.wait_for_mail(before + 1)
    thread = staff.get(f"/api/staff/queue/{request_id}")["thread"]
    assert thread[-1]["body"] == "Sent to your pharmacy."


def test_the_defaults_can_be_overridden_and_the_disposition_chosen(portal, patient, staff):
    request_id = submitted_refill(patient, "ibuprofen")
    before = portal.settled_mail_count()
    row = queue_row(staff, request_id)
    answer = staff.post(
        f"/api/staff/queue/{request_id}/reply",
        {
            "body": "We cannot refill this without a visit.",
            "notify_patient": False,
            "link_to_request": False,
            "disposition": "not_completed",
            "expected_version": row["version"],
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["item"]["state"] == "not_completed"
    # once the stream has carried everything (a second with nothing new), no email came of it
    assert portal.settled_mail_count(quiet=1.0) == before
    archived = staff.get("/api/staff/archive", q="ibuprofen")["items"]
    assert [(row["request_id"], row["state"]) for row in archived] == [(request_id, "not_completed")]


def test_past_correspondence_with_the_patient_is_one_click_away(patient, staff):
    request_id = submitted_refill(patient, "famotidine")
    row = queue_row(staff, request_id)
    staff.post(f"/api/staff/queue/{request_id}/reply", {"body": "Approved.", "expected_version": row["version"]})
    letters = staff.get(f"/api/staff/patients/{row['patient_id']}/correspondence")["items"]
    assert letters[0]["body"] == "Approved."
    assert {letter["author"] for letter in letters} == {"patient", "practice"}


def test_a_request_stays_open_until_dismissed_with_either_icon(patient, staff):
    for outcome in ("completed", "not_completed"):
        request_id = submitted_refill(patient, f"vitamin d {outcome}")
        row = queue_row(staff, request_id)
        assert row["state"] == "open"
        answer = staff.post(
            f"/api/staff/queue/{request_id}/dismiss", {"outcome": outcome, "expected_version": row["version"]}
        )
        assert answer.status_code == 200, answer.text
        open_ids = [item["request_id"] for item in staff.get("/api/staff/queue", limit=200)["items"]]
        assert request_id not in open_ids


def test_the_archive_is_searchable_newest_first_by_date_and_patient(patient, staff):
    first = submitted_refill(patient, "sumatriptan")
    second = submitted_refill(patient, "sumatriptan nasal")
    for request_id in (first, second):
        row = queue_row(staff, request_id)
        staff.post(
            f"/api/staff/queue/{request_id}/dismiss", {"outcome": "completed", "expected_version": row["version"]}
        )
    found = staff.get("/api/staff/archive", q="sumatriptan")["items"]
    assert [row["request_id"] for row in found] == [second, first]
    assert {row["patient_name"] for row in found} == {"Ava Thompson"}
    assert staff.get("/api/staff/archive", q="thompson", type="refill")["items"]


def test_an_archived_request_can_be_marked_unreviewed_and_returns_to_the_queue(patient, staff):
    # Refill, helper, reply "dismiss as completed", found in the archive, restored, back in the queue
    request_id = submitted_refill(patient, "montelukast")
    staff.post(f"/api/staff/queue/{request_id}/helper")
    row = queue_row(staff, request_id)
    replied = staff.post(
        f"/api/staff/queue/{request_id}/reply",
        {"body": "Done.", "disposition": "completed", "expected_version": row["version"]},
    )
    assert replied.status_code == 200, replied.text
    archived = staff.get("/api/staff/archive", q="montelukast")["items"][0]
    assert archived["state"] == "completed"
    restored = staff.post(f"/api/staff/archive/{request_id}/restore", {"expected_version": archived["version"]})
    assert restored.status_code == 200, restored.text
    assert queue_row(staff, request_id)["state"] == "open"
    history = staff.get(f"/api/staff/queue/{request_id}")["history"]
    assert [entry["action"] for entry in history] == ["dismissed", "restored"]
    assert staff.get("/api/staff/archive", q="montelukast")["items"] == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"path": "dismiss", "body": {"outcome": "completed"}},
            {"path": "dismiss", "body": {"outcome": "not_completed"}},
        ),
        (
            {"path": "reply", "body": {"body": "Yes", "disposition": "completed"}},
            {"path": "dismiss", "body": {"outcome": "completed"}},
        ),
    ],
)
def test_two_staff_acting_at_once_get_one_success_and_one_409(portal, patient, staff, first, second):
    other = Client(portal, token_for(portal, "staff", ADMIN.username, ADMIN.password))
    request_id = submitted_refill(patient, "concurrent-test")
    version = queue_row(staff, request_id)["version"]
    answers: list[requests.Response] = []
    start = threading.Barrier(2)

    def act(client: Client, action: dict[str, Any]) -> None:
        start.wait()
        answers.append(
            client.post(
                f"/api/staff/queue/{request_id}/{action['path']}", {**action["body"], "expected_version": version}
            )
        )

    threads = [threading.Thread(target=act, args=(staff, first)), threading.Thread(target=act, args=(other, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    loser = next(answer for answer in answers if answer.status_code == 409).json()
    assert loser["current"]["version"] == version + 1
    assert loser["current"]["state"] in {"completed", "not_completed"}
