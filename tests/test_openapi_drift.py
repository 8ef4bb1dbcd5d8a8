"""docs/openapi.json is generated from the code (`make openapi`) and must not drift."""

from __future__ import annotations

import json

from local import template as cfn
from local.openapi import document

COMMITTED = cfn.ROOT / "docs" / "openapi.json"


def test_committed_openapi_document_matches_the_code():
    committed = json.loads(COMMITTED.read_text())
    assert committed == document(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_every_operation_documents_the_one_error_shape():
    shapes = {"#/components/schemas/ErrorBody", "#/components/schemas/GatewayMessage"}
    for operations in document()["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            assert "422" in responses
            assert "default" not in responses, "every status is declared (docs/api.md 'Status codes')"
            assert any(status.startswith("2") for status in responses)
            for status, response in responses.items():
                if status.startswith("4") and status != "429":
                    schema = response["content"]["application/json"]["schema"]
                    refs = {option["$ref"] for option in schema.get("anyOf", [schema])}
                    assert refs <= shapes, (status, refs)
