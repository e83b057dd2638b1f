"""Importer speed and memory: one hour at 100 Hz in the applewatch-gym layout, read and resampled.

Protocol: 360,000 rows built by concatenating real applewatch-gym sets (empty rows dropped, times
made continuous, all 19 columns kept, the three m/s² files left out) written to a temporary .csv.
Speed is the best of 5 runs of ``read_recording`` over the best of 5 runs of a bare
``pandas.read_csv`` of the same file, interleaved in the same process (warm page cache); the best
run is the one least disturbed by other processes on a shared machine (the ratio of the medians
is printed too). Memory is
the peak resident set size (VmHWM from /proc/self/status) of a fresh Python subprocess that
imports the importer and reads the file once, and the same figure minus the peak after the imports.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

import appconfig
from benchmarks import Figure

ROWS = 360_000
RUNS = 5
RATE_HZ = 100.0
_MS2_FILES = ("040125_SAOCTE_W11_S2_R10", "100125_IDBC_W7_5_S2_R12", "291124_SACLR_W4_5_S2_R15")

# VmHWM (the kernel's peak resident set of this process image) rather than ru_maxrss, which
# after fork + exec can still report the parent's peak.
_MEMORY_PROBE = """
import sys
def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
from ml.recordings import read_recording
base = peak_mb()
recording = read_recording(sys.argv[1])
print(base, peak_mb(), recording.n_samples)
"""


def build_hour(path: Path, datasets_dir: Path | None = None) -> int:
    """Write ``ROWS`` rows of real sets, back to back, in the applewatch-gym layout."""
    folder = (datasets_dir or appconfig.DATASETS_DIR) / "applewatch-gym"
    parts: list[pd.DataFrame] = []
    total = 0
    files = sorted(p for p in folder.glob("*.csv.gz") if not p.name.startswith(_MS2_FILES))
    if not files:
        raise FileNotFoundError(f"no applewatch-gym sets at {folder} (set WRIST_DATASETS_DIR)")
    while total < ROWS:
        for source in files:
            frame = pd.read_csv(source).dropna(subset=["wristMotion_rotationRateX"])
            parts.append(frame)
            total += len(frame)
            if total >= ROWS:
                break
    hour = pd.concat(parts, ignore_index=True).iloc[:ROWS]
    hour["secondsElapsed"] = np.round(np.arange(ROWS) / RATE_HZ, 2)
    hour.to_csv(path, index=False)
    return len(hour)


def run() -> Iterator[Figure]:
    from ml.recordings import read_recording

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hour-applewatch-gym.csv"
        rows = build_hour(path)
        size_mb = path.stat().st_size / 1024 / 1024
        bare: list[float] = []
        ours: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            pd.read_csv(path)
            bare.append(time.perf_counter() - start)
            start = time.perf_counter()
            recording = read_recording(path)
            ours.append(time.perf_counter() - start)
        protocol = (f"{rows:,} rows at 100 Hz ({size_mb:.0f} MB .csv, 19 columns) of real "
                    f"applewatch-gym sets -> {recording.n_samples:,} samples at 50 Hz; best of "
                    f"{RUNS} interleaved runs, same process, warm cache")
        yield Figure("import_time_s", min(ours), "s", protocol)
        yield Figure("bare_pandas_read_csv_time_s", min(bare), "s", protocol)
        yield Figure("import_time_ratio_to_read_csv", min(ours) / min(bare), "x (target <= 1.5)",
                     protocol)
        yield Figure("import_time_ratio_to_read_csv_medians",
                     statistics.median(ours) / statistics.median(bare), "x",
                     protocol.replace("best of", "medians of"))
        probe = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, str(path)], capture_output=True, text=True,
            check=True, cwd=appconfig.REPO_ROOT,
        )
        base_mb, peak_mb, _ = (float(v) for v in probe.stdout.split())
        memory_protocol = (f"peak RSS (VmHWM) of a fresh subprocess reading the {size_mb:.0f} MB "
                           f"hour once; imports alone took {base_mb:.0f} MB")
        yield Figure("import_peak_rss_mb", peak_mb, "MB (target <= 400)", memory_protocol)
        yield Figure("import_peak_rss_above_imports_mb", peak_mb - base_mb, "MB", memory_protocol)


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
