"""Importing a practice's existing patient list from a CSV file (docs/import.md).

The whole file is read and checked first: a file that is not a CSV of the documented
columns is refused with nothing written. Each row is then checked on its own (names, date
of birth, email syntax, US zip) and against the patients on file and the rows above it
(same name and date of birth). A dry run answers that report; the real import starts a job
whose worker writes the good rows in batches and lists the others as failures.

Re-running a file creates no duplicates: a row's patient id is derived from its name and
date of birth, rows matching a patient on file are skipped, and the worker writes only ids
that do not exist yet.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from patientportal import clock
from patientportal.auth.principal import Principal
from patientportal.dal import batches, keys, patients
from patientportal.errors import BadRequestError, PayloadTooLargeError
from patientportal.logic import audit, jobs, normalise
from patientportal.models.imports import ImportReport, ImportRow, ImportStarted, RowProblem
from patientportal.models.records import PatientRecord

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
REQUIRED_COLUMNS = ("first_name", "last_name", "date_of_birth")
OPTIONAL_COLUMNS = ("email", "zip", "phone")
COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
MAX_NAME = 200
MAX_PHONE = 32
ZIP = re.compile(r"^\d{5}(-?\d{4})?$")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OLDEST_BIRTH_YEAR = 1900


def _column_name(header: str) -> str:
    return "_".join(header.strip().casefold().replace("-", " ").split())


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise PayloadTooLargeError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files.", field="file"
        )
    if not data.strip():
        raise BadRequestError("The file is empty.", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BadRequestError(
            f"The file is not UTF-8 text (line {line}); save it as 'CSV UTF-8' and try again.", field="file"
        ) from error


def _header(names: list[str]) -> list[str]:
    columns = [_column_name(name) for name in names]
    unknown = [name for name, column in zip(names, columns, strict=True) if column not in COLUMNS]
    if unknown:
        raise BadRequestError(
            f"Unknown column(s): {', '.join(unknown)}. The columns are: {', '.join(COLUMNS)}.", field="file"
        )
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        raise BadRequestError(f"Column(s) given twice: {', '.join(repeated)}.", field="file")
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise BadRequestError(f"Missing column(s): {', '.join(missing)}.", field="file")
    return columns


Row = tuple[int, list[str], dict[str, str]]


def read_rows(data: bytes) -> tuple[list[str], list[Row]]:
    """The columns, and the data rows as (row number, raw fields, fields by column); refuses a
    malformed file."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or not any(part.strip() for part in header):
            raise BadRequestError("The file has no header row.", field="file")
        columns = _header(header)
        rows: list[Row] = []
        for number, fields in enumerate(reader, start=2):  # the header is row 1, as in a spreadsheet
            if not any(part.strip() for part in fields):
                continue  # blank lines are not patients
            if len(rows) >= MAX_ROWS:
                raise PayloadTooLargeError(
                    f"The file has more than {MAX_ROWS} patients; split it into smaller files.", field="file"
                )
            values = {column: value.strip() for column, value in zip(columns, fields, strict=False)}
            rows.append((number, fields, values))
    except csv.Error as error:
        raise BadRequestError(f"The file is not valid CSV (line {reader.line_num}): {error}.", field="file") from error
    if not rows:
        raise BadRequestError("The file has a header but no patients.", field="file")
    return columns, rows


def _birth_date(text: str) -> str | None:
    """ISO ``YYYY-MM-DD`` or the US ``MM/DD/YYYY``; None when it is not a plausible birth date."""
    us = US_DATE.match(text)
    if not us and not ISO_DATE.match(text):
        return None
    try:
        born = (
            datetime.date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
            if us
            else datetime.date.fromisoformat(text)
        )
    except ValueError:
        return None
    if born.year < OLDEST_BIRTH_YEAR or born > clock.now().date():
        return None
    return born.isoformat()


@dataclass
class CheckedRow:
    line: int
    values: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)
    date_of_birth: str = ""
    email: str = ""
    duplicate_of_patient_id: str | None = None
    duplicate_of_row: int | None = None

    @property
    def identity(self) -> tuple[str, str, str]:
        return identity_of(self.values.get("last_name", ""), self.values.get("first_name", ""), self.date_of_birth)


def identity_of(last_name: str, first_name: str, date_of_birth: str) -> tuple[str, str, str]:
    """Same person: same normalised names (case, accents, spaces, hyphens) and birth date."""
    return normalise.name(last_name), normalise.name(first_name), date_of_birth


def imported_patient_id(identity: tuple[str, str, str]) -> str:
    """Derived from the identity, so the same row imported twice is the same patient."""
    return "i" + hashlib.sha256("patient-import\0".join(identity).encode()).hexdigest()[:31]


def _checked_email(address: str) -> tuple[str, str]:
    """The address as email-validator normalises it, or "" and why it is not valid (syntax
    only, no DNS). Imported on first use: it compiles its grammar at import, which every
    cold start of the patients function would otherwise pay (PERFORMANCE.md)."""
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    try:
        return validate_email(address, check_deliverability=False).normalized, ""
    except EmailNotValidError as error:
        return "", str(error)


def check_row(line: int, fields: list[str], values: dict[str, str], width: int) -> CheckedRow:
    row = CheckedRow(line=line, values=values)

    def problem(name: str, message: str) -> None:
        row.problems.append(RowProblem(field=name, message=message))

    if len(fields) != width:
        problem("row", f"has {len(fields)} fields; the header has {width}")
    for name in ("first_name", "last_name"):
        value = values.get(name, "")
        if not value:
            problem(name, "is required")
        elif len(value) > MAX_NAME:
            problem(name, f"is longer than {MAX_NAME} characters")
    born = values.get("date_of_birth", "")
    if not born:
        problem("date_of_birth", "is required")
    else:
        row.date_of_birth = _birth_date(born) or ""
        if not row.date_of_birth:
            problem("date_of_birth", "is not a birth date (use YYYY-MM-DD or MM/DD/YYYY)")
    email = values.get("email", "")
    if email:
        checked, message = _checked_email(email)
        row.email = checked
        if message:
            problem("email", message)
    zip_code = values.get("zip", "")
    if zip_code and not ZIP.match(zip_code):
        problem("zip", "is not a US zip code (12345 or 12345-6789)")
    if len(values.get("phone", "")) > MAX_PHONE:
        problem("phone", f"is longer than {MAX_PHONE} characters")
    return row


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
