"""``python -m ml analyze FILE [FILE ...] [--json]``: find sets, name exercises, count reps.

With ``--json``: one JSON object per input, one per line, in input order::

    {"file", "format", "sample_rate_hz", "duration_s", "warnings", "sets": [{"start_s", "end_s",
     "exercise", "exercise_name", "confidence", "reps", "rep_times_s", "family",
     "alternatives", "warnings"}]}

or ``{"file", "error"}`` for an input that cannot be read or analysed (the message is the
importer's). A set's ``warnings`` are the analysis's (it may be handling), then, where the
counter's card says its exercise is often miscounted, a check of its count (``ml.count_checks``,
as the app's pages ask it). Files of one recording (MetaMotion gyroscope + accelerometer) are
one argument joined with ``+`` (or one zip). Exit status 1 when any input failed, 2 when the
model cannot load. The model loads once per process.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from journal.exercises import display_name
from ml.analysis import SessionAnalysis
from ml.count_checks import CountError, miscounted_exercises
from ml.counting_card import load_card
from ml.model import ActivityModel, ModelError, load_model
from ml.pipeline import AnalysisError, analyze
from ml.recordings import RecordingError, read_recording


def sources_of(argument: str) -> Path | list[Path]:
    """One recording's file(s): the path itself when it exists, else its ``+``-joined parts."""
    if "+" in argument and not Path(argument).exists():
        return [Path(part) for part in argument.split("+") if part]
    return Path(argument)


def count_check(exercise: str, miscounted: Mapping[str, CountError]) -> list[str]:
    """A set's check of its count when the counter's card says its exercise is often miscounted
    (``ml.count_checks``, as the app's pages ask it)."""
    error = miscounted.get(exercise)
    if error is None:
        return []
    return [f"in our tests the counts of {display_name(exercise)} were {error.described}: "
            "check this count"]


def as_json(argument: str, analysis: SessionAnalysis,
            miscounted: Mapping[str, CountError] | None = None) -> dict[str, Any]:
    """The stable JSON shape of one analysed input; a set's ``warnings`` end with the check of
    its count where ``miscounted`` (``ml.count_checks.miscounted_exercises``) names its
    exercise."""
    rec = analysis.recording
    return {
        "file": argument,
        "format": rec.source_format,
        "sample_rate_hz": rec.sample_rate_hz,
        "duration_s": round(rec.duration_s, 2),
        "warnings": list(analysis.warnings),
        "sets": [
            {
                "start_s": s.start_s,
                "end_s": s.end_s,
                "exercise": s.exercise,
                "exercise_name": s.exercise_name,
                "confidence": s.confidence,
                "reps": s.reps,
                "rep_times_s": list(s.rep_times_s),
                "family": s.family,
                "alternatives": [[e, p] for e, p in s.alternatives],
                "warnings": [*s.warnings, *count_check(s.exercise, miscounted or {})],
            }
            for s in analysis.sets
        ],
    }


def as_table(result: dict[str, Any]) -> str:
    """A readable block for one input."""
    if "error" in result:
        return f"{result['file']}: ERROR {result['error']}"
    n = len(result["sets"])
    lines = [f"{result['file']}  ({result['format']}, {result['duration_s']:.0f} s, "
             f"{n} set{'' if n == 1 else 's'})"]
    lines += [f"  warning: {w}" for w in result["warnings"]]
    if result["sets"]:
        lines.append(f"  {'#':>2}  {'start':>7}  {'end':>7}  {'reps':>4}  {'conf':>4}  exercise")
    for i, s in enumerate(result["sets"], 1):
        lines.append(f"  {i:>2}  {s['start_s']:>6.1f}s  {s['end_s']:>6.1f}s  {s['reps']:>4}  "
                     f"{s['confidence']:>4.2f}  {s['exercise_name']}")
        lines += [f"      check set {i}: {w}" for w in s.get("warnings", ())]
    return "\n".join(lines)


def analyze_files(arguments: Sequence[str], model: ActivityModel) -> Iterator[dict[str, Any]]:
    """Analyse each argument in turn; unreadable ones become error objects (never an exception)."""
    miscounted = miscounted_exercises(load_card())  # the counter's card, read once
    for argument in arguments:
        try:
            analysis = analyze(read_recording(sources_of(argument)), model)
        except (RecordingError, AnalysisError) as exc:
            yield {"file": argument, "error": str(exc)}
            continue
        yield as_json(argument, analysis, miscounted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("analyze", help="find sets, name exercises and count reps")
    run.add_argument("files", nargs="+", metavar="FILE",
                     help="a recording; join the files of one recording with '+'")
    run.add_argument("--json", action="store_true", help="one JSON object per file per line")
    args = parser.parse_args(argv)
    try:
        model = load_model()
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = False
    for result in analyze_files(args.files, model):
        failed |= "error" in result
        print(json.dumps(result) if args.json else as_table(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
