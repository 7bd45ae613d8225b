"""The error answer every 4xx carries (SPEC.md: ``{"error": {"code", "message"}}``, plus ``field`` for bad input)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    """What went wrong: a machine code, a sentence for people, and the failing field of a validation error."""

    model_config = ConfigDict(extra="allow")  # some errors add details: a duplicate's ``id``, ``conflicts``

    code: str = Field(description="machine code, e.g. missing_field, invalid_parameter, not_json, conflict")
    message: str = Field(description="a human sentence")
    field: str | None = Field(default=None, description="the failing field or query parameter (validation errors)")


class ErrorResponse(BaseModel):
    """Every JSON error answer."""

    error: ErrorDetail
