"""Staff routes of the Patient Portal Queue and its archive (API.md "Staff": queue, archive)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.http import api_request_id, build_resolver, caller
from patientportal.logic.queue import archive, helper_actions, items
from patientportal.models.common import Page
from patientportal.models.requests import (
    ArchivedItem,
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
from patientportal.observability import logger, metrics

app = build_resolver()

RequestId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@app.get("/api/staff/queue")
def list_queue(
    type: Annotated[RequestType | None, Query()] = None,  # noqa: A002 - the API's own parameter name
    order: Annotated[Literal["oldest", "newest"], Query()] = "oldest",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[QueueItem]:
    staff = caller(app).require_staff()
    return items.list_queue(
        staff, request_type=type, order=order, limit=limit, cursor=cursor, api_request_id=api_request_id(app)
    )


@app.get("/api/staff/queue/<request_id>")
def get_queue_item(request_id: RequestId) -> QueueItemDetail:
    staff = caller(app).require_staff()
    return items.get_queue_item(staff, request_id, api_request_id=api_request_id(app))


@app.post("/api/staff/queue/<request_id>/helper")
def run_helper(request_id: RequestId) -> HelperResult:
    staff = caller(app).require_staff()
    result = helper_actions.run_helper(staff, request_id, api_request_id=api_request_id(app))
    metrics.add_metric(name="HelperActions", unit="Count", value=1)
    return result


@app.post("/api/staff/queue/<request_id>/reply")
def reply(request_id: RequestId, answer: Annotated[StaffReply, Body()]) -> ReplyResult:
    staff = caller(app).require_staff()
    result = items.reply_to_request(staff, request_id, answer, api_request_id=api_request_id(app))
    metrics.add_metric(name="Replies", unit="Count", value=1)
    return result


@app.post("/api/staff/queue/<request_id>/dismiss")
def dismiss(request_id: RequestId, dismissal: Annotated[Dismissal, Body()]) -> QueueItem:
    staff = caller(app).require_staff()
    return items.dismiss_request(staff, request_id, dismissal, api_request_id=api_request_id(app))


@app.get("/api/staff/archive")
def search_archive(  # noqa: PLR0917 - each query parameter of the route is an argument
    q: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[RequestType | None, Query()] = None,  # noqa: A002 - the API's own parameter name
    outcome: Annotated[Outcome | None, Query()] = None,
    created_from: Annotated[date | None, Query(alias="from")] = None,
    created_to: Annotated[date | None, Query(alias="to")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ArchivedItem]:
    staff = caller(app).require_staff()
    return archive.search_archive(
        staff,
        text=q,
        request_type=type,
        outcome=outcome,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        cursor=cursor,
        api_request_id=api_request_id(app),
    )


@app.post("/api/staff/archive/<request_id>/restore")
def restore(request_id: RequestId, restoration: Annotated[Restoration, Body()]) -> QueueItem:
    staff = caller(app).require_staff()
    return items.restore_request(staff, request_id, restoration, api_request_id=api_request_id(app))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
