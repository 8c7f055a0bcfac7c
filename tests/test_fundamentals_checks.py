"""Chapter 00's named checks, in-process: each passes a reference answer and names a wrong one in the three parts."""

import math
import random

import numpy as np
import torch

from check_messages import message_of
from helpers import fundamentals_checks as fc


def seeded(seed: int, *shapes: tuple[int, ...]) -> list[torch.Tensor]:
    torch.manual_seed(seed)
    return [torch.rand(*shape) for shape in shapes]


def seeded_product(seed):
    first, second = seeded(seed, (7, 7), (1, 7))
    return first @ second.T


def product_on_device(seed):
    first, second = seeded(seed, (2, 3), (2, 3))
    product = first @ second.T
    return product, product.max(), product.min(), product.argmax(), product.argmin()


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def test_random_tensor():
    generator = torch.Generator().manual_seed(0)
    fc.check_random_tensor(torch.rand(7, 7, generator=generator))
    fc.check_looks_random(torch.rand(7, 7, generator=generator))
    assert "the sizes you pass to torch.rand" in message_of(lambda: fc.check_random_tensor(torch.rand(7, 1)))
    assert message_of(lambda: fc.check_looks_random(torch.zeros(7, 7))).startswith("random_tensor holds one value everywhere")
    assert "are in order" in message_of(lambda: fc.check_looks_random(torch.linspace(0, 0.99, 49).reshape(7, 7)))


def test_matmul_with_row():
    matrix, row = torch.rand(5, 3), torch.rand(1, 3)
    fc.check_matmul_with_row(lambda m, r: m @ r.T, matrix, row)
    message = message_of(lambda: fc.check_matmul_with_row(lambda m, r: m * r, matrix, row))
    assert message.startswith("matmul_with_row(matrix (5, 3), row (1, 3)) has the shape of an element-wise product.")


def test_seeded_product():
    fc.check_seeded_product(seeded_product, 3)
    message = message_of(lambda: fc.check_seeded_product(lambda seed: seeded_product(0), 3, seeded_product(0)))
    assert "these are the numbers of seeded_product(0), whatever the seed" in message
    assert "inner sizes of the matrix product" in message_of(
        lambda: fc.check_seeded_product(lambda seed: torch.mm(*seeded(seed, (7, 7), (1, 7))), 0))


def test_seed_everything_checks_and_leaves_the_global_generators_alone():
    state = random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state()
    fc.check_seed_repeats(seed_everything, 42)
    fc.check_seeds_differ(seed_everything, 1, 2)
    fc.check_seed_matches_libraries(seed_everything, 7)
    assert random.getstate() == state[0] and np.array_equal(np.random.get_state()[1], state[1])
    assert torch.equal(torch.get_rng_state(), state[2])

    def without_numpy(seed):
        random.seed(seed)
        torch.manual_seed(seed)

    assert message_of(lambda: fc.check_seed_repeats(without_numpy)).startswith("np.random.rand() gave different numbers")
    assert "gave the same number after seed_everything(1) and seed_everything(2)" in message_of(
        lambda: fc.check_seeds_differ(lambda seed: seed_everything(42), 1, 2))
    assert "does not match seeding that library" in message_of(
        lambda: fc.check_seed_matches_libraries(lambda seed: seed_everything(seed + 1), 7))


def test_product_on_device():
    fc.check_product_on_device(product_on_device, 5, "cpu")

    def rows_and_columns(seed):
        product = product_on_device(seed)[0]
        return product, product.max(), product.min(), product.argmax(dim=1), product.argmin(dim=1)

    assert "argmax_index from product_on_device(5) should be a single number" in message_of(
        lambda: fc.check_product_on_device(rows_and_columns, 5, "cpu"))
    assert "not the other way round" in message_of(
        lambda: fc.check_product_on_device(lambda seed: (product_on_device(seed)[0].T, 0, 0, 0, 0), 5, "cpu"))


def test_squeezed_and_seeded_tensor_4d():
    (tensor_4d,) = seeded(7, (1, 1, 1, 10))
    fc.check_squeezed(tensor_4d, tensor_4d.squeeze())
    fc.check_seeded_tensor_4d(tensor_4d, tensor_4d.squeeze(), seed=7)
    assert "squeezed has the wrong shape" in message_of(lambda: fc.check_squeezed(tensor_4d, tensor_4d.squeeze(0)))
    assert "call torch.manual_seed(7) right before" in message_of(
        lambda: fc.check_seeded_tensor_4d(tensor_4d + 1, tensor_4d.squeeze(), seed=7))


def test_mean_of_ints():
    t = torch.tensor([[1, 2], [4, 7]], dtype=torch.int16)
    fc.check_mean_of_ints(lambda t: t.float().mean(), t)
    assert "failed: PyTorch's error for the mean of an integer tensor" in message_of(
        lambda: fc.check_mean_of_ints(lambda t: t.mean(), t))
    assert "returned a Python number" in message_of(lambda: fc.check_mean_of_ints(lambda t: t.float().mean().item(), t))


def test_to_nchw():
    images = torch.rand(2, 3, 4, 3)
    fc.check_to_nchw(lambda x: x.permute(0, 3, 1, 2), images)
    assert "the pixels are scrambled" in message_of(lambda: fc.check_to_nchw(lambda x: x.reshape(2, 3, 3, 4), images))


def test_indexing():
    x = torch.arange(1, 10).reshape(1, 3, 3)
    fc.check_nine_and_right_column(x[0, 2, 2], x[0, :, 2])
    fc.check_taken_out_of_x(x, torch.arange(1, 10).reshape(1, 3, 3), x[0, 2, 2], x[0, :, 2])
    assert "nine is a Python int, not a tensor" in message_of(lambda: fc.check_nine_and_right_column(9, x[0, :, 2]))
    assert "nine was not taken out of x by indexing" in message_of(
        lambda: fc.check_taken_out_of_x(x, x.clone(), torch.tensor(9), x[0, :, 2]))


def test_memory_sharing_puts_the_array_back():
    array = np.arange(5.0)
    shared, independent = torch.from_numpy(array), torch.tensor(array)
    fc.check_shared_and_independent(shared, independent, array)
    fc.check_changes_reach_shared(shared, independent, array)
    assert np.array_equal(array, np.arange(5.0))
    assert "independent shares memory with array" in message_of(
        lambda: fc.check_shared_and_independent(shared, torch.from_numpy(array), array))
    assert "shared after array += 10" in message_of(lambda: fc.check_changes_reach_shared(shared + 0, independent, array))
    assert np.array_equal(array, np.arange(5.0))


def test_numpy_to_float32():
    array = np.arange(6).reshape(2, 3)
    fc.check_numpy_to_float32(lambda a: torch.from_numpy(a).float(), array)
    assert "has the wrong dtype" in message_of(lambda: fc.check_numpy_to_float32(torch.from_numpy, array))


def test_derivative_at():
    def derivative_at(f, point):
        x = torch.tensor(point, requires_grad=True)
        f(x).backward()
        return x.grad

    def numerical(f, point):
        x = torch.tensor(point, dtype=torch.float64)
        return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6

    fc.check_derivative_at(derivative_at, torch.sin, 0.5, math.cos(0.5), "sin")
    assert "did not use autograd" in message_of(lambda: fc.check_derivative_at(numerical, torch.sin, 0.5, math.cos(0.5), "sin"))
