"""Whether the app is open on a phone, for the few figures that must be drawn for its width.

Streamlit does not tell the server how wide the browser is; the browser's User-Agent says
whether it is a phone: MDN's advice is to look for "Mobi" in it (iPhone Safari, Android Chrome
and Firefox on a phone; not tablets or desktops).
"""

from __future__ import annotations

import streamlit as st


def is_phone_user_agent(user_agent: str | None) -> bool:
    """Whether this User-Agent header is a phone's."""
    return bool(user_agent) and "Mobi" in str(user_agent)


def on_phone() -> bool:
    """Whether the page is being drawn on a phone (from the request's User-Agent)."""
    return is_phone_user_agent(st.context.headers.get("User-Agent"))
