"""Plots used across the chapters. They copy what they need to the CPU and change nothing else."""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes


def _cpu(values: torch.Tensor | Sequence[float]) -> torch.Tensor:
    """A detached CPU copy of a tensor, or a tensor made from a list of numbers."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu()
    return torch.tensor([float(v) for v in values])


def plot_predictions(
    train_data: torch.Tensor,
    train_labels: torch.Tensor,
    test_data: torch.Tensor,
    test_labels: torch.Tensor,
    predictions: torch.Tensor | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Scatter training data (blue), test data (green) and predictions (red).

    Tensors may live on any device and may require gradients: the plot uses
    CPU copies and leaves the originals alone.

    Args:
        train_data: Training inputs, shape ``(n, 1)`` or ``(n,)``.
        train_labels: Training targets, same length.
        test_data: Test inputs.
        test_labels: Test targets.
        predictions: Predictions for ``test_data`` (optional).
        ax: Axes to draw on; a new figure is made when omitted.

    Returns:
        The Axes drawn on.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5))
    ax.scatter(_cpu(train_data).flatten(), _cpu(train_labels).flatten(), c="tab:blue", s=8, label="Training data")
    ax.scatter(_cpu(test_data).flatten(), _cpu(test_labels).flatten(), c="tab:green", s=8, label="Test data")
    if predictions is not None:
        ax.scatter(_cpu(test_data).flatten(), _cpu(predictions).flatten(), c="tab:red", s=8, label="Predictions")
    ax.set_xlabel("X")
    ax.set_ylabel("y")
    ax.legend()
    return ax


def plot_loss_curves(
    epochs: Sequence[int],
    train_losses: Sequence[float] | torch.Tensor,
    test_losses: Sequence[float] | torch.Tensor | None = None,
    ax: Axes | None = None,
    log_scale: bool = False,
) -> Axes:
    """Plot training (and test) loss against the epoch number.

    Args:
        epochs: The epochs at which the losses were recorded.
        train_losses: Training losses (floats or 0-d tensors).
        test_losses: Test losses recorded at the same epochs (optional).
        ax: Axes to draw on; a new figure is made when omitted.
        log_scale: Use a logarithmic loss axis (handy when the loss spans decades).

    Returns:
        The Axes drawn on.

    Raises:
        ValueError: The lists have different lengths.
    """
    lengths = {len(epochs), len(train_losses)} | ({len(test_losses)} if test_losses is not None else set())
    if len(lengths) != 1:
        raise ValueError(f"epochs and losses must have the same length, got lengths {sorted(lengths)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5))
    ax.plot(list(epochs), _cpu(train_losses), label="Train loss")
    if test_losses is not None:
        ax.plot(list(epochs), _cpu(test_losses), label="Test loss")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss")
    ax.legend()
    return ax
