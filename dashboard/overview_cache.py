"""The overview's matrix, kept while the registry's standings are unchanged.

A city's matrix is ten thousand obligations classified on the working-day calendar and ten thousand
cells of HTML: a few hundred milliseconds, while a coordinator reloads the page far more often than
the registry changes. Each entry is keyed by everything the matrix depends on: the user's scope and
organisation, the day, the filters, the sort, and the registry's fingerprint
(registry.campaign.service.standing_version), which changes with every obligation opened or moved.
What no fingerprint sees (a plan's deadlines loaded again, a calendar imported) shows within
``MAX_AGE_SECONDS``.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

MAX_AGE_SECONDS = 30
MAX_ENTRIES = 32


class OverviewCache:
    def __init__(self, max_age: float = MAX_AGE_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.max_age, self.max_entries = max_age, max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] <= self.max_age:
                self._entries.move_to_end(key)
                return found[1]
        value = make()  # outside the lock: two first requests may both compute, neither waits
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
