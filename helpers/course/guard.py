"""The grading kernel's guard: installed before any student code runs.

The grader starts every graded kernel with :func:`install` (see
``helpers/course/sandbox.py``). The guard

- imports the packages the tests use, so files handed in beside a notebook
  cannot shadow them, and puts the working folder *last* on ``sys.path``;
- takes a baseline (at the grader's first check, before any cell) of everything the tests rely on: the functions and classes
  of ``torch``, ``numpy``, ``helpers`` and friends, ``builtins``, the import
  system, trace and signal hooks, and IPython's and ipykernel's machinery
  (error display, event hooks, input transformers, the reply path);
- after every cell, reports what differs from that baseline
  (:meth:`Guard.after_cell`), so the grader can refuse points for tests that
  ran while something was replaced;
- runs test cells (:meth:`Guard.run_test`) with the modules, classes and
  functions the read-only cells bound (``torch``, ``check_close``, ...) as
  those cells left them, whatever a student rebound since, and records that
  the test ran to its end;
- turns IPython's ``exit()`` / ``quit()`` into an error that ends the cell
  instead of the kernel.

This is a tripwire inside the student's own process, not a wall: code that
studies the guard can still fool it. The sandbox around the kernel, the
grader's own reading of the kernel's replies and the static scan of the
student's code (``helpers/course/scan.py``) are the other layers.
"""

import builtins
import functools
import gc
import importlib
import importlib.util
import json
import linecache
import os
import signal
import sys
import threading
import types
from typing import Any

#: Imported before any student code, so that nothing handed in can shadow them.
PRELOAD = (
    "numpy",
    "matplotlib.font_manager",  # builds matplotlib's font cache (and its warning timer thread) before any cell
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.optim",
    "helpers",
    "helpers.checks",
    "helpers.classification_checks",
    "helpers.data",
    "helpers.device",
    "helpers.errors",
    "helpers.fundamentals_checks",
    "helpers.metrics",
    "helpers.results",
    "helpers.seeding",
    "helpers.training",
    "helpers.vision",
    "helpers.vision_checks",
    "helpers.workflow_checks",
    "helpers.course.guard",
)

#: Modules whose functions, classes and submodules must not be replaced (prefix match on the name).
WATCHED_MODULES = (
    "builtins",
    "math",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.modules.",
    "torch.optim",
    "torch.testing",
    "torch.linalg",
    "torch.special",
    "torch.random",
    "torch.autograd",
    "torch.utils.data",
    "torch.functional",
    "torch._tensor",
    "numpy",
    "numpy.testing",
    "numpy.linalg",
    "sklearn.datasets",
    "sklearn.model_selection",
    "sklearn.metrics",
    "helpers",
    "helpers.",
)

#: Signals whose handlers run code on a timer, between the tests' lines.
WATCHED_SIGNALS = ("SIGALRM", "SIGVTALRM", "SIGPROF")

#: Hooks these packages add when a student uses them (``%matplotlib inline``, the first plot) are no tampering.
#: So are threads they start (and pyzmq's, which starts one when the kernel first sends a large output).
TRUSTED_HOOK_PACKAGES = ("matplotlib", "matplotlib_inline", "IPython", "ipykernel", "ipywidgets", "comm", "tqdm", "torch", "zmq")

#: Instance attributes of IPython's shell that decide what a cell does and how its errors are reported.
SHELL_ATTRIBUTES = (
    "input_transformers_cleanup",
    "input_transformers_post",
    "ast_transformers",
    "custom_exceptions",
    "CustomTB",
    "InteractiveTB",
    "SyntaxTB",
    "displayhook",
    "display_pub",
    "display_trap",
    "compile",
    "payload_manager",
    "events",
    "input_transformer_manager",
    "kernel",
)

_EXIT_MESSAGE = "exit() ends this cell during grading; the notebook goes on with the next cell"


class _EndCell:
    """``exit`` / ``quit`` for a graded kernel: raise ``SystemExit`` (IPython reports it, the kernel lives)."""

    def __repr__(self) -> str:
        return "exit() and quit() end the current cell while the notebook is graded."

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        raise SystemExit(_EXIT_MESSAGE)


def _is_watched(name: str) -> bool:
    return any(name == w or (w.endswith(".") and name.startswith(w)) for w in WATCHED_MODULES)


def _is_code(value: Any) -> bool:
    """Modules, classes and functions: what a read-only cell binds for the tests to call (not data or models)."""
    return isinstance(value, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, functools.partial))


def _worth_watching(value: Any) -> bool:
    """Functions, classes, modules and descriptors: what a cheat would swap."""
    return callable(value) or isinstance(value, (types.ModuleType, property, classmethod, staticmethod))


#: Audit events that let code read the tests' frames or reach objects it was not given.
_INTROSPECTION = {"sys._getframe", "sys._current_frames", "gc.get_objects", "gc.get_referrers", "gc.get_referents"}
#: Attributes whose reading or writing (audit events ``object.__getattr__`` / ``__setattr__``) means introspection.
_FRAME_ATTRIBUTES = {"f_back", "f_globals", "f_locals", "f_builtins", "gi_frame", "cr_frame", "ag_frame", "tb_frame"}
_CODE_ATTRIBUTES = {"__code__", "__defaults__", "__kwdefaults__", "__globals__", "__closure__"}


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


class Guard:
    """The baseline and the checks; one per kernel (see :func:`install`).

    The baseline is a list of *watches*: ``(label, holder, name, expected)``,
    where ``holder`` is a live mapping (a module's or class's ``__dict__``) or
    an object whose attribute ``name`` must still be ``expected``.
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.watches: list[tuple[str, Any, str, Any]] = []
        self.seen: set[tuple[int, str]] = set()
        self.class_keys: list[tuple[str, Any, frozenset[str]]] = []
        self.lists: dict[str, list[Any]] = {}
        self.locked: dict[str, Any] = {}
        self.last_hooks: dict[str, list[Any]] = {}
        self.completed: set[str] = set()
        self.threads = set(threading.enumerate())
        self.trusted_folders = _package_folders(TRUSTED_HOOK_PACKAGES)
        self.introspection: list[str] = []  # what the audit hook saw student code do, in order
        self.cell_folder = ""
        self._auditing = False
        self._compile = builtins.compile
        self._exec = builtins.exec

    # -- the baseline ---------------------------------------------------------------------------

    def _watch(self, label: str, holder: Any, name: str) -> None:
        """Watch ``holder[name]`` (a mapping) or ``holder.name`` (an object), as it is now."""
        if (id(holder), name) in self.seen:
            return
        mapping = isinstance(holder, (dict, types.MappingProxyType))
        value = holder.get(name, _MISSING) if mapping else getattr(holder, name, _MISSING)
        if value is _MISSING:
            return
        self.seen.add((id(holder), name))
        self.watches.append((label, holder, name, value))
        if isinstance(value, types.FunctionType):
            for part in ("__code__", "__defaults__", "__kwdefaults__"):
                self.watches.append((f"{label}.{part}", value, part, getattr(value, part)))

    def _watch_class(self, label: str, cls: type) -> None:
        if (id(cls), "") in self.seen:
            return
        self.seen.add((id(cls), ""))
        self.class_keys.append((label, cls, frozenset(vars(cls))))
        attributes = vars(cls)
        for name, value in list(attributes.items()):
            if _worth_watching(value):
                self._watch(f"{label}.{name}", attributes, name)

    def _watch_module(self, name: str, module: types.ModuleType) -> None:
        self._watch(f"sys.modules[{name!r}]", sys.modules, name)
        attributes = vars(module)
        for attribute, value in list(attributes.items()):
            if not _worth_watching(value):
                continue
            label = f"{name}.{attribute}"
            self._watch(label, attributes, attribute)
            if isinstance(value, type) and getattr(value, "__module__", "").startswith(("torch", "helpers")):
                self._watch_class(label, value)

    def _machinery(self) -> dict[str, Any]:
        """The objects of IPython and ipykernel that execute cells and report their errors."""
        shell = self.shell
        kernel = getattr(shell, "kernel", None)
        found = {
            "IPython shell": shell,
            "ipykernel kernel": kernel,
            "ipykernel session": getattr(kernel, "session", None),
            "IPython displayhook": getattr(shell, "displayhook", None),
            "IPython display publisher": getattr(shell, "display_pub", None),
            "IPython traceback formatter": getattr(shell, "InteractiveTB", None),
            "IPython input transformer manager": getattr(shell, "input_transformer_manager", None),
            "IPython events": getattr(shell, "events", None),
        }
        return {name: obj for name, obj in found.items() if obj is not None}

    def extend(self) -> None:
        """Add what is new since the last call (modules a read-only cell imported) to the baseline.

        What is already in the baseline is never overwritten.
        """
        for name, module in list(sys.modules.items()):
            if isinstance(module, types.ModuleType) and _is_watched(name):
                self._watch_module(name, module)
        for label, obj in self._machinery().items():
            for cls in type(obj).__mro__[:-1]:
                self._watch_class(f"{label} ({cls.__module__}.{cls.__qualname__})", cls)
            instance = getattr(obj, "__dict__", None)
            if isinstance(instance, dict) and (id(obj), "(instance)") not in self.seen:
                self.seen.add((id(obj), "(instance)"))
                self.class_keys.append((f"{label} (instance)", obj, frozenset(instance)))
                for attribute in list(instance):
                    if callable(getattr(type(obj), attribute, None)):
                        self._watch(f"{label}.{attribute}", instance, attribute)
        for attribute in SHELL_ATTRIBUTES:
            self._watch(f"IPython shell.{attribute}", self.shell, attribute)
        kernel = getattr(self.shell, "kernel", None)
        for table in ("shell_handlers", "control_handlers"):
            handlers = getattr(kernel, table, None)
            for message in handlers or {}:
                self._watch(f"ipykernel {table}[{message!r}]", handlers, message)
        for name in ("excepthook", "displayhook", "breakpointhook", "unraisablehook"):
            self._watch(f"sys.{name}", sys, name)
        for key, items in self._hooks().items():
            self.lists.setdefault(key, items)

    def _hooks(self) -> dict[str, list[Any]]:
        """Lists of hooks: every entry of the baseline must stay, in order."""
        shell = self.shell
        manager = getattr(shell, "input_transformer_manager", None)
        events = getattr(getattr(shell, "events", None), "callbacks", {})
        hooks = {
            "sys.path": list(sys.path),
            "sys.meta_path": list(sys.meta_path),
            "sys.path_hooks": list(sys.path_hooks),
            "gc.callbacks": list(gc.callbacks),
            "IPython input transformers (cleanup)": list(getattr(shell, "input_transformers_cleanup", [])),
            "IPython input transformers (post)": list(getattr(shell, "input_transformers_post", [])),
            "IPython AST transformers": list(getattr(shell, "ast_transformers", [])),
            "IPython line transforms": list(getattr(manager, "line_transforms", None) or []),
            "IPython token transformers": list(getattr(manager, "token_transformers", None) or []),
            "IPython custom exceptions": list(getattr(shell, "custom_exceptions", None) or ()),
            "trace and profile functions": [sys.gettrace(), sys.getprofile(), threading.gettrace(), threading.getprofile()],
            "thread switch interval": [sys.getswitchinterval()],
            "signal handlers": [signal.getsignal(getattr(signal, s)) for s in WATCHED_SIGNALS if hasattr(signal, s)],
        }
        for event, callbacks in events.items():
            hooks[f"IPython {event} hooks"] = list(callbacks)
        return hooks

    # -- the checks -----------------------------------------------------------------------------

    def changes(self) -> list[str]:
        """Everything that differs from the baseline now, one line each."""
        found = []
        for label, holder, name, expected in self.watches:
            mapping = isinstance(holder, (dict, types.MappingProxyType))
            actual = holder.get(name, _MISSING) if mapping else getattr(holder, name, _MISSING)
            if actual is not expected:
                found.append(f"{label} was {'removed' if actual is _MISSING else 'replaced'}")
        for label, obj, keys in self.class_keys:
            attributes = vars(obj)
            if label.endswith("(instance)"):  # only attributes that hide one of the class's methods
                added = {a for a in set(attributes) - keys if callable(getattr(type(obj), a, None))}
            else:  # new methods or descriptors, not data Python caches there (copyreg's __slotnames__)
                added = {a for a in set(attributes) - keys if _worth_watching(attributes[a])}
            if added:
                found.append(f"{label} gained {', '.join(sorted(added))}")
        may_grow = {"sys.path", "sys.meta_path", "sys.path_hooks"}
        for key, now in self._hooks().items():
            expected = self.lists.get(key, [])
            kept = len(now) >= len(expected) and all(a is b or a == b for a, b in zip(now, expected))
            added = now[len(expected):] if kept else []
            if not kept or (key not in may_grow and not all(map(self._trusted_hook, added))):
                found.append(f"{key} changed")
        return found

    def _trusted_hook(self, hook: Any) -> bool:
        """A hook whose code lives in one of :data:`TRUSTED_HOOK_PACKAGES` (matplotlib's inline flush, ...)."""
        function = getattr(hook, "__func__", hook)
        code = getattr(function, "__code__", None)
        filename = os.path.realpath(code.co_filename) if code is not None else ""
        return bool(filename) and any(filename.startswith(folder) for folder in self.trusted_folders)

    def after_cell(self, kind: str, names: list[str] | None = None) -> str:
        """Called by the grader after every cell; returns a JSON report.

        Args:
            kind: ``"locked"`` after a read-only cell: its bindings of ``names`` are
                kept for the tests, and modules it imported join the baseline.
            names: The names a read-only cell binds.
        """
        if not self.watches:  # the first call: the baseline, taken where every later check runs
            self.extend()
            self._watch("builtins.__course_guard__", vars(builtins), "__course_guard__")
            for attribute in list(vars(self)):  # the guard's own state: replaced or shadowed is tampering
                self._watch(f"the grader's guard .{attribute}", vars(self), attribute)
            self.class_keys.append(("the grader's guard (instance)", self, frozenset(vars(self))))
        if kind == "locked":
            namespace = self.shell.user_ns
            for name in names or []:
                if _is_code(namespace.get(name)):
                    self.locked[name] = namespace[name]
                    self.watches[:] = [w for w in self.watches if not (w[1] is self.locked and w[2] == name)]
                    self.watches.append((f"the read-only cells' {name}", self.locked, name, namespace[name]))
            self.extend()
            self._accept_hooks_added_by_locked_cell()
        threads = [t.name for t in threading.enumerate() if t not in self.threads and t.is_alive() and not self._trusted_thread(t)]
        self.last_hooks.clear()
        self.last_hooks.update(self._hooks())
        changes = self.changes() + [f"a thread the notebook started is still running ({name})" for name in threads]
        changes += [f"the notebook's code used introspection: {what}" for what in dict.fromkeys(self.introspection)]
        return json.dumps({"changes": changes, "completed": sorted(self.completed), "threads": threads})

    def audit(self, event: str, args: tuple) -> None:
        """An audit hook (it cannot be removed): note introspection done by code written in a cell.

        Reading the tests' stack frames, walking the garbage collector's objects, or
        swapping a function's code are how code defeats tests from the inside; the
        grader counts no test that runs after student code did one of them. The hook
        never raises: an exception here would break the operation being audited.
        """
        if self._auditing or not self.cell_folder:
            return
        self._auditing = True
        try:
            what = self._introspection(event, args)
            if what:
                frame = sys._getframe(1)
                while frame is not None and frame.f_code.co_filename.endswith(("inspect.py", "gc.py")):
                    frame = frame.f_back
                if frame is not None and frame.f_code.co_filename.startswith(self.cell_folder):
                    self.introspection.append(what)
        except Exception:
            pass
        finally:
            self._auditing = False

    def _introspection(self, event: str, args: tuple) -> str:
        """What an audit event says the code did, if it is introspection (else ``""``)."""
        if event in _INTROSPECTION or event in ("function.__new__", "code.__new__") or event.startswith("ctypes."):
            return event
        if event == "object.__getattr__" and len(args) > 1 and args[1] in _FRAME_ATTRIBUTES:
            return f"reads a frame's {args[1]}"
        if event == "object.__setattr__" and len(args) > 1 and (
            args[1] in _CODE_ATTRIBUTES or (isinstance(args[0], type) and self._library_class(args[0]))
        ):
            return f"sets {getattr(args[0], '__qualname__', type(args[0]).__name__)}.{args[1]}"
        return ""

    def _library_class(self, cls: type) -> bool:
        return str(vars(cls).get("__module__", "")).split(".")[0] in ("builtins", "torch", "numpy", "helpers", "sklearn", "IPython", "ipykernel")

    def _trusted_thread(self, thread: threading.Thread) -> bool:
        """A thread that library code started (tqdm's monitor, a DataLoader's pin-memory thread, matplotlib's timer)."""
        if type(thread) is threading.Timer:
            return self._trusted_hook(thread.function)
        if type(thread) is not threading.Thread:
            return type(thread).__module__.split(".")[0] in TRUSTED_HOOK_PACKAGES
        return self._trusted_hook(getattr(thread, "_target", None))

    def _accept_hooks_added_by_locked_cell(self) -> None:
        """Hooks a read-only cell added (matplotlib's inline backend registers one) join the baseline.

        Only when nothing had changed that list before the cell, so student code
        cannot slip its own hook in through a later read-only cell.
        """
        for key, now in self._hooks().items():
            expected = self.lists.get(key, [])
            before = self.last_hooks.get(key, expected)
            untouched = len(before) == len(expected) and all(a is b or a == b for a, b in zip(before, expected))
            grown = len(now) > len(expected) and all(a is b or a == b for a, b in zip(now, expected))
            if untouched and grown:
                self.lists[key] = now

    def run_test(self, source: str, name: str, nonce: str) -> None:
        """Run a test cell's code with the read-only cells' modules, classes and functions as they left them.

        The student's own names are visible too (the tests call their functions);
        names the test defines are copied back into the notebook's namespace.
        ``nonce`` is recorded only if the test ran to its end.
        """
        __tracebackhide__ = True  # noqa: F841 - IPython hides this frame in tracebacks
        namespace = self.shell.user_ns
        scope = dict(namespace)
        scope.update(self.locked)
        filename = f"<test cell {name}>"
        code = self._compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            self._exec(code, scope)
        finally:  # the hidden tests' text must not stay where student code can read it
            linecache.cache.pop(filename, None)
        for key, value in scope.items():
            if key in self.locked and self.locked[key] is value:
                continue
            if namespace.get(key, _MISSING) is not value:
                namespace[key] = value
        self.completed.add(nonce)


def _package_folders(names: tuple[str, ...]) -> list[str]:
    """Where these packages are installed (``.../site-packages/matplotlib/``), without importing them."""
    folders = []
    for name in names:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            folders.append(os.path.realpath(location) + os.sep)
    return folders


def _warm_up(torch: Any) -> None:
    """Let torch do its lazy patching now: the first optimizer of each class wraps its class's ``step``."""
    parameter = torch.nn.Parameter(torch.zeros(1))
    for value in list(vars(torch.optim).values()):
        if isinstance(value, type) and issubclass(value, torch.optim.Optimizer) and value is not torch.optim.Optimizer:
            try:
                value([parameter])
            except Exception:  # an optimizer that needs more arguments: it patches nothing we use
                pass


def install() -> Guard:
    """Prepare this kernel for grading; called by the kernel's start-up line, before any cell.

    Returns:
        The guard, also reachable as ``builtins.__course_guard__``.
    """
    threads = os.environ.get("COURSE_THREADS")
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # an optional package that is missing: nothing to protect
            pass
    torch = sys.modules.get("torch")
    if torch is not None:
        if threads:
            torch.set_num_threads(int(threads))
        _warm_up(torch)
    sys.path.append(os.getcwd())  # files beside the notebook are importable, but never shadow a package

    from IPython import get_ipython

    shell = get_ipython()
    ending = _EndCell()
    shell.user_ns["exit"] = shell.user_ns["quit"] = ending
    shell.ask_exit = ending
    guard = Guard(shell)
    builtins.__course_guard__ = guard
    guard.cell_folder = os.path.dirname(shell.compile.get_code_name("", "", 0)) + os.sep
    sys.addaudithook(guard.audit)
    return guard
