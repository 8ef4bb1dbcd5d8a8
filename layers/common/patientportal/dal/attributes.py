"""DynamoDB's typed attribute values <-> plain Python values, for the kinds the portal stores.

boto3's TypeSerializer would do, but importing boto3 drags s3transfer and multiprocessing
into every cold start (docs/performance.md "Cold requests"); the portal stores only strings,
numbers, booleans, maps, lists and string sets, and this is all it takes. Numbers come back
as int or float.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

Item = dict[str, Any]


def serialize(value: Any) -> dict[str, Any]:  # noqa: PLR0911 - one answer per DynamoDB type
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {str(name): serialize(inner) for name, inner in value.items() if inner is not None}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(inner) for inner in value]}
    if isinstance(value, set | frozenset) and all(isinstance(inner, str) for inner in value):
        return {"SS": sorted(value)}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        return int(number) if number.is_integer() else number


def deserialize(attribute: Mapping[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    if kind not in _READERS:
        raise TypeError(f"the portal does not store DynamoDB type {kind}")
    return _READERS[kind](value)


_READERS: dict[str, Callable[[Any], Any]] = {
    "S": str,
    "N": _number,
    "BOOL": bool,
    "NULL": lambda _: None,
    "M": lambda value: {name: deserialize(inner) for name, inner in value.items()},
    "L": lambda value: [deserialize(inner) for inner in value],
    "SS": sorted,
    "NS": lambda value: sorted(_number(inner) for inner in value),
}


def to_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item for DynamoDB; attributes whose value is None are left out."""
    return {name: serialize(value) for name, value in item.items() if value is not None}


def from_attributes(attributes: Mapping[str, Any]) -> Item:
    return {name: deserialize(value) for name, value in attributes.items()}
