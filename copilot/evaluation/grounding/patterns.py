"""The pattern compiler: the claim vocabulary turned into compiled regular expressions, once,
and the reading of the numbers they match ("twenty-five", "1,200")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from copilot.evaluation.grounding.vocabulary import vocab
from copilot.text import normalise_quotes


def _alt(items: list[str], escape: bool = True) -> str:
    ordered = sorted(set(items), key=len, reverse=True)
    return "|".join(re.escape(i) if escape else i for i in ordered)


@dataclass(frozen=True)
class Patterns:
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
def patterns() -> Patterns:
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
    return Patterns(
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


def numbers_in(text: str) -> set[str]:
    """Every number written in text, as digits or words, in canonical form."""
    pattern = re.compile(rf"(?<![\w.])(?:{patterns().num})(?![\w])", re.I)
    return {fmt(parse_number(m.group(0))) for m in pattern.finditer(normalise_quotes(text))}
