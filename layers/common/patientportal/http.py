"""The one place that turns domain errors (and the resolver's own failures) into HTTP answers.

Every function builds its resolver here, so each answers errors in one shape:
``{"error": {"code": ..., "message": ..., "field": ...}}``. It also closes the validating
resolver's known gaps (STYLE.md): its default 422 body lacks ``msg``, undecodable bodies
raise ``UnicodeDecodeError``/``ValueError``, and ``@app.not_found`` would swallow domain
"not found" errors, which is why ours are a separate class.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from patientportal import errors
from patientportal.auth.principal import Principal, principal_from_claims
from patientportal.observability import logger
from patientportal.settings import get_settings

STATUS_BY_ERROR: dict[type[errors.DomainError], HTTPStatus] = {
    errors.BadRequestError: HTTPStatus.BAD_REQUEST,
    errors.UnauthorizedError: HTTPStatus.UNAUTHORIZED,
    errors.ForbiddenError: HTTPStatus.FORBIDDEN,
    errors.NotFoundError: HTTPStatus.NOT_FOUND,
    errors.ConflictError: HTTPStatus.CONFLICT,
    errors.GoneError: HTTPStatus.GONE,
    errors.ValidationFailedError: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.TooManyRequestsError: HTTPStatus.TOO_MANY_REQUESTS,
    errors.PayloadTooLargeError: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The one shape of every error this API answers (API.md)."""

    error: ErrorDetail
    current: dict[str, Any] | None = None


class GatewayMessage(BaseModel):
    """What API Gateway itself answers before a function runs (no route, no valid token)."""

    message: str


def error_response(
    status: HTTPStatus, code: str, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None
) -> Response[str]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    body: dict[str, Any] = {"error": error, **(extra or {})}
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, default=str),
    )


def status_of(error: errors.DomainError) -> HTTPStatus:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[kind]
    return HTTPStatus.BAD_REQUEST


def field_of_validation_error(detail: dict[str, Any]) -> str:
    """``("body", "items", 0, "medication")`` -> ``"items.0.medication"``; the location kind is dropped."""
    location = [str(part) for part in detail.get("loc", ())]
    if location and location[0] in {"body", "query", "path", "header", "cookie"}:
        location = location[1:]
    return ".".join(location) or "body"


def build_resolver() -> APIGatewayHttpResolver:
    """A validating HTTP API resolver with every error mapped in one place."""
    app = APIGatewayHttpResolver(enable_validation=True)

    @app.exception_handler(errors.DomainError)
    def domain_error(error: errors.DomainError) -> Response[str]:
        extra = None
        if isinstance(error, errors.ConflictError) and error.current is not None:
            extra = {"current": error.current}
        return error_response(status_of(error), error.code, error.message, field=error.field, extra=extra)

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        details = list(error.errors())
        first = details[0] if details else {}
        field = field_of_validation_error(first)
        if first.get("type") == "json_invalid":
            return error_response(HTTPStatus.BAD_REQUEST, "bad_request", "The body is not valid JSON.", field="body")
        message = f"{field}: {first.get('msg', 'is not valid')}"
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", message, field=field)

    @app.exception_handler(UnicodeDecodeError)
    def undecodable_body(_: UnicodeDecodeError) -> Response[str]:
        return error_response(HTTPStatus.BAD_REQUEST, "bad_request", "The body is not UTF-8 text.", field="body")

    @app.exception_handler(ValueError)
    def unreadable_body(error: ValueError) -> Response[str]:
        logger.info("unreadable request body", extra={"error_type": type(error).__name__})
        return error_response(HTTPStatus.BAD_REQUEST, "bad_request", "The body could not be read.", field="body")

    @app.not_found
    def unknown_route(_: Exception) -> Response[str]:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "There is no such route.")

    return app


def caller(app: APIGatewayHttpResolver) -> Principal:
    """The signed-in person making this request, from the claims the authorizer verified."""
    claims = app.current_event.request_context.authorizer.jwt_claim
    return principal_from_claims(claims, get_settings())


def api_request_id(app: APIGatewayHttpResolver) -> str:
    """API Gateway's id for this request: it ties audit entries to access-log lines."""
    return app.current_event.request_context.request_id
