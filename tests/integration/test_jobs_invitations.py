"""Bulk invitations as a background job, in-process under moto: picked patients or every
match of a filter, one email per patient however often picked, failures with plain reasons,
progress to finished, pacing to SES's rate and a throttled send retried."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from functions.jobs import app as worker
from local import demo_data
from local.functions import LambdaContext
from patientportal import aws, clock
from patientportal.dal import jobs as stored_jobs
from patientportal.email import sender
from patientportal.email.pacing import SendPacer, account_send_rate
from patientportal.logic.onboarding import bulk_invitations, job_runner, jobs
from tests.integration.conftest import sent_emails
from tests.integration.jobs_support import JobsStream

FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")


class FakeTime:
    """A clock that only moves when slept on: pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


@pytest.fixture
def paced(people, monkeypatch) -> FakeTime:
    """The worker's pacer on a fake clock, at the emulator account's own rate."""
    fake = FakeTime()
    monkeypatch.setattr(bulk_invitations, "pacer", SendPacer(clock=fake.clock, sleep=fake.sleep))
    return fake


@pytest.fixture
def jobs_stream(stack) -> JobsStream:
    return JobsStream(stack)


def job(call_patients, staff: str, job_id: str) -> dict[str, Any]:
    status, body, _ = call_patients("GET", f"/api/staff/jobs/{job_id}", path_parameters={"job_id": job_id}, token=staff)
    assert status == 200, body
    return body


def start(call_patients, staff: str, selection: dict[str, Any]) -> str:
    status, body, _ = call_patients("POST", "/api/staff/onboarding/invitations", body=selection, token=staff)
    assert status == 202, body
    return str(body["job_id"])


def test_picked_patients_get_one_email_each_and_failures_say_why(
    staff, call_patients, jobs_stream, deliver_outbox, paced
):
    # Given staff pick unactivated patients (Inès twice), and patients who cannot be invited
    picked = ["p-ines", "p-tomasz", "p-ines", "p-grace", "p-wei", "p-omar", "p-olu", "p-nobody", "p-tomasz"]
    job_id = start(call_patients, staff, {"patient_ids": picked})
    # Then the job is queued with each patient counted once
    queued = job(call_patients, staff, job_id)
    assert (queued["kind"], queued["state"], queued["total"], queued["remaining"]) == ("invitations", "queued", 7, 7)
    # When the worker takes the job from the stream, and notify sends the emails
    assert jobs_stream.run() == 1
    deliver_outbox()
    # Then it finished: three sent, four failed, each with its reason in plain words
    finished = job(call_patients, staff, job_id)
    assert (finished["state"], finished["done"], finished["failed"], finished["remaining"]) == ("finished", 3, 4, 0)
    reasons = {failure["patient_id"]: failure["reason"] for failure in finished["failures"]}
    assert reasons == {
        "p-wei": "no email",
        "p-omar": "access off",
        "p-olu": "bounced address",
        "p-nobody": "no such patient",
    }
    assert {failure["name"] for failure in finished["failures"]} >= {"Wei Chen", "Omar Haddad", "Olu Bankole"}
    # And each picked patient got exactly one email, Inès and Tomasz included
    to = [address for email in sent_emails() for address in email["to"]]
    assert sorted(to) == ["grace.lindqvist@example.com", "ines.moreau@example.com", "tomasz.nowak@example.com"]
    # And the sends were paced at the account's rate (the emulator's 1 a second)
    assert account_send_rate() == 1.0
    assert paced.waits == [1.0, 1.0]
    # And each invitation is audited as a single one is
    _, page, _ = call_patients("GET", "/api/staff/patients/p-ines/audit", token=staff)
    assert [entry["action"] for entry in page["items"]].count("send_invitation") == 1
    # And a second run of the same chunk (a stream retry) sends nothing more
    assert jobs_stream.run() == 0
    assert job_runner.run_chunk(job_id, 0) is False
    deliver_outbox()
    assert len(sent_emails()) == 3
    assert job(call_patients, staff, job_id)["done"] == 3


def test_a_chunk_tried_again_after_a_timeout_sends_no_second_email(
    staff, call_patients, jobs_stream, deliver_outbox, paced
):
    # Given a job whose chunk was worked once but never recorded (the worker timed out)
    job_id = start(call_patients, staff, {"patient_ids": ["p-ines", "p-tomasz", "p-wei"]})
    chunk = stored_jobs.get_chunk(job_id, 0)
    assert chunk is not None
    first_try = bulk_invitations.send_chunk(
        job_runner.acting_for(stored_jobs.get_job(job_id) or {}), stored_jobs.get_job(job_id) or {}, chunk["units"]
    )
    assert first_try[0] == 2
    # When the stream hands the chunk over again
    assert jobs_stream.run() == 1
    deliver_outbox()
    # Then the two already invited count as done, and each got one email only
    finished = job(call_patients, staff, job_id)
    assert (finished["state"], finished["done"], finished["failed"]) == ("finished", 2, 1)
    assert sorted(address for email in sent_emails() for address in email["to"]) == [
        "ines.moreau@example.com",
        "tomasz.nowak@example.com",
    ]


def test_every_match_of_a_filter_is_invited_across_chunks(  # noqa: PLR0917 - fixtures
    staff, call_patients, jobs_stream, deliver_outbox, paced, monkeypatch
):
    # Given chunks of two patients, so the job spans several chunks
    monkeypatch.setattr(jobs, "CHUNK_SIZE", 2)
    # (access on, an email or a username, never signed in; a zip is not needed)
    unactivated = [row[0] for row in demo_data.PATIENTS if row[6] and (row[4] or row[7]) and not row[9]]
    # When staff invite every unactivated patient
    job_id = start(call_patients, staff, {"filter": {"status": "unactivated"}})
    assert job(call_patients, staff, job_id)["total"] == len(unactivated)
    # And the worker does the chunks one by one: progress grows to the total
    seen = []
    records = jobs_stream.pending()
    for record in records:
        worker.handler({"Records": [record]}, LambdaContext(function_name="jobs"))
        progress = job(call_patients, staff, job_id)
        seen.append((progress["state"], progress["done"] + progress["failed"]))
    assert len(records) == -(-len(unactivated) // 2)
    assert [count for _, count in seen] == sorted(count for _, count in seen)
    assert seen[-1] == ("finished", len(unactivated))
    assert all(state == "running" for state, _ in seen[:-1])
    deliver_outbox()
    assert len(sent_emails()) == len(unactivated) - sum(1 for p in unactivated if p in demo_data.UNDELIVERABLE)
    # And the paced waits are one interval per email after the first
    assert paced.waits == [1.0] * (len(sent_emails()) - 1)
    # And a filter by name prefix picks only its matches
    job_id = start(call_patients, staff, {"filter": {"q": "okaf"}})
    assert job(call_patients, staff, job_id)["total"] == 2


def test_the_pacer_spaces_sends_at_the_rate_and_never_waits_when_slow():
    fake = FakeTime()
    pacer = SendPacer(lambda: 14.0, clock=fake.clock, sleep=fake.sleep)
    waits = [pacer.wait_turn() for _ in range(4)]
    assert waits == pytest.approx([0.0, 1 / 14, 1 / 14, 1 / 14])
    # A send long after the last one goes at once
    fake.now += 10
    assert pacer.wait_turn() == 0.0


def test_a_throttled_send_is_retried_and_sent_once(staff, call_patients, deliver_outbox, monkeypatch):
    # Given SES answers the first send with its rate error
    monkeypatch.setattr(sender, "RETRY_PAUSES", (0.01, 0.01))
    attempts: list[str] = []

    def throttle_once(model: Any, **_: Any) -> Any:
        attempts.append(model.name)
        if len(attempts) > 1:
            return None
        response = AWSResponse("https://email.test", 400, {}, None)  # type: ignore[arg-type]
        return response, {
            "Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    client = aws.sesv2()
    client.meta.events.register("before-call.sesv2.SendEmail", throttle_once)
    try:
        # When an invitation goes out
        status, _, _ = call_patients("POST", "/api/staff/patients/p-ines/invitation", token=staff)
        assert status == 202
        result = deliver_outbox()
    finally:
        client.meta.events.unregister("before-call.sesv2.SendEmail", throttle_once)
    # Then notify tried twice and exactly one email went out
    assert result["batchItemFailures"] == []
    assert attempts == ["SendEmail", "SendEmail"]
    assert [email["to"] for email in sent_emails()] == [["ines.moreau@example.com"]]


def test_a_job_without_progress_for_half_an_hour_says_it_stalled(staff, call_patients, jobs_stream, paced, monkeypatch):
    # Given two jobs: one whose chunks never ran (they went to the dead-letter queue), and one
    # that finished
    stuck = start(call_patients, staff, {"patient_ids": ["p-ines", "p-tomasz"]})
    jobs_stream.pending()  # the stream moves on without running them
    done = start(call_patients, staff, {"patient_ids": ["p-grace"]})
    assert jobs_stream.run() == 1
    started = clock.now()
    # When 29 minutes pass, the unfinished job is still only queued
    monkeypatch.setattr(clock, "now", lambda: started + datetime.timedelta(minutes=29))
    assert job(call_patients, staff, stuck)["state"] == "queued"
    # And after 31 minutes it says it stalled, with what is left; the finished one stays finished
    monkeypatch.setattr(clock, "now", lambda: started + datetime.timedelta(minutes=31))
    stalled = job(call_patients, staff, stuck)
    assert (stalled["state"], stalled["done"], stalled["remaining"]) == ("stalled", 0, 2)
    assert job(call_patients, staff, done)["state"] == "finished"


def test_bad_selections_and_unknown_jobs_are_clear_4xx(staff, call_patients, login):
    cases = [
        ({}, 422),
        ({"patient_ids": []}, 422),
        ({"patient_ids": ["p-ava"], "filter": {}}, 422),
        ({"filter": {"status": "nobody"}}, 422),
        ({"patient_ids": ["p-ava"], "extra": 1}, 422),
    ]
    for body, expected in cases:
        status, answer, _ = call_patients("POST", "/api/staff/onboarding/invitations", body=body, token=staff)
        assert status == expected, (body, answer)
        assert answer["error"]["message"]
    # A filter matching nobody names the filter
    status, answer, _ = call_patients(
        "POST", "/api/staff/onboarding/invitations", body={"filter": {"q": "zzz"}}, token=staff
    )
    assert (status, answer["error"]["field"]) == (422, "filter")
    status, answer, _ = call_patients("GET", "/api/staff/jobs/nope", path_parameters={"job_id": "nope"}, token=staff)
    assert status == 404
    # And a patient token cannot start or read jobs
    patient = login("patient", AVA.username, AVA.password)
    status, _, _ = call_patients(
        "POST", "/api/staff/onboarding/invitations", body={"patient_ids": ["p-ava"]}, token=patient
    )
    assert status == 403
