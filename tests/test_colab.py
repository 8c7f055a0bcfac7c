"""The course works in Google Colab: the setup cell, and the notebooks in a Colab-like environment.

The first tests run the setup cell's text in this process with pip faked (what it prints,
what it calls). The slow ones build a Colab-like virtual environment (torch, torchvision,
matplotlib, pandas, scikit-learn, ipykernel and their dependencies, hard-linked from the
course environment; no nbgrader, papermill, jupyterlab, mlxtend, tqdm or course helpers: see
``colab_env``), let the setup cell install the helpers into a running kernel from a git URL (a
local repository holding this working tree), and run assignment 00's reference solution and
teaching notebook 00 there with papermill, on a kernel spec that points at that environment.
"""

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import SimpleNamespace

import nbformat
import papermill
import pytest

from colab_env import COLAB_PREINSTALLED, NOT_IN_COLAB, colab_like_venv, git_snapshot, venv_python, venv_site_packages, write_kernel_spec
from conftest import ASSIGNMENT_00, ROOT, code_cell, notebook
from helpers.course import hygiene
from helpers.course.project import load_project
from helpers.course.setup_cell import setup_cell_source

PROJECT = load_project(ROOT)
KERNEL = "colab-like"
#: The import names of what Colab lacks (``NOT_IN_COLAB`` names distributions).
MISSING_MODULES = ("nbgrader", "papermill", "jupyterlab", "mlxtend", "tqdm", "helpers")

GIT_FAILURE = """\
  error: subprocess-exited-with-error

  × git clone --filter=blob:none --quiet https://github.com/pytorch-course/pytorch-course /tmp/pip-install-x/y did not run successfully.
  │ exit code: 128
  ╰─> [1 lines of output]
      fatal: unable to access 'https://github.com/pytorch-course/pytorch-course/': Could not resolve host: github.com
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
error: subprocess-exited-with-error
"""


# --- the setup cell's own logic, pip faked -------------------------------------------------

def run_setup_cell(monkeypatch, capsys, *, helpers_found: bool, returncode: int = 0, stderr: str = "") -> SimpleNamespace:
    """Execute the canonical setup cell here, with ``find_spec("helpers")`` and pip faked."""
    calls, invalidated = [], []
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return (real_find_spec("json") if helpers_found else None) if name == "helpers" else real_find_spec(name, *args, **kwargs)

    def fake_run(args, **kwargs):
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, returncode, stdout="", stderr=stderr)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(importlib, "invalidate_caches", lambda: invalidated.append(True))
    exec(setup_cell_source(PROJECT.install_spec), {})
    return SimpleNamespace(calls=calls, invalidated=len(invalidated), out=capsys.readouterr())


def test_where_helpers_are_importable_the_setup_cell_does_nothing(monkeypatch, capsys):
    ran = run_setup_cell(monkeypatch, capsys, helpers_found=True)
    assert ran.calls == [] and ran.invalidated == 0 and ran.out.out == ""


def test_a_successful_install_is_silent_and_refreshes_the_import_caches(monkeypatch, capsys):
    ran = run_setup_cell(monkeypatch, capsys, helpers_found=False)
    [(args, kwargs)] = ran.calls
    assert args == [sys.executable, "-m", "pip", "install", "--quiet", "--no-color", PROJECT.install_spec]
    assert kwargs == {"capture_output": True, "text": True}, "pip's output is captured and a failure raises nothing"
    assert ran.invalidated == 1
    assert ran.out.out == "" and ran.out.err == ""


@pytest.mark.parametrize(
    ("returncode", "stderr", "reason"),
    [
        (1, GIT_FAILURE, "fatal: unable to access 'https://github.com/pytorch-course/pytorch-course/': Could not resolve host: github.com"),
        (1, "ERROR: Could not find a version that satisfies the requirement mlxtend>=0.23\nERROR: No matching distribution found for mlxtend>=0.23\n",
         "ERROR: No matching distribution found for mlxtend>=0.23"),
        (137, "Killed\n", "pip exit code 137"),
    ],
)
def test_a_failed_install_prints_two_lines_and_raises_nothing(monkeypatch, capsys, returncode, stderr, reason):
    ran = run_setup_cell(monkeypatch, capsys, helpers_found=False, returncode=returncode, stderr=stderr)
    first, second = ran.out.out.splitlines()
    assert first == f"Could not install the course helpers: {reason}"
    assert "internet" in second and "Runtime > Restart session" in second and "Troubleshooting" in second
    assert ran.invalidated == 0 and ran.out.err == ""


# --- a Colab-like environment --------------------------------------------------------------

def execute(source: Path | nbformat.NotebookNode, out: Path, jupyter_path: Path, monkeypatch, **parameters) -> nbformat.NotebookNode:
    """Run a notebook with papermill on the Colab-like kernel, in a folder of its own; return the executed copy."""
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    if isinstance(source, nbformat.NotebookNode):
        nbformat.write(source, out.with_suffix(".in.ipynb"))
        source = out.with_suffix(".in.ipynb")
    workdir = out.parent / f"{out.stem}_cwd"  # not the repository: `helpers` must come from the environment
    workdir.mkdir(parents=True)
    papermill.execute_notebook(
        str(source), str(out), parameters=parameters or None, kernel_name=KERNEL,
        cwd=str(workdir), progress_bar=False, execution_timeout=300,
    )
    return nbformat.read(out, as_version=4)


def importable(python: Path, modules: tuple[str, ...], cwd: Path) -> list[str]:
    """Which of ``modules`` ``python`` can import (run from ``cwd``)."""
    code = f"import importlib.util, json; print(json.dumps([m for m in {list(modules)!r} if importlib.util.find_spec(m)]))"
    found = subprocess.run([str(python), "-c", code], cwd=cwd, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(found.stdout)


def stdout_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stdout")


@pytest.fixture(scope="module")
def colab(tmp_path_factory) -> SimpleNamespace:
    """A Colab-like environment into which the setup cell installed the helpers from a git URL.

    The setup cell runs in a kernel of that environment, as on Colab, with its install spec
    pointing at a local repository holding this working tree; ``PIP_REPORT`` makes its pip
    write a report of what it installed.
    """
    tmp = tmp_path_factory.mktemp("colab")
    venv = tmp / "venv"
    closure = colab_like_venv(venv)
    missing_before = importable(venv_python(venv), MISSING_MODULES, tmp)
    repo = git_snapshot(ROOT, tmp / "repo")
    jupyter_path = tmp / "jupyter"
    write_kernel_spec(jupyter_path, KERNEL, venv_python(venv))
    spec = f"{PROJECT.package} @ git+file://localhost{repo}"
    install = notebook(code_cell(setup_cell_source(spec)), code_cell("import helpers\nprint(helpers.__file__)"))
    report = tmp / "pip-report.json"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("PIP_REPORT", str(report))
        try:
            installed = execute(install, tmp / "install.ipynb", jupyter_path, monkeypatch)
        except papermill.PapermillExecutionError as error:
            setup = next(c for c in nbformat.read(tmp / "install.ipynb", as_version=4).cells if c.cell_type == "code")
            printed = stdout_of(setup)
            pytest.fail(f"the setup cell did not install the helpers ({error.ename}); it printed:\n{printed}")
    return SimpleNamespace(
        venv=venv, site=venv_site_packages(venv), closure=closure, missing_before=missing_before, repo=repo,
        jupyter_path=jupyter_path, installed=installed, report=json.loads(report.read_text()), tmp=tmp,
    )


@pytest.mark.slow
def test_the_environment_holds_what_colab_preinstalls_and_nothing_of_the_course(colab):
    assert set(COLAB_PREINSTALLED) <= set(colab.closure)
    assert not set(NOT_IN_COLAB) & set(colab.closure)
    assert colab.missing_before == [], f"importable before the setup cell ran: {colab.missing_before}"
    assert importable(venv_python(colab.venv), ("torch", "torchvision", "sklearn", "ipykernel"), colab.tmp) == ["torch", "torchvision", "sklearn", "ipykernel"]


@pytest.mark.slow
def test_the_setup_cell_installs_the_helpers_into_the_running_kernel_silently(colab):
    setup, check = colab.installed.cells
    assert setup.outputs == [], "a successful install prints nothing"
    where = Path(stdout_of(check).strip())
    assert where == colab.site / "helpers" / "__init__.py", "the kernel must import the helpers it just installed"
    assert importable(venv_python(colab.venv), ("helpers", "mlxtend", "tqdm", "nbgrader", "papermill", "jupyterlab"), colab.tmp) == ["helpers", "mlxtend", "tqdm"]


@pytest.mark.slow
def test_the_install_leaves_colabs_torch_and_everything_else_preinstalled_alone(colab):
    installed = {item["metadata"]["name"].lower() for item in colab.report["install"]}
    assert "pytorch-course-helpers" in installed
    assert not installed & set(colab.closure), f"pip reinstalled what Colab already has: {sorted(installed & set(colab.closure))}"
    course_site = Path(sysconfig.get_path("purelib"))
    for dist in colab.closure.values():
        record = next(Path(f) for f in dist.files if Path(f).name == "RECORD")
        assert os.stat(colab.site / record).st_ino == os.stat(course_site / record).st_ino, f"{record} was rewritten"
    assert os.stat(colab.site / "torch" / "__init__.py").st_ino == os.stat(course_site / "torch" / "__init__.py").st_ino


@pytest.mark.slow
def test_the_reference_solution_of_assignment_00_passes_every_test_in_colab(colab, tmp_path, monkeypatch):
    source = colab.repo / "solutions" / ASSIGNMENT_00 / f"{ASSIGNMENT_00}_exercises.ipynb"
    nb = execute(source, tmp_path / "solution.ipynb", colab.jupyter_path, monkeypatch)
    assert nb.cells[1].outputs == [], "helpers are installed: the setup cell does nothing"
    tests = [c for c in nb.cells if hygiene.is_test_cell(c)]
    assert len(tests) >= 10
    for cell in tests:
        assert stdout_of(cell).strip(), f"{cell.metadata.nbgrader['grade_id']} did not reach its final print"
        assert not any(o.output_type == "error" for o in cell.outputs)


@pytest.mark.slow
def test_teaching_notebook_00_runs_in_smoke_mode_in_colab(colab, tmp_path, monkeypatch):
    nb = execute(colab.repo / "notebooks" / "00_pytorch_fundamentals.ipynb", tmp_path / "nb00.ipynb", colab.jupyter_path, monkeypatch, SMOKE=True)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code"), "every cell ran"


@pytest.mark.slow
def test_a_failed_install_in_colab_prints_two_lines_and_the_next_cell_names_the_missing_module(tmp_path, monkeypatch):
    venv = tmp_path / "venv"
    colab_like_venv(venv)  # a second environment: this one never gets the helpers
    write_kernel_spec(tmp_path / "jupyter", KERNEL, venv_python(venv))
    unreachable = tmp_path / "no-such-repository"
    nb = notebook(code_cell(setup_cell_source(f"{PROJECT.package} @ git+file://localhost{unreachable}")), code_cell("import helpers"))
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        execute(nb, tmp_path / "failed.ipynb", tmp_path / "jupyter", monkeypatch)
    assert failed.value.ename == "ModuleNotFoundError" and failed.value.evalue == "No module named 'helpers'"
    setup, importing = [c for c in nbformat.read(tmp_path / "failed.ipynb", as_version=4).cells if c.cell_type == "code"]
    assert [o.output_type for o in setup.outputs] == ["stream"] and setup.outputs[0].name == "stdout", "no pip noise, no traceback"
    first, second = stdout_of(setup).splitlines()
    assert first == "Could not install the course helpers: fatal: Could not read from remote repository.", "git's last error line, no colour codes"
    assert "Runtime > Restart session" in second
    assert [o.ename for o in importing.outputs if o.output_type == "error"] == ["ModuleNotFoundError"]
