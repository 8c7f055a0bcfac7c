"""Notebook hygiene: every committed notebook follows the rules, and each rule catches what it should."""

from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENT_00, ROOT, code_cell, course_notebook, markdown_cell, notebook, parameters_cell
from helpers.course import hygiene
from helpers.course.project import load_project

PROJECT = load_project(ROOT)
ALL_NOTEBOOKS = PROJECT.teaching_notebooks() + PROJECT.solution_notebooks() + PROJECT.exercise_notebooks()


def test_the_chapter_00_notebooks_exist():
    names = {PROJECT.relative(p) for p in ALL_NOTEBOOKS}
    assert "notebooks/00_pytorch_fundamentals.ipynb" in names
    assert f"solutions/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb" in names
    assert f"exercises/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb" in names


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: PROJECT.relative(p))
def test_committed_notebook_follows_every_rule(path):
    assert hygiene.problems(path, PROJECT) == []


def graded_cells(path: Path) -> tuple[list, list]:
    nb = nbformat.read(path, as_version=4)
    answers = [c for c in nb.cells if hygiene.nbgrader_meta(c).get("solution")]
    return answers, [c for c in nb.cells if hygiene.is_test_cell(c)]


def test_chapter_00_has_at_least_ten_graded_exercises():
    answers, tests = graded_cells(PROJECT.solutions_dir / ASSIGNMENT_00 / f"{ASSIGNMENT_00}_exercises.ipynb")
    assert len(answers) >= 10 and len(tests) >= 10


@pytest.mark.parametrize("path", PROJECT.solution_notebooks(), ids=lambda p: PROJECT.relative(p))
def test_every_exercise_has_a_test_cell_with_hidden_tests(path):
    answers, tests = graded_cells(path)
    assert len(answers) >= 5 and len(tests) >= len(answers)
    assert all("### BEGIN HIDDEN TESTS" in c.source for c in tests), "every test cell needs hidden tests"


# --- each rule on a notebook built to break it ---------------------------------------------

PATH = ROOT / "notebooks" / "99_example.ipynb"


def good() -> nbformat.NotebookNode:
    return course_notebook(PROJECT, PATH, code_cell("x = 1"))


def test_a_well_formed_notebook_has_no_problems():
    nb = good()
    for check in (hygiene.check_kernelspec, hygiene.check_no_outputs, hygiene.check_parameters, hygiene.check_code_cells):
        assert check(nb) == []
    assert hygiene.check_badge(nb, PATH, PROJECT) == []
    assert hygiene.check_setup_cell(nb, PROJECT) == []


def test_kernelspec_must_be_python3():
    nb = good()
    nb.metadata.kernelspec["name"] = "conda-env-torch"
    assert hygiene.check_kernelspec(nb) == ["kernelspec is 'conda-env-torch', expected 'python3'"]


def test_outputs_are_not_committed():
    nb = good()
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    assert hygiene.check_no_outputs(nb) == ["cell 3 has outputs or an execution count (clear them before committing)"]


def test_badge_must_point_at_this_notebook_from_the_configured_repository():
    nb = course_notebook(PROJECT, ROOT / "notebooks" / "01_other.ipynb")
    [problem] = hygiene.check_badge(nb, PATH, PROJECT)
    assert "01_other.ipynb" in problem and PROJECT.colab_url(PATH) in problem
    nb.cells[0].source = "# Title\n\nno badge"
    assert "missing" in hygiene.check_badge(nb, PATH, PROJECT)[0]


def test_assignment_badges_open_the_student_version():
    solution = ROOT / "solutions" / "00_x" / "00_x.ipynb"
    assert PROJECT.colab_url(solution).endswith("/blob/main/exercises/00_x/00_x.ipynb")


def test_setup_cell_installs_from_the_configured_repository():
    nb = good()
    nb.cells[1].source = 'subprocess.run(["pip", "install", "pytorch-course-helpers @ git+https://github.com/someone/fork"])'
    [problem] = hygiene.check_setup_cell(nb, PROJECT)
    assert "someone/fork" in problem


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([], "expected one cell tagged 'parameters', found 0"),
        ([parameters_cell(), parameters_cell()], "expected one cell tagged 'parameters', found 2"),
        ([parameters_cell("EPOCHS = 10")], "the parameters cell must set SMOKE = True or False"),
        ([parameters_cell("SMOKE = 'yes'")], "the parameters cell must set SMOKE = True or False"),
    ],
)
def test_parameters_cell_needs_a_smoke_switch(cells, expected):
    assert hygiene.check_parameters(notebook(*cells)) == [expected]


@pytest.mark.parametrize("source", ["!ls data", "%%bash\nls", "  !pip install torch", "%system ls"])
def test_shell_cells_are_rejected(source):
    assert "shell command" in hygiene.check_code_cells(notebook(code_cell(source)))[0]


def test_ipython_line_magics_and_valid_python_pass_but_syntax_errors_fail():
    assert hygiene.check_code_cells(notebook(code_cell("%matplotlib inline\nx = 1"))) == []
    assert "not valid Python" in hygiene.check_code_cells(notebook(code_cell("def f(:")))[0]


# --- nbgrader metadata ---------------------------------------------------------------------

def assignment(*cells, total: str = "Total: 3 points") -> nbformat.NotebookNode:
    return notebook(markdown_cell(f"# Exercises\n\n{total}", grade_id="intro"), *cells)


def answer(grade_id: str = "ex01_answer") -> nbformat.NotebookNode:
    return code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", grade_id=grade_id, solution=True)


def checks(grade_id: str = "ex01_test", points=3, source: str = "assert x == 1\nprint('ok')", locked=True) -> nbformat.NotebookNode:
    return code_cell(source, grade_id=grade_id, grade=True, locked=locked, points=points)


def test_valid_assignment_metadata_passes():
    assert hygiene.check_nbgrader(assignment(answer(), checks()), source=True) == []


def test_nbgrader_rules_each_report_their_problem():
    def only(nb, source=True):
        [problem] = hygiene.check_nbgrader(nb, source=source)
        return problem

    old_schema = answer()
    old_schema.metadata.nbgrader["schema_version"] = 1
    assert "schema_version must be 3" in only(assignment(old_schema, checks()))
    assert "duplicate grade_id" in only(assignment(answer(), checks(), answer(), checks("ex02_test", points=0.5), total="Total: 3.5 points"))
    assert "positive points" in only(assignment(answer(), checks(points=0), total="Total: 0 points"))
    assert "BEGIN SOLUTION" in only(assignment(code_cell("x = 1", grade_id="a", solution=True), checks()))
    assert "must be locked" in only(assignment(answer(), checks(locked=False)))
    assert "partial credit" in only(assignment(answer(), checks(source="assert x == 1\nx")))
    assert "states 5 points" in only(assignment(answer(), checks(), total="Total: 5 points"))
    assert "state the total" in only(assignment(answer(), checks(), total="no total here"))
    assert "still contains" in only(assignment(answer(), checks()), source=False)
    assert hygiene.check_nbgrader(notebook(code_cell("x = 1")), source=True) == ["no nbgrader cells: not an assignment notebook"]
