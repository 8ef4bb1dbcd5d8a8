"""The API's OpenAPI document, generated from the code of the four functions that serve HTTP routes.

``make openapi`` writes it to docs/openapi.json; a test fails when the committed copy drifts
from what the code serves.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from local import template as cfn
from patientportal.http import ErrorBody, ErrorDetail, GatewayMessage

TITLE = "Patient portal API"
VERSION = "1"


def function_apps() -> dict[str, Any]:
    """Each function's resolver, by the template's logical id."""
    apps = {}
    for name, body in cfn.resources_of_type(cfn.load(), "AWS::Serverless::Function").items():
        module = importlib.import_module(f"functions.{cfn.function_area(body)}.app")
        if hasattr(module, "app"):
            apps[name] = module.app
    return apps


def schema_of(app: Any) -> dict[str, Any]:
    document: dict[str, Any] = app.get_openapi_schema(title=TITLE, version=VERSION).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    return document


def with_error_responses(merged: dict[str, Any]) -> None:
    """Every operation's errors have our one shape (patientportal.http), not the resolver's
    default 422 body; API Gateway's own 401/404 answers are ``{"message": ...}``."""
    schemas = merged["components"]["schemas"]
    for model in (ErrorBody, ErrorDetail, GatewayMessage):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, inner in definition.pop("$defs", {}).items():
            schemas[name] = inner
        schemas[model.__name__] = definition
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    either = {
        "application/json": {
            "schema": {
                "anyOf": [
                    {"$ref": "#/components/schemas/ErrorBody"},
                    {"$ref": "#/components/schemas/GatewayMessage"},
                ]
            }
        }
    }
    for operations in merged["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses["422"] = {"description": "A field is missing or not valid; `field` names it.", "content": error}
            responses["default"] = {"description": "Any other error.", "content": either}


def document() -> dict[str, Any]:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION},
        "paths": {},
        "components": {"schemas": {}},
    }
    for name, app in sorted(function_apps().items()):
        schema = schema_of(app)
        for path, operations in schema.get("paths", {}).items():
            merged["paths"].setdefault(path, {}).update(operations)
        for component, definition in schema.get("components", {}).get("schemas", {}).items():
            existing = merged["components"]["schemas"].setdefault(component, definition)
            if existing != definition:
                raise ValueError(f"{name} defines schema {component} differently from another function")
    with_error_responses(merged)
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"]["schemas"] = dict(sorted(merged["components"]["schemas"].items()))
    return merged


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
