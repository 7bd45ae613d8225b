"""Typed request schemas of the ``/api/v1`` operations (pydantic v2), one module per API area.

Each request body and query string is declared once here; ``web.contract`` validates requests against these
models (the one place a validation error becomes a 400 with its ``field``) and generates the OpenAPI document
from them; the UI forms validate what people type with the same models.
"""
