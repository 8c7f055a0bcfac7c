"""The plot helpers draw the right things and leave the caller's tensors untouched."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import plot_loss_curves, plot_predictions  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_predictions_draws_train_test_and_predictions_in_their_colours():
    X = torch.arange(0, 1, 0.1).unsqueeze(1)
    y = 0.7 * X + 0.3
    predictions = (X[8:] * 2).requires_grad_()
    ax = plot_predictions(X[:8], y[:8], X[8:], y[8:], predictions)
    train, test, pred = ax.collections
    assert [c.get_label() for c in ax.collections] == ["Training data", "Test data", "Predictions"]
    assert np.allclose(train.get_offsets(), np.c_[X[:8].flatten(), y[:8].flatten()])
    assert np.allclose(pred.get_offsets()[:, 1], predictions.detach().flatten())
    assert matplotlib.colors.same_color(test.get_facecolor()[0], "tab:green")
    assert predictions.requires_grad, "the caller's tensor keeps its autograd state"


def test_plot_predictions_without_predictions_draws_two_groups():
    X = torch.rand(5, 1)
    assert len(plot_predictions(X, X, X, X).collections) == 2


def test_plot_loss_curves_accepts_floats_and_tensors():
    ax = plot_loss_curves([0, 10, 20], [0.5, 0.3, 0.1], [torch.tensor(0.6), torch.tensor(0.4), torch.tensor(0.2)], log_scale=True)
    train, test = ax.get_lines()
    assert list(train.get_ydata()) == pytest.approx([0.5, 0.3, 0.1])
    assert list(test.get_ydata()) == pytest.approx([0.6, 0.4, 0.2])
    assert ax.get_yscale() == "log"


def test_plot_loss_curves_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        plot_loss_curves([0, 10], [0.5, 0.3, 0.1])


def test_plots_draw_on_a_given_axes():
    _, ax = plt.subplots()
    assert plot_loss_curves([0], [1.0], ax=ax) is ax
