"""The grader against cheats, messes and vandals: one parallel batch, checked from every side.

One module-scoped batch (``grade_batch``, two workers, a short budget, feedback
on) grades the submissions of ``tests/adversarial_cases.py`` on a copy of the
course: honest students (with the usual messes and odd ids) sorted before and
after every destructive one, cheats that answer wrongly and try to get points
anyway, and folder names that cannot be student ids. The tests then check that

- the batch finishes, sandboxed, in a sane time;
- each honest grade is exactly right (score and every test's status), with
  its autograded notebook, feedback page and gradebook rows;
- no cheat earns a point, and the cheats the grader can see are flagged with
  a reason that names what they did;
- solutions/, exercises/ and the submissions folder are byte-identical, and
  the gradebook rows written before the batch are unchanged;
- grades.csv lists every graded student once, with the id exactly as given;
- no process of the batch is left;
- no feedback page shows hidden-test source, and every page is small;
- the report lists every submission with its status and reason, and pass rates.

A failing test here names a hole in the grader: do not loosen it, fix the grader.
"""

import csv
import hashlib
import html
import json
import os
import re
import secrets
import sqlite3
import sysconfig
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil
import pytest

from adversarial_cases import A00, A02, CASES, CHEAT, DESTRUCTIVE, GUARD, HONEST, REJECTED, SCAN, Env, meta
from submissions import exercise_points, notebook_name
from adversarial_cases import tests_of as owners_of
from conftest import ROOT, copy_course
from helpers.course import gradebook, grading
from helpers.course.outcomes import FAILED, NOT_COUNTED, PASSED
from helpers.course.outcomes import TestOutcome as Outcome
from helpers.course.sandbox import UID_BASE
from helpers.course.submission import FLAGGED, GRADED, Result

pytestmark = pytest.mark.slow

#: Seconds per notebook: an honest submission needs 8-12 s on an idle 2-core machine and up to 21 s under load.
BUDGET = 30
#: The whole batch must finish within this: 310-400 s measured on 2 cores shared with another grading run
#: (load average 2.5-3.5), about half that on an idle machine; a hang or a runaway kernel goes far past it.
SANE_SECONDS = 600
#: A feedback page larger than this is not "reasonably small".
MAX_FEEDBACK_BYTES = 2_000_000
#: Hidden-test lines shorter than this are too common to count as a leak (")", "else:", ...).
MIN_HIDDEN_LINE = 20
#: A student graded before this batch, with an instructor's manual score.
PREVIOUS = "aa_graded_last_week"

GRADED_CASES = [c for c in CASES if c.kind != REJECTED]
HONEST_CASES = [c for c in CASES if c.kind == HONEST]
CHEATS = [c for c in CASES if c.kind in (CHEAT, DESTRUCTIVE)]
SEEN = [c for c in CHEATS if c.seen]


def ids(cases):
    return [c.key for c in cases]


# --- evidence collectors -----------------------------------------------------------------------

def hash_tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and its SHA-256; folders as entries of their own."""
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        relative = os.fsencode(path.relative_to(folder)).decode("utf-8", "backslashreplace")
        if path.is_symlink():
            found[relative] = "link:" + os.readlink(path)
        elif path.is_dir():
            found[relative + "/"] = "folder"
        else:
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def gradebook_rows(db: Path) -> dict[tuple, tuple]:
    """(student, assignment, notebook, grade cell) -> (auto_score, manual_score, extra_credit, flagged)."""
    query = """
        SELECT student.id, assignment.name, notebook.name, base_cell.name,
               grade.auto_score, grade.manual_score, grade.extra_credit, submitted_notebook.flagged
        FROM grade
        JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id
        JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id
        JOIN student ON submitted_assignment.student_id = student.id
        JOIN assignment ON submitted_assignment.assignment_id = assignment.id
        JOIN notebook ON submitted_notebook.notebook_id = notebook.id
        JOIN base_cell ON grade.cell_id = base_cell.id
    """
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return {row[:4]: row[4:] for row in connection.execute(query)}


class ProcessWatch:
    """Records, while the batch runs, every process it starts: their ids, user ids and working folders."""

    def __init__(self) -> None:
        self.me = psutil.Process()
        self.pids: set[int] = set()
        self.uids: set[int] = set()
        self.folders: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                children = self.me.children(recursive=True)
            except psutil.Error:
                children = []
            for child in children:
                try:
                    self.pids.add(child.pid)
                    cmdline = " ".join(child.cmdline())
                    uid = child.uids().real
                except psutil.Error:
                    continue
                if "helpers.course.submission" in cmdline:
                    self.uids.add(UID_BASE + child.pid)  # the kernel's user id (sandbox.py)
                if uid >= UID_BASE:
                    self.uids.add(uid)
                self.folders.update(re.findall(r"/tmp/course-grading-[^/\s]+", cmdline))
            time.sleep(0.2)

    def __enter__(self) -> "ProcessWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def leftovers(self, marks: list[str]) -> list[str]:
        """Processes still running that belong to the batch: its user ids, or a command line / folder under ``marks``."""
        marks = [m for m in {*marks, *self.folders} if m]
        left = []
        for process in psutil.process_iter(["pid", "uids", "cmdline", "cwd", "status"]):
            info = process.info
            if info["pid"] == self.me.pid or info["status"] == psutil.STATUS_ZOMBIE:
                continue
            cmdline = " ".join(info["cmdline"] or [])
            uid = info["uids"].real if info["uids"] else -1
            if uid in self.uids or any(m in cmdline or m in (info["cwd"] or "") for m in marks):
                left.append(f"pid {info['pid']} uid {uid:#x}: {cmdline[:200]}")
        return left


def hidden_lines(course: Path, assignment: str) -> list[str]:
    """The hidden-test lines of an assignment that would give a test away, whitespace removed.

    Lines shorter than MIN_HIDDEN_LINE, and lines whose text also appears outside the
    hidden regions (in the student version or the solution's answers), are left out.
    """
    solution = nbformat.read(course / "solutions" / assignment / notebook_name(assignment), as_version=4)
    release = nbformat.read(course / "exercises" / assignment / notebook_name(assignment), as_version=4)
    hidden, visible = [], []
    for cell in solution.cells + release.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside:
                hidden.append(line.strip())
            else:
                visible.append(line)
    visible_text = squeeze("\n".join(visible))
    return sorted({squeeze(h) for h in hidden if len(h) >= MIN_HIDDEN_LINE and squeeze(h) not in visible_text})


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_text(page: str) -> str:
    """A feedback page as the student reads it: tags removed, entities decoded, whitespace removed."""
    return squeeze(html.unescape(re.sub(r"<[^>]+>", "", page)))


# --- the batch -----------------------------------------------------------------------------------

def record_previous_student(project, db_url: str) -> None:
    """A student graded in an earlier batch, with a manual score an instructor entered since."""
    from nbgrader.api import Gradebook

    solution = nbformat.read(project.solutions_dir / A00 / notebook_name(A00), as_version=4)
    outcomes = [Outcome(m["grade_id"], float(m["points"]), float(m["points"]), PASSED)
                for m in map(meta, solution.cells) if m.get("grade") and m.get("points")]
    gradebook.record(db_url, Result(PREVIOUS, A00, GRADED, outcomes=outcomes), notebook_name(A00))
    with Gradebook(db_url) as book:
        notebook = book.find_submission_notebook(notebook_name(A00).removesuffix(".ipynb"), A00, PREVIOUS)
        next(g for g in notebook.grades if g.name == "ex01_test").manual_score = 0.5
        book.db.commit()


@pytest.fixture(scope="module")
def graded(project, tmp_path_factory):
    """Build every case, grade them in one batch, and collect the evidence before and after."""
    started, load_before = time.perf_counter(), os.getloadavg()
    base = tmp_path_factory.mktemp("adversarial")
    (base / "course").mkdir()
    course = copy_course(project, base / "course")
    submissions, out = base / "submissions", base / "out"
    submissions.mkdir()
    out.mkdir()
    token = secrets.token_hex(6)
    site = Path(sysconfig.get_paths()["purelib"])
    probes = [ROOT / "helpers" / "course" / f"_adversarial_probe_{token}.txt", site / f"_adversarial_probe_{token}.txt"]
    env = Env(course=course.root, real_root=ROOT, submissions=submissions, out=out, probes=probes, site_packages=site)
    for case in CASES:
        case.build(case, env)

    db = out / "gradebook.db"
    db_url = gradebook.sqlite_url(db)
    gradebook.prepare(course, db_url, [A00, A02], out / "course")
    record_previous_student(course, db_url)
    before = SimpleNamespace(
        solutions=hash_tree(course.solutions_dir), exercises=hash_tree(course.exercises_dir),
        submissions=hash_tree(submissions), rows=gradebook_rows(db),
    )
    built = time.perf_counter()

    with ProcessWatch() as watch:
        batch = grading.grade_batch(course, submissions, out, grading.Settings(jobs=2, budget=BUDGET, feedback=True))
    graded_at = time.perf_counter()
    time.sleep(1.0)  # let killed processes be reaped
    escaped = [str(p) for p in probes if p.exists()]
    for probe in probes:  # a kernel that wrote here escaped its sandbox; clean up, then fail below
        probe.unlink(missing_ok=True)
    after = SimpleNamespace(
        solutions=hash_tree(course.solutions_dir), exercises=hash_tree(course.exercises_dir),
        submissions=hash_tree(submissions), rows=gradebook_rows(db) if db.exists() else {},
        leftovers=watch.leftovers([str(base), str(submissions), str(out)]), escaped=escaped,
        watched=SimpleNamespace(pids=len(watch.pids), uids=len(watch.uids), folders=sorted(watch.folders)),
    )
    timing = {
        "build_s": built - started, "batch_s": batch.seconds, "fixture_s": graded_at - started,
        "load_before": load_before, "load_after": os.getloadavg(), "submissions": len(batch.results),
    }
    (base / "timing.json").write_text(json.dumps(timing, indent=1))
    print(f"\nadversarial batch: {json.dumps(timing)}")
    results = {(r.student, r.assignment): r for r in batch.results}
    return SimpleNamespace(batch=batch, results=results, env=env, course=course, out=out, db=db,
                           before=before, after=after, timing=timing, base=base)


def result_of(graded, case) -> Result:
    key = (case.student, case.assignment)
    assert key in graded.results, f"{case.student!r} was not graded: {sorted(graded.results)}"
    return graded.results[key]


def expected_outcomes(graded, case) -> dict[str, str]:
    solution = graded.env.solution(case.assignment)
    return {test: PASSED if owner in case.solved else FAILED for test, owner in owners_of(solution).items()}


def expected_score(graded, case) -> float:
    points = exercise_points(graded.env.solution(case.assignment))
    return sum(points[grade_id] for grade_id in case.solved)


def describe(result: Result) -> str:
    outcomes = ", ".join(f"{o.grade_id}={o.status}" for o in result.outcomes)
    return f"{result.student!r}: {result.status}, {result.score}/{result.max_score}; {outcomes}; reason: {result.reason[:1500]}"


# --- the batch as a whole ---------------------------------------------------------------------------

def test_batch_finishes_sandboxed_in_a_sane_time(graded):
    batch = graded.batch
    assert batch.sandboxed, "the batch ran without bubblewrap: every other result here means little"
    assert batch.seconds < SANE_SECONDS, graded.timing
    expected = {(c.student, c.assignment) for c in GRADED_CASES}
    assert set(graded.results) == expected, f"missing {expected - set(graded.results)}, extra {set(graded.results) - expected}"
    assert len(batch.results) == len(expected), "a submission was graded twice"
    broken = [describe(r) for r in batch.results if r.status == "broken"]
    assert not broken, broken


def test_no_kernel_escaped_its_sandbox(graded):
    assert not graded.after.escaped, f"a graded kernel wrote into the course package or the environment: {graded.after.escaped}"


def test_no_process_is_left(graded):
    watched = graded.after.watched
    assert watched.uids >= len(GRADED_CASES) and watched.folders, f"the process watch saw nothing: {watched}"
    assert graded.after.leftovers == []
    assert psutil.Process().children(recursive=True) == []


# --- honest students --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", HONEST_CASES, ids=ids(HONEST_CASES))
def test_honest_grade_is_exactly_right(graded, case):
    result = result_of(graded, case)
    assert result.score == expected_score(graded, case), describe(result)
    assert {o.grade_id: o.status for o in result.outcomes} == expected_outcomes(graded, case), describe(result)
    assert result.max_score == sum(exercise_points(graded.env.solution(case.assignment)).values())
    assert result.status in case.statuses, describe(result)


@pytest.mark.parametrize("case", HONEST_CASES, ids=ids(HONEST_CASES))
def test_honest_outputs_and_gradebook_rows_are_present_and_right(graded, case):
    result = result_of(graded, case)
    name = notebook_name(case.assignment)
    graded_nb = nbformat.read(graded.out / "autograded" / case.student / case.assignment / name, as_version=4)
    for test, status in expected_outcomes(graded, case).items():
        cell = next(c for c in graded_nb.cells if meta(c).get("grade_id") == test)
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if status == PASSED:
            assert "✓" in text and not errors, f"{test} of {case.student!r}: {cell.outputs}"
        else:
            assert errors, f"{test} of {case.student!r} failed without an error output"
    page = graded.out / "feedback" / case.student / case.assignment / name.replace(".ipynb", ".html")
    assert page.is_file()
    assert f"Student: <b>{html.escape(case.student)}</b>" in page.read_text(encoding="utf-8")
    rows = {k[3]: v for k, v in graded.after.rows.items() if k[:2] == (case.student, case.assignment)}
    points = {o.grade_id: o.points for o in result.outcomes}
    assert {cell: auto for cell, (auto, *_rest) in rows.items() if cell in points} == points
    assert all(manual is None for _, manual, _, _ in rows.values()), rows


# --- cheats ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CHEATS, ids=ids(CHEATS))
def test_no_cheat_earns_a_point(graded, case):
    result = result_of(graded, case)
    earned = [f"{o.grade_id} ({o.points})" for o in result.outcomes if o.points]
    assert result.score == 0 and not earned, f"{case.about}: earned {earned}. {describe(result)}"
    rows = [v for k, v in graded.after.rows.items() if k[:2] == (case.student, case.assignment)]
    assert rows and all((auto or 0) == 0 and manual is None for auto, manual, _, _ in rows), rows


@pytest.mark.parametrize("case", SEEN, ids=ids(SEEN))
def test_cheats_the_grader_can_see_are_reported(graded, case):
    result = result_of(graded, case)
    reason = result.reason.lower()
    missing = [group for group in case.words if not any(word.lower() in reason for word in group)]
    assert not missing, f"{case.about}: the reason names none of {missing}. {describe(result)}"
    if case.seen in (GUARD, SCAN):
        assert result.status == FLAGGED, describe(result)
        flagged = {v[3] for k, v in graded.after.rows.items() if k[:2] == (case.student, case.assignment)}
        assert flagged == {1}, "the gradebook does not flag it for the formgrader"
    if case.seen == GUARD:
        assert result.tampering, f"{case.about}: the guard saw nothing. {describe(result)}"
        counted = [o.grade_id for o in result.outcomes if o.status == PASSED]
        assert not counted, describe(result)
        assert any(o.status == NOT_COUNTED for o in result.outcomes) or all(o.status == FAILED for o in result.outcomes)


# --- nothing else changed ---------------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["solutions", "exercises", "submissions"])
def test_folders_are_byte_identical(graded, folder):
    before, after = getattr(graded.before, folder), getattr(graded.after, folder)
    assert len(before) > 3, f"nothing to compare in {folder}"
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"{folder}: {changed[:20]}"


def test_gradebook_rows_from_before_the_batch_are_unchanged(graded):
    previous = {k: v for k, v in graded.before.rows.items()}
    assert previous and all(k[0] == PREVIOUS for k in previous)
    assert {k: graded.after.rows.get(k) for k in previous} == previous
    assert graded.after.rows[(PREVIOUS, A00, notebook_name(A00).removesuffix(".ipynb"), "ex01_test")][1] == 0.5


def test_gradebook_has_every_graded_submission_and_no_rejected_one(graded):
    students = {k[:2] for k in graded.after.rows}
    assert students == {(c.student, c.assignment) for c in GRADED_CASES} | {(PREVIOUS, A00)}


def test_grades_csv_lists_every_student_once_with_the_id_as_given(graded):
    """nbgrader's export has a row per student and assignment in the gradebook (0 where nothing was handed in)."""
    with open(graded.out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pairs = [(row["student_id"], row["assignment"]) for row in rows]
    assert len(pairs) == len(set(pairs)), "a student is listed twice for one assignment"
    students = {c.student for c in GRADED_CASES} | {PREVIOUS}
    assert {student for student, _ in pairs} == students, "ids changed, lost or added (rejected folders included)"
    by_pair = dict(zip(pairs, rows))
    for case in GRADED_CASES:
        assert (case.student, case.assignment) in by_pair, case.student
    for case in HONEST_CASES:
        assert float(by_pair[(case.student, case.assignment)]["score"]) == expected_score(graded, case), case.student
    for odd in ("ann[1]", "dan ", "b*", "zoë"):
        assert (odd, A00) in by_pair, odd


# --- unusable ids ------------------------------------------------------------------------------------

def test_unusable_ids_are_rejected_with_a_reason(graded):
    rejected = dict(graded.batch.rejected)
    for case in (c for c in CASES if c.kind == REJECTED):
        assert repr(case.student) in rejected, f"{case.about}: {rejected}"
        assert "control characters" in rejected[repr(case.student)]
        assert not any(r.student == case.student for r in graded.batch.results)
    report = json.loads((graded.out / "report.json").read_text())
    assert {r["folder"] for r in report["rejected"]} == {repr(c.student) for c in CASES if c.kind == REJECTED}
    assert all(r["reason"] for r in report["rejected"])


# --- feedback ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", GRADED_CASES, ids=ids(GRADED_CASES))
def test_feedback_shows_no_hidden_test_and_is_small(graded, case):
    name = notebook_name(case.assignment).replace(".ipynb", ".html")
    page = graded.out / "feedback" / case.student / case.assignment / name
    assert page.is_file(), f"no feedback page for {case.student!r}"
    assert page.stat().st_size < MAX_FEEDBACK_BYTES, f"{page.stat().st_size:,} bytes"
    text = page_text(page.read_text(encoding="utf-8"))
    leaked = [line for line in hidden_lines(graded.course.root, case.assignment) if line in text]
    assert not leaked, f"{case.about}: {len(leaked)} hidden-test lines on the page, e.g. {leaked[:3]}"


# --- the report --------------------------------------------------------------------------------------

def test_report_has_one_row_per_submission_with_status_reason_and_pass_rates(graded):
    report = json.loads((graded.out / "report.json").read_text())
    rows = {(r["student"], r["assignment"]): r for r in report["submissions"]}
    assert len(rows) == len(report["submissions"]) == len(GRADED_CASES)
    assert set(rows) == {(c.student, c.assignment) for c in GRADED_CASES}
    for key, result in graded.results.items():
        assert rows[key]["status"] == result.status and rows[key]["reason"] == result.reason
        if result.status != GRADED:
            assert rows[key]["reason"], f"{key}: {result.status} without a reason"
    for assignment in (A00, A02):
        rates = report["pass_rates"][assignment]
        tests = owners_of(graded.env.solution(assignment))
        assert set(rates) == set(tests)
        for test, rate in rates.items():
            mine = [r for r in graded.batch.results if r.assignment == assignment]
            assert rate["graded"] == len(mine)
            assert rate["passed"] == sum(o.grade_id == test and o.status == PASSED for r in mine for o in r.outcomes)
    text = (graded.out / "report.txt").read_text(encoding="utf-8")
    assert all(c.student in text for c in GRADED_CASES if c.student.isprintable())
