"""The checks behind chapter 00's exercises (tensors): each test cell calls these on the learner's code.

Test cells stay a few lines long: the visible part calls a check on the notebook's example, the
hidden part calls the same checks on other arguments (other seeds, sizes, dtypes, devices). Every
check is built on :mod:`helpers.checks`, so a failure is a ``CheckError`` in the course's three
parts: what is wrong, expected vs got, and a hint. For example::

    matmul_with_row(matrix (7, 7), row (1, 7)) has the shape of an element-wise product.
      expected: (7, 1)
      got:      (7, 7)
    Hint: matrix * row multiplies element by element and broadcasts the row over every row of ...

The checks compute what they expect from the inputs themselves, with private random generators, so
the notebook's own random state is left alone.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from helpers.checks import (
    Mistake,
    check_call,
    check_close,
    check_device,
    check_dtype,
    check_equal,
    check_range,
    check_shape,
    check_tensor,
    check_true,
    fail,
)

#: Exercise 3: PyTorch's error for ``(7, 7) @ (1, 7)``.
SEEDED_INNER_SIZES = Mistake(
    r"mat1 and mat2 shapes cannot be multiplied", "the inner sizes of the matrix product do not match",
    "(7, 7) @ (1, 7) cannot be multiplied: transpose the second tensor, first @ second.T, to get (7, 7) @ (7, 1).",
)

#: Exercise 5: PyTorch's error for ``(2, 3) @ (2, 3)``.
DEVICE_INNER_SIZES = Mistake(
    r"mat1 and mat2 shapes cannot be multiplied", "the inner sizes of the matrix product do not match",
    "(2, 3) @ (2, 3) cannot be multiplied: transpose the second tensor, first @ second.T, to get (2, 3) @ (3, 2).",
)

#: Exercise 7: PyTorch's error for the mean of an integer tensor.
INTEGER_MEAN = Mistake(
    r"mean\(\): could not infer output dtype|mean of floating types",
    "PyTorch's error for the mean of an integer tensor",
    "mean() refuses integer tensors: make a floating-point copy first, e.g. t.float().mean().",
)

#: Exercise 12: ``backward()`` on a tensor autograd never tracked.
TRACKED = Mistake(
    r"does not require grad and does not have a grad_fn", "backward() on a result that autograd did not track",
    "create the input with requires_grad=True, x = torch.tensor(point, requires_grad=True), then call f(x).backward().",
)

#: Exercise 4: how to seed each generator that ``seed_everything`` must seed.
SEED_HINTS = {
    "random.random()": "call random.seed(seed).",
    "np.random.rand()": "call np.random.seed(seed); np.random.default_rng(seed) makes a new generator "
    "and leaves np.random.rand() unseeded.",
    "torch.rand(1)": "call torch.manual_seed(seed).",
    "torch.rand(1, device='cuda')": "call torch.cuda.manual_seed_all(seed) (or torch.manual_seed(seed)).",
}


# --- exercise 1: a random tensor ---------------------------------------------------------------------


def check_random_tensor(random_tensor: Any) -> None:
    """``random_tensor`` is a float32 ``(7, 7)`` tensor with values in ``[0, 1)``.

    Args:
        random_tensor: The learner's tensor.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_shape(
        random_tensor, (7, 7), name="random_tensor",
        hint="the sizes you pass to torch.rand(...) become the shape: torch.rand(7, 7) for 7 rows and 7 columns.",
    )
    check_dtype(random_tensor, torch.float32, name="random_tensor")
    check_range(random_tensor, 0.0, 1.0, name="random_tensor")


def check_looks_random(random_tensor: torch.Tensor) -> None:
    """``random_tensor``'s 49 values look like uniform draws: not constant, spread out, unordered, unevenly spaced.

    Args:
        random_tensor: The learner's ``(7, 7)`` tensor (after :func:`check_random_tensor`).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    values = random_tensor.detach().cpu().flatten().double()
    distinct = values.unique().numel()
    check_true(
        distinct > 1,
        "random_tensor holds one value everywhere, so it is not random.",
        expected="49 different random numbers",
        got=f"{distinct} distinct value",
        hint="torch.zeros, torch.ones and torch.full make constant tensors; torch.rand(7, 7) draws random ones.",
    )
    spread = (values.max() - values.min()).item()
    check_true(
        spread > 0.5,
        "random_tensor's values are bunched together, unlike 49 uniform draws from [0, 1).",
        expected="values spread over [0, 1) (max - min > 0.5)",
        got=f"max - min = {spread:.3g}",
        hint="torch.rand draws uniformly from [0, 1); don't scale or shift the result.",
    )
    steps = values.diff()
    check_true(
        not (bool((steps >= 0).all()) or bool((steps <= 0).all())),
        "random_tensor's values are in order, like a ramp or a sorted tensor, unlike random draws.",
        expected="49 random numbers in no particular order",
        got=f"{[round(v, 4) for v in values[:4].tolist()]} ... rising (or falling) all the way",
        hint="torch.linspace and torch.arange make evenly spaced ramps; torch.rand(7, 7) draws random numbers.",
    )
    gaps = values.sort().values.diff()
    check_true(
        # For 49 uniform draws the gaps' std is about their mean (never below half of it in 200,000 tries).
        gaps.std() > 0.1 * gaps.mean(),
        "random_tensor's values are evenly spaced, like a shuffled ramp, unlike random draws.",
        expected="uneven gaps between the sorted values, as random draws have",
        got=f"every gap close to {gaps.mean().item():.4g}",
        hint="a shuffled torch.linspace or torch.arange is still evenly spaced; torch.rand(7, 7) draws random numbers.",
    )


# --- exercise 2: matrix times row ----------------------------------------------------------------------


def check_matmul_with_row(matmul_with_row: Callable, matrix: torch.Tensor, row: torch.Tensor) -> None:
    """``matmul_with_row(matrix, row)`` is the ``(n, 1)`` product ``matrix @ row.T``, entry by entry, inputs unchanged.

    Args:
        matmul_with_row: The learner's function.
        matrix: An ``(n, k)`` tensor.
        row: A ``(1, k)`` tensor on the same device.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"matmul_with_row(matrix {tuple(matrix.shape)}, row {tuple(row.shape)})"
    matrix_before, row_before = matrix.clone(), row.clone()
    # Entry i of the product is the dot product of matrix row i with `row`.
    expected = (matrix.double() * row.double()).sum(dim=1, keepdim=True)
    result = check_call(
        matmul_with_row, matrix, row, name=name,
        hint="make it work for any n and k: don't hard-code sizes such as 7 (row.T transposes any row).",
    )
    check_tensor(result, name=name)
    check_true(
        matrix.shape == matrix_before.shape and torch.equal(matrix, matrix_before)
        and row.shape == row_before.shape and torch.equal(row, row_before),
        f"{name} changed its inputs.",
        expected=f"matrix {tuple(matrix_before.shape)} and row {tuple(row_before.shape)} unchanged",
        got=f"matrix {tuple(matrix.shape)}, row {tuple(row.shape)}, or other values",
        hint="use row.T (a new view) rather than in-place methods such as row.t_() or matrix.mul_().",
    )
    want = (matrix.shape[0], 1)
    elementwise = tuple(torch.broadcast_shapes(matrix.shape, row.shape))
    if tuple(result.shape) == elementwise and elementwise != want:
        fail(
            f"{name} has the shape of an element-wise product.",
            want,
            tuple(result.shape),
            "matrix * row multiplies element by element and broadcasts the row over every row of the "
            "matrix. Use a matrix multiplication (@ or torch.matmul) with the row transposed to (k, 1).",
        )
    check_shape(result, want, name=name)
    check_device(result, matrix.device, name=name)
    check_close(result, expected, name=name, hint="entry i should be the dot product of row i of the matrix with row.")


# --- exercise 3: a seeded product --------------------------------------------------------------------


def check_seeded_product(seeded_product: Callable, seed: int, product_of_seed_0: torch.Tensor | None = None) -> None:
    """``seeded_product(seed)`` is ``first @ second.T`` of a ``(7, 7)`` and then a ``(1, 7)`` ``torch.rand`` after seeding.

    The expected numbers come from a private generator, so the notebook's own random state is untouched.
    The classic mistakes are named: seeding again before the second draw, drawing in the other order,
    and (with ``product_of_seed_0``) the numbers of seed 0 typed in.

    Args:
        seeded_product: The learner's function.
        seed: The seed to pass.
        product_of_seed_0: ``seeded_product(0)``, to recognise a function that ignores its seed.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"seeded_product({seed})"
    result = check_call(seeded_product, seed, name=name, mistakes=[SEEDED_INNER_SIZES])
    check_shape(result, (7, 1), name=name)
    check_dtype(result, torch.float32, name=name)
    check_range(
        result, 0.0, 7.0, name=name,
        hint="each entry is a sum of 7 products of numbers in [0, 1): draw with torch.rand, not torch.randn.",
    )
    generator = torch.Generator().manual_seed(seed)
    first, second = torch.rand(7, 7, generator=generator).double(), torch.rand(1, 7, generator=generator).double()
    generator = torch.Generator().manual_seed(seed)
    early, late = torch.rand(1, 7, generator=generator).double(), torch.rand(7, 7, generator=generator).double()
    mistakes = [
        (first @ early.T, f"you called torch.manual_seed({seed}) again before the second draw, so the (1, 7) tensor "
         "repeats the first numbers of the (7, 7) one. Seed once, then draw both tensors."),
        (late @ early.T, "draw the (7, 7) tensor first and the (1, 7) tensor second: the order decides which "
         "numbers each gets."),
    ]
    if product_of_seed_0 is not None:
        mistakes.append((product_of_seed_0, "these are the numbers of seeded_product(0), whatever the seed: seed with "
                         "torch.manual_seed(seed) and compute the product rather than typing in printed numbers."))
    check_close(
        result, first @ second.T, name=name, mistakes=mistakes,
        hint="call torch.manual_seed(seed) once, right before torch.rand(7, 7) and torch.rand(1, 7), "
        "then multiply the first by the transpose of the second.",
    )


# --- exercise 4: seed everything -----------------------------------------------------------------------


@contextmanager
def _generators_restored() -> Iterator[None]:
    """Python's, NumPy's and PyTorch's (CPU and every GPU) global generators put back as they were when the block ends."""
    saved_random, saved_numpy = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=list(range(torch.cuda.device_count()))):
            yield
    finally:
        random.setstate(saved_random)
        np.random.set_state(saved_numpy)


def _draw_from_every_generator() -> dict[str, float]:
    """One number from each generator seed_everything should seed."""
    draws = {
        "random.random()": random.random(),
        "np.random.rand()": float(np.random.rand()),
        "torch.rand(1)": torch.rand(1).item(),
    }
    if torch.cuda.is_available():
        draws["torch.rand(1, device='cuda')"] = torch.rand(1, device="cuda").item()
    return draws


def _draws_after_seeding(seed_everything: Callable, *seeds: int) -> list[dict[str, float]]:
    """For each seed in turn: ``seed_everything(seed)``, then one number from each generator."""
    draws = []
    for seed in seeds:
        seed_everything(seed)
        draws.append(_draw_from_every_generator())
    return draws


def check_seed_repeats(seed_everything: Callable, seed: int = 42) -> None:
    """After ``seed_everything(seed)`` twice, every global generator gives the same number both times.

    The global generators are put back as they were before the check.

    Args:
        seed_everything: The learner's function.
        seed: The seed to pass both times.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with _generators_restored():
        first_draws, second_draws = _draws_after_seeding(seed_everything, seed, seed)
        for source, value in first_draws.items():
            check_true(
                second_draws[source] == value,
                f"{source} gave different numbers after calling seed_everything({seed}) twice.",
                expected=f"{value:.6f} both times",
                got=f"{value:.6f}, then {second_draws[source]:.6f}",
                hint=SEED_HINTS[source],
            )


def check_seeds_differ(seed_everything: Callable, first: int, second: int) -> None:
    """``seed_everything(first)`` and ``seed_everything(second)`` make every global generator give different numbers.

    Args:
        seed_everything: The learner's function.
        first: One seed.
        second: Another seed.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with _generators_restored():
        draws_first, draws_second = _draws_after_seeding(seed_everything, first, second)
        for source, value in draws_first.items():
            check_true(
                draws_second[source] != value,
                f"{source} gave the same number after seed_everything({first}) and seed_everything({second}).",
                expected="different numbers for different seeds",
                got=f"{value:.6f} both times",
                hint="pass the seed argument on to every generator instead of a fixed number.",
            )


def check_seed_matches_libraries(seed_everything: Callable, seed: int) -> None:
    """After ``seed_everything(seed)``, Python's, NumPy's and PyTorch's CPU generators give what seeding each with ``seed`` gives.

    Args:
        seed_everything: The learner's function.
        seed: The seed to pass.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with _generators_restored():
        (draws,) = _draws_after_seeding(seed_everything, seed)
        # CPU generators only: the GPU draws are checked for repeating by check_seed_repeats.
        reference = {
            "random.random()": random.Random(seed).random(),
            "np.random.rand()": float(np.random.RandomState(seed).rand()),
            "torch.rand(1)": torch.rand(1, generator=torch.Generator().manual_seed(seed)).item(),
        }
        for source, value in reference.items():
            check_true(
                draws[source] == value,
                f"after seed_everything({seed}), {source} does not match seeding that library with {seed}.",
                expected=f"{value:.6f}",
                got=f"{draws[source]:.6f}",
                hint="seed each generator with seed itself (not seed + 1 or a fixed number), and draw "
                "nothing inside seed_everything after seeding.",
            )


# --- exercise 5: a product on the device --------------------------------------------------------------


def check_product_on_device(
    product_on_device: Callable, seed: int, device: str | torch.device, product_of_seed_1234: torch.Tensor | None = None
) -> None:
    """``product_on_device(seed)``: the seeded ``(2, 2)`` product on ``device``, with its max, min, argmax and argmin.

    The expected numbers come from a private CPU generator. The classic mistakes are named: seeding again
    before the second draw, the product the other way round, drawing on the GPU, and (with
    ``product_of_seed_1234``) the numbers of seed 1234 typed in.

    Args:
        product_on_device: The learner's function.
        seed: The seed to pass.
        device: Where the product must be (the notebook's ``device``).
        product_of_seed_1234: ``product_on_device(1234)[0]``, to recognise a function that ignores its seed.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"product_on_device({seed})"
    result = check_call(product_on_device, seed, name=name, mistakes=[DEVICE_INNER_SIZES])
    check_true(
        isinstance(result, tuple | list) and len(result) == 5,
        f"{name} should return five values.",
        expected="product, max_value, min_value, argmax_index, argmin_index",
        got=f"{type(result).__name__} of length {len(result)}" if isinstance(result, tuple | list) else repr(type(result)),
        hint="end the function with: return product, max_value, min_value, argmax_index, argmin_index",
    )
    product, max_value, min_value, argmax_index, argmin_index = result
    check_shape(product, (2, 2), name=f"the product from {name}")
    check_dtype(product, torch.float32, name=f"the product from {name}")
    check_device(
        product, device, name=f"the product from {name}",
        hint="move both tensors with .to(device) before multiplying; the product is made where its inputs are.",
    )
    generator = torch.Generator().manual_seed(seed)
    first, second = torch.rand(2, 3, generator=generator).double(), torch.rand(2, 3, generator=generator).double()
    expected = first @ second.T
    mistakes = [
        (first @ first.T, f"the product is symmetric: re-seeding before the second draw repeats the first draw. "
         f"Call torch.manual_seed({seed}) once, before the first torch.rand."),
        (expected.T, "multiply the first tensor by the transpose of the second (first @ second.T), "
         "not the other way round."),
    ]
    if product_of_seed_1234 is not None:
        mistakes.append((product_of_seed_1234, "these are the numbers of product_on_device(1234), whatever the "
                         "seed: seed with torch.manual_seed(seed) and compute the product rather than typing in "
                         "printed numbers."))
    if torch.device(device).type == "cuda":
        gpu = torch.Generator(device=device).manual_seed(seed)
        gpu_a, gpu_b = torch.rand(2, 3, device=device, generator=gpu), torch.rand(2, 3, device=device, generator=gpu)
        mistakes.append(((gpu_a @ gpu_b.T).cpu().double(), "draw on the CPU with torch.rand(2, 3) and then move with "
                         ".to(device): the GPU's generator gives other numbers for the same seed."))
    check_close(
        product, expected, name=f"the product from {name}", mistakes=mistakes,
        hint="call torch.manual_seed(seed) once, then draw two torch.rand(2, 3) tensors on the CPU, "
        "move them to device and compute first @ second.T.",
    )
    for label, value in [("max_value", max_value), ("min_value", min_value),
                         ("argmax_index", argmax_index), ("argmin_index", argmin_index)]:
        check_true(
            isinstance(value, int | float) or (isinstance(value, torch.Tensor) and value.numel() == 1),
            f"{label} from {name} should be a single number.",
            expected="a one-element tensor (or a Python number)",
            got=f"tensor of shape {tuple(value.shape)}" if isinstance(value, torch.Tensor) else repr(type(value)),
            hint="call .max(), .min(), .argmax() or .argmin() without dim= to reduce the whole tensor.",
        )
    flat = expected.flatten()
    where = "argmax()/argmin() without dim= give the position in the flattened tensor (row * 2 + column here)."
    check_close(max_value, flat.max(), name=f"max_value from {name}", hint="the largest element: product.max().")
    check_close(min_value, flat.min(), name=f"min_value from {name}", hint="the smallest element: product.min().")
    check_equal(int(argmax_index), int(flat.argmax()), name=f"argmax_index from {name}", hint=where)
    check_equal(int(argmin_index), int(flat.argmin()), name=f"argmin_index from {name}", hint=where)


# --- exercise 6: squeeze -----------------------------------------------------------------------------


def check_squeezed(tensor_4d: Any, squeezed: Any) -> None:
    """``tensor_4d`` is a float32 ``(1, 1, 1, 10)`` tensor and ``squeezed`` its 10 values, shape ``(10,)``.

    Args:
        tensor_4d: The learner's 4-d tensor.
        squeezed: The learner's squeezed tensor.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_shape(tensor_4d, (1, 1, 1, 10), name="tensor_4d")
    check_dtype(tensor_4d, torch.float32, name="tensor_4d")
    check_shape(squeezed, (10,), name="squeezed")
    check_close(
        squeezed, tensor_4d[0, 0, 0], name="squeezed",
        hint="squeezing removes dimensions of size 1 and keeps every value where it is.",
    )


def check_seeded_tensor_4d(tensor_4d: torch.Tensor, squeezed: torch.Tensor, seed: int) -> None:
    """``tensor_4d`` holds ``torch.rand(1, 1, 1, 10)`` right after ``torch.manual_seed(seed)``, and ``squeezed`` the same values.

    Args:
        tensor_4d: The learner's 4-d tensor.
        squeezed: The learner's squeezed tensor.
        seed: The seed the task names.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    expected = torch.rand(1, 1, 1, 10, generator=torch.Generator().manual_seed(seed))
    check_close(tensor_4d, expected, name="tensor_4d",
                hint=f"call torch.manual_seed({seed}) right before torch.rand(1, 1, 1, 10).")
    check_close(squeezed, expected.reshape(10), name="squeezed")


# --- exercise 7: the mean of integers -----------------------------------------------------------------


def check_mean_of_ints(mean_of_ints: Callable, t: torch.Tensor) -> None:
    """``mean_of_ints(t)`` is the exact mean of the integer tensor ``t`` as a 0-d float32 tensor on ``t``'s device, ``t`` unchanged.

    Args:
        mean_of_ints: The learner's function.
        t: An integer tensor of any shape.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"mean_of_ints(<{t.dtype} tensor of shape {tuple(t.shape)}>)"
    before = t.clone()
    result = check_call(mean_of_ints, t, name=name, mistakes=[INTEGER_MEAN])
    if isinstance(result, int | float):
        fail(
            f"{name} returned a Python number instead of a tensor.",
            "a 0-d float32 tensor",
            repr(result),
            "return the tensor that .mean() gives you; .item() turns it into a Python number.",
        )
    check_dtype(result, torch.float32, name=name)
    check_shape(result, (), name=name, hint="take the mean over all elements (no dim=): that gives a 0-d tensor.")
    check_device(result, t.device, name=name)
    exact = t.sum().item() / t.numel()
    check_close(
        result, exact, name=name,
        hint="divide the sum by the number of elements, t.numel() (len(t) only counts the first dimension), "
        "or use .mean() on a float copy.",
    )
    check_true(
        t.dtype == before.dtype and torch.equal(t, before),
        f"{name} changed its input.",
        expected=f"t unchanged ({before.dtype})",
        got=f"t is now {t.dtype} with values {t.flatten()[:4].tolist()}",
        hint="t.float() makes a new tensor; don't assign back into t or use in-place methods.",
    )


# --- exercise 8: channels first ------------------------------------------------------------------------


def check_to_nchw(to_nchw: Callable, images: torch.Tensor) -> None:
    """``to_nchw(images)`` moves the channels of an ``(N, H, W, C)`` batch to position 1, every pixel in place, ``images`` unchanged.

    Args:
        to_nchw: The learner's function.
        images: A batch of shape ``(N, H, W, C)``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    n, h, w, c = images.shape
    name = f"to_nchw(images of shape {tuple(images.shape)})"
    before = images.clone()
    result = check_call(
        to_nchw, images, name=name, hint="permute takes all four dimensions in their new order: images.permute(0, 3, 1, 2).",
    )
    check_shape(result, (n, c, h, w), name=name)
    check_dtype(result, images.dtype, name=name)
    check_device(result, images.device, name=name)
    for channel in range(c):
        if not torch.equal(result[:, channel], images[..., channel]):
            if torch.equal(result, images.reshape(n, c, h, w)):
                hint = ("reshape and view re-cut the numbers in memory order: the shape is right but the pixels "
                        "are scrambled. Move the axes instead with images.permute(0, 3, 1, 2).")
            elif torch.equal(result, images.permute(0, 3, 2, 1)):
                hint = "that also swaps height and width: use images.permute(0, 3, 1, 2)."
            else:
                hint = "move the channel axis to position 1 with images.permute(0, 3, 1, 2)."
            fail(
                f"{name} has the right shape but the wrong values in channel {channel}.",
                f"result[:, {channel}, h, w] == images[:, h, w, {channel}] for every pixel",
                f"result[0, {channel}, 0, :3] = {[round(v, 4) for v in result[0, channel, 0, :3].tolist()]}, "
                f"images[0, 0, :3, {channel}] = {[round(v, 4) for v in images[0, 0, :3, channel].tolist()]}",
                hint,
            )
    check_true(
        torch.equal(images, before),
        f"{name} changed its input.",
        expected="images unchanged",
        got="different values in images",
        hint="permute returns a rearranged view; don't write into images.",
    )


# --- exercise 9: indexing ----------------------------------------------------------------------------


def _indexed(values: dict[str, Any]) -> None:
    """Each value is a tensor taken out of x, not a Python number or list."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    for label, value in values.items():
        if isinstance(value, int | list):
            fail(
                f"{label} is a Python {type(value).__name__}, not a tensor.",
                "a tensor taken out of x by indexing",
                repr(value),
                "drop .item() / .tolist(): indexing x already gives a tensor.",
            )


def check_nine_and_right_column(nine: Any, right_column: Any) -> None:
    """``nine`` is the 0-d tensor 9 and ``right_column`` the ``(3,)`` tensor ``[3, 6, 9]`` of ``x = torch.arange(1, 10).reshape(1, 3, 3)``.

    Args:
        nine: The learner's single element.
        right_column: The learner's column.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    _indexed({"nine": nine, "right_column": right_column})
    check_shape(nine, (), name="nine", hint="index all three dimensions, x[a, b, c], to get a single element (a 0-d tensor).")
    check_equal(nine, torch.tensor(9), name="nine")
    check_shape(
        right_column, (3,), name="right_column",
        hint="a plain index (0) drops its dimension, a slice (:) keeps it: x[:, :, 2] still has the leading dimension.",
    )
    check_equal(right_column, torch.tensor([3, 6, 9]), name="right_column")


def check_taken_out_of_x(x: torch.Tensor, setup_x: torch.Tensor, nine: torch.Tensor, right_column: torch.Tensor) -> None:
    """``x`` is as the setup cell made it (``setup_x``), and ``nine`` and ``right_column`` are views into its memory.

    Args:
        x: The notebook's ``x``.
        setup_x: What the setup cell made ``x``.
        nine: The learner's single element.
        right_column: The learner's column.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_equal(x, setup_x, name="x", hint="leave x as the setup cell made it.")
    for label, value in [("nine", nine), ("right_column", right_column)]:
        check_true(
            value.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
            f"{label} was not taken out of x by indexing.",
            expected="a view into x, e.g. x[i, j, k]",
            got="a new tensor with its own memory",
            hint="index x directly instead of building a new tensor (torch.tensor(...), .clone(), x.max()).",
        )


# --- exercise 10: NumPy memory -----------------------------------------------------------------------


def check_shared_and_independent(shared: Any, independent: Any, array: np.ndarray) -> None:
    """``shared`` and ``independent`` hold ``array``'s values; ``shared`` uses its memory (on the CPU), ``independent`` a copy.

    Args:
        shared: The learner's tensor that shares memory with ``array``.
        independent: The learner's tensor with its own copy.
        array: The notebook's NumPy array.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_close(shared, array, name="shared")
    check_close(independent, array, name="independent")
    check_device(shared, "cpu", name="shared", hint="only a CPU tensor can share memory with a NumPy array: don't move it.")
    check_true(
        np.shares_memory(shared.detach().numpy(), array),
        "shared does not share memory with array.",
        expected="a tensor that uses array's memory",
        got="a tensor with its own copy",
        hint="torch.from_numpy(array) reuses the array's memory; torch.tensor(array) always copies.",
    )
    check_true(
        not np.shares_memory(independent.detach().cpu().numpy(), array),
        "independent shares memory with array.",
        expected="a tensor with its own copy of the values",
        got="a tensor that uses array's memory",
        hint="torch.tensor(array) copies; torch.from_numpy(array) and torch.as_tensor(array) don't.",
    )


def check_changes_reach_shared(shared: torch.Tensor, independent: torch.Tensor, array: np.ndarray) -> None:
    """In-place changes to ``array`` show in ``shared`` and not in ``independent``, and changes to ``shared`` show in ``array``.

    The check changes ``array`` (and so ``shared``) in place and puts the original values back at the end.

    Args:
        shared: The learner's tensor that shares memory with ``array``.
        independent: The learner's tensor with its own copy.
        array: The notebook's NumPy array.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    original = array.copy()
    independent_before = independent.detach().cpu().clone()
    try:
        array += 10
        check_close(shared, original + 10, name="shared after array += 10",
                    hint="shared must see in-place changes to array: use torch.from_numpy(array).")
        check_close(independent, independent_before, name="independent after array += 10",
                    hint="independent must not change with array: use torch.tensor(array).")
        shared.add_(1)
        check_close(array, original + 11, name="array after shared.add_(1)",
                    hint="in-place changes to shared must show up in array: use torch.from_numpy(array).")
    finally:
        array[...] = original


# --- exercise 11: NumPy to float32 -----------------------------------------------------------------


def check_numpy_to_float32(numpy_to_float32: Callable, array: np.ndarray) -> None:
    """``numpy_to_float32(array)`` is a float32 CPU tensor with ``array``'s shape and values, ``array`` unchanged.

    Args:
        numpy_to_float32: The learner's function.
        array: A NumPy array of any dtype and shape.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"numpy_to_float32(<{array.dtype} array of shape {array.shape}>)"
    before = array.copy()
    result = check_call(
        numpy_to_float32, array, name=name, hint="torch.from_numpy(array) takes any NumPy array; .float() makes it float32.",
    )
    check_dtype(result, torch.float32, name=name)
    check_shape(result, array.shape, name=name)
    check_device(result, "cpu", name=name)
    check_close(result, array.astype(np.float32), name=name)
    check_true(
        array.dtype == before.dtype and np.array_equal(array, before),
        f"{name} changed its input.",
        expected=f"the array unchanged ({before.dtype})",
        got=f"{array.dtype} array with values {array.ravel()[:4].tolist()}",
        hint="convert the tensor (.float()), not the array in place.",
    )


# --- exercise 12: a first gradient ---------------------------------------------------------------------


def check_derivative_at(derivative_at: Callable, f: Callable, point: float, slope: float, description: str) -> None:
    """``derivative_at(f, point)`` equals ``slope``, worked out by hand, and autograd computed it back through ``f``.

    Args:
        derivative_at: The learner's function.
        f: A function of a 0-d tensor.
        point: Where to take the derivative.
        slope: The derivative of ``f`` at ``point``.
        description: ``f`` as the message names it, e.g. ``"x**3 - 2*x"``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"derivative_at({description}, {point})"
    reached = []  # filled when autograd computes a gradient back through f's result

    def tracked_f(x: torch.Tensor) -> Any:
        y = f(x)
        if isinstance(y, torch.Tensor) and y.requires_grad:
            y.register_hook(lambda grad: reached.append(True))
        return y

    result = check_call(derivative_at, tracked_f, point, name=name, mistakes=[TRACKED])
    check_close(
        result, slope, name=name, hint="call .backward() on f(x) and return x.grad (the slope), not f(x) (the value).",
    )
    check_true(
        reached,
        f"{name} did not use autograd.",
        expected="the gradient autograd computes: f(x).backward(), then x.grad",
        got="f was evaluated, but no gradient was computed back through it",
        hint="a difference quotient such as (f(x + h) - f(x - h)) / (2 * h) only approximates the slope. "
        "Make x with requires_grad=True, call f(x).backward() and return x.grad.",
    )

