"""Evaluation CLI: ``python -m ml.evaluate {activity,confidence,reps,segmentation,learning,all}``.

Each subcommand prints its figures beside the protocol (which data was held out, which split)
and writes its artifacts under ``reports/``. Training and evaluation are never run by the app.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ml.evaluate", description=__doc__)
    parser.add_argument("what", choices=[*SUBCOMMANDS, "all"])
    args, rest = parser.parse_known_args(argv)
    chosen = list(SUBCOMMANDS) if args.what == "all" else [args.what]
    status = 0
    for name in chosen:
        module = importlib.import_module(SUBCOMMANDS[name])
        status = max(status, int(module.main([name, *rest])))
    return status


if __name__ == "__main__":
    sys.exit(main())
