"""The plan as documents for the team: a Markdown brief, a CSV of steps, each step's HTML/text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from copilot.generation.sequences.plan import SequencePlan

CSV_COLUMNS = [
    "step",
    "id",
    "day",
    "delay_hours",
    "at_hours",
    "condition",
    "goal",
    "angle",
    "incentive",
    "subject",
    "preheader",
    "headline",
    "cta_text",
    "cta_url",
    "branches",
    "score",
    "failed_checks",
]
PLATFORM_NOTES = {
    "mailchimp": (
        "Mailchimp Customer Journeys cannot be created or edited through the public Marketing "
        "API. Build the journey by hand (Automations > Customer Journeys): the trigger and exits "
        "below become the starting point and journey settings, each step a delay, a rule (its "
        "condition) and a send-email action. The exported templates hold each step's HTML; set "
        "the subject and preview text from this brief."
    ),
    "brevo": (
        "Brevo automation workflows cannot be created through the public API. Build the workflow "
        "by hand (Automations > Create a workflow): the trigger below becomes the entry point, "
        "each step a wait, a condition and a send-an-email action using the step's template "
        "(subject included), and the exits become the workflow's exit conditions."
    ),
}


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _when(hours: float) -> str:
    if hours < 24:
        return f"{hours:g} h"
    days = hours / 24
    return f"{days:g} day" + ("" if days == 1 else "s")


def plan_markdown(plan: SequencePlan) -> str:
    """A readable brief of the whole sequence for the team."""
    b = plan.brief
    lines = [
        f"# {plan.title}: {b.brand} ({plan.goal.replace('_', ' ')})",
        "",
        f"- **Trigger:** {plan.trigger}",
        "- **Exits:** "
        + "; ".join(f"{e.when}{' (conversion)' if e.conversion else ''}" for e in plan.exit),
        f"- **Audience:** {b.segment.name}"
        + (f": {b.segment.description}" if b.segment.description else ""),
        f"- **Offer:** {b.offer or 'none (no step may state a discount or code)'}",
        f"- **Platform:** {plan.platform}",
        f"- **Playbook:** {plan.playbook}; model: {plan.model or '-'}",
        "",
    ]
    if plan.adaptations:
        lines += ["## Changes to the playbook", ""]
        lines += [f"- {a.action} `{a.step}` ({a.by}): {a.reason}" for a in plan.adaptations]
        lines.append("")
    lines += [
        "## Timeline",
        "",
        "| # | Day | After previous | Condition | Angle | Subject | CTA | Branches |",
        "|---|-----|----------------|-----------|-------|---------|-----|----------|",
    ]
    for i, s in enumerate(plan.steps, start=1):
        branches = "<br>".join(_md(br.describe()) for br in s.branches) or "-"
        lines.append(
            f"| {i} | {s.day} | {_when(s.delay_hours)} | {_md(s.condition)} | {_md(s.angle)} | "
            f"{_md(s.subject)} | {_md(s.cta.text)} | {branches} |"
        )
    lines.append("")
    lines += ["## Steps", ""]
    for i, s in enumerate(plan.steps, start=1):
        fails = [c for c in s.checks if c.status == "fail"]
        warns = [c for c in s.checks if c.status == "warn"]
        lines += [
            f"### {i}. {s.id} (day {s.day}, {s.condition})",
            "",
            f"- **Goal:** {s.goal}",
            f"- **Subject:** {s.subject}",
            f"- **Preheader:** {s.preheader}",
            f"- **Button:** {s.cta.text} -> {s.cta.url}",
            f"- **Score:** {s.score if s.score is not None else '-'}"
            + (f"; failed: {', '.join(c.name for c in fails)}" if fails else "")
            + (f"; warnings: {', '.join(c.name for c in warns)}" if warns else ""),
            "",
            "```text",
            s.body_text.strip(),
            "```",
            "",
        ]
        lines += [f"- note: {n}" for n in s.notes]
        if s.notes:
            lines.append("")
    lines += ["## Sequence checks", ""]
    lines += [f"- {c.status.upper()} {c.name}: {c.message}" for c in plan.checks]
    lines += ["", "## Building it on the platform", "", PLATFORM_NOTES.get(plan.platform, ""), ""]
    if plan.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in plan.notes] + [""]
    return "\n".join(lines)


def steps_csv(plan: SequencePlan) -> str:
    """One row per step (timing, targeting, copy headers, checks)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i, s in enumerate(plan.steps, start=1):
        writer.writerow(
            {
                "step": i,
                "id": s.id,
                "day": s.day,
                "delay_hours": f"{s.delay_hours:g}",
                "at_hours": f"{s.at_hours:g}",
                "condition": s.condition,
                "goal": s.goal,
                "angle": s.angle,
                "incentive": "yes" if s.incentive else "no",
                "subject": s.subject,
                "preheader": s.preheader,
                "headline": s.headline,
                "cta_text": s.cta.text,
                "cta_url": s.cta.url,
                "branches": "; ".join(b.describe() for b in s.branches),
                "score": "" if s.score is None else s.score,
                "failed_checks": "; ".join(c.name for c in s.checks if c.status == "fail"),
            }
        )
    return buf.getvalue()


def write_plan(plan: SequencePlan, out_dir: Path) -> list[Path]:
    """sequence.json, sequence.md, steps.csv and steps/NN-<id>.html/.txt; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "sequence.json": json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n",
        "sequence.md": plan_markdown(plan),
        "steps.csv": steps_csv(plan),
    }
    for i, s in enumerate(plan.steps, start=1):
        files[f"steps/{i:02d}-{s.id}.html"] = s.body_html
        files[f"steps/{i:02d}-{s.id}.txt"] = s.body_text
    written = []
    for name, text in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
