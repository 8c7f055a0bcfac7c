"""Helpers for the hands-on PyTorch course.

The notebooks import everything they need from here, so the teaching cells stay
about PyTorch rather than about plumbing::

    from helpers import get_device, set_seed, show_error, Timer, record
"""

from helpers.device import get_device
from helpers.errors import show_error
from helpers.results import record
from helpers.seeding import set_seed
from helpers.timing import Timer

__version__ = "0.1.0"

__all__ = ["get_device", "record", "set_seed", "show_error", "Timer", "__version__"]
