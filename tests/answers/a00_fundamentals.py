"""Answers a class writes for assignment 00_pytorch_fundamentals: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "00_pytorch_fundamentals"

CORRECT = {
    "ex01_answer": [
        "random_tensor = torch.rand(size=(7, 7))\n",
        "random_tensor = torch.rand((7, 7), dtype=torch.float32, device='cpu')\n",
        "random_tensor = torch.empty(7, 7).uniform_(0, 1)\n",
        "random_tensor = torch.tensor(np.random.default_rng(0).random((7, 7)), dtype=torch.float32)\n",
    ],
    "ex02_answer": [
        "def matmul_with_row(matrix, row):\n    return torch.matmul(matrix, row.T)\n",
        "def matmul_with_row(matrix, row):\n    return torch.mm(matrix, row.t())\n",
        "def matmul_with_row(matrix, row):\n    return torch.einsum('nk,mk->nm', matrix, row)\n",
        "def matmul_with_row(matrix, row):\n    column = row.reshape(-1, 1)\n    return matrix.matmul(column)\n",
    ],
    "ex03_answer": [
        "def seeded_product(seed):\n    torch.manual_seed(seed)\n    matrix = torch.rand(7, 7)\n    row = torch.rand(1, 7)\n"
        "    return torch.matmul(matrix, row.T)\n",
        "def seeded_product(seed):\n    torch.random.manual_seed(seed)\n    first, second = torch.rand(7, 7), torch.rand(1, 7)\n"
        "    return torch.mm(first, second.t())\n",
        "def seeded_product(seed):\n    generator = torch.Generator().manual_seed(seed)\n"
        "    a = torch.rand(size=(7, 7), generator=generator)\n    b = torch.rand(size=(1, 7), generator=generator)\n"
        "    return torch.einsum('ik,jk->ij', a, b)\n",
        "def seeded_product(seed):\n    torch.manual_seed(seed)\n    first = torch.empty(7, 7).uniform_()\n"
        "    second = torch.empty(1, 7).uniform_()\n    return (first * second).sum(dim=1, keepdim=True)\n",
    ],
    "ex04_answer": [
        "def seed_everything(seed):\n    np.random.seed(seed)\n    random.seed(seed)\n    torch.manual_seed(seed)  # also seeds every GPU\n",
        "import random as python_random\n\n\ndef seed_everything(seed):\n    python_random.seed(seed)\n    np.random.seed(seed)\n"
        "    torch.random.manual_seed(seed)\n    if torch.cuda.is_available():\n        torch.cuda.manual_seed_all(seed)\n",
        "from helpers import set_seed\n\n\ndef seed_everything(seed):\n    set_seed(seed)\n",
    ],
    "ex05_answer": [
        "def product_on_device(seed):\n    torch.manual_seed(seed)\n    a = torch.rand(2, 3)\n    b = torch.rand(2, 3)\n"
        "    a, b = a.to(device), b.to(device)\n    product = torch.matmul(a, b.T)\n"
        "    return product, product.max().item(), product.min().item(), product.argmax().item(), product.argmin().item()\n",
        "def product_on_device(seed):\n    torch.manual_seed(seed)\n    A = torch.rand(2, 3).to(device)\n"
        "    B = torch.rand(2, 3).to(device)\n    P = A @ B.T\n    max_value, argmax_index = P.flatten().max(dim=0)\n"
        "    min_value, argmin_index = P.flatten().min(dim=0)\n    return P, max_value, min_value, argmax_index, argmin_index\n",
        "def product_on_device(seed):\n    generator = torch.Generator().manual_seed(seed)\n"
        "    first = torch.rand(2, 3, generator=generator).to(device)\n    second = torch.rand(2, 3, generator=generator).to(device)\n"
        "    result = torch.mm(first, second.t())\n"
        "    return [result, torch.max(result), torch.min(result), torch.argmax(result), torch.argmin(result)]\n",
    ],
    "ex06_answer": [
        "torch.manual_seed(7)\ntensor_4d = torch.rand(1, 1, 1, 10)\nsqueezed = tensor_4d.reshape(10)\n",
        "torch.manual_seed(7)\ntensor_4d = torch.rand(size=(1, 1, 1, 10))\nsqueezed = tensor_4d.view(-1)\n",
        "torch.manual_seed(7)\ntensor_4d = torch.rand(10).reshape(1, 1, 1, 10)\nsqueezed = torch.squeeze(tensor_4d)\n",
        "torch.manual_seed(7)\ntensor_4d = torch.rand(1, 1, 1, 10)\nsqueezed = tensor_4d[0, 0, 0]\n",
    ],
    "ex07_answer": [
        "def mean_of_ints(t):\n    return t.to(torch.float32).mean()\n",
        "def mean_of_ints(t):\n    return t.sum() / t.numel()\n",
        "def mean_of_ints(t):\n    return torch.mean(t, dtype=torch.float32)\n",
        "def mean_of_ints(t):\n    return t.double().mean().float()\n",
    ],
    "ex08_answer": [
        "def to_nchw(images):\n    return torch.permute(images, (0, 3, 1, 2))\n",
        "def to_nchw(images):\n    return images.movedim(-1, 1)\n",
        "def to_nchw(images):\n    return images.transpose(1, 3).transpose(2, 3)\n",
        "def to_nchw(images):\n    return torch.einsum('nhwc->nchw', images)\n",
    ],
    "ex09_answer": [
        "nine = x[0][2][2]\nright_column = x[0][:, 2]\n",
        "nine = x[-1, -1, -1]\nright_column = x[0, :, -1]\n",
        "nine = x[..., 2, 2].squeeze()\nright_column = x.squeeze(0)[:, 2]\n",
    ],
    "ex10_answer": [
        "shared = torch.as_tensor(array)\nindependent = torch.from_numpy(array.copy())\n",
        "shared = torch.from_numpy(array)\nindependent = shared.clone()\n",
        "shared = torch.from_numpy(array)\nindependent = torch.tensor(array, dtype=torch.float32)\n",
        "shared = torch.from_numpy(array)\nindependent = shared + 0  # a new tensor with its own memory\n",
    ],
    "ex11_answer": [
        "def numpy_to_float32(array):\n    return torch.tensor(array, dtype=torch.float32)\n",
        "def numpy_to_float32(array):\n    return torch.from_numpy(array.astype(np.float32))\n",
        "def numpy_to_float32(array):\n    return torch.as_tensor(array).to(torch.float32)\n",
        "def numpy_to_float32(array):\n    return torch.from_numpy(array).type(torch.float32)\n",
    ],
    "ex12_answer": [
        "def derivative_at(f, point):\n    x = torch.tensor(point, requires_grad=True)\n    y = f(x)\n"
        "    (gradient,) = torch.autograd.grad(y, x)\n    return gradient\n",
        "def derivative_at(f, point):\n    return torch.func.grad(f)(torch.tensor(point))\n",
        "def derivative_at(f, point):\n    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)\n"
        "    f(x).backward()\n    return x.grad.item()\n",
        "def derivative_at(f, point):\n    x = torch.as_tensor(point).requires_grad_()\n    loss = f(x)\n    loss.backward()\n"
        "    return x.grad\n",
    ],
}

WRONG = {
    "ex01_answer": [
        ("random_tensor = torch.zeros(7, 7)\n", "random_tensor holds one value everywhere"),
        ("random_tensor = torch.linspace(0, 0.99, 49).reshape(7, 7)\n", "are in order"),
        ("random_tensor = torch.linspace(0, 0.98, 49)[torch.randperm(49)].reshape(7, 7)\n", "evenly spaced"),
        ("random_tensor = torch.randn(7, 7)\n", "random_tensor has values outside the allowed range"),
    ],
    "ex02_answer": [
        ("def matmul_with_row(matrix, row):\n    return matrix * row\n", "has the shape of an element-wise product"),
        ("def matmul_with_row(matrix, row):\n    return row @ matrix.T\n", "it looks transposed"),
        ("def matmul_with_row(matrix, row):\n    return matrix @ row.reshape(7, 1)\n", "raised an error"),
        ("def matmul_with_row(matrix, row):\n    row.t_()\n    return matrix @ row\n", "changed its inputs"),
    ],
    "ex03_answer": [
        (
            "def seeded_product(seed):\n    # the numbers printed in the task\n"
            "    return torch.tensor([[1.8542], [1.9611], [2.2884], [3.0481], [1.7067], [2.5290], [1.7989]])\n",
            "these are the numbers of seeded_product(0), whatever the seed",
        ),
        (
            "def seeded_product(seed):\n    torch.manual_seed(seed)\n    first = torch.rand(7, 7)\n    torch.manual_seed(seed)\n"
            "    second = torch.rand(1, 7)\n    return first @ second.T\n",
            "again before the second draw",
        ),
        (
            "def seeded_product(seed):\n    torch.manual_seed(seed)\n    second = torch.rand(1, 7)\n    first = torch.rand(7, 7)\n"
            "    return first @ second.T\n",
            "draw the (7, 7) tensor first",
        ),
        (
            "def seeded_product(seed):\n    torch.manual_seed(seed)\n    return torch.rand(7, 7) @ torch.rand(1, 7)\n",
            "seeded_product(0) failed: the inner sizes of the matrix product do not match",
        ),
    ],
    "ex04_answer": [
        (
            "def seed_everything(seed):\n    random.seed(seed)\n    np.random.default_rng(seed)\n    torch.manual_seed(seed)\n",
            "np.random.rand() gave different numbers",
        ),
        (
            "def seed_everything(seed):\n    random.seed(42)\n    np.random.seed(42)\n    torch.manual_seed(42)\n",
            "gave the same number after seed_everything(1) and seed_everything(2)",
        ),
        (
            "def seed_everything(seed):\n    np.random.seed(seed)\n    torch.manual_seed(seed)\n",
            "random.random() gave different numbers",
        ),
        (
            "def seed_everything(seed):\n    random.seed(seed + 1)\n    np.random.seed(seed + 1)\n    torch.manual_seed(seed + 1)\n",
            "does not match seeding that library",
        ),
    ],
    "ex05_answer": [
        (
            "def product_on_device(seed):\n    # the numbers printed in the task\n"
            "    product = torch.tensor([[0.3647, 0.4709], [0.5184, 0.5617]]).to(device)\n"
            "    return product, 0.5617, 0.3647, 3, 0\n",
            "these are the numbers of product_on_device(1234), whatever the seed",
        ),
        (
            "def product_on_device(seed):\n    torch.manual_seed(seed)\n    a = torch.rand(2, 3).to(device)\n"
            "    torch.manual_seed(seed)\n    b = torch.rand(2, 3).to(device)\n    p = a @ b.T\n"
            "    return p, p.max(), p.min(), p.argmax(), p.argmin()\n",
            "re-seeding before the second draw repeats the first draw",
        ),
        (
            "def product_on_device(seed):\n    torch.manual_seed(seed)\n    a = torch.rand(2, 3).to(device)\n"
            "    b = torch.rand(2, 3).to(device)\n    p = b @ a.T\n    return p, p.max(), p.min(), p.argmax(), p.argmin()\n",
            "not the other way round",
        ),
        (
            "def product_on_device(seed):\n    torch.manual_seed(seed)\n    a = torch.rand(2, 3).to(device)\n"
            "    b = torch.rand(2, 3).to(device)\n    p = a @ b.T\n"
            "    return p, p.max(), p.min(), p.argmax(dim=1), p.argmin(dim=1)\n",
            "argmax_index from product_on_device(1234) should be a single number",
        ),
    ],
    "ex06_answer": [
        ("torch.manual_seed(7)\ntensor_4d = torch.rand(1, 1, 1, 10)\nsqueezed = tensor_4d.squeeze(0)\n", "squeezed has the wrong shape"),
        ("tensor_4d = torch.rand(1, 1, 1, 10)\nsqueezed = tensor_4d.squeeze()\n", "tensor_4d has the wrong values"),
        (
            "torch.manual_seed(7)\ntensor_4d = torch.rand(1, 1, 1, 10)\nsqueezed = tensor_4d.squeeze().sort().values\n",
            "squeezed has the wrong values",
        ),
    ],
    "ex07_answer": [
        ("def mean_of_ints(t):\n    return t.mean()\n", "failed: PyTorch's error for the mean of an integer tensor"),
        ("def mean_of_ints(t):\n    return t.float().mean().item()\n", "returned a Python number"),
        ("def mean_of_ints(t):\n    return t.sum() / len(t)\n", "has the wrong values"),
        ("def mean_of_ints(t):\n    return t.float().mean(dim=0)\n", "has the wrong shape"),
    ],
    "ex08_answer": [
        (
            "def to_nchw(images):\n    n, h, w, c = images.shape\n    return images.reshape(n, c, h, w)\n",
            "the pixels are scrambled",
        ),
        ("def to_nchw(images):\n    return images.permute(0, 3, 2, 1)\n", "swaps height and width"),
        ("def to_nchw(images):\n    return images.float().permute(0, 3, 1, 2)\n", "has the wrong dtype"),
    ],
    "ex09_answer": [
        ("nine = x[0, 2, 2].item()\nright_column = x[0, :, 2]\n", "nine is a Python int, not a tensor"),
        ("nine = x[0, 2, 2]\nright_column = x[:, :, 2]\n", "right_column has the wrong shape"),
        ("nine = torch.tensor(9)\nright_column = torch.tensor([3, 6, 9])\n", "was not taken out of x by indexing"),
        ("nine = x.max()\nright_column = x[0, :, 2]\n", "nine was not taken out of x by indexing"),
    ],
    "ex10_answer": [
        ("shared = torch.from_numpy(array).float()\nindependent = torch.tensor(array)\n", "shared does not share memory with array"),
        ("shared = torch.from_numpy(array)\nindependent = torch.from_numpy(array)\n", "independent shares memory with array"),
        (
            "shared = torch.from_numpy(array)\nshared = shared + 0  # a new tensor: shared no longer uses array's memory\n"
            "independent = torch.tensor(array)\n",
            "shared does not share memory with array",
        ),
    ],
    "ex11_answer": [
        ("def numpy_to_float32(array):\n    return torch.from_numpy(array)\n", "has the wrong dtype"),
        ("def numpy_to_float32(array):\n    return torch.from_numpy(array).half()\n", "has the wrong dtype"),
        ("def numpy_to_float32(array):\n    return torch.from_numpy(array).long().float()\n", "has the wrong values"),
    ],
    "ex12_answer": [
        (
            "def derivative_at(f, point):\n    h = 1e-6\n    x = torch.tensor(point, dtype=torch.float64)\n"
            "    return (f(x + h) - f(x - h)) / (2 * h)  # a numerical derivative, not autograd\n",
            "did not use autograd",
        ),
        (
            "def derivative_at(f, point):\n    x = torch.tensor(point)\n    f(x).backward()\n    return x.grad\n",
            "failed: backward() on a result that autograd did not track",
        ),
        (
            "def derivative_at(f, point):\n    x = torch.tensor(point, requires_grad=True)\n    y = f(x)\n    y.backward()\n    return y\n",
            "has the wrong values",
        ),
    ],
}
