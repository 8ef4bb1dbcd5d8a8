"""The Patient Portal Queue as staff see it."""

from __future__ import annotations

from typing import Literal

from patientportal.dal import requests as stored_requests
from patientportal.errors import NotFoundError
from patientportal.models.common import Page
from patientportal.models.requests import QueueItem, QueueItemDetail, RequestType


def list_queue(
    *, request_type: RequestType | None, order: Literal["oldest", "newest"], limit: int, cursor: str | None
) -> Page[QueueItem]:
    """One page of open items; the patient's name and birth date are on each stored item,
    so a page is one Query and nothing else."""
    rows, next_cursor = stored_requests.open_queue_page(
        request_type=request_type, order=order, limit=limit, cursor=cursor
    )
    return Page[QueueItem](items=[QueueItem.model_validate(row) for row in rows], next_cursor=next_cursor)


def get_queue_item(request_id: str) -> QueueItemDetail:
    found = stored_requests.request_with_thread(request_id)
    if found is None:
        raise NotFoundError("There is no such request.")
    record, related = found
    thread = [
        {name: item.get(name) for name in ("message_id", "author", "body", "created_at")}
        for item in related
        if item.get("kind") == "message"
    ]
    return QueueItemDetail.model_validate({**record.model_dump(), "thread": thread})
