"""Pick the best available device for device-agnostic code."""

import torch


def get_device(allow_mps: bool = False) -> str:
    """Return the name of the fastest available device.

    The result is a plain string, so it works everywhere a device is accepted
    (``tensor.to(device)``, ``torch.zeros(3, device=device)``).

    Args:
        allow_mps: Also consider Apple-silicon GPUs (``"mps"``). Off by default
            because a few operations are still missing on MPS.

    Returns:
        ``"cuda"`` if an NVIDIA GPU is usable, else ``"mps"`` if allowed and
        available, else ``"cpu"``.
    """
    if torch.cuda.is_available():
        return "cuda"
    if allow_mps and torch.backends.mps.is_available():
        return "mps"
    return "cpu"
