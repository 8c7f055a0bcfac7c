"""Save and reload model weights (state dicts) under a folder you choose."""

from pathlib import Path

import torch
from torch import nn

from helpers.training import model_device


def save_model(model: nn.Module, folder: str | Path, filename: str) -> Path:
    """Save ``model.state_dict()`` to ``folder / filename``, creating the folder.

    Args:
        model: The model whose learned parameters to save.
        folder: Where to write, e.g. ``"models"`` or a temporary directory.
        filename: Ending in ``.pt`` or ``.pth``, e.g. ``"01_linear_model.pt"``.

    Returns:
        The path written.

    Raises:
        ValueError: ``filename`` does not end in ``.pt`` or ``.pth``, or contains a folder.
    """
    if Path(filename).suffix not in {".pt", ".pth"} or Path(filename).name != filename:
        raise ValueError(f"filename must be a plain name ending in .pt or .pth, got {filename!r}")
    path = Path(folder) / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)
    return path


def load_model(model: nn.Module, path: str | Path) -> nn.Module:
    """Load saved weights into ``model`` (a fresh instance of the same class).

    The weights are loaded onto the device the model is already on, with
    ``weights_only=True`` (only tensors are read, no arbitrary pickled code).

    Args:
        model: A model with the same architecture as the saved one.
        path: A file written by :func:`save_model` (or ``torch.save(model.state_dict(), path)``).

    Returns:
        ``model``, now holding the saved weights.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path.resolve()}")
    state = torch.load(path, map_location=model_device(model), weights_only=True)
    model.load_state_dict(state)
    return model
