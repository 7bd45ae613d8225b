"""Researchers' pages: search, transcripts, corrections, coding."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ui_research", __name__)
