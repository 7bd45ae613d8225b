"""The core's own declaration: users, tokens, jobs and workers; operations commands; sign-in, admin and health."""

from __future__ import annotations

from pathlib import Path

from radio import models, ops
from radio.features import Feature

FEATURE = Feature(
    name="radio",
    description=("core: settings, database, one transaction per unit of work, jobs and workers, media store, users"
                 " and tokens, operations"),
    models=(models,),
    migrations=Path(__file__).parent / "migrations" / "versions",
    commands=(ops.backup, ops.restore, ops.verify, ops.workers),
    blueprints=("web.health", "web.metrics", "web.api.core", "web.api.ops", "web.ui.auth", "web.ui.pages",
                "web.ui.admin"),
)
