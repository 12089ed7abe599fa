"""Campaign Copilot web UI (Streamlit). Thin over `copilot/`: parse input, call, render."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run ui/app.py` from a checkout without an install
    sys.path.insert(0, str(ROOT))

from ui.state import model_banner  # noqa: E402

PAGES = ROOT / "ui" / "pages"

st.set_page_config(page_title="Campaign Copilot", page_icon=":material/mail:", layout="wide")
# An unexpected error is a bug: people see its type, the traceback goes to the server log only.
st.set_option("client.showErrorDetails", "type")

pages = {
    "Write": [
        st.Page(str(PAGES / "brief.py"), title="Brief", icon=":material/edit_note:", default=True),
        st.Page(str(PAGES / "variants.py"), title="Variants", icon=":material/manage_search:"),
        st.Page(str(PAGES / "bodies.py"), title="Bodies", icon=":material/mail:"),
        st.Page(str(PAGES / "sequence.py"), title="Sequence", icon=":material/timeline:"),
    ],
    "Test and learn": [
        st.Page(str(PAGES / "export.py"), title="A/B plan & export", icon=":material/science:"),
        st.Page(str(PAGES / "results.py"), title="Results", icon=":material/insights:"),
    ],
    "Brand": [
        st.Page(str(PAGES / "knowledge.py"), title="Knowledge base", icon=":material/menu_book:"),
    ],
}
page = st.navigation(pages)
model_banner()
page.run()
