"""Provenance written into model cards: which processor the figures and files came from."""

from __future__ import annotations

from pathlib import Path

from ml.provenance import library_versions, machine

CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 9B14
flags\t\t: fpu sse2 avx2 fma avx512f avx512_bf16 sha_ni
"""


def test_the_card_names_the_processor_and_the_instruction_sets_tensorflow_uses(
    tmp_path: Path,
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(CPUINFO)
    found = machine(cpuinfo)
    assert found["cpu"] == "AMD EPYC 9B14"
    assert found["instructions"] == ["avx2", "avx512f", "avx512_bf16", "fma"]


def test_a_machine_without_cpuinfo_still_gets_a_processor_entry(tmp_path: Path) -> None:
    found = machine(tmp_path / "missing")
    assert found["cpu"] and found["instructions"] == []


def test_library_versions_name_python_and_only_installed_packages() -> None:
    versions = library_versions(("numpy", "no-such-package-here"))
    assert set(versions) == {"python", "numpy"}
