"""Sends the emails that outbox entries ask for. The table's stream delivers them, filtered
to new outbox entries by the template; failures are reported per record, so Lambda retries
only those, and what keeps failing goes to the dead-letter queue."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.logic.mail import delivery, feedback
from patientportal.models.records import OutboxEntry
from patientportal.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def send_outbox_entry(record: DynamoDBRecord, lambda_context: LambdaContext | None = None) -> str:
    entry = OutboxEntry.model_validate(record.dynamodb.new_image if record.dynamodb else {})
    sent = delivery.deliver_once(entry, lambda_context)
    if not sent.message_id:
        logger.info(
            "nothing to send", extra={"outbox_id": entry.outbox_id, "template": entry.template, "why": sent.outcome}
        )
        return sent.message_id
    logger.info("email sent", extra={"outbox_id": entry.outbox_id, "template": entry.template})
    metrics.add_metric(name="EmailsSent", unit="Count", value=1)
    return sent.message_id


def record_email_feedback(records: list[dict[str, Any]]) -> PartialItemFailureResponse:
    """SES bounces and complaints, through the configuration set's SNS topic. Addresses are
    not logged; a failure raises, so SNS retries the delivery."""
    marked = sum(feedback.record_feedback(json.loads(record["Sns"]["Message"])) for record in records)
    logger.info("email feedback recorded", extra={"notifications": len(records), "patients_marked": marked})
    metrics.add_metric(name="EmailsUndeliverable", unit="Count", value=marked)
    return {"batchItemFailures": []}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = event.get("Records") or []
    if records and records[0].get("EventSource") == "aws:sns":
        return record_email_feedback(records)
    return process_partial_response(
        event=event,
        record_handler=send_outbox_entry,
        processor=processor,
        context=context,
    )
