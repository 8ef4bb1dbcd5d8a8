"""A patient list file (docs/import.md): read as UTF-8 CSV of the documented columns, or
refused whole with the reason; then each row checked on its own: names, date of birth,
email syntax (email-validator, no DNS) and US zip."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from patientportal import clock, normalise
from patientportal.errors import BadRequestError, PayloadTooLargeError
from patientportal.models.accounts import EMAIL_ADDRESS
from patientportal.models.imports import RowProblem

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


SENDABLE_EMAIL = re.compile(EMAIL_ADDRESS)


def _checked_email(address: str) -> tuple[str, str]:
    """The address as email-validator normalises it, or "" and why it is not valid (syntax
    only, no DNS). Imported on first use: it compiles its grammar at import, which every
    cold start of the patients function would otherwise pay (docs/performance.md "Cold requests")."""
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    try:
        normalized = validate_email(address, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError as error:
        return "", str(error)
    if not SENDABLE_EMAIL.fullmatch(normalized):
        # Valid in RFC 5322 but not the API's rule (a quoted local part, say): staff could
        # not save the record again as it stands, and SES might not take it.
        return "", "is not an address the portal can send to (plain letters, digits and marks such as . _ + - only)"
    return normalized, ""


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
