"""A station's podcast feed (RSS 2.0 via feedgen, with the Podcasting 2.0 ``podcast:`` namespace for transcripts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from episodes.models import Episode
from radio import access
from schedule.access import station_sees
from schedule.models import Broadcast, BroadcastOverride, BroadcastStatus, Station
from schedule.stations import feed_token
from transcripts.access import masked
from transcripts.exports import render_transcript
from transcripts.models import Transcript
from transcripts.services import provenance, segment_dict

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}
RECENT = dt.timedelta(days=30)  # episodes aired this long ago stay in the feed


class PodcastNamespace(BaseExtension):
    """feedgen extension declaring the ``podcast:`` namespace on the channel."""

    def extend_ns(self) -> dict[str, str]:
        """The namespace prefix map."""
        return {"podcast": PODCAST_NS}


class PodcastNamespaceEntry(BaseEntryExtension):
    """feedgen entry extension writing ``<podcast:transcript url type language rel>`` elements."""

    def __init__(self) -> None:
        self._transcripts: list[dict[str, str]] = []

    def extend_ns(self) -> dict[str, str]:
        """The namespace prefix map."""
        return {"podcast": PODCAST_NS}

    def transcript(self, url: str, mime: str, language: str = "", rel: str = "") -> None:
        """Add a transcript link to the item."""
        attrs = {"url": url, "type": mime}
        if language:
            attrs["language"] = language
        if rel:
            attrs["rel"] = rel
        self._transcripts.append(attrs)

    def extend_rss(self, entry: Any) -> Any:
        """Append the transcript elements to the ``<item>``."""
        for attrs in self._transcripts:
            etree.SubElement(entry, f"{{{PODCAST_NS}}}transcript", attrs)
        return entry


@dataclass(frozen=True)
class PodcastItem:
    """One booked episode as the playout system pulls it."""

    guid: str
    title: str
    description: str
    language: str
    published: dt.datetime
    audio_url: str
    size_bytes: int
    duration_s: float
    transcripts: tuple[tuple[str, str], ...] = ()  # (url, mime type)


@dataclass(frozen=True)
class PodcastValues:
    """The channel and its items."""

    title: str
    description: str
    link: str
    self_url: str
    items: tuple[PodcastItem, ...]


def render_podcast_feed(values: PodcastValues) -> bytes:
    """RSS 2.0 bytes of the feed."""
    fg = FeedGenerator()
    fg.load_extension("podcast")  # iTunes tags (duration) that playout software reads
    fg.register_extension("podcast_ns", PodcastNamespace, PodcastNamespaceEntry, atom=False)
    fg.title(values.title)
    fg.description(values.description)
    fg.link(href=values.self_url, rel="self")
    fg.link(href=values.link, rel="alternate")  # feedgen takes the last link for RSS <link>
    fg.language("bn")
    fg.generator("Ashshash Radio")
    if values.items:
        fg.lastBuildDate(max(item.published for item in values.items))
    for item in values.items:
        entry = fg.add_entry(order="append")
        entry.guid(item.guid, permalink=False)
        entry.title(item.title)
        entry.description(item.description or item.title)
        entry.published(item.published)
        entry.enclosure(item.audio_url, str(item.size_bytes), "audio/mpeg")
        entry.podcast.itunes_duration(int(round(item.duration_s)))
        for url, mime in item.transcripts:
            entry.podcast_ns.transcript(url, mime, language=item.language)
    return fg.rss_str(pretty=True)  # type: ignore[no-any-return]


def _transcribed(session: Session, episode_ids: list[str]) -> set[str]:
    if not episode_ids:
        return set()
    return set(session.scalars(select(Transcript.episode_id).where(Transcript.episode_id.in_(episode_ids))))


def station_podcast_values(session: Session, station: Station, base_url: str, secret_key: str,
                           now: dt.datetime) -> PodcastValues:
    """The episodes booked on the station (upcoming or aired in the last 30 days) with a broadcast rendition."""
    live = select(Broadcast.id).where(Broadcast.station_id == station.id,
                                      Broadcast.status == BroadcastStatus.CONFIRMED,
                                      or_(Broadcast.series_end.is_(None), Broadcast.series_end >= now - RECENT))
    ids = set(session.scalars(select(Broadcast.episode_id).where(Broadcast.id.in_(live))))
    ids |= set(session.scalars(select(BroadcastOverride.episode_id).where(
        BroadcastOverride.broadcast_id.in_(live), BroadcastOverride.episode_id.is_not(None))))
    episodes = list(session.scalars(select(Episode).where(
        Episode.id.in_(ids), access.station_visible(Episode, now.date()),  # the station rule
        Episode.broadcast_sha256.is_not(None)).order_by(Episode.created_at, Episode.id)))
    transcribed = _transcribed(session, [e.id for e in episodes])
    token = feed_token(secret_key, station)
    base = f"{base_url.rstrip('/')}/feeds/{station.slug}"
    items = tuple(
        PodcastItem(
            guid=f"{e.id}-{e.broadcast_sha256}", title=e.title, description=e.description, language=e.language,
            published=e.created_at.replace(microsecond=0), audio_url=f"{base}/audio/{e.id}.mp3?token={token}",
            size_bytes=e.broadcast_size_bytes or 0, duration_s=e.broadcast_duration_s or e.duration_s or 0,
            transcripts=tuple((f"{base}/transcripts/{e.id}.{fmt}?token={token}", mime)
                              for fmt, mime in TRANSCRIPT_TYPES.items()) if e.id in transcribed else ())
        for e in episodes)
    label = " / ".join(n for n in (station.name_bn, station.name) if n)
    return PodcastValues(title=f"{label} — সম্প্রচারের অডিও / broadcast audio",
                         description=f"Audio booked for {station.name} by Ashshash Radio",
                         link=base_url, self_url=f"{base}/podcast.xml?token={token}", items=items)


def station_airs_episode(session: Session, station: Station, episode_id: str) -> Episode | None:
    """The episode when it is booked (confirmed) on the station and may be broadcast; else None."""
    booked = session.scalar(select(Broadcast.id).where(
        Broadcast.station_id == station.id, Broadcast.status == BroadcastStatus.CONFIRMED,
        or_(Broadcast.episode_id == episode_id,
            Broadcast.id.in_(select(BroadcastOverride.broadcast_id).where(BroadcastOverride.episode_id == episode_id))),
    ).limit(1))
    episode = session.get(Episode, episode_id) if booked else None
    if episode is None or not station_sees(episode, booked=True):  # the station rule
        return None
    return episode


def station_transcript(session: Session, station: Station, episode_id: str, fmt: str) -> str | None:
    """The transcript (VTT or SRT, phone numbers redacted) of an episode booked on the station, or None."""
    episode = station_airs_episode(session, station, episode_id)
    if episode is None or fmt not in TRANSCRIPT_TYPES:
        return None
    transcript = session.scalar(select(Transcript).where(Transcript.episode_id == episode.id))
    if transcript is None:
        return None
    doc = {"episode_id": episode.id, "title": masked(episode.title), "language": transcript.language,
           "revision": transcript.revision, "provenance": provenance(transcript),
           "segments": [segment_dict(s, redact=True) for s in transcript.segments]}
    return render_transcript(doc, fmt)
