"""Calendar and podcast feeds for stations (token in the URL, no login)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__)
