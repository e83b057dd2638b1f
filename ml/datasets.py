"""The shared real datasets as labelled sets: labels from file names and columns, cached loading.

``applewatch_sets()`` and ``barbell_sets()`` list one ``LabelledSet`` per recorded set (read from
``appconfig.DATASETS_DIR``); ``load(labelled_set)`` reads it through ``read_recording`` once and
caches the result. Barbell rep counts are the planned ones (heavy 5, medium 10): approximate.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

import appconfig
from journal import exercises
from ml.recordings import Recording, read_recording

log = logging.getLogger(__name__)

APPLEWATCH = "applewatch-gym"
BARBELL = "barbell-metamotion"
#: The one person of applewatch-gym (barbell participants are "A" to "D").
APPLEWATCH_PARTICIPANT = "AW"
#: Planned repetitions of a barbell set by category; the dataset has no counted reps.
BARBELL_PLANNED_REPS = {"heavy": 5, "medium": 10}
#: Gyroscope and accelerometer files of one barbell recording start at most this far apart.
PAIR_TOLERANCE_S = 5.0

_APPLEWATCH_NAME = re.compile(
    r"^(?P<day>\d{6})_(?P<code>[A-Z0-9]+)_W(?P<weight>\d+(?:_\d+)?)_S(?P<set>\d+)_R?(?P<reps>\d+)"
    r"-(?P<start>\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})\.csv(?:\.gz)?$"
)
_BARBELL_NAME = re.compile(
    r"^(?P<who>[A-Z])-(?P<lift>[a-z]+)-(?P<kind>heavy|medium|sitting|standing)(?P<n>\d*)"
    r"(?:-rpe(?P<rpe>\d+))?_MetaWear_(?P<start>\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}\.\d{3})"
    r"_(?P<device>[0-9A-F]+)_(?P<sensor>Gyroscope|Accelerometer)_[\d.]+Hz_[\d.]+\.csv$"
)


class DatasetNotFoundError(FileNotFoundError):
    """A shared dataset folder is missing; the message says where it was looked for."""


@dataclass(frozen=True)
class LabelledSet:
    """One recorded set of a shared dataset with its labels.

    ``label`` is the dataset's own code ("APULL", "bench", "rest"); ``exercise_id`` the catalog id.
    ``reps`` is None for rest; ``reps_exact`` is False where the count is the planned one.
    """

    dataset: str
    paths: tuple[Path, ...]
    label: str
    exercise_id: str
    reps: int | None
    reps_exact: bool
    weight_kg: float | None
    day: date
    participant: str
    set_number: int | None
    name: str

    @property
    def group(self) -> str:
        """What evaluations hold out together: the recording day (applewatch-gym, one person) or
        the participant (barbell-metamotion)."""
        return self.day.isoformat() if self.dataset == APPLEWATCH else self.participant


def start_key(name: str) -> str:
    """Sort key of a set name by when it was recorded (both datasets' names end in the start
    date and time, e.g. ``..._R10-2024-12-26_15-47-27``); the name itself when it has none."""
    match = re.search(r"\d{4}-\d{2}-\d{2}.*$", name)
    return match.group() if match else name


def _folder(dataset: str, root: Path | None) -> Path:
    folder = (root or appconfig.DATASETS_DIR) / dataset
    if not folder.is_dir():
        raise DatasetNotFoundError(
            f"the {dataset} recordings are not at {folder}; put the shared datasets there or "
            "set WRIST_DATASETS_DIR"
        )
    return folder


def _applewatch_reps_column(path: Path) -> int | None:
    """The ``reps`` label column of the first row; None where the file leaves it empty."""
    value = pd.read_csv(path, usecols=["reps"], nrows=1)["reps"].iloc[0]
    return None if pd.isna(value) else int(float(value))


@functools.cache
def _applewatch_sets(folder: Path) -> tuple[LabelledSet, ...]:
    sets = []
    for path in sorted(folder.glob("*.csv.gz")):
        match = _APPLEWATCH_NAME.match(path.name)
        if not match:
            log.warning("applewatch-gym: file name not understood, skipped: %s", path.name)
            continue
        # Three files leave the column empty and carry the count in the name ("_S2_12-").
        reps = _applewatch_reps_column(path)
        if reps is None:
            reps = int(match["reps"])
        code = match["code"]
        sets.append(LabelledSet(
            dataset=APPLEWATCH,
            paths=(path,),
            label=code,
            exercise_id=exercises.from_dataset_label(APPLEWATCH, code).id,
            reps=reps,
            reps_exact=True,
            weight_kg=float(match["weight"].replace("_", ".")),
            day=datetime.strptime(match["day"], "%d%m%y").date(),
            participant=APPLEWATCH_PARTICIPANT,
            set_number=int(match["set"]),
            name=path.name.removesuffix(".gz").removesuffix(".csv"),
        ))
    return tuple(sets)


def applewatch_sets(root: Path | None = None) -> list[LabelledSet]:
    """Every applewatch-gym set (one per file), in file-name order."""
    return list(_applewatch_sets(_folder(APPLEWATCH, root)))


def _start(match: re.Match[str]) -> datetime:
    return datetime.strptime(match["start"], "%Y-%m-%dT%H.%M.%S.%f")


@functools.cache
def _barbell_pairs(folder: Path) -> tuple[tuple[LabelledSet, ...], tuple[Path, ...]]:
    """Pair each gyroscope file with the accelerometer file of the same participant, lift and
    set whose start time is nearest (within ``PAIR_TOLERANCE_S``); return the unpaired too."""
    by_key: dict[tuple[str, ...], dict[str, list[tuple[re.Match[str], Path]]]] = defaultdict(
        lambda: {"Gyroscope": [], "Accelerometer": []}
    )
    unpaired: list[Path] = []
    for path in sorted(folder.glob("*.csv")):
        match = _BARBELL_NAME.match(path.name)
        if not match:
            unpaired.append(path)
            continue
        key = (match["who"], match["lift"], match["kind"], match["n"], match["rpe"] or "")
        by_key[key][match["sensor"]].append((match, path))
    sets = []
    for files in by_key.values():
        accels = list(files["Accelerometer"])
        for gyro_match, gyro_path in files["Gyroscope"]:
            gyro_start = _start(gyro_match)
            nearest = min(accels, default=None,
                          key=lambda item: abs((_start(item[0]) - gyro_start).total_seconds()))
            if nearest is None or \
                    abs((_start(nearest[0]) - gyro_start).total_seconds()) > PAIR_TOLERANCE_S:
                unpaired.append(gyro_path)
                continue
            accels.remove(nearest)
            sets.append(_barbell_set(gyro_match, gyro_path, nearest[1]))
        unpaired.extend(path for _, path in accels)
    for path in unpaired:
        log.warning("barbell-metamotion: no partner file, skipped: %s", path.name)
    sets.sort(key=lambda s: s.name)
    return tuple(sets), tuple(sorted(unpaired))


def _barbell_set(match: re.Match[str], gyro: Path, accel: Path) -> LabelledSet:
    lift, kind = match["lift"], match["kind"]
    label = "rest" if lift == "rest" else lift
    return LabelledSet(
        dataset=BARBELL,
        paths=(gyro, accel),
        label=label,
        exercise_id=exercises.from_dataset_label(BARBELL, label).id,
        reps=BARBELL_PLANNED_REPS.get(kind) if label != "rest" else None,
        reps_exact=False,
        weight_kg=None,
        day=_start(match).date(),
        participant=match["who"],
        set_number=int(match["n"]) if match["n"] else None,
        name=gyro.name.split("_MetaWear_")[0] + "_" + match["start"],
    )


def barbell_sets(root: Path | None = None) -> list[LabelledSet]:
    """Every barbell-metamotion recording (gyroscope + accelerometer pair), by name."""
    return list(_barbell_pairs(_folder(BARBELL, root))[0])


def barbell_unpaired(root: Path | None = None) -> list[Path]:
    """Barbell files that found no partner (or whose name is not understood); skipped."""
    return list(_barbell_pairs(_folder(BARBELL, root))[1])


@functools.cache
def _load(paths: tuple[Path, ...]) -> Recording:
    return read_recording(list(paths) if len(paths) > 1 else paths[0])


def load(labelled_set: LabelledSet) -> Recording:
    """The set's recording at 50 Hz (read once per process, then cached)."""
    return _load(labelled_set.paths)
