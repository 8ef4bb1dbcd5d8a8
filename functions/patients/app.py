"""Staff routes about patients (API.md "Staff": patients, messages)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.http import api_request_id, build_resolver, caller
from patientportal.logic import audit, messages, patients
from patientportal.models.audit import AuditEntry
from patientportal.models.common import Page
from patientportal.models.messages import SecureMessage, StaffMessage
from patientportal.observability import logger, metrics

app = build_resolver()

PatientId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@app.get("/api/staff/patients/<patient_id>")
def get_patient(patient_id: PatientId) -> patients.PatientDetail:
    staff = caller(app).require_staff()
    return patients.patient_detail(staff, patient_id, api_request_id=api_request_id(app))


@app.post("/api/staff/patients/<patient_id>/messages")
def send_patient_message(patient_id: PatientId, message: Annotated[StaffMessage, Body()]) -> tuple[SecureMessage, int]:
    staff = caller(app).require_staff()
    sent = messages.send_message_to_patient(staff, patient_id, message, api_request_id=api_request_id(app))
    metrics.add_metric(name="SecureMessagesSent", unit="Count", value=1)
    return sent, 201


@app.get("/api/staff/patients/<patient_id>/correspondence")
def get_correspondence(patient_id: PatientId, limit: Limit = 50, cursor: Cursor = None) -> Page[SecureMessage]:
    staff = caller(app).require_staff()
    return messages.correspondence(staff, patient_id, limit=limit, cursor=cursor, api_request_id=api_request_id(app))


@app.get("/api/staff/patients/<patient_id>/audit")
def get_audit_trail(patient_id: PatientId, limit: Limit = 50, cursor: Cursor = None) -> Page[AuditEntry]:
    staff = caller(app).require_staff()
    return audit.audit_trail(staff, patient_id, limit=limit, cursor=cursor, api_request_id=api_request_id(app))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
