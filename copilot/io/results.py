"""Measured results of one A/B test, per arm, whatever platform or file they came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from copilot.io.abconfig import Metric


class ArmResult(BaseModel):
    """Recipients, unique opens and unique clicks of one arm."""

    label: str
    subject: str
    preheader: str = ""
    recipients: int = Field(ge=0)
    opens: int = Field(ge=0)
    clicks: int = Field(ge=0)

    @model_validator(mode="after")
    def _within(self) -> ArmResult:
        for name in ("opens", "clicks"):
            if getattr(self, name) > self.recipients:
                raise ValueError(
                    f"arm {self.label}: {name} ({getattr(self, name)}) exceed recipients "
                    f"({self.recipients})"
                )
        return self

    def events(self, metric: Metric) -> int:
        return self.clicks if metric == "clicks" else self.opens

    def rate(self, metric: Metric) -> float:
        return self.events(metric) / self.recipients if self.recipients else 0.0


class ABResult(BaseModel):
    """All arms of one test; the first arm is the control."""

    source: Literal["mailchimp", "brevo", "csv"]
    campaign_id: str
    sent_at: str | None = None
    arms: list[ArmResult] = Field(min_length=2)
    notes: list[str] = Field(default_factory=list)
