"""Grade a class: every submission in its own sandboxed kernel, in parallel, into nbgrader's gradebook.

``python -m helpers.course grade SUBMISSIONS`` calls :func:`grade_batch`. The
layout is nbgrader's, ``STUDENT/ASSIGNMENT/NOTEBOOK.ipynb`` (what ``nbgrader
collect`` and ``zip_collect`` produce). The steps:

1. Check every student id (folder names are ids, never patterns); an id that
   cannot be used safely is rejected before any grading starts.
2. Keep this machine's shard of the students (``--shard K/N``).
3. Generate the assignments with nbgrader and enter them in the gradebook.
4. Run the reference solution once per assignment in the sandbox: it must earn
   full marks, and its run time sizes each notebook's time budget and each
   cell's timeout (unless ``--budget`` is given).
5. Grade the submissions, ``--jobs`` at a time, each in a process of its own
   (``helpers/course/submission.py``), with the machine's cores divided among them.
6. As each one finishes, write its graded notebook, its feedback page (rendered
   by its worker) and its points in the gradebook; at the end, ``grades.csv`` and the batch report.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from helpers.course import gradebook
from helpers.course.outcomes import PASSED
from helpers.course.project import Project
from helpers.course.report import format_points, table
from helpers.course.sandbox import Limits, availability
from helpers.course.submission import BROKEN, Job, Result, from_json

#: A notebook's budget: this many times the reference solution's run time, and at least MIN_BUDGET seconds.
BUDGET_FACTOR = 4.0
MIN_BUDGET = 60.0
#: A cell's timeout: this many times the reference's time for that cell, and at least MIN_CELL_TIMEOUT seconds.
CELL_FACTOR = 10.0
MIN_CELL_TIMEOUT = 30.0
#: Longest student id the gradebook stores.
MAX_ID_LENGTH = 128
REFERENCE = "(reference solution)"


class GradingError(RuntimeError):
    """The batch cannot be graded (the course itself is broken, a bad option); nothing was recorded."""


@dataclass
class Settings:
    """How to grade a batch.

    Attributes:
        jobs: Submissions graded at once (default: the number of cores).
        shard: ``(K, N)``: grade the K-th of N shards of the students (1-based).
        db_url: The gradebook (default: ``OUT/gradebook.db``); ``postgresql://...`` to share one.
        feedback: Also write an HTML feedback page per student and assignment.
        budget: Seconds per notebook; by default sized from the reference solution's run.
        limits: Memory, processes and file size per submission.
        sandbox: Run kernels in bubblewrap; ``None``: when it is available (with a warning if not).
        data_dir: The course data folder kernels may read.
        progress: Show a progress bar.
    """

    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    shard: tuple[int, int] = (1, 1)
    db_url: str | None = None
    feedback: bool = False
    budget: float | None = None
    limits: Limits = field(default_factory=Limits)
    sandbox: bool | None = None
    data_dir: Path | None = None
    progress: bool = False


@dataclass
class Batch:
    """A graded batch."""

    results: list[Result]
    rejected: list[tuple[str, str]]
    out: Path
    db_url: str
    seconds: float
    sandboxed: bool
    budgets: dict[str, float] = field(default_factory=dict)

    def pass_rates(self) -> dict[str, dict[str, tuple[int, int]]]:
        """For each assignment and test cell: (students who passed it, students graded)."""
        rates: dict[str, dict[str, tuple[int, int]]] = {}
        for result in self.results:
            if result.status == BROKEN or result.student == REFERENCE:
                continue
            for outcome in result.outcomes:
                passed, total = rates.setdefault(result.assignment, {}).get(outcome.grade_id, (0, 0))
                rates[result.assignment][outcome.grade_id] = (passed + (outcome.status == PASSED), total + 1)
        return rates


def student_id_problem(name: str) -> str | None:
    """Why a folder name cannot be a student id, or ``None`` if it can (as it is, spaces and brackets included)."""
    if not name.strip():
        return "the id is empty or only spaces"
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        return "the id holds control characters or bytes that are not text"
    if len(name) > MAX_ID_LENGTH:
        return f"the id is longer than {MAX_ID_LENGTH} characters"
    if name in (".", "..") or "/" in name or "\\" in name:
        return "the id is not a plain folder name"
    return None


def discover(submissions: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(student, assignment) pairs in nbgrader's layout, and the folders rejected with the reason.

    Hidden folders (``.ipynb_checkpoints``, ``.git``) are skipped; symbolic links are rejected.
    """
    pairs, rejected = [], []
    for student in sorted(submissions.iterdir(), key=lambda p: p.name):
        if student.name.startswith("."):
            continue
        name = os.fsdecode(student.name)
        if student.is_symlink():
            rejected.append((name, "the student's folder is a symbolic link"))
            continue
        if not student.is_dir():
            continue
        problem = student_id_problem(name)
        if problem:
            rejected.append((repr(name), problem))
            continue
        for folder in sorted(student.iterdir(), key=lambda p: p.name):
            if folder.is_dir() and not folder.is_symlink() and not folder.name.startswith("."):
                pairs.append((name, folder.name))
    return pairs, rejected


def shard_of(students: list[str], shard: tuple[int, int]) -> set[str]:
    """The students of shard ``K`` of ``N``: every N-th of the sorted ids, starting at the K-th."""
    k, n = shard
    if not 1 <= k <= n:
        raise GradingError(f"--shard {k}/{n}: K must be between 1 and N")
    return {student for index, student in enumerate(sorted(set(students))) if index % n == k - 1}


def _notebook_name(release: Path, assignment: str) -> str:
    notebooks = sorted(p.name for p in (release / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise GradingError(f"{assignment}: the grader handles one notebook per assignment, found {notebooks}")
    return notebooks[0]


def _run_job(job: Job, workdir: Path) -> Result:
    """Grade one submission in a process of its own; a crash of that process is a broken result."""
    folder = Path(tempfile.mkdtemp(prefix="job-", dir=workdir))
    job_file, result_file = folder / "job.json", folder / "result.json"
    job_file.write_text(json.dumps(asdict(job)))
    try:
        process = subprocess.run(
            [sys.executable, "-m", "helpers.course.submission", str(job_file), str(result_file)],
            capture_output=True, text=True, timeout=job.budget + 180,
        )
        if result_file.exists():
            return from_json(result_file.read_text())
        problem = f"the grader's process failed ({process.returncode}): {process.stderr.strip()[-300:]}"
    except subprocess.TimeoutExpired:
        problem = "the grader's process did not finish in time"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Result(job.student, job.assignment, BROKEN, problems=[problem])


def _write_outputs(result: Result, out: Path, notebook_name: str, db_url: str) -> None:
    """Everything one result leaves behind: the graded notebook, feedback, gradebook rows."""
    if result.notebook is not None:
        graded = nbformat.from_dict(result.notebook)
        target = out / "autograded" / result.student / result.assignment
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(graded, target / notebook_name)
        if result.feedback_html is not None:
            page = out / "feedback" / result.student / result.assignment / f"{Path(notebook_name).stem}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(result.feedback_html, encoding="utf-8")
    gradebook.record(db_url, result, notebook_name)


def _reference_budgets(
    project: Project, assignments: list[str], release: Path, settings: Settings, common: dict, workdir: Path
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Run each reference solution; its time sizes the budget and the cell timeouts."""
    budgets, timeouts = {}, {}
    jobs = []
    for assignment in assignments:
        name = _notebook_name(release, assignment)
        folder = workdir / "reference" / assignment
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(project.solutions_dir / assignment / name, folder / name)
        jobs.append(Job(REFERENCE, assignment, str(folder), name, str(release / assignment / name),
                        str(project.solutions_dir / assignment / name), budget=1800.0, **common))
    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        for job, result in zip(jobs, pool.map(lambda j: _run_job(j, workdir), jobs)):
            if result.status == BROKEN or result.score != result.max_score:
                failing = [f"{o.grade_id}: {o.message.splitlines()[0] if o.message else o.status}"
                           for o in result.outcomes if o.status != PASSED]
                raise GradingError(
                    f"{job.assignment}: the reference solution scores {format_points(result.score, result.max_score)} "
                    f"in the grading sandbox, so nothing was graded. {'; '.join(result.problems + failing)[:800]}"
                )
            budgets[job.assignment] = max(MIN_BUDGET, BUDGET_FACTOR * result.seconds)
            timeouts[job.assignment] = {cell: max(MIN_CELL_TIMEOUT, CELL_FACTOR * seconds) for cell, seconds in result.cell_seconds.items()}
    return budgets, timeouts


def grade_batch(project: Project, submissions: Path, out: Path, settings: Settings | None = None) -> Batch:
    """Grade every submission under ``submissions`` into ``out`` (see the module docstring).

    Raises:
        GradingError: The batch cannot be graded at all (bad shard, broken reference solution).
    """
    settings = settings or Settings()
    started = time.perf_counter()
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if out == submissions or submissions in out.parents:
        raise GradingError("--out must not be inside the submissions folder")
    sandboxed = settings.sandbox
    if sandboxed is None:
        sandboxed, why = availability()
        if not sandboxed:
            print(f"warning: grading WITHOUT a sandbox: {why}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    db_url = gradebook.normalize_url(settings.db_url) if settings.db_url else gradebook.sqlite_url(out / "gradebook.db")

    pairs, rejected = discover(submissions)
    mine = shard_of([student for student, _ in pairs], settings.shard)
    pairs = [(s, a) for s, a in pairs if s in mine]
    known = set(project.assignments())
    wanted = sorted({a for _, a in pairs} & known)
    results = [Result(s, a, BROKEN, problems=["no such assignment in solutions/"]) for s, a in pairs if a not in known]
    release = gradebook.prepare(project, db_url, wanted, out / "course") if wanted else out / "course" / "release"

    threads = max(1, (os.cpu_count() or 1) // max(1, settings.jobs))
    common = dict(limits=asdict(settings.limits), sandboxed=sandboxed, threads=threads,
                  data_dir=str(settings.data_dir) if settings.data_dir else None)
    workdir = Path(tempfile.mkdtemp(prefix="course-grading-"))
    common["work"] = str(workdir)
    try:
        if settings.budget is None and wanted:
            budgets, timeouts = _reference_budgets(project, wanted, release, settings, common, workdir)
        else:
            budgets = {a: float(settings.budget or MIN_BUDGET) for a in wanted}
            timeouts = {a: {} for a in wanted}
        names = {a: _notebook_name(release, a) for a in wanted}
        jobs = [
            Job(student, assignment, str(submissions / student / assignment), names[assignment],
                str(release / assignment / names[assignment]), str(project.solutions_dir / assignment / names[assignment]),
                budget=budgets[assignment], cell_timeouts=timeouts[assignment], default_cell_timeout=budgets[assignment],
                feedback=settings.feedback, **common)
            for student, assignment in pairs if assignment in known
        ]
        from tqdm.auto import tqdm

        with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool, \
                tqdm(total=len(jobs), desc="grading", unit="submission", disable=not settings.progress) as bar:
            futures = {pool.submit(_run_job, job, workdir): job for job in jobs}
            for future in as_completed(futures):
                result = future.result()
                try:
                    _write_outputs(result, out, names[result.assignment], db_url)
                except Exception as error:  # one failed write must not lose the rest of the batch
                    result.problems.append(f"could not be recorded: {type(error).__name__}: {str(error)[:300]}")
                    result.status = BROKEN
                result.notebook = result.feedback_html = None  # written out: a class's worth must not pile up in memory
                results.append(result)
                bar.update(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results.sort(key=lambda r: (r.student, r.assignment))
    gradebook.export_csv(db_url, out / "grades.csv")
    batch = Batch(results, rejected, out, db_url, time.perf_counter() - started, sandboxed, budgets)
    write_report(batch)
    return batch


def format_report(batch: Batch) -> str:
    """The batch report for people: one row per student, rejected ids, pass rate per exercise."""
    rows = [(r.student, r.assignment, r.status, format_points(r.score, r.max_score), f"{r.seconds:.1f}",
             (r.reason or "-")[:160]) for r in batch.results]
    parts = [table(["student", "assignment", "status", "score", "seconds", "reason"], rows)]
    if batch.rejected:
        parts.append("Not graded (unusable student ids):\n" + "\n".join(f"  {name}: {why}" for name, why in batch.rejected))
    rates = []
    for assignment, cells in sorted(batch.pass_rates().items()):
        for grade_id, (passed, total) in cells.items():
            rates.append((assignment, grade_id, f"{passed / total:.0%}" if total else "-", f"{passed}/{total}"))
    if rates:
        parts.append(table(["assignment", "test", "pass rate", "students"], rates))
    sandbox = "sandboxed (bubblewrap)" if batch.sandboxed else "NOT sandboxed"
    parts.append(f"{len(batch.results)} submission(s) in {batch.seconds:.0f} s, {sandbox}. Gradebook: {batch.db_url}")
    return "\n\n".join(parts)


def write_report(batch: Batch) -> None:
    """``report.txt`` and ``report.json`` in the output folder."""
    (batch.out / "report.txt").write_text(format_report(batch) + "\n", encoding="utf-8")
    details = {
        "seconds": batch.seconds,
        "sandboxed": batch.sandboxed,
        "budgets": batch.budgets,
        "rejected": [{"folder": name, "reason": why} for name, why in batch.rejected],
        "pass_rates": {a: {g: {"passed": p, "graded": t} for g, (p, t) in cells.items()} for a, cells in batch.pass_rates().items()},
        "submissions": [{k: v for k, v in asdict(r).items() if k not in ("notebook", "feedback_html")} | {"reason": r.reason}
                        for r in batch.results],
    }
    (batch.out / "report.json").write_text(json.dumps(details, indent=1) + "\n", encoding="utf-8")
