"""Exercise colours: one hue per family, a shade per exercise, the same on every page and chart."""

from __future__ import annotations

from functools import cache

from plotly.colors import hex_to_rgb

from journal import exercises

#: One hue per family of the catalog (rest and "other" in greys so real work stands out).
FAMILY_COLORS: dict[str, str] = {
    "pull-up": "#1F77B4",
    "lat pulldown": "#17BECF",
    "row": "#2CA02C",
    "curl": "#FF7F0E",
    "wrist curl": "#BCBD22",
    "bench press": "#D62728",
    "shoulder press": "#9467BD",
    "triceps extension": "#E377C2",
    "lateral raise": "#8C564B",
    "squat": "#393B79",
    "deadlift": "#637939",
    "sit-up": "#AD494A",
    "crunch": "#A55194",
    "push-up": "#E7BA52",
    "lunge": "#6B6ECF",
    "plank": "#8CA252",
    "rest": "#B0B0B0",
    "other": "#6E6E6E",
}

#: How far successive variants of one family move towards white or black, in turn.
_SHADE_STEPS = (0.0, 0.30, -0.25, 0.50, -0.40, 0.65)


def _shade(hex_color: str, amount: float) -> str:
    """Mix a colour with white (amount > 0) or black (amount < 0)."""
    red, green, blue = hex_to_rgb(hex_color)
    target = 255 if amount > 0 else 0
    weight = abs(amount)
    mixed = (round(c + (target - c) * weight) for c in (red, green, blue))
    return "#{:02X}{:02X}{:02X}".format(*mixed)


def family_color(family: str) -> str:
    """The hue of a family; unknown families get the "other" grey."""
    return FAMILY_COLORS.get(family, FAMILY_COLORS["other"])


@cache
def exercise_color(exercise_id: str) -> str:
    """The colour of one exercise: its family's hue, shaded by its place in the catalog.

    Custom exercises (not in the catalog) and "unknown" take the "other" grey.
    """
    family = exercises.family_of(exercise_id)
    siblings = [e.id for e in exercises.CATALOG if e.family == family]
    position = siblings.index(exercise_id) if exercise_id in siblings else 0
    return _shade(family_color(family), _SHADE_STEPS[position % len(_SHADE_STEPS)])


def translucent(hex_color: str, alpha: float) -> str:
    """The colour as an ``rgba(...)`` string with this opacity (for shaded set spans)."""
    red, green, blue = hex_to_rgb(hex_color)
    return f"rgba({red}, {green}, {blue}, {alpha:.2f})"
