"""One typed loader for the YAML and JSON files the copilot reads: data files that ship with the
package (lexicons, merge-tag maps, patterns, playbooks, rules) and files users write (briefs,
A/B configs). Errors name the file, the line or the field, and never show a traceback."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from copilot.errors import ConfigError, CopilotError

M = TypeVar("M", bound=BaseModel)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: how many invalid fields one error message lists
MAX_LISTED = 5


def shown(path: Path) -> str:
    """A path as messages show it: relative to the package for shipped files, else as given."""
    try:
        return "copilot/" + str(path.resolve().relative_to(PACKAGE_ROOT))
    except ValueError:
        return str(path)


def parse_text(
    text: str, where: str, *, json_file: bool = False, error: type[CopilotError] = ConfigError
) -> Any:
    """Parse YAML (or JSON) text; a syntax error names `where` and the line."""
    try:
        return json.loads(text) if json_file else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise error(f"{where} line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{where}{line}: not valid YAML ({problem})") from None


def read_data(
    path: Path, *, json_file: bool | None = None, error: type[CopilotError] = ConfigError
) -> Any:
    """Read and parse one YAML or JSON file (JSON by its suffix unless `json_file` says);
    errors name the file, and are raised as `error` (a user file's own kind of error)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{shown(path)}: cannot be read ({exc.strerror or exc})") from None
    if json_file is None:
        json_file = path.suffix.lower() == ".json"
    return parse_text(text, shown(path), json_file=json_file, error=error)


def field_error(
    exc: ValidationError, where: str, error: type[CopilotError] = ConfigError
) -> CopilotError:
    """Every validation error in one message naming the file and each field (up to MAX_LISTED)."""
    errors = exc.errors()
    problems = [
        f"field '{'.'.join(str(p) for p in e.get('loc', ())) or '(file)'}': {e.get('msg', 'invalid')}"
        for e in errors[:MAX_LISTED]
    ]
    more = f"; and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
    return error(f"{where}: {'; '.join(problems)}{more}")


def validate(data: Any, model: type[M], where: str, error: type[CopilotError] = ConfigError) -> M:
    """Validate parsed data against a pydantic model; errors name `where` and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_error(exc, where, error) from None


def load_file(
    path: Path,
    model: type[M],
    *,
    json_file: bool | None = None,
    error: type[CopilotError] = ConfigError,
) -> M:
    """Read one YAML/JSON file into a pydantic model (not cached: user files change)."""
    data = read_data(path, json_file=json_file, error=error)
    return validate(data, model, shown(path), error)


@cache
def _cached(path: Path, model: type[BaseModel]) -> BaseModel:
    return load_file(path, model)


def load_model(path: Path, model: type[M]) -> M:
    """A data file shipped with the package, validated once per process (the files do not change)."""
    return _cached(path.resolve(), model)  # type: ignore[return-value]
