"""`make lab` serves JupyterLab on loopback with the nbgrader extension enabled."""

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ASSIGNMENT_00, ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab():
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token}"
    server = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> tuple[int, str]:
        request = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get("/api/status")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, "make lab exited early"
            assert time.monotonic() < deadline, "JupyterLab did not start within 120 s"
            time.sleep(1)
        yield get
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


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
