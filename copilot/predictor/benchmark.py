"""Benchmark a winner predictor on real A/B tests: significant pairs, accuracy, baselines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel

from copilot.errors import InputFileError
from copilot.predictor.data import ArmOutcome, form_pairs
from copilot.predictor.train import sign_accuracy, wilson
from copilot.progress import Progress


class WinnerPredictor(Protocol):
    """Anything that gives P(a[i] beats b[i]) (with an interval) for many pairs at once."""

    def win_probabilities(
        self,
        a: Sequence[str],
        b: Sequence[str],
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


class Score(BaseModel):
    """An accuracy with its Wilson 95% interval."""

    accuracy: float
    ci95: tuple[float, float]


class ABWinnersReport(BaseModel):
    """How often the predictor picks the winner of significant same-test, same-image pairs."""

    pairs: int
    accuracy: float
    ci95: tuple[float, float]
    baselines: dict[str, Score]
    tests: int
    identical_skipped: int

    def payload(self) -> dict[str, Any]:
        """The `--json` document: pairs, accuracy, ci95, baselines."""
        return {
            "pairs": self.pairs,
            "accuracy": self.accuracy,
            "ci95": list(self.ci95),
            "baselines": {
                name: {"accuracy": s.accuracy, "ci95": list(s.ci95)}
                for name, s in self.baselines.items()
            },
        }


def _score(diff: np.ndarray, a_wins: np.ndarray) -> Score:
    acc = sign_accuracy(diff, a_wins)
    return Score(accuracy=acc, ci95=wilson(acc, len(diff)))


def benchmark_ab_winners(
    arms: Sequence[ArmOutcome],
    predictor: WinnerPredictor,
    source: str = "tests CSV",
    progress: Progress | None = None,
) -> ABWinnersReport:
    """Predict the winner of every significant pair (p < 0.05) and compare with the baselines.

    A predicted probability of exactly 0.5, like two headlines of equal length for the
    longer-headline baseline, counts as half right (a coin flip).
    """
    pairs = form_pairs(arms)
    sig = pairs.significant
    if not sig.any():
        raise InputFileError(
            f"{source}: no pair of arms with the same test_id and image_id and different "
            "headlines differs in click rate at p < 0.05; nothing to benchmark"
        )
    a, b = pairs.a[sig], pairs.b[sig]
    wins = pairs.a_wins[sig]
    p, _, _ = predictor.win_probabilities(
        [arms[i].headline for i in a], [arms[i].headline for i in b], progress
    )
    lengths = np.asarray([len(arm.headline) for arm in arms], dtype=np.float64)
    model = _score(np.asarray(p, dtype=np.float64) - 0.5, wins)
    n = int(sig.sum())
    return ABWinnersReport(
        pairs=n,
        accuracy=model.accuracy,
        ci95=model.ci95,
        baselines={
            "random": Score(accuracy=0.5, ci95=wilson(0.5, n)),
            "longer_headline": _score(lengths[a] - lengths[b], wins),
        },
        tests=len({arms[i].test_id for i in a}),
        identical_skipped=pairs.identical_skipped,
    )
