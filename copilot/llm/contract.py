"""Read a chat model's JSON answer against a pydantic contract, with errors fit for a repair turn."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def _json_text(text: str, error: type[ValueError]) -> str:
    """The JSON in a model's answer: the whole answer, or the outermost {...} inside prose."""
    stripped = text.strip()
    if stripped[:1] in "[{":
        return stripped
    start, end = stripped.find("{"), stripped.rfind("}")
    if start < 0 or end <= start:
        raise error("no JSON object in the output")
    return stripped[start : end + 1]


def parse_contract(
    text: str, contract: type[M], error: type[ValueError], list_key: str | None = None
) -> M:
    """`text` validated as `contract`; with `list_key`, a bare JSON array is read as
    {list_key: array}.

    Raises `error` with a short reason (empty, not JSON, or where the contract is broken), which
    callers show to the model in their repair turn.
    """
    if not text.strip():
        raise error("empty output")
    try:
        # strict=False: a raw newline or tab inside a string is harmless (lines are cleaned)
        data = json.loads(_json_text(text, error), strict=False)
    except json.JSONDecodeError as exc:
        raise error(f"invalid JSON ({exc.msg} at char {exc.pos})") from None
    if list_key is not None and isinstance(data, list):
        data = {list_key: data}
    try:
        return contract.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise error(f"JSON does not match the contract at {where}: {first['msg']}") from None
