"""Delivering outbox entries: render the template, send through SES, record SES's id."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal import clock
from patientportal.dal import links as stored_links
from patientportal.dal import messages as stored_messages
from patientportal.dal import patients
from patientportal.email import sender, templates
from patientportal.models.records import OutboxEntry
from patientportal.settings import Settings, get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig


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


def deliver(entry: OutboxEntry, settings: Settings) -> str:
    """Sends the email once; the caller makes retries idempotent. Returns SES's message id,
    or "" when there is nothing to send: the patient has no address that can take it, or the
    entry is no longer in the table (withdrawn, e.g. a revoked link, or never committed)."""
    if not stored_messages.outbox_entry_exists(entry.outbox_id):
        return ""
    to = entry.to or current_address(entry.patient_id)
    if not to:
        return ""
    email = templates.render(entry.template, practice_of(settings), link_fragment=entry.link_fragment)
    message_id = sender.send(settings.sender_email, to, email, settings.ses_configuration_set)
    stored_messages.record_sent(entry.outbox_id, message_id, clock.timestamp())
    if entry.link_fragment:
        stored_links.forget_link_fragment(entry.outbox_id)
    return message_id


@cache
def _idempotency() -> tuple[IdempotencyConfig, Callable[..., str]]:
    """Sending is idempotent per outbox entry: a retried or redelivered entry never sends twice.
    Records live in the portal table, expiring through its TTL attribute. (Powertools'
    idempotency imports boto3, so it loads with the first entry, not at cold start.)"""
    from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(event_key_jmespath="outbox_id", expires_after_seconds=7 * 24 * 3600)
    store = DynamoDBPersistenceLayer(
        table_name=get_settings().table_name,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="expires_at",
        static_pk_value="IDEMPOTENCY#notify",
    )

    def send(entry: OutboxEntry) -> str:
        return deliver(entry, get_settings())

    once = idempotent_function(data_keyword_argument="entry", persistence_store=store, config=config)(send)
    return config, once


def deliver_once(entry: OutboxEntry, context: LambdaContext | None) -> str:
    config, once = _idempotency()
    if context is not None:
        config.register_lambda_context(context)
    return once(entry=entry)
