"""Sharded grading: several machines grade shards of one class into one PostgreSQL gradebook.

``python -m helpers.course grade SUBMISSIONS --shard K/N --db postgresql://...`` grades the K-th of
N shards of the students into a gradebook shared through nbgrader's own ``db_url``. Here two real
grading processes, shard 1/2 and shard 2/2, run at the same time against a real PostgreSQL server
(``tests/postgres_server.py``), into a database made for the test.

The last section reproduces problems of the grader with a shared gradebook (each test says what
should hold); those tests fail until the grader is fixed.
"""

import csv
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from sqlalchemy.engine import make_url

from conftest import ASSIGNMENT_00, ROOT, course_cli
from postgres_server import create_database
from submissions import solve
from helpers.course import gradebook, grading, nbgrading, outcomes
from helpers.course.hygiene import tests_of_answers as answers_and_their_tests  # not test_*: pytest would collect it
from helpers.course.submission import GRADED, Result

NOTEBOOK = f"{ASSIGNMENT_00}_exercises.ipynb"
#: Seconds per notebook, given so that no reference run is needed. A submission takes about 7 s alone,
#: but 15-28 s here, where both shards (each sized for the whole machine) share 2 cores: 25 s ran out.
BUDGET = "120"
#: Each student solves these exercises (by position in the notebook) and leaves the rest unsolved.
SOLVED = {
    "ada": "all",
    "bob": [],
    "chen": [0, 1, 2],
    "dara": [3, 5, 7, 9, 11],
    "eli": [0, 4, 8],
    "fay": [1, 2, 6, 10, 11],
}


def expected_grades(answers: dict[str, dict[str, float]], solved: list[str]) -> dict[str, float]:
    """Points per test cell for a student who solved the answers in ``solved``."""
    return {test: points if answer in solved else 0.0 for answer, tests in answers.items() for test, points in tests.items()}


def fresh_database(server_url: str) -> str:
    """A new, empty database on the test server; its URL as a plain ``postgresql://`` (what a user types)."""
    url = make_url(server_url)
    name = f"sharded_{uuid.uuid4().hex[:8]}"
    create_database(url.port, name, url.host, url.username)
    return f"postgresql://{url.username}@{url.host}:{url.port}/{name}"


@pytest.fixture(scope="module", autouse=True)
def alembic_on_path():
    """nbgrader runs the `alembic` command when it creates a gradebook: this Python's, not another."""
    scripts = str(Path(sys.executable).parent)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", scripts + os.pathsep + os.environ.get("PATH", ""))
        yield


def grade_shard(submissions: Path, out: Path, shard: str, db_url: str) -> subprocess.Popen:
    """Start one grading machine's process (not waited for); its output goes to files beside ``out``.

    Files, not pipes: a shard must never wait for the test to read the other shard's pipe first.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".stdout"), "w") as stdout, open(out.with_suffix(".stderr"), "w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "helpers.course", "--root", str(ROOT), "grade", str(submissions), "--out", str(out),
             "--jobs", "1", "--shard", shard, "--db", db_url, "--budget", BUDGET],
            stdout=stdout, stderr=stderr, text=True,
        )


@pytest.fixture(scope="module")
def sharded(project, postgres_url, tmp_path_factory):
    """Two shards graded at once into one fresh PostgreSQL database.

    Returns:
        A dict: ``db_url`` (as given to ``--db``), ``expected`` (student -> test cell -> points),
        ``total`` (the assignment's points),
        ``outs`` (each shard's --out folder), ``processes`` (shard -> (exit status, stdout, stderr)),
        ``seconds`` (wall time of both).
    """
    solution = nbformat.read(project.solutions_dir / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    blank = nbformat.read(project.exercises_dir / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    answers = answers_and_their_tests(solution)
    order = list(answers)
    submissions = tmp_path_factory.mktemp("submissions")
    expected = {}
    for student, which in SOLVED.items():
        solved = order if which == "all" else [order[i] for i in which]
        nb = nbformat.from_dict(blank)
        for grade_id in solved:
            solve(nb, solution, grade_id)
        folder = submissions / student / ASSIGNMENT_00
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
        expected[student] = expected_grades(answers, solved)

    db_url = fresh_database(postgres_url)
    base = tmp_path_factory.mktemp("shards")
    outs = {shard: base / f"shard{shard[0]}" for shard in ("1/2", "2/2")}
    started = time.perf_counter()
    running = {shard: grade_shard(submissions, out, shard, db_url) for shard, out in outs.items()}
    processes = {}
    for shard, process in running.items():
        try:
            process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out = outs[shard]
        processes[shard] = (process.returncode, out.with_suffix(".stdout").read_text(), out.with_suffix(".stderr").read_text())
    return dict(db_url=db_url, expected=expected, total=sum(expected_grades(answers, order).values()),
                outs=outs, processes=processes, seconds=time.perf_counter() - started)


def graded_students(out: Path) -> list[str]:
    """The students a shard's report lists (one entry per graded submission)."""
    return [s["student"] for s in json.loads((out / "report.json").read_text())["submissions"]]


# -- fast: which students a shard holds, and a bad --shard ------------------------------------------


def test_shards_are_deterministic_and_split_the_class_exactly():
    students = [f"student{i:02d}" for i in range(11)] + ["Zoë", "o'brien", "a b"]
    for n in (1, 2, 3, 5, 20):
        shards = [grading.shard_of(students, (k, n)) for k in range(1, n + 1)]
        assert set().union(*shards) == set(students)
        assert sum(len(shard) for shard in shards) == len(students), "a student is in two shards"
        assert max(map(len, shards)) - min(map(len, shards)) <= 1, "shards should be as even as possible"
        for k, shard in enumerate(shards, start=1):
            # Every machine sees the folders in its own order (and a student with two assignments twice).
            assert grading.shard_of(list(reversed(students)) + students[:3], (k, n)) == shard
    assert grading.shard_of(["b", "a", "c", "d"], (1, 2)) == {"a", "c"}
    assert grading.shard_of(["b", "a", "c", "d"], (2, 2)) == {"b", "d"}


def test_every_machine_computes_the_same_shards():
    """Shards are computed on each machine by its own Python: nothing may depend on the process (hash seeds)."""
    students = [f"student{i:02d}" for i in range(9)] + ["Zoë", "o'brien"]
    code = "import sys; from helpers.course.grading import shard_of; print(sorted(shard_of(sys.argv[1:], (2, 3))))"
    machines = [subprocess.Popen([sys.executable, "-c", code, *students], stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    seen = {machine.communicate(timeout=120)[0].strip() for machine in machines}
    assert [machine.returncode for machine in machines] == [0, 0]
    assert seen == {str(sorted(grading.shard_of(students, (2, 3))))}


@pytest.mark.parametrize("shard", [(3, 2), (0, 2), (1, 0)])
def test_shard_of_refuses_a_shard_that_does_not_exist(shard):
    with pytest.raises(grading.GradingError, match="K must be between 1 and N"):
        grading.shard_of(["a", "b"], shard)


def test_the_command_line_refuses_shard_3_of_2(tmp_path):
    result = course_cli("grade", str(tmp_path), "--out", str(tmp_path / "out"), "--shard", "3/2")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--shard 3/2: K must be between 1 and N" in result.stderr
    assert not (tmp_path / "out").exists(), "nothing is graded or written"


def test_the_command_line_explains_a_malformed_shard(tmp_path):
    result = course_cli("grade", str(tmp_path), "--shard", "two")
    assert result.returncode == 2
    assert "--shard wants K/N, e.g. 1/2; got 'two'" in result.stderr


# -- slow: two shards at once into one PostgreSQL gradebook -----------------------------------------


def explain(sharded) -> str:
    """Both shards' exit status and the end of their output, for an assertion's message."""
    shards = [f"--- shard {shard}: exit {rc}\n{out[-3000:]}\n{err[-3000:]}" for shard, (rc, out, err) in sharded["processes"].items()]
    return f"both shards took {sharded['seconds']:.0f} s\n" + "\n".join(shards)


@pytest.mark.slow
def test_both_shards_finish_cleanly(sharded):
    assert {shard: rc for shard, (rc, _, _) in sharded["processes"].items()} == {"1/2": 0, "2/2": 0}, explain(sharded)


@pytest.mark.slow
def test_together_the_shards_grade_every_student_exactly_once(sharded):
    by_shard = {shard: graded_students(out) for shard, out in sharded["outs"].items()}
    everyone = sorted(sharded["expected"])
    assert sorted(by_shard["1/2"] + by_shard["2/2"]) == everyone, explain(sharded)
    assert not set(by_shard["1/2"]) & set(by_shard["2/2"]), "a student was graded by both shards"
    for k, shard in enumerate(("1/2", "2/2"), start=1):
        assert set(by_shard[shard]) == grading.shard_of(everyone, (k, 2))
        graded = {p.name for p in (sharded["outs"][shard] / "autograded").iterdir()}
        assert graded == set(by_shard[shard]), "each shard writes only its own students' graded notebooks"


@pytest.mark.slow
def test_the_shared_gradebook_holds_every_students_exact_points(sharded):
    from nbgrader.api import Gradebook

    expected = sharded["expected"]
    with Gradebook(gradebook.normalize_url(sharded["db_url"])) as book:
        assert book.engine.dialect.name == "postgresql"
        assert sorted(s.id for s in book.students) == sorted(expected)
        submissions = book.assignment_submissions(ASSIGNMENT_00)
        assert sorted(s.student.id for s in submissions) == sorted(expected), "one submission per student"
        for student, grades in expected.items():
            submission = book.find_submission(ASSIGNMENT_00, student)
            found = {g.name: g.score for nb in submission.notebooks for g in nb.grades if g.max_score}
            assert found == grades, f"{student}: {found} != {grades}\n{explain(sharded)}"
            assert submission.score == sum(grades.values()), student
            assert submission.max_score == sharded["total"], student


@pytest.mark.slow
def test_grades_csv_exported_from_the_shared_gradebook_lists_each_student_once(sharded, tmp_path):
    destination = tmp_path / "grades.csv"
    gradebook.export_csv(gradebook.normalize_url(sharded["db_url"]), destination)
    rows = list(csv.DictReader(destination.open()))
    students = [row["student_id"] for row in rows]
    assert sorted(students) == sorted(sharded["expected"]), "each student once"
    scores = {row["student_id"]: float(row["score"]) for row in rows}
    assert scores == {student: sum(grades.values()) for student, grades in sharded["expected"].items()}
    assert {row["assignment"] for row in rows} == {ASSIGNMENT_00}


@pytest.mark.slow
def test_the_shard_that_finishes_last_exports_the_whole_class(sharded):
    """Each shard exports grades.csv from the shared gradebook when it ends: the last one sees everybody."""
    last = max(sharded["outs"].values(), key=lambda out: (out / "grades.csv").stat().st_mtime)
    with open(last / "grades.csv") as handle:
        assert sorted(row["student_id"] for row in csv.DictReader(handle)) == sorted(sharded["expected"])


# -- the gradebook's lock: set-up in one shard against set-up and writes in another ----------------


@pytest.mark.parametrize("database", [pytest.param("postgresql", marks=pytest.mark.slow), "sqlite"])
def test_two_shards_never_set_up_one_gradebook_at_the_same_time(request, project, tmp_path, monkeypatch, database):
    """Each shard has its own --out; the lock must be the gradebook's, whatever folder a shard writes to."""
    if database == "postgresql":
        db_url = gradebook.normalize_url(fresh_database(request.getfixturevalue("postgres_url")))
    else:
        db_url = gradebook.sqlite_url(tmp_path / "shared" / "gradebook.db")
    spans = []

    def slow_generate(*args, **kwargs):  # stands in for nbgrader generating the assignment into the gradebook
        start = time.monotonic()
        time.sleep(1.0)
        spans.append((start, time.monotonic()))

    monkeypatch.setattr(nbgrading, "generate", slow_generate)
    shards = [threading.Thread(target=gradebook.prepare, args=(project, db_url, [ASSIGNMENT_00], tmp_path / f"shard{k}" / "course"))
              for k in (1, 2)]
    for shard in shards:
        shard.start()
    for shard in shards:
        shard.join(timeout=30)
    assert len(spans) == 2, "a shard failed to set up (its traceback is above)"
    (_, first_end), (second_start, _) = sorted(spans)
    assert second_start >= first_end, f"{database}: the second shard set up the gradebook while the first was still at it"


@pytest.mark.slow
def test_a_grade_recorded_while_another_shard_sets_up_is_kept(project, postgres_url, tmp_path, monkeypatch):
    """Shard 1 is set up and records its first student just while shard 2 sets up the same assignment.

    nbgrader re-creates a notebook that has no submissions yet: it deletes it, then adds it back and its
    cells one commit at a time. Here shard 1's write lands right after the delete (a hook makes the
    timing certain; between two machines it is a matter of luck, likeliest when shard 1's first
    submission is one that fails at once, such as a file that is not a notebook).
    """
    from nbgrader.api import Gradebook

    db_url = gradebook.normalize_url(fresh_database(postgres_url))
    gradebook.prepare(project, db_url, [ASSIGNMENT_00], tmp_path / "shard1" / "course")
    solution = nbformat.read(project.solutions_dir / ASSIGNMENT_00 / NOTEBOOK, as_version=4)
    points = {test: worth for tests in answers_and_their_tests(solution).values() for test, worth in tests.items()}
    total = sum(points.values())
    ada = Result("ada", ASSIGNMENT_00, GRADED, score=total, max_score=total,
                 outcomes=[outcomes.TestOutcome(test, worth, worth, outcomes.PASSED) for test, worth in points.items()])
    errors, writers = [], []
    remove_notebook = Gradebook.remove_notebook

    def shard_1_records():
        try:
            gradebook.record(db_url, ada, NOTEBOOK)
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    def remove_then_shard_1_records(self, name, assignment):
        remove_notebook(self, name, assignment)
        # Shard 1's write arrives now, from another thread as from another machine. A lock may make it
        # wait for the end of shard 2's set-up (so it must not be waited for here); without one it lands now.
        writer = threading.Thread(target=shard_1_records)
        writer.start()
        writer.join(timeout=2)
        writers.append(writer)

    monkeypatch.setattr(Gradebook, "remove_notebook", remove_then_shard_1_records)
    gradebook.prepare(project, db_url, [ASSIGNMENT_00], tmp_path / "shard2" / "course")
    monkeypatch.undo()
    for writer in writers:
        writer.join(timeout=60)

    assert writers, "shard 2's set-up did not re-create the notebook: the race this test is about did not happen"
    assert not any(writer.is_alive() for writer in writers), "shard 1's write never finished"
    assert errors == [], "shard 1 could not record its student while shard 2 set up the assignment"
    with Gradebook(db_url) as book:
        assert book.find_submission(ASSIGNMENT_00, "ada").score == total


def waiting_for_the_lock(engine) -> bool:
    """Whether some session waits for a PostgreSQL advisory lock (as a grader waits for the shards' lock)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        return bool(connection.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar())


@pytest.mark.slow
def test_a_shard_with_no_students_leaves_the_gradebook_to_the_shard_setting_it_up(project, postgres_url, tmp_path):
    """More shards than students (2 students, 3 machines): shard 3/3 has nobody to grade.

    It must not create the gradebook's tables while shard 1 holds the set-up lock (nbgrader's
    Gradebook creates them on first use, and two processes creating them at once collide).
    """
    from sqlalchemy import create_engine, inspect

    db_url = gradebook.normalize_url(fresh_database(postgres_url))
    submissions = tmp_path / "submissions"
    for student in ("ada", "bob"):
        (submissions / student / ASSIGNMENT_00).mkdir(parents=True)
        (submissions / student / ASSIGNMENT_00 / NOTEBOOK).write_bytes((project.exercises_dir / ASSIGNMENT_00 / NOTEBOOK).read_bytes())
    assert grading.shard_of(["ada", "bob"], (3, 3)) == set()
    settings = grading.Settings(jobs=1, shard=(3, 3), db_url=db_url, budget=25)
    engine = create_engine(db_url)
    try:
        with gradebook.exclusive(db_url):  # shard 1 is setting up the gradebook
            empty_shard = threading.Thread(target=grading.grade_batch, args=(project, submissions, tmp_path / "shard3", settings))
            empty_shard.start()
            deadline = time.monotonic() + 10  # until it is done, or is seen waiting for the lock
            while empty_shard.is_alive() and not waiting_for_the_lock(engine) and time.monotonic() < deadline:
                time.sleep(0.1)
            tables = inspect(engine).get_table_names()
        empty_shard.join(timeout=60)
    finally:
        engine.dispose()
    assert tables == [], "shard 3/3 created the gradebook's tables while shard 1 held the set-up lock"


@pytest.mark.slow
def test_one_failed_gradebook_write_does_not_lose_the_rest_of_the_shard(project, tmp_path, monkeypatch):
    """A shared gradebook can refuse a write (the race above, a dropped connection): the others still count."""
    from nbgrader.api import Gradebook

    students = ["ada", "bob", "cy", "dee"]
    for student in students:
        (tmp_path / "submissions" / student / ASSIGNMENT_00).mkdir(parents=True)
        (tmp_path / "submissions" / student / ASSIGNMENT_00 / NOTEBOOK).write_bytes(
            (project.exercises_dir / ASSIGNMENT_00 / NOTEBOOK).read_bytes())

    def graded_at_once(job, workdir):  # no kernel: only what happens to the results matters here
        return Result(job.student, job.assignment, GRADED, max_score=21.0)

    record = gradebook.record

    def refused_for_ada(db_url, result, notebook_name):
        if result.student == "ada":
            raise RuntimeError("the gradebook refused the write")
        record(db_url, result, notebook_name)

    monkeypatch.setattr(grading, "_run_job", graded_at_once)
    monkeypatch.setattr(gradebook, "record", refused_for_ada)
    out = tmp_path / "out"
    try:
        grading.grade_batch(project, tmp_path / "submissions", out, grading.Settings(jobs=1, budget=25))
    except RuntimeError:
        pass  # saying so is fine; losing the other students is not
    with Gradebook(gradebook.sqlite_url(out / "gradebook.db")) as book:
        recorded = sorted(s.student.id for s in book.assignment_submissions(ASSIGNMENT_00))
    assert recorded == ["bob", "cy", "dee"], "the students graded after the failed write were never recorded"
