"""Audit entries: every staff read or change of a patient's data leaves one (docs/security.md
"Audit"), lists included: a page of a staff list records whom it showed (``record_list_view``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import audit as stored_audit
from patientportal.dal import batches, keys, patients
from patientportal.models.audit import AuditEntry
from patientportal.models.common import Page

# Kept six years (HIPAA 164.316), then the table's TTL removes them.
AUDIT_LIFETIME_SECONDS = 6 * 366 * 24 * 3600


def _entry(
    key: Mapping[str, str],
    *,
    entry_id: str,
    at: str,
    actor: str,
    action: str,
    request_id: str,
    expires_at: int,
    **about: str,
) -> dict[str, Any]:
    """The one shape of an audit entry; ``about`` names whom it is about (patient or staff member)."""
    return {
        **key,
        "kind": "audit",
        "entry_id": entry_id,
        "actor": actor,
        "action": action,
        "at": at,
        "request_id": request_id,
        "expires_at": expires_at,
        **about,
    }


def _new_entry(
    actor: Principal, action: str, request_id: str, key_of: Callable[[str, str], Mapping[str, str]], **about: str
) -> dict[str, Any]:
    """A new entry now; ``key_of(at, entry_id)`` places it (with its patient or staff member)."""
    at, entry_id = clock.timestamp(), ids.new_id()
    expires_at = clock.epoch_seconds() + AUDIT_LIFETIME_SECONDS
    return _entry(
        key_of(at, entry_id),
        entry_id=entry_id,
        at=at,
        actor=actor.username,
        action=action,
        request_id=request_id,
        expires_at=expires_at,
        **about,
    )


def audit_item(actor: Principal, action: str, patient_id: str, request_id: str) -> dict[str, Any]:
    return _new_entry(
        actor, action, request_id, lambda at, entry_id: keys.audit(patient_id, at, entry_id), patient_id=patient_id
    )


def record(actor: Principal, action: str, patient_id: str, request_id: str) -> None:
    stored_audit.add_entry(audit_item(actor, action, patient_id, request_id))


def record_staff(actor: Principal, action: str, staff_username: str, request_id: str, **details: str) -> dict[str, Any]:
    """An entry about a staff member's account rather than a patient's data; kept as long.
    ``details`` says what changed where the action alone does not (a new role)."""
    entry = _new_entry(
        actor,
        action,
        request_id,
        lambda at, entry_id: keys.staff_audit(staff_username, at, entry_id),
        staff_username=staff_username,
        **details,
    )
    stored_audit.add_entry(entry)
    return entry


def practice_item(actor: Principal, action: str, request_id: str, **about: str) -> dict[str, Any]:
    """An entry about the practice's own settings or saved replies (``about``: which reply),
    for the change's transaction; kept as long."""
    return _new_entry(actor, action, request_id, keys.practice_audit, **about)


def audit_trail(
    staff: Principal, patient_id: str, *, limit: int, cursor: str | None, api_request_id: str
) -> Page[AuditEntry]:
    """A patient's audit entries, newest first. Reading them is itself audited."""
    patients.existing_patient(patient_id)
    items, next_cursor = stored_audit.entries_page(patient_id, limit=limit, cursor=cursor)
    record(staff, "view_audit", patient_id, api_request_id)
    return Page[AuditEntry](items=[AuditEntry.from_record(item) for item in items], next_cursor=next_cursor)


# The staff lists that show patients' names, birth dates or request text (list_view's ``view``).
ListView = Literal["queue", "archive", "patient_search", "onboarding"]


def record_list_view(staff: Principal, view: ListView, patient_ids: Iterable[str], api_request_id: str) -> None:
    """Which patients a page of a staff list showed: one conditional put per page, whatever
    its length (decision 44). A page showing the same patients to the same staff member
    within the same hour (the 30-second refresh) is recorded already, so it adds nothing;
    the jobs worker then gives each patient one entry per staff member, list and hour."""
    shown = sorted(set(patient_ids))
    if not shown:
        return
    now = clock.now()
    window = clock.timestamp(now.replace(minute=0, second=0, microsecond=0))
    digest = hashlib.sha256("\n".join(shown).encode()).hexdigest()[:32]
    stored_audit.add_list_view(
        {
            **keys.list_view(window, view, staff.username, digest),
            "kind": "list_view",
            "actor": staff.username,
            "view": view,
            "window": window,
            "patient_ids": set(shown),
            "at": clock.timestamp(now),
            "request_id": api_request_id,
            "expires_at": clock.epoch_seconds() + AUDIT_LIFETIME_SECONDS,
        }
    )


def index_list_view(page: Mapping[str, Any]) -> int:
    """The jobs worker's half (a new ``list_view`` item, from the table's stream): each patient
    the page showed gets the entry "``actor`` saw them in ``view`` during the hour from
    ``window``" in their own audit trail, unless it is there already (another page of the
    hour). Returns how many entries it wrote: one BatchGetItem per 100 patients, and one
    BatchWriteItem per 25 new entries."""
    window, view, actor = str(page["window"]), str(page["view"]), str(page["actor"])
    entry_id = f"seen.{view}.{actor}"
    wanted = {patient_id: keys.audit(patient_id, window, entry_id) for patient_id in sorted(page["patient_ids"])}
    present = {str(item["patient_id"]) for item in batches.get_all(list(wanted.values()), attributes=("patient_id",))}
    entries = [
        _entry(
            key,
            entry_id=entry_id,
            at=window,
            actor=actor,
            action="view_list",
            request_id=str(page["request_id"]),
            expires_at=int(page["expires_at"]),
            view=view,
            patient_id=patient_id,
        )
        for patient_id, key in wanted.items()
        if patient_id not in present
    ]
    batches.put_all(entries)
    return len(entries)
