"""The web layer's declaration: the outermost package, it adds ``radio serve`` (features name their own pages)."""

from __future__ import annotations

from radio.features import Feature
from web import cli

FEATURE = Feature(
    name="web",
    description="the web UI and JSON API: app factory, request transactions, errors, templates",
    commands=(cli.serve,),
    blueprints=("web.api.openapi",),  # the published contract of every feature's /api/v1 operations
)
