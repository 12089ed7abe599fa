"""Sample size and detectable lift for a two-proportion test (statsmodels power analysis)."""

from __future__ import annotations

import math
from functools import cache
from typing import Any


@cache
def _power() -> Any:
    """statsmodels' power solver, imported on first use (it adds a second to CLI start-up)."""
    from statsmodels.stats.power import NormalIndPower

    return NormalIndPower()


def proportion_effectsize(p1: float, p2: float) -> float:
    """Cohen's h, via statsmodels."""
    from statsmodels.stats.proportion import proportion_effectsize as effect

    return float(effect(p1, p2))


def per_comparison_alpha(alpha: float, arms: int) -> float:
    """Bonferroni: each of the arms-1 challengers is compared with the control."""
    return alpha / max(arms - 1, 1)


def _lifted(baseline: float, mde: float) -> float:
    return baseline * (1.0 + mde)


def n_per_arm(baseline: float, mde: float, alpha: float, power: float) -> int:
    """Recipients each arm needs to detect a relative lift `mde` over `baseline` (two-sided)."""
    target = _lifted(baseline, mde)
    if not 0.0 < baseline < 1.0 or not 0.0 < target < 1.0:
        raise ValueError(f"baseline {baseline} with lift {mde} is not a rate between 0 and 1")
    # Cohen's h on the arcsine scale; NormalIndPower gives nobs1 for equal arms (ratio=1).
    h = abs(proportion_effectsize(target, baseline))
    n = _power().solve_power(
        effect_size=h, alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
    )
    return int(math.ceil(float(n)))


def achieved_power(baseline: float, mde: float, n: int, alpha: float) -> float:
    """Power of the test with `n` recipients per arm."""
    if n < 2:
        return 0.0
    h = abs(proportion_effectsize(_lifted(baseline, mde), baseline))
    return float(
        _power().power(effect_size=h, nobs1=n, alpha=alpha, ratio=1.0, alternative="two-sided")
    )


def min_detectable_lift(baseline: float, n: int, alpha: float, power: float) -> float | None:
    """Smallest relative lift detectable with `n` per arm, or None if no lift is detectable."""
    if n < 2:
        return None
    h = float(
        _power().solve_power(
            effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
        )
    )
    # invert Cohen's h: h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0))
    angle = h / 2.0 + math.asin(math.sqrt(baseline))
    if angle >= math.pi / 2:
        return None
    target = math.sin(angle) ** 2
    return target / baseline - 1.0
