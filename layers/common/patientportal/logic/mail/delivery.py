"""Delivering outbox entries, each at most once: take the entry with one conditional write,
render its template, send it through SES, record SES's id (docs/decisions.md 65)."""

from __future__ import annotations

from typing import Literal, NamedTuple

from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal import clock
from patientportal.dal import messages as stored_messages
from patientportal.dal import patients
from patientportal.email import sender, templates
from patientportal.errors import UnavailableError
from patientportal.models.records import OutboxEntry
from patientportal.settings import Settings, get_settings

# How long a sender holds an entry without a Lambda context to say (tests, scripts): the
# function's own remaining time, when it has one, is what a taker that dies would have had.
DEFAULT_HOLD_SECONDS = 30


class Delivery(NamedTuple):
    message_id: str  # SES's id, "" when nothing went out now
    outcome: Literal["sent", "already sent", "withdrawn", "no address"]


def practice_of(settings: Settings) -> templates.Practice:
    return templates.Practice(
        name=settings.practice_name, phone=settings.practice_phone, portal_url=settings.portal_url
    )


def current_address(patient_id: str) -> str:
    """The patient's email as it is now: an entry may wait in the outbox while it changes."""
    patient = patients.get_patient(patient_id)
    if patient is None or not patient.email or patient.email_undeliverable:
        return ""
    return patient.email


def _hold_seconds(context: LambdaContext | None) -> int:
    if context is None:
        return DEFAULT_HOLD_SECONDS
    return max(1, context.get_remaining_time_in_millis() // 1000 + 1)


def deliver_once(entry: OutboxEntry, context: LambdaContext | None = None) -> Delivery:
    """Sends the entry's email unless it was sent, withdrawn (a revoked link, or never
    committed) or has no address that can take it. A redelivered or retried entry never
    sends twice; one being sent by another invocation right now is refused with
    ``UnavailableError``, so the stream tries it again later."""
    now = clock.epoch_seconds()
    taken, current = stored_messages.claim_outbox_entry(entry.outbox_id, now=now, until=now + _hold_seconds(context))
    if not taken:
        if current.get("sent_at"):
            return Delivery("", "already sent")
        if current:
            raise UnavailableError("Another delivery of this outbox entry is under way.")
        return Delivery("", "withdrawn")
    try:
        to = entry.to or current_address(entry.patient_id)
        if not to:
            stored_messages.release_outbox_entry(entry.outbox_id)
            return Delivery("", "no address")
        settings = get_settings()
        email = templates.render(entry.template, practice_of(settings), link_fragment=entry.link_fragment)
        message_id = sender.send(settings.sender_email, to, email, settings.ses_configuration_set)
    except Exception:
        stored_messages.release_outbox_entry(entry.outbox_id)  # nothing went out: free it for the retry
        raise
    stored_messages.record_sent(entry.outbox_id, message_id, clock.timestamp())
    return Delivery(message_id, "sent")
