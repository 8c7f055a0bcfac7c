"""Start JupyterLab the way `make lab` does, for the tests that talk to it (test_lab, test_browser)."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: What a copy of the course needs to serve JupyterLab and run nbgrader (helpers/ is installed
#: in the environment, editable, so it stays where it is).
COURSE_FILES = ("Makefile", "pyproject.toml", "constraints.txt", "nbgrader_config.py")
COURSE_FOLDERS = ("solutions", "exercises", "notebooks")
#: Folders and files the copy never takes: the environment, build outputs, nbgrader's working folders.
NEVER_COPIED = {".venv", ".git", "build", "gradebook.db", "submitted", "autograded", "feedback", "release", "exchange"}


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_course_for_lab(root: Path, target: Path) -> Path:
    """Copy what `make lab` serves from ``root`` into ``target``, keeping modification times.

    Besides :data:`COURSE_FILES` and :data:`COURSE_FOLDERS`, any Jupyter configuration at the top of
    the repository (a name containing ``jupyter``, e.g. ``.jupyter/`` or ``jupyter_server_config.py``)
    comes along, so a config folder the ``lab`` target points Jupyter at is there too.

    Args:
        root: The course repository.
        target: An existing, empty folder.

    Returns:
        ``target``.
    """
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "data", "models")
    names = [*COURSE_FILES, *COURSE_FOLDERS, *(p.name for p in root.iterdir() if "jupyter" in p.name.lower())]
    for name in dict.fromkeys(names):
        source = root / name
        if name in NEVER_COPIED or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    return target


@dataclass
class LabServer:
    """A running JupyterLab server on loopback."""

    base: str
    token: str
    cwd: Path

    def url(self, path: str) -> str:
        """The browser address of ``path`` (starting with ``/``), logging in with the token."""
        separator = "&" if "?" in path else "?"
        return f"{self.base}{path}{separator}token={self.token}"

    def get(self, path: str) -> tuple[int, str]:
        """GET ``path`` with the token; return the status code and the body."""
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


@contextmanager
def lab_server(
    cwd: Path, *, venv: Path | None = None, env: Mapping[str, str] | None = None, log: Path | None = None,
    timeout: float = 120,
) -> Iterator[LabServer]:
    """Run ``make -s lab`` in ``cwd`` on a free loopback port with a token, until the block ends.

    Args:
        cwd: The folder holding the course's Makefile (the repository, or a copy of it).
        venv: The course environment to use when ``cwd`` is a copy (passed as ``VENV=``; the copy
            never re-creates it: its ``.ready`` stamp is taken as up to date).
        env: Environment variables to add for the server (e.g. ``JUPYTERLAB_SETTINGS_DIR``).
        log: A file for the server's output (discarded without one); its end is shown if the
            server does not start.
        timeout: Seconds to wait for ``/api/status`` to answer.

    Yields:
        The server, ready for requests.
    """
    port, token = free_port(), secrets.token_hex(16)
    args = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token}"
    command = ["make", "-s", "lab", f"LAB_ARGS={args}"]
    if venv is not None:
        command += [f"VENV={venv}", "-o", f"{venv}/.ready"]
    environment = {**os.environ, **(env or {})}
    if venv is not None:
        environment["PATH"] = f"{venv}/bin{os.pathsep}{environment['PATH']}"
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = LabServer(f"http://127.0.0.1:{port}", token, cwd)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if server.get("/api/status")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            tail = log.read_text(errors="replace")[-2000:] if log is not None else ""
            assert process.poll() is None, f"make lab exited early (status {process.returncode}):\n{tail}"
            assert time.monotonic() < deadline, f"JupyterLab did not start within {timeout:.0f} s:\n{tail}"
            time.sleep(1)
        yield server
    finally:
        if log is not None:
            output.close()
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
