"""What each platform's A/B testing allows, read from data/platforms.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from copilot.io.abconfig import Metric, Platform, Variable


class Range(BaseModel):
    min: int
    max: int | None = None


class PlatformLimits(BaseModel):
    """Limits of one platform's A/B feature."""

    name: Platform
    max_options_per_variable: int
    max_combinations: int
    variables: list[Variable]
    multivariate: bool
    test_share_percent: Range | None = None
    split_percent_per_arm: Range | None = None
    wait_hours: Range
    winner_metrics: dict[Metric, str]
    send_time_forces_full_send: bool = False


@cache
def platform_limits(platform: Platform) -> PlatformLimits:
    """Limits for `platform` (mailchimp or brevo)."""
    data = yaml.safe_load((Path(__file__).parent / "data" / "platforms.yaml").read_text("utf-8"))
    return PlatformLimits.model_validate({"name": platform, **data[platform]})
