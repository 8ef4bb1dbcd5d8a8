"""Sends the emails that outbox entries ask for. The table's stream delivers them, filtered
to new outbox entries by the template; failures are reported per record, so Lambda retries
only those, and what keeps failing goes to the dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.logic import notifications
from patientportal.models.records import OutboxEntry
from patientportal.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def send_outbox_entry(record: DynamoDBRecord, lambda_context: LambdaContext | None = None) -> str:
    entry = OutboxEntry.model_validate(record.dynamodb.new_image if record.dynamodb else {})
    message_id = notifications.deliver_once(entry, lambda_context)
    if not message_id:
        logger.info("nothing to send", extra={"outbox_id": entry.outbox_id, "template": entry.template})
        return message_id
    logger.info("email sent", extra={"outbox_id": entry.outbox_id, "template": entry.template})
    metrics.add_metric(name="EmailsSent", unit="Count", value=1)
    return message_id


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event,
        record_handler=send_outbox_entry,
        processor=processor,
        context=context,
    )
