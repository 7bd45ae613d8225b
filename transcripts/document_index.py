"""A full-text index of one table's text with transcript search's rules: the episode library, inbound messages.

Transcript search's index (:mod:`transcripts.search_schema`) is shaped for segments grouped by episode. Other
searchable text — an episode's library fields, a listener's SMS — needs only "which rows match this query",
with the same words (:mod:`transcripts.search_text`: the same SQL normalisation, the same FTS5 tokenizer, the
same ``radio_search_document`` on PostgreSQL), the same query language and the same Bangla inflection
(:func:`transcripts.query.expand`, candidates from the index's own vocabulary). A :class:`DocumentIndex` is
that, declared once per table, optionally with a masked variant (contact details masked, for every reader
but an admin, as :mod:`radio.text_index` keeps it).

SQLite: per variant a contentless FTS5 table ``search_<name>_fts[_masked]`` and its ``fts5vocab`` table, and
``search_<name>_rows`` numbering the rows (a table's implicit ``rowid`` is not stable across ``VACUUM``);
triggers on the table keep them in step inside the writing transaction. PostgreSQL: per variant a GIN index
over ``radio_search_document(<body>)`` and a vocabulary table ``search_<name>_terms[_masked]`` holding the words
of that variant only (:func:`postgres_terms_function`, shared with transcript search), kept by statement
triggers: a masked reader's word expansion never sees, nor is cut short by, a word that only the text as written
holds.

These are the schemas of today, never run by a migration: each migration carries its own SQL written out, and
tests/test_migrations_frozen.py compares a migrated database with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import TextClause, column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

import transcripts.query
from radio.errors import InvalidInput
from transcripts.query import QueryError, Term, expand, parse_query, to_fts5, to_tsquery
from transcripts.search_text import sql_normalise

TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"  # as transcripts.search_schema.TOKENIZER
VARIANTS = ("", "_masked")
_JOIN = " || ' ' || "  # as written (admins), contact details masked (everyone else)


def _upper_bound(prefix: str) -> str:
    return prefix + "\U0010ffff"


def postgres_terms_function(function: str, vectors: Sequence[str], terms: Sequence[str]) -> str:
    """A PostgreSQL trigger function adding the words of each of ``vectors`` (tsvector SQL over the transition
    table's row ``n``: a stored vector column, or ``radio_search_document(<body>)``) to its own vocabulary table in
    ``terms``: the text as written to the first, the masked text to the second. Insert-only: words of deleted or
    corrected text stay until a reindex (an extra candidate matches nothing, and a masked table only ever held
    masked words). Each table is written in term order, always in the
    same table order, so concurrent writers never deadlock on the vocabulary.

    (Tokenising a masked text only when it differs from the original was measured: no difference in server CPU,
    the second table's inserts are the cost; tests/benchmarks/bench_segment_inserts.py.)
    """
    inserts = "\n".join(
        f"""            INSERT INTO {table} (term) SELECT DISTINCT w.lexeme FROM changed_rows n,
                unnest({vector}) AS w ORDER BY 1 ON CONFLICT DO NOTHING;"""
        for vector, table in zip(vectors, terms, strict=True))
    return f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
{inserts}
            RETURN NULL;
        END $fn$"""


def postgres_terms_triggers(function: str, table: str, trigger: str) -> list[str]:
    """Statement triggers ``{trigger}_insert`` / ``_update`` on ``table`` running ``function`` over the new rows."""
    return [f"CREATE TRIGGER {trigger}_{event.lower()} AFTER {event} ON {table}"
            f" REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            for event in ("INSERT", "UPDATE")]


def postgres_fill_terms(table: str, sources: Sequence[tuple[str, str]]) -> str:
    """An INSERT filling vocabulary ``table`` with the words of ``sources``: (table, tsvector SQL over its row
    ``n``)."""
    words = " UNION ".join(f"SELECT w.lexeme FROM {source} n, unnest({vector}) w" for source, vector in sources)
    return f"INSERT INTO {table} (term) SELECT lexeme FROM ({words}) words ORDER BY 1 ON CONFLICT DO NOTHING"


def document(body: str) -> str:
    """SQL for the tsvector of ``body`` computed from the text (for an index without stored vectors)."""
    return f"radio_search_document({body})"


def postgres_vocabulary_leaks(session: Session, terms: str,
                              sources: Sequence[tuple[str, str, str, str, str]]) -> list[str]:
    """Rows (``"<table> row <id>"``) whose masked copy hides a word that the masked vocabulary ``terms`` holds
    although no masked text of ``sources`` does: a masked reader's candidate drawn from hidden content.

    ``sources`` are (table, body as written, masked body, vector as written, masked vector), SQL over a row
    ``{row}`` (a vector: a stored column or :func:`document` of the body). Only rows whose masked text differs from
    the original are looked at; whether any masked text holds the word is asked of the masked GIN indexes (over
    the same vectors). A reindex refills the vocabulary and clears what this finds.
    """
    lexeme = "CAST(:quote || replace(replace(h.word, :bs, :bs2), :quote, :quote2) || :quote AS tsquery)"
    in_masked_text = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} x WHERE {masked_vector.format(row='x')} @@ {lexeme})"
        for table, _original, _masked, _vector, masked_vector in sources)
    hidden = " UNION ALL ".join(
        f"SELECT '{table}' AS source, n.id AS row_id, h.word FROM {table} n CROSS JOIN LATERAL"
        f" (SELECT unnest(tsvector_to_array({vector.format(row='n')}))"
        f" EXCEPT SELECT unnest(tsvector_to_array({masked_vector.format(row='n')}))) AS h(word)"
        f" WHERE {masked.format(row='n')} IS DISTINCT FROM {original.format(row='n')}"
        for table, original, masked, vector, masked_vector in sources)
    rows = session.execute(text(
        f"SELECT DISTINCT h.source, h.row_id FROM ({hidden}) h JOIN {terms} t ON t.term = h.word"
        f" WHERE NOT ({in_masked_text}) ORDER BY 1 DESC, 2"),
        {"quote": "'", "quote2": "''", "bs": "\\", "bs2": "\\\\"}).all()
    return [f"{source} row {row_id}" for source, row_id in rows]


@dataclass(frozen=True)
class DocumentIndex:
    """The index of ``table``'s text: ``bodies`` are SQL over a row called ``{row}`` — the text as written and,
    when there is a second, the masked text; ``columns`` are the columns the bodies read."""

    name: str
    table: str
    bodies: tuple[str, ...]
    columns: tuple[str, ...]
    field: str = "q"  # the query parameter a bad query is reported under

    def _fts(self, variant: int) -> str:
        return f"search_{self.name}_fts{VARIANTS[variant]}"

    def _vocab(self, variant: int) -> str:
        return f"search_{self.name}_vocab{VARIANTS[variant]}"

    @property
    def _rows(self) -> str:
        return f"search_{self.name}_rows"

    def _body(self, variant: int, row: str) -> str:
        return sql_normalise(self.bodies[variant].format(row=row))

    def _doc(self, row: str) -> str:
        return f"(SELECT doc_id FROM {self._rows} WHERE row_id = {row}.id)"

    def _fts_write(self, row: str, *, delete: bool) -> str:
        statements = []
        for variant in range(len(self.bodies)):
            fts = self._fts(variant)
            target, action = (f"{fts}({fts}, rowid, body)", "'delete', ") if delete else (f"{fts}(rowid, body)", "")
            statements.append(f"INSERT INTO {target} VALUES ({action}{self._doc(row)}, {self._body(variant, row)});")
        return "\n            ".join(statements)

    def sqlite_create(self) -> list[str]:
        """Tables and triggers of the SQLite index (filled by :meth:`sqlite_rebuild`)."""
        variants = range(len(self.bodies))
        return [
            f"CREATE TABLE {self._rows} (doc_id INTEGER PRIMARY KEY AUTOINCREMENT, row_id VARCHAR(32) NOT NULL UNIQUE)",
            *(f"CREATE VIRTUAL TABLE {self._fts(v)} USING fts5(body, content='', tokenize=\"{TOKENIZER}\")"
              for v in variants),
            *(f"CREATE VIRTUAL TABLE {self._vocab(v)} USING fts5vocab({self._fts(v)}, 'row')" for v in variants),
            f"""CREATE TRIGGER search_{self.name}_insert AFTER INSERT ON {self.table} BEGIN
            INSERT INTO {self._rows} (row_id) VALUES (new.id);
            {self._fts_write("new", delete=False)}
        END""",
            f"""CREATE TRIGGER search_{self.name}_update AFTER UPDATE OF {", ".join(self.columns)} ON {self.table} BEGIN
            {self._fts_write("old", delete=True)}
            {self._fts_write("new", delete=False)}
        END""",
            f"""CREATE TRIGGER search_{self.name}_delete AFTER DELETE ON {self.table} BEGIN
            {self._fts_write("old", delete=True)}
            DELETE FROM {self._rows} WHERE row_id = old.id;
        END""",
        ]

    def sqlite_rebuild(self) -> list[str]:
        """Statements that empty and refill the SQLite index from the rows."""
        statements = [*(f"INSERT INTO {self._fts(v)}({self._fts(v)}) VALUES ('delete-all')"
                        for v in range(len(self.bodies))),
                      f"DELETE FROM {self._rows}",
                      f"INSERT INTO {self._rows} (row_id) SELECT id FROM {self.table} ORDER BY created_at, id"]
        for v in range(len(self.bodies)):
            statements += [
                f"INSERT INTO {self._fts(v)}(rowid, body) SELECT r.doc_id, {self._body(v, 't')}"
                f" FROM {self._rows} r JOIN {self.table} t ON t.id = r.row_id ORDER BY r.doc_id",
                f"INSERT INTO {self._fts(v)}({self._fts(v)}) VALUES ('optimize')",
            ]
        return statements

    def sqlite_drop(self) -> list[str]:
        """Statements that remove the SQLite index."""
        variants = range(len(self.bodies))
        return [*(f"DROP TRIGGER IF EXISTS search_{self.name}_{event}" for event in ("insert", "update", "delete")),
                *(f"DROP TABLE IF EXISTS {self._vocab(v)}" for v in variants),
                *(f"DROP TABLE IF EXISTS {self._fts(v)}" for v in variants), f"DROP TABLE IF EXISTS {self._rows}"]

    def _gin(self, variant: int) -> str:
        return f"search_{self.name}{VARIANTS[variant]}_gin"

    def _terms(self, variant: int) -> str:
        return f"search_{self.name}_terms{VARIANTS[variant]}"

    def _fill_terms(self, variant: int) -> str:
        return postgres_fill_terms(self._terms(variant), [(self.table, document(self.bodies[variant].format(row="n")))])

    def postgres_create(self) -> list[str]:
        """GIN indexes, the vocabulary tables and their triggers (after transcript search's
        ``radio_search_document``)."""
        variants = range(len(self.bodies))
        function = f"radio_search_terms_{self.name}"
        return [
            *(f"CREATE INDEX {self._gin(v)} ON {self.table} USING gin"
              f" (radio_search_document({body.format(row=self.table)}))" for v, body in enumerate(self.bodies)),
            *(f'CREATE TABLE {self._terms(v)} (term text COLLATE "C" PRIMARY KEY)' for v in variants),
            postgres_terms_function(function, [document(body.format(row="n")) for body in self.bodies],
                                    [self._terms(v) for v in variants]),
            *postgres_terms_triggers(function, self.table, f"search_{self.name}_terms"),
            *(self._fill_terms(v) for v in variants),
        ]

    def postgres_rebuild(self) -> list[str]:
        """Statements that rebuild the PostgreSQL index."""
        variants = range(len(self.bodies))
        return [*(f"REINDEX INDEX {self._gin(v)}" for v in variants),
                *(f"TRUNCATE {self._terms(v)}" for v in variants), *(self._fill_terms(v) for v in variants)]

    def postgres_drop(self) -> list[str]:
        """Statements that remove the PostgreSQL index."""
        variants = range(len(self.bodies))
        return [*(f"DROP INDEX IF EXISTS {self._gin(v)}" for v in variants),
                *(f"DROP TRIGGER IF EXISTS search_{self.name}_terms_{event} ON {self.table}"
                  for event in ("insert", "update")),
                f"DROP FUNCTION IF EXISTS radio_search_terms_{self.name}()",
                *(f"DROP TABLE IF EXISTS {self._terms(v)}" for v in variants)]

    def masked_index_leaks(self, session: Session) -> list[str]:
        """Rows whose masked copy hides a word the masked vocabulary holds and no masked text does (PostgreSQL;
        SQLite's vocabularies are views of the FTS5 tables themselves)."""
        if len(self.bodies) < 2 or session.get_bind().dialect.name != "postgresql":
            return []
        original, masked = self.bodies[0], self.bodies[1]
        return postgres_vocabulary_leaks(session, self._terms(1), [
            (self.table, original, masked, document(original), document(masked))])

    def create(self, dialect: str) -> list[str]:
        """:meth:`sqlite_create` or :meth:`postgres_create`."""
        return self.sqlite_create() if dialect == "sqlite" else self.postgres_create()

    def rebuild(self, dialect: str) -> list[str]:
        """:meth:`sqlite_rebuild` or :meth:`postgres_rebuild`."""
        return self.sqlite_rebuild() if dialect == "sqlite" else self.postgres_rebuild()

    def vocabulary(self, session: Session, prefix: str, *, masked: bool) -> list[str]:
        """Indexed words starting with ``prefix`` of the variant a reader searches (the masked text when
        ``masked`` and the index has one): one b-tree range scan, at most
        :data:`transcripts.query.VOCABULARY_LIMIT` words."""
        variant = 1 if masked and len(self.bodies) > 1 else 0
        sqlite = session.get_bind().dialect.name == "sqlite"
        table = self._vocab(variant) if sqlite else self._terms(variant)
        return list(session.execute(text(
            f"SELECT term FROM {table} WHERE term >= :low AND term < :high ORDER BY term"
            f" LIMIT {transcripts.query.VOCABULARY_LIMIT}"),
            {"low": prefix, "high": _upper_bound(prefix)}).scalars())

    def attested(self, session: Session, words: Iterable[str], *, masked: bool = False,
                 hide: str | None = None) -> set[str]:
        """Those of ``words`` that the text of a row this reader may see holds — a row whose boolean column
        ``hide`` is false, when given — probed one word at a time (the index stops at the first such row)."""
        variant = 1 if masked and len(self.bodies) > 1 else 0
        hidden = f" AND NOT t.{hide}" if hide else ""
        if session.get_bind().dialect.name == "sqlite":
            fts = self._fts(variant)
            join = (f" JOIN {self._rows} r ON r.doc_id = {fts}.rowid JOIN {self.table} t ON t.id = r.row_id"
                    if hide else "")
            probe = text(f"SELECT 1 FROM {fts}{join} WHERE {fts} MATCH :word{hidden} LIMIT 1")
            return {w for w in words if session.execute(probe, {"word": to_fts5(Term(w, exact=True))}).first()}
        document = f"radio_search_document({self.bodies[variant].format(row='t')})"
        probe = text(f"SELECT 1 FROM {self.table} t WHERE {document}"
                     f" @@ to_tsquery('simple'::regconfig, CAST(:word AS text)){hidden} LIMIT 1")
        return {w for w in words if session.execute(probe, {"word": to_tsquery(Term(w, exact=True))}).first()}

    def matches(self, session: Session, q: str, *, masked: bool = False, hide: str | None = None) -> TextualSelect:
        """A select of the ids (column ``id``) of the rows whose text matches ``q`` — the masked text when
        ``masked`` — or a 400 naming :attr:`field` when ``q`` cannot be searched for. ``hide`` names the boolean
        column of rows the reader may not see: their words never shape the expansion of ``q`` (the caller still
        keeps those rows out of what it lists)."""
        try:
            node = parse_query(q)
        except QueryError as exc:
            raise QueryError(exc.message, code=exc.code, details={**exc.details, "field": self.field}) from None
        variant = 1 if masked and len(self.bodies) > 1 else 0
        dialect = session.get_bind().dialect.name
        node = expand(node, lambda prefix: self.vocabulary(session, prefix, masked=masked),
                      lambda words: self.attested(session, words, masked=masked, hide=hide))
        if dialect == "sqlite":
            fts = self._fts(variant)
            clause: TextClause = text(
                f"SELECT r.row_id AS id FROM {fts} JOIN {self._rows} r ON r.doc_id = {fts}.rowid"
                f" WHERE {fts} MATCH :{self.name}_match").bindparams(**{f"{self.name}_match": to_fts5(node)})
        elif dialect == "postgresql":
            document = f"radio_search_document({self.bodies[variant].format(row='t')})"
            clause = text(
                f"SELECT t.id AS id FROM {self.table} t WHERE {document}"
                f" @@ to_tsquery('simple'::regconfig, CAST(:{self.name}_match AS text))",
            ).bindparams(**{f"{self.name}_match": to_tsquery(node)})
        else:
            raise InvalidInput(f"search does not support the {dialect} database", code="unsupported_database")
        return clause.columns(column("id"))
