"""A/B plan & export: size an honest test, preview each platform's payload, download or push it."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from copilot.app.export import build_payload, get_platform, platforms, preview_html, push_payload
from copilot.app.plan import (
    ABPlan,
    ChosenBody,
    PlanContext,
    PlanRequest,
    PlanTestRequest,
    default_sender,
    plan_ab_test,
    plan_context,
    planning_defaults,
    start_plan,
)
from copilot.errors import CopilotError
from copilot.io.abconfig import WayOut
from ui import state
from ui.views import (
    html_data_url,
    in_platform_syntax,
    platform_title,
    preview_with_sample_contact,
    sample_size_curve,
    score_text,
    tag_legend,
)

PLATFORMS = [p.name for p in platforms()]
#: where the starting settings were computed from (brief and variants); a change resets the form
START_BASIS = "data_plan_start_basis"
#: the starting plan and the basis it was computed for (computed once per basis)
START = "data_plan_start"
#: set by a "ways out" button: plan again with the settings it just changed
PLAN_AGAIN = "data_plan_again"
NO_BODY_CHOICE = -1
PREVIEW_WIDTH = 640
PREVIEW_HEIGHT = 560
BRAND_FILES = {"products.md": "product facts", "voice.md": "voice guide"}
SENDER_FIELDS = {
    "from_name": "From name",
    "email": "Sender email",
    "reply_to": "Reply-to address",
    "postal_address": "Postal address",
}


def _plain_source(source: str) -> str:
    """Where a sender value came from, in words: "products.md line 70" -> "the brand's product
    facts (products.md, line 70)"."""
    m = re.match(r"^(?P<file>[\w.-]+\.(?:md|csv)) line (?P<line>\d+)(?P<rest>.*)$", source)
    if m is None:
        return {"given": "typed in", "brand folder name": "the brand's name"}.get(source, source)
    what = BRAND_FILES.get(m["file"], m["file"])
    return f"the brand's {what} ({m['file']}, line {m['line']}){m['rest']}"


def _bodies() -> list[Any]:
    """The bodies drafted on the Bodies page in this session (BodyVariant objects)."""
    result = st.session_state.get(state.BODIES)
    return list(result.variants) if result is not None else []


def _signature() -> str:
    """What a plan depends on besides its form: the variants and the drafted bodies."""
    variants = [[v.subject, v.preheader, v.score] for v in state.variants()]
    bodies = [hashlib.sha256(b.html.encode()).hexdigest()[:16] for b in _bodies()]
    return json.dumps([variants, bodies])


def _body_label(k: int, bodies: list[Any]) -> str:
    if k == NO_BODY_CHOICE:
        return "No body yet (draft one on the Bodies page)"
    body = bodies[k]
    written_for = preview_with_sample_contact(body.subject or "", "neutral")
    label = f"Body {k + 1} · {body.angle} · score {score_text(body.score)}"
    return f"{label} · written for “{written_for}”" if written_for else label


def _chosen_body(body: Any) -> ChosenBody:
    return ChosenBody(
        html=body.html,
        text=body.text,
        preheader=body.preheader,
        failed_checks=[c.name for c in body.checks if c.status == "fail"],
    )


def _apply_way(way: WayOut) -> None:
    """A ways-out button: change the form's settings and plan again."""
    if way.metric is not None:
        st.session_state["plan_metric"] = way.metric
    if way.max_variants is not None:
        st.session_state["plan_max_variants"] = way.max_variants
    if way.mde is not None:
        st.session_state["plan_mde"] = min(max(round(way.mde, 2), 0.05), 1.0)
    st.session_state[PLAN_AGAIN] = True


def _way_button_label(way: WayOut) -> str:
    parts = []
    if way.max_variants is not None:
        parts.append(f"{way.max_variants} variants")
    if way.metric is not None:
        parts.append(f"winner on {way.metric}")
    if way.mde is not None:
        parts.append(f"+{way.mde:.0%} lift")
    return "Plan with " + ", ".join(parts)


def _lift_chart(plan: ABPlan) -> alt.LayerChart:
    d = plan.design
    curve = sample_size_curve(d)
    available = d.segment_size // d.arms
    line = (
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X("minimum lift:Q", axis=alt.Axis(format="+%"), title="Minimum relative lift"),
            y=alt.Y(
                "recipients per arm:Q",
                scale=alt.Scale(type="log"),
                title="Recipients needed per arm (log)",
            ),
            tooltip=[
                alt.Tooltip("minimum lift:Q", format="+.0%"),
                alt.Tooltip("recipients per arm:Q", format=","),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"y": [available], "label": ["segment split evenly"]}))
        .mark_rule(strokeDash=[6, 4], color="gray")
        .encode(y="y:Q", tooltip=[alt.Tooltip("y:Q", title="available per arm", format=",")])
    )
    chosen = (
        alt.Chart(
            pd.DataFrame({"minimum lift": [d.mde], "recipients per arm": [d.n_per_arm_required]})
        )
        .mark_point(size=120, filled=True, color="crimson")
        .encode(x="minimum lift:Q", y="recipients per arm:Q")
    )
    return (line + rule + chosen).properties(height=320)


st.title("A/B plan & export")

if state.need_variants():
    brief = state.brief()
    assert brief is not None
    s = state.settings()
    variants = state.variants()
    picks = state.picked()
    defaults = planning_defaults()
    bodies = _bodies()
    context: PlanContext | None = None
    sender = None
    with state.readable_errors():
        context = plan_context(brief, s)
        sender = default_sender(context)

    if context is not None and sender is not None:
        picked_variants = [variants[i] for i in picks]
        # the form starts from a plan the segment can carry; a new brief or new variants start
        # it again, while the marketer's own changes stay for the session
        basis = json.dumps([brief.model_dump(mode="json"), _signature()])
        cached = st.session_state.get(START)
        if cached is None or cached[0] != basis:
            cached = (basis, start_plan(context, picked_variants))
            st.session_state[START] = cached
        start = cached[1]
        first_values: dict[str, Any] = {
            "plan_platform": brief.platform,
            "plan_metric": start.metric,
            "plan_mde": round(start.mde, 2),
            "plan_size": int(brief.segment.size or 0),
            "plan_wait": defaults.default_wait_hours,
            "plan_max_variants": start.max_variants,
            "plan_alpha": defaults.alpha,
            "plan_power": defaults.power,
            "plan_from_name": sender.from_name,
            "plan_email": sender.email or "",
            "plan_postal": sender.postal_address or "",
            "plan_list_id": "",
            "plan_body": 0 if bodies else NO_BODY_CHOICE,
        }
        renew = st.session_state.get(START_BASIS) != basis
        for key, value in first_values.items():
            if renew or key not in st.session_state:
                st.session_state[key] = value
        body_options = list(range(len(bodies))) or [NO_BODY_CHOICE]
        if st.session_state["plan_body"] not in body_options:
            st.session_state["plan_body"] = body_options[0]
        st.session_state[START_BASIS] = basis

        st.caption(
            f"{len(picks)} variant(s) picked on the Variants page; the planner keeps the "
            "best-scored distinct ones that pass every hard check, up to the platform's limit."
        )
        if start.changed:
            st.info(start.reason, icon=":material/tips_and_updates:")
        elif start.reason:
            st.caption(start.reason)
        if not bodies:
            st.warning(
                "No email body yet: a test needs the email its arms send. Draft one on the "
                "Bodies page, then choose it here.",
                icon=":material/mail:",
            )
            st.page_link("pages/bodies.py", label="Go to the Bodies page", icon=":material/mail:")
        with st.form("plan"):
            c1, c2, c3 = st.columns(3)
            platform = c1.selectbox(
                "Platform", PLATFORMS, format_func=platform_title, key="plan_platform"
            )
            metric = c1.radio(
                "Winner metric",
                ["clicks", "opens"],
                horizontal=True,
                help="Clicks by default: Apple Mail Privacy Protection inflates opens.",
                key="plan_metric",
            )
            mde = c2.slider(
                "Minimum lift worth detecting (relative)",
                0.05,
                1.0,
                step=0.05,
                format="%.2f",
                help="0.10 = +10% over the baseline rate",
                key="plan_mde",
            )
            size = c2.number_input(
                "Segment size (recipients)", min_value=0, step=500, key="plan_size"
            )
            wait = c3.number_input(
                "Hours before the winner is chosen", min_value=1, key="plan_wait"
            )
            most = get_platform(platform).limits.max_options_per_variable
            max_variants = c3.number_input(
                "Most arms", min_value=2, max_value=8, key="plan_max_variants"
            )
            body_choice = st.selectbox(
                "Email body (every arm sends it)",
                body_options,
                format_func=lambda k: _body_label(k, bodies),
                key="plan_body",
                help="The body drafted on the Bodies page, sent exactly as previewed and checked "
                "there. Its preheader becomes the test's preheader.",
            )
            with st.expander("Statistics, sender and audience"):
                a1, a2 = st.columns(2)
                alpha = a1.number_input(
                    "Significance level (alpha)", 0.001, 0.2, step=0.01, key="plan_alpha"
                )
                power = a2.number_input("Power", 0.5, 0.99, step=0.05, key="plan_power")
                from_name = a1.text_input("From name", key="plan_from_name")
                email = a2.text_input("Sender email (a verified sender)", key="plan_email")
                postal = st.text_input("Postal address (footer)", key="plan_postal")
                list_id = st.text_input(
                    "Audience: Mailchimp list id, or Brevo list ids comma-separated",
                    key="plan_list_id",
                    help="Leave empty to choose the audience in the platform.",
                )
                where = [
                    f"{SENDER_FIELDS.get(field, field)}: {_plain_source(source)}"
                    for field, source in sender.provenance.items()
                ]
                if where:
                    st.caption(
                        "Filled in from the brand's knowledge base ("
                        + "; ".join(where)
                        + "). Changes here apply to this test only."
                    )
            go = st.form_submit_button("Plan the test", type="primary", icon=":material/science:")
        if st.session_state.pop(PLAN_AGAIN, False):
            go = True
        if go:
            with state.readable_errors():
                try:
                    request = PlanRequest(
                        metric=metric,  # type: ignore[arg-type]
                        mde=mde,
                        alpha=alpha,
                        power=power,
                        wait_hours=int(wait),
                        max_variants=min(int(max_variants), most),
                        segment_size=int(size) or None,
                    )
                except ValidationError as exc:
                    raise CopilotError(
                        "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
                    ) from None
                plan = plan_ab_test(
                    context,
                    PlanTestRequest(
                        variants=picked_variants,
                        design=request,
                        platform=platform,
                        list_id=list_id.strip() or None,
                        from_name=from_name or None,
                        sender_email=email or None,
                        postal_address=postal or None,
                        body=(
                            _chosen_body(bodies[body_choice])
                            if body_choice != NO_BODY_CHOICE
                            else None
                        ),
                    ),
                ).plan
                st.session_state[state.PLAN] = (plan, _signature())
                st.session_state.pop(state.PUSH, None)

    stored = st.session_state.get(state.PLAN)
    if stored is not None:
        plan, signature = stored
        d = plan.design
        if signature != _signature():
            st.warning(
                "The variants or bodies changed since this plan was made: plan the test again."
            )
        show = {"ok": st.success, "weak": st.warning, "refused": st.error}[d.status]
        show(d.verdict)
        m = st.columns(5)
        m[0].metric("Baseline rate", f"{d.baseline_rate:.2%}", help=d.baseline_detail)
        m[1].metric("Needed per arm", f"{d.n_per_arm_required:,}")
        m[2].metric("Per arm in the test", f"{d.n_per_arm:,}")
        m[3].metric("Test share", f"{d.test_share:.0%}")
        m[4].metric("Wait", f"{d.wait_hours} h")
        st.caption(d.baseline_detail)
        for warning in d.warnings:
            st.caption(f"⚠ {warning}")
        if d.ways_out:
            st.markdown("**Ways out**")
            for n, way in enumerate(d.ways_out):
                st.markdown(f"- **{way.action}**: {way.detail}")
                if way.metric is not None or way.max_variants is not None or way.mde is not None:
                    st.button(
                        _way_button_label(way),
                        key=f"way_{n}",
                        on_click=_apply_way,
                        args=(way,),
                        icon=":material/alt_route:",
                    )
        st.markdown("**Arms**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "arm": a.label + (" (control)" if k == 0 else ""),
                        "subject": preview_with_sample_contact(a.subject, plan.platform),
                        "preheader": preview_with_sample_contact(a.preheader, plan.platform),
                        "angle": a.angle,
                        "score": a.score,
                        f"subject in {platform_title(plan.platform)}": in_platform_syntax(
                            a.subject, plan.platform
                        ),
                    }
                    for k, a in enumerate(plan.arms)
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(tag_legend(plan.platform))
        st.subheader("Sample size against minimum lift")
        st.caption(
            f"At a {d.baseline_rate:.2%} {d.metric[:-1]} rate and {d.power:.0%} power. The red "
            "point is this plan; the dashed line is the segment split evenly across the arms."
        )
        st.altair_chart(_lift_chart(plan), width="stretch")
        with st.expander("Details", icon=":material/tune:"):
            st.caption(
                f"Significance level {d.alpha:g}, {d.alpha_per_comparison:.3g} per comparison "
                "(Bonferroni). Command-line equivalents of the ways out: "
                + ("; ".join(f"{w.action}: `{w.option}`" for w in d.ways_out if w.option) or "none")
                + "."
            )

        if plan.config is not None:
            config = plan.config
            st.subheader("Payloads")
            st.caption(
                "Each campaign is checked against the platform's published API rules before it "
                "is shown. Sequences and automations (Mailchimp Customer Journeys, Brevo "
                "workflows) cannot be created this way; campaigns can."
            )
            st.download_button(
                "Download the A/B config (JSON)",
                config.model_dump_json(indent=2),
                file_name=f"{config.test_id}.json",
                mime="application/json",
                key="dl_config",
                help="Upload it on the Results page when the test has finished.",
            )
            tabs = st.tabs([platform_title(p) for p in PLATFORMS])
            for platform_name, tab in zip(PLATFORMS, tabs, strict=True):
                title = platform_title(platform_name)
                with tab, state.readable_errors():
                    payload = build_payload(config, platform_name)  # type: ignore[arg-type]
                    if payload.missing_body:
                        st.error(
                            "This test has no email body yet, so it would send little more than "
                            "the preheader and the footer, and it cannot be pushed. Draft a body "
                            "on the Bodies page, choose it above under “Email body”, and plan "
                            "the test again.",
                            icon=":material/block:",
                        )
                    for warning in payload.warnings[1 if payload.missing_body else 0 :]:
                        st.warning(warning)
                    st.markdown(f"**{payload.title}**")
                    if not payload.missing_body:
                        st.caption(
                            f"The email every arm sends, shown for a sample contact; the "
                            f"download holds it with {title}'s tags."
                        )
                        html = preview_html(config, platform_name)  # type: ignore[arg-type]
                        st.iframe(
                            html_data_url(preview_with_sample_contact(html, platform_name)),
                            width=PREVIEW_WIDTH,
                            height=PREVIEW_HEIGHT,
                        )
                    with st.expander("Details: the API requests", icon=":material/code:"):
                        for req in payload.requests:
                            st.markdown(f"`{req.method} {req.path}` · {req.step}")
                            st.json(req.body, expanded=False)
                    st.download_button(
                        f"Download {title} JSON",
                        json.dumps(payload.model_dump(mode="json"), indent=2, ensure_ascii=False),
                        file_name=f"{platform_name}-{payload.test_id}.json",
                        mime="application/json",
                        key=f"dl_{platform_name}",
                        icon=":material/download:",
                    )
                    st.markdown("**Push**")
                    has_key = get_platform(platform_name).has_key(s)
                    if has_key:
                        st.caption(f"{title} is connected: this app has its API key.")
                    else:
                        st.caption(
                            f"{title} is not connected: whoever runs this app needs to give it "
                            f"the {title} API key (see Details below)."
                        )
                    with st.expander("Details: the API key", icon=":material/key:"):
                        st.caption(
                            f"{get_platform(platform_name).key_env} is "
                            + ("set in the environment." if has_key else "not set: ")
                            + (
                                ""
                                if has_key
                                else "export it in the environment before starting the app to push."
                            )
                            + " The key is read when the app starts and is never shown here."
                        )
                    can_push = has_key and not payload.missing_body
                    sure = st.checkbox(
                        f"Yes, create this draft campaign in {title}",
                        key=f"confirm_{platform_name}",
                        disabled=not can_push,
                    )
                    if st.button(
                        f"Push to {title}",
                        disabled=not (can_push and sure),
                        key=f"push_{platform_name}",
                    ):
                        with st.spinner(f"Pushing to {title}…"):
                            result = push_payload(payload, s)
                        st.session_state[state.PUSH] = result
            pushed = st.session_state.get(state.PUSH)
            if pushed is not None:
                what = "created" if pushed.created else "already there (not created again)"
                st.success(
                    f"{platform_title(pushed.platform)} draft campaign {pushed.campaign_id} "
                    f"{what}: {pushed.title}"
                )
