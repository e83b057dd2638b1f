"""Import: any supported watch or phone motion export → one canonical 50 Hz ``Recording``.

``read_recording`` is the one entry point. The layers below it: ``recordings_io`` (uploads, size
limit, .gz/.zip), ``recordings_csv`` (one CSV → columns, via the column vocabulary in ``formats``,
times in ``recordings_time``, canonical units in ``recordings_table``), ``recordings_files``
(which files form the recording), ``resample`` (cleaning, anti-aliasing, gaps). Here the chosen
streams are cleaned, aligned on the time they share and resampled together.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np

from ml import formats as fm
from ml import resample as rs
from ml.recordings_errors import RecordingError
from ml.recordings_files import (
    Part,
    choose,
    read_tables,
    sensor_files,
    short_name,
    split_archive,
)
from ml.recordings_io import Source, Upload, archive_files, read_uploads, sha256_of
from ml.recordings_table import SensorTable

__all__ = ["CANONICAL_RATE_HZ", "Part", "Recording", "RecordingError", "Source",
           "local_start_from_clock", "read_recording", "recordings_in", "samples_between",
           "sensor_files_in"]

#: Every recording comes out at this rate, whatever the source.
CANONICAL_RATE_HZ = 50.0


@dataclass(frozen=True, eq=False)
class Recording:
    """A motion recording resampled to ``CANONICAL_RATE_HZ``.

    Attributes
    ----------
    gyro : ndarray, shape (n_samples, 3), float32
        Angular velocity in rad/s, device axes x, y, z.
    accel : ndarray, shape (n_samples, 3), float32, or None
        Total acceleration (gravity included) in g, in the specific-force convention
        (a device lying still reads about +1 g "up"). None when the source had no accelerometer.
    gravity : ndarray, shape (n_samples, 3), float32, or None
        The gravity vector in g where the source separates it (Apple Watch, Sensor Logger), in
        the same specific-force convention as ``accel`` (it points "up": CoreMotion's
        down-pointing gravity is negated); None where the source only gives total acceleration
        (``units["accel_kind"] == "total"``).
    sample_rate_hz : float
        Always ``CANONICAL_RATE_HZ``.
    source_format : str
        Detected format ("applewatch-gym", "sensor-logger-watch", "sensor-logger-phone",
        "metamotion", "phyphox", "generic-csv").
    original_rate_hz : float
        The median sampling rate of the source (of the gyroscope where sensors differ).
    units : dict[str, str]
        Units found in the source, e.g. {"gyro": "deg/s", "accel": "g", "time": "ms (Unix
        time)", "accel_kind": "total"}.
    start_time : datetime or None
        Absolute, timezone-aware start of the first sample when the file carries one (Unix or
        ISO times; MetaBase's "time (01:00)" header gives the zone). Files with relative times
        whose name holds a wall-clock time ("…-2024-12-01_07-36-28.csv.gz") start then; the
        name's zone is unknown and taken as this machine's, so the clock reads as in the name.
    local_start : datetime or None
        Naive: the start on the wearer's own clock, where the file says it: a local time with
        its offset (MetaBase's "time (01:00)", ISO times with an offset), a clock in the file
        name (with relative times, or with Unix times it fixes the offset of); None otherwise
        (then only ``start_time``'s moment is known, not the wearer's zone).
    recorded_on : date or None
        The day a file name gives without a time of day ("session-2024-12-01.csv") when nothing
        gives ``start_time``; None otherwise.
    file_names : tuple[str, ...]
        Original names of the file(s) this recording was read from.
    sha256 : str
        SHA-256 of the uploaded bytes (files in name order), the journal's de-duplication key.
    warnings : tuple[str, ...]
        What a user should know (units guessed, gaps, reordered rows...).
    gaps_s : tuple[tuple[float, float], ...]
        (start, end) in seconds of spans longer than 1 s with no data; held, not interpolated.
    """

    gyro: np.ndarray
    accel: np.ndarray | None
    gravity: np.ndarray | None
    source_format: str
    original_rate_hz: float
    units: dict[str, str] = field(default_factory=dict)
    start_time: datetime | None = None
    local_start: datetime | None = None
    recorded_on: date | None = None
    file_names: tuple[str, ...] = ()
    sha256: str = ""
    warnings: tuple[str, ...] = ()
    gaps_s: tuple[tuple[float, float], ...] = ()
    sample_rate_hz: float = CANONICAL_RATE_HZ

    @property
    def n_samples(self) -> int:
        return int(self.gyro.shape[0])

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate_hz

    @property
    def times_s(self) -> np.ndarray:
        """Sample times in seconds from the start, shape (n_samples,)."""
        return np.arange(self.n_samples, dtype=np.float64) / self.sample_rate_hz


#: Above these (rad/s, g) a value cannot be a wrist's motion: watch gyroscopes saturate near
#: 35 rad/s and accelerometers at 16-32 g.
_PLAUSIBLE_MAX = {fm.GYRO: 200.0, fm.ACCEL: 100.0, fm.GRAVITY: 100.0, fm.USER_ACCEL: 100.0}
_FILE_NAME_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[_T ](\d{2})[-.:](\d{2})[-.:](\d{2})")
_FILE_NAME_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
#: How far a file name's clock may be from the first sample it names (sensors start late).
_NAME_START_TOLERANCE = timedelta(minutes=3)


def samples_between(start_s: float, end_s: float) -> int:
    """How many samples a recording whose sensors all cover ``start_s``..``end_s`` (seconds) is
    given at ``CANONICAL_RATE_HZ``: the grid from ``start_s``, up to ``end_s``.

    A grid point within a thousandth of a sample (20 µs) of ``end_s`` counts: Unix times read as
    float64 seconds are only 2.4e-7 s apart, so a span of exactly n samples can read a hair
    short, and its last sample was lost about half the time.
    """
    return int(np.floor((end_s - start_s) * CANONICAL_RATE_HZ + 1e-3)) + 1


def _clock(since_start: float, start: datetime | None) -> str:
    if start is None:
        return f"{since_start:.1f} s"
    return (start + timedelta(seconds=since_start)).strftime("%H:%M:%S")


def _start_from_name(names: list[str]) -> datetime | None:
    """Naive wall-clock start in a file name ("…-2024-12-01_07-36-28.csv.gz"): a watch names
    its files by its wearer's local clock, and the name carries no zone."""
    for name in names:
        match = _FILE_NAME_TIME.search(short_name(name))
        if match:
            try:
                year, month, day, hour, minute, second = (int(g) for g in match.groups())
                return datetime(year, month, day, hour, minute, second)
            except ValueError:
                continue
    return None


def local_start_from_clock(start: datetime, named: datetime | None) -> datetime | None:
    """The wearer's local start of a recording that starts at the moment ``start``, from a
    naive wall-clock time said to be its start (the clock in Sensor Logger's file names, the
    date-time of the journal's session): the two differ by the wearer's UTC offset, to the
    quarter hour; None unless they are that close to a real offset (the clock may be an export
    time, or a date-time the user picked, not the start)."""
    if named is None:
        return None
    offset = named - start.astimezone(UTC).replace(tzinfo=None)
    quarter = timedelta(minutes=15)
    zone = round(offset / quarter) * quarter
    if zone == timedelta(0) or abs(zone) > timedelta(hours=14) or \
            abs(offset - zone) > _NAME_START_TOLERANCE:
        return None  # a zero offset is UTC's clock, not a sign of the wearer's
    return (start.astimezone(UTC) + zone).replace(tzinfo=None)


def _day_from_name(names: list[str]) -> date | None:
    """The day in a file name without a time of day ("session-2024-12-01.csv")."""
    for name in names:
        for match in _FILE_NAME_DAY.finditer(short_name(name)):
            try:
                year, month, day = (int(g) for g in match.groups())
                return date(year, month, day)
            except ValueError:
                continue
    return None


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass
class _Streams:
    series: dict[str, rs.Series] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _clean_streams(main: SensorTable, sources: dict[str, SensorTable]) -> _Streams:
    out = _Streams()
    tables = {id(main): main, **{id(t): t for t in sources.values()}}
    # Files of one export share its clock (Unix or seconds since the start of the export);
    # only a mix of the two has to be lined up at the first samples.
    mixed = len({t.epoch for t in tables.values()}) > 1
    if mixed:
        out.warnings.append("the files do not share a clock: aligned at their first samples")
    items = [(fm.GYRO, main, main.streams[fm.GYRO])]
    gravity_table = sources.get(fm.GRAVITY)
    if gravity_table is not None and gravity_table is sources.get(fm.USER_ACCEL):
        # One time base: add before resampling (one low-pass fewer, same result).
        streams = gravity_table.streams
        items.append((fm.ACCEL, gravity_table, streams[fm.GRAVITY] + streams[fm.USER_ACCEL]))
        items.append((fm.GRAVITY, gravity_table, streams[fm.GRAVITY]))
    else:
        items.extend((kind, table, table.streams[kind]) for kind, table in sources.items())
    # A frozen watch freezes all sensors of a file at once: one warning names them together.
    frozen: dict[tuple[str, tuple[float, float]], list[str]] = {}
    for kind, table, samples in items:
        t = table.time_s - table.time_s[0] if mixed else table.time_s
        what = f"{fm.SENSOR_WORDS[kind]} ({short_name(table.file_name)})"
        series = rs.clean(t, samples, what, table.first_line)
        if series.frozen is not None:
            span = (round(series.frozen[0], 1), round(series.frozen[1], 1))
            frozen.setdefault((short_name(table.file_name), span), []).append(
                fm.SENSOR_WORDS[kind])
        peak = float(np.abs(series.values).max())
        if peak > _PLAUSIBLE_MAX[kind]:
            unit = "rad/s" if kind == fm.GYRO else "g"
            raise RecordingError(
                f"the {what} reaches {peak:.3g} {unit}, far beyond any wrist motion: check "
                "the export (units, column names)"
            )
        out.series[kind] = series
        out.warnings.extend(series.warnings)
    out.warnings.extend(rs.frozen_warning(sensors, file_name, span)
                        for (file_name, span), sensors in frozen.items())
    accel = out.series.get(fm.ACCEL)
    if accel is not None and float(np.median(np.linalg.norm(accel.values, axis=1))) < 0.5:
        # Gravity-free acceleration (a phone's "Accelerometer.csv") is not a total.
        del out.series[fm.ACCEL]
        if fm.GRAVITY in out.series and fm.USER_ACCEL not in out.series:
            out.series[fm.USER_ACCEL] = accel
        else:
            out.warnings.append(
                f"{short_name(sources[fm.ACCEL].file_name)} holds acceleration without gravity and "
                "no gravity file came with it: only the gyroscope is used"
            )
    if fm.USER_ACCEL in out.series and fm.GRAVITY not in out.series:
        del out.series[fm.USER_ACCEL]
    return out


def _assemble(tables: list[SensorTable], uploads: list[Upload]) -> Recording:
    main, sources, ignored = choose(tables)
    streams = _clean_streams(main, sources)
    warnings = [f"{short_name(t.file_name)}: {w}" for t in {id(t): t for t in
                [main, *sources.values()]}.values() for w in t.warnings]
    warnings.extend(streams.warnings)
    if ignored:
        warnings.append(f"not used: {', '.join(ignored)}")
    series = streams.series
    start = max(s.t[0] for s in series.values())
    end = min(s.t[-1] for s in series.values())
    names = ", ".join(u.name for u in uploads)
    if end - start < 2.0:
        longest = max(s.t[-1] - s.t[0] for s in series.values())
        if longest >= 2.0:
            raise RecordingError(f"{names}: the sensors' files do not overlap in time")
        raise RecordingError(f"{names}: only {max(end - start, 0):.1f} s of data; at least 2 s "
                             "are needed")
    if max(s.t[0] for s in series.values()) - min(s.t[0] for s in series.values()) > 1.0 or \
            max(s.t[-1] for s in series.values()) - min(s.t[-1] for s in series.values()) > 1.0:
        warnings.append(f"the sensors started or stopped at different moments: kept the "
                        f"{end - start:.1f} s they all cover")
    grid = start + np.arange(samples_between(start, end)) / CANONICAL_RATE_HZ
    values = {kind: rs.resample(s, grid, CANONICAL_RATE_HZ) for kind, s in series.items()}
    accel = values.get(fm.ACCEL)
    if accel is None and fm.GRAVITY in values and fm.USER_ACCEL in values:
        accel = values[fm.GRAVITY] + values[fm.USER_ACCEL]
    epoch = main.epoch and all(t.epoch for t in sources.values())
    zone = main.tz if isinstance(main.tz, timezone) else None
    names_given = [main.file_name, *(u.name for u in uploads)]  # where a start may be named
    named = _start_from_name(names_given)
    start_time: datetime | None
    local_start: datetime | None
    if epoch:
        moment = datetime.fromtimestamp(start, tz=zone or UTC)
        start_time = moment
        local_start = moment.replace(tzinfo=None) if zone else local_start_from_clock(moment, named)
    else:
        local_start = None if named is None else named + timedelta(seconds=start)
        # The moment needs a zone the name lacks: this machine's, so its clock reads the name's.
        start_time = None if local_start is None else local_start.astimezone()
    gaps = _merge([(max(a, start), min(b, end)) for s in series.values() for a, b in rs.gaps(s.t)
                   if b > start and a < end])
    for a, b in gaps:
        warnings.append(f"gap of {b - a:.1f} s at {_clock(a - start, local_start or start_time)} "
                        "not interpolated (last values held)")
    units = dict(main.units)
    accel_table = sources.get(fm.ACCEL) or sources.get(fm.GRAVITY)
    if accel is not None and accel_table is not None:
        units.update({k: v for k, v in accel_table.units.items() if k != "time"})
        units["accel_kind"] = "gravity + user acceleration" if fm.GRAVITY in series else "total"
    elif accel is None:
        for key in ("accel", "accel_kind", "gravity_convention"):
            units.pop(key, None)
    return Recording(
        gyro=values[fm.GYRO],
        accel=accel,
        gravity=values.get(fm.GRAVITY) if accel is not None else None,
        source_format=main.source_format,
        original_rate_hz=round(series[fm.GYRO].rate_hz, 3),
        units=units,
        start_time=start_time,
        local_start=local_start,
        recorded_on=None if start_time else _day_from_name(names_given),
        file_names=tuple(u.name for u in uploads),
        warnings=tuple(dict.fromkeys(warnings)),
        gaps_s=tuple((a - start, b - start) for a, b in gaps),
    )


def read_recording(source: Source | Sequence[Source], name: str | None = None, *,
                   inside: Sequence[str] = ()) -> Recording:
    """Read one recording from a file, a file object, or the several files that form it.

    Parameters
    ----------
    source : path, binary file object, bytes, or a sequence of these
        One export (.csv, .csv.gz or .zip), or the files of one recording (MetaMotion's
        gyroscope and accelerometer files). The format is detected from header and file name.
    name : str, optional
        The original file name of a single file object (Streamlit's uploader gives it).
    inside : sequence of str, optional
        With one archive as ``source``: the files of one of its recordings (``Part.files`` from
        ``recordings_in``), read as if uploaded on their own (a zip of several recordings is
        refused without it).

    Raises
    ------
    RecordingError
        With a message naming what is wrong and where; nothing is returned half-read.
    """
    uploads = read_uploads(source, name)
    if inside:
        if len(uploads) != 1:
            raise ValueError("inside= reads the files of one archive: give that archive alone")
        uploads = archive_files(uploads[0], inside)
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(sha256_of, uploads)  # hashlib releases the GIL: hash while parsing
        recording = _assemble(read_tables(uploads), uploads)
        sha256 = digest.result()
    return dataclasses.replace(recording, sha256=sha256)


def recordings_in(source: Source, name: str | None = None) -> list[Part]:
    """The recordings in an archive of several (a week of exports, two MetaMotion pairs), each
    to be read with ``read_recording(source, name, inside=part.files)``; [] when the upload is
    one recording, to be read with ``read_recording(source, name)``.

    Raises
    ------
    RecordingError
        When the upload cannot be opened (over the size limit, a damaged or oversized zip).
    """
    (upload,) = read_uploads(source, name)
    return split_archive(upload)


def sensor_files_in(source: Source, name: str | None = None) -> list[str]:
    """The files of an archive upload that hold sensor columns, by their full names ("week.zip/
    monday.csv"); [] for a plain file. An archive without any (a zip of a Strong export alone)
    holds no recording.

    Raises
    ------
    RecordingError
        When the upload cannot be opened (over the size limit, a damaged or oversized zip).
    """
    (upload,) = read_uploads(source, name)
    return sensor_files(upload)
