"""API shapes of the patient-list import (docs/import.md)."""

from typing import Literal

from patientportal.models.common import Model


class RowProblem(Model):
    field: str
    message: str


class ImportRow(Model):
    """One data row of the file. ``row`` is its line in the file (the header is line 1)."""

    row: int
    status: Literal["ok", "error", "duplicate"]
    first_name: str
    last_name: str
    problems: list[RowProblem]
    duplicate_of_patient_id: str | None = None
    duplicate_of_row: int | None = None
    access_enabled: bool = False


class ImportReport(Model):
    """The dry run's answer: every row, and the totals."""

    dry_run: bool
    total: int
    ok: int
    errors: int
    duplicates: int
    rows: list[ImportRow]


class ImportStarted(Model):
    """The real import's answer: the job to follow, and the dry run's totals."""

    job_id: str
    total: int
    ok: int
    errors: int
    duplicates: int
