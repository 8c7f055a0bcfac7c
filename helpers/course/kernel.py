"""Code that runs inside the grading kernel (see ``nbgrader_config.py``)."""

import sys


def route_stderr_to_stdout() -> None:
    """Send everything written to ``sys.stderr`` to ``sys.stdout`` instead.

    nbgrader gives a test cell zero points as soon as it prints anything on
    stderr, so a harmless ``UserWarning`` or a progress bar would cost a
    student the exercise. Failures still count: a failing test raises an
    exception, which nbgrader records as an error, not as stderr text.
    """
    sys.stderr = sys.stdout
