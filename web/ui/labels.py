"""Translated names of the codes the UI shows: roles, kinds, languages, consent, statuses."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from web.i18n import current_locale, format_duration

ROLES = {"producer": _l("Producer"), "station": _l("Station"), "researcher": _l("Researcher"), "admin": _l("Admin")}
KINDS = {
    "drama": _l("Drama"), "psa": _l("Public service announcement"), "talk": _l("Talk show"),
    "interview": _l("Interview"), "call_in": _l("Listener call-in"), "song": _l("Song"), "jingle": _l("Jingle"),
    "other": _l("Other"),
}
LANGUAGES = {"bn": _l("Bangla"), "en": _l("English"), "auto": _l("Detect automatically")}
CONSENTS = {"broadcast": _l("May be broadcast"), "research_only": _l("Research only"), "none": _l("No consent")}
STATUSES = {
    "uploaded": _l("Uploaded"), "analysing": _l("Analysing"), "ready": _l("Ready"), "failed": _l("Failed"),
    "queued": _l("Queued"), "running": _l("Running"), "done": _l("Done"),
    "scheduled": _l("Scheduled"), "cancelled": _l("Cancelled"), "confirmed": _l("Confirmed"),
    "stopping": _l("Stopping"), "stopped": _l("Stopped"), "lost": _l("Lost (no heartbeat)"),
}
JOB_KINDS = {"episode.analyse": _l("Analysis"), "episode.render": _l("Broadcast rendition"),
             "transcribe": _l("Transcription"), "programme.render": _l("Programme render")}
PROGRAMME_STATUSES = {"draft": _l("Not rendered since the last edit"), "queued": _l("Queued"),
                      "rendering": _l("Rendering"), "ready": _l("Rendered"), "failed": _l("Failed")}
FLIGHT_STATUSES = {"proposed": _l("Proposed (nothing booked yet)"), "accepted": _l("Accepted (booked)"),
                   "cancelled": _l("Cancelled")}
RUNDOWN_ROLES = {"speech": _l("Speech"), "music": _l("Music"), "jingle": _l("Jingle"), "bed": _l("Music bed")}
HTTP_STATUS = {
    400: _l("Bad request"), 401: _l("Sign-in needed"), 403: _l("Not allowed"), 404: _l("Not found"),
    405: _l("Not allowed"), 409: _l("Conflict"), 413: _l("Too large"), 415: _l("Not an audio file"),
    500: _l("Something went wrong"), 507: _l("Storage full"),
}
DISTRICTS = {"Dhaka": _l("Dhaka"), "Narsingdi": _l("Narsingdi"), "Manikganj": _l("Manikganj")}
FEEDBACK_FIELDS = {
    "calls": _l("Calls"), "sms": _l("SMS"), "missed_calls": _l("Missed calls"), "letters": _l("Letters"),
    "in_person": _l("In person"),
}

# Bangla readers get these messages for the commonest service errors (English readers get the service's own,
# more detailed sentence).
ERRORS = {
    "missing_field": _l("This is required."), "invalid_field": _l("This value is not valid."),
    "forbidden": _l("Your role may not make this change."),
    "precondition_failed": _l("Someone else changed this since you opened the page. Check it, then save again "
                              "to replace their change."),
    "empty_file": _l("The file is empty."), "unsupported_media": _l("This file is not audio that can be read."),
    "truncated": _l("The audio file is cut short or damaged."),
    "too_large": _l("The file is larger than the upload limit."), "duplicate": _l("This exists already."),
    "invalid_start": _l("Enter a date and time, e.g. 2026-03-06 20:00."),
    "nonexistent_local_time": _l("This time does not exist in the station's time zone."),
    "ambiguous_local_time": _l("This time happens twice in the station's time zone."),
    "episode_restricted": _l("This episode is restricted: it is never broadcast."),
    "no_broadcast_consent": _l("This episode has no consent to be broadcast."),
    "episode_expired": _l("This episode may not be aired that late."),
    "episode_not_ready": _l("This episode's analysis has not finished yet."),
    "consent_required": _l("Without broadcast consent the episode must stay restricted."),
    "invalid_rrule": _l("This recurrence rule is not valid."),
    "series_overlaps_itself": _l("The airings of this series would overlap each other."),
    "invalid_count": _l("Enter a whole number (0 or more)."),
    "occurrence_in_future": _l("This airing has not happened yet."),
    "no_such_occurrence": _l("There is no airing on that date."),
    "occurrence_required": _l("Give the date of the airing."),
    "invalid_email": _l("Enter an e-mail address."), "user_exists": _l("A user with this e-mail exists already."),
    "weak_password": _l("A password needs at least 8 characters."),
    "station_required": _l("A station user needs a station."),
    "station_not_allowed": _l("Only station users belong to a station."),
    "invalid_slug": _l("Use lowercase letters, digits and hyphens."),
    "station_exists": _l("A station with this short name exists already."),
    "invalid_timezone": _l("Give a time zone such as Asia/Dhaka."),
    "text_too_long": _l("The text is too long."), "too_long": _l("The text is too long."),
    "already_coded": _l("The segment carries this code already."),
    "does_not_fit": _l("The speech alone is longer than the slot."),
    "part_not_broadcastable": _l("This episode is restricted or has no broadcast consent: it cannot be part of "
                                 "a programme."),
    "part_not_ready": _l("This episode's analysis has not finished yet."),
    "render_in_progress": _l("The programme is being rendered; wait until it has finished."),
    "rundown_changed": _l("The rundown was changed since this page was loaded; look at it again."),
    "out_before_in": _l("The out point must lie after the in point."),
    "bed_not_music": _l("Only music can be a bed."),
    "flight_cancelled": _l("This flight is cancelled."),
    "not_accepted": _l("This flight is only a proposal: accept it first."),
    "already_accepted": _l("This flight is booked already."),
    "no_valid_creative": _l("None of the flight's spots may be aired after its last day."),
    "too_many_airings": _l("That would book too many airings for one flight."),
    "invalid_sort": _l("Choose most relevant, newest or oldest first."),
}


def error_message(code: str, message: str) -> str:
    """A service error as the reader's language says it (the service's sentence where there is no translation)."""
    translated = ERRORS.get(code)
    return str(translated) if translated is not None and current_locale() != "en" else message


def _lookup(table: dict[Any, Any], key: Any) -> str:
    value = table.get(key)
    return str(value) if value is not None else str(key or "")


def role_label(code: str) -> str:
    """A role's name in the UI language."""
    return _lookup(ROLES, code)


def kind_label(code: str) -> str:
    """An episode kind's name in the UI language."""
    return _lookup(KINDS, code)


def language_label(code: str) -> str:
    """A content language's name in the UI language."""
    return _lookup(LANGUAGES, code)


def consent_label(code: str) -> str:
    """A consent level's name in the UI language."""
    return _lookup(CONSENTS, code)


def status_label(code: str) -> str:
    """An episode, job or broadcast status in the UI language."""
    return _lookup(STATUSES, code)


def programme_status_label(code: str) -> str:
    """A programme's render status in the UI language."""
    return _lookup(PROGRAMME_STATUSES, code)


def flight_status_label(code: str) -> str:
    """A flight's status in the UI language."""
    return _lookup(FLIGHT_STATUSES, code)


def rundown_role_label(code: str) -> str:
    """A rundown item's role (speech, music, jingle, or a music bed) in the UI language."""
    return _lookup(RUNDOWN_ROLES, code)


def job_kind_label(code: str) -> str:
    """A job kind's name in the UI language."""
    return _lookup(JOB_KINDS, code)


def status_title(status: int) -> str:
    """The title of an error page."""
    return _lookup(HTTP_STATUS, status if status in HTTP_STATUS else 500 if status >= 500 else 400)


def district_label(name: str) -> str:
    """A district's name in the UI language (other names as entered)."""
    return _lookup(DISTRICTS, name)


def role_options(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name) pairs for a role select."""
    return [(code, role_label(code)) for code in codes]


def station_name(station: Any) -> str:
    """A station's name in the UI language (the Bangla name when there is one and the UI is Bangla)."""
    if station is None:
        return ""
    name_bn = str(getattr(station, "name_bn", "") or "")
    return name_bn if name_bn and current_locale() == "bn" else str(station.name)


def station_options(stations: Any) -> list[tuple[str, str]]:
    """(slug, name) pairs for a station select."""
    return [(s.slug, f"{station_name(s)} ({s.slug})") for s in stations]


def episode_title(episode: Any) -> str:
    """An episode's title in the UI language when it has one, else its main title."""
    if episode is None:
        return ""
    localized = getattr(episode, "title_bn" if current_locale() == "bn" else "title_en", "")
    return str(localized or episode.title)


def episode_options(episodes: Any) -> list[tuple[str, str]]:
    """(id, "title (duration)") pairs for an episode select."""
    return [(e.id, f"{episode_title(e)} ({format_duration(e.broadcast_duration_s or e.duration_s)})")
            for e in episodes]


GLOBALS = {
    "episode_options": episode_options, "error_message": error_message,
    "role_options": role_options, "station_name": station_name, "station_options": station_options,
    "episode_title": episode_title,
    "role_label": role_label, "kind_label": kind_label, "language_label": language_label,
    "consent_label": consent_label, "status_label": status_label, "job_kind_label": job_kind_label,
    "programme_status_label": programme_status_label, "rundown_role_label": rundown_role_label,
    "flight_status_label": flight_status_label,
    "status_title": status_title, "district_label": district_label, "KINDS": KINDS, "LANGUAGES": LANGUAGES,
    "CONSENTS": CONSENTS, "FEEDBACK_FIELDS": FEEDBACK_FIELDS, "DISTRICTS": DISTRICTS,
}
