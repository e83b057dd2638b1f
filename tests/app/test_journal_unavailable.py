"""A journal database the app cannot use (a server that is down, a wrong database name, a driver
that is not installed, a newer schema) is named in one red box on every page: no traceback."""

from __future__ import annotations

import pytest

from tests.app.test_pages import PAGES


@pytest.mark.parametrize("page", PAGES)
def test_a_database_server_that_does_not_answer_is_named_on_every_page(
    app, monkeypatch, page
):
    # Port 1: nothing listens there, so the connection is refused at once.
    monkeypatch.setenv("JOURNAL_DATABASE_URL",
                       "postgresql+psycopg://team:secret@127.0.0.1:1/journal")
    at = app(page)
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert "The journal cannot be opened" in errors[0] and "127.0.0.1" in errors[0], errors
    assert "secret" not in errors[0]  # the password is not shown


def test_a_driver_that_is_not_installed_is_named(app, monkeypatch):
    monkeypatch.setenv("JOURNAL_DATABASE_URL", "postgresql+psycopg2://team@127.0.0.1:1/journal")
    at = app("journal")
    assert not at.exception, [e.value for e in at.exception]
    assert ["psycopg2" in e.value and "postgresql+psycopg://" in e.value for e in at.error] == [
        True], [e.value for e in at.error]
