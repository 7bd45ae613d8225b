"""Search of inbound SMS text: transcript search's words, query language and Bangla inflection.

Message text is evidence (researchers and admins only, ``radio.access`` rule ``inbound.read``): admins search
the text as written, researchers the copy with contact details masked (``InboundMessage.redacted_text``, kept by
:mod:`radio.text_index`), exactly as transcript search does, so no query can tell a masked number apart.
The index is a :class:`transcripts.document_index.DocumentIndex` with both variants, created by migration
schedule_0009.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from radio.text_index import masked_document
from schedule.models import InboundMessage
from transcripts.document_index import DocumentIndex

MESSAGES = DocumentIndex(name="messages", table="inbound_messages",
                         bodies=("{row}.text", "coalesce({row}.redacted_text, {row}.text)"),
                         columns=("text", "redacted_text"))
REFRESH_BATCH = 5000


def message_matches(session: Session, q: str, *, masked: bool) -> TextualSelect:
    """A select of the ids of messages whose text (the masked copy when ``masked``) matches ``q``; a 400 naming
    ``q`` when it cannot be searched for."""
    return MESSAGES.matches(session, q, masked=masked)


def message_index_leaks(session: Session) -> list[str]:
    """Messages whose masked copy hides a word the researchers' vocabulary holds and no masked text does
    (``radio verify``; fixed by a reindex)."""
    return MESSAGES.masked_index_leaks(session)


def reindex_messages(session: Session) -> int:
    """Recompute every message's masked copy with today's redaction rules, then rebuild the message index;
    returns the messages indexed."""
    last = ""
    while True:
        batch = session.execute(select(InboundMessage.id, InboundMessage.redacted_text, InboundMessage.text)
                                .where(InboundMessage.id > last).order_by(InboundMessage.id)
                                .limit(REFRESH_BATCH)).all()
        if not batch:
            break
        last = batch[-1][0]
        updates = [{"row_id": row[0], "copy": fresh} for row in batch
                   if (fresh := masked_document([row[2]])) != row[1]]
        if updates:
            table = cast(Table, InboundMessage.__table__)
            session.execute(update(table).where(table.c.id == bindparam("row_id"))
                            .values(redacted_text=bindparam("copy")), updates)
    for statement in MESSAGES.rebuild(session.get_bind().dialect.name):
        session.execute(text(statement))
    return int(session.execute(text("SELECT count(*) FROM inbound_messages")).scalar_one())
