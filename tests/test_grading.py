"""The nbgrader pipeline end to end, with nbgrader's own API and a real sqlite gradebook.

One module-scoped run autogrades a folder of submissions built from the chapter-00
assignment: the reference solution, the untouched student version, one submission per
exercise with only that exercise solved, and submissions with typical problems.
"""

import csv
import re
from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENT_00
from helpers.course import hygiene, nbgrading

pytestmark = pytest.mark.slow

NOTEBOOK = f"{ASSIGNMENT_00}_exercises.ipynb"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)


def exercise_points(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Points per answer cell: the test cells after an answer belong to it."""
    points: dict[str, float] = {}
    current = None
    for cell in nb.cells:
        meta = hygiene.nbgrader_meta(cell)
        if meta.get("solution"):
            current = meta["grade_id"]
            points[current] = 0.0
        elif hygiene.is_test_cell(cell):
            assert current, f"test cell {meta['grade_id']} comes before any answer cell"
            points[current] += meta["points"]
    return points


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if hygiene.nbgrader_meta(c).get("grade_id") == grade_id)


def solve(student: nbformat.NotebookNode, solution: nbformat.NotebookNode, grade_id: str) -> None:
    """Put the solution's answer for ``grade_id`` into the student's notebook, as a student would type it."""
    cell_by_id(student, grade_id).source = SOLUTION_MARKERS.sub("", cell_by_id(solution, grade_id).source)


@pytest.fixture(scope="module")
def notebooks(project):
    solution = nbformat.read(project.solutions_dir / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    student = nbformat.read(project.exercises_dir / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    return solution, student


@pytest.fixture(scope="module")
def points(notebooks):
    return exercise_points(notebooks[0])


def submit(folder: Path, student: str, nb: nbformat.NotebookNode | str) -> None:
    path = folder / student / ASSIGNMENT_00 / NOTEBOOK
    path.parent.mkdir(parents=True)
    if isinstance(nb, str):
        path.write_text(nb)
    else:
        nbformat.write(nb, path)


@pytest.fixture(scope="module")
def grading(project, notebooks, points, tmp_path_factory):
    """Autograde every submission once; return (results by student, working folder)."""
    solution, student = notebooks
    folder = tmp_path_factory.mktemp("submissions")
    submit(folder, "reference", solution)
    submit(folder, "blank", student)
    for grade_id in points:
        one = nbformat.from_dict(student)
        solve(one, solution, grade_id)
        submit(folder, f"only_{grade_id}", one)

    wrong_shape = nbformat.from_dict(solution)
    cell_by_id(wrong_shape, "ex01_answer").source = "random_tensor = torch.rand(7, 1)"
    submit(folder, "wrong_shape", wrong_shape)

    # A student's function that warns while the test cell runs it: stderr must not cost points.
    noisy = nbformat.from_dict(solution)
    cell_by_id(noisy, "ex02_answer").source += (
        "\n\n_solved = matmul_with_row\n\n"
        "def matmul_with_row(matrix, row):\n"
        "    import warnings\n"
        "    warnings.warn('a leftover debugging warning')\n"
        "    return _solved(matrix, row)\n"
    )
    submit(folder, "noisy", noisy)

    crashing = nbformat.from_dict(solution)
    cell_by_id(crashing, "ex01_answer").source = "import os\nos._exit(1)"
    submit(folder, "kernel_dies", crashing)
    submit(folder, "not_json", '{"cells": [ this is not a notebook')

    workdir = tmp_path_factory.mktemp("course")
    results = nbgrading.autograde(project, folder, workdir)
    return {g.student: g for g in results}, workdir


def test_exercises_are_in_sync_with_solutions(project, tmp_path):
    assert nbgrading.out_of_sync(project, tmp_path) == []


def test_stated_total_matches_the_gradebook(notebooks, points, grading):
    stated = re.search(r"Total: (\d+) points", notebooks[0].cells[0].source)
    assert float(stated.group(1)) == sum(points.values()) == grading[0]["reference"].max_score


def test_reference_solution_gets_full_marks(grading):
    reference = grading[0]["reference"]
    assert reference.ok, reference.problem
    assert reference.score == reference.max_score > 0
    assert all(score == maximum for score, maximum in reference.grades.values())


def test_untouched_student_version_gets_zero_without_crashing(grading):
    blank = grading[0]["blank"]
    assert blank.ok, blank.problem
    assert blank.score == 0
    assert blank.max_score == grading[0]["reference"].max_score


def test_one_solved_exercise_earns_exactly_its_points(grading, points):
    results = grading[0]
    for grade_id, worth in points.items():
        only = results[f"only_{grade_id}"]
        assert only.ok, only.problem
        assert only.score == worth, f"solving only {grade_id} gave {only.score}, expected {worth}: {only.grades}"


def test_wrong_shape_names_expected_and_actual_shape(grading, points):
    results, workdir = grading
    wrong = results["wrong_shape"]
    assert wrong.score == wrong.max_score - points["ex01_answer"]
    graded = nbformat.read(workdir / "autograded" / "wrong_shape" / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    error = next(o for o in cell_by_id(graded, "ex01_test").outputs if o.output_type == "error")
    assert error.ename == "CheckError"
    assert "random_tensor has the wrong shape." in error.evalue
    assert "expected: (7, 7)" in error.evalue and "got:      (7, 1)" in error.evalue


def test_warnings_in_test_cells_cost_no_points(grading):
    results, workdir = grading
    noisy = results["noisy"]
    assert noisy.score == noisy.max_score
    graded = nbformat.read(workdir / "autograded" / "noisy" / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    shown = "".join(o.get("text", "") for o in cell_by_id(graded, "ex02_test").outputs)
    assert "a leftover debugging warning" in shown


@pytest.mark.parametrize(
    ("student", "cause"),
    [("kernel_dies", "DeadKernelError: Kernel died"), ("not_json", "NotJSONError: Notebook does not appear to be JSON")],
)
def test_broken_submissions_are_graded_as_broken_and_the_rest_still_graded(grading, student, cause):
    results = grading[0]
    broken = results[student]
    assert not broken.ok
    assert broken.score == 0 and broken.max_score == results["reference"].max_score
    assert broken.problem.startswith(cause)
    assert all(g.ok for name, g in results.items() if name not in ("kernel_dies", "not_json"))


def test_grades_csv_lists_every_graded_student(grading):
    results, workdir = grading
    with open(workdir / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["reference"]["score"]) == results["reference"].max_score
    assert float(rows["blank"]["score"]) == 0
    assert float(rows["only_ex01_answer"]["score"]) == results["only_ex01_answer"].score


def test_validate_button_passes_the_solution_and_explains_a_wrong_shape(project, notebooks, tmp_path):
    solution, student = notebooks
    assert nbgrading.validate(project, project.solutions_dir / ASSIGNMENT_00 / NOTEBOOK) == {}

    attempt = nbformat.from_dict(student)
    cell_by_id(attempt, "ex01_answer").source = "random_tensor = torch.rand(7, 1)"
    solve(attempt, solution, "ex02_answer")
    path = tmp_path / NOTEBOOK
    nbformat.write(attempt, path)
    failed = nbgrading.validate(project, path)["failed"]
    errors = "\n".join(f["raw_error"] for f in failed)
    assert "expected: (7, 7)" in errors and "got:      (7, 1)" in errors
    assert not any("matmul_with_row" in f["source"] for f in failed), "the solved exercise 2 must pass"
