"""The `fluency` score: does a line read as fluent English that means something?

A base model drafts lines that pass every check and still read as word salad ("Your cart is the
coffee of your the cart"), loops ("Trial trial trial ends ends") or prompt scaffolding. This score
reads the opening of each subject line and preheader with the bundled Gemma 3 270M (llama.cpp,
the process's loaded weights) and asks how much the word order matters to it: the mean token
log-probability of the words as written minus that of the same words reversed (`order_gain`, in
nats a token). Fluent English loses a lot when reversed; word salad loses little, because its
order was no better than chance. Both readings hold the same words, so rare brand names are
not marked down for being rare, as they are by plain mean log-probability, which barely ranks
fluent over broken lines (AUC 0.59 on the calibration lines, against 0.67 for order gain
alone); a line that is mostly a list of names has little order to read, though, and may warn
("Kochere, Nyeri AA and Yirgacheffe: three light roasts" scores about 0.39). The share of repeated content words
(`repeats`) catches loops, which a language model finds likely.

A logistic fit of the two on the calibration part of tests/fixtures/fluency_corpus.yaml gives
P(fluent): AUC 0.83 there and 0.95 on the held-out part, accuracy at WARN_BELOW 0.78 and 0.86
(`python benchmarks/bench_fluency.py`; `--fit` refits the constants below). Below WARN_BELOW a
line warns; below FLOOR (no fluent line of either part scored under it) the variant fails this
score, and the subject-line generator drops drafts with a failed check. A variant's score is
its weaker line. Lines of fewer than MIN_WORDS words have no order to read and get the fit's
value for an order gain of NEUTRAL_GAIN. A line cut off mid-sentence ("If it doesn't taste right,
we'll") has fluent words; `copilot.evaluation.scores.shape` names it and the variant fails this score
too. What the score cannot see: a grammatical sentence that
says nothing ("we will roast your coffee in the next week") reads as fluent; relevance,
grounding and the judge look at meaning.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from copilot.evaluation.base import register
from copilot.evaluation.scores.shape import shape_problems
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import display_text
from copilot.settings import Settings
from copilot.text import quote
from copilot.variants import CheckResult, Status, Variant

#: what the model reads before each line, so it expects a marketing line and not a book page
PREFIX = "A clear, well-written line from a marketing email:\n"
#: logistic fit on the calibration lines (benchmarks/bench_fluency.py --fit)
ORDER_WEIGHT = 0.417
REPEAT_WEIGHT = -9.336
BIAS = -0.690
WARN_BELOW = 0.5
FLOOR = 0.15
MIN_WORDS = 3
#: the model reads a line's first READ_WORDS words (a subject line whole, a preheader's opening):
#: every token read costs a pass through the 262k-word output layer, and broken order and loops
#: show early; repeats are counted over the whole line
READ_WORDS = 8
#: lines kept read per model (a line and its reading are a few hundred bytes)
MEMO_LINES = 4096
#: the order gain a line too short to reverse is given: where the fit says 0.5 without repeats
NEUTRAL_GAIN = -BIAS / ORDER_WEIGHT
#: words whose repetition is ordinary English ("your cart ... your roast")
STOPWORDS = frozenset(
    "a an the of to in on at for by with and or but is are be it its we our us you your "
    "i my me this that".split()
)
_WORD = re.compile(r"[a-z0-9']+")

TokenLogprobs = list[tuple[str, float]]


class LogprobSource(Hashable, Protocol):
    """Anything that reads texts after a prefix and gives each token's log-probability."""

    def token_logprobs(self, texts: Sequence[str], prefix: str = "") -> list[TokenLogprobs]: ...


@dataclass(frozen=True)
class LineFluency:
    """The fluency of one line and the readings it was computed from."""

    text: str
    #: P(fluent) from the calibrated fit, 0-1
    score: float
    #: mean log-probability per token, as written minus reversed (None: too short to reverse)
    order_gain: float | None
    #: share of content words that repeat an earlier one
    repeats: float
    #: mean token log-probability as written
    mean_logprob: float

    def describe(self) -> str:
        """One clause: the score and what it rests on."""
        order = (
            f"word order worth {self.order_gain:.1f} nats a token"
            if self.order_gain is not None
            else f"under {MIN_WORDS} words, no order to read"
        )
        out = f"fluency {self.score:.2f} ({order}"
        if self.repeats > 0:
            out += f", {self.repeats:.0%} repeated words"
        return out + ")"


def opening(text: str) -> str:
    """The words the model reads: the first READ_WORDS."""
    return " ".join(text.split()[:READ_WORDS])


def reversed_words(text: str) -> str:
    """The same words in reverse order: the reading fluent text is compared with."""
    return " ".join(reversed(text.split()))


def repeated_share(text: str) -> float:
    """Share of content words (not STOPWORDS) that repeat an earlier one."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return (len(words) - len(set(words))) / len(words) if words else 0.0


def _mean(logprobs: TokenLogprobs) -> float:
    return sum(lp for _, lp in logprobs) / len(logprobs) if logprobs else 0.0


def probability(order_gain: float | None, repeats: float) -> float:
    """P(fluent) from the two readings (the calibrated logistic)."""
    gain = NEUTRAL_GAIN if order_gain is None else order_gain
    z = ORDER_WEIGHT * gain + REPEAT_WEIGHT * repeats + BIAS
    return 1.0 / (1.0 + math.exp(-z))


def line_fluency(text: str, forward: TokenLogprobs, backward: TokenLogprobs) -> LineFluency:
    """The fluency of `text` from its token log-probabilities as written and reversed."""
    repeats = repeated_share(text)
    gain: float | None = None
    if len(text.split()) >= MIN_WORDS and forward and backward:
        gain = _mean(forward) - _mean(backward)
    return LineFluency(
        text=text,
        score=round(probability(gain, repeats), 3),
        order_gain=None if gain is None else round(gain, 3),
        repeats=round(repeats, 3),
        mean_logprob=round(_mean(forward), 3),
    )


def bundled_source(settings: Settings) -> LogprobSource:
    """The bundled Gemma 3 270M the constants were fitted on, loaded once per process: the same
    weights that draft, when the copilot drafts with the bundled model."""
    from copilot.llm.local import LocalLLM
    from copilot.llm.registry import shared_llm

    local = settings.model_copy(update={"llm_provider": "local", "llm_model": None})
    llm = shared_llm(local)
    if not isinstance(llm, LocalLLM):  # pragma: no cover - the registry maps local to LocalLLM
        raise TypeError(f"expected the local model, got {type(llm).__name__}")
    return llm


def score_lines(
    lines: Sequence[str], settings: Settings, source: LogprobSource | None = None
) -> list[LineFluency]:
    """The fluency of each line, in order; the lines not read before are read in one batched
    pass (as written and reversed together). Empty lines score 0. This is the entry point for
    ranking a batch of drafts."""
    reader = source or bundled_source(settings)
    memo = _memo(reader)
    out: dict[str, LineFluency] = {}
    for line in lines:
        if not line.strip():
            out[line] = LineFluency(
                text=line, score=0.0, order_gain=None, repeats=0.0, mean_logprob=0.0
            )
        elif line in memo:
            out[line] = memo[line]
            memo.move_to_end(line)
    todo = list(dict.fromkeys(line for line in lines if line not in out))
    if todo:
        heads = list(dict.fromkeys(opening(t) for t in todo))
        # lines too short to reverse are read once
        backward = [reversed_words(h) for h in heads if len(h.split()) >= MIN_WORDS]
        read = reader.token_logprobs(heads + backward, PREFIX)
        rest = iter(read[len(heads) :])
        readings = {
            h: (f, next(rest) if len(h.split()) >= MIN_WORDS else [])
            for h, f in zip(heads, read, strict=False)
        }
        for text in todo:
            out[text] = memo[text] = line_fluency(text, *readings[opening(text)])
        while len(memo) > MEMO_LINES:
            memo.popitem(last=False)
    return [out[line] for line in lines]


@cache
def _memo(source: LogprobSource) -> OrderedDict[str, LineFluency]:
    """Lines already read by this source: the generator scores its chosen drafts a second
    time as a set, and rounds repeat lines."""
    return OrderedDict()


class FluencyScore:
    """The weaker of a variant's subject line and preheader, as P(fluent)."""

    name = "fluency"
    hard = False

    def __init__(self, settings: Settings, source: LogprobSource | None = None) -> None:
        self.settings = settings
        self.source = source

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant; every line of the set is read in one call."""
        if not variants:
            return []
        lines: list[tuple[int, str, str]] = []
        for i, v in enumerate(variants):
            lines.append((i, "subject", display_text(v.subject)))
            preheader = display_text(v.preheader)
            if preheader.strip():
                lines.append((i, "preheader", preheader))
        scored = score_lines([text for _, _, text in lines], self.settings, self.source)
        per_variant: list[list[tuple[str, LineFluency]]] = [[] for _ in variants]
        for (i, part, _), fluency in zip(lines, scored, strict=True):
            per_variant[i].append((part, fluency))
        pairs = zip(variants, per_variant, strict=True)
        return [self._result(parts, unfinished(v)) for v, parts in pairs]

    def _result(self, parts: list[tuple[str, LineFluency]], shape: str = "") -> CheckResult:
        part, weakest = min(parts, key=lambda p: p[1].score)
        message = f"{weakest.describe()}"
        if len(parts) > 1:
            message += f"; the weaker line is the {part}"
        status: Status = "pass"
        if shape:
            return CheckResult(
                name=self.name,
                status="fail",
                score=min(weakest.score, FLOOR),
                message=f"{shape}; {message}",
            )
        if weakest.score < FLOOR:
            status = "fail"
            message += (
                f"; the {part} {quote(weakest.text, 60)} does not read as English "
                "(broken word order or repeated words): rewrite it"
            )
        elif weakest.score < WARN_BELOW:
            status = "warn"
            message += f"; the {part} {quote(weakest.text, 60)} may read as broken English"
        return CheckResult(name=self.name, status=status, score=weakest.score, message=message)


def unfinished(variant: Variant) -> str:
    """The first sentence-shape problem of a variant's lines ('' when both read as finished)."""
    for part, text in (("subject", variant.subject), ("preheader", variant.preheader)):
        problems = shape_problems(text, part)
        if problems:
            return f"the {part} {quote(display_text(text), 60)} is unfinished: {problems[0]}"
    return ""


@register("fluency")
def _factory(settings: Settings) -> Any:
    return FluencyScore(settings)
