"""Dependencies point one way: ui and cli -> app -> stages -> llm / knowledge / platforms -> base.

Read from the source (every `import` and `from ... import`, also inside functions), so a lazy
import against the direction fails too. `LAYERS` is the architecture of README.md ("Architecture"):
each part of the package names the parts it may import. A new package must be added here, or the
test fails; an import that is not allowed fails with the file and the module it imports.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the lowest layer: models, settings, text helpers, prompt templates, file formats and loaders
BASE = frozenset(
    {"errors", "settings", "variants", "text", "progress", "envelope", "io", "prompts", "__init__"}
)
#: part -> the parts it may import (besides itself and BASE)
LAYERS: dict[str, frozenset[str]] = {
    # infrastructure: the model, the knowledge base, the sending platforms
    "llm": frozenset(),
    "knowledge": frozenset(),
    "platforms": frozenset(),
    # stages
    "predictor": frozenset({"llm", "knowledge"}),
    "evaluation": frozenset({"llm", "knowledge", "platforms", "predictor"}),
    "rendering": frozenset({"knowledge", "platforms", "evaluation"}),
    "planning": frozenset({"knowledge", "platforms", "evaluation"}),
    "results": frozenset({"knowledge", "platforms", "planning"}),
    "generation": frozenset(
        {"llm", "knowledge", "platforms", "evaluation", "rendering", "predictor", "planning"}
    ),
    # use cases
    "app": frozenset(
        {
            "llm",
            "knowledge",
            "platforms",
            "predictor",
            "evaluation",
            "rendering",
            "planning",
            "results",
            "generation",
        }
    ),
    # thin front ends: they call the use cases only
    "commands": frozenset({"app"}),
    "cli": frozenset({"app", "commands"}),
    "ui": frozenset({"app"}),
}


def part_of(module: str) -> str | None:
    """The architectural part a dotted module belongs to (None: not ours)."""
    parts = module.split(".")
    if parts[0] == "ui":
        return "ui"
    if parts[0] != "copilot":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def source_files() -> list[Path]:
    return sorted([*(ROOT / "copilot").rglob("*.py"), *(ROOT / "ui").rglob("*.py")])


def module_name(path: Path) -> str:
    inside = path.is_relative_to(ROOT)
    parts = list((path.relative_to(ROOT) if inside else Path(path.name)).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """The dotted modules a file imports, inside functions too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # `from copilot.platforms import brevo` imports the module copilot.platforms.brevo
            found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def known_modules() -> set[str]:
    return {module_name(p) for p in source_files()}


def against_the_direction() -> list[str]:
    known = known_modules()
    bad = []
    for path in source_files():
        own = part_of(module_name(path))
        assert own is not None
        allowed = BASE | {own} | LAYERS.get(own, frozenset())
        if own in BASE:
            allowed = BASE
        for module in sorted(imported_modules(path)):
            if module not in known:
                continue
            target = part_of(module)
            if target is not None and target not in allowed:
                bad.append(f"{path.relative_to(ROOT)} ({own}) imports {module} ({target})")
    return bad


def import_cycles() -> list[list[str]]:
    """Cycles among modules, lazy imports included: an import moved into a function to break a
    circle still leaves the circle."""
    known = known_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for path in source_files():
        me = module_name(path)
        imported = imported_modules(path)
        graph[me] = {m for m in imported if m in known and m != me}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_every_part_of_the_package_has_a_place_in_the_layers() -> None:
    parts = {part_of(module_name(p)) for p in source_files()}
    unplaced = sorted(p for p in parts if p is not None and p not in BASE and p not in LAYERS)
    assert unplaced == [], f"add these to LAYERS (and README's Architecture): {unplaced}"


def test_no_module_imports_against_the_direction() -> None:
    assert against_the_direction() == []


def test_no_import_cycle_among_modules() -> None:
    assert import_cycles() == []


def test_the_check_sees_lazy_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from copilot.evaluation.scoring import combine\n    return combine\n",
        encoding="utf-8",
    )
    assert "copilot.evaluation.scoring" in imported_modules(module)


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("copilot.generation.subjects.generator", "copilot.app.generate", False),
        ("copilot.platforms.base", "copilot.planning.design", False),
        ("ui.pages.brief", "copilot.generation.subjects.generator", False),
        ("copilot.app.generate", "copilot.generation.subjects.generator", True),
        ("copilot.evaluation.scoring", "copilot.io.brief", True),
    ],
)
def test_the_rules_read_as_the_architecture_says(
    importer: str, imported: str, allowed: bool
) -> None:
    own, target = part_of(importer), part_of(imported)
    assert own is not None and target is not None
    ok = target in BASE | {own} | LAYERS.get(own, frozenset())
    assert ok is allowed
