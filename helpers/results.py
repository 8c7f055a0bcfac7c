"""Record a notebook's key results so the course report can show them."""

import json
import numbers
from typing import Any

#: Mimetype of the output that carries a recorded result.
RESULT_MIMETYPE = "application/vnd.pytorch-course.result+json"


def _plain(value: Any) -> Any:
    """Turn tensors, NumPy scalars and the like into JSON-friendly values."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return json.loads(json.dumps(value, default=str))


def record(name: str, value: Any) -> None:
    """Show a key result and tag it for the course report.

    In Jupyter the result appears as ``name = value``; the run report
    (``python -m helpers.course run``) collects every recorded result from the
    executed notebook.

    Args:
        name: Short identifier, e.g. ``"test_accuracy"``.
        value: A number, string, bool, 0-d tensor or JSON-serialisable object.
    """
    value = _plain(value)
    text = f"{name} = {value:.4g}" if isinstance(value, float) else f"{name} = {value}"
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python, no IPython installed
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    display({RESULT_MIMETYPE: {"name": name, "value": value}, "text/plain": text}, raw=True)
