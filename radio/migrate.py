"""Alembic migrations: one branch per feature (``FEATURE.migrations``), upgraded together to all heads."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from radio.features import features, migration_folders

# Objects migrations create by hand that autogenerate cannot model (FTS5 tables, expression indexes):
# their names start with this, and autogenerate leaves them alone.
UNMANAGED_PREFIX = "search_"
# Columns migrations add by hand (PostgreSQL's generated tsvector columns of transcript search, not in the models).
UNMANAGED_COLUMN_PREFIX = "search_vector"


def load_models() -> None:
    """Import every feature's models so ``Base.metadata`` knows all tables."""
    features()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate filter: skip the hand-made search objects (``UNMANAGED_PREFIX``, ``UNMANAGED_COLUMN_PREFIX``)."""
    if name is None:
        return True
    if type_ == "column":
        return not name.startswith(UNMANAGED_COLUMN_PREFIX)
    return not (type_ in ("table", "index") and name.startswith(UNMANAGED_PREFIX))


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate hook: an application column type (a ``TypeDecorator`` such as ``radio.db.UTCDateTime``)
    renders as the plain SQLAlchemy type it stores (``sa.DateTime(timezone=True)``), so a new migration is
    frozen: it imports nothing from the application. Anything else renders as Alembic does by default."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__.startswith("sqlalchemy.sql."):
            return f"sa.{impl!r}"
    return False


def _version_locations() -> list[str]:
    return [str(folder) for folder in migration_folders()]


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine`` (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("version_locations", " ".join(_version_locations()))
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Create or upgrade every table to the newest revision of every branch."""
    command.upgrade(alembic_config(engine), "heads")


def is_current(engine: Engine) -> bool:
    """True when the database is at every head."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    # Alembic records only the tips; a branch that another depends on is implied by its dependant.
    applied = {rev.revision for rev in script.revision_map.iterate_revisions(current, "base")} if current else set()
    return {rev.revision for rev in script.walk_revisions()} <= applied
