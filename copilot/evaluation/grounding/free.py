"""Free claims: what a "free ..." phrase says is free ("free shipping", "the mug is on us"), in
the canonical words of data/claims.yaml; a pronoun ("it's free") takes the nearest known free thing
before it, or stays vague."""

from __future__ import annotations

import re
from functools import cache

from copilot.evaluation.grounding.claim import Claim, Scanner
from copilot.evaluation.grounding.patterns import patterns
from copilot.evaluation.grounding.vocabulary import vocab

#: a word of copy, with the &, apostrophes and hyphens names and objects carry
WORD = re.compile(r"[\w&'’-]+")
_ANTECEDENT_REACH = 80


@cache
def _canonical_objects() -> dict[str, str]:
    return {w: obj for obj, ws in vocab().free.objects.items() for w in ws}


def object_word(word: str) -> str:
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
    normed = [object_word(w) for w in words if w]
    named = [w for w in normed if w != free.vague]
    known = [w for w in named if w in free.objects]
    head = known[-1] if known else named[-1] if named else free.vague
    return head, frozenset(normed)


def _antecedent(text: str, start: int) -> str | None:
    """The free thing a pronoun refers to: the nearest known object word before it.

    "Delivery? It's on us" is about delivery; the search stops at the end of the previous
    sentence ("." or a new line, not "?" or a parenthesis, which often introduce the pronoun).
    """
    free = vocab().free
    before = text[max(0, start - _ANTECEDENT_REACH) : start]
    before = re.split(r"[.!\n]", before)[-1]
    for m in reversed(list(WORD.finditer(before))):
        word = object_word(m.group(0))
        if word in free.objects and word != free.vague:
            return word
    return None


def scan_free(sc: Scanner) -> None:
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
        for word in [verb.group(1)] if verb else WORD.findall(rest)[:5]:
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


def _add_free(sc: Scanner, head: str, words: frozenset[str], start: int, end: int) -> None:
    if head == vocab().free.vague and (found := _antecedent(sc.text, start)):
        head, words = found, words | {found}
    sc.add(
        Claim(kind="free", value=head, text=sc.text[start:end], start=start, end=end, words=words)
    )
