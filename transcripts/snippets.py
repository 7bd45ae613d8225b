"""Search snippets: redacted, HTML-escaped text with the matching words wrapped in ``<mark>``."""

from __future__ import annotations

import html
from dataclasses import dataclass

from transcripts.query import Node, Phrase, Term, leaves
from transcripts.search_text import split_tokens, token_key

SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Highlighter:
    """Which indexed words of a query to mark: exact words and prefixes (negated words are not marked)."""

    words: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def for_query(cls, node: Node) -> Highlighter:
        """The words a parsed query looks for."""
        words: set[str] = set()
        prefixes: list[str] = []
        for leaf, negated in leaves(node):
            if negated:
                continue
            items = (leaf.text,) if isinstance(leaf, Term) else leaf.words
            assert isinstance(leaf, Term | Phrase)
            words.update(items[:-1])
            (prefixes.append if leaf.prefix else words.add)(items[-1])
        return cls(frozenset(words), tuple(prefixes))

    def matches(self, key: str) -> bool:
        """True when an indexed word is one the query looks for."""
        return key in self.words or any(key.startswith(p) for p in self.prefixes)


def _redact(text: str) -> str:
    from transcripts.access import masked

    return masked(text)


def make_snippet(text: str, highlighter: Highlighter, *, redact: bool, width: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around its first match: phone numbers masked (unless ``redact`` is False),
    every character HTML-escaped, matching words wrapped in ``<mark>…</mark>``."""
    if redact:
        text = _redact(text)
    marks = [(a, b) for a, b in split_tokens(text) if highlighter.matches(token_key(text[a:b]))]
    start, end = 0, len(text)
    if len(text) > width:
        first = marks[0][0] if marks else 0
        start = max(0, first - width // 3)
        if start > 0:  # begin at a word boundary
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
        end = min(len(text), start + width)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    pieces = ["…"] if start > 0 else []
    position = start
    for a, b in marks:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        pieces += [html.escape(text[position:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        position = b
    pieces.append(html.escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return "".join(pieces)
