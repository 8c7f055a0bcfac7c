"""``check_all()``: every visible test of an exercise notebook, run from inside the notebook.

In the spirit of otter-grader's ``grader.check_all()``: a student in Colab (where
nbgrader's *Validate* button does not exist) or in Jupyter runs one cell::

    from helpers import check_all
    check_all()

and sees which exercises pass, each failing check's message, and the points so
far. The test cells run against the answers already run in this kernel, so run
the notebook's cells first (Run all).
"""

import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from helpers.scorecard import CellResult, Scorecard, exercise_tests, failure_message, scorecard


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def current_notebook(shell: Any = None) -> dict:
    """The notebook this kernel runs, as nbformat JSON.

    Colab hands it over through its front end; Jupyter (JupyterLab, Notebook 7,
    VS Code) tells the kernel the notebook's path, and the saved file is read.

    Raises:
        FileNotFoundError: The notebook could not be found; the message says what to pass instead.
    """
    try:
        from google.colab import _message  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        try:
            reply = _message.blocking_request("get_ipynb", timeout_sec=60)
        except Exception:  # noqa: BLE001 - a front end that does not answer: try the other ways
            reply = None
        if isinstance(reply, dict) and "ipynb" in reply:
            return reply["ipynb"]
    namespace = getattr(shell, "user_ns", {}) if shell is not None else {}
    for candidate in (namespace.get("__session__"), os.environ.get("JPY_SESSION_NAME"), namespace.get("__vsc_ipynb_file__")):
        if candidate and str(candidate).endswith(".ipynb") and Path(candidate).is_file():
            return json.loads(Path(candidate).read_text(encoding="utf-8"))
    raise FileNotFoundError(
        "check_all() could not find this notebook's file. Save the notebook and pass its path, "
        "e.g. check_all('00_pytorch_fundamentals_exercises.ipynb')."
    )


def run_test(source: str, namespace: dict) -> str:
    """Run one test cell's code in ``namespace``; return why it failed ("" when it passed).

    Its printed output is swallowed: the scorecard says what matters.
    """
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 - the notebook's own tests
    except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the others
        return failure_message(type(error).__name__, str(error))
    return ""


def check_all(notebook: str | Path | dict | None = None, namespace: dict | None = None) -> Scorecard:
    """Run every visible test cell of an exercise notebook and summarise the results.

    Args:
        notebook: The notebook's path or JSON. Without one, or when the path is not a file here
            (in Colab the notebook lives in Drive), the notebook this kernel runs. Any copy of an
            exercise notebook will do: its test cells are read-only.
        namespace: Where the answers live; by default the notebook's own variables.

    Returns:
        A :class:`~helpers.scorecard.Scorecard`; as the last line of a cell it shows
        one line per exercise (✓ or ✗ and its points), the points so far, and the
        message of every failing check. When the notebook cannot be found, it holds
        just a note saying what to pass.
    """
    if os.environ.get("COURSE_GRADING") or os.environ.get("NBGRADER_EXECUTION"):
        return scorecard([], ["check_all() is skipped while the notebook is graded: the grader runs every test itself."])
    shell = _shell()
    if isinstance(notebook, dict):
        nb = notebook
    elif notebook is not None and Path(notebook).is_file():
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    else:  # not given, or not here (Colab keeps the notebook in Drive): the notebook this kernel runs
        try:
            nb = current_notebook(shell)
        except FileNotFoundError as error:  # say what to do; Run all goes on
            return scorecard([], [str(error)])
    if namespace is None:
        namespace = shell.user_ns if shell is not None else sys._getframe(1).f_globals
    results = []
    for title, cell in exercise_tests(nb):
        meta = cell["metadata"]["nbgrader"]
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        message = run_test(source, namespace)
        points = float(meta.get("points", 0))
        results.append(CellResult(meta.get("grade_id", ""), title, 0.0 if message else points, points, message))
    if not results:
        return scorecard([], ["This notebook has no test cells: open an exercise notebook."])
    return scorecard(results)
