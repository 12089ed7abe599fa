"""One typed loader for the YAML and JSON files the copilot reads: data files that ship with the
package (lexicons, merge-tag maps, patterns, playbooks, rules) and files users write (briefs,
A/B configs). Errors name the file, the line or the field, and never show a traceback."""

from __future__ import annotations

import codecs
import json
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
import yaml.reader
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
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other controls)
        line = text.count("\n", 0, exc.position) + 1
        raise error(
            f"{where} line {line}: not valid YAML (character U+{exc.character:04X} is not "
            "allowed; remove it or save the file again as plain text)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        there = " there" if mark is not None else ""
        raise error(
            f"{where}{at}: not valid YAML ({problem}); check the indentation, colons and "
            f"quotes{there}"
        ) from None
    except ValueError as exc:  # a value the parser matched but Python cannot build
        # (a date such as 2026-13-01, an integer of more than 4300 digits)
        raise error(
            f"{where}: a value cannot be read ({' '.join(str(exc).split())}); check dates "
            "(YYYY-MM-DD) and numbers, or put the value in quotes"
        ) from None
    except RecursionError:  # both parsers recurse once per level of brackets or indentation
        raise error(
            f"{where}: nested too deeply to read; check for unclosed or repeated brackets"
        ) from None


def read_data(
    path: Path,
    *,
    json_file: bool | None = None,
    error: type[CopilotError] = ConfigError,
    max_bytes: int | None = None,
) -> Any:
    """Read and parse one YAML or JSON file (JSON by its suffix unless `json_file` says);
    errors name the file, and are raised as `error` (a user file's own kind of error). A file
    over `max_bytes` is refused unread: it is not the small file the caller expects."""
    where = shown(path)
    limit = float("inf") if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        data = path.read_bytes() if size <= limit else None
    except OSError as exc:
        raise error(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if data is None:
        raise error(
            f"{where}: the file is {size / 1e6:.1f} MB, more than the {limit / 1e6:g} MB "
            "such a file can be; check that the path names the right file"
        )
    text = decode_text(data, where, error)
    if json_file is None:
        json_file = path.suffix.lower() == ".json"
    return parse_text(text, where, json_file=json_file, error=error)


def decode_text(data: bytes, where: str, error: type[CopilotError] = ConfigError) -> str:
    """A file's bytes as UTF-8 text (a leading byte-order mark dropped); binary or otherwise
    encoded bytes are an error naming the file, the offending byte and the fix."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise error(f"{where}: the file is saved as UTF-16; save it as UTF-8 text")
    if b"\x00" in data[:4096]:
        raise error(
            f"{where}: this is a binary file (it contains NUL bytes), not YAML or JSON text; "
            "pass the YAML or JSON file itself, saved as UTF-8 text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"{where} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start}); save the file as UTF-8"
        ) from None


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
