"""Production: rundowns (``POST /api/v1/programmes``) and what the programme answers carry."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StrictBool, ValidationInfo, field_validator

from web.schemas.answers import Answer, JobRef
from web.schemas.base import Body, Clean, Day, Line, Lower, OnError, fail
from web.schemas.episodes import Kind, Language
from web.schemas.schedule import Start

MAX_SLOT_S = 6 * 3600.0  # a programme up to six hours
MAX_ITEMS = 200  # episodes.programmes.MAX_ITEMS
MAX_ADJUSTED = 10_000  # schedule.flights.MAX_AIRINGS
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


class ProgrammeDraftBody(Body):
    """``POST /api/v1/programmes/drafts``: a programme for a slot to build in the editor (items may follow)."""

    title: Annotated[str, Field(min_length=1, max_length=300), Clean, Line,
                     OnError("missing_field", "string_too_short")]
    language: Annotated[Language, Lower] | None = None
    kind: Annotated[Kind, Lower] | None = None
    campaign: Annotated[str, Field(max_length=100), Clean, Line] | None = None
    slot_s: Annotated[float, Field(gt=0, le=MAX_SLOT_S, allow_inf_nan=False)]
    crossfade_s: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)] = 0.0
    items: Annotated[list[RundownItemBody], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)


class RundownEditBody(Body):
    """``PUT /api/v1/programmes/<id>/rundown``: the whole new item list (and title, slot, crossfade if changed);
    ``rev`` is the rundown's ``rev`` the edit was made against (409 ``rundown_changed`` when it moved on)."""

    rev: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")] | None = None
    title: Annotated[str, Field(min_length=1, max_length=300), Clean, Line] | None = None
    slot_s: Annotated[float, Field(gt=0, le=MAX_SLOT_S, allow_inf_nan=False)] | None = None
    crossfade_s: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)] | None = None
    items: Annotated[list[RundownItemBody], Field(max_length=MAX_ITEMS)] | None = None


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
    status: Literal["draft", "queued", "rendering", "ready", "failed"]
    stale: bool
    rev: str
    items: list[dict[str, object]]
    parts: list[dict[str, object]]
    cues: list[dict[str, object]]


DAYS_PATTERN = r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$"


def _upper(value: object) -> object:
    return value.upper().replace(" ", "") if isinstance(value, str) else value


Slug = Annotated[str, Field(min_length=1, max_length=64), Clean, Line]


class FlightWindow(Body):
    """Allowed airing times: weekdays (``MO,TU,…``) and a local start and end (``HH:MM``, the same day)."""

    station: Slug | None = Field(default=None, description="only for this station (default: every station)")
    days: Annotated[str, BeforeValidator(_upper), Field(min_length=2, max_length=40, pattern=DAYS_PATTERN)]
    start: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    end: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class FlightBody(Body):
    """``POST /api/v1/flights``: creatives to rotate on stations, ``per_week`` airings from ``from`` to ``to``."""

    campaign: Annotated[str, Field(max_length=100), Clean, Line] = ""
    stations: Annotated[list[Slug], Field(min_length=1, max_length=100)]
    episodes: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(min_length=1, max_length=50)]
    per_week: Annotated[int, Field(ge=1, le=50)]
    date_from: Annotated[Day, Field(alias="from"), OnError("invalid_field")]
    date_to: Annotated[Day, Field(alias="to"), OnError("invalid_field")]
    windows: Annotated[list[FlightWindow], Field(min_length=1, max_length=50)]


class ProposedAiring(Answer):
    """One proposed booking (``start`` in the station's local time)."""

    station: str
    episode_id: str
    start: str


class FlightProposal(Answer):
    """A flight and its proposed bookings."""

    id: str
    rev: str
    proposed: list[ProposedAiring]


FLIGHT_REV = r"^\d{4}-\d{2}-\d{2}\.(proposed|accepted|cancelled)\.(\d+|x)(-(\d+|x))*\.[0-9a-f]{12}$"
Rev = Annotated[str, Field(min_length=1, max_length=2000, pattern=FLIGHT_REV,
                           description="the flight's ``rev`` as last read (GET /api/v1/flights/<id>)")]


class AdjustedAiring(Body):
    """One airing of an adjusted proposal: a station and creative of the flight, a start within its days."""

    station: Slug
    episode_id: Annotated[str, Field(min_length=1, max_length=64)]
    start: Start


class FlightAdjustBody(Body):
    """``PUT /api/v1/flights/<id>/proposal``: the proposal's airings as they should be (moved, swapped, dropped,
    added), checked again as a whole against each station's bookings."""

    proposed: Annotated[list[AdjustedAiring], Field(min_length=1, max_length=MAX_ADJUSTED)]
    rev: Rev


class FlightExtendBody(Body):
    """``POST /api/v1/flights/<id>/extend``: plan and book ``weeks`` more weeks of an accepted flight."""

    weeks: Annotated[int, Field(ge=1, le=52)]
    rev: Rev


class FlightAcceptBody(Body):
    """``POST /api/v1/flights/<id>/accept`` (the body may be left out): book the proposal as it was read at
    ``rev`` (a stale one is 409 ``conflict`` naming the current ``rev``); without ``rev``, as it is now."""

    rev: Rev | None = None


class FlightCancelBody(Body):
    """``POST /api/v1/flights/<id>/cancel``: cancel a flight as a whole (its bookings still to come)."""

    rev: Rev


class FlightExtended(Answer):
    """The airings an extension added, and the flight's new last day and ``rev``."""

    id: str
    to: str
    rev: str
    broadcast_ids: list[str]
    proposed: list[ProposedAiring]


class FlightCancelled(Answer):
    """What cancelling a flight did: bookings cancelled, bookings kept because they had begun."""

    id: str
    status: Literal["cancelled"]
    rev: str
    cancelled: list[str]
    kept: list[str]


class FlightAccepted(Answer):
    """The bookings an accepted flight made."""

    broadcast_ids: list[str]
