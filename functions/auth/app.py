"""Public routes: practice details, sign-in, refresh and sign-out (docs/api.md "Public")."""

from typing import Annotated, cast

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body

from patientportal import priming
from patientportal.auth import cookies
from patientportal.auth.passwords import RULES_TEXT
from patientportal.errors import TooManyRequestsError, UnauthorizedError
from patientportal.http import answers, build_resolver, lambda_handler, viewer_address
from patientportal.logic.accounts import links, recovery, registration, second_factor, sessions
from patientportal.models.accounts import (
    Accepted,
    AccountReady,
    IdentityDetails,
    LinkCompletion,
    LinkInfo,
    LinkToken,
    LinkUsername,
    Registration,
    UsernameCheck,
)
from patientportal.models.auth import (
    AccountKind,
    Challenge,
    Login,
    MfaCode,
    MfaEnrolment,
    MfaStart,
    NewPasswordChallenge,
    Practice,
    SignedOut,
    Tokens,
)
from patientportal.observability import metrics
from patientportal.settings import get_settings

app = build_resolver()

# The longest a session lasts, idle or not: the pools' refresh-token validity (see the template).
REFRESH_SECONDS = {"patient": 30 * 24 * 3600, "staff": 12 * 3600}


def signed_in_response(account: sessions.Account, signed_in: sessions.SignedIn) -> Response[Tokens]:
    """Every sign-in ends here: the session is kept, and its refresh token goes into a cookie
    that ends with the browser (no Max-Age)."""
    sessions.begin(account, signed_in, lifetime_seconds=REFRESH_SECONDS[account])
    tokens = Tokens(access_token=signed_in.access_token, expires_in=signed_in.expires_in)
    refresh = signed_in.refresh_token
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=tokens,
        cookies=[cookies.refresh_cookie(account, refresh)] if refresh else [],
    )


@app.get("/api/public/practice")
def get_practice() -> Practice:
    settings = get_settings()
    return Practice(
        name=settings.practice_name, phone=settings.practice_phone, portal_path="/portal/", password_rules=RULES_TEXT
    )


@app.post("/api/auth/patient/login", responses=answers(401))
def patient_login(login: Annotated[Login, Body()]) -> Response[Tokens]:
    signed_in = sessions.patient_login(login.username, login.password, get_settings())
    metrics.add_metric(name="PatientSignIns", unit="Count", value=1)
    return signed_in_response("patient", signed_in)


def staff_step(outcome: sessions.SignedIn | sessions.StaffChallenge) -> Response[Tokens | Challenge]:
    """The next step of a staff sign-in, or its end (always through ``signed_in_response``)."""
    if isinstance(outcome, sessions.StaffChallenge):
        challenge = Challenge(challenge=outcome.name, session=outcome.session)
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=challenge)
    return cast("Response[Tokens | Challenge]", signed_in_response("staff", outcome))


@app.post("/api/auth/staff/login", responses=answers(401))
def staff_login(login: Annotated[Login, Body()]) -> Response[Tokens | Challenge]:
    """A right password answers a challenge: a new password, MFA_SETUP or SOFTWARE_TOKEN_MFA."""
    return staff_step(sessions.staff_login(login.username, login.password, get_settings()))


@app.post("/api/auth/staff/challenge", responses=answers(401))
def staff_challenge(answer: Annotated[NewPasswordChallenge, Body()]) -> Response[Tokens | Challenge]:
    """The new password of a first sign-in; enrolling the authenticator app (MFA_SETUP) follows."""
    settings = get_settings()
    return staff_step(sessions.complete_new_password(answer.username, answer.session, answer.new_password, settings))


@app.post("/api/auth/staff/mfa/enrol", responses=answers(401))
def staff_mfa_enrol(start: Annotated[MfaStart, Body()]) -> MfaEnrolment:
    """MFA_SETUP: the authenticator app's secret, its otpauth:// address and a QR code (SVG)."""
    enrolment = second_factor.enrol(start.username, start.session, issuer=get_settings().practice_name)
    return MfaEnrolment(
        session=enrolment.session,
        secret=enrolment.secret,
        otpauth_uri=enrolment.otpauth_uri,
        qr_svg=enrolment.qr_svg,
    )


@app.post("/api/auth/staff/mfa/enrol/confirm", responses=answers(401))
def staff_mfa_enrol_confirm(answer: Annotated[MfaCode, Body()]) -> Response[Tokens | Challenge]:
    """The app's first code: a wrong one is a 422 on ``code`` (try again with the same session)."""
    return staff_step(second_factor.confirm_enrolment(answer.username, answer.session, answer.code))


@app.post("/api/auth/staff/mfa/code", responses=answers(401))
def staff_mfa_code(answer: Annotated[MfaCode, Body()]) -> Response[Tokens | Challenge]:
    """SOFTWARE_TOKEN_MFA: the app's current code; a wrong one is a 422 on ``code``."""
    return staff_step(second_factor.answer_code(answer.username, answer.session, answer.code))


@app.post("/api/auth/refresh", responses=answers(401))
def refresh(request: Annotated[AccountKind, Body()]) -> Tokens:
    token = cookies.read(app.current_event.cookies, cookies.NAMES[request.account])
    if token is None:
        raise UnauthorizedError("Sign in again.")
    signed_in = sessions.refresh(request.account, token, get_settings())
    return Tokens(access_token=signed_in.access_token, expires_in=signed_in.expires_in)


@app.post("/api/auth/logout")
def logout(request: Annotated[AccountKind, Body()]) -> Response[SignedOut]:
    token = cookies.read(app.current_event.cookies, cookies.NAMES[request.account])
    sessions.logout(request.account, token, get_settings())
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=SignedOut(signed_out=True),
        cookies=[cookies.cleared(request.account)],
    )


def source_ip() -> str:
    """The viewer's address, as CloudFront names it (not the edge's): the per-address throttles' key."""
    return viewer_address(app)


def accepted(answer: Accepted, status: int = 202) -> Response[Accepted]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=answer)


def account_link_requested(details: IdentityDetails) -> Response[Accepted]:
    """The same body whatever matched; throttled attempts get it too, with 429
    (docs/security.md "Identity", 1.1 and 1.4)."""
    try:
        return accepted(recovery.request_link(details, source_ip=source_ip()))
    except TooManyRequestsError:
        metrics.add_metric(name="AccountLinkThrottled", unit="Count", value=1)
        return accepted(recovery.ACCEPTED, status=429)


@app.post("/api/auth/claim", responses=answers(success=202, bodies={429: Accepted}))
def claim_account(details: Annotated[IdentityDetails, Body()]) -> Response[Accepted]:
    return account_link_requested(details)


@app.post("/api/auth/forgot", responses=answers(success=202, bodies={429: Accepted}))
def forgot_password(details: Annotated[IdentityDetails, Body()]) -> Response[Accepted]:
    return account_link_requested(details)


@app.post("/api/auth/link/inspect", responses=answers(410))
def inspect_link(link: Annotated[LinkToken, Body()]) -> LinkInfo:
    return links.inspect(link.token)


@app.post("/api/auth/link/username", responses=answers(410, 429))
def check_link_username(check: Annotated[LinkUsername, Body()]) -> UsernameCheck:
    return links.check_username(check.token, check.username)


@app.post("/api/auth/link/complete", responses=answers(409, 410))
def complete_link(completion: Annotated[LinkCompletion, Body()]) -> AccountReady:
    return links.complete(completion.token, completion.username, completion.password)


@app.post("/api/auth/register", responses=answers(success=202, bodies={429: Accepted}))
def register(form: Annotated[Registration, Body()]) -> Response[Accepted]:
    try:
        return accepted(registration.register(form, source_ip=source_ip()))
    except TooManyRequestsError:
        return accepted(registration.REGISTERED, status=429)


priming.before_snapshot(services=("dynamodb", "cognito-idp"), resolver=app)
handler = lambda_handler(app)
