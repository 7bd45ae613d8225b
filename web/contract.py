"""The API contract: each ``/api/v1`` operation declares its schemas once with ``validated``.

``validated`` is the one place requests are checked against their pydantic models (a failure becomes the 400
``{"error": {"code", "message", "field"}}`` of SPEC.md) and the declaration spectree generates the OpenAPI
document from. Spectree only documents here: its own request wrapper would read bodies our views stream (the
upload) and rebuild responses our views stream (audio with Range), so it is never called at run time.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Flask, Response, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import ErrorDetails
from spectree import Response as Answers
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.models import SecureType

from radio.errors import InvalidInput, TooLarge
from radio.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH
from radio.versions import Versioned, version_tag
from web.compression import gzip_etag
from web.schemas.base import Query, error_code, error_field
from web.schemas.errors import ErrorResponse

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])
API_PREFIX = "/api/v1"
ERROR_STATUSES = (400, 401, 403, 404, 409, 412, 413, 415, 429, 507)

spec = SpecTree(
    "flask", mode="strict", annotations=False, title="Ashshash Radio API", version="1",
    description="The JSON API of Ashshash Radio (see SPEC.md). Authenticate with 'Authorization: Bearer <token>'.",
    openapi_version="3.1.0", validation_error_status=400, validation_error_model=ErrorResponse,
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"bearer": []},
)


def _message(field: str | None, error: ErrorDetails) -> str:
    text = str(error["msg"])
    if error["type"] == "missing":
        return f"'{field}' is required"
    if error["type"] == "extra_forbidden":
        return f"unknown field '{field}'"
    for prefix in ("Input should", "String should", "Value should", "List should"):
        if text.startswith(prefix):
            text = "should" + text[len(prefix):]
            break
    if text.startswith("Value error, "):
        text = text[len("Value error, "):]
    return f"'{field}' {text}" if field and error.get("loc") else text


def invalid_input(model: type[BaseModel], exc: ValidationError) -> InvalidInput:
    """The domain error (400) for the first failure of ``exc``, with our code and the failing ``field``."""
    error = exc.errors(include_url=False)[0]
    field = error_field(error)
    details: dict[str, Any] = {"field": field}
    if issubclass(model, Query) and field:
        details["parameter"] = field  # the name query errors have always carried
    return InvalidInput(_message(field, error), code=error_code(model, error), details=details)


def validate_model(model: type[M], data: Any) -> M:
    """``data`` as a ``model``, or InvalidInput naming the failing field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(model, exc) from None


def query_data(model: type[Query], args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The query string as a mapping (a repeatable parameter as a list, any other as its first value)."""
    args = request.args if args is None else args
    getlist = getattr(args, "getlist", None)
    return {key: (getlist(key) if getlist and key in model.list_fields else args.get(key)) for key in args}


def json_object() -> dict[str, Any]:
    """The request's JSON object (``{}`` for an empty body), or a 400 that says what is wrong with it.

    Bounded before and while parsing: a body over ``MAX_JSON_BYTES`` is 413, nesting deeper than
    ``MAX_JSON_DEPTH`` (100,000 brackets would exhaust the parser's recursion) and integers of thousands of
    digits (Python refuses to convert them) are 400s.
    """
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise TooLarge(f"a JSON body may be at most {MAX_JSON_BYTES // 1024} KiB")
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    if len(raw) > MAX_JSON_BYTES:
        raise TooLarge(f"a JSON body may be at most {MAX_JSON_BYTES // 1024} KiB")
    if not request.is_json:
        raise InvalidInput("send JSON with 'Content-Type: application/json'", code="not_json")
    if _depth_exceeds(raw, MAX_JSON_DEPTH):
        raise InvalidInput(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels", code="too_deep")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # bad syntax, bad UTF-8, an integer of more than 4,300 digits
        raise InvalidInput("the body is not valid JSON", code="malformed_json") from None
    if not isinstance(data, dict):
        raise InvalidInput("the body is not a JSON object", code="malformed_json")
    return data


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (a scan, so no recursion)."""
    depth = 0
    for char in _JSON_STRING.sub(b'""', raw):
        if char in b"[{":
            depth += 1
            if depth > limit:
                return True
        elif char in b"]}":
            depth -= 1
    return False


def _without_default(schema: dict[str, Any]) -> None:
    """An optional header has no value when absent (OpenAPI would take a ``null`` default for a string's)."""
    schema.pop("default", None)


class IfMatch(BaseModel):
    """The optional precondition of an edit (documented only; read by :func:`if_match`)."""

    model_config = ConfigDict(populate_by_name=True)

    if_match: str | SkipJsonSchema[None] = Field(
        default=None, alias="If-Match", json_schema_extra=_without_default,
        description="the ETag of the answer your change is based on: 412 precondition_failed (with the current "
                    "etag) when someone else changed it since; without it the last change wins")


def if_match() -> frozenset[str] | None:
    """The versions the client's ``If-Match`` accepts (None: no precondition, or ``*`` — it exists).

    A tag read from a gzip answer (``<etag>-gzip``, see web.compression) names the same version; weak tags
    never match (an edit needs the strong comparison of RFC 9110).
    """
    if "If-Match" not in request.headers or request.if_match.star_tag:
        return None
    tags = {tag for tag in request.if_match.as_set() if tag}  # an empty header lists no tag: nothing matches
    return frozenset({*tags, *(tag.removesuffix(gzip_etag("")) for tag in tags)})


def tagged(response: Response, row: Versioned) -> Response:
    """``response`` with the strong ETag of ``row``'s current version (what a later edit sends as If-Match)."""
    response.set_etag(version_tag(row))
    return response


def answers(ok: int = 200, model: type[BaseModel] | None = None, *, media: str | None = None,
            errors: tuple[int, ...] = (401, 403, 404)) -> Answers:
    """The documented answers of an operation: its success (a JSON ``model`` or a ``media`` type) and errors."""
    success: Any = (model, "OK") if model is not None else (None, f"OK ({media or 'application/json'})")
    codes: dict[str, Any] = {f"HTTP_{ok}": success}
    codes.update({f"HTTP_{status}": ErrorResponse for status in errors if status in ERROR_STATUSES})
    return Answers(**codes)


def validated(*, query: type[Query] | None = None, json: type[BaseModel] | None = None,
              form: type[BaseModel] | None = None, resp: Answers | None = None,
              public: bool = False, edits: bool = False) -> Callable[[F], F]:
    """Declare an operation's inputs and answers; the view gets ``query=`` / ``body=`` as validated models.

    ``form`` is documented only: a multipart view streams its body and validates the fields itself with
    ``validate_model`` once they have arrived. A ``public`` operation needs no token. An operation that
    ``edits`` a versioned row takes an optional ``If-Match`` (:func:`if_match`) and may answer 412.
    """

    def decorate(func: F) -> F:
        answered = resp or answers()
        if edits:
            answered._raw_code_models["HTTP_412"] = ErrorResponse  # bound with the others by spec.validate
        declared_400 = "HTTP_400" in {*answered.codes, *getattr(answered, "_raw_code_models", {})}
        documented = spec.validate(query=query, json=json, form=form, headers=IfMatch if edits else None,
                                   resp=answered, security={} if public else None, skip_validation=True)(func)
        if query is None and json is None and form is None and not declared_400:
            answered.code_models.pop("HTTP_400", None)  # spectree adds it to every operation; nothing to refuse

        @functools.wraps(func)
        def view(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = validate_model(query, query_data(query))
            if json is not None:
                kwargs["body"] = validate_model(json, json_object())
            return func(*args, **kwargs)

        view.__wrapped__ = documented  # type: ignore[attr-defined]  # spectree finds the declaration here
        return view  # type: ignore[return-value]

    return decorate


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``/api/v1`` operation of ``app`` (generated once per app)."""
    cached = app.extensions.get("openapi")
    if cached is not None:
        return dict(cached)
    models = copy.deepcopy(spec.models)  # spectree moves nested definitions out while generating: keep them
    try:
        with app.app_context():
            document = spec._generate_spec()
    finally:
        spec.models = models
    endpoints = {(_path(rule.rule), method.lower()): rule.endpoint
                 for rule in app.url_map.iter_rules() for method in rule.methods or ()}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            endpoint = endpoints.get((path, method), operation["operationId"])
            operation["operationId"] = endpoint
            operation["tags"] = [endpoint.split(".")[0].removeprefix("api_")]
    document["paths"] = {p: ops for p, ops in sorted(document["paths"].items()) if p.startswith(API_PREFIX)}
    document["tags"] = [{"name": t} for t in sorted({tag for ops in document["paths"].values()
                                                     for op in ops.values() for tag in op["tags"]})]
    app.extensions["openapi"] = document
    return dict(document)


def _path(rule: str) -> str:
    """A werkzeug rule (``/x/<any(a, b):fmt>``) as an OpenAPI path (``/x/{fmt}``)."""
    out, rest = [], rule
    while "<" in rest:
        head, _, tail = rest.partition("<")
        variable, _, rest = tail.partition(">")
        out.append(head + "{" + variable.rpartition(":")[2] + "}")
    return "".join(out) + rest
