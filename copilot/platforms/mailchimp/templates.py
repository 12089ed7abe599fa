"""Mailchimp sequence drafts: one template per step (POST /templates), HTML only."""

from __future__ import annotations

from collections.abc import Sequence

from copilot.io.abconfig import Sender
from copilot.platforms.base import PlannedRequest, TemplateDraft, checked
from copilot.platforms.mailchimp.export import NAME

PATH = "/templates"
NOTE = (
    "Mailchimp templates hold the HTML only: set each journey email's subject and "
    "preview text from the plan (sequence.md / steps.csv)"
)


def template_requests(
    drafts: Sequence[TemplateDraft], sender: Sender | None = None
) -> list[PlannedRequest]:
    """One spec-valid create-template request per step; the sender is set on the journey."""
    del sender  # a Mailchimp template has no sender
    return [
        checked(
            NAME,
            PlannedRequest(
                step=draft.step,
                method="POST",
                path=PATH,
                body={"name": draft.name, "html": draft.copy_for(draft.html, NAME)},
            ),
        )
        for draft in drafts
    ]
