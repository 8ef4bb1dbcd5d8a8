"""The portal's table in moto's in-process DynamoDB (``mock_aws``: no server, no template),
for the unit tests whose promise is a conditional write: DynamoDB itself decides whether a
condition holds, so the test checks the expression the layer built, not its wording.

The table is made with the template's own keys and indexes (read once). Other AWS clients
stay unmade: a test that reaches Cognito must replace it first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from local import template as cfn
from patientportal import aws, normalise
from patientportal.dal import keys, patients
from patientportal.dal.table import Table
from patientportal.models.records import PatientRecord
from patientportal.settings import get_settings

TABLE_NAME = "unit-portal"


@cache
def table_definition() -> dict[str, Any]:
    """The template's table: its keys, attribute definitions and indexes."""
    (table,) = cfn.resources_of_type(cfn.load(), "AWS::DynamoDB::Table").values()
    properties = table["Properties"]
    return {key: properties[key] for key in ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes")}


@cache
def client() -> Any:
    """One client for every test: moto intercepts it while a ``mock_aws`` is active, and
    each ``mock_aws`` starts with no tables (making a client costs more than a table)."""
    return botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")


@contextmanager
def in_process_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Table]:
    """The table, empty, with the settings naming it; everything is gone afterwards."""
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    monkeypatch.setenv("PRACTICE_NAME", "Unit Practice")
    get_settings.cache_clear()
    with mock_aws():
        client().create_table(TableName=TABLE_NAME, BillingMode="PAY_PER_REQUEST", **table_definition())
        monkeypatch.setitem(aws._clients, "dynamodb", client())
        try:
            yield Table()
        finally:
            get_settings.cache_clear()


# An invented patient with access on, as every test of these modules starts from one.
PATIENT: dict[str, Any] = {
    "patient_id": "p-1",
    "first_name": "Ava",
    "last_name": "Thompson",
    "date_of_birth": "1984-03-12",
    "email": "ava@example.com",
    "zip": "02139",
    "portal_access_enabled": True,
}


def store_patient(table: Table, **fields: Any) -> PatientRecord:
    """The patient stored as the layer stores one (``fields`` change it); with a username,
    its username item too."""
    record = PatientRecord.model_validate({**PATIENT, **fields})
    table.put(patients.patient_item(record, normalise.email(record.email)))
    if record.username:
        table.put(keys.username_entry(record.username, record.patient_id))
    return record
