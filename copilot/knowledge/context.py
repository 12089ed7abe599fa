"""What retrieval hands to generators and evaluators for one brief."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from copilot.knowledge.brand import BrandKB


class RetrievedItem(BaseModel):
    """A chunk of the KB with where it came from and, for past campaigns, its results."""

    id: str
    kind: Literal["voice", "product", "campaign"]
    text: str
    source: str
    similarity: float = 0.0
    rank_score: float = 0.0
    metrics: dict[str, float] = Field(default_factory=dict)
    metadata: dict[str, str] = Field(default_factory=dict)


class BrandContext(BaseModel):
    """Retrieved material for a brief plus the parsed brand (facts for grounding, voice rules)."""

    brand: BrandKB
    voice: list[RetrievedItem] = Field(default_factory=list)
    products: list[RetrievedItem] = Field(default_factory=list)
    top_performers: list[RetrievedItem] = Field(default_factory=list)

    def all_items(self) -> list[RetrievedItem]:
        return [*self.voice, *self.products, *self.top_performers]
