"""Start a graded kernel in a bubblewrap sandbox, with limits, and make sure it is gone afterwards.

The kernel of one submission sees:

- its own scratch copy of the submission (writable; its working folder and ``HOME``),
- the Python environment and the course package (read-only),
- the course data folder, if there is one (read-only),
- a private ``/tmp``, ``/proc`` and ``/dev``,

and nothing else: no ``solutions/``, no gradebook, no other student, no network.
It talks to the grader over Unix sockets in a private runtime folder
(ZeroMQ's ``ipc`` transport), because it has no network at all.

Limits per submission: each process's memory (``RLIMIT_DATA``) and the sum of
all its processes' resident memory (watched by the grader), the number of
processes and threads, the size of any file it writes. When the grader runs as
root, the kernel runs under a user id of its own, so the process limit counts
that submission alone, and every process it started can be found and killed.
The kernel runs in its own PID namespace: when the sandbox's first process
dies, the kernel and everything it started die with it.

Where bubblewrap cannot run (macOS, a container without user namespaces) the
kernel runs unsandboxed in a process group of its own, with the same limits
where the system has them; :func:`availability` says why.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: Read-only system folders the interpreter and its libraries need.
SYSTEM_PATHS = ("/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/fonts", "/etc/alternatives")
#: Debian-style merged /usr: these are symlinks into /usr.
MERGED_USR = {"/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64", "/lib32": "usr/lib32"}
#: Sandboxed kernels run as user ids from here up when the grader is root (one per grading process).
UID_BASE = 0x70000000

#: Applies resource limits, then runs the command (``python -I -S -c`` this, so it imports nothing else).
_APPLY_LIMITS = """
import json, os, resource, sys
for name, value in json.loads(sys.argv[1]).items():
    limit = getattr(resource, name, None)
    if limit is not None:
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass
os.execvp(sys.argv[3], sys.argv[3:])
"""


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use.

    Attributes:
        memory_mb: Memory of each process (``RLIMIT_DATA``), and of all its processes together.
        processes: Processes and threads it may run at once.
        file_mb: Size of the largest file it may write.
        disk_mb: What it may write into its folder altogether.
        files: How many files and folders it may have there.
        tmp_mb: Size of its private ``/tmp`` (and ``/dev/shm``).
    """

    memory_mb: int = 4096
    processes: int = 256
    file_mb: int = 1024
    disk_mb: int = 2048
    files: int = 10_000
    tmp_mb: int = 512


@cache
def availability() -> tuple[bool, str]:
    """Whether bubblewrap can sandbox a kernel here, and if not, why (one line)."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False, "bubblewrap (bwrap) is not installed; on Debian/Ubuntu: apt-get install bubblewrap"
    probe = [bwrap, *_namespace_arguments(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"bubblewrap does not run: {error}"
    if result.returncode != 0:
        return False, f"bubblewrap cannot create namespaces here: {result.stderr.strip().splitlines()[-1:] or result.returncode}"
    return True, "bubblewrap"


def _namespace_arguments() -> list[str]:
    base = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    return base if os.geteuid() == 0 else ["--unshare-user", *base]


def _parents(path: str) -> list[str]:
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _tasks_of(uid: int) -> int:
    """How many processes and threads ``uid`` runs now (what ``RLIMIT_NPROC`` counts)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


class KernelBox:
    """One submission's kernel: its scratch folder, runtime folder, process and limits.

    Use :meth:`start` to launch it (it returns the command's process) and
    :meth:`kill` to end it and everything it started.
    """

    def __init__(
        self,
        scratch: Path,
        runtime: Path,
        *,
        limits: Limits,
        sandboxed: bool,
        threads: int,
        data_dir: Path | None = None,
    ) -> None:
        self.scratch = Path(scratch)
        self.runtime = Path(runtime)
        self.limits = limits
        self.sandboxed = sandboxed
        self.threads = threads
        self.data_dir = Path(data_dir) if data_dir else None
        self.uid = UID_BASE + os.getpid() if sandboxed and os.geteuid() == 0 else None
        self.process: subprocess.Popen | None = None
        self.namespace: str | None = None
        self.log = self.runtime / "kernel.log"

    # -- the command ------------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """The kernel's whole environment (nothing is inherited from the grader)."""
        env = {
            "HOME": str(self.scratch),
            "USER": "student",
            "LOGNAME": "student",
            "LANG": "C.UTF-8",
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "PYTHONUNBUFFERED": "1",
            "IPYTHONDIR": "/tmp/ipython",
            "JUPYTER_CONFIG_DIR": "/tmp/jupyter/config",
            "JUPYTER_DATA_DIR": "/tmp/jupyter/data",
            "JUPYTER_RUNTIME_DIR": "/tmp/jupyter/runtime",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "XDG_CACHE_HOME": "/tmp/cache",
            "TORCH_HOME": "/tmp/torch",
            "CUDA_VISIBLE_DEVICES": "",
            "OMP_NUM_THREADS": str(self.threads),
            "MKL_NUM_THREADS": str(self.threads),
            "COURSE_THREADS": str(self.threads),
            "COURSE_GRADING": "1",
        }
        if not self.sandboxed:  # the private /tmp folders above do not exist: keep them in the runtime folder
            for key in ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR", "XDG_CACHE_HOME", "TORCH_HOME"):
                env[key] = str(self.runtime / "home" / Path(env[key]).name)
            env["TMPDIR"] = str(self.runtime / "tmp")
        if self.data_dir:
            env["COURSE_DATA_DIR"] = str(self.data_dir)
        return env

    def _rlimits(self) -> dict[str, int]:
        mib = 1 << 20
        processes = self.limits.processes
        if self.uid is None and os.name == "posix":  # the limit counts every process of this user
            processes += _tasks_of(os.getuid())
        return {
            "RLIMIT_DATA": self.limits.memory_mb * mib,
            "RLIMIT_NPROC": processes,
            "RLIMIT_FSIZE": self.limits.file_mb * mib,
            "RLIMIT_CORE": 0,
            "RLIMIT_NOFILE": 1024,
        }

    def _mounts(self) -> list[str]:
        import helpers  # the course package, wherever it is installed

        read_only = [p for p in SYSTEM_PATHS if os.path.exists(p)]
        read_only += [os.path.realpath(sys.base_prefix), sys.prefix, str(Path(helpers.__file__).resolve().parent)]
        if self.data_dir and self.data_dir.exists():
            read_only.append(str(self.data_dir.resolve()))
        read_only = sorted(set(read_only), key=len)
        read_only = [p for p in read_only if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in read_only)]
        writable = [str(self.scratch), str(self.runtime)]
        args: list[str] = []
        for link, target in MERGED_USR.items():
            if os.path.islink(link):
                args += ["--symlink", target, link]
            elif os.path.isdir(link):
                read_only.append(link)
        made: set[str] = {"/tmp", "/usr", "/proc", "/dev"}
        tmp = ["--perms", "01777", "--size", str(self.limits.tmp_mb << 20), "--tmpfs", "/tmp"]
        args += ["--proc", "/proc", "--dev", "/dev", *tmp]
        args += ["--perms", "01777", "--size", str(self.limits.tmp_mb << 20), "--tmpfs", "/dev/shm"]
        for path in read_only + writable:
            for parent in _parents(path):
                if parent not in made:
                    made.add(parent)
                    args += ["--perms", "0755", "--dir", parent]
        for path in read_only:
            args += ["--ro-bind", path, path]
        for path in writable:
            args += ["--bind", path, path]
        return args

    def command(self, kernel: list[str], info_fd: int | None = None) -> list[str]:
        """The full command line: limits, then the sandbox (or not), then ``kernel``."""
        limits = [sys.executable, "-I", "-S", "-c", _APPLY_LIMITS, json.dumps(self._rlimits()), "--"]
        if not self.sandboxed:
            return limits + kernel
        sandbox = ["bwrap", *_namespace_arguments(), "--hostname", "grader", *self._mounts(), "--chdir", str(self.scratch), "--clearenv"]
        for key, value in self.environment().items():
            sandbox += ["--setenv", key, value]
        if info_fd is not None:
            sandbox += ["--info-fd", str(info_fd)]
        drop = []
        if self.uid is not None:
            drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        return limits + sandbox + ["--"] + drop + kernel

    # -- running ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create the runtime folder and hand both folders to the kernel's user."""
        self.runtime.mkdir(parents=True, exist_ok=True)
        if not self.sandboxed:
            for name in ("home", "tmp"):
                (self.runtime / name).mkdir(exist_ok=True)
        if self.uid is not None:
            for folder in (self.scratch, self.runtime):
                for path in [folder, *folder.rglob("*")]:
                    os.lchown(path, self.uid, self.uid)

    def start(self, kernel: list[str]) -> subprocess.Popen:
        """Launch ``kernel`` (an argv) in the box; its output goes to ``runtime/kernel.log``."""
        self.prepare()
        read_end, write_end = os.pipe() if self.sandboxed else (None, None)
        log = open(self.log, "ab")
        try:
            self.process = subprocess.Popen(
                self.command(kernel, write_end),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.scratch,
                env=self.environment(),
                start_new_session=True,
                pass_fds=(write_end,) if write_end is not None else (),
            )
        finally:
            log.close()
            if write_end is not None:
                os.close(write_end)
        if read_end is not None:
            self.namespace = self._read_namespace(read_end)
        return self.process

    def _read_namespace(self, read_end: int) -> str | None:
        """The sandbox's PID namespace, from bubblewrap's ``--info-fd`` report."""
        with os.fdopen(read_end, "rb") as info:
            raw = info.read()
        try:
            child = json.loads(raw.decode() or "{}").get("child-pid")
            return os.readlink(f"/proc/{child}/ns/pid") if child else None
        except (ValueError, OSError):
            return None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def processes(self) -> list[int]:
        """Process ids of everything the kernel started that is still running."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                if "\nState:\tZ" in (entry / "status").read_text():
                    continue  # a zombie runs nothing; its parent reaps it
                if self.uid is not None:
                    if entry.stat().st_uid == self.uid:
                        found.append(pid)
                elif self.namespace is not None:
                    if pid != self.process.pid and os.readlink(entry / "ns" / "pid") == self.namespace:
                        found.append(pid)
                elif self.process is not None and os.getsid(pid) == self.process.pid:
                    found.append(pid)
            except (OSError, ValueError):
                continue
        return found

    def memory_bytes(self) -> int:
        """Resident memory of all its processes together."""
        total = 0
        for pid in self.processes():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except (OSError, ValueError):
                continue
        return total

    def disk_exceeded(self) -> bool:
        """Whether its folder holds more than the limits allow (bytes or entries); links are not followed."""
        budget, entries = self.limits.disk_mb << 20, self.limits.files
        used, seen = 0, 0
        stack = [str(self.scratch)]
        while stack:
            try:
                with os.scandir(stack.pop()) as listing:
                    for entry in listing:
                        seen += 1
                        if seen > entries:
                            return True
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            used += entry.stat(follow_symlinks=False).st_blocks * 512
                            if used > budget:
                                return True
            except OSError:
                continue
        return False

    def kill(self) -> list[int]:
        """End the kernel and everything it started.

        Returns:
            Process ids that were still running after the sandbox ended and had to be killed
            one by one (empty when the sandbox took everything with it, as it should).
        """
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        leftovers = []
        settle = time.monotonic() + 2.0  # the namespace takes its processes with it, not always instantly
        while self.processes() and time.monotonic() < settle:
            time.sleep(0.05)
        for _ in range(20):
            remaining = self.processes()
            if not remaining:
                break
            for pid in remaining:
                try:
                    os.kill(pid, signal.SIGKILL)
                    leftovers.append(pid)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.05)
        return sorted(set(leftovers))
