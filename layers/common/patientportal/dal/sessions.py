"""Signed-in sessions (``SESSION#<sha256 of the refresh token>``) and staff members'
sign-out moments (``STAFF#<username>``): what lets the server end a session that sat idle,
and refuse access tokens issued before a sign-out (docs/decisions.md 40). The staff item
also keeps the member's last sign-in and their app's last reset (the staff accounts page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from patientportal.dal import batches, keys
from patientportal.dal.attributes import Item
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


def record_staff_sign_out(username: str, valid_after: int, *, table: Table) -> Item:
    """Refuses the member's access tokens issued before ``valid_after``; the item as now."""
    return table.update(
        keys.staff_member(username),
        expression="SET kind = :kind, sessions_valid_after = :at",
        values={":kind": "staff_member", ":at": valid_after},
    )


def record_staff_sign_in(username: str, at: str, *, table: Table) -> int:
    """A completed staff sign-in (``last_signed_in_at``, for the staff accounts page; the pool
    lets nobody in without the authenticator app, so it is also set up since ``at``). Answers
    the member's sign-out moment, for ``allow_staff_tokens_from``: one unconditional update."""
    stored = table.update(
        keys.staff_member(username),
        expression="SET kind = :kind, last_signed_in_at = :at",
        values={":kind": "staff_member", ":at": at},
    )
    return int(stored.get("sessions_valid_after", 0))


def record_second_factor_reset(username: str, valid_after: int, at: str, *, table: Table) -> None:
    """An admin's reset of the member's authenticator app: their tokens issued before
    ``valid_after`` are refused, and the app counts as set up again only after a sign-in
    later than ``at``. One update, as a sign-out."""
    table.update(
        keys.staff_member(username),
        expression="SET kind = :kind, sessions_valid_after = :after, second_factor_reset_at = :at",
        values={":kind": "staff_member", ":after": valid_after, ":at": at},
    )


def staff_members(usernames: Sequence[str], *, table: Table) -> dict[str, Item]:
    """What the portal keeps of each member named (at most 100: one ``BatchGetItem``, and a
    retry of any keys DynamoDB hands back), by username in lower case (as the key holds it)."""
    if not usernames:
        return {}
    wanted = ("pk", "last_signed_in_at", "second_factor_reset_at")
    found = batches.get_all([keys.staff_member(name) for name in usernames], attributes=wanted, table=table)
    return {str(item["pk"]).split("#", 1)[1]: item for item in found}


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
