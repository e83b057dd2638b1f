"""The exercise catalog: aliases people type find the right exercises."""

from journal import exercises


def test_pull_up_aliases_find_assisted_pull_ups():
    for typed in ("pull-up", "pullup", "pull ups", "Pull Up", "chin-up"):
        ids = [e.id for e in exercises.match(typed)]
        assert "assisted_pull_up" in ids, typed


def test_every_dataset_label_maps_into_the_catalog():
    codes = [
        "APULL", "IDBC", "SAOCTE", "30DBP", "SACLR", "NGCR", "MTE", "SBLP", "PREC", "DSP",
        "CGCR", "DWC", "MGTBR", "SAODTE", "MSP", "MIBP", "45DBP", "DLR", "30BP", "CGOCTE", "AIDBC",
    ]
    for code in codes:
        assert exercises.from_dataset_label("applewatch-gym", code).id
    for lift in ("bench", "dead", "ohp", "row", "squat", "rest"):
        assert exercises.from_dataset_label("barbell-metamotion", lift).id


def test_unknown_dataset_label_is_a_clear_error():
    try:
        exercises.from_dataset_label("applewatch-gym", "NOPE")
    except ValueError as err:
        assert "NOPE" in str(err)
    else:  # pragma: no cover - the branch that must not happen
        raise AssertionError("unknown label accepted")


def test_exercises_without_data_can_still_be_chosen():
    for typed in ("sit-up", "crunches", "push up"):
        assert exercises.match(typed), typed


def test_press_keeps_its_double_s():
    assert exercises.normalize_name("Bench Press") == "benchpress"
    assert exercises.normalize_name("curls") == "curl"


def test_a_users_own_exercise_shows_its_name_not_its_id():
    own = "custom:hangingkneeraise"
    assert exercises.is_custom_id(own) and not exercises.is_custom_id("custom:")
    assert not exercises.is_custom_id("chin_up")
    assert exercises.display_name("chin_up") == "Chin-up"
    assert exercises.display_name(own, {own: "Hanging knee raise"}) == "Hanging knee raise"
    assert exercises.display_name(own) == "hangingkneeraise"


def test_assisted_exercises_are_marked_so_their_records_read_least_assistance():
    assert exercises.is_assisted("assisted_pull_up")
    assert not exercises.is_assisted("pull_up") and not exercises.is_assisted("barbell_row")
    # The user's own exercises are assisted when named so: "Assisted dip", "Band-assisted …".
    assert exercises.is_assisted("custom:assisteddip")
    assert exercises.is_assisted("custom:bandassistedmuscleup")
    assert not exercises.is_assisted("custom:ringdip")
    # Every catalog entry named "assisted" is marked (an assisted dip added later must be too).
    for entry in exercises.CATALOG:
        assert entry.assisted == ("assisted" in entry.name.casefold()), entry.id
