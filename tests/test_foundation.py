"""Foundation: settings, auth, error bodies, health, jobs, media store, CLI."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from radio.config import Settings, SettingsError, load_settings, setting_names
from radio.errors import TooLarge
from radio.jobs import JobContext, create_job, dispatch, get_job, job_handler
from radio.models import ApiToken
from radio.storage import MediaStore

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in setting_names() if f"`{name}`" not in readme]
    assert missing == []


def test_settings_from_environment_and_errors(tmp_path: Path) -> None:
    s = load_settings(environ={"RADIO_HOME": str(tmp_path), "RADIO_MAX_UPLOAD_MB": "7",
                               "RADIO_QUEUE_IMMEDIATE": "true"})
    assert s.home == tmp_path and s.max_upload_bytes == 7 * 1024 * 1024 and s.queue_immediate
    assert s.sqlalchemy_url.startswith("sqlite:///") and s.media_path == tmp_path / "media"
    with pytest.raises(SettingsError, match="RADIO_MAX_UPLOAD_MB"):
        load_settings(environ={"RADIO_MAX_UPLOAD_MB": "lots"})
    assert Settings().whisper_model == "base"


def test_no_token_is_401_and_wrong_role_is_403(client, api_as) -> None:
    r = client.get("/api/v1/users")
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthorized"
    r = client.get("/api/v1/users", headers={"Authorization": "Bearer rad_wrong"})
    assert r.status_code == 401 and r.json["error"]["code"] == "invalid_token"
    r = client.get("/api/v1/users", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    r = api_as("producer").get("/api/v1/users")
    assert r.status_code == 403 and set(r.json["error"]) == {"code", "message"}
    assert api_as("admin").get("/api/v1/users").status_code == 200


def test_error_bodies_for_unknown_routes_methods_and_bad_json(client, api_as) -> None:
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    r = client.delete("/healthz")
    assert r.status_code == 405 and r.json["error"]["code"] == "method_not_allowed"
    admin = api_as("admin")
    r = admin.post("/api/v1/users", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.json["error"]["code"] == "malformed_json"
    r = admin.post("/api/v1/users", json={"email": "x@example.org", "role": "wizard"})
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_role"


def test_unexpected_error_is_500_without_stack_trace(app, client) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    r = client.get("/boom")
    assert r.status_code == 500
    assert r.json["error"]["code"] == "internal_error"
    assert "secret internals" not in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)


def test_tokens_are_hashed_and_revocable(runtime, api_as) -> None:
    admin = api_as("admin")
    created = admin.post("/api/v1/users", json={"email": "r@example.org", "role": "researcher"})
    assert created.status_code == 201
    token = created.json["token"]
    assert len(token) >= 43
    with runtime.session() as session:
        stored = list(session.scalars(select(ApiToken.token_hash)))
    assert token not in stored
    me = admin.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["role"] == "researcher"
    tokens = admin.get("/api/v1/tokens").json["items"]
    token_id = next(t["id"] for t in tokens if t["user_id"] == me.json["id"])
    assert admin.delete(f"/api/v1/tokens/{token_id}").status_code == 200
    again = admin.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401


def test_station_user_needs_an_existing_station(api_as) -> None:
    admin = api_as("admin")
    r = admin.post("/api/v1/users", json={"email": "s@example.org", "role": "station"})
    assert r.status_code == 400 and r.json["error"]["code"] == "station_required"
    r = admin.post("/api/v1/users", json={"email": "s@example.org", "role": "station", "station": "none"})
    assert r.status_code == 404


def test_healthz_reports_components(client, api_as) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}  # anonymous: no hosts, pids, paths or job ids
    assert api_as("producer").get("/healthz").json == {"status": "ok"}
    assert client.get("/healthz", headers={"Authorization": "Bearer rad_wrong"}).status_code == 401
    r = api_as("admin").get("/healthz")
    assert r.status_code == 200 and r.json["status"] == "ok"
    checks = r.json["checks"]
    assert set(checks) == {"database", "queue", "media_store", "whisper_model"}
    assert checks["database"]["ok"] and checks["media_store"]["ok"]
    assert checks["whisper_model"]["name"] == "tiny.en" and checks["whisper_model"]["multilingual"] is False


def test_security_headers_and_login_csrf(client, api_as) -> None:
    r = client.get("/login")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert client.post("/login", data={"email": "a@b.cd", "password": "x"}).status_code == 400
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    user = api_as("producer")
    bad = client.post("/login", data={"csrf_token": csrf, "email": "producer1@example.org", "password": "nope"})
    assert bad.status_code == 401
    ok = client.post("/login", data={"csrf_token": csrf, "email": "producer1@example.org",
                                     "password": "correct horse battery"})
    assert ok.status_code == 302
    assert client.get("/api/v1/me").json["id"] == user.user_id
    # A cookie-authenticated API write without the CSRF header is refused.
    assert client.post(f"/api/v1/users/{user.user_id}/tokens", json={}).status_code == 403


@job_handler("test.echo")
def _echo(ctx: JobContext) -> dict:
    ctx.progress(0.5, force=True)
    if ctx.payload.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": ctx.payload["value"]}


def test_jobs_record_status_result_and_errors(runtime, api_as) -> None:
    user = api_as("producer")
    with runtime.session() as session:
        ok = create_job(session, "test.echo", {"value": 3}, created_by=user.user_id)
        bad = create_job(session, "test.echo", {"value": 1, "fail": True})
    dispatch(runtime, ok.id)
    dispatch(runtime, bad.id)
    r = user.get(f"/api/v1/jobs/{ok.id}")
    assert r.json["status"] == "done" and r.json["progress"] == 1 and r.json["result"] == {"echo": 3}
    r = user.get(f"/api/v1/jobs/{bad.id}")
    assert r.json["status"] == "failed" and "asked to fail" in r.json["error"]
    with runtime.session() as session:
        assert get_job(session, ok.id).attempts == 1
    dispatch(runtime, ok.id)  # a second delivery of a finished job does nothing
    with runtime.session() as session:
        assert get_job(session, ok.id).attempts == 1
    assert user.get("/api/v1/jobs/unknown").status_code == 404


def test_media_store_is_content_addressed_and_atomic(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media")
    staged = store.stage(io.BytesIO(b"abc" * 1000))
    path = store.commit(staged, ".wav")
    assert path.name.startswith(staged.sha256) and path.read_bytes() == b"abc" * 1000
    assert store.verify_object(path)
    again = store.stage(io.BytesIO(b"abc" * 1000))
    assert store.commit(again, ".wav") == path and not again.path.exists()
    with pytest.raises(TooLarge):
        store.stage(io.BytesIO(b"x" * 5000), max_bytes=4096)
    assert list(store.tmp_dir.iterdir()) == []
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_cli_init_and_users_add(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from radio import runtime as runtime_module
    from radio.cli import main

    monkeypatch.setenv("RADIO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RADIO_DATABASE_URL", raising=False)
    runtime_module.set_runtime(None)
    runner = CliRunner()
    first = runner.invoke(main, ["init", "--skip-model"])
    assert first.exit_code == 0, first.output
    token_lines = [line for line in first.output.splitlines() if "token" in line and "rad_" in line]
    assert len(token_lines) == 1
    second = runner.invoke(main, ["init", "--skip-model"])
    assert second.exit_code == 0 and "rad_" not in second.output
    added = runner.invoke(main, ["users", "add", "p@example.org", "--role", "producer"])
    assert added.exit_code == 0 and "token" in added.output
    dup = runner.invoke(main, ["users", "add", "p@example.org", "--role", "producer"])
    assert dup.exit_code == 1 and "already exists" in dup.output
    nostation = runner.invoke(main, ["users", "add", "s@example.org", "--role", "station", "--station", "x"])
    assert nostation.exit_code == 1 and "no station" in nostation.output
    runtime_module.get_runtime().close()
    runtime_module.set_runtime(None)


def test_migrations_match_the_models(runtime) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from radio.db import Base
    from radio.migrate import include_name, load_models

    load_models()
    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata)
    assert diff == []
