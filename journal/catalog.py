"""The exercise catalog and athletes as rows: syncing ``journal.exercises`` in, resolving names.

Every exercise answers to normalised keys (``exercises.normalize_name``) in
``exercise_aliases``, so search by name, family or alias is one indexed SQL lookup. Names that
match nothing become custom exercises (``custom:<key>``): an imported name is never dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from journal import exercises
from journal.models import DEFAULT_ATHLETE, Athlete, Exercise, ExerciseAlias

#: Prefix of the ids of exercises the user (or an import) added.
CUSTOM_PREFIX = exercises.CUSTOM_PREFIX

# Where a key comes from, most specific first: imports resolve a name through these only.
NAMING_KINDS = ("name", "alias", "id")

#: Names Strong and Hevy give catalog exercises that the name rules below do not reach.
APP_NAMES: dict[str, tuple[str, ...]] = {
    "barbell_back_squat": ("Squat (Barbell)", "Full Squat"),
    "barbell_row": ("Bent Over Row (Barbell)",),
    "dumbbell_row": ("Bent Over One Arm Row (Dumbbell)", "Dumbbell Row"),
    "dumbbell_biceps_curl": ("Bicep Curl (Dumbbell)",),
    "barbell_curl": ("Bicep Curl (Barbell)",),
    "neutral_grip_cable_row": ("Seated Row (Cable)", "Seated Cable Row - V Grip (Cable)"),
    "triceps_pushdown": ("Triceps Pushdown (Cable - Straight Bar)", "Triceps Pushdown"),
    "dumbbell_lateral_raise": ("Lateral Raise (Dumbbell)",),
    "single_arm_cable_lateral_raise": ("Single Arm Lateral Raise (Cable)",),
    "machine_shoulder_press": ("Shoulder Press (Machine)", "Shoulder Press (Machine Plates)"),
    "machine_incline_bench_press": ("Incline Chest Press (Machine)",),
}


def _catalog_keys(entry: exercises.Exercise) -> dict[str, str]:
    """key -> kind for one catalog entry; a key keeps its most specific kind."""
    keys: dict[str, str] = {}
    for kind, words in (
        ("name", (entry.name,)),
        ("alias", (*entry.aliases, *APP_NAMES.get(entry.id, ()))),
        ("id", (entry.id,)),
        ("family", (entry.family, *exercises.FAMILIES.get(entry.family, ()))),
    ):
        for word in words:
            key = exercises.normalize_name(word)
            if key:
                keys.setdefault(key, kind)
    return keys


def sync_catalog(session: Session) -> None:
    """Insert or update every catalog exercise and its keys, and the default athlete.

    Idempotent; run by ``journal.db.migrate``. Custom exercises are left as they are.
    """
    existing = {e.id: e for e in session.scalars(select(Exercise).where(~Exercise.is_custom))}
    have_keys = {
        (a.exercise_id, a.key): a
        for a in session.scalars(select(ExerciseAlias).where(
            ExerciseAlias.exercise_id.in_([e.id for e in exercises.CATALOG])))
    }
    for entry in exercises.CATALOG:
        row = existing.get(entry.id)
        if row is None:
            session.add(Exercise(id=entry.id, name=entry.name, family=entry.family,
                                 is_custom=False))
        else:
            row.name, row.family = entry.name, entry.family
        for key, kind in _catalog_keys(entry).items():
            alias = have_keys.get((entry.id, key))
            if alias is None:
                session.add(ExerciseAlias(exercise_id=entry.id, key=key, kind=kind))
            else:
                alias.kind = kind
    session.flush()
    default_athlete(session)


def default_athlete(session: Session) -> Athlete:
    """The athlete a single user is (created on first need)."""
    return athlete_named(session, DEFAULT_ATHLETE)


#: Longest name a new athlete (lifter) may get: it fits the app's sidebar and a link.
MAX_ATHLETE_CHARS = 80


def check_athlete_name(name: str) -> str:
    """A new athlete's name, stripped; ``ValueError`` saying what is wrong when it is blank or
    longer than ``MAX_ATHLETE_CHARS``."""
    clean = name.strip()
    if not clean:
        raise ValueError("the name is empty")
    if len(clean) > MAX_ATHLETE_CHARS:
        raise ValueError(f"a name has at most {MAX_ATHLETE_CHARS} characters, "
                         f"this one has {len(clean)}")
    return clean


def athlete_named(session: Session, name: str) -> Athlete:
    """The athlete with this name, created when new; ``ValueError`` for a blank name, or a new
    one longer than ``MAX_ATHLETE_CHARS``."""
    clean = name.strip()
    athlete = session.scalar(select(Athlete).where(Athlete.name == clean)) if clean else None
    if athlete is None:
        clean = check_athlete_name(clean)  # an older, longer name is still found above
        try:
            with session.begin_nested():
                athlete = Athlete(name=clean)
                session.add(athlete)
                session.flush()
        except IntegrityError:
            # Another writer added them since we looked (PostgreSQL; SQLite writers queue).
            athlete = session.scalar(select(Athlete).where(Athlete.name == clean))
            if athlete is None:
                raise
    return athlete


def find_exercise_id(session: Session, text: str) -> str | None:
    """The exercise a typed or imported name denotes, or None.

    An existing id is taken as is; otherwise the normalised name must equal a name, alias or id
    key of exactly one exercise ("Pull ups" -> pull_up). Family words alone ("row") name
    several exercises and resolve to None. Equipment in brackets, as Strong and Hevy write it
    ("Bench Press (Barbell)"), is also tried in front ("barbell bench press").
    """
    if session.get(Exercise, text) is not None:
        return text
    for candidate in _name_variants(text):
        key = exercises.normalize_name(candidate)
        if not key:
            continue
        rows = list(session.execute(
            select(ExerciseAlias.exercise_id, ExerciseAlias.kind, Exercise.is_custom)
            .join(Exercise)
            .where(ExerciseAlias.key == key, ExerciseAlias.kind.in_(NAMING_KINDS))
        ))
        if not rows:
            continue
        # Prefer the catalog's own name, then its aliases; catalog before custom.
        rows.sort(key=lambda r: (r.is_custom, NAMING_KINDS.index(r.kind), r.exercise_id))
        best = [r for r in rows if (r.is_custom, r.kind) == (rows[0].is_custom, rows[0].kind)]
        if len({r.exercise_id for r in best}) == 1:
            return str(best[0].exercise_id)
    return None


def _name_variants(text: str) -> list[str]:
    variants = [text]
    stripped = text.strip()
    if stripped.endswith(")") and "(" in stripped:
        base, _, equipment = stripped[:-1].rpartition("(")
        variants += [f"{equipment} {base}", base]
    return variants


def resolve_exercise(session: Session, text: str, *, create: bool = True) -> str:
    """The exercise id for a typed or imported name, adding a custom exercise when unknown.

    ``ValueError`` for a blank name, or (``create=False``) for a name that matches nothing.
    """
    if not text.strip():
        raise ValueError("exercise name is empty")
    found = find_exercise_id(session, text)
    if found is not None:
        return found
    if not create:
        raise ValueError(f"no exercise called {text!r} in the journal")
    return add_custom_exercise(session, text)


#: Longest name a user may give their own exercise (it is shown in tables and plot labels).
MAX_NAME_CHARS = 80


def name_exercise(session: Session, name: str, family: str = "other") -> tuple[str, bool]:
    """The exercise a user names in the app: the one it already denotes (catalog or their own),
    else a new exercise of theirs in ``family``. Returns (id, created).

    ``ValueError`` for a blank or over-long name, or a family the catalog lacks.
    """
    clean = " ".join(name.split())
    if not clean:
        raise ValueError("the exercise needs a name")
    if len(clean) > MAX_NAME_CHARS:
        raise ValueError(f"an exercise name has at most {MAX_NAME_CHARS} characters, "
                         f"this one has {len(clean)}")
    if family != "other" and family not in exercises.FAMILIES:
        raise ValueError(f"no movement family called {family!r}")
    found = find_exercise_id(session, clean)
    if found is not None:
        return found, False
    return _add_custom(session, clean, family)


def custom_exercise_id(name: str) -> tuple[str, str]:
    """(id, display name) of the custom exercise ``add_custom_exercise`` makes of ``name``."""
    clean = " ".join(name.split())
    key = exercises.normalize_name(clean)
    # Names with no letters or digits still need a stable id.
    suffix = key or "x" + hashlib.sha256(clean.encode()).hexdigest()[:12]
    return f"{CUSTOM_PREFIX}{suffix}"[:120], clean or name


def new_custom_names(session: Session, names: Iterable[str]) -> list[str]:
    """The display names of the custom exercises that resolving ``names`` in this order would
    add (``resolve_exercise``), found without adding them: a name matching nothing adds one,
    unless a custom exercise added by an earlier name already answers to it."""
    added: dict[str, str] = {}  # id → display name
    added_keys: set[str] = set()
    for name in dict.fromkeys(names):  # each name once: a name resolves alike every time
        if not name.strip() or find_exercise_id(session, name) is not None:
            continue
        # What find_exercise_id would find once the earlier names' exercises were added.
        keys = [exercises.normalize_name(variant) for variant in _name_variants(name)]
        exercise_id, display = custom_exercise_id(name)
        if exercise_id in added or any(key and key in added_keys for key in keys):
            continue
        added[exercise_id] = display
        added_keys.add(exercises.normalize_name(display))
    return list(added.values())


def add_custom_exercise(session: Session, name: str, family: str = "other") -> str:
    """Add (or find) the custom exercise with this display name; returns its id."""
    return _add_custom(session, name, family)[0]


def _add_custom(session: Session, name: str, family: str) -> tuple[str, bool]:
    """``add_custom_exercise``, and whether this call added it (False: it was there, or another
    writer added it meanwhile)."""
    exercise_id, clean = custom_exercise_id(name)
    key = exercises.normalize_name(clean)
    if session.get(Exercise, exercise_id) is not None:
        return exercise_id, False
    try:
        with session.begin_nested():
            session.add(Exercise(id=exercise_id, name=clean, family=family, is_custom=True))
            session.flush()
            if key:
                session.add(ExerciseAlias(exercise_id=exercise_id, key=key, kind="name"))
            family_key = exercises.normalize_name(family)
            if family_key and family_key != key:
                session.add(ExerciseAlias(exercise_id=exercise_id, key=family_key,
                                          kind="family"))
            session.flush()
    except IntegrityError:
        # Another writer added it since we looked (PostgreSQL; SQLite writers queue).
        if session.get(Exercise, exercise_id) is None:
            raise
        return exercise_id, False
    return exercise_id, True
