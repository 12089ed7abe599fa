"""A GBNF grammar for the few-shot draft frame, so a base model's call always yields a subject
line and a preheader and no call is spent on format.

The continuation of "Subject:" must be ' <subject>\\nPreheader: <preheader>\\n'. Inside a line
the model may write letters, spaces and ordinary punctuation; digits and currency or percent
signs only as the numbers the brief's offer states (so a draft cannot invent "2 months" or
"$90"), and merge tags only as the brief's fields in the neutral form ({{FNAME}}).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from copilot.io.brief import Brief
from copilot.llm.base import Completion

#: longest subject / preheader the grammar lets through (the length checks judge the rest)
SUBJECT_CHARS = 50
PREHEADER_CHARS = 130
_NUMBER = re.compile(r"[$£€]?\d[\d,.]*(?:%|\s?(?:oz|lb|kg|g|ml|l)\b)?")


@runtime_checkable
class GrammarLLM(Protocol):
    """A model that can complete a prompt under a GBNF grammar (llama.cpp)."""

    def complete_with_grammar(
        self,
        prompt: str,
        grammar: str,
        *,
        max_tokens: int,
        temperature: float | None = None,
        seed: int | None = None,
    ) -> Completion: ...


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a GBNF string literal uses JSON's escapes


def offer_tokens(brief: Brief) -> list[str]:
    """The numbers (with their sign or unit) and codes the brief's offer states."""
    offer = brief.offer or ""
    found = [m.group(0).rstrip(",.") for m in _NUMBER.finditer(offer)]
    found += re.findall(r"\b[A-Z]{2,}\d+[A-Z0-9]*\b", offer)  # codes such as WELCOME10
    return sorted(set(found), key=len, reverse=True)


def draft_grammar(
    brief: Brief, subjects: Sequence[str] = (), preheaders: Sequence[str] = ()
) -> str:
    """The GBNF grammar of one completion-frame draft for this brief.

    A line is free text (under the rules above) unless choices are given: then it must be one
    of them word for word, and the model picks.
    """
    atoms = ["word", "punct", '" "']
    rules = [
        'root ::= " " subject "\\nPreheader: " preheader "\\n"',
        "word ::= [a-zA-Z']",
        "punct ::= [,.?:;&\\-]",
    ]
    if subjects:
        rules.append("subject ::= " + " | ".join(_literal(s) for s in dict.fromkeys(subjects)))
    else:
        # a free subject ends on a word or a question mark, never on a comma or a dangling "on"
        rules.append(f"subject ::= first piece{{1,{SUBJECT_CHARS - 2}}} [a-zA-Z?]")
    if preheaders:
        rules.append("preheader ::= " + " | ".join(_literal(s) for s in dict.fromkeys(preheaders)))
    else:
        rules.append(f"preheader ::= first piece{{10,{PREHEADER_CHARS}}}")
    first = ["[A-Z]"]
    tags = [_literal("{{" + f + "}}") for f in brief.personalization]
    if tags:
        rules.append("tag ::= " + " | ".join(tags))
        atoms.append("tag")
        first.append("tag")
    numbers = [_literal(t) for t in offer_tokens(brief)]
    if numbers:
        rules.append("number ::= " + " | ".join(numbers))
        atoms.append("number")
        first.append("number")
    rules.append("first ::= " + " | ".join(first))
    rules.append("piece ::= " + " | ".join(atoms))
    return "\n".join(rules) + "\n"
