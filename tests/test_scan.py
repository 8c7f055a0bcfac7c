"""The static scan: realistic cheats are flagged, the course's own answers and honest variants are not."""

import ast
import os
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from helpers.course import scan
from helpers.course.hygiene import nbgrader_meta
from helpers.course.outcomes import Flag
from helpers.course.scan import bound_names, scan_cells, scan_files

SOLUTIONS = sorted((ROOT / "solutions").glob("*/*.ipynb"))
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

#: What the read-only cells of an assignment typically bind.
LOCKED = """\
import atexit
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from torch import nn

from helpers import get_device
from helpers.checks import check_close, check_equal, fail

device = get_device()
MODEL_DIR = Path(tempfile.mkdtemp(prefix="pytorch_course_"))
atexit.register(shutil.rmtree, MODEL_DIR, ignore_errors=True)
X_test = torch.rand(20, 2)
"""
IMPORTED = bound_names([LOCKED])


def kinds(source: str, imported=IMPORTED) -> set[str]:
    return {flag.kind for flag in scan_cells([("ex01_answer", source)], imported)}


# --- cheats ---------------------------------------------------------------------------------

CHEATS = {
    "IPython showtraceback and a post_run_cell hook": (
        """\
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None

def forget_the_error(result):
    result.error_in_exec = None

ip.events.register("post_run_cell", forget_the_error)
""",
        {scan.IPYTHON, scan.IPYTHON_ERRORS, scan.IPYTHON_HOOK},
    ),
    "input transformer wrapping every cell in try/except": (
        """\
def swallow(lines):
    return ["try:\\n"] + ["    " + line for line in lines] + ["except Exception:\\n    pass\\n"]

get_ipython().input_transformers_cleanup.append(swallow)
""",
        {scan.IPYTHON_TRANSFORM},
    ),
    "rebinding an imported check": ("check_close = lambda *a, **k: None", {scan.REBIND}),
    "a def that replaces an imported check": ("def fail(*args, **kwargs):\n    pass", {scan.REBIND}),
    "patching helpers.checks": (
        "import helpers.checks\nhelpers.checks.fail = lambda *a, **k: None",
        {scan.PATCH},
    ),
    "patching torch.allclose": ("torch.allclose = lambda *a, **k: True", {scan.PATCH}),
    "patching nn.Module.__call__": ("nn.Module.__call__ = lambda self, *a: a[0]", {scan.PATCH}),
    "setattr on torch": ('setattr(torch, "equal", lambda *a: True)', {scan.PATCH}),
    "patching numpy's testing": ("np.testing.assert_allclose = lambda *a, **k: None", {scan.PATCH}),
    "an alias of torch patched inside a function": (
        "def sneaky():\n    import torch as t\n    t.equal = lambda *a: True\nsneaky()",
        {scan.PATCH},
    ),
    "replacing a check's code object": (
        "check_close.__code__ = (lambda *a, **k: None).__code__",
        {scan.INTERNALS},
    ),
    "reading the solution notebook and exec'ing its cells": (
        """\
import json
from pathlib import Path

root = Path.cwd()
while not (root / "solutions").exists():
    root = root.parent
for notebook in root.glob("solutions/*/*.ipynb"):
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]))
""",
        {scan.OUTSIDE, scan.EXEC},
    ),
    "os.walk of the parent folder": (
        "import os\nfor folder, _, files in os.walk(os.path.dirname(os.getcwd())):\n    print(files)",
        {scan.OUTSIDE},
    ),
    "writing to the sqlite gradebook": (
        """\
import sqlite3

db = sqlite3.connect("../../gradebook.db")
db.execute("UPDATE grade SET manual_score = max_score")
db.commit()
""",
        {scan.DATABASE, scan.OUTSIDE},
    ),
    "a fake helpers in sys.modules": (
        "import sys, types\nfake = types.ModuleType('helpers')\nsys.modules['helpers'] = fake",
        {scan.SYS_MODULES, scan.CODE_OBJECTS},
    ),
    "a thread that patches torch later": (
        """\
import threading
import time

def later():
    time.sleep(0.5)
    torch.equal = lambda *a: True

threading.Thread(target=later, daemon=True).start()
""",
        {scan.CONCURRENCY, scan.PATCH},
    ),
    "killing the kernel": ("import os\nos.kill(os.getpid(), 9)", {scan.KILL}),
    "a shell escape": ("!cat ../x", {scan.SHELL, scan.OUTSIDE}),
    "a shell cell magic": ("%%bash\ncat ../solutions/*/*.ipynb", {scan.SHELL}),
    "writing a startup file from a cell magic": ("%%writefile sitecustomize.py\nimport torch", {scan.WRITES_FILE}),
    "%run of another notebook": ("%run ../source/answers.ipynb", {scan.RUNS_FILE, scan.OUTSIDE}),
    "automagic cd in a one-line cell": ("cd ..", {scan.CHDIR, scan.OUTSIDE}),
    "reading a caller's frame": (
        "import sys\nsys._getframe(1).f_globals['check_close'] = print",
        {scan.FRAMES},
    ),
    "a trace hook": ("import sys\nsys.settrace(lambda *a: None)", {scan.TRACE_HOOK}),
    "replacing a builtin": ("import builtins\nbuiltins.isinstance = lambda *a: True", {scan.BUILTINS}),
    "gc walk": ("import gc\nchecks = [o for o in gc.get_objects() if callable(o)]", {scan.GC}),
    "ctypes": ("import ctypes\nctypes.pythonapi.PyFrame_LocalsToFast", {scan.CTYPES}),
    "reloading a course module": ("import importlib, helpers.checks\nimportlib.reload(helpers.checks)", {scan.DYNAMIC_IMPORT}),
    "an alarm signal": ("import signal\nsignal.signal(signal.SIGALRM, print)\nsignal.alarm(1)", {scan.SIGNAL}),
    "subprocess": ("import subprocess\nsubprocess.run(['ls', '..'])", {scan.SHELL}),
    "networking": ("import urllib.request\nurllib.request.urlopen('http://example.com/answers')", {scan.NETWORK}),
    "unpickling": ("import pickle\nanswers = pickle.loads(blob)", {scan.UNPICKLE}),
    "writing through globals()": ("globals()['fail'] = print", {scan.GLOBALS}),
    "__import__": ("checks = __import__('helpers.checks')", {scan.DYNAMIC_IMPORT}),
    "object.__setattr__ on torch": ('object.__setattr__(torch, "equal", lambda *a: True)', {scan.PATCH}),
    "the notebook's own module patched": ("import __main__\n__main__.check_close = print", {scan.PATCH}),
    "a module's __dict__ changed": ("vars(torch).update(allclose=lambda *a, **k: True)", {scan.INTERNALS}),
    "a patch inside %%capture": ("%%capture\ntorch.equal = lambda *a: True", {scan.PATCH}),
    "reading the running cell from IPython's history": ("def answer(x):\n    return In[-1]", {scan.IPYTHON}),
    "a result that equals anything": (
        "class Anything:\n    def __eq__(self, other):\n        return True",
        {scan.FAKE_OBJECT},
    ),
    "a torch function override": (
        "class Always(torch.Tensor):\n    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n        return True",
        {scan.TORCH_OVERRIDE},
    ),
}


@pytest.mark.parametrize("source, expected", CHEATS.values(), ids=CHEATS.keys())
def test_each_cheat_is_flagged(source, expected):
    found = kinds(source)
    assert expected <= found, f"missing {expected - found}, found {found}"
    # The grader may pass the read-only names as a plain list, without their origins.
    assert expected <= kinds(source, imported=sorted(IMPORTED))


def test_a_flag_names_the_cell_and_the_line():
    source = "x = 1\n\ntorch.allclose = lambda *a, **k: True  # " + "padding " * 30
    [flag] = scan_cells([("ex04_answer", source)], IMPORTED)
    assert flag.where == "ex04_answer" and flag.kind == scan.PATCH
    assert flag.detail.startswith("line 3: torch.allclose = lambda")
    assert len(flag.detail) <= len("line 3: ") + scan.MAX_CODE_CHARS


def test_rebinding_is_only_flagged_for_names_the_read_only_cells_bound():
    source = "check_close = lambda *a, **k: None"
    assert kinds(source, imported=()) == set()
    assert kinds(source, imported=["check_close"]) == {scan.REBIND}


def test_importing_the_same_names_again_is_not_rebinding():
    source = "import torch\nimport numpy as np\nfrom torch import nn\nfrom helpers.checks import check_close, fail"
    assert kinds(source) == set()
    assert kinds(source, imported=["torch", "np", "nn", "check_close", "fail"]) == set()
    assert kinds("from my_cheats import check_close") == {scan.REBIND}


def test_a_cell_that_does_not_parse_is_one_flag():
    flags = scan_cells([("cell 3", "def broken(:\n    pass"), ("cell 4", "x = 1")])
    assert flags == [Flag("cell 3", scan.SYNTAX_ERROR, "line 1: invalid syntax: def broken(:")]


def test_a_cell_too_deep_for_the_parser_is_a_flag_not_an_exception():
    [flag] = scan_cells([("cell 1", "x = " + "+".join(["1"] * 50_000))])
    assert flag.kind == scan.SYNTAX_ERROR


# --- honest code ----------------------------------------------------------------------------


def answer_cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(grade_id, code without the solution markers) for every answer cell."""
    return [
        (meta["grade_id"], "\n".join(line for line in cell.source.splitlines() if line.strip() not in MARKERS))
        for cell in nb.cells
        if (meta := nbgrader_meta(cell)).get("solution")
    ]


def locked_names(nb: nbformat.NotebookNode) -> set[str]:
    """The names the locked code cells bind at top level, read with ast."""
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("locked"):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
                elif isinstance(node, ast.Import | ast.ImportFrom):
                    names.update((a.asname or a.name).split(".")[0] for a in node.names)
                elif isinstance(node, ast.FunctionDef | ast.ClassDef):
                    names.add(node.name)
    return names


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_the_reference_answers_raise_no_flags(path):
    nb = nbformat.read(path, as_version=4)
    cells = answer_cells(nb)
    imported = locked_names(nb)
    # The read-only cells' names are found: torch, device and the checks (helpers.checks, or a chapter's own module).
    assert len(cells) >= 5 and {"torch", "device"} <= imported and any(name.startswith("check_") for name in imported)
    assert scan_cells(cells, imported) == []
    locked = [c.source for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("locked")]
    assert scan_cells(cells, bound_names(locked)) == []


def test_bound_names_tells_imports_from_other_bindings():
    names = bound_names([LOCKED, "%matplotlib inline\nwith torch.random.fork_rng():\n    model = nn.Linear(2, 1)"])
    assert names["check_close"] == "helpers.checks.check_close"
    assert names["np"] == "numpy" and names["nn"] == "torch.nn" and names["Path"] == "pathlib.Path"
    assert names["device"] == "" and names["model"] == ""


HONEST = {
    "training loop": """\
import torch
from torch import nn

torch.manual_seed(42)
model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1)).to(device)
loss_fn = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(100):
    model.train()
    loss = loss_fn(model(X_train).squeeze(1), y_train)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        model.eval()
        with torch.inference_mode():
            test_loss = loss_fn(model(X_test).squeeze(1), y_test)
        print(f"epoch {epoch}: {loss.item():.4f} / {test_loss.item():.4f}")
print(model.__class__.__name__)
""",
    "saving to a temporary folder": """\
import os
import tempfile

folder = tempfile.mkdtemp()
torch.save(model.state_dict(), os.path.join(folder, "model.pt"))
torch.save(model.state_dict(), MODEL_DIR / "model.pt")
path = Path(folder) / "weights" / "model.pt"
path.parent.mkdir(parents=True, exist_ok=True)
torch.save(model.state_dict(), path)
model.load_state_dict(torch.load(path, weights_only=True))
Path("models").mkdir(exist_ok=True)
with open("models/notes.txt", "w") as notes:
    notes.write("done")
""",
    "plotting": """\
%matplotlib inline
import matplotlib.pyplot as plt

plt.rcParams["figure.figsize"] = (8, 5)
fig, ax = plt.subplots()
ax.plot(history["epoch"], history["train_loss"], label="train")
ax.legend()
plt.title("Loss curves")
plt.show()
""",
    "helpers named like something not imported": """\
def check_my_shapes(t: torch.Tensor) -> tuple:
    return tuple(t.shape)


class Block(nn.Module):
    def __init__(self, n: int):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n, n), nn.ReLU())

    def forward(self, x):
        return self.layers(x)


def accuracy(y_true, y_pred):
    x = (y_true == y_pred).float()
    return x.mean().item()


input = torch.rand(3)
print(type(input).__name__, isinstance(input, torch.Tensor), [v ** 2 for v in range(3)])
""",
    "seeding and timing": """\
import random

def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True

%time seed_everything(0)
%timeit -n 10 torch.rand(3) @ torch.rand(3)
""",
}


@pytest.mark.parametrize("source", HONEST.values(), ids=HONEST.keys())
def test_honest_code_raises_no_flags(source):
    assert scan_cells([("cell 5", source)], IMPORTED) == []


# --- files ----------------------------------------------------------------------------------


def test_scan_files_flags_what_could_change_how_the_notebook_runs(tmp_path):
    notebook = tmp_path / "01_exercises.ipynb"
    notebook.write_text("{}")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("check_close = lambda *a, **k: None")
    (tmp_path / "helpers" / "checks.py").write_text("")
    (tmp_path / "sitecustomize.py").write_text("import builtins")
    (tmp_path / "numpy.py").write_text("")
    (tmp_path / "hook.pth").write_text("import os")
    (tmp_path / "conftest.py").write_text("")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / ".ipython" / "profile_default" / "startup").mkdir(parents=True)
    elsewhere = tmp_path.parent / f"{tmp_path.name}_elsewhere"
    (elsewhere / "torch").mkdir(parents=True)
    (elsewhere / "torch" / "__init__.py").write_text("")
    os.symlink(elsewhere, tmp_path / "linked")
    os.symlink("/etc/passwd", tmp_path / "notes.txt")
    with open(tmp_path / "weights.bin", "wb") as big:
        big.truncate(scan.BIG_FILE_BYTES + 1)
    (tmp_path / "data.csv").write_text("x,y\n1,2\n")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "01_exercises-checkpoint.ipynb").write_text("{}")
    (tmp_path / ".ipynb_checkpoints" / "scratch.py").write_text("")

    flags = {(flag.where, flag.kind) for flag in scan_files(tmp_path, notebook)}

    assert flags == {
        ("helpers", scan.PACKAGE),
        ("sitecustomize.py", scan.STARTUP_FILE),
        ("numpy.py", scan.PY_MODULE),
        ("hook.pth", scan.PTH_FILE),
        ("conftest.py", scan.CONFTEST),
        ("__pycache__", scan.PYCACHE),
        (".ipython", scan.IPYTHON_CONFIG),
        ("linked", scan.SYMLINK),
        ("notes.txt", scan.SYMLINK),
        ("weights.bin", scan.BIG_FILE),
    }


def test_scan_files_is_quiet_for_an_ordinary_hand_in(tmp_path):
    notebook = tmp_path / "01_exercises.ipynb"
    notebook.write_text("{}")
    (tmp_path / "data.csv").write_text("x,y\n")
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "model.pt").write_bytes(b"\0" * 1024)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "01_exercises-checkpoint.ipynb").write_text("{}")
    assert scan_files(tmp_path, notebook) == []


def test_a_symlink_detail_says_where_it_points_and_is_not_followed(tmp_path):
    os.symlink("../../gradebook.db", tmp_path / "grades.db")
    assert scan_files(tmp_path, Path("x.ipynb")) == [Flag("grades.db", scan.SYMLINK, "points to ../../gradebook.db")]
