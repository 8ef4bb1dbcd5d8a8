"""How cost grows with the work (issue 16, part 4), as exact counts, in-process under moto:
an import's DynamoDB calls per chunk and per row the same for a small file and a large one;
the onboarding list's page one Query reading at most ``limit + 1`` items with 20,000
patients on file, and what its counts cost there; a bulk invitation of 5,000 patients paced
at SES's rate, its progress recorded every chunk, and nothing sent twice when a chunk that
failed part-way is tried again. Timings are ``make bench``'s (``benchmarks/scale.py``)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from functions.jobs import app as jobs_worker
from functions.notify import app as notify
from local import demo_data
from local.functions import LambdaContext
from local.streams import StreamMapping
from patientportal import clock, observability
from patientportal.dal import patients
from patientportal.email.pacing import SendPacer
from patientportal.logic.accounts import access
from patientportal.logic.onboarding import bulk_invitations
from patientportal.logic.onboarding.import_file import identity_of
from tests.integration import scale_support
from tests.integration.conftest import sent_emails
from tests.integration.jobs_support import JobsStream
from tests.integration.scale_support import COUNT_ENTRIES, DYNAMODB_PAGE_BYTES, invented, patient_file, practice, seed

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS


@pytest.fixture
def staff(people, login) -> str:
    return str(login("staff", FRONTDESK.username, FRONTDESK.password))


# The emulator's helpers (``scale_support``) as fixtures: each for the whole test.


@pytest.fixture
def quick_item_writes() -> Iterator[None]:
    """The 5,000 invitations write each patient twice (the invitation, notify's send) and a
    link, an outbox entry and an audit entry each: without moto's quadratic size check, and
    answered without its generic serializer."""
    with scale_support.quick_item_writes(), scale_support.direct_write_answers():
        yield


@pytest.fixture
def dynamodb_pages() -> Iterator[None]:
    with scale_support.dynamodb_pages():
        yield


@pytest.fixture
def quick_index_sort() -> Iterator[None]:
    with scale_support.quick_index_sort():
        yield


# -- what a Query reads: DynamoDB's page of 1 MB of index entries -------------------------------


def onboarding(call_patients, staff: str, query: str = "") -> dict[str, Any]:
    status, page, _ = call_patients("GET", "/api/staff/onboarding", query=query, token=staff)
    assert status == 200, page
    return dict(page)


def counts(call_patients, staff: str) -> dict[str, Any]:
    status, body, _ = call_patients("GET", "/api/staff/onboarding/counts", token=staff)
    assert status == 200, body
    return dict(body)


@pytest.mark.usefixtures("dynamodb_pages", "quick_index_sort")
def test_the_onboarding_list_reads_its_page_and_the_counts_their_entries_with_twenty_thousand_patients(
    staff, call_patients, aws_calls
):
    now = clock.epoch_seconds()
    # With the demo's 23 patients the counts are nine Select=COUNT Queries, one page each
    aws_calls.reset()
    small = counts(call_patients, staff)
    assert aws_calls.operations() == {"GetItem": 1, "Query": 9}
    assert sum(small["statuses"].values()) == len(demo_data.PATIENTS)
    # Given 20,000 more patients on file
    seconds = seed(practice(20_000, now))
    print(f"seeded 20,000 patients in {seconds:.1f} s")  # noqa: T201 - the seeding time, for the report
    for query in ("limit=50", "limit=200&status=unactivated", "limit=100&status=inactive", "limit=25&q=brae"):
        limit = int(query.split("&")[0].removeprefix("limit="))
        cursor = ""
        for _ in range(2):  # a page, and the one after it
            # When staff read a page of the list (all, one status, a last-name prefix)
            aws_calls.reset()
            page = onboarding(call_patients, staff, query + cursor)
            # Then it is one Query with Limit = limit + 1 that read (ScannedCount) at most that
            # many items, no Scan; one write records whom it showed, one read is the sign-out check
            assert len(page["items"]) == limit, query
            assert aws_calls.operations() == {"GetItem": 1, "Query": 1, "PutItem": 1}, query
            [asked] = aws_calls.parameters_of("Query")
            assert asked["Limit"] == limit + 1
            assert aws_calls.scanned == [limit + 1], query
            assert aws_calls.items_read["Query"] == limit + 1
            cursor = f"&cursor={page['next_cursor']}"
    # And the counts read no patient record, only keys-only entries with Select=COUNT
    aws_calls.reset()
    large = counts(call_patients, staff)
    assert sum(large["statuses"].values()) == 20_000 + len(demo_data.PATIENTS)
    assert large["statuses"]["inactive"] >= 12_000
    asked = aws_calls.parameters_of("Query")
    assert {query["IndexName"] for query in asked} == set(COUNT_ENTRIES)
    assert all(query["Select"] == "COUNT" for query in asked)
    assert aws_calls.items_read["Query"] == 0
    # But not in nine calls: DynamoDB reads at most 1 MB of entries a call, and the 12,000
    # inactive patients' entries (about 140 bytes each) are more than that, so their count
    # takes a second Query. The calls are exactly the pages DynamoDB needs, nothing more.
    needed, partition_bytes = scale_support.count_queries_dynamodb_needs(now)
    print(f"count Queries: {len(asked)}; largest partitions: {sorted(partition_bytes.items())}")  # noqa: T201
    assert aws_calls.operations() == {"GetItem": 1, "Query": needed}
    assert needed == 9 + partition_bytes["inactive"] // DYNAMODB_PAGE_BYTES
    assert needed > 9


# -- importing: the same calls per chunk and per row, whatever the file's length --------------


@pytest.fixture
def admin(people, login) -> str:
    return str(login("staff", ADMIN.username, ADMIN.password))


def start_import(call_patients, admin: str, data: bytes) -> dict[str, Any]:
    status, body, _ = call_patients(
        "POST",
        "/api/staff/patients/import",
        raw_body=data,
        query="dry_run=false&enable_access=true",
        headers={"content-type": "text/csv"},
        token=admin,
    )
    assert status == 202, body
    return dict(body)


def job_progress(call_patients, token: str, job_id: str) -> dict[str, Any]:
    status, body, _ = call_patients("GET", f"/api/staff/jobs/{job_id}", path_parameters={"job_id": job_id}, token=token)
    assert status == 200, body
    return dict(body)


def worker_calls_per_chunk(stream: JobsStream, aws_calls) -> list[Counter[str]]:
    """Each new chunk handed to the jobs worker alone, as the template's mapping does (batch
    size 1): the AWS calls each invocation made."""
    per_chunk = []
    for record in stream.pending():
        aws_calls.reset()
        answer = jobs_worker.handler({"Records": [record]}, LambdaContext(function_name="jobs"))
        assert answer == {"batchItemFailures": []}, answer
        per_chunk.append(aws_calls.operations())
    return per_chunk


def test_an_import_costs_the_same_calls_per_chunk_and_per_row_for_200_rows_and_for_2000(
    admin, call_patients, stack, aws_calls
):
    stream = JobsStream(stack)
    # A full chunk: its item and the job read (2 GetItem), its 100 ids looked up (1
    # BatchGetItem), 100 patients and their 100 audit entries written 25 a call (8
    # BatchWriteItem), then the chunk recorded with the job's counters (1 TransactWriteItems)
    chunk = Counter({"GetItem": 2, "BatchGetItem": 1, "BatchWriteItem": 8, "TransactWriteItems": 1})
    per_row: dict[int, float] = {}
    for rows, tag in ((200, "Shortfile"), (2000, "Longfile")):
        # When an admin imports a file of that many good rows
        aws_calls.reset()
        started = start_import(call_patients, admin, patient_file(rows, tag))
        assert (started["total"], started["ok"]) == (rows, rows)
        # Then starting it costs the sign-out check, one Query per 1,000 patients on file (the
        # duplicate check; here fewer than 1,000), the job, and its chunks 25 a call
        chunks = rows // 100
        assert aws_calls.operations() == {
            "GetItem": 1,
            "Query": 1,
            "PutItem": 1,
            "BatchWriteItem": math.ceil(chunks / 25),
        }
        # And every chunk costs the worker exactly the same calls, whatever the file's length
        worked = worker_calls_per_chunk(stream, aws_calls)
        assert worked == [chunk] * chunks, rows
        per_row[rows] = sum(sum(calls.values()) for calls in worked) / rows
        progress = job_progress(call_patients, admin, started["job_id"])
        assert (progress["state"], progress["done"], progress["failed"]) == ("finished", rows, 0)
    # So the DynamoDB calls per row are the same: 12 calls a chunk of 100, 0.12 a row
    assert per_row == {200: 0.12, 2000: 0.12}


# -- a bulk invitation of 5,000 patients ------------------------------------------------------

INVITED = 5000


def entry_patient(record: dict[str, Any]) -> str:
    """The patient an outbox entry's stream record is for."""
    return str(record["dynamodb"]["NewImage"]["patient_id"]["S"])


class OutboxStream(JobsStream):
    """The table's stream as notify's mapping reads it (new outbox entries, 10 a batch)."""

    def __init__(self, stack: Any) -> None:
        super().__init__(stack)
        event = stack.template["Resources"]["NotifyFunction"]["Properties"]["Events"]["Outbox"]
        self.mapping = StreamMapping(stack, host=None, function="NotifyFunction", event=event, retry_delay=0)  # type: ignore[arg-type]

    def deliver(self, kept: list[dict[str, Any]]) -> int:
        """Hands these outbox entries' stream records to notify, a batch at a time, as its
        mapping would; returns how many."""
        for start in range(0, len(kept), self.mapping.batch_size):
            answer = notify.handler(
                {"Records": kept[start : start + self.mapping.batch_size]}, LambdaContext(function_name="notify")
            )
            assert answer == {"batchItemFailures": []}, (answer, notify.processor.exceptions)
        return len(kept)


class FakeTime:
    """A clock that moves only when slept on, so pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


class WorkerDiesOnce:
    """``access.invite`` as it is, except that once, right after the invitation ``after``
    (counted over the whole job) was committed, the worker dies (a timeout, say): the chunk is
    left part-way, its invitations so far sent and not recorded."""

    def __init__(self, invite: Any, after: int) -> None:
        self.invite, self.after, self.calls, self.died = invite, after, 0, False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        sent = self.invite(*args, **kwargs)
        self.calls += 1
        if self.calls == self.after and not self.died:
            self.died = True
            raise TimeoutError("the worker ran out of time")
        return sent


@pytest.mark.usefixtures("quick_item_writes", "quick_index_sort")
def test_a_bulk_invitation_of_5000_is_paced_reports_every_chunk_and_queues_each_email_once(
    staff, call_patients, stack, aws_calls, monkeypatch
):
    # (The template gives every function its metrics namespace; this process imported the
    # layer's metrics before the stack's environment was set, and notify's 100th email flushes them.)
    monkeypatch.setattr(observability.metrics.provider, "namespace", "PatientPortal")
    # Given 5,000 patients who can be invited (access on, an email, never signed in)
    chosen = [
        invented(number, email=f"invite.{number}@example.com", portal_access_enabled=True) for number in range(INVITED)
    ]
    seed(chosen)
    jobs_stream, outbox = JobsStream(stack), OutboxStream(stack)
    # And the worker's pacer at the account's SES rate, on a fake clock, counting its turns
    fake = FakeTime()
    pacer = SendPacer(clock=fake.clock, sleep=fake.sleep)
    turns = Counter[str]()
    own_turn = pacer.wait_turn

    def wait_turn() -> float:
        turns["taken"] += 1
        return own_turn()

    monkeypatch.setattr(pacer, "wait_turn", wait_turn)
    monkeypatch.setattr(bulk_invitations, "pacer", pacer)
    # And the worker dies in chunk 17, right after its 50th invitation went into the outbox
    dies = WorkerDiesOnce(access.invite, after=17 * 100 + 50)
    monkeypatch.setattr(access, "invite", dies)
    # When staff invite them all in one job
    status, started, _ = call_patients(
        "POST",
        "/api/staff/onboarding/invitations",
        body={"patient_ids": [record.patient_id for record in chosen]},
        token=staff,
    )
    assert status == 202, started
    job_id = started["job_id"]
    assert started["total"] == INVITED
    # And the worker takes its 50 chunks from the stream, one an invocation; a chunk that
    # fails is handed over again, as Lambda retries a record it reported
    records = jobs_stream.pending()
    assert len(records) == INVITED // 100
    progress_after: list[int] = []
    retried = 0
    for record in records:
        while True:
            try:
                answer = jobs_worker.handler({"Records": [record]}, LambdaContext(function_name="jobs"))
            except BatchProcessingError:  # its one record failed: the invocation failed, Lambda tries again
                answer = {"batchItemFailures": [record]}
            progress = job_progress(call_patients, staff, job_id)
            progress_after.append(progress["done"] + progress["failed"])
            if not answer["batchItemFailures"]:
                break
            retried += 1
            assert progress_after[-1] == 1700  # the part-way chunk recorded nothing
    # Then the job finished with every patient sent, and its progress moved 100 with each
    # chunk done (the try that died moved it not at all)
    assert dies.died
    assert retried == 1
    final = job_progress(call_patients, staff, job_id)
    assert (final["state"], final["done"], final["failed"]) == ("finished", INVITED, 0)
    assert progress_after == [100 * n for n in range(1, 18)] + [1700] + [100 * n for n in range(18, 51)]
    # And the pacer was consulted once per email, and the emails took 5,000 turns of the SES
    # rate: the 5,000th went 4,999 intervals after the first, the next free turn is 5,000 on
    rate = pacer.rate
    assert turns["taken"] == INVITED
    assert fake.slept == pytest.approx((INVITED - 1) / rate)
    assert pacer._next_turn - 1000.0 == pytest.approx(INVITED / rate)
    # And the outbox holds exactly one invitation for each patient: the chunk tried again
    # queued none of its first 50 twice (that notify sends each entry once is test_notify.py's)
    entries = outbox.pending()
    queued = Counter(entry_patient(record) for record in entries)
    assert set(queued) == {record.patient_id for record in chosen}
    assert set(queued.values()) == {1}
    # And notify, fed the entries of the chunk that was tried again, sent each of its 100
    # patients exactly one email
    tried_again = {record.patient_id for record in chosen[1700:1800]}
    aws_calls.reset()
    assert outbox.deliver([record for record in entries if entry_patient(record) in tried_again]) == 100
    sends = aws_calls.operations()
    assert sends["SendEmail"] + sends["SendRawEmail"] == 100
    recipients = Counter(address for email in sent_emails() for address in email["to"])
    assert set(recipients) == {f"invite.{number}@example.com" for number in range(1700, 1800)}
    assert set(recipients.values()) == {1}


# -- a page DynamoDB cuts short at 1 MB ----------------------------------------------------------


def test_the_rosters_read_every_patient_when_dynamodb_stops_a_page_at_1_mb(stack):
    # Given 2,500 invited patients of about 1.3 KB each: a Query of 1,001 of them reads more
    # than 1 MB of whole items, so DynamoDB (and moto) stop each page short and say where
    invitees = [
        invented(
            number,
            email=f"roster.{number}@example.com",
            portal_access_enabled=True,
            invitation_state="sent",
            invitation_sent_at="2026-01-06T09:00:00Z",
            invitation_expires_at=clock.epoch_seconds() + 3600,
        )
        for number in range(2_500)
    ]
    seed(invitees)

    # Then the bulk invitation's filter, the import's duplicate check and the upgrade's
    # backfill each go on from where a page stopped, and find every one of them
    assert len(set(patients.roster_patient_ids(status=None, prefix=""))) == 2_500
    assert len(set(patients.roster_identities(identity_of).values())) == 2_500
    assert {record.patient_id for record in invitees} == set(patients.roster_patient_ids(status=None, prefix=""))
