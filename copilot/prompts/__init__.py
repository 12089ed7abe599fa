"""Prompt templates are jinja2 files in this package (`copilot/prompts/`), rendered with StrictUndefined."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

PROMPTS_DIR = Path(__file__).resolve().parent
_FENCE = re.compile(r"={3,}|#{3,}")


def quoted(text: Any) -> str:
    """Neutralise quoted material: it cannot open or close a prompt section or an example block."""
    return _FENCE.sub(lambda m: "-" * len(m.group(0)), str(text))


@cache
def environment(directory: str = str(PROMPTS_DIR)) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain-text prompts, not HTML
        keep_trailing_newline=True,
    )
    env.filters["quoted"] = quoted
    return env


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>`; a missing variable raises instead of rendering blank."""
    return environment().get_template(name).render(**variables)
