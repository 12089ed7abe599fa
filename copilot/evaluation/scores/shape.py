"""Sentence shape: does a subject line or preheader end where a sentence can end?

The fluency score reads word order; it does not see a line that was cut off. A base model stops
where its token budget or a stop string falls, and delivers lines such as "If it doesn't taste
right, we'll", "If you have questions, contact:" or "your cart is still here. Order": fluent
words, no finished thought. The rules below are plain English grammar, not tuned to any brand:

- a line may not end on a word that needs a following word (an article, a preposition, a
  conjunction, a possessive or a pronoun with its verb: "the", "to", "and", "your", "we'll"),
  nor on a comma, colon, semicolon, dash or open bracket;
- a subject line is one thought: at most one full stop inside it, and what follows the stop must
  be more than one stray word;
- brackets and quotes close;
- a first-name merge tag that opens a line is followed by a comma, a colon, a dash or "'s"
  ("Alex, your cart..."), not by running on ("Alex and your cart is still here").

`fluency` fails a line with any of these problems (it is shown in the score breakdown), so the
subject-line generator drops the draft.
"""

from __future__ import annotations

import re

from copilot.platforms.tags import strip_tags

#: words a sentence cannot end on (each needs a following word)
DANGLING = frozenset(
    """
    a an the my your our their its
    and or but nor because if when while than
    to of for with at from into onto via per
    is are was were been am will would can could should shall may might must does
    has have had
    we'll you'll they'll we're you're they're we've you've i'll i'm it's there's let's
    """.split()
)
#: a line that ends on closing punctuation is finished ("Guess what...", "Ready?")
_ENDS_PUNCT = re.compile(r"[.!?…)\"”’']$")
_NAME = "\x00"
#: pronouns after which "is"/"are" closes a sentence ("Here it is", "There you are")
_SUBJECTS = frozenset({"it", "they", "you", "we", "he", "she"})
_OPENERS = {"(": ")", "[": "]", "“": "”"}


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9$£€%][\w'’$£€%.-]*", text)


def shape_problems(text: str, part: str = "subject") -> list[str]:
    """What keeps `text` from reading as a finished line (an empty list when nothing does);
    `part` is 'subject' or 'preheader'. Merge tags count as a name."""
    marked = " ".join(strip_tags(text, lambda tag: "" if tag.system else _NAME).split())
    shown = marked.replace(_NAME, "Alex").strip()
    if not shown:
        return []
    problems: list[str] = []
    last = shown[-1]
    if last in ",:;-–—(/&":
        problems.append(f"it ends on {last!r}, in the middle of a sentence")
    else:
        words = _words(shown)
        if words:
            tail = words[-1].lower().replace("’", "'").rstrip(".")
            before = words[-2].lower() if len(words) > 1 else ""
            closes = tail in ("is", "are") and before in _SUBJECTS  # "Here it is"
            if tail in DANGLING and not closes and not _ENDS_PUNCT.search(shown):
                problems.append(f"it ends on {words[-1]!r}, which needs a word after it")
    for opener, closer in _OPENERS.items():
        if shown.count(opener) != shown.count(closer):
            problems.append(f"a {opener!r} is never closed")
    if shown.count('"') % 2:
        problems.append("a quotation mark is never closed")
    if part == "subject":
        body = shown.rstrip(".!?… ")
        stops = re.findall(r"[.!?]\s+(?=\S)", body)
        if len(stops) > 1:
            problems.append("it holds three sentences; a subject line is one thought")
        elif stops:
            after = re.split(r"[.!?]\s+(?=\S)", body)[-1]
            if len(_words(after)) <= 1 and not _ENDS_PUNCT.search(shown):
                problems.append(f"it trails off after the full stop ({after!r})")
    opening = re.match(rf"{_NAME}\s+([a-z]\w*)", marked)  # "Alex's" has no space: not matched
    if opening:
        problems.append(
            f"the first name runs on into {opening.group(1)!r}; follow a name with a comma"
        )
    return problems
