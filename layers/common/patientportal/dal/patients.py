"""Patient records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.models.records import PatientRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def patient_item(patient: PatientRecord, normalised_email: str) -> dict[str, Any]:
    """The stored item: the record plus its key and index attributes."""
    item: dict[str, Any] = {**patient.model_dump(), **keys.patient(patient.patient_id), "kind": "patient"}
    item.update(keys.name_entry(patient.last_name, patient.first_name, patient.patient_id))
    if normalised_email:
        item.update(keys.email_entry(normalised_email, patient.patient_id))
    return item


def get_patient(patient_id: str, *, table: Table | None = None) -> PatientRecord | None:
    found = (table or Table()).get(keys.patient(patient_id))
    return PatientRecord.model_validate(found) if found else None


def record_login(patient_id: str, at: str, *, first: bool = False, table: Table | None = None) -> None:
    """First and last login, which the portal status needs. Records store "never" as an empty
    string, so ``if_not_exists`` cannot tell; the caller, who has just read the record, can."""
    (table or Table()).update(
        keys.patient(patient_id),
        expression="SET last_login_at = :at, first_login_at = :at" if first else "SET last_login_at = :at",
        values={":at": at},
        condition="attribute_exists(pk)",
        conflict="No such patient.",
    )


def new_patient_entry(patient: PatientRecord, normalised_email: str, *, table: Table) -> TransactWriteItemTypeDef:
    return table.put_entry(patient_item(patient, normalised_email), condition="attribute_not_exists(pk)")


def index_fields(patient: PatientRecord, normalised_email: str) -> tuple[dict[str, Any], list[str]]:
    """The index attributes of a changed record: what to set, and what to remove."""
    fields: dict[str, Any] = dict(keys.name_entry(patient.last_name, patient.first_name, patient.patient_id))
    if normalised_email:
        fields.update(keys.email_entry(normalised_email, patient.patient_id))
        return fields, []
    return fields, ["email_pk", "email_sk"]


def _update_arguments(fields: Mapping[str, Any], remove: Sequence[str], expected_version: int | None) -> dict[str, Any]:
    names = {f"#f{number}": name for number, name in enumerate(fields)}
    values: dict[str, Any] = {f":f{number}": value for number, value in enumerate(fields.values())}
    sets = [f"#f{number} = :f{number}" for number in range(len(fields))]
    removed = {f"#r{number}": name for number, name in enumerate(remove)}
    names.update(removed)
    values[":one"] = 1
    expression = "SET " + ", ".join([*sets, "version = version + :one"])
    if removed:
        expression += " REMOVE " + ", ".join(removed)
    condition = "attribute_exists(pk)"
    if expected_version is not None:
        condition += " AND version = :v"
        values[":v"] = expected_version
    return {"expression": expression, "values": values, "names": names, "condition": condition}


def update_entry(
    patient_id: str,
    fields: Mapping[str, Any],
    *,
    remove: Sequence[str] = (),
    expected_version: int | None = None,
    table: Table,
) -> TransactWriteItemTypeDef:
    """A transaction entry that sets ``fields``, removes ``remove`` and bumps the version."""
    return table.update_entry(keys.patient(patient_id), **_update_arguments(fields, remove, expected_version))


def update_patient(
    patient_id: str,
    fields: Mapping[str, Any],
    *,
    remove: Sequence[str] = (),
    expected_version: int | None = None,
    table: Table | None = None,
) -> PatientRecord:
    """One conditional update; a stale ``expected_version`` is a ``ConflictError``."""
    found = (table or Table()).update(
        keys.patient(patient_id),
        conflict="The patient's record changed; reload it.",
        **_update_arguments(fields, remove, expected_version),
    )
    return PatientRecord.model_validate(found)


def patients_with_email(normalised_email: str, *, table: Table | None = None) -> list[PatientRecord]:
    """Every patient on file with this address: one Query (shared emails are a handful)."""
    items, _ = (table or Table()).query_page(
        index="PatientsByEmail", partition=("email_pk", keys.email_partition(normalised_email)), limit=20
    )
    return [PatientRecord.model_validate(item) for item in items]


def patients_by_name(
    prefix: str, *, limit: int, cursor: str | None, table: Table | None = None
) -> tuple[list[PatientRecord], str | None]:
    """Patients whose last name starts with ``prefix``, by last then first name: one Query."""
    items, next_cursor = (table or Table()).query_page(
        index="PatientsByName",
        partition=("name_pk", keys.name_partition(prefix)),
        sort_prefix=("name_sk", prefix.casefold()),
        limit=limit,
        cursor=cursor,
    )
    return [PatientRecord.model_validate(item) for item in items], next_cursor
