"""Benchmarks: speed and size figures, each printed beside the protocol that produced it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure: what, how much, in what unit, measured how."""

    name: str
    value: float
    unit: str
    protocol: str

    def line(self) -> str:
        return f"{self.name}: {self.value:.4g} {self.unit}  [{self.protocol}]"
