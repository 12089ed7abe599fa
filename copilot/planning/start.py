"""Where a test plan starts: the default design when the segment can carry it, otherwise the
nearest one it can (fewer arms, a larger lift, opens: the planner's own ways out), with the
reason in plain words."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel

from copilot.io.abconfig import Design, Metric, Platform
from copilot.io.brief import Brief
from copilot.knowledge.brand import PastCampaign
from copilot.planning.baseline import Baseline, baseline_rate, planning_defaults
from copilot.planning.design import PlanError, build_arms, design_test
from copilot.planning.power import min_detectable_lift, n_per_arm, per_comparison_alpha
from copilot.platforms.limits import platform_limits
from copilot.variants import Variant

#: the largest relative lift a starting plan may assume (beyond it a test cannot inform much)
MAX_START_MDE = 1.0
#: relative-lift steps tried when the default lift is out of reach (5 points, as the ways out)
MDE_STEP = 0.05


class StartingPlan(BaseModel):
    """The settings a plan form starts from, and why."""

    metric: Metric
    mde: float
    max_variants: int
    segment_size: int
    status: str
    changed: bool
    reason: str


def _describe(arms: int, metric: Metric, mde: float) -> str:
    return f"{arms} subject lines on {metric}, +{mde:.0%} lift"


def _step_up(lift: float) -> float:
    """The next lift on the grid the form offers (5 points of relative lift)."""
    return round(math.ceil(round(lift / MDE_STEP, 6)) * MDE_STEP, 2)


def _lifts(baseline: Baseline, size: int, arms: int, mde: float, power: float) -> list[float]:
    """Lifts worth trying for `arms` arms: the default, the smallest that keeps half the segment
    out of the test (so a winner is sent), and the smallest the whole segment can detect."""
    alpha = per_comparison_alpha(planning_defaults().alpha, arms)
    share = planning_defaults().weak.test_share
    out = {round(mde, 2)}
    for per_arm in (int(size * share) // arms, size // arms):
        lift = min_detectable_lift(baseline.rate, per_arm, alpha, power)
        if lift is not None and mde < lift <= MAX_START_MDE:
            out.add(_step_up(lift))
            out.add(min(_step_up(lift) + MDE_STEP, MAX_START_MDE))  # platform rounding
    return sorted(out)


def _rank(d: Design) -> int:
    """OK first; then weak plans that can still see a typical lift; then the rest."""
    if d.status == "ok":
        return 0
    if d.status == "weak":
        return 1 if d.mde < planning_defaults().weak.mde else 2
    return 3


def starting_plan(
    brief: Brief,
    variants: Sequence[Variant],
    campaigns: Sequence[PastCampaign],
    platform: Platform | None = None,
    segment_size: int | None = None,
    max_variants: int = 3,
) -> StartingPlan:
    """The default plan (clicks, the default lift, `max_variants` arms) if the segment can carry
    it; else the first of the planner's ways out that it can: fewer arms, then a larger lift,
    then opens (with the privacy warning). An OK plan beats a weak one, and a weak one that can
    still see a typical lift beats one that cannot; when nothing fits, the default stays and the
    planner's refusal explains the ways out."""
    platform = platform or brief.platform
    limits = platform_limits(platform)
    defaults = planning_defaults()
    metric: Metric = "clicks"
    mde = defaults.mde
    size = int(segment_size or brief.segment.size or 0)
    most = min(max_variants, limits.max_options_per_variable)
    try:
        most = min(most, len(build_arms(variants, ["subject"], limits, most)))
    except PlanError:
        pass  # too few usable variants: the planner says so when the plan is made
    most = max(most, 2)
    default = StartingPlan(
        metric=metric,
        mde=mde,
        max_variants=most,
        segment_size=size,
        status="refused",
        changed=False,
        reason="",
    )
    if size < 2:
        return default.model_copy(
            update={"reason": "The segment size is unknown: give it to size the test."}
        )
    power = defaults.power
    baselines: dict[Metric, Baseline] = {
        m: baseline_rate(campaigns, brief.goal.value, brief.segment.name, m)
        for m in ("clicks", "opens")
    }

    def design(m: Metric, lift: float, k: int, sure: bool = False) -> Design | None:
        rate = baselines[m].rate
        if rate * (1 + lift) >= 1.0:
            return None
        alpha = per_comparison_alpha(defaults.alpha, k)
        if not sure and n_per_arm(rate, lift, alpha, power) * k > size:
            return None  # refused on every platform; skip the refusal's ways out
        try:
            return design_test(baselines[m], size, k, platform, metric=m, mde=lift)
        except PlanError:  # e.g. a wait the platform does not allow
            return None

    first = design(metric, mde, most, sure=True)
    if first is not None and first.status == "ok":
        return default.model_copy(
            update={
                "status": "ok",
                "reason": f"The default plan ({_describe(most, metric, mde)}) fits this segment "
                f"of {size:,}.",
            }
        )
    other: Metric = "opens" if metric == "clicks" else "clicks"
    # the order a marketer gives things up: arms first, then lift, then the metric (opens come
    # last: Apple Mail Privacy Protection makes them a weak signal)
    order = [
        (m, lift, k)
        for m in (metric, other)
        for lift in sorted(
            {x for k in range(most, 1, -1) for x in _lifts(baselines[m], size, k, mde, power)}
        )
        for k in range(most, 1, -1)
    ]
    best: tuple[tuple[int, float, int], Metric, float, int, Design] | None = None
    for n, (m, lift, k) in enumerate(order):
        d = design(m, lift, k)
        if d is None:
            continue
        rank = _rank(d)
        # among weak plans that can see a typical lift, the one whose winner reaches the most
        key = (rank, round(d.test_share, 2) if rank == 1 else 0.0, n)
        if best is None or key < best[0]:
            best = (key, m, lift, k, d)
        if rank == 0:
            break
    if best is None or best[4].status == "refused":
        return default.model_copy(
            update={
                "reason": f"No test fits this segment of {size:,}: even the smallest one "
                "needs more recipients. The plan below says why, and the other ways to learn."
            }
        )
    _, m, lift, k, d = best
    if (m, lift, k) == (metric, mde, most):
        return default.model_copy(
            update={
                "status": d.status,
                "reason": f"The default plan ({_describe(most, metric, mde)}) fits this "
                f"segment of {size:,}, though it is weak (see the verdict).",
            }
        )
    needed = first.n_per_arm_required if first is not None else 0
    why = [
        f"Started from {_describe(k, m, lift)} instead of the default "
        f"({_describe(most, metric, mde)}): the default needs {needed:,} recipients per arm "
        f"({needed * most:,} in all) and this segment has {size:,}."
    ]
    if k < most:
        why.append("Fewer arms leave more recipients for each.")
    if lift > mde:
        why.append(
            f"It can only detect a lift of +{lift:.0%} or more; a smaller real difference "
            "would look like no difference."
        )
    if m == "opens":
        why.append(
            "Opens need fewer recipients, but Apple Mail Privacy Protection inflates them, so "
            "treat a winner on opens as a hint, not proof."
        )
    if d.status == "weak":
        why.append("Even this plan is weak (see the verdict); no other starting point fits better.")
    return StartingPlan(
        metric=m,
        mde=lift,
        max_variants=k,
        segment_size=size,
        status=d.status,
        changed=True,
        reason=" ".join(why),
    )
