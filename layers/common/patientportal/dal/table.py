"""The data-access base: the only code that calls DynamoDB.

It converts between Python values and DynamoDB's typed attributes and turns the SDK's
conditional-check failures into ``ConflictError`` in one function, so no caller ever
matches on SDK error codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from patientportal import aws
from patientportal.dal import cursors, keys
from patientportal.dal.attributes import Item, from_attributes, to_attributes
from patientportal.errors import ConflictError, UnavailableError
from patientportal.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


@contextmanager
def aws_errors_as_domain_errors(conflict: str | None = None) -> Iterator[None]:
    """A failed condition (alone or in a transaction) means someone changed the item first:
    ``ConflictError(conflict)``. DynamoDB busy or briefly down, after botocore's retries,
    means nothing was written: ``UnavailableError``, which the API answers 503."""
    try:
        yield
    except ClientError as error:
        failed_condition = aws.error_code(error) == "ConditionalCheckFailedException"
        if conflict is not None and (failed_condition or "ConditionalCheckFailed" in aws.cancellation_codes(error)):
            raise ConflictError(conflict) from error
        if aws.busy(error):
            raise UnavailableError(aws.error_code(error)) from error
        raise


def key_condition(
    partition: tuple[str, str], sort_prefix: tuple[str, str] | None = None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A Query's key condition: this partition, and the sort keys starting with a prefix if
    one is given; with its attribute names and (plain) values."""
    condition = "#p = :p"
    names = {"#p": partition[0]}
    values: dict[str, Any] = {":p": partition[1]}
    if sort_prefix:
        names["#s"], values[":s"] = sort_prefix
        condition += " AND begins_with(#s, :s)"
    return condition, names, values


@dataclass(frozen=True)
class PendingBatch:
    """What a batch call (``BatchWriteItem``, ``BatchGetItem``) still has to do, in DynamoDB's
    own form: made by ``Table.batch_puts`` or ``Table.batch_keys``, and handed back by each
    call with what DynamoDB left unprocessed. Callers only pass it back until it is done."""

    table: str
    request_items: Mapping[str, Any]

    @property
    def done(self) -> bool:
        return not self.request_items.get(self.table)


class Table:
    """Thin typed access to the portal's one table."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or get_settings().table_name

    def get(self, key: Mapping[str, str], *, consistent: bool = False) -> Item | None:
        with aws_errors_as_domain_errors():
            answer = aws.dynamodb().get_item(TableName=self.name, Key=to_attributes(key), ConsistentRead=consistent)
        found = answer.get("Item")
        return from_attributes(found) if found else None

    def put(self, item: Mapping[str, Any], *, condition: str | None = None, conflict: str = "Already exists.") -> None:
        with aws_errors_as_domain_errors(conflict):
            aws.dynamodb().put_item(**self._put_arguments(item, condition=condition))

    def delete(self, key: Mapping[str, str]) -> None:
        with aws_errors_as_domain_errors():
            aws.dynamodb().delete_item(TableName=self.name, Key=to_attributes(key))

    def update(
        self,
        key: Mapping[str, str],
        *,
        expression: str,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
        condition: str | None = None,
        conflict: str = "The item changed; reload it.",
    ) -> Item:
        arguments = self._update_arguments(key, expression=expression, values=values, names=names, condition=condition)
        with aws_errors_as_domain_errors(conflict):
            answer = aws.dynamodb().update_item(**arguments, ReturnValues="ALL_NEW")
        return from_attributes(answer.get("Attributes", {}))

    def update_when(
        self,
        key: Mapping[str, str],
        *,
        expression: str,
        values: Mapping[str, Any] | None = None,
        condition: str,
    ) -> tuple[bool, Item]:
        """An update made only if ``condition`` holds, in one call either way: whether it was
        made, and the item after it, or as it is when the condition failed (empty when
        there is no such item)."""
        arguments = self._update_arguments(key, expression=expression, values=values, names=None, condition=condition)
        try:
            with aws_errors_as_domain_errors():
                answer = aws.dynamodb().update_item(
                    **arguments, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD"
                )
        except ClientError as error:
            if aws.error_code(error) != "ConditionalCheckFailedException":
                raise
            current: Mapping[str, Any] = error.response.get("Item", {})  # type: ignore[assignment]
            return False, from_attributes(current)
        return True, from_attributes(answer.get("Attributes", {}))

    # One builder for each kind of write, whether it is made alone or in a transaction.
    def _put_arguments(self, item: Mapping[str, Any], *, condition: str | None) -> dict[str, Any]:
        arguments: dict[str, Any] = {"TableName": self.name, "Item": to_attributes(item)}
        if condition:
            arguments["ConditionExpression"] = condition
        return arguments

    def _update_arguments(
        self,
        key: Mapping[str, str],
        *,
        expression: str,
        values: Mapping[str, Any] | None,
        names: Mapping[str, str] | None,
        condition: str | None,
    ) -> dict[str, Any]:
        arguments: dict[str, Any] = {"TableName": self.name, "Key": to_attributes(key), "UpdateExpression": expression}
        if values:
            arguments["ExpressionAttributeValues"] = to_attributes(values)
        if names:
            arguments["ExpressionAttributeNames"] = dict(names)
        if condition:
            arguments["ConditionExpression"] = condition
        return arguments

    def query_page(
        self,
        *,
        partition: tuple[str, str],
        index: str | None = None,
        sort_prefix: tuple[str, str] | None = None,
        newest_first: bool = False,
        limit: int = 50,
        cursor: str | None = None,
        attributes: tuple[str, ...] = (),
    ) -> tuple[list[Item], str | None]:
        """One Query for one page: at most ``limit + 1`` items read, the extra one only
        telling whether another page follows. Returns the items and the next page's cursor
        (also after a page DynamoDB cut short at 1 MB, which may hold fewer than ``limit``)."""
        condition, names, values = key_condition(partition, sort_prefix)
        arguments: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attributes(values),
            "ScanIndexForward": not newest_first,
            "Limit": limit + 1,
        }
        if index:
            arguments["IndexName"] = index
        key_attributes = keys.CURSOR_ATTRIBUTES[index]
        if attributes:  # only what the caller shows, plus what the next cursor needs
            wanted = dict.fromkeys((*attributes, *key_attributes))
            names.update({f"#a{number}": name for number, name in enumerate(wanted)})
            arguments["ProjectionExpression"] = ", ".join(f"#a{number}" for number in range(len(wanted)))
        if cursor:
            start = cursors.decode(cursor, attributes=key_attributes, partition=partition)
            arguments["ExclusiveStartKey"] = to_attributes(start)
        with aws_errors_as_domain_errors():
            answer = aws.dynamodb().query(**arguments)
        items = [from_attributes(found) for found in answer.get("Items", [])]
        if len(items) <= limit:
            # DynamoDB stops a Query at 1 MB of items read, whole items before any projection:
            # a short page it says is unfinished goes on from where it stopped.
            stopped = answer.get("LastEvaluatedKey")
            if not stopped:
                return items, None
            last = from_attributes(stopped)
            return items, cursors.encode({name: last[name] for name in key_attributes})
        page = items[:limit]
        return page, cursors.encode({name: page[-1][name] for name in key_attributes})

    def query(
        self,
        *,
        condition: str,
        values: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
        index: str | None = None,
        filter_expression: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        start: Mapping[str, Any] | None = None,
    ) -> tuple[list[Item], Item | None]:
        """One Query as the caller words it (a key condition, and a filter if any), from the key
        ``start`` on: the items it returned, and the key the next Query starts from (None
        when nothing is left). For readers that page their own way, as the archive does."""
        arguments: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_attributes(values),
            "ScanIndexForward": not newest_first,
        }
        if index:
            arguments["IndexName"] = index
        if limit is not None:
            arguments["Limit"] = limit
        if filter_expression:
            arguments["FilterExpression"] = filter_expression
        if names:
            arguments["ExpressionAttributeNames"] = dict(names)
        if start:
            arguments["ExclusiveStartKey"] = to_attributes(start)
        with aws_errors_as_domain_errors():
            answer = aws.dynamodb().query(**arguments)
        last = answer.get("LastEvaluatedKey")
        return [from_attributes(found) for found in answer.get("Items", [])], from_attributes(last) if last else None

    def count(
        self,
        *,
        index: str,
        partition: tuple[str, str],
        sort_bound: tuple[str, str, str] | None = None,
        at_most: int | None = None,
    ) -> int:
        """How many items a key condition matches: ``Select=COUNT``, page by page (each page
        reads up to 1 MB of the index; on a keys-only index that is thousands of items).
        With ``at_most``, one call that reads no more than that many items: the count then
        stops there ("100 or more")."""
        names = {"#p": partition[0]}
        values: dict[str, Any] = {":p": partition[1]}
        condition = "#p = :p"
        if sort_bound:
            name, operator, value = sort_bound
            names["#s"] = name
            values[":s"] = value
            condition += f" AND #s {operator} :s"
        arguments: dict[str, Any] = {
            "TableName": self.name,
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": to_attributes(values),
            "Select": "COUNT",
        }
        if at_most is not None:
            arguments["Limit"] = at_most
        total = 0
        while True:
            with aws_errors_as_domain_errors():
                answer = aws.dynamodb().query(**arguments)
            total += int(answer.get("Count", 0))
            last = answer.get("LastEvaluatedKey")
            if not last or at_most is not None:
                return total
            arguments["ExclusiveStartKey"] = last

    def batch_puts(self, items: Sequence[Mapping[str, Any]]) -> PendingBatch:
        """Unconditional puts of ``items`` (at most 25, DynamoDB's limit), for ``write_batch``."""
        return PendingBatch(self.name, {self.name: [{"PutRequest": {"Item": to_attributes(item)}} for item in items]})

    def write_batch(self, pending: PendingBatch) -> PendingBatch:
        """One ``BatchWriteItem``; what DynamoDB left unprocessed (``done`` when nothing)."""
        with aws_errors_as_domain_errors():
            answer = aws.dynamodb().batch_write_item(RequestItems=dict(pending.request_items))
        return PendingBatch(self.name, dict(answer.get("UnprocessedItems") or {}))

    def batch_keys(self, keys: Sequence[Mapping[str, str]], *, attributes: tuple[str, ...] = ()) -> PendingBatch:
        """Reads of ``keys`` (at most 100, DynamoDB's limit), only ``attributes`` if any, for ``read_batch``."""
        request: dict[str, Any] = {"Keys": [to_attributes(key) for key in keys]}
        if attributes:
            names = {f"#a{number}": attribute for number, attribute in enumerate(dict.fromkeys(attributes))}
            request["ProjectionExpression"] = ", ".join(names)
            request["ExpressionAttributeNames"] = names
        return PendingBatch(self.name, {self.name: request})

    def read_batch(self, pending: PendingBatch) -> tuple[list[Item], PendingBatch]:
        """One ``BatchGetItem``: the items found, and the keys DynamoDB left unprocessed."""
        with aws_errors_as_domain_errors():
            answer = aws.dynamodb().batch_get_item(RequestItems=dict(pending.request_items))
        found = [from_attributes(item) for item in answer.get("Responses", {}).get(self.name, [])]
        return found, PendingBatch(self.name, dict(answer.get("UnprocessedKeys") or {}))

    def transact(self, operations: Sequence[TransactWriteItemTypeDef], *, conflict: str) -> None:
        with aws_errors_as_domain_errors(conflict):
            aws.dynamodb().transact_write_items(TransactItems=list(operations))

    # Builders for transaction entries, so callers never write DynamoDB's wire format.
    def put_entry(
        self, item: Mapping[str, Any], *, condition: str | None = None, values: Mapping[str, Any] | None = None
    ) -> TransactWriteItemTypeDef:
        put = self._put_arguments(item, condition=condition)
        if values:
            put["ExpressionAttributeValues"] = to_attributes(values)
        return {"Put": put}  # type: ignore[typeddict-item]

    def update_entry(
        self,
        key: Mapping[str, str],
        *,
        expression: str,
        values: Mapping[str, Any] | None = None,
        names: Mapping[str, str] | None = None,
        condition: str | None = None,
    ) -> TransactWriteItemTypeDef:
        update = self._update_arguments(key, expression=expression, values=values, names=names, condition=condition)
        return {"Update": update}  # type: ignore[typeddict-item]

    def delete_entry(
        self, key: Mapping[str, str], *, condition: str | None = None, values: Mapping[str, Any] | None = None
    ) -> TransactWriteItemTypeDef:
        delete: dict[str, Any] = {"TableName": self.name, "Key": to_attributes(key)}
        if condition:
            delete["ConditionExpression"] = condition
        if values:
            delete["ExpressionAttributeValues"] = to_attributes(values)
        return {"Delete": delete}  # type: ignore[typeddict-item]
