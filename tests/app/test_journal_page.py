"""The Journal page: search filters as asked, lives in the URL, explains empty results."""

from __future__ import annotations

import csv
import functools
import io
import json
from datetime import date, datetime, timedelta

import pytest

from journal.db import write_transaction
from journal.store import delete_session
from journal.transfer import import_workouts_csv
from journal.views import NotFoundError
from ui import clock


def _results(at):
    return at.dataframe(key="journal_results").value


def test_search_finds_pull_up_sets_by_family_from_the_url(app, saved_sample):
    at = app("journal", exercise="pull-up")
    rows = _results(at)
    assert list(rows["exercise"]) == ["Assisted pull-up"] * 3
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Sets"], metrics["Reps"]) == ("3", "34")
    # An assisted pull-up's kg are the machine's help: no volume, per set or in total.
    assert rows["volume_kg"].isna().all() and metrics["Volume"] == "–"
    rows_too = _results(app("journal", exercise="row"))
    assert list(rows_too["volume_kg"]) == [52.0 * 12]


def test_search_by_alias_and_min_reps_is_a_bookmarkable_link(app, saved_sample):
    at = app("journal", exercise="pullup", min_reps="11")
    assert at.selectbox(key="exercise").value == "pullup"
    assert at.number_input(key="min_reps").value == 11
    rows = _results(at)
    assert sorted(rows["reps"]) == [12, 12]


def test_changing_a_filter_narrows_the_results(app, saved_sample):
    at = app("journal")
    assert len(_results(at)) == 5
    at.number_input(key="min_kg").set_value(60.0).run()
    assert sorted(_results(at)["weight_kg"]) == [61.0, 63.5, 66.0]
    at.number_input(key="max_kg").set_value(65.0).run()
    assert sorted(_results(at)["weight_kg"]) == [61.0, 63.5]
    at.selectbox(key="exercise").set_value("row").run()
    assert "No sets match" in at.warning[0].value


def test_notes_words_find_the_set_and_show_it_as_plain_text(app, saved_sample):
    at = app("journal", notes="shoulder")
    rows = _results(at)
    assert list(rows["reps"]) == [10]
    assert list(rows["notes"]) == ["last one slow, <b>shoulder</b> ok"]


def test_date_range_filters_sessions(app, saved_sample):
    inside = app("journal", **{"from": "2024-12-01", "to": "2024-12-01"})
    assert len(_results(inside)) == 5
    after = app("journal", **{"from": "2024-12-02"})
    assert "No sets match from 02 Dec 2024." in after.warning[0].value


def test_empty_results_say_why_and_offer_to_loosen_a_filter(app, saved_sample):
    at = app("journal", exercise="pull-up", min_reps="20")
    assert "No sets match exercise “pull-up”, at least 20 reps." in at.warning[0].value
    loosen = at.button(key="journal_loosen_min_reps")
    assert loosen.label == "Drop “at least 20 reps”: 3 sets"
    loosen.click().run()
    assert len(_results(at)) == 3


def test_contradicting_ranges_are_explained(app, saved_sample):
    at = app("journal", min_reps="12", max_reps="5")
    assert not at.exception
    assert "reps range is empty" in at.error[0].value


def test_sorting_by_most_reps(app, saved_sample):
    at = app("journal", sort="Most reps")  # the URL holds the option as shown
    assert list(_results(at)["reps"]) == [12, 12, 12, 10, 10]


def test_a_link_may_name_the_sort_by_the_command_line_key(app, saved_sample):
    # `python -m journal search --sort -reps` and the page's "Most reps" are one sort.
    at = app("journal", sort="-reps", min_reps="10")
    assert not at.warning
    assert at.selectbox(key="sort").value == "-reps"
    assert list(_results(at)["reps"]) == [12, 12, 12, 10, 10]
    # The address then holds the sort as the box writes it: a bookmark keeps it.
    assert dict(at.query_params) == {"sort": "Most reps", "min_reps": "10"}
    # Followed later in the same visit, the Sort box already bound to the address: alike.
    at = app("journal")
    at.query_params["sort"] = "-weight"
    at.run()
    assert not at.exception
    assert at.selectbox(key="sort").value == "-weight"
    assert list(_results(at)["weight_kg"]) == [66.0, 63.5, 61.0, 52.0, 7.5]
    assert dict(at.query_params) == {"sort": "Heaviest"}
    # Chosen again in the box afterwards: the box, not the link, sorts.
    at.selectbox(key="sort").set_value("-reps").run()
    assert list(_results(at)["reps"]) == [12, 12, 12, 10, 10]


def test_a_sort_the_page_does_not_offer_is_named_with_the_choices(app, saved_sample):
    at = app("journal", sort="strongest")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "The address asks to sort by “strongest”, which this page does not offer; sorted newest "
        "first. The page's sorts: Newest first (-date), Oldest first (date), Most reps (-reps), "
        "Heaviest (-weight), Strongest first (-e1rm), Exercise A–Z (exercise)."
    ]
    assert at.selectbox(key="sort").value == "-date" and "sort" not in at.query_params
    at.run()  # said once
    assert not at.warning


def test_strongest_squat_sets_first_with_their_estimated_one_rep_max(
    app, journal_engine, saved_sample
):
    squats = ["Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,"
              "Notes,Workout Notes,RPE"]
    for day, (weight, reps) in enumerate([(80, 3), (60, 12), (70, 8)], start=1):
        squats.append(f"2025-01-0{day} 18:00:00,Legs,1h,Squat (Barbell),1,{weight},{reps},,0,,,")
    write_transaction(journal_engine, functools.partial(
        import_workouts_csv, source="\n".join(squats).encode()))
    at = app("journal", exercise="squat", sort="Strongest first")  # the option as shown
    assert not at.exception
    rows = _results(at)
    # 70 kg × 8 is stronger than 80 kg × 3; 12 reps are too many for an estimate.
    assert list(zip(rows["weight_kg"], rows["reps"], strict=True)) == [(70, 8), (80, 3), (60, 12)]
    assert list(rows["e1rm_kg"].iloc[:2]) == [pytest.approx(88.667, abs=1e-3), 88.0]
    assert rows["e1rm_kg"].isna().tolist() == [False, False, True]
    columns = json.loads(at.dataframe(key="journal_results").proto.columns)
    assert columns["e1rm_kg"]["label"] == "e1RM (kg)"
    # Picked from the Sort box over the whole journal: the sample's curl (7.5 kg × 10) follows
    # the squats; its assisted pull-ups (kg of help) and 12-rep cable row have no estimate.
    at = app("journal")
    at.selectbox(key="sort").set_value("-e1rm").run()
    rows = _results(at)
    assert list(rows["exercise"].iloc[:3]) == ["Barbell back squat"] * 2 + [
        "Incline dumbbell biceps curl"]
    assert rows["e1rm_kg"].iloc[2] == pytest.approx(10.0)
    assert rows["e1rm_kg"].iloc[3:].isna().all() and len(rows) == 8


def test_results_show_exercise_reps_and_kg_first_in_narrow_columns(app, saved_sample):
    # A phone shows three or four columns of the table: what was lifted, how often, how heavy.
    at = app("journal", exercise="pull-up")
    table = at.dataframe(key="journal_results").proto
    assert list(table.column_order)[:4] == ["exercise", "reps", "weight_kg", "date"]
    columns = json.loads(table.columns)
    assert columns["weight_kg"]["label"] == "kg"
    assert columns["reps"]["width"] <= 60 and columns["weight_kg"]["width"] <= 60


def test_on_a_phone_a_bookmarked_search_opens_on_its_results(app, saved_sample, monkeypatch):
    # The filters stacked two screens high on a phone, above the results.
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    at = app("journal", exercise="pull-up", min_reps="11")
    (filters,) = at.expander
    assert filters.label == "Search filters" and not filters.proto.expanded
    assert at.number_input(key="min_reps").value == 11
    assert sorted(_results(at)["reps"]) == [12, 12]
    assert "Searching: exercise “pull-up”, at least 11 reps." in [c.value for c in at.caption]
    # A new search starts with the filters open; a desktop keeps them in a box, always open.
    assert app("journal").expander[0].proto.expanded
    monkeypatch.undo()
    assert not app("journal", exercise="pull-up").expander


def _strong_export(n_workouts: int, sets_each: int) -> bytes:
    """A Strong export of pull-up and squat workouts, one a day from 1 Jan 2025."""
    lines = ["Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,"
             "Notes,Workout Notes,RPE"]
    for day in range(n_workouts):
        when = datetime(2025, 1, 1, 18) + timedelta(days=day)
        for order in range(1, sets_each + 1):
            name = "Pull Up" if order % 2 else "Squat (Barbell)"
            lines.append(f"{when:%Y-%m-%d %H:%M:%S},Day {day},1h,{name},{order},{60 + order},"
                         f"{order % 12 + 1},,0,,,")
    return "\n".join(lines).encode()


def _download(at, key: str, click_download) -> list[dict[str, str]]:
    _, data = click_download(at, key)
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_downloads_hold_every_matching_set_and_the_whole_journal_for_strong(
    app, journal_engine, saved_sample, click_download
):
    write_transaction(journal_engine, functools.partial(
        import_workouts_csv, source=_strong_export(70, 10)))
    at = app("journal", exercise="pull-up", sort="Oldest first")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Sets"] == "353"  # 3 assisted + 350 pull-ups
    at = app("journal", **{"from": "2025-01-01"})
    assert {m.label: m.value for m in at.metric}["Sets"] == "700"
    assert len(at.dataframe(key="journal_results").value) == 500  # one page on the screen

    rows = _download(at, "journal_download_sets", click_download)
    assert len(rows) == 700  # every set found, not the page
    assert list(rows[0]) == ["date", "session", "set", "exercise", "exercise_id", "family",
                             "reps", "weight_kg", "e1rm_kg", "rpe", "corrected", "notes",
                             "session_id"]
    newest = rows[0]  # newest first, as the page sorts
    assert (newest["date"], newest["session"], newest["set"], newest["exercise"],
            newest["reps"], newest["weight_kg"], newest["e1rm_kg"]) == (
        "2025-03-11 18:00", "Day 69", "1", "Pull-up", "2", "61.0", "65.1")
    # The Strong export is the lifter's whole journal, whatever the search: the sample too.
    strong = _download(at, "journal_download_strong", click_download)
    assert len(strong) == 705 and strong[0]["Workout Name"] == "Sample morning"


def _click(at, key: str):
    """The click's rerun (its file, built on another thread, is ``click_download``'s)."""
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    button.click()
    return at.run()


def test_downloads_of_sets_deleted_since_the_page_was_shown_say_so(
    app, journal_engine, saved_sample, click_download
):
    imported = write_transaction(journal_engine, functools.partial(
        import_workouts_csv, source=_strong_export(1, 2)))  # a pull-up and a squat
    at = app("journal", exercise="curl")
    strong = _download(at, "journal_download_strong", click_download)
    assert len(strong) == 7
    # The sample (the only curls) deleted in another tab after the page was shown.
    write_transaction(journal_engine, lambda db: delete_session(db, saved_sample))
    with pytest.raises(NotFoundError):  # no file, rather than an empty one
        click_download(at, "journal_download_sets")
    _click(at, "journal_download_sets")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "The sets this search found were deleted since this page was opened; nothing to "
        "download.",
        "No sets match exercise “curl”.",
    ]
    at.run()  # said once
    assert [w.value for w in at.warning] == ["No sets match exercise “curl”."]
    # The Strong export is the whole journal: what is left of it downloads, without a word.
    at = app("journal")
    assert len(_download(at, "journal_download_strong", click_download)) == 2
    _click(at, "journal_download_strong")
    assert not at.warning and not at.error
    # Every session gone: nothing to export.
    (other,) = imported.session_ids
    write_transaction(journal_engine, lambda db: delete_session(db, other))
    with pytest.raises(NotFoundError):
        click_download(at, "journal_download_strong")
    _click(at, "journal_download_strong")
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "Your sessions were deleted since this page was opened; nothing to download."]


def _search_in_words(at, text: str):
    at.text_input(key="journal_phrase").input(text).run()
    assert not at.exception, at.exception
    return at


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_a_search_in_words_sets_the_filters_and_the_address(app, saved_sample, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2024, 12, 8))  # the sample: 1 Dec 2024
    at = _search_in_words(app("journal"), "all my pull-up sets with 11+ reps since November")
    assert at.selectbox(key="exercise").value == "pull-up"
    assert at.date_input(key="from").value == date(2024, 11, 1)
    assert at.number_input(key="min_reps").value == 11
    assert dict(at.query_params) == {"exercise": "pull-up", "from": "2024-11-01",
                                     "min_reps": "11"}  # a bookmark holds it
    assert sorted(_results(at)["reps"]) == [12, 12]
    assert ("Understood: exercise “pull-up”, from 01 Nov 2024, at least 11 reps."
            in _captions(at))
    at.run()  # said while the filters are the phrase's
    assert "Understood: exercise “pull-up”, from 01 Nov 2024, at least 11 reps." in _captions(at)
    # A new phrase is a new search: what it does not say is cleared; it names an order.
    _search_in_words(at, "heaviest")
    assert at.selectbox(key="exercise").value is None and at.date_input(key="from").value is None
    assert at.number_input(key="min_reps").value is None
    assert at.selectbox(key="sort").value == "-weight"
    assert list(_results(at)["weight_kg"]) == [66.0, 63.5, 61.0, 52.0, 7.5]
    assert dict(at.query_params) == {"sort": "Heaviest"}
    assert "Understood: heaviest first." in _captions(at)
    # A filter changed by hand: the phrase no longer says the search, and goes.
    at.number_input(key="max_kg").set_value(60.0).run()
    assert at.text_input(key="journal_phrase").value == ""
    assert not [c for c in _captions(at) if c.startswith("Understood")]
    assert list(_results(at)["weight_kg"]) == [52.0, 7.5]


def test_a_search_in_words_says_what_it_did_not_understand(app, saved_sample):
    at = _search_in_words(app("journal"), "pull-ups over 62 kg in the gym, newest first")
    assert at.number_input(key="min_kg").value == 62.1  # over: heavier than 62 kg
    assert sorted(_results(at)["weight_kg"]) == [63.5, 66.0]
    assert "Understood: exercise “pull-ups”, at least 62.1 kg, newest first." in _captions(at)
    assert "Not understood: “in”, “gym” (left out)." in _captions(at)
    # Pounds are searched in kg and said in both.
    _search_in_words(at, "over 100 lb")
    assert "Understood: at least 45.5 kg (over 100 lb)." in _captions(at)
    assert sorted(_results(at)["weight_kg"]) == [52.0, 61.0, 63.5, 66.0]
    at.run()  # the box keeps the kg to the last digit: still the phrase's search
    assert "Understood: at least 45.5 kg (over 100 lb)." in _captions(at)


def test_a_search_in_words_that_says_nothing_leaves_the_filters(app, saved_sample):
    at = _search_in_words(app("journal", exercise="row"), "zumba please")
    assert [w.value for w in at.warning] == [
        "Nothing in “zumba please” reads as a search, so the filters are unchanged. Say an "
        "exercise, reps, a weight, dates or words of the notes in quotes, e.g. “squats over "
        "100 kg last month” or “pull-ups with 10+ reps since March”."]
    assert at.selectbox(key="exercise").value == "row"
    assert dict(at.query_params) == {"exercise": "row"}
    assert list(_results(at)["exercise"]) == ["Close-grip cable row"]
    # Words that contradict each other: named, and the filters untouched.
    _search_in_words(at, "pull-ups with at least 10 reps under 5 reps")
    assert [e.value for e in at.error] == [
        "“at least 10 reps” and “under 5 reps” contradict each other: no set can match both. "
        "Change the words; the filters are unchanged."]
    assert at.selectbox(key="exercise").value == "row" and not at.warning
    at.run()  # said once
    assert not at.error


def test_on_a_phone_the_search_in_words_opens_on_its_results(app, saved_sample, monkeypatch):
    monkeypatch.setattr("ui.device.on_phone", lambda: True)
    at = app("journal")
    (filters,) = at.expander
    assert filters.proto.expanded
    # The box is above the filters, not folded away with them.
    assert "journal_phrase" not in [box.key for box in filters.get("text_input")]
    _search_in_words(at, "pull-ups with 11+ reps")
    assert not at.expander[0].proto.expanded
    assert sorted(_results(at)["reps"]) == [12, 12]
    assert "Understood: exercise “pull-ups”, at least 11 reps." in _captions(at)
    # Said once: the folded filters' "Searching: …" line would repeat it.
    assert not [c for c in _captions(at) if c.startswith("Searching:")]


def test_the_search_in_words_box_takes_a_search_not_a_paragraph(app, saved_sample):
    at = app("journal")
    assert at.text_input(key="journal_phrase").max_chars == 200
