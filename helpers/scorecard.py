"""Per-exercise results of an exercise notebook: what passes, what fails and why, the points so far.

Two places show the same scorecard: :func:`helpers.check_all` in a student's own
notebook (Colab or Jupyter), and the course's *Validate* button and
``python -m helpers.course validate``. Both turn the notebook's test cells into
:class:`CellResult` s; this module groups them by exercise and formats them::

    ✓ Exercise 1 · A random tensor          1/1
    ✗ Exercise 2 · A matrix times a row     0/2
    Points so far: 1 of 3 (visible tests; the grader adds hidden ones)

    Exercise 2 · A matrix times a row
      matmul_with_row(...) has the wrong shape.
        expected: (7, 1)
        got:      (7, 7)
      Hint: ...
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_HEADING = re.compile(r"^#{1,6}\s*(Exercise\b.*?)\s*(\(\s*\d+(?:\.\d+)?\s*points?\s*\))?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class CellResult:
    """One test cell's outcome.

    Attributes:
        grade_id: The test cell's nbgrader id.
        exercise: The title of the exercise the cell belongs to.
        points: Points earned.
        max_points: Points the cell is worth.
        message: Why it failed (empty when it passed).
    """

    grade_id: str
    exercise: str
    points: float
    max_points: float
    message: str = ""


@dataclass
class ExerciseResult:
    """The test cells of one exercise, added up."""

    title: str
    points: float = 0.0
    max_points: float = 0.0
    messages: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every test cell of the exercise passed."""
        return not self.messages and self.points == self.max_points


@dataclass
class Scorecard:
    """Every exercise of a notebook; ``str()`` (or showing it in a notebook) gives the summary."""

    exercises: list[ExerciseResult]
    notes: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        """Points earned so far."""
        return sum(e.points for e in self.exercises)

    @property
    def max_points(self) -> float:
        """Points the visible tests are worth."""
        return sum(e.max_points for e in self.exercises)

    @property
    def passed(self) -> bool:
        """Every exercise passed and nothing else is wrong."""
        return all(e.passed for e in self.exercises) and not self.notes

    def summary(self) -> str:
        """One line per exercise, then the points so far (just the notes when there are no exercises)."""
        if not self.exercises:
            return "\n".join(self.notes)
        width = max((len(e.title) for e in self.exercises), default=0)
        lines = [
            f"{'✓' if e.passed else '✗'} {e.title.ljust(width)}  {_points(e.points)}/{_points(e.max_points)}"
            for e in self.exercises
        ]
        lines.append(
            f"Points so far: {_points(self.points)} of {_points(self.max_points)}"
            " (visible tests; the grader adds hidden ones)"
        )
        return "\n".join(lines + self.notes)

    def details(self) -> list[tuple[str, str]]:
        """``(exercise title, message)`` for every failing exercise."""
        return [(e.title, "\n\n".join(e.messages)) for e in self.exercises if e.messages]

    def __str__(self) -> str:
        blocks = [self.summary()]
        blocks += [f"{title}\n" + _indent(message) for title, message in self.details()]
        return "\n\n".join(blocks)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def _points(value: float) -> str:
    return f"{value:g}"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


NOT_ANSWERED = "Not answered yet: the answer cell still raises NotImplementedError."


def failure_message(ename: str, evalue: str) -> str:
    """What a student is told about a test cell that raised ``ename: evalue``.

    A failed check's own message stands alone; an unanswered exercise and a
    missing name get a line on what to do.
    """
    if ename == "CheckError":
        return evalue
    if ename == "NotImplementedError":
        return NOT_ANSWERED
    text = f"{ename}: {evalue}" if evalue else ename
    if ename == "NameError":
        return text + "\nHint: define it in the answer cell with exactly the name the exercise asks for, and run that cell."
    return text


def exercise_title(markdown: str) -> str | None:
    """The exercise title in a task cell's heading, without its points.

    ``"## Exercise 2 · A matrix times a row (2 points)"`` -> ``"Exercise 2 · A matrix times a row"``;
    ``None`` when the cell has no exercise heading.
    """
    found = _HEADING.search(markdown)
    return found.group(1).strip() if found else None


def is_test_cell(cell: Any) -> bool:
    """An nbgrader test cell: graded code that is not an answer."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell["cell_type"] == "code" and bool(meta.get("grade")) and not meta.get("solution")


def exercise_cells(nb: Any) -> list[tuple[str, Any]]:
    """``(exercise title, cell)`` for every nbgrader code cell (answers and tests), in order.

    A cell belongs to the exercise whose heading came last before it; a cell
    before any heading is named by its grade id.
    """
    found, title = [], None
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown":
            title = exercise_title(_source(cell)) or title
        elif cell["cell_type"] == "code" and (meta.get("grade") or meta.get("solution")):
            found.append((title or meta.get("grade_id", "a test cell"), cell))
    return found


def exercise_tests(nb: Any) -> list[tuple[str, Any]]:
    """``(exercise title, cell)`` for every test cell, in order (see :func:`exercise_cells`)."""
    return [(title, cell) for title, cell in exercise_cells(nb) if is_test_cell(cell)]


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def scorecard(results: Iterable[CellResult], notes: Iterable[str] = ()) -> Scorecard:
    """Group test results by exercise, keeping the notebook's order.

    Args:
        results: One per test cell.
        notes: Problems that belong to no exercise (e.g. a changed read-only cell).
    """
    exercises: dict[str, ExerciseResult] = {}
    for result in results:
        exercise = exercises.setdefault(result.exercise, ExerciseResult(result.exercise))
        exercise.points += result.points
        exercise.max_points += result.max_points
        if result.message:
            exercise.messages.append(result.message)
    return Scorecard(list(exercises.values()), list(notes))
