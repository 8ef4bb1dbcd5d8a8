"""Importing an existing patient list over HTTP, in-process under moto: the dry run's
row-by-row report, the real import as a job writing in batches of at most 25, re-runs that
create nothing, bad rows reported while good rows import, malformed files refused with
nothing written, the enable-access option, and only admins allowed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from local import demo_data
from patientportal import aws
from patientportal.dal.table import Table
from tests.integration.jobs_support import JobsStream

FRONTDESK, ADMIN = demo_data.STAFF_LOGINS
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample-import.csv"
HEADER = "first_name,last_name,date_of_birth,email,zip,phone\n"


@pytest.fixture
def admin(people, login) -> str:
    return str(login("staff", ADMIN.username, ADMIN.password))


@pytest.fixture
def jobs_stream(stack) -> JobsStream:
    return JobsStream(stack)


def upload(call_patients, token: str, data: bytes, *, dry_run: bool = True, enable_access: bool = False):
    query = f"dry_run={str(dry_run).lower()}&enable_access={str(enable_access).lower()}"
    status, body, _ = call_patients(
        "POST",
        "/api/staff/patients/import",
        raw_body=data,
        query=query,
        headers={"content-type": "text/csv"},
        token=token,
    )
    return status, body


def table_items() -> list[dict[str, Any]]:
    """Everything in the table (a test may scan; request paths never do)."""
    client = boto3.client("dynamodb")
    items, start = [], None
    while True:
        arguments: dict[str, Any] = {"TableName": Table().name}
        if start:
            arguments["ExclusiveStartKey"] = start
        answer = client.scan(**arguments)
        items.extend(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if not start:
            return items


def patient_count(call_patients, token: str) -> int:
    status, body, _ = call_patients("GET", "/api/staff/onboarding/counts", token=token)
    assert status == 200, body
    return sum(body["statuses"].values())


def job(call_patients, token: str, job_id: str) -> dict[str, Any]:
    status, body, _ = call_patients("GET", f"/api/staff/jobs/{job_id}", path_parameters={"job_id": job_id}, token=token)
    assert status == 200, body
    return body


def test_the_dry_run_reports_every_row_and_writes_nothing(admin, call_patients):
    data = (
        HEADER
        + "Marisol,Quintero,1979-04-22,marisol.quintero@example.com,02139,\n"  # 2 ok
        + "Desmond,Achterberg,11/05/1962,not-an-email,2140,\n"  # 3 email and zip
        + ",Solberg,1988-02-30,,,\n"  # 4 first name and date
        + "Tariq,,2099-01-01,tariq@example,02142,\n"  # 5 last name, future date, email
        + "AVA,thompson,03/12/1984,,,\n"  # 6 same as Ava on file (case does not matter)
        + "Marisol,QUINTERO,1979-04-22,,,\n"  # 7 same as row 2
        + "Inès,Moreau-Dupont,1992-07-30,,,\n"  # 8 ok (a different last name)
        + "Extra,Fields,1990-01-01,a@example.com,02139,555,oops\n"  # 9 too many fields
    ).encode()
    before = len(table_items())
    status, report = upload(call_patients, admin, data)
    assert status == 200, report
    rows = {row["row"]: row for row in report["rows"]}
    assert [rows[n]["status"] for n in range(2, 10)] == [
        "ok",
        "error",
        "error",
        "error",
        "duplicate",
        "duplicate",
        "ok",
        "error",
    ]
    assert (report["total"], report["ok"], report["errors"], report["duplicates"]) == (8, 2, 4, 2)

    def fields(n: int) -> list[str]:
        return [problem["field"] for problem in rows[n]["problems"]]

    assert fields(3) == ["email", "zip"]
    assert fields(4) == ["first_name", "date_of_birth"]
    assert fields(5) == ["last_name", "date_of_birth", "email"]
    assert fields(9) == ["row"]
    assert all(problem["message"] for row in report["rows"] for problem in row["problems"])
    assert rows[6]["duplicate_of_patient_id"] == "p-ava"
    assert rows[7]["duplicate_of_row"] == 2
    # And nothing was written
    assert len(table_items()) == before


def _big_file(count: int, *, start: int = 0) -> bytes:
    lines = [
        f"Given{number % 50},Imported{number:05d},1970-01-{number % 28 + 1:02d},"
        f"{'' if number % 10 == 0 else f'imported{number}@example.com'},{'' if number % 7 == 0 else '02139'},\n"
        for number in range(start, start + count)
    ]
    return (HEADER + "".join(lines)).encode()


def test_two_thousand_rows_import_in_batches_of_at_most_25_and_a_rerun_creates_nothing(
    admin, call_patients, jobs_stream
):
    data = _big_file(2000)
    sizes: list[int] = []

    def batch_size(params: dict[str, Any], **_: Any) -> None:
        sizes.append(sum(len(requests) for requests in params["RequestItems"].values()))

    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb.BatchWriteItem", batch_size)
    try:
        before = patient_count(call_patients, admin)
        status, body = upload(call_patients, admin, data, dry_run=False)
        assert status == 202, body
        assert (body["total"], body["ok"], body["errors"], body["duplicates"]) == (2000, 2000, 0, 0)
        assert job(call_patients, admin, body["job_id"])["state"] == "queued"
        jobs_stream.run()
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.BatchWriteItem", batch_size)
    progress = job(call_patients, admin, body["job_id"])
    assert (progress["state"], progress["done"], progress["failed"], progress["remaining"]) == ("finished", 2000, 0, 0)
    assert patient_count(call_patients, admin) == before + 2000
    # Every write call carried at most 25 items: 2,000 patients and their audit entries in 160
    # calls, after one call for the job's 20 chunks
    assert max(sizes) == 25
    assert sorted(sizes, reverse=True)[:160] == [25] * 160
    assert len(sizes) == 161
    # When the same file is imported again
    status, again = upload(call_patients, admin, data, dry_run=False)
    assert status == 202, again
    assert (again["ok"], again["duplicates"]) == (0, 2000)
    jobs_stream.run()
    # Then nothing new is written, and every row says why
    assert patient_count(call_patients, admin) == before + 2000
    rerun = job(call_patients, admin, again["job_id"])
    assert (rerun["state"], rerun["done"], rerun["failed"]) == ("finished", 0, 2000)
    assert {failure["reason"] for failure in rerun["failures"]} == {"already on file (same name and date of birth)"}


def test_bad_rows_are_reported_and_good_rows_still_import(admin, call_patients, jobs_stream):
    data = (
        HEADER
        + "Marisol,Quintero,1979-04-22,marisol.quintero@example.com,02139,\n"
        + "Desmond,Achterberg,1962-11-05,not-an-email,02140,\n"
        + "Ingrid,Solberg,07/19/1988,,,\n"
        + "Ava,Thompson,1984-03-12,,,\n"
    ).encode()
    status, body = upload(call_patients, admin, data, dry_run=False)
    assert status == 202, body
    jobs_stream.run()
    progress = job(call_patients, admin, body["job_id"])
    assert (progress["kind"], progress["done"], progress["failed"]) == ("import", 2, 2)
    failures = {failure["row"]: failure for failure in progress["failures"]}
    assert set(failures) == {3, 5}
    assert failures[3]["name"] == "Desmond Achterberg"
    assert failures[3]["reason"].startswith("email ")
    assert failures[5]["reason"] == "already on file (same name and date of birth)"
    status, found, _ = call_patients("GET", "/api/staff/onboarding", query="q=solberg", token=admin)
    assert [(item["first_name"], item["date_of_birth"]) for item in found["items"]] == [("Ingrid", "1988-07-19")]
    # And each imported patient's audit trail names the import
    patient_id = found["items"][0]["patient_id"]
    status, trail, _ = call_patients("GET", f"/api/staff/patients/{patient_id}/audit", token=admin)
    assert [entry["action"] for entry in trail["items"]][-1] == "import_patient"
    assert trail["items"][-1]["actor"] == "manager"


def test_enable_access_turns_access_on_only_for_rows_with_email_and_zip(admin, call_patients, jobs_stream):
    status, report = upload(call_patients, admin, SAMPLE.read_bytes(), enable_access=True)
    assert status == 200, report
    access = {(row["first_name"], row["last_name"]): row["access_enabled"] for row in report["rows"]}
    assert access[("Marisol", "Quintero")] is True
    assert access[("Beatriz", "Carvalho")] is False  # no email
    assert access[("Henrik", "Lund")] is False  # no zip
    assert access[("Ava", "Thompson")] is False  # already on file
    status, body = upload(call_patients, admin, SAMPLE.read_bytes(), dry_run=False, enable_access=True)
    assert status == 202, body
    jobs_stream.run()
    listed = {}
    for query in ("q=quintero", "q=carvalho", "q=lund", "q=nwosu"):
        status, page, _ = call_patients("GET", "/api/staff/onboarding", query=query, token=admin)
        listed.update({item["first_name"]: item["portal_status"] for item in page["items"]})
    assert listed["Marisol"]["status"] == "unactivated"
    assert listed["Adaeze"]["status"] == listed["Chidi"]["status"] == "unactivated"
    assert [reason["reason"] for reason in listed["Beatriz"]["reasons"]] == ["access_off", "no_email"]
    assert [reason["reason"] for reason in listed["Henrik"]["reasons"]] == ["access_off", "no_zip"]
    # Without the option, access stays off
    data = (HEADER + "Yara,Haddad,1999-09-09,yara.haddad@example.com,02150,\n").encode()
    status, body = upload(call_patients, admin, data, dry_run=False)
    jobs_stream.run()
    status, page, _ = call_patients("GET", "/api/staff/onboarding", query="q=haddad&status=inactive", token=admin)
    assert "Yara" in [item["first_name"] for item in page["items"]]


@pytest.mark.parametrize(
    ("data", "expected", "words"),
    [
        (b"", 400, "empty"),
        (b"   \n\n", 400, "empty"),
        (HEADER.encode(), 400, "no patients"),
        (b"first_name,surname,date_of_birth\nAva,Thompson,1984-03-12\n", 400, "surname"),
        (b"first_name,date_of_birth\nAva,1984-03-12\n", 400, "last_name"),
        (b"first_name,last_name,last_name,date_of_birth\nA,B,C,1984-03-12\n", 400, "twice"),
        ("first_name,last_name,date_of_birth\nZoé,Martin,2004-08-08\n".encode("latin-1"), 400, "UTF-8"),
        ("first_name,last_name,date_of_birth\nAva,Thompson,1984-03-12\n".encode("utf-16"), 400, "UTF-8"),
        (b"first_name,last_name,date_of_birth\n" + b"A,B,1984-03-12\n" * 10_001, 413, "10000"),
        (HEADER.encode() + b"A,B,1984-03-12,,," + b" " * (2 * 1024 * 1024) + b"\n", 413, "2 MB"),
        (b'first_name,last_name,date_of_birth\n"Ava,Thompson,1984-03-12\n', 400, "not valid CSV"),
    ],
)
def test_a_malformed_file_is_refused_with_the_reason_and_nothing_written(admin, call_patients, data, expected, words):
    before = len(table_items())
    for dry_run in (True, False):
        status, body = upload(call_patients, admin, data, dry_run=dry_run)
        assert status == expected, body
        assert body["error"]["field"] == "file"
        assert words in body["error"]["message"]
    assert len(table_items()) == before


def test_only_admins_import(people, login, call_patients):
    data = SAMPLE.read_bytes()
    frontdesk = login("staff", FRONTDESK.username, FRONTDESK.password)
    patient = login("patient", AVA.username, AVA.password)
    before = len(table_items())
    for token in (frontdesk, patient):
        for dry_run in (True, False):
            status, body = upload(call_patients, token, data, dry_run=dry_run)
            assert status == 403, body
    assert len(table_items()) == before


def test_bad_query_parameters_name_the_field(admin, call_patients):
    status, body, _ = call_patients(
        "POST", "/api/staff/patients/import", raw_body=SAMPLE.read_bytes(), query="dry_run=perhaps", token=admin
    )
    assert (status, body["error"]["field"]) == (422, "dry_run")
