"""`results`: a finished A/B test in (a CSV, or the platform's report by campaign id), an
honest verdict out, and every arm appended to the brand's past campaigns. `copilot results
import` calls `import_ab_results`; the Results page reads, judges and records in three steps."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel
from statsmodels.stats.proportion import proportion_confint

from copilot.io.abconfig import ABConfig, Metric
from copilot.io.abconfig import Platform as PlatformName
from copilot.io.brief import Brief
from copilot.io.results import ABResult
from copilot.knowledge.brand import brand_folder
from copilot.planning.baseline import planning_defaults
from copilot.platforms import registry
from copilot.platforms.http import retry_policy
from copilot.platforms.results import read_results_csv
from copilot.results.importer import ImportReport, ResultsError, import_results, planned_sample
from copilot.results.verdict import Verdict, judge, render_verdict
from copilot.settings import Settings

__all__ = [
    "CI_LEVEL",
    "ABResult",
    "ArmRate",
    "ImportReport",
    "ResultsError",
    "ResultsImport",
    "ResultsRequest",
    "Verdict",
    "arm_rates",
    "fetch_results",
    "import_ab_results",
    "judge_result",
    "read_results_csv",
    "record_results",
    "render_verdict",
]

#: confidence level of the per-arm rate intervals
CI_LEVEL = 0.95


class ResultsRequest(BaseModel):
    """Where the results are (a CSV, or a platform and campaign id) and what the test was:
    the config it was exported from, else a brief, else brand, goal and segment given alone."""

    platform: PlatformName | None = None
    campaign: str | None = None
    csv_file: Path | None = None
    config: ABConfig | None = None
    brief: Brief | None = None
    brand: str | None = None
    goal: str | None = None
    segment: str | None = None
    #: the metric to judge; default: the plan's, else clicks
    metric: Metric | None = None
    #: the send date for the KB rows; default: the platform's
    sent_at: str | None = None
    reingest: bool = True


class ResultsImport(BaseModel):
    """The brand the outcome went to, and the import's report (result, verdict, rows added)."""

    brand: str
    report: ImportReport


class ArmRate(BaseModel):
    """One arm's rate with its Wilson interval, and how it compares with the control."""

    label: str
    control: bool
    subject: str
    recipients: int
    events: int
    rate: float
    ci_low: float
    ci_high: float
    lift: float | None = None
    p_value: float | None = None
    p_beats_control: float | None = None
    p_best: float | None = None


def fetch_results(
    platform: PlatformName, campaign_id: str, config: ABConfig | None, settings: Settings
) -> ABResult:
    """The campaign's per-arm numbers from the platform, with the key from settings."""
    target = registry.get(platform)
    with target.client(settings) as client:
        return target.fetch_results(campaign_id, config, client, retry_policy(settings))


def judge_result(result: ABResult, metric: Metric, config: ABConfig | None) -> Verdict:
    """The verdict on `metric`, against the plan's sample (or the default design's)."""
    planned, source = planned_sample(result, metric, config)
    alpha = config.design.alpha if config is not None else planning_defaults().alpha
    return judge(result, metric, planned, source, alpha=alpha)


def record_results(
    result: ABResult,
    brand: str,
    goal: str,
    segment: str,
    platform: str,
    metric: Metric,
    settings: Settings,
    config: ABConfig | None = None,
    sent_at: str | None = None,
    reingest: bool = True,
) -> ImportReport:
    """Judge the result, append every arm to the brand's past_campaigns.csv, re-ingest it."""
    return import_results(
        result,
        brand_folder(settings.kb_dir, brand),
        goal,
        segment,
        platform,
        metric,
        settings,
        config=config,
        sent_at=sent_at,
        reingest=reingest,
    )


def import_ab_results(request: ResultsRequest, settings: Settings) -> ResultsImport:
    """Read the results, judge them and feed them back (ResultsError says what is missing)."""
    cfg, brief = request.config, request.brief
    brand = request.brand or (cfg.brand if cfg else None) or (brief.brand if brief else None)
    goal = request.goal or (cfg.goal if cfg else None) or (brief.goal.value if brief else None)
    segment = (
        request.segment or (cfg.segment if cfg else None) or (brief.segment.name if brief else None)
    )
    missing = [
        n for n, v in (("--brand", brand), ("--goal", goal), ("--segment", segment)) if not v
    ]
    if missing:
        raise ResultsError(
            f"{', '.join(missing)} unknown: pass --config (the plan file), --brief, or "
            f"{' '.join(missing)}"
        )
    assert brand and goal and segment
    if cfg is not None and request.brand and request.brand != cfg.brand:
        raise ResultsError(f"--brand {request.brand} differs from the config's brand {cfg.brand}")
    if request.csv_file is not None:
        result = read_results_csv(request.csv_file, cfg, request.campaign)
        source: str = request.platform or (cfg.platform if cfg else "csv")
    elif request.campaign and request.platform:
        if cfg is None:
            raise ResultsError(
                "--campaign needs --config (the plan file) to know the arms, goal and segment"
            )
        result = fetch_results(request.platform, request.campaign, cfg, settings)
        source = request.platform
    else:
        raise ResultsError(
            "say where the results are: --platform "
            f"{'|'.join(registry.names())} --campaign ID, or --csv FILE"
        )
    report = record_results(
        result,
        brand,
        goal,
        segment,
        source,
        request.metric or (cfg.design.metric if cfg else "clicks"),
        settings,
        config=cfg,
        sent_at=request.sent_at,
        reingest=request.reingest,
    )
    return ResultsImport(brand=brand, report=report)


def arm_rates(result: ABResult, verdict: Verdict) -> list[ArmRate]:
    """Per-arm rate with a Wilson interval (CI_LEVEL), lift, p-value and Bayesian
    probabilities, in the result's arm order."""
    by_label = {c.label: c for c in verdict.comparisons}
    rates: list[ArmRate] = []
    for arm in result.arms:
        events = arm.events(verdict.metric)
        low, high = proportion_confint(events, arm.recipients, 1 - CI_LEVEL, method="wilson")
        comp = by_label.get(arm.label)
        rates.append(
            ArmRate(
                label=arm.label,
                control=arm.label == verdict.control,
                subject=arm.subject,
                recipients=arm.recipients,
                events=events,
                rate=arm.rate(verdict.metric),
                ci_low=float(low),
                ci_high=float(high),
                lift=comp.lift if comp else None,
                p_value=comp.p_value if comp else None,
                p_beats_control=comp.p_beats_control if comp else None,
                p_best=verdict.p_best.get(arm.label),
            )
        )
    return rates
