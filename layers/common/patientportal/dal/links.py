"""One-time link items (``TOKEN#<sha256>``) and the patient's pointer to the live one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, TooManyRequestsError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def slot_attribute(slot: str) -> str:
    """The patient attribute holding the live link of a slot (``link_password``, ...)."""
    return f"link_{slot}"


def link_entry(
    token_sha256: str, *, purpose: str, patient_id: str, expires_at: int, created_at: str, table: Table
) -> TransactWriteItemTypeDef:
    """The link item; the table's TTL removes it some time after ``expires_at``, and every
    read checks ``expires_at`` itself, since TTL deletion may lag."""
    item = {
        **keys.one_time_link(token_sha256),
        "kind": "link",
        "purpose": purpose,
        "patient_id": patient_id,
        "created_at": created_at,
        "expires_at": expires_at,
    }
    return table.put_entry(item, condition="attribute_not_exists(pk)")


def point_patient_entry(
    patient_id: str, slot: str, token_sha256: str, *, table: Table, also: Mapping[str, Any] | None = None
) -> TransactWriteItemTypeDef:
    """Makes this link the slot's live one, which revokes the older; ``also`` sets more of
    the patient's fields in the same update (an invitation's state)."""
    extra = dict(also or {})
    names = {"#slot": slot_attribute(slot), **{f"#a{number}": name for number, name in enumerate(extra)}}
    values: dict[str, Any] = {":h": token_sha256}
    values.update({f":a{number}": value for number, value in enumerate(extra.values())})
    sets = ", ".join(["#slot = :h", *(f"#a{number} = :a{number}" for number in range(len(extra)))])
    return table.update_entry(
        keys.patient(patient_id),
        expression=f"SET {sets}",
        names=names,
        values=values,
        condition="attribute_exists(pk)",
    )


def get_link(token_sha256: str, *, table: Table | None = None) -> dict[str, Any] | None:
    return (table or Table()).get(keys.one_time_link(token_sha256), consistent=True)


def consume_entries(
    token_sha256: str,
    *,
    slot: str,
    patient_id: str,
    now: int,
    used_at: str,
    patient_fields: Mapping[str, Any],
    remove: Sequence[str] = (),
    table: Table,
) -> list[TransactWriteItemTypeDef]:
    """Single use: the link is marked used only if unused, unexpired and still the slot's
    live one; the patient's changes (``patient_fields``) are made in the same transaction."""
    names = {"#slot": slot_attribute(slot), **{f"#f{number}": name for number, name in enumerate(patient_fields)}}
    names.update({f"#r{number}": name for number, name in enumerate(remove)})
    removed = ", ".join(["#slot", *(f"#r{number}" for number in range(len(remove)))])
    values: dict[str, Any] = {":h": token_sha256, ":one": 1}
    values.update({f":f{number}": value for number, value in enumerate(patient_fields.values())})
    sets = ", ".join(
        [*(f"#f{number} = :f{number}" for number in range(len(patient_fields))), "version = version + :one"]
    )
    return [
        table.update_entry(
            keys.one_time_link(token_sha256),
            expression="SET used_at = :at",
            values={":at": used_at, ":now": now},
            condition="attribute_exists(pk) AND attribute_not_exists(used_at) AND expires_at > :now",
        ),
        table.update_entry(
            keys.patient(patient_id),
            expression=f"SET {sets} REMOVE {removed}",
            names=names,
            values=values,
            condition="#slot = :h",
        ),
    ]


def count_username_check(token_sha256: str, *, limit: int, table: Table | None = None) -> None:
    """One more username check on this link; past ``limit`` a ``TooManyRequestsError``."""
    try:
        (table or Table()).update(
            keys.one_time_link(token_sha256),
            expression="ADD username_checks :one",
            values={":one": 1, ":limit": limit},
            condition="attribute_exists(pk) AND (attribute_not_exists(username_checks) OR username_checks < :limit)",
        )
    except ConflictError as error:
        raise TooManyRequestsError("Too many username checks with this link; choose one and continue.") from error
