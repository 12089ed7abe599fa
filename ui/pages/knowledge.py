"""Knowledge base: brands and their counts, uploads with a validation report, retrieval preview."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from copilot.app.knowledge import (
    CAMPAIGNS_FILE,
    PRODUCTS_FILE,
    VOICE_FILE,
    BrandRequest,
    BrandSummary,
    IngestRequest,
    RestoreRequest,
    RetrieveRequest,
    UploadReport,
    UploadRequest,
    backups,
    brands,
    ingest,
    overview,
    restore,
    retrieve,
    upload,
)
from copilot.io.brief import Goal, parse_brief
from ui import state
from ui.views import md_escape, retrieval_frames

NEW_BRAND = "+ new brand…"
DONE = "kb_done_message"  # shown once, after the rerun that refreshes the counts
PENDING = "data_kb_pending"  # an import that removes history, waiting for a yes or a cancel
LAST_IMPORT = "data_kb_last_import"  # brand and backup of the last import, for Undo


def _restore(brand: str, stamp: str) -> None:
    """Put a backup back, re-ingest, and say so after the rerun."""
    with state.readable_errors():
        state.warm_up()
        with st.spinner("Restoring and embedding…"):
            outcome = restore(RestoreRequest(brand=brand, stamp=stamp), s)
        if outcome.problems:
            for problem in outcome.problems:
                st.error(problem, icon=":material/block:")
            return
        total = outcome.ingest.total if outcome.ingest else 0
        st.session_state[DONE] = (
            f"Undone: {brand}: " + "; ".join(outcome.actions) + f". {total} chunks in the store."
        )
        st.session_state.pop(LAST_IMPORT, None)
        state.forget_contexts()
        st.rerun()


def _brand_row(brand: BrandSummary) -> dict[str, object]:
    """One row of the brands table; a brand whose files cannot be read shows the problem."""
    row: dict[str, object] = {"brand": brand.brand}
    if brand.problem:
        row["problem"] = brand.problem
        return row
    row["voice rules"] = brand.voice_rules
    row["past sends"] = brand.past_sends
    row["A/B tests"] = brand.ab_tests
    row["recipients"] = brand.recipients
    counts = brand.chunks
    if counts is None:
        row["in store"] = "not ingested"
    else:
        row["in store"] = f"{counts.get('total', 0)} chunks"
        row["voice chunks"] = counts.get("voice", 0)
        row["product chunks"] = counts.get("product", 0)
        row["campaign chunks"] = counts.get("campaign", 0)
    row["problem"] = ""
    return row


st.title("Knowledge base")
s = state.settings()
kb_dir = s.kb_dir
known = brands(s)

st.subheader("Brands")
done = st.session_state.pop(DONE, None)
if done:
    st.success(done, icon=":material/check_circle:")
last = st.session_state.get(LAST_IMPORT)
if last and st.button(
    f"Undo the last import into {last['brand']}", icon=":material/undo:", key="kb_undo"
):
    _restore(last["brand"], last["stamp"])
if not known:
    st.info(f"No brand folders in `{kb_dir}` yet: upload a brand's files below.")
else:
    with state.readable_errors():
        state.cached_store(s.model_dump_json())
        rows = [_brand_row(b) for b in overview(s)]
        table = pd.DataFrame(rows)
        if not table["problem"].astype(bool).any():
            table = table.drop(columns=["problem"])
        st.dataframe(table, hide_index=True, width="stretch")
        for row in rows:
            if row.get("problem"):
                st.error(f"{row['brand']}: {row['problem']}", icon=":material/error:")
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    target = c1.selectbox("Re-embed a brand's files into the store", known, key="kb_ingest_brand")
    if c2.button("Ingest / refresh", icon=":material/sync:", key="kb_ingest"):
        with state.readable_errors(), st.status(f"Ingesting {target}…", expanded=True):
            state.warm_up()
            report = ingest(
                IngestRequest(brand=target), s, progress=lambda msg, _frac: st.write(msg)
            )
            st.session_state[DONE] = f"{target}: {report.total} chunks in the store."
            state.forget_contexts()
            st.rerun()

st.subheader("Upload brand files")
st.caption(
    f"`{VOICE_FILE}` (personality, do and don't, vocabulary, sample lines), `{PRODUCTS_FILE}` "
    f"(facts, prices, policies, offers) and `{CAMPAIGNS_FILE}` (one row per sent variant). "
    "Every problem is listed, and nothing is imported unless all of it is valid. Files an "
    "import overwrites are kept as a dated backup you can restore."
)
choice = st.selectbox("Into brand", [*known, NEW_BRAND], key="kb_upload_brand")
brand_name = choice
if choice == NEW_BRAND:
    brand_name = st.text_input("New brand name", placeholder="e.g. tidal_tea", key="kb_new_brand")
u1, u2, u3 = st.columns(3)
voice = u1.file_uploader(VOICE_FILE, type=["md", "txt"], key="kb_voice")
products = u2.file_uploader(PRODUCTS_FILE, type=["md", "txt"], key="kb_products")
campaigns = u3.file_uploader(CAMPAIGNS_FILE, type=["csv"], key="kb_campaigns")
mode = st.radio(
    "Past campaigns",
    ["append", "replace"],
    horizontal=True,
    format_func=lambda m: {
        "append": "append new rows (rows already there are skipped)",
        "replace": "replace the file (past sends not in the new file are removed)",
    }[m],
    key="kb_csv_mode",
)
uploads = {
    name: f.getvalue()
    for name, f in ((VOICE_FILE, voice), (PRODUCTS_FILE, products), (CAMPAIGNS_FILE, campaigns))
    if f is not None
}


def _run_import(confirm_loss: bool, dry_run: bool, what: dict[str, Any]) -> UploadReport:
    with st.spinner("Validating…" if dry_run else "Importing and embedding…"):
        if not dry_run:
            state.warm_up()
        asked = UploadRequest(
            brand=what["brand"],
            files=what["uploads"],
            csv_mode=what["mode"],
            dry_run=dry_run,
            confirm_loss=confirm_loss,
        )
        return upload(asked, s)


def _imported(outcome: UploadReport) -> None:
    total = outcome.ingest.total if outcome.ingest else 0
    st.session_state[DONE] = (
        f"Imported into {outcome.brand}: " + "; ".join(outcome.actions) + f". {total} chunks in "
        "the store."
    )
    if outcome.backup is not None:
        st.session_state[LAST_IMPORT] = {"brand": outcome.brand, "stamp": outcome.backup.stamp}
    st.session_state.pop(PENDING, None)
    state.forget_contexts()
    st.rerun()  # the brands table above must show the new counts


b1, b2 = st.columns(2)
check = b1.button("Check files", icon=":material/fact_check:", key="kb_check")
do_import = b2.button(
    "Import and ingest", type="primary", icon=":material/download_for_offline:", key="kb_import"
)
request = {"brand": brand_name or "", "uploads": uploads, "mode": mode}
if check or do_import:
    st.session_state.pop(PENDING, None)
    with state.readable_errors():
        # an import that removes history is checked first and waits for a confirmation
        outcome = _run_import(False, True, request)
        if outcome.problems:
            st.error(
                f"Nothing was imported: {len(outcome.problems)} problem(s) to fix first.",
                icon=":material/block:",
            )
            for problem in outcome.problems:
                st.markdown(f"- {md_escape(problem)}")
        elif do_import and outcome.loss is not None:
            st.session_state[PENDING] = {**request, "loss": outcome.loss.describe()}
        elif check:
            st.success("All files are valid. Importing will: " + "; ".join(outcome.actions) + ".")
            if outcome.loss is not None:
                st.warning(
                    f"This import {outcome.loss.describe()}. You will be asked to confirm.",
                    icon=":material/warning:",
                )
        else:
            done = _run_import(False, False, request)
            if done.problems:
                for problem in done.problems:
                    st.error(problem, icon=":material/block:")
            else:
                _imported(done)

pending = st.session_state.get(PENDING)
if pending:
    with st.container(border=True):
        st.warning(
            f"Importing into {pending['brand']} {pending['loss']}. The current file is kept as "
            "a dated backup, and Undo brings it back.",
            icon=":material/warning:",
        )
        y, n = st.columns(2)
        if y.button("Yes, replace it", type="primary", icon=":material/delete:", key="kb_confirm"):
            with state.readable_errors():
                done = _run_import(True, False, pending)
                if done.problems:
                    for problem in done.problems:
                        st.error(problem, icon=":material/block:")
                else:
                    _imported(done)
        if n.button("Cancel", icon=":material/close:", key="kb_cancel"):
            st.session_state.pop(PENDING, None)
            st.session_state[DONE] = "Cancelled: nothing was changed."
            st.rerun()

if known:
    with st.expander("Earlier versions (backups)", icon=":material/history:"):
        backup_brand = st.selectbox(
            "Brand", known, key="kb_backup_brand", label_visibility="collapsed"
        )
        found = backups(BrandRequest(brand=backup_brand), s)
        if not found:
            st.caption(
                f"No backups of {backup_brand} yet: each import that overwrites a file makes one."
            )
        else:
            stamp = st.selectbox(
                "Version before the import of",
                [b.stamp for b in found],
                format_func=lambda t: next(
                    f"{b.stamp[:10]} {b.stamp[11:13]}:{b.stamp[13:15]}:{b.stamp[15:17]} UTC · "
                    + "; ".join(b.actions or ["(no details)"])
                    for b in found
                    if b.stamp == t
                ),
                key="kb_backup_stamp",
            )
            if st.button("Restore this version", icon=":material/restore:", key="kb_restore"):
                _restore(backup_brand, stamp)

st.subheader("What would retrieval return for this brief?")
current = state.brief()
with st.form("kb_preview"):
    p1, p2, p3 = st.columns(3)
    names = known
    default_brand = current.brand if current and current.brand in names else None
    goals = [g.value for g in Goal]
    brand = p1.selectbox(
        "Brand", names, index=names.index(default_brand) if default_brand else 0, key="kb_q_brand"
    )
    goal = p2.selectbox(
        "Goal",
        goals,
        index=goals.index(current.goal.value) if current else 1,
        key="kb_q_goal",
    )
    segment = p3.text_input(
        "Segment", current.segment.name if current else "cart_abandoners", key="kb_q_segment"
    )
    preview = st.form_submit_button("Retrieve", icon=":material/manage_search:")
if preview and brand:
    with state.readable_errors():
        data: dict[str, Any] = {"brand": brand, "goal": goal, "segment": {"name": segment}}
        if current is not None and current.brand == brand:
            # same brief otherwise, so the preview is what generation would see
            data = {**current.model_dump(mode="json"), **data}
            data["segment"] = {**current.segment.model_dump(mode="json"), "name": segment}
        probe = parse_brief(data, source="retrieval preview")
        state.warm_up()
        with st.spinner("Retrieving…"):
            context = retrieve(RetrieveRequest(brief=probe), s)
        frames = retrieval_frames(context)
        st.caption(
            f"{len(context.top_performers)} top performers (ranked by similarity and measured "
            f"performance, diversified), {len(context.voice)} voice and "
            f"{len(context.products)} product chunks."
        )
        st.markdown("**Top performers**")
        st.dataframe(
            frames["top performers"],
            hide_index=True,
            width="stretch",
            column_config={
                "open rate": st.column_config.NumberColumn(format="percent"),
                "click rate": st.column_config.NumberColumn(format="percent"),
            },
        )
        v, p = st.columns(2)
        v.markdown("**Voice**")
        v.dataframe(frames["voice"], hide_index=True, width="stretch")
        p.markdown("**Products and facts**")
        p.dataframe(frames["products"], hide_index=True, width="stretch")
elif preview:
    st.error("Choose a brand first.")
