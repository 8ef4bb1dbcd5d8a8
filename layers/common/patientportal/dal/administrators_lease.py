"""The lease on the staff pool's administrators (``STAFF_ADMINISTRATORS`` / ``LEASE``).

Cognito has no conditional writes, so two administrators demoting or turning off each other
at the same moment would each see the other still there, and both would succeed. A change
that could leave no enabled administrator first takes this lease with a conditional write,
counts the administrators and makes its change while holding it, then gives it back; a lease
left behind by a function that stopped midway lapses after ``LEASE_SECONDS``.
"""

from __future__ import annotations

from contextlib import suppress

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.errors import ConflictError

LEASE_SECONDS = 10
BUSY = "Another change to an administrator's account is being made right now. Try again in a moment."


def take(holder: str, *, now: int, table: Table) -> None:
    """The lease for ``holder`` (an API request id) until ``now + LEASE_SECONDS``; a 409 while
    another change holds it."""
    table.update(
        keys.administrators_lease(),
        expression="SET kind = :kind, held_by = :holder, held_until = :until",
        values={":kind": "administrators_lease", ":holder": holder, ":until": now + LEASE_SECONDS, ":now": now},
        condition="attribute_not_exists(held_until) OR held_until < :now",
        conflict=BUSY,
    )


def give_back(holder: str, *, table: Table) -> None:
    """Ends ``holder``'s lease; one that lapsed and was taken by another change is left to it."""
    with suppress(ConflictError):
        table.update(
            keys.administrators_lease(),
            expression="REMOVE held_by, held_until",
            values={":holder": holder},
            condition="held_by = :holder",
        )
