"""The whole nbgrader loop on one machine, through nbgrader's own command line.

The instructor releases, a student fetches, answers and submits, the instructor
collects, autogrades, generates and releases feedback, and the student fetches
it: with the course's configuration only (a course-local exchange, no root, no
set-up), in a copy of the course so the repository stays as it is.
"""

import getpass
import os
import shutil
import sqlite3
import zipfile
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import ASSIGNMENT_00, ROOT
from submissions import exercise_points, notebook_name, read_pair, solve

pytestmark = pytest.mark.slow

NOTEBOOK = notebook_name(ASSIGNMENT_00)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course's nbgrader set-up: its configuration and its assignments."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    for folder in ("jupyter", "solutions", "exercises"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return root


def nbgrader(course: Path, *args: str) -> str:
    """Run ``nbgrader ARGS`` in the course folder; fail the test with nbgrader's log if it fails.

    The student's nbgrader cache (a Jupyter data folder) is kept in the course copy, not in ``~``.
    """
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_DATA_DIR": str(course / ".jupyter-data")}
    env.pop("JUPYTER_CONFIG_PATH", None)  # only the course's own configuration
    run = subprocess.run(["nbgrader", *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def test_release_fetch_submit_collect_autograde_and_feedback_round_trip(course, project):
    student = getpass.getuser()
    exchange = course / "build" / "exchange" / "pytorch-course"

    nbgrader(course, "generate_assignment", ASSIGNMENT_00, "--force")
    nbgrader(course, "release_assignment", ASSIGNMENT_00, "--force")
    assert (exchange / "outbound" / ASSIGNMENT_00 / NOTEBOOK).is_file()
    assert ASSIGNMENT_00 in nbgrader(course, "list")

    nbgrader(course, "fetch_assignment", ASSIGNMENT_00)
    fetched = course / "my_work" / ASSIGNMENT_00 / NOTEBOOK
    assert fetched.is_file(), "fetched assignments go to my_work/"

    solution, _ = read_pair(project, ASSIGNMENT_00)
    attempt = nbformat.read(fetched, as_version=4)
    answers = [c.metadata["nbgrader"]["grade_id"] for c in attempt.cells if c.metadata.get("nbgrader", {}).get("solution")]
    for grade_id in answers[:-1]:  # everything but the last exercise
        solve(attempt, solution, grade_id)
    nbformat.write(attempt, fetched)
    nbgrader(course, "submit", ASSIGNMENT_00)
    assert list((exchange / "inbound").iterdir()), "the submission reaches the exchange"

    nbgrader(course, "collect", ASSIGNMENT_00)
    assert (course / "submitted" / student / ASSIGNMENT_00 / NOTEBOOK).is_file()
    nbgrader(course, "autograde", ASSIGNMENT_00)
    assert (course / "autograded" / student / ASSIGNMENT_00 / NOTEBOOK).is_file()

    with sqlite3.connect(course / "gradebook.db") as db:
        (score,) = db.execute(
            "SELECT SUM(COALESCE(grade.manual_score, grade.auto_score)) FROM grade"
            " JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id"
            " JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id"
            " JOIN student ON submitted_assignment.student_id = student.id WHERE student.id = ?",
            (student,),
        ).fetchone()
    points = exercise_points(solution)
    total = sum(points.values())
    assert score == total - points[answers[-1]], "all but the unanswered last exercise earn their points"

    nbgrader(course, "generate_feedback", ASSIGNMENT_00)
    nbgrader(course, "release_feedback", ASSIGNMENT_00)
    nbgrader(course, "fetch_feedback", ASSIGNMENT_00)
    pages = list((course / "my_work" / ASSIGNMENT_00 / "feedback").rglob("*.html"))
    assert len(pages) == 1, "the student fetches one feedback page"
    page = pages[0].read_text()
    assert f"{score:g}" in page and f"{total:g}" in page, "the feedback page shows the score out of the total"


def test_zip_collect_files_colab_copies_and_second_downloads_under_the_released_name(course, project):
    """A learning platform's download (Canvas names), as a class hands it in: renamed copies included."""
    solution, _ = read_pair(project, ASSIGNMENT_00)
    names = {
        "smithalice": f"Copy of {NOTEBOOK}",
        "jonesbob": NOTEBOOK.replace(".ipynb", " (1).ipynb"),
        "leecarol": NOTEBOOK,
        "kimdan": "homework.ipynb",  # the assignment has one notebook: a lone renamed one is it
    }
    archive = course / "downloaded" / ASSIGNMENT_00 / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        for number, (student, name) in enumerate(names.items()):
            late = "late_" if student == "jonesbob" else ""
            bundle.writestr(f"{student}_{late}{100 + number}_{9000 + number}_{name}", nbformat.writes(solution))
    nbgrader(course, "generate_assignment", ASSIGNMENT_00, "--force")
    nbgrader(course, "zip_collect", ASSIGNMENT_00, "--force")
    for student in names:
        assert (course / "submitted" / student / ASSIGNMENT_00 / NOTEBOOK).is_file(), f"{student}'s notebook was not collected"
