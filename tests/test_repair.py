"""Repairing submissions before grading: which notebook, and which cell is which."""

import copy
import os

import nbformat
import pytest

from conftest import ROOT, code_cell, markdown_cell, notebook
from helpers.course.hygiene import nbgrader_meta
from helpers.course.project import load_project
from helpers.course.repair import align, find_notebook

ASSIGNMENTS = load_project(ROOT).assignments()
STUB_1 = "# YOUR CODE HERE\nraise NotImplementedError()\nprint(x)"
STUB_2 = "def double(n):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
ANSWERS = {"ex01_answer": "x = 1\nprint(x)", "ex02_answer": "def double(n):\n    return 2 * n"}


def release_notebook() -> nbformat.NotebookNode:
    """A released student version: intro, setup, two exercises (task, answer, test), outro."""
    return notebook(
        markdown_cell("# Exercises\n\nTotal: 3 points", grade_id="intro"),
        code_cell("import math", grade_id="setup", locked=True),
        markdown_cell("## Exercise 1\n\nSet `x` to 1.", grade_id="ex01_task"),
        code_cell(STUB_1, grade_id="ex01_answer", solution=True),
        code_cell("assert x == 1\nprint('exercise 1 passed')", grade_id="ex01_test", grade=True, locked=True, points=1),
        markdown_cell("## Exercise 2\n\nWrite `double(n)`.", grade_id="ex02_task"),
        code_cell(STUB_2, grade_id="ex02_answer", solution=True),
        code_cell("assert double(2) == 4\nprint('exercise 2 passed')", grade_id="ex02_test", grade=True, locked=True, points=2),
        markdown_cell("## Done", grade_id="outro"),
    )


def solved(release: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student's copy of ``release`` with both answers written, run once (outputs and counts)."""
    student = copy.deepcopy(release)
    for cell in student.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in ANSWERS:
            cell.source = ANSWERS[grade_id]
        if cell.cell_type == "code":
            cell.execution_count = 1
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    return student


def stripped(nb: nbformat.NotebookNode, ids: bool = True) -> nbformat.NotebookNode:
    """``nb`` as an editor that drops nbgrader metadata (and, unless ``ids``, cell ids) saves it."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        if not ids:
            cell.pop("id", None)
    return nb


def index_of(nb: nbformat.NotebookNode, grade_id: str) -> int:
    return next(i for i, cell in enumerate(nb.cells) if nbgrader_meta(cell).get("grade_id") == grade_id)


def grade_ids(nb: nbformat.NotebookNode) -> list[str | None]:
    return [nbgrader_meta(cell).get("grade_id") for cell in nb.cells]


def answer_sources(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if nbgrader_meta(c).get("solution")}


def assert_release_cells_in_place(aligned: nbformat.NotebookNode, release: nbformat.NotebookNode) -> None:
    """Every release cell exactly once, in order, with the release's metadata; locked and test cells with its text."""
    graded = [cell for cell in aligned.cells if nbgrader_meta(cell)]
    assert [nbgrader_meta(c)["grade_id"] for c in graded] == grade_ids(release)
    for mine, theirs in zip(graded, release.cells):
        assert mine.metadata == theirs.metadata
        assert mine.cell_type == theirs.cell_type
        if not nbgrader_meta(theirs).get("solution"):
            assert mine.source == theirs.source
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in aligned.cells if c.cell_type == "code")
    nbformat.validate(aligned)


# --- align: the clean cases -----------------------------------------------------------------

def test_untouched_student_version_needs_no_repairs():
    release = release_notebook()
    result = align(copy.deepcopy(release), release)
    assert (result.repairs, result.problems) == ([], [])
    assert_release_cells_in_place(result.notebook, release)
    assert answer_sources(result.notebook) == {"ex01_answer": STUB_1, "ex02_answer": STUB_2}


def test_solved_notebook_keeps_answers_and_drops_outputs():
    release = release_notebook()
    student = solved(release)
    before = copy.deepcopy(student), copy.deepcopy(release)
    result = align(student, release)
    assert (result.repairs, result.problems) == ([], [])
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    assert (student, release) == before, "align must not change its inputs"


@pytest.mark.parametrize("ids", [True, False], ids=["ids kept", "ids stripped"])
def test_stripped_metadata_is_restored(ids):
    release = release_notebook()
    result = align(stripped(solved(release), ids=ids), release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert len(result.notebook.cells) == len(release.cells)
    assert_release_cells_in_place(result.notebook, release)
    evidence = "cell id" if ids else "text"
    assert f"cell 5: nbgrader metadata of ex01_test restored (matched by {evidence})" in result.repairs
    if ids:
        assert "cell 4: nbgrader metadata of ex01_answer restored (matched by cell id)" in result.repairs
    else:
        assert "cell 4: taken as ex01_answer (matched by position)" in result.repairs


# --- align: duplicated, moved and deleted cells ---------------------------------------------

def test_duplicated_answer_cell_first_copy_is_graded_the_other_kept():
    release = release_notebook()
    student = solved(release)
    pasted = copy.deepcopy(student.cells[3])
    pasted.id, pasted.source = "pasted01", "y = 2"
    student.cells.insert(4, pasted)
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    copy_index = index_of(result.notebook, "ex01_answer") + 1
    assert result.notebook.cells[copy_index].source == "y = 2"
    assert "nbgrader" not in result.notebook.cells[copy_index].metadata
    assert result.repairs == ["cell 5: duplicate of ex01_answer kept as an ordinary cell"]


def test_duplicated_test_cell_release_text_wins_and_runs_once():
    release = release_notebook()
    student = solved(release)
    edited = copy.deepcopy(student.cells[4])
    edited.id, edited.source = "pasted02", "print('exercise 1 passed')"
    student.cells.insert(4, edited)  # the edited copy comes first
    result = align(student, release)
    assert grade_ids(result.notebook).count("ex01_test") == 1
    assert_release_cells_in_place(result.notebook, release)
    assert "cell 5: duplicate of ex01_test kept as an ordinary cell" in result.repairs
    assert not any("ex01_test had been edited" in line for line in result.repairs)


def test_duplicated_cells_without_metadata_are_recognised_as_copies():
    release = release_notebook()
    student = stripped(solved(release), ids=False)
    student.cells.insert(5, copy.deepcopy(student.cells[4]))  # the test cell, twice
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    assert "cell 6: duplicate of ex01_test kept as an ordinary cell" in result.repairs


@pytest.mark.parametrize("strip", [False, True], ids=["with metadata", "nothing but text"])
def test_test_moved_above_its_answer_is_put_back(strip):
    release = release_notebook()
    student = solved(release)
    student.cells[3], student.cells[4] = student.cells[4], student.cells[3]
    if strip:
        student = stripped(student, ids=False)
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    assert len(result.notebook.cells) == len(release.cells)
    assert any("moved back to its place in the release order" in line for line in result.repairs)


@pytest.mark.parametrize("strip", [False, True], ids=["with metadata", "nothing but text"])
def test_deleted_test_cell_is_restored(strip):
    release = release_notebook()
    student = solved(release)
    del student.cells[4]
    if strip:
        student = stripped(student, ids=False)
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    assert "ex01_test was missing: restored from the release" in result.repairs


@pytest.mark.parametrize("strip", [False, True], ids=["with metadata", "nothing but text"])
def test_deleted_answer_is_a_problem_and_the_next_answer_is_not_taken(strip):
    release = release_notebook()
    student = solved(release)
    del student.cells[3]
    if strip:
        student = stripped(student, ids=False)
    result = align(student, release)
    assert result.problems == ["answer cell ex01_answer not found: graded as unanswered"]
    assert answer_sources(result.notebook) == {"ex01_answer": STUB_1, "ex02_answer": ANSWERS["ex02_answer"]}
    assert_release_cells_in_place(result.notebook, release)


@pytest.mark.parametrize("strip", [False, True], ids=["with metadata", "nothing but text"])
def test_extra_scratch_cells_stay_where_the_student_put_them(strip):
    release = release_notebook()
    student = solved(release)
    student.cells.insert(7, code_cell("print(double(21))"))  # between answer 2 and test 2
    student.cells.insert(3, code_cell("def helper():\n    return 1"))  # before answer 1
    student.cells.append(markdown_cell("My notes"))
    if strip:
        student = stripped(student, ids=False)
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    sources = [cell.source for cell in result.notebook.cells]
    assert sources.index("def helper():\n    return 1") == index_of(result.notebook, "ex01_answer") - 1
    assert sources.index("print(double(21))") == index_of(result.notebook, "ex02_test") - 1
    assert sources[-1] == "My notes"
    assert len(sources) == len(release.cells) + 3
    if not strip:
        assert result.repairs == []


def test_extra_cell_with_foreign_nbgrader_metadata_loses_it():
    release = release_notebook()
    student = solved(release)
    student.cells.insert(4, code_cell("z = 3", grade_id="cell-1234abcd", solution=True))
    result = align(student, release)
    extra = result.notebook.cells[index_of(result.notebook, "ex01_test") - 1]
    assert extra.source == "z = 3" and "nbgrader" not in extra.metadata
    assert result.repairs == ["cell 5: nbgrader metadata removed (the cell matches none of the release)"]


# --- align: edited cells and notebook metadata ----------------------------------------------

def test_edited_locked_and_test_cells_get_the_release_text_back():
    release = release_notebook()
    student = solved(release)
    student.cells[1].source = "import math\nimport os"
    student.cells[4].source = "print('exercise 1 passed')"  # the student deleted the check
    result = align(student, release)
    assert_release_cells_in_place(result.notebook, release)
    assert result.repairs == [
        "cell 2: setup had been edited: the released text restored",
        "cell 5: ex01_test had been edited: the released text restored",
    ]


def test_edited_test_cell_without_metadata_is_still_recognised():
    release = release_notebook()
    student = stripped(solved(release), ids=False)
    student.cells[4].source = "assert x == 1  # checked by hand\nprint('exercise 1 passed')"
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert_release_cells_in_place(result.notebook, release)
    assert len(result.notebook.cells) == len(release.cells), "the edited copy is the test, not an extra cell"
    assert "cell 5: ex01_test had been edited: the released text restored" in result.repairs


def test_trailing_whitespace_is_not_an_edit():
    release = release_notebook()
    student = solved(release)
    student.cells[4].source += "\n\n"
    student.cells[1].source = student.cells[1].source.replace("math", "math   ")
    assert align(student, release).repairs == []


def test_answer_turned_into_markdown_is_graded_as_code_when_it_is_python():
    release = release_notebook()
    student = solved(release)
    student.cells[3] = nbformat.from_dict({**student.cells[3], "cell_type": "markdown"})
    for key in ("outputs", "execution_count"):
        student.cells[3].pop(key)
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == ANSWERS
    assert result.notebook.cells[index_of(result.notebook, "ex01_answer")].cell_type == "code"
    assert "cell 4: ex01_answer had been turned into markdown: graded as code" in result.repairs


def test_answer_turned_into_markdown_prose_is_a_problem():
    release = release_notebook()
    student = solved(release)
    student.cells[3] = markdown_cell("I set x to one, as asked.")
    student.cells[3].metadata = copy.deepcopy(release.cells[3].metadata)
    result = align(student, release)
    assert result.problems == ["answer cell ex01_answer is markdown that is not Python (cell 4): graded as unanswered"]
    assert answer_sources(result.notebook)["ex01_answer"] == STUB_1
    assert "I set x to one, as asked." in [cell.source for cell in result.notebook.cells]
    assert_release_cells_in_place(result.notebook, release)


def test_wrong_kernelspec_is_replaced_by_the_release_one():
    release = release_notebook()
    release.metadata["language_info"] = {"name": "python", "version": "3.11"}
    student = solved(release)
    student.metadata["kernelspec"] = {"name": "python2", "display_name": "Python 2", "language": "python"}
    student.metadata["language_info"] = {"name": "python", "version": "2.7"}
    result = align(student, release)
    assert result.repairs == ["kernelspec 'python2' replaced by 'python3'"]
    assert result.notebook.metadata["kernelspec"] == release.metadata["kernelspec"]
    assert result.notebook.metadata["language_info"] == release.metadata["language_info"]


def test_pasted_cells_with_a_release_cell_id_get_a_fresh_id():
    release = release_notebook()
    student = stripped(solved(release))
    student.cells.append(copy.deepcopy(student.cells[3]))
    student.cells[-1].source = "x = 2"
    result = align(student, release)
    ids = [cell.id for cell in result.notebook.cells]
    assert len(ids) == len(set(ids)) == len(release.cells) + 1
    assert answer_sources(result.notebook) == ANSWERS


# --- align: the real course -----------------------------------------------------------------

def read_assignment(project, assignment: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """(solution, release) notebooks of ``assignment``."""
    name = f"{assignment}_exercises.ipynb"
    solution = nbformat.read(project.solutions_dir / assignment / name, as_version=4)
    release = nbformat.read(project.exercises_dir / assignment / name, as_version=4)
    return solution, release


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@pytest.mark.parametrize("strip", [False, True], ids=["solution as handed in", "metadata and ids removed"])
def test_solution_as_a_student_aligns_with_the_release(project, assignment, strip):
    solution, release = read_assignment(project, assignment)
    student = stripped(solution, ids=False) if strip else solution
    result = align(student, release)
    assert result.problems == []
    assert answer_sources(result.notebook) == answer_sources(solution)
    assert_release_cells_in_place(result.notebook, release)
    assert len(result.notebook.cells) == len(release.cells), "every solution cell is matched, none left over"


# --- find_notebook --------------------------------------------------------------------------

NAME = "00_x.ipynb"


def touch(folder, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}")


def test_the_expected_name_wins(tmp_path):
    touch(tmp_path, NAME, f"Copy of {NAME}", "notes.ipynb")
    assert find_notebook(tmp_path, NAME) == (tmp_path / NAME, "")


@pytest.mark.parametrize("name", [
    f"Copy of {NAME}", "00_x (1).ipynb", "00_x(2).ipynb", "00_x-Copy1.ipynb", "00_x copy.ipynb",
    "Copy of 00_X (1).IPYNB", "00_x - Copy.ipynb", "Copy of Copy of 00_x copy 2.ipynb",
])
def test_a_renamed_copy_is_found(tmp_path, name):
    touch(tmp_path, name, "notes.ipynb")
    assert find_notebook(tmp_path, NAME) == (tmp_path / name, f"notebook renamed: {name!r} graded as {NAME}")


def test_the_only_notebook_is_taken_whatever_its_name(tmp_path):
    touch(tmp_path, "my homework.ipynb", "readme.txt", ".ipynb_checkpoints/00_x-checkpoint.ipynb", f"._{NAME}")
    assert find_notebook(tmp_path, NAME) == (
        tmp_path / "my homework.ipynb", f"notebook renamed: 'my homework.ipynb' graded as {NAME}",
    )


@pytest.mark.parametrize("names", [("00_x (1).ipynb", "00_x (2).ipynb"), ("a.ipynb", "b.ipynb")])
def test_several_candidates_are_ambiguous(tmp_path, names):
    touch(tmp_path, *names)
    path, reason = find_notebook(tmp_path, NAME)
    assert path is None
    assert "several" in reason and all(repr(name) in reason for name in names)


def test_nothing_to_grade(tmp_path):
    touch(tmp_path, ".ipynb_checkpoints/00_x-checkpoint.ipynb", f".{NAME}", "answers.py")
    assert find_notebook(tmp_path, NAME) == (None, f"no notebook found: expected {NAME}")


@pytest.mark.parametrize("link", [NAME, f"Copy of {NAME}"])
def test_a_symbolic_link_is_refused(tmp_path, link):
    other = tmp_path / "other_student"
    touch(other, NAME)
    folder = tmp_path / "student"
    folder.mkdir()
    os.symlink(other / NAME, folder / link)
    assert find_notebook(folder, NAME) == (None, f"{link} is a symbolic link")


def test_a_linked_folder_is_not_followed(tmp_path):
    touch(tmp_path / "other_student", NAME)
    os.symlink(tmp_path / "other_student", tmp_path / "student")
    assert find_notebook(tmp_path / "student", NAME) == (None, "student is a symbolic link")
