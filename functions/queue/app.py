"""Staff routes of the Patient Portal Queue and its archive (docs/api.md "Staff: queue and archive")."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from patientportal.http import Cursor, ItemId, Limit, RequestId, Staff, answers, build_resolver, lambda_handler
from patientportal.logic.queue import archive, change_sets, helper_actions, items
from patientportal.models.common import IsoDate, Page
from patientportal.models.requests import (
    ArchivedItem,
    ChangeSetApplied,
    ChangeSetApproval,
    Dismissal,
    HelperResult,
    Outcome,
    QueueItem,
    QueueItemDetail,
    ReplyResult,
    RequestType,
    Restoration,
    StaffReply,
)
from patientportal.observability import metrics

app = build_resolver()

QueueItemId = ItemId


@app.get("/api/staff/queue", responses=answers(400))
def list_queue(  # noqa: PLR0917 - each query parameter of the route is an argument
    staff: Staff,
    api_request_id: RequestId,
    type: Annotated[RequestType | None, Query()] = None,  # noqa: A002 - the API's own parameter name
    order: Annotated[Literal["oldest", "newest"], Query()] = "oldest",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[QueueItem]:
    return items.list_queue(
        staff, request_type=type, order=order, limit=limit, cursor=cursor, api_request_id=api_request_id
    )


@app.get("/api/staff/queue/<request_id>", responses=answers(404))
def get_queue_item(staff: Staff, api_request_id: RequestId, request_id: QueueItemId) -> QueueItemDetail:
    return items.get_queue_item(staff, request_id, api_request_id=api_request_id)


@app.post("/api/staff/queue/<request_id>/helper", responses=answers(404))
def run_helper(staff: Staff, api_request_id: RequestId, request_id: QueueItemId) -> HelperResult:
    result = helper_actions.run_helper(staff, request_id, api_request_id=api_request_id)
    metrics.add_metric(name="HelperActions", unit="Count", value=1)
    return result


@app.post("/api/staff/queue/<request_id>/changes", responses=answers(404, 409))
def apply_changes(
    staff: Staff, api_request_id: RequestId, request_id: QueueItemId, approval: Annotated[ChangeSetApproval, Body()]
) -> ChangeSetApplied:
    return change_sets.apply_change_set(staff, request_id, approval, api_request_id=api_request_id)


@app.post("/api/staff/queue/<request_id>/reply", responses=answers(404, 409))
def reply(
    staff: Staff, api_request_id: RequestId, request_id: QueueItemId, answer: Annotated[StaffReply, Body()]
) -> ReplyResult:
    result = items.reply_to_request(staff, request_id, answer, api_request_id=api_request_id)
    metrics.add_metric(name="Replies", unit="Count", value=1)
    return result


@app.post("/api/staff/queue/<request_id>/dismiss", responses=answers(404, 409))
def dismiss(
    staff: Staff, api_request_id: RequestId, request_id: QueueItemId, dismissal: Annotated[Dismissal, Body()]
) -> QueueItem:
    return items.dismiss_request(staff, request_id, dismissal, api_request_id=api_request_id)


@app.get("/api/staff/archive", responses=answers(400))
def search_archive(  # noqa: PLR0917 - each query parameter of the route is an argument
    staff: Staff,
    api_request_id: RequestId,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description='Patient name (in any order, "Last, First" too) or text; or a date of birth (MM/DD/YYYY or '
            "YYYY-MM-DD).",
        ),
    ] = None,
    type: Annotated[RequestType | None, Query()] = None,  # noqa: A002 - the API's own parameter name
    outcome: Annotated[Outcome | None, Query()] = None,
    created_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    created_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ArchivedItem]:
    return archive.search_archive(
        staff,
        text=q,
        request_type=type,
        outcome=outcome,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        cursor=cursor,
        api_request_id=api_request_id,
    )


@app.post("/api/staff/archive/<request_id>/restore", responses=answers(404, 409))
def restore(
    staff: Staff, api_request_id: RequestId, request_id: QueueItemId, restoration: Annotated[Restoration, Body()]
) -> QueueItem:
    return items.restore_request(staff, request_id, restoration, api_request_id=api_request_id)


handler = lambda_handler(app)
