"""The episode library's declaration: its tables, migrations, analysis jobs, import command and pages."""

from __future__ import annotations

from pathlib import Path

from episodes import cli, models, tasks
from radio.features import Feature

FEATURE = Feature(
    name="episodes",
    description="episode library: upload, decode check, loudness analysis, broadcast renditions, metadata",
    models=(models,),
    migrations=Path(__file__).parent / "migrations" / "versions",
    jobs=tasks.JOB_HANDLERS,
    commands=(cli.episodes,),
    blueprints=("web.api.episodes", "web.ui.library"),
)
