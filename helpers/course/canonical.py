"""A notebook's content without what Jupyter rewrites when someone merely opens and saves it.

JupyterLab stamps the running kernel into the notebook's metadata (the kernel's
``display_name``, a ``language_info`` block with the Python version), adds view
state to cells (``collapsed``, ``scrolled``, ``execution`` timings, ``trusted``)
and bumps ``nbformat_minor``. None of that is content. The ``exercises/`` sync
check compares :func:`canonical` forms, and ``release`` writes exercises with
the kernel metadata JupyterLab would write, so opening one does not mark it
changed.
"""

import copy
from typing import Any

#: The kernel metadata of the course's notebooks, as JupyterLab writes it for ipykernel.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: ``language_info`` as ipykernel reports it, less the Python version (which differs per machine).
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
#: Cell metadata that records how a cell was viewed or run, not what it is.
VIEW_STATE = frozenset({"collapsed", "scrolled", "execution", "trusted", "jp-MarkdownHeadingCollapsed", "ExecuteTime"})


def canonical(nb: dict[str, Any]) -> dict[str, Any]:
    """``nb`` (nbformat JSON) reduced to its content, for comparing two notebooks.

    Keeps the kernel's name, every cell's type, id, source and non-view metadata;
    drops outputs, execution counts, notebook metadata other than the kernel name,
    and ``nbformat_minor``.
    """
    cells = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        cells.append({
            "cell_type": cell.get("cell_type"),
            "id": cell.get("id"),
            "source": "".join(source) if isinstance(source, list) else source,
            "metadata": {k: v for k, v in cell.get("metadata", {}).items() if k not in VIEW_STATE},
        })
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    return {"nbformat": nb.get("nbformat"), "kernel": kernel, "cells": cells}


def with_lab_metadata(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``nb`` whose notebook metadata is what JupyterLab writes for the course's kernel."""
    nb = copy.deepcopy(nb)
    metadata = nb.setdefault("metadata", {})
    metadata["kernelspec"] = dict(KERNELSPEC)
    language = metadata.get("language_info", {})
    metadata["language_info"] = {**LANGUAGE_INFO, **({"version": language["version"]} if "version" in language else {})}
    return nb
