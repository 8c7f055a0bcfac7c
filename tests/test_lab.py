"""`make lab` serves JupyterLab on loopback with the nbgrader extension enabled."""

import json

import pytest

from conftest import ASSIGNMENT_00, ROOT
from lab_server import lab_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab():
    """GET a path of `make lab`'s server, run in the repository itself."""
    with lab_server(ROOT) as server:
        yield server.get


def test_lab_page_loads_with_the_nbgrader_extension(lab):
    status, page = lab("/lab")
    assert status == 200
    assert "@jupyter/nbgrader" in page


def test_formgrader_sees_the_course_assignments(lab):
    status, page = lab("/formgrader")
    assert status == 200
    assert "nbgrader" in page.lower()
    status, body = lab("/formgrader/api/assignments")
    assert status == 200
    assert ASSIGNMENT_00 in [a["name"] for a in json.loads(body)], "formgrader must read solutions/ as its source folder"


def test_lab_serves_the_course_files(lab):
    status, body = lab(f"/api/contents/exercises/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb")
    assert status == 200
    assert json.loads(body)["content"]["metadata"]["kernelspec"]["name"] == "python3"
