"""Who has an open item: "Assign to me", giving it to a named colleague, or giving it back.

Like every change of an item, an assignment is checked against the version the staff
member saw: two people taking one item at once get one success and one 409 that says who
has it. Dismissing an item makes it nobody's; restoring one brings it back unassigned.
"""

from __future__ import annotations

from patientportal import clock
from patientportal.auth import cognito
from patientportal.auth.principal import Principal
from patientportal.dal import requests as stored_requests
from patientportal.errors import ConflictError, NotFoundError
from patientportal.logic.queue.items import apply_transition
from patientportal.models.records import RequestRecord
from patientportal.models.requests import Assignment, Colleague, QueueItem


def colleagues() -> list[Colleague]:
    """Everyone an item can be given to (the enabled members of staff)."""
    return [Colleague(username=username) for username in cognito.colleague_usernames()]


def _colleague(username: str) -> str:
    """The colleague's username as the pool spells it; a 404 naming the field when there is none."""
    for known in cognito.colleague_usernames():
        if known.lower() == username.lower():
            return known
    raise NotFoundError("There is no member of staff with that username.", field="assignee")


def _still_open(request: RequestRecord) -> None:
    if request.state != "open":
        raise ConflictError("This item is no longer open, so nobody can take it.", field="expected_version")


def assign_request(staff: Principal, request_id: str, assignment: Assignment, *, api_request_id: str) -> QueueItem:
    to = assignment.assignee
    if to is not None:
        to = staff.username if to.lower() == staff.username.lower() else _colleague(to)
    change = stored_requests.assignment(request_id, to=to, at=clock.timestamp(), by=staff.username)
    action = "assign_request" if to is not None else "unassign_request"
    return apply_transition(staff, change, assignment.expected_version, action, api_request_id, check=_still_open)
