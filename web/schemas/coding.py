"""Coding: the codebook (codes with descriptions, colours and parents) and codes attached to segments."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from transcripts.coding import MAX_NAME, MAX_TEXT
from web.schemas.base import Body, Clean, Line, OnError, Query, fail

COLOUR = r"^\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\s*$"
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), Clean, Line,
                 OnError("missing_field", "string_too_short"), OnError("too_long", "string_too_long")]
Text = Annotated[str, Field(max_length=MAX_TEXT), OnError("too_long", "string_too_long")]
Colour = Annotated[str, Field(pattern=COLOUR, max_length=12, description="#RGB or #RRGGBB"),
                   OnError("invalid_colour")]
Ref = Annotated[str, Field(max_length=MAX_NAME + 64, description="a code's id or its name")]


class CodeFields(Body):
    """A code's editable fields (``color`` is accepted for ``colour``)."""

    name: Name | None = None
    description: Text | None = None
    colour: Colour | None = None
    color: Colour | None = None
    parent_id: Ref | None = Field(default=None, description="nest the code under another (null: top level)")


class CodeCreate(CodeFields):
    """``POST /api/v1/codes``."""

    name: Name


class CodePatch(CodeFields):
    """``PATCH /api/v1/codes/<id>``: the fields to change."""


class CodeDeleteQuery(Query):
    """``DELETE /api/v1/codes/<id>``."""

    force: bool = Field(default=False, description="also remove the code from the segments that carry it")


class ApplyCode(Body):
    """``POST /api/v1/segments/<id>/codes``: a code by id (``code_id``) or by name (``code``), with a memo."""

    code_id: Ref | None = None
    code: Ref | None = None
    memo: Text | None = None

    @model_validator(mode="after")
    def _one_code(self) -> ApplyCode:
        if not (self.code_id or "").strip() and not (self.code or "").strip():
            raise fail("missing", "'code_id' (or a code's name as 'code') is required", code="missing_field",
                       field="code_id")
        return self


class MemoPatch(Body):
    """``PATCH /api/v1/segments/<id>/codes/<code_id>``."""

    memo: Text | None = None


class CodedSegmentsQuery(Query):
    """``GET /api/v1/coded-segments`` (and ``.csv``): filtered by code (id or name) and episode."""

    code: Annotated[Ref, Clean] | None = None
    episode_id: Annotated[str, Field(max_length=64), Clean] | None = None
