"""The baseline rate of a test: the brand's own history for the goal and segment, else a default."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from copilot.io.abconfig import BaselineSource, Metric
from copilot.io.loader import load_model
from copilot.knowledge.brand import PastCampaign

_DATA = Path(__file__).parent / "data"

#: a share of recipients or a probability: strictly between 0 and 1
Share = Annotated[float, Field(gt=0.0, lt=1.0)]


class DefaultBaselines(BaseModel):
    """The rates assumed when the brand's history has no campaigns for the brief's goal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clicks: Share
    opens: Share

    def rate(self, metric: Metric) -> float:
        """The default rate of one metric."""
        return self.clicks if metric == "clicks" else self.opens


class WeakPlan(BaseModel):
    """When a plan is allowed but called weak."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: more than this share of the list is in the test, so the winner reaches few people
    test_share: Share
    #: it can only detect a relative lift this large or larger
    mde: float = Field(gt=0.0)


class PlanningDefaults(BaseModel):
    """Design defaults: baseline rates, alpha, power, lift, wait, weak-plan and selection thresholds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_baseline: DefaultBaselines
    min_history_recipients: int = Field(ge=0)
    alpha: Share
    power: Share
    mde: float = Field(gt=0.0)
    min_wait_hours: int = Field(ge=1)
    default_wait_hours: int = Field(ge=1)
    weak: WeakPlan
    near_duplicate_similarity: float = Field(gt=0.0, le=1.0)
    selection_score_weight: float = Field(ge=0.0, le=1.0)


def planning_defaults() -> PlanningDefaults:
    """Design defaults from data/defaults.yaml (validated once per process)."""
    return load_model(_DATA / "defaults.yaml", PlanningDefaults)


class Baseline(BaseModel):
    """A baseline rate and a sentence saying where it came from."""

    rate: float
    source: BaselineSource
    detail: str
    recipients: int = 0
    campaigns: int = 0


def _pooled(rows: Sequence[PastCampaign], metric: Metric) -> tuple[float, int]:
    recipients = sum(r.recipients for r in rows)
    events = sum(r.clicks if metric == "clicks" else r.opens for r in rows)
    return (events / recipients if recipients else 0.0), recipients


def baseline_rate(
    campaigns: Sequence[PastCampaign],
    goal: str,
    segment: str,
    metric: Metric,
    min_recipients: int | None = None,
) -> Baseline:
    """Recipients-weighted rate for goal+segment, else goal only, else the stated default."""
    defaults = planning_defaults()
    floor = int(defaults.min_history_recipients if min_recipients is None else min_recipients)
    label = "click rate" if metric == "clicks" else "open rate"
    tiers: list[tuple[BaselineSource, list[PastCampaign], str]] = [
        (
            "goal+segment",
            [c for c in campaigns if c.goal == goal and c.segment == segment],
            f"goal '{goal}' and segment '{segment}'",
        ),
        ("goal", [c for c in campaigns if c.goal == goal], f"goal '{goal}' (all segments)"),
    ]
    skipped: list[str] = []
    for source, rows, what in tiers:
        rate, recipients = _pooled(rows, metric)
        if rows and recipients >= floor and 0.0 < rate < 1.0:
            return Baseline(
                rate=rate,
                source=source,
                detail=(
                    f"{label} {rate:.2%} from the brand's history for {what}: "
                    f"{len(rows)} campaign(s), {recipients:,} recipients (recipients-weighted)"
                ),
                recipients=recipients,
                campaigns=len(rows),
            )
        if rows:
            skipped.append(f"{what} has only {recipients:,} recipients (< {floor:,})")
    rate = defaults.default_baseline.rate(metric)
    why = "; ".join(skipped) if skipped else f"no past campaigns for goal '{goal}'"
    return Baseline(
        rate=rate,
        source="default",
        detail=f"{label} {rate:.2%} is a stated default ({why}); the sample size is only as "
        "good as this guess",
    )
