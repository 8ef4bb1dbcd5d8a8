"""notify reports the records it could not send, so only those are retried, and sends each
outbox entry once however often it is delivered."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from functions.notify import app as notify
from local import demo_data
from local.functions import LambdaContext
from patientportal import clock
from patientportal.dal import keys, messages
from patientportal.dal.table import Table
from patientportal.email import sender
from tests.integration.conftest import outbox_stream_records, sent_emails

FRONTDESK = demo_data.STAFF_LOGINS[0]


def message_patient(call_patients, token: str, patient_id: str) -> None:
    status, body, _ = call_patients(
        "POST",
        f"/api/staff/patients/{patient_id}/messages",
        route="/api/staff/patients/{patient_id}/messages",
        path_parameters={"patient_id": patient_id},
        body={"body": "A reply is waiting."},
        token=token,
    )
    assert status == 201, body


def test_ses_down_reports_the_failures_and_loses_nothing(demo, login, call_patients, deliver_outbox, monkeypatch):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    deliver_outbox()
    message_patient(call_patients, staff, "p-ava")
    message_patient(call_patients, staff, "p-bruno")

    # Given SES refuses every send
    def refuse(*_: object, **__: object) -> str:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(sender, "send", refuse)

    # When the stream delivers the two outbox entries, notify fails the whole batch
    # (Powertools raises when every record fails, which Lambda retries as a function error)
    with pytest.raises(Exception, match="All records failed"):
        deliver_outbox()
    assert sent_emails() == []
    # And both messages are in the portal all the same, their outbox entries kept for the retry
    table = Table(demo.ref("PortalTable"))
    for patient_id in ("p-ava", "p-bruno"):
        messages, _ = table.query_page(
            index="PatientItems",
            partition=("patient_pk", keys.patient_items_partition(patient_id)),
            sort_prefix=("patient_sk", "MSG#"),
            newest_first=True,
            limit=1,
        )
        assert messages[0]["body"] == "A reply is waiting."


def test_partial_failure_names_only_the_failed_record_and_a_retry_sends_it_once(
    demo, login, call_patients, stack, monkeypatch
):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    message_patient(call_patients, staff, "p-ava")
    message_patient(call_patients, staff, "p-bruno")
    outbox = outbox_stream_records(stack)
    assert len(outbox) == 2
    real_send = sender.send

    # Given SES refuses mail to one address only
    def flaky(sender_address: str, to: str, *rest: object) -> str:
        if to.startswith("bruno"):
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")
        return real_send(sender_address, to, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(sender, "send", flaky)
    answer = notify.handler({"Records": outbox}, LambdaContext(function_name="notify"))

    # Then only Bruno's record is reported, by its sequence number, and Ava's email went out
    assert answer == {"batchItemFailures": [{"itemIdentifier": outbox[1]["dynamodb"]["SequenceNumber"]}]}
    assert [email["to"] for email in sent_emails()] == [["ava.thompson@example.com"]]

    # When SES recovers and Lambda retries from the failed record (with the sent one again)
    monkeypatch.setattr(sender, "send", real_send)
    assert notify.handler({"Records": outbox}, LambdaContext(function_name="notify")) == {"batchItemFailures": []}

    # Then each patient got exactly one email
    assert sorted(email["to"][0] for email in sent_emails()) == [
        "ava.thompson@example.com",
        "bruno.salazar@example.com",
    ]


def test_an_entry_another_invocation_is_sending_is_retried_later_and_sent_once(
    demo, login, call_patients, stack, monkeypatch
):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    message_patient(call_patients, staff, "p-ava")
    (record,) = outbox_stream_records(stack)
    outbox_id = record["dynamodb"]["NewImage"]["outbox_id"]["S"]
    table = Table(stack.ref("PortalTable"))

    # Given another invocation took the entry a moment ago and is still within its time
    taken, _ = messages.claim_outbox_entry(outbox_id, now=clock.epoch_seconds(), until=clock.epoch_seconds() + 60)
    assert taken

    # When the stream hands the same entry over again, it fails (Lambda retries the batch) and nothing is sent
    with pytest.raises(BatchProcessingError, match="All records failed"):
        notify.handler({"Records": [record]}, LambdaContext(function_name="notify"))
    assert sent_emails() == []

    # When that invocation's time is up without a send (it died), the retry sends the email
    later = clock.epoch_seconds() + 61
    monkeypatch.setattr(clock, "epoch_seconds", lambda: later)
    assert notify.handler({"Records": [record]}, LambdaContext(function_name="notify")) == {"batchItemFailures": []}
    assert [email["to"] for email in sent_emails()] == [["ava.thompson@example.com"]]

    # And once sent, neither a redelivery nor a later one sends it again
    for _ in range(2):
        assert notify.handler({"Records": [record]}, LambdaContext(function_name="notify")) == {"batchItemFailures": []}
    assert len(sent_emails()) == 1
    stored = table.get(keys.outbox(outbox_id))
    assert stored is not None
    assert stored["sent_at"]
    assert stored["ses_message_id"]
    assert "sending_until" not in stored


def test_an_entry_costs_two_conditional_writes_and_one_send(demo, login, call_patients, stack, aws_calls):
    staff = login("staff", FRONTDESK.username, FRONTDESK.password)
    message_patient(call_patients, staff, "p-ava")
    (record,) = outbox_stream_records(stack)

    aws_calls.reset()
    assert notify.handler({"Records": [record]}, LambdaContext(function_name="notify")) == {"batchItemFailures": []}
    # take it, send to the address it holds, mark it sent: no idempotency records of their own
    assert aws_calls.operations() == {"UpdateItem": 2, "SendEmail": 1}

    # A redelivery of the sent entry is one conditional write that changes nothing
    aws_calls.reset()
    assert notify.handler({"Records": [record]}, LambdaContext(function_name="notify")) == {"batchItemFailures": []}
    assert aws_calls.operations() == {"UpdateItem": 1}
