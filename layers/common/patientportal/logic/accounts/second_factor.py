"""A staff member's second factor (an authenticator app, TOTP; the staff pool requires it).

A first sign-in (after any new password) enrols the app: Cognito's secret, as an
``otpauth://`` address and a QR code drawn here (SVG), then the app's first code. Every
later sign-in asks for the current code. An admin's reset makes the member enrol again.
A wrong code is a 422 on ``code`` that can be tried again; a sign-in step that Cognito no
longer knows is a 401: sign in again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from patientportal import clock
from patientportal.auth import cognito
from patientportal.auth.principal import Principal
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.table import Table
from patientportal.errors import UnauthorizedError, ValidationFailedError
from patientportal.logic.accounts.sessions import SignedIn, StaffChallenge, staff_outcome
from patientportal.logic.patients import audit
from patientportal.models.auth import StaffMfaReset

CODE = re.compile(r"[0-9]{6}")
CODE_FORMAT = "Enter the 6-digit code your authenticator app shows for this account."
WRONG_CODE = (
    "That code is not right. Enter the code your authenticator app shows now; "
    "if a fresh code is refused too, check that the phone's clock is set automatically."
)
STEP_EXPIRED = "That sign-in took too long or was already finished. Sign in again."


@dataclass(frozen=True)
class Enrolment:
    session: str
    secret: str
    otpauth_uri: str
    qr_svg: str


def typed_code(typed: str) -> str:
    """What was typed, without the spaces an app shows in the middle of a code."""
    code = typed.replace(" ", "").replace("-", "")
    if not CODE.fullmatch(code):
        raise ValidationFailedError(CODE_FORMAT, field="code")
    return code


def otpauth_uri(issuer: str, account: str, secret: str) -> str:
    """The Key URI format authenticator apps read: the practice as issuer, the username as account."""
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30}, quote_via=quote
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str, *, title: str = "QR code for your authenticator app") -> str:
    """A standalone SVG (its own namespace, no script, black on white), for an ``<img>``."""
    import segno  # noqa: PLC0415 - about 50 ms of imports that only enrolment needs (decision 17)

    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False, svgns=True, title=title, nl=False
    )
    return out.getvalue().decode("ascii")


def enrol(username: str, session: str, *, issuer: str) -> Enrolment:
    """Cognito's new secret for this member's app (``AssociateSoftwareToken``), ready to scan."""
    try:
        secret, next_session = cognito.associate(session)
    except (cognito.StepExpiredError, cognito.WrongCodeError) as error:
        raise UnauthorizedError(STEP_EXPIRED) from error
    uri = otpauth_uri(issuer, username, secret)
    return Enrolment(session=next_session, secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


@contextmanager
def code_refusals() -> Iterator[None]:
    """Cognito's refusals of a code step: a wrong code may be tried again (422 on ``code``);
    a step it no longer knows means signing in again (401)."""
    try:
        yield
    except cognito.WrongCodeError as error:
        raise ValidationFailedError(WRONG_CODE, field="code") from error
    except cognito.StepExpiredError as error:
        raise UnauthorizedError(STEP_EXPIRED) from error


def confirm_enrolment(username: str, session: str, code: str) -> SignedIn | StaffChallenge:
    """The app's first code registers it (``VerifySoftwareToken``) and finishes MFA_SETUP."""
    checked = typed_code(code)
    with code_refusals():
        finishing = cognito.verify(session, checked)
        return staff_outcome(cognito.respond("MFA_SETUP", username, finishing))


def answer_code(username: str, session: str, code: str) -> SignedIn | StaffChallenge:
    """Every sign-in after enrolment: the app's current code answers SOFTWARE_TOKEN_MFA."""
    checked = typed_code(code)
    with code_refusals():
        return staff_outcome(cognito.respond("SOFTWARE_TOKEN_MFA", username, session, code=checked))


def reset(admin: Principal, username: str, *, api_request_id: str) -> StaffMfaReset:
    """An admin's reset (a lost or new phone): the member enrols again at the next sign-in
    and is signed out everywhere now. One audit entry names who, whom, when and the request."""
    cognito.reset_second_factor(username)
    # Their access tokens too, not only the refresh tokens Cognito revokes (decision 40); and
    # the staff accounts page shows the app as not set up until their next sign-in.
    stored_sessions.record_second_factor_reset(username, clock.revocation_point(), clock.timestamp(), table=Table())
    entry = audit.record_staff(admin, "staff_mfa_reset", username, api_request_id)
    return StaffMfaReset(username=username, reset_at=str(entry["at"]))
