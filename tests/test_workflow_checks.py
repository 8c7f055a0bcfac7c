"""Chapter 01's named checks, in-process: each passes a reference answer and names a wrong one in the three parts."""


import pytest
import torch
from torch import nn

from check_messages import message_of
from helpers import workflow_checks as wc

CPU = "cpu"


def make_linear_data(weight, bias, start=0.0, end=1.0, step=0.01, train_fraction=0.8):
    X = torch.arange(start, end, step).unsqueeze(dim=1)
    y = weight * X + bias
    n_train = int(train_fraction * len(X))
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


class LinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(1))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return self.weight * x + self.bias


def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
    loss_fn, optimizer = nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=lr)
    history = {"epoch": [], "train_loss": [], "test_loss": []}
    for epoch in range(epochs):
        model.train()
        loss = loss_fn(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % eval_every == 0:
            model.eval()
            with torch.inference_mode():
                test_loss = loss_fn(model(X_test), y_test)
            history["epoch"].append(epoch)
            history["train_loss"].append(loss.item())
            history["test_loss"].append(test_loss.item())
    return history


def predict_on_cpu(model, X):
    model.eval()
    with torch.no_grad():
        return model(X.to(next(model.parameters()).device)).cpu()


def save_weights(model, folder, filename="model.pt"):
    from pathlib import Path

    Path(folder).mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), Path(folder) / filename)
    return Path(folder) / filename


def load_weights(model, path):
    model.load_state_dict(torch.load(path, map_location=next(model.parameters()).device, weights_only=True))
    return model


def sgd_step_by_hand(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            if p.grad is not None:
                p -= lr * p.grad


def train_step(model, X, y, loss_fn, optimizer):
    device = next(model.parameters()).device
    model.train()
    loss = loss_fn(model(X.to(device)), y.to(device))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def eval_step(model, X, y, loss_fn):
    device = next(model.parameters()).device
    model.eval()
    with torch.inference_mode():
        return loss_fn(model(X.to(device)), y.to(device)).item()


@pytest.fixture
def line_data():
    generator = torch.Generator().manual_seed(42)
    X_train, X_test = torch.rand(80, 1, generator=generator), torch.rand(20, 1, generator=generator)
    return X_train, 0.3 * X_train + 0.9, X_test, 0.3 * X_test + 0.9


def test_make_linear_data():
    wc.check_make_linear_data(make_linear_data, 0.7, 0.3, step=0.02)
    assert "make X a single column" in message_of(
        lambda: wc.check_make_linear_data(lambda w, b: [t.squeeze(1) for t in make_linear_data(w, b)], 0.3, 0.9))


def test_linear_regression_model():
    generator = torch.Generator().manual_seed(42)
    model = wc.check_linear_regression_model(LinearRegressionModel, generator)
    wc.check_forward_keeps_input(model, torch.linspace(0.0, 1.0, 11).unsqueeze(1))
    wc.check_line_output(model, torch.randn(4, 1, generator=generator))
    wc.check_linear_regression_model_on_device(LinearRegressionModel, torch.randn(5, 1), CPU, seed=7)

    class WithLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.line = nn.Linear(1, 1)

    assert "uses nn.Linear, but this exercise asks for two nn.Parameters" in message_of(
        lambda: wc.check_linear_regression_model(WithLinear, torch.Generator().manual_seed(42)))

    class InPlace(LinearRegressionModel):
        def forward(self, x):
            return x.mul_(self.weight.detach()) + self.bias

    assert "the input X after model(X)" in message_of(
        lambda: wc.check_forward_keeps_input(InPlace(), torch.linspace(0.0, 1.0, 11).unsqueeze(1)))
    assert "model(X) for X of shape (3, 1)" in message_of(lambda: wc.check_line_output(InPlace(), torch.rand(3, 1) + 1))

    class Forgetful(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter(torch.randn(1))

    assert "call super().__init__()" in message_of(
        lambda: wc.check_linear_regression_model_on_device(Forgetful, torch.randn(5, 1), CPU, seed=7))


def test_fit(line_data, capsys):
    wc.check_fit(fit, *line_data, CPU, weight=0.3, bias=0.9)
    assert "learned weight 0.3" in capsys.readouterr().out
    wc.check_fit_matches_reference(fit, line_data, CPU, epochs=12, lr=0.05, eval_every=4, line="y = 0.3 x + 0.9")
    X = torch.rand(60, 1, generator=torch.Generator().manual_seed(0))
    fresh = (X[:48], -0.6 * X[:48] + 0.4, X[48:], -0.6 * X[48:] + 0.4)
    wc.check_fit_learns(fit, fresh, CPU, weight=-0.6, bias=0.4, epochs=250, lr=0.02, eval_every=25, tolerance=0.03)

    def no_eval(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
        history = fit(model, X_train, y_train, X_test, y_test, epochs, lr, eval_every)
        model.train()
        with torch.no_grad():
            model(X_test)  # an extra test pass in training mode
        return history

    assert "computing the test loss, ran the model in training mode" in message_of(
        lambda: wc.check_fit_matches_reference(no_eval, line_data, CPU, epochs=12, lr=0.05, eval_every=4, line="y"))
    assert "After 3 epochs on y = 0.3 x + 0.9 the test loss is too high" in message_of(
        lambda: wc.check_fit_learns(fit, line_data, CPU, weight=0.3, bias=0.9, epochs=3, lr=0.01, eval_every=1, tolerance=0.95))
    assert message_of(lambda: wc.check_fit(lambda *args, **kwargs: {"epoch": []}, *line_data, CPU, weight=0.3, bias=0.9)
                      ).startswith("fit(model, X_train, y_train, X_test, y_test) should return a dictionary of three lists.")


def test_fits_reference_is_no_answer(line_data):
    """The reference loop trains a model of its own: a fit that only returns its history leaves the given model as it was."""

    def gamed(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
        return wc._reference_history((X_train, y_train, X_test, y_test), CPU, epochs, lr, eval_every)

    assert "fit did not change the model's parameters" in message_of(
        lambda: wc.check_fit(gamed, *line_data, CPU, weight=0.3, bias=0.9))


def test_predict_on_cpu(line_data):
    line = nn.Linear(1, 1)
    X = line_data[2]
    wc.check_predict_on_cpu(predict_on_cpu, line, X, line(X).detach(), CPU)
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    wc.check_predicts_in_eval_mode(predict_on_cpu, model, torch.rand(9, 3), CPU, name="predict_on_cpu(model, X)")
    wc.check_predictions_convert_to_numpy(predict_on_cpu, line, torch.linspace(-2.0, 2.0, 13).unsqueeze(1))
    assert "ran the model in training mode: call model.eval() first" in message_of(
        lambda: wc.check_predicts_in_eval_mode(lambda m, x: m(x).detach(), model, torch.rand(9, 3), CPU, name="predict"))
    assert "predict_on_cpu(line_model, X_line_test) ran the model with autograd recording" in message_of(
        lambda: wc.check_predict_on_cpu(lambda m, x: m.eval()(x), line, X, line(X).detach(), CPU))


def test_save_and_load(tmp_path, monkeypatch):
    model_dir = tmp_path / "models"
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    wc.check_save_and_load(save_weights, load_weights, lambda: nn.Linear(1, 1), torch.rand(4, 1), model_dir / "a", "line.pt",
                           device=CPU, model_dir=model_dir)

    def whole_model(model, folder, filename="model.pt"):
        path = save_weights(model, folder, filename)
        torch.save(model, path)
        return path

    message = message_of(lambda: wc.check_save_and_load(whole_model, load_weights, lambda: nn.Linear(1, 1), torch.rand(4, 1),
                                                        model_dir / "b", device=CPU, model_dir=model_dir))
    assert message.startswith("The file written by save_weights(model, MODEL_DIR / 'b') cannot be loaded with weights_only=True.")


def test_step_against_sgd():
    X = torch.rand(20, 1)
    wc.check_step_against_sgd(sgd_step_by_hand, lambda: nn.Linear(1, 1), X, 0.3 * X, 0.01, as_generator=True, seed=6, device=CPU)

    def uphill(parameters, lr):
        with torch.no_grad():
            for p in parameters:
                p += lr * p.grad

    assert "gradient descent goes against the gradient" in message_of(
        lambda: wc.check_step_against_sgd(uphill, lambda: nn.Linear(1, 1), X, 0.3 * X, 0.01, as_generator=False, seed=6,
                                          device=CPU))


def test_train_and_test_steps(line_data, capsys):
    wc.check_train_and_test_steps(train_step, eval_step, *line_data, CPU)
    assert "after 300 epochs" in capsys.readouterr().out
    from helpers import training

    assert "train_step is the course's helpers.train_step" in message_of(
        lambda: wc.check_train_and_test_steps(training.train_step, eval_step, *line_data, CPU))

    def piling_up(model, X, y, loss_fn, optimizer):
        model.train()
        loss = loss_fn(model(X.to(next(model.parameters()).device)), y.to(next(model.parameters()).device))
        loss.backward()
        optimizer.step()
        return loss.item()

    assert "The gradients piled up: after two calls of train_step with lr=0" in message_of(
        lambda: wc.check_train_and_test_steps(piling_up, eval_step, *line_data, CPU))


def test_steps_on_other_models():
    X, y = torch.randn(24, 3), torch.randn(24, 2)
    wc.check_train_step_update(train_step, nn.Linear(3, 2), X, y, nn.MSELoss(), 0.05, CPU)
    model = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5))
    wc.check_test_step_measures(eval_step, model, X, y, nn.MSELoss(), CPU)
    wc.check_steps_on_model_device(train_step, eval_step, model, X, y, nn.MSELoss(), 0.05)
    X_line = torch.rand(60, 1)
    data = (X_line[:48], -0.6 * X_line[:48] + 0.4, X_line[48:], -0.6 * X_line[48:] + 0.4)
    wc.check_steps_learn(train_step, eval_step, data, CPU, line="y = -0.6 x + 0.4", epochs=250, lr=0.02, eval_every=25, max_loss=0.03)

    def two_steps(model, X, y, loss_fn, optimizer):
        loss = train_step(model, X, y, loss_fn, optimizer)
        train_step(model, X, y, loss_fn, optimizer)
        return loss

    assert "parameter 'weight' after one train_step" in message_of(
        lambda: wc.check_train_step_update(two_steps, nn.Linear(3, 2), X, y, nn.MSELoss(), 0.05, CPU))
    assert "test_step(model, X, y, loss_fn) ran the model in training mode" in message_of(
        lambda: wc.check_test_step_measures(lambda m, X, y, f: f(m(X), y).item(), model, X, y, nn.MSELoss(), CPU))
    assert "gave the model input on cpu, not on the model's own device" in message_of(
        lambda: wc.check_steps_on_model_device(train_step, lambda m, X, y, f: f(m(X), y).item(), model, X, y, nn.MSELoss(), 0.05))
    assert "After 2 epochs on y = -0.6 x + 0.4 with train_step and test_step the test loss is too high" in message_of(
        lambda: wc.check_steps_learn(train_step, eval_step, data, CPU, line="y = -0.6 x + 0.4", epochs=2, lr=0.02, eval_every=1,
                                     max_loss=0.03))
