"""Signing in and out through Cognito (docs/architecture.md "Identity and sessions").

Every failure answers the same generic 401, whether the username exists, the password is
wrong or access is off, so sign-in tells an attacker nothing (docs/security.md "Identity", 1.3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Literal

from patientportal import clock
from patientportal.auth import cognito, link_tokens, passwords
from patientportal.auth.tokens import unverified_claims
from patientportal.dal import keys, patients
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, UnauthorizedError
from patientportal.portal_status import can_sign_in
from patientportal.settings import Settings

Account = Literal["patient", "staff"]

GENERIC_FAILURE = "The username or password is not right, or the account cannot sign in."
# The patients' refusal, the same whoever tried: a newly registered patient has no username
# until the confirmation email's link, so they are told where to look without being told
# whether an account exists.
PATIENT_FAILURE = (
    f"{GENERIC_FAILURE} If you have just registered, use the link in the confirmation email first: "
    "it is where you choose your username and password."
)


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    expires_in: int
    refresh_token: str | None


StaffChallengeName = Literal["NEW_PASSWORD_REQUIRED", "MFA_SETUP", "SOFTWARE_TOKEN_MFA"]
STAFF_CHALLENGES: tuple[StaffChallengeName, ...] = ("NEW_PASSWORD_REQUIRED", "MFA_SETUP", "SOFTWARE_TOKEN_MFA")


@dataclass(frozen=True)
class StaffChallenge:
    """A step Cognito asks for before a staff member is signed in: a new password (first
    sign-in), enrolling an authenticator app (MFA_SETUP) or its code (SOFTWARE_TOKEN_MFA)."""

    name: StaffChallengeName
    session: str


def _authenticate(client_id: str, username: str, password: str) -> cognito.Answer:
    try:
        return cognito.authenticate(client_id, username, password)
    except cognito.RefusedError as error:
        raise UnauthorizedError(GENERIC_FAILURE) from error


def _signed_in(answer: cognito.Answer) -> SignedIn:
    if answer.access_token is None:
        raise UnauthorizedError(GENERIC_FAILURE)
    return SignedIn(access_token=answer.access_token, expires_in=answer.expires_in, refresh_token=answer.refresh_token)


def after_revocation(signed_in: SignedIn, valid_after: int, again: Callable[[], SignedIn]) -> SignedIn:
    """Tokens carry whole seconds and a revocation refuses its own second (decision 34), so a
    token issued in that second (a sign-in right after a password change, a refresh right
    after another session's sign-out) would be refused: ``again`` takes one from the next."""
    if int(unverified_claims(signed_in.access_token).get("iat", 0)) >= valid_after:
        return signed_in
    clock.wait_until(valid_after)
    return again()


def patient_id_for_username(username: str) -> str | None:
    found = Table().get(keys.username(username))
    return str(found["patient_id"]) if found else None


def nobody(username: str) -> str:
    """A Cognito username no patient has (patient ids never start with ``nobody-``): an
    unknown username is still put to Cognito, so both paths do the same work and take the
    same time (docs/security.md)."""
    return "nobody-" + hashlib.sha256(username.casefold().encode()).hexdigest()[:32]


def patient_login(username: str, password: str, settings: Settings) -> SignedIn:
    """The typed username is ours; Cognito knows the patient by their patient id."""
    patient_id = patient_id_for_username(username)
    try:
        signed_in = _signed_in(_authenticate(settings.patient_client_id, patient_id or nobody(username), password))
    except UnauthorizedError as error:
        raise UnauthorizedError(PATIENT_FAILURE) from error
    patient = patients.get_patient(patient_id) if patient_id else None
    if patient_id is None or patient is None or not can_sign_in(patient):
        raise UnauthorizedError(PATIENT_FAILURE)
    signed_in = after_revocation(
        signed_in,
        patient.sessions_valid_after,
        lambda: _signed_in(_authenticate(settings.patient_client_id, patient_id, password)),
    )
    patients.record_login(patient, clock.timestamp())
    return signed_in


def staff_outcome(answer: cognito.Answer) -> SignedIn | StaffChallenge:
    """Signed in, or the next step of a staff sign-in; any other challenge is refused."""
    for known in STAFF_CHALLENGES:
        if answer.challenge == known and answer.session:
            return StaffChallenge(name=known, session=answer.session)
    if answer.challenge:
        raise UnauthorizedError(GENERIC_FAILURE)
    return _signed_in(answer)


def staff_login(username: str, password: str, settings: Settings) -> SignedIn | StaffChallenge:
    """The staff pool requires a second factor: a password that is right leads to a challenge
    (``logic.second_factor`` answers MFA_SETUP and SOFTWARE_TOKEN_MFA)."""
    return staff_outcome(_authenticate(settings.staff_client_id, username, password))


def complete_new_password(
    username: str, session: str, new_password: str, settings: Settings
) -> SignedIn | StaffChallenge:
    """A staff member's first sign-in: Cognito's temporary password is replaced; enrolling
    the authenticator app (MFA_SETUP) comes next."""
    passwords.check(new_password, username=username)
    try:
        answer = cognito.answer_new_password(settings.staff_client_id, username, session, new_password)
    except cognito.RefusedError as error:
        raise UnauthorizedError(GENERIC_FAILURE) from error
    return staff_outcome(answer)


def client_of(account: Account, settings: Settings) -> str:
    return settings.patient_client_id if account == "patient" else settings.staff_client_id


def begin(account: Account, signed_in: SignedIn, *, lifetime_seconds: int) -> None:
    """Keeps the new session, found by its refresh token alone, so the server can tell how
    long it sat idle and end it at sign-out."""
    if not signed_in.refresh_token:
        return
    now = clock.epoch_seconds()
    claims = unverified_claims(signed_in.access_token)
    subject = str(claims.get("username", ""))
    table = Table()
    stored_sessions.start(
        link_tokens.digest(signed_in.refresh_token),
        account=account,
        subject=subject,
        now=now,
        expires_at=now + lifetime_seconds,
        table=table,
    )
    if account == "staff":
        # The last sign-in, for the staff accounts page; and a sign-in in the very second of a
        # sign-out keeps its token (the update answers the sign-out moment, so it is one write).
        issued_at = int(claims.get("iat", 0))
        if stored_sessions.record_staff_sign_in(subject, clock.timestamp(), table=table) > issued_at:
            stored_sessions.allow_staff_tokens_from(subject, issued_at, table=table)


SIGN_IN_AGAIN = "Sign in again."
IDLE = "You were signed out after a while without activity. Sign in again."


def refresh(account: Account, refresh_token: str, settings: Settings) -> SignedIn:
    """A new access token, only for a session this server started, that was not signed out
    and has not sat idle past ``session_idle_minutes`` (a new token is activity: the pages
    ask for one while the person works). An idle session is ended for good."""
    table = Table()
    session = stored_sessions.find(link_tokens.digest(refresh_token), table=table)
    if session is None or session.account != account:
        raise UnauthorizedError(SIGN_IN_AGAIN)
    now = clock.epoch_seconds()
    if now - session.last_active_at > settings.session_idle_minutes * 60:
        _end(session, refresh_token, settings, table=table)
        raise UnauthorizedError(IDLE)
    signed_in = _renewed(account, refresh_token, settings)
    if account == "patient":
        patient = patients.get_patient(session.subject, table=table)
        if patient is None or not can_sign_in(patient):
            raise UnauthorizedError(SIGN_IN_AGAIN)
        valid_after = patient.sessions_valid_after
    else:
        valid_after = stored_sessions.staff_signed_out_at(session.subject, table=table)
    signed_in = after_revocation(signed_in, valid_after, lambda: _renewed(account, refresh_token, settings))
    if not stored_sessions.touch(session, now=now, table=table):
        raise UnauthorizedError(SIGN_IN_AGAIN)  # signed out meanwhile, in another tab
    return SignedIn(access_token=signed_in.access_token, expires_in=signed_in.expires_in, refresh_token=None)


def _renewed(account: Account, refresh_token: str, settings: Settings) -> SignedIn:
    try:
        answer = cognito.renew(client_of(account, settings), refresh_token)
    except cognito.RefusedError as error:
        raise UnauthorizedError(SIGN_IN_AGAIN) from error
    return _signed_in(answer)


def _revoke(account: Account, refresh_token: str, settings: Settings) -> None:
    with suppress(cognito.RefusedError):  # already revoked, or Cognito unsure: the rest still holds
        cognito.revoke(client_of(account, settings), refresh_token)


def _end(session: stored_sessions.Session, refresh_token: str, settings: Settings, *, table: Table) -> None:
    """Revokes the session's refresh token and refuses every access token issued before now
    (for a patient on their record, for staff on theirs); other sessions of the same person
    renew their access tokens with their own refresh tokens."""
    _revoke(session.account, refresh_token, settings)
    valid_after = clock.revocation_point()
    if session.account == "patient":
        with suppress(ConflictError):  # no such patient any more: nothing to refuse
            patients.update_patient(session.subject, {"sessions_valid_after": valid_after}, table=table)
    else:
        stored_sessions.record_staff_sign_out(session.subject, valid_after, table=table)
    stored_sessions.end(session, table=table)


def logout(account: Account, refresh_token: str | None, settings: Settings) -> None:
    """Ends the session whose refresh cookie this is, whether or not its access token is still
    good; without the cookie (signed out already, in another tab) there is nothing to end."""
    if not refresh_token:
        return
    table = Table()
    session = stored_sessions.find(link_tokens.digest(refresh_token), table=table)
    if session is None or session.account != account:
        _revoke(account, refresh_token, settings)  # not one of ours: revoked all the same
        return
    _end(session, refresh_token, settings, table=table)
