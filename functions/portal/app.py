"""Patient routes (docs/api.md "Patient"). The patient is always the token's own."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from patientportal import priming
from patientportal.http import Cursor, ItemId, Limit, Patient, answers, build_resolver, lambda_handler
from patientportal.logic.accounts import credentials, profile
from patientportal.logic.practice import settings as practice_settings
from patientportal.logic.queue import messages, requests
from patientportal.models.common import Page
from patientportal.models.messages import Inbox, MessageRead, PatientMessage, SentMessage
from patientportal.models.portal import Me, PasswordChange, PasswordChanged
from patientportal.models.practice import PracticeHours
from patientportal.models.requests import NewRequest, PatientRequestView, SubmittedRequest
from patientportal.observability import metrics

app = build_resolver()


@app.get("/api/portal/me")
def get_me(patient: Patient) -> Me:
    return profile.me(patient)


@app.get("/api/portal/requests", responses=answers(400))
def list_requests(patient: Patient, limit: Limit = 50, cursor: Cursor = None) -> Page[PatientRequestView]:
    return requests.list_patient_requests(patient, limit=limit, cursor=cursor)


@app.post("/api/portal/requests", responses=answers(success=201))
def submit_request(patient: Patient, request: Annotated[NewRequest, Body()]) -> tuple[SubmittedRequest, int]:
    submitted = requests.submit_request(patient, request)
    metrics.add_metric(name="RequestsSubmitted", unit="Count", value=1)
    return submitted, 201


@app.get("/api/portal/messages", responses=answers(400))
def list_messages(patient: Patient, limit: Limit = 50, cursor: Cursor = None) -> Inbox:
    return messages.inbox(patient, limit=limit, cursor=cursor)


@app.post("/api/portal/messages", responses=answers(404, success=201))
def send_message(patient: Patient, message: Annotated[PatientMessage, Body()]) -> tuple[SentMessage, int]:
    sent = messages.send_patient_message(patient, message)
    metrics.add_metric(name="PatientMessages", unit="Count", value=1)
    return sent, 201


@app.post("/api/portal/messages/<message_id>/read", responses=answers(404))
def mark_message_read(patient: Patient, message_id: ItemId) -> MessageRead:
    return messages.mark_read(patient, message_id)


@app.get("/api/portal/practice")
def get_practice(patient: Patient) -> PracticeHours:  # noqa: ARG001 - the check that a patient is signed in
    """The practice's name, phone and office hours, and whether it is open now."""
    return practice_settings.for_patients()


@app.post("/api/portal/password", responses=answers(401))
def change_password(patient: Patient, change: Annotated[PasswordChange, Body()]) -> PasswordChanged:
    credentials.change_own_password(patient, change.current_password, change.new_password)
    return PasswordChanged(changed=True, signed_out=True)


priming.before_snapshot(services=("dynamodb", "cognito-idp"), resolver=app)
handler = lambda_handler(app)
