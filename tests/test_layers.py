"""Dependencies point one way: a package may not import the layers that use it.

Read from the source (every `import` and `from ... import`, also inside functions), so a lazy
import against the direction fails too. Only the packages already in their place are listed;
the rest of the layout follows as it moves (issue "One house").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "copilot"
#: package -> the copilot packages it must never import (the layers above it)
FORBIDDEN = {
    "predictor": ("evaluators", "generators", "commands", "planning", "workflow", "cli"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def upward_imports(package: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            parts = module.split(".")
            if parts[0] == "copilot" and len(parts) > 1 and parts[1] in forbidden:
                bad.append(f"{path.relative_to(PACKAGE.parent)} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(package: str) -> None:
    assert (PACKAGE / package).is_dir()
    assert upward_imports(package, FORBIDDEN[package]) == []


def test_the_check_sees_lazy_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from copilot.evaluators.scoring import combine\n    return combine\n",
        encoding="utf-8",
    )
    assert "copilot.evaluators.scoring" in imported_modules(module)
