"""What grading found, per test cell and per submission (plain data, no logic)."""

from dataclasses import dataclass, field

#: The test passed: the kernel's reply and the outputs agree that it ran to its end without an error.
PASSED = "passed"
#: The test ran and raised (a failing check, an error in the student's code it called, ...).
FAILED = "failed"
#: The test never ran (the notebook's time budget ran out, the kernel could not be restarted, ...).
NOT_RUN = "not run"
#: The test ran while something it relies on had been replaced: no points, flagged for review.
NOT_COUNTED = "not counted"


@dataclass
class TestOutcome:
    """The result of one graded test cell.

    Attributes:
        grade_id: The test cell's nbgrader ``grade_id``.
        points: Points earned.
        max_points: Points available.
        status: One of :data:`PASSED`, :data:`FAILED`, :data:`NOT_RUN`, :data:`NOT_COUNTED`.
        message: What the student is shown: the failing check's message (``CheckError: ...``),
            or why the test did not run or does not count. Empty when it passed.
    """

    grade_id: str
    points: float
    max_points: float
    status: str
    message: str = ""


@dataclass
class Flag:
    """Something a person should look at; a flag alone costs no points.

    Attributes:
        where: The cell (``grade_id`` or ``cell N``) or file it concerns.
        kind: A short name for what was found, e.g. ``"replaced torch.allclose"``.
        detail: One line with the evidence.
    """

    where: str
    kind: str
    detail: str = ""


@dataclass
class Tampering:
    """Something the tests rely on was replaced while the notebook ran.

    Attributes:
        cell: The cell after which it was first seen (``grade_id`` or ``cell N``).
        changes: What was replaced, one line each (``torch.allclose``, ``IPython post_run_cell hook``, ...).
    """

    cell: str
    changes: list[str] = field(default_factory=list)
