"""Run every benchmark (or those named); one line per figure: ``python -m benchmarks``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterable
from typing import cast

import benchmarks
from benchmarks import Figure


def _benchmark_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    names = _benchmark_modules()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("only", nargs="*", help=f"benchmarks to run (default all): {names}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.only) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {names}")
    for name in args.only or names:
        module = importlib.import_module(f"benchmarks.{name}")
        run = cast(Callable[[], Iterable[Figure]], module.run)
        print(f"== {name}: {(module.__doc__ or '').strip().splitlines()[0]}", flush=True)
        for figure in run():
            print(figure.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
