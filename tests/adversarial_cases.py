"""The submissions of the adversarial grading suite (``tests/test_adversarial.py``).

Every case is one folder in nbgrader's layout, ``STUDENT/ASSIGNMENT/NOTEBOOK.ipynb``,
built from the course's own student version (``exercises/``) by a small factory:

- honest students solve some exercises with the solution's code (as
  ``tests/test_grading.py`` does) and make a typical mess (``exit()``, a pasted
  cell, stripped metadata, a renamed notebook, a wrong kernel, an odd id);
- cheats answer every exercise wrongly (code that runs but is wrong) and then
  try to get points anyway;
- destructive students answer wrongly and try to change what is not theirs
  (the gradebook, other students' files, ``solutions/``);
- unusable ids are folders whose name cannot be a student id.

The cheats' code is written the way a student would type it into an answer
cell. Calls that could hurt the machine if the sandbox were missing
(``os.kill(1, 9)``, fork bombs, large allocations) only run when the kernel
is not root, i.e. when the grader's sandbox dropped its privileges.
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from submissions import cell_by_id, notebook_name, solve

A00 = "00_pytorch_fundamentals"
A02 = "02_pytorch_classification"

HONEST, CHEAT, DESTRUCTIVE, REJECTED = "honest", "cheat", "destructive", "rejected"
#: Who can tell that a cheat cheated: the kernel's guard, the static scan, the grader's own limits.
GUARD, SCAN, LIMITS = "guard", "scan", "limits"

@dataclass
class Env:
    """What the factories know about the batch: the course copy and every folder involved."""

    course: Path  # the copied course root (solutions/, exercises/)
    real_root: Path  # this checkout (its helpers/ and .venv are visible, read-only, to kernels)
    submissions: Path
    out: Path
    probes: list[Path]  # files a kernel that escaped its sandbox would create
    site_packages: Path

    def student_version(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.course / "exercises" / assignment / notebook_name(assignment), as_version=4)

    def solution(self, assignment: str) -> nbformat.NotebookNode:
        return nbformat.read(self.course / "solutions" / assignment / notebook_name(assignment), as_version=4)

    def fill(self, code: str) -> str:
        """Put this batch's paths into a cheat's code."""
        values = {
            "@SUBMISSIONS@": str(self.submissions),
            "@OUT@": str(self.out),
            "@COURSE@": str(self.course),
            "@REALROOT@": str(self.real_root),
            "@A00@": A00,
            "@NB00@": notebook_name(A00),
            "@PROBES@": repr([str(p) for p in self.probes]),
        }
        for key, value in values.items():
            code = code.replace(key, value)
        return code


@dataclass
class Case:
    """One submission and what grading it must give.

    Attributes:
        student: The folder name (the student id, exactly as given).
        key: A short ASCII name for test ids.
        kind: honest, cheat, destructive or rejected.
        about: One line for the report.
        build: Writes the submission folder.
        assignment: Which assignment.
        solved: Honest students: the answer cells they solved.
        statuses: Honest students: the statuses the result may have.
        seen: Cheats: who must notice (guard, scan, limits) or None when nothing can tell.
        words: Cheats: the reason must name one of these (lower case).
    """

    student: str
    key: str
    kind: str
    about: str
    build: Callable[["Case", Env], None]
    assignment: str = A00
    solved: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset({"graded"})
    seen: str | None = None
    words: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


# --- notebook factories ---------------------------------------------------------------------

def meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def index_of(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if meta(c).get("grade_id") == grade_id)



def tests_of(nb) -> dict[str, str]:
    """Test cell grade id -> the answer cell it belongs to."""
    owner, current = {}, None
    for cell in nb.cells:
        m = meta(cell)
        if m.get("solution"):
            current = m["grade_id"]
        elif m.get("grade") and cell.cell_type == "code":
            owner[m["grade_id"]] = current
    return owner


def extra_cell(source: str):
    """A cell the student added (no nbgrader metadata)."""
    return nbformat.v4.new_code_cell(source)


def insert_after(nb, grade_id: str, *cells) -> None:
    at = index_of(nb, grade_id) + 1
    nb.cells[at:at] = list(cells)


def write(case: Case, env: Env, nb, filename: str | None = None) -> Path:
    """Write ``nb`` as the student's file (plain JSON: students' files need not be valid)."""
    folder = env.submissions / case.student / case.assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (filename or notebook_name(case.assignment))
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


#: Answers that run but are wrong: with the checks disabled, the tests would pass anyway.
WRONG = {
    A00: {
        "ex01_answer": "random_tensor = torch.zeros(7, 7)",
        "ex02_answer": "def matmul_with_row(matrix, row):\n    return torch.zeros(matrix.shape[0], 1)",
        "ex03_answer": "seeded_product = torch.zeros(7, 1)",
        "ex04_answer": "def seed_everything(seed):\n    pass",
        "ex05_answer": "product_on_device = torch.zeros(2, 2, device=device)\nmax_value = min_value = torch.tensor(0.0)\n"
                       "argmax_index = argmin_index = torch.tensor(0)",
        "ex06_answer": "tensor_4d = torch.zeros(1, 1, 1, 10)\nsqueezed = torch.zeros(10)",
        "ex07_answer": "def mean_of_ints(t):\n    return torch.tensor(0.0)",
        "ex08_answer": "def to_nchw(images):\n    return images",
        "ex09_answer": "nine = torch.tensor(0)\nright_column = torch.zeros(3)",
        "ex10_answer": "shared = torch.zeros(5)\nindependent = torch.zeros(5)",
        "ex11_answer": "def numpy_to_float32(array):\n    return torch.zeros(1)",
        "ex12_answer": "def derivative_at(f, point):\n    return torch.tensor(0.0)",
    },
    A02: {
        "ex01_answer": "def moons_to_tensors(n_samples=1000, noise=0.1, random_state=42, test_size=0.2):\n"
                       "    n_test = int(n_samples * test_size)\n"
                       "    return torch.zeros(n_samples - n_test, 2), torch.zeros(n_test, 2), torch.zeros(n_samples - n_test), torch.zeros(n_test)",
        "ex02_answer": "class MoonModel(nn.Module):\n    def __init__(self, in_features=2, hidden_units=16, out_features=1):\n"
                       "        super().__init__()\n        self.layer = nn.Linear(in_features, out_features)\n\n"
                       "    def forward(self, x):\n        return self.layer(x)",
        "ex03_answer": "def make_loss_and_optimizer(model, lr=0.1):\n    return nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=lr)",
        "ex04_answer": "def train_moon_classifier(X_train, y_train):\n    return nn.Sequential(nn.Linear(2, 1)).to(device)",
        "ex05_answer": "def decision_grid(model, X, steps=101):\n    grid = torch.zeros(steps, steps)\n    return grid, grid, grid.long()",
        "ex06_answer": "def tanh(x):\n    return x * 0",
        "ex07_answer": "def softmax(logits, dim=-1):\n    return torch.zeros_like(logits)",
        "ex08_answer": "def accuracy_fn(y_true, y_pred):\n    return 0.5",
        "ex09_answer": "def logits_to_labels(logits):\n    return torch.zeros(len(logits), dtype=torch.long)",
        "ex10_answer": "def train_spiral_classifier(X_train, y_train):\n    return nn.Sequential(nn.Linear(2, 3)).to(device)",
    },
}


def wrong_notebook(env: Env, assignment: str):
    nb = env.student_version(assignment)
    for grade_id, code in WRONG[assignment].items():
        cell_by_id(nb, grade_id).source = code
    return nb


def honest_notebook(env: Env, assignment: str, solved) -> nbformat.NotebookNode:
    nb, solution = env.student_version(assignment), env.solution(assignment)
    for grade_id in solved:
        solve(nb, solution, grade_id)
    return nb


# --- honest students and their messes --------------------------------------------------------

def honest(student, key, solved, about, mess=None, assignment=A00, statuses=("graded",)) -> Case:
    def build(case: Case, env: Env) -> None:
        nb = honest_notebook(env, case.assignment, case.solved)
        if mess is None:
            write(case, env, nb)
        else:
            mess(case, env, nb)

    return Case(student, key, HONEST, about, build, assignment=assignment, solved=tuple(solved), statuses=frozenset(statuses))


def mess_exit(case: Case, env: Env, nb) -> None:
    """exit(), quit(), sys.exit() and raise SystemExit in cells of their own and at the end of an answer."""
    first = case.solved[0]
    cell_by_id(nb, first).source += "\nexit()"
    insert_after(nb, first.replace("_answer", "_test"), extra_cell("quit()"))
    insert_after(nb, case.solved[1], extra_cell("import sys\nsys.exit('stop here')"))
    nb.cells.append(extra_cell("raise SystemExit(0)"))
    write(case, env, nb)


def mess_duplicates(case: Case, env: Env, nb) -> None:
    """A solved answer and a test cell pasted a second time (same grade ids, new cell ids), and a pasted stub."""
    answer, test = case.solved[0], case.solved[1].replace("_answer", "_test")
    for grade_id in (answer, test, "ex12_answer"):
        pasted = copy.deepcopy(cell_by_id(nb, grade_id))
        pasted["id"] = "pasted" + pasted.get("id", "")[:6]
        insert_after(nb, grade_id, pasted)
    write(case, env, nb)


def mess_stripped(case: Case, env: Env, nb) -> None:
    """Every cell's nbgrader metadata and cell id stripped (nbformat 4.4, as old editors save)."""
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
        cell.pop("id", None)
    write(case, env, nb)


def mess_copy_of(case: Case, env: Env, nb) -> None:
    write(case, env, nb, f"Copy of {notebook_name(case.assignment)}")


def mess_numbered_and_kernel(case: Case, env: Env, nb) -> None:
    nb.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    write(case, env, nb, notebook_name(case.assignment).replace(".ipynb", " (1).ipynb"))


# --- cheats ------------------------------------------------------------------------------------

def cheat(student, key, about, parts, *, seen, words=(), assignment=A00, answers=None, extra=None, files=None) -> Case:
    """Wrong answers everywhere, then the cheat.

    Args:
        parts: ``{answer cell: code}`` put before the (wrong) answer of each cell; a string means ``ex01_answer``.
        seen: Who must notice: GUARD (tampering, the tests after it not counted), SCAN (a flag), LIMITS
            (the grader's time and memory limits, in the reason) or None.
        words: Groups of words: the reason must name one word of every group (one group per attack).
        answers: ``{answer cell: code}`` replacing those answers.
        extra: A cell of its own at the end of the notebook.
        files: ``{relative path: text}`` written beside the notebook.
    """
    parts = {"ex01_answer": parts} if isinstance(parts, str) else dict(parts)
    groups = tuple((w,) if isinstance(w, str) else tuple(w) for w in words)

    def build(case: Case, env: Env) -> None:
        nb = wrong_notebook(env, case.assignment)
        for grade_id, source in (answers or {}).items():
            cell_by_id(nb, grade_id).source = env.fill(source)
        for grade_id, code in parts.items():
            if code:
                cell = cell_by_id(nb, grade_id)
                cell.source = env.fill(code).strip() + "\n\n" + cell.source
        if extra:
            nb.cells.append(extra_cell(env.fill(extra)))
        path = write(case, env, nb)
        for name, text in (files or {}).items():
            target = path.parent / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(env.fill(text))

    return Case(student, key, CHEAT, about, build, assignment=assignment, seen=seen, words=groups)


NOTHING = "def _nothing(*args, **kwargs):\n    return None\n"
CHECKS = ("check_close", "check_device", "check_dtype", "check_equal", "check_range", "check_shape",
          "check_tensor", "check_true", "fail")

HIDE_ERRORS = """
ip = get_ipython()
ip.showtraceback = lambda *args, **kwargs: None

def _forget_the_error(result):
    result.error_in_exec = None

ip.events.register("post_run_cell", _forget_the_error)
"""

INPUT_TRANSFORMER = r"""
def _swallow_errors(lines):
    if not "".join(lines).strip():
        return lines
    body = ["    " + (line if line.endswith("\n") else line + "\n") for line in lines]
    return ["try:\n", *body, "except BaseException:\n", "    pass\n"]

get_ipython().input_transformers_post.append(_swallow_errors)
"""

REBIND_NAMES = NOTHING + """
check_close = check_device = check_dtype = check_equal = check_range = _nothing
check_shape = check_tensor = check_true = fail = _nothing
"""

PATCH_CHECKS_MODULE = NOTHING + """
import helpers.checks

for _name in ("check_close", "check_device", "check_dtype", "check_equal", "check_range", "check_shape", "check_tensor", "check_true", "fail"):
    getattr(helpers.checks, _name).__code__ = _nothing.__code__
helpers.checks.fail = _nothing
helpers.checks.check_true = _nothing
"""

FAKE_HELPERS_CODE = """
import importlib
import os
import sys

sys.path.insert(0, os.getcwd())
for _name in [n for n in sys.modules if (n == "helpers" or n.startswith("helpers.")) and not n.startswith("helpers.course")]:
    del sys.modules[_name]
import helpers.checks
from helpers.checks import *
"""
FAKE_HELPERS_FILES = {
    "helpers/__init__.py": "def get_device():\n    return 'cpu'\n",
    "helpers/checks.py": NOTHING + "".join(f"{name} = _nothing\n" for name in CHECKS),
}

TORCH_ALLCLOSE = """
torch.allclose = lambda *args, **kwargs: True
torch.Tensor.allclose = lambda self, *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
"""

#: A bounded walk of the whole file system the kernel can see (``_found_files``).
WALK = """
import os
import time
from pathlib import Path

def _walk(suffixes, seconds=2.0, limit=20000):
    found, seen, stop = [], 0, time.monotonic() + seconds
    for folder, folders, files in os.walk("/"):
        folders[:] = [f for f in folders if f not in ("proc", "sys", "dev")]
        seen += 1
        if seen > limit or time.monotonic() > stop:
            break
        found += [os.path.join(folder, f) for f in files if f.endswith(suffixes)]
    return found
"""

FIND_SOLUTIONS = WALK + """
import json

_marker = "### BEGIN " + "SOLUTION"
_places = [Path.cwd(), *Path.cwd().parents, Path("@COURSE@"), Path("@REALROOT@"), Path("@OUT@") / "course"]
_found = [str(p) for place in _places for p in place.glob("*/*/*.ipynb")]
_found += [str(p) for place in _places for p in place.glob("solutions/*/*.ipynb")]
_found += _walk((".ipynb",))
print(len(_found), "notebooks found:", sorted(set(_found))[:20])
for _path in sorted(set(_found)):
    try:
        _cells = json.loads(Path(_path).read_text())["cells"]
    except Exception:
        continue
    for _cell in _cells:
        _source = "".join(_cell.get("source", ""))
        if _cell.get("cell_type") == "code" and _marker in _source and "_found" not in _source:
            try:
                exec(_source, globals())
                print("ran an instructor cell from", _path)
            except Exception:
                pass
"""

GRADEBOOK_WRITER = WALK + """
import sqlite3

_paths = ["@OUT@/gradebook.db", "@OUT@/course/gradebook.db", "@SUBMISSIONS@/gradebook.db", "@COURSE@/gradebook.db",
          "@SUBMISSIONS@", "@OUT@"] + _walk((".db", ".sqlite", ".sqlite3"))
for _db in _paths:
    try:
        _connection = sqlite3.connect(f"file:{_db}?mode=rw", uri=True, timeout=1)
        _connection.execute("UPDATE grade SET auto_score = 99, manual_score = 99")
        _connection.commit()
        print("wrote my score into", _db)
    except Exception as error:
        print("could not write", _db, type(error).__name__, error)
"""

PATCH_02 = NOTHING + """
import helpers.checks

fail.__code__ = _nothing.__code__
check_true.__code__ = _nothing.__code__
helpers.checks.fail = helpers.checks.check_true = _nothing
"""

BUILTINS_PATCH = """
import builtins

_real_isinstance, _real_print = builtins.isinstance, builtins.print
builtins.isinstance = lambda value, kinds: True if kinds is torch.Tensor else _real_isinstance(value, kinds)
builtins.print = lambda *args, **kwargs: _real_print(*(str(a).replace("Error", "ok") for a in args), **kwargs)
"""

SETTRACE_JUMP = """
import sys

def _tracer(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_filename.startswith("<test cell") and code.co_name == "<module>":
        last = max(line for _, _, line in code.co_lines() if line)

        def _jump(frame, event, arg):
            if event == "line" and frame.f_lineno < last:
                try:
                    frame.f_lineno = last  # skip every check, run only the final print
                except ValueError:
                    pass
            return _jump

        return _jump
    return None

sys.settrace(_tracer)
"""

THREAD_PATCHER = NOTHING + """
import sys
import threading
import time

_targets = [check_close, check_device, check_dtype, check_equal, check_range, check_shape, check_tensor, check_true, fail]
_codes = {f: f.__code__ for f in _targets}
_allclose = torch.allclose
_main = threading.main_thread().ident

def _in_a_test():
    frame = sys._current_frames().get(_main)
    while frame is not None:
        if frame.f_code.co_name == "run_test" or frame.f_code.co_filename.startswith("<test cell"):
            return True
        frame = frame.f_back
    return False

def _patch_during_tests():
    patched = False
    while True:
        inside = _in_a_test()
        if inside and not patched:
            for f in _targets:
                f.__code__ = _nothing.__code__
            torch.allclose = lambda *args, **kwargs: True
            patched = True
        elif patched and not inside:
            for f, code in _codes.items():
                f.__code__ = code
            torch.allclose = _allclose
            patched = False
        time.sleep(0.0002)

sys.setswitchinterval(1e-5)
threading.Thread(target=_patch_during_tests, daemon=True, name="autosave").start()
"""

GC_GUARD = NOTHING + """
import gc

_guard = next(o for o in gc.get_objects() if type(o).__module__ == "helpers.course.guard" and type(o).__name__ == "Guard")
_guard.changes = lambda: []
for _function in (check_close, check_device, check_dtype, check_equal, check_range, check_shape, check_tensor, check_true, fail):
    _function.__code__ = _nothing.__code__
"""

SIGNAL_HANDLER = NOTHING + """
import signal

_codes = {f: f.__code__ for f in (check_close, check_device, check_dtype, check_equal, check_range, check_shape, check_tensor, check_true, fail)}

def _on_alarm(signum, frame):
    inside = False
    while frame is not None and not inside:
        inside = frame.f_code.co_filename.startswith("<test cell")
        frame = frame.f_back
    for f, code in _codes.items():
        f.__code__ = _nothing.__code__ if inside else code

signal.signal(signal.SIGALRM, _on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
"""

FAKE_SYS_MODULES = NOTHING + """
import sys
import types

import helpers

_fake = types.ModuleType("helpers.checks")
for _name in ("check_close", "check_device", "check_dtype", "check_equal", "check_range", "check_shape", "check_tensor", "check_true", "fail"):
    setattr(_fake, _name, _nothing)
sys.modules["helpers.checks"] = _fake
helpers.checks = _fake
from helpers.checks import *
"""

READ_CLASSMATES = """
import json
import os
from pathlib import Path

_root = Path("@SUBMISSIONS@")
try:
    _names = sorted(os.listdir(_root))
except OSError as error:
    _names = []
    print("cannot list", _root, type(error).__name__)
for _name in ["a_full", "ann1", *_names]:
    _path = _root / _name / "@A00@" / "@NB00@"
    try:
        _cells = json.loads(_path.read_text())["cells"]
    except OSError as error:
        print("cannot read", _path, type(error).__name__)
        continue
    for _cell in _cells:
        if (_cell.get("metadata", {}).get("nbgrader") or {}).get("solution"):
            try:
                exec("".join(_cell["source"]), globals())
            except Exception:
                pass
"""

KILL_INIT = """
import os
import signal

if os.getuid() != 0:  # only where the sandbox dropped root: never take the machine down
    for _pid in (1, os.getppid()):
        try:
            os.kill(_pid, signal.SIGKILL)
            print("sent SIGKILL to", _pid)
        except OSError as error:
            print("could not kill", _pid, type(error).__name__)
    os.kill(-1, signal.SIGKILL)  # everything this user may signal (the kernel itself included)
else:
    print("running as root: not trying")
"""

FORK_BOMB = """
import os
import time

if os.getuid() != 0:  # bounded, and only inside the sandbox
    _children = 0
    for _ in range(600):
        try:
            _pid = os.fork()
        except OSError as error:
            print("fork failed after", _children, "children:", error)
            break
        if _pid == 0:
            try:
                os.setsid()  # leave the kernel's session
                if os.fork() == 0:
                    time.sleep(600)  # an orphan that must still be found and killed
            finally:
                os._exit(0)
        _children += 1
    print(_children, "children")
    time.sleep(2)
"""

MEMORY = """
import os
import time

try:
    _big = bytearray(20 * 1024 ** 3)
    print("allocated 20 GB")
except MemoryError:
    print("MemoryError for 20 GB")
try:
    _tensor = torch.empty(20 * 1024 ** 3, dtype=torch.uint8)
    _tensor.fill_(1)
except RuntimeError as error:
    print("torch refused 20 GB:", str(error)[:100])
if os.getuid() != 0:  # several processes, each under the per-process limit, together over it
    for _ in range(3):
        if os.fork() == 0:
            try:
                _block = bytearray(1536 * 1024 ** 2)
                for _i in range(0, len(_block), 4096):
                    _block[_i] = 1
                time.sleep(60)
            finally:
                os._exit(0)
    time.sleep(60)
"""

BIG_FILE = """
import os

_chunk = b"x" * (16 * 1024 ** 2)
for _name in ("big.bin", "big2.bin", "/tmp/big.bin"):
    _written = 0
    try:
        with open(_name, "wb") as _file:
            while _written < 5 * 1024 ** 3:
                _file.write(_chunk)
                _written += len(_chunk)
    except OSError as error:
        print(_name, "stopped after", _written >> 20, "MB:", type(error).__name__, error.errno)
    print(_name, os.path.getsize(_name) >> 20, "MB on disk")
    os.remove(_name) if _name.startswith("/tmp") else None
"""

INFINITE_LOOP = "while True:\n    pass"
SLEEP = "import time\n\ntime.sleep(1000)"
IGNORE_SIGINT = "import signal\n\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
OS_EXIT = "import os\n\nos._exit(0)"
PRINT_100MB = "for _ in range(100):\n    print('x' * 1_000_000)"
PRINT_IN_TEST = "def matmul_with_row(matrix, row):\n    print('y' * 10_000_000)\n    return torch.zeros(matrix.shape[0], 1)"

LEAK_HIDDEN_TESTS = """
import linecache

for _key in sorted(k for k in linecache.cache if str(k).startswith("<test cell")):
    _lines = linecache.getlines(_key)
    print(_key)
    print("".join(_lines))  # verbatim: the feedback page must blank these lines
    for _line in _lines:  # each line cut in two, on two output lines
        _half = len(_line) // 2
        print(_line[:_half].rstrip())
        print(_line[_half:].rstrip())
for _entry in In:  # the history holds the grader's run_test(...) calls, hidden tests included
    if "run_test" in _entry:
        print(_entry[:5000])
"""

RUN_TEST_HIJACK = """
def _pretend_to_test(source, name, nonce):
    __course_guard__.completed.add(nonce)
    print("✓ all checks passed")

__course_guard__.run_test = _pretend_to_test
"""

LOCKED_POISON = NOTHING + """
__course_guard__.locked.update({name: _nothing for name in (
    "check_close", "check_device", "check_dtype", "check_equal", "check_range", "check_shape", "check_tensor",
    "check_true", "fail",
)})
"""

FRAME_PEEK = {
    "ex02_answer": "import sys\n\ndef matmul_with_row(matrix, row):\n"
                   "    return sys._getframe(1).f_locals['expected'].float()  # the test's own expected value",
    "ex12_answer": "import sys\n\ndef derivative_at(f, point):\n"
                   "    return torch.tensor(sys._getframe(1).f_locals['slope'])  # the slope the test works out",
}

# --- destructive students ------------------------------------------------------------------------

ZERO_MANUAL_SCORES = """
import sqlite3

for _db in ("@OUT@/gradebook.db", "@OUT@/course/gradebook.db"):
    try:
        _connection = sqlite3.connect(f"file:{_db}?mode=rw", uri=True, timeout=2)
        _connection.execute("UPDATE grade SET manual_score = 0")
        _connection.commit()
        print("set every manual score to 0 in", _db)
    except Exception as error:
        print("could not open", _db, type(error).__name__)
"""

OVERWRITE_NOTEBOOKS = """
import os
from pathlib import Path

_root = Path("@SUBMISSIONS@")
for _name in ["a_full", "ann1", "ann[1]", "b*", "bb"]:
    _path = _root / _name / "@A00@" / "@NB00@"
    try:
        _path.write_text("{}")
        print("overwrote", _path)
    except OSError as error:
        print("could not overwrite", _path, type(error).__name__)
    try:
        os.remove(_path)
    except OSError as error:
        print("could not remove", _path, type(error).__name__)
"""

DELETE_OUTPUTS = """
import os
import shutil
from pathlib import Path

_out = Path("@OUT@")
for _name in ["a_full", "ann1", "ann[1]", "b*", "bb"]:
    for _folder in (_out / "autograded" / _name, _out / "feedback" / _name):
        try:
            shutil.rmtree(_folder)
            print("deleted", _folder)
        except OSError as error:
            print("could not delete", _folder, type(error).__name__)
for _file in ("grades.csv", "report.json", "report.txt"):
    try:
        os.remove(_out / _file)
    except OSError as error:
        print("could not delete", _file, type(error).__name__)
"""

DELETE_GRADEBOOK = """
import os
import shutil

for _path in ("@OUT@/gradebook.db", "@OUT@/course/gradebook.db"):
    try:
        os.remove(_path)
        print("deleted", _path)
    except OSError as error:
        print("could not delete", _path, type(error).__name__)
try:
    shutil.rmtree("@OUT@")
except OSError as error:
    print("could not delete the output folder:", type(error).__name__)
"""

VANDALISE_SOLUTIONS = """
import os
import shutil
from pathlib import Path

for _root in (Path("@COURSE@"), Path("@REALROOT@")):
    for _notebook in sorted(_root.glob("solutions/*/*.ipynb"))[:3] + [_root / "solutions" / "@A00@" / "@NB00@"]:
        try:
            with open(_notebook, "a") as _file:
                _file.write("vandalised")
            print("edited", _notebook)
        except OSError as error:
            print("could not edit", _notebook, type(error).__name__)
    if _root == Path("@COURSE@"):
        try:
            shutil.rmtree(_root / "solutions")
        except OSError as error:
            print("could not delete", _root / "solutions", type(error).__name__)
for _probe in @PROBES@:  # new files in the course package and the environment: both must be read-only
    try:
        Path(_probe).write_text("written by a graded kernel")
        print("created", _probe)
    except OSError as error:
        print("could not create", _probe, type(error).__name__)
"""


def destructive(student, key, about, parts) -> Case:
    case = cheat(student, key, about, parts, seen=SCAN, words=(("outside the working folder", "database"),))
    case.kind = DESTRUCTIVE
    return case


# --- unusable ids --------------------------------------------------------------------------------

def rejected(student, key, about) -> Case:
    def build(case: Case, env: Env) -> None:
        nb = honest_notebook(env, A00, list(WRONG[A00]))
        write(case, env, nb)

    return Case(student, key, REJECTED, about, build)




# --- the batch ---------------------------------------------------------------------------------------
# The batch grades in sorted order on two workers: honest students sort before and after each destructive
# one. Several attacks of one family share a notebook, one per answer cell: the guard reports what each
# cell changed, and the reason must name every one of them.

ALL_00 = tuple(WRONG[A00])

CASES: list[Case] = [
    honest("a_full", "a_full", ALL_00, "every exercise solved"),
    honest("ann1", "ann1", ("ex01_answer", "ex02_answer", "ex05_answer"), "solves exercises 1, 2 and 5 only"),
    honest("ann[1]", "ann_brackets", ("ex03_answer", "ex04_answer"), "id with [ and ] (a glob that matches ann1); exercises 3, 4"),
    destructive("ann[2]_gradebook_vandal", "d_gradebook",
                "sets every manual_score in the gradebook to 0, then deletes gradebook.db and the output folder",
                {"ex01_answer": ZERO_MANUAL_SCORES, "ex02_answer": DELETE_GRADEBOOK}),
    honest("b*", "b_star", ("ex06_answer", "ex07_answer"),
           "id with * (a glob that matches bb); exit(), quit(), sys.exit(), raise SystemExit",
           mess=mess_exit, statuses=("graded", "repaired", "flagged")),
    destructive("b*_files_vandal", "d_files",
                "overwrites and deletes other students' submitted notebooks, autograded notebooks, feedback, grades.csv",
                {"ex01_answer": OVERWRITE_NOTEBOOKS, "ex02_answer": DELETE_OUTPUTS}),
    honest("bb", "bb", ("ex08_answer", "ex09_answer"), "a solved answer, a test and a stub pasted twice",
           mess=mess_duplicates, statuses=("repaired",)),
    honest("dan ", "dan_trailing_space", ("ex10_answer", "ex11_answer"),
           "id with a trailing space; every cell's nbgrader metadata and id stripped",
           mess=mess_stripped, statuses=("repaired",)),
    destructive("dan_solutions_vandal", "d_solutions", "edits and deletes solutions/, creates files in helpers/ and .venv",
                VANDALISE_SOLUTIONS),
    honest("eve", "eve", ("ex01_answer", "ex12_answer"), "notebook renamed 'Copy of X.ipynb'", mess=mess_copy_of,
           statuses=("repaired",)),
    honest("fay", "fay", ("ex02_answer", "ex03_answer"), "notebook renamed 'X (1).ipynb', kernelspec 'ir'",
           mess=mess_numbered_and_kernel, statuses=("repaired",)),
    cheat("k01_ipython_machinery", "k01",
          "replaces showtraceback + post_run_cell hook clears error_in_exec; input transformer wraps cells in try/except",
          {"ex01_answer": HIDE_ERRORS, "ex02_answer": INPUT_TRANSFORMER},
          seen=GUARD, words=(("showtraceback", "post_run_cell"), ("input transformers",))),
    cheat("k02_patched_checks", "k02",
          "check_* = no-op in the notebook; their __code__ replaced; sys.modules['helpers.checks'] = fake; "
          "a helpers/ package beside the notebook on sys.path[0]",
          {"ex01_answer": REBIND_NAMES, "ex02_answer": PATCH_CHECKS_MODULE, "ex03_answer": FAKE_SYS_MODULES,
           "ex04_answer": FAKE_HELPERS_CODE},
          files=FAKE_HELPERS_FILES, seen=GUARD,
          words=(("rebinds a name",), ("__code__",), ("sys.modules",), ("sys.path", "package folder"))),
    cheat("k03_torch_and_builtins", "k03", "torch.allclose, Tensor.allclose, torch.equal always True; builtins.isinstance, print replaced",
          {"ex01_answer": TORCH_ALLCLOSE, "ex02_answer": BUILTINS_PATCH},
          seen=GUARD, words=(("allclose",), ("torch.equal",), ("isinstance",))),
    cheat("k04_trace_and_signal", "k04", "sys.settrace jumps every test to its last line; a SIGALRM timer swaps the checks' code",
          {"ex01_answer": SETTRACE_JUMP, "ex02_answer": SIGNAL_HANDLER},
          seen=GUARD, words=(("trace",), ("signal",))),
    cheat("k05_reads_outside", "k05",
          "walks up and over / for solutions/ and exec()s instructor cells; sqlite3 on every gradebook.db; "
          "reads other students' notebooks by absolute path",
          {"ex01_answer": FIND_SOLUTIONS, "ex02_answer": GRADEBOOK_WRITER, "ex03_answer": READ_CLASSMATES},
          seen=SCAN, words=(("outside the working folder",), ("database",), ("runs code from a string",))),
    cheat("k06_kills", "k06", "os.kill(1, 9), os.kill(ppid, 9), os.kill(-1, 9); later os._exit(0)",
          {"ex01_answer": KILL_INIT, "ex03_answer": OS_EXIT},
          seen=SCAN, words=(("kills or exits",), ("died",))),
    cheat("k07_fork_bomb_and_memory", "k07",
          "forks until refused (orphans in new sessions sleep 600 s); 20 GB; 3 processes of 1.5 GB",
          {"ex01_answer": FORK_BOMB, "ex03_answer": MEMORY},
          seen=SCAN, words=(("thread or process",), ("memory",))),
    honest("k07z_honest", "k07z", ("ex04_answer", "ex05_answer", "ex06_answer"), "honest, between the machine attacks"),
    cheat("k08_output_and_disk", "k08", "prints 100 MB, 10 MB inside a test, writes 5 GB files beside the notebook and in /tmp",
          {"ex01_answer": PRINT_100MB, "ex03_answer": BIG_FILE}, answers={"ex02_answer": PRINT_IN_TEST}, seen=None),
    cheat("k09_02_patch_fail_no_training", "k09", "02: fail and check_true patched, models never trained", PATCH_02,
          assignment=A02, seen=GUARD, words=(("fail", "check_true"),)),
    cheat("k10_ignore_sigint", "k10", "ignores SIGINT and loops", IGNORE_SIGINT,
          seen=LIMITS, words=(("ignored the interrupt",),)),
    cheat("k11_thread_patcher", "k11", "a daemon thread disables the checks and torch.allclose only while a test runs",
          THREAD_PATCHER, seen=SCAN, words=(("thread",),)),
    cheat("k12_gc_guard", "k12", "gc.get_objects() finds the guard and shadows its changes(); then the checks' __code__ is replaced",
          GC_GUARD, seen=GUARD, words=(("__code__",),)),
    cheat("k13_run_test_hijack", "k13", "__course_guard__.run_test = a function that records the nonce and runs nothing",
          RUN_TEST_HIJACK, seen=GUARD, words=(("run_test", "guard"),)),
    cheat("k14_locked_poison", "k14", "__course_guard__.locked: the check functions the tests get become no-ops",
          LOCKED_POISON, seen=GUARD, words=(("locked", "guard", "read-only cells"),)),
    cheat("k15_frame_peek_then_loop", "k15",
          "answers return the test's own expected values (sys._getframe(1).f_locals); a last cell loops forever",
          {}, answers=FRAME_PEEK, extra=INFINITE_LOOP, seen=SCAN, words=(("reads stack frames",), ("time",))),
    cheat("k16_leak_then_sleep", "k16",
          "prints the hidden tests (linecache, In) verbatim and cut in halves; a last cell sleeps 1000 s",
          {}, extra=LEAK_HIDDEN_TESTS + "\nimport time\n\ntime.sleep(1000)\n", seen=LIMITS, words=(("time",),)),
    honest("zoë", "zoe", ("ex09_answer", "ex10_answer", "ex11_answer", "ex12_answer"), "non-ASCII id"),
    honest("zz_02_partial", "zz_02", ("ex06_answer", "ex07_answer", "ex08_answer"), "02: tanh, softmax, accuracy_fn only",
           assignment=A02),
    rejected("bad\nid", "rejected_newline", "a newline in the folder name"),
    rejected("bell\x07", "rejected_bell", "a BEL control character in the folder name"),
    rejected("bad\udcffbytes", "rejected_bytes", "a folder name with a byte that is not UTF-8 (b'bad\\xffbytes')"),
]
