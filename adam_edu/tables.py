"""Plain-text tables for the notebooks: numbers formatted by the caller, columns aligned here."""

from __future__ import annotations

import math
from typing import Iterable, Optional, Sequence

__all__ = ["formatted", "table"]


def formatted(value: Optional[float], spec: str) -> str:
    """A number for a table cell, or "—" for None and nan (no value: not reached, not defined)."""
    return "—" if value is None or math.isnan(value) else format(value, spec)


def table(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A plain-text table with aligned columns (numbers formatted by the caller)."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)
