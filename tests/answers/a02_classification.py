"""Answers a class writes for assignment 02_pytorch_classification: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "02_pytorch_classification"

CORRECT = {
}

WRONG = {
}
