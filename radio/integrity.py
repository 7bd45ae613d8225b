"""Integrity of the media store against the database: every object re-hashed, every reference resolved."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import column, func, inspect, select, table

from radio.runtime import Runtime
from radio.storage import MediaStore, host_tag

# Columns that name media objects by SHA-256 (table, column). Tables not created yet are skipped.
MEDIA_REFERENCES = (("episodes", "sha256"), ("episodes", "broadcast_sha256"))
TMP_MAX_AGE_S = 24 * 3600  # a temporary file this old is abandoned whoever wrote it
_TMP_OWNER = re.compile(r"^up-([0-9a-f]{8})-(\d+)-")


@dataclass
class Problem:
    """One finding: ``fatal`` ones (damaged, missing) make ``radio verify`` exit non-zero."""

    kind: str  # damaged | missing | unreadable | orphan_object | orphan_temp | audit_chain | permissions | redaction
    path: str
    detail: str
    fatal: bool

    def line(self) -> str:
        """How the CLI prints it."""
        return f"{'ERROR' if self.fatal else 'warning'} {self.kind}: {self.path} — {self.detail}"


@dataclass
class VerifyReport:
    """What ``verify_home`` checked and found."""

    objects_checked: int = 0
    bytes_checked: int = 0
    references_checked: int = 0
    audit_rows_checked: int = 0
    redaction_rows_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is damaged or missing."""
        return not any(p.fatal for p in self.problems)

    def as_dict(self) -> dict[str, object]:
        """The report as JSON."""
        return {"ok": self.ok, "objects_checked": self.objects_checked, "bytes_checked": self.bytes_checked,
                "references_checked": self.references_checked, "audit_rows_checked": self.audit_rows_checked,
                "redaction_rows_checked": self.redaction_rows_checked,
                "repaired": self.repaired,
                "problems": [p.__dict__ for p in self.problems]}


def find_object(store: MediaStore, sha256: str) -> Path | None:
    """The stored file of a hash, whatever its suffix."""
    folder = store.root / sha256[:2] / sha256[2:4]
    if not re.fullmatch(r"[0-9a-f]{64}", sha256) or not folder.is_dir():
        return None
    return next((p for p in sorted(folder.glob(f"{sha256}*")) if p.is_file()), None)


def temp_file_abandoned(path: Path, now: float | None = None) -> bool:
    """True when a temporary upload file's writer is gone (same machine, dead pid) or it is very old."""
    now = time.time() if now is None else now
    try:
        if now - path.stat().st_mtime > TMP_MAX_AGE_S:
            return True
    except FileNotFoundError:
        return False
    match = _TMP_OWNER.match(path.name)
    if match is None or match.group(1) != host_tag():
        return False
    pid = int(match.group(2))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def clean_abandoned_temp_files(store: MediaStore) -> list[str]:
    """Remove temporary files of uploads whose process died; returns their names."""
    removed = []
    if store.tmp_dir.is_dir():
        for path in sorted(store.tmp_dir.iterdir()):
            if path.is_file() and temp_file_abandoned(path):
                path.unlink(missing_ok=True)
                removed.append(path.name)
    return removed


def _references(runtime: Runtime) -> list[tuple[str, str, str]]:
    """(where, row id, sha256) for every media reference in the database."""
    found: list[tuple[str, str, str]] = []
    inspector = inspect(runtime.engine)
    tables = set(inspector.get_table_names())
    with runtime.read_session() as session:
        for table_name, column_name in MEDIA_REFERENCES:
            if table_name not in tables:
                continue
            if column_name not in {c["name"] for c in inspector.get_columns(table_name)}:
                continue
            ref = table(table_name, column("id"), column(column_name))
            rows = session.execute(select(ref.c.id, ref.c[column_name]).where(ref.c[column_name].is_not(None)))
            found.extend((f"{table_name}.{column_name}", str(row_id), sha) for row_id, sha in rows if sha)
    return found


def verify_home(runtime: Runtime, *, repair: bool = False) -> VerifyReport:
    """Re-hash every stored object and resolve every database reference; ``repair`` removes abandoned temp files."""
    store = runtime.store
    report = VerifyReport()
    good: set[str] = set()
    present: set[str] = set()
    for path in store.iter_objects():
        rel = str(path.relative_to(store.root))
        sha = path.name[:64]
        present.add(sha)
        report.objects_checked += 1
        try:
            report.bytes_checked += path.stat().st_size
            intact = store.verify_object(path)
        except OSError as exc:
            report.problems.append(Problem("unreadable", rel, str(exc), True))
            continue
        if intact:
            good.add(sha)
        else:
            report.problems.append(Problem("damaged", rel, "its content no longer matches its SHA-256", True))

    referenced: set[str] = set()
    for where, row_id, sha in _references(runtime):
        report.references_checked += 1
        referenced.add(sha)
        if sha not in present:
            expected = f"{sha[:2]}/{sha[2:4]}/{sha}" if len(sha) == 64 else sha
            report.problems.append(Problem("missing", expected, f"referenced by {where} of row {row_id}", True))

    for sha in sorted(good - referenced):
        found = find_object(store, sha)
        rel = str(found.relative_to(store.root)) if found else sha
        report.problems.append(Problem("orphan_object", rel, "stored but not referenced by any row", False))

    if store.tmp_dir.is_dir():
        for path in sorted(store.tmp_dir.iterdir()):
            if path.is_file() and temp_file_abandoned(path):
                if repair:
                    path.unlink(missing_ok=True)
                    report.repaired.append(f"tmp/{path.name}")
                else:
                    report.problems.append(Problem("orphan_temp", f"tmp/{path.name}",
                                                   "left by an interrupted upload (remove with --repair)", False))
    _verify_audit_chain(runtime, report)
    _verify_redaction(runtime, report)
    _verify_permissions(runtime, report)
    return report


def _verify_redaction(runtime: Runtime, report: VerifyReport) -> None:
    """Every stored masked copy is what today's redaction gives for its text, and the masked index hides it too.

    A problem names the first row of each table (never the text: it may hold the very number); a new
    redaction rule makes older copies differ until ``radio search --reindex`` recomputes them.
    """
    from radio.features import hook
    from radio.text_index import MASKED_COPIES, masked_copy_drift

    first: dict[str, str] = {}
    count: dict[str, int] = {}
    with runtime.read_session() as session:
        for masked, row_id, _fresh in masked_copy_drift(session):
            first.setdefault(masked.table, row_id)
            count[masked.table] = count.get(masked.table, 0) + 1
        report.redaction_rows_checked = sum(session.execute(select(func.count()).select_from(masked.model))
                                            .scalar_one() for masked in MASKED_COPIES)
        leaks = [row for leaks_of in hook("masked_index_leaks") for row in leaks_of(session)]
    for masked in MASKED_COPIES:
        if masked.table in first:
            more = count[masked.table] - 1
            report.problems.append(Problem(
                "redaction", f"{masked.table} row {first[masked.table]}",
                f"{masked.copy} differs from today's redaction of {', '.join(masked.sources)}"
                + (f" (and {more} more rows of {masked.table})" if more else "")
                + "; `radio search --reindex` recomputes it", True))
    if leaks:
        others = f" (and {len(leaks) - 1} more rows)" if len(leaks) > 1 else ""
        report.problems.append(Problem(
            "redaction", leaks[0], f"the masked search index holds a word this row's masked copy hides{others}; "
            "`radio search --reindex` rebuilds it", True))


def _verify_permissions(runtime: Runtime, report: VerifyReport, shown: int = 20) -> None:
    from radio.permissions import looser_than_private, private_roots

    loose = looser_than_private(private_roots(runtime.settings))
    for path, mode in loose[:shown]:
        report.problems.append(Problem("permissions", str(path), f"mode {mode:04o}: readable or usable by other "
                                       "accounts (want 0700 folders, 0600 files; `radio init` fixes it)", True))
    if len(loose) > shown:
        report.problems.append(Problem("permissions", str(runtime.settings.home),
                                       f"and {len(loose) - shown} more paths", True))


def _verify_audit_chain(runtime: Runtime, report: VerifyReport) -> None:
    from radio.audit import ANCHOR_FILE, check_anchor, verify_chain

    anchor = runtime.settings.home / ANCHOR_FILE
    with runtime.read_session() as session:
        chain = verify_chain(session)
        against_anchor = check_anchor(session, anchor)
    report.audit_rows_checked = chain.rows
    if chain.broken_id is not None:
        report.problems.append(Problem("audit_chain", f"audit_log row {chain.broken_id}", chain.reason, True))
    if against_anchor is not None:
        fatal, why = against_anchor
        report.problems.append(Problem("audit_chain", str(anchor), why, fatal))
