"""The `spam` check: trigger lexicon, ALL-CAPS, !!!/$$$ runs, emoji and the brand's own don'ts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from copilot.evaluation.base import register
from copilot.io.brief import Brief
from copilot.io.loader import load_model
from copilot.knowledge.brand import VoiceGuide
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import strip_tags
from copilot.settings import Settings
from copilot.text import copy_fields, html_to_text, normalise_quotes, quote
from copilot.variants import CheckResult, Variant

DATA = Path(__file__).resolve().parent / "data"

WARN_SCORE = 0.6

_EMOJI_BASE = (
    "\U0001f000-\U0001f2ff\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
    "\u231a\u231b\u23e9-\u23fa\u24c2\u3030\u303d\u3297\u3299"
)
_EMOJI = re.compile(
    f"[{_EMOJI_BASE}][\ufe0f\U0001f3fb-\U0001f3ff]*(?:\u200d[{_EMOJI_BASE}][\ufe0f]*)*"
)
_CAPS_WORD = re.compile(r"(?<![\w-])[A-Z][A-Z'’-]*[A-Z](?![\w-])")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a single": 1, "single": 1}
_LIMIT = re.compile(
    r"(?i)(?:more than|at most|max(?:imum)?(?: of)?|up to|only|no more than)\s+"
    r"(\d+|one|two|three|four|five|a single)"
)
_SCOPES = {"subject": "subject", "preheader": "preheader", "preview": "preheader"}


class RunRule(BaseModel):
    warn_at: int = Field(ge=2)
    fail_at: int = Field(ge=2)


class Thresholds(BaseModel):
    warn: float = Field(gt=0)
    fail: float = Field(gt=0)


class EmojiRule(BaseModel):
    warn_above: int = Field(ge=0)
    fail_above: int = Field(ge=0)


class SpamLexicon(BaseModel):
    thresholds: Thresholds
    caps_word_weight: float = Field(ge=0)
    caps_min_length: int = Field(ge=2)
    caps_short_words: list[str] = Field(default_factory=list)
    caps_allowed: list[str] = Field(default_factory=list)
    runs: dict[str, RunRule]
    emoji: EmojiRule
    triggers: dict[str, float]
    brand_rules: dict[str, str]


@cache
def lexicon() -> SpamLexicon:
    """The spam lexicon from data/spam_lexicon.yaml (loaded once)."""
    return load_model(DATA / "spam_lexicon.yaml", SpamLexicon)


def phrase_pattern(phrases: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation, longest phrase first, on word-ish boundaries."""
    cleaned = sorted({normalise_quotes(p).strip().lower() for p in phrases if p.strip()}, key=len)
    if not cleaned:
        return None
    body = "|".join(re.escape(p) for p in reversed(cleaned))
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.I)


@cache
def _triggers() -> dict[str, float]:
    return {normalise_quotes(k).strip().lower(): v for k, v in lexicon().triggers.items()}


@cache
def _trigger_pattern() -> re.Pattern[str] | None:
    return phrase_pattern(list(_triggers()))


def count_emoji(text: str) -> int:
    """Emoji in text; a ZWJ sequence or a skin-tone variant counts once."""
    return len(_EMOJI.findall(text))


# --- the brand's don'ts --------------------------------------------------------------------


@dataclass
class Limit:
    """At most `limit` occurrences in `scope` (a field name, or "total" for the whole email)."""

    scope: str
    limit: int
    rule: str


@dataclass
class BrandRules:
    """What a brand's don't bullets forbid, read once per context."""

    phrases: dict[str, str] = field(default_factory=dict)  # phrase -> the don't it came from
    caps_rule: str | None = None
    caps_allowed: set[str] = field(default_factory=set)
    exclamation: list[Limit] = field(default_factory=list)
    emoji: list[Limit] = field(default_factory=list)

    def pattern(self) -> re.Pattern[str] | None:
        return phrase_pattern(list(self.phrases))


_QUOTED = re.compile(r'"([^"]{1,60})"|“([^”]{1,60})”|(?<![\w])\'([^\']{1,60})\'(?![\w])')


def _quoted_phrases(bullet: str) -> list[str]:
    text = bullet.strip()
    # the voice parser strips a bullet's outer quotes; put them back when they no longer pair
    if text.count('"') % 2 == 1:
        text = f'"{text}"' if not text.startswith('"') else f'{text}"'
    # quotes after the first ';' are usually the alternative to use ("say X instead")
    head = re.split(r";|\s[—–]\s|\binstead\b", text, maxsplit=1)[0]
    found = [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(head)]
    if (
        not found
        and len(text.split()) <= 3
        and not re.match(r"(?i)(don'?t|never|avoid|no)\b", text)
    ):
        found = [text.strip(" .")]  # a bare short bullet is itself the banned word
    return [normalise_quotes(p).strip() for p in found if p.strip()]


def _limits(bullet: str, about: str, patterns: dict[str, re.Pattern[str]]) -> list[Limit]:
    """Limits a don't bullet sets on the rule `about` (exclamation marks, emoji).

    A clause about another rule is skipped: in "No ALL CAPS and no more than one exclamation
    mark", the "No" of the caps clause is not an exclamation limit. Clauses naming no rule
    ("... and at most one in the preheader") still count.
    """
    out = []
    for clause in re.split(r"[;,]|\band\b", bullet):
        other = any(p.search(clause) for k, p in patterns.items() if k != about)
        if other and not patterns[about].search(clause):
            continue
        lowered = clause.lower()
        scope = next((v for k, v in _SCOPES.items() if k in lowered), "total")
        m = _LIMIT.search(clause)
        if m:
            raw = m.group(1).lower()
            limit = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 0)
        elif re.search(r"(?i)\b(no|none|never|don'?t|avoid|not)\b", clause):
            limit = 0
        else:
            continue
        out.append(Limit(scope=scope, limit=limit, rule=bullet))
    return out


def brand_rules(voice: VoiceGuide) -> BrandRules:
    """Phrases and rules from the brand's don'ts (quoted words, ALL CAPS, !, emoji limits)."""
    rules = BrandRules()
    patterns = {k: re.compile(v) for k, v in lexicon().brand_rules.items()}
    for bullet in voice.donts:
        text = normalise_quotes(bullet)
        for phrase in _quoted_phrases(text):
            rules.phrases.setdefault(phrase.lower(), bullet)
        if patterns["caps"].search(text):
            rules.caps_rule = bullet
            rules.caps_allowed |= set(re.findall(r"\b[A-Z][A-Z0-9]+\b", text))
        if patterns["exclamation"].search(text):
            rules.exclamation += _limits(text, "exclamation", patterns)
        if patterns["emoji"].search(text):
            rules.emoji += _limits(text, "emoji", patterns)
    return rules


def _over_limits(limits: list[Limit], counts: dict[str, int], what: str) -> list[str]:
    out = []
    for lim in limits:
        n = sum(counts.values()) if lim.scope == "total" else counts.get(lim.scope, 0)
        if n > lim.limit:
            where = "the email" if lim.scope == "total" else f"the {lim.scope}"
            out.append(f"{where} has {n} {what} (brand rule: {quote(lim.rule, 90)})")
    return out


# --- the check -----------------------------------------------------------------------------


class SpamCheck:
    """Weighted trigger words, shouting, punctuation runs, emoji and the brand's banned words."""

    name = "spam"
    hard = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant."""
        rules = brand_rules(context.brand.voice)
        brand_pattern = rules.pattern()
        return [self._one(v, rules, brand_pattern) for v in variants]

    def _one(
        self, variant: Variant, rules: BrandRules, brand_pattern: re.Pattern[str] | None
    ) -> CheckResult:
        lex = lexicon()
        fields = []
        for where, raw in copy_fields(variant):
            visible = html_to_text(raw) if where == "body" else raw
            fields.append((where, normalise_quotes(strip_tags(visible))))
        fails: list[str] = []
        warns: list[str] = []
        weight = 0.0
        hits: list[str] = []
        pattern = _trigger_pattern()
        allowed_caps = {w.upper() for w in lex.caps_allowed} | rules.caps_allowed
        short_words = {w.upper() for w in lex.caps_short_words}
        for where, text in fields:
            if pattern is not None:
                for m in pattern.finditer(text):
                    w = _triggers()[m.group(0).lower()]
                    weight += w
                    hits.append(f"{where} {quote(m.group(0))} ({w:g})")
            caps = list(_CAPS_WORD.finditer(text))
            for k, m in enumerate(caps):
                word = m.group(0)
                letters = re.sub(r"[^A-Z]", "", word)
                # short caps words are acronyms, unless they shout in a row ("ACT NOW")
                in_run = any(
                    0 <= k + d < len(caps)
                    and not text[
                        min(m.end(), caps[k + d].end()) : max(m.start(), caps[k + d].start())
                    ].strip(" ,:-")
                    for d in (-1, 1)
                )
                short = len(letters) < lex.caps_min_length and word not in short_words
                if word.upper() in allowed_caps or (short and not in_run):
                    continue
                weight += lex.caps_word_weight
                hits.append(f"{where} ALL-CAPS {quote(word)} ({lex.caps_word_weight:g})")
                if rules.caps_rule:
                    fails.append(
                        f"{where} {quote(word)} is in ALL CAPS (brand rule: "
                        f"{quote(rules.caps_rule, 90)})"
                    )
            for char, rule in lex.runs.items():
                for m in re.finditer(re.escape(char) + "{2,}", text):
                    n = len(m.group(0))
                    msg = f"{where} has a run of {n} {quote(char)}: {quote(m.group(0))}"
                    if n >= rule.fail_at:
                        fails.append(msg)
                    elif n >= rule.warn_at:
                        warns.append(msg)
            if brand_pattern is not None:
                for m in brand_pattern.finditer(text):
                    dont = rules.phrases[m.group(0).lower()]
                    fails.append(
                        f"{where} says {quote(m.group(0))}, which the brand's voice guide rules "
                        f"out ({quote(dont, 90)})"
                    )
        header_emoji = sum(count_emoji(t) for w, t in fields if w != "body")
        if header_emoji > lex.emoji.fail_above:
            fails.append(f"{header_emoji} emoji in subject and preheader")
        elif header_emoji > lex.emoji.warn_above:
            warns.append(f"{header_emoji} emoji in subject and preheader")
        emoji_counts = {w: count_emoji(t) for w, t in fields}
        bang_counts = {w: t.count("!") for w, t in fields}
        fails += _over_limits(rules.exclamation, bang_counts, "exclamation mark(s)")
        fails += _over_limits(rules.emoji, emoji_counts, "emoji")
        t = lex.thresholds
        summary = f"spam weight {weight:g} from " + ", ".join(hits) if hits else ""
        if weight >= t.fail:
            fails.insert(0, f"{summary} (fails at {t.fail:g})")
        elif weight >= t.warn:
            warns.insert(0, f"{summary} (warns at {t.warn:g})")
        if fails:
            return CheckResult(
                name=self.name, status="fail", score=0.0, message="; ".join(fails + warns)
            )
        if warns:
            return CheckResult(
                name=self.name, status="warn", score=WARN_SCORE, message="; ".join(warns)
            )
        score = max(0.75, 1.0 - weight / (2 * t.fail))
        message = f"no spam signals ({summary})" if hits else "no spam signals"
        return CheckResult(name=self.name, status="pass", score=round(score, 3), message=message)


@register("spam")
def _factory(settings: Settings) -> Any:
    return SpamCheck(settings)
