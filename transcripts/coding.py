"""Coding services: the codebook (codes with descriptions and colours) and codes attached to segments."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from radio import audit
from radio.db import utcnow
from radio.errors import Conflict, Duplicate, InvalidInput, NotFound
from radio.models import User
from transcripts.coding_models import Code, SegmentCode
from transcripts.models import Segment

MAX_NAME = 200
MAX_TEXT = 10_000
DEFAULT_COLOUR = "#808080"
_COLOUR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def _clean(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be text", code="invalid_field", details={"field": field})
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise InvalidInput(f"'{field}' is required", code="missing_field", details={"field": field})
    if len(value) > limit:
        raise InvalidInput(f"'{field}' may have at most {limit} characters", code="too_long", details={"field": field})
    return value


def _colour(value: Any) -> str:
    if value is None or value == "":
        return DEFAULT_COLOUR
    if not isinstance(value, str) or not _COLOUR.match(value.strip()):
        raise InvalidInput("'colour' must be a colour like #C0392B", code="invalid_colour")
    value = value.strip().upper()
    return "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value


def _insert_unique(session: Session, row: Code | SegmentCode, clash: Exception) -> None:
    """Insert ``row`` under its unique constraint, raising ``clash`` when a concurrent request won the race.

    The lookup before the insert answers the ordinary case; two requests that pass it at once (PostgreSQL
    runs them side by side) meet at the unique index, and the loser gets the same 409 instead of a 500.
    """
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise clash from exc


def name_key(name: str) -> str:
    """The form in which code names are unique (NFC, case-folded)."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def find_code(session: Session, ref: str) -> Code:
    """A code by id or by name (any case); NotFound otherwise."""
    code = session.get(Code, ref) or session.scalar(select(Code).where(Code.name_key == name_key(ref)))
    if code is None:
        raise NotFound(f"no code {ref!r}", code="unknown_code")
    return code


def _check_parent(session: Session, code: Code | None, parent_id: Any) -> str | None:
    if parent_id in (None, ""):
        return None
    parent = find_code(session, str(parent_id))
    ancestor: Code | None = parent
    while ancestor is not None:  # no cycles: the parent may not be the code or one of its descendants
        if code is not None and ancestor.id == code.id:
            raise InvalidInput("a code cannot be nested inside itself", code="invalid_parent")
        ancestor = session.get(Code, ancestor.parent_id) if ancestor.parent_id else None
    return parent.id


def create_code(session: Session, data: dict[str, Any], *, user_id: str | None = None) -> Code:
    """Add a code to the codebook; 409 ``duplicate`` when the name exists (in any case)."""
    name = _clean(data.get("name"), "name", MAX_NAME, required=True)
    existing = session.scalar(select(Code).where(Code.name_key == name_key(name)))
    if existing is not None:
        raise Duplicate(f"a code named {existing.name!r} exists already", details={"id": existing.id})
    code = Code(name=name, name_key=name_key(name), created_by=user_id,
                description=_clean(data.get("description"), "description", MAX_TEXT),
                colour=_colour(data.get("colour", data.get("color"))),
                parent_id=_check_parent(session, None, data.get("parent_id")))
    _insert_unique(session, code, Duplicate(f"a code named {name!r} exists already"))
    return code


def update_code(session: Session, code_id: str, data: dict[str, Any]) -> Code:
    """Rename, re-describe, re-colour or re-nest a code."""
    code = find_code(session, code_id)
    if "name" in data:
        name = _clean(data["name"], "name", MAX_NAME, required=True)
        other = session.scalar(select(Code).where(Code.name_key == name_key(name), Code.id != code.id))
        if other is not None:
            raise Duplicate(f"a code named {other.name!r} exists already", details={"id": other.id})
        code.name, code.name_key = name, name_key(name)
    if "description" in data:
        code.description = _clean(data["description"], "description", MAX_TEXT)
    if "colour" in data or "color" in data:
        code.colour = _colour(data.get("colour", data.get("color")))
    if "parent_id" in data:
        code.parent_id = _check_parent(session, code, data["parent_id"])
    try:
        session.flush()
    except IntegrityError as exc:  # renamed at the same moment as another code got that name
        raise Duplicate(f"a code named {code.name!r} exists already") from exc
    return code


def delete_code(session: Session, code_id: str, *, force: bool = False) -> None:
    """Remove a code; 409 while segments carry it unless ``force`` (which removes those codings too)."""
    code = find_code(session, code_id)
    used = session.scalar(select(func.count()).select_from(SegmentCode).where(SegmentCode.code_id == code.id)) or 0
    if used and not force:
        raise Conflict(f"{used} segment(s) carry this code; pass force=true to remove it from them too",
                       code="code_in_use", details={"segments": used})
    session.delete(code)
    session.flush()


def list_codes(session: Session) -> list[tuple[Code, int]]:
    """The codebook by name, with how many segments carry each code."""
    counts = dict(session.execute(select(SegmentCode.code_id, func.count()).group_by(SegmentCode.code_id)).all())
    return [(c, int(counts.get(c.id, 0))) for c in session.scalars(select(Code).order_by(Code.name_key))]


def _segment(session: Session, segment_id: str, *, restricted: bool) -> Segment:
    segment = session.get(Segment, segment_id)
    if segment is None or (not restricted and _is_restricted(session, segment)):
        raise NotFound("no such segment")
    return segment


def _is_restricted(session: Session, segment: Segment) -> bool:
    from episodes.models import Episode

    return bool(session.scalar(select(Episode.restricted).where(Episode.id == segment.episode_id)))


def apply_code(session: Session, segment_id: str, data: dict[str, Any], *, user_id: str | None = None,
               restricted: bool = True) -> SegmentCode:
    """Attach a code (``code_id`` or ``code`` name) to a segment with a memo; 409 if it is attached already."""
    segment = _segment(session, segment_id, restricted=restricted)
    ref = data.get("code_id") or data.get("code")
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("'code_id' (or a code's name as 'code') is required", code="missing_field")
    code = find_code(session, ref.strip())
    if session.scalar(select(SegmentCode.id).where(SegmentCode.segment_id == segment.id,
                                                   SegmentCode.code_id == code.id)):
        raise Conflict(f"the segment already carries the code {code.name!r}", code="already_coded")
    coding = SegmentCode(segment_id=segment.id, code_id=code.id, episode_id=segment.episode_id,
                         memo=_clean(data.get("memo"), "memo", MAX_TEXT), quote=segment.text, created_by=user_id)
    _insert_unique(session, coding, Conflict(f"the segment already carries the code {code.name!r}",
                                             code="already_coded"))
    return coding


def _coding(session: Session, segment_id: str, code_ref: str) -> SegmentCode:
    code = find_code(session, code_ref)
    coding = session.scalar(select(SegmentCode).where(SegmentCode.segment_id == segment_id,
                                                      SegmentCode.code_id == code.id))
    if coding is None:
        raise NotFound("the segment does not carry this code")
    return coding


def update_memo(session: Session, segment_id: str, code_ref: str, memo: Any) -> SegmentCode:
    """Change the memo of a code on a segment."""
    coding = _coding(session, segment_id, code_ref)
    coding.memo = _clean(memo, "memo", MAX_TEXT)
    coding.updated_at = utcnow()
    session.flush()
    return coding


def remove_code(session: Session, segment_id: str, code_ref: str) -> None:
    """Detach a code from a segment."""
    session.delete(_coding(session, segment_id, code_ref))
    session.flush()


def codings(session: Session, *, segment_id: str | None = None, code: str | None = None,
            episode_id: str | None = None, restricted: bool = True) -> list[SegmentCode]:
    """Coded segments, filtered by segment, code (id or name) and episode, in episode and time order."""
    from episodes.models import Episode

    query = (select(SegmentCode).join(Segment, Segment.id == SegmentCode.segment_id)
             .join(Episode, Episode.id == SegmentCode.episode_id)
             .options(joinedload(SegmentCode.code), joinedload(SegmentCode.segment))
             .order_by(Episode.title, SegmentCode.episode_id, Segment.start, SegmentCode.created_at))
    if segment_id is not None:
        query = query.where(SegmentCode.segment_id == segment_id)
    if code is not None:
        query = query.where(SegmentCode.code_id == find_code(session, code).id)
    if episode_id is not None:
        query = query.where(SegmentCode.episode_id == episode_id)
    if not restricted:
        query = query.where(Episode.restricted.is_(False))
    return list(session.scalars(query).unique())


def listed_codings(session: Session, reader: User, listing: str, *, segment_id: str | None = None,
                   code: str | None = None, episode_id: str | None = None) -> list[SegmentCode]:
    """:func:`codings` for a reader: each restricted episode whose coded segments the listing shows is a row
    in the audit trail (``coding.listed_restricted``, naming the listing, its filters and how many)."""
    from episodes.models import Episode

    items = codings(session, segment_id=segment_id, code=code, episode_id=episode_id)
    shown: dict[str, int] = {}
    for item in items:
        shown[item.episode_id] = shown.get(item.episode_id, 0) + 1
    restricted = sorted(session.scalars(select(Episode.id).where(Episode.id.in_(shown), Episode.restricted)))
    filters = {k: v for k, v in (("segment_id", segment_id), ("code", code), ("episode_id", episode_id)) if v}
    for restricted_id in restricted:
        audit.record(session, reader, "coding.listed_restricted", "episode", restricted_id,
                     {"listing": listing, "filters": filters, "segments": shown[restricted_id]})
    return items


def codes_for_segments(session: Session, segment_ids: list[str] | set[str]) -> dict[str, list[str]]:
    """Code names per segment id (sorted), for evidence logs; segments without codes are left out."""
    out: dict[str, list[str]] = {}
    ids = list(segment_ids)
    for start in range(0, len(ids), 500):  # stay below the database's parameter limit
        rows = session.execute(select(SegmentCode.segment_id, Code.name).join(Code, Code.id == SegmentCode.code_id)
                               .where(SegmentCode.segment_id.in_(ids[start:start + 500])))
        for segment_id, name in rows:
            out.setdefault(segment_id, []).append(name)
    return {k: sorted(v, key=str.casefold) for k, v in out.items()}
