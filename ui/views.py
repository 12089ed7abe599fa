"""Presentation helpers shared by pages: tables and chart data from library models (no Streamlit).

Merge tags follow one rule on every page: previews show a sample contact
(`preview_with_sample_contact`), edit boxes and payload views keep the platform's own syntax
(`in_platform_syntax`), and `tag_legend` says, in one short line, how the two relate. Pages import
these three names; keep them stable.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

import pandas as pd

from copilot.app import preview
from copilot.app.export import platform_label
from copilot.app.knowledge import BrandContext, RetrievedItem
from copilot.app.plan import sample_size_curve as curve_points
from copilot.app.preview import SAMPLE_CONTACT
from copilot.app.results import Verdict, arm_rates
from copilot.app.sequence import SequencePlan
from copilot.io.abconfig import Design
from copilot.io.results import ABResult
from copilot.variants import CheckResult, Variant

STATUS_ICON = {"pass": "✓", "warn": "⚠", "fail": "✗", "skip": "–"}
STATUS_COLOR = {"pass": "green", "warn": "orange", "fail": "red", "skip": "gray"}
#: Material icons render from Streamlit's own font, on machines without emoji fonts too
STATUS_MATERIAL = {
    "pass": ":material/check:",
    "warn": ":material/warning:",
    "fail": ":material/close:",
    "skip": ":material/remove:",
}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Copy shown inside Streamlit markdown as typed: merge tags, prices and emphasis marks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def html_data_url(html: str) -> str:
    """Email HTML as a data: URL, so its preview iframe has an opaque origin of its own (the
    copy is model-written; sanitised, but it never gets the app's origin)."""
    return "data:text/html;charset=utf-8;base64," + base64.b64encode(html.encode()).decode()


def badge(check: CheckResult) -> str:
    """A Streamlit markdown badge for one check, coloured by status."""
    return f":{STATUS_COLOR[check.status]}-badge[{STATUS_MATERIAL[check.status]} {check.name}]"


def checks_line(checks: Sequence[CheckResult]) -> str:
    """Compact text: failed and warned checks by name, the rest counted."""
    if not checks:
        return "not scored"
    bad = [f"{STATUS_ICON[c.status]} {c.name}" for c in checks if c.status in ("warn", "fail")]
    passed = sum(1 for c in checks if c.status == "pass")
    return " ".join([*bad, f"✓ {passed} passed"]) if passed else " ".join(bad)


def inbox_text(text: str) -> str:
    """The subject as an inbox shows it: merge tags as their fallback or a sample name."""
    return preview.inbox_text(text)


def platform_title(platform: str) -> str:
    """A platform's name as people write it (the plugin's label)."""
    return platform_label(platform)


def preview_with_sample_contact(text: str, platform: str) -> str:
    """Copy or email HTML as the sample contact receives it: merge tags of any syntax (neutral,
    Mailchimp, Brevo) become the contact's value or the tag's fallback; system tags (unsubscribe,
    web version) become a placeholder link. Layout and spacing are kept.

    `platform` is the platform the copy is written for; tags of every known syntax are filled
    anyway, so a preview never shows raw tags.
    """
    del platform  # every syntax is filled; the argument keeps call sites explicit
    return preview.with_sample_contact(text)


def in_platform_syntax(text: str, platform: str) -> str:
    """Copy for edit boxes and payload views: neutral tags written in the platform's own syntax."""
    return preview.in_platform_syntax(text, platform)


def tag_legend(platform: str) -> str:
    """One Markdown line: what previews show, and how the platform writes the same tags."""
    tags = preview.tag_examples(platform)
    if tags is None:
        return (
            f"Previews show a sample contact (first name “{SAMPLE_CONTACT['FNAME']}”); "
            "edit boxes keep the tags as written."
        )
    return (
        f"Previews show a sample contact: “{SAMPLE_CONTACT['FNAME']}” is the first name. "
        f"Edit boxes and downloads use {platform_title(platform)}'s tags: `{tags.first_name}` "
        f"first name, `{tags.with_fallback}` first name or “there” when it is empty, "
        f"`{tags.unsubscribe}` unsubscribe link."
    )


def score_text(score: float | None) -> str:
    return "–" if score is None else f"{score:.0f}"


def variants_frame(variants: Sequence[Variant], picked: Sequence[int] = ()) -> pd.DataFrame:
    """One row per variant: number, pick, subject, preheader, angle, score and checks."""
    rows = [
        {
            "#": i + 1,
            "test": i in picked,
            "inbox": inbox_text(v.subject),
            "score": v.score,
            "angle": v.angle,
            "checks": checks_line(v.checks),
            "subject": v.subject,
            "preheader": v.preheader,
        }
        for i, v in enumerate(variants)
    ]
    columns = ["#", "test", "inbox", "score", "angle", "checks", "subject", "preheader"]
    return pd.DataFrame(rows, columns=columns)


def checks_frame(checks: Sequence[CheckResult]) -> pd.DataFrame:
    """The score breakdown of one variant: every check with status, score and message."""
    return pd.DataFrame(
        [
            {
                "check": c.name,
                "status": f"{STATUS_ICON[c.status]} {c.status}",
                "score": round(c.score, 3),
                "message": c.message,
            }
            for c in checks
        ],
        columns=["check", "status", "score", "message"],
    )


def components_frame(variants: Sequence[Variant]) -> pd.DataFrame:
    """Long table for the score-components chart: variant, check, score (0-1), status."""
    rows = [
        {
            "variant": f"#{i + 1}",
            "check": c.name,
            "score": c.score,
            "status": c.status,
            "message": c.message,
        }
        for i, v in enumerate(variants)
        for c in v.checks
    ]
    return pd.DataFrame(rows, columns=["variant", "check", "score", "status", "message"])


def _campaign_row(item: RetrievedItem) -> dict[str, object]:
    meta = item.metadata
    return {
        "source": item.source,
        "subject": meta.get("subject", item.text[:80]),
        "goal": meta.get("goal", ""),
        "segment": meta.get("segment", ""),
        "open rate": item.metrics.get("open_rate"),
        "click rate": item.metrics.get("click_rate"),
        "recipients": item.metrics.get("recipients"),
    }


def sources_frame(variant: Variant, context: BrandContext | None) -> pd.DataFrame:
    """The past campaigns (and other KB items) a variant drew on, with their measured results."""
    columns = ["source", "subject", "goal", "segment", "open rate", "click rate", "recipients"]
    if context is None:
        return pd.DataFrame([{"source": s} for s in variant.sources], columns=columns)
    by_id = {item.id: item for item in context.all_items()}
    rows: list[dict[str, object]] = []
    for sid in variant.sources:
        item = by_id.get(sid)
        if item is None:
            rows.append({"source": sid})
        elif item.kind == "campaign":
            rows.append(_campaign_row(item))
        else:
            rows.append({"source": item.source, "subject": item.text[:120]})
    return pd.DataFrame(rows, columns=columns)


def retrieval_frames(context: BrandContext) -> dict[str, pd.DataFrame]:
    """What retrieval returned for a brief, per kind, with similarity, rank and metrics."""
    campaigns = pd.DataFrame(
        [
            {
                **_campaign_row(item),
                "similarity": round(item.similarity, 3),
                "rank score": round(item.rank_score, 3),
            }
            for item in context.top_performers
        ]
    )

    def chunks(items: Sequence[RetrievedItem]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "source": item.source,
                    "text": item.text,
                    "similarity": round(item.similarity, 3),
                }
                for item in items
            ],
            columns=["source", "text", "similarity"],
        )

    return {
        "top performers": campaigns,
        "voice": chunks(context.voice),
        "products": chunks(context.products),
    }


def timeline_frames(plan: SequencePlan) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Steps (day, order, subject), the gaps between them, and branch markers, for the chart."""
    steps = pd.DataFrame(
        [
            {
                "order": i + 1,
                "step": f"{i + 1}. {s.id}",
                "day": s.at_hours / 24,
                "at": when(s.at_hours),
                "delay": when(s.delay_hours) + (" after the trigger" if i == 0 else " later"),
                "condition": s.condition,
                "angle": s.angle,
                "subject": inbox_text(s.subject),
                "branches": "; ".join(b.describe() for b in s.branches),
                "incentive": "incentive" if s.incentive else "",
            }
            for i, s in enumerate(plan.steps)
        ]
    )
    gaps = pd.DataFrame(
        [
            {
                "from": plan.steps[i - 1].at_hours / 24,
                "to": s.at_hours / 24,
                "mid": (plan.steps[i - 1].at_hours + s.at_hours) / 48,
                "step": f"{i + 1}. {s.id}",
                "label": when(s.delay_hours),
            }
            for i, s in enumerate(plan.steps)
            if i > 0
        ],
        columns=["from", "to", "mid", "step", "label"],
    )
    ids = {s.id: i for i, s in enumerate(plan.steps)}
    branches = pd.DataFrame(
        [
            {
                "step": f"{i + 1}. {s.id}",
                "day": s.at_hours / 24,
                "rule": b.describe(),
                "then": b.then,
                "target": (f"{ids[b.target] + 1}. {b.target}" if b.target in ids else None),
                "target_day": (
                    plan.steps[ids[b.target]].at_hours / 24 if b.target in ids else None
                ),
            }
            for i, s in enumerate(plan.steps)
            for b in s.branches
        ],
        columns=["step", "day", "rule", "then", "target", "target_day"],
    )
    return steps, gaps, branches


def when(hours: float) -> str:
    """Hours as people say them: '24 h', '3 days'."""
    if hours < 48:
        return f"{hours:g} h"
    return f"{hours / 24:g} days"


def rates_frame(result: ABResult, verdict: Verdict) -> pd.DataFrame:
    """Per-arm rate with a Wilson interval, lift, p-value and Bayesian probabilities."""
    rows = [
        {
            "arm": r.label + (" (control)" if r.control else ""),
            "subject": r.subject,
            "recipients": r.recipients,
            verdict.metric: r.events,
            "rate": r.rate,
            "ci low": r.ci_low,
            "ci high": r.ci_high,
            "lift": r.lift,
            "p-value": r.p_value,
            "P(beats control)": r.p_beats_control,
            "P(best)": r.p_best,
        }
        for r in arm_rates(result, verdict)
    ]
    return pd.DataFrame(rows)


def sample_size_curve(design: Design) -> pd.DataFrame:
    """Recipients per arm needed for each minimum relative lift, at the plan's rate and power."""
    return pd.DataFrame(
        [{"minimum lift": p.lift, "recipients per arm": p.n_per_arm} for p in curve_points(design)]
    )
