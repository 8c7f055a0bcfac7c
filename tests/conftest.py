"""Shared fixtures and small notebook factories (in the style of nbgrader's own tests)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers.course.project import Project, load_project
from helpers.course.setup_cell import setup_cell_source

pytest_plugins = ["postgres_server"]

ROOT = Path(__file__).resolve().parents[1]

#: The chapter-00 assignment, used by the notebook and grading tests.
ASSIGNMENT_00 = "00_pytorch_fundamentals"


@pytest.fixture(scope="session")
def project() -> Project:
    """The course repository this test suite lives in."""
    return load_project(ROOT)


def code_cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    """A code cell; keyword arguments become its nbgrader metadata (schema 3 added)."""
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False, "locked": False, "task": False, **nbgrader}
    return cell


def markdown_cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    """A markdown cell; keyword arguments become its nbgrader metadata."""
    cell = nbformat.v4.new_markdown_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False, "locked": True, "task": False, **nbgrader}
    return cell


def parameters_cell(source: str = "SMOKE = False\nSEED = 42", **nbgrader) -> nbformat.NotebookNode:
    """A cell tagged ``parameters`` for papermill."""
    cell = code_cell(source, **nbgrader)
    cell.metadata["tags"] = ["parameters"]
    return cell


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A notebook on the ``python3`` kernel holding ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = list(cells)
    return nb


def course_notebook(project: Project, path: Path, *cells: nbformat.NotebookNode, title: str = "# A notebook") -> nbformat.NotebookNode:
    """A notebook that follows the course rules: title + badge, setup, parameters, then ``cells``."""
    return notebook(
        markdown_cell(f"{title}\n\nOne line.\n\n{project.colab_badge(path)}"),
        code_cell(setup_cell_source(project.install_spec)),
        parameters_cell(),
        *cells,
    )


def copy_course(project: Project, target: Path) -> Project:
    """Copy the course's configuration and notebooks (not .venv or build/) to ``target``."""
    for name in ("pyproject.toml", "nbgrader_config.py"):
        shutil.copy(project.root / name, target / name)
    for folder in ("notebooks", "solutions", "exercises"):
        shutil.copytree(project.root / folder, target / folder)
    return load_project(target)


def course_cli(*args: str, root: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python -m helpers.course --root ROOT ARGS`` as a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "helpers.course", "--root", str(root), *args],
        capture_output=True, text=True, timeout=1800,
    )


@pytest.fixture(scope="session")
def course_smoke(project, tmp_path_factory) -> SimpleNamespace:
    """``course --smoke --jobs 2`` (what `make smoke` runs, two notebooks at a time) on a copy of the course, once per session.

    Returns:
        ``root`` (the copy), ``process`` (the finished subprocess) and ``report``
        (``build/report.json``: every notebook run and graded submission).
    """
    root = tmp_path_factory.mktemp("course_copy")
    copy_course(project, root)
    process = course_cli("course", "--smoke", "--jobs", "2", root=root)  # two notebooks at a time (CI time)
    report_file = root / "build" / "report.json"
    assert report_file.is_file(), process.stdout[-3000:] + process.stderr[-3000:]
    return SimpleNamespace(root=root, process=process, report=json.loads(report_file.read_text()))
