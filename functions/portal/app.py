"""Patient routes (API.md "Patient"). The patient is always the token's own."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.http import build_resolver, caller
from patientportal.logic.accounts import credentials, profile
from patientportal.logic.accounts.request_checks import active_patient
from patientportal.logic.queue import messages, requests
from patientportal.models.common import Page
from patientportal.models.messages import Inbox, MessageRead, PatientMessage, SecureMessage
from patientportal.models.portal import Me, PasswordChange, PasswordChanged
from patientportal.models.requests import NewRequest, PatientRequestView
from patientportal.observability import logger, metrics

app = build_resolver()

Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@app.get("/api/portal/me")
def get_me() -> Me:
    return profile.me(active_patient(caller(app)))


@app.get("/api/portal/requests")
def list_requests(limit: Limit = 50, cursor: Cursor = None) -> Page[PatientRequestView]:
    return requests.list_patient_requests(active_patient(caller(app)), limit=limit, cursor=cursor)


@app.post("/api/portal/requests")
def submit_request(request: Annotated[NewRequest, Body()]) -> tuple[PatientRequestView, int]:
    submitted = requests.submit_request(active_patient(caller(app)), request)
    metrics.add_metric(name="RequestsSubmitted", unit="Count", value=1)
    return submitted, 201


@app.get("/api/portal/messages")
def list_messages(limit: Limit = 50, cursor: Cursor = None) -> Inbox:
    return messages.inbox(active_patient(caller(app)), limit=limit, cursor=cursor)


@app.post("/api/portal/messages")
def send_message(message: Annotated[PatientMessage, Body()]) -> tuple[SecureMessage, int]:
    sent = messages.send_patient_message(active_patient(caller(app)), message)
    metrics.add_metric(name="PatientMessages", unit="Count", value=1)
    return sent, 201


@app.post("/api/portal/messages/<message_id>/read")
def mark_message_read(message_id: Annotated[str, Path(min_length=1, max_length=64)]) -> MessageRead:
    return messages.mark_read(active_patient(caller(app)), message_id)


@app.post("/api/portal/password")
def change_password(change: Annotated[PasswordChange, Body()]) -> PasswordChanged:
    credentials.change_own_password(active_patient(caller(app)), change.current_password, change.new_password)
    return PasswordChanged(changed=True, signed_out=True)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
