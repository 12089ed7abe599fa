"""The `grounding` check: every claim in the copy must be stated by the brief's offer or the KB.

Claims are found by copilot.evaluation.grounding.extract (numbers, percentages, prices, codes, dates and
deadlines, durations, "free ..." claims, loyalty promises, guarantees, scarcity, accolades). A
claim is grounded (copilot.evaluation.grounding.facts) only when the allowed sources (the brief's `offer` and the brand's products.md)
state the same kind of claim with the same value: "20% off" needs a 20% discount there, "free
shipping over $40" needs both free shipping and a $40 threshold. An offer the copy ties to a
universal scope ("$5 off any order") must not carry a condition there that the scope denies
("$5 off a first order of $30 or more"; see copilot.evaluation.grounding.offer_scope). A free claim that
names nothing ("it's free") passes when the sources state any free offer, and the message says
which. Anything else fails, quoted.

Numbers are bound to what they count: a price to its period ("£90 a year" is not "£90 a month"),
a duration to its object ("a 30-day free trial" is not "2 months free with yearly billing"), a
number word counting an offer to the thing it counts ("two free bottle cages"). Promises ("no card needed", "cancel
anytime") need the same promise in the sources. Names are claims too (copilot.evaluation.grounding.names):
a company, brand, person, product, place or model year that neither the brief nor the brand's
files name fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from copilot.evaluation.base import register
from copilot.evaluation.grounding.claim import Claim
from copilot.evaluation.grounding.extract import extract_claims, objects_of
from copilot.evaluation.grounding.facts import Facts, facts_from, is_grounded, problem, vague_basis
from copilot.evaluation.grounding.names import NameSources, name_sources, unsupported_names
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.platforms.tags import strip_tags
from copilot.settings import Settings
from copilot.text import copy_fields, html_to_text, quote
from copilot.variants import CheckResult, Variant


@lru_cache(maxsize=32)
def source_facts(offer: str | None, products_text: str) -> Facts:
    """The facts copy may state for one brief: its offer plus the brand's products.md."""
    return facts_from(offer or "", products_text)


def variant_claims(variant: Variant) -> list[tuple[str, Claim]]:
    """(field, claim) for every claim in the subject, preheader and body."""
    out = []
    subject = strip_tags(variant.subject)
    for where, raw in copy_fields(variant):
        visible = strip_tags(html_to_text(raw) if where == "body" else raw)
        for claim in extract_claims(visible):
            if where != "subject" and claim.context:
                # the subject often names the product a preheader price belongs to
                claim = replace(claim, context=f"{claim.context} {subject}")
            if where != "subject" and claim.role == "free" and not claim.objects:
                # ... and may say what a preheader's free period is ("Your free trial" / "30
                # days on us"), which then may also match a source of that kind
                claim = replace(claim, words=frozenset(objects_of(subject)))
            out.append((where, claim))
    return out


def unsupported(variant: Variant, facts: Facts) -> list[tuple[str, Claim]]:
    """The variant's claims that the sources do not state."""
    return [(where, c) for where, c in variant_claims(variant) if not is_grounded(c, facts)]


class GroundingCheck:
    """Fails any variant stating an offer, number, date or promise the sources do not."""

    name = "grounding"
    hard = True

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant."""
        facts = source_facts(brief.offer, context.brand.products_text)
        names = name_sources(brief, context.brand)
        return [self._one(v, facts, names) for v in variants]

    def _one(self, variant: Variant, facts: Facts, names: NameSources) -> CheckResult:
        claims = variant_claims(variant)
        bad = [(where, c.text, why) for where, c in claims if (why := problem(c, facts))]
        bad += [(where, n.text, why) for where, n, why in unsupported_names(variant, names)]
        if bad:
            listed = "; ".join(f"{where} {quote(text, 50)} ({why})" for where, text, why in bad)
            return CheckResult(
                name=self.name,
                status="fail",
                score=0.0,
                message=f"not stated in the brief's offer or the brand facts: {listed}",
            )
        if claims:
            vague = [
                f"{where} {quote(c.text, 40)} names nothing; accepted because the sources state "
                f"{quote(basis, 40)}"
                for where, c in claims
                if (basis := vague_basis(c, facts))
            ]
            note = "".join(f"; {v}" for v in vague)
            return CheckResult(
                name=self.name,
                status="pass",
                score=1.0,
                message=f"all {len(claims)} claim(s) are stated in the offer or the brand facts{note}",
            )
        return CheckResult(name=self.name, status="pass", score=1.0, message="no factual claims")


@register("grounding")
def _factory(settings: Settings) -> Any:
    return GroundingCheck(settings)
