"""AWS failing under the whole local stack (issue 13 "Faults"): errors planned in the emulator
(local.faults) reach every function as AWS's own would, through botocore's retries, the
layer's handling and the stream's retries. Each test counts what happened: calls failed,
emails sent, dead letters, items and versions stored. The third fault, a jobs chunk that
times out halfway, is tests/integration/test_jobs_invitations.py
(``test_a_chunk_tried_again_after_a_timeout_sends_no_second_email``).

The runtime here is this module's own: a planned fault is the emulator's, and must not
meet another test's emails."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from local.faults import Faults
from tests.local.conftest import RunningPortal, start_portal
from tests.local.test_queue_help import AVA, FRONTDESK, Client, queue_row, submitted_refill, token_for

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("faults")]

BRUNO_EMAIL = "bruno.salazar@example.com"  # p-bruno's, in the demo data (no portal login)
AVA_EMAIL = "ava.thompson@example.com"
RETRIES = 5  # the template's MaximumRetryAttempts for notify's stream mapping
ATTEMPTS = 3  # botocore's, per call (patientportal.aws.CLIENT_CONFIG)


@pytest.fixture(scope="module")
def portal() -> Iterator[RunningPortal]:
    running = start_portal()
    yield running
    assert running.stop() == 0, "".join(running.output)


@pytest.fixture
def faults(portal: RunningPortal) -> Iterator[Faults]:
    plan = Faults(portal.emulator_url)
    plan.clear()
    yield plan
    plan.clear()


@pytest.fixture(scope="module")
def staff(portal: RunningPortal) -> Client:
    return Client(portal, token_for(portal, "staff", FRONTDESK.username, FRONTDESK.password))


@pytest.fixture(scope="module")
def patient(portal: RunningPortal) -> Client:
    return Client(portal, token_for(portal, "patient", AVA.username, AVA.password))


def sqs(portal: RunningPortal) -> Any:
    return boto3.client("sqs", endpoint_url=portal.emulator_url, region_name="us-east-1")


def dead_letters(portal: RunningPortal) -> list[dict[str, Any]]:
    """Every message in notify's dead-letter queue, taken off it."""
    client = sqs(portal)
    (url,) = [url for url in client.list_queues()["QueueUrls"] if "NotifyDeadLetterQueue" in url]
    found: list[dict[str, Any]] = []
    while True:
        answer = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def message_to(staff: Client, patient_id: str, body: str) -> None:
    answer = staff.post(f"/api/staff/patients/{patient_id}/messages", {"body": body})
    assert answer.status_code == 201, answer.text


def mail_to(portal: RunningPortal, address: str, *, settled: bool = True) -> int:
    """How many emails the mailbox holds for ``address`` (once the stream is quiet)."""
    mail = portal.settled_mail(1.5) if settled else portal.mail()
    return sum(1 for email in mail if address in email["to"])


def wait_for_mail_to(portal: RunningPortal, address: str, count: int) -> None:
    deadline = time.monotonic() + 30
    while mail_to(portal, address, settled=False) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mail_to(portal, address) == count  # and no more once the stream is quiet


def test_ses_throttling_is_waited_out_and_each_notification_sent_once(portal, faults, staff):
    before = mail_to(portal, AVA_EMAIL)
    # SES refuses the next four sends as over the account's rate: botocore tries three times,
    # then the sender pauses and tries again
    faults.plan("sesv2", "SendEmail", "TooManyRequestsException", status=429, times=4)
    message_to(staff, "p-ava", "Your forms are ready to sign.")
    wait_for_mail_to(portal, AVA_EMAIL, before + 1)
    (fault,) = faults.clear()
    assert fault["injected"] == 4
    assert fault["seen"] == 5  # four refused, the fifth sent
    assert dead_letters(portal) == []


def test_ses_down_for_a_while_is_retried_by_the_stream_and_sent_once_when_it_recovers(portal, faults, staff):
    before = mail_to(portal, AVA_EMAIL)
    # SES unavailable for the first invocation's every attempt: notify reports the record
    # failed, and the stream mapping delivers it again
    faults.plan("sesv2", "SendEmail", "ServiceUnavailable", status=503, times=ATTEMPTS)
    message_to(staff, "p-ava", "A new lab result is in your portal.")
    wait_for_mail_to(portal, AVA_EMAIL, before + 1)
    (fault,) = faults.clear()
    assert fault["injected"] == ATTEMPTS
    assert fault["seen"] == ATTEMPTS + 1
    assert dead_letters(portal) == []


def test_ses_down_for_good_puts_the_notification_in_the_dead_letter_queue_and_sends_nothing(portal, faults, staff):
    address = BRUNO_EMAIL
    before = mail_to(portal, address)
    faults.plan("sesv2", "SendEmail", "ServiceUnavailable", status=503)
    message_to(staff, "p-bruno", "Please call us about your appointment.")
    deadline = time.monotonic() + 90
    letters: list[dict[str, Any]] = []
    while not letters and time.monotonic() < deadline:
        time.sleep(0.5)
        letters = dead_letters(portal)
    # After the first delivery and every retry, the batch is set aside, named by its place
    # in the stream (no patient details)
    (letter,) = letters
    assert letter["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert letter["requestContext"]["approximateInvokeCount"] == RETRIES + 1
    assert letter["DDBStreamBatchInfo"]["batchSize"] == 1
    (fault,) = faults.clear()
    assert fault["injected"] == (RETRIES + 1) * ATTEMPTS
    # The message itself is in the patient's portal all the same, and SES recovering sends
    # nothing more: the entry waits in the dead-letter queue for someone to look at it
    correspondence = json.dumps(staff.get("/api/staff/patients/p-bruno/correspondence"))
    assert "Please call us about your appointment." in correspondence
    assert mail_to(portal, address) == before
    assert dead_letters(portal) == []


def queue_state(staff: Client, request_id: str) -> tuple[Any, ...]:
    detail = staff.get(f"/api/staff/queue/{request_id}")
    return detail["state"], detail["version"], len(detail["thread"]), len(detail["history"])


@pytest.mark.parametrize("change", ["reply", "dismiss"])
def test_dynamodb_throttling_during_a_change_answers_503_and_writes_nothing(portal, faults, staff, patient, change):
    request_id = submitted_refill(patient, f"cetirizine for the {change} fault")
    row = queue_row(staff, request_id)
    before = queue_state(staff, request_id)
    mail_before = portal.settled_mail_count()
    body: dict[str, Any] = {"expected_version": row["version"]}
    if change == "reply":
        body |= {"body": "Sent to your pharmacy.", "disposition": "completed"}
    else:
        body |= {"outcome": "completed"}
    path = f"/api/staff/queue/{request_id}/{change}"

    faults.plan("dynamodb", "TransactWriteItems", "ProvisionedThroughputExceededException")
    answer = staff.post(path, body)
    (fault,) = faults.clear()

    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "2"
    error = answer.json()["error"]
    assert error["code"] == "unavailable"
    assert "changed nothing" in error["message"]
    assert fault["injected"] == ATTEMPTS  # one transaction, tried three times, never written
    # Nothing of it was stored: the item, its thread and history, and no email
    assert queue_state(staff, request_id) == before
    assert portal.settled_mail_count() == mail_before
    # The same request once DynamoDB recovers does all of it, once
    again = staff.post(path, body)
    assert again.status_code == 200, again.text
    state, version, thread, history = queue_state(staff, request_id)
    assert (state, version) == ("completed", before[1] + 1)
    assert thread == before[2] + (1 if change == "reply" else 0)
    assert history == before[3] + 1
    if change == "reply":
        portal.wait_for_mail(mail_before + 1)
    assert portal.settled_mail_count() == mail_before + (1 if change == "reply" else 0)


def test_a_fault_plan_reaches_only_the_call_it_names(portal, faults, staff):
    """The plan's own check: a fault on one operation leaves the others alone."""
    faults.plan("dynamodb", "BatchWriteItem", "ProvisionedThroughputExceededException")
    assert staff.get("/api/staff/queue", limit=5)["items"] is not None
    (fault,) = faults.clear()
    assert fault["seen"] == 0
    assert requests.get(f"{portal.emulator_url}/_local/faults", timeout=10).json() == []
