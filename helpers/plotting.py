"""Plots used across the chapters. They copy what they need to the CPU and change nothing else."""

import copy
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from torch import nn

from helpers.metrics import logits_to_labels


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
    test_label: str = "Test loss",
) -> Axes:
    """Plot training (and test) loss against the epoch number.

    Args:
        epochs: The epochs at which the losses were recorded.
        train_losses: Training losses (floats or 0-d tensors).
        test_losses: Test losses recorded at the same epochs (optional).
        ax: Axes to draw on; a new figure is made when omitted.
        log_scale: Use a logarithmic loss axis (handy when the loss spans decades).
        test_label: The legend entry of the second curve, e.g. ``"Validation loss"``.

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
        ax.plot(list(epochs), _cpu(test_losses), label=test_label)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Loss")
    ax.legend()
    return ax


def plot_decision_boundary(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    ax: Axes | None = None,
    resolution: int = 201,
    margin: float = 0.1,
) -> Axes:
    """Colour the plane by the class a 2-feature classifier predicts, and scatter the data on top.

    Works for binary models (one logit per sample) and multiclass models (one
    logit per class). The model is evaluated as a CPU copy in eval mode, so
    the caller's model keeps its device, its train/eval mode, its parameters
    and its gradients: the plot changes nothing.

    Args:
        model: A classifier taking inputs of shape ``(n, 2)`` and returning logits.
        X: The points to scatter, shape ``(n, 2)``, on any device.
        y: Their labels, shape ``(n,)`` (the colour of each point).
        ax: Axes to draw on; a new figure is made when omitted.
        resolution: Grid points per axis (higher is smoother and slower).
        margin: Extra space around the data, as a fraction of its range.

    Returns:
        The Axes drawn on.

    Raises:
        ValueError: ``X`` does not have exactly two features.
    """
    X_cpu, y_cpu = _cpu(X).float(), _cpu(y)
    if X_cpu.ndim != 2 or X_cpu.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs X of shape (n, 2), got {tuple(X_cpu.shape)}")
    low, high = X_cpu.min(dim=0).values, X_cpu.max(dim=0).values
    pad = (high - low) * margin
    xs = torch.linspace(float(low[0] - pad[0]), float(high[0] + pad[0]), resolution)
    ys = torch.linspace(float(low[1] - pad[1]), float(high[1] + pad[1]), resolution)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.column_stack([xx.flatten(), yy.flatten()])

    copy_on_cpu = copy.deepcopy(model).cpu().eval()
    with torch.inference_mode():
        logits = copy_on_cpu(grid)
    labels = logits_to_labels(logits).reshape(xx.shape)
    n_classes = max(2, logits.shape[1] if logits.ndim == 2 else 1, int(y_cpu.max()) + 1 if len(y_cpu) else 0)

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    colours = {"cmap": "RdYlBu" if n_classes == 2 else "viridis", "vmin": -0.5, "vmax": n_classes - 0.5}
    ax.pcolormesh(xx.numpy(), yy.numpy(), labels.numpy(), shading="nearest", alpha=0.35, **colours)
    ax.scatter(X_cpu[:, 0], X_cpu[:, 1], c=y_cpu.numpy(), s=12, edgecolors="black", linewidths=0.3, **colours)
    ax.set_xlim(float(xs[0]), float(xs[-1]))
    ax.set_ylim(float(ys[0]), float(ys[-1]))
    return ax


def plot_confusion_matrix(
    y_true: torch.Tensor | Sequence[int],
    y_pred: torch.Tensor | Sequence[int],
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    normalize: bool = False,
) -> Axes:
    """Draw the confusion matrix: rows are the true classes, columns the predicted ones.

    Args:
        y_true: True labels, shape ``(n,)``, on any device.
        y_pred: Predicted labels, same shape.
        class_names: A name per class (default: ``0 .. k - 1``); also fixes the number of classes,
            so a class that never occurs still gets its row and column.
        ax: Axes to draw on; a new figure is made when omitted.
        normalize: Show each row as fractions of that true class (recall on the diagonal).

    Returns:
        The Axes drawn on.

    Raises:
        ValueError: The two label lists have different lengths.
    """
    true, pred = _cpu(y_true).long().flatten(), _cpu(y_pred).long().flatten()
    if len(true) != len(pred):
        raise ValueError(f"y_true has {len(true)} labels but y_pred has {len(pred)}")
    n_classes = len(class_names) if class_names is not None else int(max(true.max(), pred.max())) + 1
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix  # here: scikit-learn takes seconds to import

    matrix = confusion_matrix(true.numpy(), pred.numpy(), labels=list(range(n_classes)), normalize="true" if normalize else None)
    if ax is None:
        size = max(4.0, 0.6 * n_classes + 2)
        _, ax = plt.subplots(figsize=(size, size))
    display = ConfusionMatrixDisplay(matrix, display_labels=list(class_names) if class_names is not None else None)
    display.plot(ax=ax, cmap="Blues", colorbar=False, values_format=".2f" if normalize else "d")
    return ax


def plot_image_grid(
    images: torch.Tensor,
    titles: Sequence[str] | None = None,
    colors: Sequence[str] | None = None,
    cols: int = 5,
) -> plt.Figure:
    """Show images in a grid, one title (and title colour) each.

    Args:
        images: ``(n, 1, h, w)`` or ``(n, h, w)`` grey images, any dtype, on any device (a CPU copy is drawn).
        titles: One title per image (optional).
        colors: One title colour per image (optional), e.g. green for right, red for wrong.
        cols: Images per row.

    Returns:
        The figure.
    """
    pictures = _cpu(images)
    if pictures.ndim == 4 and pictures.shape[1] == 1:
        pictures = pictures[:, 0]
    if pictures.ndim != 3:
        raise ValueError(f"expected images of shape (n, 1, h, w) or (n, h, w), got {tuple(images.shape)}")
    count = len(pictures)
    if count == 0:
        raise ValueError("no images to show")
    cols = min(cols, count)
    rows = -(-count // cols)
    figure, axes = plt.subplots(rows, cols, figsize=(1.8 * cols, 2.0 * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            ax.imshow(pictures[index].float().numpy(), cmap="gray")
            if titles is not None:
                ax.set_title(titles[index], color=colors[index] if colors is not None else "black", fontsize=9)
    figure.tight_layout()
    return figure


def _predict_with_confidence(model: nn.Module, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Predicted labels and their softmax probabilities (eval mode, the model's own device; CPU results)."""
    from helpers.training import predict

    logits = predict(model, images)
    if logits.ndim != 2 or logits.shape[1] == 1:
        raise ValueError(f"expected one logit per class, shape (n, k), got {tuple(logits.shape)}")
    labels = logits_to_labels(logits)
    confidence = torch.softmax(logits.float(), dim=1).gather(1, labels.unsqueeze(1)).squeeze(1)
    return labels, confidence


def _name(label: int, class_names: Sequence[str] | None) -> str:
    return str(class_names[label]) if class_names is not None else str(label)


def plot_prediction_grid(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    class_names: Sequence[str] | None = None,
    cols: int = 3,
) -> plt.Figure:
    """The model's prediction for each image: title ``predicted (true ...)``, green when right, red when wrong.

    The model runs in eval mode on its own device and is left as it was; ``images`` must be
    preprocessed as for training (for a 3x3 grid, pass 9 test images).
    """
    predicted, _ = _predict_with_confidence(model, images)
    true = _cpu(labels).long()
    titles = [f"{_name(int(p), class_names)} (true {_name(int(t), class_names)})" for p, t in zip(predicted, true)]
    colors = ["tab:green" if p == t else "tab:red" for p, t in zip(predicted, true)]
    return plot_image_grid(images, titles, colors, cols=cols)


def plot_misclassified(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    class_names: Sequence[str] | None = None,
    max_images: int = 15,
    cols: int = 5,
) -> tuple[plt.Figure, torch.Tensor]:
    """The images the model gets wrong, most confident mistakes first, with true and predicted labels.

    Returns:
        The figure and the indices (into ``images``) of every misclassified image, in the order shown.

    Raises:
        ValueError: The model gets every image right (there is nothing to show).
    """
    predicted, confidence = _predict_with_confidence(model, images)
    true = _cpu(labels).long()
    wrong = torch.nonzero(predicted != true).flatten()
    if len(wrong) == 0:
        raise ValueError(f"the model classifies all {len(true)} images correctly: nothing to show")
    wrong = wrong[torch.argsort(confidence[wrong], descending=True)]
    shown = wrong[:max_images]
    titles = [f"true {_name(int(true[i]), class_names)}, said {_name(int(predicted[i]), class_names)}\n"
              f"{float(confidence[i]):.0%} sure" for i in shown]
    figure = plot_image_grid(_cpu(images)[shown], titles, ["tab:red"] * len(shown), cols=cols)
    return figure, wrong


_BROADCAST_OPS = {"+": torch.add, "-": torch.sub, "*": torch.mul}
_BROADCAST_SIGNS = {"+": "+", "-": "−", "*": "×"}


def _as_grid(values: torch.Tensor) -> torch.Tensor:
    """A tensor of at most 2 dimensions as a 2-D grid, aligned from the right: ``()`` -> (1, 1), ``(n,)`` -> (1, n)."""
    return values.reshape((1,) * (2 - values.ndim) + tuple(values.shape))


def _draw_grid(ax: Axes, grid: torch.Tensor, x: float, y: float, color: str, title: str,
               stretched_from: tuple[int, int] | None = None) -> None:
    """Draw ``grid`` with its top-left corner at (x, y), one numbered square per value; copies made by
    broadcasting (cells outside the first row / column of a size-1 dimension of ``stretched_from``) are pale."""
    from matplotlib.patches import Rectangle

    rows, cols = grid.shape
    for i in range(rows):
        for j in range(cols):
            copy = stretched_from is not None and (
                (stretched_from[0] == 1 and i > 0) or (stretched_from[1] == 1 and j > 0))
            ax.add_patch(Rectangle((x + j, y - i - 1), 1, 1, facecolor=color, alpha=0.15 if copy else 0.5,
                                   edgecolor="white", linewidth=2))
            ax.text(x + j + 0.5, y - i - 0.5, f"{float(grid[i, j]):.3g}", ha="center", va="center",
                    fontsize=10, color="0.55" if copy else "black")
    ax.text(x + cols / 2, y + 0.35, title, ha="center", va="bottom", fontsize=10)


def plot_broadcast(
    left: torch.Tensor,
    right: torch.Tensor,
    op: str = "+",
    names: tuple[str, str] = ("left", "right"),
    mark_diagonal: bool = False,
) -> plt.Figure:
    """Draw what broadcasting does: both operands as given, both stretched to the common shape, and the result.

    Operands of up to 2 dimensions are drawn as grids of numbers, aligned from the right (a vector of shape
    ``(n,)`` is one row, a scalar one square). In the stretched grids the operand's own values are dark and
    the copies broadcasting makes of them are pale. Tensors may live on any device and may require
    gradients: the plot uses CPU copies and leaves the originals alone.

    Args:
        left: The left operand (at most 2 dimensions).
        right: The right operand (at most 2 dimensions).
        op: ``"+"``, ``"-"`` or ``"*"``.
        names: What the titles call the two operands.
        mark_diagonal: Outline the result's diagonal, e.g. the pairs ``(n,) - (n, 1)`` was meant to compare.

    Returns:
        The figure.

    Raises:
        ValueError: An operand has more than 2 dimensions, the result more than 12 values along a side,
            or ``op`` is not one of the three.
        RuntimeError: The shapes cannot broadcast (PyTorch's own message).
    """
    if op not in _BROADCAST_OPS:
        raise ValueError(f"op must be one of {', '.join(_BROADCAST_OPS)}, got {op!r}")
    a, b = _cpu(left), _cpu(right)
    if max(a.ndim, b.ndim) > 2:
        raise ValueError(f"plot_broadcast draws tensors of at most 2 dimensions, got {tuple(a.shape)} and {tuple(b.shape)}")
    result = _BROADCAST_OPS[op](a, b)
    if max(result.shape, default=1) > 12:
        raise ValueError(f"a result of shape {tuple(result.shape)} is too big to draw legibly (at most 12 per side)")
    grid_a, grid_b, grid_result = _as_grid(a), _as_grid(b), _as_grid(result)
    rows, cols = grid_result.shape
    gap = 1.6  # room for an operator sign between two grids
    sign = _BROADCAST_SIGNS[op]
    shape = tuple(result.shape)

    figure, ax = plt.subplots()
    top = 0.0
    _draw_grid(ax, grid_a, 0, top, "tab:blue", f"{names[0]} {tuple(a.shape)}")
    x = grid_a.shape[1] + gap
    _draw_grid(ax, grid_b, x, top, "tab:orange", f"{names[1]} {tuple(b.shape)}")
    ax.text(x - gap / 2, top - 0.5, sign, ha="center", va="center", fontsize=16)
    top_width = x + grid_b.shape[1]

    bottom = top - max(grid_a.shape[0], grid_b.shape[0]) - 1.6
    for k, (grid, color, title) in enumerate([
        (grid_a, "tab:blue", f"{names[0]} stretched to {shape}"),
        (grid_b, "tab:orange", f"{names[1]} stretched to {shape}"),
        (grid_result, "tab:green", f"{names[0]} {sign} {names[1]} {shape}"),
    ]):
        x = k * (cols + gap)
        stretched = grid.expand(rows, cols)
        _draw_grid(ax, stretched, x, bottom, color, title, None if k == 2 else tuple(grid.shape))
        if k > 0:
            ax.text(x - gap / 2, bottom - rows / 2, sign if k == 1 else "=", ha="center", va="center", fontsize=16)
    if mark_diagonal:
        from matplotlib.patches import Rectangle

        x = 2 * (cols + gap)
        for i in range(min(rows, cols)):
            ax.add_patch(Rectangle((x + i, bottom - i - 1), 1, 1, fill=False, edgecolor="black", linewidth=2))
    width = max(top_width, 3 * cols + 2 * gap)
    height = -(bottom - rows) + 1
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(bottom - rows - 0.2, top + 1)
    ax.set_aspect("equal")
    ax.axis("off")
    figure.set_size_inches(max(4.0, 0.6 * width), 0.6 * height)
    figure.tight_layout()
    return figure
