"""The Wrist Journal app: routing and the lifter choice (ui/lifter.py); every page lives in
app_pages/."""

from __future__ import annotations

import streamlit as st

from ui.lifter import choose_lifter
from ui.resources import UNAVAILABLE, show_journal_unavailable

st.set_page_config(page_title="Wrist Journal", page_icon=":material/watch:", layout="wide")

pages = [
    st.Page("app_pages/upload.py", title="Upload", icon=":material/upload_file:", default=True),
    st.Page("app_pages/journal.py", title="Journal", icon=":material/search:"),
    st.Page("app_pages/session.py", title="Session", icon=":material/monitor_heart:"),
    st.Page("app_pages/progress.py", title="Progress", icon=":material/trending_up:"),
    st.Page("app_pages/model.py", title="Model", icon=":material/model_training:"),
]
try:
    page = st.navigation(pages)
    choose_lifter()  # whose journal the page shows: the sidebar's choice, the URL, JOURNAL_ATHLETE
    page.run()
except UNAVAILABLE as error:  # the database went away after the page opened it
    show_journal_unavailable(error)
