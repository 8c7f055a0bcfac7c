"""Run a graded notebook cell by cell in a sandboxed kernel, trusting only what the kernel cannot fake easily.

For every code cell the grader sends the code, collects the outputs (capped)
and the kernel's own ``execute_reply``, then asks the kernel's guard
(``helpers/course/guard.py``) what differs from the baseline taken before any
student code ran. Test cells run through the guard, which records that the
test reached its end.

Time: each cell has a timeout, and the whole notebook a budget. A cell that
runs past its time is interrupted; a kernel that ignores the interrupt, dies
(``os._exit``, a crash, the memory limit) or exceeds the memory limit is killed
and restarted, the read-only cells before that point are run again, and
grading goes on with the next cell: exercises stand alone, so one broken cell
costs one exercise. When the budget runs out, the remaining cells are not run.
"""

import ast
import json
import queue
import secrets
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.course.sandbox import KernelBox, Limits
from helpers.course.scan import bound_names

#: Output kept per cell; the rest is replaced by a notice.
MAX_STREAM_CHARS = 100_000
MAX_OUTPUTS_PER_CELL = 50
MAX_DISPLAY_BYTES = 2_000_000
MAX_TRACEBACK_LINES = 200
#: How long an interrupted cell may take to stop before its kernel is killed.
INTERRUPT_GRACE = 5.0
#: How often a kernel may be restarted in one notebook.
MAX_RESTARTS = 5
#: Seconds for a fresh kernel to answer.
START_TIMEOUT = 90.0
#: Seconds for the guard's check after a cell.
CHECK_TIMEOUT = 30.0
#: The line the kernel runs at start-up, before anything else.
STARTUP = "__import__('helpers.course.guard', fromlist=['install']).install()"

LOCKED, ANSWER, TEST, EXTRA = "locked", "answer", "test", "extra"


@dataclass
class PlannedCell:
    """A code cell to run.

    Attributes:
        index: Its position in the graded notebook.
        kind: ``locked`` (read-only), ``answer``, ``test`` or ``extra`` (a cell the student added).
        code: What runs: for locked and test cells the instructor's source, else the student's.
        grade_id: The nbgrader grade id (``None`` for extra cells).
    """

    index: int
    kind: str
    code: str
    grade_id: str | None = None


@dataclass
class CellRun:
    """What happened when one cell ran.

    Attributes:
        cell: The planned cell.
        reply: The kernel's reply status: ``ok``, ``error``, ``aborted``; or ``timeout``,
            ``died``, ``memory``, ``disk``, ``not run`` when the grader ended it or never sent it.
        outputs: nbformat outputs, capped.
        seconds: Wall-clock time.
        completed: For a test cell: the guard saw it run to its end.
        changes: What differed from the baseline after this cell.
        threads: Threads the student's code left running.
        note: What the grader had to do (interrupt, restart, ...), for the report.
        execution_count: The kernel's execution count for the cell.
    """

    cell: PlannedCell
    reply: str
    outputs: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    completed: bool = False
    changes: list[str] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)
    note: str = ""
    execution_count: int | None = None

    @property
    def error_shown(self) -> bool:
        return any(o.get("output_type") == "error" for o in self.outputs)


@dataclass
class Execution:
    """A whole notebook's run."""

    cells: list[CellRun]
    seconds: float
    restarts: int = 0
    budget_exhausted: bool = False
    notes: list[str] = field(default_factory=list)
    leftover_processes: list[int] = field(default_factory=list)


def _names_bound(code: str) -> list[str]:
    return sorted(bound_names([code]))


class _Capped:
    """Collects one cell's outputs within the caps."""

    def __init__(self) -> None:
        self.outputs: list[dict] = []
        self.cut_chars = 0
        self.cut_outputs = 0

    def add(self, msg_type: str, content: dict) -> None:
        if msg_type == "stream":
            self._stream(content["name"], content.get("text", ""))
            return
        if msg_type == "clear_output":
            self.outputs = []
            return
        if len(self.outputs) >= MAX_OUTPUTS_PER_CELL:
            self.cut_outputs += 1
            return
        if msg_type in ("display_data", "execute_result"):
            data = content.get("data", {})
            size = sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())
            if size > MAX_DISPLAY_BYTES:
                self._stream("stdout", f"[a display of {size:,} bytes was left out]\n")
                return
            output = {"output_type": msg_type, "data": data, "metadata": content.get("metadata", {})}
            if msg_type == "execute_result":
                output["execution_count"] = content.get("execution_count")
            self.outputs.append(output)
        elif msg_type == "error":
            traceback = content.get("traceback", [])[-MAX_TRACEBACK_LINES:]
            self.outputs.append({"output_type": "error", "ename": content.get("ename", ""),
                                 "evalue": str(content.get("evalue", ""))[:MAX_STREAM_CHARS], "traceback": traceback})

    def _stream(self, name: str, text: str) -> None:
        used = sum(len(o["text"]) for o in self.outputs if o["output_type"] == "stream")
        room = max(0, MAX_STREAM_CHARS - used)
        if len(text) > room:
            self.cut_chars += len(text) - room
            text = text[:room]
        if not text:
            return
        last = self.outputs[-1] if self.outputs else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text
        elif len(self.outputs) < MAX_OUTPUTS_PER_CELL:
            self.outputs.append({"output_type": "stream", "name": name, "text": text})
        else:
            self.cut_outputs += 1

    def finish(self) -> list[dict]:
        if self.cut_chars or self.cut_outputs:
            parts = []
            if self.cut_chars:
                parts.append(f"{self.cut_chars:,} characters")
            if self.cut_outputs:
                parts.append(f"{self.cut_outputs:,} outputs")
            self.outputs.append({"output_type": "stream", "name": "stdout",
                                 "text": f"\n[output cut by the grader: {' and '.join(parts)} more]\n"})
        return self.outputs


class GradingKernel:
    """A kernel in a :class:`KernelBox`, driven message by message."""

    def __init__(self, box: KernelBox, memory_limit: int) -> None:
        self.box = box
        self.memory_limit = memory_limit
        self.client = None

    def start(self) -> None:
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        self.box.runtime.mkdir(parents=True, exist_ok=True)
        connection = self.box.runtime / f"kernel-{secrets.token_hex(4)}.json"
        write_connection_file(str(connection), transport="ipc", ip=str(self.box.runtime / "k"))
        kernel = [
            sys.executable, "-P", "-m", "ipykernel_launcher", "-f", str(connection),
            "--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR",
            f"--IPKernelApp.exec_lines={STARTUP}",
        ]
        self.box.start(kernel)
        client = BlockingKernelClient(connection_file=str(connection))
        client.load_connection_file()
        client.start_channels()
        self.client = client
        deadline = time.monotonic() + START_TIMEOUT
        client.kernel_info()
        asked = time.monotonic()
        while True:
            try:
                if client.get_shell_msg(timeout=0.2)["msg_type"] == "kernel_info_reply":
                    break
            except queue.Empty:
                pass
            if time.monotonic() - asked > 2.0:  # requests sent before the kernel listened can be lost
                client.kernel_info()
                asked = time.monotonic()
            if not self.box.alive() or time.monotonic() > deadline:
                log = self.box.log.read_text(errors="replace")[-2000:] if self.box.log.exists() else ""
                self.stop()
                raise RuntimeError(f"the grading kernel did not start:\n{log}")
        # Drain the start-up's iopub traffic.
        while True:
            try:
                client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                break

    def stop(self) -> list[int]:
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        return self.box.kill()

    def execute(
        self, code: str, timeout: float, *, silent: bool = False, history: bool = True, user_expressions: dict | None = None
    ) -> tuple[str, _Capped, dict]:
        """Send ``code``; return (reply status or ``timeout``/``died``/``memory``, outputs, reply content).

        On ``timeout`` the reply content holds the request's ``msg_id``, for :meth:`interrupt`.
        """
        client = self.client
        msg_id = client.execute(code, silent=silent, store_history=history and not silent, allow_stdin=False,
                                stop_on_error=False, user_expressions=user_expressions or {})
        outputs = _Capped()
        deadline = time.monotonic() + timeout
        reply: dict | None = None
        idle = False
        next_memory_check = next_disk_check = 0.0
        while reply is None or not idle:
            now = time.monotonic()
            if now > deadline:
                return "timeout", outputs, {"msg_id": msg_id}
            if now >= next_memory_check:
                next_memory_check = now + 0.5
                if not self.box.alive():
                    return "died", outputs, {}
                if self.box.memory_bytes() > self.memory_limit:
                    return "memory", outputs, {}
                if now >= next_disk_check:
                    next_disk_check = now + 2.0
                    if self.box.disk_exceeded():
                        return "disk", outputs, {}
            try:
                msg = client.get_iopub_msg(timeout=0.05)
                if msg["parent_header"].get("msg_id") == msg_id:
                    if msg["msg_type"] == "status":
                        idle = idle or msg["content"].get("execution_state") == "idle"
                    elif not silent:
                        outputs.add(msg["msg_type"], msg["content"])
            except queue.Empty:
                pass
            if reply is None:
                try:
                    shell = client.get_shell_msg(timeout=0)
                    if shell["parent_header"].get("msg_id") == msg_id:
                        reply = shell["content"]
                except queue.Empty:
                    pass
        return reply.get("status", "error"), outputs, reply

    def interrupt(self, msg_id: str) -> bool:
        """Ask the kernel to stop the cell ``msg_id``; whether it did within the grace time."""
        self.client.control_channel.send(self.client.session.msg("interrupt_request", {}))
        deadline = time.monotonic() + INTERRUPT_GRACE
        while time.monotonic() < deadline and self.box.alive():
            try:
                msg = self.client.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                    and msg["content"].get("execution_state") == "idle":
                return True
        return False

    def check(self, kind: str, names: list[str]) -> dict | None:
        """The guard's report after a cell (``None`` if the guard did not answer properly)."""
        expression = f"__course_guard__.after_cell({kind!r}, {names!r})"
        try:
            status, _, reply = self.execute("", CHECK_TIMEOUT, silent=True, user_expressions={"report": expression})
        except Exception:
            return None
        if status != "ok":
            return None
        found = reply.get("user_expressions", {}).get("report", {})
        if found.get("status") != "ok":
            return None
        try:
            return json.loads(ast.literal_eval(found["data"]["text/plain"]))
        except (KeyError, ValueError, SyntaxError, TypeError):
            return None


def _empty(folder: Path) -> None:
    """Remove what a kernel wrote into its folder (links are removed, never followed)."""
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _test_code(cell: PlannedCell, nonce: str) -> str:
    return f"__course_guard__.run_test({cell.code!r}, {cell.grade_id!r}, {nonce!r})"


def execute(
    plan: list[PlannedCell],
    scratch: Path,
    runtime: Path,
    *,
    limits: Limits,
    sandboxed: bool,
    threads: int,
    budget: float,
    cell_timeouts: dict[int, float] | None = None,
    default_cell_timeout: float = 600.0,
    data_dir: Path | None = None,
) -> Execution:
    """Run ``plan`` in a fresh sandboxed kernel.

    Args:
        plan: The notebook's code cells in the order they run.
        scratch: The submission's private copy: the kernel's working folder.
        runtime: A private folder for the kernel's sockets and log.
        limits: Memory, processes, file size.
        sandboxed: Use bubblewrap (see :func:`helpers.course.sandbox.availability`).
        threads: Torch / OpenMP threads for the kernel.
        budget: Seconds for the whole notebook, kernel start included.
        cell_timeouts: Seconds per cell index (default: ``default_cell_timeout``), never past the budget.
        default_cell_timeout: Seconds for cells without their own timeout.
        data_dir: The course data folder, shown read-only.
    """
    started = time.monotonic()
    deadline = started + budget
    box = KernelBox(scratch, runtime, limits=limits, sandboxed=sandboxed, threads=threads, data_dir=data_dir)
    kernel = GradingKernel(box, limits.memory_mb << 20)
    runs: list[CellRun] = []
    notes: list[str] = []
    restarts = 0
    leftovers: list[int] = []
    exhausted = False

    def restart(position: int) -> bool:
        """A fresh kernel, with the read-only cells before ``position`` run again."""
        nonlocal restarts, leftovers
        leftovers += kernel.stop()
        restarts += 1
        if restarts > MAX_RESTARTS:
            notes.append(f"the kernel was restarted {MAX_RESTARTS} times; the rest of the notebook was not run")
            return False
        try:
            kernel.start()
            if kernel.check("start", []) is None:
                raise RuntimeError("the grader's guard did not start in the kernel")
            for earlier in plan[:position]:
                if earlier.kind == LOCKED:
                    left = deadline - time.monotonic()
                    status, _, _ = kernel.execute(earlier.code, max(left, 0.1))
                    if status in ("timeout", "died", "memory", "disk"):
                        raise RuntimeError(f"read-only cell {earlier.grade_id} did not run again ({status})")
                    kernel.check(LOCKED, _names_bound(earlier.code))
        except RuntimeError as error:
            notes.append(f"the kernel could not be restarted: {str(error).splitlines()[0]}")
            return False
        return True

    try:
        kernel.start()
        if kernel.check("start", []) is None:
            raise RuntimeError("the grader's guard did not start in the kernel")
        alive = True
        for position, cell in enumerate(plan):
            now = time.monotonic()
            if not alive or now >= deadline:
                exhausted = exhausted or now >= deadline
                reason = (f"not run: the notebook's time budget of {budget:.0f} s ran out" if now >= deadline
                          else "not run: the kernel could not be restarted")
                runs.append(CellRun(cell, "not run", note=reason))
                continue
            timeout = min((cell_timeouts or {}).get(cell.index, default_cell_timeout), deadline - now)
            nonce = secrets.token_hex(8)
            code = _test_code(cell, nonce) if cell.kind == TEST else cell.code
            # A test's code (and its nonce) stays out of the kernel's history, where student code could read it.
            status, outputs, reply = kernel.execute(code, timeout, history=cell.kind != TEST)
            run = CellRun(cell, status, seconds=time.monotonic() - now, execution_count=reply.get("execution_count"))
            if status == "timeout":
                stopped = kernel.interrupt(reply["msg_id"])
                run.note = f"stopped after {timeout:.0f} s (time limit)"
                if not stopped and time.monotonic() < deadline:
                    run.note += "; the kernel ignored the interrupt and was restarted"
                    alive = restart(position + 1)
                elif not stopped:
                    run.note += "; the kernel ignored the interrupt, and the budget is spent"
                    alive = False
            elif status in ("died", "memory", "disk") and time.monotonic() >= deadline:
                run.note = f"the kernel stopped ({status}) as the budget ran out"
                alive = False
            elif status in ("died", "memory", "disk"):
                run.note = {
                    "died": "the kernel died while running this cell",
                    "memory": f"killed: used more than {limits.memory_mb} MB of memory",
                    "disk": f"killed: wrote more than {limits.disk_mb} MB or {limits.files:,} files into its folder",
                }[status] + "; restarted"
                if status == "disk":
                    _empty(scratch)
                alive = restart(position + 1)
            run.outputs = outputs.finish()
            if run.note:
                run.outputs.append({"output_type": "stream", "name": "stderr", "text": f"[grader: {run.note}]\n"})
            if alive and status not in ("died", "memory", "disk") and not (status == "timeout" and not stopped):
                report = kernel.check(cell.kind, _names_bound(cell.code) if cell.kind == LOCKED else [])
                if report is None:
                    run.changes = ["the grader's integrity check did not answer"]
                else:
                    run.changes = report["changes"]
                    run.threads = report["threads"]
                    run.completed = nonce in report["completed"]
            runs.append(run)
    except RuntimeError as error:
        notes.append(str(error).splitlines()[0])
        done = {r.cell.index for r in runs}
        runs += [CellRun(c, "not run", note="not run: the kernel did not start") for c in plan if c.index not in done]
    finally:
        leftovers += kernel.stop()
    if leftovers:
        notes.append(f"{len(leftovers)} process(es) outlived the sandbox and were killed")
    return Execution(runs, time.monotonic() - started, restarts, exhausted, notes, leftovers)
