"""Signed-in sessions (``SESSION#<sha256 of the refresh token>``) and staff members'
sign-out moments (``STAFF#<username>``): what lets the server end a session that sat idle,
and refuse access tokens issued before a sign-out (docs/decisions.md 40)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.errors import ConflictError


@dataclass(frozen=True)
class Session:
    refresh_sha256: str
    account: Literal["patient", "staff"]
    subject: str
    last_active_at: int


def start(
    refresh_sha256: str, *, account: Literal["patient", "staff"], subject: str, now: int, expires_at: int, table: Table
) -> None:
    table.put(
        {
            **keys.session(refresh_sha256),
            "kind": "session",
            "account": account,
            "subject": subject,
            "started_at": now,
            "last_active_at": now,
            "expires_at": expires_at,
        }
    )


def find(refresh_sha256: str, *, table: Table) -> Session | None:
    found = table.get(keys.session(refresh_sha256), consistent=True)
    if found is None:
        return None
    return Session(
        refresh_sha256=refresh_sha256,
        account="patient" if found["account"] == "patient" else "staff",
        subject=str(found["subject"]),
        last_active_at=int(found["last_active_at"]),
    )


def touch(session: Session, *, now: int, table: Table) -> bool:
    """Records activity, unless the session ended meanwhile (signed out in another tab)."""
    try:
        table.update(
            keys.session(session.refresh_sha256),
            expression="SET last_active_at = :now",
            values={":now": now},
            condition="attribute_exists(pk)",
        )
    except ConflictError:
        return False
    return True


def end(session: Session, *, table: Table) -> None:
    table.delete(keys.session(session.refresh_sha256))


def staff_signed_out_at(username: str, *, table: Table) -> int:
    found = table.get(keys.staff_member(username))
    return int(found.get("sessions_valid_after", 0)) if found else 0


def record_staff_sign_out(username: str, valid_after: int, *, table: Table) -> None:
    table.update(
        keys.staff_member(username),
        expression="SET kind = :kind, sessions_valid_after = :at",
        values={":kind": "staff_member", ":at": valid_after},
    )


def allow_staff_tokens_from(username: str, issued_at: int, *, table: Table) -> None:
    """A sign-in in the very second of a sign-out (tokens carry whole seconds) would have its
    new token refused: the sign-out moment comes down to that token's second."""
    try:
        table.update(
            keys.staff_member(username),
            expression="SET sessions_valid_after = :at",
            values={":at": issued_at},
            condition="sessions_valid_after > :at",
        )
    except ConflictError:
        return  # no sign-out after this token's second: nothing to lower
