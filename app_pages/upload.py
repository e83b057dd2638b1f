"""Upload page: drop recordings, check the sets found, correct them, save each as a session; or
drop a Strong or Hevy export, see what it holds and import its workouts."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import streamlit as st

import appconfig
from journal.db import session_factory
from journal.models import DEFAULT_ATHLETE
from journal.store import load_session, recorded_at
from ml.sample_session import SAMPLE_PATH
from ui import clock
from ui.charts import motion_figure
from ui.count_checks import found_count_checks
from ui.device import on_phone
from ui.lifter import current_lifter, journal_is_shared, lifter_params
from ui.records import records_said
from ui.resources import activity_model, counter_card, journal_engine
from ui.tables import detected_chart_sets, detected_frame, set_checks
from ui.text import escape_markdown, explain, plural
from ui.upload_flow import (
    APP_NAMES,
    STEPS,
    Prepared,
    PreparedImport,
    describe,
    describe_export,
    import_export,
    prepare,
    prepare_export,
    preview_export,
    save,
)
from ui.uploads import archive_parts, exports_on_page, recordings_on_page, upload_kind
from ui.widgets import (
    JOURNAL_PAGE,
    journal_is_empty,
    new_exercise_box,
    newest_sessions,
    sample_offer,
    session_link,
    session_links,
    set_columns,
)

STEP_TEXT = {
    "read": "reading the file",
    "analyse": "finding sets and counting reps",
    "ready": "ready",
}

phone = on_phone()
# "Upload a workout" took two lines of a phone's title: there the page's name in the menu.
st.title(":material/upload_file: Upload" if phone else ":material/upload_file: Upload a workout")
st.caption(
    "Drop the motion export of your watch or phone: Apple Watch (applewatch-gym, Sensor Logger), "
    "MetaMotion (gyroscope + accelerometer files together), phyphox or a plain CSV with a time "
    f"column and gyroscope columns; `.csv`, `.csv.gz` or `.zip`, up to "
    f"{appconfig.MAX_UPLOAD_MB:g} MB per file. A `.zip` of several recordings (a week of "
    "exports, two MetaMotion pairs) gives one recording of each, as if you had dropped its files "
    "unzipped. Sets and reps are found for you; check them, correct what is wrong, then save. "
    "Moving from Strong or Hevy? Drop the CSV export it made (Strong: Settings → Export Data; "
    "Hevy: Settings → Export & Import Data), as it is or zipped: its workouts are imported as "
    "sessions."
)

lifter = current_lifter()
if journal_is_shared():  # on a phone the sidebar, where the lifter is chosen, is folded away
    st.caption(f":material/person: Uploads are saved for **{escape_markdown(lifter)}** (the "
               "lifter chosen in the sidebar).")

files = st.file_uploader(
    "Recordings, or a Strong or Hevy export",
    type=["csv", "gz", "zip"],
    accept_multiple_files=True,
    key="upload_files",
    max_upload_size=int(appconfig.MAX_UPLOAD_MB),
    help=f"A real example to try: {SAMPLE_PATH.name} in data/samples/ of the repository.",
)
prepared_by_key: dict[str, Prepared] = st.session_state.setdefault("upload_prepared", {})
imports_by_key: dict[str, PreparedImport] = st.session_state.setdefault("upload_imports", {})
if not files:
    newest = newest_sessions(limit=3, athlete=lifter)
    if newest:
        session_links("Latest in your journal" if lifter == DEFAULT_ATHLETE
                      else f"{escape_markdown(lifter)}'s latest sessions", newest)
    elif journal_is_empty():
        sample_offer("upload_load_sample")


def box_heading(label: str) -> None:
    """The file name heading a file's box."""
    if phone:  # a subheader wrapped a long file name onto three lines
        name = escape_markdown(label)  # bold, one line cut by "…", all of it in the tooltip
        st.markdown(f"**{name}**", help=name, wrap=False)
    else:
        st.subheader(escape_markdown(label), anchor=False)


def whose_session(session_id: int) -> str:
    """The lifter a saved session belongs to."""
    with session_factory(journal_engine())() as db:
        return load_session(db, session_id, with_signal=False).athlete


def show_prepared(key: str, prepared: Prepared) -> Callable[[], None] | None:
    """The result of one recording: error, already saved, or sets to check and save; returns
    what saves it as shown (for "Save all"), or None when there is nothing to save."""
    if prepared.error is not None:
        st.error(prepared.error, icon=":material/error:")
        return None
    assert prepared.recording is not None
    st.caption(describe(prepared.recording))
    analysis_warnings = prepared.analysis.warnings if prepared.analysis else ()
    for warning in dict.fromkeys([*prepared.recording.warnings, *analysis_warnings]):
        st.warning(warning, icon=":material/warning:")
    if prepared.existing is not None:
        since = prepared.existing.already_saved_at
        when = f" since {since:%d %b %Y, %H:%M} UTC" if since else ""
        owner = whose_session(prepared.existing.session_id)
        # One recording is one recording, whoever saved it: say whose session holds it.
        where = "your journal" if owner == lifter else f"the journal, as {escape_markdown(owner)}'s"
        # Another file of a saved recording (its CSV from the Session page, another layout of
        # the watch's export) is found by its start and length: say so, as its bytes are new.
        what = ("This recording" if prepared.existing.same_file is not False
                else "The same recording (same start and length)")
        st.info(f"{what} is already in {where}{when}.", icon=":material/info:")
        session_link(prepared.existing.session_id, "Open the saved session")
        return None
    analysis = prepared.analysis
    assert analysis is not None
    if prepared.saved is not None:
        owner = "" if lifter == DEFAULT_ATHLETE else f" of {escape_markdown(lifter)}"
        saved = f"Saved as session {prepared.saved.session_id}{owner}."
        # One box: what was saved, then the records it set (as the Session page says them).
        st.success("  \n".join([saved, records_said(prepared.records)]) if prepared.records
                   else saved, icon=":material/check:")
        session_link(prepared.saved.session_id, "Open the session")
        return None

    if analysis.sets:
        st.markdown(
            f"**{plural(len(analysis.sets), 'set')} found.** "
            "Fix the exercise or reps where the model is wrong; add weight, RPE and notes; "
            "delete a row that is not a set."
        )
    else:
        st.markdown(
            "**No sets found.** Save it to keep the recording, then mark each set on the "
            "Session page: drag across the plot and choose “Add a set on this span”."
        )
    # Sets that may be handling; then the sets of each exercise the counter is measured
    # to miscount, one box per exercise (ui.count_checks).
    for check in [*set_checks(analysis), *found_count_checks(analysis, counter_card())]:
        st.info(check, icon=":material/help:")
    # The table gets the room its editable columns need (ui.widgets.set_columns).
    table_column, plot_column = st.columns([5, 2], gap="small")
    with table_column:
        new_exercise_box(f"upload_new_exercise_{key}")
        frame = detected_frame(analysis)
        edited = st.data_editor(
            frame,
            placeholder="–",
            key=f"upload_sets_{key}",
            num_rows="delete",
            hide_index=True,
            column_config=set_columns([s.exercise for s in analysis.sets], compact=phone),
            disabled=["set", "start_s", "end_s", "confidence"],
        )
    with plot_column:
        recording = prepared.recording
        figure = motion_figure(
            recording.times_s,
            recording.gyro,
            detected_chart_sets(analysis.sets),
            height=340,
            range_slider=False,
            max_points=2000,
            numbers_only=True,  # the table beside names each set by its number
        )
        st.plotly_chart(figure, key=f"upload_preview_{key}", config={"displaylogo": False})

    # A start without the wearer's zone (Unix times) and "now" are read on the browser's clock.
    default_when = recorded_at(prepared.recording, clock.user_zone()) or clock.now()
    date_column, time_column, title_column = st.columns([2, 2, 5])
    day = date_column.date_input("Date", value=default_when.date(), key=f"upload_date_{key}")
    start_time = time_column.time_input(
        "Start time",
        value=default_when.time().replace(microsecond=0),
        step=1,  # a step under a minute shows and keeps the recording's seconds
        key=f"upload_time_{key}",
    )
    title = title_column.text_input(
        "Title",
        key=f"upload_title_{key}",
        placeholder="Empty: named after the exercises",
        max_chars=300,
    )
    notes = st.text_area("Session notes", key=f"upload_notes_{key}", max_chars=5000)

    def save_as_shown() -> None:
        save(prepared, journal_engine(), edited, performed_at=datetime.combine(day, start_time),
             title=title.strip(), notes=notes)

    if st.button(
        "Save to journal", key=f"upload_save_{key}", type="primary", icon=":material/save:"
    ):
        try:
            save_as_shown()
        except Exception as error:  # noqa: BLE001 - every failure becomes a sentence
            st.error(f"Not saved: {explain(error)}")
            return save_as_shown
        st.rerun()
    return save_as_shown


def show_export(key: str, prepared: PreparedImport) -> None:
    """A Strong or Hevy export: what it holds and what importing it adds (nothing is written
    before the click), its import button, then what the import did."""
    if prepared.error is not None:
        st.error(prepared.error, icon=":material/error:")
        return
    preview = prepared.preview
    assert preview is not None
    st.caption(describe_export(preview))
    app = APP_NAMES.get(preview.source_format, preview.source_format)
    yours = "your journal" if lifter == DEFAULT_ATHLETE else f"{escape_markdown(lifter)}'s journal"
    first, last = preview.first_at, preview.last_at
    journal_link = lifter_params(**{"from": f"{first:%Y-%m-%d}", "to": f"{last:%Y-%m-%d}"}
                                 if first and last else {})
    if prepared.imported is not None:
        result = prepared.imported
        skipped = (f" {plural(result.sessions_skipped, 'workout')} already there "
                   f"{'was' if result.sessions_skipped == 1 else 'were'} skipped."
                   if result.sessions_skipped else "")
        st.success(f"Imported {plural(len(result.session_ids), 'workout')} "
                   f"({plural(result.sets_created, 'set')}) into {yours}.{skipped}",
                   icon=":material/check:")
        st.page_link(JOURNAL_PAGE, label="See them in the Journal", icon=":material/search:",
                     query_params=journal_link)
        return
    if preview.workouts == 0:
        st.info(f"This {app} export holds no workout: nothing to import.", icon=":material/info:")
        return
    if preview.workouts_new == 0:
        st.info(f"All {plural(preview.workouts, 'workout')} of this export "
                f"{'is' if preview.workouts == 1 else 'are'} already in {yours}.",
                icon=":material/info:")
        st.page_link(JOURNAL_PAGE, label="See them in the Journal", icon=":material/search:",
                     query_params=journal_link)
        return
    if preview.workouts_known:
        st.info(f"{plural(preview.workouts_known, 'workout')} of this export "
                f"{'is' if preview.workouts_known == 1 else 'are'} already in {yours} "
                "and will be skipped.", icon=":material/info:")
    if preview.custom_exercises:
        names = ", ".join(escape_markdown(name) for name in preview.custom_exercises)
        st.markdown(f"**New exercises of your own:** {names}. These names match no exercise "
                    "in the journal's list; they are kept as they are, never dropped.")
    if preview.unit_needed:
        unit = st.radio(
            "Weights in the export are in",
            ["kg", "lb"],
            horizontal=True,
            key=f"upload_import_unit_{key}",
            help=f"{app} writes the weights in the unit the app is set to without saying "
                 "which: choose that unit. The journal keeps kg.",
        )
        if unit != prepared.weight_unit:
            preview_export(prepared, journal_engine(), unit)
            if prepared.error is not None:
                st.error(prepared.error, icon=":material/error:")
                return
            preview = prepared.preview
            assert preview is not None
        if preview.heaviest_kg is not None:
            st.caption(f"Read in {unit}, the heaviest set is {preview.heaviest_kg:,.1f} kg.")
    if st.button(f"Import {plural(preview.workouts_new, 'workout')}",
                 key=f"upload_import_{key}", type="primary", icon=":material/playlist_add:",
                 help=f"{plural(preview.sets_new, 'set')} into {yours}, a session per "
                      "workout; a workout already there is skipped, so the same export "
                      "dropped again adds nothing"):
        try:
            with st.spinner("Importing…"):
                import_export(prepared, journal_engine())
        except Exception as error:  # noqa: BLE001 - every failure becomes a sentence
            st.error(f"Not imported: {explain(error)}", icon=":material/error:")
            return
        # Another export of this upload may hold the same workouts: its preview must say they
        # are there now, not offer them again.
        for other in imports_by_key.values():
            if other is not prepared and other.imported is None and other.preview is not None:
                preview_export(other, journal_engine(), other.weight_unit)
        st.rerun()


if files:
    # Filled once every recording is shown: "Save all" saves each as its box shows it.
    save_all_box = st.container()
    pending: dict[str, tuple[str, Callable[[], None]]] = {}  # key → (label, save)
    # Another lifter's recordings are analysed with their model and edited afresh: their own
    # widget keys (the default lifter keeps the plain ones).
    lifter_key = "" if lifter == DEFAULT_ATHLETE else (
        "-" + hashlib.sha256(lifter.encode()).hexdigest()[:8])
    # What each upload is (a Strong or Hevy export, or a recording: a zip's parts) is looked up
    # once per upload, not on every rerun.
    kinds_by_file = st.session_state.setdefault("upload_file_kinds", {})
    parts_by_file = st.session_state.setdefault("upload_archive_parts", {})
    for known in (kinds_by_file, parts_by_file):
        for gone in set(known) - {upload.file_id for upload in files}:
            del known[gone]
    for upload in files:
        if upload.file_id not in kinds_by_file:
            kinds_by_file[upload.file_id] = upload_kind(upload)
    # A zip may hold exports and recordings side by side: a box for each.
    exports = exports_on_page(files, lambda upload: kinds_by_file[upload.file_id])
    sensor_files = [upload for upload in files if kinds_by_file[upload.file_id].recording]
    for upload in sensor_files:
        if upload.file_id not in parts_by_file:
            parts_by_file[upload.file_id] = archive_parts(upload)
    for stale in set(imports_by_key) - {f"export-{e.key}{lifter_key}" for e in exports}:
        del imports_by_key[stale]
    for export in exports:
        key = f"export-{export.key}{lifter_key}"
        with st.container(border=not phone, key=f"upload_box_{key}"):
            box_heading(export.label)
            if key not in imports_by_key:
                with st.spinner("Reading the export…"):
                    imports_by_key[key] = prepare_export(
                        export.file, export.file.name, journal_engine(), athlete=lifter,
                        inside=export.inside)
            show_export(key, imports_by_key[key])

    recordings = recordings_on_page(sensor_files, lambda upload: parts_by_file[upload.file_id])
    for stale in set(prepared_by_key) - {recording.key + lifter_key for recording in recordings}:
        del prepared_by_key[stale]
    in_zip = Counter(recording.files[0].file_id for recording in recordings
                     if recording.archive)
    for index, recording in enumerate(recordings):
        key, label = recording.key + lifter_key, recording.label
        if phone and index:
            st.divider()  # without the boxes' borders, a line tells one recording from the next
        zip_id = recording.files[0].file_id
        if phone and recording.archive and zip_id in in_zip:
            # "week.zip: 011224_APULL_…" on each took the line the recording's name needs:
            # the zip is named once, above its first recording.
            st.caption(f":material/folder_zip: **{escape_markdown(recording.archive)}**: "
                       f"{plural(in_zip.pop(zip_id), 'recording')}")
        # On a phone the box's border and padding took 34 px from the set table.
        with st.container(border=not phone, key=f"upload_box_{key}"):
            box_heading(recording.name if phone else label)
            # Always placed, empty once analysed: the box's widgets keep their place from the
            # first run to the next, so the open "Exercise not in the list?" stays open.
            progress = st.empty()
            if key not in prepared_by_key:
                # The box's heading names the file: the line says only how far it has got.
                with progress.status(f"{STEP_TEXT[STEPS[0]].capitalize()}…",
                                     expanded=False) as status:

                    def on_step(step: str, status=status) -> None:
                        status.update(label=f"{STEP_TEXT[step].capitalize()}…")
                        status.write(f"{STEP_TEXT[step].capitalize()}")

                    prepared_by_key[key] = prepare(
                        recording.files, label, journal_engine(),
                        lambda: activity_model(lifter), on_step,
                        inside=recording.inside, athlete=lifter,
                    )
                    status.update(label=STEP_TEXT["ready"].capitalize(), state="complete")
                if prepared_by_key[key].error is not None:
                    progress.empty()  # the error box below says it all: one red box, not two
            save_this = show_prepared(key, prepared_by_key[key])
            if save_this is not None:
                pending[key] = (label, save_this)
    if len(pending) >= 2:
        with save_all_box:
            # An export is not among them: its workouts are imported by its own button, once
            # its weight unit is chosen.
            if st.button(f"Save all {len(pending)} recordings", key="upload_save_all",
                         type="primary", icon=":material/save:",
                         help="Each is saved as its box below shows it: your edits, date, "
                              "time, title and notes"
                              + ("; a Strong or Hevy export is imported by its own button"
                                 if exports else "")):
                refused = []
                for label, save_this in pending.values():
                    try:
                        save_this()
                    except Exception as error:  # noqa: BLE001 - a sentence per recording
                        refused.append(f"{label}: {explain(error)}")
                if not refused:
                    st.rerun()
                for message in refused:
                    st.error(f"Not saved: {message}", icon=":material/error:")
