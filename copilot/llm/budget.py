"""Fit retrieved context into the model's context window by dropping the least useful items first."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from copilot.errors import LLMError

T = TypeVar("T")
MIN_ITEM_CHARS = 120


def fit_prompt(
    render: Callable[[dict[str, list[T]]], str],
    groups: Mapping[str, Sequence[T]],
    drop_order: Sequence[str],
    count_tokens: Callable[[str], int],
    budget: int,
) -> tuple[str, dict[str, list[T]], int]:
    """Render with as many items as fit in `budget` tokens.

    Items in each group are ordered best first; groups are trimmed from the end in `drop_order`
    round-robin, so no single kind of context disappears while another still has spares.
    Returns the prompt, the kept items and the prompt's token count.
    """
    kept = {name: list(items) for name, items in groups.items()}
    prompt = render(kept)
    tokens = count_tokens(prompt)
    while tokens > budget:
        dropped = False
        for name in drop_order:
            if kept.get(name) and tokens > budget:
                kept[name].pop()
                dropped = True
                prompt = render(kept)
                tokens = count_tokens(prompt)
        if not dropped:
            break  # nothing left to drop: the caller reports the overflow
    return prompt, kept, tokens


def fit_or_raise(
    render: Callable[[dict[str, list[T]]], str],
    groups: Mapping[str, Sequence[T]],
    drop_order: Sequence[str],
    count_tokens: Callable[[str], int],
    budget: int,
) -> str:
    """The prompt from `fit_prompt`, or LLMError when even the fewest items overflow `budget`."""
    prompt, _kept, tokens = fit_prompt(render, groups, drop_order, count_tokens, budget)
    if tokens > budget:
        raise LLMError(
            f"the prompt needs {tokens} tokens but the model's window leaves {budget}; "
            "raise COPILOT_LLM_CONTEXT_WINDOW"
        )
    return prompt
