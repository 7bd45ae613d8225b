"""Alembic environment: runs migrations on the engine given in the config attributes."""

from __future__ import annotations

from alembic import context

from radio.db import Base
from radio.migrate import include_name, load_models, render_item

load_models()
config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
        render_item=render_item,  # app types render as plain sa types: new migrations import nothing from the app
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
