"""Brevo sequence drafts: one email template per step (POST /smtp/templates), with its subject
and sender; the preheader sits in the HTML."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from copilot.io.abconfig import Sender
from copilot.platforms.base import PlannedRequest, TemplateDraft, checked
from copilot.platforms.brevo.export import NAME
from copilot.platforms.errors import ExportError

PATH = "/smtp/templates"
NOTE = (
    "Brevo templates are created active so an automation workflow can pick them; they "
    "send nothing until a workflow uses them"
)


def template_requests(
    drafts: Sequence[TemplateDraft], sender: Sender | None = None
) -> list[PlannedRequest]:
    """One spec-valid create-template request per step (a sender email is required)."""
    if sender is None or not sender.email:
        raise ExportError(
            "Brevo templates need the sender's email (a verified sender in your Brevo account); "
            "pass --sender-email, or add a contact email to the brand's products.md"
        )
    requests: list[PlannedRequest] = []
    for draft in drafts:
        html = draft.copy_for(draft.html, NAME)
        body: dict[str, Any] = {
            "templateName": draft.name,
            "subject": draft.copy_for(draft.subject, NAME),
            "sender": {"name": sender.from_name, "email": sender.email},
            "htmlContent": html,
            "tag": draft.tag,
            # active so a workflow can pick it; a template sends nothing on its own
            "isActive": True,
        }
        if sender.reply_to:
            body["replyTo"] = sender.reply_to
        requests.append(
            checked(NAME, PlannedRequest(step=draft.step, method="POST", path=PATH, body=body))
        )
    return requests
