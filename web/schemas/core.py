"""Core: users and API tokens."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from radio.models import Role
from web.schemas.base import Body, Clean, Line, OnError

_Required = OnError("missing_field", "string_type", missing=True)


class UserCreate(Body):
    """``POST /api/v1/users`` (admin): the answer carries the user's first API token, shown once."""

    email: Annotated[str, Field(max_length=320), _Required]
    role: Annotated[Role, OnError("invalid_role", "enum")]
    station: Annotated[str, Field(max_length=64, description="a station user's station (its slug)")] | None = None
    name: Annotated[str, Field(max_length=200), Clean, Line] = ""
    password: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, description="for signing in to the web UI")


class TokenCreate(Body):
    """``POST /api/v1/users/<id>/tokens``."""

    name: Annotated[str, Field(max_length=100), Clean, Line] = ""
