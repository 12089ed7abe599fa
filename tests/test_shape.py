"""Sentence shape: lines cut off by the model fail, finished lines (of any brand) pass."""

from __future__ import annotations

import pytest

from copilot.evaluation.scores.shape import shape_problems

UNFINISHED = [
    # delivered by the embedded model in the copy benchmark
    (
        "{{ contact.FIRSTNAME | default:'there' }}, you've selected a coffee. If it doesn't taste right, we'll",
        "subject",
    ),
    ("You are not a subscriber yet. If you have questions, contact:", "subject"),
    ("{{ contact.FIRSTNAME | default:'there' }} and your cart is still here. Order", "subject"),
    ("*|FNAME|* and your coffee is ready to order", "subject"),
    ("Your order ships with", "subject"),
    ("Three reasons to try the", "preheader"),
    ("Here is what we roast, and", "preheader"),
    ("Your cart (still saved", "subject"),
    ("Save on your first box;", "preheader"),
    ("New roast. New bag. New price", "subject"),
]
FINISHED = [
    ("A quick reminder about your cart", "subject"),
    ("{{FNAME}}, you left something in your cart", "subject"),
    ("*|FNAME|*'s picks are still in the cart", "subject"),
    ("Still thinking about your cart?", "subject"),
    ("New: Winter Harbor Blend, $18.00 for a 12 oz bag", "subject"),
    ("Here it is", "subject"),
    ("Our best roast yet", "subject"),
    ("Guess what we made for…", "subject"),
    ("Switch to yearly, get 2 months free", "subject"),
    ("Solo is £90 a year instead of £9 a month.", "preheader"),
    ("Your cart is saved. Take your time.", "subject"),
    ("Orders over $50 ship free, and returns are open for 60 days.", "preheader"),
    ("What you get", "subject"),
    ("The wait is over", "subject"),
]


@pytest.mark.parametrize(("text", "part"), UNFINISHED)
def test_unfinished_lines_are_named(text: str, part: str) -> None:
    problems = shape_problems(text, part)
    assert problems, text
    assert all(isinstance(p, str) and p for p in problems)


@pytest.mark.parametrize(("text", "part"), FINISHED)
def test_finished_lines_pass(text: str, part: str) -> None:
    assert shape_problems(text, part) == []


def test_the_problem_says_where_the_line_stops() -> None:
    (problem,) = shape_problems("If it doesn't taste right, we'll", "subject")
    assert "we'll" in problem
    (problem,) = shape_problems("Questions? Contact:", "preheader")
    assert "':'" in problem


def test_a_preheader_may_hold_several_sentences() -> None:
    text = "Your picks are saved. Orders over $40 ship free. Back to your cart in two clicks."
    assert shape_problems(text, "preheader") == []
    assert shape_problems(text, "subject")  # a subject is one thought


def test_empty_and_tag_only_lines_have_no_shape_to_judge() -> None:
    assert shape_problems("", "subject") == []
    assert shape_problems("*|MC_PREVIEW_TEXT|*", "preheader") == []
