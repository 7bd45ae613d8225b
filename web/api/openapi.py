"""The published contract: ``GET /api/v1/openapi.json`` (generated from the schemas) and ``GET /api/docs``.

The docs page is rendered on the server from the same document (no script, no asset from another host).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template
from markupsafe import Markup, escape

from radio.access import policy
from web.contract import answers, openapi_document, validated

bp = Blueprint("api_contract", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/v1/openapi.json")
@policy("public")
@validated(resp=answers(200, errors=()), public=True)
def openapi_json() -> Response:
    """The OpenAPI 3.1 document of every /api/v1 operation (no authentication needed)."""
    response = jsonify(openapi_document(current_app._get_current_object()))  # type: ignore[attr-defined]
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/api/docs")
@policy("public")
def docs() -> str:
    """The API reference for people: every operation with its parameters, body and answers."""
    document = openapi_document(current_app._get_current_object())  # type: ignore[attr-defined]
    return render_template("api/docs.html", info=document["info"], areas=reference(document))


def reference(document: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The document's operations grouped by area, with every schema described in words."""
    components = document.get("components", {}).get("schemas", {})
    areas: dict[str, list[dict[str, Any]]] = {}
    for path, operations in document["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            areas.setdefault(operation["tags"][0], []).append({
                "id": operation["operationId"], "method": method.upper(), "path": path,
                "summary": inline(operation.get("summary", "")),
                "description": inline(operation.get("description", "")),
                "public": operation.get("security") == [],
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": describe(p.get("schema", {}), components),
                                "description": p.get("description") or p.get("schema", {}).get("description", "")}
                               for p in operation.get("parameters", [])],
                "body": _body(operation.get("requestBody"), components),
                "responses": [{"status": status, "description": answer.get("description", ""),
                               "schema": _schema_name(answer)}
                              for status, answer in sorted(operation.get("responses", {}).items())],
            })
    return sorted(areas.items())


def inline(text: str) -> Markup:
    """A docstring's text as HTML: escaped, with ````literal```` spans as ``<code>``."""
    parts = str(escape(text)).split("``")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))  # noqa: S704


def _body(request_body: dict[str, Any] | None, components: dict[str, Any]) -> dict[str, Any] | None:
    if not request_body:
        return None
    media, content = next(iter(request_body["content"].items()))
    schema = _resolve(content.get("schema", {}), components)
    required = set(schema.get("required", []))
    fields = [{"name": name, "required": name in required, "type": describe(prop, components),
               "description": prop.get("description", "")} for name, prop in schema.get("properties", {}).items()]
    return {"media": media, "name": content.get("schema", {}).get("$ref", "").rpartition("/")[2],
            "description": schema.get("description", ""), "fields": fields}


def _schema_name(answer: dict[str, Any]) -> str:
    for content in answer.get("content", {}).values():
        return str(content.get("schema", {}).get("$ref", "").rpartition("/")[2])
    return ""


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return dict(components.get(ref.rpartition("/")[2], {})) if isinstance(ref, str) else schema


def describe(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A schema in a few words: ``text, at most 300 characters``, ``whole number 1–100``, ``one of: bn, en``."""
    if "$ref" in schema:
        target = _resolve(schema, components)
        return describe(target, components) if "enum" in target else schema["$ref"].rpartition("/")[2]
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if options:
        nullable = len(options) < len(schema["anyOf"])
        return " or ".join(describe(s, components) for s in options) + (" (or null)" if nullable else "")
    if "enum" in schema or "const" in schema:
        return "one of: " + ", ".join(str(v) for v in schema.get("enum", [schema.get("const")]))
    kind = schema.get("type", "any")
    words = {"string": "text", "integer": "whole number", "number": "number", "boolean": "boolean",
             "array": "list", "object": "object"}.get(kind, str(kind))
    if schema.get("format") in ("date", "date-time", "binary"):
        words = {"date": "date (YYYY-MM-DD)", "date-time": "date and time", "binary": "file"}[schema["format"]]
    limits = []
    if "minimum" in schema or "maximum" in schema:
        limits.append(f"{schema.get('minimum', '…')}–{schema.get('maximum', '…')}")
    if "minLength" in schema and schema["minLength"] > 0:
        limits.append(f"at least {schema['minLength']} characters")
    if "maxLength" in schema:
        limits.append(f"at most {schema['maxLength']} characters")
    if "pattern" in schema:
        limits.append(f"matching {schema['pattern']}")
    if kind == "array":
        words = f"list of {describe(schema.get('items', {}), components)}"
        if "maxItems" in schema:
            limits.append(f"at most {schema['maxItems']} items")
    return ", ".join([words, *limits])
