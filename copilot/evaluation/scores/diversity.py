"""The `diversity` score: is each variant different enough from the rest of its set?

Pairwise cosine similarity of the variants' inbox text (subject + preheader) and coverage of
angles. A variant whose nearest neighbour is at or above `settings.near_duplicate_threshold` is a
near-duplicate (warn, naming the other variant by its 1-based position in the set); sharing its
angle with other variants lowers the score a little, since an A/B test learns most from
variants that try different angles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from copilot.evaluation.base import register
from copilot.evaluation.vectors import encode, variant_text
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import CheckResult, Status, Variant

#: similarity at or below which two variants count as fully distinct
DISTINCT_AT = 0.5
ANGLE_SHARE = 0.2


class DiversityScore:
    """Set-level: nearest-neighbour similarity and angle coverage."""

    name = "diversity"
    hard = False

    def __init__(self, settings: Settings) -> None:
        self.model = settings.embedding_model
        self.threshold = settings.near_duplicate_threshold

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]:
        """One result per variant, each judged against the others in `variants`."""
        n = len(variants)
        if n == 0:
            return []
        if n == 1:
            return [
                CheckResult(
                    name=self.name, status="pass", score=1.0, message="only variant in the set"
                )
            ]
        vecs = encode(self.model, [variant_text(v) for v in variants])
        sims = vecs @ vecs.T
        np.fill_diagonal(sims, -1.0)
        angles = [v.angle.strip().lower() for v in variants]
        counts = Counter(a for a in angles if a)
        coverage = len(counts) / n
        results = []
        for i in range(n):
            j = int(sims[i].argmax())
            nearest = float(sims[i, j])
            distinct = float(np.clip((1.0 - nearest) / (1.0 - DISTINCT_AT), 0.0, 1.0))
            angle_part = 1.0 / counts[angles[i]] if angles[i] else 0.5
            score = (1 - ANGLE_SHARE) * distinct + ANGLE_SHARE * angle_part
            bits = []
            status: Status = "pass"
            if nearest >= self.threshold:
                status = "warn"
                bits.append(f"near-duplicate of variant {j + 1} (similarity {nearest:.2f})")
            else:
                bits.append(f"closest to variant {j + 1} (similarity {nearest:.2f})")
            if angles[i] and counts[angles[i]] > 1:
                bits.append(f"shares the angle {angles[i]!r} with {counts[angles[i]] - 1} other(s)")
            if counts:
                bits.append(f"the set covers {len(counts)} angle(s) ({coverage:.0%} of variants)")
            results.append(
                CheckResult(
                    name=self.name,
                    status=status,
                    score=round(float(score), 3),
                    message="; ".join(bits),
                )
            )
        return results


@register("diversity")
def _factory(settings: Settings) -> Any:
    return DiversityScore(settings)
