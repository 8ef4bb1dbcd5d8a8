"""Importing a practice's existing patient list from a CSV file (docs/import.md).

The whole file is read and each row checked first (``import_file``): a file that is not a
CSV of the documented columns is refused with nothing written. Each good row is then checked
against the patients on file and the rows above it (same name and date of birth). A dry
run answers that report; the real import starts a job whose worker writes the good rows in
batches and lists the others as failures.

Re-running a file creates no duplicates: a row's patient id is derived from its name and
date of birth, rows matching a patient on file are skipped, and the worker writes only ids
that do not exist yet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from patientportal import clock, normalise
from patientportal.auth.principal import Principal
from patientportal.dal import batches, keys, patients
from patientportal.logic.onboarding import jobs
from patientportal.logic.onboarding.import_file import CheckedRow, check_row, identity_of, read_rows
from patientportal.logic.patients import audit
from patientportal.models.imports import ImportReport, ImportRow, ImportStarted
from patientportal.models.records import PatientRecord


def imported_patient_id(identity: tuple[str, str, str]) -> str:
    """Derived from the identity, so the same row imported twice is the same patient."""
    return "i" + hashlib.sha256("patient-import\0".join(identity).encode()).hexdigest()[:31]


def patients_on_file() -> dict[tuple[str, str, str], str]:
    """Every patient's identity -> id: the roster read page by page, names and birth dates only."""
    return patients.roster_identities(identity_of)


def check_file(data: bytes) -> list[CheckedRow]:
    columns, rows = read_rows(data)
    checked = [check_row(line, fields, values, len(columns)) for line, fields, values in rows]
    on_file = patients_on_file()
    first_seen: dict[tuple[str, str, str], int] = {}
    for row in checked:
        if row.problems:
            continue
        identity = row.identity
        if identity in on_file:
            row.duplicate_of_patient_id = on_file[identity]
        elif identity in first_seen:
            row.duplicate_of_row = first_seen[identity]
        else:
            first_seen[identity] = row.line
    return checked


def _status(row: CheckedRow) -> str:
    if row.problems:
        return "error"
    if row.duplicate_of_patient_id or row.duplicate_of_row:
        return "duplicate"
    return "ok"


def _gets_access(row: CheckedRow, enable_access: bool) -> bool:
    return enable_access and _status(row) == "ok" and bool(row.email) and bool(row.values.get("zip"))


def report_of(rows: Sequence[CheckedRow], *, enable_access: bool) -> ImportReport:
    reported = [
        ImportRow.model_validate(
            {
                "row": row.line,
                "status": _status(row),
                "first_name": row.values.get("first_name", ""),
                "last_name": row.values.get("last_name", ""),
                "problems": row.problems,
                "duplicate_of_patient_id": row.duplicate_of_patient_id,
                "duplicate_of_row": row.duplicate_of_row,
                "access_enabled": _gets_access(row, enable_access),
            }
        )
        for row in rows
    ]
    return ImportReport(
        dry_run=True,
        total=len(reported),
        ok=sum(row.status == "ok" for row in reported),
        errors=sum(row.status == "error" for row in reported),
        duplicates=sum(row.status == "duplicate" for row in reported),
        rows=reported,
    )


def dry_run(data: bytes, *, enable_access: bool) -> ImportReport:
    return report_of(check_file(data), enable_access=enable_access)


def _reason(row: CheckedRow) -> str:
    if row.problems:
        return "; ".join(f"{problem.field} {problem.message}" for problem in row.problems)
    if row.duplicate_of_patient_id:
        return "already on file (same name and date of birth)"
    return f"same patient as row {row.duplicate_of_row}"


def _unit(row: CheckedRow, enable_access: bool) -> dict[str, Any]:
    name = f"{row.values.get('first_name', '')} {row.values.get('last_name', '')}".strip()
    if _status(row) != "ok":
        return {"row": row.line, "name": name, "reason": _reason(row)}
    return {
        "row": row.line,
        "name": name,
        "first_name": row.values["first_name"],
        "last_name": row.values["last_name"],
        "date_of_birth": row.date_of_birth,
        "email": row.email,
        "zip": row.values.get("zip", ""),
        "phone": row.values.get("phone", ""),
        "access": _gets_access(row, enable_access),
    }


def start_import(admin: Principal, data: bytes, *, enable_access: bool) -> ImportStarted:
    """Checks the file as the dry run does, then starts the job that writes the good rows."""
    rows = check_file(data)
    report = report_of(rows, enable_access=enable_access)
    job_id = jobs.start_job(
        admin, "import", [_unit(row, enable_access) for row in rows], options={"enable_access": enable_access}
    )
    return ImportStarted(
        job_id=job_id, total=report.total, ok=report.ok, errors=report.errors, duplicates=report.duplicates
    )


def _record(unit: Mapping[str, Any], admin: Principal, now: str) -> PatientRecord:
    access = bool(unit["access"])
    identity = identity_of(str(unit["last_name"]), str(unit["first_name"]), str(unit["date_of_birth"]))
    return PatientRecord(
        patient_id=imported_patient_id(identity),
        first_name=str(unit["first_name"]),
        last_name=str(unit["last_name"]),
        date_of_birth=str(unit["date_of_birth"]),
        email=str(unit["email"]),
        zip=str(unit["zip"]),
        phone=str(unit["phone"]),
        portal_access_enabled=access,
        email_confirmed_by=admin.username if access else "",
        email_confirmed_at=now if access else "",
        created_at=now,
    )


def import_chunk(
    admin: Principal, job: Mapping[str, Any], units: Sequence[Mapping[str, Any]]
) -> tuple[int, list[dict[str, Any]]]:
    """Writes this chunk's good rows that are not on file yet (batches of 25, each patient with
    its audit entry); returns how many were written, and the failures."""
    failures = [
        {"row": unit["row"], "name": unit["name"], "reason": unit["reason"]} for unit in units if "reason" in unit
    ]
    now = clock.timestamp()
    records = [(unit, _record(unit, admin, now)) for unit in units if "reason" not in unit]
    existing = {
        str(item["pk"])
        for item in batches.get_all([keys.patient(record.patient_id) for _, record in records], attributes=("pk",))
    }
    items: list[dict[str, Any]] = []
    for unit, record in records:
        if keys.patient(record.patient_id)["pk"] in existing:
            failures.append({"row": unit["row"], "name": unit["name"], "reason": "already imported"})
            continue
        items.append(patients.patient_item(record, normalise.email(record.email)))
        items.append(audit.audit_item(admin, "import_patient", record.patient_id, f"job-{job['job_id']}"))
    batches.put_all(items)
    failures.sort(key=lambda failure: int(failure["row"]))
    return len(items) // 2, failures
