"""Sequence steps as ready drafts: one Mailchimp template (POST /templates) or one Brevo email
template (POST /smtp/templates) per step, each request body validated against the vendor's spec.

Mailchimp Customer Journeys and Brevo automation workflows cannot be created through their public
APIs, so the flow itself (trigger, delays, conditions, branches, exits) is built by hand from the
plan document written beside these drafts; each journey or workflow email then picks its step's
template. Mailchimp templates carry HTML only: the subject and preview text of each step are in
the plan. Brevo templates carry the subject too; the preheader sits in the HTML.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from copilot.generation.sequences.plan import SequencePlan
from copilot.io.abconfig import Sender
from copilot.platforms.base import ExportPayload, PlannedRequest, checked
from copilot.platforms.errors import ExportError
from copilot.platforms.tags import translate_tags

MAILCHIMP_PATH = "/templates"
BREVO_PATH = "/smtp/templates"
#: Mailchimp shows template names in a narrow list; keep them readable there
NAME_LIMIT = 50

DraftPlatform = Literal["mailchimp", "brevo"]


def sequence_id(plan: SequencePlan) -> str:
    """A stable id for the plan (same brief, playbook and copy give the same id)."""
    digest = hashlib.sha256(
        "|".join(
            [plan.playbook, plan.brief.model_dump_json(), *(s.subject for s in plan.steps)]
        ).encode("utf-8")
    ).hexdigest()[:8]
    return f"seq-{plan.playbook.replace('_', '-')}-{digest}"


def _name(plan: SequencePlan, i: int, step_id: str, marker: str) -> str:
    head = f"{plan.title} {i}/{len(plan.steps)} {step_id}"
    room = NAME_LIMIT - len(marker) - 1
    return f"{head[:room].rstrip()} {marker}"


def _tags(text: str, source: str, target: str) -> str:
    return text if source == target else translate_tags(text, source, target)


def build_sequence_drafts(
    plan: SequencePlan, platform: DraftPlatform | None = None, sender: Sender | None = None
) -> ExportPayload:
    """Spec-valid request bodies, one draft per step (raises ExportError/ContractError)."""
    chosen = platform or plan.platform
    if chosen not in ("mailchimp", "brevo"):
        raise ExportError(f"platform {chosen!r}: sequence drafts go to mailchimp or brevo")
    target: DraftPlatform = "mailchimp" if chosen == "mailchimp" else "brevo"
    seq = sequence_id(plan)
    marker = f"[{seq[-8:]}]"
    warnings: list[str] = []
    requests: list[PlannedRequest] = []
    if target == "brevo" and (sender is None or not sender.email):
        raise ExportError(
            "Brevo templates need the sender's email (a verified sender in your Brevo account); "
            "pass --sender-email, or add a contact email to the brand's products.md"
        )
    for i, step in enumerate(plan.steps, start=1):
        html = _tags(step.body_html, plan.platform, target)
        name = _name(plan, i, step.id, marker)
        body: dict[str, Any]
        if target == "mailchimp":
            body = {"name": name, "html": html}
            path = MAILCHIMP_PATH
        else:
            assert sender is not None
            body = {
                "templateName": name,
                "subject": _tags(step.subject, plan.platform, target),
                "sender": {"name": sender.from_name, "email": sender.email},
                "htmlContent": html,
                "tag": seq,
                # active so a workflow can pick it; a template sends nothing on its own
                "isActive": True,
            }
            if sender.reply_to:
                body["replyTo"] = sender.reply_to
            path = BREVO_PATH
        requests.append(
            checked(
                target,
                PlannedRequest(
                    step=f"step{i}_{step.id}_template", method="POST", path=path, body=body
                ),
            )
        )
    if target == "mailchimp":
        warnings.append(
            "Mailchimp templates hold the HTML only: set each journey email's subject and "
            "preview text from the plan (sequence.md / steps.csv)"
        )
    else:
        warnings.append(
            "Brevo templates are created active so an automation workflow can pick them; they "
            "send nothing until a workflow uses them"
        )
    warnings.append(
        "the journey/workflow itself (trigger, delays, conditions, branches, exits) cannot be "
        "created through the public API: build it from sequence.md, see docs/sequences.md"
    )
    return ExportPayload(
        platform=target,
        test_id=seq,
        title=plan.title,
        marker=marker,
        requests=requests,
        warnings=warnings,
    )
