"""Students' own copies (my_work/) and an exercises/ that stays in sync after JupyterLab saves it."""

import json
import shutil

import pytest

from conftest import ASSIGNMENT_00, ROOT
from helpers.course import nbgrading
from helpers.course.canonical import KERNELSPEC, canonical, with_lab_metadata
from helpers.course.my_work import copy_exercises
from helpers.course.project import load_project


def saved_by_jupyterlab(nb: dict) -> dict:
    """What JupyterLab writes back after a student opens a notebook, runs nothing and saves."""
    nb = json.loads(json.dumps(nb))
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.12.4", "pygments_lexer": "ipython3"}
    nb["nbformat_minor"] = 5
    for cell in nb["cells"]:
        cell["metadata"].update({"trusted": True, "collapsed": False})
    return nb


@pytest.fixture
def course(tmp_path):
    """A copy of the course's assignments and configuration."""
    for name in ("pyproject.toml", "nbgrader_config.py"):
        shutil.copy(ROOT / name, tmp_path)
    for folder in ("jupyter", "solutions", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return load_project(tmp_path)


def test_my_work_copies_every_assignment_once_and_never_overwrites(course):
    first = copy_exercises(course)
    notebooks = {course.relative(p).replace("exercises/", "my_work/", 1) for p in course.exercise_notebooks()}
    assert notebooks <= set(first.copied) and not first.kept
    answer = course.my_work_dir / ASSIGNMENT_00 / f"{ASSIGNMENT_00}_exercises.ipynb"
    answer.write_text("my answers")
    shutil.rmtree(course.my_work_dir / "01_pytorch_workflow")
    again = copy_exercises(course)
    assert answer.read_text() == "my answers", "a student's work is never overwritten"
    assert all(path.startswith("my_work/01_pytorch_workflow/") for path in again.copied) and again.copied
    assert course.relative(answer) in again.kept


def test_canonical_form_ignores_what_jupyterlab_rewrites_but_not_content():
    nb = json.loads((ROOT / "exercises" / ASSIGNMENT_00 / f"{ASSIGNMENT_00}_exercises.ipynb").read_text())
    assert canonical(saved_by_jupyterlab(nb)) == canonical(nb)
    assert canonical(with_lab_metadata(nb)) == canonical(nb)
    edited = json.loads(json.dumps(nb))
    edited["cells"][5]["source"] = "random_tensor = 1"
    assert canonical(edited) != canonical(nb)
    retagged = json.loads(json.dumps(nb))
    retagged["cells"][5]["metadata"]["nbgrader"]["points"] = 99
    assert canonical(retagged) != canonical(nb), "nbgrader metadata is content"


@pytest.mark.slow
def test_exercises_opened_and_saved_in_jupyterlab_stay_in_sync(course, tmp_path):
    for path in course.exercise_notebooks():
        path.write_text(json.dumps(saved_by_jupyterlab(json.loads(path.read_text())), indent=1))
    assert nbgrading.out_of_sync(course, tmp_path / "work") == []
    path = course.exercise_notebooks()[0]
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = "# changed by hand"
    path.write_text(json.dumps(nb))
    assert nbgrading.out_of_sync(course, tmp_path / "work2") == [f"{course.relative(path)} differs from what solutions/ generates"]
