"""Grade one submission: find its notebook, repair it, run it in the sandbox, score every test.

This runs in a process of its own per submission (``python -m
helpers.course.submission JOB RESULT``, started by ``helpers/course/grading.py``),
outside the sandbox: it is the trusted side that reads the kernel's replies. It
never touches the gradebook or the output folders; it writes one JSON result
(with the student's feedback page, when asked for one).

A test cell earns its points only when all of these hold:

- the kernel's ``execute_reply`` says ``ok`` and no error output was shown;
- the guard saw the test run to its end (its one-time nonce);
- nothing the tests rely on was replaced before or while it ran.
"""

import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from helpers.course import executor, repair, scan
from helpers.course.hygiene import is_test_cell, nbgrader_meta
from helpers.course.outcomes import FAILED, NOT_COUNTED, NOT_RUN, PASSED, Flag, Tampering, TestOutcome
from helpers.course.sandbox import Limits

#: A submission folder larger than this is not graded.
MAX_SUBMISSION_BYTES = 200 * 1024 * 1024
#: Names never copied into the kernel's folder: they would configure Python, IPython or matplotlib at start-up.
NOT_COPIED = {"sitecustomize.py", "usercustomize.py", "matplotlibrc"}

GRADED, REPAIRED, FLAGGED, BROKEN = "graded", "repaired", "flagged", "broken"


@dataclass
class Job:
    """What to grade and how (written as JSON by the batch grader)."""

    student: str
    assignment: str
    folder: str
    notebook_name: str
    release: str
    solution: str
    budget: float
    cell_timeouts: dict[str, float] = field(default_factory=dict)
    default_cell_timeout: float = 600.0
    limits: dict = field(default_factory=dict)
    sandboxed: bool = True
    threads: int = 1
    data_dir: str | None = None
    work: str | None = None
    feedback: bool = False


@dataclass
class Result:
    """What grading one submission found (read back by the batch grader)."""

    student: str
    assignment: str
    status: str
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    outcomes: list[TestOutcome] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    tampering: list[Tampering] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cell_seconds: dict[str, float] = field(default_factory=dict)
    notebook: dict | None = None
    feedback_html: str | None = None

    @property
    def reason(self) -> str:
        """One line for the report: why the status is what it is."""
        parts = self.problems + [f"{t.cell}: {'; '.join(t.changes[:3])}" for t in self.tampering]
        parts += [f"{f.where}: {f.kind}" for f in self.flags] + self.notes + self.repairs
        return "; ".join(parts)


def _copy_submission(source: Path, target: Path) -> None:
    """Copy the regular files of a submission (no links, no hidden or start-up files)."""
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts) or relative.name in NOT_COPIED:
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        if any(parent.is_symlink() for parent in path.relative_to(source).parents if str(parent) != "."):
            continue
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
            continue
        total += path.stat().st_size
        if total > MAX_SUBMISSION_BYTES:
            raise ValueError(f"the submission folder holds more than {MAX_SUBMISSION_BYTES >> 20} MB")
        shutil.copyfile(path, target / relative)


def _plan(aligned: nbformat.NotebookNode, solution: nbformat.NotebookNode) -> list[executor.PlannedCell]:
    """Which code runs for each code cell: the solution's text for read-only and test cells."""
    instructor = {nbgrader_meta(c).get("grade_id"): c.source for c in solution.cells if nbgrader_meta(c).get("grade_id")}
    plan = []
    for index, cell in enumerate(aligned.cells):
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        if not meta:
            plan.append(executor.PlannedCell(index, executor.EXTRA, cell.source))
        elif meta.get("solution"):
            plan.append(executor.PlannedCell(index, executor.ANSWER, cell.source, grade_id))
        elif is_test_cell(cell):
            plan.append(executor.PlannedCell(index, executor.TEST, instructor.get(grade_id, cell.source), grade_id))
        else:
            plan.append(executor.PlannedCell(index, executor.LOCKED, instructor.get(grade_id, cell.source), grade_id))
    return plan


def _where(run: executor.CellRun) -> str:
    return run.cell.grade_id or f"cell {run.cell.index}"


def _error_message(run: executor.CellRun) -> str:
    for output in run.outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    return ""


def score(execution: executor.Execution, aligned: nbformat.NotebookNode) -> tuple[list[TestOutcome], list[Tampering], list[Flag]]:
    """Turn a run into one outcome per test cell, the tampering seen and the grader's own flags."""
    points = {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0)) for c in aligned.cells if is_test_cell(c)}
    outcomes, tampering, flags = [], [], []
    active: list[str] = []
    seen: set[str] = set()
    for run in execution.cells:
        new = [change for change in run.changes if change not in seen]
        if new:
            tampering.append(Tampering(_where(run), new))
            seen.update(new)
        if run.threads:
            flags.append(Flag(_where(run), "threads left running", ", ".join(run.threads)))
        if run.cell.kind != executor.TEST:
            active = run.changes
            continue
        grade_id = run.cell.grade_id
        worth = points.get(grade_id, 0.0)
        affected = active or run.changes
        active = run.changes
        if run.reply == "not run":
            outcomes.append(TestOutcome(grade_id, 0.0, worth, NOT_RUN, run.note))
        elif affected:
            culprit = next((t.cell for t in tampering if set(t.changes) & set(affected)), _where(run))
            outcomes.append(TestOutcome(grade_id, 0.0, worth, NOT_COUNTED,
                                        f"not counted: {affected[0]} (in {culprit}); flagged for review"))
        elif run.reply == "ok" and run.completed and not run.error_shown:
            outcomes.append(TestOutcome(grade_id, worth, worth, PASSED))
        else:
            message = _error_message(run) or run.note
            if not message:
                message = "the test did not run to its end, and its error was not shown"
                flags.append(Flag(grade_id, "error hidden", "the kernel reported no error for a test that did not finish"))
            elif run.reply == "ok":
                flags.append(Flag(grade_id, "replies disagree", "the kernel replied ok but showed an error"))
            outcomes.append(TestOutcome(grade_id, 0.0, worth, FAILED, message))
    for cell in aligned.cells:  # test cells that were never planned (cannot happen after align, but be sure)
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_test_cell(cell) and grade_id not in {o.grade_id for o in outcomes}:
            outcomes.append(TestOutcome(grade_id, 0.0, points[grade_id], NOT_RUN, "not run"))
    return outcomes, tampering, flags


def _graded_notebook(aligned: nbformat.NotebookNode, execution: executor.Execution) -> nbformat.NotebookNode:
    """The aligned notebook with the code that ran and its outputs (the instructor's copy)."""
    graded = nbformat.from_dict(aligned)
    for run in execution.cells:
        cell = graded.cells[run.cell.index]
        cell.source = run.cell.code
        cell.outputs = [nbformat.from_dict(o) for o in run.outputs]
        cell.execution_count = run.execution_count
    return graded


def grade(job: Job) -> Result:
    """Grade one submission (see the module docstring)."""
    import time

    started = time.perf_counter()
    result = Result(job.student, job.assignment, BROKEN)
    release = nbformat.read(job.release, as_version=4)
    solution = nbformat.read(job.solution, as_version=4)
    result.max_score = sum(float(nbgrader_meta(c).get("points", 0)) for c in release.cells if is_test_cell(c))
    path, note = repair.find_notebook(Path(job.folder), job.notebook_name)
    if path is None:
        result.problems.append(note)
        return result
    if note:
        result.repairs.append(note)
    try:
        student = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except Exception as error:  # not JSON, not a notebook, not UTF-8
        result.problems.append(f"{path.name} is not a readable notebook: {type(error).__name__}: {str(error).splitlines()[0][:200]}")
        return result
    aligned = repair.align(student, release)
    result.repairs += aligned.repairs
    result.problems += aligned.problems
    plan = _plan(aligned.notebook, solution)
    imported = scan.bound_names([cell.code for cell in plan if cell.kind == executor.LOCKED])
    result.flags += scan.scan_cells([(c.grade_id or f"cell {c.index}", c.code) for c in plan if c.kind in (executor.ANSWER, executor.EXTRA)], imported=imported)
    result.flags += scan.scan_files(Path(job.folder), path)

    with tempfile.TemporaryDirectory(prefix="grading-", dir=job.work) as tmp:
        scratch, runtime = Path(tmp, "submission"), Path(tmp, "runtime")
        try:
            _copy_submission(Path(job.folder), scratch)
        except (OSError, ValueError) as error:
            result.problems.append(f"could not copy the submission: {error}")
            return result
        before = {p.relative_to(scratch) for p in scratch.rglob("*")}
        timeouts = {c.index: job.cell_timeouts[c.grade_id] for c in plan if c.grade_id in job.cell_timeouts}
        execution = executor.execute(
            plan, scratch, runtime,
            limits=Limits(**job.limits), sandboxed=job.sandboxed, threads=job.threads,
            budget=job.budget, cell_timeouts=timeouts,
            default_cell_timeout=job.default_cell_timeout,
            data_dir=Path(job.data_dir) if job.data_dir else None,
        )
        written = sorted(str(p.relative_to(scratch)) for p in scratch.rglob("*") if p.relative_to(scratch) not in before)
        if written:
            result.notes.append(f"files written beside the notebook: {', '.join(written[:10])}")
    outcomes, tampering, flags = score(execution, aligned.notebook)
    result.outcomes, result.tampering = outcomes, tampering
    result.flags += flags + [Flag(t.cell, "tampering", "; ".join(t.changes[:5])) for t in tampering]
    result.notes += execution.notes + [f"{_where(r)}: {r.note}" for r in execution.cells if r.note and r.reply != "not run"]
    if execution.budget_exhausted:
        result.notes.append(f"the time budget of {job.budget:.0f} s ran out")
    result.score = sum(o.points for o in outcomes)
    result.cell_seconds = {str(r.cell.grade_id): r.seconds for r in execution.cells if r.cell.grade_id}
    result.notebook = _graded_notebook(aligned.notebook, execution)
    if all(r.reply == "not run" for r in execution.cells):
        result.status = BROKEN
    elif result.flags:
        result.status = FLAGGED
    elif result.repairs or result.problems:
        result.status = REPAIRED
    else:
        result.status = GRADED
    if job.feedback:  # here, not in the batch grader: pages render in parallel, one per worker
        from helpers.course.feedback import render_feedback

        try:
            result.feedback_html = render_feedback(result.notebook, result.outcomes, student=result.student, assignment=result.assignment,
                                                   notes=result.repairs + result.problems + result.notes)
        except Exception as error:  # the grade stands without its page
            result.notes.append(f"no feedback page: rendering it failed ({type(error).__name__}: {str(error)[:200]})")
    result.seconds = time.perf_counter() - started
    return result


def to_json(result: Result) -> str:
    return json.dumps(asdict(result))


def from_json(text: str) -> Result:
    """Read a :class:`Result` back from :func:`to_json`."""
    data = json.loads(text)
    data["outcomes"] = [TestOutcome(**o) for o in data["outcomes"]]
    data["flags"] = [Flag(**f) for f in data["flags"]]
    data["tampering"] = [Tampering(**t) for t in data["tampering"]]
    return Result(**data)


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.course.submission JOB.json RESULT.json``."""
    job_file, result_file = argv or sys.argv[1:]
    job = Job(**json.loads(Path(job_file).read_text()))
    try:
        result = grade(job)
    except Exception as error:  # the grader itself failed on this submission: say so, grade the rest
        import traceback

        result = Result(job.student, job.assignment, BROKEN, problems=[f"the grader failed: {type(error).__name__}: {error}"],
                        notes=[traceback.format_exc()[-2000:]])
    Path(result_file).write_text(to_json(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
