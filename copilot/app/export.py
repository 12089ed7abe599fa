"""`export`: an A/B config in, one platform's spec-valid payload out (the dry run), then pushed
with the key from settings. The export page and `copilot export` call these; the vendors are
plugins (copilot/platforms/registry.py), so nothing here names one."""

from __future__ import annotations

from copilot.io.abconfig import ABConfig
from copilot.io.abconfig import Platform as PlatformName
from copilot.planning.content import missing_body
from copilot.planning.design import retarget
from copilot.platforms import registry
from copilot.platforms.base import ExportPayload, Platform, PushResult
from copilot.platforms.errors import AudienceError, ExportError, UnknownPlatformError
from copilot.platforms.html import render_body
from copilot.platforms.http import retry_policy
from copilot.settings import Settings

__all__ = [
    "NO_BODY",
    "PLACEHOLDER_LINKS",
    "AudienceError",
    "ExportError",
    "ExportPayload",
    "Platform",
    "PushResult",
    "build_payload",
    "get_platform",
    "platforms",
    "preview_html",
    "push_payload",
]

#: why a test without a body is not pushed, and the way out (CLI and UI say the same)
NO_BODY = (
    "this test has no email body yet (arms {arms}), so it would send little more than the "
    "preheader and the footer; draft a body (Bodies page, or `copilot bodies --out DIR`), "
    "choose it for the test (on the export page, or `copilot plan --body FILE.html`) and plan "
    "again"
)


#: why a payload with a stand-in link is not pushed, and the way out (the dry run warns the same)
PLACEHOLDER_LINKS = (
    "the email links to placeholder(s) {links}, not to a real page: set cta_url in the brief "
    "(and replace any other placeholder link), draft the body again and plan the test again "
    "before pushing"
)


def get_platform(name: str) -> Platform:
    """The plugin of one platform: its label, key variable, limits, client."""
    return registry.get(name)


def platforms() -> list[Platform]:
    """Every platform there is a plugin for, in the order the name type declares them."""
    return registry.plugins()


def platform_names() -> list[str]:
    """The platform names a brief may give, in the order the name type declares them."""
    return registry.names()


def platform_label(name: str) -> str:
    """A platform's name as people write it ("Mailchimp"); an unknown name, capitalised."""
    try:
        return registry.get(name).label
    except UnknownPlatformError:
        return name.capitalize()


def build_payload(config: ABConfig, platform: PlatformName) -> ExportPayload:
    """Spec-valid payloads for `platform`, re-sizing the test if it was planned for another."""
    payload = registry.get(platform).build(retarget(config, platform))
    links = payload.placeholder_links()
    if links:
        warning = PLACEHOLDER_LINKS.format(links=", ".join(links))
        payload = payload.model_copy(update={"warnings": [warning, *payload.warnings]})
    missing = missing_body(config)
    if missing:  # first: the export page shows this warning on its own
        warning = NO_BODY.format(arms=", ".join(missing))
        payload = payload.model_copy(
            update={"missing_body": missing, "warnings": [warning, *payload.warnings]}
        )
    return payload


def push_payload(payload: ExportPayload, settings: Settings) -> PushResult:
    """Send a built payload to its platform (creates the campaign at most once); a test
    without a body, or whose email links to a placeholder, is refused before anything is sent."""
    target = registry.get(payload.platform)
    with target.client(settings) as client:
        if payload.missing_body:
            raise ExportError(NO_BODY.format(arms=", ".join(payload.missing_body)))
        links = payload.placeholder_links()
        if links:
            raise ExportError(PLACEHOLDER_LINKS.format(links=", ".join(links)))
        return target.push(payload, client, retry_policy(settings))


def preview_html(config: ABConfig, platform: PlatformName) -> str:
    """The email the control arm sends, in `platform`'s merge-tag syntax (for previews)."""
    return render_body(config, config.control, registry.get(platform).tag_syntax)
