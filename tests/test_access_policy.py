"""The one access policy: every route names its rule, its gate matches the rule, the station rule is one rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from radio import access
from radio.access import RULES, policy, rule_of, station_may_see

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def route_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(rule, methods, access rule name or '') for every URL rule of the app."""
    rows = []
    for url_rule in app.url_map.iter_rules():
        view = app.view_functions[url_rule.endpoint]
        rule = rule_of(view)
        methods = ",".join(sorted(m for m in url_rule.methods or () if m not in ("HEAD", "OPTIONS")))
        rows.append((url_rule.rule, methods, rule.name if rule else ""))
    return sorted(rows)


def gate_problems(app: Flask) -> list[str]:
    """Routes without a rule, or whose role gate differs from their rule's roles."""
    problems = []
    for url_rule in app.url_map.iter_rules():
        view = app.view_functions[url_rule.endpoint]
        rule = rule_of(view)
        if rule is None:
            problems.append(f"{url_rule.rule} ({url_rule.endpoint}) names no access rule")
            continue
        gate = getattr(view, "_gate_roles", None)
        if rule.audience == access.USER:
            if gate is None:
                problems.append(f"{url_rule.rule}: rule {rule.name} needs a signed-in user but the view has no gate")
            elif set(gate) != set(rule.roles):
                problems.append(f"{url_rule.rule}: gate {sorted(gate)} differs from {rule.name} {sorted(rule.roles)}")
        elif gate is not None:
            problems.append(f"{url_rule.rule}: rule {rule.name} is {rule.audience} but the view has a role gate")
    return problems


def test_every_route_goes_through_the_policy(app: Flask) -> None:
    assert gate_problems(app) == []
    names = {name for _, _, name in route_rules(app)}
    assert names <= set(RULES)
    assert len(route_rules(app)) > 80


def route_table(app: Flask) -> str:
    """The table "policy rule → routes" as Markdown: every rule with the routes (methods + path) using it."""
    by_rule: dict[str, list[str]] = {}
    for path, methods, name in route_rules(app):
        by_rule.setdefault(name or "(none)", []).append(f"`{methods or 'GET'} {path}`")
    lines = ["# Access policy: rule → routes", "",
             f"{sum(len(r) for r in by_rule.values())} routes, {len(by_rule)} rules in use "
             f"(of {len(RULES)} defined).", ""]
    for name in sorted(by_rule):
        lines += [f"## {name} — {_who(name)}", "", RULES[name].guards if name in RULES else
                  "routes that bypass the policy", ""]
        lines += [f"- {route}" for route in by_rule[name]]
        lines.append("")
    lines += ["## Every route", "", "| methods | path | rule | who passes the gate |", "|---|---|---|---|"]
    lines += [f"| {methods or 'GET'} | `{path}` | {name or '(none)'} | {_who(name or '(none)')} |"
              for path, methods, name in route_rules(app)]
    return "\n".join(lines) + "\n"


def _who(name: str) -> str:
    """Who passes rule ``name``'s gate, in words."""
    rule = RULES.get(name)
    if rule is None:
        return "NO RULE"
    if rule.audience != access.USER:
        return rule.audience
    if not rule.roles:
        return "any signed-in user"
    return "admin only" if rule.roles == ("admin",) else f"{'/'.join(rule.roles)} and admin"


def test_route_table_names_a_rule_for_every_route(app: Flask, database_url: str) -> None:
    """Prints the rule → routes table (``-s``), writes it under test-artifacts/, fails for a route without a rule."""
    table = route_table(app)
    print(table)
    if database_url.startswith("sqlite"):  # the same app on both backends: one artifact
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "access-routes.md").write_text(table, encoding="utf-8")
    unruled = [f"{methods} {path}" for path, methods, name in route_rules(app) if not name]
    assert unruled == [], f"routes without an access rule: {unruled}"
    assert "## (none)" not in table
    used = {name for _, _, name in route_rules(app)}
    assert used <= set(RULES)


def test_the_route_table_shows_a_bypassing_route(app: Flask) -> None:
    app.view_functions["test.bypass"] = lambda: "restricted"
    app.add_url_rule("/bypass", "test.bypass")
    table = route_table(app)
    assert "## (none) — NO RULE" in table and "`GET /bypass`" in table


def test_the_walk_catches_a_route_that_bypasses_the_policy(app: Flask) -> None:
    app.view_functions["test.bypass"] = lambda: "restricted"
    app.add_url_rule("/bypass", "test.bypass")
    app.view_functions["test.wrong_gate"] = policy("admin")(lambda: "users")
    app.add_url_rule("/wrong-gate", "test.wrong_gate")
    problems = gate_problems(app)
    assert any("/bypass" in p and "names no access rule" in p for p in problems)
    assert any("/wrong-gate" in p and "no gate" in p for p in problems)


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(KeyError):
        policy("episode.everything")


@dataclass
class _Episode:
    restricted: bool = False
    consent: str = "broadcast"
    valid_until: dt.date | None = None


@pytest.mark.parametrize(("episode", "booked", "seen"), [
    (_Episode(), True, True),
    (_Episode(), False, False),
    (_Episode(restricted=True), True, False),
    (_Episode(consent="internal"), True, False),
    (_Episode(valid_until=dt.date(2026, 1, 1)), True, False),
    (_Episode(valid_until=dt.date(2026, 1, 2)), True, True),
])
def test_the_station_rule(episode: _Episode, booked: bool, seen: bool) -> None:
    assert station_may_see(episode, booked=booked, today=dt.date(2026, 1, 2)) is seen


def test_role_answers() -> None:
    assert [access.sees_restricted(r) for r in ("producer", "station", "researcher", "admin")] == [
        False, False, True, True]
    assert [access.sees_unmasked(r) for r in ("producer", "station", "researcher", "admin")] == [
        False, False, False, True]
    assert not access.reads_transcripts("station")
