"""Answers a class writes for assignment 03_pytorch_computer_vision: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "03_pytorch_computer_vision"

CORRECT = {
}

WRONG = {
}
