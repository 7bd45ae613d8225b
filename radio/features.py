"""The features of the system, declared once each; every registry (models, migrations, jobs, CLI, web) comes from here.

A feature package (``episodes``, ``schedule``, ``transcripts``; the core itself as ``radio``) has a
``feature.py`` whose ``FEATURE`` says, in one place, which modules hold its tables, where its migrations
are, which job kinds it runs, which commands it adds to ``radio``, which web blueprints serve it (named by
module: features never import the web layer) and which hooks it offers other features.

Dependencies run one way (a test enforces it): ``radio`` ← ``episodes`` ← ``transcripts`` ← ``schedule``
← ``web``. A package never imports one that comes after it in :data:`FEATURES`; when an earlier one
needs an answer from a later one (may this episode be deleted? which episodes are booked on a station?),
it asks through a hook named in :data:`HOOKS`. ``web`` is the outermost layer: it declares only the
``radio serve`` command, and no feature imports it or Flask.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    from radio.jobs import JobHandler

# The one tuple of features, in dependency order.
FEATURES = ("radio", "episodes", "transcripts", "schedule", "reports", "web")

# The hooks a feature may offer, with what each answers; callers get every offered implementation.
HOOKS: Mapping[str, str] = {
    "episode_in_use": "(session, episode_id) -> str | None: why the episode may not be deleted",
    "station_episodes_sql": "(session, slug) -> str: SQL selecting episode ids booked on a station (:station)",
    "assign_station": "(session, user, slug | None) -> None: bind a user to a station (or unbind)",
    "prepare_instance": "(runtime, echo) -> None: get ready during `radio init` (e.g. the Whisper model)",
    "episode_protected": "(session, episode_id) -> None: an episode was newly restricted or lost broadcast consent",
    "masked_index_leaks": "(session) -> [str]: rows ('segments row <id>') whose masked search index holds a word "
                          "their masked copy hides",
    "library_matches": "(session, q, *, hide_restricted) -> select of the ids of episodes whose library text matches "
                       "q (400 naming q)",
    "search_reindex": "(session) -> int: recompute a feature's masked copies and rebuild its own search index",
    "bundle_documents": "(sheet: schedule.bundle.CueSheet) -> [(name, bytes)]: printable files for a week's bundle",
}


@dataclass(frozen=True)
class Feature:
    """What one feature package brings; see the module docstring."""

    name: str
    description: str
    models: tuple[ModuleType, ...] = ()
    migrations: Path | None = None
    jobs: Mapping[str, JobHandler] = field(default_factory=dict)
    commands: tuple[click.Command, ...] = ()
    blueprints: tuple[str, ...] = ()
    hooks: Mapping[str, Callable[..., Any]] = field(default_factory=dict)


@functools.cache
def features() -> tuple[Feature, ...]:
    """Every feature, in :data:`FEATURES` order (their modules imported, their tables known to ``Base``)."""
    loaded = []
    for name in FEATURES:
        feature = importlib.import_module(f"{name}.feature").FEATURE
        unknown = set(feature.hooks) - set(HOOKS)
        if unknown:
            raise RuntimeError(f"feature {name} offers undeclared hooks: {', '.join(sorted(unknown))}")
        loaded.append(feature)
    return tuple(loaded)


def hook(name: str) -> list[Callable[..., Any]]:
    """The implementations of hook ``name`` that features offer, in feature order."""
    if name not in HOOKS:
        raise KeyError(f"no hook {name!r}")
    return [f.hooks[name] for f in features() if name in f.hooks]


def job_handlers() -> dict[str, JobHandler]:
    """Job kind → handler, from every feature (a kind declared twice is an error)."""
    handlers: dict[str, JobHandler] = {}
    for feature in features():
        for kind, handler in feature.jobs.items():
            if kind in handlers:
                raise RuntimeError(f"job kind {kind!r} is declared by two features")
            handlers[kind] = handler
    return handlers


def migration_folders() -> list[Path]:
    """Alembic version folders, one branch per feature."""
    return [f.migrations for f in features() if f.migrations is not None]


def commands() -> list[click.Command]:
    """The commands features add to ``radio``."""
    return [command for f in features() for command in f.commands]


def blueprint_modules() -> list[str]:
    """Dotted names of the web modules (each with a ``bp``) that serve the features."""
    return [module for f in features() for module in f.blueprints]
