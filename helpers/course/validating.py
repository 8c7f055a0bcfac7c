"""Validate a notebook the way nbgrader's *Validate* button does, and say per exercise what passed.

nbgrader's own validator lists every failing cell with its whole source and
traceback and never says which exercises passed or what they are worth. This
runs the same validator (the course's ``nbgrader_config.py``: its timeout and
kernel settings) and turns its executed notebook into a
:class:`~helpers.scorecard.Scorecard`: one line per exercise, the points so far,
and each failing check's message. ``python -m helpers.course validate`` prints
it, and the course's JupyterLab extension (:mod:`helpers.course.lab`) shows it in
the Validate dialog.
"""

import os
from pathlib import Path

import nbformat

from helpers.course.nbgrading import course_config
from helpers.course.project import Project
from helpers.scorecard import NOT_ANSWERED, CellResult, Scorecard, exercise_cells, failure_message, is_test_cell, scorecard


def _first_line(source: str) -> str:
    line = next((ln for ln in source.strip().splitlines() if ln.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _cell_message(cell: nbformat.NotebookNode, points: float, max_points: float) -> str:
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return failure_message(output.ename, output.evalue)
        if output.output_type == "stream" and output.name == "stderr":
            return "The test wrote to stderr (the grader counts that as a failure):\n" + output.text.strip()
    return "" if points >= max_points else f"Partial credit: {points:g} of {max_points:g} points."


def validate(project: Project, notebook: Path) -> Scorecard:
    """Run ``notebook`` as nbgrader's validator does and score each exercise's visible tests.

    Args:
        project: The course (its nbgrader settings are used).
        notebook: The notebook to validate.

    Returns:
        The scorecard; changed read-only cells are listed as notes.
    """
    from nbgrader import utils
    from nbgrader.validator import Validator

    validator = Validator(config=course_config(project))
    notebook = Path(notebook).resolve()
    nb = nbformat.read(notebook, as_version=4)
    retyped = validator._get_type_changed_cells(nb)
    if retyped:
        return scorecard([], [
            f"A {c.metadata.nbgrader.cell_type} cell was turned into a {c.cell_type} cell: "
            f"{_first_line(c.source)!r}. Change it back (Cell type menu) and validate again."
            for c in retyped
        ])
    with utils.chdir(os.fspath(notebook.parent)):
        nb = validator._preprocess(nb)
    notes = [
        f"A read-only cell was changed: {_first_line(c['source'])!r}. Undo the change (or start from a fresh copy):"
        " the grader uses the original."
        for c in ([] if validator.ignore_checksums else validator._get_changed_cells(nb))
    ]
    results, unanswered = [], set()
    for title, cell in exercise_cells(nb):
        if not is_test_cell(cell):
            if any(o.output_type == "error" and o.ename == "NotImplementedError" for o in cell.get("outputs", [])):
                unanswered.add(title)
            continue
        points, max_points = utils.determine_grade(cell)
        points = points or 0.0
        message = _cell_message(cell, points, max_points)
        if message and title in unanswered:
            message = NOT_ANSWERED
        results.append(CellResult(cell.metadata.nbgrader.grade_id, title, points, max_points, message))
    return scorecard(results, notes)
