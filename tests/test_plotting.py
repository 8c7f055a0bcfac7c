"""The plot helpers draw the right things and leave the caller's tensors untouched."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.collections  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers import plot_confusion_matrix, plot_decision_boundary, plot_loss_curves, plot_predictions  # noqa: E402


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


def test_plot_loss_curves_names_the_held_out_curve():
    ax = plot_loss_curves([0, 1], [0.5, 0.3], [0.6, 0.4], test_label="Validation loss")
    assert [line.get_label() for line in ax.get_lines()] == ["Train loss", "Validation loss"]


def test_plot_loss_curves_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same length"):
        plot_loss_curves([0, 10], [0.5, 0.3, 0.1])


def test_plots_draw_on_a_given_axes():
    _, ax = plt.subplots()
    assert plot_loss_curves([0], [1.0], ax=ax) is ax


class TwoClassesByX(torch.nn.Module):
    """A fixed binary classifier: class 1 right of x = 0.5. Dropout makes train mode noisy."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor([[10.0, 0.0]]))
            self.linear.bias.fill_(-5.0)
        self.dropout = torch.nn.Dropout(0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.linear(x))


def regions(ax) -> tuple[matplotlib.collections.QuadMesh, matplotlib.collections.PathCollection]:
    """The coloured class regions and the scattered points of a decision-boundary plot."""
    mesh = next(c for c in ax.collections if isinstance(c, matplotlib.collections.QuadMesh))
    points = next(c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection))
    return mesh, points


def test_decision_boundary_follows_the_model_and_changes_nothing():
    model = TwoClassesByX().train()
    model.linear.weight.grad = torch.ones(1, 2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    X = torch.rand(50, 2, requires_grad=True)
    y = (X[:, 0] > 0.5).long()
    rng_before = torch.get_rng_state()

    ax = plot_decision_boundary(model, X, y, resolution=51)

    assert model.training, "the caller's train/eval mode is kept"
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert torch.equal(model.linear.weight.grad, torch.ones(1, 2)), "gradients are untouched"
    assert torch.equal(torch.get_rng_state(), rng_before), "no dropout ran on the caller's generator"
    assert X.requires_grad
    _, points = regions(ax)
    assert np.allclose(points.get_offsets(), X.detach().numpy())
    assert np.array_equal(points.get_array(), y.numpy())


def test_decision_boundary_colours_the_plane_by_predicted_class():
    model = TwoClassesByX().train()  # eval mode inside the plot: no dropout noise
    X = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    ax = plot_decision_boundary(model, X, torch.tensor([0, 1]), resolution=11, margin=0.0)
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)
    mesh, _ = regions(ax)
    labels = np.asarray(mesh.get_array()).reshape(11, 11)  # rows: y, columns: x
    x = np.linspace(0.0, 1.0, 11)
    expected = np.tile((10 * x - 5 >= 0).astype(int), (11, 1))
    assert np.array_equal(labels, expected)


def test_decision_boundary_handles_multiclass_models():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    X, y = torch.randn(40, 2), torch.randint(0, 4, (40,))
    ax = plot_decision_boundary(model, X, y, resolution=21)
    mesh, _ = regions(ax)
    xs = torch.linspace(*ax.get_xlim(), 21)
    ys = torch.linspace(*ax.get_ylim(), 21)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")
    with torch.inference_mode():
        expected = model(torch.column_stack([xx.flatten(), yy.flatten()])).argmax(dim=1)
    assert np.array_equal(np.asarray(mesh.get_array()).flatten(), expected.numpy())
    assert mesh.get_clim() == (-0.5, 3.5), "four classes, four colours"


def test_decision_boundary_needs_two_features():
    with pytest.raises(ValueError, match=r"X of shape \(n, 2\), got \(5, 3\)"):
        plot_decision_boundary(torch.nn.Linear(3, 1), torch.zeros(5, 3), torch.zeros(5))


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    y_true = torch.tensor([0, 0, 1, 1, 1, 2])
    y_pred = torch.tensor([0, 1, 1, 1, 2, 2])
    ax = plot_confusion_matrix(y_true, y_pred, class_names=["a", "b", "c", "d"])
    shown = ax.images[0].get_array()
    assert shown.shape == (4, 4), "a class that never occurs still gets a row and a column"
    assert shown[:3, :3].tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 1]]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
    assert ax.get_ylabel() == "True label" and ax.get_xlabel() == "Predicted label"


def test_normalized_confusion_matrix_rows_sum_to_one():
    ax = plot_confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], normalize=True)
    shown = np.asarray(ax.images[0].get_array())
    assert np.allclose(shown.sum(axis=1), 1.0)
    assert shown[0].tolist() == [0.5, 0.5]


def test_confusion_matrix_refuses_lists_of_different_lengths():
    with pytest.raises(ValueError, match="3 labels but y_pred has 2"):
        plot_confusion_matrix([0, 1, 1], [0, 1])


class Lookup(torch.nn.Module):
    """A 'model' whose logits are given: row i of ``logits`` for the image whose pixel [0, 0] is i."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = torch.nn.Parameter(logits, requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits[x[:, 0, 0, 0].long()]


def digits(n: int) -> torch.Tensor:
    images = torch.zeros(n, 1, 28, 28)
    images[:, 0, 0, 0] = torch.arange(n, dtype=torch.float32)
    return images


def test_image_grid_takes_either_shape_and_leaves_the_tensor_alone():
    from helpers import plot_image_grid

    images = digits(7).requires_grad_()
    figure = plot_image_grid(images, titles=[str(i) for i in range(7)], cols=3)
    shown = [ax for ax in figure.axes if ax.images]
    assert len(figure.axes) == 9 and len(shown) == 7
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(7)]
    assert np.array_equal(shown[3].images[0].get_array(), images[3, 0].detach().numpy())
    assert sum(bool(ax.images) for ax in plot_image_grid(images[:, 0].detach()).axes) == 7  # (n, h, w), 2 rows of 5
    with pytest.raises(ValueError, match=r"\(n, 1, h, w\) or \(n, h, w\)"):
        plot_image_grid(torch.zeros(2, 3, 28, 28))


def test_prediction_grid_titles_are_green_when_right_and_red_when_wrong():
    from helpers import plot_prediction_grid

    logits = torch.eye(3)[[0, 2, 1, 1]]  # predictions 0, 2, 1, 1
    model = Lookup(logits).train()
    figure = plot_prediction_grid(model, digits(4), torch.tensor([0, 1, 1, 2]), class_names=["zero", "one", "two"])
    titles = [(ax.get_title(), ax.title.get_color()) for ax in figure.axes if ax.images]
    assert titles == [("zero (true zero)", "tab:green"), ("two (true one)", "tab:red"),
                      ("one (true one)", "tab:green"), ("one (true two)", "tab:red")]
    assert model.training, "the caller's model is back in training mode"


def test_misclassified_shows_the_most_confident_mistakes_first():
    from helpers import plot_misclassified

    logits = torch.tensor([[5.0, 0.0], [0.0, 1.0], [0.0, 4.0], [3.0, 0.0]])  # predicts 0, 1, 1, 0
    figure, wrong = plot_misclassified(Lookup(logits), digits(4), torch.tensor([1, 1, 0, 0]))
    assert wrong.tolist() == [0, 2]  # 99% sure, then 98% sure
    assert [ax.get_title().splitlines()[0] for ax in figure.axes if ax.images] == ["true 1, said 0", "true 0, said 1"]
    with pytest.raises(ValueError, match="all 4 images correctly"):
        plot_misclassified(Lookup(logits), digits(4), torch.tensor([0, 1, 1, 0]))


def test_plot_broadcast_draws_operands_stretched_copies_and_result_and_leaves_the_tensors_alone():
    from helpers.plotting import plot_broadcast

    column = torch.tensor([[0.0], [10.0], [20.0]], requires_grad=True)
    row = torch.tensor([[1, 2, 3, 4]])
    figure = plot_broadcast(column, row, names=("column", "row"))
    ax = figure.axes[0]
    assert len(ax.patches) == 3 + 4 + 3 * 12  # both operands as given, both stretched, the result
    dark = [p for p in ax.patches if p.get_alpha() == 0.5]
    assert len(dark) == 3 + 4 + 3 + 4 + 12  # in the stretched grids only the operands' own values are dark
    texts = [t.get_text() for t in ax.texts]
    assert {"column (3, 1)", "row (1, 4)", "column + row (3, 4)"} <= set(texts)
    assert {"21", "24"} <= set(texts)  # 20 + 1 and 20 + 4
    assert column.requires_grad and column.grad is None and row.dtype == torch.int64
    assert column.detach().flatten().tolist() == [0.0, 10.0, 20.0]


def test_plot_broadcast_shows_the_vector_minus_column_trap_and_refuses_what_it_cannot_draw():
    from helpers.plotting import plot_broadcast

    predictions = torch.tensor([2.0, 4.0, 6.0])
    figure = plot_broadcast(predictions, predictions.unsqueeze(1), op="-", mark_diagonal=True)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "left \u2212 right (3, 3)" in texts and "-4" in texts  # 2 - 6 off the diagonal
    outlined = [p for p in figure.axes[0].patches if not p.get_fill()]
    centres = {(p.get_x() + 0.5, p.get_y() + 0.5) for p in outlined}
    assert len(outlined) == 3
    assert [t.get_text() for t in figure.axes[0].texts if t.get_position() in centres] == ["0", "0", "0"]
    with pytest.raises(RuntimeError, match="must match the size"):
        plot_broadcast(torch.ones(3, 4), torch.ones(3))
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        plot_broadcast(torch.ones(1, 2, 3), torch.ones(3))
    with pytest.raises(ValueError, match="too big"):
        plot_broadcast(torch.ones(20), torch.ones(20, 1))
    with pytest.raises(ValueError, match="op must be"):
        plot_broadcast(torch.ones(2), torch.ones(2), op="/")
