"""Pure Plotly figure builders: signal and sets in, ``plotly.graph_objects.Figure`` out.

Nothing here imports Streamlit, so every figure is tested on its own. Long signals are
downsampled for display with tsdownsample's MinMaxLTTB (it keeps the peaks reps are made of);
inside an optional ``detail_span`` every sample is kept, so zooming into a set shows it all.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from tsdownsample import MinMaxLTTBDownsampler

from journal import exercises
from ui.colors import exercise_color, translucent
from ui.text import plural

#: Points per trace for the whole-recording view; ~4 traces of this stay far below 2 MB.
DEFAULT_MAX_POINTS = 4000
#: Seconds of context kept at full detail on each side of a zoomed set.
DETAIL_MARGIN_S = 5.0

_WEEK_MS = 7 * 24 * 3600 * 1000
_AXIS_COLORS = ("#D65F5F", "#59A14F", "#4E79A7")
_MAGNITUDE_COLOR = "#222222"
_SIGNALS = {
    "gyro": (("gyro x", "gyro y", "gyro z"), "|gyro|", "angular velocity (rad/s)"),
    "accel": (("accel x", "accel y", "accel z"), "|accel|", "acceleration (g)"),
}


@dataclass(frozen=True)
class ChartSet:
    """One set as the charts draw it: its span, exercise (for the colour), label and rep times."""

    start_s: float
    end_s: float
    exercise_id: str
    label: str
    rep_times_s: tuple[float, ...] = ()
    #: The set's count where it is not the marks' (the user typed it); None: as marked.
    typed_reps: int | None = None


def set_label(exercise_name: str, reps: int, marked: int | None = None) -> str:
    """The label written over a set: "Assisted pull-up · 12 reps".

    ``marked``: the reps the counter marked, said where it differs from the count (the user
    typed another): "Assisted pull-up · 10 reps (7 marked)".
    """
    label = f"{exercise_name} · {plural(reps, 'rep')}"
    return label if marked is None or marked == reps else f"{label} ({marked} marked)"


def display_indices(
    times_s: np.ndarray,
    values: np.ndarray,
    max_points: int = DEFAULT_MAX_POINTS,
    detail_span: tuple[float, float] | None = None,
) -> np.ndarray:
    """Indices of the samples to draw: MinMaxLTTB over the whole signal, all samples in the span.

    Parameters
    ----------
    times_s : ndarray, shape (n_samples,)
        Increasing sample times.
    values : ndarray, shape (n_samples,)
        The series to keep the shape of.
    max_points : int
        Points for the whole signal (the detail span adds its own samples on top).
    detail_span : (start_s, end_s) or None
        Samples in this span (plus ``DETAIL_MARGIN_S`` either side) are all kept.

    Returns
    -------
    ndarray, shape (n_points,), int64
        Sorted, unique sample indices.
    """
    n_samples = len(times_s)
    if n_samples <= max_points:
        return np.arange(n_samples, dtype=np.int64)
    downsampler = MinMaxLTTBDownsampler()
    picked = downsampler.downsample(
        np.ascontiguousarray(times_s, dtype=np.float64),
        np.ascontiguousarray(values, dtype=np.float32),
        n_out=max_points,
    ).astype(np.int64)
    if detail_span is None:
        return picked
    first, last = np.searchsorted(
        times_s, (detail_span[0] - DETAIL_MARGIN_S, detail_span[1] + DETAIL_MARGIN_S)
    )
    return np.union1d(picked, np.arange(first, last, dtype=np.int64))


def motion_figure(
    times_s: np.ndarray,
    xyz: np.ndarray,
    sets: Sequence[ChartSet],
    *,
    kind: str = "gyro",
    detail_span: tuple[float, float] | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 520,
    range_slider: bool = True,
    numbers_only: bool = False,
    phone: bool = False,
) -> go.Figure:
    """The x, y, z channels and their magnitude, each set shaded and labelled, reps marked.

    Parameters
    ----------
    times_s : ndarray, shape (n_samples,)
        Sample times in seconds from the start of the recording.
    xyz : ndarray, shape (n_samples, 3)
        Gyroscope (rad/s, ``kind="gyro"``) or accelerometer (g, ``kind="accel"``).
    sets : sequence of ChartSet
        Drawn as shaded spans with a label (their numbers only where the labels would run into
        each other); their ``rep_times_s`` as markers on the magnitude.
    detail_span : (start_s, end_s) or None
        Zoom the x axis here and draw every sample inside it.
    range_slider : bool
        Show the range slider under the plot (off for small previews).
    numbers_only : bool
        Label each set with its number only (small previews beside a table of the sets, where
        full labels of neighbouring sets would run into each other).
    phone : bool
        Drawn for a phone: full labels must fit ``PHONE_PLOT_WIDTH_PX`` (else
        ``PLOT_WIDTH_PX``), and the legend, on two lines, goes under Plotly's buttons.
    """
    if xyz.ndim != 2 or xyz.shape[1] != 3 or len(times_s) != xyz.shape[0]:
        raise ValueError(f"expected times (n,) and xyz (n, 3), got {times_s.shape} and {xyz.shape}")
    axis_names, magnitude_name, y_title = _SIGNALS[kind]
    times = np.asarray(times_s, dtype=np.float64)
    magnitude = np.linalg.norm(xyz.astype(np.float32), axis=1)
    fig = go.Figure()
    for column, (name, color) in enumerate(zip(axis_names, _AXIS_COLORS, strict=True)):
        keep = display_indices(times, xyz[:, column], max_points, detail_span)
        fig.add_trace(_line(times[keep], xyz[keep, column], name, color, width=1.0))
    keep = display_indices(times, magnitude, max_points, detail_span)
    fig.add_trace(_line(times[keep], magnitude[keep], magnitude_name, _MAGNITUDE_COLOR, 1.6))
    end_s = float(times[-1]) if len(times) else 0.0
    visible = detail_span or (0.0, end_s)
    width = PHONE_PLOT_WIDTH_PX if phone else PLOT_WIDTH_PX
    shapes, labels = _set_spans(
        sets, end_s, numbers_only or not _labels_fit(sets, visible, width), visible, width
    )
    _add_rep_markers(fig, times, magnitude, sets)
    fig.update_layout(
        shapes=shapes,
        annotations=labels,
        height=height,
        margin={"l": 60, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0},
        hovermode="x unified",
        dragmode="select",
        selectdirection="h",
        yaxis_title=y_title,
        xaxis_title="time since start (s)",
    )
    # An explicit range: autorange would stretch the axis to fit the set labels' text.
    whole = [float(times[0]), float(times[-1])] if len(times) else [0.0, 1.0]
    fig.update_xaxes(
        range=whole, rangeslider={"visible": range_slider, "thickness": 0.08, "range": whole}
    )
    if detail_span is not None:
        fig.update_xaxes(range=[detail_span[0] - DETAIL_MARGIN_S, detail_span[1] + DETAIL_MARGIN_S])
    if phone:
        legend_under_buttons(fig)
    return fig


#: Height of Plotly's buttons at the top right of a figure, and of one legend line (Chromium
#: drew three lines 87 px high).
_BUTTONS_PX = 32
_LEGEND_LINE_PX = 29
#: Room for a legend on the narrowest phone (360 px less the page's padding and the figure's left
#: margin, where the legend starts), and an entry's width: its symbol, then its name at 12 px.
_PHONE_LEGEND_PX = 248.0
_LEGEND_SYMBOL_PX = 40.0
_LEGEND_CHAR_PX = 6.0


def legend_under_buttons(fig: go.Figure, lines: int = 2, gap_px: int = 12) -> None:
    """Put the legend (``lines`` high) under Plotly's buttons, ``gap_px`` above the plot (room
    for a subplot's title): on a phone it wraps across the whole width, and the buttons were
    drawn over its first line."""
    height = float(fig.layout.height or 450)
    fig.update_layout(
        legend={"yref": "container", "yanchor": "top", "y": 1 - _BUTTONS_PX / height},
        margin={"t": _BUTTONS_PX + lines * _LEGEND_LINE_PX + gap_px},
    )


def _legend_lines(names: Sequence[str], width_px: float = _PHONE_LEGEND_PX) -> int:
    """The lines a horizontal legend of these names takes ``width_px`` wide: Plotly starts a
    new line where the next name does not fit on the current one."""
    lines, used_px = 1, 0.0
    for name in names:
        entry_px = _LEGEND_SYMBOL_PX + _LEGEND_CHAR_PX * len(name)
        if used_px and used_px + entry_px > width_px:
            lines, used_px = lines + 1, 0.0
        used_px += entry_px
    return lines


def _line(x: np.ndarray, y: np.ndarray, name: str, color: str, width: float) -> go.Scatter:
    return go.Scatter(
        x=x.astype(np.float32),
        y=y.astype(np.float32),
        name=name,
        mode="lines",
        line={"color": color, "width": width},
        hovertemplate="%{y:.2f}",
    )


#: Nominal drawing width of a session plot (desktop, and a phone held upright: 390 px less the
#: page's padding and the plot's margins) and width of one label character (px at font size 11),
#: to tell whether the sets' labels fit: Plotly does not move overlapping annotations.
PLOT_WIDTH_PX = 1100.0
PHONE_PLOT_WIDTH_PX = 280.0
_LABEL_CHAR_PX = 6.5
#: Labels step down over this many lines, so that neighbouring labels of short sets do not meet.
_LABEL_LINES = 3


def _labels_fit(
    sets: Sequence[ChartSet], visible: tuple[float, float], width_px: float = PLOT_WIDTH_PX
) -> bool:
    """Whether every full label shown in ``visible`` (seconds) ends before the next label on its
    line starts (a long session seen whole has room for set numbers only)."""
    px_per_s = width_px / max(visible[1] - visible[0], 1e-9)
    starts = [s.start_s for s in sets]
    for number, chart_set in enumerate(sets, start=1):
        following = number - 1 + _LABEL_LINES
        if following >= len(sets) or not visible[0] <= chart_set.start_s <= visible[1]:
            continue
        width_px = len(f"{number}. {chart_set.label}") * _LABEL_CHAR_PX
        if (starts[following] - chart_set.start_s) * px_per_s < width_px:
            return False
    return True


def _set_spans(
    sets: Sequence[ChartSet],
    end_s: float,
    numbers_only: bool = False,
    visible: tuple[float, float] | None = None,
    width_px: float = PLOT_WIDTH_PX,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A shaded rectangle and a label per set (plain dicts: one layout update instead of 2n).

    Labels start at their set's start, except near the end of the recording, where they end at
    the set's end so that they stay inside the plot. Set numbers alone sit centred, on one line
    where they have room, else stepping down like the labels.
    """
    visible = visible or (0.0, end_s)
    px_per_s = width_px / max(visible[1] - visible[0], 1e-9)
    centres = [(s.start_s + s.end_s) / 2 for s in sets]
    numbers_step = any(
        (b - a) * px_per_s < 3 * _LABEL_CHAR_PX for a, b in zip(centres, centres[1:], strict=False)
    )
    shapes: list[dict[str, object]] = []
    labels: list[dict[str, object]] = []
    for number, chart_set in enumerate(sets, start=1):
        color = exercise_color(chart_set.exercise_id)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": chart_set.start_s,
                "x1": chart_set.end_s,
                "y0": 0,
                "y1": 1,
                "fillcolor": translucent(color, 0.18),
                "line": {"width": 0},
                "layer": "below",
            }
        )
        line = (number - 1) % _LABEL_LINES
        if numbers_only:
            placed = {"x": centres[number - 1], "xanchor": "center",
                      "y": 1.0 - 0.065 * line * numbers_step, "text": f"<b>{number}</b>",
                      "font": {"size": 12, "color": color}}
        else:
            placed = {
                **(
                    {"x": chart_set.end_s, "xanchor": "right"}
                    if chart_set.start_s > 0.7 * end_s
                    else {"x": chart_set.start_s, "xanchor": "left"}
                ),
                "y": 1.0 - 0.065 * line,
                "text": f"{number}. {chart_set.label}",
                "font": {"size": 11, "color": color},
            }
        labels.append(
            {**placed, "xref": "x", "yref": "paper", "yanchor": "top", "showarrow": False}
        )
    return shapes, labels


def _add_rep_markers(
    fig: go.Figure, times: np.ndarray, magnitude: np.ndarray, sets: Sequence[ChartSet]
) -> None:
    """One marker per counted rep, on the magnitude curve, in the set's colour."""
    rep_x: list[float] = []
    rep_colors: list[str] = []
    rep_text: list[str] = []
    for number, chart_set in enumerate(sets, start=1):
        for rep, at_s in enumerate(chart_set.rep_times_s, start=1):
            rep_x.append(at_s)
            rep_colors.append(exercise_color(chart_set.exercise_id))
            typed = chart_set.typed_reps
            note = "" if typed is None else f" marked (you counted {typed})"
            rep_text.append(f"set {number}, rep {rep} of {len(chart_set.rep_times_s)}{note}")
    if not rep_x:
        return
    rep_y = np.interp(rep_x, times, magnitude)
    fig.add_trace(
        go.Scatter(
            x=np.asarray(rep_x, dtype=np.float32),
            y=rep_y.astype(np.float32),
            name="reps",
            mode="markers",
            marker={
                "symbol": "triangle-down",
                "size": 10,
                "color": rep_colors,
                "line": {"color": "white", "width": 1},
            },
            text=rep_text,
            hovertemplate="%{text}<extra></extra>",
        )
    )


def weekly_figure(
    weekly: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    phone: bool = False,
    span: tuple[date, date] | None = None,
) -> go.Figure:
    """Reps and volume per week, stacked by exercise, in the exercise colours.

    Parameters
    ----------
    weekly : DataFrame
        One row per (week, exercise): columns ``week`` (date of the Monday), ``exercise``
        (catalog id), ``reps`` and ``volume_kg``.
    names : mapping of exercise id to display name, optional
    phone : bool
        Drawn for a phone: the legend, on several lines, goes under Plotly's buttons.
    span : (first day, last day), optional
        The chosen dates: the time axis covers their weeks, those without training too.
        Without it, it covers the weeks of the rows.
    """
    return _period_figure(weekly, "week", names or {}, phone, span)


def monthly_figure(
    monthly: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    phone: bool = False,
    span: tuple[date, date] | None = None,
) -> go.Figure:
    """Reps and volume per month, as ``weekly_figure`` (column ``month``: its first day)."""
    return _period_figure(monthly, "month", names or {}, phone, span)


#: Most week-start ticks under a weekly chart: "02 Dec" over "2024", side by side, stay level.
_MAX_WEEK_TICKS = 6
#: Beyond this many weeks the ticks are Plotly's own (months, years): week starts every n
#: weeks would read as arbitrary dates.
_WEEK_TICKS_UP_TO = 26
_MONTH_MS = 30.44 * 24 * 3600 * 1000
_HOVER_DATE = {"week": "week of %{x|%d %b %Y}", "month": "%{x|%B %Y}"}


def _period_figure(
    frame: pd.DataFrame,
    period: str,
    names: Mapping[str, str],
    phone: bool = False,
    span: tuple[date, date] | None = None,
) -> go.Figure:
    """Reps and volume per ``period`` ("week" or "month", also the name of the date column),
    over the periods of ``span`` (the chosen dates) or else of the rows.

    Assisted exercises (``journal.exercises.is_assisted``) have reps but no volume: their weight
    is the machine's help, so more kg × reps would read as more work where it is less.
    """
    assisted = {str(e) for e in frame["exercise"].unique() if exercises.is_assisted(str(e))}
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.24,  # room for the upper plot's dates and the title, two lines each
        # Short title lines: a phone's plot is about 300 px wide and Plotly does not wrap them.
        subplot_titles=(
            f"Reps per {period}",
            f"Volume per {period} (kg × reps)"
            + ("<br><span style='font-size:12px'>assisted exercises left out</span>"
               if assisted else ""),
        ),
    )
    bar_width = (_WEEK_MS if period == "week" else _MONTH_MS) * 0.8
    for exercise_id, rows in frame.groupby("exercise", sort=True):
        exercise_key = str(exercise_id)
        label = names.get(exercise_key, exercise_key)
        color = exercise_color(exercise_key)
        plots = ((1, "reps", "reps"), (2, "volume_kg", "kg × reps"))
        for row_number, column, unit in plots[:1] if exercise_key in assisted else plots:
            fig.add_trace(
                go.Bar(
                    x=pd.to_datetime(rows[period]),
                    y=rows[column],
                    name=label,
                    marker_color=color,
                    legendgroup=exercise_key,
                    showlegend=row_number == 1,
                    width=bar_width,
                    hovertemplate=f"{_HOVER_DATE[period]}: %{{y:,.0f}} {unit}",
                ),
                row=row_number,
                col=1,
            )
    fig.update_layout(
        barmode="stack",
        height=560,
        margin={"l": 60, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0},
    )
    loaded = frame[~frame["exercise"].astype(str).isin(assisted)]
    if not (loaded["volume_kg"].fillna(0) > 0).any():
        empty = ("No weights logged yet: add them to your sets to see volume." if len(loaded)
                 else "No volume for assisted exercises: their weight is the machine's help.")
        fig.add_annotation(text=empty, xref="x2 domain", yref="y2 domain", x=0.5, y=0.5,
                           showarrow=False, font={"color": "#666666"})
    _period_axis(fig, frame, period, span)
    if phone:
        # Long exercise names take a line each; the gap holds the "Reps per ..." title (25 px)
        # and clear space above it.
        shown = [trace.name for trace in fig.data if trace.showlegend is not False]
        legend_under_buttons(fig, lines=_legend_lines(shown), gap_px=44)
    return fig


def _period_axis(
    fig: go.Figure, frame: pd.DataFrame, period: str, span: tuple[date, date] | None
) -> None:
    """The time axis of a weekly or monthly figure: the periods of ``span`` (else of the rows),
    half a bar of margin either side, and week-start ticks over half a year or less."""
    starts = pd.to_datetime(frame[period])
    if span is not None:
        # The periods holding the first and the last day: weeks by their Monday, months by
        # their first day, as the bars are placed.
        starts = pd.to_datetime(pd.Series([_period_start(day, period) for day in span]))
    if len(starts):
        # Half a bar of margin either side: a single week is a bar, not the whole plot.
        first, last = starts.min(), starts.max()
        margin = pd.Timedelta(days=4 if period == "week" else 16)
        fig.update_xaxes(range=[first - margin, last + margin])
        n_weeks = (last - first).days // 7 + 1
        if period == "week" and n_weeks <= _WEEK_TICKS_UP_TO:
            # Ticks on week starts (the bars' Mondays), every few weeks so the labels stay level
            # and clear of the volume plot's title. Longer spans keep Plotly's ticks.
            step = -(-n_weeks // _MAX_WEEK_TICKS)
            # Day and month over the year: narrow enough to stay level on a phone's plot.
            fig.update_xaxes(dtick=step * _WEEK_MS, tick0=first, tickformat="%d %b<br>%Y")
    fig.update_xaxes(showticklabels=True)


#: A line of estimates is broken where the lifter did not train the exercise for longer than
#: this: a line across a year off would draw a steady change nobody lifted.
_STRENGTH_BREAK = {"week": pd.Timedelta(weeks=4), "month": pd.Timedelta(days=92)}


def _broken_at_long_breaks(
    when: pd.Series, values: pd.Series, period: str, texts: Sequence[str] | None = None
) -> tuple[list[pd.Timestamp], list[float], list[str]]:
    """The points in date order with a gap (NaN, which Plotly does not join) after each point
    followed by a longer break than ``_STRENGTH_BREAK[period]``; and the points' ``texts``
    (hover text, one per value) in the same order, "" at the gaps."""
    order = when.argsort(kind="stable")
    labels = [""] * len(values) if texts is None else list(texts)
    points = list(zip(when.iloc[order], values.iloc[order], [labels[i] for i in order],
                      strict=True))
    xs: list[pd.Timestamp] = []
    ys: list[float] = []
    hover: list[str] = []
    for index, (at, value, text) in enumerate(points):
        if index and at - points[index - 1][0] > _STRENGTH_BREAK[period]:
            xs.append(points[index - 1][0] + pd.Timedelta(days=1))
            ys.append(float("nan"))
            hover.append("")
        xs.append(at)
        ys.append(float(value))
        hover.append(text)
    return xs, ys, hover


#: The least a strength axis spans: its level ± this fraction, and this many kg. Plotly's own
#: range fits the data, so 10.0 → 10.4 kg filled the plot's height like a steep climb.
STRENGTH_AXIS_FRACTION = 0.10
STRENGTH_AXIS_MIN_SPAN_KG = 5.0
#: Room above and below the data when its own span sets the axis, so no point sits on an edge.
_AXIS_PAD = 0.10


def strength_axis_range(
    values: Sequence[float] | pd.Series,
    fraction: float = STRENGTH_AXIS_FRACTION,
    min_span_kg: float = STRENGTH_AXIS_MIN_SPAN_KG,
) -> tuple[float, float] | None:
    """The kg a strength axis (e1RM, least assistance) shows: centred on the data, spanning
    the most of the data (with ``_AXIS_PAD`` of room either side), its level ± ``fraction``
    (the middle of the data) and ``min_span_kg``, so that a small change looks small.

    Never below 0 kg for data that is not (0 kg of assistance is the best there is): the
    range slides up instead. None without values (NaN left out): Plotly's own range then.
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    middle = (low + high) / 2
    half = max((high - low) / 2 * (1 + 2 * _AXIS_PAD), fraction * abs(middle), min_span_kg / 2)
    bottom, top = middle - half, middle + half
    if bottom < 0 <= low:
        bottom, top = 0.0, top - bottom
    return bottom, top


def strength_figure(
    frame: pd.DataFrame,
    period: str,
    names: Mapping[str, str] | None = None,
    phone: bool = False,
    span: tuple[date, date] | None = None,
) -> go.Figure:
    """The best estimated one-rep max of each week (or month) and exercise, a line each.

    Parameters
    ----------
    frame : DataFrame
        ``weekly_frame`` or ``monthly_frame`` rows: the ``period`` date column, ``exercise``
        and ``best_e1rm_kg`` (NaN or None where no set gives an estimate: those points are
        left out, so a line joins the periods that have one, unless they stand more than
        ``_STRENGTH_BREAK`` apart: then the line breaks).
    period : "week" or "month"
    names, phone, span : as ``weekly_figure``
    """
    names = names or {}
    fig = go.Figure()
    estimated = frame.dropna(subset=["best_e1rm_kg"])
    for exercise_id, rows in estimated.groupby("exercise", sort=True):
        exercise_key = str(exercise_id)
        when, best, _ = _broken_at_long_breaks(pd.to_datetime(rows[period]),
                                               rows["best_e1rm_kg"].astype(float), period)
        fig.add_trace(go.Scatter(
            x=when,
            y=best,
            name=names.get(exercise_key, exercise_key),
            mode="lines+markers",
            line={"color": exercise_color(exercise_key), "width": 2},
            hovertemplate=f"{_HOVER_DATE[period]}: %{{y:.1f}} kg",
        ))
    _strength_layout(fig, frame, period, span, phone, title="estimated 1RM (kg)", left=60)
    fig.update_yaxes(range=strength_axis_range(estimated["best_e1rm_kg"].astype(float)))
    return fig


def _strength_layout(fig: go.Figure, frame: pd.DataFrame, period: str,
                     span: tuple[date, date] | None, phone: bool, *, title: str,
                     left: int) -> None:
    """What the strength charts share: their height, legend, date axis and y title."""
    fig.update_layout(
        height=320,
        margin={"l": left, "r": 20, "t": 40, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        yaxis_title=title,
        showlegend=True,
    )
    _period_axis(fig, frame, period, span)
    if phone:
        legend_under_buttons(fig, lines=_legend_lines([trace.name for trace in fig.data]))


def assistance_figure(
    frame: pd.DataFrame,
    period: str,
    names: Mapping[str, str] | None = None,
    phone: bool = False,
    span: tuple[date, date] | None = None,
) -> go.Figure:
    """The least assistance of each week (or month) of each assisted exercise, a line each:
    their strength, as ``strength_figure`` draws the others'.

    The y axis is reversed, 0 kg (no help) at the top: a stronger lifter needs less help, and a
    line that climbs reads as progress, as the e1RM line above it does; drawn the usual way
    the progress would read as a decline. The axis title says it in words ("lower is
    stronger"), for the numbers that grow downwards.

    Parameters
    ----------
    frame : DataFrame
        ``weekly_frame`` or ``monthly_frame`` rows: the ``period`` date column, ``exercise``,
        ``least_assistance_kg`` and ``least_assistance_reps`` (NaN where no set of the period
        has a weight: no point there, not 0 kg; other exercises' rows are all NaN).
    period : "week" or "month"
    names, phone, span : as ``weekly_figure``
    """
    names = names or {}
    fig = go.Figure()
    helped = frame.dropna(subset=["least_assistance_kg"])
    for exercise_id, rows in helped.groupby("exercise", sort=True):
        exercise_key = str(exercise_id)
        kg = rows["least_assistance_kg"].astype(float)
        texts = [f"{help_kg:g} kg help × {plural(int(reps), 'rep')}"
                 for help_kg, reps in zip(kg, rows["least_assistance_reps"], strict=True)]
        when, least, hover = _broken_at_long_breaks(pd.to_datetime(rows[period]), kg, period,
                                                    texts)
        fig.add_trace(go.Scatter(
            x=when,
            y=least,
            text=hover,
            name=names.get(exercise_key, exercise_key),
            mode="lines+markers",
            line={"color": exercise_color(exercise_key), "width": 2},
            # A point at 0 kg sits on the axis's edge (the top): drawn whole, not cut in half.
            cliponaxis=False,
            hovertemplate=f"{_HOVER_DATE[period]}: %{{text}}",
        ))
    # Room on the left for the axis title's two lines: on one, a phone's plot (about 200 px
    # high under its legend) cut it off.
    _strength_layout(fig, frame, period, span, phone,
                     title="assistance (kg)<br>lower is stronger", left=76)
    axis = strength_axis_range(helped["least_assistance_kg"].astype(float))
    # Reversed: the most help at the bottom, none at the top.
    fig.update_yaxes(range=[axis[1], axis[0]] if axis else None,
                     autorange=None if axis else "reversed")
    return fig


def _period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


#: How long since the last session the calendar still ends today (then it ends at that session).
IDLE_CALENDAR_END = timedelta(weeks=48)
#: The longest chosen dates the calendar shows from their start: a calendar year, a leap year's
#: 366 days included ("Last 12 months" on 1 March 2028 starts on 2 March 2027).
CALENDAR_YEAR = timedelta(days=365)
#: How far back the calendar reaches otherwise: 52 whole weeks, a day short of ``CALENDAR_YEAR``,
#: so that it starts on the same weekday a year back and holds 53 weeks at most, whatever the
#: weekday of its last day (365 days back from a Monday would add a 54th week for one day).
CALENDAR_WEEKS_BACK = timedelta(weeks=52)


def calendar_span(
    days: Collection[date], last_day: date, min_weeks: int = 26, first_day: date | None = None
) -> tuple[date, date]:
    """The first and last day the calendar of these training days shows: a Monday, and
    ``last_day`` (or a later training day).

    ``last_day`` is today, or the end of the chosen dates where they end earlier: days without
    training since the last session are part of the picture. The calendar starts at the first
    training day's week, at most a year and at least ``min_weeks`` weeks before its end.

    ``first_day`` is the start of the chosen dates: within a year of ``last_day`` the calendar
    starts with its week, however short (the days of the dates, no more); further back it does
    not count.

    A journal idle for longer than ``IDLE_CALENDAR_END`` (one opened after a long break, or
    the sample session of a fresh install) would show a year of nearly empty squares: its
    calendar ends with the week of its last session instead (not with chosen dates).
    """
    latest = max(days, default=last_day)
    if first_day is not None and first_day <= last_day and last_day - first_day <= CALENDAR_YEAR:
        last_day = max(last_day, latest)
        return first_day - timedelta(days=first_day.weekday()), last_day
    if last_day - latest > IDLE_CALENDAR_END:
        last_day = latest + timedelta(days=6 - latest.weekday())
    last_day = max(last_day, latest)
    last_monday = last_day - timedelta(days=last_day.weekday())
    first_day = max(min(days, default=last_day), last_day - CALENDAR_WEEKS_BACK)
    first_week = first_day - timedelta(days=first_day.weekday())
    n_weeks = max(min_weeks, (last_monday - first_week).days // 7 + 1)
    return last_monday - timedelta(weeks=n_weeks - 1), last_day


#: Width of the calendar's squares on the narrowest phone (360 px less the page's padding and
#: the figure's margins).
_PHONE_CALENDAR_PX = 268.0
#: The calendar's height and margins; a week's column as wide as a day's row is high, for a
#: calendar of a few weeks (260 px less 70 px of margins over 7 rows).
_CALENDAR_HEIGHT_PX = 260
_CALENDAR_MARGIN = {"l": 40, "r": 20, "t": 34, "b": 36}
_SQUARE_PX = (_CALENDAR_HEIGHT_PX - 34 - 36) / 7
_SQUARE_GAP_PX = 3
#: On a phone a year's 53 weeks side by side were 5 px columns, 2 px squares: the weeks wrap
#: onto rows of at most this many, about four months (15 px columns on a 360 px phone, a year
#: in three rows, about 470 px high; a month 65 px wide, room for its label).
PHONE_WEEKS_PER_ROW = 18
#: Between two rows of a phone's calendar: the upper row's month labels (two lines under the
#: first and January's).
_ROW_GAP_PX = 44
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def calendar_figure(
    sets_per_day: Mapping[date, int],
    span: tuple[date, date],
    min_weeks: int = 26,
    phone: bool = False,
    first_day: date | None = None,
) -> go.Figure:
    """A calendar of training days: one square per day, weeks as columns, darker = more sets.

    It covers ``span``: ``calendar_span`` of the days (with the same ``min_weeks`` and
    ``first_day``), which the caller also gives the caption that counts the days shown. Days of
    its first week before ``first_day`` (the start of the chosen dates) are left out. Months are
    labelled under it, the year under the first and under each January.

    phone : bool
        Drawn for a phone: more weeks than ``PHONE_WEEKS_PER_ROW`` wrap onto rows of equal
        length, one under the other, oldest on top (a year: three rows of about four months),
        a heatmap and x axis each; the month labels stay level.

    A calendar of fewer weeks than ``min_weeks`` (or than a phone's width holds) has a width,
    ``layout.width``, that keeps its squares square: spread over the page they would be bars.
    """
    first_monday, last_shown = span
    n_weeks = (last_shown - first_monday).days // 7 + 1
    # NaN: no square (the rest of the last week, still to come; the days before the dates).
    counts = np.full((7, n_weeks), np.nan)
    hover = np.full((7, n_weeks), "", dtype=object)
    for offset in range((last_shown - first_monday).days + 1):
        day = first_monday + timedelta(days=offset)
        if first_day is not None and day < first_day:
            continue
        week, weekday = divmod(offset, 7)
        n_sets = sets_per_day.get(day, 0)
        counts[weekday, week] = n_sets
        hover[weekday, week] = f"{day:%a %d %b %Y}: {plural(int(n_sets), 'set')}"
    week_starts = [first_monday + timedelta(weeks=w) for w in range(n_weeks)]
    zmax = max(1.0, float(np.nanmax(counts)))
    n_rows = math.ceil(n_weeks / PHONE_WEEKS_PER_ROW) if phone else 1
    per_row = math.ceil(n_weeks / n_rows)
    column_px = min(_SQUARE_PX, _PHONE_CALENDAR_PX / per_row) if phone else _SQUARE_PX
    rows_px = n_rows * 7 * column_px + (n_rows - 1) * _ROW_GAP_PX
    fig = (make_subplots(rows=n_rows, cols=1, vertical_spacing=_ROW_GAP_PX / rows_px)
           if n_rows > 1 else go.Figure())
    for row in range(n_rows):
        weeks = slice(row * per_row, (row + 1) * per_row)
        fig.add_trace(
            _calendar_heatmap(counts[:, weeks], week_starts[weeks], hover[:, weeks], zmax),
            **({"row": row + 1, "col": 1} if n_rows > 1 else {}),
        )
    fig.update_layout(
        # The top margin holds Plotly's buttons, which covered the latest weeks' squares.
        height=_CALENDAR_HEIGHT_PX,
        margin=_CALENDAR_MARGIN,
    )
    fig.update_yaxes(autorange="reversed", fixedrange=True)
    margins_px = _CALENDAR_MARGIN["l"] + _CALENDAR_MARGIN["r"]
    natural_px = margins_px + n_weeks * _SQUARE_PX
    if natural_px < (_PHONE_CALENDAR_PX + margins_px if phone
                     else margins_px + min_weeks * _SQUARE_PX):
        fig.update_layout(width=round(natural_px))
    elif phone:
        # As high as the rows' squares are wide: the page's width shared by fewer weeks.
        fig.update_layout(
            height=round(rows_px) + _CALENDAR_MARGIN["t"] + _CALENDAR_MARGIN["b"])
    ticks, labels = _month_ticks(first_monday, last_shown)
    if not ticks:  # a few weeks inside one month: its name under the first week
        ticks, labels = [first_monday], [f"{first_monday:%b}<br>{first_monday.year}"]
    for row in range(n_rows):
        # A month's first day in the row whose columns it falls in: nearest to its week's.
        in_row = [(tick, label) for tick, label in zip(ticks, labels, strict=True)
                  if min(round((tick - first_monday).days / 7) // per_row, n_rows - 1) == row]
        where: dict[str, Any] = {}
        if n_rows > 1:
            # Every row as long as the first: the weeks of the last one keep their width.
            start = datetime.combine(week_starts[row * per_row], time())
            where = {"row": row + 1, "col": 1, "range": [
                start - timedelta(days=3.5), start + timedelta(days=7 * per_row - 3.5)]}
        fig.update_xaxes(
            tickmode="array",
            tickvals=[tick for tick, _ in in_row],
            ticktext=[label for _, label in in_row],
            # Level on a phone, where a row's months leave them room; elsewhere Plotly may tilt
            # them rather than overlap them in a narrow window.
            tickangle=0 if phone else None,
            fixedrange=True,
            **where,
        )
    return fig


def _calendar_heatmap(
    counts: np.ndarray, week_starts: Sequence[date], hover: np.ndarray, zmax: float
) -> go.Heatmap:
    """The calendar's squares of these weeks: ``counts`` and ``hover`` are (7, n_weeks), a row
    per weekday; the shades run from 0 to ``zmax`` sets, the same in every row of a phone's."""
    return go.Heatmap(
        z=counts,
        x=week_starts,
        y=_WEEKDAYS,
        text=hover,
        hovertemplate="%{text}<extra></extra>",
        hoverongaps=False,
        xgap=_SQUARE_GAP_PX,
        ygap=_SQUARE_GAP_PX,
        zmin=0,
        zmax=zmax,
        colorscale=[[0.0, "#EBEDF0"], [1e-6, "#C6DBEF"], [1.0, "#08306B"]],
        showscale=False,
    )


def _month_ticks(first: date, last: date) -> tuple[list[date], list[str]]:
    """The first days of the months from ``first`` to ``last``, labelled by month; the first
    label and each January's say the year too."""
    ticks: list[date] = []
    labels: list[str] = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            year = "<br>" + str(month.year) if not ticks or month.month == 1 else ""
            ticks.append(month)
            labels.append(f"{month:%b}{year}")
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return ticks, labels


def payload_bytes(fig: go.Figure) -> int:
    """Size of the figure's JSON as sent to the browser."""
    return len(fig.to_json().encode("utf-8"))


def span_from_selection(selection: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """The time span of a box selection on a motion figure (Streamlit's ``event.selection``).

    Uses the box's x range; falls back to the first and last selected point. None when nothing
    (or a zero-width span) is selected.
    """
    if not selection:
        return None
    boxes = selection.get("box") or []
    xs: list[float] = []
    if boxes and boxes[0].get("x"):
        xs = [float(x) for x in boxes[0]["x"]]
    else:
        xs = [float(p["x"]) for p in selection.get("points") or [] if "x" in p]
    if len(xs) < 2 or max(xs) - min(xs) <= 0:
        return None
    return round(min(xs), 2), round(max(xs), 2)
