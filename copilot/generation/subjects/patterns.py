"""Subject-line and preheader patterns per goal and angle, kept as YAML data in `patterns/`.

A pattern is a proven shape with slots ({name}, {brand}, {offer}, {offer_short}, {cta},
{product}, {product_detail}, {product_about}, ...) filled from the brief and the brand's own
facts, word for word. A pattern whose slots the brief cannot fill is skipped, never shown with a
gap. Filled lines are candidates like any draft: they
go through the same evaluators as the model's own lines.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from copilot.errors import ConfigError
from copilot.evaluation.scores.fluency import repeated_share
from copilot.generation.angles import ANGLES
from copilot.io.brief import Brief, Goal
from copilot.io.loader import load_file, shown
from copilot.knowledge.brand import BrandKB

PATTERN_DIR = Path(__file__).parent / "data" / "patterns"
SLOTS = frozenset(
    {
        "name",
        "brand",
        "offer",
        "offer_short",
        "offer_short_lower",
        "cta",
        "cta_lower",
        "product",
        "product_detail",
        "product_about",
        "product_about_lower",
    }
)
_SLOT = re.compile(r"\{([a-z_]+)\}")
#: longest offer clause a subject may carry whole
MAX_OFFER_SHORT = 50
#: longest price-and-size sentence and description of a product a line may carry
MAX_PRODUCT_DETAIL = 40
MAX_PRODUCT_ABOUT = 70
#: filled lines beyond these are not candidates (the length checks would fail or warn on them)
MAX_SUBJECT = 60
PREHEADER_RANGE = (40, 130)
#: share of repeated content words above which a filled line reads as a loop
MAX_REPEATS = 0.15
#: a call to action in the reader's own voice ("Keep me on the list") does not read inside a
#: sentence the brand says
_FIRST_PERSON = re.compile(r"\b(me|my|mine|I|I'm|I'd|I'll)\b")
#: first words of an offer that are ordinary words, lower-cased when the offer follows a comma
_COMMON_START = frozenset(
    "free save get buy extra double bonus up our a an the your one two three half".split()
)


class Pattern(BaseModel):
    """One subject + preheader shape for an angle."""

    model_config = ConfigDict(extra="forbid")

    angle: str
    subject: str = Field(min_length=3)
    preheader: str = Field(min_length=3)

    @model_validator(mode="after")
    def _known(self) -> Pattern:
        if self.angle not in ANGLES:
            raise ValueError(f"angle {self.angle!r} is not one of {', '.join(ANGLES)}")
        for text in (self.subject, self.preheader):
            unknown = sorted(set(_SLOT.findall(text)) - SLOTS)
            if unknown:
                raise ValueError(f"unknown slot(s) {unknown} in {text!r}; use {sorted(SLOTS)}")
        return self

    def slots(self) -> set[str]:
        """The slots this pattern needs filled."""
        return set(_SLOT.findall(self.subject)) | set(_SLOT.findall(self.preheader))


class PatternSet(BaseModel):
    """Every pattern for one goal."""

    model_config = ConfigDict(extra="forbid")

    goal: Goal
    patterns: list[Pattern] = Field(min_length=4)


#: slots that carry the brief itself (its offer, call to action or product), not just who sends
SPECIFIC_SLOTS = SLOTS - {"brand", "name"}


class FilledPattern(BaseModel):
    """A pattern with every slot filled for one brief."""

    angle: str
    subject: str
    preheader: str
    pattern: str
    #: it carries the brief's offer, call to action or product (a copy lead sends those first)
    specific: bool = False


def _load(path: Path) -> PatternSet:
    # not load_model: the folder is read once per process by _load_all
    found = load_file(path, PatternSet)
    if found.goal.value != path.stem:
        raise ConfigError(f"{shown(path)}: goal {found.goal.value!r} must match the file name")
    return found


@cache
def _load_all(folder: str) -> dict[str, PatternSet]:
    sets = {p.stem: _load(p) for p in sorted(Path(folder).glob("*.yaml"))}
    missing = [g.value for g in Goal if g.value not in sets]
    if missing:
        raise ConfigError(f"patterns: no file for goal(s) {', '.join(missing)} in {folder}")
    return sets


def patterns_for(goal: Goal, folder: Path = PATTERN_DIR) -> list[Pattern]:
    """The patterns of a goal (every goal has a file)."""
    return list(_load_all(str(folder))[goal.value].patterns)


def short_brand(brand: BrandKB) -> str:
    """The brand's name as a reader says it: its folder name in words ('harbor_bean' ->
    'Harbor Bean')."""
    return re.sub(r"[_\-]+", " ", brand.name).strip().title()


def offer_clause(offer: str) -> str:
    """The offer's first clause: up to a bracket, a comma, a semicolon or ', plus'."""
    head = re.split(r"\s*\(|,\s|;\s|\s[-–—]\s", offer.strip(), maxsplit=1)[0]
    return head.strip().rstrip(".:")


def lower_start(text: str) -> str:
    """Lower-case the first word when it is an ordinary word (not a code or a name)."""
    first = text.split(" ", 1)[0]
    if first.lower() in _COMMON_START and first[:1].isupper() and first[1:] == first[1:].lower():
        return first.lower() + text[len(first) :]
    return text


def brief_products(brief: Brief, brand: BrandKB) -> list[str]:
    """Products the brief names (its CTA first, then tone, offer and segment), as the brand's
    facts spell them: a capitalised phrase that starts an entry of products.md ('- Name: ...')."""
    facts = brand.products_text
    texts = [brief.cta or "", brief.tone or "", brief.offer or "", brief.segment.description or ""]
    brand_name = short_brand(brand).lower()
    found: list[str] = []
    for text in texts:
        for run in re.findall(r"[A-Z][\w'&]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w'&]*)*", text):
            words = run.split()
            spans = [
                " ".join(words[i:j]) for i in range(len(words)) for j in range(len(words), i, -1)
            ]
            for span in sorted(spans, key=len, reverse=True):
                if span.lower() == brand_name or span.isupper() or len(span) < 3:
                    continue
                entry = re.compile(
                    rf"(^|\n)\s*(?:[-*#]+\s*)?{re.escape(span)}\s*[:(\-–—]", re.MULTILINE
                )
                if entry.search(facts):
                    if span not in found:
                        found.append(span)
                    break
    return found


def product_entry(product: str, brand: BrandKB) -> tuple[str, str]:
    """(detail, about) of a product's entry in products.md, word for word: the first sentence
    after its name when it states a price ('$38 for 30 ml', to a comma, brackets left out) and
    the next one ('A lightweight vitamin C serum for the morning'), each '' when the entry has
    none or it runs past a line's room."""
    entry = re.search(
        rf"(?:^|\n)\s*(?:[-*#]+\s*)?{re.escape(product)}(?:\s*\([^)\n]*\))?\s*:\s*(.+)",
        brand.products_text,
    )
    if not entry:
        return "", ""
    sentences = [s.strip() for s in re.split(r"(?<=[a-z0-9)])\.\s+", entry.group(1)) if s.strip()]
    sentences = [s.rstrip(".") for s in sentences]
    # the price and size, without a bracketed list of what is inside
    detail = re.sub(r"\s*\([^)]*\)", "", sentences[0]).split(", ")[0].strip() if sentences else ""
    if len(detail) > MAX_PRODUCT_DETAIL or not re.search(r"[$£€¥]\s?\d", detail):
        detail = ""  # no price: a feature sentence does not fit '{product}, {product_detail}'
    about = sentences[1] if len(sentences) > 1 and len(sentences[1]) <= MAX_PRODUCT_ABOUT else ""
    if about and not re.match(r"(A|An|The)\s", about):
        about = ""  # a description that is not a noun phrase does not fit 'It is ...' shapes
    return detail, about


def slot_values(brief: Brief, brand: BrandKB, fields: list[str]) -> dict[str, str]:
    """Every slot the brief and the brand can fill; a missing key means the slot is unavailable."""
    values = {"brand": short_brand(brand)}
    if fields:
        values["name"] = "{{" + fields[0] + "}}"
    if brief.offer:
        offer = brief.offer.strip().rstrip(".")
        values["offer"] = offer
        short = offer_clause(offer)
        if len(short) <= MAX_OFFER_SHORT:
            values["offer_short"] = short
            values["offer_short_lower"] = lower_start(short)
    if brief.cta and not _FIRST_PERSON.search(brief.cta):
        cta = brief.cta.strip().rstrip(".!")
        values["cta"] = cta[:1].upper() + cta[1:]
        values["cta_lower"] = cta[:1].lower() + cta[1:] if cta.split()[0].istitle() else cta
    products = brief_products(brief, brand)
    if products:
        values["product"] = products[0]
        detail, about = product_entry(products[0], brand)
        if detail:
            values["product_detail"] = detail
        if about:
            values["product_about"] = about
            values["product_about_lower"] = about[:1].lower() + about[1:]
    return values


def _fill(text: str, values: dict[str, str]) -> str:
    out = _SLOT.sub(lambda m: values[m.group(1)], text)
    out = re.sub(r"\s+", " ", out).strip()
    return re.sub(r"\.\.+", ".", out)


def _reads_well(subject: str, preheader: str) -> bool:
    if len(subject) > MAX_SUBJECT or subject.count(":") > 1:
        return False
    if max(repeated_share(subject), repeated_share(preheader)) > MAX_REPEATS:
        return False  # a call to action that echoes the offer ("... yearly. Switch to yearly")
    low, high = PREHEADER_RANGE
    return low <= len(preheader) <= high and preheader.count(":") <= 1


def fill_patterns(brief: Brief, brand: BrandKB, folder: Path = PATTERN_DIR) -> list[FilledPattern]:
    """Every pattern of the brief's goal whose slots can all be filled and that fits the
    length limits, filled in neutral merge tags ({{FNAME}}), in file order."""
    values = slot_values(brief, brand, brief.personalization)
    out = []
    for i, p in enumerate(patterns_for(brief.goal, folder)):
        if not p.slots() <= set(values):
            continue
        subject, preheader = _fill(p.subject, values), _fill(p.preheader, values)
        if len(preheader) > PREHEADER_RANGE[1] and "offer" in values:
            # a long offer is the whole preheader rather than no preheader at all
            preheader = values["offer"] + "."
        if _reads_well(subject, preheader):
            out.append(
                FilledPattern(
                    angle=p.angle,
                    subject=subject,
                    preheader=preheader,
                    pattern=f"{brief.goal.value}#{i + 1}",
                    specific=bool(p.slots() & SPECIFIC_SLOTS),
                )
            )
    return out
