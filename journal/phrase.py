"""A journal search typed in plain words: "all my pull-up sets with 10+ reps since March".

API::

    parse_search(text, *, today, exercise_names=()) -> PhraseSearch
        # PhraseError (a ValueError) when the words contradict each other
    PhraseSearch.fields / .understood / .words() / .query(**more) -> SetQuery
    PhraseSearch.understood_line() / .not_understood_line()   # what the page and CLI say
    filter_words(fields) -> {"min_reps": "at least 10 reps", ...}   # the page's words
    phrase_of(**fields) -> str    # the words that parse back to these fields

What it reads, besides an exercise (a catalog name, family or alias, or one of the lifter's
own ``exercise_names``; "pull-ups", "bench presses"):

- reps: "10+ reps", "at least 10", "more than 9" (10 or more), "under 5" (4 or fewer),
  "5-8", "between 5 and 8", "5 reps" (exactly);
- weight in kg or lb (converted): "100 kg", "100+ kg", "80-100 kg", "at most 60 kg". Weights are
  told apart to 0.1 kg, as the page shows them: "over 100 kg" is at least 100.1 kg, "under
  60 kg" at most 59.9 kg;
- dates: "since March", "before May", "until 15 June", "in 2025", "last week", "past 2 weeks".
  A month or day without a year is its latest one not after ``today`` ("since March" on
  10 Feb 2026 is since 1 March 2025). "Last week/month/year" is the previous calendar one (a
  week starts on Monday); "last 30 days" and "past 2 weeks" count back from today, today
  included, and leave the end open;
- order: "strongest", "heaviest", "most reps", "newest", "oldest" (or "first" alone);
- notes: words in quotes, "notes: shoulder", "with note shoulder".

Filler words ("all my ... sets with") are skipped; any other word is reported as not understood
rather than guessed at. No Streamlit: the Journal page and ``python -m journal search`` share it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from journal import exercises
from journal.search import SetQuery
from journal.transfer import LB_IN_KG

__all__ = [
    "EXAMPLES", "FILTERS", "MAX_PHRASE_CHARS", "SORT_WORDS", "WEIGHT_STEP_KG", "PhraseError",
    "PhraseSearch", "filter_words", "parse_search", "phrase_of",
]

#: The filters a phrase may set, in the order they are said (``SetQuery`` field names).
FILTERS = ("exercise", "date_from", "date_to", "min_reps", "max_reps", "min_weight_kg",
           "max_weight_kg", "notes")
#: How an order is said back (search sort key → words); the Journal page offers these sorts.
SORT_WORDS = {
    "-date": "newest first",
    "date": "oldest first",
    "-reps": "most reps first",
    "-weight": "heaviest first",
    "-e1rm": "strongest first",
    "exercise": "by exercise",
}
#: "Over 100 kg" means at least 100 kg and this: the journal's weights are told apart to 0.1 kg.
WEIGHT_STEP_KG = 0.1

#: Words that say nothing about which sets ("show me all my ... sets with ...").
FILLER = frozenset([
    "all", "my", "me", "show", "find", "sets", "set", "with", "of", "the", "and", "for", "where",
    "i", "did", "do", "done", "that", "which", "any", "every", "a", "an", "please", "list",
    "search", "get", "give", "what", "exercise", "exercises", "&",
])


#: The most the Journal page's box takes: a search, not a paragraph.
MAX_PHRASE_CHARS = 200
#: The most words an exercise's name is read from (the catalog's longest has 5; a longer own
#: name is found quoted: exercise "…"). Every run of the words left is tried as a name: runs of
#: any length made a pasted paragraph of 200 words take 26 s, where now it takes 0.02 s.
MAX_NAME_WORDS = 8


#: What to say when a phrase reads as nothing (the page's warning, the CLI's error).
EXAMPLES = ("say an exercise, reps, a weight, dates or words of the notes in quotes, e.g. "
            "“squats over 100 kg last month” or “pull-ups with 10+ reps since March”")


class PhraseError(ValueError):
    """The words ask for something no set can be (a contradiction), said in words."""


@dataclass(frozen=True)
class PhraseSearch:
    """What a phrase asked for: the search fields it set (None: not said) and the words left."""

    exercise: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_reps: int | None = None
    max_reps: int | None = None
    min_weight_kg: float | None = None
    max_weight_kg: float | None = None
    notes: str | None = None
    #: A sort key of ``SORT_WORDS``; None when the phrase named no order.
    sort: str | None = None
    #: Words that are neither filler nor understood, as typed.
    not_understood: tuple[str, ...] = ()
    #: Weight bounds read in pounds: (field, "225 lb"), said beside the kg.
    pounds: tuple[tuple[str, str], ...] = ()

    @property
    def fields(self) -> dict[str, Any]:
        """The filters said (and ``sort`` when named), by ``SetQuery`` field name."""
        said = {name: getattr(self, name) for name in (*FILTERS, "sort")}
        return {name: value for name, value in said.items() if value is not None}

    @property
    def understood(self) -> bool:
        """Whether any word set a filter or an order."""
        return bool(self.fields)

    def words(self) -> list[str]:
        """What was understood, as the page says a search ("at least 102.1 kg (225 lb)")."""
        said = filter_words(self.fields)
        for name, lb in self.pounds:
            said[name] += f" ({lb})"
        return [*said.values(), *([SORT_WORDS[self.sort]] if self.sort else [])]

    def understood_line(self) -> str:
        """"Understood: exercise “pull-up”, from 01 Mar 2026, at least 10 reps."."""
        return "Understood: " + ", ".join(self.words()) + "."

    def not_understood_line(self) -> str | None:
        """"Not understood: “zumba” (left out)."; None when every word was read."""
        if not self.not_understood:
            return None
        return ("Not understood: " + ", ".join(f"“{word}”" for word in self.not_understood)
                + " (left out).")

    def query(self, **more: Any) -> SetQuery:
        """The ``SetQuery`` of these fields, with ``more`` (athlete, limit...) on top."""
        return SetQuery(**{**self.fields, **more})


def parse_search(text: str, *, today: date, exercise_names: Sequence[str] = ()) -> PhraseSearch:
    """Read a search from plain words; ``today`` dates "since March" and "last week".

    Raises ``PhraseError`` naming the words that contradict each other ("at least 10 reps" and
    "under 5 reps"). Words matching nothing are in ``not_understood``, never taken as an
    exercise (a search for a name nobody uses would find nothing).
    """
    reader = _Reader(text)
    # Quoted words first: whatever they hold is a name or notes, not reps or dates.
    named = [n for n in reader.take_all(_EXPLICIT_EXERCISE, lambda m: _quoted(m).strip()) if n]
    notes = reader.take_all(_NOTES, _quoted) + reader.take_all(_QUOTED, _quoted)
    bounds = _Bounds()
    for unit, field in (("weight", "weight_kg"), ("reps", "reps")):
        for pattern, kind in _QUANTITY_PATTERNS[unit]:
            for match in reader.take_all(pattern, lambda m: m):
                bounds.add_quantity(field, kind, match)
    for pattern, kind in _DATE_PATTERNS:
        for match in reader.take_all(pattern, lambda m: m):
            bounds.add_dates(kind, match, today)
    sort = _read_sorts(reader)
    notes += reader.take_all(_NOTES_WORD, lambda m: m["word"])
    found, unknown = _exercise_in(reader.leftover_words(), reader.text, exercise_names)
    if found:
        named.append(found)
    if len(named) > 1:
        raise PhraseError(f"A search takes one exercise: “{named[0]}” and “{named[1]}” are "
                          "two.")
    result = PhraseSearch(
        exercise=named[0] if named else None,
        notes=" ".join(n.strip() for n in notes if n.strip()) or None,
        sort=sort,
        not_understood=tuple(unknown),
        **bounds.fields(),
    )
    try:
        result.query()
    except ValueError as error:  # a bound the checks above let through
        raise PhraseError(f"This search cannot match anything: {error}.") from error
    return result


def filter_words(fields: Mapping[str, Any]) -> dict[str, str]:
    """Each filter set in ``fields`` (``SetQuery`` field names) in words, in ``FILTERS`` order:
    {"exercise": "exercise “pull-up”", "min_reps": "at least 10 reps"}."""
    return _words(fields, exact=False)


def phrase_of(**fields: Any) -> str:
    """Plain words that ``parse_search`` reads back as exactly these fields (``FILTERS`` and
    ``sort``, a key of ``SORT_WORDS``): "exercise “pull-up”, from 01 Mar 2026, at least 10
    reps, strongest first"."""
    unknown = set(fields) - {*FILTERS, "sort"}
    if unknown:
        raise ValueError(f"not fields of a journal search: {', '.join(sorted(unknown))}")
    said = list(_words(fields, exact=True).values())
    if fields.get("sort") is not None:
        said.append(SORT_WORDS[fields["sort"]])
    return ", ".join(said)


# --- words of a search ---------------------------------------------------------------------

def _words(fields: Mapping[str, Any], *, exact: bool) -> dict[str, str]:
    quote = _quote if exact else (lambda text: f"“{text}”")
    kg = _exact_number if exact else _kg_shown
    words: dict[str, str] = {}
    if fields.get("exercise"):
        words["exercise"] = f"exercise {quote(fields['exercise'])}"
    if fields.get("date_from"):
        words["date_from"] = f"from {_day(fields['date_from'], exact)}"
    if fields.get("date_to"):
        words["date_to"] = f"until {_day(fields['date_to'], exact)}"
    if fields.get("min_reps") is not None:
        words["min_reps"] = f"at least {_reps(fields['min_reps'])}"
    if fields.get("max_reps") is not None:
        words["max_reps"] = f"at most {_reps(fields['max_reps'])}"
    if fields.get("min_weight_kg") is not None:
        words["min_weight_kg"] = f"at least {kg(fields['min_weight_kg'])} kg"
    if fields.get("max_weight_kg") is not None:
        words["max_weight_kg"] = f"at most {kg(fields['max_weight_kg'])} kg"
    if fields.get("notes"):
        words["notes"] = f"notes containing {quote(fields['notes'])}"
    return words


def _day(day: date, exact: bool) -> str:
    """"01 Mar 2026"; a year the words do not read (not 19xx or 20xx) as "1850-03-01"."""
    if exact and not 1900 <= day.year <= 2099:
        return day.isoformat()
    return f"{day:%d %b %Y}"


def _reps(count: int) -> str:
    return f"{count} rep" if count == 1 else f"{count} reps"


def _kg_shown(kg: float) -> str:
    """A weight as typed ("62.5"); one converted from pounds to 0.1 kg ("102.1")."""
    typed = abs(kg * 100 - round(kg * 100)) < 1e-6
    return f"{kg:g}" if typed else f"{round(kg, 1):g}"


def _exact_number(value: float) -> str:
    """Every digit that tells the float apart, never an exponent: "0.0000001"."""
    return format(Decimal(repr(float(value))), "f").removesuffix(".0")


def _quote(text: str) -> str:
    for opening, closing in (("“", "”"), ('"', '"'), ("‘", "’")):
        if closing not in text:
            return f"{opening}{text}{closing}"
    raise ValueError(f"{text!r} holds every kind of closing quote: it cannot be quoted")


# --- the patterns --------------------------------------------------------------------------

_FLAGS = re.IGNORECASE
_QUOTES = r"“(?P<q1>[^”]*)”|\"(?P<q2>[^\"]*)\"|‘(?P<q3>[^’]*)’|(?<!\w)'(?P<q4>[^']*)'(?!\w)"
_QUOTED = re.compile(_QUOTES, _FLAGS)
_EXPLICIT_EXERCISE = re.compile(rf"\bexercise\s*:?\s*(?:{_QUOTES})", _FLAGS)
_NOTES_LEAD = (r"(?:\b(?:with|in|containing)\s+)?(?:the\s+)?\bnotes?\b"
               r"(?:\s*:|\s+(?:containing|saying|with|about|mentioning))?\s*")
_NOTES = re.compile(rf"{_NOTES_LEAD}(?:{_QUOTES})", _FLAGS)
#: "with note shoulder": one word, read last ("notes since March" takes no "since").
_NOTES_WORD = re.compile(rf"{_NOTES_LEAD}(?P<word>[^\s,;]+)", _FLAGS)


def _quoted(match: re.Match[str]) -> str:
    return next((match[g] for g in ("q1", "q2", "q3", "q4") if match[g] is not None), "")


_NUMBER_WORDS = {word: value for value, word in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
])} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
       "ninety": 90}
_NUM = (r"(?:\d+(?:\.\d+)?(?![\d.])|"
        + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r"\b)")
#: Not inside a word, a decimal or a date ("2026-03-01" holds no "03-01" range).
_START = r"(?<![\w.\-/])"
_UNITS = {
    "reps": r"(?P<unit>reps?|repetitions?)\b",
    "weight": r"(?P<unit>kgs?|kilos?|kilograms?|lbs?|pounds?)\b",
}
_FIRST_UNIT = {"reps": r"(?:\s*(?:reps?|repetitions?))?", "weight": r"(?:\s*(?:kgs?|lbs?))?"}
_AT_LEAST = (r"(?:\b(?:at\s+least|minimum(?:\s+of)?|min|no\s+(?:less|fewer)\s+than)\s+"
             r"|(?:≥|>=|=>)\s*)")
_ABOVE = r"(?:\b(?:more\s+than|over|above|greater\s+than|heavier\s+than)\s+|>\s*)"
_AT_MOST = r"(?:\b(?:at\s+most|up\s+to|maximum(?:\s+of)?|max|no\s+more\s+than)\s+|(?:≤|<=|=<)\s*)"
_BELOW = r"(?:\b(?:under|below|fewer\s+than|less\s+than|lighter\s+than)\s+|<\s*)"
_OR_MORE = r"(?:\s*\+|\s+or\s+more|\s+and\s+(?:up|above|more|over)|\s+plus)"
_OR_LESS = r"(?:\s+or\s+(?:less|fewer)|\s+and\s+(?:under|below|less|fewer))"


def _quantity_patterns(unit: str) -> list[tuple[re.Pattern[str], str]]:
    u, first = _UNITS[unit], _FIRST_UNIT[unit]
    a, b = rf"(?P<a>{_NUM})", rf"(?P<b>{_NUM})"
    forms = [  # the longer forms first: "10 reps or more" is not "10 reps"
        (rf"\b(?:between|from)\s+{a}{first}\s+(?:and|to|-|–)\s+{b}\s*{u}", "range"),
        (rf"{_START}{a}{first}\s*(?:-|–|—|\bto\b)\s*{b}\s*{u}", "range"),
        (rf"{_AT_LEAST}{a}\s*{u}", "min"),
        (rf"{_START}{a}{_OR_MORE}\s*{u}", "min"),
        (rf"{_START}{a}\s*{u}{_OR_MORE}", "min"),
        (rf"{_ABOVE}{a}\s*{u}", "above"),
        (rf"{_AT_MOST}{a}\s*{u}", "max"),
        (rf"{_START}{a}{_OR_LESS}\s*{u}", "max"),
        (rf"{_START}{a}\s*{u}{_OR_LESS}", "max"),
        (rf"{_BELOW}{a}\s*{u}", "below"),
        (rf"(?:\bexactly\s+)?{_START}{a}\s*{u}", "exact"),
    ]
    return [(re.compile(form, _FLAGS), kind) for form, kind in forms]


_QUANTITY_PATTERNS = {unit: _quantity_patterns(unit) for unit in _UNITS}

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
#: One day, month or year, or a calendar week, month or year around today.
_DATE = (rf"(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}|{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?"
         rf"|{_MONTH}\s+{_DAY}(?!\d)(?:,?\s+{_YEAR})?|{_MONTH}(?:,?\s+{_YEAR})?|{_YEAR}"
         r"|today|yesterday|this\s+(?:week|month|year)|(?:last|previous)\s+(?:week|month|year))"
         r"(?![\w-])")
_DATE_PATTERNS = [(re.compile(form, _FLAGS), kind) for form, kind in [
    (rf"\b(?:from|between)\s+(?P<a>{_DATE})\s*(?:to|until|till|til|and|through|-|–)\s*"
     rf"(?P<b>{_DATE})", "range"),
    (rf"\b(?:(?:in|over|during|within|for)\s+)?(?:the\s+)?(?:(?:last|past|previous)\s+"
     rf"(?P<n>{_NUM})\s+|past\s+)(?P<unit>day|week|month|year)s?\b", "back"),
    (rf"\b(?:since|from|starting(?:\s+(?:from|on))?)\s+(?P<a>{_DATE})", "since"),
    (rf"\bafter\s+(?P<a>{_DATE})", "after"),
    (rf"\bbefore\s+(?P<a>{_DATE})", "before"),
    (rf"\b(?:until|till|til|up\s+to|through|thru)\s+(?P<a>{_DATE})", "until"),
    (rf"(?:\b(?:in|during|on)\s+(?:the\s+)?|(?<![\w.\-/]))(?P<a>{_DATE})", "in"),
]]

_SORT_PATTERNS = [(re.compile(rf"(?:\b(?:sorted|ordered|sort|order)\s+)?(?:\bby\s+)?{form}",
                              _FLAGS), key) for form, key in [
    (r"\bby\s+exercise\b|\b(?:exercise\s+)?a\s*[-–]\s*z\b|\balphabetically\b", "exercise"),
    (r"\bstrongest(?:\s+first)?\b", "-e1rm"),
    (r"\bheaviest(?:\s+first)?\b", "-weight"),
    (r"\bmost\s+reps(?:\s+first)?\b", "-reps"),
    (r"\b(?:newest|latest|most\s+recent|recent(?:ly)?)(?:\s+first)?\b", "-date"),
    (r"\b(?:oldest|earliest)(?:\s+first)?\b", "date"),
]]
_FIRST = re.compile(r"\bfirst\b", _FLAGS)


# --- reading -------------------------------------------------------------------------------

_T = TypeVar("_T")


class _Reader:
    """The phrase with each part read blanked out, so that no word is read twice."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.left = text

    def take_all(self, pattern: re.Pattern[str], read: Callable[[re.Match[str]], _T]) -> list[_T]:
        matches = list(pattern.finditer(self.left))
        for match in matches:
            start, end = match.span()
            self.left = self.left[:start] + " " * (end - start) + self.left[end:]
        return [read(match) for match in matches]

    def leftover_words(self) -> list[tuple[int, int]]:
        """Spans of the words not read, filler left out."""
        spans = []
        for match in re.finditer(r"[^\s,;!?()]+", self.left):
            word = match.group().strip(".:'\"“”‘’")
            if word and word.casefold() not in FILLER:
                start = match.start() + match.group().index(word)
                spans.append((start, start + len(word)))
        return spans


def _read_sorts(reader: _Reader) -> str | None:
    named: dict[str, str] = {}
    for pattern, key in _SORT_PATTERNS:
        for words in reader.take_all(pattern, lambda m: " ".join(m.group().split())):
            named.setdefault(key, words)
    firsts = reader.take_all(_FIRST, lambda m: m.group())
    if firsts and not named:  # "strongest sets first" is one order, "first" alone the oldest
        named["date"] = firsts[0]
    if len(named) > 1:
        said = " and ".join(f"“{words}”" for words in named.values())
        raise PhraseError(f"{said} are different orders: name one.")
    return next(iter(named), None)


def _number(text: str) -> float:
    value = _NUMBER_WORDS.get(text.casefold())
    return float(text) if value is None else float(value)


@dataclass
class _Bound:
    value: Any
    words: str
    pounds: str | None = None


class _Bounds:
    """The least and most of reps, weight and date each phrase part asks for."""

    def __init__(self) -> None:
        self.low: dict[str, list[_Bound]] = {"reps": [], "weight_kg": [], "date": []}
        self.high: dict[str, list[_Bound]] = {"reps": [], "weight_kg": [], "date": []}

    def add_quantity(self, field: str, kind: str, match: re.Match[str]) -> None:
        words = " ".join(match.group().split())
        values = [_number(v) for g, v in match.groupdict().items() if g in "ab" and v is not None]
        pounds = match["unit"].casefold().startswith(("lb", "pound"))
        if field == "reps":
            if any(v != int(v) for v in values):
                raise PhraseError(f"Reps are whole numbers: “{words}” is not one.")
            values = [int(v) for v in values]
        elif pounds:
            values = [v * LB_IN_KG for v in values]

        def said(value: float, how: str = "") -> str | None:
            return f"{how}{_exact_number(value / LB_IN_KG)} lb" if pounds else None

        step = 1 if field == "reps" else WEIGHT_STEP_KG
        first = values[0]
        if kind in ("min", "exact", "range"):
            self.low[field].append(_Bound(first, words, said(first)))
        if kind == "above":
            self.low[field].append(_Bound(_tidy(first + step), words, said(first, "over ")))
        if kind in ("max", "exact"):
            self.high[field].append(_Bound(first, words, said(first)))
        if kind == "range":
            self.high[field].append(_Bound(values[1], words, said(values[1])))
        if kind == "below":
            if first - step < 0:
                raise PhraseError(f"“{words}” matches no set: nothing is below 0.")
            self.high[field].append(_Bound(_tidy(first - step), words, said(first, "under ")))

    def add_dates(self, kind: str, match: re.Match[str], today: date) -> None:
        words = " ".join(match.group().split())
        if kind == "back":
            self.low["date"].append(_Bound(_back(match, today, words), words))
            return
        said = match["a"]
        year = re.search(_YEAR, match["b"]) if kind == "range" else None
        if year and not re.search(_YEAR, said):
            said += f" {year.group()}"  # "between March and May 2025": March 2025
        first, last = _span(said, today)
        if kind in ("since", "in", "range"):
            self.low["date"].append(_Bound(first, words))
        if kind == "after":
            self.low["date"].append(_Bound(last + timedelta(days=1), words))
        if kind == "before":
            self.high["date"].append(_Bound(first - timedelta(days=1), words))
        if kind in ("until", "in"):
            self.high["date"].append(_Bound(last, words))
        if kind == "range":
            self.high["date"].append(_Bound(_span(match["b"], today)[1], words))

    def fields(self) -> dict[str, Any]:
        names = {"reps": ("min_reps", "max_reps"), "weight_kg": ("min_weight_kg", "max_weight_kg"),
                 "date": ("date_from", "date_to")}
        result: dict[str, Any] = {}
        pounds = []
        for quantity, (low_name, high_name) in names.items():
            low = max(self.low[quantity], key=lambda b: b.value, default=None)
            high = min(self.high[quantity], key=lambda b: b.value, default=None)
            if low is not None and high is not None and low.value > high.value:
                raise PhraseError(_contradiction(quantity, low, high))
            for name, bound in ((low_name, low), (high_name, high)):
                if bound is not None:
                    result[name] = bound.value
                    if bound.pounds:
                        pounds.append((name, bound.pounds))
        result["pounds"] = tuple(pounds)
        return result


def _contradiction(quantity: str, low: _Bound, high: _Bound) -> str:
    dated = quantity == "date"
    since = f"from {low.value:%d %b %Y}" if dated else ""
    until = f"until {high.value:%d %b %Y}" if dated else ""
    if low.words == high.words:
        return (f"“{low.words}”{f' ({since} {until})' if dated else ''} is an empty range: "
                "no set can match it.")
    return (f"“{low.words}”{f' ({since})' if dated else ''} and “{high.words}”"
            f"{f' ({until})' if dated else ''} contradict each other: no set can match both.")


def _tidy(value: float) -> float:
    """A sum of decimals without its float noise (100 + 0.1 is 100.1)."""
    return round(value, 9)


def _back(match: re.Match[str], today: date, words: str) -> date:
    """The first day of "the last N days/weeks/months/years", today being the last."""
    count = 1.0 if match["n"] is None else _number(match["n"])
    if count != int(count) or count < 1:
        unit = match["unit"].casefold()
        raise PhraseError(f"“{words}”: count back one {unit} or more, in whole {unit}s.")
    n, unit = int(count), match["unit"].casefold()
    if unit in ("day", "week"):
        return today - timedelta(days=n * (7 if unit == "week" else 1) - 1)
    return _months_before(today, n * (12 if unit == "year" else 1)) + timedelta(days=1)


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, the month's last day where it is shorter (as
    ``pandas.DateOffset(months=...)``, which the Progress page's "last 3 months" uses)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _span(text: str, today: date) -> tuple[date, date]:
    """The first and last day a date expression of ``_DATE`` names."""
    said = " ".join(text.casefold().replace(",", " ").replace(".", " ").split())
    if said in ("today", "yesterday"):
        day = today - timedelta(days=0 if said == "today" else 1)
        return day, day
    if relative := re.fullmatch(r"(this|last|previous) (week|month|year)", said):
        return _calendar(relative[2], today, previous=relative[1] != "this")
    try:
        if iso := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", said):
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
            return day, day
        if said.isdigit():
            return date(int(said), 1, 1), date(int(said), 12, 31)
    except ValueError:
        raise PhraseError(f"“{text}” is not a date.") from None
    parts = said.replace(" of ", " ").split()
    month = next(_MONTHS.index(p[:3]) + 1 for p in parts if not p[0].isdigit())
    numbers = [int(re.sub(r"\D", "", p)) for p in parts if p[0].isdigit()]
    year = next((n for n in numbers if n > 31), None)
    day_of_month = next((n for n in numbers if n <= 31), None)
    if day_of_month is None:
        if year is None:
            year = today.year if date(today.year, month, 1) <= today else today.year - 1
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    candidates = [year] if year is not None else range(today.year, today.year - 9, -1)
    for candidate in candidates:
        try:
            day = date(candidate, month, day_of_month)
        except ValueError:
            continue
        if year is not None or day <= today:
            return day, day
    raise PhraseError(f"“{text}” is not a date.")


def _calendar(unit: str, today: date, *, previous: bool) -> tuple[date, date]:
    """This or the previous calendar week (Monday to Sunday), month or year."""
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=int(previous))
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = _months_before(today.replace(day=1), int(previous))
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    year = today.year - int(previous)
    return date(year, 1, 1), date(year, 12, 31)


# --- the exercise --------------------------------------------------------------------------

_SEARCHED = [e for e in exercises.CATALOG
             if e.family not in (exercises.REST_ID, "other")]
_CATALOG_KEYS = frozenset(k for e in _SEARCHED for k in exercises.search_keys(e))


def _exercise_in(words: list[tuple[int, int]], text: str,
                 own_names: Sequence[str]) -> tuple[str | None, list[str]]:
    """The exercise the words left name (the longest run of them that names one), and the
    words that name nothing. Two exercises are an error: a search takes one."""
    own_keys = frozenset(exercises.normalize_name(name) for name in own_names) - {""}
    best: tuple[tuple[int, int, int], str, int, int] | None = None
    for i in range(len(words)):
        for j in range(i, min(len(words), i + MAX_NAME_WORDS)):
            said = text[words[i][0]:words[j][1]]
            quality, name = _names_exercise(said, own_keys)
            if quality and (best is None or (j - i, quality, -i) > best[0]):
                best = ((j - i, quality, -i), name, i, j)
    if best is None:
        return None, [text[a:b] for a, b in words]
    _, name, first, last = best
    rest = [words[:first], words[last + 1:]]
    for part in rest:
        for i in range(len(part)):
            for j in range(i, min(len(part), i + MAX_NAME_WORDS)):
                other = text[part[i][0]:part[j][1]]
                if _names_exercise(other, own_keys)[0] == 2:
                    raise PhraseError(
                        f"A search takes one exercise: “{name}” and “{other}” are two.")
    return name, [text[a:b] for part in rest for a, b in part]


def _names_exercise(said: str, own_keys: frozenset[str]) -> tuple[int, str]:
    """2 and the name to search when ``said`` is a name, alias or family as it is ("bench
    presses": "bench press"); 1 when it is part of one (4 letters or more, as the search
    finds "preach" in "preacher curl"); 0 when it names none."""
    said = " ".join(said.split())
    for name in (said, said[:-2] if said.casefold().endswith("es") else None):
        if name and (exercises.normalize_name(name) in _CATALOG_KEYS
                     or exercises.normalize_name(name) in own_keys):
            return 2, name
    key = exercises.normalize_name(said)
    # ``exercises.match`` over the searched entries, with their keys worked out once.
    if len(key) >= 4 and (any(key in catalog_key for catalog_key in _CATALOG_KEYS)
                          or any(key in own for own in own_keys)):
        return 1, said
    return 0, said
