"""Fake Mailchimp Marketing API 3.0: campaigns, content and variate sub-reports, in memory."""

from __future__ import annotations

import base64
import itertools
from typing import Any

from .vendor import FakeVendor


class FakeMailchimp(FakeVendor):
    platform = "mailchimp"
    prefix = "/3.0"

    def __init__(self, api_key: str = "0123456789abcdef" * 2 + "-us21") -> None:
        super().__init__(api_key)
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, dict[str, Any]] = {}
        self.sub_reports: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)

    def authorized(self, headers: Any) -> bool:
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user_pass = base64.b64decode(token).decode("utf-8")
        except ValueError:
            return False
        return user_pass.partition(":")[2] == self.api_key

    def unauthorized(self) -> tuple[int, Any]:
        return 401, {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": "API Key Invalid",
            "status": 401,
            "detail": "Your API key may be invalid, or you've attempted to access the wrong "
            "datacenter.",
            "instance": "fake",
        }

    def error(self, status: int, message: str) -> tuple[int, Any]:
        titles = {
            400: "Invalid Resource",
            404: "Resource Not Found",
            429: "Too Many Requests",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }
        return status, {
            "type": "https://mailchimp.com/developer/marketing/docs/errors/",
            "title": titles.get(status, "Error"),
            "status": status,
            "detail": message,
            "instance": "fake",
        }

    def handle(
        self, method: str, template: str, params: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if (method, template) == ("POST", "/campaigns"):
            return self._create(body)
        if (method, template) == ("GET", "/campaigns"):
            items = [
                c
                for c in self.campaigns.values()
                if query.get("type") in (None, c["type"])
                and query.get("status") in (None, c["status"])
            ]
            offset = int(query.get("offset", 0))
            count = int(query.get("count", 10))
            return 200, {"campaigns": items[offset : offset + count], "total_items": len(items)}
        campaign_id = params.get("campaign_id", "")
        if campaign_id and campaign_id not in self.campaigns:
            return self.error(404, f"campaign {campaign_id} not found")
        if (method, template) == ("PUT", "/campaigns/{campaign_id}/content"):
            self.contents[campaign_id] = body
            return 200, {"variate_contents": body.get("variate_contents", [])}
        if (method, template) == ("GET", "/campaigns/{campaign_id}"):
            return 200, self.campaigns[campaign_id]
        if (method, template) == ("GET", "/reports/{campaign_id}/sub-reports"):
            reports = self.sub_reports.get(campaign_id, [])
            return 200, {
                "reports": reports,
                "campaign_id": campaign_id,
                "total_items": len(reports),
            }
        return self.error(404, f"the fake does not implement {method} {template}")

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        campaign_id = f"{next(self._ids):010x}"
        variate = dict(body.get("variate_settings") or {})
        subjects = variate.get("subject_lines") or [None]
        combos = [
            {"id": f"{campaign_id}-{i}", "subject_line": i if s is not None else 0, "recipients": 0}
            for i, s in enumerate(subjects)
        ]
        variate["combinations"] = combos
        campaign = {
            "id": campaign_id,
            "web_id": int(campaign_id, 16),
            "type": body["type"],
            "status": "save",
            "create_time": "2026-11-01T09:00:00+00:00",
            "settings": body.get("settings") or {},
            "variate_settings": variate,
            "recipients": body.get("recipients") or {},
        }
        self.campaigns[campaign_id] = campaign
        return 200, campaign

    def finish_test(
        self,
        campaign_id: str,
        results: list[tuple[int, int, int]],
        send_time: str = "2026-11-03T14:00:00+00:00",
    ) -> None:
        """Mark a campaign sent and give each combination (recipients, unique opens, clicks)."""
        campaign = self.campaigns[campaign_id]
        campaign["status"] = "sent"
        campaign["send_time"] = send_time
        subjects = campaign["variate_settings"].get("subject_lines") or [
            campaign["settings"].get("subject_line", "")
        ] * len(results)
        reports = []
        for i, (recipients, opens, clicks) in enumerate(results):
            campaign["variate_settings"]["combinations"][i]["recipients"] = recipients
            reports.append(
                {
                    "id": f"{campaign_id}-{i}",
                    "type": "variate",
                    "subject_line": subjects[i],
                    "emails_sent": recipients,
                    "send_time": send_time,
                    "opens": {"unique_opens": opens, "open_rate": opens / recipients},
                    "clicks": {
                        "unique_subscriber_clicks": clicks,
                        "click_rate": clicks / recipients,
                    },
                }
            )
        self.sub_reports[campaign_id] = reports
