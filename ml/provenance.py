"""Where a model or a figure came from: library versions and the machine's processor.

The processor matters: training is seeded and gives identical files on one machine, but
TensorFlow picks its CPU kernels (oneDNN) by instruction set, and other kernels round
differently. On one applewatch-gym fold, switching oneDNN off changed 9% of the held-out
windows' best class, and seed 0 of the same applewatch-gym evaluation named 0.940 of the
families right on one machine type and 0.974 on another.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

#: Instruction sets that decide which kernels TensorFlow runs.
_KERNEL_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "fma")


def library_versions(
    names: tuple[str, ...] = ("numpy", "keras", "tensorflow-cpu", "tensorflow", "scikit-learn",
                              "pandas", "scipy"),
) -> dict[str, str]:
    """Python's version and each installed package's of ``names`` (missing ones left out)."""
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def machine(cpuinfo: Path = Path("/proc/cpuinfo")) -> dict[str, object]:
    """The processor: model name, cores, and the instruction sets TensorFlow's kernels use."""
    name, flags = platform.processor() or platform.machine(), set[str]()
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass  # not Linux: the model name from platform is all there is
    return {"cpu": name, "cores": os.cpu_count(),
            "instructions": [f for f in _KERNEL_FLAGS if f in flags]}
