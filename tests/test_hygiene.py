"""Notebook hygiene: every committed notebook follows the rules, and each rule catches what it should."""

from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENT_00, ROOT, code_cell, course_notebook, markdown_cell, notebook, parameters_cell
from helpers.course import hygiene
from helpers.course.project import Project, load_project
from helpers.course.setup_cell import setup_cell_source

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
    nb.cells[1].source = nb.cells[1].source.replace(PROJECT.repository, "https://github.com/someone/fork")
    [problem] = hygiene.check_setup_cell(nb, PROJECT)
    assert "line 9 is" in problem and "someone/fork" in problem and PROJECT.repository in problem
    assert "helpers.course fix" in problem


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda s: s.replace("capture_output=True, text=True,", "check=True,"), "line 10 is '        check=True,'"),
        (lambda s: s.rsplit("\n", 2)[0], "it ends at line 17, expected 19 lines"),
        (lambda s: s + "\nimport torch", "it goes on after line 19 with 'import torch'"),
    ],
)
def test_setup_cell_must_be_the_whole_canonical_text(edit, where):
    nb = good()
    nb.cells[1].source = edit(nb.cells[1].source)
    [problem] = hygiene.check_setup_cell(nb, PROJECT)
    assert where in problem, problem


def test_fix_rewrites_the_whole_setup_cell_and_keeps_its_metadata():
    nb = good()
    old_style = (
        "import importlib.util, subprocess, sys\n"
        'if importlib.util.find_spec("helpers") is None:\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "x @ git+https://github.com/someone/fork"], check=True)'
    )
    nb.cells[1] = code_cell(old_style, grade_id="setup", locked=True)
    hygiene.apply_fixes(nb, PATH, PROJECT)
    assert nb.cells[1].source == setup_cell_source(PROJECT.install_spec)
    assert nb.cells[1].metadata.nbgrader["grade_id"] == "setup"
    assert hygiene.check_setup_cell(nb, PROJECT) == []


def test_fix_leaves_a_markdown_second_cell_alone():
    nb = notebook(markdown_cell("# Title"), markdown_cell("Some prose."))
    hygiene.apply_fixes(nb, PATH, PROJECT)
    assert nb.cells[1].source == "Some prose."


# --- Colab links in every markdown cell ----------------------------------------------------

EXISTING = f"exercises/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb"
TEACHING_00 = PROJECT.notebooks_dir / "00_pytorch_fundamentals.ipynb"
COLAB = "https://colab.research.google.com/github"


def with_link(url: str) -> nbformat.NotebookNode:
    """A notebook on a real path (its badge opens a file that exists) whose last cell links to ``url``."""
    nb = course_notebook(PROJECT, TEACHING_00, code_cell("x = 1"))
    nb.cells.append(markdown_cell(f"## Next\n\nDo [the exercises]({url}) now, then read on."))
    return nb


def test_a_colab_link_to_a_file_of_the_configured_repository_passes():
    nb = with_link(f"{COLAB}/{PROJECT.github_name}/blob/{PROJECT.branch}/{EXISTING}")
    assert hygiene.check_colab_links(nb, PROJECT) == []
    before = nbformat.writes(nb)
    hygiene.apply_fixes(nb, TEACHING_00, PROJECT)
    assert nbformat.writes(nb) == before


def test_a_wrong_repository_link_in_a_later_cell_is_reported_and_fixed():
    nb = with_link(f"{COLAB}/someone/old-course/blob/main/{EXISTING}#exercise-3")
    [problem] = hygiene.check_colab_links(nb, PROJECT)
    assert problem.startswith("cell 4: ")
    assert "opens someone/old-course@main" in problem and f"expected {PROJECT.github_name}@{PROJECT.branch}" in problem
    hygiene.apply_fixes(nb, TEACHING_00, PROJECT)
    expected = f"{COLAB}/{PROJECT.github_name}/blob/{PROJECT.branch}/{EXISTING}#exercise-3"
    assert nb.cells[4].source == f"## Next\n\nDo [the exercises]({expected}) now, then read on."
    assert hygiene.check_colab_links(nb, PROJECT) == []


def test_a_wrong_branch_is_reported_and_fixed():
    nb = with_link(f"{COLAB}/{PROJECT.github_name}/blob/old-branch/{EXISTING}")
    [problem] = hygiene.check_colab_links(nb, PROJECT)
    assert f"opens {PROJECT.github_name}@old-branch" in problem
    hygiene.apply_fixes(nb, TEACHING_00, PROJECT)
    assert f"({COLAB}/{PROJECT.github_name}/blob/{PROJECT.branch}/{EXISTING})" in nb.cells[4].source
    assert hygiene.check_colab_links(nb, PROJECT) == []


def test_a_link_to_a_missing_file_is_reported_and_fix_keeps_its_path():
    nb = with_link(f"{COLAB}/{PROJECT.github_name}/blob/{PROJECT.branch}/exercises/99_gone/99_gone.ipynb")
    [problem] = hygiene.check_colab_links(nb, PROJECT)
    assert problem.startswith("cell 4: ") and "exercises/99_gone/99_gone.ipynb, which is not a file in the repository" in problem
    before = nb.cells[4].source
    hygiene.apply_fixes(nb, TEACHING_00, PROJECT)
    assert nb.cells[4].source == before


def test_colab_links_in_code_cells_are_left_alone():
    nb = course_notebook(PROJECT, TEACHING_00, code_cell(f'url = "{COLAB}/someone/else/blob/main/x.ipynb"'))
    assert hygiene.check_colab_links(nb, PROJECT) == []
    hygiene.apply_fixes(nb, TEACHING_00, PROJECT)
    assert "someone/else" in nb.cells[3].source


def test_every_link_of_a_moved_course_is_reported(tmp_path):
    """A fork that changed the configured address sees each teaching notebook's links, badge and closing link."""
    moved = Project(root=ROOT, repository="https://github.com/a-school/its-fork", branch="main", package=PROJECT.package)
    path = PROJECT.notebooks_dir / "00_pytorch_fundamentals.ipynb"
    problems = hygiene.check_colab_links(nbformat.read(path, as_version=4), moved)
    assert len(problems) >= 2 and all("expected a-school/its-fork@main" in p for p in problems)
    assert any(EXISTING in p for p in problems), "the closing link to the exercises is checked too"


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


def test_contributing_shows_the_setup_cell_that_fix_writes():
    shown = "\n".join(("   " + line) if line else "" for line in setup_cell_source(PROJECT.install_spec).split("\n"))
    assert shown in (ROOT / "CONTRIBUTING.md").read_text(), "CONTRIBUTING.md's setup cell is out of date"
