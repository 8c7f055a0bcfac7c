"""Wall-clock timing that is honest about GPUs."""

import time
from types import TracebackType

import torch


class Timer:
    """Time a block of code with ``time.perf_counter``.

    GPU work is queued and runs asynchronously, so when ``device`` is a CUDA
    device the timer waits for the GPU to finish before reading the clock.

    Example:
        >>> with Timer("matmul") as t:
        ...     _ = torch.rand(100, 100) @ torch.rand(100, 100)
        >>> t.seconds > 0
        True

    Args:
        label: Printed with the result; nothing is printed when ``None``.
        device: The device whose work should be included in the timing.
    """

    def __init__(self, label: str | None = None, device: str | torch.device = "cpu") -> None:
        self.label = label
        self.device = torch.device(device)
        self.seconds: float = float("nan")
        self._start = 0.0

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def __enter__(self) -> "Timer":
        self._sync()
        self._start = time.perf_counter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._sync()
        self.seconds = time.perf_counter() - self._start
        if self.label is not None and exc_type is None:
            print(f"{self.label}: {format_seconds(self.seconds)}")


def format_seconds(seconds: float) -> str:
    """Format a duration with a unit that keeps it readable (µs, ms or s)."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"
