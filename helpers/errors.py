"""Show a deliberate mistake's real error message without stopping "Run all"."""

from types import TracebackType

NO_ERROR_MESSAGE = "No error was raised"


class show_error:  # noqa: N801 - used like contextlib.suppress
    """Context manager that runs a deliberate mistake and prints its error.

    Teaching notebooks demonstrate the classic shape, dtype and device errors.
    Inside ``with show_error(...)`` the expected exception is caught and its
    message printed, so the learner reads PyTorch's own words and "Run all"
    carries on. Any *other* exception is a real bug and propagates.

    Example:
        >>> import torch
        >>> with show_error(RuntimeError):
        ...     torch.ones(3, 2) @ torch.ones(3, 2)
        RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)

    Args:
        *expected: Exception types to catch (default: any ``Exception``).
        hint: Optional one-line fix printed under the message.

    Attributes:
        exception: The caught exception, or ``None`` if nothing was raised.
    """

    def __init__(self, *expected: type[BaseException], hint: str | None = None) -> None:
        self.expected = expected or (Exception,)
        self.hint = hint
        self.exception: BaseException | None = None

    def __enter__(self) -> "show_error":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if exc_type is None:
            names = ", ".join(e.__name__ for e in self.expected)
            print(f"{NO_ERROR_MESSAGE} (expected {names}): this PyTorch version accepts the code.")
            return False
        if not issubclass(exc_type, self.expected):
            return False
        self.exception = exc
        print(f"{exc_type.__name__}: {exc}")
        if self.hint:
            print(f"Fix: {self.hint}")
        return True
