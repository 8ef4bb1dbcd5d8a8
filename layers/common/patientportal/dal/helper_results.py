"""Helper results, one per request, kept in the request's partition."""

from __future__ import annotations

from typing import Any

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.errors import ConflictError


def add_helper_result(
    request_id: str, result: dict[str, Any], *, audit_entry: dict[str, Any], table: Table | None = None
) -> dict[str, Any]:
    """Written once: if two presses race, the second finds the first's result."""
    table = table or Table()
    item = {**keys.helper_result(request_id), "kind": "helper", **result}
    # The request keeps the result's one-line summary, so queue rows can show it.
    shown_on_row = table.update_entry(
        keys.request(request_id),
        expression="SET helper_summary = :summary",
        values={":summary": str(result["result"].get("summary", ""))},
        condition="attribute_exists(pk)",
    )
    try:
        table.transact(
            [table.put_entry(item, condition="attribute_not_exists(pk)"), shown_on_row, table.put_entry(audit_entry)],
            conflict="The helper already ran.",
        )
    except ConflictError:
        existing = table.get(keys.helper_result(request_id), consistent=True)
        if existing is None:
            raise
        return existing
    return item


def mark_published(request_id: str, *, table: Table | None = None) -> None:
    (table or Table()).update(
        keys.helper_result(request_id), expression="SET event_published = :yes", values={":yes": True}
    )
