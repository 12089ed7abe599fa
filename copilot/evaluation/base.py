"""The one evaluator interface and the registry that looks evaluators up by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

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


def skipped(name: str, reason: str) -> CheckResult:
    """The result of a check that does not apply to one variant: reported (its key stays in
    every result), never counted as a pass or a failure, and left out of the score."""
    return CheckResult(name=name, status="skip", score=0.0, message=reason)


class Unavailable(Exception):
    """A soft evaluator has no score to give: switched off when created, or nothing usable for
    this set when evaluating. Scoring leaves its component out (weights renormalise)."""


EvaluatorFactory = Callable[..., Evaluator]
_REGISTRY: dict[str, EvaluatorFactory] = {}
#: evaluators whose factory takes the run's model (`factory(settings, model)`)
_TAKES_MODEL: set[str] = set()


def register(
    name: str, *, takes_model: bool = False
) -> Callable[[EvaluatorFactory], EvaluatorFactory]:
    """Decorator: make an evaluator factory available under `name`; with `takes_model`, it is
    given the model of the run that scores (None: the configured one)."""

    def wrap(factory: EvaluatorFactory) -> EvaluatorFactory:
        _REGISTRY[name] = factory
        if takes_model:
            _TAKES_MODEL.add(name)
        return factory

    return wrap


def available() -> list[str]:
    return sorted(_REGISTRY)


def create(name: str, settings: Settings, model: Any = None) -> Evaluator:
    """The evaluator `name`; `model` is the run's language model, for those that use one."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown evaluator {name!r}; known: {', '.join(available())}") from None
    return factory(settings, model) if name in _TAKES_MODEL else factory(settings)
