"""The shipped sample session: real applewatch-gym sets of one morning joined into one recording.

``python -m ml.sample_session`` rebuilds ``data/samples/`` from ``../shared/datasets``; the app
and ``python -m journal init --with-sample`` only read the built file (``SAMPLE_PATH``).
"""

from __future__ import annotations

import argparse
import gzip
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

import appconfig
from journal.store import SetEdit
from ml.analysis import SessionAnalysis

SAMPLES_DIR = appconfig.DATA_DIR / "samples"
SAMPLE_PATH = SAMPLES_DIR / "applewatch-gym-2024-12-01-session.csv.gz"
ATTRIBUTION_PATH = SAMPLES_DIR / "ATTRIBUTION.md"
#: The dataset's labels of the sample's sets and where they sit in it (the ground truth).
TRUTH_PATH = SAMPLES_DIR / "applewatch-gym-2024-12-01-session.sets.csv"
#: When the first set started (local time, from its file name; the CSV itself carries no clock).
SAMPLE_STARTED_AT = datetime(2024, 12, 1, 7, 36, 28)
SAMPLE_TITLE = "Sample: assisted pull-ups, cable row, curl"

#: The sets of 1 December 2024 that make the sample, in the order they were recorded.
SAMPLE_SET_FILES = (
    "011224_APULL_W61_S1_R12-2024-12-01_07-36-28.csv.gz",
    "011224_APULL_W63_5_S2_R12-2024-12-01_07-41-19.csv.gz",
    "011224_APULL_W66_S3_R10-2024-12-01_07-45-29.csv.gz",
    "011224_CGCR_W52_S2_12-2024-12-01_07-57-14.csv.gz",
    "011224_IDBC_W7_5_S2_R10-2024-12-01_08-11-04.csv.gz",
)
LABEL_COLUMNS = ("weight", "set", "reps", "activity", "activityEncoded")
TIME_COLUMN = "secondsElapsed"
SAMPLE_STEP_S = 0.01  # applewatch-gym is sampled at 100 Hz
MAX_SAMPLE_BYTES = 2_000_000


@dataclass(frozen=True)
class SampleSet:
    """Where one real set sits in the sample, with its dataset labels (the ground truth)."""

    source_file: str
    exercise_code: str
    weight_kg: float
    reps: int
    start_s: float
    end_s: float


def _labels_of(frame: pd.DataFrame, name: str) -> tuple[str, float, int]:
    """Exercise code, weight and reps of a set.

    The weight comes from the file name (``W63_5`` = 63.5 kg; the ``weight`` column drops the
    half kilo) and so do the reps where the ``reps`` column is empty (``..._S2_12-...``).
    """
    code = str(frame["activity"].dropna().iloc[0])
    weight = float(name.split("_W", 1)[1].split("_S", 1)[0].replace("_", "."))
    reps_column = frame["reps"].dropna()
    if len(reps_column):
        reps = int(reps_column.iloc[0])
    else:
        reps = int(name.split("-")[0].rsplit("_", 1)[1].lstrip("R"))
    return code, weight, reps


def build_sample(
    datasets_dir: Path = appconfig.DATASETS_DIR,
) -> tuple[pd.DataFrame, list[SampleSet]]:
    """Join the sample's sets back to back in the applewatch-gym layout, without label columns.

    Each set keeps its rows exactly; only the rows whose sensor columns are empty (the first
    rows of every file) are dropped and ``secondsElapsed`` continues from the previous set.

    Returns
    -------
    frame : DataFrame, shape (n_rows, 14)
        ``secondsElapsed`` and the 13 ``wristMotion_*`` columns.
    sets : list of SampleSet
        The true position and labels of every set.
    """
    folder = datasets_dir / "applewatch-gym"
    parts: list[pd.DataFrame] = []
    sets: list[SampleSet] = []
    next_start_s = 0.0
    for name in SAMPLE_SET_FILES:
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"sample set {name} not found in {folder}")
        raw = pd.read_csv(path)
        code, weight, reps = _labels_of(raw, name)
        signal = raw.drop(columns=list(LABEL_COLUMNS)).dropna()
        times = signal[TIME_COLUMN].to_numpy()
        signal[TIME_COLUMN] = (next_start_s + (times - times[0])).round(2)
        end_s = float(signal[TIME_COLUMN].iloc[-1])
        sets.append(SampleSet(name, code, weight, reps, next_start_s, end_s))
        parts.append(signal)
        next_start_s = round(end_s + SAMPLE_STEP_S, 2)
    return pd.concat(parts, ignore_index=True), sets


def attribution_text(sets: list[SampleSet]) -> str:
    """ATTRIBUTION.md shipped beside the sample: source, licence, files, how they were joined."""
    rows = "\n".join(
        f"| {s.source_file} | {s.exercise_code} | {s.weight_kg:g} | {s.reps} "
        f"| {s.start_s:.2f} | {s.end_s:.2f} |"
        for s in sets
    )
    return f"""# Sample session: attribution and how it was made

`{SAMPLE_PATH.name}` is real data from the **Gym Workout IMU Dataset** (Kaggle), recorded with
an Apple Watch SE on the left wrist by one person, published under the
**Creative Commons Attribution-ShareAlike 4.0** licence (CC BY-SA 4.0,
https://creativecommons.org/licenses/by-sa/4.0/). This derived file is shared under the same
licence.

## What was done to it
- Five sets recorded on 1 December 2024 between 07:36 and 08:15 (file names below) were joined
  back to back, in the order they were recorded, into one CSV in the dataset's own layout
  (`secondsElapsed` and the 13 `wristMotion_*` columns, 100 Hz).
- The label columns (`weight`, `set`, `reps`, `activity`, `activityEncoded`) were removed, and so
  were the first rows of each file, whose sensor columns are empty. Every other row is unchanged;
  `secondsElapsed` was shifted so that each set continues 0.01 s after the previous one.
- The weights below are read from the file names (`W63_5` = 63.5 kg); the removed `weight`
  column had them rounded down to whole kilograms.
- The "rest" between two sets is only the idle time recorded at the edges of each set file
  (a few seconds), not the real rest of that morning, which was not recorded.
- The shipped activity model was trained on applewatch-gym sets, these five included (see
  `training_data` in `data/models/activity.json`): on this sample the app shows how it works,
  not how accurate it is on a recording it has never seen.
- Rebuild it with `python -m ml.sample_session` (reads `../shared/datasets/applewatch-gym`).
- `{TRUTH_PATH.name}` lists the same sets as the table below, machine-readable.

## The sets in it (the dataset's labels: the ground truth to compare the app against)

| source file | exercise code | weight (kg) | reps | start (s) | end (s) |
|---|---|---|---|---|---|
{rows}

APULL is an assisted pull-up (weight = machine assistance), CGCR a close-grip cable row,
IDBC an incline dumbbell biceps curl.
"""


def sample_truth() -> list[SampleSet]:
    """The true sets of the shipped sample, read from ``TRUTH_PATH`` (no datasets needed)."""
    records = pd.read_csv(TRUTH_PATH).to_dict("records")
    return [
        SampleSet(
            source_file=str(r["source_file"]),
            exercise_code=str(r["exercise_code"]),
            weight_kg=float(r["weight_kg"]),
            reps=int(r["reps"]),
            start_s=float(r["start_s"]),
            end_s=float(r["end_s"]),
        )
        for r in records
    ]


def sample_weights(analysis: SessionAnalysis) -> dict[int, SetEdit]:
    """The weights the lifter logged, for the sets found in the sample (index into
    ``analysis.sets`` → edit): each found set takes the weight of the true set it overlaps
    most, as a user would type it; a found set over no true set gets none."""
    truth = sample_truth()
    weights: dict[int, SetEdit] = {}
    for index, found in enumerate(analysis.sets):
        overlaps = [min(found.end_s, t.end_s) - max(found.start_s, t.start_s) for t in truth]
        best = max(range(len(truth)), key=overlaps.__getitem__)
        if overlaps[best] > 0:
            weights[index] = {"weight_kg": truth[best].weight_kg}
    return weights


def write_sample(datasets_dir: Path = appconfig.DATASETS_DIR) -> Path:
    """Build the sample, its true sets and its attribution into ``data/samples`` (≤ 2 MB)."""
    frame, sets = build_sample(datasets_dir)
    payload = gzip.compress(frame.to_csv(index=False).encode("utf-8"), compresslevel=9, mtime=0)
    if len(payload) > MAX_SAMPLE_BYTES:
        raise ValueError(f"sample would be {len(payload):,} bytes, over {MAX_SAMPLE_BYTES:,}")
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    SAMPLE_PATH.write_bytes(payload)
    ATTRIBUTION_PATH.write_text(attribution_text(sets), encoding="utf-8")
    pd.DataFrame([asdict(s) for s in sets]).to_csv(TRUTH_PATH, index=False)
    return SAMPLE_PATH


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--datasets", type=Path, default=appconfig.DATASETS_DIR)
    args = parser.parse_args(argv)
    path = write_sample(args.datasets)
    print(
        f"wrote {path} ({path.stat().st_size:,} bytes), {TRUTH_PATH.name}, {ATTRIBUTION_PATH.name}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
