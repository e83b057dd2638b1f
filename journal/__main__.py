"""The journal's command line: ``python -m journal {init,import,search,export,...}``.

Examples::

    python -m journal init --with-sample
    python -m journal import watch.csv gyro.csv+accel.csv --json
    python -m journal search --exercise "pull ups" --from 2024-03-01 --min-reps 10 --json
    python -m journal search --exercise squat --sort -e1rm   # strongest first (estimated 1RM)
    python -m journal search "pull-up sets with 10+ reps since March" --json   # in words
    python -m journal export strong OUT.csv
    python -m journal export recording 12 session-12.csv     # its motion, as the app keeps it
    python -m journal import-strong strong_export.csv        # Hevy exports are detected too
    python -m journal import-strong strong_export.zip        # or .csv.gz: as the phone sent it
    python -m journal copy --to postgresql+psycopg://team@db:5432/journal  # all of it, ids kept

The database is ``--database URL``, else ``JOURNAL_DATABASE_URL``, else data/journal/.
Only the commands that write (init and the imports) create a missing SQLite journal; the others
(search, sessions, export, copy) refuse one, naming its path, and create nothing. They also
refuse an ``--athlete`` the journal does not know, listing its lifters; the imports create that
lifter. ``copy`` only reads its journal (not migrated: it must be at the newest schema) and
writes into an empty one at ``--to``, created or migrated first.
Bad input gives a one-line message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from journal import copying, db, phrase, search, store, transfer
from journal.timing import duration_words
from journal.views import NotFoundError

if TYPE_CHECKING:
    from ml.analysis import SessionAnalysis


class CliError(Exception):
    """A failure to report to the user in one line (exit code 1)."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-03-05") from None


#: Options whose value may start with '-' (``--sort -reps``, descending). argparse takes any
#: "-word" for an option of its own and stops with "expected one argument", so such a value is
#: joined to its option (``--sort=-reps``) before parsing.
_DASH_VALUE_OPTIONS = frozenset({"--sort"})


def _join_dash_values(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--sort -reps`` written as ``--sort=-reps``; the rest as it was.

    Only a single-dash word other than ``-h`` is joined: ``--sort --json`` still says that
    ``--sort`` lacks its value, and nothing after ``--`` is touched.
    """
    joined: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            return joined + list(argv[index:])
        value = argv[index + 1] if index + 1 < len(argv) else None
        if (token in _DASH_VALUE_OPTIONS and value is not None
                and re.fullmatch(r"-\w[\w-]*", value) and value != "-h"):
            joined.append(f"{token}={value}")
            index += 2
            continue
        joined.append(token)
        index += 1
    return joined


def _kg(weight_kg: float | None) -> str:
    """A weight for reading: to 0.1 kg, as the app shows it (100 lbs reads "45.4 kg")."""
    return "-" if weight_kg is None else f"{round(weight_kg, 1):g} kg"


def _utc_iso(moment: datetime) -> str:
    """A naive UTC audit time (``models.utcnow``) as ISO 8601 to the second, marked UTC."""
    return moment.replace(tzinfo=UTC, microsecond=0).isoformat()


def _known_athlete(engine: Engine, name: str | None) -> str | None:
    """``--athlete`` of a command that only reads: a name the journal knows, else ``CliError``
    (commands that write create the lifter instead)."""
    if name is None:
        return None
    with db.session_factory(engine)() as session:
        try:
            return store.known_athlete(session, name)
        except NotFoundError as error:
            raise CliError(f"--athlete: {error}") from error


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=str), flush=True)


def import_recording(engine: Engine, argument: str, *, athlete: str | None = None,
                     title: str | None = None,
                     performed_at: datetime | None = None,
                     set_overrides: Callable[[SessionAnalysis], Mapping[int, store.SetEdit]]
                     | None = None) -> dict[str, Any]:
    """Read, analyse and save one recording (``a+b`` joins files); returns a report dict.

    A recording already in the journal (the same file, or another file with the same start
    and length: ``store.find_recording``) is reported without running the analysis again.
    ``set_overrides``: the values to save beside the model's, from the analysis (the sample's
    logged weights).
    """
    from ml.recordings import RecordingError, read_recording

    paths = [Path(p) for p in argument.split("+")]
    for path in paths:
        if not path.is_file():
            return {"file": argument, "error": f"{path}: no such file"}
    try:
        recording = read_recording(paths if len(paths) > 1 else paths[0])
    except RecordingError as error:
        return {"file": argument, "error": str(error)}
    with db.session_factory(engine)() as session:
        existing = store.find_recording(session, recording)
    if existing is None:
        # Keras loads only here, and only when a new recording needs analysing.
        analyze = importlib.import_module("ml.pipeline").analyze
        try:
            analysis = analyze(recording)
        except (ValueError, OSError) as error:  # e.g. too short to analyse, no model file
            return {"file": argument, "error": f"{argument}: {error}"}
        except Exception as error:  # one broken file must not stop the others, nor trace back
            return {"file": argument,
                    "error": f"{argument}: analysis failed ({type(error).__name__}: {error})"}
        overrides = set_overrides(analysis) if set_overrides else None
        result = db.write_transaction(engine, lambda s: store.save_analysis(
            s, analysis, athlete=athlete, title=title, performed_at=performed_at,
            set_overrides=overrides))
        n_sets = len(analysis.sets)
    else:
        result, n_sets = existing, 0
    report: dict[str, Any] = {"file": argument, "session_id": result.session_id,
                              "created": result.created, "sets": n_sets}
    if not result.created:
        report["already_saved_at"] = result.already_saved_at
        report["same_file"] = result.same_file
    return report


def _cmd_import(engine: Engine, args: argparse.Namespace) -> int:
    status = 0
    for argument in args.files:
        report = import_recording(engine, argument, athlete=args.athlete, title=args.title)
        if "error" in report:
            status = 1
        if args.json:
            if "already_saved_at" in report:
                report = {**report, "already_saved_at": _utc_iso(report["already_saved_at"])}
            _emit(report)
        elif "error" in report:
            print(f"error: {report['error']}", file=sys.stderr)
        elif report["created"]:
            print(f"{argument}: saved as session {report['session_id']} "
                  f"with {report['sets']} set(s)")
        else:
            what = "" if report["same_file"] else " as the same recording (same start and length)"
            print(f"{argument}: already in the journal{what} (session {report['session_id']}, "
                  f"saved {report['already_saved_at']:%Y-%m-%d %H:%M} UTC); not imported again")
    return status


def _cmd_init(engine: Engine, args: argparse.Namespace) -> int:
    print(f"journal ready at {engine.url.render_as_string(hide_password=True)}")
    if not args.with_sample:
        return 0
    with db.session_factory(engine)() as session:
        if store.count_sessions(session) > 0:
            print("the journal already has sessions: sample not loaded")
            return 0
    from ml.sample_session import SAMPLE_PATH, SAMPLE_STARTED_AT, SAMPLE_TITLE, sample_weights

    if not SAMPLE_PATH.is_file():
        print(f"warning: no sample session found at {SAMPLE_PATH}; the journal starts empty",
              file=sys.stderr)
        return 0
    # Same title and date as the app's "load the sample" button, so both give one session.
    report = import_recording(engine, str(SAMPLE_PATH), title=SAMPLE_TITLE,
                              performed_at=SAMPLE_STARTED_AT, set_overrides=sample_weights)
    if "error" in report:
        # The journal itself is ready; the app still starts, just without the sample.
        print(f"warning: sample {SAMPLE_PATH.name} not loaded: {report['error']}",
              file=sys.stderr)
    else:
        print(f"sample {SAMPLE_PATH.name}: session {report['session_id']}")
    return 0


def _cmd_search(engine: Engine, args: argparse.Namespace) -> int:
    athlete = _known_athlete(engine, args.athlete)
    fields = {} if args.phrase is None else _phrase_fields(engine, args.phrase, athlete)
    options = {"exercise": args.exercise, "date_from": args.date_from, "date_to": args.date_to,
               "min_reps": args.min_reps, "max_reps": args.max_reps,
               "min_weight_kg": args.min_weight, "max_weight_kg": args.max_weight,
               "notes": args.notes, "sort": args.sort}
    fields |= {name: value for name, value in options.items() if value is not None}
    query = search.SetQuery(**fields, athlete=athlete, limit=args.limit, offset=args.offset)
    with db.session_factory(engine)() as session:
        page = search.search_sets(session, query)
    if args.json:
        for row in page.rows:
            _emit(row.as_dict())
        return 0
    # Whose set it is, as `sessions` says it: only where the page mixes lifters.
    several = len({row.athlete for row in page.rows}) > 1
    for row in page.rows:
        weight = _kg(row.weight_kg)
        e1rm = "" if row.e1rm_kg is None else f"  e1RM {_kg(row.e1rm_kg)}"
        lifter = f"{row.athlete:<16} " if several else ""
        # The set's number in its session, as the Session page shows it ("Set 1"), not its id.
        print(f"{row.performed_at:%Y-%m-%d %H:%M}  {lifter}session {row.session_id:<5} "
              f"set {row.position:<3} {row.exercise_name:<40} {row.reps:>3} reps  {weight}"
              f"{e1rm}")
    print(f"{page.total_sets} set(s), {page.total_reps} reps "
          f"(showing {len(page.rows)} from {args.offset + 1 if page.rows else 0})")
    return 0


def _phrase_fields(engine: Engine, text: str, athlete: str | None) -> dict[str, Any]:
    """The search fields a phrase says, the understanding said on stderr (stdout may be JSON);
    ``PhraseError`` (exit 2) when it contradicts itself or says nothing."""
    with db.session_factory(engine)() as session:
        names = [e.name for e in store.list_exercises(session, used_only=True, athlete=athlete)]
    found = phrase.parse_search(text, today=date.today(), exercise_names=names)
    if not found.understood:
        raise phrase.PhraseError(f"nothing in “{text.strip()}” reads as a search: "
                                 f"{phrase.EXAMPLES}")
    print(" ".join(filter(None, [found.understood_line(), found.not_understood_line()])),
          file=sys.stderr)
    return found.fields


def _cmd_sessions(engine: Engine, args: argparse.Namespace) -> int:
    athlete = _known_athlete(engine, args.athlete)
    with db.session_factory(engine)() as session:
        summaries = store.list_sessions(session, athlete=athlete, limit=args.limit)
    # Whose session it is, in the table only where the listing mixes lifters.
    several = len({item.athlete for item in summaries}) > 1
    for item in summaries:
        if args.json:
            _emit({"session_id": item.id, "athlete": item.athlete,
                   "performed_at": item.performed_at.isoformat(), "title": item.title,
                   "sets": item.n_sets, "reps": item.total_reps,
                   "exercises": list(item.exercise_names)})
        else:
            lifter = f"{item.athlete:<16} " if several else ""
            print(f"{item.id:<5} {item.performed_at:%Y-%m-%d %H:%M}  {lifter}{item.title:<30} "
                  f"{item.n_sets} set(s), {item.total_reps} reps")
    return 0


def _cmd_export(engine: Engine, args: argparse.Namespace) -> int:
    out = Path(args.out)
    athlete = _known_athlete(engine, args.athlete)
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    with db.session_factory(engine)() as session, out.open("w", encoding="utf-8",
                                                         newline="") as stream:
        rows = transfer.write_strong_csv(session, stream, athlete=athlete)
    print(f"wrote {rows} set(s) to {out} (Strong CSV, weights in kg)")
    return 0


def _cmd_export_recording(engine: Engine, args: argparse.Namespace) -> int:
    from ml.recordings_export import recording_csv

    out = Path(args.out)
    if not out.parent.is_dir():
        raise CliError(f"{out.parent}: no such folder")
    with db.session_factory(engine)() as session:
        view = store.load_session(session, args.session_id, with_signal=False)
        if not view.recordings:
            raise CliError(f"session {view.id} has no recording (it was typed in or imported "
                           "from a CSV)")
        # Several recordings (rare): OUT-1.csv, OUT-2.csv...
        several = len(view.recordings) > 1
        for number, stored in enumerate(view.recordings, start=1):
            path = out.with_name(f"{out.stem}-{number}{out.suffix}") if several else out
            path.write_bytes(recording_csv(store.load_recording(session, stored.id)))
            print(f"wrote the recording of session {view.id} ({duration_words(stored.duration_s)} "
                  f"at {stored.sample_rate_hz:g} Hz) to {path}")
            if stored.start_time is None:  # then only a clock in the file name dates it
                print(f"  it has no clock time of its own: a name ending "
                      f"{view.performed_at:%Y-%m-%d_%H-%M-%S}.csv dates it at the session's "
                      "when imported")
    return 0


def _cmd_import_csv(engine: Engine, args: argparse.Namespace) -> int:
    for file in args.files:
        # A zip is imported export by export (several, or one beside a watch recording); a file
        # that is none and holds none goes to the importer, which says what it is not.
        inside: list[str | None] = [export.inside for export in transfer.exports_in(file)
                                    if export.inside is not None]
        for name in inside or [None]:
            result = db.write_transaction(engine, functools.partial(
                transfer.import_workouts_csv, source=file, athlete=args.athlete,
                weight_unit=args.unit, inside=name))
            print(f"{name or file}: {result.source_format} export, "
                  f"{len(result.session_ids)} session(s) and {result.sets_created} set(s) "
                  f"imported, {result.sessions_skipped} already in the journal")
            if result.custom_exercises:
                print("  kept as custom exercises: " + ", ".join(result.custom_exercises))
    return 0


def _cmd_copy(engine: Engine, args: argparse.Namespace) -> int:
    try:
        copying.check_source(engine)  # before the target (a new SQLite file) is created
        try:
            target = db.make_engine(args.to)
        except (ArgumentError, db.JournalUnavailableError) as error:
            raise CliError(f"--to: {db.failure_reason(error)}") from error
        try:
            report = copying.copy_journal(engine, target)
        except db.JournalUnavailableError as error:
            raise CliError(f"--to: {error}") from error
        except SQLAlchemyError as error:
            raise CliError(f"the copy into {copying.shown_url(target)} failed and no row was "
                           f"copied: {db.failure_reason(error)}") from error
        finally:
            target.dispose()
    except copying.CopyRefusedError as error:
        raise CliError(str(error)) from error
    if args.json:
        _emit(report.as_dict())
        return 0
    hidden = " (password hidden)" if target.url.password is not None else ""
    print(f"copied into {report.target}{hidden}: {copying.plural(report.lifters, 'lifter')}, "
          f"{copying.plural(report.sessions, 'session')}, {copying.plural(report.sets, 'set')}, "
          f"{copying.plural(report.recordings, 'recording')} "
          f"({report.signal_bytes / 1e6:.1f} MB of motion), "
          f"{copying.plural(report.own_exercises, 'own exercise')}, "
          f"{copying.plural(report.model_versions, 'model version')}; "
          "every table's row count checked")
    for missing in report.missing_model_files:
        print(f"warning: model version {missing.version}: its file {missing.path} is not on "
              "this machine; copy the models folder (USER_MODELS_DIR) to where the app runs on "
              "the new journal, or that lifter's uploads use the shipped model", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m journal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", metavar="URL", help="SQLAlchemy URL of the journal")
    # Whether a command may create a missing SQLite journal: only those that write to it.
    parser.set_defaults(creates=False)
    # Whether the command migrates its journal first: all but copy, which only reads it.
    parser.set_defaults(migrates=True)
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create or migrate the journal")
    init.add_argument("--with-sample", action="store_true",
                      help="load the shipped sample session into an empty journal")
    init.set_defaults(run=_cmd_init, creates=True)

    imp = commands.add_parser("import", help="analyse recordings and save them as sessions")
    imp.add_argument("files", nargs="+", metavar="FILE", help="a recording; a+b joins files")
    imp.add_argument("--json", action="store_true", help="one JSON object per file")
    imp.add_argument("--athlete")
    imp.add_argument("--title")
    imp.set_defaults(run=_cmd_import, creates=True)

    find = commands.add_parser(
        "search", help="find sets", description="Find sets: by the options, or in words "
        "('pull-up sets with 10+ reps since March'); options given beside the words win.")
    find.add_argument("phrase", nargs="?", metavar="WORDS",
                      help="the search in words, as the Journal page's box reads it; how it "
                           "was understood is said on stderr")
    find.add_argument("--exercise", help="name, family or alias, e.g. 'pull ups'")
    find.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    find.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    find.add_argument("--min-reps", type=int, metavar="N")
    find.add_argument("--max-reps", type=int, metavar="N")
    find.add_argument("--min-weight", type=float, metavar="KG")
    find.add_argument("--max-weight", type=float, metavar="KG")
    find.add_argument("--notes", metavar="TEXT", help="words that must appear in the notes")
    find.add_argument("--athlete")
    find.add_argument("--sort", help=f"one of {', '.join(search.SORT_KEYS)} (prefix - for "
                      "descending: --sort -reps; --sort -e1rm: strongest first, by estimated "
                      "one-rep max); default -date, or the order the words name")
    find.add_argument("--limit", type=int, default=search.MAX_LIMIT)
    find.add_argument("--offset", type=int, default=0)
    find.add_argument("--json", action="store_true", help="one JSON object per set")
    find.set_defaults(run=_cmd_search)

    sessions = commands.add_parser("sessions", help="list sessions, newest first")
    sessions.add_argument("--athlete", help="one lifter's sessions (default: everyone's)")
    sessions.add_argument("--limit", type=int, default=50)
    sessions.add_argument("--json", action="store_true")
    sessions.set_defaults(run=_cmd_sessions)

    export = commands.add_parser("export", help="export the journal, or a session's recording")
    formats = export.add_subparsers(dest="format", required=True)
    strong = formats.add_parser("strong", help="every session in Strong's CSV layout (kg)")
    strong.add_argument("out", metavar="OUT.csv")
    strong.add_argument("--athlete")
    strong.set_defaults(run=_cmd_export)
    recording = formats.add_parser(
        "recording", help="a session's recording (50 Hz: gyroscope rad/s, accelerometer g) as "
                          "a CSV that import and the Upload page read back")
    recording.add_argument("session_id", type=int, metavar="SESSION_ID")
    recording.add_argument("out", metavar="OUT.csv")
    recording.set_defaults(run=_cmd_export_recording)

    # Both read either export (told apart by its header); only Strong's Weight has no unit.
    unit_help = {
        "import-strong": "unit of the Weight column when the file has no Weight Unit column "
                         "(default kg); a Hevy export names its own (weight_kg or weight_lbs)",
        "import-hevy": "Hevy's weight_kg or weight_lbs column names its unit, so this "
                       "applies only to a Strong export's Weight column (default kg)",
    }
    for name, help_text in unit_help.items():
        csv_import = commands.add_parser(name, help="import a Strong or Hevy CSV export")
        csv_import.add_argument("files", nargs="+", metavar="FILE.csv",
                                help="the export: .csv, .csv.gz, or a .zip holding it (each "
                                     "export of a zip of several is imported)")
        csv_import.add_argument("--unit", choices=["kg", "lbs"], default="kg", help=help_text)
        csv_import.add_argument("--athlete")
        csv_import.set_defaults(run=_cmd_import_csv, creates=True)

    copy = commands.add_parser(
        "copy", help="copy the whole journal (recordings, corrections, lifters, own exercises, "
                     "model versions; ids kept) into an empty database, e.g. PostgreSQL")
    copy.add_argument("--to", required=True, metavar="URL",
                      help="SQLAlchemy URL of the target journal (created or migrated first; "
                           "it must hold no sessions nor lifters)")
    copy.add_argument("--json", action="store_true", help="one JSON object with the counts")
    copy.set_defaults(run=_cmd_copy, migrates=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_dash_values(sys.argv[1:] if argv is None else argv))
    run: Callable[[Engine, argparse.Namespace], int] = args.run
    engine = None
    try:
        # Read-only commands must not turn a mistyped SQLite path into a new, empty journal.
        engine = db.make_engine(args.database, create=args.creates)
        if args.migrates:
            db.migrate(engine)
        return run(engine, args)
    except (CliError, db.MissingJournalError, db.JournalUnavailableError,
            ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, ValueError) else 1
    except SQLAlchemyError as error:
        print(f"error: the journal database failed: {db.failure_reason(error)}",
              file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1
    finally:
        if engine is not None:
            engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
