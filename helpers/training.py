"""Training and evaluation steps that leave the caller's model as they found it.

Both steps run on the device the model already lives on (the data is moved
there, the model never is) and put the model back in the mode it was in, so a
notebook can call them in any order without surprises.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (CPU for a model without any)."""
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


@contextmanager
def temporary_mode(model: nn.Module, training: bool) -> Iterator[nn.Module]:
    """Put ``model`` in train (``True``) or eval (``False``) mode for a block, then restore it.

    ``model.train()`` and ``model.eval()`` only switch layers such as dropout and
    batch norm between their training and evaluation behaviour; they do not
    turn gradients on or off.
    """
    was_training = model.training
    model.train(training)
    try:
        yield model
    finally:
        model.train(was_training)


def train_step(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn, optimizer: torch.optim.Optimizer) -> float:
    """One optimisation step: forward, loss, zero the gradients, backward, update.

    Args:
        model: The model to train; it stays on its device and in its mode.
        X: A batch of inputs (moved to the model's device).
        y: The matching targets (moved to the model's device).
        loss_fn: E.g. ``nn.L1Loss()``; called as ``loss_fn(prediction, y)``.
        optimizer: An optimizer over ``model.parameters()``.

    Returns:
        The batch loss *before* the update, as a Python float.
    """
    device = model_device(model)
    with temporary_mode(model, training=True):
        loss = loss_fn(model(X.to(device)), y.to(device))
        optimizer.zero_grad()  # backward() adds to .grad, so clear last step's gradients first
        loss.backward()
        optimizer.step()
    return loss.item()


def test_step(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Evaluate a batch in eval mode without tracking gradients.

    Args:
        model: The model to evaluate; it stays on its device and in its mode.
        X: A batch of inputs (moved to the model's device).
        y: The matching targets (moved to the model's device).
        loss_fn: Called as ``loss_fn(prediction, y)``.

    Returns:
        The batch loss as a Python float.
    """
    device = model_device(model)
    with temporary_mode(model, training=False), torch.inference_mode():
        return loss_fn(model(X.to(device)), y.to(device)).item()


test_step.__test__ = False  # tell pytest this is not a test, even when a test module imports it


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """The model's outputs for ``X``, computed in eval mode and returned on the CPU.

    The result carries no autograd history, so it can go straight to NumPy or
    a plot.
    """
    with temporary_mode(model, training=False), torch.inference_mode():
        return model(X.to(model_device(model))).cpu()
