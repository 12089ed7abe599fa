"""What each platform's A/B testing allows, read from its vendor folder's limits.yaml."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from copilot.errors import ConfigError
from copilot.io.abconfig import Metric, Platform, Variable
from copilot.io.loader import load_model

#: the package holding one folder per vendor; a vendor's limits are <folder>/limits.yaml
VENDORS = Path(__file__).resolve().parent
LIMITS_FILE = "limits.yaml"


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
    #: what the vendor calls the split setting, as plan reports print it
    split_label: str
    wait_hours: Range
    winner_metrics: dict[Metric, str]
    send_time_forces_full_send: bool = False


def platform_limits(platform: Platform) -> PlatformLimits:
    """Limits for `platform`, from copilot/platforms/<platform>/limits.yaml (read once)."""
    path = VENDORS / platform / LIMITS_FILE
    if not path.is_file():
        known = sorted(p.parent.name for p in VENDORS.glob(f"*/{LIMITS_FILE}"))
        raise ConfigError(f"no A/B limits for platform {platform!r}; known: {', '.join(known)}")
    limits = load_model(path, PlatformLimits)
    if limits.name != platform:
        raise ConfigError(f"{path}: field 'name' is {limits.name!r}, not its folder {platform!r}")
    return limits
