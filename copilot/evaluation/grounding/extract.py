"""Find and normalise the factual claims in a piece of copy, for the `grounding` check.

A claim is a span of text with a kind and a normalised value, so that "10%", "10 percent" and
"ten percent" are the same claim, and "$5", "$5.00" and "5 dollars" too. Some claims carry a role
read from the words around them: "$10 off" is a discount, "orders over $40" a threshold, "only $18"
a price; "20% off" is a discount, "48 hours only" a deadline. Extraction runs in passes from the
most specific pattern to the least, and a later pass never re-reads text an earlier one claimed,
so "$16.50" is a price and not also the number 16.5. The vocabulary is in data/claims.yaml.

Offers (discounts, free things, codes, BOGOs) also carry their scope (copilot.evaluation.
grounding.offer_scope): in a source, the conditions of their sentence ("over $30", "members"); in copy, the
universal phrases tied to them ("any order"). A free claim that names nothing ("it's free") takes
the nearest known free thing before it as its object ("Delivery? It's on us"), or stays vague.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from copilot.evaluation.grounding.claim import BOUND_KINDS, Claim, Scanner
from copilot.evaluation.grounding.free import WORD, object_word, scan_free
from copilot.evaluation.grounding.offer_scope import annotate, is_scoped
from copilot.evaluation.grounding.patterns import fmt, parse_number, patterns
from copilot.evaluation.grounding.vocabulary import vocab
from copilot.text import normalise_quotes, sentence_at

#: a year right after these is a copyright line, not a claim
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*$", re.I)


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
    return frozenset(object_word(w) for w in WORD.findall(around) if w.lower() not in skip)


def _free_cue(text: str, end: int) -> tuple[int, int] | None:
    """The span of the free cue right after a free period ("2 months free"), when it is not the
    start of a free thing of its own ("a 30-day free trial" keeps "free trial" as a claim)."""
    m = patterns().role["duration"]["free_after"].match(text[end:])
    if not m:
        return None
    rest = WORD.findall(text[end + m.end() : end + m.end() + 30])
    if rest and object_word(rest[0]) in vocab().free.objects:
        return None
    return end + m.start(), end + m.end()


def _keyed(
    sc: Scanner, kind: str, keyed: list[tuple[str, re.Pattern[str]]], negatable: bool
) -> None:
    for key, pattern in keyed:
        for m in sc.spans(pattern):
            if negatable and sc.negated(m.start()):
                sc.take(m.start(), m.end())
                continue
            sc.add(Claim(kind=kind, value=key, text=m.group(0), start=m.start(), end=m.end()))


def _promises(sc: Scanner) -> None:
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
    sc = Scanner(text)
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
    scan_free(sc)
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
