"""nbgrader's own gradebook on a real PostgreSQL server: what sharded grading builds on."""

import csv
import multiprocessing
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins import CsvExportPlugin

# Server start, a fresh gradebook (nbgrader runs alembic) and two shards that each import nbgrader:
# about ten seconds on an idle 2-core machine.
pytestmark = pytest.mark.slow

NOTEBOOK = "problem1"
CELL = "q1"
MAX_SCORE = 2


def unique(prefix: str) -> str:
    """A name no other test uses: the tests share one database."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def add_assignment(url: str, name: str) -> None:
    """An assignment with one notebook holding one code grade cell worth `MAX_SCORE`."""
    with Gradebook(url) as gradebook:
        gradebook.add_assignment(name)
        gradebook.add_notebook(NOTEBOOK, name)
        gradebook.add_grade_cell(CELL, NOTEBOOK, name, max_score=MAX_SCORE, cell_type="code")


def grade(gradebook: Gradebook, assignment: str, student: str, score: float) -> None:
    """Record ``student``'s submission of ``assignment`` with ``score`` as its autograded score."""
    gradebook.add_submission(assignment, student)
    gradebook.find_grade(CELL, NOTEBOOK, assignment, student).auto_score = score
    gradebook.db.commit()


def grade_in_own_process(url: str, assignment: str, student: str, score: float, barrier) -> None:
    """One grading shard: add ``student`` and their score, in step with the other shard."""
    with Gradebook(url) as gradebook:
        gradebook.add_student(student)
        barrier.wait(timeout=60)  # both shards are connected and have written before either goes on
        grade(gradebook, assignment, student, score)


@pytest.fixture(scope="module", autouse=True)
def alembic_on_path() -> Iterator[None]:
    """nbgrader runs the `alembic` command when it creates a gradebook: this Python's, not another."""
    scripts = str(Path(sys.executable).parent)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", scripts + os.pathsep + os.environ.get("PATH", ""))
        yield


@pytest.fixture
def assignment(postgres_url) -> str:
    """A fresh assignment in the shared PostgreSQL gradebook."""
    name = unique("ps")
    add_assignment(postgres_url, name)
    return name


@pytest.fixture(scope="module")
def two_shards(postgres_url) -> tuple[str, dict[str, float]]:
    """Two processes grade one student each into the same gradebook at once.

    Returns:
        The assignment's name and the score each student was given.
    """
    name = unique("sharded")
    add_assignment(postgres_url, name)  # the schema exists before the shards start
    scores = {unique("alice"): 2.0, unique("bob"): 0.5}
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(len(scores))
    shards = [spawn.Process(target=grade_in_own_process, args=(postgres_url, name, student, score, barrier))
              for student, score in scores.items()]
    for shard in shards:
        shard.start()
    for shard in shards:
        shard.join(timeout=120)
    assert [shard.exitcode for shard in shards] == [0, 0], "a grading shard failed (its traceback is above)"
    return name, scores


def test_the_gradebook_is_postgresql(postgres_url):
    with Gradebook(postgres_url) as gradebook:
        assert gradebook.engine.dialect.name == "postgresql"


def test_a_grade_written_on_one_connection_is_read_on_another(postgres_url, assignment):
    student = unique("carol")
    with Gradebook(postgres_url) as writer, Gradebook(postgres_url) as reader:
        writer.add_student(student)
        grade(writer, assignment, student, 1.5)
        found = reader.find_grade(CELL, NOTEBOOK, assignment, student)
        assert (found.auto_score, found.max_score, found.score) == (1.5, MAX_SCORE, 1.5)
        assert reader.find_submission(assignment, student).score == 1.5


def test_two_processes_grade_different_students_into_one_gradebook(postgres_url, two_shards):
    name, scores = two_shards
    with Gradebook(postgres_url) as gradebook:
        submitted = {submission.student.id: submission.score for submission in gradebook.assignment_submissions(name)}
    assert submitted == scores


def test_csv_export_lists_both_shards_students(postgres_url, two_shards, tmp_path: Path):
    name, scores = two_shards
    destination = tmp_path / "grades.csv"
    with Gradebook(postgres_url) as gradebook:
        CsvExportPlugin(to=str(destination), assignment=[name], student=list(scores)).export(gradebook)
    rows = list(csv.DictReader(destination.open()))
    assert {row["student_id"]: float(row["score"]) for row in rows} == scores
    assert {(row["assignment"], float(row["max_score"])) for row in rows} == {(name, MAX_SCORE)}
