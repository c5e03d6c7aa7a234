"""The dashboard's settings (REFORM_DASHBOARD_*), and the key that signs its session cookies."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from core.settings import get_settings


class _Environment(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFORM_DASHBOARD_", env_file=".env", extra="ignore")

    # Signs the session cookies; by default a random key kept in REFORM_HOME/dashboard-secret.
    secret: str = ""
    # Cookies only over HTTPS: set it wherever the dashboard is served behind TLS.
    https_only: bool = False
    session_hours: float = 12
    # The Prefect UI the Prefect page links to; by default PREFECT_UI_URL, else PREFECT_API_URL without /api.
    prefect_ui_url: str = ""


@dataclass(frozen=True)
class DashboardSettings:
    secret: str
    https_only: bool = False
    session_hours: float = 12
    prefect_api_url: str = ""  # "" when no Prefect server is configured: the Prefect page says so
    prefect_ui_url: str = ""


def dashboard_settings() -> DashboardSettings:
    env = _Environment()
    api = os.environ.get("PREFECT_API_URL", "").rstrip("/")
    ui = env.prefect_ui_url or os.environ.get("PREFECT_UI_URL", "") or api.removesuffix("/api")
    return DashboardSettings(env.secret or _kept_secret(get_settings().home), env.https_only, env.session_hours,
                             api, ui.rstrip("/"))


def _kept_secret(home: Path) -> str:
    """A random key made once and kept beside the registry, readable by its owner alone."""
    path = home / "dashboard-secret"
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(key)
    return key
