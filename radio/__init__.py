"""Ashshash Radio core: settings, database, jobs, media store, auth and CLI."""

__version__ = "0.1.0"
