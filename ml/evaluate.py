"""Evaluation CLI: ``python -m ml.evaluate {activity,confidence,reps,segmentation,learning,all}``.

Each subcommand prints its figures beside the protocol (which data was held out, which split)
and writes its artifacts under ``reports/``. Training and evaluation are never run by the app.
``python -m ml.evaluate SUBCOMMAND --help`` lists that subcommand's own options.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand -> module with a ``main(argv) -> int``; imported lazily (Keras loads slowly).
SUBCOMMANDS: dict[str, str] = {
    "activity": "ml.eval_activity",
    "confidence": "ml.eval_confidence",
    "reps": "ml.eval_counting",
    "segmentation": "ml.eval_counting",
    "learning": "ml.eval_learning",
}

_HELP = ("-h", "--help")


def main(argv: list[str] | None = None) -> int:
    # No -h of its own: `SUBCOMMAND --help` goes on to the subcommand's parser, which knows its
    # options (--replay, --with-model, --judges...); only a bare --help is answered here.
    parser = argparse.ArgumentParser(
        prog="python -m ml.evaluate", description=__doc__, add_help=False,
        usage="%(prog)s [-h] {activity,confidence,reps,segmentation,learning,all} [options]",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=[*SUBCOMMANDS, "all"],
                        help="what to evaluate; all runs each in turn")
    args, rest = parser.parse_known_args(argv)
    asks_help = any(token in _HELP for token in rest)
    if args.what is None or (args.what == "all" and asks_help):
        if not asks_help:
            parser.error("choose what to evaluate: " + ", ".join([*SUBCOMMANDS, "all"]))
        parser.print_help()
        return 0
    chosen = list(SUBCOMMANDS) if args.what == "all" else [args.what]
    status = 0
    for name in chosen:
        module = importlib.import_module(SUBCOMMANDS[name])
        status = max(status, int(module.main([name, *rest])))
    return status


if __name__ == "__main__":
    sys.exit(main())
