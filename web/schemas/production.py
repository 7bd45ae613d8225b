"""Production: rundowns (``POST /api/v1/programmes``) and what the programme answers carry."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator

from web.schemas.answers import Answer, JobRef
from web.schemas.base import Body, Clean, Line, Lower, OnError, fail
from web.schemas.episodes import Kind, Language

MAX_SLOT_S = 6 * 3600.0  # a programme up to six hours
MAX_ITEMS = 200  # episodes.programmes.MAX_ITEMS
Seconds = Annotated[float, Field(ge=0, le=24 * 3600, allow_inf_nan=False)]


class RundownItemBody(Body):
    """One item of a rundown: a part of an episode, its role, fades, and whether it is a bed under speech."""

    episode_id: Annotated[str, Field(min_length=1, max_length=64)]
    in_s: Seconds = 0.0
    out_s: Seconds | None = Field(default=None, description="default: the end of the episode")
    role: Annotated[Literal["speech", "music", "jingle"], Lower] = "speech"
    fade_in_s: Annotated[float, Field(ge=0, le=60, allow_inf_nan=False)] = 0.0
    fade_out_s: Annotated[float, Field(ge=0, le=60, allow_inf_nan=False)] = 0.0
    bed: StrictBool = Field(default=False, description="music that plays, ducked, under the speech that follows")

    @field_validator("out_s")
    @classmethod
    def _out_after_in(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and value <= info.data.get("in_s", 0.0):
            raise fail("out_before_in", "must lie after in_s")
        return value

    @field_validator("bed")
    @classmethod
    def _bed_is_music(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("role") != "music":
            raise fail("bed_not_music", "is only allowed on music")
        return value


class ProgrammeBody(Body):
    """``POST /api/v1/programmes``: a rundown to render to ``slot_s`` seconds."""

    title: Annotated[str, Field(min_length=1, max_length=300), Clean, Line,
                     OnError("missing_field", "string_too_short")]
    language: Annotated[Language, Lower] | None = Field(default=None, description="default: from the speech parts")
    kind: Annotated[Kind, Lower] | None = None
    campaign: Annotated[str, Field(max_length=100), Clean, Line] | None = Field(
        default=None, description="default: the parts' most common campaign")
    slot_s: Annotated[float, Field(gt=0, le=MAX_SLOT_S, allow_inf_nan=False)]
    crossfade_s: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)] = 0.0
    items: Annotated[list[RundownItemBody], Field(min_length=1, max_length=MAX_ITEMS)]


class ProgrammeRef(Answer):
    """The programme just created."""

    id: str
    episode_id: str | None


class ProgrammeQueued(Answer):
    """``202``: the programme and its render job."""

    programme: ProgrammeRef
    job: JobRef


class Programme(Answer):
    """A programme: its rundown, render status, staleness and (once rendered) its episode, parts and cues."""

    id: str
    episode_id: str | None
    status: Literal["queued", "rendering", "ready", "failed"]
    stale: bool
    items: list[dict[str, object]]
    parts: list[dict[str, object]]
    cues: list[dict[str, object]]
