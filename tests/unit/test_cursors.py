"""Page cursors are opaque, and a cursor from another list or a tampered one is a 400."""

from __future__ import annotations

import pytest

from patientportal.dal import cursors
from patientportal.errors import BadRequestError

ATTRIBUTES = ("pk", "sk", "queue_pk", "queue_sk")
KEY = {"pk": "REQUEST#r1", "sk": "REQUEST", "queue_pk": "QUEUE#OPEN", "queue_sk": "2026#r1"}


def test_a_cursor_round_trips():
    cursor = cursors.encode(KEY)
    assert cursors.decode(cursor, attributes=ATTRIBUTES, partition=("queue_pk", "QUEUE#OPEN")) == KEY


@pytest.mark.parametrize(
    ("cursor", "partition"),
    [
        ("not base64 at all!", ("queue_pk", "QUEUE#OPEN")),
        (cursors.encode({"pk": "x"}), ("queue_pk", "QUEUE#OPEN")),
        (cursors.encode(KEY), ("queue_pk", "ARCHIVE#2026-01")),  # another list's cursor
        (cursors.encode({**KEY, "pk": 5}), ("queue_pk", "QUEUE#OPEN")),
    ],
)
def test_foreign_or_tampered_cursors_are_refused(cursor, partition):
    with pytest.raises(BadRequestError) as refused:
        cursors.decode(cursor, attributes=ATTRIBUTES, partition=partition)
    assert refused.value.field == "cursor"
