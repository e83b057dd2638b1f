"""Scores of held-out predictions: per window, per set, family and exercise level (pure numpy)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from journal.exercises import REST_ID, family_of
from ml.activity_data import IGNORED
from ml.activity_decision import DecisionThresholds, classify_span

PULL_UP = "assisted_pull_up"


@dataclass(frozen=True)
class HeldOut:
    """Predictions of one method on held-out windows, gathered over all folds of one seed.

    ``probs`` (n_windows, n_classes); ``window_labels`` (n_windows,) class index or IGNORED;
    ``window_set`` (n_windows,) set index; ``set_truth`` holds each set's exercise id.
    """

    probs: np.ndarray
    window_labels: np.ndarray
    window_set: np.ndarray
    set_truth: dict[int, str]


#: Always name a set: accuracy scores the model's best guess.
_ALWAYS_NAME = DecisionThresholds(family_threshold=0.0, variant_threshold=0.0)


def set_predictions(
    held: HeldOut, classes: Sequence[str], priors: Mapping[int, Mapping[str, str]] | None = None,
    *, prior_margin: float | None = None,
) -> dict[int, str]:
    """The exercise of each held-out set as the app names it, no thresholds ("unknown" for a set
    without windows).

    Without ``priors`` that is the best exercise of the set's mean probabilities. With ``priors``
    (set index -> family -> the user's last-used exercise of it) the last-used variant of the
    chosen family wins near-ties (``ml.activity_decision``): within the shipped
    ``prior_margin``, or the one given.
    """
    thresholds = (_ALWAYS_NAME if prior_margin is None
                  else replace(_ALWAYS_NAME, prior_margin=prior_margin))
    return {s: classify_span(held.probs[held.window_set == s], classes, thresholds=thresholds,
                             prior=(priors or {}).get(s)).exercise
            for s in held.set_truth}


def history_priors(
    held_sets: Sequence[int], day: Mapping[int, str], start: Mapping[int, str],
    exercise: Mapping[int, str], history: Sequence[int],
) -> dict[int, dict[str, str]]:
    """What the journal would hold as each held-out set's tie-breaker: per family, the exercise of
    the most recent ``history`` set of an earlier day (same person). Sets are ordered by
    (``day``, ``start``); ``exercise`` gives every set's true exercise id (rest is skipped)."""
    ordered = sorted((i for i in history if exercise[i] != REST_ID),
                     key=lambda i: (day[i], start[i]))
    priors: dict[int, dict[str, str]] = {}
    for s in held_sets:
        last: dict[str, str] = {}
        for i in ordered:
            if day[i] >= day[s]:
                break
            last[family_of(exercise[i])] = exercise[i]
        priors[s] = last
    return priors


def _macro_f1(truth: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(truth))
    return float(f1_score(truth, pred, labels=labels, average="macro", zero_division=0))


def score(
    held: HeldOut,
    classes: Sequence[str],
    *,
    level: str,
    sets_counted: Callable[[str], bool] = lambda exercise: True,
    priors: Mapping[int, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Set and window scores at ``level`` "exercise" or "family" over the counted sets.

    With ``priors`` the set predictions are the app's decision with the user's last-used
    variants (see ``set_predictions``); ``set_accuracy_without_history`` keeps the plain one.
    """
    to_level: Callable[[str], str] = family_of if level == "family" else (lambda e: e)
    predicted = set_predictions(held, classes, priors)
    counted = [s for s, truth in held.set_truth.items() if sets_counted(truth)]
    truth = [to_level(held.set_truth[s]) for s in counted]
    pred = [to_level(predicted[s]) for s in counted]
    correct = np.array([t == p for t, p in zip(truth, pred, strict=True)])

    in_counted = np.isin(held.window_set, counted) & (held.window_labels != IGNORED)
    win_truth = [to_level(classes[i]) for i in held.window_labels[in_counted]]
    win_pred = [to_level(classes[i]) for i in held.probs[in_counted].argmax(axis=1)]
    recall = {
        label: float(np.mean([p == label for t, p in zip(truth, pred, strict=True) if t == label]))
        for label in sorted(set(truth))
    }
    result: dict[str, Any] = {
        "n_sets": len(counted),
        "set_accuracy": float(correct.mean()) if counted else float("nan"),
        "set_macro_f1": _macro_f1(truth, pred) if counted else float("nan"),
        "window_accuracy": float(np.mean([t == p for t, p in zip(win_truth, win_pred,
                                                                  strict=True)])),
        "n_windows": len(win_truth),
        "set_recall": recall,
        "set_truth": truth,
        "set_pred": pred,
        "counted_sets": counted,
    }
    if priors is not None:
        plain = set_predictions(held, classes)
        result["set_accuracy_without_history"] = (
            float(np.mean([t == to_level(plain[s]) for s, t in zip(counted, truth, strict=True)]))
            if counted else float("nan"))
    pull = to_level(PULL_UP)
    if pull in truth:
        predicted_pull = [t for t, p in zip(win_truth, win_pred, strict=True) if p == pull]
        result["pull_up_set_recall"] = recall[pull]
        result["pull_up_window_precision"] = (
            float(np.mean([t == pull for t in predicted_pull])) if predicted_pull else float("nan")
        )
    return result


def set_misses(results: Sequence[Mapping[str, Any]],
               set_names: Sequence[str]) -> list[dict[str, Any]]:
    """The counted held-out sets named wrong in ``results`` (one ``score`` per seed): set name,
    true and predicted label at the scored level, and in how many of the seeds."""
    misses: Counter[tuple[str, str, str]] = Counter()
    for result in results:
        for i, truth, pred in zip(result["counted_sets"], result["set_truth"], result["set_pred"],
                                  strict=True):
            if truth != pred:
                misses[(set_names[i], truth, pred)] += 1
    return [{"set": name, "truth": truth, "predicted": pred, "seeds": n,
             "of_seeds": len(results)}
            for (name, truth, pred), n in sorted(misses.items())]


def set_decisions(
    held: HeldOut, classes: Sequence[str], set_names: Sequence[str],
    set_groups: Sequence[str] | np.ndarray,
    sets_counted: Callable[[str], bool] = lambda exercise: True,
    priors: Mapping[int, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Every counted held-out set (rest excluded) as the app decides it without thresholds: right
    or wrong at either level, and what its confidence is computed from (``SpanDecision``), for
    choosing and checking the confidence of ``ml.activity_decision`` (``ml.eval_confidence``)."""
    out = []
    for s, truth in held.set_truth.items():
        if not sets_counted(truth) or truth == REST_ID:
            continue
        decision = classify_span(held.probs[held.window_set == s], classes,
                                 thresholds=_ALWAYS_NAME, prior=(priors or {}).get(s))
        out.append({
            "set": set_names[s], "group": str(set_groups[s]), "truth": truth,
            "exercise": decision.exercise,
            "family_right": family_of(decision.exercise) == family_of(truth),
            "exercise_right": decision.exercise == truth,
            "family_probability": decision.family_probability,
            "family_vote_share": decision.family_vote_share,
            "variant_probability": decision.variant_probability,
            "used_prior": decision.used_prior, "n_windows": decision.n_windows,
        })
    return out


def decision_coverage(
    held: HeldOut, classes: Sequence[str], thresholds: DecisionThresholds,
    sets_counted: Callable[[str], bool] = lambda exercise: True,
    priors: Mapping[int, Mapping[str, str]] | None = None,
) -> dict[str, float]:
    """With the shipped thresholds (and the user's last-used variants, ``priors``): how many sets
    get a name, and how often the name is right."""
    named = right = family_named = family_right = 0
    counted = [s for s, t in held.set_truth.items() if sets_counted(t) and t != REST_ID]
    for s in counted:
        decision = classify_span(held.probs[held.window_set == s], classes, thresholds=thresholds,
                                 prior=(priors or {}).get(s))
        truth = held.set_truth[s]
        if decision.family != "other":
            family_named += 1
            family_right += decision.family == family_of(truth)
        if decision.exercise != "unknown":
            named += 1
            right += decision.exercise == truth
    n = max(1, len(counted))
    return {
        "named_fraction": named / n,
        "named_accuracy": right / named if named else float("nan"),
        "family_named_fraction": family_named / n,
        "family_named_accuracy": family_right / family_named if family_named else float("nan"),
    }


def confusion_png(truth: Sequence[str], pred: Sequence[str], title: str, path: Any) -> None:
    """Save a confusion matrix (rows truth, columns prediction, set counts) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted(set(truth) | set(pred))
    matrix = confusion_matrix(truth, pred, labels=labels)
    size = 3 + 0.45 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 2, size))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=70, ha="right", fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    for (i, j), v in np.ndenumerate(matrix):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v > matrix.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
