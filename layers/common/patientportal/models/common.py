"""Small shared shapes of the API: bounded text and list pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
OptionalLongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]

Item = TypeVar("Item")


class Model(BaseModel):
    """Every model of the portal: validators are built on first use, not at import, so a
    function's cold start pays only for the models its requests use (PERFORMANCE.md)."""

    model_config = ConfigDict(defer_build=True)


class ApiModel(Model):
    """Inputs refuse unknown fields, so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Page(Model, Generic[Item]):
    items: list[Item]
    next_cursor: str | None
