"""The grading kernel's guard, for real: one sandboxed kernel runs honest code and tampering, cell by cell.

Honest code that students write (plots, ``%matplotlib inline``, optimizers with schedulers,
DataLoader workers, deep copies, tqdm, ``exit()``) must leave no trace in the guard's report,
or a correct submission would lose points. Each kind of tampering must be reported, and once it
is undone the report must be clean again.
"""

import pytest

from helpers.course.executor import ANSWER, LOCKED, TEST, PlannedCell, execute
from helpers.course.sandbox import Limits, availability

pytestmark = pytest.mark.slow

SETUP = "import torch\nfrom torch import nn\nfrom helpers.checks import check_true, check_close\nx = torch.ones(3)"

HONEST = [
    "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4])\nplt.show()",
    "%matplotlib inline",
    "import copy, pickle\nlayer = nn.Linear(2, 1)\ntwin = copy.deepcopy(layer)\nblob = pickle.dumps(torch.zeros(2))",
    "opt = torch.optim.SGD(layer.parameters(), lr=0.1)\nsched = torch.optim.lr_scheduler.StepLR(opt, 1)\n"
    "layer(torch.zeros(1, 2)).sum().backward()\nopt.step()\nsched.step()",
    "adam = torch.optim.AdamW(twin.parameters())\nadam.step()",
    "from torch.utils.data import DataLoader, TensorDataset\n"
    "for xb, yb in DataLoader(TensorDataset(torch.zeros(8, 2), torch.zeros(8)), batch_size=4, num_workers=2):\n    pass",
    "from tqdm.auto import tqdm\nfor _ in tqdm(range(3)):\n    pass",
    "import sys\nsys.path.append('/nowhere')",
    "import warnings\nwarnings.simplefilter('ignore')\nwarnings.resetwarnings()",
    "torch.set_default_dtype(torch.float64)\ntorch.set_default_dtype(torch.float32)\ntorch.manual_seed(0)",
    "import numpy as np\nnp.random.seed(0)\nnp.set_printoptions(precision=3)",
    "import torch.nn.functional as F\nF.relu(torch.zeros(2))\nF.softmax(torch.zeros(2, 2), dim=1)",
    "from helpers import plot_decision_boundary, set_seed, accuracy\nset_seed(0)",
    "import sklearn.datasets, sklearn.metrics, pandas as pd\nsklearn.datasets.make_moons(10)",
    "class Net(nn.Module):\n    def forward(self, x):\n        return x\nNet()(torch.zeros(1))",
    "def check_close(*args, **kwargs):\n    return None  # a student's own function that happens to share a name",
    "import inspect\ninspect.signature(check_close)\ninspect.getsource(Net)",
    "import numpy as np\nplt.figure(dpi=150)\nplt.imshow(np.random.rand(400, 400))\nplt.show()  # over 64 KB: pyzmq starts a thread",
    "print('x' * 300_000)",
    "import matplotlib.font_manager as fm\nfm.FontManager()  # rebuilds the font list; its warning timer may still be winding down",
    "exit()",
]

#: (tampering, what the guard must report, how to undo it).
TAMPERING = [
    ("_saved = torch.allclose\ntorch.allclose = lambda *a, **k: True", "torch.allclose was replaced", "torch.allclose = _saved"),
    ("import helpers.checks as hc\n_saved = hc.check_close.__code__\nhc.check_close.__code__ = (lambda *a, **k: None).__code__",
     "helpers.checks.check_close.__code__ was replaced", "hc.check_close.__code__ = _saved"),
    ("import helpers.checks as hc\n_saved = hc.fail\nhc.fail = lambda *a, **k: None", "helpers.checks.fail was replaced", "hc.fail = _saved"),
    ("torch.Tensor.allclose = lambda *a, **k: True", "gained allclose", "del torch.Tensor.allclose"),
    ("_saved = nn.Module.__call__\nnn.Module.__call__ = lambda self, *a: None", "Module.__call__ was replaced",
     "nn.Module.__call__ = _saved"),
    ("get_ipython().showtraceback = lambda *a, **k: None", "gained showtraceback", "del get_ipython().showtraceback"),
    ("def _hook(result):\n    result.error_in_exec = None\nget_ipython().events.register('post_run_cell', _hook)",
     "IPython post_run_cell hooks changed", "get_ipython().events.unregister('post_run_cell', _hook)"),
    ("get_ipython().input_transformers_cleanup.append(lambda lines: lines)", "IPython input transformers (cleanup) changed",
     "get_ipython().input_transformers_cleanup.pop()"),
    ("import sys\nsys.path.insert(0, '/fake')", "sys.path changed", "sys.path.remove('/fake')"),
    ("import builtins\n_saved = builtins.divmod\nbuiltins.divmod = lambda *a: (0, 0)", "builtins.divmod was replaced",
     "builtins.divmod = _saved"),
    ("import sys\nsys.settrace(lambda *a: None)", "trace and profile functions changed", "sys.settrace(None)"),
    ("import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)", "signal handlers changed",
     "signal.signal(signal.SIGALRM, signal.SIG_DFL)"),
    ("__course_guard__.run_test = lambda *a, **k: None", "guard (instance) gained run_test", "del __course_guard__.run_test"),
    ("__course_guard__.locked['check_true'] = lambda *a, **k: None", "the read-only cells' check_true was replaced",
     "import helpers.checks\n__course_guard__.locked['check_true'] = helpers.checks.check_true"),
    ("import threading\n_stop = threading.Event()\n_thread = threading.Thread(target=_stop.wait, daemon=True)\n_thread.start()",
     "a thread the notebook started is still running", "_stop.set()\n_thread.join()"),
    ("import threading\n_timer = threading.Timer(60, lambda: None)\n_timer.start()",
     "a thread the notebook started is still running", "_timer.cancel()\n_timer.join()"),
    ("_saved = vars(torch.optim.SGD)['step']\n_fake = lambda self, closure=None: None\n_fake.hooked, _fake.__wrapped__ = True, _saved\n"
     "torch.optim.SGD.step = _fake", "torch.optim.SGD.step was replaced", "torch.optim.SGD.step = _saved"),
    ("import sys\nsys.setswitchinterval(1e-6)", "thread switch interval changed", "sys.setswitchinterval(0.005)"),
    ("import sys, types\n_saved = sys.modules['helpers.checks']\nsys.modules['helpers.checks'] = types.ModuleType('fake')",
     "sys.modules['helpers.checks'] was replaced", "sys.modules['helpers.checks'] = _saved"),
    # Chapter 03's checks: no read-only cell has imported them yet; the guard preloads them into its baseline.
    ("import helpers.vision_checks as vc\n_saved = vc.check_trained_classifier\nvc.check_trained_classifier = lambda *a, **k: 1.0",
     "helpers.vision_checks.check_trained_classifier was replaced", "vc.check_trained_classifier = _saved"),
    ("import helpers.vision_checks as vc\n_saved = vc.fail\nvc.fail = lambda *a, **k: None", "helpers.vision_checks.fail was replaced",
     "vc.fail = _saved"),
    ("import sys, types\n_saved = sys.modules['helpers.vision_checks']\nsys.modules['helpers.vision_checks'] = types.ModuleType('fake')",
     "sys.modules['helpers.vision_checks'] was replaced", "sys.modules['helpers.vision_checks'] = _saved"),
    # Chapters 00-02's checks, preloaded the same way.
    ("import helpers.fundamentals_checks as fc\n_saved = fc.check_matmul_with_row\nfc.check_matmul_with_row = lambda *a, **k: None",
     "helpers.fundamentals_checks.check_matmul_with_row was replaced", "fc.check_matmul_with_row = _saved"),
    ("import helpers.fundamentals_checks as fc\n_saved = fc.check_call\nfc.check_call = lambda f, *a, **k: f(*a)",
     "helpers.fundamentals_checks.check_call was replaced", "fc.check_call = _saved"),
    ("import helpers.workflow_checks as wc\n_saved = wc.check_fit\nwc.check_fit = lambda *a, **k: None",
     "helpers.workflow_checks.check_fit was replaced", "wc.check_fit = _saved"),
    ("import helpers.workflow_checks as wc\n_saved = wc.watch_model\nwc.watch_model = lambda *a, **k: None",
     "helpers.workflow_checks.watch_model was replaced", "wc.watch_model = _saved"),
    ("import helpers.classification_checks as cc\n_saved = cc.check_spiral_classifier\ncc.check_spiral_classifier = lambda *a, **k: None",
     "helpers.classification_checks.check_spiral_classifier was replaced", "cc.check_spiral_classifier = _saved"),
    ("import helpers.classification_checks as cc\n_saved = cc.named_mistakes\ncc.named_mistakes = lambda *a, **k: None",
     "helpers.classification_checks.named_mistakes was replaced", "cc.named_mistakes = _saved"),
    ("import sys, types\n_saved = sys.modules['helpers.classification_checks']\n"
     "sys.modules['helpers.classification_checks'] = types.ModuleType('fake')",
     "sys.modules['helpers.classification_checks'] was replaced", "sys.modules['helpers.classification_checks'] = _saved"),
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    plan = [PlannedCell(0, LOCKED, SETUP, "setup")]
    plan += [PlannedCell(len(plan) + i, ANSWER, code, f"honest{i}") for i, code in enumerate(HONEST)]
    plan.append(PlannedCell(len(plan), TEST, "check_close(x * 2, 2 * x)\nprint('honest code left the tests intact')", "honest_test"))
    for i, (tamper, _, undo) in enumerate(TAMPERING):
        plan.append(PlannedCell(len(plan), ANSWER, tamper, f"tamper{i}"))
        plan.append(PlannedCell(len(plan), ANSWER, undo, f"undo{i}"))
    plan.append(PlannedCell(len(plan), ANSWER, "check_true = lambda *a, **k: None", "rebind"))
    plan.append(PlannedCell(len(plan), TEST, "check_true(False, 'the real check_true runs')\nprint('never')", "rebind_test"))
    plan.append(PlannedCell(len(plan), LOCKED, "from helpers.vision_checks import check_misclassified_indices", "setup_vision"))
    plan.append(PlannedCell(len(plan), ANSWER, "check_misclassified_indices = lambda *a, **k: None", "rebind_vision"))
    plan.append(PlannedCell(len(plan), TEST, "check_misclassified_indices(lambda t, p: t != p, torch.tensor([1]), torch.tensor([2]))\n"
                            "print('never')", "rebind_vision_test"))
    plan.append(PlannedCell(len(plan), LOCKED, "from helpers.fundamentals_checks import check_mean_of_ints", "setup_fundamentals"))
    plan.append(PlannedCell(len(plan), ANSWER, "check_mean_of_ints = lambda *a, **k: None", "rebind_fundamentals"))
    plan.append(PlannedCell(len(plan), TEST, "check_mean_of_ints(lambda t: t.mean(), torch.tensor([1, 2]))\nprint('never')",
                            "rebind_fundamentals_test"))
    plan.append(PlannedCell(len(plan), ANSWER, "def peek():\n    import sys\n    return sys._getframe(1).f_locals\npeek()", "peek"))
    folder = tmp_path_factory.mktemp("guard")
    (folder / "submission").mkdir()
    sandboxed, _ = availability()
    execution = execute(plan, folder / "submission", folder / "runtime", limits=Limits(), sandboxed=sandboxed,
                        threads=1, budget=240, default_cell_timeout=60)
    assert not execution.notes, execution.notes
    return {run.cell.grade_id: run for run in execution.cells}


@pytest.mark.parametrize("index", range(len(HONEST)))
def test_honest_code_leaves_no_trace(runs, index):
    run = runs[f"honest{index}"]
    assert run.changes == [], (HONEST[index], run.changes)
    assert run.reply in ("ok", "error"), run.note


def test_exit_ends_only_its_cell(runs):
    run = runs[f"honest{HONEST.index('exit()')}"]
    assert run.reply == "error" and any(o.get("ename") == "SystemExit" for o in run.outputs)
    assert runs["honest_test"].reply == "ok"


def test_a_test_after_honest_code_passes_and_is_seen_to_finish(runs):
    run = runs["honest_test"]
    assert run.reply == "ok" and run.completed and not run.error_shown


@pytest.mark.parametrize("index", range(len(TAMPERING)))
def test_tampering_is_reported_and_undoing_it_clears_the_report(runs, index):
    tamper, expected, _ = TAMPERING[index]
    assert any(expected in change for change in runs[f"tamper{index}"].changes), (tamper, runs[f"tamper{index}"].changes)
    # What the audit hook saw stays seen (it is an event, not a state); everything else must be clear again.
    left = [change for change in runs[f"undo{index}"].changes if "introspection" not in change]
    assert left == [], (tamper, left)


def test_swapping_a_functions_code_is_seen_even_after_it_is_undone(runs):
    index = next(i for i, (tamper, _, _) in enumerate(TAMPERING) if "__code__ =" in tamper)
    assert any("introspection: sets check_close.__code__" in c for c in runs[f"undo{index}"].changes)


def test_tests_use_the_functions_the_read_only_cells_imported(runs):
    run = runs["rebind_test"]
    assert run.reply == "error" and not run.completed
    assert any("the real check_true runs" in o.get("evalue", "") for o in run.outputs)


def test_tests_use_the_vision_checks_the_read_only_cells_imported(runs):
    run = runs["rebind_vision_test"]
    assert run.reply == "error" and not run.completed
    assert any("returns a mask, not indices" in o.get("evalue", "") for o in run.outputs), run.outputs


def test_tests_use_the_chapter_checks_the_read_only_cells_imported(runs):
    run = runs["rebind_fundamentals_test"]
    assert run.reply == "error" and not run.completed
    assert any("the mean of an integer tensor" in o.get("evalue", "") for o in run.outputs), run.outputs


def test_reading_the_tests_frames_is_seen_and_stays_seen(runs):
    """An audit hook, which no code can remove, sees cell code read stack frames."""
    assert any("introspection: sys._getframe" in change for change in runs["peek"].changes), runs["peek"].changes


def test_a_timer_is_trusted_only_when_library_code_runs_it():
    """matplotlib's font cache starts a warning timer that may outlive its cell by a moment on a busy machine."""
    import threading

    import matplotlib.font_manager as fm

    from helpers.course.guard import Guard

    guard = Guard(shell=None)
    assert guard._trusted_thread(threading.Timer(60, fm.findSystemFonts))
    assert not guard._trusted_thread(threading.Timer(60, lambda: None))
