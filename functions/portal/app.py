"""Patient routes (API.md "Patient"). The patient is always the token's own."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.auth.access import active_patient
from patientportal.http import build_resolver, caller
from patientportal.logic import messages, profile, requests
from patientportal.models.common import Page
from patientportal.models.messages import SecureMessage
from patientportal.models.portal import Me
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
def list_messages(limit: Limit = 50, cursor: Cursor = None) -> Page[SecureMessage]:
    return messages.list_patient_messages(active_patient(caller(app)), limit=limit, cursor=cursor)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
