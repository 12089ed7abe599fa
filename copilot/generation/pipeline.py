"""The one candidate filter chain every drafted subject line goes through, whoever drafted it
(a fresh set, a sequence step, a refinement): render merge tags -> drop offers the brief does not
make -> drop copies of past lines (and other repeats the caller names) -> drop near-duplicates of
the lines already kept -> score -> set aside failures (and, with a gate, hold back the lines
below it). Every dropped draft is kept as a `Rejected` with its reason.

The steps are also usable one by one (`Filter`s), for a caller that runs a chain of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from copilot.generation.angles import infer_angle
from copilot.generation.offer_rules import offer_problems
from copilot.generation.parsing import Draft
from copilot.generation.tags import subject_key, with_fallbacks
from copilot.io.brief import Brief
from copilot.knowledge.context import BrandContext
from copilot.knowledge.embeddings import get_embedder
from copilot.platforms.tags import MergeTagError, render_tags
from copilot.settings import Settings
from copilot.variants import CheckResult, Variant


class Rejected(BaseModel):
    """A drafted line that was not kept, and why."""

    subject: str
    preheader: str = ""
    reason: str


#: one step of the chain: the variants it keeps, and why the others were dropped
Kept = tuple[list[Variant], list[Rejected]]
Filter = Callable[[list[Variant]], Kept]
#: fills score, checks and explanation on a batch (the evaluators)
Score = Callable[[list[Variant]], list[Variant]]
#: the checks of a scored variant that keep it from being used
Failing = Callable[[Variant], list[CheckResult]]
#: why a variant clearing every check is still held back ('' when it is not)
Gate = Callable[[Variant], str]


def rejection(variant: Variant, reason: str) -> Rejected:
    """The rejection record of a variant."""
    return Rejected(subject=variant.subject, preheader=variant.preheader, reason=reason)


def render_line(text: str, brief: Brief) -> str:
    """Neutral merge tags in the brief's platform syntax (bare name tags get a fallback first);
    raises MergeTagError for a field the brief does not list."""
    return render_tags(with_fallbacks(text), brief.platform, brief.personalization)


def failure_reason(checks: Iterable[CheckResult]) -> str:
    """Failed checks as one reason: 'name: message; name: message'."""
    return "; ".join(f"{c.name}: {c.message}" for c in checks)


def failed_checks(variant: Variant) -> list[CheckResult]:
    """Every failed check, hard or soft (a soft score's failure drops a draft too)."""
    return [c for c in variant.checks if c.status == "fail"]


def render_drafts(
    drafts: Sequence[Draft], brief: Brief, sources: list[str]
) -> tuple[list[tuple[Draft, Variant]], list[Rejected]]:
    """Each draft with its variant in the brief's platform syntax; drafts using fields the brief
    does not list are rejected."""
    out: list[tuple[Draft, Variant]] = []
    dropped: list[Rejected] = []
    for d in drafts:
        try:
            subject = render_line(d.subject, brief)
            preheader = render_line(d.preheader, brief)
        except MergeTagError as exc:
            dropped.append(Rejected(subject=d.subject, preheader=d.preheader, reason=str(exc)))
            continue
        variant = Variant(
            subject=subject,
            preheader=preheader,
            angle=d.angle or infer_angle(d.subject),
            sources=sources,
        )
        out.append((d, variant))
    return out, dropped


def drop_other_offers(brief: Brief) -> Filter:
    """Drop drafts stating a discount or code the brief's offer does not (the brief's offer is
    the only one the copy may state, even when products.md lists others)."""

    def step(variants: list[Variant]) -> Kept:
        keep, dropped = [], []
        for v in variants:
            problems = offer_problems(f"{v.subject}\n{v.preheader}", brief.offer)
            if problems:
                dropped.append(rejection(v, "; ".join(problems)))
            else:
                keep.append(v)
        return keep, dropped

    return step


def drop_repeats(
    taken: Iterable[str], key: Callable[[Variant], str], reason: str, *, within: bool = False
) -> Filter:
    """Drop drafts whose `key` is already `taken`; `within`: also a draft repeating an earlier
    draft of the same batch."""
    seen = set(taken)

    def step(variants: list[Variant]) -> Kept:
        keep, dropped = [], []
        for v in variants:
            k = key(v)
            if k in seen:
                dropped.append(rejection(v, reason))
                continue
            if within:
                seen.add(k)
            keep.append(v)
        return keep, dropped

    return step


def past_subjects(context: BrandContext) -> set[str]:
    """The subjects of the brand's past campaigns and retrieved top performers, as compared."""
    past = {subject_key(c.subject, c.platform or "mailchimp") for c in context.brand.campaigns}
    past |= {
        subject_key(i.metadata.get("subject", ""), i.metadata.get("platform") or "mailchimp")
        for i in context.top_performers
    }
    return past


def drop_past_lines(brief: Brief, context: BrandContext) -> Filter:
    """Drop drafts that repeat a past campaign's subject word for word (the model copied it)."""
    return drop_repeats(
        past_subjects(context),
        lambda v: subject_key(v.subject, brief.platform),
        "copies a past subject line",
    )


def drop_near_duplicates(
    variants: list[Variant], kept: Sequence[Variant], settings: Settings
) -> Kept:
    """Drop exact and near-duplicates (embedding similarity of the subject lines) of earlier
    variants. The subject is what a subject-line test varies: two lines that share the brief's
    offer as their preheader are still two tests, and a long shared preheader would otherwise
    make them look alike."""
    if not variants:
        return [], []
    embedder = get_embedder(settings.embedding_model)
    pool = [*kept, *variants]
    vecs = embedder.encode([v.subject for v in pool])
    accepted: list[int] = list(range(len(kept)))
    dropped: list[Rejected] = []
    for i in range(len(kept), len(pool)):
        v = pool[i]
        sims = [float(vecs[i] @ vecs[j]) for j in accepted]
        best = int(np.argmax(sims)) if sims else -1
        if sims and sims[best] >= settings.near_duplicate_threshold:
            dropped.append(
                rejection(
                    v,
                    f"near-duplicate of {pool[accepted[best]].subject!r} (similarity {sims[best]:.2f})",
                )
            )
        else:
            accepted.append(i)
    return [pool[i] for i in accepted[len(kept) :]], dropped


@dataclass
class Screened:
    """What came through the chain: the usable variants, those held back below the gate, and
    every dropped draft with its reason, in the order they were dropped."""

    good: list[Variant] = field(default_factory=list)
    reserve: list[Variant] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass
class CandidateChain:
    """The chain for one brief: `run` takes drafts, `screen` variants already rendered.

    `render` turns drafts into variants (the subject generator's, which also records how each
    was drafted); `filters` run in order before the near-duplicate step; `failing` says which
    failed checks drop a scored draft; `gate` holds a draft back in the reserve.
    """

    render: Callable[[list[Draft]], Kept]
    filters: Sequence[Filter]
    settings: Settings
    score: Score
    failing: Failing = failed_checks
    gate: Gate | None = None

    def run(self, drafts: list[Draft], kept: Sequence[Variant] = ()) -> Screened:
        """Render the drafts, then `screen` them."""
        variants, dropped = self.render(drafts)
        return self.screen(variants, kept, dropped)

    def screen(
        self,
        variants: list[Variant],
        kept: Sequence[Variant] = (),
        dropped: Sequence[Rejected] = (),
    ) -> Screened:
        """Filters, near-duplicates of `kept` (and of each other), score, set aside failures."""
        out = Screened(rejected=list(dropped))
        for step in self.filters:
            variants, gone = step(variants)
            out.rejected.extend(gone)
        fresh, dups = drop_near_duplicates(variants, kept, self.settings)
        out.rejected.extend(dups)
        for v in self.score(fresh) if fresh else []:
            fails = self.failing(v)
            if fails:
                out.rejected.append(rejection(v, failure_reason(fails)))
            elif self.gate is not None and self.gate(v):
                out.reserve.append(v)
            else:
                out.good.append(v)
        return out
