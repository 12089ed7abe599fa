"""Find and normalise the factual claims in a piece of copy, for the `grounding` check.

A claim is a span of text with a kind and a normalised value, so that "10%", "10 percent" and
"ten percent" are the same claim, and "$5", "$5.00" and "5 dollars" too. Some claims carry a role
read from the words around them: "$10 off" is a discount, "orders over $40" a threshold, "only $18"
a price; "20% off" is a discount, "48 hours only" a deadline. Extraction runs in passes from the
most specific pattern to the least, and a later pass never re-reads text an earlier one claimed,
so "$16.50" is a price and not also the number 16.5. The vocabulary is in data/claims.yaml.

Offers (discounts, free things, codes, BOGOs) also carry their scope (copilot.evaluation.
offer_scope): in a source, the conditions of their sentence ("over $30", "members"); in copy, the
universal phrases tied to them ("any order"). A free claim that names nothing ("it's free") takes
the nearest known free thing before it as its object ("Delivery? It's on us"), or stays vague.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.evaluation.grounding.offer_scope import (
    Condition,
    Scope,
    annotate,
    contradicted,
    explain,
    is_scoped,
)
from copilot.io.loader import load_model
from copilot.text import normalise_quotes, quote, sentence_at

DATA = Path(__file__).resolve().parent / "data"


class FreeVocab(BaseModel):
    not_claims: list[str]
    after_object: list[str]
    before_object: list[str]
    skip_words: list[str]
    stop_words: list[str]
    objects: dict[str, list[str]]
    generic: list[str]
    vague: str
    services: list[str]


class Currencies(BaseModel):
    symbols: dict[str, str]
    words: dict[str, str]
    cents: list[str]


class ClaimVocab(BaseModel):
    number_words: dict[str, float]
    article_numbers: list[str]
    currencies: Currencies
    duration_units: dict[str, float]
    duration_phrases: dict[str, float]
    quantity_units: dict[str, str]
    label_words: list[str]
    roles: dict[str, dict[str, list[str]]]
    weekdays: dict[str, list[str]]
    months: dict[int, list[str]]
    month_cues: list[str]
    year_cues: list[str]
    deadline_phrases: list[str]
    scarcity_phrases: list[str]
    free: FreeVocab
    loyalty: dict[str, list[str]]
    multipliers: dict[str, int]
    guarantee: dict[str, list[str]]
    bogo: list[str]
    accolades: dict[str, list[str]]
    negations: list[str] = Field(default_factory=list)
    duration_objects: dict[str, list[str]] = Field(default_factory=dict)
    article_duration_after: list[str] = Field(default_factory=list)
    money_periods: dict[str, list[str]] = Field(default_factory=dict)
    money_period_skip: list[str] = Field(default_factory=list)
    bare_number_min: float = 2
    offer_count_words: list[str] = Field(default_factory=list)
    promises: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """One factual claim found in text."""

    kind: str
    value: str
    text: str
    start: int
    end: int
    role: str = "plain"
    #: free claims: the words of the free thing ("bike", "fit"); number words: what they count
    #: ("bottle", "cage"); a preheader's free period: the object classes of its subject line
    words: frozenset[str] = frozenset()
    #: the sentence the claim is in (ties a price to the product named beside it, and names
    #: the conditions of an offer in messages)
    context: str = ""
    #: offers: the conditions their sentence states ("over $30", "members"); see offer_scope
    conditions: tuple[Condition, ...] = ()
    #: offers in copy: universal phrases tied to them ("any order", "for everyone")
    scope: tuple[Scope, ...] = ()
    #: money: the period an amount is stated per ("month" in "£9 a month"); else empty
    period: str = ""
    #: durations: what they count, the object classes of their sentence in order of precedence
    #: ("trial" in "a 30-day free trial"); see `duration_objects` in data/claims.yaml
    objects: tuple[str, ...] = ()

    def describe(self) -> str:
        """What the claim says, in a few words, for messages."""
        role = "" if self.role == "plain" else f"{self.role} "
        per = f" a {self.period}" if self.period else ""
        counts = f" ({self.objects[0]})" if self.objects else ""
        labels = {
            "percent": f"{role}{self.value}%",
            "money": f"{role}{self.value}{per}",
            "code": "a promo code" if self.value == "*" else f"code {self.value}",
            "date": f"date {self.value}",
            "weekday": f"day {self.value}",
            "time": f"time {self.value}",
            "deadline": "a deadline",
            "duration": f"{role}duration {self.value}{counts}",
            "quantity": f"quantity {self.value}",
            "number": f"number {self.value}",
            "year": f"year {self.value}",
            "free": (
                "a free claim that does not say what is free"
                if self.value == vocab().free.vague
                else f"free {self.value}"
            ),
            "loyalty": f"loyalty promise ({self.value.replace('_', ' ')})",
            "multiplier": f"{self.value}x multiplier",
            "guarantee": f"guarantee ({self.value.replace('_', ' ')})",
            "scarcity": "scarcity",
            "stock": f"stock count {self.value}",
            "bogo": "buy-one-get-one offer",
            "accolade": f"accolade ({self.value})",
            "promise": f"promise ({self.value.replace('_', ' ')})",
        }
        return labels.get(self.kind, f"{self.kind} {self.value}")


@cache
def vocab() -> ClaimVocab:
    """The claim vocabulary from data/claims.yaml (loaded once)."""
    return load_model(DATA / "claims.yaml", ClaimVocab)


def _alt(items: list[str], escape: bool = True) -> str:
    ordered = sorted(set(items), key=len, reverse=True)
    return "|".join(re.escape(i) if escape else i for i in ordered)


@dataclass(frozen=True)
class _Patterns:
    num: str
    money_sym: re.Pattern[str]
    money_word: re.Pattern[str]
    money_cents: re.Pattern[str]
    percent: re.Pattern[str]
    half_off: re.Pattern[str]
    date_md: re.Pattern[str]
    date_dm: re.Pattern[str]
    date_num: re.Pattern[str]
    date_day: re.Pattern[str]
    date_range_tail: re.Pattern[str]
    month_alone: re.Pattern[str]
    weekday_full: re.Pattern[str]
    weekday_abbr: re.Pattern[str]
    weekend: re.Pattern[str]
    time: re.Pattern[str]
    noon: re.Pattern[str]
    duration_range: re.Pattern[str]
    duration: re.Pattern[str]
    duration_article: re.Pattern[str]
    duration_phrases: list[tuple[re.Pattern[str], float]]
    quantity: re.Pattern[str]
    multiplier_digit: re.Pattern[str]
    multiplier_word: re.Pattern[str]
    stock: re.Pattern[str]
    code_after_word: re.Pattern[str]
    code_token: re.Pattern[str]
    code_generic: re.Pattern[str]
    not_code: re.Pattern[str]
    year_cued: re.Pattern[str]
    year_bare: re.Pattern[str]
    labels: re.Pattern[str]
    list_marker: re.Pattern[str]
    masks: re.Pattern[str]
    ordinal: re.Pattern[str]
    number: re.Pattern[str]
    deadline: re.Pattern[str]
    scarcity: re.Pattern[str]
    free_not: re.Pattern[str]
    free_after: re.Pattern[str]
    free_before: re.Pattern[str]
    hyphen_free: re.Pattern[str]
    loyalty: list[tuple[str, re.Pattern[str]]]
    guarantee: list[tuple[str, re.Pattern[str]]]
    accolades: list[tuple[str, re.Pattern[str]]]
    bogo: list[re.Pattern[str]]
    negation: re.Pattern[str]
    role: dict[str, dict[str, re.Pattern[str]]]
    duration_free_article: re.Pattern[str]
    duration_objects: list[tuple[str, re.Pattern[str]]]
    money_periods: list[tuple[str, re.Pattern[str]]]
    bare_number: re.Pattern[str]
    offer_count: re.Pattern[str]
    promises: list[tuple[str, re.Pattern[str]]]


def _phrases(items: list[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{_alt(items, escape=False)})(?![\w-])", re.I)


@cache
def patterns() -> _Patterns:
    """Compiled patterns (built once from the vocabulary)."""
    v = vocab()
    digits = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    singles = [w for w, n in v.number_words.items() if n < 20 and w not in v.article_numbers]
    tens = [w for w, n in v.number_words.items() if n >= 20 and n % 10 == 0 and n < 100]
    others = [w for w, n in v.number_words.items() if n >= 100 or w.startswith("a ")]
    others = [w for w in others if w not in v.article_numbers]
    units = [w for w, n in v.number_words.items() if 0 < n < 10 and w not in v.article_numbers]
    word_num = rf"(?:(?:{_alt(tens)})(?:[- ](?:{_alt(units)}))?|{_alt(others)}|{_alt(singles)})"
    num = rf"(?:{digits}|{word_num})"
    cur = v.currencies
    sym = _alt(list(cur.symbols))
    cur_words = _alt(list(cur.words))
    months = {name: m for m, names in v.months.items() for name in names}
    month_re = _alt(list(months))
    day = r"(?:[12]\d|3[01]|0?[1-9])"
    dur_units = _alt(list(v.duration_units))
    qty_units = _alt(list(v.quantity_units))
    wk_full = _alt([names[0] for names in v.weekdays.values()])
    wk_abbr = "|".join(
        re.escape(n.capitalize()) for names in v.weekdays.values() for n in names[1:]
    )
    cues = r"(?:ends?|ending|until|till|til|through|thru|by|before|on|this|next|from|to|[-–—])"

    def role_res(kind: str) -> dict[str, re.Pattern[str]]:
        out: dict[str, re.Pattern[str]] = {}
        for key, words in v.roles.get(kind, {}).items():
            body = _alt(words, escape=False)
            if key.endswith("_topic"):
                out[key] = re.compile(rf"\b(?:{body})", re.I)
            elif key.endswith("_before"):
                out[key] = re.compile(rf"(?:^|[\s(])(?:{body})\s*[:\-]?\s*$", re.I)
            else:
                out[key] = re.compile(rf"^\s*(?:{body})(?![\w])", re.I)
        return out

    free = v.free
    return _Patterns(
        num=num,
        money_sym=re.compile(rf"(?P<cur>{sym})\s?(?P<amount>{digits})(?P<k>\s?[kK]\b)?"),
        money_word=re.compile(rf"(?<![\w.])(?P<amount>{num})\s?(?P<cur>{cur_words})\b", re.I),
        money_cents=re.compile(
            rf"(?<![\w.$])(?P<amount>\d{{1,2}})\s?(?:{_alt(cur.cents)})(?![\w])", re.I
        ),
        percent=re.compile(
            rf"(?<![\w.])(?P<amount>{num})(?:\s?(?:-|–|to)\s?(?P<amount2>\d+(?:\.\d+)?))?"
            r"\s?(?:%|\bper ?cent\b|\bpct\b)",
            re.I,
        ),
        half_off=re.compile(r"\b(?:half[- ](?:off|price)|(?:a )?quarter off)\b", re.I),
        date_md=re.compile(
            rf"\b(?P<month>{month_re})\.?\s+(?P<day>{day})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?",
            re.I,
        ),
        date_dm=re.compile(
            rf"\b(?P<day>{day})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{month_re})\b\.?(?:,?\s+(?P<year>\d{{4}}))?",
            re.I,
        ),
        date_num=re.compile(
            r"(?<![\d/])(?P<month>1[0-2]|0?[1-9])/(?P<day>[12]\d|3[01]|0?[1-9])(?:/(?P<year>\d{2}|\d{4}))?"
            r"(?![\d/])(?!\s*(?:off|price|lb|oz|cup|pound))"
        ),
        date_day=re.compile(rf"\bthe\s+(?P<day>{day})(?:st|nd|rd|th)\b", re.I),
        date_range_tail=re.compile(
            rf"\s*(?:-|–|—|to|through|thru|until|till)\s*(?P<day>{day})(?:st|nd|rd|th)?\b(?!\s*(?:%|[$€£]|{qty_units}|{dur_units})\b)",
            re.I,
        ),
        month_alone=re.compile(
            rf"\b(?:{_alt(v.month_cues, escape=False)})\s+"
            rf"(?:the\s+(?:end|start|middle)\s+of\s+)?(?P<month>{month_re})\b",
            re.I,
        ),
        weekday_full=re.compile(rf"\b(?P<day>{wk_full})s?\b", re.I),
        weekday_abbr=re.compile(
            rf"(?i:\b{cues})\s+(?P<day>{wk_abbr})\b\.?|\b(?P<day2>{wk_abbr})\.?(?=\s*(?:\d|[-–]))"
        ),
        weekend=re.compile(
            r"\b(?:(?:by|until|till|through|thru|ends?|ending|over|all|on)\s+(?:the\s+)?weekend"
            r"|weekend\s+(?:only|sale|special|deal|offer|flash))\b",
            re.I,
        ),
        time=re.compile(
            r"\b(?P<h>1[0-2]|0?[1-9])(?::(?P<m>[0-5]\d))?\s?(?P<ap>a\.?m\.?|p\.?m\.?)(?![\w])", re.I
        ),
        noon=re.compile(r"\b(?:at|by|until|till|before|after)\s+noon\b", re.I),
        duration_range=re.compile(
            rf"(?<![\w.])(?P<a>{num})\s?(?:-|–|to|or)\s?(?P<b>{num})[\s-]?(?P<unit>{dur_units})\b",
            re.I,
        ),
        duration=re.compile(rf"(?<![\w.])(?P<n>{num})[\s-]?(?P<unit>{dur_units})\b", re.I),
        duration_article=re.compile(
            rf"\b(?:in|within|under|for|about|over|once)\s+(?P<n>{_alt(v.article_numbers)})\s+(?P<unit>{dur_units})\b",
            re.I,
        ),
        duration_phrases=[
            (re.compile(rf"\b(?:{p})\b", re.I), h) for p, h in v.duration_phrases.items()
        ],
        quantity=re.compile(
            rf"(?<![\w.])(?P<n>{num})[\s-]?(?:(?P<adj>bonus|extra|reward|loyalty|[A-Z][a-z]+)\s)?(?P<unit>{qty_units})\b",
            re.I,
        ),
        multiplier_digit=re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)\s?[x×](?![\w])", re.I),
        multiplier_word=re.compile(
            rf"\b(?P<w>{_alt(list(v.multipliers))})(?:\s+(?:the|your|our))?\s+"
            r"(?=(?:\w+\s+){0,2}"
            r"(?:points?|rewards?|stamps?|miles|cash ?back|credit|savings|discount)\b)",
            re.I,
        ),
        stock=re.compile(
            rf"\b(?:only|just)\s+(?P<n>{num})\s+(?!(?:{dur_units})\b)(?:\w+\s+){{0,4}}?(?:left|remaining|available)\b",
            re.I,
        ),
        code_after_word=re.compile(
            r"(?i:\b(?:promo(?:tional)?\s+code|discount\s+code|coupon(?:\s+code)?|voucher(?:\s+code)?|code))\s*[:\-]?\s*[\"“'‘]?(?P<code>(?=[A-Z0-9_-]*[A-Z])[A-Z0-9][A-Z0-9_-]{2,})\b(?![a-z])"
        ),
        code_token=re.compile(
            r"(?<![\w-])(?=[A-Z0-9_-]*[A-Z])(?=[A-Z0-9_-]*\d)[A-Z0-9][A-Z0-9_-]{3,}(?![\w-])"
        ),
        code_generic=re.compile(
            r"\b(?:promo(?:tional)?\s+code|discount\s+code|coupon\s+code|coupon|(?:use|with|enter|apply)\s+(?:the\s+|our\s+|this\s+|your\s+)?code)\b",
            re.I,
        ),
        not_code=re.compile(
            r"^\d+(?:AM|PM|H|HR|HRS|OZ|LB|LBS|G|KG|ML|X|K|D|MIN|MINS|ST|ND|RD|TH|S|MM|CM|GB|MB)$"
        ),
        year_cued=re.compile(
            rf"\b(?:{_alt(v.year_cues, escape=False)})\s+(?P<y>(?:19|20)\d{{2}})\b", re.I
        ),
        year_bare=re.compile(r"(?<![\w.,$€£])(?:19|20)\d{2}(?![\w%]|[.,]\d)"),
        labels=re.compile(
            rf"\b(?:{_alt(v.label_words, escape=False)})\s*#?\s*\d+(?:\s+of\s+\d+)?\b", re.I
        ),
        list_marker=re.compile(r"(?m)^\s*\d{1,2}[.)]\s"),
        masks=re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b24/7\b", re.I),
        ordinal=re.compile(r"\b(?P<n>\d+)(?:st|nd|rd|th)\b", re.I),
        number=re.compile(
            r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?(?![\w])"
        ),
        deadline=_phrases(v.deadline_phrases),
        scarcity=_phrases(v.scarcity_phrases),
        free_not=_phrases(free.not_claims),
        free_after=re.compile(
            r"(?:(?P<obj>(?:[\w&'’.-]+\s+){0,2}[\w&'’.-]+?)(?:'s|’s)?\s*,?\s*|(?<![\w'’-]))"
            rf"(?P<phrase>{_alt(free.after_object, escape=False)})(?![\w-])",
            re.I,
        ),
        free_before=re.compile(
            rf"(?<![\w-])(?P<phrase>{_alt(free.before_object, escape=False)})(?![\w-])"
            r"(?P<rest>[^.,!?;:\n]{0,60})",
            re.I,
        ),
        hyphen_free=re.compile(r"\b[\w]+-free\b", re.I),
        loyalty=[
            (k, _phrases(p))
            for k, p in sorted(v.loyalty.items(), key=lambda kv: kv[0] == "program")
        ],
        guarantee=[(k, _phrases(p)) for k, p in v.guarantee.items()],
        accolades=[(k, _phrases(p)) for k, p in v.accolades.items()],
        bogo=[re.compile(rf"\b(?:{p})\b", re.I) for p in v.bogo],
        negation=re.compile(rf"(?:^|\W)(?:{_alt(v.negations)})\W+(?:\w+\W+)?$", re.I),
        role={k: role_res(k) for k in ("money", "percent", "duration")},
        duration_free_article=re.compile(
            rf"\b(?P<n>{_alt(v.article_numbers)})\s+(?P<unit>{dur_units})\b"
            rf"(?=\s*(?:{_alt(v.article_duration_after, escape=False)})(?![\w-]))",
            re.I,
        ),
        duration_objects=[(k, _phrases(words)) for k, words in v.duration_objects.items()],
        money_periods=[
            (
                period,
                re.compile(
                    rf"^\s*(?:(?:{_alt(v.money_period_skip, escape=False) or '(?!)'})\s*)?"
                    rf"(?:{_alt(words, escape=False)})(?![\w-])",
                    re.I,
                ),
            )
            for period, words in v.money_periods.items()
        ],
        bare_number=re.compile(rf"(?<![\w.-])(?P<n>{word_num})(?![\w-])", re.I),
        offer_count=re.compile(rf"\s+(?:{_alt(v.offer_count_words, escape=False)})\b", re.I),
        promises=[(k, _phrases(p)) for k, p in v.promises.items()],
    )


def parse_number(text: str) -> float:
    """'1,200' -> 1200, 'twenty-five' -> 25, 'a hundred' -> 100."""
    raw = text.strip().lower()
    if re.match(r"^\d", raw):
        return float(raw.replace(",", ""))
    words = vocab().number_words
    if raw in words:
        return float(words[raw])
    total = 0.0
    for part in re.split(r"[- ]+", raw):
        total += float(words.get(part, 0))
    return total


def fmt(value: float) -> str:
    """A number as a short canonical string: 16.5, 40, 0.99."""
    return f"{round(value, 2):g}"


class _Scanner:
    """Collects claims over one text, never letting two claims share characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = bytearray(len(text))
        self.claims: list[Claim] = []

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def add(self, claim: Claim) -> None:
        self.claims.append(claim)
        self.take(claim.start, claim.end)

    def spans(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for m in pattern.finditer(self.text):
            if m.end() > m.start() and self.free(m.start(), m.end()):
                yield m

    def negated(self, start: int) -> bool:
        return bool(patterns().negation.search(self.text[max(0, start - 40) : start]))


def _role(kind: str, text: str, start: int, end: int) -> str:
    res = patterns().role.get(kind, {})
    before = text[max(0, start - 30) : start]
    after = text[end : end + 25]

    def hit(key: str, where: str) -> bool:
        pat = res.get(key)
        return bool(pat and pat.search(where))

    if kind == "money":
        if hit("discount_after", after):
            return "discount"
        if hit("threshold_before", before) or hit("threshold_after", after):
            return "threshold"
        if hit("discount_before", before):
            return "discount"
        if hit("price_before", before) or hit("price_after", after):
            return "price"
        return "plain"
    if kind == "percent":
        if hit("discount_after", after) or hit("discount_before", before):
            return "discount"
        return "plain"
    if kind == "duration":
        if hit("deadline_after", after) or hit("deadline_before", before):
            return "deadline"
        if hit("free_after", after) or hit("free_before", before):
            return "free"
        return _topic(res, text, start, end)
    return "plain"


def _topic(res: dict[str, re.Pattern[str]], text: str, start: int, end: int) -> str:
    """Role from the nearest topic word in the sentence ("ships": dispatch, "arrives": arrival)."""
    sentence_start, sentence = sentence_at(text, start, end)
    best: tuple[int, str] | None = None
    for key, pattern in res.items():
        if not key.endswith("_topic"):
            continue
        for m in pattern.finditer(sentence):
            pos = sentence_start + m.start()
            # the verb usually comes first ("ships in 2 days"), so words after count less
            distance = start - pos if pos < start else 3 * (pos - end)
            if best is None or distance < best[0]:
                best = (distance, key.removesuffix("_topic"))
    return best[1] if best else "plain"


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or bullet line) around a span; "$16.50" does not end a sentence."""
    return sentence_at(text, start, end)[1]


def _period(text: str, end: int) -> tuple[str, int]:
    """The period an amount is stated per ("a month" after "£9") and where it ends."""
    for period, pattern in patterns().money_periods:
        m = pattern.match(text[end:])
        if m:
            return period, end + m.end()
    return "", end


def objects_of(text: str) -> tuple[str, ...]:
    """The duration object classes a text names ("trial", "warranty"), by precedence."""
    return tuple(k for k, pattern in patterns().duration_objects if pattern.search(text))


def _duration_objects(text: str, start: int, end: int) -> tuple[str, ...]:
    """What a duration counts: the object classes its sentence names, by precedence."""
    return objects_of(_sentence(text, start, end))


def _counted(text: str, start: int, end: int) -> frozenset[str]:
    """What a number word counts: the next few words, before a stop word ("bottle cage"), and
    the other content words of its sentence ("Sampler Trio", "$22" in "The Sampler Trio: three
    teas for $22"), which tie it to the source sentence it restates."""
    free = vocab().free
    skip = {w.lower() for w in free.skip_words + free.stop_words} | {"free"}
    skip |= set(vocab().number_words)
    left, sentence = sentence_at(text, start, end)
    around = sentence[: start - left] + " " + sentence[end - left :]
    return frozenset(_object_word(w) for w in _WORD.findall(around) if w.lower() not in skip)


def _free_cue(text: str, end: int) -> tuple[int, int] | None:
    """The span of the free cue right after a free period ("2 months free"), when it is not the
    start of a free thing of its own ("a 30-day free trial" keeps "free trial" as a claim)."""
    m = patterns().role["duration"]["free_after"].match(text[end:])
    if not m:
        return None
    rest = _WORD.findall(text[end + m.end() : end + m.end() + 30])
    if rest and _object_word(rest[0]) in vocab().free.objects:
        return None
    return end + m.start(), end + m.end()


@cache
def _canonical_objects() -> dict[str, str]:
    return {w: obj for obj, ws in vocab().free.objects.items() for w in ws}


def _object_word(word: str) -> str:
    """A word of a free thing in canonical form ("deliveries" -> "shipping", "tins" -> "tin")."""
    canon = _canonical_objects()
    w = word.lower().strip("'’.,")
    w = re.sub(r"(?:'s|’s)$", "", w)
    if w in canon:
        return canon[w]
    if len(w) > 3 and w.endswith("s") and w[:-1] in canon:
        return canon[w[:-1]]
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


def _free_object(words: list[str]) -> tuple[str, frozenset[str]]:
    """Canonical head noun and all canonical words of the thing stated as free.

    The head is the last word naming a known object ("free shipping worth it" is shipping),
    else the last word. A pronoun names nothing ("it's free"): the head is then the last other
    word ("try it for free" is a trial), or the vague object when there is none.
    """
    free = vocab().free
    normed = [_object_word(w) for w in words if w]
    named = [w for w in normed if w != free.vague]
    known = [w for w in named if w in free.objects]
    head = known[-1] if known else named[-1] if named else free.vague
    return head, frozenset(normed)


_WORD = re.compile(r"[\w&'’-]+")
_ANTECEDENT_REACH = 80


def _antecedent(text: str, start: int) -> str | None:
    """The free thing a pronoun refers to: the nearest known object word before it.

    "Delivery? It's on us" is about delivery; the search stops at the end of the previous
    sentence ("." or a new line, not "?" or a parenthesis, which often introduce the pronoun).
    """
    free = vocab().free
    before = text[max(0, start - _ANTECEDENT_REACH) : start]
    before = re.split(r"[.!\n]", before)[-1]
    for m in reversed(list(_WORD.finditer(before))):
        word = _object_word(m.group(0))
        if word in free.objects and word != free.vague:
            return word
    return None


def _scan_free(sc: _Scanner) -> None:
    p = patterns()
    free = vocab().free
    text = sc.text
    for m in sc.spans(p.free_not):
        sc.take(m.start(), m.end())
    for m in sc.spans(p.hyphen_free):
        sc.take(m.start(), m.end())
    skip = {w.lower() for w in free.skip_words}
    stop = {w.lower() for w in free.stop_words}
    for m in p.free_after.finditer(text):
        ps, pe = m.start("phrase"), m.end("phrase")
        if not sc.free(ps, pe):
            continue
        phrase = m.group("phrase").lower()
        if "ship" in phrase:
            head, words = "shipping", frozenset({"shipping"})
            start = ps
        elif m.group("obj") is None and re.match(r"(?:is|are|'s|comes?|goes?)\b", phrase):
            continue  # "Is free shipping worth it?": "free" belongs to what follows
        else:
            obj_words = [w for w in (m.group("obj") or "").split() if w.lower() not in skip]
            obj_words = [w for w in obj_words if w.lower() not in stop][-2:]
            head, words = _free_object(obj_words)
            start = m.start("obj") if obj_words else ps
        if sc.negated(start):
            sc.take(ps, pe)
            continue
        _add_free(sc, head, words, start, pe)
    for m in p.free_before.finditer(text):
        if not sc.free(m.start("phrase"), m.end("phrase")):
            continue
        collected: list[str] = []
        rest = m.group("rest")
        # "free to join", "free to enter": the verb says what is free
        verb = re.match(r"\s+to\s+([\w-]+)", rest)
        for word in [verb.group(1)] if verb else _WORD.findall(rest)[:5]:
            lw = word.lower()
            if lw in stop:
                break
            if lw in skip and not collected:
                continue
            if re.match(r"^\d", lw) or lw in {"x"}:
                continue
            collected.append(word)
            if len(collected) == 3:
                break
        head, words = _free_object(collected)
        end = m.end("phrase")
        if collected:
            last = rest.find(collected[-1])
            end = m.start("rest") + last + len(collected[-1])
        if sc.negated(m.start()):
            sc.take(m.start(), end)
            continue
        _add_free(sc, head, words, m.start(), end)


def _add_free(sc: _Scanner, head: str, words: frozenset[str], start: int, end: int) -> None:
    if head == vocab().free.vague and (found := _antecedent(sc.text, start)):
        head, words = found, words | {found}
    sc.add(
        Claim(kind="free", value=head, text=sc.text[start:end], start=start, end=end, words=words)
    )


def _keyed(
    sc: _Scanner, kind: str, keyed: list[tuple[str, re.Pattern[str]]], negatable: bool
) -> None:
    for key, pattern in keyed:
        for m in sc.spans(pattern):
            if negatable and sc.negated(m.start()):
                sc.take(m.start(), m.end())
                continue
            sc.add(Claim(kind=kind, value=key, text=m.group(0), start=m.start(), end=m.end()))


def _promises(sc: _Scanner) -> None:
    """Promise claims; one phrase may state two ("pause or cancel any time")."""
    found = [
        Claim(kind="promise", value=key, text=m.group(0), start=m.start(), end=m.end())
        for key, pattern in patterns().promises
        for m in sc.spans(pattern)
    ]
    for claim in found:
        sc.add(claim)


def extract_claims(text: str) -> list[Claim]:
    """Every claim in plain text (merge tags and HTML already removed), in text order."""
    p = patterns()
    v = vocab()
    text = normalise_quotes(text)
    sc = _Scanner(text)
    months = {name: m for m, names in v.months.items() for name in names}
    weekdays = {name: day for day, names in v.weekdays.items() for name in names}

    def add(kind: str, value: str, m: re.Match[str] | tuple[int, int], role: str = "plain") -> None:
        start, end = (m.start(), m.end()) if isinstance(m, re.Match) else m
        context = _sentence(text, start, end) if kind in BOUND_KINDS else ""
        period = ""
        objects: tuple[str, ...] = ()
        if kind == "money" and role in ("plain", "price"):
            period, end = _period(text, end)
        if kind == "duration":
            objects = _duration_objects(text, start, end)
            cue = _free_cue(text, end) if role == "free" else None
            if cue:
                sc.take(*cue)  # "2 months free": "free" is part of the period, not a free thing
        claim = Claim(kind, value, text[start:end], start, end, role=role, context=context)
        sc.add(replace(claim, period=period, objects=objects))

    # not claims: links, addresses of mail, "Step 2", list numbering
    for m in sc.spans(p.masks):
        if m.group(0) == "24/7":
            add("number", "24/7", m)
        else:
            sc.take(m.start(), m.end())
    for pat in (p.labels, p.list_marker):
        for m in sc.spans(pat):
            sc.take(m.start(), m.end())

    # dates and times
    for pat in (p.date_md, p.date_dm):
        for m in sc.spans(pat):
            month = months[m.group("month").lower()]
            word = m.group("month")
            if word.lower() == "may" and word[0] != "M":
                continue  # "you may 2 ..." is not May
            add("date", f"{month:02d}-{int(m.group('day')):02d}", m)
            tail = p.date_range_tail.match(text, m.end())
            if tail and sc.free(tail.start("day"), tail.end("day")):
                add(
                    "date",
                    f"{month:02d}-{int(tail.group('day')):02d}",
                    (tail.start("day"), tail.end("day")),
                )
    for m in sc.spans(p.date_num):
        add("date", f"{int(m.group('month')):02d}-{int(m.group('day')):02d}", m)
    for m in sc.spans(p.date_day):
        add("date", f"day {int(m.group('day'))}", m)
    for m in sc.spans(p.month_alone):
        word = m.group("month")
        if word.lower() == "may" and word[0] != "M":
            continue
        if word.lower() == "mar" and word[0].islower():
            continue  # "mar" the verb
        add("date", f"month {months[word.lower()]:02d}", (m.start("month"), m.end("month")))
    for m in sc.spans(p.weekend):
        add("weekday", "weekend", m)
    for m in sc.spans(p.weekday_full):
        add("weekday", weekdays[m.group("day").lower()], m)
    for m in sc.spans(p.weekday_abbr):
        group = "day" if m.group("day") else "day2"
        add("weekday", weekdays[m.group(group).lower()], (m.start(group), m.end(group)))
    for m in sc.spans(p.time):
        hour = int(m.group("h")) % 12 + (12 if m.group("ap").lower().startswith("p") else 0)
        add("time", f"{hour:02d}:{int(m.group('m') or 0):02d}", m)
    for m in sc.spans(p.noon):
        add("time", "12:00", m)

    # money and percentages
    for m in sc.spans(p.money_sym):
        amount = parse_number(m.group("amount")) * (1000 if m.group("k") else 1)
        cur = v.currencies.symbols[m.group("cur")]
        add("money", f"{cur}{amount:.2f}", m, _role("money", text, m.start(), m.end()))
    for m in sc.spans(p.money_word):
        cur = v.currencies.words[m.group("cur").lower()]
        amount = parse_number(m.group("amount"))
        add("money", f"{cur}{amount:.2f}", m, _role("money", text, m.start(), m.end()))
    for m in sc.spans(p.money_cents):
        amount = parse_number(m.group("amount")) / 100
        add("money", f"${amount:.2f}", m, _role("money", text, m.start(), m.end()))
    for m in sc.spans(p.percent):
        role = _role("percent", text, m.start(), m.end())
        add("percent", fmt(parse_number(m.group("amount"))), m, role)
        if m.group("amount2"):
            sc.claims.append(
                Claim(
                    "percent",
                    fmt(parse_number(m.group("amount2"))),
                    m.group(0),
                    m.start(),
                    m.end(),
                    role,
                )
            )
    for m in sc.spans(p.half_off):
        add("percent", "25" if "quarter" in m.group(0).lower() else "50", m, "discount")

    # offers and counts
    for pat in p.bogo:
        for m in sc.spans(pat):
            groups = m.groupdict()
            buy, get = groups.get("buy"), groups.get("get")
            value = "1+1"
            if buy and get:
                g = 1.0 if get.lower() == "another" else parse_number(get)
                value = f"{fmt(parse_number(buy))}+{fmt(g)}"
            add("bogo", value, m)
    for m in sc.spans(p.stock):
        add("stock", fmt(parse_number(m.group("n"))), m)
    for m in sc.spans(p.multiplier_digit):
        add("multiplier", fmt(parse_number(m.group("n"))), m)
    for m in sc.spans(p.multiplier_word):
        add("multiplier", str(v.multipliers[m.group("w").lower()]), (m.start("w"), m.end("w")))
    for m in sc.spans(p.duration_range):
        hours = v.duration_units[_unit_key(m.group("unit"), v.duration_units)]
        role = _role("duration", text, m.start(), m.end())
        add(
            "duration",
            f"{fmt(parse_number(m.group('a')) * hours)}h",
            (m.start("a"), m.end("a")),
            role,
        )
        add(
            "duration", f"{fmt(parse_number(m.group('b')) * hours)}h", (m.start("b"), m.end()), role
        )
    for m in sc.spans(p.duration):
        hours = v.duration_units[_unit_key(m.group("unit"), v.duration_units)]
        role = _role("duration", text, m.start(), m.end())
        add("duration", f"{fmt(parse_number(m.group('n')) * hours)}h", m, role)
    for pat in (p.duration_article, p.duration_free_article):
        for m in sc.spans(pat):
            hours = v.duration_units[_unit_key(m.group("unit"), v.duration_units)]
            add(
                "duration",
                f"{fmt(hours)}h",
                (m.start("n"), m.end()),
                _role("duration", text, m.start(), m.end()),
            )
    for pat, hours in p.duration_phrases:
        for m in sc.spans(pat):
            add("duration", f"{fmt(hours)}h", m, _role("duration", text, m.start(), m.end()))
    for m in sc.spans(p.quantity):
        unit = v.quantity_units[_unit_key(m.group("unit"), v.quantity_units)]
        if unit == "point" and (m.group("adj") or "").lower() in ("bonus", "extra"):
            unit = "bonus point"  # "100 bonus points" is not "100 points = $5 off"
        add("quantity", f"{fmt(parse_number(m.group('n')))} {unit}", m)

    # deadlines without a date (after durations, so "48 hours left" keeps its number)
    for m in sc.spans(p.deadline):
        add("deadline", "deadline", m)

    # codes and years
    for m in sc.spans(p.code_after_word):
        code = m.group("code")
        if p.not_code.match(code.upper()):
            continue
        add("code", code.upper(), (m.start("code"), m.end("code")))
        sc.take(m.start(), m.start("code"))
    for m in sc.spans(p.code_token):
        if not p.not_code.match(m.group(0)):
            add("code", m.group(0), m)
    for m in sc.spans(p.code_generic):
        add("code", "*", m)
    for m in sc.spans(p.year_cued):
        add("year", m.group("y"), (m.start("y"), m.end("y")))
    for m in sc.spans(p.year_bare):
        if _COPYRIGHT.search(sc.text[max(0, m.start() - 12) : m.start()]):
            sc.take(m.start(), m.end())  # "© 2026" in a footer states no fact
        else:  # "our 2025 harvest", "New offer for 2024": the year must be in the sources
            add("year", m.group(0), m)

    # worded claims
    _keyed(sc, "guarantee", p.guarantee, negatable=True)
    for m in sc.spans(p.scarcity):
        add("scarcity", "scarcity", m)
    _scan_free(sc)
    _promises(sc)
    _keyed(sc, "accolade", p.accolades, negatable=True)
    _keyed(sc, "loyalty", p.loyalty, negatable=True)

    # whatever numbers are left
    for m in sc.spans(p.ordinal):
        n = int(m.group("n"))
        if n <= 3:
            sc.take(m.start(), m.end())  # "your 1st order", "2nd email"
        else:
            add("number", str(n), m)
    for m in sc.spans(p.number):
        add("number", fmt(parse_number(m.group(0))), m)
    for m in sc.spans(p.bare_number):
        count = parse_number(m.group("n"))
        if count >= v.bare_number_min:
            # "three recipes" is a number like "3 recipes"; "Two free bottle cages" counts an
            # offer, so it is bound to what follows it
            claim = Claim("number", fmt(count), m.group(0), m.start(), m.end())
            if p.offer_count.match(text, m.end()):
                claim = replace(claim, words=_counted(text, m.start(), m.end()))
            sc.add(claim)
    return _with_scope(text, sorted(sc.claims, key=lambda c: (c.start, c.end)))


def _with_scope(text: str, claims: list[Claim]) -> list[Claim]:
    """Offers with the conditions of their sentence and the universal phrases tied to them."""
    out = []
    for claim, (conditions, scope) in zip(claims, annotate(text, claims), strict=True):
        if is_scoped(claim):
            context = claim.context or _sentence(text, claim.start, claim.end)
            claim = replace(claim, context=context, conditions=conditions, scope=scope)
        out.append(claim)
    return out


def _unit_key(written: str, table: Mapping[str, object]) -> str:
    key = " ".join(written.lower().split())
    if key in table:
        return key
    return next(k for k in table if k.lower() == key)


def numbers_in(text: str) -> set[str]:
    """Every number written in text, as digits or words, in canonical form."""
    pattern = re.compile(rf"(?<![\w.])(?:{patterns().num})(?![\w])", re.I)
    return {fmt(parse_number(m.group(0))) for m in pattern.finditer(normalise_quotes(text))}


#: kinds whose value belongs to the product named in the same sentence
BOUND_KINDS = ("money", "quantity")
#: kinds whose claims in the sources count as stating a deadline
DEADLINE_KINDS = ("date", "weekday", "time", "deadline")


@dataclass
class Facts:
    """What the allowed sources (brief offer + products.md) state, indexed for matching."""

    claims: list[Claim]
    numbers: set[str]
    tokens: set[str]
    text: str
    by_kind: dict[str, list[Claim]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for c in self.claims:
            self.by_kind.setdefault(c.kind, []).append(c)

    def of(self, kind: str) -> list[Claim]:
        return self.by_kind.get(kind, [])


#: a year right after these is a copyright line, not a claim
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*$", re.I)


def facts_from(*texts: str) -> Facts:
    """Index the claims of the allowed source texts (the brief's offer, products.md)."""
    joined = normalise_quotes("\n\n".join(t for t in texts if t))
    tokens = set(re.findall(r"\b[A-Z0-9][A-Z0-9_-]{2,}\b", joined))
    # an amount in the facts with no cue is a price ("Gift cards: $25"), so it cannot ground a
    # threshold or discount in the copy ("free shipping over $25")
    claims = [
        replace(c, role="price") if c.kind == "money" and c.role == "plain" else c
        for c in extract_claims(joined)
    ]
    return Facts(claims=claims, numbers=numbers_in(joined), tokens=tokens, text=joined)


def _role_ok(claim: Claim, source: Claim) -> bool:
    # a claim with a role ("20% off", "ships in 2 days") needs a source with that role
    return claim.role == "plain" or source.role == claim.role


_NAME_WORD = re.compile(r"\b[A-Z][\w'’-]{2,}")


def _names(sentence: str, skip_first: bool = False) -> set[str]:
    words = _NAME_WORD.findall(sentence)
    if skip_first:
        # a source sentence's first word is capitalised anyway ("Every 4 oz tin ...")
        first = re.match(r"[\s\-*+]*([A-Z][\w'’-]{2,})", sentence)
        if first and words and words[0] == first.group(1):
            words = words[1:]
    return set(words)


def _bound_sources(claim: Claim, sources: list[Claim]) -> list[Claim]:
    """The sources a price or size may come from: those beside the product the copy names.

    A capitalised word of the copy's sentence that appears in only one or two source sentences
    of this kind ("Chai" in "Kettle Chai: $16 for a 4 oz tin") names a product; the claim must
    then match a value in those sentences or in a sentence naming no product ("Every 4 oz tin
    steeps 50 cups"), so "Kettle Chai now $12" fails even when another product costs $12.
    Without such a word every source of the kind counts.
    """
    if claim.kind not in BOUND_KINDS or claim.role not in ("plain", "price"):
        return sources
    names = {id(s): _names(s.context, skip_first=True) for s in sources}
    # a sentence's first word names a product when another sentence capitalises it inside
    # ("- Solo £9 a month" beside "(Solo £90 a year)")
    inner = set().union(*names.values())
    for s in sources:
        names[id(s)] |= _names(s.context) & inner
    counts: dict[str, set[str]] = {}
    for s in sources:
        for word in names[id(s)]:
            counts.setdefault(word, set()).add(s.context)
    specific = {w for w, sentences in counts.items() if len(sentences) <= 2}
    named = _names(claim.context) & specific
    if not named:
        return sources
    return [s for s in sources if names[id(s)] & named or not names[id(s)] & specific]


#: the source claims that state the same thing as a copy claim
Finder = Callable[[Claim, Facts], list[Claim]]


def _bound_ok(claim: Claim, source: Claim) -> bool:
    """Whether a source counts what the copy's number counts: the same period ("£90 a year" is
    not "£90 a month") and, for durations, the same object ("a 2 month free trial" is not "2
    months free with yearly billing"; a free period that names nothing is not a free trial).

    A source sentence that names no object and is no free period ("Delivery every 2 or 4 weeks"
    under a Subscription heading) may ground a duration whose copy names one.
    """
    if claim.period and source.period != claim.period:
        return False
    if claim.objects:
        if not source.objects and source.role != "free":
            return True
        return claim.objects[0] in source.objects
    if claim.kind == "duration" and claim.role == "free":
        return not source.objects or source.objects[0] in claim.words
    return True


def _same_value(kind: str) -> Finder:
    def find(claim: Claim, facts: Facts) -> list[Claim]:
        sources = _bound_sources(claim, facts.of(kind))
        return [
            s
            for s in sources
            if s.value == claim.value and _role_ok(claim, s) and _bound_ok(claim, s)
        ]

    return find


def _found(find: Finder) -> Callable[[Claim, Facts], bool]:
    return lambda claim, facts: bool(find(claim, facts))


def _quantity(claim: Claim, facts: Facts) -> bool:
    # "50 Harbor Points" is stated by "50 bonus points"; "100 bonus points" needs "bonus"
    values = {claim.value}
    if claim.value.endswith(" point"):
        values.add(claim.value.replace(" point", " bonus point"))
    sources = _bound_sources(claim, facts.of("quantity"))
    return any(s.value in values and _role_ok(claim, s) for s in sources)


def _date(claim: Claim, facts: Facts) -> bool:
    dates = [s.value for s in facts.of("date")]
    if claim.value.startswith("day "):
        day = int(claim.value.split()[1])
        return any(d[-2:].isdigit() and "-" in d and int(d.split("-")[1]) == day for d in dates)
    if claim.value.startswith("month "):
        month = claim.value.split()[1]
        return any(d == claim.value or (d[:2] == month and "-" in d) for d in dates)
    return claim.value in dates


def _weekday(claim: Claim, facts: Facts) -> bool:
    days = {s.value for s in facts.of("weekday")}
    if claim.value == "weekend":
        return bool(days & {"weekend", "saturday", "sunday"})
    return claim.value in days or (claim.value in ("saturday", "sunday") and "weekend" in days)


def _deadline(claim: Claim, facts: Facts) -> bool:
    if any(facts.of(k) for k in DEADLINE_KINDS):
        return True
    return any(s.role == "deadline" for s in facts.of("duration"))


_SOURCE_SENTENCE = re.compile(r"[.!?;](?=\s|$)|\n")


def _number(claim: Claim, facts: Facts) -> bool:
    if claim.value == "24/7":
        return "24/7" in facts.text
    if claim.words:
        # a counted number word ("two bottle cages") needs a source sentence with the same
        # number and a word of what it counts
        for sentence in _SOURCE_SENTENCE.split(facts.text):
            words = {_object_word(w) for w in _WORD.findall(sentence)}
            if claim.value in numbers_in(sentence) and claim.words & words:
                return True
        return False
    return claim.value in facts.numbers


def _code_sources(claim: Claim, facts: Facts) -> list[Claim]:
    if claim.value == "*":
        return [s for s in facts.of("code") if s.value != "*"]
    return [s for s in facts.of("code") if s.value == claim.value]


def _code(claim: Claim, facts: Facts) -> bool:
    # a code the sources write without a cue ("WELCOME5: $5 off") is still stated
    return bool(_code_sources(claim, facts)) or claim.value in facts.tokens


def _free_sources(claim: Claim, facts: Facts) -> list[Claim]:
    free = vocab().free
    if claim.value == free.vague:
        return facts.of("free")  # "it's free": any free offer, and the message says so
    matches = []
    for s in facts.of("free"):
        same = claim.value == s.value or claim.value in s.words or s.value in claim.words
        generic = claim.value in free.generic and s.value not in free.services
        if same or generic:
            matches.append(s)
    return matches


def _loyalty(claim: Claim, facts: Facts) -> bool:
    keys = {s.value for s in facts.of("loyalty")}
    if claim.value == "program":
        return bool(keys)
    return claim.value in keys


def _guarantee(claim: Claim, facts: Facts) -> bool:
    keys = {s.value for s in facts.of("guarantee")}
    if claim.value == "risk_free":
        return bool(keys & {"guarantee", "refund", "risk_free"})
    if claim.value == "returns_policy":
        return bool(keys & {"returns_policy", "refund"}) or any(
            s.value == "returns" for s in facts.of("free")
        )
    return claim.value in keys


def _any_of_kind(kind: str) -> Callable[[Claim, Facts], bool]:
    return lambda claim, facts: bool(facts.of(kind))


def _bogo_sources(claim: Claim, facts: Facts) -> list[Claim]:
    return [s for s in facts.of("bogo") if s.value == claim.value]


def _year(claim: Claim, facts: Facts) -> bool:
    return claim.value in facts.numbers


#: for offers (see offer_scope.SCOPED_KINDS): the sources whose conditions copy must respect
SOURCES: dict[str, Finder] = {
    "percent": _same_value("percent"),
    "money": _same_value("money"),
    "free": _free_sources,
    "code": _code_sources,
    "bogo": _bogo_sources,
}

MATCHERS: dict[str, Callable[[Claim, Facts], bool]] = {
    "percent": _found(SOURCES["percent"]),
    "money": _found(SOURCES["money"]),
    "duration": _found(_same_value("duration")),
    "quantity": _quantity,
    "time": _found(_same_value("time")),
    "multiplier": _found(_same_value("multiplier")),
    "stock": _found(_same_value("stock")),
    "accolade": _found(_same_value("accolade")),
    "date": _date,
    "weekday": _weekday,
    "deadline": _deadline,
    "number": _number,
    "year": _year,
    "code": _code,
    "free": _found(SOURCES["free"]),
    "loyalty": _loyalty,
    "guarantee": _guarantee,
    "scarcity": _any_of_kind("scarcity"),
    "bogo": _found(SOURCES["bogo"]),
    "promise": _found(_same_value("promise")),
}


def _source_sentence(claim: Claim) -> str:
    return quote(claim.context.strip().lstrip("-*•+ "), 90)[1:-1]


def problem(claim: Claim, facts: Facts) -> str | None:
    """What is wrong with a claim given the sources (None when they ground it), for messages.

    Either the sources do not state it, or they state it with a condition that a universal
    phrase tied to it in the copy contradicts ("$5 off any order" against "$5 off a first
    order of $30 or more").
    """
    if not MATCHERS[claim.kind](claim, facts):
        if claim.kind == "free" and claim.value == vocab().free.vague:
            return f"{claim.describe()}, and the sources state nothing free"
        return claim.describe()
    if not claim.scope:
        return None
    sources = SOURCES[claim.kind](claim, facts)
    if not sources or any(not contradicted(claim.scope, s.conditions, s.scope) for s in sources):
        return None
    # quote the source most like the copy: the one sharing most of the copy's own conditions
    own = {c.kind for c in claim.conditions}
    first = max(sources, key=lambda s: len(own & {c.kind for c in s.conditions}))
    why = explain(claim.scope, first.conditions, _source_sentence(first), first.scope)
    return f"{claim.describe()}; {why}"


def is_grounded(claim: Claim, facts: Facts) -> bool:
    """Whether the sources state the claim: same kind and value (and role), within its scope."""
    return problem(claim, facts) is None


def vague_basis(claim: Claim, facts: Facts) -> str | None:
    """For a grounded free claim that names nothing ("it's free"): the free offer it rests on."""
    if claim.kind != "free" or claim.value != vocab().free.vague:
        return None
    offers = SOURCES["free"](claim, facts)
    usable = [s for s in offers if not contradicted(claim.scope, s.conditions, s.scope)]
    return usable[0].text if usable else None
