"""Student-facing checks for exercises.

Every check either returns ``None`` quietly or raises :class:`CheckError` with
a message in the same three parts: what is wrong, the expected and the actual
value side by side, and a hint with the usual fix. For example::

    random_tensor has the wrong shape.
      expected: (7, 7)
      got:      (7, 1)
    Hint: the sizes you pass to torch.rand(...) become the shape.

``CheckError`` is an ``AssertionError``, so nbgrader marks a failing test
cell as failed and pytest reports it as a normal assertion.
"""

import copy
import math
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import torch

ShapeLike = Sequence[int] | torch.Size


class CheckError(AssertionError):
    """A check failed; the message says what was expected and what was found.

    In Jupyter and Colab a failed check shows just ``CheckError: <message>``,
    not the traceback through the checking code; :func:`show_traceback` prints
    the whole traceback of the last error.
    """

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this error (it calls this instead of formatting a traceback)."""
        return [
            f"\x1b[0;31mCheckError\x1b[0m: {self}",
            "\x1b[2m(the full traceback: import helpers; helpers.show_traceback())\x1b[0m",
        ]


def show_traceback() -> None:
    """Print the full traceback of the last error in this kernel (a failed check shows only its message)."""
    error = getattr(sys, "last_value", None) or getattr(sys, "last_exc", None)
    if error is None:
        print("No error has been raised in this session yet.")
        return
    traceback.print_exception(error, file=sys.stdout)


def fail(problem: str, expected: Any, got: Any, hint: str | None = None) -> NoReturn:
    """Raise a :class:`CheckError` in the course's standard format.

    Args:
        problem: One sentence naming the value and what is wrong with it.
        expected: What the check wanted (shown after ``expected:``).
        got: What it found (shown after ``got:``).
        hint: The usual fix, shown last.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    lines = [problem, f"  expected: {expected}", f"  got:      {got}"]
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckError("\n".join(lines))


def _type_name(value: Any) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def check_tensor(value: Any, *, name: str = "value") -> None:
    """Check that ``value`` is a ``torch.Tensor``.

    Args:
        value: The object to check.
        name: How the value is called in the exercise (used in the message).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if isinstance(value, torch.Tensor):
        return
    if value is None:
        hint = "did the function or cell forget to `return` (or assign) the result?"
    elif isinstance(value, np.ndarray):
        hint = "convert a NumPy array with torch.from_numpy(array) or torch.tensor(array)."
    elif isinstance(value, list | tuple | int | float):
        hint = "wrap Python numbers or lists with torch.tensor(...)."
    else:
        hint = "build it with a torch function such as torch.tensor, torch.rand or torch.arange."
    fail(f"{name} is not a PyTorch tensor.", "torch.Tensor", _type_name(value), hint)


_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def check_tensors_returned(result: Any, labels: Sequence[str], *, name: str, hint: str) -> dict[str, torch.Tensor]:
    """Check that a function returned one tensor per label, as a tuple or list, and give them by label.

    Args:
        result: What the function returned.
        labels: The names of the tensors it should return, in order (e.g. ``X_train``, ``y_train``).
        name: How the call is called in the message.
        hint: What to return instead, when the count or the type is wrong.

    Returns:
        ``{label: tensor}``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if not (isinstance(result, tuple | list) and len(result) == len(labels)):
        fail(
            f"{name} should return {_COUNT_WORDS.get(len(labels), len(labels))} tensors.",
            ", ".join(labels),
            f"{type(result).__name__}" + (f" of length {len(result)}" if isinstance(result, tuple | list) else ""),
            hint,
        )
    parts = dict(zip(labels, result))
    for label, value in parts.items():
        check_tensor(value, name=f"{label} from {name}")
    return parts


def _shape_text(shape: ShapeLike) -> str:
    return str(tuple(int(s) for s in shape))


def _shape_hint(expected: tuple[int, ...], got: tuple[int, ...]) -> str:
    if len(expected) == len(got) == 2 and got == expected[::-1]:
        return "it looks transposed: use .T (or swap the operands of the matrix multiplication)."
    if math.prod(expected) == math.prod(got):
        if tuple(s for s in got if s != 1) == tuple(s for s in expected if s != 1):
            return "only dimensions of size 1 differ: use .squeeze() or .unsqueeze(dim)."
        return "same number of elements, different layout: use .reshape(...) or .permute(...)."
    return (
        "check the sizes you created it with. For A @ B the inner sizes must match and the "
        "result takes the outer ones: (n, k) @ (k, m) -> (n, m)."
    )


def check_shape(tensor: Any, expected: ShapeLike, *, name: str = "tensor", hint: str | None = None) -> None:
    """Check a tensor's shape.

    Args:
        tensor: The tensor to check.
        expected: The wanted shape, e.g. ``(7, 1)``.
        name: How the tensor is called in the exercise.
        hint: Replaces the automatic hint (transposed / squeeze / reshape).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_tensor(tensor, name=name)
    want = tuple(int(s) for s in expected)
    got = tuple(tensor.shape)
    if got != want:
        fail(f"{name} has the wrong shape.", _shape_text(want), _shape_text(got), hint or _shape_hint(want, got))


_DTYPE_HINTS = {
    (torch.float32, torch.float64): "NumPy gives float64 by default: convert with .float() or .to(torch.float32).",
    (torch.float32, torch.int64): "integers make an int64 tensor: use .float(), or create it from floats (1.0, not 1).",
    (torch.int64, torch.float32): "class labels must be integers: convert with .long().",
}


def check_dtype(tensor: Any, expected: torch.dtype, *, name: str = "tensor", hint: str | None = None) -> None:
    """Check a tensor's dtype.

    Args:
        tensor: The tensor to check.
        expected: The wanted dtype, e.g. ``torch.float32``.
        name: How the tensor is called in the exercise.
        hint: Replaces the automatic hint.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_tensor(tensor, name=name)
    if tensor.dtype != expected:
        auto = _DTYPE_HINTS.get((expected, tensor.dtype), f"convert it with .to({expected}).")
        fail(f"{name} has the wrong dtype.", expected, tensor.dtype, hint or auto)


def check_device(
    tensor: Any, expected: str | torch.device, *, name: str = "tensor", hint: str | None = None
) -> None:
    """Check which device a tensor lives on.

    Only the device *type* is compared unless ``expected`` names an index,
    so ``"cuda"`` accepts ``cuda:0``.

    Args:
        tensor: The tensor (or model parameter) to check.
        expected: The wanted device, e.g. ``device`` or ``"cpu"``.
        name: How the tensor is called in the exercise.
        hint: Replaces the automatic hint.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_tensor(tensor, name=name)
    want = torch.device(expected)
    got = tensor.device
    same = got.type == want.type and (want.index is None or got.index == want.index)
    if not same:
        auto = f"move it with .to({str(want)!r}) (or .to(device)); call .cpu() before .numpy() or plotting."
        fail(f"{name} is on the wrong device.", want, got, hint or auto)


def _as_tensor(value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach()
    return torch.as_tensor(np.asarray(value))


def _preview(tensor: torch.Tensor, limit: int = 6) -> str:
    flat = tensor.flatten()
    items = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in flat[:limit].tolist())
    more = ", ..." if flat.numel() > limit else ""
    return f"[{items}{more}]" if tensor.ndim else items


def check_close(
    actual: Any,
    expected: Any,
    *,
    name: str = "value",
    rtol: float = 1e-4,
    atol: float = 1e-5,
    hint: str | None = None,
    mistakes: Sequence[tuple[Any, str]] = (),
) -> None:
    """Check that values match within a tolerance (like ``torch.allclose``).

    Shapes must match exactly first; then the message shows the largest
    difference and where it is. When the values are those of a classic
    mistake, the hint names that mistake.

    Args:
        actual: A tensor, array or number.
        expected: What it should equal.
        name: How the value is called in the exercise.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        hint: Added when the values differ.
        mistakes: Classic wrong answers as ``(values, hint)``: when ``actual`` matches ``values`` (within the
            same tolerance), that hint is shown instead of ``hint``; the first match wins.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if actual is None:
        check_tensor(actual, name=name)
    got = _as_tensor(actual)
    want = _as_tensor(expected)
    if got.shape != want.shape:
        check_shape(got, want.shape, name=name)
    got_cpu = got.cpu().double()
    want_cpu = want.cpu().double()
    if torch.allclose(got_cpu, want_cpu, rtol=rtol, atol=atol, equal_nan=True):
        return
    for values, mistake_hint in mistakes:
        wrong = _as_tensor(values).cpu().double()
        if wrong.shape == got_cpu.shape and torch.allclose(got_cpu, wrong, rtol=rtol, atol=atol, equal_nan=True):
            hint = mistake_hint
            break
    diff = (got_cpu - want_cpu).abs().nan_to_num(nan=math.inf)
    worst = int(diff.flatten().argmax())
    index = tuple(int(i) for i in np.unravel_index(worst, tuple(got.shape)))
    where = f" at index {index}" if got.ndim else ""
    fail(
        f"{name} has the wrong values (largest difference {diff.flatten()[worst].item():.4g}{where}).",
        _preview(want),
        _preview(got),
        hint,
    )


def check_equal(actual: Any, expected: Any, *, name: str = "value", hint: str | None = None) -> None:
    """Check exact equality of numbers, strings, booleans or integer tensors.

    Args:
        actual: What the student produced.
        expected: What it should equal.
        name: How the value is called in the exercise.
        hint: Added when they differ.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if isinstance(actual, torch.Tensor) or isinstance(expected, torch.Tensor):
        got, want = _as_tensor(actual), _as_tensor(expected)
        if got.shape != want.shape:
            check_shape(got, want.shape, name=name)
        if not torch.equal(got.cpu(), want.cpu().to(got.dtype)):
            fail(f"{name} has the wrong values.", _preview(want), _preview(got), hint)
        return
    if actual != expected:
        fail(f"{name} is not what was expected.", repr(expected), repr(actual), hint)


def check_range(
    tensor: Any,
    low: float,
    high: float,
    *,
    name: str = "tensor",
    include_high: bool = False,
    hint: str | None = None,
) -> None:
    """Check that every element lies in ``[low, high)`` (or ``[low, high]``).

    Args:
        tensor: The tensor to check.
        low: Smallest allowed value (inclusive).
        high: Upper limit, exclusive unless ``include_high``.
        name: How the tensor is called in the exercise.
        include_high: Whether ``high`` itself is allowed.
        hint: Replaces the automatic hint.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_tensor(tensor, name=name)
    values = tensor.detach().cpu().double()
    lo, hi = values.min().item(), values.max().item()
    above = hi > high if include_high else hi >= high
    if lo < low or above:
        bracket = "]" if include_high else ")"
        auto = "torch.rand gives values in [0, 1); torch.randn is unbounded (normal distribution)."
        fail(f"{name} has values outside the allowed range.", f"[{low}, {high}{bracket}", f"min {lo:.4g}, max {hi:.4g}", hint or auto)


def check_accuracy(accuracy: Any, threshold: float, *, name: str = "accuracy", hint: str | None = None) -> None:
    """Check that an accuracy (a fraction between 0 and 1) reaches a threshold.

    Args:
        accuracy: The measured accuracy as a fraction, e.g. ``0.97``.
        threshold: The smallest fraction that passes.
        name: What was measured, e.g. ``"test accuracy"``.
        hint: Replaces the automatic hint.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    value = float(_as_tensor(accuracy).item())
    if value > 1.0:
        fail(f"{name} should be a fraction between 0 and 1.", "a value in [0, 1]", value, "divide a percentage by 100.")
    if value < threshold:
        auto = "train longer, tune the learning rate, and make sure you evaluate in model.eval() mode."
        fail(f"{name} is below the target.", f">= {threshold:.2%}", f"{value:.2%}", hint or auto)


def check_true(condition: Any, problem: str, *, expected: Any = True, got: Any = False, hint: str | None = None) -> None:
    """Check any condition that the specific checks do not cover.

    Args:
        condition: Passes when truthy.
        problem: The sentence shown when it fails.
        expected: Shown after ``expected:``.
        got: Shown after ``got:``.
        hint: The usual fix.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if not condition:
        fail(problem, expected, got, hint)


@dataclass(frozen=True)
class Mistake:
    """A classic mistake, recognised by the error message PyTorch gives for it.

    Attributes:
        pattern: A regular expression that matches PyTorch's message.
        name: What the learner did, in a few words.
        fix: The usual fix.
    """

    pattern: str
    name: str
    fix: str


#: Error messages of the classic classification mistakes, newest PyTorch wording first.
KNOWN_MISTAKES = (
    Mistake(
        r"expected target dtype to be Long|expected scalar type Long but found Float",
        "float labels given to CrossEntropyLoss",
        "CrossEntropyLoss wants class indices of dtype torch.long, shape (n,): use y.long(), not y.float() or one-hot rows.",
    ),
    Mistake(
        r"Target size \(torch\.Size\(\[(\d+)\]\)\) must be the same as input size \(torch\.Size\(\[\1, 1\]\)\)",
        "unsqueezed logits: (n, 1) logits against (n,) labels",
        "a binary model outputs shape (n, 1); squeeze it to (n,) before the loss: loss_fn(model(X).squeeze(1), y).",
    ),
    Mistake(
        r"Target size \(torch\.Size\(\[(\d+), 1\]\)\) must be the same as input size \(torch\.Size\(\[\1\]\)\)",
        "(n, 1) labels against (n,) logits",
        "make the labels and the logits the same shape, e.g. both (n,): y.squeeze(1), or keep the logits (n, 1).",
    ),
    Mistake(
        r"result type Float can't be cast to the desired output type Long",
        "integer labels given to BCEWithLogitsLoss",
        "BCEWithLogitsLoss wants float labels (0.0 or 1.0): use y.float().",
    ),
    Mistake(
        r"all elements of input should be between 0 and 1",
        "logits given to BCELoss",
        "BCELoss wants probabilities; give the raw logits to nn.BCEWithLogitsLoss instead (it applies the sigmoid itself, stably).",
    ),
    Mistake(
        r"Expected floating point type for target with class probabilities, got Long",
        "one logit per sample given to CrossEntropyLoss",
        "a multiclass model needs one output per class: logits of shape (n, k), not (n,) or a squeezed (n, 1).",
    ),
    Mistake(
        r"0D or 1D target tensor expected, multi-target not supported",
        "labels of shape (n, 1) or one-hot rows given to CrossEntropyLoss",
        "give CrossEntropyLoss class indices of shape (n,): y.squeeze(1), or y.argmax(dim=1) for one-hot rows.",
    ),
    Mistake(
        r"Target -?\d+ is out of bounds",
        "a label that has no output",
        "the last layer needs one output per class: out_features = number of classes (labels 0 .. k-1).",
    ),
    Mistake(
        r"mat1 and mat2 shapes cannot be multiplied",
        "a layer's in_features does not match its input",
        "the first layer's in_features must equal the number of input features (X.shape[1]), and each layer's "
        "in_features the previous layer's out_features.",
    ),
    Mistake(
        r"Expected all tensors to be on the same device",
        "tensors on different devices",
        "move the data to the model's device: X.to(next(model.parameters()).device).",
    ),
)


def diagnose(error: BaseException, mistakes: Sequence[Mistake] = KNOWN_MISTAKES) -> Mistake | None:
    """The classic mistake behind ``error`` (the first of ``mistakes`` that matches), or ``None``."""
    message = str(error)
    return next((m for m in mistakes if re.search(m.pattern, message)), None)


@contextmanager
def named_mistakes(what: str, mistakes: Sequence[Mistake] = KNOWN_MISTAKES) -> Iterator[None]:
    """Turn a classic mistake's PyTorch error into a :class:`CheckError` that names it.

    Errors that are not a known mistake pass through unchanged.

    Example:
        >>> with named_mistakes("train_classifier(X_train, y_train)"):
        ...     nn.CrossEntropyLoss()(torch.randn(4, 3), torch.tensor([0.0, 1.0, 2.0, 1.0]))
        Traceback (most recent call last):
        CheckError: train_classifier(X_train, y_train) failed: float labels given to CrossEntropyLoss.
          expected: ...

    Args:
        what: The call being checked, as the learner would write it.
        mistakes: The mistakes to recognise, the first match wins (a chapter can put its own,
            more specific ones before :data:`KNOWN_MISTAKES`).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    try:
        yield
    except (RuntimeError, ValueError, IndexError, TypeError) as error:
        mistake = diagnose(error, mistakes)
        if mistake is None:
            raise
        message = "\n".join([
            f"{what} failed: {mistake.name}.",
            "  expected: no error",
            f"  got:      {type(error).__name__}: {error}",
            f"Hint: {mistake.fix}",
        ])
        raise CheckError(message) from None


def check_call(
    function: Any, *args: Any, name: str = "the call", hint: str | None = None, mistakes: Sequence[Mistake] = ()
) -> Any:
    """Call ``function(*args)`` and return its result; an error it raises becomes a :class:`CheckError`.

    For test cells that call the learner's function: the message names the call and shows the error in
    the course's format instead of a traceback through the test. An error that matches one of
    ``mistakes`` is named, with its fix as the hint. ``NotImplementedError`` (an exercise not done yet)
    and :class:`CheckError` pass through unchanged.

    Example:
        >>> result = check_call(matmul_with_row, matrix, row, name="matmul_with_row(matrix, row)")

    Args:
        function: The learner's function.
        *args: What to call it with.
        name: The call, as the learner would write it.
        hint: The usual fix, shown when the error is not one of ``mistakes``.
        mistakes: Classic mistakes to recognise by PyTorch's message (see :func:`diagnose`).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    try:
        return function(*args)
    except (NotImplementedError, CheckError):
        raise
    except Exception as caught:  # any error of the learner's code is shown as a check
        error = caught
    mistake = diagnose(error, mistakes)
    problem = f"{name} failed: {mistake.name}." if mistake else f"{name} raised an error."
    fail(problem, "no error", f"{type(error).__name__}: {error}", mistake.fix if mistake else hint)


def _resolve(dotted: str) -> tuple[Any, str]:
    """``"torch.nn.functional.tanh"`` -> (the ``torch.nn.functional`` module, ``"tanh"``)."""
    import importlib

    path, attribute = dotted.rsplit(".", 1)
    parts = path.split(".")
    owner = importlib.import_module(parts[0])
    for part in parts[1:]:
        owner = getattr(owner, part)
    return owner, attribute


@contextmanager
def forbid_calls(*names: str, what: str, hint: str | None = None) -> Iterator[None]:
    """Make the named functions raise :class:`CheckError` while the block runs.

    For exercises that ask learners to write something PyTorch already has
    (tanh, softmax, ...): the test runs the learner's function inside this
    block, and a call of the built-in fails with a message that says so.
    Everything is restored when the block ends, even after an error.

    Example:
        >>> with forbid_calls("torch.tanh", "torch.Tensor.tanh", what="tanh(x)"):
        ...     tanh(x)

    Args:
        *names: Dotted names of the functions or methods to forbid, e.g. ``"torch.softmax"``,
            ``"torch.Tensor.softmax"`` or ``"torch.nn.Softmax.forward"``.
        what: The call being checked, as the learner would write it.
        hint: Replaces the usual hint (write it from basic tensor operations).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    saved = []
    for name in names:
        owner, attribute = _resolve(name)
        saved.append((owner, attribute, attribute in vars(owner), getattr(owner, attribute)))

    def refuse(name: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> NoReturn:
            __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
            fail(
                f"{what} called {name}, which this exercise asks you to write yourself.",
                "your own code, from basic tensor operations",
                f"a call of {name}",
                hint or "write it with torch.exp, sums, max and arithmetic; that is the exercise.",
            )

        return refused

    try:
        for (owner, attribute, _, _), name in zip(saved, names):
            setattr(owner, attribute, refuse(name))
        yield
    finally:
        for owner, attribute, owned, original in saved:
            if owned:
                setattr(owner, attribute, original)
            else:
                delattr(owner, attribute)


# --- watching how a function runs a model ------------------------------------------------------------


@dataclass(frozen=True)
class ForwardPass:
    """One forward pass of a model watched by :func:`watch_model`.

    Attributes:
        rows: The input's first dimension (tells training from test data apart).
        training: The model's mode, ``model.training``.
        autograd: Whether autograd recorded the pass (``False`` under ``torch.no_grad()`` and ``torch.inference_mode()``).
    """

    rows: int
    training: bool
    autograd: bool


@contextmanager
def watch_model(model: torch.nn.Module) -> Iterator[list[ForwardPass]]:
    """Record every forward pass of ``model`` while the block runs (see :func:`check_forward_passes`)."""
    passes: list[ForwardPass] = []

    def record(module: torch.nn.Module, inputs: tuple) -> None:
        x = next((value for value in inputs if isinstance(value, torch.Tensor)), None)
        rows = int(x.shape[0]) if x is not None and x.ndim else 0
        passes.append(ForwardPass(rows, module.training, torch.is_grad_enabled()))

    handle = model.register_forward_pre_hook(record)
    try:
        yield passes
    finally:
        handle.remove()


def check_forward_passes(passes: Sequence[ForwardPass], what: str, *, training: bool, autograd: bool) -> None:
    """Check that ``what`` ran the model, every time in the wanted mode and with autograd on or off.

    Evaluation wants ``training=False, autograd=False``: ``model.eval()``, and the pass inside
    ``torch.inference_mode()`` or ``torch.no_grad()`` (either one). A training step wants both ``True``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_true(passes, f"{what} never called the model.", expected="at least one forward pass, model(X)", got="none",
               hint="compute the predictions with the model you are given.")
    modes = [p.training for p in passes]
    if training and not all(modes):
        fail(f"{what} ran the model in evaluation mode: call model.train() first.", "model.train() before the forward pass",
             f"model.training was False in {modes.count(False)} of {len(modes)} passes",
             "a model stays in evaluation mode after model.eval() until model.train() switches it back: "
             "put the model in training mode before every training step.")
    if not training and any(modes):
        fail(f"{what} ran the model in training mode: call model.eval() first.", "model.eval() before the forward pass",
             f"model.training was True in {modes.count(True)} of {len(modes)} passes",
             "call model.eval() (with the parentheses) before evaluating or predicting: in training mode "
             "dropout and batch norm change the outputs.")
    recorded = [p.autograd for p in passes]
    if not autograd and any(recorded):
        fail(f"{what} ran the model with autograd recording.",
             "the forward pass inside `with torch.inference_mode():` or `with torch.no_grad():` (either one)",
             f"autograd on in {recorded.count(True)} of {len(recorded)} passes",
             "evaluation needs no gradients: either block stops autograd from building a graph (faster, less memory).")
    if autograd and not all(recorded):
        fail(f"{what} ran the model with autograd off.", "autograd on for the training forward pass",
             f"inside torch.no_grad() or torch.inference_mode() in {recorded.count(False)} of {len(recorded)} passes",
             "loss.backward() needs the graph: don't wrap the training step in no_grad() or inference_mode().")


class _ModelReached(BaseException):
    """Ends :func:`check_runs_on_model_device`'s call once the model got its input (a BaseException: ``except Exception`` lets it pass)."""


def check_runs_on_model_device(call: Callable[[torch.nn.Module], Any], model: torch.nn.Module, *, what: str) -> None:
    """Check that ``call(model)`` gives the model its input on the model's own device and leaves the model there.

    ``call`` gets a copy of ``model`` on PyTorch's ``meta`` device, where neither the data nor a notebook's global
    ``device`` are; the call ends at the model's first forward pass. Build anything tied to the model (an
    optimizer) inside ``call``, and don't run this inside :func:`watch_model` on the same model.

    Example:
        >>> check_runs_on_model_device(lambda m: predict(m, X), model, what="predict(model, X)")
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    elsewhere = copy.deepcopy(model).to("meta")

    def reached(module: torch.nn.Module, inputs: tuple) -> None:
        __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
        x = next((value for value in inputs if isinstance(value, torch.Tensor)), None)
        if x is not None and x.device != next(module.parameters()).device:
            fail(f"{what} gave the model input on {x.device}, not on the model's own device.",
                 "X on the device the model is on (here 'meta', where the test put it)", f"X on {x.device}",
                 "move the data to the model, X.to(next(model.parameters()).device), not to the global `device`: "
                 "a model handed to a function can live on any device.")
        raise _ModelReached

    handle = elsewhere.register_forward_pre_hook(reached)
    try:
        call(elsewhere)
    except _ModelReached:
        return
    except NotImplementedError as error:  # a meta tensor holds no data, so moving the model off it fails
        if "meta" not in str(error):
            raise
        fail(f"{what} moved the model.", "the model left on its own device, the data moved to it",
             f"NotImplementedError: {str(error).splitlines()[0]}",
             "don't call model.to(...), model.cpu() or model.cuda() on a model you are handed: "
             "move X (and y) to next(model.parameters()).device instead.")
    finally:
        handle.remove()
    fail(f"{what} never called the model.", "a forward pass, model(X)", "none", "compute the predictions with the model you are given.")
