"""Usernames: ``USERNAME#<lower-cased>`` -> patient id, unique by a conditional write."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patientportal.dal import keys
from patientportal.dal.attributes import to_attributes
from patientportal.dal.table import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def owner_of(username: str, *, table: Table | None = None) -> str | None:
    found = (table or Table()).get(keys.username(username), consistent=True)
    return str(found["patient_id"]) if found else None


def claim_entry(username: str, patient_id: str, *, table: Table) -> TransactWriteItemTypeDef:
    """Taken without regard to case: the key is lower-cased, and the write fails if it exists."""
    return table.put_entry(keys.username_entry(username, patient_id), condition="attribute_not_exists(pk)")


def release_entry(username: str, patient_id: str, *, table: Table) -> TransactWriteItemTypeDef:
    """Frees a patient's old username, only if it is still theirs."""
    delete: dict[str, object] = {
        "TableName": table.name,
        "Key": to_attributes(keys.username(username)),
        "ConditionExpression": "patient_id = :p",
        "ExpressionAttributeValues": to_attributes({":p": patient_id}),
    }
    return {"Delete": delete}  # type: ignore[typeddict-item]
