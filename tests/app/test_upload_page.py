"""The Upload page: a bad file gets the importer's message, a known one a link, others go on."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from journal.db import session_factory, write_transaction
from journal.store import list_sessions, load_session, save_analysis
from ml.analysis import SessionAnalysis
from ml.count_checks import miscounted_exercises
from ml.counting_card import load_card
from ml.recordings import read_recording
from ml.sample_session import SAMPLE_PATH
from ui.text import escape_markdown


def test_bad_file_shows_the_importers_message_and_the_next_file_goes_on(app, saved_sample):
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [
            ("notes.csv", b"when,what\n1,squat\n2,bench\n", "text/csv"),
            (SAMPLE_PATH.name, SAMPLE_PATH.read_bytes(), "application/gzip"),
        ]
    ).run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "notes.csv" in errors[0]
    # One red box for the bad file: its progress line goes once the error box says it all.
    # The box's heading names the file; its status line says only how far it has got.
    assert [status.label for status in at.get("status")] == ["Ready"]
    # The second file is the sample already saved: said so, with a link to its session.
    assert "already in your journal" in at.info[0].value
    (link,) = at.get("page_link")
    assert (link.proto.page, link.proto.query_string) == ("session", f"session={saved_sample}")


def test_the_journals_own_sets_download_dropped_on_upload_is_named_as_a_table_of_sets(
    app, saved_sample, journal_engine
):
    # "Download these sets (CSV)" of the Journal page, dropped back: what it is, and where sets
    # go, rather than "no time column".
    from journal.search import SetQuery
    from ui.journal_query import search_download

    download = search_download(journal_engine, SetQuery())
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(("sets.csv", download, "text/csv")).run()
    assert not at.exception, at.exception
    (error,) = [e.value for e in at.error]
    assert "sets.csv: a table of sets" in error and "not a motion recording" in error
    assert "time column" not in error
    with session_factory(journal_engine)() as session:
        assert [s.id for s in list_sessions(session)] == [saved_sample]


def test_empty_file_is_refused_in_plain_words(app, journal_url):
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(("empty.csv", b"", "text/csv")).run()
    assert not at.exception
    assert "empty" in at.error[0].value.lower()


def test_metamotion_gyroscope_and_accelerometer_upload_as_one_recording(
    app, journal_engine, datasets_dir
):
    folder = datasets_dir / "barbell-metamotion"
    gyro = next(folder.glob("A-bench-heavy2_MetaWear_*_Gyroscope_*.csv"))
    accel = next(folder.glob("A-bench-heavy2_MetaWear_*_Accelerometer_*.csv"))
    recording = read_recording([gyro, accel])
    saved = write_transaction(
        journal_engine,
        lambda session: save_analysis(session, SessionAnalysis(recording=recording, sets=())),
    )

    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in (accel, gyro)]
    ).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # One recording box for the pair, named by what its files share, found already saved.
    shared = gyro.name.split("_Gyroscope")[0]
    assert [h.value for h in at.subheader] == [escape_markdown(shared)]
    assert "already in your journal" in at.info[0].value
    (link,) = at.get("page_link")
    assert link.proto.query_string == f"session={saved.session_id}"


def _zipped(paths, junk: dict[str, bytes] | None = None) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for path in paths:
            packed.write(path, path.name)
        for name, data in (junk or {}).items():
            packed.writestr(name, data)
    return archive.getvalue()


def test_a_zip_of_several_recordings_is_one_of_each_and_a_zip_of_one_stays_one(
    app, journal_engine, datasets_dir
):
    sets = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[:2]
    pair = sorted((datasets_dir / "barbell-metamotion").glob("A-bench-heavy2_MetaWear_*.csv"))
    week = _zipped(sets, {"__MACOSX/._notes.csv": b"\x00\x05", ".DS_Store": b"\x00Bud1"})
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [("week.zip", week, "application/zip"),
         ("pair.zip", _zipped(pair), "application/zip")]).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # One box per recording, named so the user knows which file it is; the MetaMotion pair's
    # zip is one recording; the Mac's hidden files are no recording.
    assert [h.value for h in at.subheader] == [escape_markdown(name) for name in (
        f"week.zip: {sets[0].name}", f"week.zip: {sets[1].name}", "pair.zip")]
    assert len(at.data_editor) == 3
    # Each set's day and time come from its own file name, as when dropped alone.
    clocks = [t.value for t in at.time_input if t.key.startswith("upload_time_")]
    assert clocks[:2] == [time(7, 36, 28), time(7, 41, 19)]
    with session_factory(journal_engine)() as db:
        assert list_sessions(db) == []  # nothing is written before the user saves
    at.button(key="upload_save_all").click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.success) == 3
    with session_factory(journal_engine)() as db:
        saved = sorted(list_sessions(db), key=lambda s: s.id)
        first = load_session(db, saved[0].id, with_signal=False)
    assert len(saved) == 3 and first.recordings[0].file_names == (f"week.zip/{sets[0].name}",)


def test_the_landing_page_links_the_newest_sessions(app, saved_sample):
    at = app()  # the app's first page: Upload
    assert not at.exception
    (link,) = at.get("page_link")
    assert (link.proto.page, link.proto.query_string) == ("session", f"session={saved_sample}")
    assert link.proto.label.endswith("Sample morning · 5 sets")


def test_a_file_named_with_its_day_is_dated_that_day(app, journal_url):
    # The sample's name gives its day but no time of day: the session is dated that day, not
    # today, unless the user picks another date.
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        (SAMPLE_PATH.name, SAMPLE_PATH.read_bytes(), "application/gzip")
    ).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    (day,) = [d for d in at.date_input if d.key.startswith("upload_date_")]
    assert day.value == date(2024, 12, 1)


def test_start_time_is_the_recordings_own_clock_to_the_second_and_saved_so(
    app, journal_engine, datasets_dir, time_zone
):
    # The MetaMotion pair says 17:09:32 (its "time (01:00)" column and its name), whatever the
    # zone of the machine running the app.
    time_zone("America/New_York")
    pair = sorted((datasets_dir / "barbell-metamotion").glob("B-squat-medium1-*.csv"))
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [(p.name, p.read_bytes(), "text/csv") for p in pair]
    ).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    (clock,) = [t for t in at.time_input if t.key.startswith("upload_time_")]
    (day,) = [d for d in at.date_input if d.key.startswith("upload_date_")]
    assert (day.value, clock.value) == (date(2019, 1, 11), time(17, 9, 32))
    (save,) = [b for b in at.button if b.key.startswith("upload_save_")]
    save.click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    with session_factory(journal_engine)() as session:
        (saved,) = list_sessions(session)
    assert saved.performed_at == datetime(2019, 1, 11, 17, 9, 32)


def test_a_recording_without_sets_says_how_to_mark_them_and_can_be_saved(app, journal_engine):
    # A watch lying still for 30 s (robustness input, not anybody's recording).
    rng = np.random.default_rng(3)
    seconds = np.arange(0, 30, 0.02)
    still = pd.DataFrame({"time": seconds, "gx": 0.01 * rng.standard_normal(seconds.size),
                          "gy": 0.01 * rng.standard_normal(seconds.size),
                          "gz": 0.01 * rng.standard_normal(seconds.size)})
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        ("still.csv", still.to_csv(index=False).encode(), "text/csv")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(m.value.startswith("**No sets found.** Save it to keep the recording, then mark")
               for m in at.markdown)
    assert not any("0 sets found" in m.value for m in at.markdown)
    (save,) = [b for b in at.button if b.key and b.key.startswith("upload_save_")]
    save.click().run()
    with session_factory(journal_engine)() as db:
        (saved,) = list_sessions(db)
    assert saved.n_sets == 0


def test_several_recordings_are_saved_at_once_as_each_box_shows_them(
    app, journal_engine, datasets_dir
):
    files = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[:2]
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [(f.name, f.read_bytes(), "application/gzip") for f in files]).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # The user corrects the first recording's first set, then saves both in one click.
    first_editor = at.data_editor[0].key
    at.session_state[first_editor] = {
        "edited_rows": {0: {"reps": 7, "weight_kg": 61.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="upload_save_all").click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == [
        "Saved as session 1.", "Saved as session 2."]
    with session_factory(journal_engine)() as db:
        sessions = sorted(list_sessions(db), key=lambda s: s.id)
        corrected = load_session(db, sessions[0].id, with_signal=False).sets[0]
    assert len(sessions) == 2
    assert (corrected.reps, corrected.weight_kg, corrected.corrected) == (7, 61.0, True)


#: A real applewatch-gym set, 12 assisted pull-ups; its name gives the watch's clock.
APPLE_SET = "011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz"


def test_a_recording_downloaded_from_its_session_and_dropped_again_is_already_in_the_journal(
    app, journal_engine, datasets_dir, click_download
):
    recording = read_recording(datasets_dir / "applewatch-gym" / APPLE_SET)
    saved = write_transaction(journal_engine, lambda session: save_analysis(
        session, SessionAnalysis(recording=recording, sets=())))
    with session_factory(journal_engine)() as session:
        (stored,) = load_session(session, saved.session_id, with_signal=False).recordings
    at = app("session", session=str(saved.session_id))
    name, data = click_download(at, f"session_download_recording_{stored.id}")

    at = app("upload")
    at.file_uploader(key="upload_files").set_value((name, data, "text/csv")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # Other bytes than the file saved, found by its start and length before any analysis.
    assert [i.value for i in at.info] == [
        f"The same recording (same start and length) is already in your journal since "
        f"{stored.uploaded_at:%d %b %Y, %H:%M} UTC."]
    (link,) = at.get("page_link")
    assert link.proto.query_string == f"session={saved.session_id}"
    assert not [b for b in at.button if b.key and b.key.startswith("upload_save_")]
    with session_factory(journal_engine)() as session:
        assert [s.id for s in list_sessions(session)] == [saved.session_id]


def test_a_recording_dropped_with_its_unzipped_copy_is_saved_once(
    app, journal_engine, datasets_dir
):
    # The watch's file and the same file unzipped: two boxes, analysed apart, one session.
    path = datasets_dir / "applewatch-gym" / APPLE_SET
    at = app("upload")
    at.file_uploader(key="upload_files").set_value([
        (path.name, path.read_bytes(), "application/gzip"),
        (path.name.removesuffix(".gz"), gzip.decompress(path.read_bytes()), "text/csv"),
    ]).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.button(key="upload_save_all").click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Saved as session 1."]
    (already,) = [i.value for i in at.info if "already in your journal" in i.value]
    assert already.startswith("The same recording (same start and length) is already")
    with session_factory(journal_engine)() as session:
        assert len(list_sessions(session)) == 1


#: A real held-out set of 12 presses at 30° incline, which the counter counts as 10.
INCLINE_SET = "040125_30DBP_W7_5_S1_R12-2025-01-04_14-51-59.csv.gz"


def test_a_set_of_an_exercise_the_counter_miscounts_asks_to_check_its_count(
    app, journal_url, datasets_dir
):
    path = datasets_dir / "applewatch-gym" / INCLINE_SET
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        (path.name, path.read_bytes(), "application/gzip")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert list(at.data_editor[0].value["exercise"]) == ["incline_30_dumbbell_bench_press"]
    # Before saving: its count is checked against the counter's figures for the exercise.
    (hint,) = [i.value for i in at.info if "in our tests" in i.value]
    # The figures are the shipped card's (ml.evaluate reps writes them): short on its sets.
    error = miscounted_exercises(load_card())["incline_30_dumbbell_bench_press"]
    assert error.direction == "usually too few"
    assert hint.startswith(f"Set 1 (30° incline dumbbell bench press): in our tests its counts "
                           f"were off by {error.mae:.1f} reps on average, usually too few "
                           f"({error.sets} sets")
    assert hint.endswith(": check it.")


def _path_of(node, key: str, path: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    """Where the widget with this key sits in the page's element tree (indices from the root)."""
    for index, child in getattr(node, "children", {}).items():
        if getattr(child, "key", None) == key:
            return (*path, index)
        found = _path_of(child, key, (*path, index))
        if found:
            return found
    return None


def test_the_new_exercise_box_keeps_its_place_after_the_first_rerun(app, journal_url):
    # The browser keeps a popover open only while it stays at the same place in the page. The
    # "reading the file… ready" line shown on the first run went away on the next, so the first
    # thing typed or clicked in "Exercise not in the list?" closed it, its "added" message unseen.
    rng = np.random.default_rng(3)
    seconds = np.arange(0, 30, 0.02)
    still = pd.DataFrame({"time": seconds, **{
        axis: 0.01 * rng.standard_normal(seconds.size) for axis in ("gx", "gy", "gz")}})
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        ("still.csv", still.to_csv(index=False).encode(), "text/csv")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    (name,) = [w for w in at.text_input if w.key and w.key.endswith("_name")]
    first = _path_of(at._tree, name.key)
    name.set_value("Machine fly").run()
    assert first is not None and _path_of(at._tree, name.key) == first


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


def test_on_a_phone_exercise_reps_and_kg_of_an_upload_fit_beside_its_row_handles(
    app, journal_url, datasets_dir, monkeypatch
):
    # At 360 and 390 px the kg column was past the screen's edge: the box's border and padding
    # (34 px) and the row handles (33 px, rows can be deleted) left the table 261 and 291 px
    # for set, exercise, reps and kg's 325. And the file name, a subheader, took three lines.
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    upload = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[0]
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        (upload.name, upload.read_bytes(), "application/gzip")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    (box,) = [b for b in _blocks(at._tree[0])
              if "upload_box_" in str(getattr(getattr(b, "proto", None), "id", ""))]
    assert not box.proto.flex_container.border
    columns = json.loads(at.data_editor[0].proto.columns)
    # A 360 px phone draws the grid 328 px wide: 2 px of border, 33 px of row handles.
    assert sum(columns[c]["width"] for c in ("set", "exercise", "reps", "weight_kg")) <= 293
    # The name in a small heading, on one line cut by "…", the whole name in its tooltip.
    assert not at.subheader
    (heading,) = [m for m in at.markdown if m.proto.help]
    assert heading.value == f"**{escape_markdown(upload.name)}**" and not heading.proto.wrap
    assert heading.proto.help == escape_markdown(upload.name)



def test_on_a_phone_a_line_parts_one_recording_from_the_next(
    app, journal_url, datasets_dir, monkeypatch
):
    # A phone's recordings have no box around them: only a line tells where the next begins.
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    uploads = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[:2]
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        [(u.name, u.read_bytes(), "application/gzip") for u in uploads]).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.data_editor) == 2
    assert len(at.divider) == 1


def test_on_a_phone_the_title_is_the_pages_name_on_one_line(app, journal_url, monkeypatch):
    # "Upload a workout" in a phone's 44 px title took two lines of a 375 px screen.
    assert app("upload").title[0].value == ":material/upload_file: Upload a workout"
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    at = app("upload")
    assert not at.exception
    # The name the menu gives the page, as the other pages' titles on a phone ("Progress").
    assert at.title[0].value == ":material/upload_file: Upload"


def test_on_a_phone_a_zip_is_named_once_above_its_recordings_each_under_its_own_name(
    app, journal_url, datasets_dir, monkeypatch
):
    # "week.zip: 011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz" headed each recording:
    # on a phone its line was cut before the set's date, the zip's name repeated on each.
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    sets = sorted((datasets_dir / "applewatch-gym").glob("*_APULL_*.csv.gz"))[:2]
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        ("week.zip", _zipped(sets), "application/zip")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.data_editor) == 2
    # The zip once, above its first recording, with how many it holds...
    zip_name = escape_markdown("week.zip")
    assert [c.value for c in at.caption if zip_name in c.value] == [
        f":material/folder_zip: **{zip_name}**: 2 recordings"]
    # ... and each recording under its own name alone: bold, one line, all of it in the tooltip.
    headings = [m for m in at.markdown if m.proto.help]
    assert [m.value for m in headings] == [f"**{escape_markdown(s.name)}**" for s in sets]
    assert [m.proto.help for m in headings] == [escape_markdown(s.name) for s in sets]
    assert not any(m.proto.wrap for m in headings)


def test_saving_a_recording_says_the_session_records_it_set(app, journal_engine):
    # The lifter's last session, a week before the sample's day (typed in from a notebook).
    from journal.edits import add_set
    from journal.store import create_session

    def last_week(db):
        session_id = create_session(db, performed_at=datetime(2024, 11, 24, 7), title="Pull")
        add_set(db, session_id, exercise="close_grip_cable_row", reps=12, weight_kg=52.0)
        add_set(db, session_id, exercise="incline_dumbbell_biceps_curl", reps=10, weight_kg=7.5)
        add_set(db, session_id, exercise="assisted_pull_up", reps=12, weight_kg=40.0)
        return session_id

    write_transaction(journal_engine, last_week)
    at = app("upload")
    at.file_uploader(key="upload_files").set_value(
        (SAMPLE_PATH.name, SAMPLE_PATH.read_bytes(), "application/gzip")).run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = at.data_editor[0]
    assert list(table.value["exercise"])[3:] == ["close_grip_cable_row",
                                                 "incline_dumbbell_biceps_curl"]
    # The pull-ups with more help than last week's 40 kg: no record there.
    at.session_state[table.key] = {"edited_rows": {
        0: {"weight_kg": 61.0}, 3: {"weight_kg": 55.0}, 4: {"weight_kg": 8.0}},
        "added_rows": [], "deleted_rows": []}
    at.run()
    (save,) = [b for b in at.button if b.key.startswith("upload_save_")]
    save.click().run(timeout=300)
    assert not at.exception and not at.error, [e.value for e in at.error]
    # One box: saved, and the records this session set, as its Session page says them.
    assert [s.value for s in at.success] == ["  \n".join([
        "Saved as session 2.",
        "Records in this session:",
        "Set 4, close\\-grip cable row 55 kg × 12: heaviest (was 52 kg × 12 on 24 Nov 2024)",
        "Set 5, incline dumbbell biceps curl 8 kg × 10: heaviest (was 7.5 kg × 10 on 24 Nov "
        "2024), best estimated 1RM 10.7 kg (was 10.0 kg)",
    ])]
