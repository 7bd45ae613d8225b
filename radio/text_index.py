"""The generic half of the full-text index: a document's text and its masked copy, kept in step by the models.

A searchable document (a segment's text, an episode's titles and descriptions, later an inbound message) is
indexed twice: as written (for admins) and as every other reader sees it, with contact details masked
(:func:`radio.redaction.redacted_or_none`). Matching, totals and snippets for non-admins are computed on the
masked copy, so no query can tell masked digits apart. The masked copy is a nullable column beside the text:
NULL when nothing in the text is masked (most rows), so the index reads ``coalesce(masked, text)``.

The copy is computed in Python (the redaction rules are Python) whenever the row is written through
SQLAlchemy: a context-sensitive column default covers every INSERT (ORM objects and bulk ``insert(Model)``
lists alike) and attribute events cover ORM updates. A raw SQL ``UPDATE`` of the text must set the copy too;
``radio search --reindex`` recomputes every copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event

from radio.redaction import redacted_or_none

SEPARATOR = " "


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
