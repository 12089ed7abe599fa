"""`results import` as one library call: judge the test, append it to the KB, re-ingest."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from copilot.errors import CopilotError
from copilot.io.abconfig import ABConfig, Metric
from copilot.io.results import ABResult
from copilot.knowledge.feedback import AppendReport, ab_test_id_for, append_outcomes, outcome_rows
from copilot.knowledge.ingest import ingest_brand
from copilot.planning.baseline import planning_defaults
from copilot.planning.power import n_per_arm, per_comparison_alpha
from copilot.results.verdict import Verdict, judge
from copilot.settings import Settings


class ResultsError(CopilotError):
    """Results cannot be imported as asked (missing context, mismatched config)."""


class ImportReport(BaseModel):
    """The verdict, what was appended, and what the re-ingest did."""

    result: ABResult
    verdict: Verdict
    appended: AppendReport
    ingested: dict[str, object] | None = None


def _observed_rate(result: ABResult, metric: Metric, mde: float) -> float:
    """The pooled rate of `metric` over every arm, or the stated default when it is unusable."""
    pooled_events = sum(a.events(metric) for a in result.arms)
    pooled_n = sum(a.recipients for a in result.arms)
    rate = pooled_events / pooled_n if pooled_n else 0.0
    if not 0.0 < rate < 1.0 / (1.0 + mde):
        rate = planning_defaults().default_baseline.rate(metric)
    return rate


def planned_sample(result: ABResult, metric: Metric, config: ABConfig | None) -> tuple[int, str]:
    """Per-arm sample the test needs on `metric`: the plan's own figure when the plan was sized
    on that metric; the plan's lift and power at the observed rate when it was sized on the
    other one (an opens plan says nothing about the sample a clicks verdict needs); without a
    plan, the default design's."""
    k = len(result.arms)
    if config is not None:
        design = config.design
        if design.metric == metric:
            return design.n_per_arm_required, f"plan {config.test_id}"
        rate = _observed_rate(result, metric, design.mde)
        n = n_per_arm(rate, design.mde, per_comparison_alpha(design.alpha, k), design.power)
        return n, (
            f"plan {config.test_id} was sized on {design.metric}; for {metric}: its "
            f"+{design.mde:.0%} lift and {design.power:.0%} power at the observed {rate:.2%} "
            f"{metric[:-1]} rate"
        )
    d = planning_defaults()
    mde = d.mde
    rate = _observed_rate(result, metric, mde)
    n = n_per_arm(rate, mde, per_comparison_alpha(d.alpha, k), d.power)
    return n, (
        f"no plan given: the default design (+{mde:.0%} lift, "
        f"{d.power:.0%} power) at the observed {rate:.2%} rate"
    )


def import_results(
    result: ABResult,
    brand_dir: Path,
    goal: str,
    segment: str,
    platform: str,
    metric: Metric,
    settings: Settings | None,
    config: ABConfig | None = None,
    sent_at: str | None = None,
    reingest: bool = True,
) -> ImportReport:
    """Judge the result, append every arm to past_campaigns.csv and re-ingest the brand."""
    planned, source = planned_sample(result, metric, config)
    alpha = config.design.alpha if config is not None else planning_defaults().alpha
    verdict = judge(result, metric, planned, source, alpha=alpha)
    rows = outcome_rows(result, goal, segment, platform, ab_test_id_for(result, config), sent_at)
    appended = append_outcomes(brand_dir, rows)
    ingested = None
    if reingest:
        if settings is None:
            raise ResultsError("re-ingesting needs settings; pass them or skip with --no-ingest")
        ingested = ingest_brand(brand_dir, settings).model_dump(mode="json")
    return ImportReport(result=result, verdict=verdict, appended=appended, ingested=ingested)
