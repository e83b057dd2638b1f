"""``python -m ml.evaluate SUBCOMMAND --help``: each subcommand's own options (nothing is run)."""

from __future__ import annotations

import pytest

from ml import evaluate


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What ``main(argv)`` prints, checking that it ends with exit code 0."""
    try:
        code = evaluate.main(argv)
    except SystemExit as exit_:  # argparse's --help exits
        code = exit_.code
    captured = capsys.readouterr()
    assert code in (0, None), captured.err
    return captured.out


@pytest.mark.parametrize(
    ("subcommand", "options"),
    [
        ("activity", ["--replay", "--protocols", "--ensemble"]),
        ("confidence", ["--cost-of-wrong", "--report"]),
        ("reps", ["--sessions", "--build-seeds"]),
        ("segmentation", ["--with-model", "--judges"]),
        ("learning", ["--ks", "--exercise"]),
    ],
)
def test_subcommand_help_lists_that_subcommands_own_options(subcommand, options, capsys):
    for flag in ("--help", "-h"):
        out = _help([subcommand, flag], capsys)
        assert all(option in out for option in options), out
        assert "{activity,confidence,reps,segmentation,learning,all}" not in out
        # The usage line names the command the user typed, not an inner module.
        assert out.startswith("usage: python -m ml.evaluate "), out.splitlines()[0]


@pytest.mark.parametrize("argv", [["--help"], ["all", "--help"]])
def test_top_level_help_names_the_subcommands_and_how_to_see_their_options(argv, capsys):
    out = _help(argv, capsys)
    assert "activity,confidence,reps,segmentation,learning,all" in out
    assert "SUBCOMMAND --help" in out
