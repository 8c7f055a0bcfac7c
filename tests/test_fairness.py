"""Every exercise accepts correct answers in other styles and refuses gamed and classic wrong ones, graded for real.

The answer banks in ``tests/answers/`` hold, for each answer cell of each assignment, correct answers written
in other styles than the reference and wrong answers (gamed or classic) with the text their test must show.
Submission ``correct_K`` is the reference solution with the K-th correct alternative of every exercise put in
its answer cell; ``wrong_K`` the same with the K-th wrong answer. Each assignment's submissions are graded
once by ``grade_batch`` (nbgrader's gradebook, the sandbox, ``--jobs 2``) with the course data folder, as an
instructor grades: the test cells run as nbgrader runs them, hidden tests included. Select one assignment
with ``-k 00_pytorch`` (only that assignment is graded).
"""

import pytest

from answers import BANKS
from helpers.course import hygiene
from helpers.course.grading import Settings, grade_batch
from helpers.course.submission import BROKEN, Result
from submissions import answer_source, course_data, read_pair, submit, with_answers

pytestmark = pytest.mark.slow

#: Seconds per notebook: a short limit (nothing here loops forever), roomy for chapter 03's training.
BUDGETS = {"03_pytorch_computer_vision": 240.0}
DEFAULT_BUDGET = 120.0


def slots(bank: dict[str, list]) -> int:
    """How many submissions a bank needs: one per alternative of its longest list."""
    return max((len(answers) for answers in bank.values()), default=0)


def submission_answers(assignment: str, kind: str, k: int) -> dict[str, object]:
    """The answers ``correct_K`` / ``wrong_K`` puts in, by answer cell (0-based ``k``)."""
    bank = BANKS[assignment]
    if kind == "correct":
        return {grade_id: answers[k] for grade_id, answers in bank.CORRECT.items() if k < len(answers)}
    return {grade_id: answers[k][0] for grade_id, answers in bank.WRONG.items() if k < len(answers)}


def student(kind: str, k: int) -> str:
    return f"{kind}_{k + 1}"


@pytest.fixture(scope="module")
def graded(project, tmp_path_factory):
    """A function: assignment -> {student: Result}, grading each assignment's bank once, on first use."""
    cache: dict[str, dict[str, Result]] = {}
    data = course_data(tmp_path_factory.mktemp("course_data"))

    def grade(assignment: str) -> dict[str, Result]:
        if assignment not in cache:
            solution, _ = read_pair(project, assignment)
            folder = tmp_path_factory.mktemp(f"fair_{assignment}")
            bank = BANKS[assignment]
            for kind, answers in (("correct", bank.CORRECT), ("wrong", bank.WRONG)):
                for k in range(slots(answers)):
                    submit(folder, student(kind, k), with_answers(solution, submission_answers(assignment, kind, k)), assignment)
            settings = Settings(jobs=2, budget=BUDGETS.get(assignment, DEFAULT_BUDGET), data_dir=data)
            batch = grade_batch(project, folder, tmp_path_factory.mktemp(f"graded_{assignment}"), settings)
            cache[assignment] = {r.student: r for r in batch.results}
        return cache[assignment]

    return grade


def answer_tests(project, assignment: str) -> dict[str, dict[str, float]]:
    """Each answer cell's test cells and their points."""
    return hygiene.tests_of_answers(read_pair(project, assignment)[0])


def exercise_outcomes(result: Result, tests: dict[str, float]) -> list:
    return [o for o in result.outcomes if o.grade_id in tests]


def shown(outcomes: list) -> str:
    return "\n".join(f"{o.grade_id} ({o.points:g}/{o.max_points:g}): {o.message}" for o in outcomes if o.message)


def cases(kind: str) -> list:
    """``(assignment, answer cell, k)`` for every answer of that kind in every bank."""
    return [
        pytest.param(assignment, grade_id, k, id=f"{assignment}-{grade_id}-{k + 1}")
        for assignment, bank in BANKS.items()
        for grade_id, answers in (bank.CORRECT if kind == "correct" else bank.WRONG).items()
        for k in range(len(answers))
    ]


@pytest.mark.parametrize("assignment", list(BANKS))
def test_every_exercise_has_correct_alternatives_and_wrong_answers(project, assignment):
    answer_cells = set(answer_tests(project, assignment))
    bank = BANKS[assignment]
    assert set(bank.CORRECT) == answer_cells, "every answer cell needs correct alternatives (and no stale ones)"
    assert set(bank.WRONG) == answer_cells, "every answer cell needs wrong answers (and no stale ones)"
    thin = {g: len(a) for g, a in bank.CORRECT.items() if len(a) < 2}
    assert not thin, f"at least two correct alternatives per exercise: {thin}"


@pytest.mark.parametrize(("assignment", "grade_id", "k"), cases("correct"))
def test_a_correct_answer_in_another_style_earns_full_points(project, graded, assignment, grade_id, k):
    result = graded(assignment)[student("correct", k)]
    assert result.status != BROKEN, result.reason
    outcomes = exercise_outcomes(result, answer_tests(project, assignment)[grade_id])
    answer = answer_source(read_pair(project, assignment)[0], grade_id, BANKS[assignment].CORRECT[grade_id][k])
    assert outcomes and all(o.points == o.max_points for o in outcomes), (
        f"correct answer {k + 1} of {grade_id} lost points:\n{shown(outcomes)}\n--- the answer:\n{answer}"
    )


@pytest.mark.parametrize(("assignment", "grade_id", "k"), cases("wrong"))
def test_a_wrong_answer_earns_nothing_and_says_why(project, graded, assignment, grade_id, k):
    result = graded(assignment)[student("wrong", k)]
    assert result.status != BROKEN, result.reason
    outcomes = exercise_outcomes(result, answer_tests(project, assignment)[grade_id])
    _, message = BANKS[assignment].WRONG[grade_id][k]
    assert outcomes and all(o.points == 0 for o in outcomes), f"wrong answer {k + 1} of {grade_id} earned points:\n{shown(outcomes)}"
    assert message in shown(outcomes), f"the test should say {message!r}; it said:\n{shown(outcomes)}"


@pytest.mark.parametrize("assignment", list(BANKS))
def test_an_answer_costs_only_its_own_exercise(project, graded, assignment):
    """In every bank submission, the exercises that kept the reference answer (or got a correct one) earn full points."""
    tests = answer_tests(project, assignment)
    bank = BANKS[assignment]
    for k in range(slots(bank.WRONG)):
        result = graded(assignment)[student("wrong", k)]
        for grade_id, cells in tests.items():
            if k < len(bank.WRONG.get(grade_id, [])):
                continue
            outcomes = exercise_outcomes(result, cells)
            assert all(o.points == o.max_points for o in outcomes), f"{student('wrong', k)}: {grade_id} lost points:\n{shown(outcomes)}"
    for k in range(slots(bank.CORRECT)):
        result = graded(assignment)[student("correct", k)]
        assert result.score == result.max_score > 0, f"{student('correct', k)}:\n{shown(result.outcomes)}"
        assert not result.tampering, result.reason
