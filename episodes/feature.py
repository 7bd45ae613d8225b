"""The episode library's declaration: its tables, migrations, analysis and programme jobs, commands and pages."""

from __future__ import annotations

from pathlib import Path

from episodes import cli, models, programme_models, programme_tasks, programmes, tasks
from radio.features import Feature

FEATURE = Feature(
    name="episodes",
    description="episode library: upload, decode check, loudness analysis, broadcast renditions, metadata, "
                "programmes (rundowns rendered to a slot)",
    models=(models, programme_models),
    migrations=Path(__file__).parent / "migrations" / "versions",
    jobs={**tasks.JOB_HANDLERS, **programme_tasks.JOB_HANDLERS},
    commands=(cli.episodes,),
    blueprints=("web.api.episodes", "web.api.programmes", "web.ui.library", "web.ui.programmes"),
    hooks={"episode_in_use": programmes.why_episode_is_in_use},
)
