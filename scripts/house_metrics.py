"""The shape of the code base: lines per package, the largest files, platform-name branches.

Run from the project root: `python scripts/house_metrics.py` (add `--json` for a machine-readable
report). The numbers are the ones the "One house" note quotes, before and after.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from collections import Counter
from pathlib import Path

ROOTS = ("copilot", "ui")
# a comparison against a vendor name: `platform == "brevo"`, `x.platform != "mailchimp"`,
# `"brevo" in ...`, `platform in ("mailchimp", ...)`
VENDORS = ("mailchimp", "brevo")


def python_files(root: Path) -> list[Path]:
    return sorted(p for r in ROOTS for p in (root / r).rglob("*.py"))


def package_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0] + " (top level)"


def vendor_branches(tree: ast.AST) -> int:
    """Comparisons whose one side is a vendor-name string literal."""
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        for side in sides:
            values = []
            if isinstance(side, ast.Constant) and isinstance(side.value, str):
                values = [side.value]
            elif isinstance(side, (ast.Tuple, ast.List, ast.Set)):
                values = [e.value for e in side.elts if isinstance(e, ast.Constant)]
            if any(v in VENDORS for v in values):
                count += 1
                break
    return count


def literal_declarations(text: str) -> int:
    return len(re.findall(r"Literal\[\s*\"mailchimp\"\s*,\s*\"brevo\"\s*\]", text))


def measure(root: Path) -> dict[str, object]:
    lines: Counter[str] = Counter()
    sizes: dict[str, int] = {}
    branches: dict[str, int] = {}
    literals = 0
    for path in python_files(root):
        text = path.read_text(encoding="utf-8")
        n = len(text.splitlines())
        rel = str(path.relative_to(root))
        lines[package_of(path, root)] += n
        sizes[rel] = n
        b = vendor_branches(ast.parse(text))
        if b:
            branches[rel] = b
        literals += literal_declarations(text)
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:10]
    return {
        "lines_per_package": dict(sorted(lines.items())),
        "total_lines": sum(lines.values()),
        "largest_files": largest,
        "vendor_branches": sum(branches.values()),
        "vendor_branches_by_file": branches,
        "platform_literal_declarations": literals,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = measure(args.root)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print("| package | lines |\n| --- | ---: |")
    for pkg, n in report["lines_per_package"].items():  # type: ignore[union-attr]
        print(f"| {pkg} | {n:,} |")
    print(f"| **total** | **{report['total_lines']:,}** |\n")
    print("| largest files | lines |\n| --- | ---: |")
    for rel, n in report["largest_files"]:  # type: ignore[union-attr]
        print(f"| {rel} | {n:,} |")
    print(
        f"\nbranches on a vendor name: {report['vendor_branches']}"
        f"  (by file: {report['vendor_branches_by_file']})"
    )
    print(
        f'`Literal["mailchimp", "brevo"]` declarations: {report["platform_literal_declarations"]}'
    )


if __name__ == "__main__":
    main()
