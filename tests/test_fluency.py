"""The `fluency` score: order gain and repeats combined into P(fluent), a variant's weaker line,
the floor that fails a draft, and the score in the combined breakdown.

Unit tests read lines through FakeLogprobs (a scripted stand-in for the model, named as such);
the integration test reads them with the bundled Gemma 3 270M.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from copilot.evaluation.scores.fluency import (
    FLOOR,
    MIN_WORDS,
    PREFIX,
    READ_WORDS,
    WARN_BELOW,
    FluencyScore,
    bundled_source,
    line_fluency,
    opening,
    probability,
    repeated_share,
    reversed_words,
    score_lines,
)
from copilot.evaluation.scoring import evaluate_variants
from copilot.io.brief import Brief
from copilot.knowledge.brand import BrandKB, parse_voice
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import Variant

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
BRIEF = Brief.model_validate({"brand": "demo", "goal": "promotion", "segment": {"name": "all"}})


class FakeLogprobs:
    """A scripted stand-in for the model: every word is one token, read at the log-probability
    the test gives its text (a list of texts: -1), anything else (reversed readings too) at
    `other`."""

    def __init__(self, fluent: Sequence[str] | dict[str, float], other: float = -4.0) -> None:
        self.fluent = dict(fluent) if isinstance(fluent, dict) else dict.fromkeys(fluent, -1.0)
        self.other = other
        self.calls: list[tuple[list[str], str]] = []

    def token_logprobs(
        self, texts: Sequence[str], prefix: str = ""
    ) -> list[list[tuple[str, float]]]:
        self.calls.append((list(texts), prefix))
        return [[(w, self.fluent.get(t, self.other)) for w in t.split()] for t in texts]


@pytest.fixture
def context() -> BrandContext:
    voice = parse_voice("# Voice\n## Sample lines\n- Fresh chai, blended by hand.\n")
    brand = BrandKB(name="demo", folder=Path("."), voice=voice, products_text="# Facts\n")
    return BrandContext(brand=brand)


def tokens(*lps: float) -> list[tuple[str, float]]:
    return [(f"t{i}", lp) for i, lp in enumerate(lps)]


def test_order_gain_is_the_mean_logprob_lost_by_reversing() -> None:
    clean = line_fluency("Your roast is on its way", tokens(-1, -2, -1, -2), tokens(-5, -5, -4, -6))
    assert clean.order_gain == pytest.approx(-1.5 - -5.0)
    assert clean.mean_logprob == pytest.approx(-1.5)
    salad = line_fluency("cart the your of coffee", tokens(-4, -4, -4), tokens(-4, -4, -4))
    assert salad.order_gain == pytest.approx(0.0)
    assert clean.score > WARN_BELOW > salad.score


def test_repeated_content_words_lower_the_score_but_repeated_stopwords_do_not() -> None:
    assert repeated_share("Trial trial trial ends ends") == pytest.approx(3 / 5)
    assert repeated_share("Your cart is saved and your roast is ready") == 0.0
    same_gain = tokens(-1, -1, -1)
    looped = line_fluency("Coffee coffee coffee coffee", same_gain, tokens(-3, -3, -3))
    plain = line_fluency("Coffee for the weekend", same_gain, tokens(-3, -3, -3))
    assert looped.score < FLOOR < plain.score
    assert "75% repeated words" in looped.describe()


def test_a_line_too_short_to_reverse_is_neither_praised_nor_failed() -> None:
    short = line_fluency("We're back", tokens(-9, -9), tokens(-9, -9))
    assert len("We're back".split()) < MIN_WORDS
    assert short.order_gain is None and short.score == pytest.approx(probability(None, 0.0))
    assert short.score == pytest.approx(0.5, abs=0.01)
    assert "no order to read" in short.describe()


def test_score_lines_reads_both_orders_in_one_call_and_keeps_positions() -> None:
    lines = ["Your order has shipped today", "", "today shipped has order Your"]
    fake = FakeLogprobs(fluent=[lines[0]])
    out = score_lines(lines, SETTINGS, fake)
    assert len(fake.calls) == 1
    texts, prefix = fake.calls[0]
    assert prefix == PREFIX
    assert texts == [lines[0], lines[2], reversed_words(lines[0]), reversed_words(lines[2])]
    assert [o.text for o in out] == lines
    assert out[1].score == 0.0  # an empty line says nothing
    assert out[0].score > WARN_BELOW > out[2].score
    again = score_lines([lines[2], "Your order has shipped"], SETTINGS, fake)
    assert fake.calls[1][0] == ["Your order has shipped", "shipped has order Your"]  # new only
    assert again[0] == out[2]


def test_the_model_reads_a_lines_opening_and_repeats_count_over_all_of_it() -> None:
    long = "Your usual roast is still on the shelf, roasted every Monday and Thursday."
    looped = "Your usual roast is still on the shelf, shelf, shelf, shelf, shelf."
    head = opening(long)
    assert head == opening(looped) and len(head.split()) == READ_WORDS
    fake = FakeLogprobs({head: -1.0})
    out = score_lines([long, looped], SETTINGS, fake)
    assert fake.calls[0][0] == [head, reversed_words(head)]  # one opening, read once
    assert [o.text for o in out] == [long, looped]
    assert out[0].score > WARN_BELOW > out[1].score


def test_variant_takes_its_weaker_line_and_fails_below_the_floor(context: BrandContext) -> None:
    good_subject = "Your cart is saved for you"
    good_pre = "Orders over $40 ship free this week"
    salad = "Free shipping free shipping free shipping"
    shaky = "Alex, your cart is saved for you"
    # the shaky line reads no better as written than reversed
    fake = FakeLogprobs({good_subject: -1.0, good_pre: -1.0, shaky: -4.0})
    variants = [
        Variant(subject=good_subject, preheader=good_pre),
        Variant(subject=good_subject, preheader=salad),
        Variant(subject="*|FNAME|*, your cart is saved for you"),
    ]
    out = FluencyScore(SETTINGS, fake).evaluate(variants, BRIEF, context)
    assert len(fake.calls) == 1  # the whole set in one read
    assert out[0].status == "pass" and out[0].score > WARN_BELOW
    assert out[1].status == "fail" and out[1].score < FLOOR
    assert "the weaker line is the preheader" in out[1].message
    assert '"Free shipping free shipping free shipping"' in out[1].message
    # merge tags are read as the inbox shows them; a middling line warns and is kept
    assert shaky in fake.calls[0][0]
    assert out[2].status == "warn" and FLOOR <= out[2].score < WARN_BELOW


def test_fluency_is_a_weighted_component_with_its_own_line(context: BrandContext) -> None:
    line = "Your cart is saved for you"
    s = SETTINGS
    scorer = FluencyScore(s, FakeLogprobs({line: -0.5}, other=-9.0))
    out = evaluate_variants([Variant(subject=line)], BRIEF, context, s, ["subject_length", scorer])
    names = [c.name for c in out[0].checks]
    assert names == ["subject_length", "fluency"]
    hard, fluency = out[0].checks[0].score, out[0].checks[1].score
    w = s.eval_weights
    expected = 100 * (w["hard_checks"] * hard + w["fluency"] * fluency)
    assert out[0].score == pytest.approx(expected / (w["hard_checks"] + w["fluency"]), abs=0.1)
    assert fluency >= 0.7  # strong, so the explanation names it
    assert f"fluent English ({fluency:.2f})" in (out[0].explanation or "")


@pytest.mark.integration
def test_real_model_reads_a_garbled_line_below_a_clean_one() -> None:
    clean = "Your coffee is still in your cart, and orders over $40 ship free"
    garbled = "Cart your the coffee over of still ship $40 is orders free in"
    brands = "Kochere, Nyeri AA and Yirgacheffe: three light roasts"
    loop = "Free shipping free shipping free shipping free"
    out = score_lines([clean, garbled, brands, loop], SETTINGS)
    assert out[0].score >= WARN_BELOW > out[1].score
    assert out[0].score - out[1].score >= WARN_BELOW - FLOOR  # the calibrated margin
    # a list of rare names has little word order to read: it may warn, but it is not dropped
    assert out[2].score >= FLOOR
    assert out[3].score < FLOOR
    # packing lines into one pass does not change what the model reads for each
    llm = bundled_source(SETTINGS)
    alone = llm.token_logprobs([clean], PREFIX)[0]
    packed = llm.token_logprobs([garbled, loop, clean], PREFIX)[2]
    assert [t for t, _ in alone] == [t for t, _ in packed]
    drift = abs(sum(a for _, a in alone) - sum(b for _, b in packed)) / len(alone)
    assert drift < 0.05  # nats a token: the batched kernels' rounding, far below the margins


def test_a_line_cut_off_mid_sentence_fails_however_fluent_its_words(
    context: BrandContext,
) -> None:
    cut = "Your coffee is ready, and we'll"
    whole = "Your coffee is ready to order"
    fake = FakeLogprobs({cut: -0.5, whole: -0.5}, other=-9.0)
    out = FluencyScore(SETTINGS, fake).evaluate(
        [Variant(subject=cut), Variant(subject=whole)], BRIEF, context
    )
    assert out[0].status == "fail" and out[0].score <= FLOOR
    assert "unfinished" in out[0].message and "we'll" in out[0].message
    assert out[1].status == "pass"
