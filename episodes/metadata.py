"""Editorial metadata: validation and NFC normalisation of what producers send, and derived search keys."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from episodes.models import CONSENTS, KINDS, LANGUAGES, Episode, default_consent
from radio.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
MAX_LIST = 64


def nfc(text: str) -> str:
    """NFC-normalised text with surrounding space removed."""
    return unicodedata.normalize("NFC", text).strip()


def search_key(text: str) -> str:
    """The form text is compared in: NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def clean_filename(name: str) -> str:
    """The client's file name as text (NFC, no control characters); never used as a path."""
    return _CONTROL.sub("", nfc(str(name)))[:500]


def _text(limit: int, *, required: bool = False, multiline: bool = False) -> Callable[[str, Any], str]:
    def convert(field: str, value: Any) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput(f"'{field}' must be text", code="invalid_field", details={"field": field})
        text = nfc(value)
        bad = _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text))
        if bad:
            raise InvalidInput(f"'{field}' contains control characters", code="invalid_field",
                               details={"field": field})
        if required and not text:
            raise InvalidInput(f"'{field}' is required", code="missing_field", details={"field": field})
        if len(text) > limit:
            raise InvalidInput(f"'{field}' is longer than {limit} characters", code="invalid_field",
                               details={"field": field})
        return text

    return convert


def _choice(options: tuple[str, ...]) -> Callable[[str, Any], str]:
    def convert(field: str, value: Any) -> str:
        text = nfc(value).lower() if isinstance(value, str) else value
        if text not in options:
            raise InvalidInput(f"'{field}' must be one of {', '.join(options)}", code="invalid_field",
                               details={"field": field})
        return str(text)

    return convert


def _text_list(field: str, value: Any) -> list[str]:
    if value is None or value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise InvalidInput(f"'{field}' must be a comma-separated text or a list of texts", code="invalid_field",
                           details={"field": field})
    cleaned = [_text(200)(field, i) for i in items]
    result = list(dict.fromkeys(c for c in cleaned if c))
    if len(result) > MAX_LIST:
        raise InvalidInput(f"'{field}' has more than {MAX_LIST} entries", code="invalid_field",
                           details={"field": field})
    return result


def parse_bool(field: str, value: Any) -> bool:
    """A boolean from JSON or a form value (true/false, 1/0, yes/no, on/off)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInput(f"'{field}' must be true or false", code="invalid_field", details={"field": field})


def _date(field: str, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(f"'{field}' must be a date like 2025-01-31", code="invalid_field",
                           details={"field": field}) from exc


FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "title": _text(300, required=True), "title_bn": _text(300), "title_en": _text(300),
    "description": _text(20000, multiline=True), "description_bn": _text(20000, multiline=True),
    "description_en": _text(20000, multiline=True),
    "language": _choice(LANGUAGES), "kind": _choice(KINDS), "consent": _choice(CONSENTS),
    "campaign": _text(100), "audience": _text(200), "producer": _text(200), "rights": _text(5000, multiline=True),
    "topics": _text_list, "districts": _text_list, "contributors": _text_list,
    "restricted": parse_bool, "recorded_on": _date, "valid_until": _date,
}
UPLOAD_ONLY = ("filename",)


def validate_metadata(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Checked, normalised values of the given fields; 400 on an unknown field or a bad value."""
    unknown = sorted(set(data) - set(FIELDS) - set(UPLOAD_ONLY))
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(unknown)}", code="unknown_field",
                           details={"fields": unknown})
    values = {name: convert(name, data[name]) for name, convert in FIELDS.items() if name in data}
    if not partial:
        if "title" not in values:
            raise InvalidInput("'title' is required", code="missing_field", details={"field": "title"})
        values.setdefault("language", "bn")
        values.setdefault("kind", "other")
        values.setdefault("consent", default_consent(values["kind"]))
        # Survivor safety: without broadcast consent an episode starts (and stays) restricted.
        values.setdefault("restricted", values["consent"] != "broadcast")
    return values


def apply_metadata(episode: Episode, values: Mapping[str, Any]) -> None:
    """Set validated values on ``episode`` and refresh its derived search keys."""
    for name, value in values.items():
        setattr(episode, name, value)
    if values.get("consent", "broadcast") != "broadcast" and "restricted" not in values:
        episode.restricted = True
    if episode.consent != "broadcast" and not episode.restricted:
        raise InvalidInput("an episode without broadcast consent must stay restricted", code="consent_required",
                           details={"field": "restricted"})
    refresh_search_keys(episode)


def refresh_search_keys(episode: Episode) -> None:
    """Recompute ``search_text`` and ``district_keys`` from the editorial fields."""
    parts = [episode.title, episode.title_bn, episode.title_en, episode.description, episode.description_bn,
             episode.description_en, episode.campaign, episode.producer, episode.filename,
             *(episode.topics or []), *(episode.contributors or []), *(episode.districts or [])]
    episode.search_text = search_key(" ".join(p for p in parts if p))
    districts = [search_key(d) for d in episode.districts or []]
    episode.district_keys = ("|" + "|".join(districts) + "|") if districts else ""
