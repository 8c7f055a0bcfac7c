"""Static scan of a submission: code and files a person should look at, as flags.

The grader runs every submission in a sandbox under a runtime guard
(``helpers/course/guard.py``). This scan adds a reading of what the student
wrote: :func:`scan_cells` parses the student's cells with :mod:`ast` and flags
patterns that honest course code has no use for (IPython internals, stack
frames, the import system, patched modules, threads, shell commands, file
access outside the working folder, ...); :func:`scan_files` flags files handed
in beside the notebook that could change how it runs. A flag costs no points:
it asks a person to look, so the rules lean towards flagging.

Every flag's ``detail`` is ``"line N: <the code>"`` (for files: what was found).
"""

import ast
import builtins
import os
import re
import stat
import sys
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.course.outcomes import Flag

#: Files larger than this are flagged (bytes).
BIG_FILE_BYTES = 50 * 1024 * 1024
#: scan_files stops after this many entries (and says so).
MAX_ENTRIES = 10_000
#: Code in a flag's detail is shortened to about this many characters.
MAX_CODE_CHARS = 100

# --- kinds of flags in code -------------------------------------------------------------------
SYNTAX_ERROR = "syntax error"
SHELL = "shell command"
RUNS_FILE = "runs or loads another file"
WRITES_FILE = "writes a file from a magic"
JAVASCRIPT = "JavaScript"
UNUSUAL_MAGIC = "unusual magic"
UNSCANNABLE = "too deeply nested to scan"
IPYTHON = "IPython internals"
IPYTHON_HOOK = "IPython event hook"
IPYTHON_TRANSFORM = "IPython input transformer"
IPYTHON_ERRORS = "IPython error display"
IPYTHON_RUN = "IPython runs code"
KERNEL = "kernel internals"
SYS_MODULES = "sys.modules"
IMPORT_HOOK = "import system hook"
TRACE_HOOK = "trace or audit hook"
FRAMES = "reads stack frames"
EXCEPTION_HOOK = "exception or display hook"
BUILTINS = "changes builtins"
SHADOWS_BUILTIN = "shadows a builtin"
GC = "walks the object graph"
CTYPES = "ctypes"
INTERNALS = "function or class internals"
PATCH = "patches an imported module"
SETUP_OBJECT = "changes an object from a read-only cell"
REBIND = "rebinds a name from a read-only cell"
GLOBALS = "uses globals()"
DYNAMIC_IMPORT = "dynamic import or reload"
SIGNAL = "signal handler or timer"
CONCURRENCY = "starts a thread or process"
KILL = "kills or exits the process"
ATEXIT = "atexit hook"
NETWORK = "network access"
OUTSIDE = "file access outside the working folder"
CHDIR = "changes the working folder"
ENV = "changes environment variables"
DATABASE = "opens a database"
EXEC = "runs code from a string"
UNPICKLE = "unpickles data"
MOCK = "mock patching"
GRADER_TOOLS = "grader or notebook tools"
CODE_OBJECTS = "builds code or module objects"
TORCH_OVERRIDE = "torch function override"
FAKE_OBJECT = "object that fakes comparisons or type checks"
DEBUGGER = "debugger"

# --- kinds of flags on files ------------------------------------------------------------------
SYMLINK = "symlink"
PY_MODULE = "Python module"
PACKAGE = "package folder"
STARTUP_FILE = "startup hook file"
CONFTEST = "pytest conftest"
PTH_FILE = "path configuration file"
IPYTHON_CONFIG = "IPython or Jupyter config"
USER_FOLDER = "user site or config folder"
EXTENSION = "compiled extension module"
PYCACHE = "compiled Python cache"
PACKAGE_METADATA = "package metadata"
BIG_FILE = "large file"
SPECIAL_FILE = "special file"
HARD_LINK = "hard link"
TOO_MANY_FILES = "too many files"
UNREADABLE = "unreadable folder"

#: Qualified names (and everything under them) that honest course code does not touch.
#: The longest matching prefix decides; "" marks an allowed corner of a flagged package.
DANGEROUS_NAMES: dict[str, str] = {
    "IPython": IPYTHON,
    "IPython.display": "",
    "IPython.get_ipython": "",  # judged where it is called (see _CellScanner._check_get_ipython)
    "IPython.version_info": "",
    "IPython.__version__": "",
    "ipykernel": KERNEL,
    "jupyter_client": KERNEL,
    "zmq": KERNEL,
    "traitlets": KERNEL,
    "comm": KERNEL,
    "sys.modules": SYS_MODULES,
    "sys.path": IMPORT_HOOK,
    "sys.meta_path": IMPORT_HOOK,
    "sys.path_hooks": IMPORT_HOOK,
    "sys.path_importer_cache": IMPORT_HOOK,
    "sys.settrace": TRACE_HOOK,
    "sys.setprofile": TRACE_HOOK,
    "sys.gettrace": TRACE_HOOK,
    "sys.addaudithook": TRACE_HOOK,
    "sys.monitoring": TRACE_HOOK,
    "threading.settrace": TRACE_HOOK,
    "threading.setprofile": TRACE_HOOK,
    "threading.settrace_all_threads": TRACE_HOOK,
    "sys._getframe": FRAMES,
    "sys._current_frames": FRAMES,
    "sys.exc_info": "",
    "inspect.currentframe": FRAMES,
    "inspect.stack": FRAMES,
    "inspect.trace": FRAMES,
    "inspect.getouterframes": FRAMES,
    "inspect.getinnerframes": FRAMES,
    "traceback.walk_stack": FRAMES,
    "sys.excepthook": EXCEPTION_HOOK,
    "sys.displayhook": EXCEPTION_HOOK,
    "sys.unraisablehook": EXCEPTION_HOOK,
    "sys.breakpointhook": EXCEPTION_HOOK,
    "threading.excepthook": EXCEPTION_HOOK,
    "builtins.__import__": DYNAMIC_IMPORT,
    "builtins.exec": EXEC,
    "builtins.eval": EXEC,
    "builtins.compile": EXEC,
    "builtins.globals": GLOBALS,
    "builtins.breakpoint": DEBUGGER,
    "os._exit": KILL,
    "os.abort": KILL,
    "os.kill": KILL,
    "os.killpg": KILL,
    "signal": SIGNAL,
    "faulthandler": SIGNAL,
    "atexit": ATEXIT,
    "gc.get_objects": GC,
    "gc.get_referrers": GC,
    "gc.get_referents": GC,
    "gc.callbacks": GC,
    "ctypes": CTYPES,
    "_ctypes": CTYPES,
    "cffi": CTYPES,
    "importlib.reload": DYNAMIC_IMPORT,
    "importlib.import_module": DYNAMIC_IMPORT,
    "importlib.invalidate_caches": DYNAMIC_IMPORT,
    "importlib.util.spec_from_file_location": DYNAMIC_IMPORT,
    "importlib.util.spec_from_loader": DYNAMIC_IMPORT,
    "importlib.util.module_from_spec": DYNAMIC_IMPORT,
    "importlib.machinery": DYNAMIC_IMPORT,
    "importlib.abc": DYNAMIC_IMPORT,
    "imp": DYNAMIC_IMPORT,
    "zipimport": DYNAMIC_IMPORT,
    "pkgutil": DYNAMIC_IMPORT,
    "runpy": RUNS_FILE,
    "threading": CONCURRENCY,
    "_thread": CONCURRENCY,
    "multiprocessing": CONCURRENCY,
    "torch.multiprocessing": CONCURRENCY,
    "concurrent": CONCURRENCY,
    "os.fork": CONCURRENCY,
    "os.forkpty": CONCURRENCY,
    "os.register_at_fork": CONCURRENCY,
    "asyncio.create_subprocess_exec": SHELL,
    "asyncio.create_subprocess_shell": SHELL,
    "subprocess": SHELL,
    "os.system": SHELL,
    "os.popen": SHELL,
    "os.posix_spawn": SHELL,
    "os.posix_spawnp": SHELL,
    "pty": SHELL,
    "pexpect": SHELL,
    "platform.popen": SHELL,
    "socket": NETWORK,
    "ssl": NETWORK,
    "urllib": NETWORK,
    "urllib3": NETWORK,
    "requests": NETWORK,
    "http": NETWORK,
    "httpx": NETWORK,
    "aiohttp": NETWORK,
    "ftplib": NETWORK,
    "smtplib": NETWORK,
    "telnetlib": NETWORK,
    "xmlrpc": NETWORK,
    "websocket": NETWORK,
    "websockets": NETWORK,
    "paramiko": NETWORK,
    "webbrowser": NETWORK,
    "torch.hub": NETWORK,
    "sqlite3": DATABASE,
    "dbm": DATABASE,
    "shelve": DATABASE,
    "sqlalchemy": DATABASE,
    "psycopg2": DATABASE,
    "pickle.load": UNPICKLE,
    "pickle.loads": UNPICKLE,
    "pickle.Unpickler": UNPICKLE,
    "_pickle": UNPICKLE,
    "marshal": UNPICKLE,
    "dill": UNPICKLE,
    "cloudpickle": UNPICKLE,
    "joblib.load": UNPICKLE,
    "code": EXEC,
    "codeop": EXEC,
    "unittest.mock": MOCK,
    "mock": MOCK,
    "helpers.course": GRADER_TOOLS,
    "nbformat": GRADER_TOOLS,
    "nbclient": GRADER_TOOLS,
    "nbconvert": GRADER_TOOLS,
    "nbgrader": GRADER_TOOLS,
    "papermill": GRADER_TOOLS,
    "jupytext": GRADER_TOOLS,
    "types.FunctionType": CODE_OBJECTS,
    "types.LambdaType": CODE_OBJECTS,
    "types.CodeType": CODE_OBJECTS,
    "types.ModuleType": CODE_OBJECTS,
    "torch.overrides": TORCH_OVERRIDE,
    "torch.utils._python_dispatch": TORCH_OVERRIDE,
    "torch._C": TORCH_OVERRIDE,
    "torch.library": TORCH_OVERRIDE,
    "pdb": DEBUGGER,
    "bdb": DEBUGGER,
    "os.chdir": CHDIR,
    "os.fchdir": CHDIR,
    "os.putenv": ENV,
    "os.unsetenv": ENV,
    "os.pardir": OUTSIDE,
    "os.path.pardir": OUTSIDE,
    "os.path.expanduser": OUTSIDE,
    "os.path.expandvars": OUTSIDE,
    "pathlib.Path.home": OUTSIDE,
}
_OS_EXEC = re.compile(r"os\.(exec|spawn)\w*$")

#: Names the read-only cells conventionally import, used when their origin is not known.
CONVENTIONAL_NAMES: dict[str, str] = {
    "torch": "torch",
    "nn": "torch.nn",
    "F": "torch.nn.functional",
    "optim": "torch.optim",
    "np": "numpy",
    "numpy": "numpy",
    "plt": "matplotlib.pyplot",
    "matplotlib": "matplotlib",
    "helpers": "helpers",
    "sklearn": "sklearn",
    "torchvision": "torchvision",
    "IPython": "IPython",
    "get_ipython": "IPython.get_ipython",
    "Path": "pathlib.Path",
    **{name: name for name in (
        "sys", "os", "builtins", "importlib", "subprocess", "atexit", "shutil", "tempfile", "pathlib",
        "random", "math", "gc", "inspect", "signal", "threading", "multiprocessing", "socket", "ctypes",
        "pickle", "marshal", "sqlite3", "glob", "io", "json", "types", "runpy", "pty", "urllib", "requests",
    )},
}

#: Packages whose names a student may import again under their usual name without a flag.
TRUSTED_ROOTS = frozenset({"torch", "numpy", "helpers", "matplotlib", "sklearn", "scipy", "pandas", "torchvision"})

#: Attributes whose store or read is about function and class machinery, not values.
_INTERNAL_READS = frozenset({"__globals__", "__code__", "__closure__", "__builtins__", "__subclasses__",
                             "__defaults__", "__kwdefaults__"})
#: Dunders that honest code may set on its own objects.
_HARMLESS_DUNDERS = frozenset({"__doc__", "__name__", "__qualname__", "__module__", "__annotations__"})
_FRAME_ATTRIBUTES = frozenset({"f_locals", "f_globals", "f_back", "f_builtins", "f_code", "f_trace", "f_lasti",
                               "tb_frame", "tb_next", "gi_frame", "cr_frame", "ag_frame"})
#: IPython shell attributes, by what they do; flagged wherever they appear, even off get_ipython().
IPYTHON_ATTRIBUTES: dict[str, str] = {
    "input_transformers_cleanup": IPYTHON_TRANSFORM,
    "input_transformers_post": IPYTHON_TRANSFORM,
    "input_transformer_manager": IPYTHON_TRANSFORM,
    "ast_transformers": IPYTHON_TRANSFORM,
    "prefilter_manager": IPYTHON_TRANSFORM,
    "set_custom_exc": IPYTHON_ERRORS,
    "showtraceback": IPYTHON_ERRORS,
    "_showtraceback": IPYTHON_ERRORS,
    "showsyntaxerror": IPYTHON_ERRORS,
    "InteractiveTB": IPYTHON_ERRORS,
    "SyntaxTB": IPYTHON_ERRORS,
    "CustomTB": IPYTHON_ERRORS,
    "custom_exceptions": IPYTHON_ERRORS,
    "run_cell": IPYTHON_RUN,
    "run_cell_async": IPYTHON_RUN,
    "run_ast_nodes": IPYTHON_RUN,
    "run_code": IPYTHON_RUN,
    "safe_execfile": IPYTHON_RUN,
    "safe_run_module": IPYTHON_RUN,
    "register_magic_function": IPYTHON,
    "register_magics": IPYTHON,
    "user_ns": IPYTHON,
    "user_global_ns": IPYTHON,
    "display_pub": IPYTHON,
    "payload_manager": IPYTHON,
    "iopub_socket": KERNEL,
    "shell_handlers": KERNEL,
}
#: Attributes of get_ipython() that only mean something there (generic names elsewhere).
_SHELL_ONLY_ATTRIBUTES: dict[str, str] = {
    "events": IPYTHON_HOOK,
    "kernel": KERNEL,
    "comm_manager": KERNEL,
    "ex": IPYTHON_RUN,
    "ev": IPYTHON_RUN,
    "push": IPYTHON,
    "reset": IPYTHON,
    "del_var": IPYTHON,
    "system": SHELL,
    "system_raw": SHELL,
    "system_piped": SHELL,
    "getoutput": SHELL,
    "displayhook": EXCEPTION_HOOK,
    "excepthook": EXCEPTION_HOOK,
    "compile": EXEC,
    "ask_exit": KILL,
    "exit_now": KILL,
}
#: Dunders a class defines to pass equality, truth or isinstance checks it should fail.
_FAKING_DUNDERS = frozenset({"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__float__",
                             "__int__", "__index__", "__instancecheck__", "__subclasscheck__", "__getattribute__",
                             "__class__"})
#: IPython's input and output history in the user namespace (it holds the cell running now).
_IPYTHON_HISTORY = re.compile(r"(In|Out|_ih|_oh|_dh|_i{1,3}|_i\d+|_\d+|_{2,3})$")
IPYTHON_EVENTS = frozenset({"pre_execute", "pre_run_cell", "post_execute", "post_run_cell", "shell_initialized"})

#: IPython magics and default aliases by what they do (None: harmless).
MAGICS: dict[str, str | None] = {
    **dict.fromkeys(("system", "sx", "sc", "bash", "sh", "script", "perl", "ruby", "python", "python2", "python3",
                     "pypy", "alias", "unalias", "rehashx", "killbgscripts", "pip", "conda", "mamba", "uv",
                     "cat", "cp", "ls", "ll", "lf", "lk", "ldir", "lx", "mkdir", "mv", "rm", "rmdir", "man",
                     "less", "more", "clear"), SHELL),
    **dict.fromkeys(("run", "load", "loadpy", "load_ext", "reload_ext", "unload_ext", "macro", "recall", "rerun",
                     "edit", "store", "pylab"), RUNS_FILE),
    **dict.fromkeys(("autoreload", "aimport"), DYNAMIC_IMPORT),
    **dict.fromkeys(("env", "set_env"), ENV),
    **dict.fromkeys(("cd", "pushd", "popd", "bookmark"), CHDIR),
    **dict.fromkeys(("writefile", "file", "save", "logstart", "notebook"), WRITES_FILE),
    **dict.fromkeys(("javascript", "js"), JAVASCRIPT),
    **dict.fromkeys(("pdb", "debug"), DEBUGGER),
    **dict.fromkeys(("reset", "reset_selective", "xdel"), IPYTHON),
    **dict.fromkeys(("connect_info", "qtconsole"), KERNEL),
    **dict.fromkeys(("config", "autocall", "automagic", "doctest_mode", "xmode"), UNUSUAL_MAGIC),
    **dict.fromkeys(("time", "timeit", "prun", "capture", "matplotlib", "html", "markdown", "latex", "svg", "who",
                     "whos", "who_ls", "history", "hist", "pwd", "lsmagic", "magic", "pinfo", "pinfo2", "psearch",
                     "precision", "page", "tb", "colors", "gui", "dhist", "pycat", "pprint"), None),
}
#: Magics whose argument (line magics) or body (cell magics) is Python, scanned like the rest.
_PYTHON_LINE_MAGICS = frozenset({"time", "timeit", "prun"})
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "prun", "capture", "debug"})

#: Calls whose arguments are paths (besides everything in os, os.path, shutil, glob and pathlib).
_FILE_CALLS = frozenset({"builtins.open", "io.open", "torch.load", "torch.save", "numpy.load", "numpy.save",
                         "numpy.savez", "numpy.savez_compressed", "numpy.loadtxt", "numpy.savetxt",
                         "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap", "json.load", "zipfile.ZipFile",
                         "tarfile.open", "sqlite3.connect", "shelve.open", "dbm.open"})
_FILE_MODULES = frozenset({"os", "shutil", "glob", "pathlib"})
#: Path methods whose arguments are (parts of) paths.
_PATH_METHODS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes", "glob", "rglob",
                           "iterdir", "joinpath", "exists", "is_file", "is_dir", "mkdir", "touch", "unlink",
                           "rmdir", "symlink_to", "hardlink_to", "with_name", "samefile", "chmod"})
#: Calls that anchor a path at the working folder or above it: ``.parent`` of these walks up.
_ANCHORS = frozenset({"cwd", "getcwd", "getcwdb", "home", "resolve", "absolute", "abspath", "realpath", "expanduser"})
_SENSITIVE_PATH = re.compile(r"solutions|gradebook|autograded|submitted|feedback|nbgrader|\.ipynb|\.db\b|\.sqlite",
                             re.IGNORECASE)
_PARENT_PART = re.compile(r"(^|[/\\])\.\.([/\\]|$)")
#: Methods that change a mapping in place.
_MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})
#: Settings that honest code changes by assigning attributes of a module.
_SETTINGS = ("torch.backends.", "pandas.options.", "matplotlib.rcParams", "torch._dynamo.config.")

_BUILTIN_NAMES = frozenset(dir(builtins)) | {"exit", "quit"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

# --- IPython syntax ---------------------------------------------------------------------------

#: A line IPython runs as a shell escape or a line magic, possibly assigned: ``files = !ls``, ``%cd ..``.
_ESCAPE = re.compile(
    r"(?P<indent>\s*)(?P<lhs>[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*)?(?P<esc>!(?!=)|%)(?P<name>\w*)(?P<rest>.*)"
)
_HELP = re.compile(r"\s*(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")
_MAGIC_OPTIONS = re.compile(r"\s*(?:-[A-Za-z]+(?:\s*\d+)?\s+)*")
_AUTOMAGIC = re.compile(r"\s*(?P<name>[A-Za-z_]\w*)(?P<rest>(?:\s.*)?)$")


def _shorten(code: str) -> str:
    """One line of code, whitespace collapsed, cut to about :data:`MAX_CODE_CHARS`."""
    code = " ".join(code.split())
    return code if len(code) <= MAX_CODE_CHARS else code[: MAX_CODE_CHARS - 3] + "..."


def _magic_kind(name: str) -> str | None:
    """What running the magic ``name`` amounts to (None when harmless); unknown magics are unusual."""
    return MAGICS.get(name, UNUSUAL_MAGIC)


def _outside_path(text: str) -> bool:
    """A path (or part of one) that points outside the working folder or at the grader's files."""
    return bool(
        text.startswith(("/", "\\", "~"))
        or re.match(r"[A-Za-z]:[\\/]", text)
        or _PARENT_PART.search(text)
        or _SENSITIVE_PATH.search(text)
    )


def _looks_like_path(text: str) -> bool:
    """A string without spaces that has a folder separator or ends like a notebook or a database."""
    return not any(c.isspace() for c in text) and (
        "/" in text or "\\" in text or text.lower().endswith((".ipynb", ".db", ".sqlite", ".sqlite3"))
    )


def _to_python(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The cell as Python for ``ast``, and ``(line, kind)`` for the IPython syntax it used.

    Line numbers stay those of the cell. Magic lines become ``pass`` (or their
    Python argument, for ``%time`` and friends); a cell magic whose body is not
    Python leaves nothing to parse.
    """
    lines = source.splitlines()
    found: list[tuple[int, str]] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return source, found
    head = lines[first].lstrip()
    if head.startswith("%%"):
        name = re.match(r"%%(\w*)", head).group(1)
        kind = _magic_kind(name)
        if kind:
            found.append((first + 1, kind))
        if any(_outside_path(word) for word in head.split()[1:]):
            found.append((first + 1, OUTSIDE))
        if name not in _PYTHON_CELL_MAGICS:
            return "", found
        lines[first] = ""
    for i, line in enumerate(lines):
        if _HELP.match(line):
            lines[i] = re.match(r"\s*", line).group() + "pass"
            continue
        match = _ESCAPE.match(line)
        if not match or (match["esc"] == "%" and not match["name"]):
            continue
        indent, lhs = match["indent"], match["lhs"] or ""
        if match["esc"] == "!":
            found.append((i + 1, SHELL))
        else:
            kind = _magic_kind(match["name"])
            if kind:
                found.append((i + 1, kind))
        if any(_outside_path(word) for word in match["rest"].split()):
            found.append((i + 1, OUTSIDE))
        if match["esc"] == "%" and match["name"] in _PYTHON_LINE_MAGICS:
            lines[i] = indent + lhs + _MAGIC_OPTIONS.sub("", match["rest"], count=1)
        else:
            lines[i] = indent + (lhs + "None" if lhs else "pass")
    return "\n".join(lines), found


def _blank_magics(source: str) -> str:
    """Every IPython line as ``pass``: the fallback when a magic's Python argument does not parse."""
    return "\n".join(
        re.match(r"\s*", line).group() + "pass" if _ESCAPE.match(line) or _HELP.match(line) else line
        for line in source.splitlines()
    )


def _automagic(source: str, bound: Collection[str]) -> list[tuple[int, str]]:
    """``(line, kind)`` for a one-line cell that runs a dangerous magic without its ``%`` (automagic)."""
    lines = source.splitlines()
    code = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if len(code) != 1:
        return []
    number, line = code[0]
    match = _AUTOMAGIC.match(line)
    if not match or match["name"] in bound:
        return []
    rest = match["rest"].strip()
    if rest.startswith("=") and not rest.startswith("=="):
        return []  # an assignment, which IPython runs as Python
    kind = MAGICS.get(match["name"])
    if not kind:
        return []
    outside = [(number, OUTSIDE)] if any(_outside_path(word) for word in rest.split()) else []
    return [(number, kind), *outside]


def _parse(source: str) -> tuple[ast.Module | None, list[tuple[int, str]], tuple[int, str] | None]:
    """The cell's syntax tree (None when it does not parse), its IPython flags, and ``(line, why)`` it did not."""
    try:
        return ast.parse(source), [], None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    python, found = _to_python(source)
    for attempt in (python, _blank_magics(python)):
        try:
            return ast.parse(attempt), found, None
        except SyntaxError as error:
            problem = (error.lineno or 1, error.msg)
        except (ValueError, RecursionError, MemoryError) as error:
            problem = (1, f"{type(error).__name__}: {error}")
    return None, found, problem


# --- names the cells bind ---------------------------------------------------------------------


def _import_bindings(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """``(bound name, qualified origin)`` for each name an import binds (origin "" when unknown)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                root = alias.name.split(".")[0]
                yield root, root
    elif node.level == 0 and node.module:
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name, f"{node.module}.{alias.name}"
    else:
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name, ""


def _target_names(target: ast.AST) -> Iterator[str]:
    """The plain names an assignment target binds."""
    for node in ast.walk(target):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            yield node.id
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            yield node.name
        elif isinstance(node, ast.MatchMapping) and node.rest:
            yield node.rest


def _walk_scope(nodes: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node in ``nodes`` and below, without entering nested functions, classes or comprehensions."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _SCOPES):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.extend(reversed(node.decorator_list))
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _scope_bindings(nodes: Sequence[ast.AST]) -> dict[str, str]:
    """Names bound directly in a scope, with the qualified origin of the imported ones ("" otherwise)."""
    bound: dict[str, str] = {}
    for node in _walk_scope(nodes):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound.update(_import_bindings(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound[node.name] = ""
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound[node.id] = ""
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound[node.name] = ""
        elif isinstance(node, ast.MatchAs | ast.MatchStar | ast.MatchMapping):
            bound.update(dict.fromkeys(_target_names(node), ""))
    return bound


def bound_names(sources: Sequence[str]) -> dict[str, str]:
    """The names code cells bind at top level, e.g. the read-only cells of an assignment.

    Args:
        sources: The cells' code, in notebook order (IPython magics are skipped).

    Returns:
        ``{name: origin}``: the qualified name an import bound (``"helpers.checks.check_close"``,
        ``"torch"``), or ``""`` for any other binding (``device = get_device()``). Pass it to
        :func:`scan_cells` as ``imported``.
    """
    names: dict[str, str] = {}
    for source in sources:
        tree, _, _ = _parse(source)
        if tree is not None:
            names.update(_scope_bindings(tree.body))
    return names


def _all_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Every name a tree binds, in any scope, and the names it binds to functions and classes."""
    names: set[str] = set()
    functions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            functions.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(name for name, _ in _import_bindings(node))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            functions.update(name for target in node.targets for name in _target_names(target))
    return names, functions


# --- the scan of code -------------------------------------------------------------------------


@dataclass
class _Scope:
    kind: str  # "function", "class" or "comprehension"
    local: set[str]
    declared_global: set[str] = field(default_factory=set)
    aliases: dict[str, str | None] = field(default_factory=dict)


@dataclass
class _Context:
    """What all cells share: the read-only names and the module-level aliases to qualified names."""

    readonly: dict[str, str]
    aliases: dict[str, str | None]
    anchored: set[str]
    functions: set[str] = field(default_factory=set)
    bound: set[str] = field(default_factory=set)


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _is_anchored(node: ast.AST, anchored: Collection[str]) -> bool:
    """The expression is (built from) the working folder's absolute path or a folder above it."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in _ANCHORS:
                return True
        elif isinstance(sub, ast.Name) and sub.id in anchored:
            return True
        elif isinstance(sub, ast.Attribute) and sub.attr in ("parent", "parents"):
            return True
    return False


def _anchored_names(trees: Sequence[ast.Module]) -> set[str]:
    """Names assigned (anywhere) from an anchored expression, followed through reassignments."""
    pairs = []
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                pairs.extend((name, node.value) for t in targets for name in _target_names(t))
            elif isinstance(node, ast.For | ast.comprehension):
                pairs.extend((name, node.iter) for name in _target_names(node.target))
    anchored: set[str] = set()
    for _ in range(5):
        grown = {name for name, value in pairs if _is_anchored(value, anchored)}
        if grown <= anchored:
            break
        anchored |= grown
    return anchored


class _CellScanner(ast.NodeVisitor):
    """Flags in one cell's syntax tree."""

    def __init__(self, context: _Context):
        self.context = context
        self.scopes: list[_Scope] = []
        self.found: dict[tuple[int, str], None] = {}

    # --- bookkeeping ---

    def flag(self, node: ast.AST | int, kind: str) -> None:
        """Record ``kind`` at the node's line (once per line and kind)."""
        line = node if isinstance(node, int) else getattr(node, "lineno", 1)
        self.found.setdefault((line, kind), None)

    def scan(self, tree: ast.Module) -> list[tuple[int, str]]:
        """``(line, kind)`` for everything flagged in ``tree``."""
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                child._scan_parent = node  # type: ignore[attr-defined]
        self.visit(tree)
        return list(self.found)

    def _module_level(self, name: str) -> bool:
        """A binding of ``name`` here changes the notebook's global namespace."""
        if not self.scopes:
            return True
        scope = self.scopes[-1]
        return scope.kind == "function" and name in scope.declared_global

    def qualname(self, node: ast.AST) -> str | None:
        """The dotted name of what an expression refers to (``torch.nn.Module``), if it is an import."""
        if isinstance(node, ast.Name):
            return self._resolve(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call):
            func = self.qualname(node.func)
            first = _const_str(node.args[0]) if node.args else None
            if func in ("builtins.__import__", "importlib.import_module") and first:
                return first
            if func == "builtins.getattr" and len(node.args) >= 2 and _const_str(node.args[1]):
                base = self.qualname(node.args[0])
                return f"{base}.{node.args[1].value}" if base else None
            return None
        if isinstance(node, ast.Subscript) and self.qualname(node.value) == "sys.modules":
            return _const_str(node.slice)
        return None

    def _resolve(self, name: str) -> str | None:
        for i, scope in enumerate(reversed(self.scopes)):
            if scope.kind == "class" and i > 0:
                continue
            if name in scope.declared_global:
                break
            if name in scope.aliases:
                return scope.aliases[name]
            if name in scope.local:
                return None
        if name in self.context.aliases:
            return self.context.aliases[name]
        if name in CONVENTIONAL_NAMES:
            return CONVENTIONAL_NAMES[name]
        if name in _BUILTIN_NAMES:
            return f"builtins.{name}"
        return None

    def _set_alias(self, name: str, qualname: str | None) -> None:
        if self._module_level(name):
            self.context.aliases[name] = qualname
        elif self.scopes:
            self.scopes[-1].aliases[name] = qualname

    def _root_name(self, node: ast.AST) -> str | None:
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    def _reaches_class(self, node: ast.AST) -> bool:
        """The expression goes through ``type(x)``, ``vars(x)`` or a dunder such as ``x.__class__``."""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and _is_dunder(sub.attr):
                return True
            if isinstance(sub, ast.Call) and self.qualname(sub.func) in ("builtins.type", "builtins.vars"):
                return True
        return False

    def _readonly(self, name: str | None) -> bool:
        return name is not None and name in self.context.readonly and self._resolve_is_global(name)

    def _resolve_is_global(self, name: str) -> bool:
        for i, scope in enumerate(reversed(self.scopes)):
            if scope.kind == "class" and i > 0:
                continue
            if name in scope.declared_global:
                return True
            if name in scope.local or name in scope.aliases:
                return False
        return True

    # --- references ---

    def _check_reference(self, node: ast.AST, qualname: str | None, *, used: bool = True) -> None:
        """Flag a reference to a dangerous qualified name (``used``: an expression, not an import)."""
        if not qualname:
            return
        if qualname == "IPython.get_ipython":
            if used:
                self._check_get_ipython(node)
            return
        parts = qualname.split(".")
        for end in range(len(parts), 0, -1):
            kind = DANGEROUS_NAMES.get(".".join(parts[:end]))
            if kind is not None:
                if kind:
                    self.flag(node, kind)
                return
        if _OS_EXEC.match(qualname):
            self.flag(node, SHELL)

    def _check_get_ipython(self, node: ast.AST) -> None:
        """get_ipython(): fine for display settings and "are we in IPython?", flagged for anything else."""
        parent = getattr(node, "_scan_parent", None)
        if not (isinstance(parent, ast.Call) and parent.func is node):
            self.flag(node, IPYTHON)
            return
        outer = getattr(parent, "_scan_parent", None)
        if isinstance(outer, ast.Attribute) and outer.value is parent:
            if outer.attr in ("run_line_magic", "run_cell_magic", "magic"):
                call = getattr(outer, "_scan_parent", None)
                name = _const_str(call.args[0]) if isinstance(call, ast.Call) and call.args else None
                kind = _magic_kind(name.lstrip("%").split(" ")[0]) if name else UNUSUAL_MAGIC
                if kind:
                    self.flag(node, kind)
            elif outer.attr != "__class__":
                self.flag(node, IPYTHON_ATTRIBUTES.get(outer.attr) or _SHELL_ONLY_ATTRIBUTES.get(outer.attr, IPYTHON))
            return
        if isinstance(outer, ast.Compare):
            return
        if isinstance(outer, ast.Call) and self.qualname(outer.func) in (
            "builtins.print", "builtins.str", "builtins.repr", "builtins.type", "builtins.isinstance",
        ):
            return
        self.flag(node, IPYTHON)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "__builtins__":
            self.flag(node, BUILTINS)
        elif node.id == "__course_guard__" or "course_guard" in node.id:
            self.flag(node, GRADER_TOOLS)
        elif isinstance(node.ctx, ast.Load):
            self._check_reference(node, self.qualname(node))
            if _IPYTHON_HISTORY.match(node.id) and node.id not in self.context.bound:
                self.flag(node, IPYTHON)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr in _FRAME_ATTRIBUTES:
            self.flag(node, FRAMES)
        elif attr in IPYTHON_ATTRIBUTES:
            self.flag(node, IPYTHON_ATTRIBUTES[attr])
        elif attr == "__builtins__":
            self.flag(node, BUILTINS)
        elif attr in _INTERNAL_READS or (attr == "__dict__" and self.qualname(node.value)):
            self.flag(node, INTERNALS)
        elif attr in ("__torch_function__", "__torch_dispatch__"):
            self.flag(node, TORCH_OVERRIDE)
        elif attr in ("register", "unregister", "callbacks") and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "events":
            self.flag(node, IPYTHON_HOOK)
        elif attr in ("parent", "parents") and _is_anchored(node.value, self.context.anchored):
            self.flag(node, OUTSIDE)
        if isinstance(node.ctx, ast.Load):
            self._check_reference(node, self.qualname(node))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, str) and len(value) < 40:
            if value in IPYTHON_EVENTS:
                self.flag(node, IPYTHON_HOOK)
            elif value in IPYTHON_ATTRIBUTES:
                self.flag(node, IPYTHON_ATTRIBUTES[value])
            elif value in _INTERNAL_READS or value == "__dict__":
                self.flag(node, INTERNALS)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if isinstance(node.op, ast.Div):
            for side in (node.left, node.right):
                text = _const_str(side)
                if text is not None and _outside_path(text):
                    self.flag(node, OUTSIDE)
        self.generic_visit(node)

    # --- stores ---

    def _check_target(self, target: ast.AST, *, value: ast.AST | None = None) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._check_target(element)
        elif isinstance(target, ast.Starred):
            self._check_target(target.value)
        elif isinstance(target, ast.Name):
            self._check_binding(target.id, target, value=value)
        elif isinstance(target, ast.Attribute):
            self._check_attribute_store(target.value, target.attr, target)
        elif isinstance(target, ast.Subscript):
            self._check_mapping_change(target.value, target)

    def _check_binding(self, name: str, node: ast.AST, *, value: ast.AST | None = None,
                       origin: str | None = None, callable_value: bool = False) -> None:
        """A name bound here: flagged when it replaces one the read-only cells bound, or a builtin."""
        if origin is None:
            self._set_alias(name, self.qualname(value) if value is not None else None)
        if not self._module_level(name):
            return
        if name == "__builtins__":
            self.flag(node, BUILTINS)
        elif name in self.context.readonly:
            if origin is None or not self._same_import(name, origin):
                self.flag(node, REBIND)
        elif name == "get_ipython" and origin != "IPython.get_ipython":
            self.flag(node, IPYTHON)
        elif name in _BUILTIN_NAMES and not name.startswith("_"):
            if callable_value or isinstance(value, ast.Lambda) or (
                isinstance(value, ast.Name | ast.Attribute)
                and (self.qualname(value) or self._root_name(value) in self.context.functions)
            ):
                self.flag(node, SHADOWS_BUILTIN)

    def _same_import(self, name: str, origin: str) -> bool:
        """Importing ``origin`` as ``name`` again binds what the read-only cells bound."""
        known = self.context.readonly.get(name) or CONVENTIONAL_NAMES.get(name, "")
        if origin == known:
            return True
        root, last = origin.split(".")[0], origin.rsplit(".", 1)[-1]
        if known:
            return root == known.split(".")[0] and last == known.rsplit(".", 1)[-1]
        return last == name and (root in TRUSTED_ROOTS or root in sys.stdlib_module_names)

    def _check_attribute_store(self, obj: ast.AST, attr: str | None, node: ast.AST) -> None:
        """``obj.attr = ...``, ``del obj.attr`` or ``setattr(obj, attr, ...)``."""
        base = self.qualname(obj)
        if base:
            full = f"{base}.{attr}" if attr else base
            if full.startswith(_SETTINGS):
                return
            if full == "os.environ":
                self.flag(node, ENV)
            else:
                self.flag(node, BUILTINS if base.split(".")[0] == "builtins" else PATCH)
        elif attr and _is_dunder(attr) and attr not in _HARMLESS_DUNDERS:
            self.flag(node, INTERNALS)
        elif self._reaches_class(obj):
            self.flag(node, INTERNALS)
        elif self._readonly(self._root_name(obj)):
            self.flag(node, SETUP_OBJECT)
        if attr in IPYTHON_ATTRIBUTES:
            self.flag(node, IPYTHON_ATTRIBUTES[attr])

    def _check_mapping_change(self, mapping: ast.AST, node: ast.AST) -> None:
        """``mapping[key] = ...``, ``del mapping[key]`` or ``mapping.update(...)``, for the mappings that matter."""
        base = self.qualname(mapping)
        if base == "os.environ":
            self.flag(node, ENV)
        elif base in ("sys.modules", "builtins.__dict__"):
            self.flag(node, SYS_MODULES if base == "sys.modules" else BUILTINS)
        elif isinstance(mapping, ast.Attribute) and mapping.attr in ("__dict__", "__globals__", "__builtins__"):
            self.flag(node, BUILTINS if mapping.attr == "__builtins__" else INTERNALS)
        elif isinstance(mapping, ast.Call):
            func = self.qualname(mapping.func)
            if func == "builtins.vars":
                self.flag(node, INTERNALS if mapping.args else GLOBALS)
            elif func in ("builtins.globals", "builtins.locals"):
                self.flag(node, GLOBALS)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._check_target(target, value=node.value)
            self._visit_target_parts(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self._check_target(node.target, value=node.value)
        self._visit_target_parts(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._check_target(node.target, value=node.value)
        self._visit_target_parts(node.target)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._check_target(target)
            self._visit_target_parts(target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scopes = self.scopes  # ``:=`` in a comprehension binds in the scope around it
        while self.scopes and self.scopes[-1].kind == "comprehension":
            self.scopes = self.scopes[:-1]
        self._check_target(node.target, value=node.value)
        self.scopes = scopes

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._check_target(node.target)
        self._visit_target_parts(node.target)
        for child in [node.iter, *node.body, *node.orelse]:
            self.visit(child)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr)
        if node.optional_vars is not None:
            self._check_target(node.optional_vars)
            self._visit_target_parts(node.optional_vars)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._check_binding(node.name, node)
        self.generic_visit(node)

    def _visit_target_parts(self, target: ast.AST) -> None:
        """Visit what a target reads (``a`` and ``i`` in ``a.b[i] = ...``), and attribute names it uses."""
        if isinstance(target, ast.Tuple | ast.List | ast.Starred):
            for child in ast.iter_child_nodes(target):
                self._visit_target_parts(child)
        elif isinstance(target, ast.Attribute):
            if target.attr in _FRAME_ATTRIBUTES:
                self.flag(target, FRAMES)
            self.visit(target.value)
        elif isinstance(target, ast.Subscript):
            self.visit(target.value)
            self.visit(target.slice)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif node.level == 0 and node.module:
            modules = [node.module if a.name == "*" else f"{node.module}.{a.name}" for a in node.names]
        else:
            modules = []
        for module in modules:
            self._check_reference(node, module, used=False)
        for name, origin in _import_bindings(node):
            self._set_alias(name, origin or None)
            root = origin.split(".")[0]
            trusted = root in TRUSTED_ROOTS or root in sys.stdlib_module_names
            self._check_binding(name, node, origin=origin, callable_value=not trusted)

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:
        if self.scopes:
            self.scopes[-1].declared_global.update(node.names)

    # --- calls ---

    def visit_Call(self, node: ast.Call) -> None:
        func = self.qualname(node.func)
        args = node.args
        if func in ("builtins.setattr", "builtins.delattr") and args:
            attr = _const_str(args[1]) if len(args) > 1 else None
            self._check_attribute_store(args[0], attr, node)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("__setattr__", "__delattr__"):
            owner = self.qualname(node.func.value)
            if owner in ("builtins.object", "builtins.type") and args:
                self._check_attribute_store(args[0], _const_str(args[1]) if len(args) > 1 else None, node)
            else:
                self._check_attribute_store(node.func.value, _const_str(args[0]) if args else None, node)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
            self._check_mapping_change(node.func.value, node)
        elif func in ("builtins.locals", "builtins.vars") and not args and not self.scopes:
            self.flag(node, GLOBALS)
        elif func == "builtins.vars" and args and self.qualname(args[0]):
            self.flag(node, INTERNALS)
        if func in ("os.path.dirname", "os.path.split") and args and _is_anchored(args[0], self.context.anchored):
            self.flag(node, OUTSIDE)
        takes_paths = self._takes_paths(node, func)
        if func != "builtins.print":
            for value in [*args, *(k.value for k in node.keywords)]:
                texts = [text for sub in ast.walk(value) if (text := _const_str(sub)) is not None]
                if any(_outside_path(t) and (takes_paths or _looks_like_path(t)) for t in texts):
                    self.flag(node, OUTSIDE)
        self.generic_visit(node)

    def _takes_paths(self, node: ast.Call, func: str | None) -> bool:
        if func and (func in _FILE_CALLS or func.split(".")[0] in _FILE_MODULES or func.startswith("pandas.read_")):
            return True
        return isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS

    # --- scopes ---

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        arguments = node.args
        for default in [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]:
            self.visit(default)
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator)
            self._check_binding(node.name, node, callable_value=True)
        params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                  *(a for a in (arguments.vararg, arguments.kwarg) if a)]
        declared = {n for sub in _walk_scope(body) if isinstance(sub, ast.Global | ast.Nonlocal) for n in sub.names}
        local = ({p.arg for p in params} | set(_scope_bindings(body))) - declared
        self.scopes.append(_Scope("function", local))
        for statement in body:
            self.visit(statement)
        self.scopes.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expression in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expression)
        self._check_binding(node.name, node, callable_value=True)
        for statement in node.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                names = {statement.name}
            elif isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                names = {name for target in targets for name in _target_names(target)}
            else:
                names = set()
            if names & {"__torch_function__", "__torch_dispatch__"}:
                self.flag(statement, TORCH_OVERRIDE)
            elif names & _FAKING_DUNDERS:
                self.flag(statement, FAKE_OBJECT)
        self.scopes.append(_Scope("class", set(_scope_bindings(node.body))))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    def _visit_comprehension(self, node: ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp) -> None:
        self.visit(node.generators[0].iter)
        local = {name for generator in node.generators for name in _target_names(generator.target)}
        self.scopes.append(_Scope("comprehension", local))
        for index, generator in enumerate(node.generators):
            if index:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for part in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
            self.visit(part)
        self.scopes.pop()

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension


def _context(readonly: dict[str, str], trees: Sequence[ast.Module]) -> _Context:
    """Module-level aliases: conventional names, the read-only cells' origins, and the student's imports."""
    aliases: dict[str, str | None] = {name: origin or None for name, origin in readonly.items()}
    for name, origin in readonly.items():
        if not origin and name in CONVENTIONAL_NAMES:
            aliases[name] = CONVENTIONAL_NAMES[name]
    for tree in trees:
        for name, origin in _scope_bindings(tree.body).items():
            if origin:
                aliases[name] = origin
    return _Context(readonly=readonly, aliases=aliases, anchored=_anchored_names(trees))


def _detail(lines: Sequence[str], line: int) -> str:
    code = lines[line - 1] if 0 < line <= len(lines) else ""
    return f"line {line}: {_shorten(code)}"


def scan_cells(cells: Sequence[tuple[str, str]], imported: Collection[str] = ()) -> list[Flag]:
    """Flag suspicious code in the cells a student wrote.

    Args:
        cells: ``(where, source)`` for every cell the student wrote (answer cells and their own
            extra cells), in notebook order; ``where`` is a ``grade_id`` such as ``"ex03_answer"``
            or ``"cell 12"``.
        imported: The names the read-only cells bound. A mapping from :func:`bound_names`
            (``{name: origin}``) also tells which of them are imports; a plain collection works too.

    Returns:
        One :class:`Flag` per kind and line, in cell and line order. A cell that does not parse
        gets a single ``"syntax error"`` flag (plus any IPython syntax it used).
    """
    readonly = dict(imported) if isinstance(imported, Mapping) else dict.fromkeys(imported, "")
    parsed = []
    for where, source in cells:
        tree, found, error = _parse(source)
        parsed.append((where, source, tree, found, error))
    trees = [tree for _, _, tree, _, _ in parsed if tree is not None]
    everyone, functions = set(readonly), set()
    for tree in trees:
        names, defined = _all_names(tree)
        everyone |= names
        functions |= defined
    context = _context(readonly, trees)
    context.functions, context.bound = functions, everyone - set(readonly)
    flags: list[Flag] = []
    for where, source, tree, found, error in parsed:
        lines = source.splitlines()
        magic = _automagic(source, everyone)
        if magic:
            found, tree, error = [*found, *magic], None, None
        if tree is not None:
            try:
                found = found + _CellScanner(context).scan(tree)
            except RecursionError:
                found = [*found, (1, UNSCANNABLE)]
        flags.extend(Flag(where, kind, _detail(lines, line)) for line, kind in sorted(set(found)))
        if error is not None:
            line, why = error
            code = lines[line - 1] if 0 < line <= len(lines) else ""
            flags.append(Flag(where, SYNTAX_ERROR, f"line {line}: {why}: {_shorten(code)}"))
    return flags


# --- the scan of files ------------------------------------------------------------------------

_CONFIG_FILE = re.compile(r"(ipython|ipython_kernel|jupyter_\w*|nbgrader)_config\.(py|json)$")


def _folder_kind(path: Path) -> tuple[str | None, bool]:
    """What a folder beside the notebook is (None: nothing special), and whether to look inside."""
    name = path.name
    if name in (".ipython", ".jupyter") or name.startswith("profile_"):
        return IPYTHON_CONFIG, False
    if name in (".local", ".config"):
        return USER_FOLDER, False
    if name == "__pycache__":
        return PYCACHE, False
    if name.endswith((".dist-info", ".egg-info", ".egg")):
        return PACKAGE_METADATA, False
    if os.path.lexists(path / "__init__.py"):
        return PACKAGE, True
    return None, True


def _file_kind(name: str, in_package: bool) -> str | None:
    """What a file beside the notebook is (None: nothing special)."""
    if name in ("sitecustomize.py", "usercustomize.py"):
        return STARTUP_FILE
    if name == "conftest.py":
        return CONFTEST
    if _CONFIG_FILE.match(name):
        return IPYTHON_CONFIG
    suffix = Path(name).suffix
    if suffix == ".pth":
        return PTH_FILE
    if suffix == ".egg-link":
        return PACKAGE_METADATA
    if suffix in (".so", ".pyd", ".dylib"):
        return EXTENSION
    if suffix in (".py", ".pyc", ".pyo", ".pyw") and not in_package:
        return PY_MODULE
    return None


def scan_files(folder: Path, notebook: Path) -> list[Flag]:
    """Flag files handed in beside the notebook that could change how it runs.

    Python modules and packages (which could shadow ``helpers`` or ``torch``), startup hooks
    (``sitecustomize.py``, ``*.pth``, ``.ipython/``), ``conftest.py``, symlinks (never followed,
    the notebook's own included), special files, hard links and files over :data:`BIG_FILE_BYTES`.
    ``.ipynb_checkpoints/`` and the notebook itself are skipped.

    Args:
        folder: The folder the notebook was handed in with.
        notebook: The notebook (its name is what matters).

    Returns:
        Flags whose ``where`` is the path relative to ``folder``, sorted by it.
    """
    folder = Path(folder)
    flags: list[Flag] = []
    seen = 0
    stack = [folder]
    while stack:
        current = stack.pop()
        rel_current = current.relative_to(folder).as_posix()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            flags.append(Flag(rel_current, UNREADABLE, f"could not list it: {error.strerror or error}"))
            continue
        in_package = current != folder and os.path.lexists(current / "__init__.py")
        for entry in entries:
            seen += 1
            if seen > MAX_ENTRIES:
                flags.append(Flag(".", TOO_MANY_FILES, f"stopped after {MAX_ENTRIES} entries"))
                return sorted(flags, key=lambda flag: flag.where)
            path = Path(entry.path)
            rel = path.relative_to(folder).as_posix()
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                flags.append(Flag(rel, UNREADABLE, f"could not read it: {error.strerror or error}"))
                continue
            if stat.S_ISLNK(info.st_mode):
                try:
                    target = os.readlink(path)
                except OSError:
                    target = "?"
                flags.append(Flag(rel, SYMLINK, f"points to {target}"))
            elif stat.S_ISDIR(info.st_mode):
                if entry.name == ".ipynb_checkpoints":
                    continue
                kind, look_inside = _folder_kind(path)
                if kind == PACKAGE:
                    flags.append(Flag(rel, kind, f"has __init__.py: `import {entry.name}` could load it"))
                elif kind:
                    flags.append(Flag(rel, kind, "a folder Python or IPython reads at start-up or import"))
                if look_inside:
                    stack.append(path)
            elif not stat.S_ISREG(info.st_mode):
                flags.append(Flag(rel, SPECIAL_FILE, "not a regular file (a pipe, socket or device)"))
            elif not (current == folder and entry.name == Path(notebook).name):
                kind = _file_kind(entry.name, in_package)
                if kind == PY_MODULE and current == folder:
                    flags.append(Flag(rel, kind, f"`import {Path(entry.name).stem}` would load it"))
                elif kind:
                    flags.append(Flag(rel, kind, "Python could load or run it"))
                if info.st_size > BIG_FILE_BYTES:
                    flags.append(Flag(rel, BIG_FILE, f"{info.st_size / 1024 ** 2:.0f} MB"))
                if info.st_nlink > 1:
                    flags.append(Flag(rel, HARD_LINK, f"{info.st_nlink} links to the same file"))
    return sorted(flags, key=lambda flag: flag.where)
