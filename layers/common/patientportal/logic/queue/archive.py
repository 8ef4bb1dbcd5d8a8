"""The Patient Portal Archive: dismissed items, newest request first, searchable by patient
name or text, type, outcome and date of request."""

from __future__ import annotations

from datetime import date

from patientportal import clock, normalise
from patientportal.auth.principal import Principal
from patientportal.dal import archive as stored_archive
from patientportal.errors import ValidationFailedError
from patientportal.logic.patients import audit
from patientportal.models.common import Page
from patientportal.models.requests import ArchivedItem, Outcome, RequestType

# Without a "from" date, the search reaches back this far (months of archive partitions).
DEFAULT_REACH_MONTHS = 36
# A request reads at most this many Queries (one a month, more for a month whose filtered
# items take several reads), whatever the dates: the default reach fits in one request when
# each month answers in one Query; a wider or busier search goes on through the page cursor.
QUERIES_PER_PAGE = 40


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(month: str, count: int) -> str:
    """``yyyy-mm`` of ``count`` months before ``month``, no earlier than ``0001-01``."""
    total = max(int(month[:4]) * 12 + int(month[5:7]) - 1 - count, 12)
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


# A name typed without a comma is read in each order it could be in ("Thompson Ava" is also
# "Ava Thompson", the order the archive stores) up to this many words; longer text as typed.
MAX_NAME_WORDS = 4


def text_forms(typed: str) -> tuple[tuple[str, ...], str]:
    """What the archive's text matches: the text as typed and, for a name, its other orders
    ("Thompson, Ava" and "Thompson Ava" are "ava thompson", as the request holds the name),
    all normalised; and a date of birth typed as staff type them (ISO), or ``""``."""
    text = normalise.search_text(typed)
    if not text:
        return (), ""
    forms = [text]
    if "," in text:
        last, _, first = text.partition(",")
        forms.append(normalise.search_text(f"{first} {last}"))
    elif len(words := text.split()) <= MAX_NAME_WORDS:
        forms += [" ".join(words[place:] + words[:place]) for place in range(1, len(words))]
    born = (normalise.birth_date(typed) or "") if normalise.looks_like_a_date(typed) else ""
    return tuple(dict.fromkeys(form for form in forms if form)), born


def search_archive(
    staff: Principal,
    *,
    text: str | None,
    request_type: RequestType | None,
    outcome: Outcome | None,
    created_from: date | None,
    created_to: date | None,
    limit: int,
    cursor: str | None,
    api_request_id: str,
) -> Page[ArchivedItem]:
    today = clock.now().date()
    last = created_to or today
    if created_from and created_from > last:
        raise ValidationFailedError("The 'from' date is after the 'to' date.", field="from")
    # Requests are archived in the month they arrived, so no month after this one holds any.
    newest = month_of(min(last, today))
    oldest = month_of(created_from) if created_from else months_back(month_of(last), DEFAULT_REACH_MONTHS)
    texts, born = text_forms(text or "")
    wanted = stored_archive.ArchiveFilter(
        texts=texts,
        birth_date=born,
        request_type=request_type,
        outcome=outcome,
        created_from=created_from.isoformat() if created_from else "",
        created_to=created_to.isoformat() if created_to else "",
    )
    items, next_cursor = stored_archive.archive_page(
        newest, oldest, wanted, limit=limit, cursor=cursor, max_queries=QUERIES_PER_PAGE
    )
    rows = [ArchivedItem.from_record(item) for item in items]
    audit.record_list_view(staff, "archive", (row.patient_id for row in rows), api_request_id)
    return Page[ArchivedItem](items=rows, next_cursor=next_cursor)
