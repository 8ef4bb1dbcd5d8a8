"""Small shared shapes of the API: bounded text and list pages."""

import datetime
import re
from collections.abc import Mapping
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
OptionalLongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_text(value: object) -> object:
    """A date comes as ``YYYY-MM-DD`` text, not as a number (of seconds), as lax parsing takes it."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Input should be a date as YYYY-MM-DD")
    return value


def _number(value: object) -> object:
    """A whole number comes as a JSON number (``1`` or ``1.0``), not as text or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a valid integer")
    return value


def whole_number(value: object) -> object:
    """WholeNumber's rule, for a number with bounds of its own:
    ``Annotated[int, Field(strict=False, ge=1, le=30), BeforeValidator(whole_number)]`` (bounds
    added after the validator, as ``Annotated[WholeNumber, Field(le=30)]``, would not reach the
    document as ``minimum`` and ``maximum``)."""
    return _number(value)


# The two input types read more loosely than the strict inputs of ApiModel (below), and no further.
IsoDate = Annotated[datetime.date, Field(strict=False), BeforeValidator(_date_text)]
WholeNumber = Annotated[int, Field(strict=False), BeforeValidator(_number)]
PositiveWholeNumber = Annotated[int, Field(strict=False, ge=1), BeforeValidator(_number)]
# 0 included: a version of something never saved yet (the practice's settings).
NonNegativeWholeNumber = Annotated[int, Field(strict=False, ge=0), BeforeValidator(_number)]

Item = TypeVar("Item")


class Model(BaseModel):
    """Every model of the portal: validators are built on first use, not at import, so a
    function's cold start pays only for the models its requests use (docs/performance.md
    "Cold requests")."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def model_rebuild(
        cls,
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Mapping[str, Any] | None = None,
    ) -> bool | None:
        """The deferred build, from the model's own module alone: pydantic would also read the
        locals of whichever frame first validates (five frames up), and on CPython 3.13.0
        reading those of a frame holding an inlined comprehension's cell crashes the process
        (the patient search did, in a fresh interpreter: docs/decisions.md 55). Our models'
        annotations all resolve in their modules, so no caller's frame is needed."""
        return super().model_rebuild(
            force=force, raise_errors=raise_errors, _parent_namespace_depth=0, _types_namespace=_types_namespace
        )

    @classmethod
    def from_record(cls, record: BaseModel | Mapping[str, Any], /, **overrides: Any) -> Self:
        """This shape of a stored record (or of an item as read): the fields it names are taken
        from the record, ``overrides`` replace or add to them, and all are validated as usual.
        Whatever else the record holds stays behind: the shape's own fields say what is shown
        (so not for an ``ApiModel``, which refuses what it does not name)."""
        fields = record.model_dump() if isinstance(record, BaseModel) else record
        return cls.model_validate({**fields, **overrides})


class ApiModel(Model):
    """Inputs refuse unknown fields, so a typo is a 422 rather than silently ignored, and take
    each value as the JSON type the document gives it: ``0`` is not ``false``, ``"1"`` not
    ``1`` (strict; dates are the one field type read from text, ``accounts.DateOfBirth``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True, strict=True)


class Page(Model, Generic[Item]):
    items: list[Item]
    next_cursor: str | None
