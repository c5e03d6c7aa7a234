"""The house's rule beyond what the import contracts say: the floors above the registry reach it
only through its capabilities' service modules, and every capability has one."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ABOVE_THE_REGISTRY = ("reform", "demo", "bench", "dashboard", "deployments", "flows", "tasks")


def _registry_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "registry":
            names = [node.module + "." + a.name if node.module.count(".") == 1 else node.module for a in node.names]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "registry"]
    return found


def test_the_floors_above_the_registry_import_only_its_service_modules():
    wrong = [f"{path.relative_to(ROOT)}:{line} {name}"
             for floor in ABOVE_THE_REGISTRY for path in sorted((ROOT / floor).rglob("*.py"))
             for line, name in _registry_imports(path)
             if not (name.count(".") >= 2 and name.split(".")[2] == "service")]
    assert wrong == []


def test_every_capability_of_the_registry_has_its_tables_or_its_service():
    rooms = [p for p in (ROOT / "registry").iterdir() if (p / "__init__.py").exists()
             and p.name not in ("migrations", "seed")]
    assert len(rooms) >= 8
    assert [r.name for r in rooms if not (r / "service.py").exists()] == []
