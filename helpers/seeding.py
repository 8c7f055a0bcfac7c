"""Make random draws repeatable."""

import random

import numpy as np
import torch


def set_seed(seed: int = 42) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and every GPU).

    Re-seeding with the same number replays the same random draws, which is
    what makes a notebook's printed numbers reproducible on one machine.
    Different hardware or library versions can still give slightly different
    results.

    Args:
        seed: Any non-negative integer.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds the CPU generator and all CUDA devices
    torch.cuda.manual_seed_all(seed)  # explicit, and safe without a GPU
