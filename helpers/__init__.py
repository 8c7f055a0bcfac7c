"""Helpers for the hands-on PyTorch course.

The notebooks import everything they need from here, so the teaching cells stay
about PyTorch rather than about plumbing::

    from helpers import get_device, set_seed, show_error, Timer, record
    from helpers import train_step, test_step, plot_predictions, save_model
    from helpers import fit, accuracy, logits_to_labels, plot_decision_boundary
    from helpers import check_all  # every visible test of an exercise notebook, with a summary
"""

import importlib
from typing import Any

#: Where each public name lives. They are imported on first use, so that
#: ``import helpers.course`` (the grader) does not load torch and matplotlib.
_LOCATIONS = {
    "accuracy": "helpers.metrics",
    "check_all": "helpers.self_check",
    "conv_output_size": "helpers.vision",
    "evaluate": "helpers.training",
    "fit": "helpers.training",
    "get_device": "helpers.device",
    "load_model": "helpers.saving",
    "logits_to_labels": "helpers.metrics",
    "match_binary_logits": "helpers.training",
    "mnist": "helpers.vision",
    "model_device": "helpers.training",
    "plot_broadcast": "helpers.plotting",
    "plot_confusion_matrix": "helpers.plotting",
    "plot_decision_boundary": "helpers.plotting",
    "plot_image_grid": "helpers.plotting",
    "plot_loss_curves": "helpers.plotting",
    "plot_misclassified": "helpers.plotting",
    "plot_prediction_grid": "helpers.plotting",
    "plot_predictions": "helpers.plotting",
    "predict": "helpers.training",
    "record": "helpers.results",
    "save_model": "helpers.saving",
    "set_seed": "helpers.seeding",
    "show_error": "helpers.errors",
    "show_traceback": "helpers.checks",
    "temporary_mode": "helpers.training",
    "test_step": "helpers.training",
    "Timer": "helpers.timing",
    "train_epoch": "helpers.training",
    "train_step": "helpers.training",
}


def __getattr__(name: str) -> Any:
    if name in _LOCATIONS:
        value = getattr(importlib.import_module(_LOCATIONS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LOCATIONS))


__version__ = "0.1.0"

__all__ = [
    "accuracy",
    "check_all",
    "conv_output_size",
    "evaluate",
    "fit",
    "get_device",
    "load_model",
    "logits_to_labels",
    "match_binary_logits",
    "mnist",
    "model_device",
    "plot_broadcast",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_image_grid",
    "plot_loss_curves",
    "plot_misclassified",
    "plot_prediction_grid",
    "plot_predictions",
    "predict",
    "record",
    "save_model",
    "set_seed",
    "show_error",
    "show_traceback",
    "temporary_mode",
    "test_step",
    "Timer",
    "train_epoch",
    "train_step",
    "__version__",
]
