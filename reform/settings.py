"""The one settings object. Every knob the deployment can turn is here, read from REFORM_* variables."""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFORM_", env_file=".env", extra="ignore")

    home: Path = Path(".reform")
    database_url: str | None = None

    @property
    def resolved_database_url(self) -> str:
        """The registry's database; defaults to a SQLite file kept apart from Prefect's own."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'reform.db').resolve()}"


def get_settings() -> Settings:
    # Not cached: the CLI and the tests point REFORM_HOME elsewhere at run time, and reading
    # a few environment variables costs nothing next to a database round trip.
    return Settings()
