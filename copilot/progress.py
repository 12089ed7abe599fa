"""Progress reports: a message and the fraction of the work done (0 to 1), what the CLI and UI show."""

from __future__ import annotations

from collections.abc import Callable

#: progress(message, fraction done); every long-running function takes one of these
Progress = Callable[[str, float], None]


def quiet(message: str, fraction: float) -> None:
    """The report of a caller that shows no progress."""
    del message, fraction


def scaled(progress: Progress, start: float, end: float) -> Progress:
    """A part of the work that runs from `start` to `end` of the whole: its own fractions
    (0 to 1) are reported as that share."""
    return lambda message, fraction: progress(message, start + (end - start) * fraction)
