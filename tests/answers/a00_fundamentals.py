"""Answers a class writes for assignment 00_pytorch_fundamentals: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "00_pytorch_fundamentals"

CORRECT = {
    "ex01_answer": [
        "random_tensor = torch.rand(size=(7, 7))\n",
        "random_tensor = torch.rand((7, 7), dtype=torch.float32, device='cpu')\n",
    ],
}

WRONG = {
    "ex01_answer": [
        ("random_tensor = torch.zeros(7, 7)\n", "random_tensor holds one value everywhere"),
    ],
}
