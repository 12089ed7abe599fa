"""A/B plan & export: size an honest test, preview each platform's payload, download or push it."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st
from pydantic import ValidationError

from copilot.errors import CopilotError
from copilot.exporters.run import build_payload, push_payload
from copilot.planning.baseline import planning_defaults
from copilot.planning.config import Audience
from copilot.planning.design import ABPlan, PlanRequest, plan_test
from copilot.planning.platforms import platform_limits
from copilot.planning.sender import sender_from_brand
from copilot.retrieval.brand import brand_folder, load_brand
from ui import state
from ui.views import sample_size_curve

PLATFORMS = ["mailchimp", "brevo"]
KEY_NAMES = {"mailchimp": "MAILCHIMP_API_KEY", "brevo": "BREVO_API_KEY"}


def _signature() -> str:
    return json.dumps([[v.subject, v.preheader, v.score] for v in state.variants()])


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
    kb = folder = sender = None
    with state.readable_errors():
        folder = brand_folder(s.kb_dir, brief.brand)
        kb = load_brand(folder)
        sender = sender_from_brand(folder, kb.name)

    if kb is not None and folder is not None and sender is not None:
        st.caption(
            f"{len(picks)} variant(s) picked on the Variants page; the planner keeps the "
            "best-scored distinct ones that pass every hard check, up to the platform's limit."
        )
        with st.form("plan"):
            c1, c2, c3 = st.columns(3)
            platform = c1.selectbox(
                "Platform", PLATFORMS, index=PLATFORMS.index(brief.platform), key="plan_platform"
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
                float(defaults["mde"]),
                0.05,
                format="%.2f",
                help="0.10 = +10% over the baseline rate",
                key="plan_mde",
            )
            size = c2.number_input(
                "Segment size (recipients)",
                min_value=0,
                value=int(brief.segment.size or 0),
                step=500,
                key="plan_size",
            )
            wait = c3.number_input(
                "Hours before the winner is chosen",
                min_value=1,
                value=int(defaults["default_wait_hours"]),
                key="plan_wait",
            )
            most = platform_limits(platform).max_options_per_variable
            max_variants = c3.number_input(
                "Most arms", min_value=2, max_value=8, value=3, key="plan_max_variants"
            )
            with st.expander("Statistics, sender and audience"):
                a1, a2 = st.columns(2)
                alpha = a1.number_input(
                    "Significance level (alpha)", 0.001, 0.2, float(defaults["alpha"]), 0.01
                )
                power = a2.number_input("Power", 0.5, 0.99, float(defaults["power"]), 0.05)
                from_name = a1.text_input("From name", sender.from_name)
                email = a2.text_input("Sender email (a verified sender)", sender.email or "")
                postal = st.text_input("Postal address (footer)", sender.postal_address or "")
                list_id = st.text_input(
                    "Audience: Mailchimp list id, or Brevo list ids comma-separated",
                    "",
                    help="Leave empty to choose the audience in the platform.",
                )
            for field, where in sender.provenance.items():
                st.caption(f"Sender {field} from {where}")
            go = st.form_submit_button("Plan the test", type="primary", icon=":material/science:")
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
                audience = Audience()
                if list_id.strip():
                    if platform == "mailchimp":
                        audience = Audience(mailchimp_list_id=list_id.strip())
                    else:
                        try:
                            ids = [int(x) for x in list_id.split(",") if x.strip()]
                        except ValueError:
                            raise CopilotError(
                                f"Brevo list ids are whole numbers, comma-separated; got {list_id!r}"
                            ) from None
                        audience = Audience(brevo_list_ids=ids)
                chosen_sender = sender_from_brand(
                    folder,
                    kb.name,
                    from_name=from_name or None,
                    email=email or None,
                    postal_address=postal or None,
                )
                plan = plan_test(
                    brief,
                    [variants[i] for i in picks],
                    kb.campaigns,
                    chosen_sender,
                    request,
                    platform,  # type: ignore[arg-type]
                    audience,
                )
                st.session_state[state.PLAN] = (plan, _signature())
                st.session_state.pop(state.PUSH, None)

    stored = st.session_state.get(state.PLAN)
    if stored is not None:
        plan, signature = stored
        d = plan.design
        if signature != _signature():
            st.warning("The variants changed since this plan was made: plan the test again.")
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
            for way in d.ways_out:
                st.markdown(f"- **{way.action}**: {way.detail}")
        st.markdown("**Arms**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "arm": a.label + (" (control)" if k == 0 else ""),
                        "subject": a.subject,
                        "preheader": a.preheader,
                        "angle": a.angle,
                        "score": a.score,
                    }
                    for k, a in enumerate(plan.arms)
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        st.subheader("Sample size against minimum lift")
        st.caption(
            f"At a {d.baseline_rate:.2%} {d.metric[:-1]} rate, {d.power:.0%} power and alpha "
            f"{d.alpha_per_comparison:.3g} per comparison. The red point is this plan; the "
            "dashed line is the segment split evenly across the arms."
        )
        st.altair_chart(_lift_chart(plan), width="stretch")

        if plan.config is not None:
            config = plan.config
            st.subheader("Payloads")
            st.caption(
                "Each request body is validated against the vendor's OpenAPI spec before it is "
                "shown. Sequences and automations (Mailchimp Customer Journeys, Brevo workflows) "
                "cannot be created through the public APIs; campaigns can."
            )
            st.download_button(
                "Download the A/B config (JSON)",
                config.model_dump_json(indent=2),
                file_name=f"{config.test_id}.json",
                mime="application/json",
                key="dl_config",
            )
            tabs = st.tabs([p.capitalize() for p in PLATFORMS])
            for platform_name, tab in zip(PLATFORMS, tabs, strict=True):
                with tab, state.readable_errors():
                    payload = build_payload(config, platform_name)  # type: ignore[arg-type]
                    for warning in payload.warnings:
                        st.warning(warning)
                    st.markdown(f"**{payload.title}**")
                    for req in payload.requests:
                        with st.expander(f"{req.method} {req.path} · {req.step}"):
                            st.json(req.body)
                    st.download_button(
                        f"Download {platform_name.capitalize()} JSON",
                        json.dumps(payload.model_dump(mode="json"), indent=2, ensure_ascii=False),
                        file_name=f"{platform_name}-{payload.test_id}.json",
                        mime="application/json",
                        key=f"dl_{platform_name}",
                        icon=":material/download:",
                    )
                    st.markdown("**Push**")
                    key = s.mailchimp_api_key if platform_name == "mailchimp" else s.brevo_api_key
                    has_key = key is not None and bool(key.get_secret_value())
                    if has_key:
                        st.caption(f"{KEY_NAMES[platform_name]} is set in the environment.")
                    else:
                        st.caption(
                            f"{KEY_NAMES[platform_name]} is not set: export it in the environment "
                            "before starting the app to push. The key is never shown here."
                        )
                    sure = st.checkbox(
                        f"Yes, create this draft campaign in {platform_name.capitalize()}",
                        key=f"confirm_{platform_name}",
                        disabled=not has_key,
                    )
                    if st.button(
                        f"Push to {platform_name.capitalize()}",
                        disabled=not (has_key and sure),
                        key=f"push_{platform_name}",
                    ):
                        with st.spinner(f"Pushing to {platform_name}…"):
                            result = push_payload(payload, s)
                        st.session_state[state.PUSH] = result
            pushed = st.session_state.get(state.PUSH)
            if pushed is not None:
                what = "created" if pushed.created else "already there (not created again)"
                st.success(
                    f"{pushed.platform} campaign {pushed.campaign_id} {what}: {pushed.title} "
                    f"({pushed.requests_sent} request(s))"
                )
