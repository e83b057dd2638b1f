"""A journal shared by several lifters: every page shows, saves and learns for the lifter chosen
(the sidebar's choice, kept in the URL as ``?lifter=Ann``, or ``JOURNAL_ATHLETE``)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from journal import catalog
from journal.db import session_factory, write_transaction
from journal.store import list_athletes, list_sessions, save_analysis
from ml.recordings import Recording
from tests.app.conftest import truth_analysis
from ui import retrain_job
from ui.lifter import ADD_KEY, CHOICE_KEY, NEW_NAME_KEY

ANN_DAY = datetime(2025, 4, 2, 18, 30)


@pytest.fixture
def ann_session(journal_engine, saved_sample, sample_recording: Recording) -> int:
    """Beside the default lifter's sample session ("Me": 5 sets, 56 reps, assisted pull-ups at
    61-66 kg of help), Ann's: the same movements as another recording, its first two sets only
    (two assisted pull-up sets of 12, at 30 kg of help, both confirmed)."""
    recording = dataclasses.replace(sample_recording, sha256="a" * 64)
    analysis = truth_analysis(recording)
    analysis = dataclasses.replace(analysis, sets=analysis.sets[:2])
    result = write_transaction(
        journal_engine,
        lambda session: save_analysis(
            session, analysis, athlete="Ann", title="Ann's pulls", performed_at=ANN_DAY,
            set_overrides={i: {"weight_kg": 30.0, "confirmed": True} for i in range(2)},
        ),
    )
    return result.session_id


def test_the_journal_shows_only_the_chosen_lifters_sets(app, ann_session):
    at = app("journal", lifter="Ann")
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Sets"], metrics["Sessions"]) == ("2", "1")
    assert set(at.dataframe[0].value["session"]) == {"Ann's pulls"}
    # The default lifter's journal is theirs alone too.
    at = app("journal")
    assert {m.label: m.value for m in at.metric}["Sets"] == "5"


def test_progress_shows_only_the_chosen_lifters_days_and_records(app, ann_session, page_text):
    at = app("progress", lifter="Ann")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "1 training day, 1 session, 2 sets, 24 reps." in page_text(at)
    # Only the exercises Ann did are offered.
    assert at.multiselect(key="progress_exercises").options == ["Assisted pull-up"]
    records = at.dataframe[0].value
    assert set(records["session_id"]) == {ann_session}
    # Ann's least assistance is hers (30 kg), not the other lifter's 61 kg.
    record = dict(zip(records["record"], records["value"], strict=True))
    assert record["Least assistance"] == "30 kg × 12"


def test_the_lifter_is_kept_in_the_links_to_a_session(app, ann_session):
    at = app("session", lifter="Ann")
    links = [link.proto.query_string for link in at.get("page_link")]
    assert f"session={ann_session}&lifter=Ann" in links


def test_an_upload_is_saved_as_the_chosen_lifters(app, journal_engine, page_text):
    write_transaction(journal_engine, lambda session: catalog.athlete_named(session, "Bob"))
    rng = np.random.default_rng(3)  # a watch lying still for 30 s: quick to analyse
    seconds = np.arange(0, 30, 0.02)
    still = pd.DataFrame({"time": seconds, **{
        axis: 0.01 * rng.standard_normal(seconds.size) for axis in ("gx", "gy", "gz")}})
    at = app("upload", lifter="Bob")
    # On a phone the sidebar is folded away: the page itself says whose the uploads are.
    assert "Uploads are saved for **Bob**" in page_text(at)
    at.file_uploader(key="upload_files").set_value(
        ("still.csv", still.to_csv(index=False).encode(), "text/csv")).run(timeout=300)
    (save,) = [b for b in at.button if b.key and b.key.startswith("upload_save_")]
    save.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Saved as session 1 of Bob."]
    with session_factory(journal_engine)() as db:
        assert [s.athlete for s in list_sessions(db)] == ["Bob"]


def test_journal_athlete_pins_the_lifter_and_offers_no_choice(
    app, ann_session, monkeypatch, page_text
):
    monkeypatch.setenv("JOURNAL_ATHLETE", "Ann")
    at = app("journal", lifter="Me")  # the pin wins over a link's lifter
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Sets"] == "2"
    assert not [w for w in at.selectbox if w.key == CHOICE_KEY]
    assert not [w for w in at.text_input if w.key == NEW_NAME_KEY]
    assert "Lifter: **Ann**" in page_text(at)


def test_a_lifter_unknown_to_the_journal_gets_a_message_and_is_not_created(
    app, journal_engine, saved_sample, page_text
):
    at = app("progress", lifter="Zed")
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "There is no lifter “Zed” in this journal" in error and "nothing was created" in error
    assert "training day" not in page_text(at)  # nobody's progress shown under Zed's name
    with session_factory(journal_engine)() as db:
        assert list_athletes(db) == ["Me"]
    at.button(key="lifter_unknown_default").click().run()
    assert not at.error and "1 training day" in page_text(at)


def test_a_single_user_is_asked_nothing_and_can_add_a_lifter(
    app, journal_engine, saved_sample, page_text
):
    assert "Uploads are saved for" not in page_text(app("upload"))
    at = app("journal")
    assert not at.exception
    # No picker: the name in a small "Lifter: Me" popover, with the form to add one.
    assert not [w for w in at.selectbox if w.key == CHOICE_KEY]
    for typed, said in (("   ", "the name is empty"), ("x" * 81, "at most 80 characters")):
        at.text_input(key=NEW_NAME_KEY).set_value(typed)
        at.button(key=ADD_KEY).click().run()
        assert any(said in e.value for e in at.error), [e.value for e in at.error]
    with session_factory(journal_engine)() as db:
        assert list_athletes(db) == ["Me"]
    at.text_input(key=NEW_NAME_KEY).set_value(" Ann ")
    at.button(key=ADD_KEY).click().run()
    assert not at.exception
    with session_factory(journal_engine)() as db:
        assert list_athletes(db) == ["Ann", "Me"]
    assert at.query_params["lifter"] == "Ann"
    assert at.selectbox(key=CHOICE_KEY).value == "Ann"
    # Ann has no session yet: her journal says so (not the sample offer, not Me's sets).
    assert any("Ann has no sessions in the journal yet" in i.value for i in at.info)
    at.selectbox(key=CHOICE_KEY).select("Me").run()
    assert "lifter" not in at.query_params
    assert {m.label: m.value for m in at.metric}["Sets"] == "5"


def test_another_lifters_session_says_whose_it_is(app, ann_session):
    at = app("session", session=str(ann_session))
    assert not at.exception and not at.error
    assert any("This is **Ann's** session" in i.value for i in at.info)
    assert at.data_editor(key=f"session_sets_{ann_session}_0")  # edits stay allowed
    at.button(key="session_switch_lifter").click().run()
    assert at.query_params["lifter"] == "Ann"
    assert not any("This is **Ann's** session" in i.value for i in at.info)


def test_the_model_page_counts_the_chosen_lifters_labelled_sets(app, ann_session):
    at = app("model", lifter="Ann")
    assert not at.exception, at.exception
    (counts,) = [d.value for d in at.dataframe if "Confirmed as named" in d.value.columns]
    assert counts.to_dict("records") == [{
        "Exercise": "Assisted pull-up", "Name corrected": 0, "Confirmed as named": 2,
        "Learnable": "yes"}]
    # The default lifter confirmed nothing.
    at = app("model")
    assert any("No corrected or confirmed sets yet" in i.value for i in at.info)


def test_a_retrain_of_the_default_lifter_is_one_job_whether_named_or_not(journal_engine):
    assert retrain_job._key(journal_engine, None) == retrain_job._key(journal_engine, "Me")
    assert retrain_job._key(journal_engine, "Ann") != retrain_job._key(journal_engine, "Me")
