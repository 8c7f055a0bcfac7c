"""The grading pipeline end to end: the sandboxed parallel grader, nbgrader's gradebook (sqlite).

One module-scoped run grades a folder of submissions built from every assignment, the way
`python -m helpers.course grade --budget 240` does:
the reference solution, the untouched student version, and two submissions that solve alternate
exercises (the others left blank). Chapter 00 adds submissions with typical problems (a wrong shape, a noisy
warning, a crashing kernel, a file that is not a notebook); chapter 02 adds the classic
classification mistakes, whose feedback must name them; chapter 03 puts classic mistakes in six
of its exercises into one submission. The kernels read MNIST from a read-only
course data folder (``--data``), as an instructor's grading would. Cheats and hostile submissions
are in tests/test_adversarial.py; correct answers in other styles and wrong ones in tests/test_fairness.py.
"""

import csv
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENT_00, ROOT
from helpers.course import hygiene, nbgrading
from helpers.course.grading import Settings, grade_batch
from helpers.course.outcomes import PASSED
from helpers.course.project import load_project
from helpers.course.submission import BROKEN, Result
from submissions import cell_by_id, course_data, exercise_points, notebook_name, read_pair, solve, submit

pytestmark = pytest.mark.slow

ASSIGNMENTS = load_project(ROOT).assignments()
ASSIGNMENT_02 = "02_pytorch_classification"
ASSIGNMENT_03 = "03_pytorch_computer_vision"
NOTEBOOK = f"{ASSIGNMENT_00}_exercises.ipynb"


@pytest.fixture(scope="module")
def notebooks(project):
    """Chapter 00's solution and student version."""
    return read_pair(project, ASSIGNMENT_00)


#: Seconds per notebook: several times what the slowest reference solution (chapter 03) takes.
BUDGET = 240.0

#: Two submissions per assignment solve alternate exercises (1, 3, 5, ... and 2, 4, 6, ...), the others left blank.
HALVES = ("odd_exercises", "even_exercises")


def half_of(solution: nbformat.NotebookNode, half: str) -> list[str]:
    """The answer cells that submission ``half`` solves."""
    return list(exercise_points(solution))[HALVES.index(half)::2]


def add_problem_submissions(folder: Path, solution: nbformat.NotebookNode) -> None:
    """Chapter 00 submissions with the typical problems a grader meets."""
    wrong_shape = nbformat.from_dict(solution)
    cell_by_id(wrong_shape, "ex01_answer").source = "random_tensor = torch.rand(7, 1)"
    submit(folder, "wrong_shape", wrong_shape, ASSIGNMENT_00)

    # A student's function that warns while the test cell runs it: stderr must not cost points.
    noisy = nbformat.from_dict(solution)
    cell_by_id(noisy, "ex02_answer").source += (
        "\n\n_solved = matmul_with_row\n\n"
        "def matmul_with_row(matrix, row):\n"
        "    import warnings\n"
        "    warnings.warn('a leftover debugging warning')\n"
        "    return _solved(matrix, row)\n"
    )
    submit(folder, "noisy", noisy, ASSIGNMENT_00)

    crashing = nbformat.from_dict(solution)
    cell_by_id(crashing, "ex01_answer").source = "import os\nos._exit(1)"
    submit(folder, "kernel_dies", crashing, ASSIGNMENT_00)
    submit(folder, "not_json", '{"cells": [ this is not a notebook', ASSIGNMENT_00)


#: Chapter 02 submissions with one classic mistake each: (student, answer cell, the change, how feedback names it).
CLASSIFICATION_MISTAKES = [
    ("unsqueezed_logits", "ex04_answer", ("model(X_train).squeeze(1)", "model(X_train)"), "unsqueezed logits"),
    ("float_labels", "ex10_answer", ("loss_fn(model(X_train), y_train)", "loss_fn(model(X_train), y_train.float())"),
     "float labels given to CrossEntropyLoss"),
    ("softmax_before_loss", "ex10_answer", ("nn.Linear(64, 3),\n", "nn.Linear(64, 3),\n        nn.Softmax(dim=1),\n"),
     "ends with a softmax"),
]


def add_classification_mistakes(folder: Path, solution: nbformat.NotebookNode) -> None:
    for student, grade_id, (old, new), _ in CLASSIFICATION_MISTAKES:
        mistaken = nbformat.from_dict(solution)
        answer = cell_by_id(mistaken, grade_id)
        assert old in answer.source, f"{grade_id} no longer contains {old!r}"
        answer.source = answer.source.replace(old, new)
        submit(folder, student, mistaken, ASSIGNMENT_02)


#: A chapter 03 submission with a classic mistake in each of several exercises (one submission keeps CI short):
#: (answer cell, the change, how that exercise's test names it).
VISION_MISTAKES = [
    ("ex02_answer", ("DataLoader(test, batch_size=batch_size, shuffle=False)", "DataLoader(test, batch_size=batch_size, shuffle=True)"),
     "the test loader shuffles"),
    ("ex03_answer", ("return self.classifier(self.block_2(self.block_1(x)))",
                     "return self.classifier(self.block_2(self.block_1(x))).softmax(dim=1)"), "returns probabilities, not logits"),
    ("ex04_answer", ("    model.eval()\n", ""), "ran the model in training mode: call model.eval()"),
    ("ex06_answer", ("    model.eval()\n", ""), "ran the model in training mode: call model.eval()"),
    ("ex07_answer", ("y_true.long() * num_classes + y_pred.long()", "y_pred.long() * num_classes + y_true.long()"),
     "rows and columns swapped (transposed)"),
    ("ex09_answer", ("return torch.nonzero(y_true != y_pred).flatten()", "return y_true != y_pred"), "returns a mask, not indices"),
]


def add_vision_mistakes(folder: Path, solution: nbformat.NotebookNode) -> None:
    mistaken = nbformat.from_dict(solution)
    for grade_id, (old, new), _ in VISION_MISTAKES:
        answer = cell_by_id(mistaken, grade_id)
        assert old in answer.source, f"{grade_id} no longer contains {old!r}"
        answer.source = answer.source.replace(old, new)
    submit(folder, "vision_mistakes", mistaken, ASSIGNMENT_03)


@pytest.fixture(scope="module")
def grading(project, tmp_path_factory):
    """Autograde every submission once; return (results by (student, assignment), working folder)."""
    folder = tmp_path_factory.mktemp("submissions")
    for assignment in ASSIGNMENTS:
        solution, student = read_pair(project, assignment)
        submit(folder, "reference", solution, assignment)
        submit(folder, "blank", student, assignment)
        for half in HALVES:
            partial = nbformat.from_dict(student)
            for grade_id in half_of(solution, half):
                solve(partial, solution, grade_id)
            submit(folder, half, partial, assignment)
    add_problem_submissions(folder, read_pair(project, ASSIGNMENT_00)[0])
    add_classification_mistakes(folder, read_pair(project, ASSIGNMENT_02)[0])
    add_vision_mistakes(folder, read_pair(project, ASSIGNMENT_03)[0])

    data = course_data(tmp_path_factory.mktemp("course_data"))  # the instructor's data folder: MNIST's files
    workdir = tmp_path_factory.mktemp("course")
    # A fixed budget, to spare the reference runs that size it (test_cli's `course --smoke` covers sizing).
    batch = grade_batch(project, folder, workdir, Settings(jobs=2, feedback=True, data_dir=data, budget=BUDGET))
    return {(g.student, g.assignment): g for g in batch.results}, workdir


def result(graded, student: str, assignment: str = ASSIGNMENT_00) -> Result:
    return graded[0][(student, assignment)]


def points_of(graded: Result) -> dict[str, tuple[float, float]]:
    return {o.grade_id: (o.points, o.max_points) for o in graded.outcomes}


def test_exercises_are_in_sync_with_solutions(project, tmp_path):
    assert nbgrading.out_of_sync(project, tmp_path) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stated_total_matches_the_gradebook(project, grading, assignment):
    solution, _ = read_pair(project, assignment)
    stated = re.search(r"Total: (\d+) points", solution.cells[0].source)
    assert float(stated.group(1)) == sum(exercise_points(solution).values()) == result(grading, "reference", assignment).max_score


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_gets_full_marks(grading, assignment):
    reference = result(grading, "reference", assignment)
    assert reference.status != BROKEN, reference.reason
    assert reference.score == reference.max_score > 0
    assert all(o.status == PASSED for o in reference.outcomes), reference.outcomes
    assert not reference.flags and not reference.tampering, reference.reason


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_student_version_gets_zero_without_crashing(grading, assignment):
    blank = result(grading, "blank", assignment)
    assert blank.status == "graded", blank.reason
    assert blank.score == 0
    assert blank.max_score == result(grading, "reference", assignment).max_score


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("half", HALVES)
def test_each_solved_exercise_earns_exactly_its_points(project, grading, assignment, half):
    """Exercises stand alone: with the exercises before and after each one left blank, every solved
    exercise earns its points and every blank one none. (tests/test_fairness.py adds wrong answers in
    other exercises; one submission per exercise would cost CI about five minutes.)"""
    solution = read_pair(project, assignment)[0]
    solved = set(half_of(solution, half))
    graded = result(grading, half, assignment)
    assert graded.status != BROKEN, graded.reason
    earned = {o.grade_id: o.points for o in graded.outcomes}
    for grade_id, tests in hygiene.tests_of_answers(solution).items():
        for test, worth in tests.items():
            expected = worth if grade_id in solved else 0.0
            assert earned[test] == expected, f"{test} earned {earned[test]}, expected {expected} ({half}): {points_of(graded)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_run_all_on_the_student_version_fails_only_in_answer_and_test_cells(project, grading, assignment):
    """The untouched student version: answer cells raise NotImplementedError (or define a stub), every test
    cell fails, and no read-only cell fails (nbgrader's ``validate --invert`` idea)."""
    graded = nbformat.read(grading[1] / "autograded" / "blank" / assignment / notebook_name(assignment), as_version=4)
    for cell in graded.cells:
        if cell.cell_type != "code":
            continue
        meta = hygiene.nbgrader_meta(cell)
        errors = [o.ename for o in cell.outputs if o.output_type == "error"]
        if meta.get("solution"):
            assert set(errors) <= {"NotImplementedError"}, f"{meta['grade_id']}: {errors}"
        elif hygiene.is_test_cell(cell):
            assert errors, f"{meta['grade_id']} passes on the untouched stub"
        else:
            assert not errors, f"the read-only cell {meta['grade_id']} fails in the student version: {errors}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grading_writes_nothing_beside_the_notebook(grading, assignment):
    """Files an exercise writes (saved models, data) must go to a temporary folder."""
    reference = result(grading, "reference", assignment)
    assert not [n for n in reference.notes if "beside the notebook" in n], reference.notes
    graded_folder = grading[1] / "autograded" / "reference" / assignment
    assert {p.name for p in graded_folder.iterdir()} == {notebook_name(assignment)}


def test_wrong_shape_names_expected_and_actual_shape(project, grading):
    wrong = result(grading, "wrong_shape")
    points = exercise_points(read_pair(project, ASSIGNMENT_00)[0])
    assert wrong.score == wrong.max_score - points["ex01_answer"]
    graded = nbformat.read(grading[1] / "autograded" / "wrong_shape" / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    error = next(o for o in cell_by_id(graded, "ex01_test").outputs if o.output_type == "error")
    assert error.ename == "CheckError"
    assert "random_tensor has the wrong shape." in error.evalue
    assert "expected: (7, 7)" in error.evalue and "got:      (7, 1)" in error.evalue


@pytest.mark.parametrize(("student", "grade_id", "named"), [(m[0], m[1], m[3]) for m in CLASSIFICATION_MISTAKES])
def test_classic_classification_mistakes_cost_their_exercise_and_are_named(project, grading, student, grade_id, named):
    graded = result(grading, student, ASSIGNMENT_02)
    points = exercise_points(read_pair(project, ASSIGNMENT_02)[0])
    assert graded.status != BROKEN, graded.reason
    assert graded.score == graded.max_score - points[grade_id]
    path = grading[1] / "autograded" / student / ASSIGNMENT_02 / notebook_name(ASSIGNMENT_02)
    test_cell = cell_by_id(nbformat.read(path, as_version=4), grade_id.replace("_answer", "_test"))
    error = next(o for o in test_cell.outputs if o.output_type == "error")
    assert error.ename == "CheckError"
    assert named in error.evalue.splitlines()[0], error.evalue


def test_several_vision_mistakes_each_cost_their_exercise_and_are_named(project, grading):
    graded = result(grading, "vision_mistakes", ASSIGNMENT_03)
    points = exercise_points(read_pair(project, ASSIGNMENT_03)[0])
    mistaken = {grade_id: named for grade_id, _, named in VISION_MISTAKES}
    assert len(mistaken) == len(VISION_MISTAKES) >= 5, "one mistake per exercise"
    assert graded.status != BROKEN, graded.reason
    assert graded.score == graded.max_score - sum(points[g] for g in mistaken), points_of(graded)
    path = grading[1] / "autograded" / "vision_mistakes" / ASSIGNMENT_03 / notebook_name(ASSIGNMENT_03)
    nb = nbformat.read(path, as_version=4)
    for grade_id, named in mistaken.items():
        error = next(o for o in cell_by_id(nb, grade_id.replace("_answer", "_test")).outputs if o.output_type == "error")
        assert error.ename == "CheckError"
        assert named in error.evalue.splitlines()[0], error.evalue


def test_warnings_in_test_cells_cost_no_points(grading):
    noisy = result(grading, "noisy")
    assert noisy.score == noisy.max_score
    graded = nbformat.read(grading[1] / "autograded" / "noisy" / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    shown = "".join(o.get("text", "") for o in cell_by_id(graded, "ex02_test").outputs)
    assert "a leftover debugging warning" in shown


def test_a_crashing_kernel_costs_only_the_exercise_that_crashed_it(project, grading):
    """os._exit in exercise 1: the kernel is restarted, the read-only cells run again, the rest is graded."""
    crashed = result(grading, "kernel_dies")
    points = exercise_points(read_pair(project, ASSIGNMENT_00)[0])
    assert crashed.status != BROKEN, crashed.reason
    assert crashed.score == crashed.max_score - points["ex01_answer"], points_of(crashed)
    assert any("kernel died" in note for note in crashed.notes), crashed.notes


def test_a_file_that_is_not_a_notebook_is_broken_and_the_rest_still_graded(grading):
    broken = result(grading, "not_json")
    assert broken.status == BROKEN
    assert broken.score == 0 and broken.max_score == result(grading, "reference").max_score
    assert "is not a readable notebook" in broken.reason and "JSON" in broken.reason, broken.reason
    assert all(g.status != BROKEN for (name, _), g in grading[0].items() if name != "not_json")


def test_grades_csv_lists_every_graded_student(grading):
    with open(grading[1] / "grades.csv") as handle:
        rows = {(row["student_id"], row["assignment"]): row for row in csv.DictReader(handle)}
    for assignment in ASSIGNMENTS:
        reference = result(grading, "reference", assignment)
        assert float(rows[("reference", assignment)]["score"]) == reference.max_score
        assert float(rows[("blank", assignment)]["score"]) == 0
