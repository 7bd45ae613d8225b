"""Schemathesis over every /api/v1 operation of the live app, with every role's token: no 5xx, answers that
conform to the documented schemas, and a home that ``radio verify`` finds clean afterwards.

Examples per operation and role: ``RADIO_API_FUZZ_EXAMPLES`` (default 10; 4 roles, so 40 per operation).

The bearer token is not a generated parameter (``with_security_parameters`` off): Schemathesis would otherwise
spend about a quarter of its negative examples on a request without ``Authorization`` (it strips the header we
pass), so every role's fuzz would mostly test the 401 gate. That gate is checked once per operation instead, by
a request without a token. Feeds (feed token in the query) and the SMS webhook (signed bodies) are outside the
API document; ``tests/test_fuzz_feeds.py`` fuzzes them with valid credentials.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from schedule_helpers import create_station, local_dhaka, make_episode
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from radio.integrity import verify_home
from tests.audio import make_audio, tone

EXAMPLES = int(os.environ.get("RADIO_API_FUZZ_EXAMPLES", "10"))
ROLES = ("admin", "producer", "station", "researcher")
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"RADIO_QUEUE_IMMEDIATE": False, "RADIO_MAX_UPLOAD_MB": 1}  # jobs wait: the API is under test


@pytest.mark.slow
def test_every_operation_with_every_role_answers_without_5xx_and_as_documented(app: Any, runtime: Any,
                                                                                 api_as: Any, tmp_path: Any) -> None:
    admin = api_as("admin")
    create_station(admin, "radio-padma")
    audio = make_audio(tmp_path, "mp3", samples=tone(2.0, 440, rate=16000), rate=16000, name="seed")
    sha, _ = runtime.store.put_file(audio, ".mp3")  # a real stored file: `radio verify` checks it at the end
    episode = make_episode(runtime, sha256=sha, broadcast_sha256=sha, media_suffix=".mp3")
    producer = api_as("producer")
    booked = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                       "start": local_dhaka(-7), "rrule": "FREQ=WEEKLY;COUNT=4"})
    assert booked.status_code == 201
    tokens = {"admin": admin.token, "producer": producer.token,
              "station": api_as("station", station="radio-padma").token, "researcher": api_as("researcher").token}
    known = {"slug": "radio-padma", "broadcast_id": booked.json["id"], "episode_id": episode}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.config.generation.update(with_security_parameters=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()
    by_operation: dict[tuple[str, str], Counter[int]] = {}
    failures: list[str] = []
    started = time.monotonic()
    for operation in operations:
        for role in ROLES:
            try:
                # identity: Schemathesis' WSGI transport hands gzip bodies to the schema check undecoded
                # (compression and its ETags have their own tests in test_compression.py).
                headers = {"Authorization": f"Bearer {tokens[role]}", "Accept-Encoding": "identity"}
                counts = by_operation.setdefault((operation.label, role), Counter())
                _fuzzer(operation, headers, counts, known)()
                statuses.update(counts)
            except Exception as exc:  # noqa: BLE001 — every operation is tried; all failures are reported
                failures.append(f"{operation.label} as {role}: {str(exc).strip()[:1500]}")
    elapsed = time.monotonic() - started
    per_operation = sorted(sum(sum(by_operation[(o.label, r)].values()) for r in ROLES) for o in operations)
    server_errors = {f"{label} as {role}": {s: n for s, n in c.items() if s >= 500}
                     for (label, role), c in by_operation.items() if any(s >= 500 for s in c)}
    backend = runtime.settings.database_url.partition(":")[0]
    print(f"\nschemathesis on {backend}: {len(operations)} operations x {len(ROLES)} roles x {EXAMPLES} examples "
          f"(at most {len(ROLES) * EXAMPLES} per operation; sent per operation min {per_operation[0]}, median "
          f"{per_operation[len(per_operation) // 2]}, max {per_operation[-1]}): {sum(statuses.values())} requests "
          f"in {elapsed:.0f} s; 5xx: {sum(n for c in server_errors.values() for n in c.values())}; "
          f"statuses {dict(sorted(statuses.items()))}")
    for (label, role), counts in sorted(by_operation.items()):
        print(f"  {label:58} {role:10} {' '.join(f'{k}:{v}' for k, v in sorted(counts.items()))}")
    assert not failures, "\n\n".join(failures)
    assert not server_errors, server_errors
    # Each role reached every operation it may use with its token: nothing was refused for want of one.
    assert statuses[401] == 0, {k: c[401] for k, c in by_operation.items() if c[401]}
    passed = {label for (label, role), counts in by_operation.items()
              if any(200 <= status < 300 or status in (400, 404, 409, 413, 415) for status in counts)}
    assert passed == {operation.label for operation in operations}, "operations no role got past the gate of: " \
        f"{sorted({o.label for o in operations} - passed)}"
    assert not any(status >= 500 for status in statuses)
    report = verify_home(runtime)
    assert report.ok and report.problems == [], [p.line() for p in report.problems]


@pytest.mark.slow
def test_every_operation_without_a_token_is_refused_unless_public(app: Any, client: Any) -> None:
    """The one negative case taken out of the role fuzz: no ``Authorization`` → 401 (public operations aside)."""
    document = client.get("/api/v1/openapi.json").get_json()
    refused, public = 0, []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            url = path  # any value the route accepts: the gate answers before the lookup
            for parameter in operation.get("parameters", []) + item.get("parameters", []):
                if parameter["in"] == "path":
                    value = (parameter.get("schema", {}).get("enum") or ["x1"])[0]
                    url = url.replace("{" + parameter["name"] + "}", str(value))
            response = client.open(url, method=method.upper(), headers={"Accept-Encoding": "identity"})
            if operation.get("security") == []:
                public.append(f"{method.upper()} {path}")
                assert response.status_code < 500, (method, path, response.status_code)
            else:
                assert response.status_code == 401, (method, path, response.status_code, response.data[:200])
                refused += 1
    print(f"\nwithout a token: {refused} operations 401, public: {public}")
    assert refused > 60


def _fuzzer(operation: Any, headers: dict[str, str], statuses: Counter[int], known: dict[str, str]) -> Any:
    """A Hypothesis test of one operation with one role's token (generation only: no shrinking, no database):
    valid and invalid requests, on random path parameters and on the seeded station, episode and broadcast."""
    ids = {name: value for name, value in known.items() if "{" + name + "}" in operation.path}
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if ids:
        strategies += [operation.as_strategy(mode, path_parameters=ids) for mode in GenerationMode]

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def fuzz(case: Any) -> None:
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as exc:
            # Schemathesis' own schema validator cannot hold a generated multipart file (its Binary value) in
            # a negative case: a limit of the fuzzer on the client side, before any request is sent.
            if "Unsupported type: 'Binary'" in str(exc):
                reject()
            raise
        statuses[response.status_code] += 1

    return fuzz
