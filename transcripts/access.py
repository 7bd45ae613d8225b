"""The access policy's transcript side: how a reader sees transcript text (contact details masked or not).

Who may read what is :mod:`radio.access`; this module turns its answer into the function every transcript
view, export, snippet, search hit and feed applies to text.
"""

from __future__ import annotations

from collections.abc import Callable

from radio import access
from radio.models import User
from radio.redaction import redact_contact_details


def _unchanged(text: str) -> str:
    return text


def masks_contact_details(who: User | str | None) -> bool:
    """True when this reader sees phone numbers and e-mail addresses masked (everyone but admins)."""
    return not access.sees_unmasked(who)


def text_for(who: User | str | None) -> Callable[[str], str]:
    """The function that shows text to this reader: masking contact details unless the reader is an admin."""
    return redact_contact_details if masks_contact_details(who) else _unchanged


def masked(text: str) -> str:
    """Text as every reader but an admin sees it (station feeds, shared snippets)."""
    return redact_contact_details(text)
