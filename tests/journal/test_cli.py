"""``python -m journal``: search as JSON lines, export and import CSV, import recordings."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

import appconfig
from journal import db, store
from journal.__main__ import main
from ml.analysis import SessionAnalysis
from ml.recordings import read_recording
from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT


@pytest.fixture
def journal_url(tmp_path: Path, make_analysis) -> str:
    """A SQLite journal file with two saved sessions (synthetic signals)."""
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.open_journal(url)
    with db.session_factory(engine)() as session:
        store.save_analysis(session, make_analysis(
            [("assisted_pull_up", 12), ("barbell_row", 8)],
            start=datetime(2024, 3, 5, 12, tzinfo=UTC)), set_overrides={1: {"weight_kg": 60.0}})
        store.save_analysis(session, make_analysis(
            [("assisted_pull_up", 8)], start=datetime(2024, 4, 9, 12, tzinfo=UTC)))
        session.commit()
    engine.dispose()
    return url


def test_search_json_prints_one_object_per_set(journal_url, capsys):
    code = main(["--database", journal_url, "search", "--exercise", "pull ups",
                 "--min-reps", "10", "--json"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and len(lines) == 1
    row = json.loads(lines[0])
    assert {"date", "session_id", "set_id", "exercise", "exercise_name", "reps", "weight_kg",
            "confidence"} <= set(row)
    assert (row["date"], row["exercise"], row["reps"]) == ("2024-03-05", "assisted_pull_up", 12)


def test_search_by_date_range_in_a_table(journal_url, capsys):
    code = main(["--database", journal_url, "search", "--from", "2024-04-01", "--to",
                 "2024-04-30"])
    out = capsys.readouterr().out
    assert code == 0 and "Assisted pull-up" in out and "1 set(s), 8 reps" in out


def test_search_table_numbers_each_set_by_its_place_in_the_session(journal_url, capsys):
    # The April session's only set is the journal's third set (id 3): the table calls it set 1,
    # as the Session page does; the JSON keeps both.
    assert main(["--database", journal_url, "search", "--from", "2024-04-01"]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert re.search(r"session 2 +set 1 +Assisted pull-up", line), line
    assert main(["--database", journal_url, "search", "--from", "2024-04-01", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["set_id"], row["position"]) == (3, 1)


def test_search_sorts_by_descending_reps_with_the_key_as_a_separate_argument(journal_url, capsys):
    def reps(*sort: str) -> list[int]:
        assert main(["--database", journal_url, "search", *sort, "--json"]) == 0
        return [json.loads(line)["reps"] for line in capsys.readouterr().out.splitlines()]

    assert reps("--sort", "-reps") == reps("--sort=-reps") == [12, 8, 8]
    assert reps("--sort", "reps") == [8, 8, 12]


def test_search_strongest_sets_first_with_their_estimated_one_rep_max(journal_url, capsys):
    assert main(["--database", journal_url, "search", "--sort", "-e1rm", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # The row's 60 kg × 8 estimates 76 kg; the assisted pull-ups (no weight) have no estimate.
    assert [(r["exercise"], r["e1rm_kg"]) for r in rows] == [
        ("barbell_row", pytest.approx(60 * (1 + 8 / 30))),
        ("assisted_pull_up", None), ("assisted_pull_up", None),
    ]
    assert main(["--database", journal_url, "search", "--sort", "-e1rm", "--limit", "1"]) == 0
    assert re.search(r"Barbell row +8 reps +60 kg +e1RM 76 kg$", capsys.readouterr().out,
                     re.MULTILINE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-reps", "-1"], "min_reps must be a whole number"),
        (["--from", "2024-05-01", "--to", "2024-04-01"], "after"),
        (["--sort", "fun"], "unknown sort key 'fun'"),
        (["--sort", "-fun"], "unknown sort key '-fun'"),
    ],
)
def test_search_with_bad_parameters_fails_with_a_message(journal_url, capsys, args, message):
    code = main(["--database", journal_url, "search", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_search_in_words_keeps_stdout_json_and_says_how_it_understood_on_stderr(
    journal_url, capsys
):
    code = main(["--database", journal_url, "search", "all my pull-up sets with 10+ reps since "
                 "March 2024", "--json"])
    captured = capsys.readouterr()
    assert code == 0
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [(r["date"], r["exercise"], r["reps"]) for r in rows] == [
        ("2024-03-05", "assisted_pull_up", 12)]
    assert captured.err == ("Understood: exercise “pull-up”, from 01 Mar 2024, at least 10 "
                            "reps.\n")


def test_search_in_words_in_a_table_with_the_words_it_left_out(journal_url, capsys):
    assert main(["--database", journal_url, "search", "pull ups in April 2024 zumba"]) == 0
    captured = capsys.readouterr()
    assert "1 set(s), 8 reps" in captured.out and "Assisted pull-up" in captured.out
    assert captured.err == ("Understood: exercise “pull ups”, from 01 Apr 2024, until 30 Apr "
                            "2024. Not understood: “zumba” (left out).\n")


def test_search_options_beside_the_words_win(journal_url, capsys):
    def found(*args: str) -> list[tuple[str, int]]:
        assert main(["--database", journal_url, "search", *args, "--json"]) == 0
        return [(json.loads(line)["date"], json.loads(line)["reps"])
                for line in capsys.readouterr().out.splitlines()]

    assert found("pull-ups since March 2024 most reps") == [("2024-03-05", 12), ("2024-04-09", 8)]
    assert found("pull-ups since March 2024 most reps", "--from", "2024-04-01") == [
        ("2024-04-09", 8)]
    assert found("pull-ups since March 2024 most reps", "--sort", "reps") == [
        ("2024-04-09", 8), ("2024-03-05", 12)]


@pytest.mark.parametrize(("words", "message"), [
    ("zumba", "error: nothing in “zumba” reads as a search: say an exercise, reps"),
    ("pull-ups with at least 10 reps under 5 reps",
     "error: “at least 10 reps” and “under 5 reps” contradict each other"),
])
def test_search_in_words_that_say_nothing_or_contradict_exit_2(journal_url, capsys, words,
                                                               message):
    assert main(["--database", journal_url, "search", words, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(message)
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_export_strong_then_import_into_another_journal(journal_url, tmp_path, capsys):
    out = tmp_path / "strong.csv"
    assert main(["--database", journal_url, "export", "strong", str(out)]) == 0
    assert out.read_text().startswith("Date,Workout Name,Duration,Exercise Name")
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert main(["--database", other, "import-strong", str(out)]) == 0
    assert main(["--database", other, "import-strong", str(out)]) == 0
    out_text = capsys.readouterr().out
    assert "2 session(s) and 3 set(s) imported" in out_text
    assert "0 session(s) and 0 set(s) imported, 2 already in the journal" in out_text


def test_export_recording_writes_the_session_s_motion_as_a_csv_that_imports_again(
    tmp_path, capsys
):
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    engine = db.open_journal(url)
    sample = read_recording(SAMPLE_PATH)
    with db.session_factory(engine)() as session:
        recorded = store.save_analysis(session, SessionAnalysis(
            recording=sample, sets=(), model_version="test"), performed_at=SAMPLE_STARTED_AT)
        typed = store.create_session(session, performed_at=SAMPLE_STARTED_AT, title="typed")
        session.commit()
    engine.dispose()
    out = tmp_path / "sample.csv"
    assert main(["--database", url, "export", "recording", str(recorded.session_id),
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote the recording of session {recorded.session_id} "
                              f"(5 min 53 s at 50 Hz) to {out}\n")
    # The sample has no clock time of its own: how to keep the session's, told.
    assert "a name ending 2024-12-01_07-36-28.csv dates it at the session's" in printed
    back = read_recording(out)
    assert back.n_samples == sample.n_samples and back.source_format == "generic-csv"
    # A session without a recording, or none at all: one line, nothing written.
    nothing = tmp_path / "nothing.csv"
    assert main(["--database", url, "export", "recording", str(typed), str(nothing)]) == 1
    assert f"session {typed} has no recording (it was typed in" in capsys.readouterr().err
    assert main(["--database", url, "export", "recording", "999", str(nothing)]) == 2
    assert "no session with id 999 in the journal" in capsys.readouterr().err
    assert not nothing.exists()


def test_weights_imported_in_lbs_read_to_a_tenth_of_a_kg_in_the_search_table(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    strong = Path(__file__).parent / "fixtures" / "strong_export.csv"  # a 100 (lbs) squat set
    assert main(["--database", url, "import-strong", str(strong), "--unit", "lbs"]) == 0
    capsys.readouterr()
    assert main(["--database", url, "search", "--exercise", "squat"]) == 0
    table = capsys.readouterr().out
    assert " 45.4 kg" in table and "45.359" not in table
    assert main(["--database", url, "search", "--exercise", "squat", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["weight_kg"] == pytest.approx(45.359237)


def test_import_strong_takes_the_export_zipped_or_gzipped_as_the_phone_sent_it(tmp_path, capsys):
    fixtures = Path(__file__).parent / "fixtures"
    strong, hevy = (fixtures / "strong_export.csv").read_bytes(), (fixtures / "hevy_export.csv")
    mailed = tmp_path / "Strong Export.zip"
    with zipfile.ZipFile(mailed, "w") as packed:
        packed.writestr("strong.csv", strong)
        packed.writestr("__MACOSX/._strong.csv", b"\x00\x05\x16\x07")
        packed.writestr("hevy.csv.gz", gzip.compress(hevy.read_bytes()))
    gzipped = tmp_path / "strong.csv.gz"
    gzipped.write_bytes(gzip.compress(strong))
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    assert main(["--database", url, "import-strong", str(mailed), str(gzipped)]) == 0
    out = capsys.readouterr().out
    # Each export of the zip is imported; the .csv.gz of the same workouts adds nothing.
    assert f"{mailed}/strong.csv: strong export, 2 session(s) and 5 set(s) imported" in out
    assert f"{mailed}/hevy.csv.gz: hevy export, 1 session(s) and 3 set(s) imported" in out
    assert f"{gzipped}: strong export, 0 session(s) and 0 set(s) imported, 2 already" in out
    # A zip without an export says so, naming it, and imports nothing.
    notes = tmp_path / "notes.zip"
    with zipfile.ZipFile(notes, "w") as packed:
        packed.writestr("notes.txt", "leg day")
    assert main(["--database", url, "import-strong", str(notes)]) == 2
    assert capsys.readouterr().err == (
        f"error: {notes}: no Strong or Hevy export inside (it holds notes.txt)\n")


def test_import_hevy_help_says_what_unit_means_for_a_hevy_export(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["import-hevy", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert exit_.value.code == 0
    assert "Hevy's weight_kg or weight_lbs column names its unit" in text
    assert "unit of Strong's Weight column" not in text


def test_import_strong_with_a_bad_file_says_why(journal_url, tmp_path, capsys):
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    assert main(["--database", journal_url, "import-strong", str(bad)]) == 2
    assert "not a Strong or Hevy export" in capsys.readouterr().err
    assert main(["--database", journal_url, "import-strong", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_import_of_a_missing_recording_reports_the_error_as_json(journal_url, tmp_path, capsys):
    code = main(["--database", journal_url, "import", str(tmp_path / "none.csv"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and "no such file" in report["error"]


def test_import_json_reports_a_recording_already_in_the_journal_with_its_iso_upload_time(
        journal_url, datasets_dir, capsys):
    from ml.recordings import read_recording

    path = sorted((datasets_dir / "applewatch-gym").glob("*APULL*.csv.gz"))[0]
    recording = read_recording(path)  # a real recording, saved with no sets
    engine = db.make_engine(journal_url)
    with db.session_factory(engine)() as session:
        saved = store.save_analysis(session, SessionAnalysis(recording=recording, sets=()))
        session.commit()
    engine.dispose()

    code = main(["--database", journal_url, "import", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (report["session_id"], report["created"]) == (saved.session_id, False)
    # ISO 8601 to the second and marked UTC (it was "2026-12-07 06:28:09.692520").
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", report["already_saved_at"])
    saved_at = datetime.fromisoformat(report["already_saved_at"])
    assert abs(datetime.now(UTC) - saved_at).total_seconds() < 600


def test_import_of_a_recordings_exported_csv_says_it_is_already_in_the_journal(
        tmp_path, datasets_dir, capsys):
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    path = sorted((datasets_dir / "applewatch-gym").glob("*APULL*.csv.gz"))[0]
    engine = db.open_journal(url)
    with db.session_factory(engine)() as session:
        saved = store.save_analysis(session, SessionAnalysis(recording=read_recording(path),
                                                             sets=()))
        session.commit()
    engine.dispose()
    out = tmp_path / "again.csv"
    assert main(["--database", url, "export", "recording", str(saved.session_id), str(out)]) == 0
    capsys.readouterr()

    assert main(["--database", url, "import", str(out)]) == 0
    assert capsys.readouterr().out.startswith(
        f"{out}: already in the journal as the same recording (same start and length) "
        f"(session {saved.session_id}, saved ")
    assert main(["--database", url, "import", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["session_id"], report["created"], report["same_file"]) == (
        saved.session_id, False, False)
    assert main(["--database", url, "sessions"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1  # still the one session


@pytest.mark.slow
def test_import_analyses_a_real_recording_and_saves_it(tmp_path, datasets_dir, capsys):
    path = sorted((datasets_dir / "applewatch-gym").glob("*APULL*.csv.gz"))[0]
    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    assert main(["--database", url, "import", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["created"] and report["sets"] >= 1
    assert main(["--database", url, "import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is False


@pytest.mark.slow
def test_init_with_sample_fills_an_empty_journal_once(tmp_path, capsys):
    from ml.sample_session import SAMPLE_STARTED_AT, SAMPLE_TITLE

    url = f"sqlite:///{tmp_path / 'journal.sqlite3'}"
    assert main(["--database", url, "init", "--with-sample"]) == 0
    assert main(["--database", url, "init", "--with-sample"]) == 0
    assert "already has sessions" in capsys.readouterr().out
    engine = db.open_journal(url)
    with db.session_factory(engine)() as session:
        sessions = store.list_sessions(session)
        sets = store.load_session(session, sessions[0].id, with_signal=False).sets
    engine.dispose()
    assert len(sessions) == 1
    assert sessions[0].title == SAMPLE_TITLE
    assert sessions[0].performed_at.replace(tzinfo=None) == SAMPLE_STARTED_AT
    # Each set found carries the weight the lifter logged for it (ATTRIBUTION.md), not corrected.
    assert [s.weight_kg for s in sets] == [61.0, 63.5, 66.0, 52.0, 7.5]
    assert not any(s.corrected for s in sets)


@pytest.mark.parametrize(
    "command", [["search", "--exercise", "pull-up"], ["sessions"], ["export", "strong", "OUT"]])
def test_read_only_commands_refuse_a_missing_sqlite_journal_until_init_creates_it(
        tmp_path, capsys, command):
    mistyped = tmp_path / "no-such-folder" / "journal.sqlite3"
    url = f"sqlite:///{mistyped}"
    argv = [part.replace("OUT", str(tmp_path / "out.csv")) for part in command]
    assert main(["--database", url, *argv]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.count("\n") == 1 and str(mistyped) in captured.err
    assert "python -m journal init" in captured.err
    assert sorted(tmp_path.iterdir()) == []  # no file, no folder, no CSV
    assert main(["--database", url, "init"]) == 0
    assert mistyped.is_file()
    assert main(["--database", url, *argv]) == 0


def test_a_mistyped_journal_url_in_the_environment_is_refused_by_search(
        tmp_path, monkeypatch, capsys):
    mistyped = tmp_path / "journal.sqlite" / "journal.sqlite3"
    monkeypatch.setenv("JOURNAL_DATABASE_URL", f"sqlite:///{mistyped}")
    assert main(["search", "--exercise", "pull-up"]) == 1
    captured = capsys.readouterr()
    assert "0 set(s)" not in captured.out and f"no journal at {mistyped}" in captured.err
    assert not mistyped.parent.exists()


@pytest.mark.slow
def test_cli_errors_never_show_a_traceback(journal_url):
    done = subprocess.run(
        [sys.executable, "-m", "journal", "--database", journal_url, "search", "--max-reps",
         "-3"],
        cwd=appconfig.REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2
    assert "max_reps must be a whole number" in done.stderr and "Traceback" not in done.stderr


def test_a_journal_url_whose_driver_is_not_installed_is_named_not_a_traceback(capsys):
    url = "postgresql+psycopg2://team@127.0.0.1:1/journal"
    assert main(["--database", url, "sessions"]) == 1
    err = capsys.readouterr().err
    assert "'postgresql+psycopg2'" in err and "is not installed" in err
    assert "postgresql+psycopg://" in err


def test_a_journal_migrated_by_a_newer_app_is_refused_with_a_message(journal_url, capsys):
    engine = db.make_engine(journal_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    assert main(["--database", journal_url, "sessions"]) == 1
    err = capsys.readouterr().err
    assert "newer than this version of the app" in err and "9999" in err


@pytest.fixture
def two_lifters_url(journal_url: str, make_analysis) -> str:
    """The two sessions of ``journal_url`` (saved as "Me") and one session of Ann's."""
    engine = db.open_journal(journal_url)
    with db.session_factory(engine)() as session:
        store.save_analysis(session, make_analysis(
            [("barbell_row", 6)], start=datetime(2024, 5, 2, 12, tzinfo=UTC)), athlete="Ann")
        session.commit()
    engine.dispose()
    return journal_url


def test_sessions_of_one_lifter_and_whose_each_one_is(two_lifters_url, capsys):
    assert main(["--database", two_lifters_url, "sessions", "--athlete", "Ann", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["athlete"], r["reps"]) for r in rows] == [("Ann", 6)]
    # Everyone's sessions: the table says whose each one is.
    assert main(["--database", two_lifters_url, "sessions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and "Ann" in lines[0] and all("Me" in line for line in lines[1:])


def test_search_of_everyones_sets_says_whose_each_set_is(two_lifters_url, capsys):
    assert main(["--database", two_lifters_url, "search", "--exercise", "row"]) == 0
    lines = capsys.readouterr().out.splitlines()[:-1]
    assert [line.split()[2] for line in lines] == ["Ann", "Me"]
    # One lifter's sets: no column of a name that would repeat on every line.
    assert main(["--database", two_lifters_url, "search", "--athlete", "Ann"]) == 0
    (line, _) = capsys.readouterr().out.splitlines()
    assert line.split()[2] == "session"


@pytest.mark.parametrize("command", [["sessions"], ["search"], ["export", "strong", "OUT"]])
def test_reading_a_lifter_the_journal_does_not_know_is_refused(two_lifters_url, tmp_path,
                                                              capsys, command):
    # A typo must not read as "this lifter never trained" (or write an empty export).
    argv = [str(tmp_path / "out.csv") if part == "OUT" else part for part in command]
    code = main(["--database", two_lifters_url, *argv, "--athlete", "Anne"])
    err = capsys.readouterr().err
    assert code == 1
    assert "no lifter named 'Anne' in this journal (its lifters: Ann, Me)" in err
    assert not (tmp_path / "out.csv").exists()
