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


ERROR = {"$ref": "#/components/schemas/ErrorBody"}
GATEWAY = {"$ref": "#/components/schemas/GatewayMessage"}


def declare(operation: dict[str, Any], status: str, description: str, schema: dict[str, Any]) -> None:
    """Adds ``schema`` to what ``status`` can answer; a status the route declared keeps its
    own description and gains the other shape as an alternative."""
    responses = operation.setdefault("responses", {})
    existing = responses.get(status)
    if existing is None:
        responses[status] = {"description": description, "content": {"application/json": {"schema": schema}}}
        return
    content = existing.setdefault("content", {}).setdefault("application/json", {})
    current = content.get("schema")
    if current is None or current == schema:
        content["schema"] = schema
        return
    options = current["anyOf"] if set(current) == {"anyOf"} else [current]
    if schema not in options:
        content["schema"] = {"anyOf": [*options, schema]}


def authorized_routes() -> set[tuple[str, str]]:
    """(method, path) of the routes API Gateway checks a token for (the template's authorizers)."""
    return {(route.method.lower(), route.path) for route in cfn.http_routes(cfn.load()) if route.authorizer}


def with_error_responses(merged: dict[str, Any]) -> None:
    """Every operation's errors have our one shape (patientportal.http), not the resolver's
    default 422 body; API Gateway's own 401, 413 and 429 answers are ``{"message": ...}``.
    The routes declare their own answers (``patientportal.http.answers``); what every route
    can answer, and every route with a body or a cursor, is added here."""
    schemas = merged["components"]["schemas"]
    for model in (ErrorBody, ErrorDetail, GatewayMessage):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, inner in definition.pop("$defs", {}).items():
            schemas[name] = inner
        schemas[model.__name__] = definition
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    authorized = authorized_routes()
    for path, operations in merged["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses["422"] = {
                "description": "A field is missing or not valid; `field` names it.",
                "content": {"application/json": {"schema": ERROR}},
            }
            forbidden = "The wrong kind of caller for the route, or not through the portal's own address."
            declare(operation, "403", forbidden, ERROR)
            if (method, path) in authorized:
                signed_out = "No valid token (API Gateway's answer), or a revoked one: sign in again."
                declare(operation, "401", signed_out, ERROR)
                declare(operation, "401", signed_out, GATEWAY)
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            if "requestBody" in operation or "cursor" in names:
                declare(operation, "400", "A body or a cursor that cannot be read; `field` names it.", ERROR)
            if "requestBody" in operation:
                declare(operation, "415", "A body that is not JSON (`field: content-type`).", ERROR)
            declare(operation, "413", "A request over API Gateway's payload limit.", GATEWAY)
            declare(operation, "429", "Throttled by API Gateway.", GATEWAY)
            busy = "AWS was busy or briefly unavailable: nothing was changed; try again after `Retry-After` seconds."
            declare(operation, "503", busy, ERROR)
            operation["responses"] = dict(sorted(responses.items()))


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
