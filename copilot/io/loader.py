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

from copilot.errors import ConfigError

M = TypeVar("M", bound=BaseModel)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def shown(path: Path) -> str:
    """A path as messages show it: relative to the package for shipped files, else as given."""
    try:
        return "copilot/" + str(path.resolve().relative_to(PACKAGE_ROOT))
    except ValueError:
        return str(path)


def parse_text(text: str, where: str, *, json_file: bool = False) -> Any:
    """Parse YAML (or JSON) text; a syntax error names `where` and the line."""
    try:
        return json.loads(text) if json_file else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where} line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}{line}: not valid YAML ({problem})") from None


def read_data(path: Path) -> Any:
    """Read and parse one YAML or JSON file; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{shown(path)}: cannot be read ({exc.strerror or exc})") from None
    return parse_text(text, shown(path), json_file=path.suffix.lower() == ".json")


def field_error(exc: ValidationError, where: str) -> ConfigError:
    """The first validation error as one line naming the file and the field."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    return ConfigError(f"{where}: field '{loc}': {first.get('msg', 'invalid')}")


def validate(data: Any, model: type[M], where: str) -> M:
    """Validate parsed data against a pydantic model; errors name `where` and the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise field_error(exc, where) from None


def load_file(path: Path, model: type[M]) -> M:
    """Read one YAML/JSON file into a pydantic model (not cached: user files change)."""
    return validate(read_data(path), model, shown(path))


@cache
def _cached(path: Path, model: type[BaseModel]) -> BaseModel:
    return load_file(path, model)


def load_model(path: Path, model: type[M]) -> M:
    """A data file shipped with the package, validated once per process (the files do not change)."""
    return _cached(path.resolve(), model)  # type: ignore[return-value]
