"""The setup cell every committed notebook starts with (its second cell).

The cell is one canonical text built from the install spec (``Project.install_spec``):
``python -m helpers.course fix`` writes it and ``check`` compares the whole cell with it.
Where ``helpers`` is importable (a course environment, the grader) it does nothing; on
Google Colab it installs the course helpers from the repository with pip, silently. If
that install fails it prints two lines (what failed, with pip's last error line, and what
to do) and raises nothing, so Run all goes on and the next cell that imports ``helpers``
shows its own ``ModuleNotFoundError``.
"""

_TEMPLATE = '''\
# Setup: on Google Colab this installs the course helpers (PyTorch is already there).
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("helpers") is None:
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-color",
         "{install_spec}"],
        capture_output=True, text=True,
    )
    if pip.returncode == 0:
        importlib.invalidate_caches()  # let this running kernel see the new package
    else:  # say why in two lines; the next cell that imports helpers then stops with its own error
        errors = [line.strip() for line in pip.stderr.splitlines()
                  if line.strip().startswith(("ERROR", "fatal"))]  # pip's and git's error lines
        print("Could not install the course helpers:", errors[-1] if errors else f"pip exit code {{pip.returncode}}")
        print("Check the runtime's internet, then Runtime > Restart session and Run all again "
              "(see Troubleshooting in the course README).")'''


def setup_cell_source(install_spec: str) -> str:
    """The text of the setup cell that installs ``install_spec`` where ``helpers`` is missing.

    Args:
        install_spec: What the cell passes to ``pip install``, e.g.
            ``"pytorch-course-helpers @ git+https://github.com/OWNER/NAME"``.

    Returns:
        The cell's source, without a trailing newline (as nbformat stores it).
    """
    if '"' in install_spec or "\\" in install_spec or "\n" in install_spec:
        raise ValueError(f"an install spec cannot hold quotes, backslashes or newlines: {install_spec!r}")
    return _TEMPLATE.format(install_spec=install_spec)
