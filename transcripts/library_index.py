"""The episode library's text search: the same words, query language and Bangla inflection as transcript search.

The library's ``q`` matches an episode's ``search_text`` (titles, descriptions, campaign, producer, file name,
topics, contributors and districts, computed by ``episodes.metadata.refresh_search_keys``) through a
:class:`transcripts.document_index.DocumentIndex`. The library lists what anyone who may list an episode reads
as written, so the index has one variant (no masked copy); which episodes a reader may list stays the listing's
own condition (``episodes.services.list_episodes``). Created by migration episodes_0005.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from transcripts.document_index import DocumentIndex

LIBRARY = DocumentIndex(name="library", table="episodes", bodies=("{row}.search_text",), columns=("search_text",))


def library_matches(session: Session, q: str, *, hide_restricted: bool = False) -> TextualSelect:
    """A select of the ids of episodes whose library text matches ``q`` (a 400 naming ``q`` when it cannot be
    searched for); the caller adds who may list what. ``hide_restricted`` for a reader who may not list
    restricted episodes: their words then never shape how ``q`` is expanded."""
    return LIBRARY.matches(session, q, hide="restricted" if hide_restricted else None)
