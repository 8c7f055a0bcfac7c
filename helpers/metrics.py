"""From logits to labels, and how often the labels are right.

Accuracy in this course is always a **fraction** between 0 and 1 (0.97, not
97); format it as a percentage when printing: ``f"{acc:.1%}"``.
"""

import torch


def logits_to_labels(logits: torch.Tensor) -> torch.Tensor:
    """Turn a classifier's raw outputs into predicted class labels.

    * Binary models output one logit per sample, shape ``(n, 1)`` or ``(n,)``:
      class 1 where ``sigmoid(logit) >= 0.5``. Mathematically that is
      ``logit >= 0``, which is what we compare: in float32 the sigmoid of a
      tiny negative logit such as -1e-8 rounds to exactly 0.5.
    * Multiclass models output one logit per class, shape ``(n, k)``: the label
      is the position of the largest logit in each row (``argmax(dim=1)``);
      softmax would not change which one that is.

    Args:
        logits: The model's outputs, before any sigmoid or softmax.

    Returns:
        ``int64`` labels of shape ``(n,)``, on the device of ``logits``.

    Raises:
        ValueError: ``logits`` is not of shape ``(n,)``, ``(n, 1)`` or ``(n, k)``.
    """
    if logits.ndim == 1:
        return (logits >= 0).long()
    if logits.ndim != 2:
        raise ValueError(f"expected logits of shape (n,), (n, 1) or (n, k), got {tuple(logits.shape)}")
    if logits.shape[1] == 1:
        return (logits[:, 0] >= 0).long()
    return logits.argmax(dim=1)


def accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """The fraction of predictions that equal the true labels.

    Args:
        y_true: True labels, shape ``(n,)`` (any numeric dtype: 1.0 equals 1).
        y_pred: Predicted labels of the same shape, e.g. from :func:`logits_to_labels`.

    Returns:
        A Python float between 0 and 1.

    Raises:
        ValueError: The shapes differ. Comparing ``(n,)`` with ``(n, 1)`` would
            silently broadcast to an ``(n, n)`` table and give a meaningless number.
    """
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has shape {tuple(y_true.shape)} but y_pred has shape {tuple(y_pred.shape)}; "
            "== would broadcast them to a table and count the wrong pairs. "
            "Squeeze (n, 1) logits or labels to (n,) first, e.g. logits.squeeze(1)."
        )
    if y_true.numel() == 0:
        raise ValueError("cannot compute the accuracy of zero predictions")
    return (y_true.to(y_pred.device) == y_pred).float().mean().item()
