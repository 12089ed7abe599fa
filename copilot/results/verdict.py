"""Judge a finished test: two-proportion z-tests, Bayesian P(beats control), and honesty rules."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from copilot.io.abconfig import Metric
from copilot.io.results import ABResult

#: fixed seed so the same numbers always give the same verdict
SEED = 20240501
DRAWS = 200_000

Status = Literal["winner", "no_significant_winner", "below_planned_sample"]


class Comparison(BaseModel):
    """One arm against the control."""

    label: str
    rate: float
    control_rate: float
    lift: float | None = Field(description="relative: 0.1 = +10%; None when control is 0")
    z: float
    p_value: float
    p_beats_control: float


class Verdict(BaseModel):
    """What the test showed, said plainly."""

    metric: Metric
    control: str
    status: Status
    winner: str | None = None
    alpha: float
    alpha_per_comparison: float
    planned_n_per_arm: int
    planned_source: str
    rates: dict[str, float]
    comparisons: list[Comparison]
    p_best: dict[str, float]
    message: str


def _ztest(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0  # no variation at all: nothing to test
    from statsmodels.stats.proportion import proportions_ztest  # heavy: import on first use

    z, p = proportions_ztest([x1, x2], [n1, n2], alternative="two-sided")
    return float(z), float(p)


def _posterior_draws(result: ABResult, metric: Metric) -> np.ndarray:
    # Beta(1, 1) prior: uniform on the rate; posterior Beta(1 + events, 1 + non-events)
    rng = np.random.default_rng(SEED)
    return np.stack(
        [
            rng.beta(1 + arm.events(metric), 1 + arm.recipients - arm.events(metric), DRAWS)
            for arm in result.arms
        ]
    )


def judge(
    result: ABResult,
    metric: Metric,
    planned_n_per_arm: int,
    planned_source: str,
    alpha: float = 0.05,
) -> Verdict:
    """Call a winner only when it is significant against every other arm and fully sampled."""
    arms = result.arms
    control = arms[0]
    k = len(arms)
    a_c = alpha / max(k - 1, 1)
    rates = {a.label: a.rate(metric) for a in arms}
    draws = _posterior_draws(result, metric)
    best_idx = draws.argmax(axis=0)
    p_best = {a.label: float(np.mean(best_idx == i)) for i, a in enumerate(arms)}
    comparisons = []
    for i, arm in enumerate(arms[1:], start=1):
        z, p = _ztest(
            arm.events(metric), arm.recipients, control.events(metric), control.recipients
        )
        c_rate = control.rate(metric)
        comparisons.append(
            Comparison(
                label=arm.label,
                rate=arm.rate(metric),
                control_rate=c_rate,
                lift=(arm.rate(metric) / c_rate - 1.0) if c_rate > 0 else None,
                z=z,
                p_value=p,
                p_beats_control=float(np.mean(draws[i] > draws[0])),
            )
        )
    best = max(arms, key=lambda a: (a.rate(metric), -arms.index(a)))
    pvalues = [
        _ztest(best.events(metric), best.recipients, o.events(metric), o.recipients)[1]
        for o in arms
        if o is not best
    ]
    significant = all(p < a_c for p in pvalues)
    short = [a for a in arms if a.recipients < planned_n_per_arm]
    word = "click" if metric == "clicks" else "open"
    summary = ", ".join(f"{a.label} {rates[a.label]:.2%}" for a in arms)
    if short:
        status: Status = "below_planned_sample"
        winner = None
        message = (
            f"No winner called: {', '.join(f'{a.label} got {a.recipients:,}' for a in short)} "
            f"recipients, below the planned {planned_n_per_arm:,} per arm ({planned_source}). "
            f"A result from a short test is mostly noise. {word.capitalize()} rates: {summary}."
        )
    elif significant and k > 1:
        status = "winner"
        winner = best.label
        worst_p = max(pvalues)
        message = (
            f"Winner: {best.label} ({best.subject!r}) with a {rates[best.label]:.2%} {word} rate "
            f"({summary}); significant against every other arm (largest p = {worst_p:.3g} < "
            f"{a_c:.3g}), P(best) = {p_best[best.label]:.0%}."
        )
    else:
        status = "no_significant_winner"
        winner = None
        message = (
            f"No significant winner: {word} rates {summary}; the best arm ({best.label}) is not "
            f"significantly different from every other arm at {a_c:.3g} "
            f"(p = {', '.join(f'{p:.3g}' for p in pvalues)}). Treat the arms as equal."
        )
    return Verdict(
        metric=metric,
        control=control.label,
        status=status,
        winner=winner,
        alpha=alpha,
        alpha_per_comparison=a_c,
        planned_n_per_arm=planned_n_per_arm,
        planned_source=planned_source,
        rates=rates,
        comparisons=comparisons,
        p_best=p_best,
        message=message,
    )


def render_verdict(verdict: Verdict) -> str:
    """Plain text for people: the message and a per-arm table."""
    lines = [verdict.message, ""]
    lines.append(f"{'arm':<6}{'rate':>9}{'lift':>9}{'p':>9}{'P(>ctrl)':>10}{'P(best)':>9}")
    lines.append(
        f"{verdict.control + '*':<6}{verdict.rates[verdict.control]:>9.2%}"
        f"{'':>9}{'':>9}{'':>10}{verdict.p_best[verdict.control]:>9.0%}"
    )
    for c in verdict.comparisons:
        lift = "n/a" if c.lift is None or math.isnan(c.lift) else f"{c.lift:+.0%}"
        lines.append(
            f"{c.label:<6}{c.rate:>9.2%}{lift:>9}{c.p_value:>9.3g}"
            f"{c.p_beats_control:>10.0%}{verdict.p_best[c.label]:>9.0%}"
        )
    lines.append("* control")
    return "\n".join(lines)
