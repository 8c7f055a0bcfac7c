"""Plain-text tables for the course report."""

from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Format rows as a left-aligned text table with a rule under the header.

    Args:
        headers: Column titles.
        rows: One sequence of cells per row; cells are converted with ``str``.
    """
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_results(results: dict[str, Any], limit: int = 6) -> str:
    """Short ``name=value`` summary of a notebook's recorded results."""
    parts = []
    for name, value in list(results.items())[:limit]:
        parts.append(f"{name}={value:.4g}" if isinstance(value, float) else f"{name}={value}")
    if len(results) > limit:
        parts.append(f"(+{len(results) - limit} more)")
    return ", ".join(parts) or "-"


def format_points(score: float, max_score: float) -> str:
    """``score / max`` without needless decimals."""
    return f"{score:g} / {max_score:g}"
