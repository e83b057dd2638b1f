"""The exercise catalog: stable ids, names, families and the aliases people type.

Both the model (its classes are catalog ids) and the journal (search by name, family or alias)
read this one module. Ids are stable: never rename one, add a new entry instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

UNKNOWN_ID = "unknown"
REST_ID = "rest"
#: Prefix of the ids of exercises a user named (kept in the journal, not in this catalog).
CUSTOM_PREFIX = "custom:"


@dataclass(frozen=True)
class Exercise:
    """One catalog entry."""

    id: str
    name: str
    family: str
    aliases: tuple[str, ...] = ()
    #: The weight logged is the machine's assistance (counterweight), not a load: less is harder.
    assisted: bool = False
    #: Labels of this exercise in the datasets under ``shared/datasets`` ("applewatch-gym:APULL").
    dataset_labels: tuple[str, ...] = field(default=(), compare=False)


def _e(
    id: str, name: str, family: str, *aliases: str, labels: tuple[str, ...] = (),
    assisted: bool = False,
) -> Exercise:
    return Exercise(id=id, name=name, family=family, aliases=aliases, assisted=assisted,
                    dataset_labels=labels)


# Families group variants of one movement; the model is most reliable at this level.
FAMILIES: dict[str, tuple[str, ...]] = {
    "pull-up": ("pullup", "pull up", "chin-up", "chinup", "chin up"),
    "lat pulldown": ("pulldown", "pull-down", "lat pull down"),
    "row": ("rows", "rowing"),
    "curl": ("biceps curl", "bicep curl", "arm curl"),
    "wrist curl": ("forearm curl",),
    "bench press": ("bench", "chest press", "incline press"),
    "shoulder press": ("overhead press", "ohp", "military press"),
    "triceps extension": ("tricep extension", "triceps", "tricep", "skull crusher"),
    "lateral raise": ("side raise", "lat raise", "side lateral raise"),
    "squat": ("squats",),
    "deadlift": ("dead lift", "deadlifts"),
    "sit-up": ("situp", "sit up"),
    "crunch": ("crunches", "abs", "ab crunch"),
    "push-up": ("pushup", "push up", "press-up"),
    "lunge": ("lunges",),
    "plank": (),
    "rest": ("no exercise", "idle", "pause"),
    "other": (),
}

CATALOG: tuple[Exercise, ...] = (
    # pull-up family
    _e("assisted_pull_up", "Assisted pull-up", "pull-up", "assisted pullup",
       "machine assisted pull-up", labels=("applewatch-gym:APULL",), assisted=True),
    _e("pull_up", "Pull-up", "pull-up", "pullup", "pull up", "bodyweight pull-up"),
    _e("chin_up", "Chin-up", "pull-up", "chinup", "chin up", "underhand pull-up"),
    # No recordings of it here: logged by hand or imported ("Chin Up (Assisted)" in Strong and
    # Hevy), so its kg read as the machine's help, not as a load on the plain chin-up.
    _e("assisted_chin_up", "Assisted chin-up", "pull-up", "machine assisted chin-up",
       assisted=True),
    _e("straight_bar_lat_pulldown", "Straight-bar lat pulldown", "lat pulldown",
       "lat pulldown", "lat pull-down", labels=("applewatch-gym:SBLP",)),
    # rows
    _e("neutral_grip_cable_row", "Neutral-grip cable row", "row", "seated cable row",
       "cable row", labels=("applewatch-gym:NGCR",)),
    _e("close_grip_cable_row", "Close-grip cable row", "row", labels=("applewatch-gym:CGCR",)),
    _e("mid_grip_t_bar_row", "Mid-grip T-bar row", "row", "t-bar row", "tbar row",
       labels=("applewatch-gym:MGTBR",)),
    _e("barbell_row", "Barbell row", "row", "bent-over row", "bent over row",
       labels=("barbell-metamotion:row",)),
    _e("dumbbell_row", "Dumbbell row", "row", "one-arm dumbbell row"),
    # curls
    _e("incline_dumbbell_biceps_curl", "Incline dumbbell biceps curl", "curl",
       "incline curl", labels=("applewatch-gym:IDBC",)),
    _e("alternating_incline_dumbbell_biceps_curl", "Alternating incline dumbbell biceps curl",
       "curl", labels=("applewatch-gym:AIDBC",)),
    _e("preacher_curl", "Preacher curl", "curl", labels=("applewatch-gym:PREC",)),
    _e("dumbbell_biceps_curl", "Dumbbell biceps curl", "curl", "dumbbell curl"),
    _e("barbell_curl", "Barbell curl", "curl"),
    _e("dumbbell_wrist_curl", "Dumbbell wrist curl", "wrist curl",
       labels=("applewatch-gym:DWC",)),
    # presses
    _e("incline_30_dumbbell_bench_press", "30° incline dumbbell bench press", "bench press",
       "incline dumbbell press", labels=("applewatch-gym:30DBP",)),
    _e("incline_45_dumbbell_bench_press", "45° incline dumbbell bench press", "bench press",
       labels=("applewatch-gym:45DBP",)),
    _e("incline_30_barbell_bench_press", "30° incline barbell bench press", "bench press",
       "incline barbell press", labels=("applewatch-gym:30BP",)),
    _e("machine_incline_bench_press", "Machine incline bench press", "bench press",
       labels=("applewatch-gym:MIBP",)),
    _e("barbell_bench_press", "Barbell bench press", "bench press", "flat bench press",
       labels=("barbell-metamotion:bench",)),
    _e("dumbbell_shoulder_press_75", "75° dumbbell shoulder press", "shoulder press",
       "dumbbell shoulder press", labels=("applewatch-gym:DSP",)),
    _e("machine_shoulder_press", "Machine shoulder press", "shoulder press",
       labels=("applewatch-gym:MSP",)),
    _e("barbell_overhead_press", "Barbell overhead press", "shoulder press", "overhead press",
       "ohp", "military press", labels=("barbell-metamotion:ohp",)),
    # triceps
    _e("single_arm_overhead_cable_triceps_extension",
       "Single-arm overhead cable triceps extension", "triceps extension",
       labels=("applewatch-gym:SAOCTE",)),
    _e("close_grip_overhead_cable_triceps_extension",
       "Close-grip overhead cable triceps extension", "triceps extension",
       labels=("applewatch-gym:CGOCTE",)),
    _e("single_arm_overhead_dumbbell_triceps_extension",
       "Single-arm overhead dumbbell triceps extension", "triceps extension",
       labels=("applewatch-gym:SAODTE",)),
    _e("machine_triceps_extension", "Machine triceps extension", "triceps extension",
       labels=("applewatch-gym:MTE",)),
    _e("triceps_pushdown", "Triceps pushdown", "triceps extension", "cable pushdown"),
    # raises
    _e("single_arm_cable_lateral_raise", "Single-arm cable lateral raise", "lateral raise",
       labels=("applewatch-gym:SACLR",)),
    _e("dumbbell_lateral_raise", "Dumbbell lateral raise", "lateral raise",
       labels=("applewatch-gym:DLR",)),
    # legs
    _e("barbell_back_squat", "Barbell back squat", "squat", "back squat",
       labels=("barbell-metamotion:squat",)),
    _e("goblet_squat", "Goblet squat", "squat"),
    _e("barbell_deadlift", "Barbell deadlift", "deadlift", "conventional deadlift",
       labels=("barbell-metamotion:dead",)),
    _e("lunge", "Lunge", "lunge", "walking lunge"),
    # core and bodyweight (no training data here: users teach these)
    _e("sit_up", "Sit-up", "sit-up", "situp", "sit up"),
    _e("crunch", "Crunch", "crunch", "crunches", "abs", "ab crunch"),
    _e("push_up", "Push-up", "push-up", "pushup", "push up", "press-up"),
    _e("plank", "Plank", "plank"),
    # not an exercise
    _e(REST_ID, "Rest", "rest", "no exercise", "idle",
       labels=("barbell-metamotion:rest",)),
    _e(UNKNOWN_ID, "Unknown exercise", "other", "unknown"),
)

_BY_ID: dict[str, Exercise] = {e.id: e for e in CATALOG}
#: Exercises whose weight is the machine's assistance: kg × reps is no volume of theirs.
ASSISTED_IDS: tuple[str, ...] = tuple(e.id for e in CATALOG if e.assisted)
#: A custom exercise whose id (``custom:`` + its normalised name) holds this is assisted too.
ASSISTED_WORD = "assist"
_BY_LABEL: dict[str, Exercise] = {lab: e for e in CATALOG for lab in e.dataset_labels}


def normalize_name(text: str) -> str:
    """Reduce a typed exercise name to a key that ignores case, spaces, hyphens and plurals.

    >>> normalize_name("Pull ups") == normalize_name("pull-up") == normalize_name("PULLUP")
    True
    """
    key = re.sub(r"[^0-9a-z°]+", "", text.casefold())
    # A trailing plural "s" (but not "ss" as in "press") is dropped: "curls" -> "curl".
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


def get(exercise_id: str) -> Exercise:
    """The catalog entry with this id; ``KeyError`` naming the id when there is none."""
    try:
        return _BY_ID[exercise_id]
    except KeyError:
        raise KeyError(f"unknown exercise id {exercise_id!r}") from None


def is_known(exercise_id: str) -> bool:
    """Whether the id is in the catalog."""
    return exercise_id in _BY_ID


def is_assisted(exercise_id: str) -> bool:
    """Whether the exercise's weight is assistance (less is harder): catalog entries marked so,
    and the user's own exercises named so ("Assisted dip", "Band-assisted muscle-up")."""
    entry = _BY_ID.get(exercise_id)
    if entry is not None:
        return entry.assisted
    return is_custom_id(exercise_id) and ASSISTED_WORD in exercise_id


def is_custom_id(exercise_id: str) -> bool:
    """Whether the id names a user's own exercise (``custom:<key>``), not a catalog entry."""
    return exercise_id.startswith(CUSTOM_PREFIX) and len(exercise_id) > len(CUSTOM_PREFIX)


def display_name(exercise_id: str, names: Mapping[str, str] | None = None) -> str:
    """What to show for an id: the catalog's name, else ``names`` (the journal's or a model
    card's names of the user's own exercises), else the id without its ``custom:`` prefix."""
    entry = _BY_ID.get(exercise_id)
    if entry is not None:
        return entry.name
    return (names or {}).get(exercise_id) or exercise_id.removeprefix(CUSTOM_PREFIX)


def from_dataset_label(dataset: str, label: str) -> Exercise:
    """Map a label of one of the shared datasets ("applewatch-gym", "APULL") to its entry."""
    try:
        return _BY_LABEL[f"{dataset}:{label}"]
    except KeyError:
        raise ValueError(
            f"label {label!r} of dataset {dataset!r} is not in the exercise catalog"
        ) from None


def family_of(exercise_id: str) -> str:
    """The family of a catalog id; custom ids (not in the catalog) are in family "other"."""
    entry = _BY_ID.get(exercise_id)
    return entry.family if entry else "other"


def search_keys(exercise: Exercise) -> tuple[str, ...]:
    """Every normalised key an exercise answers to: id, name, aliases, family and its aliases."""
    words = (
        exercise.id,
        exercise.name,
        *exercise.aliases,
        exercise.family,
        *FAMILIES.get(exercise.family, ()),
    )
    return tuple(dict.fromkeys(normalize_name(w) for w in words if normalize_name(w)))


def match(text: str) -> list[Exercise]:
    """Catalog entries whose name, id, alias or family contains the typed text, best first.

    Exact key matches come before substring matches; ties keep catalog order.
    """
    key = normalize_name(text)
    if not key:
        return []
    exact = [e for e in CATALOG if key in search_keys(e)]
    partial = [e for e in CATALOG if e not in exact and any(key in k for k in search_keys(e))]
    return exact + partial
