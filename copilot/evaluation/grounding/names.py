"""Names are claims: every company, brand, person, product, place or model year that copy names
must be named in the brief or the brand's files, for the `grounding` check.

A capitalised word reads as a name when it is capitalised where an ordinary word would not be
(inside a sentence that is not in Title Case), or when it is not an ordinary English word at all,
wherever it stands: "billed by Starbucks", "Kickstarter", "Amazon can't ...". Ordinary words are
the lower-case entries of Webster's Second International (public domain, via the `english-words`
package), with their inflections, plus the modern words listed in data/claims.yaml. Adjacent name
words, joined by connectors such as "&" or "of", make one name; it is grounded when each of its
words is a word of the brand's own text (brief, products.md, voice.md, past campaigns) or a
day, month, holiday, greeting or the preview's sample contact. A year written against a name
("2015 Ridgeline") is a model year: the brand's text must write that year with that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from english_words import get_english_words_set
from pydantic import BaseModel

from copilot.evaluation.grounding.vocabulary import vocab as claim_vocab
from copilot.io.brief import Brief
from copilot.io.loader import load_model
from copilot.knowledge.brand import BrandKB
from copilot.platforms.tags import strip_tags
from copilot.text import copy_fields, html_to_text, normalise_quotes
from copilot.variants import Variant

DATA = Path(__file__).resolve().parent / "data"


class NameVocab(BaseModel):
    ordinary: list[str]
    year_not_model_after: list[str]
    title_case_minor: list[str]
    not_names: list[str]
    sample_contacts: list[str]
    connectors: list[str]
    title_case_share: float


class _ClaimsFile(BaseModel):
    names: NameVocab


@cache
def name_vocab() -> NameVocab:
    """The `names` section of data/claims.yaml (loaded once)."""
    return load_model(DATA / "claims.yaml", _ClaimsFile).names


@cache
def _dictionary() -> frozenset[str]:
    # web2 writes proper nouns capitalised, so its lower-case entries are the ordinary words
    words = get_english_words_set(["web2"], lower=False)
    extra = {w.lower() for w in name_vocab().ordinary}
    return frozenset(w for w in words if w.islower()) | extra


@cache
def _not_names() -> frozenset[str]:
    v = claim_vocab()
    days = {n for names in v.weekdays.values() for n in names}
    months = {n for names in v.months.values() for n in names}
    words = {w.lower() for w in name_vocab().not_names + name_vocab().sample_contacts}
    return frozenset(words | days | months | {"weekend"})


# words with a digit ("STEEP15") are codes or units, which the claim extractor (extract.py) checks
_TOKEN = re.compile(
    r"(?P<year>(?<![\w.$£€])(?:19|20)\d{2}(?![\w%]))|(?P<word>[^\W\d_][^\W\d]*(?:['-][^\W\d_]+)*'?)"
    r"(?![\w])|(?P<code>\w+)"
)
_WEAK_BEFORE = re.compile(r"[.!?:;\n\"(\[|•*—–]|\s-\s")
_POSSESSIVE = re.compile(r"'s$|'$")
_INNER_CAPITAL = re.compile(r"^[a-z]{1,2}[A-Z]")


@cache
def _year_not_model() -> re.Pattern[str]:
    words = _alt_words(name_vocab().year_not_model_after)
    return re.compile(rf"(?:^|[\s(])(?:{words})\s*$", re.I)


def _alt_words(items: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


@cache
def _fixed_phrases() -> re.Pattern[str]:
    # "New Year", "Black Friday": several words that together name nothing to ground
    phrases = [p for p in name_vocab().not_names if " " in p]
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)


def _stems(word: str) -> list[str]:
    """The word and the forms an inflection may come from ("deals" -> "deal", "tried" -> "try")."""
    w = _POSSESSIVE.sub("", word.lower())
    out = [w]
    if "'" in w:
        out.append(w.split("'")[0])  # "don't", "we've"
    for suffix, repl in (
        ("ies", "y"),
        ("ied", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("d", ""),
        ("ing", ""),
        ("ing", "e"),
        ("er", ""),
        ("est", ""),
        ("ly", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 2:
            base = w[: len(w) - len(suffix)] + repl
            out.append(base)
            if len(base) > 2 and base[-1] == base[-2]:
                out.append(base[:-1])  # "running" -> "run"
    return out


def is_ordinary(word: str) -> bool:
    """Whether a word is an ordinary English word (in any capitalisation)."""
    dictionary = _dictionary()
    if any(s in dictionary for s in _stems(word)):
        return True
    parts = [p for p in re.split(r"-", word) if p]
    return len(parts) > 1 and all(any(s in dictionary for s in _stems(p)) for p in parts)


@dataclass(frozen=True)
class Name:
    """A name found in copy: its text, where it is, and a model year written against it."""

    text: str
    start: int
    end: int
    words: tuple[str, ...]
    year: str = ""


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int
    year: bool
    weak: bool  # capitalised anyway: first word of a sentence, a Title Case line, ALL CAPS


def _tokens(text: str) -> list[_Token]:
    found = [m for m in _TOKEN.finditer(text) if not m.group("code")]
    v = name_vocab()
    minor = {w.lower() for w in v.title_case_minor}
    # Title Case may leave short function words in lower case ("Back for the Hampers")
    major = [m.group() for m in found[1:] if m.group("word") and not m.group().islower()]
    major += [m.group() for m in found[1:] if m.group("word") and m.group().islower()]
    major = [w for w in major if not (w.islower() and w in minor)]
    capitals = [w for w in major if w[0].isupper()]
    title_case = len(capitals) >= 3 and len(capitals) >= v.title_case_share * len(major)
    out, prev_end = [], 0
    for m in found:
        gap = text[prev_end : m.start()]
        word = m.group()
        weak = title_case or bool(_WEAK_BEFORE.search(gap)) or prev_end == 0
        weak = weak or (len(word) > 1 and word.isupper())
        out.append(_Token(word, m.start(), m.end(), bool(m.group("year")), weak))
        prev_end = m.end()
    return out


def _is_name_word(token: _Token) -> bool:
    word = token.text
    if token.year:
        return False
    if not word[0].isupper():
        return bool(_INNER_CAPITAL.search(word))  # "eBay", "iPhone"
    if word.lower() in _not_names() or any(s in _not_names() for s in _stems(word)):
        return False  # "I", "Christmas", "Fridays"
    if token.weak:
        return not is_ordinary(word)
    return True


def find_names(text: str) -> list[Name]:
    """The names written in plain text (merge tags and HTML removed), in text order."""
    text = _fixed_phrases().sub(lambda m: m.group(0).lower(), normalise_quotes(text))
    tokens = _tokens(text)
    connectors = {c.lower() for c in name_vocab().connectors}
    names: list[Name] = []
    i = 0
    while i < len(tokens):
        if not _is_name_word(tokens[i]):
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1].end : tokens[j].start]
            if gap.strip() not in ("", "&"):
                break
            if _is_name_word(tokens[j]) or (tokens[j].text[0].isupper() and tokens[j].weak):
                j += 1
                continue
            nxt = j + 1
            if (
                tokens[j].text.lower() in connectors
                and nxt < len(tokens)
                and text[tokens[j].end : tokens[nxt].start].strip() == ""
                and _is_name_word(tokens[nxt])
            ):
                j = nxt + 1
                continue
            break
        span = tokens[i:j]
        year = ""
        before = tokens[i - 1] if i > 0 else None
        start, end = span[0].start, span[-1].end
        if (
            before is not None
            and before.year
            and text[before.end : span[0].start].strip() == ""
            and not _year_not_model().search(text[: before.start])
        ):
            year, start = before.text, before.start  # "2015 Ridgeline", not "since 2016 Harbor"
        words = tuple(t.text for t in span if t.text.lower() not in connectors and _is_name_word(t))
        names.append(Name(text[start:end], start, end, words, year))
        i = j
    return names


@dataclass(frozen=True)
class NameSources:
    """The words of the brand's own text, to check the names in copy against."""

    words: frozenset[str]
    text: str

    def knows(self, word: str) -> bool:
        return any(s in self.words for s in _stems(word)) or word.lower() in _not_names()

    def problem(self, name: Name) -> str | None:
        """Why a name is not grounded (None when it is), for messages."""
        unknown = [w for w in name.words if not self.knows(w)]
        if unknown:
            listed = ", ".join(f'"{w}"' for w in unknown)
            return f"name {listed} is in neither the brief nor the brand's files"
        if name.year:
            bare = " ".join(name.words)
            pattern = rf"\b{name.year}\W+{re.escape(bare)}|{re.escape(bare)}\W+{name.year}\b"
            if not re.search(pattern, self.text, re.I):
                return f'model year {name.year}: the brand\'s files never write "{name.text}"'
        return None


_TAG = re.compile(r"<[^>]+>")
_WORDS = re.compile(r"[^\W\d_][\w'-]*")


def _index(text: str) -> frozenset[str]:
    words: set[str] = set()
    for w in _WORDS.findall(normalise_quotes(text)):
        words.update(_stems(w))
        words.update(_stems(p)[0] for p in w.split("-") if p)
    return frozenset(words)


@lru_cache(maxsize=32)
def _sources(text: str) -> NameSources:
    return NameSources(words=_index(text), text=" ".join(normalise_quotes(text).split()))


def brand_text(brief: Brief, brand: BrandKB) -> str:
    """The text names in copy may come from: the brief and the brand's files."""
    parts: list[str] = [brief.brand, brand.name, brand.folder.name, brief.offer or ""]
    parts += [brief.segment.name, brief.segment.description or "", brief.tone or ""]
    parts += [brief.cta or "", brief.cta_url or "", brand.products_text, brand.voice.text]
    for c in brand.campaigns:
        parts += [c.subject, c.preheader, c.body or ""]
    return "\n".join(p.replace("_", " ") for p in parts if p)


def name_sources(brief: Brief, brand: BrandKB) -> NameSources:
    """The brand's own vocabulary for one brief (cached by its text)."""
    return _sources(brand_text(brief, brand))


def sources_from(texts: Iterable[str]) -> NameSources:
    """Name sources from plain texts (for tests and tools)."""
    return _sources("\n".join(texts))


def variant_names(variant: Variant) -> list[tuple[str, Name]]:
    """(field, name) for every name in the subject, preheader and body."""
    out = []
    for where, raw in copy_fields(variant):
        # in a body every element's text starts afresh ("<a>Unsubscribe</a>", a button)
        visible = strip_tags(
            html_to_text(_TAG.sub(r"<br>\g<0><br>", raw)) if where == "body" else raw
        )
        out += [(where, name) for name in find_names(visible)]
    return out


def unsupported_names(variant: Variant, sources: NameSources) -> list[tuple[str, Name, str]]:
    """(field, name, why) for every name in the variant that the brand's text does not name."""
    return [
        (where, name, why)
        for where, name in variant_names(variant)
        if (why := sources.problem(name))
    ]
