"""A Strong or Hevy export dropped on the Upload page: shown as what it is, imported on a click
for the chosen lifter, refused with the importer's message when broken, beside recordings."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from journal import catalog
from journal.db import session_factory, write_transaction
from journal.search import SetQuery, search_sets
from journal.store import count_sessions
from ml.sample_session import SAMPLE_PATH
from tests.archives import MAC_JUNK, zipped
from ui.text import escape_markdown

FIXTURES = Path(__file__).parents[1] / "journal" / "fixtures"
STRONG = (FIXTURES / "strong_export.csv").read_bytes()
HEVY = (FIXTURES / "hevy_export.csv").read_bytes()


@pytest.fixture
def ann(journal_engine, saved_sample) -> str:
    """A journal of two lifters: the default one's sample session, and Ann, without any."""
    write_transaction(journal_engine, lambda session: catalog.athlete_named(session, "Ann").id)
    return "Ann"




def _still_watch(seed: int) -> bytes:
    """A watch lying still for 30 s (robustness input, not anybody's recording)."""
    rng = np.random.default_rng(seed)
    seconds = np.arange(0, 30, 0.02)
    return pd.DataFrame({"time": seconds, **{axis: 0.01 * rng.standard_normal(seconds.size)
                                             for axis in ("gx", "gy", "gz")}}
                        ).to_csv(index=False).encode()


def _drop(at, *files):
    at.file_uploader(key="upload_files").set_value(list(files)).run()
    assert not at.exception, at.exception
    return at


def _import_button(at):
    (button,) = [b for b in at.button if b.key.startswith("upload_import_")]
    return button


def _sessions(engine, athlete=None) -> int:
    with session_factory(engine)() as db:
        return count_sessions(db, athlete=athlete)


def test_a_strong_export_is_shown_and_imported_on_click_for_the_lifter(
    app, journal_engine, page_text, ann
):
    at = _drop(app("upload", lifter="Ann"), ("strong.csv", STRONG, "text/csv"))
    assert not at.error, [e.value for e in at.error]  # no "no gyroscope columns"
    text = page_text(at)
    assert "Strong export: 2 workouts, 5 sets, 5 – 7 Mar 2024" in text
    assert "New exercises of your own:** Cable Crossover" in text
    assert at.radio(key=_import_button(at).key.replace("import_", "import_unit_")).value == "kg"
    assert _import_button(at).label == "Import 2 workouts"
    assert _sessions(journal_engine) == 1  # the sample: nothing written before the click

    _import_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Imported 2 workouts (5 sets) into Ann's journal." in at.success[0].value
    (link,) = [link for link in at.get("page_link") if link.proto.page == "journal"]
    assert link.proto.query_string == "from=2024-03-05&to=2024-03-07&lifter=Ann"
    assert (_sessions(journal_engine), _sessions(journal_engine, "Ann")) == (3, 2)

    # On the Journal page, Ann's search finds the imported sets; the default lifter's not.
    journal = app("journal", lifter="Ann", **{"from": "2024-03-05", "to": "2024-03-07"})
    rows = journal.dataframe(key="journal_results").value
    assert sorted(rows["exercise"]) == ["Barbell back squat", "Barbell bench press",
                                        "Cable Crossover", "Pull-up", "Pull-up"]
    mine = app("journal", **{"from": "2024-03-05", "to": "2024-03-07"})
    assert "No sets match" in mine.warning[0].value

    # Dropped again, the export says its workouts are there and offers no import.
    again = _drop(app("upload", lifter="Ann"), ("strong.csv", STRONG, "text/csv"))
    assert "All 2 workouts of this export are already in Ann's journal." in page_text(again)
    assert not [b for b in again.button if b.key.startswith("upload_import_")]


def test_pounds_chosen_for_a_strong_export_are_imported_as_kg(app, journal_engine, page_text):
    at = _drop(app("upload"), ("strong.csv", STRONG, "text/csv"))
    assert "Read in kg, the heaviest set is 100.0 kg." in page_text(at)
    unit = at.radio(key=_import_button(at).key.replace("import_", "import_unit_"))
    unit.set_value("lb").run()
    assert "Read in lb, the heaviest set is 45.4 kg." in page_text(at)
    _import_button(at).click().run()
    assert not at.error, [e.value for e in at.error]
    with session_factory(journal_engine)() as db:
        squat = search_sets(db, SetQuery(exercise="squat")).rows
    assert [round(row.weight_kg or 0, 2) for row in squat] == [45.36]


def test_a_broken_export_names_the_line_and_writes_nothing(app, journal_engine):
    broken = STRONG.replace(b"2024-03-07 07:30:00", b"yesterday")
    at = _drop(app("upload"), ("strong.csv", broken, "text/csv"))
    (error,) = [e.value for e in at.error]
    assert error.startswith("strong.csv: line 7: cannot read the date 'yesterday'")
    assert not [b for b in at.button if b.key.startswith("upload_import_")]
    assert _sessions(journal_engine) == 0


def test_an_export_beside_recordings_gets_its_own_box_and_save_all_leaves_it(
    app, journal_engine, page_text
):
    # A watch lying still for 30 s (robustness input, not anybody's recording).
    rng = np.random.default_rng(3)
    seconds = np.arange(0, 30, 0.02)
    still = pd.DataFrame({"time": seconds, **{axis: 0.01 * rng.standard_normal(seconds.size)
                                               for axis in ("gx", "gy", "gz")}})
    at = app("upload")
    at.file_uploader(key="upload_files").set_value([
        ("workouts.csv", HEVY, "text/csv"),
        (SAMPLE_PATH.name, SAMPLE_PATH.read_bytes(), "application/gzip"),
        ("still.csv", still.to_csv(index=False).encode(), "text/csv"),
    ]).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [h.value for h in at.subheader][0] == "workouts\\.csv"
    assert "Hevy export: 1 workout, 3 sets, 26 Mar 2024" in page_text(at)
    save_all = at.button(key="upload_save_all")
    assert save_all.label == "Save all 2 recordings"
    assert "a Strong or Hevy export is imported by its own button" in save_all.help
    save_all.click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # Both recordings are saved; the export is not imported.
    assert _sessions(journal_engine) == 2
    assert _import_button(at).label == "Import 1 workout"


@pytest.mark.parametrize(
    ("name", "packed", "heading"),
    [
        ("Strong Export.zip", zipped({"strong.csv": STRONG, **MAC_JUNK}),
         "Strong Export.zip: strong.csv"),
        ("strong.csv.gz", gzip.compress(STRONG), "strong.csv.gz"),
    ],
)
def test_a_zipped_or_gzipped_strong_export_gets_the_export_box_and_is_imported(
    app, journal_engine, page_text, name, packed, heading
):
    at = _drop(app("upload"), (name, packed, "application/octet-stream"))
    assert not at.error, [e.value for e in at.error]  # no "no gyroscope columns"
    assert [h.value for h in at.subheader] == [escape_markdown(heading)]
    assert "Strong export: 2 workouts, 5 sets, 5 – 7 Mar 2024" in page_text(at)
    unit = at.radio(key=_import_button(at).key.replace("import_", "import_unit_"))
    assert unit.value == "kg" and not at.data_editor  # no recording box beside it
    assert _import_button(at).label == "Import 2 workouts"
    assert _sessions(journal_engine) == 0
    _import_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Imported 2 workouts (5 sets) into your journal." in at.success[0].value
    assert _sessions(journal_engine) == 2


def test_a_zip_of_recordings_and_exports_gets_a_box_for_each(app, journal_engine, page_text):
    bundle = zipped({"watch/monday.csv": _still_watch(3), "watch/tuesday.csv": _still_watch(4),
                   "strong.csv": STRONG, "hevy.csv.gz": gzip.compress(HEVY), **MAC_JUNK})
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [("week.zip", bundle, "application/zip")]).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # The exports first, then each recording, all named after their file in the zip.
    assert [h.value for h in at.subheader] == [escape_markdown(f"week.zip: {name}") for name in (
        "hevy.csv.gz", "strong.csv", "watch/monday.csv", "watch/tuesday.csv")]
    text = page_text(at)
    assert "Hevy export: 1 workout, 3 sets, 26 Mar 2024" in text
    assert "Strong export: 2 workouts, 5 sets, 5 – 7 Mar 2024" in text
    assert len(at.data_editor) == 2
    at.button(key="upload_save_all").click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _sessions(journal_engine) == 2  # the recordings; the exports wait for their buttons
    imports = [b for b in at.button if b.key.startswith("upload_import_")]
    assert [b.label for b in imports] == ["Import 1 workout", "Import 2 workouts"]
    imports[1].click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Imported 2 workouts (5 sets) into your journal." in at.success[0].value
    assert _sessions(journal_engine) == 4
    assert [b.label for b in at.button if b.key.startswith("upload_import_")] == [
        "Import 1 workout"]


def test_bad_compressed_exports_are_refused_each_naming_its_file(app, journal_engine):
    cut = gzip.compress(STRONG)[:-30]
    broken = STRONG.replace(b"2024-03-07 07:30:00", b"yesterday")
    at = _drop(app("upload"),
               ("cut.csv.gz", cut, "application/gzip"),
               ("broken.zip", zipped({"strong.csv": broken, **MAC_JUNK}), "application/zip"),
               ("notes.zip", zipped({"notes.txt": b"leg day", **MAC_JUNK}), "application/zip"),
               ("garbled.csv.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 200, "application/gzip"))
    broken_line, cut_off, garbled, nothing = sorted(e.value for e in at.error)
    assert broken_line == ("broken.zip/strong.csv: line 7: cannot read the date 'yesterday' "
                           "(expected e.g. 2024-03-05 18:30:00)")
    assert cut_off == ("cut.csv.gz: the file is cut off (it ends before its gzip end marker); "
                       "copy or download it again")
    assert garbled == "garbled.csv.gz: not a valid gzip file"
    assert nothing.startswith("notes.zip: nothing recognisable inside: notes.txt (")
    assert not [b for b in at.button if b.key.startswith("upload_import_")]
    assert _sessions(journal_engine) == 0


def test_strongs_bodyweight_sets_have_no_weight_in_the_journal_and_no_0_kg_record(
    app, journal_engine, page_text
):
    at = _drop(app("upload"), ("strong.csv", STRONG, "text/csv"))
    _import_button(at).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    journal = app("journal", exercise="pull up", **{"from": "2024-03-05", "to": "2024-03-05"})
    rows = journal.dataframe(key="journal_results").value
    assert list(rows["reps"]) == [8, 7] and rows["weight_kg"].isna().all()
    progress = app("progress", period="All time")
    assert not progress.exception and not progress.error
    records = progress.dataframe(key="progress_records").value
    pull_ups = records[records["exercise"] == "Pull-up"]
    assert list(pull_ups["value"]) == ["8 reps"]  # the most reps; no "Heaviest set: 0 kg × 8"
    assert not records["value"].str.startswith("0 kg").any()


def test_a_second_export_of_the_same_workouts_says_they_are_there_once_one_is_imported(
    app, journal_engine, page_text
):
    # The export and a zipped copy of it, dropped together (say, from a mail and a phone).
    at = _drop(app("upload"), ("strong.csv", STRONG, "text/csv"),
               ("strong.zip", zipped({"strong.csv": STRONG}), "application/zip"))
    buttons = [b for b in at.button if b.key.startswith("upload_import_")]
    assert [b.label for b in buttons] == ["Import 2 workouts"] * 2
    buttons[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _sessions(journal_engine) == 2  # its 2 workouts, once
    assert "All 2 workouts of this export are already in your journal." in page_text(at)
    assert not [b for b in at.button if b.key.startswith("upload_import_")]
