"""The search query language: words, =exact words, "quoted phrases", prefix*, OR, NOT (or -word), (groups).

A plain Bangla word stands for its inflected forms (পাচার finds পাচারের): :func:`expand` replaces it by the
indexed words that are its forms (transcripts.bangla_inflection, candidates from the index vocabulary). A word
written ``=word``, a prefix and the words of a quoted phrase match exactly as written (after normalisation).

User text is parsed into a small tree and compiled from it to SQLite FTS5 ``MATCH`` syntax and to a
PostgreSQL ``tsquery``, quoting every term; user text never reaches either engine as syntax. Terms are
normalised like the index (NFC, Bangla digits as Latin, lower case), so ০১৭ finds 017.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from radio.errors import InvalidInput
from transcripts.bangla_inflection import candidate_forms, expand_word, inflected_forms, is_bangla
from transcripts.search_text import index_terms

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_TERM_CHARS = 64
MAX_DEPTH = 8
OPERATORS = {"OR", "AND", "NOT"}


@dataclass(frozen=True)
class Term:
    """One normalised word; ``prefix`` matches every word that starts with it; ``exact`` matches only this form."""

    text: str
    prefix: bool = False
    exact: bool = False


@dataclass(frozen=True)
class Phrase:
    """Words that must follow each other; ``prefix`` applies to the last one."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class And:
    """Every item must match (items that are ``Not`` must not)."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Any item may match."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Excludes what its item matches; only valid beside a positive item of an ``And``."""

    item: Node


Node = Term | Phrase | And | Or | Not


class QueryError(InvalidInput):
    """A query that cannot be searched for; the message says why and how to fix it."""

    code = "bad_query"


def _lex(query: str) -> list[tuple[str, object]]:
    """Tokens: ('op', 'OR'|'AND'|'NOT'), ('(', None), (')', None), ('leaf', Term | Phrase)."""
    out: list[tuple[str, object]] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            end = n if end < 0 else end  # an unclosed quote runs to the end of the query
            text, i = query[i + 1:end], end + 1
            prefix = i < n and query[i] == "*"
            i += 1 if prefix else 0
            _add_leaf(out, text, prefix, exact=True)  # a quoted word or phrase matches as written
        elif ch in "()":
            out.append((ch, None))
            i += 1
        elif ch == "|":
            out.append(("op", "OR"))
            i += 1
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] not in "-|()":
            out.append(("op", "NOT"))
            i += 1
        else:
            start = i
            while i < n and not query[i].isspace() and query[i] not in '"()|':
                i += 1
            word = query[start:i]
            if word in OPERATORS:
                out.append(("op", word))
            else:
                exact = word.startswith("=")
                _add_leaf(out, word.lstrip("=").rstrip("*"), word.endswith("*"), exact=exact)
    return out


def _add_leaf(out: list[tuple[str, object]], text: str, prefix: bool, *, exact: bool = False) -> None:
    words = tuple(index_terms(text))
    for word in words:
        if len(word) > MAX_TERM_CHARS:
            raise QueryError(f"a search word may have at most {MAX_TERM_CHARS} characters", code="term_too_long")
    if len(words) == 1:
        out.append(("leaf", Term(words[0], prefix, exact)))
    elif words:
        out.append(("leaf", Phrase(words, prefix)))
    # text with no word characters at all (punctuation, FTS syntax) adds nothing


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at_operand_end(self) -> bool:
        token = self.peek()
        return token is None or token[0] == ")" or token == ("op", "OR") or token == ("op", "AND")

    def parse_query(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() is not None:
            node = self.parse_or()
            if node is not None:
                parts.append(node)
            if self.peek() is not None and self.peek()[0] == ")":  # type: ignore[index]
                self.pos += 1  # an unmatched ')' is ignored
        return _and(parts)

    def parse_or(self) -> Node | None:
        items = [self.parse_and()]
        while self.peek() == ("op", "OR"):
            self.pos += 1
            items.append(self.parse_and())
        if len(items) > 1 and any(item is None for item in items):
            raise QueryError("OR needs something to search for on each side, as in 'দালাল OR broker'")
        return items[0] if len(items) == 1 else Or(tuple(i for i in items if i is not None))

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        while not (self.peek() is None or self.peek()[0] == ")" or self.peek() == ("op", "OR")):  # type: ignore[index]
            if self.peek() == ("op", "AND"):
                self.pos += 1
                if not items or self.at_operand_end():
                    raise QueryError("AND needs something to search for on each side")
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        return _and(items)

    def parse_unary(self) -> Node | None:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "op":  # NOT (OR and AND are handled by the callers)
            if self.at_operand_end():
                raise QueryError("NOT needs a word after it, as in 'পাচার NOT গান'")
            inner = self.parse_unary()
            if inner is None:
                return None
            return inner.item if isinstance(inner, Not) else Not(inner)
        if kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"brackets may be nested at most {MAX_DEPTH} deep", code="query_too_deep")
            node = self.parse_or()
            if self.peek() is not None and self.peek()[0] == ")":  # type: ignore[index]
                self.pos += 1  # an unclosed '(' closes at the end of the query
            self.depth -= 1
            return node
        if kind == ")":
            return None
        assert isinstance(value, Term | Phrase)
        return value


def _and(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, And) else (item,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _check_negations(node: Node, *, inside_and: bool = False) -> None:
    if isinstance(node, Not):
        if not inside_and:
            raise QueryError("NOT only excludes from other words, as in 'পাচার NOT গান'; add a word to search for")
        _check_negations(node.item)
    elif isinstance(node, And):
        if all(isinstance(item, Not) for item in node.items):
            raise QueryError("NOT only excludes from other words, as in 'পাচার NOT গান'; add a word to search for")
        for item in node.items:
            _check_negations(item, inside_and=True)
    elif isinstance(node, Or):
        for item in node.items:
            _check_negations(item)


def leaves(node: Node, *, negated: bool = False) -> list[tuple[Term | Phrase, bool]]:
    """Every term and phrase with whether it is negated."""
    if isinstance(node, Term | Phrase):
        return [(node, negated)]
    if isinstance(node, Not):
        return leaves(node.item, negated=not negated)
    return [leaf for item in node.items for leaf in leaves(item, negated=negated)]


def parse_query(query: str) -> Node:
    """Parse user text into a query tree, or raise :class:`QueryError` (a 400) saying what is wrong."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long: at most {MAX_QUERY_CHARS} characters", code="query_too_long")
    tokens = _lex(query.replace("\x00", " "))  # NUL ends C strings in SQLite and is refused by PostgreSQL
    if sum(1 for kind, _ in tokens if kind == "leaf") > MAX_TERMS:
        raise QueryError(f"the query has too many words: at most {MAX_TERMS}", code="too_many_terms")
    node = _Parser(tokens).parse_query()
    if node is None:
        raise QueryError("the query has nothing to search for: give at least one word", code="empty_query")
    _check_negations(node)
    return node


MAX_FORMS = 64  # inflected forms one query word may stand for (a long tail of rare forms is cut, longest last)
VOCABULARY_LIMIT = 5000  # words one vocabulary range scan lists; a two-letter stem of a big corpus stays bounded


def expand(node: Node, vocabulary_from: Callable[[str], Iterable[str]],
           attested: Callable[[Iterable[str]], Iterable[str]] | None = None) -> Node:
    """``node`` with every plain Bangla word replaced by the indexed forms it stands for (exact terms).

    ``vocabulary_from(prefix)`` lists the indexed words starting with ``prefix`` (at most
    :data:`VOCABULARY_LIMIT`); ``attested(words)`` gives back those of ``words`` that occur in a text this
    reader may search (default: every indexed word). A word with no other form stays itself; phrases, prefixes
    and ``=word`` are left as written.

    The vocabulary holds the words of every text, those hidden from this reader too (a restricted episode's,
    for a producer). It only proposes candidates: every decision that shapes the expansion — whether a base is
    a word, which forms a stem has, which forms survive :data:`MAX_FORMS`, and the forms of a stem whose range
    scan was cut at the limit (looked up one by one instead) — is taken on the attested words only, so no
    hidden text can change what a reader's query matches.
    """
    lookup = functools.lru_cache(maxsize=None)(lambda prefix: frozenset(vocabulary_from(prefix)))
    verdicts: dict[str, bool] = {}

    def visible(words: Iterable[str]) -> set[str]:
        words = set(words)
        unknown = [w for w in words if w not in verdicts]
        if unknown:
            found = set(attested(unknown)) if attested is not None else {w for w in unknown if w in lookup(w)}
            verdicts.update((w, w in found) for w in unknown)
        return {w for w in words if verdicts[w]}

    @functools.cache
    def forms_of(stem: str) -> frozenset[str]:  # the attested words that are ``stem`` or its inflections
        vocabulary = lookup(stem)
        if len(vocabulary) >= VOCABULARY_LIMIT:  # the range scan was cut: every possible form looked up
            return frozenset(visible([stem, *candidate_forms(stem)]))
        return frozenset(visible(inflected_forms(stem, vocabulary)))

    def is_word(word: str) -> bool:
        return (len(lookup(word)) >= VOCABULARY_LIMIT or word in lookup(word)) and bool(visible([word]))

    def walk(item: Node) -> Node:
        if isinstance(item, Term):
            if item.prefix or item.exact or not is_bangla(item.text):
                return item
            forms = sorted(expand_word(item.text, forms_of, is_word), key=lambda f: (f != item.text, len(f), f))
            terms = tuple(Term(form, exact=True) for form in forms[:MAX_FORMS])
            return terms[0] if len(terms) == 1 else Or(terms)
        if isinstance(item, Phrase):
            return item
        if isinstance(item, Not):
            return Not(walk(item.item))
        return type(item)(tuple(walk(i) for i in item.items))

    return walk(node)


def _fts_string(words: tuple[str, ...], prefix: bool) -> str:
    quoted = '"' + " ".join(words).replace('"', '""') + '"'
    return quoted + " *" if prefix else quoted


def to_fts5(node: Node) -> str:
    """The FTS5 MATCH expression for a parsed query (every term a quoted string)."""
    if isinstance(node, Term):
        return _fts_string((node.text,), node.prefix)
    if isinstance(node, Phrase):
        return _fts_string(node.words, node.prefix)
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(item) for item in node.items) + ")"
    if isinstance(node, And):
        positive = [to_fts5(i) for i in node.items if not isinstance(i, Not)]
        negative = [to_fts5(i.item) for i in node.items if isinstance(i, Not)]
        return "(" + " AND ".join(positive) + "".join(f" NOT {n}" for n in negative) + ")"
    raise QueryError("NOT only excludes from other words")  # unreachable after _check_negations


def _ts_lexeme(word: str, prefix: bool) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def to_tsquery(node: Node) -> str:
    """The PostgreSQL tsquery text for a parsed query (every lexeme quoted; for ``to_tsquery('simple', …)``)."""
    if isinstance(node, Term):
        return _ts_lexeme(node.text, node.prefix)
    if isinstance(node, Phrase):
        last = len(node.words) - 1
        return "(" + " <-> ".join(_ts_lexeme(w, node.prefix and i == last) for i, w in enumerate(node.words)) + ")"
    if isinstance(node, Not):
        return "!" + to_tsquery(node.item)
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(item) for item in node.items) + ")"
