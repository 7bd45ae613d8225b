"""Building blocks of the request schemas: bases for bodies and query strings, error codes, checked text and dates.

Every failure of a field gets the machine code clients already know (``missing_field``, ``invalid_field``,
``invalid_parameter``, or a field's own code such as ``invalid_start``), declared next to the field with
``OnError``; ``error_code`` resolves it for ``web.contract``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cache
from typing import Annotated, Any, ClassVar, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from radio.limits import CONTROL_CHARACTERS, MAX_YEAR, MIN_YEAR, is_blank, year_in_range

BOUNDS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")
TYPES = ("int_type", "int_parsing", "int_from_float", "string_type", "bool_type", "bool_parsing", "float_type",
         "float_parsing", "list_type", "date_type", "datetime_type")
_CONTROL = CONTROL_CHARACTERS


class OnError:
    """Annotated marker: the error code of a field's failures of ``types`` (all but a missing value when none)."""

    __slots__ = ("code", "missing", "types")

    def __init__(self, code: str, *types: str, missing: bool = False) -> None:
        self.code, self.types, self.missing = code, frozenset(types), missing

    def matches(self, error_type: str) -> bool:
        """True when this marker names the code of a failure of ``error_type``."""
        if error_type == "missing":
            return self.missing or "missing" in self.types
        return not self.types or error_type in self.types

    def __repr__(self) -> str:
        return f"OnError({self.code!r}, {', '.join(sorted(self.types))})"


def fail(kind: str, message: str, *, code: str | None = None, field: str | None = None) -> PydanticCustomError:
    """A validation error of type ``kind`` (``message`` is a predicate: "must be …").

    Without ``code`` its machine code is the field's ``OnError`` or the model's default (``invalid_field`` in a
    body, ``invalid_parameter`` in a query); a model-level check names the ``field`` it is about.
    """
    context = {k: v for k, v in (("code", code), ("field", field)) if v}
    return PydanticCustomError(kind, message, context)


class Body(BaseModel):
    """A JSON request body (or form): unknown fields are refused, so a misspelt ``restricted`` is never ignored."""

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)
    default_code: ClassVar[str] = "invalid_field"
    unknown_code: ClassVar[str] = "unknown_field"

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as JSON values (what the services take)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Query(BaseModel):
    """A query string: unknown parameters are ignored, empty ones count as absent."""

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)
    default_code: ClassVar[str] = "invalid_parameter"
    unknown_code: ClassVar[str] = "invalid_parameter"
    list_fields: ClassVar[frozenset[str]] = frozenset()  # parameters that may repeat (``?station=a&station=b``)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    def params(self) -> dict[str, Any]:
        """The parameters given, by their public names, as JSON values (what the services take)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _normalise(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value).strip()
    return "" if is_blank(text) else text  # zero-width characters alone do not make a title


def _lower(value: Any) -> Any:
    return _normalise(value).lower() if isinstance(value, str) else value


def _one_line(value: str) -> str:
    if _CONTROL.search(value) or "\n" in value or "\r" in value:
        raise fail("invalid_text", "must be one line without control characters")
    return value


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise fail("invalid_text", "must not contain control characters")
    return value


def _in_years(day: dt.date) -> None:
    if not year_in_range(day):
        raise fail("invalid_date", f"must be between the years {MIN_YEAR} and {MAX_YEAR}")


def _parse_day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) > 10 and text[10] in "T ":  # a date and time names its date
            text = text[:10]
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise fail("invalid_date", "must be a date like 2026-03-31") from None
    if isinstance(value, dt.date):
        _in_years(value)
    return value


def _iso_datetime(text: str) -> dt.datetime:
    """``datetime.fromisoformat``, refusing control characters (Python 3.11's takes a trailing NUL)."""
    if _CONTROL.search(text):
        raise ValueError(text)
    return dt.datetime.fromisoformat(text)


def _check_datetime(value: str) -> str:
    """An ISO 8601 date and time (offset optional); kept as text, the service knows the time zone it means."""
    text = value.strip()
    try:
        parsed = _iso_datetime(text)
    except ValueError:
        raise fail("invalid_datetime", "must be an ISO 8601 date and time such as 2026-03-06T20:00") from None
    if len(text) <= 10:
        raise fail("invalid_datetime", "needs a time of day, not only a date")
    _in_years(parsed.date())
    return text


def _occurrence(value: str) -> str:
    """A local date (YYYY-MM-DD), a date and time, or a time with offset, within the years allowed."""
    text = value.strip()
    try:
        parsed = _iso_datetime(text)
    except ValueError:
        raise fail("invalid_occurrence", "must be a date (YYYY-MM-DD) or a date and time") from None
    _in_years(parsed.date())
    return text


def _date_or_datetime(value: str) -> str:
    text = value.strip()
    try:
        parsed = _iso_datetime(text)
    except ValueError:
        raise fail("invalid_date", "must be an ISO 8601 date or date and time") from None
    _in_years(parsed.date())
    return text


# Annotated pieces, after the constraints: ``Annotated[str, Field(max_length=300), Clean, Line]``.
Clean = BeforeValidator(_normalise)  # NFC, surrounding space removed (before the length is counted)
Lower = BeforeValidator(_lower)  # for choices sent by hand: "BN" means "bn"
Line = AfterValidator(_one_line)
Prose = AfterValidator(_no_control)
DateTimeText = AfterValidator(_check_datetime)
DateOrTimeText = AfterValidator(_date_or_datetime)
OccurrenceText = AfterValidator(_occurrence)
Day = Annotated[dt.date, BeforeValidator(_parse_day)]


def markers(model: type[BaseModel], field: str | None) -> tuple[OnError, ...]:
    """The ``OnError`` markers of ``model``'s field named (or aliased) ``field``."""
    return _markers(model, field) if field else ()


@cache
def _markers(model: type[BaseModel], field: str) -> tuple[OnError, ...]:
    for name, info in model.model_fields.items():
        if field in (name, info.alias):
            found = [m for m in info.metadata if isinstance(m, OnError)]
            return tuple(found + _nested_markers(info.annotation))
    return ()


def _nested_markers(annotation: Any) -> list[OnError]:
    found: list[OnError] = []
    if get_origin(annotation) is Annotated:
        found += [m for m in annotation.__metadata__ if isinstance(m, OnError)]
    for arg in get_args(annotation):
        found += _nested_markers(arg)
    return found


def error_field(error: ErrorDetails) -> str | None:
    """The name of the field a pydantic error is about (a model-level check names it in its context)."""
    loc = error.get("loc") or ()
    if loc:
        return ".".join(str(part) for part in loc)
    ctx = error.get("ctx") or {}
    return str(ctx["field"]) if ctx.get("field") else None


def error_code(model: type[BaseModel], error: ErrorDetails) -> str:
    """Our machine code for a pydantic error: the field's marker, a custom check's code, or the model's default."""
    loc = error.get("loc") or ()
    kind = error["type"]
    for marker in markers(model, str(loc[0]) if loc else None):  # a model-level check has its own code
        if marker.matches(kind):
            return marker.code
    ctx = error.get("ctx") or {}
    if ctx.get("code"):
        return str(ctx["code"])
    if kind == "missing":
        return "missing_field"
    if kind == "extra_forbidden":
        return str(getattr(model, "unknown_code", "unknown_field"))
    return str(getattr(model, "default_code", "invalid_field"))
