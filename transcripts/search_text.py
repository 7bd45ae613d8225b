"""Text rules of the search index, shared by queries, snippets and the SQL that keeps the index.

A *token* is a maximal run of characters of the Unicode categories L*, N*, M* and Co, the rule of
SQLite's ``unicode61 categories 'L* N* Co M*'`` tokenizer: Bangla vowel signs (Mc), the virama and
the nukta (Mn) stay inside a word instead of splitting it. Before tokenising, text is normalised:
NFC, no zero-width joiners or soft hyphens, Bangla digits ০–৯ as Latin 0–9, lower case.

Stored text is normalised by SQL (triggers on SQLite, an immutable function on PostgreSQL), so the
rules below exist twice: as Python for queries and as SQL. The migrations carry the SQL of their day
written out; changing these rules needs a new migration that carries its own SQL, and
``radio search --reindex``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

BANGLA_DIGITS = "০১২৩৪৫৬৭৮৯"
_DIGIT_TABLE = str.maketrans(BANGLA_DIGITS, "0123456789")
# Invisible joiners that writers put inside Bangla words (র‍্য) and that must not split them.
INVISIBLE = ("\u200c", "\u200d", "\u00ad")

# What NFC does inside the Bengali block, as plain replacements SQL can apply: ড় ঢ় য় are excluded
# from composition (NFC keeps them decomposed), ো and ৌ are composed from their two parts.
BENGALI_CANONICAL = (
    ("\u09dc", "\u09a1\u09bc"),
    ("\u09dd", "\u09a2\u09bc"),
    ("\u09df", "\u09af\u09bc"),
    ("\u09c7\u09be", "\u09cb"),
    ("\u09c7\u09d7", "\u09cc"),
)
SQL_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    tuple((ch, "") for ch in INVISIBLE)
    + BENGALI_CANONICAL
    + tuple(zip(BANGLA_DIGITS, "0123456789", strict=True))
)
# Text beyond this length is not indexed (a PostgreSQL tsvector holds at most 1 MB).
MAX_INDEXED_CHARS = 100_000


def normalise(text: str) -> str:
    """Text as the index sees it before tokenising: NFC, no joiners, Latin digits (case kept)."""
    for ch in INVISIBLE:
        text = text.replace(ch, "")
    return unicodedata.normalize("NFC", text).translate(_DIGIT_TABLE)


def _is_token_char(cp: int) -> bool:
    category = unicodedata.category(chr(cp))
    return category[0] in "LNM" or category == "Co"


@functools.cache
def separator_ranges() -> tuple[tuple[int, int], ...]:
    """Code point ranges that separate tokens (everything but L*, N*, M*, Co; surrogates left out).

    Unassigned code points between two separators are folded into the range, which keeps the list
    short; whether an unassigned character splits a word does not matter.
    """
    ranges: list[list[int]] = []
    only_unassigned_since_last = False
    for cp in range(1, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            only_unassigned_since_last = False
            continue
        category = unicodedata.category(chr(cp))
        if category == "Cn":
            continue
        if _is_token_char(cp):
            only_unassigned_since_last = False
            continue
        if ranges and only_unassigned_since_last:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
        only_unassigned_since_last = True
    return tuple((a, b) for a, b in ranges)


def _pg_escape(cp: int) -> str:
    return f"\\u{cp:04x}" if cp <= 0xFFFF else f"\\U{cp:08x}"


@functools.cache
def _separator_re() -> re.Pattern[str]:
    body = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in separator_ranges()
    )
    invisible = "".join(INVISIBLE)
    return re.compile(f"(?:(?![{invisible}])[{body}])+")


def split_tokens(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the tokens of ``text``; joiners count as part of a word."""
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _separator_re().finditer(text):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < len(text):
        spans.append((position, len(text)))
    return spans


@functools.lru_cache(maxsize=1 << 16)  # snippets look up every word of every hit; vocabularies repeat
def token_key(token: str) -> str:
    """The indexed form of one token (normalised and lower-cased)."""
    return normalise(token).lower()


def index_terms(text: str) -> list[str]:
    """The terms the index stores for ``text``, in order."""
    clean = normalise(text)
    return [clean[a:b].lower() for a, b in split_tokens(clean)]


def sql_normalise(expr: str) -> str:
    """SQL (SQLite and PostgreSQL alike) that applies :data:`SQL_REPLACEMENTS` to ``expr``."""
    sql = f"substr({expr}, 1, {MAX_INDEXED_CHARS})"
    for old, new in SQL_REPLACEMENTS:
        sql = f"replace({sql}, '{old}', '{new}')"
    return sql


def postgres_separator_class() -> str:
    """A PostgreSQL regular-expression bracket class of every separator (ASCII escapes only)."""
    body = "".join(_pg_escape(a) if a == b else f"{_pg_escape(a)}-{_pg_escape(b)}" for a, b in separator_ranges())
    return f"[{body}]"
