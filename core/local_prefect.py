"""Running Prefect embedded: a temporary local server, no network, nothing reported home."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from core.settings import get_settings

# The temporary server logs "database is locked" retries and shutdown tracebacks under load:
# noise to a coordinator, so only its errors that matter reach the terminal.
NOISY_LOGGERS = ("prefect.server", "prefect._internal", "uvicorn", "uvicorn.error", "docket", "alembic")


def use_embedded_prefect(home: Path) -> None:
    """Point Prefect at its own home beside the registry. Call before prefect is imported."""
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home.resolve())
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "ERROR"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def use_local_prefect_unless_configured() -> None:
    """A command run without a Prefect server configured runs its flows on a temporary local one."""
    if not os.environ.get("PREFECT_API_URL"):
        use_embedded_prefect(get_settings().home / "prefect")
