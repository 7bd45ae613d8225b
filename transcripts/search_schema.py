"""SQL of the full-text index on SQLite (FTS5 + triggers) and PostgreSQL (GIN over a tsvector expression).

SQLite: ``search_fts`` is a contentless FTS5 table of every indexed document (a segment's current text,
or an episode's titles and descriptions). A document's id says whose it is: ``ep_no << 20 | n``, where
``ep_no`` numbers the episode in ``search_episode_facets`` (which also holds the episode's filter values:
restricted, language, kind, campaign, recorded date, districts) and ``n`` is 0 for the episode's own
text and 1, 2, 3… for its segments (``search_rows`` maps a document to its segment). A search filters
each match with integer arithmetic and one lookup in the small facets table, never touching
``episodes`` or ``segments``, and an episode's documents are one rowid range. Triggers on ``segments``
and ``episodes`` keep all three in step inside the writing transaction.

PostgreSQL: ``radio_search_document(text)`` is an immutable function (the same normalisation, then
``to_tsvector('simple', …)``). ``segments`` and ``episodes`` store its result for each reader's text in generated
columns (``search_vector`` of the text as written, ``search_vector_masked`` of the masked text; STORED, so always
in step with the rows by construction) with a GIN index on each. A GIN match of a phrase is lossy (word positions
are rechecked on the row): the recheck reads the stored vector instead of recomputing the document (issue 14:
phrase p95 3,250 ms at a million segments when it did). ``search_terms`` and ``search_terms_masked``
(transcripts_0005) are the words of the text as written and of the masked text, kept by statement triggers from
the stored vectors, for query-word expansion.

This is the schema of today, never run by a migration: each migration carries its own SQL written out
(``transcripts_0002`` made the first SQLite index and the PostgreSQL one, ``transcripts_0003`` today's SQLite
index, ``transcripts_0006`` today's PostgreSQL one), and tests/test_migrations_frozen.py checks that a migrated
database matches this SQL. A change here needs a new migration that carries its own SQL, and a reindex.
"""

from __future__ import annotations

from episodes.models import SEARCHED_FIELDS
from transcripts import library_index
from transcripts.document_index import postgres_fill_terms, postgres_terms_function, postgres_terms_triggers
from transcripts.search_text import postgres_separator_class, sql_normalise

TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
EPISODE_FIELDS = SEARCHED_FIELDS
DOC_BITS = 20  # an episode has room for 2**20 - 1 segments (a month of speech)
DOC_MASK = (1 << DOC_BITS) - 1
FACETS = ("restricted", "language", "kind", "campaign", "recorded", "districts")
# Episode columns the facets are computed from.
FACET_SOURCES = ("restricted", "language", "kind", "campaign", "recorded_on", "created_at", "districts")
DISTRICT_SEPARATOR = "char(31)"


def episode_document(alias: str) -> str:
    """SQL for the searchable text of an episode row called ``alias``."""
    return " || ' ' || ".join(f"{alias}.{field}" for field in EPISODE_FIELDS)


def _facet_values(alias: str) -> list[str]:
    """SQL for the facets of an episode row ``alias``, in the order of :data:`FACETS`."""
    sep = DISTRICT_SEPARATOR
    districts = (f"coalesce((SELECT {sep} || group_concat(lower(d.value), {sep}) || {sep}"
                 f" FROM json_each({alias}.districts) AS d), '')")
    return [f"{alias}.restricted", f"{alias}.language", f"{alias}.kind", f"{alias}.campaign",
            f"coalesce({alias}.recorded_on, date({alias}.created_at))", districts]


def _episode_base(episode_id: str) -> str:
    return f"(SELECT ep_no << {DOC_BITS} FROM search_episode_facets WHERE episode_id = {episode_id})"


def _next_doc(episode_id: str) -> str:
    """SQL for the next free document id in an episode's range (NULL when the episode is not indexed)."""
    base = _episode_base(episode_id)
    return f"(SELECT max(doc_id) + 1 FROM search_rows WHERE doc_id BETWEEN {base} AND {base} + {DOC_MASK})"


def _check_room(episode_id: str, when: str | None = None) -> str:
    """Abort when the episode is not indexed, or its range is full (the next id would be the next episode's)."""
    full = f"coalesce({_next_doc(episode_id)} & {DOC_MASK}, 0) = 0"
    return (f"SELECT RAISE(ABORT, 'search index: no document id for a segment of this episode')"
            f" WHERE {f'{when} AND ' if when else ''}{full};")


# The two full-text tables: the text as written (admins) and as everyone else reads it (contact details masked).
FTS_TABLES = ("search_fts", "search_fts_masked")
VOCABULARY = {"search_fts": "search_vocab", "search_fts_masked": "search_vocab_masked"}


def segment_bodies(alias: str) -> tuple[str, str]:
    """SQL for a segment row's indexed text in each of :data:`FTS_TABLES`."""
    return f"{alias}.text", f"coalesce({alias}.redacted_text, {alias}.text)"


def episode_bodies(alias: str) -> tuple[str, str]:
    """SQL for an episode row's indexed text in each of :data:`FTS_TABLES`."""
    document = episode_document(alias)
    return document, f"coalesce({alias}.redacted_document, {document})"


def _fts_delete(where: str, bodies: tuple[str, str]) -> str:
    return "\n            ".join(
        f"INSERT INTO {table}({table}, rowid, body) SELECT 'delete', doc_id, {sql_normalise(body)}"
        f" FROM search_rows WHERE {where};" for table, body in zip(FTS_TABLES, bodies, strict=True))


def _fts_insert(where: str, bodies: tuple[str, str]) -> str:
    return "\n            ".join(
        f"INSERT INTO {table}(rowid, body) SELECT doc_id, {sql_normalise(body)} FROM search_rows WHERE {where};"
        for table, body in zip(FTS_TABLES, bodies, strict=True))


SEGMENT_ROW = "segment_id = {row}.id"
SEGMENT_TEXT = ("text", "redacted_text")
EPISODE_TEXT = (*EPISODE_FIELDS, "redacted_document")


def sqlite_create() -> list[str]:
    """Tables and triggers of the SQLite index (empty; fill with :func:`sqlite_rebuild`)."""
    old_seg, new_seg = segment_bodies("old"), segment_bodies("new")
    old_ep, new_ep = episode_bodies("old"), episode_bodies("new")
    seg_old, seg_new = SEGMENT_ROW.format(row="old"), SEGMENT_ROW.format(row="new")
    ep_old, ep_new = f"doc_id = {_episode_base('old.id')}", f"doc_id = {_episode_base('new.id')}"
    facet_set = ", ".join(f"{name} = {value}" for name, value in zip(FACETS, _facet_values("new"), strict=True))
    moved = "new.episode_id IS NOT old.episode_id"
    return [
        "CREATE TABLE search_episode_facets (ep_no INTEGER PRIMARY KEY AUTOINCREMENT,"
        " episode_id VARCHAR(32) NOT NULL UNIQUE, restricted BOOLEAN NOT NULL, language VARCHAR(2) NOT NULL,"
        " kind VARCHAR(20) NOT NULL, campaign VARCHAR(100) NOT NULL, recorded DATE, districts TEXT NOT NULL)",
        "CREATE TABLE search_rows (doc_id INTEGER PRIMARY KEY, segment_id VARCHAR(32) UNIQUE)",
        *(f"CREATE VIRTUAL TABLE {table} USING fts5(body, content='', tokenize=\"{TOKENIZER}\")"
          for table in FTS_TABLES),
        # The indexed words, for expanding a query word into its inflected forms (one b-tree range scan).
        *(f"CREATE VIRTUAL TABLE {VOCABULARY[table]} USING fts5vocab({table}, 'row')" for table in FTS_TABLES),
        f"""CREATE TRIGGER search_episodes_insert AFTER INSERT ON episodes BEGIN
            INSERT INTO search_episode_facets (episode_id, {", ".join(FACETS)})
                VALUES (new.id, {", ".join(_facet_values("new"))});
            INSERT INTO search_rows (doc_id, segment_id) VALUES (last_insert_rowid() << {DOC_BITS}, NULL);
            {_fts_insert(ep_new, new_ep)}
        END""",
        f"""CREATE TRIGGER search_episodes_update AFTER UPDATE OF {", ".join(EPISODE_TEXT)} ON episodes BEGIN
            {_fts_delete(ep_old, old_ep)}
            {_fts_insert(ep_new, new_ep)}
        END""",
        f"""CREATE TRIGGER search_episodes_facets AFTER UPDATE OF {", ".join(FACET_SOURCES)} ON episodes BEGIN
            UPDATE search_episode_facets SET {facet_set} WHERE episode_id = new.id;
        END""",
        f"""CREATE TRIGGER search_episodes_delete AFTER DELETE ON episodes BEGIN
            {_fts_delete(ep_old, old_ep)}
            DELETE FROM search_rows WHERE {ep_old};
            DELETE FROM search_episode_facets WHERE episode_id = old.id;
        END""",
        f"""CREATE TRIGGER search_segments_insert AFTER INSERT ON segments BEGIN
            {_check_room("new.episode_id")}
            INSERT INTO search_rows (doc_id, segment_id) VALUES ({_next_doc("new.episode_id")}, new.id);
            {_fts_insert(seg_new, new_seg)}
        END""",
        # One trigger for every column: a segment moved to another episode gets a document id in its range.
        f"""CREATE TRIGGER search_segments_update AFTER UPDATE OF {", ".join(SEGMENT_TEXT)}, episode_id ON segments
        BEGIN
            {_fts_delete(seg_old, old_seg)}
            {_check_room("new.episode_id", moved)}
            UPDATE search_rows SET doc_id = {_next_doc("new.episode_id")} WHERE {seg_new} AND {moved};
            {_fts_insert(seg_new, new_seg)}
        END""",
        f"""CREATE TRIGGER search_segments_delete AFTER DELETE ON segments BEGIN
            {_fts_delete(seg_old, old_seg)}
            DELETE FROM search_rows WHERE {seg_old};
        END""",
        *library_index.LIBRARY.sqlite_create(),  # the episode library's own index, same rules
    ]


def sqlite_rebuild() -> list[str]:
    """Statements that empty and refill the SQLite index from the rows, then merge it into one b-tree."""
    fill = []
    for index, table in enumerate(FTS_TABLES):
        # In document order: FTS5 writes its in-memory index out whenever a rowid goes backwards.
        fill += [
            f"INSERT INTO {table}(rowid, body) SELECT f.ep_no << {DOC_BITS},"
            f" {sql_normalise(episode_bodies('e')[index])}"
            " FROM search_episode_facets f JOIN episodes e ON e.id = f.episode_id ORDER BY f.ep_no",
            f"INSERT INTO {table}(rowid, body) SELECT r.doc_id, {sql_normalise(segment_bodies('s')[index])}"
            " FROM search_rows r JOIN segments s ON s.id = r.segment_id ORDER BY r.doc_id",
            f"INSERT INTO {table}({table}) VALUES ('optimize')",
        ]
    return [
        *(f"INSERT INTO {table}({table}) VALUES ('delete-all')" for table in FTS_TABLES),
        "DELETE FROM search_rows",
        "DELETE FROM search_episode_facets",
        "DELETE FROM sqlite_sequence WHERE name = 'search_episode_facets'",
        f"INSERT INTO search_episode_facets (episode_id, {', '.join(FACETS)})"
        f" SELECT e.id, {', '.join(_facet_values('e'))} FROM episodes e ORDER BY e.created_at, e.id",
        f"INSERT INTO search_rows (doc_id, segment_id) SELECT ep_no << {DOC_BITS}, NULL FROM search_episode_facets",
        f"INSERT INTO search_rows (doc_id, segment_id) SELECT (f.ep_no << {DOC_BITS})"
        " + row_number() OVER (PARTITION BY f.ep_no ORDER BY s.start, s.idx, s.id), s.id"
        " FROM segments s JOIN search_episode_facets f ON f.episode_id = s.episode_id",
        *fill,
        *library_index.LIBRARY.sqlite_rebuild(),
    ]


def sqlite_drop() -> list[str]:
    """Statements that remove the SQLite index."""
    triggers = [f"search_{table}_{event}" for table in ("segments", "episodes")
                for event in ("insert", "update", "delete")] + ["search_episodes_facets"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in triggers] + [
        *(f"DROP TABLE IF EXISTS {VOCABULARY[table]}" for table in FTS_TABLES),
        *(f"DROP TABLE IF EXISTS {table}" for table in FTS_TABLES), "DROP TABLE IF EXISTS search_rows",
        "DROP TABLE IF EXISTS search_episode_facets", *library_index.LIBRARY.sqlite_drop()]


# Which stored vector serves which reader: originals for admins, masked text for everyone else.
PG_BODIES = {"segments": segment_bodies, "episodes": episode_bodies}
PG_VECTORS = ("search_vector", "search_vector_masked")  # generated columns, in the order of the bodies
PG_INDEXES = {  # name: (table, indexed column)
    f"search_{table}{suffix}_gin": (table, column)
    for table in PG_BODIES for suffix, column in zip(("", "_masked"), PG_VECTORS, strict=True)}


def pg_vectors(alias: str) -> tuple[str, str]:
    """SQL for a segment's or an episode's stored vectors (as written, masked) of the row called ``alias``."""
    return f"{alias}.{PG_VECTORS[0]}", f"{alias}.{PG_VECTORS[1]}"


def _pg_vector_columns() -> list[str]:
    """ALTER TABLEs adding the generated vector columns (one rewrite of each table)."""
    return [f"ALTER TABLE {table} " + ", ".join(
        f"ADD COLUMN {column} tsvector GENERATED ALWAYS AS (radio_search_document({body})) STORED"
        for column, body in zip(PG_VECTORS, bodies(table), strict=True)) for table, bodies in PG_BODIES.items()]


# The vocabulary of each reader's text, for expanding a query word into its inflected forms with one b-tree range
# scan: the words of the text as written (admins) and of the masked text (everyone else), as SQLite's two fts5vocab
# tables. A masked reader's candidates never hold, nor are cut short by, a word only an original text holds.
PG_TERMS = ("search_terms", "search_terms_masked")


def _pg_vocabulary_trigger(table: str) -> list[str]:
    """Statement-level triggers adding the words of new or changed ``table`` rows to each vocabulary."""
    function = f"radio_search_terms_{table}"
    return [postgres_terms_function(function, pg_vectors("n"), PG_TERMS),
            *postgres_terms_triggers(function, table, f"search_{table}_terms")]


def _pg_fill_terms() -> list[str]:
    return [postgres_fill_terms(terms, [(table, pg_vectors("n")[variant]) for table in PG_BODIES])
            for variant, terms in enumerate(PG_TERMS)]


def _pg_recompute_vectors() -> list[str]:
    """UPDATEs rewriting the rows whose stored vectors differ from what ``radio_search_document`` gives today
    (none, unless the function was replaced without rewriting the rows): setting a column the generated columns
    read recomputes both."""
    statements = []
    for table, bodies in PG_BODIES.items():
        touched = "text" if table == "segments" else EPISODE_FIELDS[0]
        stale = " OR ".join(f"{column} IS DISTINCT FROM radio_search_document({body})"
                            for column, body in zip(PG_VECTORS, bodies(table), strict=True))
        statements.append(f"UPDATE {table} SET {touched} = {touched} WHERE {stale}")
    return statements


def postgres_create() -> list[str]:
    """Functions and GIN indexes of the PostgreSQL index."""
    separators = postgres_separator_class()
    # pg_restore builds indexes with an empty search_path: the indexed function may call only pg_catalog
    # functions, never radio_search_text, or a restored backup fails while creating the index.
    normalised = f"lower(regexp_replace({sql_normalise('doc')}, '{separators}+', ' ', 'g'))"
    return [
        f"""CREATE OR REPLACE FUNCTION radio_search_text(doc text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $fn$ SELECT {normalised} $fn$""",
        f"""CREATE OR REPLACE FUNCTION radio_search_document(doc text) RETURNS tsvector
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
            AS $fn$ SELECT to_tsvector('simple'::regconfig, {normalised}) $fn$""",
        *_pg_vector_columns(),
        *(f"CREATE INDEX {name} ON {table} USING gin ({column})" for name, (table, column) in PG_INDEXES.items()),
        # Words of deleted or corrected text stay until a reindex: an extra candidate matches nothing.
        *(f'CREATE TABLE {terms} (term text COLLATE "C" PRIMARY KEY)' for terms in PG_TERMS),
        *(statement for table in PG_BODIES for statement in _pg_vocabulary_trigger(table)),
        *_pg_fill_terms(),
        *library_index.LIBRARY.postgres_create(),  # the episode library's own index, same rules
    ]


def postgres_rebuild() -> list[str]:
    """Statements that bring the stored vectors in step with today's function and rebuild the PostgreSQL indexes."""
    return [*_pg_recompute_vectors(), *(f"REINDEX INDEX {name}" for name in PG_INDEXES),
            f"TRUNCATE {', '.join(PG_TERMS)}", *_pg_fill_terms(), *library_index.LIBRARY.postgres_rebuild()]


def postgres_drop() -> list[str]:
    """Statements that remove the PostgreSQL index."""
    return [*library_index.LIBRARY.postgres_drop(), *(f"DROP INDEX IF EXISTS {name}" for name in PG_INDEXES),
            *(f"DROP TRIGGER IF EXISTS search_{table}_terms_{event} ON {table}"
              for table in ("segments", "episodes") for event in ("insert", "update")),
            "DROP FUNCTION IF EXISTS radio_search_terms_segments()",
            "DROP FUNCTION IF EXISTS radio_search_terms_episodes()",
            *(f"DROP TABLE IF EXISTS {terms}" for terms in PG_TERMS),
            *(f"ALTER TABLE {table} " + ", ".join(f"DROP COLUMN IF EXISTS {column}" for column in PG_VECTORS)
              for table in PG_BODIES),
            "DROP FUNCTION IF EXISTS radio_search_document(text)", "DROP FUNCTION IF EXISTS radio_search_text(text)"]
