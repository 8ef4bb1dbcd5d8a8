"""Small shared shapes of the API: bounded text and list pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
OptionalLongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]

Item = TypeVar("Item")


class Model(BaseModel):
    """Every model of the portal: validators are built on first use, not at import, so a
    function's cold start pays only for the models its requests use (docs/performance.md
    "Cold start")."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def from_record(cls, record: BaseModel | Mapping[str, Any], /, **overrides: Any) -> Self:
        """This shape of a stored record (or of an item as read): the fields it names are taken
        from the record, ``overrides`` replace or add to them, and all are validated as usual.
        Whatever else the record holds stays behind: the shape's own fields say what is shown
        (so not for an ``ApiModel``, which refuses what it does not name)."""
        fields = record.model_dump() if isinstance(record, BaseModel) else record
        return cls.model_validate({**fields, **overrides})


class ApiModel(Model):
    """Inputs refuse unknown fields, so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Page(Model, Generic[Item]):
    items: list[Item]
    next_cursor: str | None
