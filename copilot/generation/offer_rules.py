"""The brief's offer is the only offer copy may state: every discount and code must come from it.

The grounding check accepts anything products.md states, including standing offers meant for
other audiences (a welcome code in a cart reminder). Bodies and sequence steps are held to the
stricter rule of the brief: an incentive (a discount, a promo code, a buy-one-get-one) must be
stated by the brief's `offer` itself.
"""

from __future__ import annotations

import re

from copilot.evaluation.grounding.claim import Claim
from copilot.evaluation.grounding.extract import extract_claims
from copilot.evaluation.grounding.facts import facts_from, is_grounded
from copilot.platforms.tags import strip_tags
from copilot.text import html_to_text, quote

INCENTIVE_KINDS = ("code", "bogo")
DISCOUNT_KINDS = ("percent", "money")


def is_incentive(claim: Claim) -> bool:
    """A discount (percent or amount off), a promo code or a buy-one-get-one."""
    if claim.kind in DISCOUNT_KINDS:
        return claim.role == "discount"
    return claim.kind in INCENTIVE_KINDS


def incentives(text: str) -> list[Claim]:
    """The incentive claims in copy (HTML or plain text, merge tags ignored)."""
    return [c for c in extract_claims(strip_tags(html_to_text(text))) if is_incentive(c)]


def discount_value(claim: Claim) -> float | None:
    """The size of a discount claim (20 for '20% off', 5.0 for '$5 off'), else None."""
    if claim.kind not in DISCOUNT_KINDS or claim.role != "discount":
        return None
    m = re.search(r"\d+(?:\.\d+)?", claim.value.replace(",", ""))
    return float(m.group(0)) if m else None


def offer_problems(text: str, offer: str | None) -> list[str]:
    """Incentives in `text` that the offer does not state (all of them when there is no offer)."""
    found = incentives(text)
    if not found:
        return []
    if not offer:
        return [
            f"states {c.describe()} ({quote(c.text, 40)}) but the brief has no offer" for c in found
        ]
    facts = facts_from(offer)
    return [
        f"states {c.describe()} ({quote(c.text, 40)}), which the brief's offer does not"
        for c in found
        if not is_grounded(c, facts)
    ]
