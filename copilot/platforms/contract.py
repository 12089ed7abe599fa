"""The vendors' OpenAPI specs as a contract: every request body we build is validated against them."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from copilot.platforms.errors import ContractError
from copilot.settings import get_settings

#: spec file names kept from the vendors' own; any other platform's is <name>-openapi.json/.yaml
SPEC_FILES = {
    "mailchimp": "mailchimp-marketing-openapi.json",
    "brevo": "brevo-openapi.yaml",
}
_METHODS = ("get", "put", "post", "patch", "delete")


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parser when available


class _SpecLoader(_Base):
    """YAML 1.2 numbers (Brevo writes `maximum: 5E+1`), and dates left as strings."""


# PyYAML follows YAML 1.1, where "5E+1" (no dot) is a string; JSON Schema needs the number.
_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def default_specs_dir() -> Path:
    """COPILOT_SPECS_DIR if set, else the specs shipped in the package (copilot/platforms/specs/, vendored copies)."""
    configured = get_settings().specs_dir
    return configured if configured is not None else Path(__file__).resolve().parent / "specs"


def read_spec_file(path: Path) -> dict[str, Any]:
    """Parse a JSON or YAML OpenAPI document (YAML with 1.2 number rules)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        data = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict) or "paths" not in data:
        raise ContractError(f"{path}: not an OpenAPI document (no 'paths')")
    return data


@cache
def load_spec(platform: str, specs_dir: Path | None = None) -> dict[str, Any]:
    """The vendor's OpenAPI document, read once per process."""
    folder = specs_dir or default_specs_dir()
    name = SPEC_FILES.get(platform)
    if name is None:
        found = [f"{platform}-openapi{s}" for s in (".json", ".yaml")]
        name = next((n for n in found if (folder / n).is_file()), None)
        if name is None:
            raise ContractError(f"no API spec for platform {platform!r}")
    path = folder / name
    if not path.is_file():
        raise ContractError(
            f"API spec missing: {path}; copilot/platforms/specs/ holds the vendored "
            "copies (or set COPILOT_SPECS_DIR)"
        )
    return read_spec_file(path)


def _operation(platform: str, method: str, template: str, specs_dir: Path | None) -> dict:
    spec = load_spec(platform, specs_dir)
    try:
        return spec["paths"][template][method.lower()]
    except KeyError:
        raise ContractError(f"{platform} API has no {method.upper()} {template}") from None


@cache
def _validator(platform: str, schema_json: str, specs_dir: Path | None) -> OAS30Validator:
    spec = load_spec(platform, specs_dir)
    schema = json.loads(schema_json)
    # Resolve "#/components/..." refs against the spec by carrying its components at the root.
    root = {**schema, "components": spec.get("components", {})}
    return OAS30Validator(root, format_checker=oas30_format_checker)


def _describe(err: Any) -> str:
    where = "/".join(str(p) for p in err.absolute_path) or "(body)"
    return f"{where}: {err.message}"


def body_problems(
    platform: str, method: str, template: str, body: Any, specs_dir: Path | None = None
) -> list[str]:
    """Every way `body` breaks the request-body schema of METHOD template (empty = valid)."""
    op = _operation(platform, method, template, specs_dir)
    rb = op.get("requestBody")
    if rb is None:
        return [] if body is None else [f"{method.upper()} {template} takes no request body"]
    if body is None:
        return ["request body is required"] if rb.get("required") else []
    schema = rb["content"]["application/json"]["schema"]
    validator = _validator(platform, json.dumps(schema, sort_keys=True), specs_dir)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    return [_describe(e) for e in errors]


def validate_body(
    platform: str, method: str, template: str, body: Any, specs_dir: Path | None = None
) -> None:
    """Raise ContractError naming each field that breaks the vendor's spec."""
    problems = body_problems(platform, method, template, body, specs_dir)
    if problems:
        raise ContractError(
            f"{platform} {method.upper()} {template}: the request body breaks the vendor's "
            f"API spec: {'; '.join(problems)}"
        )


@cache
def _path_patterns(platform: str, specs_dir: Path | None) -> list[tuple[re.Pattern[str], str]]:
    spec = load_spec(platform, specs_dir)
    out = []
    for template in spec["paths"]:
        rx = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        out.append((re.compile(f"^{rx}$"), template))
    # literal segments beat parameters (e.g. /emailCampaigns/images vs /{campaignId})
    out.sort(key=lambda p: p[1].count("{"))
    return out


def match_path(
    platform: str, path: str, specs_dir: Path | None = None
) -> tuple[str, dict[str, str]] | None:
    """The spec's path template for a concrete path, with the path parameters."""
    for rx, template in _path_patterns(platform, specs_dir):
        m = rx.match(path)
        if m:
            return template, m.groupdict()
    return None


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    if kind == "array":
        return value.split(",")
    return value


def parameter_problems(
    platform: str,
    method: str,
    template: str,
    path_params: dict[str, str],
    query: dict[str, str],
    specs_dir: Path | None = None,
) -> list[str]:
    """Path and query parameters that are unknown, missing or break their schema."""
    spec = load_spec(platform, specs_dir)
    op = _operation(platform, method, template, specs_dir)
    params = list(spec["paths"][template].get("parameters", [])) + list(op.get("parameters", []))
    resolved = []
    for p in params:
        if "$ref" in p:
            p = spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]
        resolved.append(p)
    known = {(p["in"], p["name"]): p for p in resolved}
    problems = []
    for where, values in (("path", path_params), ("query", query)):
        for name, raw in values.items():
            p = known.get((where, name))
            if p is None:
                problems.append(f"unknown {where} parameter '{name}'")
                continue
            schema = p.get("schema", {})
            validator = OAS30Validator(schema, format_checker=oas30_format_checker)
            problems += [
                f"{where} parameter '{name}': {e.message}"
                for e in validator.iter_errors(_coerce(raw, schema))
            ]
    for (where, name), p in known.items():
        if p.get("required") and where == "query" and name not in query:
            problems.append(f"query parameter '{name}' is required")
    return problems
