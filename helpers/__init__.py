"""Helpers for the hands-on PyTorch course.

The notebooks import everything they need from here, so the teaching cells stay
about PyTorch rather than about plumbing::

    from helpers import get_device, set_seed, show_error, Timer, record
    from helpers import train_step, test_step, plot_predictions, save_model
    from helpers import fit, accuracy, logits_to_labels, plot_decision_boundary
"""

from helpers.device import get_device
from helpers.errors import show_error
from helpers.metrics import accuracy, logits_to_labels
from helpers.plotting import plot_confusion_matrix, plot_decision_boundary, plot_loss_curves, plot_predictions
from helpers.results import record
from helpers.saving import load_model, save_model
from helpers.seeding import set_seed
from helpers.timing import Timer
from helpers.training import fit, match_binary_logits, model_device, predict, temporary_mode, test_step, train_step

__version__ = "0.1.0"

__all__ = [
    "accuracy",
    "fit",
    "get_device",
    "load_model",
    "logits_to_labels",
    "match_binary_logits",
    "model_device",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_loss_curves",
    "plot_predictions",
    "predict",
    "record",
    "save_model",
    "set_seed",
    "show_error",
    "temporary_mode",
    "test_step",
    "Timer",
    "train_step",
    "__version__",
]
