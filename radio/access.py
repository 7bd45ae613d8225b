"""The one access policy: who may see or do what, and whether they see it redacted.

Every route names the rule it uses (:func:`policy`); a test walks Flask's URL map and fails for a route
without one, or whose role gate differs from its rule's roles. The item-level questions — may this reader
know this episode exists, read its transcript, see contact details unmasked; may a station see it — are
the functions below, asked by every listing, page, feed, export and search. Core concepts only (roles and
the episode columns ``restricted``, ``consent``, ``valid_until``): features import this module, never the
other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, or_

from radio.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"  # no user needed (sign-in page, the API document, static files, health status)
FEED = "feed_token"  # a station's secret feed token in the URL; every item passes the station rule
LOCAL = "local_or_admin"  # the machine itself or an admin's token (metrics)
SIGNED = "signed_webhook"  # a station's SMS gateway, proven by the signature of the request (no user)
USER = "signed_in"  # any signed-in user; items filtered by the functions below


@dataclass(frozen=True)
class Rule:
    """One named access rule: who may pass the gate (``roles``; admins always do) and what it guards."""

    name: str
    audience: str  # PUBLIC, FEED, LOCAL or USER
    roles: tuple[str, ...]  # for USER: the roles let through (empty: any role)
    guards: str


_P, _S, _R, _A = Role.PRODUCER.value, Role.STATION.value, Role.RESEARCHER.value, Role.ADMIN.value

RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("public", PUBLIC, (), "nothing restricted: sign-in, language, API document, static files, health status"),
    Rule("account", USER, (), "the signed-in user's own profile, tokens and jobs"),
    Rule("episode.list", USER, (), "episode listings: restricted episodes never reach a station"),
    Rule("episode.read", USER, (), "an episode page, its audio and renditions: 404 when hidden from the reader"),
    Rule("episode.write", USER, (_P,), "upload, edit, delete, re-analyse; loosening protection is admin-only"),
    Rule("library.page", USER, (_P, _R), "the library pages of the UI"),
    Rule("transcript.read", USER, (), "a transcript and its exports: stations 403, restricted 404 but for "
                                      "researchers and admins, contact details masked but for admins"),
    Rule("transcript.queue", USER, (_P, _R), "queue a transcription (producers cannot read what it makes)"),
    Rule("transcript.correct", USER, (_R,), "correct a segment (researchers and admins)"),
    Rule("evidence.export", USER, (_R,), "the evidence log export (masked but for admins)"),
    Rule("search", USER, (_P, _R), "search: restricted only for researchers and admins, matching on the "
                                   "redacted text but for admins"),
    Rule("search.page", USER, (_R, _P), "the search page of the UI"),
    Rule("segment.page", USER, (_P, _R), "a segment's page in the UI (transcript.read applies to its episode)"),
    Rule("coding", USER, (_R,), "codes, coded segments and their exports (masked but for admins)"),
    Rule("schedule.read", USER, (), "stations and broadcasts: a station sees its own, under the station rule"),
    Rule("schedule.write", USER, (_P,), "book, move and cancel broadcasts (eligible episodes only)"),
    Rule("schedule.page", USER, (_P,), "the schedule pages of the UI"),
    Rule("airing.confirm", USER, (_P, _S), "confirm an airing: a station its own, producers any (never a future one)"),
    Rule("airing.read", USER, (_P, _S, _R), "airings and their history: a station sees its own"),
    Rule("airing.make_good", USER, (_P,), "propose and book a make-good for a missed airing"),
    Rule("station.airings.page", USER, (_S,), "the station's phone-sized airing confirmation page"),
    Rule("schedule.airings.page", USER, (_P,), "a station's airings for producers in the UI"),
    Rule("sms.hook", SIGNED, (), "inbound SMS and missed calls: 403 without the station's signature"),
    Rule("inbound.read", USER, (_R,), "inbound message text: researchers (redacted) and admins only"),
    Rule("programme.write", USER, (_P,), "rundowns: create, read and re-render programmes (broadcastable parts only)"),
    Rule("flight.write", USER, (_P,),
         "flights: propose, read, adjust, accept, extend, cancel (under the schedule's rules)"),
    Rule("station.page", USER, (_S,), "a station's own week and feedback forms"),
    Rule("feedback.report", USER, (_P, _S), "report feedback on a broadcast the reporter may see"),
    Rule("feedback.read", USER, (), "feedback history of a broadcast the reader may see"),
    Rule("feedback.summary", USER, (_P, _S, _R), "feedback summaries (a station: its own, station rule)"),
    Rule("reports.reach", USER, (_P, _S), "reach reports and the rows behind them (a station: its own station)"),
    Rule("reports.evidence", USER, (_R, _P), "evidence summaries: restricted episodes only for researchers, "
         "quotes always redacted"),
    Rule("reports.page", USER, (_P, _S, _R), "the reports page of the UI (each part by the rules above)"),
    Rule("campaign.calendar", USER, (_P,), "every station's bookings as one calendar (never restricted ones)"),
    Rule("station.feed", FEED, (), "calendars, podcast feed, broadcast audio and transcripts of a station: "
                                   "only episodes passing the station rule"),
    Rule("admin", USER, (_A,), "users, roles, tokens, stations, feed tokens, workers, jobs, audit trail"),
    Rule("metrics", LOCAL, (), "Prometheus metrics: the machine itself or an admin"),
)}


def policy(name: str) -> Callable[[F], F]:
    """Register the rule a view uses (checked against its gate by the URL-map test)."""
    if name not in RULES:
        raise KeyError(f"no access rule {name!r}")

    def register(view: F) -> F:
        view._access_rule = name  # type: ignore[attr-defined]
        return view

    return register


def rule_of(view: Callable[..., Any]) -> Rule | None:
    """The rule a view registered, or None."""
    name = getattr(view, "_access_rule", None)
    return RULES.get(name) if isinstance(name, str) else None


def passes(rule: Rule, user: User | None) -> bool:
    """True when ``user`` passes the rule's role gate (admins always do)."""
    if rule.audience != USER:
        return True
    return user is not None and (not rule.roles or user.has_role(*rule.roles))


# --- who sees what ---------------------------------------------------------------------------------------

def _role(who: User | str | None) -> str | None:
    return who.role if isinstance(who, User) else who


def sees_restricted(who: User | str | None) -> bool:
    """Researchers and admins may know restricted episodes exist (and read their transcripts)."""
    return _role(who) in (_R, _A)


def hides_restricted(who: User | str | None) -> bool:
    """True when restricted episodes are hidden from this reader's listings and pages."""
    return _role(who) == _S


def sees_unmasked(who: User | str | None) -> bool:
    """Only admins see phone numbers and e-mail addresses unmasked (everywhere: pages, exports, search)."""
    return _role(who) == _A


def reads_transcripts(who: User | str | None) -> bool:
    """Stations never read transcripts through the API (their feed carries masked ones of aired episodes)."""
    return _role(who) in (_P, _R, _A)


def may_loosen_protection(who: User | str | None) -> bool:
    """Only admins may lift a restriction or grant broadcast consent to an interview or call-in."""
    return _role(who) == _A


class EpisodeLike(Protocol):
    """The episode columns the station rule reads."""

    @property
    def restricted(self) -> bool: ...
    @property
    def consent(self) -> str: ...
    @property
    def valid_until(self) -> dt.date | None: ...


def station_may_see(episode: EpisodeLike, *, booked: bool, today: dt.date) -> bool:
    """The station rule: not restricted, broadcast consent, not expired, and booked on that station."""
    return (booked and not episode.restricted and episode.consent == "broadcast"
            and (episode.valid_until is None or episode.valid_until >= today))


def station_visible(model: Any, today: dt.date) -> ColumnElement[bool]:
    """The station rule's episode half as SQL over ``model`` (the Episode class or an alias of it).

    The booking half is the caller's join: the station's own broadcasts (or overrides) name the episode.
    """
    return and_(model.restricted.is_(False), model.consent == "broadcast",
                or_(model.valid_until.is_(None), model.valid_until >= today))
