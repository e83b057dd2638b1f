"""Rep-counting and set-segmentation evaluation (and fitting the counter's gate) on the real data.

``python -m ml.evaluate reps`` / ``segmentation`` (or ``python -m ml.eval_counting reps``);
``python -m ml.eval_counting fit`` refits the rep gate on the tuning days and writes
``data/rep_counter.json``. Protocol: the gate weights are fitted on applewatch-gym days up to
2024-12-02 and barbell-metamotion participants A and B; later applewatch-gym days and barbell
participants C and D are held out. Figures are printed beside their protocol; per-set rows go to
``reports/``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

import appconfig
from journal import exercises
from ml import datasets
from ml.built_sessions import BuiltSession, SetPiece, build_sessions
from ml.counting_card import CARD_PATH, error_stats, figures, record
from ml.eval_judges import HeldOutJudges
from ml.model import ActivityModel
from ml.pipeline import HANDLING_MAX_REPS, name_sets, segment
from ml.recordings import Recording
from ml.reps import FEATURE_NAMES, GATE_PATH, count_reps, fit_gate, frame_features
from ml.segmentation import (
    DEFAULT_SEGMENTER,
    LONG_WINDOW_SEGMENTER,
    FoundSet,
    SegmenterSettings,
    find_sets,
)

#: applewatch-gym recording days on or before this date tune the counter; later days are held out.
LAST_TUNING_DAY = date(2024, 12, 2)
#: Fewer recording days (or participants) than this are too few to resample for an interval.
MIN_DAYS_FOR_INTERVAL = 5
#: barbell-metamotion participants whose sets tune the counter; the others are held out.
BARBELL_TUNING_PARTICIPANTS = ("A", "B")
CORRECTIONS_PATH = appconfig.DATA_DIR / "label_corrections.csv"
REPORTS_DIR = appconfig.REPO_ROOT / "reports"
ANCHORS = ("anchors, per set within ±1 rep: RecoFit (CHI 2014) 93%, Soro et al. (2019) 91%, "
           "public Keras pipeline on MM-Fit 69% (MAE 1.35)")


@dataclass(frozen=True)
class Correction:
    """An audited rep count replacing a dataset label, with the reason."""

    reps: int
    reason: str


def load_corrections(path: Path = CORRECTIONS_PATH) -> dict[str, Correction]:
    """Audited labels by set name (``dataset``, ``name``, ``original_reps``, ``audited_reps``)."""
    with path.open(newline="") as handle:
        return {row["name"]: Correction(int(row["audited_reps"]), row["reason"])
                for row in csv.DictReader(handle)}


@dataclass(frozen=True)
class Labelled:
    """A labelled set with its recording and both label versions."""

    item: datasets.LabelledSet
    recording: Recording
    original: int
    audited: int


def _labelled(items: Sequence[datasets.LabelledSet]) -> list[Labelled]:
    fixes = load_corrections()
    out = []
    for item in items:
        if item.reps is None:
            continue
        fix = fixes.get(item.name)
        out.append(Labelled(item, datasets.load(item), item.reps, fix.reps if fix else item.reps))
    return out


def applewatch(tuning: bool) -> list[Labelled]:
    """applewatch-gym sets of the tuning days (True) or the held-out days (False)."""
    return _labelled([s for s in datasets.applewatch_sets()
                      if (s.day <= LAST_TUNING_DAY) == tuning])


def barbell(tuning: bool | None = None) -> list[Labelled]:
    """barbell-metamotion sets (not rest): all, or those of the tuning / held-out participants."""
    return _labelled([s for s in datasets.barbell_sets() if s.reps is not None and (
        tuning is None or (s.participant in BARBELL_TUNING_PARTICIPANTS) == tuning)])


def rep_metrics(errors: Sequence[int]) -> str:
    """exact, ±1, ±2 (% of sets), MAE and mean signed error (predicted - labelled): the
    card's ``error_stats`` as one printed line."""
    stats = error_stats(errors)
    return (f"n={stats['sets']:3d}  exact {stats['exact']:6.1%}  ±1 {stats['within_1']:6.1%}  "
            f"±2 {stats['within_2']:6.1%}  MAE {stats['mae']:.2f}  "
            f"mean signed {stats['mean_signed']:+.2f}")


def group_bootstrap(values: Sequence[float], groups: Sequence[str],
                    statistics: Sequence[Callable[[np.ndarray], float]], *, draws: int = 2000,
                    seed: int = 0) -> list[tuple[float, float]]:
    """95% percentile-bootstrap interval of each statistic of ``values``, resampling whole
    ``groups`` (each value's group: its recording day, say, whose values err together)."""
    by_group: dict[str, list[float]] = {}
    for value, group in zip(values, groups, strict=True):
        by_group.setdefault(group, []).append(value)
    pooled = list(by_group.values())
    rng = np.random.default_rng(seed)
    drawn = [np.concatenate([pooled[i] for i in rng.integers(len(pooled), size=len(pooled))])
             for _ in range(draws)]
    return [(float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5)))
            for d in ([stat(x) for x in drawn] for stat in statistics)]


def rep_interval(errors: Sequence[int], groups: Sequence[str]) -> str:
    """95% intervals of ±1 % and MAE, resampling whole ``groups`` (see ``group_bootstrap``)."""
    (w_lo, w_hi), (m_lo, m_hi) = group_bootstrap(
        [abs(e) for e in errors], groups,
        [lambda e: float(np.mean(e <= 1)), lambda e: float(np.mean(e))])
    return f"±1 {w_lo:.1%}-{w_hi:.1%}, MAE {m_lo:.2f}-{m_hi:.2f}"


def tuning_gate() -> tuple[np.ndarray, int]:
    """The rep gate fitted on the tuning sets (audited labels), and how many sets it saw."""
    sets = applewatch(tuning=True) + barbell(tuning=True)
    frames = [frame_features(s.recording.gyro, s.recording.accel) for s in sets]
    return fit_gate(frames, [s.audited for s in sets]), len(sets)


def fit(_: argparse.Namespace) -> int:
    weights, n_sets = tuning_gate()
    card = {
        "weights": [round(float(w), 5) for w in weights],
        "features": list(FEATURE_NAMES),
        "fitted_on": f"applewatch-gym days <= {LAST_TUNING_DAY} and barbell-metamotion "
                     f"participants {'+'.join(BARBELL_TUNING_PARTICIPANTS)} ({n_sets} sets), "
                     "audited labels (data/label_corrections.csv)",
    }
    GATE_PATH.write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {GATE_PATH}: {card['weights']}  [{card['fitted_on']}]")
    return 0


#: Where each group of sets stands in the protocol, for the card (``ml.counting_card``).
_TUNING_DAYS = f"days up to {LAST_TUNING_DAY} (the gate was fitted here)"
_HELD_OUT_DAYS = f"days after {LAST_TUNING_DAY}"
_BARBELL_LABELS = "approximate: planned heavy 5 / medium 10"
REPS_PROTOCOL = (
    "Reps per set on real set files, compared with their labels as audited "
    "(data/label_corrections.csv). The counter's gate was fitted on applewatch-gym recording "
    f"days up to {LAST_TUNING_DAY} and barbell-metamotion participants "
    f"{'+'.join(BARBELL_TUNING_PARTICIPANTS)}; the later days and the other participants were "
    "held out. 'As the app counts': the sets are found in the file first and their reps "
    "summed; 'per set file': the counter on the whole file. No exercise is given to the "
    "counter. Measured by python -m ml.evaluate reps."
)
BY_EXERCISE_PROTOCOL = (
    "Reps per set by exercise, as the app counts a set file (the sets found in it first, "
    "their reps summed), against the labels as audited; the exercise only groups the sets, "
    "the counter is not given it. Each exercise pools all its sets, the tuning ones with the "
    "held-out ones, because most exercises have too few held-out sets to stand alone: the "
    f"counter's gate was fitted on the tuning sets (applewatch-gym days up to {LAST_TUNING_DAY}, "
    f"barbell-metamotion participants {'+'.join(BARBELL_TUNING_PARTICIPANTS)}), so these "
    "figures are kinder than held-out ones would be; each row says how many sets of each part "
    "it holds. An exercise of 1-3 sets says little. barbell-metamotion labels are "
    f"{_BARBELL_LABELS}. Measured by python -m ml.evaluate reps."
)


class AppCounted(NamedTuple):
    """A set file as the app counted it: its set, where it stands in the protocol (``part``,
    "tuning" or "held out"), which labels it was compared with and the error (counted -
    labelled)."""

    item: datasets.LabelledSet
    part: str
    labels: str
    error: int


def by_exercise(counted: Sequence[AppCounted]) -> list[dict[str, Any]]:
    """The card's rows of the count error per dataset and catalog exercise, all parts pooled,
    with how many sets each part gave; the least reliable (highest MAE) first."""
    groups: dict[tuple[str, str], list[AppCounted]] = {}
    for one in counted:
        groups.setdefault((one.item.dataset, one.item.exercise_id), []).append(one)
    rows: list[dict[str, Any]] = []
    for (dataset, exercise_id), sets in groups.items():
        parts = Counter(s.part for s in sets)
        rows.append({
            "dataset": dataset,
            "exercise_id": exercise_id,
            "exercise": exercises.get(exercise_id).name,
            "label": "/".join(sorted({s.item.label for s in sets})),
            "labels": "/".join(sorted({s.labels for s in sets})),
            "counted": "as the app counts",
            "tuning_sets": parts["tuning"],
            "held_out_sets": parts["held out"],
            **figures([s.error for s in sets]),
        })
    return sorted(rows, key=lambda row: (-row["mae"], row["dataset"], row["exercise"]))


#: The segmentation run by default, and the one whose figures the card keeps (without the
#: activity model): sessions per dataset and building seed, the first seed, how many seeds.
SESSIONS_PER_SEED, FIRST_BUILD_SEED, BUILD_SEEDS = 40, 0, 3
SEGMENTATION_PROTOCOL = (
    "Whole sessions built from real set files: 2-5 consecutive sets of one recording day or "
    "participant, with 20-70 s of real rest between them (slices of the barbell-metamotion "
    f"rest recordings); {SESSIONS_PER_SEED} sessions for each of {BUILD_SEEDS} building seeds "
    "per group. The sets are found "
    "without the exercise model. The segmenter's settings were chosen on the tuning sessions. "
    "Boundary error: for applewatch-gym, to the span of the reps (its files keep idle and "
    "handling at their edges); for barbell-metamotion, to the set file's span. End-to-end "
    "reps: a missed set counts all its reps as missed. Measured by python -m ml.evaluate "
    "segmentation."
)


def reps(_: argparse.Namespace) -> int:
    REPORTS_DIR.mkdir(exist_ok=True)
    groups = {
        f"applewatch-gym tuning days (<= {LAST_TUNING_DAY}; the gate was fitted here)":
            (applewatch(tuning=True), "applewatch-gym", "tuning", _TUNING_DAYS, None),
        f"applewatch-gym HELD-OUT days (> {LAST_TUNING_DAY})":
            (applewatch(tuning=False), "applewatch-gym", "held out", _HELD_OUT_DAYS, None),
        "barbell-metamotion tuning participants A+B (the gate was fitted here; tight set files, "
        "the set alone; labels APPROXIMATE: planned heavy 5 / medium 10)":
            (barbell(tuning=True), "barbell-metamotion", "tuning", "participants A+B",
             _BARBELL_LABELS),
        "barbell-metamotion HELD-OUT participants C+D (tight set files, the set alone; labels "
        "APPROXIMATE: planned heavy 5 / medium 10)":
            (barbell(tuning=False), "barbell-metamotion", "held out", "participants C+D",
             _BARBELL_LABELS),
    }
    rows = []
    card_rows: list[dict[str, object]] = []
    counted: list[AppCounted] = []
    print("Reps per set: counter on the whole set file (idle and handling included), "
          "class-agnostic (no exercise given); then as the app counts an uploaded set file: "
          "the segmenter finds the sets in it first (ml.pipeline without its activity model) "
          "and their reps are summed.")
    for title, (sets, dataset, part, which, labels_note) in groups.items():
        predicted = [count_reps(s.recording.gyro, s.recording.accel).reps for s in sets]
        as_app = [app_count(s.recording) for s in sets]
        where = {"dataset": dataset, "part": part, "sets_from": which,
                 "labels": labels_note or "audited"}
        print(f"\n{title}")
        for version in ("original", "audited"):
            labels = [getattr(s, version) for s in sets]
            errors = [p - y for p, y in zip(predicted, labels, strict=True)]
            print(f"  {version:8s} labels: {rep_metrics(errors)}")
            if version == "audited" or labels_note is None:
                card_rows.append({**where, "counted": "per set file",
                                  "labels": labels_note or version, **figures(errors)})
        app_errors = [reps - s.audited for s, (reps, _) in zip(sets, as_app, strict=True)]
        card_rows.append({**where, "counted": "as the app counts", **figures(app_errors)})
        counted += [AppCounted(s.item, part, labels_note or "audited", e)
                    for s, e in zip(sets, app_errors, strict=True)]
        one_set = sum(n_sets == 1 for _, n_sets in as_app)
        print(f"  as the app counts, audited labels: {rep_metrics(app_errors)}  "
              f"({one_set} of {len(sets)} files found as one set)")
        # The sets of one applewatch-gym day err together, so days are resampled; where the
        # groups are too few (barbell: two participants), the sets are.
        set_groups = [s.item.group for s in sets]
        n_groups = len(set(set_groups))
        enough = n_groups >= MIN_DAYS_FOR_INTERVAL
        units = set_groups if enough else [s.item.name for s in sets]
        unit = (f"the {n_groups} recording days" if enough else
                f"the {len(sets)} sets ({n_groups} participants are too few to resample)")
        audited_errors = [p - s.audited for p, s in zip(predicted, sets, strict=True)]
        print(f"  95% intervals, resampling {unit}: audited labels "
              f"{rep_interval(audited_errors, units)}; as the app counts "
              f"{rep_interval(app_errors, units)}")
        rows += [(s.item.dataset, s.item.name, s.item.label, s.original, s.audited, p, *app)
                 for s, p, app in zip(sets, predicted, as_app, strict=True)]
    with (REPORTS_DIR / "reps_per_set.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["dataset", "name", "label", "original", "audited", "predicted",
                         "app_predicted", "app_sets"])
        writer.writerows(rows)
    record("reps", card_rows, REPS_PROTOCOL)
    exercise_rows = by_exercise(counted)
    record("reps_by_exercise", exercise_rows, BY_EXERCISE_PROTOCOL)
    print("\nBy exercise, as the app counts, audited labels, tuning and held-out sets pooled "
          "(the gate was fitted on the tuning ones), highest MAE first:")
    for row in exercise_rows:
        print(f"  {row['exercise']} ({row['dataset']} {row['label']}; {row['tuning_sets']} "
              f"tuning + {row['held_out_sets']} held out): n={row['sets']:3d}  ±1 "
              f"{row['within_1']:6.1%}  MAE {row['mae']:.2f}  mean signed "
              f"{row['mean_signed']:+.2f}")
    print(f"\n{ANCHORS}\nA set recorded with rest beside it is counted where the segmenter "
          "finds it: see the end-to-end reps of `python -m ml.evaluate segmentation`.\n"
          f"per-set rows: {REPORTS_DIR / 'reps_per_set.csv'}; figures for the Model page: "
          f"{CARD_PATH.relative_to(appconfig.REPO_ROOT)}")
    return 0


def app_count(recording: Recording) -> tuple[int, int]:
    """(reps, sets found) of a recording as the app counts it: the sets ``ml.pipeline`` finds
    without an activity model (which only drops spans it calls rest), their reps summed."""
    found, _ = _found_sets(recording)
    return sum(f.count.reps for f in found), len(found)


def rep_span(labelled: Labelled) -> tuple[float, float] | None:
    """Where the reps are in a set file: the counter's marks on the file alone (first mark - half
    a period to last mark + half a period), trusted only where its count is within 1 of the
    audited label; None otherwise (the file span stands). Applewatch files keep 5-20 s of idle
    and handling at their edges that a set boundary should not include."""
    rec = labelled.recording
    count = count_reps(rec.gyro, rec.accel)
    return count.span_s(rec.duration_s) if abs(count.reps - labelled.audited) <= 1 else None


def _pieces(sets: Sequence[Labelled], group_of: str, rep_spans: bool = False) -> list[SetPiece]:
    ordered = sorted(sets, key=lambda s: (s.item.day, s.item.participant,
                                          datasets.start_key(s.item.name)))
    return [SetPiece(s.item.name, f"{s.item.participant}-{s.item.day}" if group_of else "",
                     s.audited, s.recording, rep_span(s) if rep_spans else None)
            for s in ordered]


#: Gives the activity model that judges a built session (``analyze``'s rest veto).
Judge = Callable[[BuiltSession], ActivityModel]


class ScoredSessions(NamedTuple):
    """What ``scored_sessions`` found: the printed lines and the card's figures."""

    text: str
    figures: dict[str, Any]


def score_sessions(
    sessions_by_seed: Sequence[Sequence[BuiltSession]],
    cfg: SegmenterSettings = DEFAULT_SEGMENTER,
    judge: Judge | None = None,
) -> str:
    """The lines ``scored_sessions`` prints."""
    return scored_sessions(sessions_by_seed, cfg, judge).text


def scored_sessions(
    sessions_by_seed: Sequence[Sequence[BuiltSession]],
    cfg: SegmenterSettings = DEFAULT_SEGMENTER,
    judge: Judge | None = None,
) -> ScoredSessions:
    """Set count right % (pooled and per building seed), boundary error median/p90, end-to-end
    rep error of built sessions, and what the failing sessions have in common.

    A set file is drawn into several sessions, so one file the segmenter gets wrong fails every
    session that holds it, and the session figure moves with how many sessions draw it. The
    per-file line counts each set file once (found as exactly one set in every session that
    holds it, or not) and the sessions with a set found in rest; the last line names the set
    files found as no set or as several (with the number of sessions each one failed) and the
    sets found in the inserted rest.
    """
    right_by_seed, boundary, rep_boundary, errors = [], [], [], []
    right_and_group: list[tuple[float, str]] = []  # each session: set count right?, its day
    causes: Counter[str] = Counter()
    files_wrong: dict[str, bool] = {}  # set file -> found as other than one set in some session
    sessions_with_rest_sets = 0
    # Found sets, those matched to no true set (rest, handling, a set split), and of each how
    # many the handling hint marks.
    found_total, unmatched, hinted_total, hinted_unmatched = 0, 0, 0, 0
    right_without_hinted = 0  # sessions whose set count is right once the hinted sets are gone
    for sessions in sessions_by_seed:
        right = 0
        for session in sessions:
            found, hinted = _found_sets(session.recording, cfg,
                                        None if judge is None else judge(session))
            for name, n in _found_per_file(session, found):
                files_wrong[name] = files_wrong.get(name, False) or n != 1
            sessions_with_rest_sets += _found_in_rest(session, found) > 0
            is_right = len(found) == len(session.true_spans)
            right_without_hinted += len(found) - sum(hinted) == len(session.true_spans)
            right_and_group.append((float(is_right), session.group))
            if is_right:
                right += 1
            else:
                causes.update(_failure_causes(session, found))
            free = list(found)
            for (start, end), (rep_start, rep_end), true_reps in zip(
                    session.true_spans, session.true_rep_spans, session.true_reps, strict=True):
                overlap = [_overlap_s(f, start, end) for f in free]
                if overlap and max(overlap) > 0:
                    match = free.pop(int(np.argmax(overlap)))
                    boundary += [abs(match.start_s - start), abs(match.end_s - end)]
                    rep_boundary += [abs(match.start_s - rep_start), abs(match.end_s - rep_end)]
                    errors.append(match.count.reps - true_reps)
                else:
                    errors.append(-true_reps)  # a missed set counts all its reps as missed
            found_total += len(found)
            unmatched += len(free)
            hinted_total += sum(hinted)
            hinted_unmatched += sum(h for f, h in zip(found, hinted, strict=True) if f in free)
        right_by_seed.append(right / max(1, len(sessions)))
    n_sessions = sum(len(sessions) for sessions in sessions_by_seed)
    all_sessions = [s for sessions in sessions_by_seed for s in sessions]
    b = np.asarray(boundary) if boundary else np.asarray([np.nan])
    rb = np.asarray(rep_boundary) if rep_boundary else np.asarray([np.nan])
    narrowed = sum(span != rep for s in all_sessions
                   for span, rep in zip(s.true_spans, s.true_rep_spans, strict=True))
    rep_line = (f"\n    boundary error to the reps' span ({narrowed} of {len(errors)} sets "
                f"narrowed, see rep_span): median {np.median(rb):.1f} s, p90 "
                f"{np.percentile(rb, 90):.1f} s") if narrowed else ""
    per_seed = " / ".join(f"{r:.1%}" for r in right_by_seed)
    n_days = len({group for _, group in right_and_group})
    if n_days >= MIN_DAYS_FOR_INTERVAL:
        rights, groups = zip(*right_and_group, strict=True)
        ((lo, hi),) = group_bootstrap(rights, groups, [lambda r: float(np.mean(r))])
        interval = f"; 95% interval, resampling the {n_days} recording days: {lo:.1%}-{hi:.1%}"
    else:
        days = "1 recording day" if n_days == 1 else f"{n_days} recording days"
        interval = f"; only {days}, too few to resample for an interval"
    n_files = len({name for s in all_sessions for name in s.set_names})
    shown = causes.most_common(5)
    blamed = "; ".join(f"{cause} ({n})" for cause, n in shown) or "none"
    if len(causes) > len(shown):
        blamed += f"; {len(causes) - len(shown)} more causes"
    hint_line = (f"\n    handling hint (at most {HANDLING_MAX_REPS} reps, exercise not named): "
                 f"marks {hinted_total} of the {found_total} sets found, {hinted_unmatched} of "
                 f"the {unmatched} matched to no set (found in rest, or a second set on a set "
                 f"file); set count exactly right once the user deletes them "
                 f"{right_without_hinted / max(1, n_sessions):.1%}") if judge is not None else ""
    card_figures: dict[str, Any] = {
        "sessions": n_sessions,
        "set_count_right": round(float(np.mean(right_by_seed)), 4),
        "boundary_median_s": round(float(np.median(rb if narrowed else b)), 2),
        "boundary_p90_s": round(float(np.percentile(rb if narrowed else b, 90)), 2),
        "boundary_to": "the reps' span" if narrowed else "the set file's span",
        "end_to_end_reps": figures(errors),
    }
    return ScoredSessions(f"sessions={n_sessions} sets={len(errors)}  set count exactly right "
            f"{np.mean(right_by_seed):6.1%} (per building seed: {per_seed}{interval})  "
            f"boundary error to "
            f"the file span median {np.median(b):.1f} s, p90 {np.percentile(b, 90):.1f} s"
            f"{rep_line}\n    end-to-end reps (sets found first, "
            f"audited labels): {rep_metrics(errors)}\n    per file: "
            f"{len(files_wrong) - sum(files_wrong.values())} of {len(files_wrong)} set files "
            f"found as exactly one set in every session that holds them; "
            f"{sessions_with_rest_sets} of {n_sessions} sessions with a set found in rest"
            f"{hint_line}"
            f"\n    failing sessions' causes, of "
            f"{n_files} set files (sessions failed): {blamed}", card_figures)


def _overlap_s(found: FoundSet, start: float, end: float) -> float:
    """Seconds a found set shares with the span start..end (0 when apart)."""
    return max(0.0, min(end, found.end_s) - max(start, found.start_s))


def _failure_causes(session: BuiltSession, found: Sequence[FoundSet]) -> list[str]:
    """Why a session's set count is wrong: each set file found as no set or as several sets
    (any overlap), and each set found wholly in the inserted rest."""
    causes = [f"{name} found as {n} sets" for name, n in _found_per_file(session, found) if n != 1]
    in_rest = _found_in_rest(session, found)
    if in_rest:
        causes.append("a set found in rest" if in_rest == 1 else f"{in_rest} sets found in rest")
    return causes


def _found_per_file(session: BuiltSession, found: Sequence[FoundSet]) -> list[tuple[str, int]]:
    """Each set file of the session with the number of found sets that overlap it."""
    return [(name, sum(_overlap_s(f, start, end) > 0 for f in found))
            for (start, end), name in zip(session.true_spans, session.set_names, strict=True)]


def _found_in_rest(session: BuiltSession, found: Sequence[FoundSet]) -> int:
    """How many found sets lie wholly in the session's inserted rest."""
    return sum(not any(_overlap_s(f, *span) > 0 for span in session.true_spans) for f in found)


def _found_sets(rec: Recording, cfg: SegmenterSettings = DEFAULT_SEGMENTER,
                model: ActivityModel | None = None) -> tuple[list[FoundSet], list[bool]]:
    """The sets ``ml.pipeline`` finds in a recording (without a model, the segmenter's alone)
    and, for each, whether the app shows it with the handling hint (never without a model: the
    hint needs an exercise the model cannot name)."""
    if model is None:
        found = find_sets(rec.gyro, rec.accel, rec.sample_rate_hz, cfg=cfg)
        return found, [False] * len(found)
    probabilities = model.window_probabilities(rec)
    found = segment(rec, model, probabilities, cfg)
    return found, [bool(s.warnings) for s in name_sets(model, probabilities, found)]


def _judge_by_group(judges: HeldOutJudges, group_of: dict[str, str]) -> Judge:
    """Each session's judge: the model trained without its group (a session holds the sets
    of one day or participant; ``group_of`` maps a set name to its group)."""
    def judge(session: BuiltSession) -> ActivityModel:
        return judges.model_without(group_of[session.set_names[0]])
    return judge


def segmentation(args: argparse.Namespace) -> int:
    rests = [datasets.load(s) for s in datasets.barbell_sets() if s.reps is None]
    judges = (HeldOutJudges(networks=args.networks, cache=args.judges)
              if args.with_model else None)
    seeds = list(range(args.seed, args.seed + args.build_seeds))
    print("Segmentation on built sessions: 2-5 consecutive real sets of one day/participant, "
          "20-70 s of real rest between (slices of barbell-metamotion rest-sitting/standing); "
          "pieces joined by a 1 s wrist turn (ml.built_sessions.bridge); true span = the set "
          "file's span (applewatch files keep 5-20 s of idle and handling at their edges, so "
          "that error includes it) and, for applewatch, also the reps' span: the counter's marks "
          "on the set file alone where its count is within 1 of the audited label (a consistency "
          "check of finding the same reps inside a session, not an independent truth). "
          + ("Spans the activity model calls rest are dropped, as in ml.pipeline, the model "
             "being a judge trained without the session's day or participant and without the "
             f"rest recordings ({args.networks} network(s) each; ml.eval_judges)."
             if judges else "No activity model (class-agnostic).")
          + f" {args.sessions} sessions for each building seed {seeds} (the same set files "
            "drawn into other sessions, with other rest). The segmenter's settings were chosen "
            "on the TUNING sessions (shown first); the HELD-OUT ones are the figures that count.")
    groups = {
        f"applewatch-gym tuning days (<= {LAST_TUNING_DAY})":
            (applewatch(tuning=True), True, "applewatch-gym", "tuning", _TUNING_DAYS),
        "barbell-metamotion tuning participants A+B (tight set files)":
            (barbell(tuning=True), False, "barbell-metamotion", "tuning", "participants A+B"),
        f"applewatch-gym HELD-OUT days (> {LAST_TUNING_DAY})":
            (applewatch(tuning=False), True, "applewatch-gym", "held out", _HELD_OUT_DAYS),
        "barbell-metamotion HELD-OUT participants C+D (tight set files)":
            (barbell(tuning=False), False, "barbell-metamotion", "held out",
             "participants C+D"),
    }
    judge = None if judges is None else _judge_by_group(
        judges, {s.item.name: s.item.group for sets, *_ in groups.values() for s in sets})
    card_rows: list[dict[str, object]] = []
    for title, (sets, narrow, dataset, part, which) in groups.items():
        pieces = _pieces(sets, "day", rep_spans=narrow)
        by_seed = [build_sessions(pieces, rests, n_sessions=args.sessions, seed=seed)
                   for seed in seeds]
        shipped = scored_sessions(by_seed, judge=judge)
        card_rows.append({"dataset": dataset, "part": part, "sets_from": which,
                          **shipped.figures})
        print(f"\n{title}\n  default segmenter (as ml.pipeline; 10 s + 15 s windows, 20 s ones "
              f"for slow reps):\n    "
              f"{shipped.text}\n  LONG_WINDOW_SEGMENTER (the former "
              f"default, 15 s windows only; for comparison):\n    "
              f"{score_sessions(by_seed, LONG_WINDOW_SEGMENTER, judge=judge)}", flush=True)
    # The card keeps the figures of the one protocol its text describes.
    if (args.sessions, args.seed, args.build_seeds, args.with_model) == (
            SESSIONS_PER_SEED, FIRST_BUILD_SEED, BUILD_SEEDS, False):
        record("segmentation", card_rows, SEGMENTATION_PROTOCOL)
        print(f"\nfigures for the Model page: {CARD_PATH.relative_to(appconfig.REPO_ROOT)}")
    else:
        print("\nthe card's figures were left as they are: they are measured with the default "
              f"options (--sessions {SESSIONS_PER_SEED} --seed {FIRST_BUILD_SEED} --build-seeds "
              f"{BUILD_SEEDS}, no --with-model)")
    return 0


def main(argv: list[str] | None = None) -> int:
    # Reached through `python -m ml.evaluate reps|segmentation`; `fit` (which writes the gate)
    # only through `python -m ml.eval_counting fit`, so the usage line names the common way.
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__)
    parser.add_argument("what", choices=["reps", "segmentation", "fit"],
                        metavar="{reps,segmentation}",
                        help="what to evaluate (`python -m ml.eval_counting fit` refits the "
                             "rep gate on the tuning days)")
    parser.add_argument("--sessions", type=int, default=SESSIONS_PER_SEED,
                        help="built sessions per dataset and building seed")
    parser.add_argument("--seed", type=int, default=FIRST_BUILD_SEED,
                        help="first session-building seed")
    parser.add_argument("--build-seeds", type=int, default=BUILD_SEEDS,
                        help="segmentation: build sessions with this many seeds from --seed on")
    parser.add_argument("--with-model", action="store_true",
                        help="segmentation: drop spans an activity model calls rest, as analyze "
                             "does; each session's model is trained without its day or "
                             "participant and without the rest recordings (one model per day "
                             "and participant, about a minute per network each)")
    parser.add_argument("--networks", type=int, default=1,
                        help="segmentation --with-model: networks averaged per model")
    parser.add_argument("--judges", type=Path, default=REPORTS_DIR / "judges", metavar="DIR",
                        help="segmentation --with-model: keep each model here and read it back "
                             "while its training data, code and library versions are unchanged "
                             "(default %(default)s; a new folder trains them all again)")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.build_seeds < 1 or args.networks < 1:
        parser.error("--sessions, --build-seeds and --networks must be at least 1")
    return {"reps": reps, "segmentation": segmentation, "fit": fit}[args.what](args)


if __name__ == "__main__":
    sys.exit(main())
