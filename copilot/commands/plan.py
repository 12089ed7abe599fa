"""`copilot plan`: design an honest A/B test from generated variants and write its config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError

from copilot.app.plan import (
    AudienceError,
    PlanError,
    PlanRefused,
    PlanRequest,
    PlanTestRequest,
    load_variants,
    plan_ab_test,
    plan_context,
    render_plan,
)
from copilot.commands._io import info, print_json
from copilot.io.abconfig import Platform, save_config
from copilot.io.brief import load_brief
from copilot.settings import get_settings


def register(app: typer.Typer) -> None:
    """Add `copilot plan`."""

    @app.command("plan")
    def plan(
        brief: Annotated[Path, typer.Option("--brief", help="Brief (YAML or JSON).")],
        variants: Annotated[
            Path, typer.Option("--variants", help="Output of `copilot generate --json`.")
        ],
        metric: Annotated[
            Literal["clicks", "opens"],
            typer.Option(
                help="Winner metric. Opens are inflated by Apple Mail Privacy Protection."
            ),
        ] = "clicks",
        mde: Annotated[
            float, typer.Option(help="Smallest relative lift worth detecting: 0.1 = +10%.")
        ] = 0.10,
        out: Annotated[Path, typer.Option("--out", help="Where to write the A/B config.")] = Path(
            "ab_config.json"
        ),
        as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
        platform: Annotated[
            Platform | None,
            typer.Option(help="Platform (default: the brief's)."),
        ] = None,
        variable: Annotated[
            list[str] | None,
            typer.Option(
                "--variable",
                help="What the arms differ in: subject (default), preheader, body, from_name, "
                "send_time. Repeat for a multivariate test (Mailchimp only).",
            ),
        ] = None,
        level: Annotated[
            list[str] | None,
            typer.Option(
                "--level",
                help="An option of a from_name ('Name <reply@x>') or send_time (ISO) test; "
                "repeat per option.",
            ),
        ] = None,
        max_variants: Annotated[
            int | None, typer.Option(help="Test at most this many arms.", min=2)
        ] = None,
        segment_size: Annotated[
            int | None, typer.Option(help="Recipients in the segment (default: the brief's).")
        ] = None,
        wait_hours: Annotated[
            int | None, typer.Option(help="Hours before the winner is chosen (whole, >= 4).")
        ] = None,
        alpha: Annotated[float | None, typer.Option(help="Significance level (0.05).")] = None,
        power: Annotated[float | None, typer.Option(help="Power (0.8).")] = None,
        baseline: Annotated[
            float | None,
            typer.Option(help="Baseline rate, e.g. 0.03 (default: the brand's history)."),
        ] = None,
        list_id: Annotated[
            str | None,
            typer.Option(help="Audience: Mailchimp list id, or Brevo list id(s) comma-separated."),
        ] = None,
        segment_id: Annotated[
            int | None, typer.Option(help="Mailchimp saved segment id within the list.")
        ] = None,
        from_name: Annotated[str | None, typer.Option(help="Sender name.")] = None,
        sender_email: Annotated[
            str | None, typer.Option(help="Sender email (a verified sender).")
        ] = None,
        reply_to: Annotated[str | None, typer.Option(help="Reply-to address.")] = None,
        postal_address: Annotated[
            str | None, typer.Option(help="Postal address for the footer.")
        ] = None,
        body: Annotated[
            Path | None,
            typer.Option(
                "--body",
                help="The email every arm sends: an .html file from `copilot bodies --out` (its "
                ".txt twin is the plain-text part). A test without a body is never pushed.",
            ),
        ] = None,
    ) -> None:
        """Design the A/B test: arms, sample size, test share, wait time and a verdict."""
        settings = get_settings()
        context = plan_context(load_brief(brief), settings)
        candidates = load_variants(variants)
        design = _request(
            {
                "metric": metric,
                "mde": mde,
                "alpha": alpha,
                "power": power,
                "wait_hours": wait_hours,
                "variables": variable or ["subject"],
                "max_variants": max_variants,
                "segment_size": segment_size,
                "baseline_rate": baseline,
                "levels": level or [],
            }
        )
        request = PlanTestRequest(
            variants=candidates,
            design=design,
            platform=platform,
            list_id=list_id,
            segment_id=segment_id,
            from_name=from_name,
            sender_email=sender_email,
            reply_to=reply_to,
            postal_address=postal_address,
            body_file=body,
        )
        try:
            planned = plan_ab_test(context, request)
        except AudienceError as exc:
            raise typer.BadParameter(str(exc), param_hint="--list-id") from None
        result, sender = planned.plan, planned.sender
        written = None
        if result.config is not None:
            written = save_config(result.config, out)
        if as_json:
            print_json(
                {
                    "status": result.design.status,
                    "config_path": str(written) if written else None,
                    "design": result.design.model_dump(mode="json"),
                    "arms": [a.model_dump(mode="json") for a in result.arms],
                    "sender": sender.model_dump(mode="json"),
                }
            )
        else:
            typer.echo(render_plan(result))
            for field, where in sender.provenance.items():
                if where != "given":
                    typer.echo(f"Sender {field} from {where}")
        if written is None:
            # a CopilotError, so the console entry point exits 2 after printing it
            raise PlanRefused("test refused, no config written; see the numbers and ways out above")
        info(f"wrote {written}")


def _request(data: dict[str, object]) -> PlanRequest:
    try:
        return PlanRequest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"--{str(e['loc'][0]).replace('_', '-')}: {e['msg']} (given {e.get('input')!r})"
            for e in exc.errors()
        )
        raise PlanError(problems) from None
