"""Execute notebooks with papermill and collect what they recorded."""

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from helpers.course.hygiene import is_test_cell
from helpers.errors import NO_ERROR_MESSAGE
from helpers.results import RESULT_MIMETYPE


#: Quiet the kernel's own start-up log (e.g. ipykernel's "running over TCP" warning).
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


@dataclass
class RunResult:
    """The outcome of executing one notebook.

    Attributes:
        notebook: The source notebook, relative to the repository root.
        output: Where the executed copy was written.
        ok: Whether every cell ran and nothing looked wrong.
        seconds: Wall-clock time, kernel start included.
        results: The key results the notebook recorded with ``helpers.record``.
        problem: Why it is not ok (empty when ok).
    """

    notebook: str
    output: Path
    ok: bool
    seconds: float
    results: dict[str, Any] = field(default_factory=dict)
    problem: str = ""


def recorded_results(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Collect the values a notebook recorded with :func:`helpers.record`."""
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(RESULT_MIMETYPE)
            if payload:
                found[payload["name"]] = payload["value"]
    return found


def passed_test_cells(nb: nbformat.NotebookNode) -> tuple[int, int]:
    """How many nbgrader test cells ran without an error, out of how many."""
    tests = [cell for cell in nb.cells if is_test_cell(cell)]
    passed = [cell for cell in tests if cell.get("outputs") and not any(o.output_type == "error" for o in cell.outputs)]
    return len(passed), len(tests)


def silent_error_demos(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of cells whose ``show_error`` demonstration raised nothing."""
    bad = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and NO_ERROR_MESSAGE in output.get("text", ""):
                bad.append(index)
    return bad


def run_notebook(
    notebook: Path,
    output: Path,
    *,
    smoke: bool,
    relative_name: str,
    timeout: int = 1800,
    parameters: dict[str, Any] | None = None,
) -> RunResult:
    """Execute ``notebook`` with papermill into ``output``.

    The kernel's working directory is the output's folder, so anything the
    notebook writes (saved models, downloaded data) lands in the build folder,
    never in the repository.

    Args:
        notebook: The notebook to execute.
        output: Where to write the executed copy (parent folders are created).
        smoke: Passed as the ``SMOKE`` parameter.
        relative_name: How to name the notebook in the report.
        timeout: Seconds allowed per cell.
        parameters: More papermill parameters, e.g. ``{"DATA_DIR": "/data"}``.
    """
    import papermill  # imported here: students' helpers do not need papermill

    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    problem = ""
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters={"SMOKE": smoke, **(parameters or {})},
            kernel_name="python3",
            cwd=str(output.parent),
            progress_bar=False,
            execution_timeout=timeout,
            extra_arguments=KERNEL_ARGUMENTS,
        )
    except papermill.PapermillExecutionError as error:
        problem = f"cell {error.exec_count}: {error.ename}: {error.evalue}"
    except Exception as error:  # the kernel died, the file is not a notebook, ...
        problem = "".join(traceback.format_exception_only(error)).strip()
    seconds = time.perf_counter() - start

    results: dict[str, Any] = {}
    if output.exists():
        executed = nbformat.read(output, as_version=4)
        results = recorded_results(executed)
        passed, total = passed_test_cells(executed)
        if total:
            results["test_cells_passed"] = f"{passed}/{total}"
        silent = silent_error_demos(executed)
        if silent and not problem:
            problem = f"error demonstration(s) raised nothing in cell(s) {silent}"
    return RunResult(relative_name, output, not problem, seconds, results, problem)


def _use_threads(threads: str) -> None:
    """In a worker process: the kernels it starts use ``threads`` threads for torch and NumPy."""
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = threads


def run_notebooks(
    runs: list[tuple[Path, Path, str]], *, smoke: bool, jobs: int = 1, done: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Execute several notebooks, ``jobs`` at a time, each in a process of its own when ``jobs > 1``.

    One at a time (the default) keeps each notebook's seconds comparable from run to run.

    Args:
        runs: ``(notebook, output, relative_name)`` for each, as :func:`run_notebook` takes them.
        smoke: Passed as the ``SMOKE`` parameter.
        jobs: Notebooks run at once.
        done: Called with each result as it finishes.

    Returns:
        The results, in the order of ``runs``.
    """
    done = done or (lambda result: None)
    if jobs <= 1:
        results = []
        for notebook, output, name in runs:
            results.append(run_notebook(notebook, output, smoke=smoke, relative_name=name))
            done(results[-1])
        return results
    threads = str(max(1, (os.cpu_count() or 1) // jobs))  # the cores shared out: oversubscribed torch threads crawl
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_use_threads, initargs=(threads,)) as pool:
        futures = [pool.submit(run_notebook, notebook, output, smoke=smoke, relative_name=name) for notebook, output, name in runs]
        for future in as_completed(futures):
            done(future.result())
        return [future.result() for future in futures]
