"""The shape of the house: import direction between packages, no import cycles, one transaction per request."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from flask import Flask, jsonify
from sqlalchemy import func, select

from radio.features import FEATURES, HOOKS, features
from radio.models import User

ROOT = Path(__file__).resolve().parents[1]
RANK = {name: rank for rank, name in enumerate(FEATURES)}  # a package may import only packages ranked lower
WEB_ONLY = ("flask", "flask_babel", "flask_wtf", "werkzeug", "wtforms", "jinja2")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level(tree: ast.Module) -> Iterable[ast.AST]:
    """The statements run when the module is imported (not function bodies, not ``if TYPE_CHECKING:``)."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        yield node
        pending.extend(ast.iter_child_nodes(node))


def imports_of(source: str, module: str, is_package: bool = False, *, at_import: bool = False) -> set[str]:
    """Every module ``module`` imports (``at_import``: only while being imported), relative ones resolved."""
    found: set[str] = set()
    tree = ast.parse(source)
    for node in _module_level(tree) if at_import else ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # ``from pkg import module``
    return found


def project_modules() -> dict[str, Path]:
    """Every module of the product packages, migrations aside (they are checked by test_migrations_frozen)."""
    modules = {}
    for package in FEATURES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


def direction_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Imports against the documented direction: a package importing a later one, or a feature importing Flask."""
    problems = []
    for module, imported in graph.items():
        owner = module.split(".")[0]
        for target in imported:
            top = target.split(".")[0]
            if top in RANK and RANK[top] > RANK[owner]:
                problems.append(f"{module} imports {target} ({owner} may not depend on {top})")
            if owner != "web" and top in WEB_ONLY:
                problems.append(f"{module} imports {target} (only the web layer uses Flask)")
    return sorted(problems)


def import_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Cycles among the modules of ``graph`` (Tarjan's strongly connected components of two or more)."""
    edges = {m: sorted({t for t in targets if t in graph and t != m}) for m, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def project_graph(*, at_import: bool = False) -> dict[str, set[str]]:
    """Module → what it imports: everywhere (the direction rules), or only at import time (cycles)."""
    return {name: imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", at_import=at_import)
            for name, path in project_modules().items()}


def test_imports_follow_the_documented_direction() -> None:
    assert direction_violations(project_graph()) == []


def test_the_direction_check_catches_a_violation() -> None:
    # The core reaching into a feature (as radio/auth.py once did with schedule.models), a feature into the
    # web layer, a feature into Flask, and an earlier feature into a later one.
    graph = {
        "radio.auth": imports_of("from schedule.models import Station\n", "radio.auth"),
        "episodes.services": imports_of("def f():\n    from web.context import db\n", "episodes.services"),
        "schedule.podcast": imports_of("import flask\n", "schedule.podcast"),
        "transcripts.search": imports_of("from schedule import bookings\n", "transcripts.search"),
        "schedule.bookings": imports_of("from transcripts import search\nfrom . import models\n", "schedule.bookings"),
    }
    problems = direction_violations(graph)
    assert any(p.startswith("radio.auth imports schedule.models") for p in problems)
    assert any(p.startswith("episodes.services imports web.context") for p in problems)
    assert any(p.startswith("schedule.podcast imports flask") for p in problems)
    assert any(p.startswith("transcripts.search imports schedule") for p in problems)
    assert not any(p.startswith("schedule.bookings") for p in problems)  # schedule → transcripts is allowed


def test_no_import_cycles_between_modules() -> None:
    # Import-time cycles (a deferred import inside a function is how a lower module reaches a registry).
    assert import_cycles(project_graph(at_import=True)) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert import_cycles(graph) == [["a.x", "a.y", "a.z"]]
    assert import_cycles({"a.x": {"a.y"}, "a.y": set()}) == []
    source = "from a import y\nif TYPE_CHECKING:\n    from a import w\ndef f():\n    from a import z\n"
    assert imports_of(source, "a.x", at_import=True) == {"a", "a.y"}


def test_every_feature_declares_itself_once() -> None:
    loaded = features()
    assert tuple(f.name for f in loaded) == FEATURES
    offered = {name for f in loaded for name in f.hooks}
    assert offered <= set(HOOKS)
    kinds = [kind for f in loaded for kind in f.jobs]
    assert len(kinds) == len(set(kinds))
    modules = [m for f in loaded for m in f.blueprints]
    assert len(modules) == len(set(modules))
    # Every web module with a blueprint is declared by exactly one feature.
    with_bp = sorted(module_name(p) for p in (ROOT / "web").rglob("*.py") if "\nbp = Blueprint(" in p.read_text())
    assert sorted(modules) == with_bp


def test_no_feature_guards_or_hand_kept_lists_remain() -> None:
    for name, path in project_modules().items():
        source = path.read_text(encoding="utf-8")
        for marker in ("JOB_MODULES", "CLI_MODULES", "BLUEPRINT_MODULES", "MODEL_PACKAGES"):
            assert marker not in source, f"{name} keeps a hand-made list {marker}"
        if "find_spec(" in source:  # only the Whisper model packages are looked up by name (data, not code)
            assert name == "transcripts.whisper_models", f"{name} guards an import with find_spec"


def test_views_hold_no_commits() -> None:
    for path in (ROOT / "web").rglob("*.py"):
        if path.name == "context.py":  # the request transaction itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr in ("commit", "rollback")]
        assert not calls, f"{path.relative_to(ROOT)}:{calls[0].lineno} manages the transaction itself"


@pytest.fixture
def probe_app(app: Flask) -> Flask:
    """The test app with two extra views that write a user: one returns, one raises after writing."""
    from radio.auth import create_user
    from web.context import db, in_transaction

    def writes_and_returns() -> object:
        create_user(db(), "kept@example.org", "producer")
        return jsonify({"ok": True})

    def writes_then_raises() -> object:
        create_user(db(), "lost@example.org", "producer")
        raise RuntimeError("boom after the write")

    def writes_then_answers_an_error() -> object:
        create_user(db(), "refused@example.org", "producer")
        return jsonify({"error": {"code": "nope", "message": "refused"}}), 409

    for rule, view in (("/api/_probe/ok", writes_and_returns), ("/api/_probe/raise", writes_then_raises),
                       ("/api/_probe/refuse", writes_then_answers_an_error)):
        app.add_url_rule(rule, view.__name__, in_transaction(view), methods=["POST"])
    return app


def _users(runtime: object, email: str) -> int:
    with runtime.read_session() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(User).where(User.email == email)) or 0)


def test_a_view_commits_once_when_it_returns_and_leaves_nothing_when_it_raises(probe_app: Flask, runtime) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    commits: list[int] = []

    def count(session: Session) -> None:
        if not session.get_bind().get_execution_options().get("readonly"):  # the request's read session aside
            commits.append(1)

    event.listen(Session, "after_commit", count)
    try:
        client = probe_app.test_client()
        assert client.post("/api/_probe/ok").status_code == 200
        assert _users(runtime, "kept@example.org") == 1
        writes = len(commits)
        assert client.post("/api/_probe/raise").status_code == 500
        assert _users(runtime, "lost@example.org") == 0
        assert client.post("/api/_probe/refuse").status_code == 409
        assert _users(runtime, "refused@example.org") == 0
    finally:
        event.remove(Session, "after_commit", count)
    assert writes == 1  # the view's work was committed exactly once


def test_a_read_only_request_refuses_to_write(app: Flask, runtime) -> None:
    from radio.auth import create_user
    from web.context import db, in_transaction

    def sneaky_write() -> object:
        create_user(db(), "get@example.org", "producer")
        return jsonify({"ok": True})

    app.add_url_rule("/api/_probe/get", "sneaky_write", in_transaction(sneaky_write), methods=["GET"])
    assert app.test_client().get("/api/_probe/get").status_code == 500  # a GET without @writes gets a read session
    assert _users(runtime, "get@example.org") == 0


def test_the_readme_map_lists_every_package_and_its_files_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Contributing: where things live", 1)[1]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    packages = [cells[0].strip().strip("`") for cells in rows if "/" not in cells[0]]
    assert packages == list(FEATURES)
    descriptions = {f.name: f.description for f in features()}
    for cells in rows:
        name = cells[0].strip().strip("`")
        if name in descriptions:
            assert cells[1].strip() == descriptions[name], f"the map's line for {name} differs from its feature.py"
    for path in re.findall(r"`((?:radio|episodes|schedule|transcripts|web)/[\w/.]*)`", section):
        assert (ROOT / path).exists(), f"the README map names {path}, which does not exist"
