"""Debian's Chromium under Playwright, for the public site's and the dashboard's browser tests
(the ``browser`` fixture in tests/conftest.py launches it)."""
from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Playwright cannot download its own browsers here
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 375, "height": 740}
SERIOUS = ("serious", "critical")  # the axe-core impacts a page may not have
