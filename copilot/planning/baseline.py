"""The baseline rate of a test: the brand's own history for the goal and segment, else a default."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from copilot.io.abconfig import BaselineSource, Metric
from copilot.knowledge.brand import PastCampaign

_DATA = Path(__file__).parent / "data"


@cache
def planning_defaults() -> dict[str, Any]:
    """Design defaults from data/defaults.yaml (baseline rates, alpha, power, thresholds)."""
    data = yaml.safe_load((_DATA / "defaults.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):  # pragma: no cover - packaging error
        raise RuntimeError("copilot/planning/data/defaults.yaml must be a mapping")
    return data


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
    floor = int(defaults["min_history_recipients"] if min_recipients is None else min_recipients)
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
    rate = float(defaults["default_baseline"][metric])
    why = "; ".join(skipped) if skipped else f"no past campaigns for goal '{goal}'"
    return Baseline(
        rate=rate,
        source="default",
        detail=f"{label} {rate:.2%} is a stated default ({why}); the sample size is only as "
        "good as this guess",
    )
