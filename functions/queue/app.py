"""Staff routes of the Patient Portal Queue and its archive (docs/api.md "Staff: queue and archive")."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from patientportal import priming
from patientportal.http import Cursor, ItemId, Limit, RequestId, Staff, answers, build_resolver, lambda_handler
from patientportal.logic.queue import archive, assignment, change_sets, helper_actions, items
from patientportal.models.common import IsoDate, Page
from patientportal.models.requests import (
    ArchivedItem,
    Assignment,
    ChangeSetApplied,
    ChangeSetApproval,
    Colleague,
    Dismissal,
    HelperResult,
    InternalNote,
    NewNote,
    Outcome,
    QueueItem,
    QueueItemDetail,
    QueuePage,
    QueueView,
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
    view: Annotated[QueueView, Query(description="all, unassigned, or mine (assigned to the caller)")] = "all",
) -> QueuePage:
    return items.list_queue(
        staff, request_type=type, order=order, limit=limit, cursor=cursor, api_request_id=api_request_id, view=view
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


@app.post("/api/staff/queue/<request_id>/assignment", responses=answers(404, 409))
def assign(
    staff: Staff, api_request_id: RequestId, request_id: QueueItemId, chosen: Annotated[Assignment, Body()]
) -> QueueItem:
    """Take the item, give it to a colleague, or give it back (``assignee`` null)."""
    return assignment.assign_request(staff, request_id, chosen, api_request_id=api_request_id)


@app.post("/api/staff/queue/<request_id>/notes", responses=answers(404, success=201))
def add_note(
    staff: Staff, api_request_id: RequestId, request_id: QueueItemId, note: Annotated[NewNote, Body()]
) -> tuple[InternalNote, int]:
    """An internal note for colleagues: never shown to the patient. Audited."""
    return items.add_note(staff, request_id, note, api_request_id=api_request_id), 201


@app.get("/api/staff/colleagues")
def list_colleagues(staff: Staff) -> list[Colleague]:  # noqa: ARG001 - staff only: the authorizer's principal
    """Every enabled member of staff, whom an item can be given to."""
    return assignment.colleagues()


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


# The practice's settings and saved replies (docs/api.md "Staff: practice settings and saved
# replies"): any member of staff reads them, administrators change them.
from patientportal.http import Admin  # noqa: E402 - these routes' own imports, kept with them
from patientportal.logic.practice import saved_replies  # noqa: E402
from patientportal.logic.practice import settings as practice_settings  # noqa: E402
from patientportal.models.practice import (  # noqa: E402
    PracticeSettings,
    PracticeSettingsUpdate,
    SavedReplies,
    SavedReply,
    SavedReplyChange,
    SavedReplyDeleted,
    SavedReplyUpdate,
)

ReplyId = ItemId


@app.get("/api/staff/practice-settings")
def get_practice_settings(staff: Staff) -> PracticeSettings:  # noqa: ARG001 - any member of staff
    return practice_settings.current()


@app.put("/api/staff/practice-settings", responses=answers(409))
def put_practice_settings(
    admin: Admin, api_request_id: RequestId, update: Annotated[PracticeSettingsUpdate, Body()]
) -> PracticeSettings:
    return practice_settings.change(admin, update, api_request_id=api_request_id)


@app.get("/api/staff/saved-replies")
def list_saved_replies(staff: Staff) -> SavedReplies:
    return saved_replies.list_replies(staff)


@app.post("/api/staff/saved-replies", responses=answers(409, success=201))
def add_saved_reply(
    admin: Admin, api_request_id: RequestId, reply: Annotated[SavedReplyChange, Body()]
) -> tuple[SavedReply, int]:
    return saved_replies.add_reply(admin, reply, api_request_id=api_request_id), 201


@app.put("/api/staff/saved-replies/<reply_id>", responses=answers(404, 409))
def change_saved_reply(
    admin: Admin, api_request_id: RequestId, reply_id: ReplyId, update: Annotated[SavedReplyUpdate, Body()]
) -> SavedReply:
    return saved_replies.change_reply(admin, reply_id, update, api_request_id=api_request_id)


@app.delete("/api/staff/saved-replies/<reply_id>", responses=answers(404, 409))
def delete_saved_reply(
    admin: Admin,
    api_request_id: RequestId,
    reply_id: ReplyId,
    expected_version: Annotated[int, Query(ge=1, description="The version of the reply as read.")],
) -> SavedReplyDeleted:
    return saved_replies.delete_reply(admin, reply_id, expected_version, api_request_id=api_request_id)


priming.before_snapshot(services=("dynamodb", "cognito-idp", "events"), resolver=app)
handler = lambda_handler(app)
