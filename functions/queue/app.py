"""Staff routes of the Patient Portal Queue (API.md "Staff": queue and archive)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.http import build_resolver, caller
from patientportal.logic import queue
from patientportal.models.common import Page
from patientportal.models.requests import QueueItem, QueueItemDetail, RequestType
from patientportal.observability import logger, metrics

app = build_resolver()

RequestId = Annotated[str, Path(min_length=1, max_length=64)]


@app.get("/api/staff/queue")
def list_queue(
    type: Annotated[RequestType | None, Query()] = None,  # noqa: A002 - the API's own parameter name
    order: Annotated[Literal["oldest", "newest"], Query()] = "oldest",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Page[QueueItem]:
    caller(app).require_staff()
    return queue.list_queue(request_type=type, order=order, limit=limit, cursor=cursor)


@app.get("/api/staff/queue/<request_id>")
def get_queue_item(request_id: RequestId) -> QueueItemDetail:
    caller(app).require_staff()
    return queue.get_queue_item(request_id)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
