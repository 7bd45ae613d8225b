"""Transcripts' declaration: segments, revisions, search index and codes; the transcribe job; search pages."""

from __future__ import annotations

from pathlib import Path

from radio.features import Feature
from transcripts import cli, coding_models, library_index, models, search, search_cli, tasks, whisper_models

FEATURE = Feature(
    name="transcripts",
    description="Whisper transcripts as evidence: transcription, corrections, exports, search and coding",
    models=(models, coding_models),
    migrations=Path(__file__).parent / "migrations" / "versions",
    jobs=tasks.JOB_HANDLERS,
    commands=(cli.transcribe, search_cli.search_command),
    blueprints=("web.api.transcripts", "web.api.search", "web.api.coding", "web.ui.research", "web.ui.coding"),
    hooks={"prepare_instance": whisper_models.prepare_model, "masked_index_leaks": search.masked_index_leaks,
           "library_matches": library_index.library_matches},
)
