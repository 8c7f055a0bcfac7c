"""Generate student versions and autograde submissions with nbgrader's own API.

Everything here drives nbgrader in-process through :class:`NbGraderAPI`, with
the repository's ``nbgrader_config.py`` as the single source of settings. The
scratch course folders (gradebook, release copies) live in a working folder
the caller chooses, never in the repository.
"""

import json
import os
import re
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from helpers.course.project import Project


def _course_config(project: Project):
    """The traitlets config from the repository's ``nbgrader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(project.root)).load_config()


def _nbgrader_api(project: Project, workdir: Path, release_dir: Path):
    """An ``NbGraderAPI`` whose course folder is ``workdir``.

    ``solutions/`` is read in place; the gradebook and every generated or
    graded file go under ``workdir`` (or ``release_dir``).
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    # nbgrader runs `alembic` as a command; make sure this Python's scripts are found.
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")

    config = _course_config(project)
    config.CourseDirectory.root = str(workdir)
    config.CourseDirectory.source_directory = str(project.solutions_dir)
    config.CourseDirectory.release_directory = str(release_dir)
    config.CourseDirectory.db_url = f"sqlite:///{workdir / 'gradebook.db'}"
    workdir.mkdir(parents=True, exist_ok=True)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w]+\.)*(\w+(?:Error|Exception)): (.*)$")


def root_cause(log: str) -> str:
    """The innermost exception in nbgrader's log, e.g. ``DeadKernelError: Kernel died``.

    nbgrader ends every failure with a generic ``NbGraderException``; the useful
    line is the last other exception in the traceback it logged before.
    """
    causes = [
        f"{match.group(1)}: {match.group(2).strip()}"
        for match in map(_EXCEPTION_LINE.match, (log or "").splitlines())
        if match and match.group(1) != "NbGraderException"
    ]
    return causes[-1] if causes else "nbgrader failed (see its log)"


def generate(project: Project, release_dir: Path, workdir: Path, assignments: list[str] | None = None) -> None:
    """Generate the student version of each assignment into ``release_dir``.

    Args:
        project: The course.
        release_dir: Receives one folder per assignment.
        workdir: Scratch course folder (holds the gradebook nbgrader fills).
        assignments: Which ones; all of them when omitted.

    Raises:
        RuntimeError: nbgrader could not generate an assignment (its log is in the message).
    """
    api = _nbgrader_api(project, workdir, release_dir)
    for assignment in assignments or project.assignments():
        result = api.generate_assignment(assignment)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")


def release(project: Project, workdir: Path) -> list[str]:
    """Regenerate ``exercises/`` from ``solutions/``.

    Folders of ``exercises/`` without a matching assignment are removed.

    Returns:
        The paths written, relative to the repository root.
    """
    fresh = workdir / "release"
    shutil.rmtree(fresh, ignore_errors=True)
    generate(project, fresh, workdir)
    written = []
    project.exercises_dir.mkdir(exist_ok=True)
    for stale in project.exercises_dir.iterdir():
        if stale.is_dir() and stale.name not in project.assignments():
            shutil.rmtree(stale)
    for assignment in project.assignments():
        target = project.exercises_dir / assignment
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(fresh / assignment, target)
        written += [project.relative(p) for p in sorted(target.rglob("*")) if p.is_file()]
    return written


def _same_file(a: Path, b: Path) -> bool:
    if a.suffix == ".ipynb":
        try:
            return json.loads(a.read_text()) == json.loads(b.read_text())
        except json.JSONDecodeError:
            return False
    return a.read_bytes() == b.read_bytes()


def out_of_sync(project: Project, workdir: Path) -> list[str]:
    """Compare the committed ``exercises/`` with what nbgrader generates now.

    Returns:
        One line per difference; empty when everything is in sync.
    """
    fresh = workdir / "release"
    shutil.rmtree(fresh, ignore_errors=True)
    generate(project, fresh, workdir)
    expected = {p.relative_to(fresh).as_posix(): p for p in fresh.rglob("*") if p.is_file()}
    actual = {
        p.relative_to(project.exercises_dir).as_posix(): p
        for p in project.exercises_dir.rglob("*")
        if p.is_file() and not {".ipynb_checkpoints", "__pycache__"} & set(p.parts)
    }
    problems = [f"exercises/{name} is missing" for name in sorted(expected.keys() - actual.keys())]
    problems += [f"exercises/{name} is not generated from solutions/" for name in sorted(actual.keys() - expected.keys())]
    problems += [
        f"exercises/{name} differs from what solutions/ generates"
        for name in sorted(expected.keys() & actual.keys())
        if not _same_file(expected[name], actual[name])
    ]
    return problems


def validate(project: Project, notebook: Path) -> dict[str, list[dict[str, str]]]:
    """Run nbgrader's validator (the *Validate* button) with the course settings.

    ``nbgrader validate`` on the command line exits 0 even when tests fail;
    this returns its findings instead.

    Returns:
        ``{}`` when every test passes, else nbgrader's results, e.g.
        ``{"failed": [{"source": ..., "raw_error": ...}, ...]}``.
    """
    from nbgrader.validator import Validator

    return Validator(config=_course_config(project)).validate(str(notebook))


@dataclass
class GradedSubmission:
    """One student's autograded assignment.

    Attributes:
        student: The student id (the submission's folder name).
        assignment: The assignment name.
        ok: Whether nbgrader graded it (a broken notebook is not ok, scores 0).
        score: Points earned.
        max_score: Points available.
        seconds: Time nbgrader took for this submission.
        grades: Points per graded cell, ``{grade_id: (score, max_score)}``.
        problem: Why it is not ok (empty when ok).
    """

    student: str
    assignment: str
    ok: bool
    score: float
    max_score: float
    seconds: float
    grades: dict[str, tuple[float, float]] = field(default_factory=dict)
    problem: str = ""


def _max_points(gradebook, assignment: str) -> float:
    return float(sum(cell.max_score for nb in gradebook.find_assignment(assignment).notebooks for cell in nb.grade_cells))


def autograde(
    project: Project,
    submissions: Path,
    workdir: Path,
    *,
    feedback: bool = False,
) -> list[GradedSubmission]:
    """Autograde a folder of submissions into a gradebook and ``grades.csv``.

    ``submissions`` uses nbgrader's layout, ``STUDENT/ASSIGNMENT/NOTEBOOK.ipynb``
    (what ``nbgrader collect`` and ``zip_collect`` produce). Each submission is
    graded on its own: a broken one is recorded with 0 points and a reason,
    and grading carries on with the next.

    Args:
        project: The course (its ``solutions/`` define the tests and points).
        submissions: The folder of submissions; it is copied, never changed.
        workdir: Receives ``gradebook.db``, ``autograded/``, ``grades.csv``
            and, with ``feedback``, ``feedback/`` (HTML per student).
        feedback: Also generate the students' HTML feedback.

    Returns:
        One entry per student and assignment, in folder order.
    """
    submitted = workdir / "submitted"
    if submitted.resolve() != Path(submissions).resolve():
        shutil.rmtree(submitted, ignore_errors=True)
        shutil.copytree(submissions, submitted, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    api = _nbgrader_api(project, workdir, workdir / "release")

    pairs = [
        (student.name, folder.name)
        for student in sorted(p for p in submitted.iterdir() if p.is_dir())
        for folder in sorted(p for p in student.iterdir() if p.is_dir())
    ]
    known = set(project.assignments())
    wanted = sorted({assignment for _, assignment in pairs} & known)
    generate(project, workdir / "release", workdir, wanted)

    # nbgrader's own gradebook code trips harmless SQLAlchemy "not in session" warnings.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")
        graded = [_grade_one(api, student, assignment, known, feedback) for student, assignment in pairs]
        _read_scores(workdir / "gradebook.db", graded, known)
    return graded


def _grade_one(api, student: str, assignment: str, known: set[str], feedback: bool) -> GradedSubmission:
    """Autograde one submission; any failure becomes the entry's ``problem``."""
    if assignment not in known:
        return GradedSubmission(student, assignment, False, 0.0, 0.0, 0.0, problem="no such assignment in solutions/")
    start = time.perf_counter()
    try:
        result = api.autograde(assignment, student)
        problem = "" if result["success"] else root_cause(f"{result.get('log') or ''}\n{result.get('error') or ''}")
    except Exception as error:  # nbgrader itself broke on this submission
        problem = f"{type(error).__name__}: {error}"
    seconds = time.perf_counter() - start
    if feedback and not problem:
        api.generate_feedback(assignment, student)
    return GradedSubmission(student, assignment, not problem, 0.0, 0.0, seconds, problem=problem)


def _read_scores(database: Path, graded: list[GradedSubmission], known: set[str]) -> None:
    """Fill in scores from the gradebook and export nbgrader's ``grades.csv`` beside it."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.plugins.export import CsvExportPlugin

    with Gradebook(f"sqlite:///{database}") as gradebook:
        for entry in graded:
            if entry.assignment not in known:
                continue
            entry.max_score = _max_points(gradebook, entry.assignment)
            try:
                submission = gradebook.find_submission(entry.assignment, entry.student)
            except MissingEntry:
                continue
            if entry.ok:
                entry.score = float(submission.score)
            entry.grades = {
                grade.name: (float(grade.score), float(grade.max_score))
                for notebook in submission.notebooks
                for grade in notebook.grades
                if grade.max_score
            }
        CsvExportPlugin(to=str(database.parent / "grades.csv")).export(gradebook)
