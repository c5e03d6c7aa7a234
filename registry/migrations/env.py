"""Alembic environment: the URL comes from registry.db.migrate, never from an ini file."""
from alembic import context
from sqlalchemy import text

from registry.db import engine_for
from registry.schema import Base

config = context.config
url = config.attributes.get("url")


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = engine_for(url)
    with engine.connect() as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            # Migrations act for every district: a data migration run by an owner that is not a
            # superuser sees no row of a table under row-level security otherwise (revision 0017).
            connection.execute(text("SELECT set_config('reform.district', '*', false)"))
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if postgresql:
                # Never back to the pool acting for every district, even after a failed migration.
                connection.invalidate()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
