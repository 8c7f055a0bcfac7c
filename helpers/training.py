"""Training and evaluation steps that leave the caller's model as they found it.

Both steps run on the device the model already lives on (the data is moved
there, the model never is) and put the model back in the mode it was in, so a
notebook can call them in any order without surprises. A binary classifier's
``(n, 1)`` logits are matched to ``(n,)`` labels (see :func:`match_binary_logits`).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from helpers.metrics import accuracy, logits_to_labels

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (CPU for a model without any)."""
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")


def match_binary_logits(output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squeeze a binary model's ``(n, 1)`` logits to ``(n,)`` when the labels are ``(n,)``.

    ``nn.BCEWithLogitsLoss`` insists that logits and labels have the same shape
    ("Target size ... must be the same as input size"). Any other output is
    returned unchanged.
    """
    if output.ndim == y.ndim + 1 and output.shape[-1] == 1:
        return output.squeeze(-1)
    return output


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
        y = y.to(device)
        loss = loss_fn(match_binary_logits(model(X.to(device)), y), y)
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
    y = y.to(device)
    with temporary_mode(model, training=False), torch.inference_mode():
        return loss_fn(match_binary_logits(model(X.to(device)), y), y).item()


test_step.__test__ = False  # tell pytest this is not a test, even when a test module imports it


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """The model's outputs for ``X``, computed in eval mode and returned on the CPU.

    The result carries no autograd history, so it can go straight to NumPy or
    a plot.
    """
    with temporary_mode(model, training=False), torch.inference_mode():
        return model(X.to(model_device(model))).cpu()


Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


def train_epoch(model: nn.Module, batches: Batches, loss_fn: LossFn, optimizer: torch.optim.Optimizer) -> dict[str, float]:
    """One pass of :func:`train_step` over ``batches`` (a ``DataLoader``, or prepared batches).

    Returns:
        ``{"loss": ..., "accuracy": ..., "samples": ...}``: the mean loss and the accuracy of the
        predictions made *during* the epoch (each before its batch's update), weighted by batch size.
    """
    device = model_device(model)
    loss_sum, correct, samples = 0.0, 0, 0
    with temporary_mode(model, training=True):
        for X, y in batches:
            X, y = X.to(device), y.to(device)
            output = match_binary_logits(model(X), y)
            loss = loss_fn(output, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(y)
            correct += int((logits_to_labels(output.detach()) == y).sum())
            samples += len(y)
    return _epoch_result(loss_sum, correct, samples)


def evaluate(model: nn.Module, batches: Batches, loss_fn: LossFn | None = None) -> dict[str, float]:
    """The model's loss (if ``loss_fn`` is given) and accuracy over ``batches``, in eval mode, without gradients.

    Returns:
        ``{"loss": ..., "accuracy": ..., "samples": ...}`` (``loss`` is ``nan`` without a ``loss_fn``).
    """
    device = model_device(model)
    loss_sum, correct, samples = 0.0, 0, 0
    with temporary_mode(model, training=False), torch.inference_mode():
        for X, y in batches:
            X, y = X.to(device), y.to(device)
            output = match_binary_logits(model(X), y)
            if loss_fn is not None:
                loss_sum += loss_fn(output, y).item() * len(y)
            correct += int((logits_to_labels(output) == y).sum())
            samples += len(y)
    return _epoch_result(loss_sum if loss_fn is not None else float("nan"), correct, samples)


def _epoch_result(loss_sum: float, correct: int, samples: int) -> dict[str, float]:
    if samples == 0:
        raise ValueError("no batches: the DataLoader (or prepared batches) yielded nothing")
    return {"loss": loss_sum / samples, "accuracy": correct / samples, "samples": samples}


History = dict[str, list[float]]


def fit(
    model: nn.Module,
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    X_test: torch.Tensor,
    y_test: torch.Tensor,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    *,
    eval_every: int = 10,
    classification: bool = True,
    print_every: int = 0,
) -> History:
    """Train on the whole training set for ``epochs`` steps, measuring train and test sets as it goes.

    Each epoch is one full-batch :func:`train_step` (right for small tensors
    that fit in memory; mini-batches come in chapter 03). Both sets are
    measured before training (epoch 0), after every ``eval_every`` epochs and
    after the last one, in eval mode under ``inference_mode``, so the two curves
    compare like with like (dropout off for both). Epoch ``k`` means "after
    ``k`` training steps". The "test" set may just as well be a validation set.

    Args:
        model: The model to train, on the device it should train on.
        X_train: Training inputs (moved to the model's device).
        y_train: Training targets: ``float`` labels for ``BCEWithLogitsLoss``,
            ``long`` class indices for ``CrossEntropyLoss``.
        X_test: Held-out inputs.
        y_test: Held-out targets.
        loss_fn: Called as ``loss_fn(logits, y)``.
        optimizer: An optimizer over ``model.parameters()``.
        epochs: Number of training steps.
        eval_every: How often to measure (in epochs).
        classification: Also record accuracies (fractions between 0 and 1).
        print_every: Print a progress line at the measured epochs that are multiples of this (0: never).

    Returns:
        A history of lists: ``epoch``, ``train_loss``, ``test_loss`` and, for
        classification, ``train_acc`` and ``test_acc``.
    """
    device = model_device(model)
    X_train, y_train, X_test, y_test = (t.to(device) for t in (X_train, y_train, X_test, y_test))
    history: History = {"epoch": [], "train_loss": [], "test_loss": []}
    if classification:
        history |= {"train_acc": [], "test_acc": []}

    def measure(epoch: int) -> None:
        history["epoch"].append(epoch)
        for split, X, y in (("train", X_train, y_train), ("test", X_test, y_test)):
            with temporary_mode(model, training=False), torch.inference_mode():
                logits = match_binary_logits(model(X), y)
                history[f"{split}_loss"].append(loss_fn(logits, y).item())
                if classification:
                    history[f"{split}_acc"].append(accuracy(y, logits_to_labels(logits)))
        if print_every and (epoch % print_every == 0 or epoch == epochs):
            print(_progress_line(history))

    measure(0)
    for epoch in range(1, epochs + 1):
        train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0 or epoch == epochs:
            measure(epoch)
    return history


def _progress_line(history: History) -> str:
    line = f"Epoch {history['epoch'][-1]:4d} | train loss {history['train_loss'][-1]:.4f} | test loss {history['test_loss'][-1]:.4f}"
    if "test_acc" in history:
        line += f" | train acc {history['train_acc'][-1]:.1%} | test acc {history['test_acc'][-1]:.1%}"
    return line
