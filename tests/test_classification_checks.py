"""Chapter 02's named checks, in-process: each passes a reference answer and names a wrong one in the three parts."""

import pytest
import torch
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from torch import nn

from check_messages import message_of
from helpers import classification_checks as cc
from helpers.data import make_spirals, split

CPU = "cpu"


def moons_to_tensors(n_samples=1000, noise=0.1, random_state=42, test_size=0.2):
    X, y = make_moons(n_samples, noise=noise, random_state=random_state)
    return train_test_split(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32),
                            test_size=test_size, random_state=random_state)


class MoonModel(nn.Module):
    def __init__(self, in_features=2, hidden_units=16, out_features=1):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(in_features, hidden_units), nn.ReLU(), nn.Linear(hidden_units, out_features))

    def forward(self, x):
        return self.layers(x)


def train_classifier(X, y, out_features, epochs):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, out_features))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        logits = model(X)
        loss = nn.BCEWithLogitsLoss()(logits.squeeze(1), y) if out_features == 1 else nn.CrossEntropyLoss()(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def train_moon_classifier(X, y):
    return train_classifier(X, y, 1, 300)


def rotated(X, y):
    return torch.stack([-X[:, 1], X[:, 0]], dim=1), 1 - y


def decision_grid(model, X, steps=101):
    X = X.detach().cpu()
    xs = torch.linspace(X[:, 0].min().item(), X[:, 0].max().item(), steps)
    ys = torch.linspace(X[:, 1].min().item(), X[:, 1].max().item(), steps)
    xx, yy = torch.meshgrid(xs, ys, indexing="xy")
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        logits = model(torch.stack([xx.flatten(), yy.flatten()], dim=1).to(next(model.parameters()).device)).cpu()
    model.train(was_training)
    labels = (logits.reshape(-1) >= 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)
    return xx, yy, labels.reshape(steps, steps)


def tanh(x):
    small = torch.exp(-2 * x.abs())
    return torch.sign(x) * (1 - small) / (1 + small)


def softmax(logits, dim=-1):
    exps = torch.exp(logits - logits.max(dim=dim, keepdim=True).values)
    return exps / exps.sum(dim=dim, keepdim=True)


def accuracy_fn(y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {tuple(y_true.shape)} but y_pred has shape {tuple(y_pred.shape)}")
    return (y_true == y_pred).float().mean().item()


def logits_to_labels(logits):
    if logits.ndim == 2 and logits.shape[1] > 1:
        return logits.argmax(dim=1)
    return (logits.reshape(-1) >= 0).long()


@pytest.fixture(scope="module")
def moons():
    return moons_to_tensors()


def test_moons_to_tensors():
    cc.check_moons_to_tensors(moons_to_tensors, n_samples=50, noise=0.0, random_state=0, test_size=0.1)
    assert "returned the four parts in another order" in message_of(
        lambda: cc.check_moons_to_tensors(lambda: [moons_to_tensors()[i] for i in (0, 2, 1, 3)]))


def test_moon_model():
    cc.check_moon_model(MoonModel, 3, 5, 4)
    cc.check_every_parameter_learns(MoonModel, torch.randn(10, 2))
    cc.check_moon_model_on_device(MoonModel, torch.randn(4, 2), CPU)

    class Probabilities(MoonModel):
        def forward(self, x):
            return torch.sigmoid(super().forward(x))

    class Straight(MoonModel):
        def __init__(self, in_features=2, hidden_units=16, out_features=1):
            super().__init__(in_features, hidden_units, out_features)
            self.layers = nn.Sequential(nn.Linear(in_features, hidden_units), nn.Linear(hidden_units, out_features))

    class Unused(MoonModel):
        def __init__(self, *args):
            super().__init__(*args)
            self.spare = nn.Linear(2, 2)

    assert message_of(lambda: cc.check_moon_model(Probabilities, 2, 16, 1)).startswith("MoonModel(2, 16, 1) returns probabilities, not logits.")
    assert "is a straight line" in message_of(lambda: cc.check_moon_model(Straight, 2, 16, 1))
    assert "The parameter 'spare.weight' of MoonModel() gets no gradient" in message_of(
        lambda: cc.check_every_parameter_learns(Unused, torch.randn(10, 2)))
    class Stuck(MoonModel):
        def to(self, *args, **kwargs):
            return self

    assert "MoonModel().to(device)'s parameters is on the wrong device" in message_of(
        lambda: cc.check_moon_model_on_device(Stuck, torch.randn(4, 2, device="meta"), "meta"))


def test_loss_and_optimizer():
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    cc.check_loss_and_optimizer(lambda m, lr=0.1: (nn.BCEWithLogitsLoss(), torch.optim.SGD(m.parameters(), lr=lr)), model, 0.1)
    assert "nn.BCELoss takes probabilities" in message_of(lambda: cc.check_loss_and_optimizer(
        lambda m, lr=0.1: (nn.BCELoss(), torch.optim.SGD(m.parameters(), lr=lr)), model, 0.1))


def test_moon_classifier(moons, capsys):
    X_train, X_test, y_train, y_test = moons
    model = cc.check_moon_classifier(train_moon_classifier, X_train, y_train, X_test, y_test)
    assert "Accuracy on the 200 test points" in capsys.readouterr().out
    fresh = moons_to_tensors(n_samples=500, random_state=7, test_size=0.5)
    cc.check_moon_classifier_on_fresh_moons(model, fresh[0], fresh[2])
    other, other_fresh = rotated(X_train, y_train), rotated(fresh[0], fresh[2])
    cc.check_moon_classifier_learns_its_arguments(train_moon_classifier, model, "moons rotated", other, other_fresh,
                                                  (fresh[0], fresh[2]))

    message = message_of(lambda: cc.check_moon_classifier_learns_its_arguments(
        lambda X, y: train_moon_classifier(X_train, y_train), model, "800 moons rotated by 90 degrees, labels swapped",
        other, other_fresh, (fresh[0], fresh[2])))
    assert message.startswith("A classifier trained by train_moon_classifier on a different sample (800 moons rotated by 90 "
                              "degrees, labels swapped) is not accurate on that sample's distribution.")
    assert "on the notebook's own kind of moons: it learned those instead" in message
    assert "not on the notebook's X_moons_train and y_moons_train" in message
    assert "train_moon_classifier returned the same model object twice" in message_of(
        lambda: cc.check_moon_classifier_learns_its_arguments(lambda X, y: model, model, "", other, other_fresh, (fresh[0], fresh[2])))
    line = nn.Linear(2, 1)
    assert "not accurate enough on 250 fresh moons it has never seen" in message_of(
        lambda: cc.check_moon_classifier_on_fresh_moons(line, fresh[0], fresh[2]))
    assert "train_moon_classifier(X_moons_train, y_moons_train) failed: unsqueezed logits" in message_of(
        lambda: cc.check_moon_classifier(lambda X, y: nn.BCEWithLogitsLoss()(nn.Linear(2, 1)(X), y), X_train, y_train, X_test, y_test))


def test_spiral_classifier(capsys):
    X, y = make_spirals(n_per_class=100, n_classes=3, seed=42)
    X_train, X_test, y_train, y_test = split(X, y, test_size=0.2, seed=42)
    model = cc.check_spiral_classifier(lambda X, y: train_classifier(X, y, 3, 1000), X_train, y_train, X_test, y_test)
    assert "Accuracy on the 60 test points" in capsys.readouterr().out
    X_fresh, y_fresh = make_spirals(n_per_class=300, n_classes=3, seed=7)
    cc.check_spiral_classifier_on_fresh_spirals(model, X_fresh, y_fresh)
    assert "The trained spiral classifier is not accurate enough on 900 fresh spiral points it has never seen" in message_of(
        lambda: cc.check_spiral_classifier_on_fresh_spirals(nn.Linear(2, 3), X_fresh, y_fresh))
    assert "ends with a softmax" in message_of(lambda: cc.check_spiral_classifier(
        lambda X, y: nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1)), X_train, y_train, X_test, y_test))
    other = (X_train @ torch.tensor([[0.0, -1.0], [1.0, 0.0]]), (y_train + 1) % 3)
    message = message_of(lambda: cc.check_spiral_classifier_learns_its_arguments(
        lambda X, y: nn.Linear(2, 3), model, "spirals turned", other, other, (X_fresh, y_fresh)))
    assert "not on the notebook's X_spiral_train and y_spiral_train" in message and "wide ReLU layers" in message


def test_decision_grid(moons):
    model = nn.Sequential(nn.Linear(2, 12), nn.ReLU(), nn.Dropout(0.5), nn.Linear(12, 3))
    cc.check_decision_grid(decision_grid, model, moons[0], 7, start_in_training=True)
    cc.check_decision_grid(decision_grid, nn.Linear(2, 1), moons[1], 21, start_in_training=False)

    def moving(model, X, steps=101):
        model.cpu()
        return decision_grid(model, X, steps)

    def always_eval(model, X, steps=101):
        result = decision_grid(model, X, steps)
        model.eval()
        return result

    assert message_of(lambda: cc.check_decision_grid(moving, model, moons[0], 7, True)).startswith("decision_grid moved the model.")
    assert "did not leave the model in the mode it was in" in message_of(
        lambda: cc.check_decision_grid(always_eval, model, moons[0], 7, True))


def test_tanh_and_softmax():
    cc.check_tanh(tanh, torch.tensor([-1000.0, 0.0, 1000.0]), "big values")
    assert "gives nan or inf for large inputs" in message_of(
        lambda: cc.check_tanh(lambda x: (x.exp() - (-x).exp()) / (x.exp() + (-x).exp()), torch.tensor([1000.0]), "[1000]"))
    assert "which this exercise asks you to write yourself" in message_of(lambda: cc.check_tanh(lambda x: torch.tanh(x), torch.zeros(2), "x"))
    cc.check_softmax(softmax, torch.randn(4, 3, 6), "a (4, 3, 6) tensor", dim=1)
    assert "normalises over the wrong dimension" in message_of(
        lambda: cc.check_softmax(lambda t: softmax(t, dim=0), torch.randn(3, 4), "a (3, 4) batch"))


def test_accuracy_fn():
    cc.check_accuracy_fn(accuracy_fn, torch.tensor([1.0, 0.0]), torch.tensor([1, 1]), "[1., 0.], [1, 1]")
    cc.check_accuracy_fn_names_unsqueezed_predictions(accuracy_fn)
    cc.check_accuracy_fn_refuses_shapes(accuracy_fn, (4,), (5,))
    assert "returned a percentage" in message_of(
        lambda: cc.check_accuracy_fn(lambda a, b: 100 * accuracy_fn(a, b), torch.tensor([1, 0]), torch.tensor([1, 1]), "x"))
    assert "the unsqueezed-predictions bug" in message_of(
        lambda: cc.check_accuracy_fn_names_unsqueezed_predictions(lambda a, b: (a == b).float().mean().item()))
    assert "accuracy_fn accepted shapes (4,) and (5,)" in message_of(
        lambda: cc.check_accuracy_fn_refuses_shapes(lambda a, b: 0.0, (4,), (5,)))


def test_logits_to_labels():
    cc.check_logits_to_labels(logits_to_labels, torch.tensor([-1e-8, 0.0, 1e-8, 3.0]), "logits around 0")
    cc.check_logits_to_labels(logits_to_labels, torch.randn(6, 10), "a (6, 10) batch")
    assert "took the argmax over dim=0" in message_of(
        lambda: cc.check_logits_to_labels(lambda t: t.argmax(dim=0), torch.randn(6, 10), "a (6, 10) batch"))
    from helpers import logits_to_labels as course_version

    assert "the course's own helpers.logits_to_labels" in message_of(
        lambda: cc.check_logits_to_labels(course_version, torch.randn(6, 10), "a (6, 10) batch"))
