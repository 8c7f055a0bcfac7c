"""The gradebook: nbgrader's own database (sqlite, or PostgreSQL for several grading machines).

Only the grader writes it, after a submission's kernel has stopped: student code
never sees it. Several grading processes may share one gradebook (``grade
--shard K/N --db postgresql://...``): setting up an assignment happens under a
lock (a PostgreSQL advisory lock, or a file lock for sqlite), and each process
writes its own students.
"""

import fcntl
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.course import nbgrading
from helpers.course.outcomes import NOT_COUNTED
from helpers.course.project import Project
from helpers.course.submission import BROKEN, FLAGGED, Result

#: Any number: PostgreSQL advisory locks are named by integers.
_LOCK_KEY = 8_271_635


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def normalize_url(db_url: str) -> str:
    """A plain ``postgresql://`` URL uses the PostgreSQL driver that is installed (psycopg2 or psycopg 3)."""
    import importlib.util

    if db_url.startswith("postgresql://") and importlib.util.find_spec("psycopg") is None:
        return "postgresql+psycopg2://" + db_url.removeprefix("postgresql://")
    return db_url


def _lock_file(db_url: str) -> Path:
    """The file every process using a sqlite gradebook locks: beside the database."""
    path = Path(db_url.split(":///", 1)[1]) if ":///" in db_url else Path(".gradebook")
    return path.with_name(path.name + ".lock")


@contextmanager
def exclusive(db_url: str) -> Iterator[None]:
    """Hold a lock that every grading process sharing ``db_url`` respects.

    nbgrader re-creates an assignment's notebook rows when it sets one up, and
    creates its tables on first use: neither may overlap with another process's
    writes, so setting up, recording and exporting all happen under this lock.
    """
    if db_url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(db_url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
        finally:
            engine.dispose()
        return
    lock_file = _lock_file(db_url)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(project: Project, db_url: str, assignments: list[str], workdir: Path) -> Path:
    """Generate the student versions of ``assignments`` and enter them in the gradebook.

    Returns:
        The folder holding one generated (released) folder per assignment.
    """
    release = workdir / "release"
    with exclusive(db_url):
        nbgrading.generate(project, release, workdir, assignments, db_url=db_url)
    return release


def record(db_url: str, result: Result, notebook_name: str) -> None:
    """Write one graded submission's points (nbgrader's ``auto_score``) into the gradebook.

    Broken submissions are entered with 0 points, so that the export lists them.
    A flagged or broken submission is marked ``flagged`` for the formgrader.
    Manual scores an instructor entered earlier are left alone.
    """
    from nbgrader.api import Gradebook

    stem = Path(notebook_name).stem
    with exclusive(db_url), warnings.catch_warnings(), Gradebook(db_url) as gradebook:
        # nbgrader's own add_submission trips harmless SQLAlchemy "not in session" warnings.
        warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
        gradebook.update_or_create_student(result.student)
        gradebook.update_or_create_submission(result.assignment, result.student)
        points = {o.grade_id: o for o in result.outcomes}
        notebook = gradebook.find_submission_notebook(stem, result.assignment, result.student)
        for grade in notebook.grades:
            outcome = points.get(grade.name)
            if grade.max_score:
                grade.auto_score = outcome.points if outcome else 0.0
        notebook.flagged = result.status in (FLAGGED, BROKEN) or any(o.status == NOT_COUNTED for o in result.outcomes)
        gradebook.db.commit()


def export_csv(db_url: str, path: Path) -> None:
    """nbgrader's own CSV export of every grade in the gradebook."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins.export import CsvExportPlugin

    with exclusive(db_url), Gradebook(db_url) as gradebook:
        CsvExportPlugin(to=str(path)).export(gradebook)
