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
    for operations in document()["paths"].values():
        for operation in operations.values():
            assert "422" in operation["responses"]
            assert "default" in operation["responses"]
