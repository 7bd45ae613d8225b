"""The generic half of the full-text index: a document's text and its masked copy, kept in step by the models.

A searchable document (a segment's text, an episode's titles and descriptions, later an inbound message) is
indexed twice: as written (for admins) and as every other reader sees it, with contact details masked
(:func:`radio.redaction.redacted_or_none`). Matching, totals and snippets for non-admins are computed on the
masked copy, so no query can tell masked digits apart. The masked copy is a nullable column beside the text:
NULL when nothing in the text is masked (most rows), so the index reads ``coalesce(masked, text)``.

The copy is computed in Python (the redaction rules are Python) whenever the row is written through
SQLAlchemy: a context-sensitive column default covers every INSERT (ORM objects and bulk ``insert(Model)``
lists alike) and attribute events cover ORM updates. A raw SQL ``UPDATE`` of the text must set the copy too;
``radio search --reindex`` recomputes every copy, and ``radio verify`` names a row whose copy differs from what
today's rules give (:func:`masked_copy_drift`): every model with a masked copy registers it here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from radio.redaction import redacted_or_none

SEPARATOR = " "
DRIFT_BATCH = 5000


@dataclass(frozen=True)
class MaskedCopy:
    """A model's masked-copy column and the text columns it is computed from."""

    model: Any  # a mapped class with an ``id`` key
    copy: str
    sources: tuple[str, ...]

    @property
    def table(self) -> str:
        """The table's name (for messages)."""
        return str(getattr(self.model, "__tablename__", self.model.__name__))


# Every masked copy the models keep, in registration (= feature) order.
MASKED_COPIES: list[MaskedCopy] = []


def masked_document(values: Sequence[str | None]) -> str | None:
    """The masked copy of a document made of ``values`` (joined by a space), or None when nothing is masked."""
    return redacted_or_none(SEPARATOR.join(v or "" for v in values))


def masked_default(*sources: str) -> Callable[[Any], str | None]:
    """A column default that computes the masked copy of the ``sources`` columns of the row being inserted."""

    def default(context: Any) -> str | None:
        params = context.get_current_parameters()
        return masked_document([params.get(name) for name in sources])

    return default


def keep_masked_copy(model: type, copy: str, sources: Sequence[str]) -> None:
    """Recompute ``model.copy`` whenever one of its ``sources`` attributes is set on an ORM object."""

    def on_set(name: str) -> Callable[..., None]:
        def listener(target: Any, value: Any, _old: Any, _initiator: Any) -> None:
            values = [value if source == name else getattr(target, source, None) for source in sources]
            setattr(target, copy, masked_document(values))

        return listener

    for source in sources:
        event.listen(getattr(model, source), "set", on_set(source))
    MASKED_COPIES.append(MaskedCopy(model, copy, tuple(sources)))


def masked_copy_drift(session: Session, *, batch: int = DRIFT_BATCH) -> Iterator[tuple[MaskedCopy, str, str | None]]:
    """(copy, row id, today's masked copy) for every row whose stored copy differs, in id order per table.

    Reads in keyset-paged batches, so a caller may update the rows it was given between batches.
    """
    for masked in MASKED_COPIES:
        model = masked.model
        key = model.id
        columns = [getattr(model, name) for name in masked.sources]
        last = ""
        while True:
            rows = session.execute(select(key, getattr(model, masked.copy), *columns).where(key > last)
                                   .order_by(key).limit(batch)).all()
            if not rows:
                break
            last = rows[-1][0]
            for row in rows:
                fresh = masked_document(list(row[2:]))
                if fresh != row[1]:
                    yield masked, row[0], fresh
