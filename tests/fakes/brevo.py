"""Fake Brevo API v3: email campaigns with A/B testing and their results, in memory."""

from __future__ import annotations

import itertools
from typing import Any

from .vendor import FakeVendor


class FakeBrevo(FakeVendor):
    platform = "brevo"
    prefix = "/v3"

    def __init__(self, api_key: str = "xkeysib-fake0123456789abcdef-FAKEKEY") -> None:
        super().__init__(api_key)
        self.campaigns: dict[int, dict[str, Any]] = {}
        self.ab_results: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(101)

    def authorized(self, headers: Any) -> bool:
        return headers.get("api-key") == self.api_key

    def unauthorized(self) -> tuple[int, Any]:
        return 401, {"code": "unauthorized", "message": "Key not found"}

    def error(self, status: int, message: str) -> tuple[int, Any]:
        codes = {
            400: "bad_request",
            404: "document_not_found",
            429: "bad_request",
            500: "bad_request",
            503: "bad_request",
        }
        return status, {"code": codes.get(status, "bad_request"), "message": message}

    def handle(
        self, method: str, template: str, params: dict[str, str], query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if (method, template) == ("POST", "/emailCampaigns"):
            campaign_id = next(self._ids)
            stored = dict(body)
            stored.update(
                id=campaign_id, status="draft", type="classic", createdAt="2026-11-01T09:00:00.000Z"
            )
            self.campaigns[campaign_id] = stored
            return 201, {"id": campaign_id}
        if (method, template) == ("GET", "/emailCampaigns"):
            items = [
                c for c in self.campaigns.values() if query.get("status") in (None, c["status"])
            ]
            offset = int(query.get("offset", 0))
            limit = int(query.get("limit", 50))
            page = [
                {k: v for k, v in c.items() if k != "htmlContent"}
                for c in items[offset : offset + limit]
            ]
            return 200, {"campaigns": page, "count": len(items)}
        campaign_id = int(params.get("campaignId", "0"))
        if campaign_id not in self.campaigns:
            return self.error(404, f"campaign {campaign_id} not found")
        if (method, template) == ("GET", "/emailCampaigns/{campaignId}"):
            return 200, self.campaigns[campaign_id]
        if (method, template) == ("GET", "/emailCampaigns/{campaignId}/abTestCampaignResult"):
            return 200, self.ab_results.get(campaign_id, {"winningVersion": "notAvailable"})
        return self.error(404, f"the fake does not implement {method} {template}")

    def finish_test(
        self,
        campaign_id: int,
        delivered: int,
        open_pct: tuple[str, str],
        click_pct: tuple[str, str],
        winner: str = "A",
    ) -> None:
        """Mark a campaign sent with its global delivered count and per-version percentages."""
        campaign = self.campaigns[campaign_id]
        campaign["status"] = "sent"
        campaign["sentDate"] = "2026-11-03T14:00:00.000Z"
        campaign["statistics"] = {
            "globalStats": {
                "delivered": delivered,
                "sent": delivered,
                "uniqueViews": 0,
                "uniqueClicks": 0,
                "clickers": 0,
                "complaints": 0,
                "softBounces": 0,
                "hardBounces": 0,
                "unsubscriptions": 0,
                "viewed": 0,
                "trackableViews": 0,
            }
        }
        zero = {"Version A": "0%", "Version B": "0%"}
        self.ab_results[campaign_id] = {
            "winningVersion": winner,
            "winningCriteria": "Click",
            "statistics": {
                "openers": {"Version A": open_pct[0], "Version B": open_pct[1]},
                "clicks": {"Version A": click_pct[0], "Version B": click_pct[1]},
                "unsubscribed": zero,
                "hardBounces": zero,
                "softBounces": zero,
                "complaints": zero,
            },
        }
