"""Small factories for graded submissions: read an assignment, change its answer cells, lay it out as nbgrader does."""

import re
from pathlib import Path

import nbformat

from helpers.course import hygiene
from helpers.course.project import Project
from helpers.vision import raw_folder, write_offline_split

SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)

#: An answer in a bank: a whole answer cell, or ``(old, new)``: the reference answer with ``old`` replaced by ``new``.
Answer = str | tuple[str, str]


def notebook_name(assignment: str) -> str:
    """The file name of an assignment's notebook."""
    return f"{assignment}_exercises.ipynb"


def read_pair(project: Project, assignment: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The assignment's solution (source) notebook and its student version."""
    name = notebook_name(assignment)
    solution = nbformat.read(project.solutions_dir / assignment / name, as_version=4)
    student = nbformat.read(project.exercises_dir / assignment / name, as_version=4)
    return solution, student


def exercise_points(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Points per answer cell: the test cells after an answer belong to it."""
    return {answer: sum(tests.values()) for answer, tests in hygiene.tests_of_answers(nb).items()}


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    """The cell whose nbgrader grade id is ``grade_id``."""
    return next(c for c in nb.cells if hygiene.nbgrader_meta(c).get("grade_id") == grade_id)


def reference_answer(solution: nbformat.NotebookNode, grade_id: str) -> str:
    """The solution's answer for ``grade_id`` as a student would type it (no solution markers)."""
    return SOLUTION_MARKERS.sub("", cell_by_id(solution, grade_id).source)


def answer_source(solution: nbformat.NotebookNode, grade_id: str, answer: Answer) -> str:
    """The source of ``answer``: a whole cell as given, or an ``(old, new)`` change of the reference answer."""
    if isinstance(answer, str):
        return answer
    old, new = answer
    reference = reference_answer(solution, grade_id)
    assert old in reference, f"the reference answer of {grade_id} no longer contains {old!r}"
    return reference.replace(old, new, 1)


def with_answers(solution: nbformat.NotebookNode, answers: dict[str, Answer]) -> nbformat.NotebookNode:
    """The solution with the given answer cells replaced (the others keep the reference answer)."""
    nb = nbformat.from_dict(solution)
    for grade_id, answer in answers.items():
        cell_by_id(nb, grade_id).source = answer_source(solution, grade_id, answer)
    return nb


def solve(student: nbformat.NotebookNode, solution: nbformat.NotebookNode, grade_id: str) -> None:
    """Put the solution's answer for ``grade_id`` into the student's notebook, as a student would type it."""
    cell_by_id(student, grade_id).source = reference_answer(solution, grade_id)


def submit(folder: Path, student: str, nb: nbformat.NotebookNode | str, assignment: str) -> None:
    """Write ``nb`` (or raw text) as ``student``'s submission of ``assignment``, in nbgrader's layout."""
    path = folder / student / assignment / notebook_name(assignment)
    path.parent.mkdir(parents=True)
    if isinstance(nb, str):
        path.write_text(nb)
    else:
        nbformat.write(nb, path)


def course_data(folder: Path) -> Path:
    """An instructor's data folder holding MNIST's files (the offline split), readable by the kernels' user ids."""
    write_offline_split(raw_folder(folder))
    for path in [folder, *folder.rglob("*")]:  # pytest makes its folders 0700
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


def cell_errors(graded_notebook: Path, grade_id: str) -> list[str]:
    """The errors a graded notebook's cell shows, as ``Name: message``."""
    cell = cell_by_id(nbformat.read(graded_notebook, as_version=4), grade_id)
    return [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
