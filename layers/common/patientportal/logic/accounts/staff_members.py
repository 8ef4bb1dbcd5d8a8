"""The staff accounts an administrator manages (docs/api.md "Staff: staff members"): the list,
an invitation, a member's role, and their account turned off or on. (A reset of a member's
authenticator app is ``second_factor.reset``.)

Cognito keeps the accounts and their groups: front desk is the group ``staff`` alone, an
administrator ``staff`` and ``admin``. The portal's ``STAFF#<username>`` item keeps what
Cognito does not tell: the last sign-in (written where a staff sign-in completes,
``sessions.begin``) and the app's last reset.

Every change is audited on the member (who, what, whom, when, request) after Cognito has
made it, and takes effect on their next request: every token issued to them until now is
refused (decision 40) and Cognito has revoked their refresh tokens, so their next sign-in's
token carries the new groups. The practice always keeps an administrator who can sign in: a
change that would leave no enabled administrator is a 409 saying why, and such changes are
counted and made one at a time, under the administrators' lease (Cognito has no conditional
writes; ``dal.administrators_lease``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from patientportal import clock
from patientportal.auth import cognito
from patientportal.auth.principal import Principal
from patientportal.dal import administrators_lease
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.table import Table
from patientportal.errors import BadRequestError, ConflictError
from patientportal.logic.patients import audit
from patientportal.models.common import Page
from patientportal.models.staff import NewStaffMember, StaffMember, StaffMemberChanges, StaffRole

# A cursor of this list is Cognito's own page token behind this mark, so a cursor of another
# list is refused before Cognito is asked.
CURSOR_MARK = "staff-members:"
BAD_CURSOR = "The cursor is not one this API gave out."
LAST_ADMINISTRATOR = (
    "{username} is the last administrator whose account is on. Make another member of staff an "
    "administrator first, so that someone can still manage staff accounts."
)


def _cursor(token: str | None) -> str | None:
    if token is None:
        return None
    return base64.urlsafe_b64encode((CURSOR_MARK + token).encode()).decode().rstrip("=")


def _token(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (binascii.Error, ValueError) as error:
        raise BadRequestError(BAD_CURSOR, field="cursor") from error
    if not text.startswith(CURSOR_MARK) or len(text) == len(CURSOR_MARK):
        raise BadRequestError(BAD_CURSOR, field="cursor")
    return text.removeprefix(CURSOR_MARK)


def _role(administrator: bool) -> StaffRole:
    return "administrator" if administrator else "front_desk"


def _member(account: cognito.StaffAccount, *, administrator: bool, stored: Mapping[str, Any] | None) -> StaffMember:
    """The member as the page shows them. The pool lets nobody in without the app, so the app
    is set up when they have signed in since its last reset."""
    last = str((stored or {}).get("last_signed_in_at") or "")
    reset = str((stored or {}).get("second_factor_reset_at") or "")
    return StaffMember(
        username=account.username,
        email=account.email,
        role=_role(administrator),
        enabled=account.enabled,
        second_factor=bool(last) and last > reset,
        last_signed_in_at=last or None,
        invited=account.status == "FORCE_CHANGE_PASSWORD",
    )


def _same(one: str, other: str) -> bool:
    """Staff usernames do not depend on case (the staff pool)."""
    return one.casefold() == other.casefold()


def staff_page(*, limit: int, cursor: str | None) -> Page[StaffMember]:
    """A page of the staff pool (Cognito's ``ListUsers``, at most 60), by username: who is an
    administrator (one ``ListUsersInGroup`` per 60 of them) and each one's last sign-in (one
    ``BatchGetItem``). Nobody's health data is on it, so the list is not audited."""
    accounts, next_token = cognito.staff_page(limit, _token(cursor))
    administrators = {account.username.casefold() for account in cognito.administrators()}
    stored = stored_sessions.staff_members([account.username for account in accounts], table=Table())
    members = [
        _member(
            account,
            administrator=account.username.casefold() in administrators,
            stored=stored.get(account.username.casefold()),
        )
        for account in sorted(accounts, key=lambda found: found.username.casefold())
    ]
    return Page[StaffMember](items=members, next_cursor=_cursor(next_token))


def invite(admin: Principal, new: NewStaffMember, *, api_request_id: str) -> StaffMember:
    """A new member: Cognito emails them the username and a temporary password (3 days); the
    first sign-in sets their own password and their authenticator app. Audited."""
    administrator = new.role == "administrator"
    account = cognito.invite_staff_member(new.username, new.email, administrator=administrator)
    audit.record_staff(admin, "staff_invite", account.username, api_request_id, role=new.role)
    return _member(account, administrator=administrator, stored=None)


def change(admin: Principal, username: str, changes: StaffMemberChanges, *, api_request_id: str) -> StaffMember:
    """A new role, the account turned off (Cognito then refuses their sign-in) or on again.
    What is already so is no change: nothing is called or audited for it. A change that
    could leave no enabled administrator is made under the administrators' lease, so two
    such changes at once are decided one after the other."""
    account = cognito.staff_account(username)
    could_lose_one = changes.role == "front_desk" or changes.enabled is False
    table = Table()
    if not could_lose_one:
        return _change(admin, account, changes, api_request_id=api_request_id, table=table)
    administrators_lease.take(api_request_id, now=clock.epoch_seconds(), table=table)
    try:
        return _change(admin, account, changes, api_request_id=api_request_id, table=table)
    finally:
        administrators_lease.give_back(api_request_id, table=table)


def _change(
    admin: Principal,
    account: cognito.StaffAccount,
    changes: StaffMemberChanges,
    *,
    api_request_id: str,
    table: Table,
) -> StaffMember:
    """The change itself, once the administrators can be counted (under the lease when it
    could lose one): Cognito first, then their tokens refused, then the audit entries."""
    administrators = cognito.administrators()
    was_administrator = any(_same(found.username, account.username) for found in administrators)
    administrator = was_administrator if changes.role is None else changes.role == "administrator"
    enabled = account.enabled if changes.enabled is None else changes.enabled
    if was_administrator and account.enabled and not (administrator and enabled):
        others = [found for found in administrators if found.enabled and not _same(found.username, account.username)]
        if not others:
            raise ConflictError(
                LAST_ADMINISTRATOR.format(username=account.username), field="role" if not administrator else "enabled"
            )
    changed: list[tuple[str, dict[str, str]]] = []
    if administrator != was_administrator:
        cognito.set_administrator(account.username, administrator=administrator)
        changed.append(("staff_role_change", {"role": _role(administrator)}))
    if enabled != account.enabled:
        cognito.set_staff_enabled(account.username, enabled=enabled)
        changed.append(("staff_enable" if enabled else "staff_disable", {}))
    if not changed:
        stored = stored_sessions.staff_members([account.username], table=table).get(account.username.casefold())
        return _member(account, administrator=administrator, stored=stored)
    # Their next request: every token issued until now is refused, so the next sign-in's
    # token carries the new groups (and a disabled account cannot sign in at all).
    stored = stored_sessions.record_staff_sign_out(account.username, clock.revocation_point(), table=table)
    for action, details in changed:
        audit.record_staff(admin, action, account.username, api_request_id, **details)
    return _member(
        cognito.StaffAccount(account.username, account.email, enabled, account.status),
        administrator=administrator,
        stored=stored,
    )
