"""The published API contract: the OpenAPI document is valid, generated, complete; validation errors name fields."""

from __future__ import annotations

import io
import json
import re
from typing import Any, get_args

import pytest
from flask import Flask
from openapi_spec_validator import validate

from episodes.models import CONSENTS, KINDS, LANGUAGES, EpisodeStatus
from radio.errors import InvalidInput
from schedule.models import FEEDBACK_COUNTS
from web.contract import validate_model
from web.schemas import episodes as ep_schemas
from web.schemas.coding import CodeCreate
from web.schemas.core import UserCreate
from web.schemas.episodes import AnalyseBody, EpisodeListQuery, EpisodePatch, UploadForm
from web.schemas.schedule import BroadcastCreate, FeedbackBody, StationCreate, StationPatch, WindowQuery
from web.schemas.search import SearchQuery
from web.schemas.transcripts import EvidenceQuery, SegmentPatch, TranscribeBody

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_document_is_valid_and_served_without_a_token(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_openapi_document_lists_every_api_route_of_the_url_map(app: Flask, client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    expected = {(_openapi_path(rule.rule), method.lower())
                for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
                for method in (rule.methods or set()) & METHODS}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert documented == expected
    endpoints = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    assert len(endpoints) == len(documented)  # operation ids are the Flask endpoints, one each


def test_models_are_generated_from_the_schemas(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    patch = schemas["EpisodePatch"]["properties"]
    assert patch["title"]["anyOf"][0]["maxLength"] == 300
    assert patch["restricted"]["anyOf"][0]["type"] == "boolean"
    assert schemas["ErrorResponse"]["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    upload = document["paths"]["/api/v1/episodes"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["$ref"].endswith("/UploadRequest")
    assert schemas["UploadRequest"]["properties"]["file"]["format"] == "binary"
    params = {p["name"]: p for p in document["paths"]["/api/v1/episodes"]["get"]["parameters"]}
    assert params["per_page"]["schema"]["maximum"] == 100 and params["page"]["schema"]["minimum"] == 1


def test_docs_page_renders_every_operation_from_local_assets(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert f'id="{operation["operationId"]}"' in html, path
    assert "<script>" not in html  # nothing inline: the page works under the app's CSP
    assert not re.search(r'(src|href)="(https?:)?//', html)  # every asset from the app itself


def test_enumerations_match_the_models() -> None:
    assert get_args(ep_schemas.Language) == LANGUAGES
    assert get_args(ep_schemas.Kind) == KINDS
    assert get_args(ep_schemas.Consent) == CONSENTS
    assert get_args(ep_schemas.Status) == tuple(s.value for s in EpisodeStatus)
    assert tuple(name for name in FeedbackBody.model_fields if name in FEEDBACK_COUNTS) == FEEDBACK_COUNTS


def _error(model: Any, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(InvalidInput) as raised:
        validate_model(model, data)
    return {"code": raised.value.code, "message": raised.value.message, **raised.value.details}


@pytest.mark.parametrize(("model", "data", "code", "field"), [
    (UploadForm, {}, "missing_field", "title"),
    (UploadForm, {"title": "   "}, "missing_field", "title"),
    (UploadForm, {"title": "x" * 301}, "invalid_field", "title"),
    (UploadForm, {"title": "x", "colour": "blue"}, "unknown_field", "colour"),
    (UploadForm, {"title": "x", "restricted": "perhaps"}, "invalid_field", "restricted"),
    (UploadForm, {"title": "x", "valid_until": "1800-01-01"}, "invalid_field", "valid_until"),
    (EpisodePatch, {"restricted": "true"}, "invalid_field", "restricted"),
    (EpisodePatch, {"topics": ["t"] * 10 + [str(i) for i in range(64)]}, "invalid_field", "topics"),
    (AnalyseBody, {"render_only": "no"}, "invalid_field", "render_only"),
    (EpisodeListQuery, {"page": "abc"}, "invalid_parameter", "page"),
    (EpisodeListQuery, {"per_page": "201"}, "invalid_page", "per_page"),
    (EpisodeListQuery, {"kind": "opera"}, "invalid_parameter", "kind"),
    (SearchQuery, {"limit": "ten"}, "invalid_parameter", "limit"),
    (SearchQuery, {"limit": "0"}, "invalid_limit", "limit"),
    (SearchQuery, {"page": "0"}, "invalid_parameter", "page"),
    (SearchQuery, {"from": "2026-02-01", "to": "2026-01-01"}, "invalid_date_range", "to"),
    (SearchQuery, {"from": "0099-01-01"}, "invalid_parameter", "from"),
    (BroadcastCreate, {"station": "x", "episode_id": "e", "start": "2026-03-06"}, "invalid_start", "start"),
    (BroadcastCreate, {"episode_id": "e", "start": "2026-03-06T20:00"}, "missing_field", "station"),
    (BroadcastCreate, {"station": "x", "episode_id": "e", "start": "2026-03-06T20:00", "rrule": 7},
     "invalid_rrule", "rrule"),
    (FeedbackBody, {"calls": "5"}, "invalid_count", "calls"),
    (FeedbackBody, {"in_person": True}, "invalid_count", "in_person"),
    (WindowQuery, {"from": "2026-01-01", "to": "2027-06-01"}, "invalid_window", "to"),
    (UserCreate, {"email": "a@b.cd", "role": "bogus"}, "invalid_role", "role"),
    (UserCreate, {"role": "admin"}, "missing_field", "email"),
    (CodeCreate, {"name": 5}, "invalid_field", "name"),
    (CodeCreate, {"name": ""}, "missing_field", "name"),
    (CodeCreate, {"name": "x" * 201}, "too_long", "name"),
    (StationCreate, {"name": "x"}, "invalid_slug", "slug"),
    (StationPatch, {"slug": "new"}, "invalid_field", "slug"),
    (SegmentPatch, {"text": "x" * 5001}, "text_too_long", "text"),
    (TranscribeBody, {"replace": "yes"}, "invalid_replace", "replace"),
    (EvidenceQuery, {"from": "2024-05-01", "to": "2024-01-01"}, "invalid_range", "to"),
])
def test_validation_errors_keep_their_codes_and_name_the_field(model, data, code, field) -> None:
    error = _error(model, data)
    assert (error["code"], error["field"]) == (code, field), error
    assert field in error["message"]


def test_valid_input_is_typed_and_normalised() -> None:
    form = validate_model(UploadForm, {"title": " নতুন ", "districts": "Dhaka, Narsingdi,Dhaka", "restricted": "yes",
                                       "language": "BN", "recorded_on": "2025-02-01"})
    assert form.changes() == {"title": "নতুন", "districts": ["Dhaka", "Narsingdi"], "restricted": True,
                              "language": "bn", "recorded_on": "2025-02-01"}
    query = validate_model(SearchQuery, {"q": "debt", "page": "3", "per_page": "10", "language": ""})
    assert query.page_offset() == (10, 20) and query.language is None
    assert validate_model(AnalyseBody, {"render_only": True}).render_only is True


def test_http_validation_errors_carry_the_field(api_as, runtime) -> None:
    from tests.schedule_helpers import make_episode

    producer, researcher = api_as("producer"), api_as("researcher")
    episode = make_episode(runtime)
    render = producer.post(f"/api/v1/episodes/{episode}/analyse", json={"render_only": "no"})
    assert render.status_code == 400
    assert render.get_json()["error"] == {"code": "invalid_field", "field": "render_only",
                                          "message": "'render_only' should be a valid boolean"}
    unknown = producer.patch(f"/api/v1/episodes/{episode}", json={"restrcited": True})
    assert unknown.status_code == 400 and unknown.get_json()["error"]["field"] == "restrcited"
    assert unknown.get_json()["error"]["code"] == "unknown_field"
    page = researcher.get("/api/v1/search", query_string={"q": "debt", "limit": "ten"}).get_json()["error"]
    assert (page["code"], page["field"], page["parameter"]) == ("invalid_parameter", "limit", "limit")
    form = producer.post("/api/v1/episodes", content_type="multipart/form-data",
                         data={"title": "x", "language": "fr", "file": (io.BytesIO(b"RIFF" + b"\0" * 64), "a.wav")})
    assert form.status_code == 400 and form.get_json()["error"]["field"] == "language"
    not_json = producer.post(f"/api/v1/episodes/{episode}/analyse", data="x", content_type="text/plain")
    assert not_json.status_code == 400 and not_json.get_json()["error"]["code"] == "not_json"
    broken = producer.post(f"/api/v1/episodes/{episode}/analyse", data="[1", content_type="application/json")
    assert broken.get_json()["error"]["code"] == "malformed_json"
    assert api_as("station").post(f"/api/v1/episodes/{episode}/analyse", json={"render_only": "no"}).status_code == 403


def test_every_reference_resolves_and_schema_names_are_unique(client) -> None:
    import inspect

    from pydantic import BaseModel

    from web.schemas import answers, coding, core, episodes, errors, schedule, search, transcripts

    document = client.get("/api/v1/openapi.json").get_json()  # another app than the other tests: regenerated
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs and refs <= set(document["components"]["schemas"])
    models = [m for module in (answers, coding, core, episodes, errors, schedule, search, transcripts)
              for _, m in inspect.getmembers(module, inspect.isclass)
              if issubclass(m, BaseModel) and m.__module__ == module.__name__]
    names = [m.__name__ for m in models]
    assert len(names) == len(set(names))  # spectree names components by class name
