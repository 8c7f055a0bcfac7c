"""Answers a class writes for assignment 01_pytorch_workflow: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "01_pytorch_workflow"

CORRECT = {
}

WRONG = {
}
