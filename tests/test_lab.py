"""`make lab` serves JupyterLab on loopback with the nbgrader extension enabled."""

import asyncio
import json
import re
import urllib.request

import pytest

from conftest import ASSIGNMENT_00, ROOT
from lab_server import lab_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    """`make lab`'s server, run in the repository itself."""
    with lab_server(ROOT) as running:
        yield running


@pytest.fixture(scope="module")
def lab(server):
    """GET a path of the server."""
    return server.get


async def _type_in_terminal(server, name: str, line: str, wanted: re.Pattern, timeout: float = 60) -> re.Match:
    """Type ``line`` into terminal ``name`` over its websocket; wait for output matching ``wanted``."""
    from tornado.websocket import websocket_connect

    url = server.base.replace("http://", "ws://") + f"/terminals/websocket/{name}?token={server.token}"
    socket = await websocket_connect(url)
    socket.write_message(json.dumps(["stdin", line + "\r"]))
    shown = ""
    try:
        while not wanted.search(shown):
            message = await asyncio.wait_for(socket.read_message(), timeout)
            assert message is not None, f"the terminal closed; it showed:\n{shown}"
            kind, *data = json.loads(message)
            if kind == "stdout":
                shown += data[0]
    finally:
        socket.close()
    return wanted.search(shown)


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


def test_lab_terminals_have_the_course_environment(server):
    """The README's `python -m helpers.course validate ...` works as written in a terminal of `make lab`."""
    request = urllib.request.Request(server.base + "/api/terminals", method="POST",
                                     headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        name = json.loads(response.read())["name"]
    found = asyncio.run(_type_in_terminal(server, name, 'echo "PYTHON=$(command -v python) END"', re.compile(r"PYTHON=(/\S+) END")))
    assert found.group(1) == str(ROOT / ".venv" / "bin" / "python")
