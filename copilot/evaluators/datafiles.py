"""Load the evaluators' data files (lexicons, merge-tag maps) from copilot/evaluators/data/."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from copilot.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


@cache
def read_yaml(name: str) -> Any:
    """Parse one data file (cached: the files ship with the package and do not change)."""
    path = resources.files("copilot.evaluators").joinpath("data", name)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"copilot/evaluators/data/{name}{where}: not valid YAML ({exc})"
        ) from None


def load_model(name: str, model: type[M]) -> M:
    """Validate a data file against its pydantic model; errors name the file and the field."""
    try:
        return model.model_validate(read_yaml(name))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise ConfigError(
            f"copilot/evaluators/data/{name}: field '{loc}': {first.get('msg', 'invalid')}"
        ) from None
