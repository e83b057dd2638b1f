"""The set-level decision: window probabilities over one set → family, variant, confidence.

Pure numpy, no Keras: the pipeline calls it on probabilities it has already computed.
Recognition is two-level because the movement family (row, curl, press...) is far more reliable
than the variant within it (grip width, bench angle) on the data we have:

1. Average the window probabilities over the span, weighting each window by its exercise mass
   (1 - p(rest)) so idle edges inside a span do not dilute the vote.
2. The family is that of the most probable exercise; its probability is the sum of its members.
   The family's confidence is that probability calibrated on held-out sets
   (``SHIPPED_FAMILY_CALIBRATION``): the mean probability under-states it, so a clean pull-up set
   whose 4 s windows each spread their probability over look-alike exercises read 0.56-0.58 and
   was left "unknown". Below ``family_threshold`` (1 - 1/``COST_OF_WRONG``) the set is "unknown".
   ``python -m ml.evaluate confidence`` compares the rules, each group's fitted on the others
   (the network trained on every set, 3 and 6 seeds): on the applewatch-gym days the old
   threshold of 0.6 on the mean probability left 7.7% of right sets unknown (cost 0.137 per set,
   a wrong name costing 3 unknowns), the calibrated one with its floor (``family_floor``) names
   99% (0.073). So it does on barbell-metamotion's new users (0.132 against 0.152): their wrong
   sets are confidently wrong, and 0.6 caught only 5 of 15. The windows' vote share, alone or
   added to the calibration, did no better. (The early-stopping network: 0.225 -> 0.146 and
   0.228 -> 0.237.)
   (Measured on the held-out predictions of the early-stopping network, before 2026-12-02.
   The family is not that of the largest summed mass: that favours families with many
   variants. Re-scored from the same held-out predictions (``python -m ml.evaluate activity
   --methods ours --replay DIR``, an AMD EPYC), 3 seeds: network alone 0.934 -> 0.940
   but family macro-F1 0.896 -> 0.868 (small families lose their sets); with the personal model,
   w chosen per day 0.967 -> 0.974, at the shipped w 0.65 0.971 -> 0.962, a young journal (2
   days) 0.934 -> 0.926. It wins only where the network's weight is low, so it is not used; for the
   scikit-learn baseline it was one set better, 0.974 against 0.967.)
   Other ways to pool the windows, same re-scoring (family / exercise, network alone; with the
   personal model at the shipped w; barbell-metamotion LOPO 6 seeds), against 0.934 / 0.823;
   0.971 / 0.914; 0.950: the geometric mean 0.934 / 0.823; 0.976 / 0.903; 0.950. Each window
   weighted by its exercise mass squared: within one set of this rule everywhere. A vote of the
   windows' best exercises: 0.932 / 0.837; 0.974 / 0.914; 0.944 (new users lose). None wins
   everywhere.
3. Variant = best member given the family. When the user's last-used variant of that family
   (``prior``) is within ``prior_margin`` (0.05) of the best, the prior wins (a tie-breaker, not
   an override; a wider margin costs the network trained on every set variants it names
   right). Below ``variant_threshold`` with no prior the set is "unknown" but keeps its family.
   A user with a personal model (``ml.personal``) gets no prior: ``ActivityModel.decide``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from journal.exercises import REST_ID, UNKNOWN_ID, family_of

#: What a wrong exercise name costs a user, in sets left "unknown": they must notice it, and until
#: they do the journal's search is wrong. A set is named when naming it costs less than asking,
#: i.e. when its (calibrated) confidence is at least 1 - 1/COST_OF_WRONG.
COST_OF_WRONG = 3.0
_EPS = 1e-3


def logit(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 - p)) with p clipped to [0.001, 0.999] (a share of 1.0 is common)."""
    clipped = np.clip(np.asarray(p, np.float64), _EPS, 1 - _EPS)
    return np.log(clipped / (1 - clipped))


@dataclass(frozen=True)
class ConfidenceCalibration:
    """P(the family is right) = sigmoid(intercept + sum(weights * features)) of a set decision: a
    logistic fit on held-out decisions (``python -m ml.evaluate confidence``). The features are
    logit(mean family probability), then optionally logit(family vote share) (compared there; it
    added nothing)."""

    intercept: float
    weights: tuple[float, ...]

    def probability(self, features: np.ndarray) -> np.ndarray:
        """Parameters: features, shape (n_sets, n_features). Returns shape (n_sets,)."""
        z = self.intercept + np.asarray(features, np.float64) @ np.asarray(self.weights)
        return 1.0 / (1.0 + np.exp(-z))

    def to_list(self) -> list[float]:
        return [round(self.intercept, 4), *(round(w, 4) for w in self.weights)]

    @classmethod
    def from_list(cls, values: Sequence[float]) -> ConfidenceCalibration:
        return cls(float(values[0]), tuple(float(v) for v in values[1:]))


def calibration_features(family_probability: np.ndarray | float,
                         vote_share: np.ndarray | float | None = None) -> np.ndarray:
    """The inputs of a family ``ConfidenceCalibration``, shape (n_sets, 1), or (n_sets, 2) with
    the vote share: the one definition the app's decision and its fit share."""
    columns = [logit(np.atleast_1d(family_probability))]
    if vote_share is not None:
        columns.append(logit(np.atleast_1d(vote_share)))
    return np.column_stack(columns)


def fit_calibration(features: np.ndarray, right: np.ndarray) -> ConfidenceCalibration:
    """Logistic regression of ``right`` (n,) on ``features`` (n, k), lightly regularised (a few
    dozen wrong sets decide it)."""
    from sklearn.linear_model import LogisticRegression

    if len(set(np.asarray(right).tolist())) < 2:
        raise ValueError("calibration needs both right and wrong decisions")
    fit = LogisticRegression(C=1.0).fit(features, right)
    return ConfidenceCalibration(float(fit.intercept_[0]), tuple(float(w) for w in fit.coef_[0]))


#: Fitted by ``python -m ml.evaluate confidence`` on 624 held-out set decisions of the shipped
#: three averaged networks (applewatch-gym days and barbell-metamotion participants, 3 seeds
#: each): the mean family probability under-states how often the family is right (a set at 0.5
#: was right about 95% of the time). One network's fit was (2.3372, (0.5876,)); the
#: early-stopping network's (1.2028, (1.0344,)).
SHIPPED_FAMILY_CALIBRATION = ConfidenceCalibration(2.8705, (0.424,))


@dataclass(frozen=True)
class DecisionThresholds:
    """Confidence thresholds of the set decision (stored in the model card).

    With ``family_calibration`` the family's confidence is its calibrated probability of being
    right and ``family_threshold`` applies to that; without one (cards written before), to the
    mean family probability, and to that also below ``family_floor``, where the calibration has
    no held-out sets to go on. The variant's share within its family is already calibrated
    (``python -m ml.evaluate confidence``) and is used as it is."""

    family_threshold: float = round(1 - 1 / COST_OF_WRONG, 4)
    #: Below this mean family probability the calibration is not applied (the set's confidence is
    #: that probability, so it is "unknown"). The calibration is fitted on held-out sets of the
    #: exercises the model knows, and they almost never spread so: 6 of 795 held-out sets of the
    #: network trained on every set fell under 0.4 (lowest 0.33; 5 of them right). A set of an
    #: exercise the model has never seen, the user's own, is what spreads its probability over
    #: families, and the fit's slope (0.59 on the logit) would name it at 80-88%.
    family_floor: float = 0.4
    variant_threshold: float = 0.4
    #: How far the last-used variant may trail the best and still win. 0.25 suited the network of
    #: the early-stopping recipe; the network trained on every set names variants better, and
    #: on the applewatch-gym days 0 and 0.05 name the most sets right (0.914), 0.25 0.887
    #: (``python -m ml.evaluate activity``, ``tie_breaker_margin``; chosen per held-out day on
    #: the other days: 0.912).
    prior_margin: float = 0.05
    family_calibration: ConfidenceCalibration | None = SHIPPED_FAMILY_CALIBRATION

    def to_dict(self) -> dict[str, Any]:
        return {name: (value.to_list() if isinstance(value, ConfidenceCalibration) else value)
                for name, value in ((f, getattr(self, f)) for f in self.__dataclass_fields__)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DecisionThresholds:
        """The thresholds of a card; a card without a calibration (written before) has none."""
        calibration = data.get("family_calibration")
        return cls(
            **{k: float(v) for k, v in data.items()
               if k in cls.__dataclass_fields__ and k != "family_calibration"},
            family_calibration=(None if calibration is None
                                else ConfidenceCalibration.from_list(calibration)))


@dataclass(frozen=True)
class SpanDecision:
    """What the model says about one set.

    ``exercise`` is a catalog id or ``UNKNOWN_ID``; ``confidence`` is the probability of that
    exercise (family probability x variant probability within the family; for "unknown" the
    probability of the best guess). ``family`` is the movement family or "other" when even the
    family is uncertain. ``alternatives`` holds the other exercises (id, probability), best first.
    ``rest_probability`` is the mean p(rest) of the windows: high means "probably not a set".
    ``family_probability`` is the family's share of the mean distribution, ``family_vote_share``
    the exercise mass of the windows whose own best exercise is of that family, and
    ``variant_probability`` the chosen variant's share within the family: what the confidence is
    computed from (``calibration_features``).
    """

    exercise: str
    confidence: float
    family: str
    family_confidence: float
    alternatives: tuple[tuple[str, float], ...]
    rest_probability: float
    n_windows: int
    used_prior: bool = False
    family_probability: float = 0.0
    family_vote_share: float = 0.0
    variant_probability: float = 0.0


def exercise_distribution(
    probs: np.ndarray, classes: Sequence[str]
) -> tuple[list[str], np.ndarray, float]:
    """Aggregate window probabilities into one distribution over the exercise classes.

    Parameters
    ----------
    probs : ndarray, shape (n_windows, n_classes)
    classes : the model's class ids, ``n_classes`` long

    Returns
    -------
    exercises : the class ids except rest
    distribution : ndarray, shape (n_exercises,), sums to 1
    rest_probability : mean p(rest) over the windows (0 when the model has no rest class)
    """
    if probs.ndim != 2 or probs.shape[1] != len(classes):
        raise ValueError(
            f"probabilities of shape {probs.shape} do not match {len(classes)} classes"
        )
    is_exercise = np.array([c != REST_ID for c in classes])
    exercises = [c for c in classes if c != REST_ID]
    rest = float(probs[:, ~is_exercise].sum(axis=1).mean()) if (~is_exercise).any() else 0.0
    mass = probs[:, is_exercise].sum(axis=0).astype(np.float64)
    total = mass.sum()
    if total <= 0:
        return exercises, np.full(len(exercises), 1.0 / len(exercises)), rest
    return exercises, mass / total, rest


def classify_span(
    probs: np.ndarray,
    classes: Sequence[str],
    *,
    thresholds: DecisionThresholds | None = None,
    prior: Mapping[str, str] | None = None,
    n_alternatives: int = 3,
) -> SpanDecision:
    """Decide the exercise of one set from its window probabilities.

    Parameters
    ----------
    probs : ndarray, shape (n_windows, n_classes)
        Window probabilities of the windows inside the set (``n_windows`` may be 0: the set is
        shorter than one window, and the answer is "unknown" with confidence 0).
    classes : the model's class ids (catalog ids, may include "rest")
    thresholds : confidence thresholds; the defaults when None
    prior : family -> the user's last-used exercise id of that family, the tie-breaker
    n_alternatives : how many runner-up exercises to report
    """
    thresholds = thresholds or DecisionThresholds()
    n_windows = int(probs.shape[0]) if probs.ndim == 2 else 0
    if n_windows == 0:
        return SpanDecision(UNKNOWN_ID, 0.0, "other", 0.0, (), 0.0, 0)
    exercises, dist, rest = exercise_distribution(probs, classes)
    families = [family_of(e) for e in exercises]
    family = families[int(np.argmax(dist))]
    family_p = float(sum(p for fam, p in zip(families, dist, strict=True) if fam == family))
    ranked = sorted(zip(exercises, dist.tolist(), strict=True), key=lambda ep: -ep[1])

    members = [(e, p / family_p) for e, p in ranked if family_of(e) == family]
    best, best_within = members[0]
    used_prior = False
    preferred = (prior or {}).get(family)
    within = dict(members)
    if preferred in within and preferred != best:
        if best_within - within[preferred] <= thresholds.prior_margin:
            best, best_within, used_prior = preferred, within[preferred], True
    elif preferred == best:
        used_prior = True

    vote_share = family_vote_share(probs, classes, family)
    family_conf = family_p
    if thresholds.family_calibration is not None and family_p >= thresholds.family_floor:
        family_conf = float(thresholds.family_calibration.probability(
            calibration_features(family_p))[0])
    if family_conf < thresholds.family_threshold:
        exercise, family = UNKNOWN_ID, "other"
    elif best_within < thresholds.variant_threshold and not used_prior:
        exercise = UNKNOWN_ID
    else:
        exercise = best
    alternatives = tuple((e, round(p, 4)) for e, p in ranked if e != exercise)[:n_alternatives]
    return SpanDecision(
        exercise=exercise,
        confidence=round(float(family_conf * best_within), 4),
        family=family,
        family_confidence=round(float(family_conf), 4),
        alternatives=alternatives,
        rest_probability=round(rest, 4),
        n_windows=n_windows,
        used_prior=used_prior,
        family_probability=round(family_p, 4),
        family_vote_share=round(vote_share, 4),
        variant_probability=round(float(best_within), 4),
    )


def family_vote_share(probs: np.ndarray, classes: Sequence[str], family: str) -> float:
    """The share of a span's exercise mass (1 - p(rest) per window) in windows whose own most
    probable exercise is of ``family``: how many of the set's windows agree, where the mean
    probability says how strongly (a network spreading each window's probability over similar
    variants can agree in every window at a low mean).

    Parameters
    ----------
    probs : ndarray, shape (n_windows, n_classes)
    classes : the model's class ids, ``n_classes`` long
    """
    is_exercise = np.array([c != REST_ID for c in classes])
    exercise_probs = probs[:, is_exercise]
    if exercise_probs.size == 0:
        return 0.0
    mass = exercise_probs.sum(axis=1).astype(np.float64)
    exercises = [c for c in classes if c != REST_ID]
    in_family = np.array([family_of(exercises[i]) == family
                          for i in exercise_probs.argmax(axis=1)])
    return float(mass[in_family].sum() / mass.sum()) if mass.sum() > 0 else 0.0
