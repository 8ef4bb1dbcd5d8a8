"""The Patient Portal Archive: dismissed items, newest request first, searchable by patient
name or text, type, outcome and date of request."""

from __future__ import annotations

from datetime import date, timedelta

from patientportal import clock
from patientportal.dal import archive as stored_archive
from patientportal.errors import ValidationFailedError
from patientportal.logic import normalise
from patientportal.models.common import Page
from patientportal.models.requests import ArchivedItem, Outcome, RequestType

# Without a "from" date, the search reaches back this far (months of archive partitions).
DEFAULT_REACH_MONTHS = 36


def months_between(first: date, last: date) -> list[str]:
    """``yyyy-mm`` from ``last`` back to ``first``: the archive partitions to read, newest first."""
    months = []
    year, month = last.year, last.month
    while (year, month) >= (first.year, first.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def search_archive(
    *,
    text: str | None,
    request_type: RequestType | None,
    outcome: Outcome | None,
    created_from: date | None,
    created_to: date | None,
    limit: int,
    cursor: str | None,
) -> Page[ArchivedItem]:
    last = created_to or clock.now().date()
    first = created_from or (last - timedelta(days=31 * DEFAULT_REACH_MONTHS))
    if first > last:
        raise ValidationFailedError("The 'from' date is after the 'to' date.", field="from")
    wanted = stored_archive.ArchiveFilter(
        text=normalise.search_text(text or ""),
        request_type=request_type,
        outcome=outcome,
        created_from=created_from.isoformat() if created_from else "",
        created_to=created_to.isoformat() if created_to else "",
    )
    items, next_cursor = stored_archive.archive_page(months_between(first, last), wanted, limit=limit, cursor=cursor)
    return Page[ArchivedItem](items=[ArchivedItem.model_validate(item) for item in items], next_cursor=next_cursor)
