"""The course command line, run as a real subprocess (what `make` calls)."""

import json
import re

import pytest

from conftest import ASSIGNMENT_00, copy_course
from conftest import course_cli as course
from helpers.course import hygiene
from helpers.course.grading import MIN_BUDGET

pytestmark = pytest.mark.slow


def test_check_passes_on_the_committed_course():
    result = course("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exercises/ is in sync" in result.stdout


def test_check_notices_a_hand_edited_exercise(project, tmp_path):
    copy = copy_course(project, tmp_path)
    student = copy.exercises_dir / ASSIGNMENT_00 / f"{ASSIGNMENT_00}_exercises.ipynb"
    student.write_text(student.read_text().replace("raise NotImplementedError()", "pass", 1))
    result = course("check", root=tmp_path)
    assert result.returncode == 1
    assert f"exercises/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb differs from what solutions/ generates" in result.stdout


def test_fix_moves_every_badge_and_install_line_to_a_new_repository_url(project, tmp_path):
    copy = copy_course(project, tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(project.repository, "https://github.com/a-school/its-fork"))
    from helpers.course.project import load_project

    moved = load_project(tmp_path)
    sources = moved.teaching_notebooks() + moved.solution_notebooks()
    assert all(hygiene.problems(p, moved) for p in sources), "every notebook should point at the old URL"

    result = course("fix", root=tmp_path)
    assert result.returncode == 0, result.stderr
    for path in sources:
        assert hygiene.problems(path, moved) == []
        assert "a-school/its-fork" in path.read_text()
    assert course("fix", root=tmp_path).stdout.strip() == "Nothing to fix."


def test_grade_writes_gradebook_and_csv_and_reports_broken_submissions(project, tmp_path):
    submissions = tmp_path / "submissions"
    good = submissions / "ada" / ASSIGNMENT_00
    good.mkdir(parents=True)
    name = f"{ASSIGNMENT_00}_exercises.ipynb"
    (good / name).write_bytes((project.solutions_dir / ASSIGNMENT_00 / name).read_bytes())
    bad = submissions / "bob" / ASSIGNMENT_00
    bad.mkdir(parents=True)
    (bad / name).write_text("not a notebook")

    out = tmp_path / "graded"
    result = course("grade", str(submissions), "--out", str(out), "--feedback")
    assert result.returncode == 1, "a broken submission makes the exit status non-zero"
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith(("ada", "bob"))}
    assert re.search(r"\b(graded|repaired)\b", rows["ada"]) and "broken" in rows["bob"]
    assert "21 / 21" in rows["ada"] and "not a readable notebook" in rows["bob"]
    assert (out / "gradebook.db").is_file() and (out / "grades.csv").is_file()
    assert list((out / "feedback" / "ada" / ASSIGNMENT_00).glob("*.html"))


def test_course_smoke_runs_everything_and_reports(project, course_smoke):
    assert course_smoke.process.returncode == 0, course_smoke.process.stdout[-3000:] + course_smoke.process.stderr[-3000:]
    report = (course_smoke.root / "build" / "report.txt").read_text()
    for path in project.teaching_notebooks() + project.solution_notebooks():
        assert project.relative(path) in report
    for assignment in project.assignments():
        row = next(line for line in report.splitlines() if line.startswith(assignment))
        reference, blank = re.findall(r"(\d+) / (\d+)", row)[:2]
        assert reference[0] == reference[1] != "0" and blank[0] == "0"
    assert course_smoke.report["mode"] == "smoke" and course_smoke.report["failures"] == []
    # Each notebook's budget was sized from its reference solution's run in the sandbox.
    graded = json.loads((course_smoke.root / "build" / "grading" / "course" / "report.json").read_text())
    assert sorted(graded["budgets"]) == project.assignments()
    assert all(budget >= MIN_BUDGET for budget in graded["budgets"].values())


def test_validate_exits_nonzero_and_shows_the_check_message(project, tmp_path):
    import nbformat

    name = f"{ASSIGNMENT_00}_exercises.ipynb"
    attempt = nbformat.read(project.exercises_dir / ASSIGNMENT_00 / name, as_version=4)
    answer = next(c for c in attempt.cells if hygiene.nbgrader_meta(c).get("grade_id") == "ex01_answer")
    answer.source = "random_tensor = torch.rand(7, 1)"
    path = tmp_path / name
    nbformat.write(attempt, path)
    solution = project.solutions_dir / ASSIGNMENT_00 / name

    result = course("validate", str(solution), str(path))
    assert result.returncode == 1
    assert f"{solution}: all tests pass" in result.stdout
    block = result.stdout.split(f"{path}: some tests fail")[1]
    assert "✗ Exercise 1 · A random tensor" in block and "Points so far: 0 of 21" in block
    message = block.split("\nExercise 1 · A random tensor\n")[1].split("\n\n")[0]
    assert "random_tensor has the wrong shape." in message and "Traceback" not in message
    assert "expected: (7, 7)" in message and "got:      (7, 1)" in message
