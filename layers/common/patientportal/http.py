"""The one place that turns domain errors (and the resolver's own failures) into HTTP answers.

Every function builds its resolver here, so each answers errors in one shape:
``{"error": {"code": ..., "message": ..., "field": ...}}``. It also closes the validating
resolver's known gaps (docs/architecture.md "Conventions"): its default 422 body lacks
``msg``, undecodable bodies raise ``UnicodeDecodeError``/``ValueError``, a body nested too
deeply raises ``RecursionError`` in the JSON decoder, a non-JSON content type answers
Powertools' own 415 shape (and forms are parsed as forms), and ``@app.not_found`` would
swallow domain "not found" errors, which is why ours are a separate class. And every
resolver answers only requests that came through the template's CloudFront distribution,
whose header also names the viewer's address.

A route says who may call it in its signature, with the dependencies at the end of this
module (``Staff``, ``Admin``, ``Patient``, ``RequestId``) and the paging parameters every list
declares (``Limit``, ``Cursor``); ``tests/unit/test_route_dependencies.py`` checks that every
staff and patient route names its caller. ``lambda_handler`` is every API function's handler.
"""

import hmac
import ipaddress
import json
from collections.abc import Callable, Mapping
from contextlib import suppress
from http import HTTPStatus
from typing import Annotated, Any, cast

from aws_lambda_powertools.event_handler import (
    APIGatewayHttpResolver,
    DependencyResolutionError,
    Depends,
    Request,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from patientportal import errors
from patientportal.auth.principal import Principal, principal_from_claims
from patientportal.logic.accounts import request_checks
from patientportal.models.records import PatientRecord
from patientportal.observability import logger, metrics
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
    errors.UnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
}

RETRY_AFTER_SECONDS = 2


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The one shape of every error this API answers (docs/api.md "Errors")."""

    error: ErrorDetail
    current: dict[str, Any] | None = None


class GatewayMessage(BaseModel):
    """What API Gateway itself answers before a function runs (no route, no valid token)."""

    message: str


# What each status a route declares means (docs/api.md "Status codes"); ``answers`` below.
SUCCESS_DESCRIPTIONS: dict[int, str] = {
    200: "The answer.",
    201: "Created.",
    202: "Accepted: work or an email follows.",
}
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "A body, a cursor or a file that cannot be read; `field` names it.",
    401: "Sign in (again).",
    404: "No such item, or not yours.",
    409: "The item changed since it was read (`current` is the item as it now stands), a username is taken, "
    "or the change would leave no administrator.",
    410: "A one-time link that is used, expired or replaced.",
    413: "A file too large.",
    429: "Throttled.",
}


def answers(
    *error_statuses: int, success: int = 200, bodies: Mapping[int, type[BaseModel]] | None = None
) -> dict[int, OpenAPIResponse]:
    """A route's ``responses=``: the status it answers with its return annotation's model
    (``success``), other answers with a model of their own (``bodies``: a second success, or a
    throttled answer with the success body), and every error status it gives on purpose, in
    the one error shape. What every route can answer (403, 422, API Gateway's 401, 413 and 429)
    and what every body or list route can (400, 415) is added by ``local.openapi``."""
    declared: dict[int, OpenAPIResponse] = {success: {"description": SUCCESS_DESCRIPTIONS[success]}}
    for status in error_statuses:
        declared[status] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {content_types.APPLICATION_JSON: {"model": ErrorBody}},
        }
    for status, model in (bodies or {}).items():
        description = SUCCESS_DESCRIPTIONS.get(status) or ERROR_DESCRIPTIONS[status]
        declared[status] = {"description": description, "content": {content_types.APPLICATION_JSON: {"model": model}}}
    return declared


def error_response(
    status: HTTPStatus,
    code: str,
    message: str,
    *,
    field: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    body: dict[str, Any] = {"error": error, **(extra or {})}
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, default=str),
        headers=headers,
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


def read_json(text: str) -> Any:
    """The body's JSON. Python's decoder recurses once per nesting level, so a body nested
    thousands deep raises ``RecursionError`` (quickly: it stops at the recursion limit). A
    ``\\ud800``-style escape of half a surrogate pair decodes to no Unicode text at all
    (RFC 8259 8.2), which nothing after this could store, send or log: the body is refused."""
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise errors.BadRequestError("The body is nested too deeply to be read.", field="body") from error
    if "\\u" in text:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise errors.BadRequestError("The body is not UTF-8 text.", field="body") from error
    return value


def is_json(content_type: str) -> bool:
    """``application/json`` with or without parameters, in any case; no content type at all
    counts as JSON, as Powertools reads it."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in {"", "application/json"}


class JsonBodiesOnly(OpenAPIRequestValidationMiddleware):
    """Request bodies of validated routes are JSON and nothing else. Powertools would read a
    form or multipart body as fields (a form is what a page on another site can send without
    asking first) and answers any other type with its own 415 shape; here every other type is
    the 415 below, in the API's shape. (The CSV import reads its body itself: no body model.)"""

    def _get_body(self, app: Any) -> dict[str, Any]:
        content_type = app.current_event.headers.get("content-type", "")
        if not is_json(content_type):
            raise RequestUnsupportedContentType(
                "Unsupported content type",
                errors=[{"type": "unsupported_content_type", "loc": ("body",), "msg": content_type}],
            )
        return self._parse_json_data(app)


# CloudFront adds both to every /api/* request (the template's api origin and its origin
# request policy), replacing any header of the same name a viewer sent.
ORIGIN_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"


def from_distribution(headers: Mapping[str, str] | None) -> bool:
    """Whether a request carries the secret CloudFront adds; with none configured, none does."""
    expected = get_settings().origin_verify_secret
    sent = (headers or {}).get(ORIGIN_HEADER, "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


class DistributionOnlyResolver(APIGatewayHttpResolver):
    """Answers only requests that came through the template's CloudFront distribution. The
    execute-api address is public, and a request sent there directly would skip CloudFront
    and could name any viewer address it liked; it is refused before anything is read or
    called. Every answer also tells CloudFront to keep nothing (its cache key needs a
    maximum TTL above 0, see the template's ApiCachePolicy).

    Powertools wraps what a route's dependency raises in ``DependencyResolutionError``; the
    exception handlers answer what it wraps, and what none answers (say, DynamoDB failing
    while the caller is checked) leaves the function as itself, as when the route called it."""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        if from_distribution(event.get("headers")):
            answer = self._resolve_unwrapped(event, context)
        else:
            logger.warning("API request without CloudFront's origin header refused")
            refused = error_response(HTTPStatus.FORBIDDEN, "forbidden", "Use the portal's own address.")
            answer = {
                "statusCode": refused.status_code,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "cookies": [],
                "body": refused.body,
                "isBase64Encoded": False,
            }
        answer.setdefault("headers", {}).setdefault("Cache-Control", "no-store")
        return answer

    def _resolve_unwrapped(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        try:
            return super().resolve(event, context)
        except DependencyResolutionError as wrapped:
            if not isinstance(wrapped.__cause__, Exception):
                raise
            failure = wrapped.__cause__
        raise failure  # outside the except block: its traceback and chain stay its own


def viewer_ip(header: str | None, connection: str) -> str:
    """The address in ``CloudFront-Viewer-Address`` (``ip:port``; an IPv6 address comes
    without brackets, so the port is after the last colon), in its normal form; the
    connection's own address when the header is missing or unreadable."""
    address, separator, port = (header or "").rpartition(":")
    if separator and port.isdigit():
        with suppress(ValueError):
            return ipaddress.ip_address(address).compressed
    return connection


def viewer_address(app: APIGatewayHttpResolver) -> str:
    """The address the per-address throttles count: the viewer's, as CloudFront names it.
    API Gateway's ``sourceIp`` is the CloudFront edge's, which everyone behind that edge
    shares; the request came through the distribution (its secret was checked), and
    CloudFront replaces any such header a viewer sends, so the value is CloudFront's."""
    event = app.current_event
    header = event.headers.get(VIEWER_ADDRESS_HEADER)
    if header is None:
        logger.warning("no viewer address from CloudFront; counting the connection's")
    return viewer_ip(header, event.request_context.http.source_ip)


def build_resolver() -> APIGatewayHttpResolver:
    """A validating HTTP API resolver with every error mapped in one place."""
    app = DistributionOnlyResolver(enable_validation=True, json_body_deserializer=read_json)
    # Routes take their request validation middleware from this attribute when first built
    # (Powertools 3), so ours reads the bodies; tests/unit/test_http_errors.py pins it.
    app._request_validation_middleware = JsonBodiesOnly()  # type: ignore[no-untyped-call]

    @app.exception_handler(errors.DomainError)
    def domain_error(error: errors.DomainError) -> Response[str]:
        extra = None
        if isinstance(error, errors.ConflictError) and error.current is not None:
            extra = {"current": error.current}
        # A busy AWS: the same request again in a moment can succeed (docs/api.md "Status codes").
        headers = None
        if isinstance(error, errors.UnavailableError):
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            logger.warning("AWS busy or unavailable; answered 503", extra={"aws_code": error.aws_code})
        return error_response(
            status_of(error), error.code, error.message, field=error.field, extra=extra, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        details = list(error.errors())
        first = details[0] if details else {}
        field = field_of_validation_error(first)
        if first.get("type") == "json_invalid":
            return error_response(HTTPStatus.BAD_REQUEST, "bad_request", "The body is not valid JSON.", field="body")
        message = f"{field}: {first.get('msg', 'is not valid')}"
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", message, field=field)

    @app.exception_handler(RequestUnsupportedContentType)
    def unsupported_body(_: RequestUnsupportedContentType) -> Response[str]:
        return error_response(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON, with Content-Type: application/json.",
            field="content-type",
        )

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


def lambda_handler(app: APIGatewayHttpResolver) -> Callable[[dict[str, object], LambdaContext], dict[str, object]]:
    """An API function's Lambda handler: the resolver's answer, with the invocation's context
    on every log line (none left from the one before) and its metrics flushed."""

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
        return app.resolve(event, context)

    return handler


# Who is calling, as the routes' dependencies (Powertools' Depends): each is worked out after
# the request is validated and before the route runs, once per request, and what it raises
# is answered by the exception handlers above. They add nothing to the OpenAPI document.


def http_event(request: Request) -> APIGatewayProxyEventV2:
    """The request's event: every resolver built here serves an HTTP API (payload 2.0)."""
    return cast("APIGatewayProxyEventV2", request.resolved_event)


def caller(request: Request) -> Principal:
    """The signed-in person making this request, from the claims the authorizer verified; a
    staff token from before that person's sign-out is refused here (patients' are refused
    by ``request_checks.active_patient``, which reads their record anyway)."""
    claims = http_event(request).request_context.authorizer.jwt_claim
    return request_checks.signed_in_staff(principal_from_claims(claims, get_settings()))


def staff_caller(request: Request) -> Principal:
    """A signed-in member of staff (or an admin)."""
    return caller(request).require_staff()


def admin_caller(request: Request) -> Principal:
    """A signed-in member of staff in the admin group."""
    return caller(request).require_admin()


def patient_caller(request: Request) -> PatientRecord:
    """The signed-in patient's record, while their access is on and their session stands."""
    return request_checks.active_patient(caller(request))


def api_request_id(request: Request) -> str:
    """API Gateway's id for this request: it ties audit entries to access-log lines."""
    return http_event(request).request_context.request_id


Staff = Annotated[Principal, Depends(staff_caller)]
Admin = Annotated[Principal, Depends(admin_caller)]
Patient = Annotated[PatientRecord, Depends(patient_caller)]
RequestId = Annotated[str, Depends(api_request_id)]

# The paging query parameters of every list route (each declares ``limit: Limit = 50`` and
# ``cursor: Cursor = None``); the cursor is the opaque one the previous page answered, base64url
# without padding (``dal.cursors``), so any other character is a 422 before it is read.
Limit = Annotated[int, Query(ge=1, le=200)]
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
Cursor = Annotated[str | None, Query(min_length=1, max_length=2048, pattern=CURSOR_PATTERN)]

# Every id in a path (patients, requests, messages, jobs) is one this API made: hex digits,
# a time-ordered id, or the demo data's and imports' letters, digits and hyphens (``ids``).
ID_PATTERN = r"^[A-Za-z0-9_-]+$"
ItemId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
