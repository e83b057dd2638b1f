"""User text shown inert: escape Markdown so titles and names never render as markup or links."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

# Markdown punctuation, plus ":" (Streamlit's :emoji: and :color[...] directives) and "$" (LaTeX).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<:$])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every Markdown/Streamlit directive character; newlines become spaces.

    For one-line places (headers, labels); longer user text goes through ``st.text``.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("\n", " "))


def plural(count: int, word: str) -> str:
    """A count and its word: "1 set", "2 sets" (English -s plurals only)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def explain(error: BaseException) -> str:
    """An error in plain words: its own message when it is a known kind, else what went wrong.

    Unexpected errors are logged with their traceback for the operator; users never see one.
    """
    if isinstance(error, ValueError | LookupError | OSError):
        return str(error)
    log.error("unexpected error shown to the user as a message", exc_info=error)
    return f"an unexpected {type(error).__name__} (the details are in the server log)"
