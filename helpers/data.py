"""Seeded toy datasets for classification, as ready-to-use tensors.

Every function returns ``(X, y)``: ``X`` is ``float32`` with one row per sample
and one column per feature, ``y`` holds integer class labels (``int64``,
``0 .. n_classes - 1``). That is what ``nn.CrossEntropyLoss`` wants; for a
binary model trained with ``nn.BCEWithLogitsLoss`` convert the labels with
``y.float()``. The same ``seed`` always gives the same data.

Chapter 02 builds its first datasets by hand from scikit-learn (NumPy float64
to torch float32); these helpers do the same in one call.
"""

import numpy as np
import torch
from sklearn import datasets
from sklearn.model_selection import train_test_split

Split = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def _tensors(X: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(X).to(torch.float32), torch.from_numpy(y).to(torch.int64)


def make_circles(n_samples: int = 1000, noise: float = 0.03, seed: int = 42) -> tuple[torch.Tensor, torch.Tensor]:
    """Two concentric circles (scikit-learn's ``make_circles``): a binary problem no straight line solves.

    Args:
        n_samples: Total number of points, split evenly between the two circles.
        noise: Standard deviation of the Gaussian noise added to the points.
        seed: Random seed (scikit-learn's ``random_state``).

    Returns:
        ``X`` of shape ``(n_samples, 2)`` and labels ``y`` of shape ``(n_samples,)``: 0 outer, 1 inner circle.
    """
    return _tensors(*datasets.make_circles(n_samples, noise=noise, random_state=seed))


def make_moons(n_samples: int = 1000, noise: float = 0.1, seed: int = 42) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half-moons (scikit-learn's ``make_moons``): a binary problem.

    Args:
        n_samples: Total number of points, split evenly between the two moons.
        noise: Standard deviation of the Gaussian noise added to the points.
        seed: Random seed (scikit-learn's ``random_state``).

    Returns:
        ``X`` of shape ``(n_samples, 2)`` and labels ``y`` of shape ``(n_samples,)`` in {0, 1}.
    """
    return _tensors(*datasets.make_moons(n_samples, noise=noise, random_state=seed))


def make_blobs(
    n_samples: int = 1000,
    n_features: int = 2,
    centers: int = 4,
    cluster_std: float = 1.5,
    seed: int = 42,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gaussian blobs around random centres (scikit-learn's ``make_blobs``): a multiclass problem.

    Args:
        n_samples: Total number of points, split evenly between the blobs.
        n_features: Number of input features (columns of ``X``).
        centers: Number of blobs, which is the number of classes.
        cluster_std: Spread of each blob.
        seed: Random seed (scikit-learn's ``random_state``).

    Returns:
        ``X`` of shape ``(n_samples, n_features)`` and labels ``y`` of shape ``(n_samples,)`` in ``0 .. centers - 1``.
    """
    X, y = datasets.make_blobs(n_samples, n_features=n_features, centers=centers, cluster_std=cluster_std, random_state=seed)
    return _tensors(X, y)


def make_spirals(
    n_per_class: int = 100,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int = 42,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Interleaved spiral arms, one per class (the classic CS231n toy problem).

    Arm ``k`` has ``n_per_class`` points at radius 0 to 1; its angle sweeps
    four radians, starting where arm ``k - 1`` ended, plus Gaussian noise.

    Args:
        n_per_class: Points per arm.
        n_classes: Number of arms, which is the number of classes.
        noise: Standard deviation of the noise added to each point's angle (radians).
        seed: Seed of the NumPy generator that draws the noise.

    Returns:
        ``X`` of shape ``(n_per_class * n_classes, 2)`` and labels ``y`` in ``0 .. n_classes - 1``,
        ordered class by class.
    """
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    points, labels = [], []
    for k in range(n_classes):
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + rng.normal(0.0, noise, n_per_class)
        points.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(n_per_class, k))
    return _tensors(np.concatenate(points), np.concatenate(labels))


def split(
    X: torch.Tensor,
    y: torch.Tensor,
    test_size: float = 0.2,
    seed: int = 42,
    stratify: bool = False,
) -> Split:
    """Shuffle and split into training and test sets, like scikit-learn's ``train_test_split``.

    The same ``seed`` gives the same split as ``train_test_split(X, y, test_size=test_size,
    random_state=seed)``. Only the shuffled positions come from scikit-learn; the tensors are
    indexed where they are, so they may live on any device.

    Args:
        X: Inputs, one row per sample.
        y: Labels, one per sample.
        test_size: Fraction of the samples that go to the test set.
        seed: Random seed of the shuffle.
        stratify: Keep the class proportions equal in both sets (useful for imbalanced data).

    Returns:
        ``X_train, X_test, y_train, y_test``, in scikit-learn's order.

    Raises:
        ValueError: ``X`` and ``y`` have different numbers of samples.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}: they must match one to one")
    train_index, test_index = train_test_split(
        np.arange(len(X)), test_size=test_size, random_state=seed, stratify=y.cpu().numpy() if stratify else None
    )
    train_index, test_index = torch.from_numpy(train_index), torch.from_numpy(test_index)
    return (
        X[train_index.to(X.device)],
        X[test_index.to(X.device)],
        y[train_index.to(y.device)],
        y[test_index.to(y.device)],
    )
