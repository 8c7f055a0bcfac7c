"""What a student is told per exercise: ``check_all()`` in the notebook, and the Validate button."""

import json
import re

import nbformat
import pytest
from IPython.testing.globalipapp import start_ipython

from conftest import ASSIGNMENT_00, code_cell, markdown_cell
from helpers.checks import CheckError, fail
from helpers.course import validating
from helpers.course.lab import dialog_value
from helpers.scorecard import NOT_ANSWERED, CellResult, exercise_tests, exercise_title, failure_message, scorecard
from helpers.self_check import check_all, run_test
from submissions import cell_by_id, notebook_name, read_pair, solve

NOTEBOOK = notebook_name(ASSIGNMENT_00)


def exercise_notebook() -> nbformat.NotebookNode:
    """Two exercises: the first with two test cells (1 + 2 points), the second with one (3 points)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        markdown_cell("# Exercises\n\nTotal: 6 points"),
        markdown_cell("## Exercise 1 · Double it (3 points)\n\nWrite `double`."),
        code_cell("def double(x):\n    return 2 * x", grade_id="ex01_answer", solution=True),
        code_cell("assert double(2) == 4\nprint('ok')", grade_id="ex01_test_a", grade=True, locked=True, points=1),
        code_cell(
            "if double(0.5) != 1.0:\n    fail('double(0.5) is wrong.', 1.0, double(0.5), 'multiply by 2.')\nprint('ok')",
            grade_id="ex01_test_b", grade=True, locked=True, points=2,
        ),
        markdown_cell("## Exercise 2 · Halve it (3 points)"),
        code_cell("def halve(x):\n    raise NotImplementedError()", grade_id="ex02_answer", solution=True),
        code_cell("assert halve(4) == 2\nprint('ok')", grade_id="ex02_test", grade=True, locked=True, points=3),
    ]
    return nb


def test_exercise_titles_drop_the_points_and_group_the_test_cells():
    assert exercise_title("## Exercise 2 · A matrix times a row (2 points)") == "Exercise 2 · A matrix times a row"
    assert exercise_title("### Exercise 10 · Last (1 point)\n\ntext") == "Exercise 10 · Last"
    assert exercise_title("# Intro\n\nNo exercise here") is None
    tests = exercise_tests(exercise_notebook())
    assert [(title, c.metadata.nbgrader.grade_id) for title, c in tests] == [
        ("Exercise 1 · Double it", "ex01_test_a"), ("Exercise 1 · Double it", "ex01_test_b"), ("Exercise 2 · Halve it", "ex02_test"),
    ]


def test_scorecard_adds_points_per_exercise_and_lists_failures():
    card = scorecard([
        CellResult("a", "Exercise 1 · One", 1, 1),
        CellResult("b", "Exercise 1 · One", 0, 2, "b is wrong.\n  expected: 1\n  got:      2"),
        CellResult("c", "Exercise 2 · Two", 3, 3),
    ])
    assert (card.points, card.max_points, card.passed) == (4, 6, False)
    text = str(card)
    assert "✗ Exercise 1 · One  1/3" in text and "✓ Exercise 2 · Two  3/3" in text
    assert "Points so far: 4 of 6" in text
    assert text.endswith("Exercise 1 · One\n  b is wrong.\n    expected: 1\n    got:      2")
    assert scorecard([CellResult("a", "Exercise 1 · One", 1, 1)]).passed
    assert not scorecard([CellResult("a", "E", 0.5, 1)]).passed, "partial credit is not a pass"


def test_failure_messages_say_what_to_do():
    assert failure_message("CheckError", "x is wrong.") == "x is wrong."
    assert failure_message("NotImplementedError", "") == NOT_ANSWERED
    assert "exactly the name the exercise asks for" in failure_message("NameError", "name 'x' is not defined")
    assert failure_message("ZeroDivisionError", "division by zero") == "ZeroDivisionError: division by zero"


def test_check_all_runs_every_test_cell_in_the_callers_namespace():
    namespace = {"fail": fail}
    exec("def double(x):\n    return x * x", namespace)  # right for 2, wrong for 0.5
    exec("def halve(x):\n    raise NotImplementedError()", namespace)
    card = check_all(exercise_notebook(), namespace)
    assert [(e.title, e.points, e.max_points) for e in card.exercises] == [
        ("Exercise 1 · Double it", 1, 3), ("Exercise 2 · Halve it", 0, 3),
    ]
    details = dict(card.details())
    assert details["Exercise 1 · Double it"].startswith("double(0.5) is wrong.\n  expected: 1.0\n  got:      0.25")
    assert details["Exercise 2 · Halve it"] == NOT_ANSWERED
    assert run_test("print('swallowed')", {}) == ""


def test_check_all_finds_the_notebook_jupyter_names(tmp_path, monkeypatch):
    path = tmp_path / "exercise.ipynb"
    nbformat.write(exercise_notebook(), path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    namespace = {"fail": fail, "double": lambda x: 2 * x, "halve": lambda x: x / 2}
    card = check_all(namespace=namespace)
    assert card.passed and card.points == 6
    assert check_all(tmp_path / "not_here.ipynb", namespace=namespace).passed, "a path that is not here: the running notebook"
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "missing.ipynb"))
    lost = check_all(namespace=namespace)
    assert lost.exercises == [] and "pass its path" in str(lost) and not lost.passed


def test_check_all_stands_aside_while_a_grader_runs_the_notebook(monkeypatch):
    for variable, value in (("COURSE_GRADING", "1"), ("NBGRADER_EXECUTION", "autograde")):
        with monkeypatch.context() as patch:
            patch.setenv(variable, value)
            card = check_all(exercise_notebook(), {})
            assert card.exercises == [] and "skipped while the notebook is graded" in str(card)


def test_a_failed_check_shows_its_message_not_a_traceback_in_ipython(capsys):
    shell = start_ipython()
    shell.run_cell("from helpers.checks import check_shape\nimport torch\ncheck_shape(torch.zeros(7, 1), (7, 7), name='random_tensor')")
    shown = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    assert "CheckError: random_tensor has the wrong shape." in shown and "got:      (7, 1)" in shown
    assert "Traceback" not in shown and "checks.py" not in shown
    shell.run_cell("import helpers; helpers.show_traceback()")
    full = capsys.readouterr().out
    assert "Traceback (most recent call last)" in full and "checks.py" in full
    assert isinstance(CheckError("x"), AssertionError)


@pytest.mark.slow
def test_validate_scores_each_exercise_and_explains_a_wrong_shape(project, tmp_path):
    solution, student = read_pair(project, ASSIGNMENT_00)
    assert validating.validate(project, project.solutions_dir / ASSIGNMENT_00 / NOTEBOOK).passed

    attempt = nbformat.from_dict(student)
    cell_by_id(attempt, "ex01_answer").source = "random_tensor = torch.rand(7, 1)"
    solve(attempt, solution, "ex02_answer")
    path = tmp_path / NOTEBOOK
    nbformat.write(attempt, path)
    card = validating.validate(project, path)
    by_title = {e.title.split(" · ")[0]: e for e in card.exercises}
    assert by_title["Exercise 2"].passed and by_title["Exercise 2"].points == 2
    assert not by_title["Exercise 1"].passed
    assert "expected: (7, 7)" in by_title["Exercise 1"].messages[0] and "got:      (7, 1)" in by_title["Exercise 1"].messages[0]
    assert by_title["Exercise 3"].messages == [NOT_ANSWERED]
    assert card.points == 2 and card.max_points == 21

    dialog = dialog_value(card)["failed"]
    assert len(dialog) == 1 and "Points so far: 2 of 21" in dialog[0]["source"]
    assert "<b>Exercise 1 · A random tensor</b>" in dialog[0]["error"] and "Traceback" not in dialog[0]["error"]
    assert dialog_value(validating.validate(project, project.solutions_dir / ASSIGNMENT_00 / NOTEBOOK)) == {}


def test_the_validate_dialog_escapes_what_a_submission_prints():
    card = scorecard([CellResult("a", "Exercise 1 · <i>One</i>", 0, 1, "got: <img src=x onerror=alert(1)>")])
    error = dialog_value(card)["failed"][0]["error"]
    assert "<img" not in error and "&lt;img src=x" in error and "&lt;i&gt;One" in error


def test_check_all_in_colab_reads_the_notebook_from_the_front_end(monkeypatch):
    """Colab keeps the notebook in Drive; its front end hands it over (cell sources as lists of lines)."""
    import sys
    import types

    colab_json = json.loads(nbformat.writes(exercise_notebook()))  # as on disk: sources are lists of lines
    assert isinstance(colab_json["cells"][2]["source"], list)
    asked = []

    def blocking_request(kind, **options):
        asked.append(kind)
        return {"ipynb": colab_json}

    message = types.SimpleNamespace(blocking_request=blocking_request)
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", types.SimpleNamespace(_message=message))
    card = check_all("Copy of exercise.ipynb", {"fail": fail, "double": lambda x: 2 * x, "halve": lambda x: x / 2})
    assert asked == ["get_ipynb"] and card.passed and card.points == 6
