"""Merge tags: parse, render and translate them per platform (the neutral syntax library).

Copy is written with platform-neutral tags and rendered for the brief's platform at the end:
``{{FNAME}}`` (no fallback), ``{{FNAME|there}}`` (shows "there" when the contact has no first
name) and system tags such as ``{{UNSUBSCRIBE}}``. ``render_tags`` turns these into Mailchimp
(``*|FNAME|*``, ``*|IF:FNAME|**|FNAME|**|ELSE:|*there*|END:IF|*``) or Brevo
(``{{ contact.FIRSTNAME | default:'there' }}``) syntax; ``translate_tags`` converts between any
two of "neutral", "mailchimp" and "brevo". The neutral syntax lives in data/merge_tags.yaml, each
platform's in its vendor folder (mailchimp/tags.yaml, brevo/tags.yaml).

The check that reads them is copilot/evaluation/checks/merge_tags.py.

Fallback policy of the check: Brevo has an inline ``default`` filter, so a Brevo field without
one (and outside an ``{% if contact.X %}`` block) fails. Mailchimp has no inline default; its
fallback is the audience field's "default merge tag value", which the copilot cannot see, so a bare
``*|FNAME|*`` warns (set the default, or guard it with ``*|IF:FNAME|*``) and a guarded one passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, Field

from copilot.errors import CopilotError
from copilot.io.loader import load_model
from copilot.text import quote

DATA = Path(__file__).resolve().parent / "data"
#: each vendor folder's merge-tag data: <vendor>/tags.yaml, found by globbing (no vendor import)
VENDOR_TAGS = "*/tags.yaml"

NEUTRAL = "neutral"
#: fields where system tags (unsubscribe, address) do not belong and fallbacks matter most
HEADER_FIELDS = ("subject", "preheader")


class MergeTagError(CopilotError):
    """Copy uses a merge tag that cannot be rendered for the platform or is not allowed."""


class Render(BaseModel):
    field: str
    field_with_fallback: str
    #: for a fallback holding a single quote, when the syntax quotes fallbacks with it
    field_with_quoted_fallback: str | None = None
    system: str


class NeutralSyntax(BaseModel):
    tag: str
    render: Render


class PlatformSyntax(BaseModel):
    tag: str
    block: str | None = None
    control: str | None = None
    stray: str
    inline_fallback: bool
    fallback_filter: str | None = None
    render: Render
    system: list[str] = Field(default_factory=list)
    unsubscribe: list[str] = Field(default_factory=list)
    address: list[str] = Field(default_factory=list)


class NameEntry(BaseModel):
    """A neutral name, its aliases and its name on each platform (extra keys)."""

    model_config = ConfigDict(extra="allow")
    aliases: list[str] = Field(default_factory=list)

    def on(self, platform: str) -> str | None:
        value = (self.model_extra or {}).get(platform)
        return str(value) if value is not None else None


class MergeTagMap(BaseModel):
    neutral: NeutralSyntax
    fields: dict[str, NameEntry]
    system: dict[str, NameEntry]
    platforms: dict[str, PlatformSyntax]
    placeholders: list[str]


class NeutralTags(BaseModel):
    """data/merge_tags.yaml: the neutral syntax, the neutral names with aliases, placeholders."""

    neutral: NeutralSyntax
    fields: dict[str, NameEntry]
    system: dict[str, NameEntry]
    placeholders: list[str]


class VendorTags(BaseModel):
    """A vendor folder's tags.yaml: its syntax and its name for each neutral tag."""

    syntax: PlatformSyntax
    fields: dict[str, str] = Field(default_factory=dict)
    system: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Tag:
    """One merge tag found in copy."""

    raw: str
    start: int
    end: int
    name: str  # the name as written, e.g. FIRSTNAME
    field: str  # neutral name, e.g. FNAME
    system: bool
    fallback: str | None
    guarded: bool


@dataclass(frozen=True)
class _Compiled:
    tag: re.Pattern[str]
    block: re.Pattern[str] | None
    control: re.Pattern[str] | None
    stray: re.Pattern[str]
    fallback_filter: re.Pattern[str] | None


def _named(
    table: dict[str, NameEntry], vendors: dict[str, VendorTags], kind: str
) -> dict[str, NameEntry]:
    """Neutral entries with each vendor's name added under the vendor's key."""
    for vendor, tags in vendors.items():
        unknown = sorted(set(getattr(tags, kind)) - set(table))
        if unknown:
            raise MergeTagError(
                f"copilot/platforms/{vendor}/tags.yaml: {kind} {', '.join(unknown)} not in "
                f"data/merge_tags.yaml; add the neutral name there first"
            )
    return {
        neutral: NameEntry.model_validate(
            {
                "aliases": entry.aliases,
                **{
                    v: getattr(t, kind)[neutral]
                    for v, t in vendors.items()
                    if neutral in getattr(t, kind)
                },
            }
        )
        for neutral, entry in table.items()
    }


@cache
def tag_map() -> MergeTagMap:
    """The merge-tag map: data/merge_tags.yaml plus every vendor folder's tags.yaml (loaded once)."""
    base = load_model(DATA / "merge_tags.yaml", NeutralTags)
    vendors = {
        path.parent.name: load_model(path, VendorTags)
        for path in sorted(DATA.parent.glob(VENDOR_TAGS))
    }
    return MergeTagMap(
        neutral=base.neutral,
        fields=_named(base.fields, vendors, "fields"),
        system=_named(base.system, vendors, "system"),
        platforms={vendor: tags.syntax for vendor, tags in vendors.items()},
        placeholders=base.placeholders,
    )


def platforms() -> list[str]:
    """Sending platforms with a merge-tag syntax."""
    return sorted(tag_map().platforms)


@cache
def compiled_syntax(platform: str) -> _Compiled:
    m = tag_map()
    if platform == NEUTRAL:
        return _Compiled(re.compile(m.neutral.tag), None, None, re.compile(r"(?!x)x"), None)
    syn = platform_syntax(platform)
    return _Compiled(
        tag=re.compile(syn.tag),
        block=re.compile(syn.block, re.S) if syn.block else None,
        control=re.compile(syn.control) if syn.control else None,
        stray=re.compile(syn.stray),
        fallback_filter=re.compile(syn.fallback_filter) if syn.fallback_filter else None,
    )


@cache
def placeholder_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in tag_map().placeholders)


def platform_syntax(platform: str) -> PlatformSyntax:
    try:
        return tag_map().platforms[platform]
    except KeyError:
        known = ", ".join([NEUTRAL, *platforms()])
        raise MergeTagError(f"unknown platform {platform!r}; use one of {known}") from None


@cache
def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    """Any spelling (neutral, alias, platform name) -> neutral name, for fields and system tags."""
    m = tag_map()
    fields: dict[str, str] = {}
    system: dict[str, str] = {}
    for table, out in ((m.fields, fields), (m.system, system)):
        for neutral, entry in table.items():
            names = [neutral, *entry.aliases, *((entry.model_extra or {}).values())]
            for name in names:
                out.setdefault(str(name).upper(), neutral)
    return fields, system


def canonical_field(name: str) -> str:
    """The neutral name of a contact field in any spelling (unknown names: upper-cased)."""
    key = name.strip().strip("*|{}[] ").upper()
    return _lookup()[0].get(key, key)


def _system_name(name: str, platform: str) -> str | None:
    """Neutral name of a system tag, or None when `name` is a contact field."""
    upper = name.upper()
    if platform in tag_map().platforms:
        own = [s.upper() for s in platform_syntax(platform).system]
        if upper in own or upper.split(":", 1)[0] in own:
            return _lookup()[1].get(upper, upper)
    neutral = _lookup()[1].get(upper)
    if neutral is not None and platform == NEUTRAL:
        return neutral
    return None


def _fallback_of(match: re.Match[str], comp: _Compiled) -> str | None:
    groups = match.groupdict()
    if groups.get("fallback") is not None:
        return groups["fallback"]
    filters = groups.get("filters")
    if filters and comp.fallback_filter is not None:
        fm = comp.fallback_filter.search(filters)
        if fm:
            return next(v for v in fm.groupdict().values() if v is not None)
    return None


def _blocks(text: str, platform: str) -> list[tuple[int, int, str, re.Match[str]]]:
    comp = compiled_syntax(platform)
    if comp.block is None:
        return []
    return [
        (m.start(), m.end(), canonical_field(m.group("cond")), m) for m in comp.block.finditer(text)
    ]


def find_tags(text: str, platform: str) -> list[Tag]:
    """Every valid tag of `platform` in `text` (conditional-block markers are not tags)."""
    comp = compiled_syntax(platform)
    blocks = _blocks(text, platform)
    tags: list[Tag] = []
    for m in comp.tag.finditer(text):
        if comp.control is not None and comp.control.fullmatch(m.group(0)):
            continue
        groups = m.groupdict()
        written = groups.get("name") or groups.get("system") or ""
        if groups.get("system") is not None:
            system: str | None = _lookup()[1].get(written.upper(), written.upper())
        else:
            system = _system_name(written, platform)
        field = system if system is not None else canonical_field(written)
        guarded = any(s <= m.start() and m.end() <= e and cond == field for s, e, cond, _ in blocks)
        tags.append(
            Tag(
                raw=m.group(0),
                start=m.start(),
                end=m.end(),
                name=written,
                field=field,
                system=system is not None,
                fallback=_fallback_of(m, comp),
                guarded=guarded,
            )
        )
    return tags


def render_tag(field: str, fallback: str | None, system: bool, platform: str) -> str:
    m = tag_map()
    if platform == NEUTRAL:
        render = m.neutral.render
        name = field
    else:
        render = platform_syntax(platform).render
        table = m.system if system else m.fields
        entry = table.get(field)
        name_on = entry.on(platform) if entry is not None else None
        if system and name_on is None:
            raise MergeTagError(
                f"{platform} has no tag for {field}; remove {{{{{field}}}}} or write it out"
            )
        name = name_on or field
    if system:
        return Template(render.system).substitute(name=name)
    if fallback:
        tmpl = render.field_with_fallback
        if "'" in fallback and render.field_with_quoted_fallback:
            # the fallback is single-quoted in the template; switch quotes, not escape
            tmpl = render.field_with_quoted_fallback
        return Template(tmpl).substitute(name=name, fallback=fallback)
    return Template(render.field).substitute(name=name)


def _neutral_tags(text: str) -> list[tuple[re.Match[str], str, bool]]:
    out = []
    for m in compiled_syntax(NEUTRAL).tag.finditer(text):
        name = m.group("name")
        system = _lookup()[1].get(name.upper())
        out.append((m, system or canonical_field(name), system is not None))
    return out


def render_tags(text: str, platform: str, fields: Sequence[str] | None = None) -> str:
    """Render neutral tags ({{FNAME}}, {{FNAME|there}}, {{UNSUBSCRIBE}}) in `platform` syntax.

    `fields` are the contact fields the copy may use (a brief's `personalization`); a tag for any
    other field raises MergeTagError. None allows every field.
    """
    allowed = {canonical_field(f) for f in fields} if fields is not None else None
    pieces: list[str] = []
    pos = 0
    for m, field, system in _neutral_tags(text):
        if not system and allowed is not None and field not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise MergeTagError(
                f"merge tag {m.group(0)} uses field {field}, which the brief's personalization "
                f"does not list (listed: {listed}); add it to personalization or remove the tag"
            )
        fallback = m.group("fallback")
        pieces.append(text[pos : m.start()])
        pieces.append(render_tag(field, fallback.strip() if fallback else None, system, platform))
        pos = m.end()
    pieces.append(text[pos:])
    return "".join(pieces)


def to_neutral(text: str, platform: str) -> str:
    """Rewrite `platform` tags as neutral ones; fallbacks are kept, other conditionals refused."""
    if platform == NEUTRAL:
        return text
    comp = compiled_syntax(platform)
    # a block whose body is exactly the guarded field becomes one neutral tag with a fallback
    out: list[str] = []
    pos = 0
    for start, end, cond, m in _blocks(text, platform):
        body_tags = [t for t in find_tags(m.group("body"), platform) if not t.system]
        if len(body_tags) != 1 or body_tags[0].raw != m.group("body") or body_tags[0].field != cond:
            raise MergeTagError(
                f"conditional block {quote(m.group(0))} cannot be translated; "
                "write it as one tag with a fallback, e.g. {{FNAME|there}}"
            )
        fallback = m.group("fallback") or ""
        out.append(text[pos:start])
        out.append(render_tag(cond, fallback or None, False, NEUTRAL))
        pos = end
    out.append(text[pos:])
    text = "".join(out)
    pieces: list[str] = []
    pos = 0
    for tag in find_tags(text, platform):
        pieces.append(text[pos : tag.start])
        pieces.append(render_tag(tag.field, tag.fallback, tag.system, NEUTRAL))
        pos = tag.end
    pieces.append(text[pos:])
    result = "".join(pieces)
    if comp.control is not None and comp.control.search(result):
        raise MergeTagError(
            f"{platform} conditional markers left in {quote(result)}; translate simple tags only"
        )
    return result


def translate_tags(text: str, from_platform: str, to_platform: str) -> str:
    """Convert merge tags between platforms ("neutral", "mailchimp", "brevo")."""
    return render_tags(to_neutral(text, from_platform), to_platform)


def strip_tags(text: str, replace: Callable[[Tag], str] = lambda tag: " ") -> str:
    """Text with every merge tag of any known syntax replaced (default: a space).

    Conditional blocks keep their first branch; placeholders such as [NAME] are removed too.
    Other checks use this so tag names are not read as words, numbers or ALL-CAPS shouting.
    """
    for platform in (*platforms(), NEUTRAL):
        comp = compiled_syntax(platform)
        if comp.block is not None:
            text = comp.block.sub(lambda m: m.group("body"), text)
        tags = find_tags(text, platform)
        if comp.control is not None:
            text = comp.control.sub("", text)
            tags = find_tags(text, platform)
        pieces: list[str] = []
        pos = 0
        for tag in tags:
            pieces.append(text[pos : tag.start])
            pieces.append(replace(tag))
            pos = tag.end
        pieces.append(text[pos:])
        text = "".join(pieces)
    for pattern in placeholder_patterns():
        text = pattern.sub(" ", text)
    return text


def display_text(text: str, sample: str = "Alex") -> str:
    """Text as an inbox would show it: fields become their fallback or a sample value."""

    def shown(tag: Tag) -> str:
        if tag.system:
            return ""
        return tag.fallback if tag.fallback else sample

    return " ".join(strip_tags(text, shown).split())
