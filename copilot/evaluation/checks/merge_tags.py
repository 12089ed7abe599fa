"""The `merge_tags` check: every tag valid for the brief's platform, with a fallback where the
platform needs one (the syntax library is copilot/platforms/tags.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from copilot.evaluation.base import register
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import (
    HEADER_FIELDS,
    canonical_field,
    compiled_syntax,
    find_tags,
    placeholder_patterns,
    platform_syntax,
    platforms,
    render_tag,
)
from copilot.settings import Settings
from copilot.text import copy_fields, drop_scripts, quote
from copilot.variants import CheckResult, Variant

# --- the check -----------------------------------------------------------------------------


@dataclass
class _Findings:
    fails: list[str]
    warns: list[str]


def _remove_valid(text: str, platform: str) -> str:
    comp = compiled_syntax(platform)
    spans = [(t.start, t.end) for t in find_tags(text, platform)]
    if comp.control is not None:
        spans += [(m.start(), m.end()) for m in comp.control.finditer(text)]
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(" ")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def check_text(text: str, where: str, platform: str, personalization: Sequence[str]) -> _Findings:
    """Problems with the merge tags in one field of copy."""
    found = _Findings([], [])
    allowed = {canonical_field(f) for f in personalization}
    listed = ", ".join(sorted(allowed)) or "no fields"
    scan = drop_scripts(text) if where == "body" else text
    comp = compiled_syntax(platform)
    syntax = platform_syntax(platform)
    for tag in find_tags(scan, platform):
        if tag.system:
            if where in HEADER_FIELDS:
                found.fails.append(f"{where}: system tag {quote(tag.raw)} does not belong here")
            continue
        if ":" in tag.name:
            found.fails.append(
                f"{where}: {quote(tag.raw)} is not valid {platform} syntax "
                f"({platform} has no inline default; see the merge_tags docs)"
            )
            continue
        if tag.field not in allowed:
            found.fails.append(
                f"{where}: {quote(tag.raw)} uses field {tag.field}, but the brief's "
                f"personalization lists {listed}"
            )
            continue
        if tag.fallback is None and not tag.guarded:
            example = render_tag(tag.field, "there", False, platform)
            if syntax.inline_fallback:
                found.fails.append(
                    f"{where}: {quote(tag.raw)} has no fallback for contacts without a value; "
                    f"write {example}"
                )
            else:
                found.warns.append(
                    f"{where}: {quote(tag.raw)} relies on the audience's default value for "
                    f"{tag.name}; set one in the audience fields or write {example}"
                )
    rest = _remove_valid(scan, platform)
    for other in platforms():
        if other == platform:
            continue
        for tag in find_tags(rest, other):
            found.fails.append(
                f"{where}: {quote(tag.raw)} is {other} syntax, but the brief's platform is "
                f"{platform}"
            )
        rest = _remove_valid(rest, other)
    for pattern in placeholder_patterns():
        for m in pattern.finditer(rest):
            found.fails.append(f"{where}: unrendered placeholder {quote(m.group(0))}")
        rest = pattern.sub(" ", rest)
    for m in comp.stray.finditer(rest):
        around = rest[max(0, m.start() - 15) : m.end() + 15]
        found.fails.append(f"{where}: malformed {platform} tag near {quote(around)}")
        break
    return found


class MergeTagsCheck:
    """Valid tags for the brief's platform, only listed fields, fallbacks, no placeholders."""

    name = "merge_tags"
    hard = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant."""
        results = []
        for variant in variants:
            fails: list[str] = []
            warns: list[str] = []
            for where, text in copy_fields(variant):
                found = check_text(text, where, brief.platform, brief.personalization)
                fails += found.fails
                warns += found.warns
            results.append(_result(self.name, fails, warns))
        return results


def _result(name: str, fails: list[str], warns: list[str]) -> CheckResult:
    if fails:
        return CheckResult(name=name, status="fail", score=0.0, message="; ".join(fails + warns))
    if warns:
        return CheckResult(name=name, status="warn", score=0.7, message="; ".join(warns))
    return CheckResult(name=name, status="pass", score=1.0, message="merge tags are valid")


@register("merge_tags")
def _factory(settings: Settings) -> Any:
    return MergeTagsCheck(settings)
