"""The jobs worker: the table's stream delivers new job chunks and new pages of staff lists
(filtered by the template), one at a time; a record that fails is reported, so Lambda
retries it alone, and what keeps failing goes to the dead-letter queue.

A page of a staff list (``kind = list_view``) gives each patient it showed an audit entry
(decision 44): this mapping already reads the stream, and a third reader of one shard is
one more than DynamoDB Streams serves without throttling."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.logic.onboarding import job_runner
from patientportal.logic.patients import audit
from patientportal.observability import logger, metrics

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def run_chunk(record: DynamoDBRecord) -> bool:
    image = record.dynamodb.new_image if record.dynamodb else {}
    if image.get("kind") == "list_view":
        written = audit.index_list_view(image)
        metrics.add_metric(name="ListViewEntries", unit="Count", value=written)
        return True
    return job_runner.run_chunk(str(image["job_id"]), int(image["number"]))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=run_chunk, processor=processor, context=context)
