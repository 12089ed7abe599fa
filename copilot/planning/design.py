"""Design an A/B test: choose arms, size the test, and refuse one that can only produce noise."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import product
from typing import Any

from pydantic import BaseModel, Field

from copilot.errors import CopilotError
from copilot.io.abconfig import (
    ARM_LABELS,
    ABConfig,
    Arm,
    Audience,
    Design,
    Metric,
    PlanStatus,
    Platform,
    Sender,
    Variable,
    WayOut,
    subject_only,
)
from copilot.io.brief import Brief
from copilot.knowledge.brand import PastCampaign
from copilot.planning.baseline import Baseline, baseline_rate, planning_defaults
from copilot.planning.power import (
    achieved_power,
    min_detectable_lift,
    n_per_arm,
    per_comparison_alpha,
)
from copilot.planning.select import select_variants, similarity
from copilot.platforms.limits import PlatformLimits, platform_limits
from copilot.platforms.tags import platforms as tag_platforms
from copilot.platforms.tags import to_neutral
from copilot.variants import Variant

COPY_VARIABLES: tuple[Variable, ...] = ("subject", "preheader", "body")
MPP_WARNING = (
    "winner metric 'opens': Apple Mail Privacy Protection pre-loads images for many readers, so "
    "opens are inflated and partly random; a winner on opens may not earn more clicks"
)


class PlanError(CopilotError):
    """A test cannot be planned as asked (bad option, too few variants, platform limit)."""


class PlanRefused(PlanError):
    """The test cannot reach its power; the plan's report carries the numbers and ways out."""


class PlanRequest(BaseModel):
    """What the marketer asks of the test; None means 'use the default'."""

    metric: Metric = "clicks"
    mde: float = Field(default=0.10, gt=0.0, le=10.0)
    alpha: float | None = Field(default=None, gt=0.0, lt=1.0)
    power: float | None = Field(default=None, gt=0.0, lt=1.0)
    wait_hours: int | None = None
    variables: list[Variable] = Field(default_factory=subject_only)
    max_variants: int | None = Field(default=None, ge=2)
    segment_size: int | None = Field(default=None, ge=1)
    baseline_rate: float | None = Field(default=None, gt=0.0, lt=1.0)
    #: options of a non-copy variable: "Name <reply@x>" for from_name, ISO datetimes for send_time
    levels: list[str] = Field(default_factory=list)


class ABPlan(BaseModel):
    """The outcome of planning: the design, the arms, and the config (absent when refused)."""

    platform: Platform
    variables: list[Variable]
    arms: list[Arm]
    design: Design
    config: ABConfig | None = None

    @property
    def status(self) -> str:
        return self.design.status


def _pct(x: float) -> str:
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def _lift(x: float | None) -> str:
    return "no lift (the segment is too small)" if x is None else f"+{x:.0%}"


def _round_up_mde(x: float) -> float:
    return math.ceil(x * 20) / 20  # next 5 percentage points of relative lift


class _Split(BaseModel):
    feasible: bool
    percent: int | None
    n: int


def _split(limits: PlatformLimits, segment: int, arms: int, n_req: int, full_send: bool) -> _Split:
    """Platform split that gives each arm at least n_req, rounded to whole percent."""
    if limits.split_percent_per_arm is not None:  # Brevo: percent of the list per arm
        rng = limits.split_percent_per_arm
        pct = max(rng.min, math.ceil(100 * n_req / segment))
        cap = rng.max if rng.max is not None else 100
        feasible = pct <= cap and n_req * arms <= segment
        pct = min(pct, cap)
        return _Split(feasible=feasible, percent=pct, n=segment * pct // 100)
    share = limits.test_share_percent
    assert share is not None
    need = n_req * arms
    pct = 100 if full_send else max(share.min, math.ceil(100 * need / segment))
    feasible = need <= segment
    pct = min(pct, share.max or 100)
    return _Split(feasible=feasible, percent=pct, n=segment * pct // 100 // arms)


def _full_n(limits: PlatformLimits, segment: int, arms: int) -> int:
    if limits.split_percent_per_arm is not None:
        cap = limits.split_percent_per_arm.max or 50
        return segment * cap // 100
    return segment // arms


def design_test(
    baseline: Baseline,
    segment_size: int,
    arms: int,
    platform: Platform,
    metric: Metric = "clicks",
    mde: float | None = None,
    alpha: float | None = None,
    power: float | None = None,
    wait_hours: int | None = None,
    what: str = "subject lines",
    full_send: bool = False,
    alt_baseline: Baseline | None = None,
) -> Design:
    """Size a k-arm test on one segment and judge it: ok, weak, or refused with ways out."""
    d = planning_defaults()
    limits = platform_limits(platform)
    mde = float(d.mde if mde is None else mde)
    alpha = float(d.alpha if alpha is None else alpha)
    power = float(d.power if power is None else power)
    wait = int(d.default_wait_hours if wait_hours is None else wait_hours)
    min_wait = d.min_wait_hours
    if wait < min_wait:
        raise PlanError(
            f"wait time {wait} h is too short: clicks and opens keep arriving for hours, so wait "
            f"at least {min_wait} whole hours (--wait-hours {min_wait})"
        )
    if limits.wait_hours.max is not None and wait > limits.wait_hours.max:
        raise PlanError(
            f"wait time {wait} h is longer than {platform} allows ({limits.wait_hours.max} h); "
            f"use --wait-hours {limits.wait_hours.max} or less"
        )
    if baseline.rate * (1 + mde) >= 1.0:
        raise PlanError(
            f"--mde {mde} on a {baseline.rate:.1%} baseline would need a rate above 100%; "
            "use a smaller relative lift"
        )
    p0 = baseline.rate
    a_c = per_comparison_alpha(alpha, arms)
    n_req = n_per_arm(p0, mde, a_c, power)
    split = _split(limits, segment_size, arms, n_req, full_send)
    warnings: list[str] = []
    if metric == "opens":
        warnings.append(MPP_WARNING)
    if baseline.source == "default":
        warnings.append(
            f"no usable history for this goal, so the baseline {_pct(p0)} is a default; "
            "the sample size is only as good as that guess"
        )
    metric_word = "click" if metric == "clicks" else "open"
    article = "an" if metric_word[0] in "aeiou" else "a"
    alpha_note = f"alpha {alpha:g}" + (
        f" ({a_c:.3g} per comparison, Bonferroni for {arms - 1} challengers)" if arms > 2 else ""
    )
    base: dict[str, Any] = dict(
        metric=metric,
        baseline_rate=p0,
        baseline_source=baseline.source,
        baseline_detail=baseline.detail,
        mde=mde,
        alpha=alpha,
        alpha_per_comparison=a_c,
        power=power,
        arms=arms,
        segment_size=segment_size,
        n_per_arm_required=n_req,
        wait_hours=wait,
    )
    if not split.feasible:
        full = _full_n(limits, segment_size, arms)
        mdl_full = min_detectable_lift(p0, full, a_c, power)
        ways = _ways_out(
            baseline,
            segment_size,
            arms,
            platform,
            metric,
            mde,
            alpha,
            power,
            n_req,
            mdl_full,
            full_send,
            alt_baseline,
        )
        verdict = (
            f"Refused: {article} {metric_word} test of {arms} {what} needs {n_req:,} recipients "
            f"per arm ({n_req * arms:,} in all) to detect a {_lift(mde)} lift over a {_pct(p0)} "
            f"{metric_word} rate with {power:.0%} power at {alpha_note}; the segment has "
            f"{segment_size:,}. With everyone available in the test ({full:,} per arm) the "
            f"smallest detectable lift is {_lift(mdl_full)}, so a smaller real difference "
            "would be noise."
        )
        return Design(
            **base,
            n_per_arm=full,
            test_recipients=full * arms,
            test_share=full * arms / segment_size,
            platform_split_percent=None,
            achieved_power=achieved_power(p0, mde, full, a_c),
            min_detectable_lift=mdl_full,
            status="refused",
            verdict=verdict,
            warnings=warnings,
            ways_out=ways,
        )
    n = split.n
    share = n * arms / segment_size
    mdl = min_detectable_lift(p0, n, a_c, power)
    weak: list[str] = []
    everyone = (
        limits.split_percent_per_arm is not None
        and split.percent == (limits.split_percent_per_arm.max)
    ) or (limits.test_share_percent is not None and split.percent == 100)
    if everyone:
        weak.append(
            "everyone in the segment is in the test, so no winner is sent: the result only "
            "informs the next campaign"
        )
    elif share > d.weak.test_share:
        weak.append(
            f"{_pct(share)} of the segment is in the test, so the winner reaches only "
            f"{_pct(1 - share)}"
        )
    if mde >= d.weak.mde:
        weak.append(
            f"it can only detect a lift of {_lift(mde)} or more; real subject-line differences "
            "are usually 5-15%, so a 'no winner' result is the likely outcome"
        )
    status: PlanStatus = "weak" if weak else "ok"
    after = "" if everyone else f", then the winner goes to the other {_pct(1 - share)}"
    verdict = (
        f"{'Weak but possible' if weak else 'OK'}: test {arms} {what} on {metric}: {n:,} "
        f"recipients per arm ({n * arms:,} = {_pct(share)} of {segment_size:,}), wait {wait} h"
        f"{after}. Detects a {_lift(mde)} lift ({_pct(p0)} -> {_pct(p0 * (1 + mde))}) with "
        f"{achieved_power(p0, mde, n, a_c):.0%} power at {alpha_note}."
    )
    if weak:
        verdict += " Weak because " + "; and ".join(weak) + "."
    return Design(
        **base,
        n_per_arm=n,
        test_recipients=n * arms,
        test_share=share,
        platform_split_percent=split.percent,
        achieved_power=achieved_power(p0, mde, n, a_c),
        min_detectable_lift=mdl,
        status=status,
        verdict=verdict,
        warnings=warnings + weak,
        ways_out=[],
    )


def _ways_out(
    baseline: Baseline,
    segment: int,
    arms: int,
    platform: Platform,
    metric: Metric,
    mde: float,
    alpha: float,
    power: float,
    n_req: int,
    mdl_full: float | None,
    full_send: bool,
    alt_baseline: Baseline | None,
) -> list[WayOut]:
    limits = platform_limits(platform)
    p0 = baseline.rate
    ways: list[WayOut] = []
    if arms > 2:
        for k in range(arms - 1, 1, -1):
            n_k = n_per_arm(p0, mde, per_comparison_alpha(alpha, k), power)
            if _split(limits, segment, k, n_k, full_send).feasible:
                ways.append(
                    WayOut(
                        action="fewer variants",
                        detail=f"test {k} variants instead of {arms}: {n_k:,} per arm, "
                        f"{n_k * k:,} in all ({_pct(n_k * k / segment)} of the segment)",
                        option=f"--max-variants {k}",
                        max_variants=k,
                    )
                )
                break
        else:
            n_2 = n_per_arm(p0, mde, alpha, power)
            ways.append(
                WayOut(
                    action="fewer variants",
                    detail=f"not enough on its own: even 2 variants need {n_2:,} per arm "
                    f"({2 * n_2:,} in all)",
                    option="--max-variants 2",
                )
            )
    if mdl_full is not None:
        bigger = _round_up_mde(mdl_full)
        ways.append(
            WayOut(
                action="larger minimum lift",
                detail=f"with this segment the smallest detectable lift is {_lift(mdl_full)}; "
                f"plan for {_lift(bigger)} only if you expect a difference that large",
                option=f"--mde {bigger:.2f}",
                mde=bigger,
            )
        )
    ways.append(
        WayOut(
            action="larger segment",
            detail=f"send to at least {n_req * arms:,} recipients (this segment has {segment:,}), "
            "e.g. a broader segment with the same goal",
            option="segment.size in the brief",
        )
    )
    sends = math.ceil(n_req * arms / segment)
    ways.append(
        WayOut(
            action="longer test",
            detail=f"run the same test over about {sends} sends of this size (e.g. {sends} weekly "
            "campaigns) and judge the pooled results before calling a winner",
            option="copilot results import",
        )
    )
    if metric == "clicks" and alt_baseline is not None:
        n_o = n_per_arm(alt_baseline.rate, mde, per_comparison_alpha(alpha, arms), power)
        if _split(limits, segment, arms, n_o, full_send).feasible:
            ways.append(
                WayOut(
                    action="test on opens",
                    detail=f"opens ({_pct(alt_baseline.rate)} baseline) need {n_o:,} per arm, which "
                    "fits; but Apple Mail Privacy Protection inflates opens, so treat the winner "
                    "as a hint, not proof",
                    option="--metric opens",
                    metric="opens",
                )
            )
    ways.append(
        WayOut(
            action="no test",
            detail="send the best-scored variant to everyone and compare its rate with the brand's "
            "history instead of running a test that can only produce noise",
        )
    )
    return ways


def _variable_key(variable: Variable) -> Callable[[Variant], str]:
    if variable == "subject":
        return lambda v: v.subject
    if variable == "preheader":
        return lambda v: v.preheader
    return lambda v: v.body or ""


def neutral_tags(text: str | None) -> str | None:
    """Copy with merge tags in the platform-neutral form ({{FNAME|there}}), whatever it came in."""
    if text is None:
        return None
    for platform in tag_platforms():
        text = to_neutral(text, platform)
    return text


def _arm_from(label: str, base: Variant, **overrides: object) -> Arm:
    data: dict[str, object] = dict(
        label=label,
        subject=base.subject,
        preheader=base.preheader,
        body_text=base.body,
        angle=base.angle,
        score=base.score,
        sources=list(base.sources),
    )
    data.update(overrides)
    # the config is portable: copy keeps neutral merge tags, rendered per platform on export
    for field in ("subject", "preheader", "body_text"):
        data[field] = neutral_tags(data[field])  # type: ignore[arg-type]
    return Arm.model_validate(data)


def _parse_level(variable: Variable, text: str) -> dict[str, object]:
    if variable == "from_name":
        if "<" in text and text.rstrip().endswith(">"):
            name, addr = text.rsplit("<", 1)
            return {"from_name": name.strip(), "reply_to": addr.rstrip(">").strip()}
        return {"from_name": text.strip()}
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise PlanError(
            f"--level {text!r}: a send_time option must be an ISO date-time with its time zone, "
            "like 2026-11-03T09:00:00+00:00"
        )
    return {"send_time": when}


def build_arms(
    variants: Sequence[Variant],
    variables: Sequence[Variable],
    limits: PlatformLimits,
    max_variants: int | None = None,
    levels: Sequence[str] = (),
) -> list[Arm]:
    """Arms for the test: one variable at a time, or a full grid where the platform allows it."""
    d = planning_defaults()
    near, weight = d.near_duplicate_similarity, d.selection_score_weight
    unsupported = [v for v in variables if v not in limits.variables]
    if unsupported:
        raise PlanError(
            f"{limits.name} cannot test {', '.join(unsupported)}: its A/B tests vary "
            f"{', '.join(limits.variables)} only (use --variable {limits.variables[0]})"
        )
    if len(variables) > 1 and not limits.multivariate:
        raise PlanError(f"{limits.name} has no multivariate tests; test one variable at a time")
    usable = [v for v in variants if not any(c.status == "fail" for c in v.checks)]
    if not usable:
        raise PlanError(
            f"none of the {len(variants)} variants is usable: every one has a failed check "
            "(fix them or generate more with `copilot generate`)"
        )
    top = select_variants(usable, 1, near_duplicate=1.01, score_weight=1.0)[0]
    if len(variables) == 1:
        variable = variables[0]
        k = min(limits.max_options_per_variable, max_variants or limits.max_options_per_variable)
        if variable in COPY_VARIABLES:
            if variable == "body" and not any(v.body for v in usable):
                raise PlanError(
                    "--variable body needs variants with a body; generate bodies first "
                    "(copilot bodies) or test the subject"
                )
            key = _variable_key(variable)
            chosen = select_variants(usable, k, key=key, near_duplicate=near, score_weight=weight)
            if len(chosen) < 2:
                raise PlanError(
                    f"need at least 2 usable variants with clearly different {variable}s; got "
                    f"{len(chosen)} (of {len(variants)}, {len(variants) - len(usable)} with a "
                    "failed check); generate more variants"
                )
            if variable == "subject":
                # one variable at a time: every arm carries the control's preheader and body
                return [
                    _arm_from(
                        ARM_LABELS[i], v, preheader=chosen[0].preheader, body_text=chosen[0].body
                    )
                    for i, v in enumerate(chosen)
                ]
            if variable == "preheader":
                return [
                    _arm_from(ARM_LABELS[i], v, subject=chosen[0].subject, body_text=chosen[0].body)
                    for i, v in enumerate(chosen)
                ]
            return [
                _arm_from(
                    ARM_LABELS[i], v, subject=chosen[0].subject, preheader=chosen[0].preheader
                )
                for i, v in enumerate(chosen)
            ]
        if len(levels) < 2:
            raise PlanError(
                f"--variable {variable} needs at least 2 options: pass --level twice or more"
            )
        if len(levels) > k:
            raise PlanError(
                f"{limits.name} tests at most {k} options of {variable}; "
                f"got {len(levels)} --level values"
            )
        return [
            _arm_from(ARM_LABELS[i], top, **_parse_level(variable, lv))
            for i, lv in enumerate(levels)
        ]
    # multivariate: two options per copy variable, every combination one arm
    non_copy = [v for v in variables if v not in COPY_VARIABLES]
    if non_copy:
        raise PlanError(
            f"multivariate plans from generated variants combine subject, preheader and body "
            f"only; {', '.join(non_copy)} needs its own test"
        )
    options: dict[Variable, list[str]] = {}
    for variable in variables:
        key = _variable_key(variable)
        picked: list[str] = []
        for v in select_variants(
            usable, len(usable), key=key, near_duplicate=near, score_weight=weight
        ):
            if all(similarity(key(v), p) < near for p in picked) and key(v):
                picked.append(key(v))
            if len(picked) == 2:
                break
        if len(picked) < 2:
            raise PlanError(f"need 2 clearly different {variable}s among the usable variants")
        options[variable] = picked
    grid = list(product(*options.values()))
    if len(grid) > limits.max_combinations:
        raise PlanError(
            f"{len(grid)} combinations exceed {limits.name}'s limit of {limits.max_combinations}"
        )
    field = {"subject": "subject", "preheader": "preheader", "body": "body_text"}
    arms = []
    for i, combo in enumerate(grid):
        arms.append(
            _arm_from(
                ARM_LABELS[i],
                top,
                angle="multivariate",
                score=None,
                sources=[],
                **{field[v]: val for v, val in zip(options, combo, strict=True)},
            )
        )
    return arms


def plan_test(
    brief: Brief,
    variants: Sequence[Variant],
    campaigns: Sequence[PastCampaign],
    sender: Sender,
    request: PlanRequest | None = None,
    platform: Platform | None = None,
    audience: Audience | None = None,
) -> ABPlan:
    """Choose arms, size the test and build the portable config (None when refused)."""
    req = request or PlanRequest()
    platform = platform or brief.platform
    limits = platform_limits(platform)
    segment_size = req.segment_size or brief.segment.size
    if not segment_size:
        raise PlanError(
            "segment size unknown: set segment.size in the brief or pass --segment-size"
        )
    arms = build_arms(variants, req.variables, limits, req.max_variants, req.levels)
    if req.baseline_rate is not None:
        base = Baseline(
            rate=req.baseline_rate,
            source="given",
            detail=f"{req.metric} rate {req.baseline_rate:.2%} given with --baseline",
        )
    else:
        base = baseline_rate(campaigns, brief.goal.value, brief.segment.name, req.metric)
    alt = None
    if req.metric == "clicks":
        alt = baseline_rate(campaigns, brief.goal.value, brief.segment.name, "opens")
    what = {
        "subject": "subject lines",
        "preheader": "preheaders",
        "body": "bodies",
        "from_name": "from names",
        "send_time": "send times",
    }
    design = design_test(
        base,
        segment_size,
        len(arms),
        platform,
        metric=req.metric,
        mde=req.mde,
        alpha=req.alpha,
        power=req.power,
        wait_hours=req.wait_hours,
        what=" x ".join(what[v] for v in req.variables),
        full_send="send_time" in req.variables and limits.send_time_forces_full_send,
        alt_baseline=alt,
    )
    config = None
    if design.status != "refused":
        config = ABConfig(
            brand=brief.brand,
            goal=brief.goal.value,
            segment=brief.segment.name,
            platform=platform,
            language=brief.language,
            variables=list(req.variables),
            arms=arms,
            sender=sender,
            audience=audience or Audience(),
            cta=brief.cta,
            cta_url=brief.cta_url,
            design=design,
        )
    return ABPlan(
        platform=platform, variables=list(req.variables), arms=arms, design=design, config=config
    )


def render_plan(plan: ABPlan) -> str:
    """A plain-text report of the plan for people."""
    d = plan.design
    lines = [d.verdict, ""]
    lines.append(f"Baseline: {d.baseline_detail}")
    lines.append(f"Arms ({', '.join(plan.variables)} varies):")
    for arm in plan.arms:
        score = f" score {arm.score:.1f}" if arm.score is not None else ""
        value = " | ".join(arm.value(v) for v in plan.variables)
        lines.append(f"  {arm.label}{' (control)' if arm is plan.arms[0] else ''}: {value}{score}")
    if d.status != "refused":
        split = platform_limits(plan.platform).split_label
        lines.append(
            f"Platform: {plan.platform}, {split} {d.platform_split_percent}%, "
            f"wait {d.wait_hours} h, winner on {d.metric}"
        )
    for w in d.warnings:
        lines.append(f"Warning: {w}")
    if d.ways_out:
        lines.append("Ways out:")
        for way in d.ways_out:
            opt = f"  [{way.option}]" if way.option else ""
            lines.append(f"  - {way.action}: {way.detail}{opt}")
    return "\n".join(lines)


def retarget(config: ABConfig, platform: Platform) -> ABConfig:
    """The same test re-sized for another platform (its split rules differ); refuses if needed."""
    if config.platform == platform:
        return config
    d = config.design
    limits = platform_limits(platform)
    base = Baseline(rate=d.baseline_rate, source=d.baseline_source, detail=d.baseline_detail)
    design = design_test(
        base,
        d.segment_size,
        len(config.arms),
        platform,
        metric=d.metric,
        mde=d.mde,
        alpha=d.alpha,
        power=d.power,
        wait_hours=d.wait_hours,
        what=" x ".join(config.variables),
        full_send="send_time" in config.variables and limits.send_time_forces_full_send,
    )
    if design.status == "refused":
        raise PlanError(f"on {platform}: {design.verdict}")
    data = config.model_dump(mode="json")
    data.update(platform=platform, design=design.model_dump(mode="json"))
    return ABConfig.model_validate(data)
