"""Generate student versions and validate notebooks with nbgrader's own API.

(Grading lives in ``helpers/course/grading.py``, validation in ``validating.py``.)

Everything here drives nbgrader in-process through :class:`NbGraderAPI`, with
the repository's ``nbgrader_config.py`` as the single source of settings. The
scratch course folders (gradebook, release copies) live in a working folder
the caller chooses, never in the repository.
"""

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat

from helpers.course.canonical import canonical, with_lab_metadata
from helpers.course.project import Project


def course_config(project: Project):
    """The traitlets config from the repository's ``nbgrader_config.py``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(project.root)).load_config()


def _nbgrader_api(project: Project, workdir: Path, release_dir: Path, db_url: str | None = None):
    """An ``NbGraderAPI`` whose course folder is ``workdir``.

    ``solutions/`` is read in place; the gradebook (``db_url``, by default
    ``workdir/gradebook.db``) and every generated file go under ``workdir``
    (or ``release_dir``).
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    # nbgrader runs `alembic` as a command; make sure this Python's scripts are found.
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")

    config = course_config(project)
    config.CourseDirectory.root = str(workdir)
    config.CourseDirectory.source_directory = str(project.solutions_dir)
    config.CourseDirectory.release_directory = str(release_dir)
    config.CourseDirectory.db_url = db_url or f"sqlite:///{workdir / 'gradebook.db'}"
    workdir.mkdir(parents=True, exist_ok=True)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def generate(
    project: Project, release_dir: Path, workdir: Path, assignments: list[str] | None = None, db_url: str | None = None
) -> None:
    """Generate the student version of each assignment into ``release_dir``.

    Args:
        project: The course.
        release_dir: Receives one folder per assignment.
        workdir: Scratch course folder (holds the gradebook nbgrader fills).
        assignments: Which ones; all of them when omitted.
        db_url: The gradebook to enter them in (default: ``workdir/gradebook.db``).

    Raises:
        RuntimeError: nbgrader could not generate an assignment (its log is in the message).
    """
    api = _nbgrader_api(project, workdir, release_dir, db_url)
    for assignment in assignments or project.assignments():
        result = api.generate_assignment(assignment)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {assignment}:\n{result.get('error') or result.get('log')}")


def release(project: Project, workdir: Path) -> list[str]:
    """Regenerate ``exercises/`` from ``solutions/``.

    Notebooks get the kernel metadata JupyterLab writes when it opens them, so
    that opening one changes as little as it can (only the Python version).
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
        for notebook in target.rglob("*.ipynb"):  # the kernel metadata JupyterLab writes on opening
            nbformat.write(nbformat.from_dict(with_lab_metadata(nbformat.read(notebook, as_version=4))), notebook)
        written += [project.relative(p) for p in sorted(target.rglob("*")) if p.is_file()]
    return written


def _same_file(a: Path, b: Path) -> bool:
    if a.suffix == ".ipynb":
        try:
            return canonical(json.loads(a.read_text())) == canonical(json.loads(b.read_text()))
        except json.JSONDecodeError:
            return False
    return a.read_bytes() == b.read_bytes()


def out_of_sync(project: Project, workdir: Path) -> list[str]:
    """Compare the committed ``exercises/`` with what nbgrader generates now.

    Notebooks are compared by content (:func:`~helpers.course.canonical.canonical`): a copy that
    JupyterLab opened and saved, which rewrites kernel metadata, is still in sync.

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

