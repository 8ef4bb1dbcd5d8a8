"""Public routes: practice details, sign-in, refresh and sign-out (API.md "Public")."""

from __future__ import annotations

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.auth import cookies
from patientportal.auth.passwords import RULES_TEXT
from patientportal.errors import TooManyRequestsError, UnauthorizedError
from patientportal.http import build_resolver
from patientportal.logic import links, recovery, registration, sessions
from patientportal.models.accounts import (
    Accepted,
    AccountReady,
    EmailVerified,
    IdentityDetails,
    LinkCompletion,
    LinkInfo,
    LinkToken,
    LinkUsername,
    Registration,
    UsernameCheck,
)
from patientportal.models.auth import AccountKind, Challenge, Login, NewPasswordChallenge, Practice, SignedOut, Tokens
from patientportal.observability import logger, metrics
from patientportal.settings import get_settings

app = build_resolver()

# How long the refresh cookie lives: the pools' refresh-token validity (see the template).
REFRESH_SECONDS = {"patient": 30 * 24 * 3600, "staff": 12 * 3600}


def signed_in_response(account: sessions.Account, signed_in: sessions.SignedIn) -> Response[Tokens]:
    tokens = Tokens(access_token=signed_in.access_token, expires_in=signed_in.expires_in)
    refresh = signed_in.refresh_token
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=tokens,
        cookies=[cookies.refresh_cookie(account, refresh, REFRESH_SECONDS[account])] if refresh else [],
    )


@app.get("/api/public/practice")
def get_practice() -> Practice:
    settings = get_settings()
    return Practice(
        name=settings.practice_name, phone=settings.practice_phone, portal_path="/portal/", password_rules=RULES_TEXT
    )


@app.post("/api/auth/patient/login")
def patient_login(login: Annotated[Login, Body()]) -> Response[Tokens]:
    signed_in = sessions.patient_login(login.username, login.password, get_settings())
    metrics.add_metric(name="PatientSignIns", unit="Count", value=1)
    return signed_in_response("patient", signed_in)


@app.post("/api/auth/staff/login")
def staff_login(login: Annotated[Login, Body()]) -> Response[Tokens | Challenge]:
    outcome = sessions.staff_login(login.username, login.password, get_settings())
    if isinstance(outcome, sessions.NewPasswordNeeded):
        challenge = Challenge(challenge="NEW_PASSWORD_REQUIRED", session=outcome.session)
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=challenge)
    return cast("Response[Tokens | Challenge]", signed_in_response("staff", outcome))


@app.post("/api/auth/staff/challenge")
def staff_challenge(answer: Annotated[NewPasswordChallenge, Body()]) -> Response[Tokens]:
    signed_in = sessions.complete_new_password(answer.username, answer.session, answer.new_password, get_settings())
    return signed_in_response("staff", signed_in)


@app.post("/api/auth/refresh")
def refresh(request: Annotated[AccountKind, Body()]) -> Tokens:
    token = cookies.read(app.current_event.cookies, cookies.NAMES[request.account])
    if token is None:
        raise UnauthorizedError("Sign in again.")
    signed_in = sessions.refresh(request.account, token, get_settings())
    return Tokens(access_token=signed_in.access_token, expires_in=signed_in.expires_in)


@app.post("/api/auth/logout")
def logout(request: Annotated[AccountKind, Body()]) -> Response[SignedOut]:
    authorization = app.current_event.headers.get("authorization", "")
    sessions.logout(authorization.removeprefix("Bearer ").strip() or None)
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=SignedOut(signed_out=True),
        cookies=[cookies.cleared(request.account)],
    )


def source_ip() -> str:
    return app.current_event.request_context.http.source_ip


def accepted(answer: Accepted, status: int = 202) -> Response[Accepted]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=answer)


def account_link_requested(details: IdentityDetails) -> Response[Accepted]:
    """The same body whatever matched; throttled attempts get it too, with 429 (SECURITY.md 1, 4)."""
    try:
        return accepted(recovery.request_link(details, source_ip=source_ip()))
    except TooManyRequestsError:
        metrics.add_metric(name="AccountLinkThrottled", unit="Count", value=1)
        return accepted(recovery.ACCEPTED, status=429)


@app.post("/api/auth/claim")
def claim_account(details: Annotated[IdentityDetails, Body()]) -> Response[Accepted]:
    return account_link_requested(details)


@app.post("/api/auth/forgot")
def forgot_password(details: Annotated[IdentityDetails, Body()]) -> Response[Accepted]:
    return account_link_requested(details)


@app.post("/api/auth/link/inspect")
def inspect_link(link: Annotated[LinkToken, Body()]) -> LinkInfo:
    return links.inspect(link.token)


@app.post("/api/auth/link/username")
def check_link_username(check: Annotated[LinkUsername, Body()]) -> UsernameCheck:
    return links.check_username(check.token, check.username)


@app.post("/api/auth/link/complete")
def complete_link(completion: Annotated[LinkCompletion, Body()]) -> AccountReady:
    return links.complete(completion.token, completion.username, completion.password)


@app.post("/api/auth/register")
def register(form: Annotated[Registration, Body()]) -> Response[Accepted]:
    try:
        return accepted(registration.register(form, source_ip=source_ip()))
    except TooManyRequestsError:
        return accepted(registration.REGISTERED, status=429)


@app.post("/api/auth/verify-email")
def verify_email(link: Annotated[LinkToken, Body()]) -> EmailVerified:
    return links.verify_email(link.token)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
