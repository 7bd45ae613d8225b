"""Flask app factory: JSON API, calendars and feeds, and the server-rendered UI."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect

from radio.access import policy
from radio.config import load_settings
from radio.features import blueprint_modules
from radio.runtime import Runtime, set_runtime

csrf = CSRFProtect()
# Views that check the CSRF token themselves because parsing the form first would read the whole body: the
# UI upload streams its file to the media store and checks the token (header or first field) before the file.
CSRF_CHECKED_IN_VIEW = frozenset({"ui_library.upload_post"})

def create_app(config: Mapping[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app; ``config`` overrides settings (``RADIO_*`` keys) and Flask options (other keys)."""
    config = dict(config or {})
    settings = runtime.settings if runtime is not None else load_settings(config)
    if runtime is None:
        runtime = Runtime.from_settings(settings)
    set_runtime(runtime)
    from radio.integrity import clean_abandoned_temp_files

    clean_abandoned_temp_files(runtime.store)  # uploads cut off by a crash or a kill leave temporary files
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # every PDF's font subsetting lists its glyphs at INFO
    from radio import log_scrub

    log_scrub.install()  # feed tokens in URLs (werkzeug's access lines) and API tokens never reach a log

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=runtime.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,  # the file plus its form fields
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.lower().startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=14),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in before_request below, after API requests are exempted
        JSON_SORT_KEYS=False,
    )
    app.config.update({k: v for k, v in config.items() if not k.startswith("RADIO_")})
    app.extensions["radio"] = runtime
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Bangla stays readable in JSON

    from web import compression, context, errors

    context.init_app(app)
    errors.init_app(app)
    compression.init_app(app)  # gzip for calendars, feeds and JSON (ETags per encoding)
    csrf.init_app(app)

    @app.before_request
    def csrf_for_forms() -> None:
        from flask import request

        # The API authenticates with Bearer tokens (checked in web.auth for cookie sessions);
        # HTML forms are protected here.
        if request.url_rule is None:  # routing already failed: let the 404/405 answer stand
            return
        if request.endpoint in CSRF_CHECKED_IN_VIEW:
            return
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith(
            ("/api/", "/calendars/", "/feeds/", "/hooks/")  # hooks are signed by the SMS gateway
        ):
            csrf.protect()

    for name in blueprint_modules():  # each feature names the web modules that serve it
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)
    context.wrap_views(app)  # one transaction per request: views never commit
    policy("public")(app.view_functions["static"])  # Flask's own static files: fonts, styles, scripts

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    return app
