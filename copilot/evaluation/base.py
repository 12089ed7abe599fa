"""The one evaluator interface and the registry that looks evaluators up by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant


class Evaluator(Protocol):
    """Scores a batch of variants; returns one CheckResult per variant, in order."""

    name: str
    #: a hard evaluator's "fail" means the variant is never delivered as-is
    hard: bool

    def evaluate(
        self, variants: Sequence[Variant], brief: Brief, context: BrandContext
    ) -> list[CheckResult]: ...


class Unavailable(Exception):
    """A soft evaluator has no score to give: switched off when created, or nothing usable for
    this set when evaluating. Scoring leaves its component out (weights renormalise)."""


EvaluatorFactory = Callable[[Settings], Evaluator]
_REGISTRY: dict[str, EvaluatorFactory] = {}


def register(name: str) -> Callable[[EvaluatorFactory], EvaluatorFactory]:
    """Decorator: make an evaluator factory available under `name`."""

    def wrap(factory: EvaluatorFactory) -> EvaluatorFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def available() -> list[str]:
    return sorted(_REGISTRY)


def create(name: str, settings: Settings) -> Evaluator:
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown evaluator {name!r}; known: {', '.join(available())}") from None
    return factory(settings)
