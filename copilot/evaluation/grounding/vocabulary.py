"""The claim vocabulary: the schema of data/claims.yaml (number words, currencies, units, role
cues, free things, offers, promises), loaded once and validated."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

from copilot.io.loader import load_model

DATA = Path(__file__).resolve().parent / "data"


class FreeVocab(BaseModel):
    not_claims: list[str]
    after_object: list[str]
    before_object: list[str]
    skip_words: list[str]
    stop_words: list[str]
    objects: dict[str, list[str]]
    generic: list[str]
    vague: str
    services: list[str]


class Currencies(BaseModel):
    symbols: dict[str, str]
    words: dict[str, str]
    cents: list[str]


class ClaimVocab(BaseModel):
    number_words: dict[str, float]
    article_numbers: list[str]
    currencies: Currencies
    duration_units: dict[str, float]
    duration_phrases: dict[str, float]
    quantity_units: dict[str, str]
    label_words: list[str]
    roles: dict[str, dict[str, list[str]]]
    weekdays: dict[str, list[str]]
    months: dict[int, list[str]]
    month_cues: list[str]
    year_cues: list[str]
    deadline_phrases: list[str]
    scarcity_phrases: list[str]
    free: FreeVocab
    loyalty: dict[str, list[str]]
    multipliers: dict[str, int]
    guarantee: dict[str, list[str]]
    bogo: list[str]
    accolades: dict[str, list[str]]
    negations: list[str] = Field(default_factory=list)
    duration_objects: dict[str, list[str]] = Field(default_factory=dict)
    article_duration_after: list[str] = Field(default_factory=list)
    money_periods: dict[str, list[str]] = Field(default_factory=dict)
    money_period_skip: list[str] = Field(default_factory=list)
    bare_number_min: float = 2
    offer_count_words: list[str] = Field(default_factory=list)
    promises: dict[str, list[str]] = Field(default_factory=dict)


@cache
def vocab() -> ClaimVocab:
    """The claim vocabulary from data/claims.yaml (loaded once)."""
    return load_model(DATA / "claims.yaml", ClaimVocab)
