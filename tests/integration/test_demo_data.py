"""The demo data covers what the foundation promises: every portal status, a shared email,
open items of every type, message threads and archived items; all invented."""

from __future__ import annotations

from collections import Counter

import boto3

from local import demo_data
from patientportal import normalise
from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.models.records import PatientRecord
from patientportal.portal_status import portal_status

TYPES = {"refill", "appointment", "records", "demographics", "message"}


def query_all(table: Table, index: str, partition: tuple[str, str]) -> list[dict]:
    items, cursor = table.query_page(index=index, partition=partition, limit=200)
    assert cursor is None
    return items


def test_patients_cover_every_status_and_reason_and_two_share_an_email(demo):
    table = Table(demo.ref("PortalTable"))
    patients = [PatientRecord.model_validate(table.get(keys.patient(row[0]))) for row in demo_data.PATIENTS]
    assert len(patients) >= 20
    statuses = Counter(portal_status(patient).status for patient in patients)
    assert set(statuses) == {"inactive", "unactivated", "active"}
    reasons = {reason.reason for patient in patients for reason in portal_status(patient).reasons}
    assert {"access_off", "no_email", "no_zip"} <= reasons
    shared = query_all(
        table, "PatientsByEmail", ("email_pk", keys.email_partition(normalise.email(demo_data.SHARED_EMAIL)))
    )
    assert len(shared) == 2
    assert len({item["username"] for item in shared}) == 2  # each their own username


def test_queue_has_every_type_open_and_at_least_ten_archived(demo):
    table = Table(demo.ref("PortalTable"))
    open_items = query_all(table, "Queue", ("queue_pk", keys.OPEN_QUEUE))
    assert {item["type"] for item in open_items} == TYPES
    months = {item["created_at"][:7] for item in archived_by_id(demo)}
    archived = [
        item for month in months for item in query_all(table, "Queue", ("queue_pk", keys.archive_partition(month)))
    ]
    assert len(archived) >= 10
    assert {item["state"] for item in archived} == {"completed", "not_completed"}


def archived_by_id(demo) -> list[dict]:
    """The archived demo requests, found by id (no Scan)."""
    table = Table(demo.ref("PortalTable"))
    found = []
    for patient_id, request, hours_ago, outcome in demo_data.ARCHIVED_REQUESTS:
        del request, outcome
        item = table.get(keys.request(f"demo-{patient_id[2:]}-{hours_ago}"))
        assert item is not None
        found.append(item)
    return found


def test_message_threads_exist_for_patient_messages_and_practice_messages(demo):
    table = Table(demo.ref("PortalTable"))
    ava = query_all(table, "PatientItems", ("patient_pk", keys.patient_items_partition("p-ava")))
    authors = Counter(item["author"] for item in ava if item["kind"] == "message")
    assert authors["practice"] >= 2
    assert authors["patient"] >= 1


def test_demo_patients_with_logins_exist_in_the_patient_pool(demo):
    cognito = boto3.client("cognito-idp")
    pool = demo.ref("PatientUserPool")
    usernames = {user["Username"] for user in cognito.list_users(UserPoolId=pool)["Users"]}
    expected = {row[0] for row in demo_data.PATIENTS if row[7]}
    assert usernames == expected
