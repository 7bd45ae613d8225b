"""``radio search``: transcript search from the shell, and ``--reindex`` to rebuild the index."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import sys

import click

from transcripts.search import SearchFilters, Viewer
from transcripts.search_ranking import SORTS

_MARK = re.compile(r"</?mark>")


def _plain(snippet: str, *, colour: bool) -> str:
    """A snippet for a terminal: marks as bold (or «…» when not a terminal), HTML entities decoded."""
    def mark(m: re.Match[str]) -> str:
        opening = m.group(0) == "<mark>"
        if colour:
            return "\x1b[1m" if opening else "\x1b[22m"
        return "«" if opening else "»"

    return html.unescape(_MARK.sub(mark, snippet))


@click.command("search")
@click.argument("query", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (like the API).")
@click.option("--reindex", is_flag=True, help="Rebuild the search index from the transcripts and episodes.")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--offset", default=0, show_default=True, type=int)
@click.option("--sort", default="relevance", show_default=True, type=click.Choice(SORTS),
              help="Most relevant (among the newest matches when there are many), newest or oldest first.")
@click.option("--language", default=None)
@click.option("--kind", default=None)
@click.option("--district", default=None)
@click.option("--campaign", default=None)
@click.option("--station", default=None, help="A station's slug: episodes booked on it.")
@click.option("--from", "date_from", default=None, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", default=None, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--code", default=None, help="Only segments coded with this code (id or name).")
@click.option("--unredacted", is_flag=True, help="Show phone numbers unmasked (operators only).")
def search_command(query: str | None, as_json: bool, reindex: bool, limit: int, offset: int, sort: str,
                   language: str | None, kind: str | None, district: str | None, campaign: str | None,
                   station: str | None,
                   date_from: dt.datetime | None, date_to: dt.datetime | None, code: str | None,
                   unredacted: bool) -> None:
    """Search transcripts and episode titles: words, =exact words, "phrases", prefix*, OR, NOT."""
    from radio.cli import runtime_for_cli
    from transcripts.search import reindex as rebuild
    from transcripts.search import search

    runtime = runtime_for_cli()
    if reindex:
        with runtime.session() as session:
            count = rebuild(session)
        click.echo(f"search index rebuilt: {count} documents")
        if not query:
            return
    if not query:
        raise click.UsageError("give a QUERY (or --reindex)")
    filters = SearchFilters(language=language, kind=kind, district=district, campaign=campaign, station=station,
                            date_from=date_from.date() if date_from else None,
                            date_to=date_to.date() if date_to else None, code=code)
    # Whoever runs the command can read the database: restricted episodes are included, numbers masked.
    viewer = Viewer(restricted=True, unredacted=unredacted)
    with runtime.read_session() as session:
        result = search(session, query, filters, viewer, limit=limit, offset=offset, sort=sort)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    colour = sys.stdout.isatty()
    for hit in result.hits:
        where = f"{hit.start:8.2f}–{hit.end:.2f}s" if hit.segment_id else "   title/description"
        click.echo(f"{hit.episode_id}  {where}  {hit.score:7.3f}  {_plain(hit.snippet, colour=colour)}")
    shown = f"{offset + 1}–{offset + len(result.hits)} of " if result.hits else ""
    click.echo(f"{shown}{'' if result.total_exact else 'at least '}{result.total} hit(s)")
    if result.ranked is not None:
        click.echo(f"ranked by relevance among the newest {result.ranked:,}; older matches follow, newest first")


def register(main: click.Group) -> None:
    """Add ``radio search`` to the command line."""
    main.add_command(search_command)
