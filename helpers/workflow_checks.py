"""The checks behind chapter 01's exercises (the workflow on a straight line): each test cell calls these.

Test cells stay a few lines long: the visible part calls a check on the notebook's data and models,
the hidden part calls the same or a sibling check on other arguments (other lines, settings, models,
folders). Every check is built on :mod:`helpers.checks`, so a failure is a ``CheckError`` in the
course's three parts: what is wrong, expected vs got, and a hint. For example::

    fit(model, X_train, y_train, X_test, y_test), computing the test loss, ran the model with autograd recording.
      expected: the forward pass inside `with torch.inference_mode():` or `with torch.no_grad():` (either one)
      got:      autograd on in 15 of 15 passes
    Hint: evaluation needs no gradients: ...

The checks take the notebook's objects as arguments (the learner's functions, the data, ``device``)
and build their own models and reference runs; none of them returns an answer to an exercise.
"""

import copy
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from helpers.checks import (
    ForwardPass,
    check_close,
    check_device,
    check_dtype,
    check_equal,
    check_forward_passes,
    check_runs_on_model_device,
    check_shape,
    check_tensors_returned,
    check_true,
    fail,
    watch_model,
)

Device = str | torch.device

#: Exercise 3: what a correct fit does every epoch, the hint of the checks that compare losses and parameters.
TRAINING_HINT = ("every epoch: model.train(), forward pass, loss, optimizer.zero_grad(), loss.backward(), "
                 "optimizer.step(), with nn.L1Loss() and torch.optim.SGD(model.parameters(), lr=lr); "
                 "train the model you are given, not a copy.")


def zero_line(device: Device) -> nn.Linear:
    """``nn.Linear(1, 1)`` on ``device``, starting from weight 0 and bias 0 (made from the global generator, as any layer)."""
    line = nn.Linear(1, 1)
    with torch.no_grad():
        line.weight.zero_()
        line.bias.zero_()
    return line.to(device)


def _check_python_float(value: Any, name: str) -> None:
    """Fail unless ``value`` is a plain Python float."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if isinstance(value, torch.Tensor) or not isinstance(value, float):
        fail(
            f"{name} did not return a Python float.",
            "a float such as 0.1234",
            f"{type(value).__name__}: {value!r}",
            "return loss.item(): it turns the one-element loss tensor into a float and drops the autograd graph.",
        )


def _check_gradients_not_piled_up(model: nn.Module, single: nn.Module, when: str, fix: str, hint: str | None) -> None:
    """``model``'s gradients after two steps with lr=0 equal ``single``'s after one backward(), not twice that.

    Args:
        model: The model after two steps with a learning rate of 0.
        single: An identical model after one backward() of the same loss.
        when: What ran, e.g. ``"two epochs with lr=0"``.
        fix: The hint when the gradients doubled.
        hint: The hint when they differ otherwise; ``None`` skips that comparison.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    for label in ["weight", "bias"]:
        grad, one = getattr(model, label).grad, getattr(single, label).grad
        if grad is None:
            continue  # zero_grad() at the end of the step also keeps gradients from piling up
        if torch.allclose(grad, 2 * one) and not torch.allclose(grad, one):
            fail(
                f"The gradients piled up: after {when}, {label}.grad is twice one step's gradient.",
                f"{one.flatten().tolist()} (one step's gradient)",
                f"{grad.flatten().tolist()}",
                fix,
            )
        if hint is not None:
            check_close(grad, one, name=f"{label}.grad after train_step", hint=hint)


# --- exercise 1: straight-line data ------------------------------------------------------------------


def check_make_linear_data(make_linear_data: Callable, weight: float, bias: float, **options: float) -> None:
    """``make_linear_data(weight, bias, **options)``: the points of the line as one column, split in order.

    Args:
        make_linear_data: The learner's function.
        weight: The line's weight.
        bias: The line's bias.
        **options: ``start``, ``end``, ``step`` and ``train_fraction``, passed on by name (left out: the defaults).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    start, end = options.get("start", 0.0), options.get("end", 1.0)
    step, train_fraction = options.get("step", 0.01), options.get("train_fraction", 0.8)
    X = torch.arange(start, end, step, dtype=torch.float32).unsqueeze(1)
    y = weight * X + bias
    n, n_train = len(X), int(train_fraction * len(X))
    expected = {"X_train": X[:n_train], "y_train": y[:n_train], "X_test": X[n_train:], "y_test": y[n_train:]}
    call = ", ".join([repr(weight), repr(bias)] + [f"{key}={value!r}" for key, value in options.items()])
    name = f"make_linear_data({call})"

    result = make_linear_data(weight, bias, **options)
    parts = check_tensors_returned(result, list(expected), name=name,
                                   hint="end the function with: return X_train, y_train, X_test, y_test")
    for label, value in parts.items():
        want = tuple(expected[label].shape)
        if value.ndim == 1 and len(value) == want[0]:
            hint = ("make X a single column with .unsqueeze(dim=1): shape (n, 1), not (n,). "
                    "y = weight * X + bias then has the same shape.")
        else:
            hint = (f"there are {n} points; the first int({train_fraction} * {n}) = {n_train} are for training "
                    f"and the remaining {n - n_train} for testing.")
        check_shape(value, want, name=f"{label} from {name}", hint=hint)
        check_dtype(value, torch.float32, name=f"{label} from {name}")

    all_X = torch.cat([parts["X_train"], parts["X_test"]]).detach().cpu()
    if not torch.allclose(all_X, X, rtol=1e-4, atol=1e-5):
        if torch.allclose(all_X.sort(dim=0).values, X, rtol=1e-4, atol=1e-5):
            fail(
                f"{name} shuffled the points before splitting.",
                f"X_train = the first {n_train} values of X in order, X_test = the rest",
                f"X_train starts with {[round(v, 4) for v in parts['X_train'][:4, 0].tolist()]}",
                "keep the order: X[:n_train] for training and X[n_train:] for testing "
                "(no torch.randperm, random_split or train_test_split here).",
            )
        for label in ["X_train", "X_test"]:
            check_close(
                parts[label], expected[label], name=f"{label} from {name}",
                hint="X = torch.arange(start, end, step).unsqueeze(dim=1), using the arguments, "
                "split after the first int(train_fraction * n) points.",
            )
    for label in ["y_train", "y_test"]:
        check_close(
            parts[label], expected[label], name=f"{label} from {name}",
            hint=f"y = weight * X + bias with the weight and bias passed in (here {weight} and {bias}), "
            "not numbers written into the function; y_train goes with X_train and y_test with X_test.",
        )


# --- exercise 2: a model of two nn.Parameters ---------------------------------------------------------------


def _build_linear_regression_model(model_class: Callable) -> nn.Module:
    """``LinearRegressionModel()``, with a clear message when __init__ trips over nn.Module's bookkeeping."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    try:
        return model_class()
    except AttributeError as caught:
        fail(
            "LinearRegressionModel() failed while setting up its attributes.",
            "a model with the parameters weight and bias",
            f"AttributeError: {caught}",
            "call super().__init__() as the first line of __init__, before assigning self.weight and self.bias.",
        )


def check_linear_regression_model(model_class: Callable, generator: torch.Generator) -> nn.Module:
    """``LinearRegressionModel()`` after ``torch.manual_seed(42)``: two ``nn.Parameter`` s and ``weight * x + bias``.

    The weight and then the bias come from ``torch.randn(1)``; the output is traced back to both, and
    ``backward()`` gives each its gradient.

    Args:
        model_class: The learner's ``LinearRegressionModel``.
        generator: A generator seeded with 42: its first two ``torch.randn(1)`` draws are the expected weight and bias
            (the check draws them; a hidden test may go on drawing from it).

    Returns:
        The model it built (the global random state is left alone).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with torch.random.fork_rng():
        torch.manual_seed(42)
        model = _build_linear_regression_model(model_class)
    check_true(
        isinstance(model, nn.Module),
        "LinearRegressionModel is not an nn.Module.",
        expected="class LinearRegressionModel(nn.Module)",
        got=type(model).__mro__[1].__name__,
        hint="subclass nn.Module so PyTorch finds the parameters and can call forward.",
    )
    linear_layers = [name for name, module in model.named_modules() if isinstance(module, nn.Linear)]
    if linear_layers:
        fail(
            "LinearRegressionModel uses nn.Linear, but this exercise asks for two nn.Parameters.",
            "self.weight = nn.Parameter(torch.randn(1)) and self.bias = nn.Parameter(torch.randn(1))",
            f"nn.Linear submodule(s): {linear_layers}",
            "nn.Linear creates its parameters for you; here, build them yourself with nn.Parameter.",
        )
    parameters = dict(model.named_parameters())
    check_true(
        len(parameters) > 0,
        "LinearRegressionModel has no learnable parameters.",
        expected="two parameters, weight and bias",
        got="model.parameters() is empty",
        hint="a plain tensor attribute is not registered: wrap it, self.weight = nn.Parameter(torch.randn(1)).",
    )
    check_equal(
        sorted(parameters), ["bias", "weight"], name="the model's parameter names",
        hint="name them exactly self.weight and self.bias, and register no other parameters.",
    )
    for label in ["weight", "bias"]:
        check_shape(parameters[label], (1,), name=f"model.{label}", hint="torch.randn(1) holds one number, shape (1,).")
        check_dtype(parameters[label], torch.float32, name=f"model.{label}")
        check_true(
            parameters[label].requires_grad,
            f"model.{label} does not require gradients, so training could not change it.",
            expected="requires_grad=True",
            got="requires_grad=False",
            hint="nn.Parameter(...) requires gradients by default; don't pass requires_grad=False.",
        )
    first_draw, second_draw = torch.randn(1, generator=generator), torch.randn(1, generator=generator)
    check_close(
        torch.cat([model.weight.detach(), model.bias.detach()]), torch.cat([first_draw, second_draw]),
        name="[weight, bias] right after torch.manual_seed(42)",
        hint="create the weight first, then the bias, each from torch.randn(1) (normal random numbers; "
        "torch.rand, zeros or ones start elsewhere).",
    )
    X = torch.linspace(-1.0, 2.0, 7).unsqueeze(1)
    output = model(X)
    check_shape(output, (7, 1), name="model(X) for X of shape (7, 1)", hint="forward should return self.weight * x + self.bias.")
    check_close(
        output, parameters["weight"].detach() * X + parameters["bias"].detach(), name="model(X)",
        hint="forward should return self.weight * x + self.bias.",
    )
    check_true(
        output.requires_grad,
        "model(X) is not connected to the parameters, so training could not change them.",
        expected="an output that autograd can trace back to weight and bias (requires_grad=True)",
        got="requires_grad=False",
        hint="use the parameters themselves in forward (self.weight * x + self.bias), not "
        ".data, .item() or .detach() copies: autograd only follows the parameters.",
    )
    # Gradients must reach both parameters: the forward pass has to use them, not copies of their values.
    X = torch.linspace(0.0, 1.0, 11).unsqueeze(1)
    model.zero_grad()
    model(X).sum().backward()
    for label, want in [("weight", X.sum()), ("bias", torch.tensor(11.0))]:
        grad = getattr(model, label).grad
        check_true(
            grad is not None,
            f"model.{label} got no gradient from model(X).sum().backward().",
            expected="a gradient in model." + label + ".grad",
            got="None",
            hint="use the parameters themselves in forward (self.weight * x + self.bias), not "
            ".data, .item() or .detach() copies: autograd only follows the parameters.",
        )
        check_close(grad, want.reshape(1), name=f"model.{label}.grad after model(X).sum().backward()")
    return model


def check_forward_keeps_input(model: nn.Module, X: torch.Tensor) -> None:
    """``model(X).sum().backward()`` leaves ``X`` as it was.

    Args:
        model: A model built by :func:`check_linear_regression_model`.
        X: An input of shape ``(n, 1)``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    X_before = X.clone()
    model.zero_grad()
    model(X).sum().backward()
    check_equal(X, X_before, name="the input X after model(X)", hint="forward must not change x in place.")


def check_line_output(model: nn.Module, X: torch.Tensor) -> None:
    """``model(X)`` is ``model.weight * X + model.bias``.

    Args:
        model: A model with the parameters ``weight`` and ``bias``.
        X: An input of shape ``(n, 1)``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_close(model(X), model.weight.detach() * X + model.bias.detach(), name=f"model(X) for X of shape {tuple(X.shape)}")


def check_linear_regression_model_on_device(model_class: Callable, X: torch.Tensor, device: Device, seed: int) -> None:
    """``LinearRegressionModel().to(device)`` moves both parameters, computes on ``device``, and keeps the state-dict keys weight and bias.

    Args:
        model_class: The learner's ``LinearRegressionModel``.
        X: An input of shape ``(n, 1)`` (moved to ``device`` by the check).
        device: Where the model goes.
        seed: Seeds the model's parameters (the global random state is left alone).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = _build_linear_regression_model(model_class).to(device)
    check_device(model.weight, device, name="model.weight after model.to(device)",
                 hint="only nn.Parameters (and buffers) move with model.to(device).")
    X = X.to(device)
    output = model(X)
    check_device(output, device, name="model(X) on device")
    check_close(output, model.weight.detach() * X + model.bias.detach(), name="model(X) on device")
    check_equal(sorted(model.state_dict()), ["bias", "weight"], name="the keys of model.state_dict()")


# --- exercise 3: fit with L1 loss and SGD ---------------------------------------------------------------


def check_history(history: Any, epochs: int, eval_every: int, name: str) -> None:
    """``history`` is fit's dictionary: an ``"epoch"`` list of ``range(0, epochs, eval_every)``, and as many Python float losses.

    Args:
        history: What fit returned.
        epochs: The epochs fit ran.
        eval_every: How often it evaluated.
        name: The call, as the message names it.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    keys = ["epoch", "train_loss", "test_loss"]
    if not (isinstance(history, dict) and all(key in history for key in keys)):
        fail(
            f"{name} should return a dictionary of three lists.",
            '{"epoch": [...], "train_loss": [...], "test_loss": [...]}',
            f"{type(history).__name__}" + (f" with keys {list(history)}" if isinstance(history, dict) else ""),
            "collect the three lists in history = {\"epoch\": [], \"train_loss\": [], \"test_loss\": []} "
            "and return history at the end (after the loop, not inside it).",
        )
    want = list(range(0, epochs, eval_every))
    got = list(history["epoch"])
    if got != want:
        if got == [0]:
            hint = (f"epoch / {eval_every} == 0 is only true for epoch 0: test the remainder, "
                    f"epoch % {eval_every} == 0.")
        elif got and len(got) == len(want) + 1:
            hint = "evaluate during the loop only; don't add an extra entry after it."
        else:
            hint = (f"loop over range(epochs) and record when epoch % eval_every == 0 "
                    f"({len(want)} entries here), starting at epoch 0.")
        check_equal(got, want, name=f'history["epoch"] from {name}', hint=hint)
    for key in keys[1:]:
        check_equal(len(history[key]), len(want), name=f'the length of history["{key}"] from {name}',
                    hint="append one training loss and one test loss at every evaluation.")
        for value in history[key]:
            if isinstance(value, torch.Tensor) or not isinstance(value, float):
                fail(
                    f'history["{key}"] from {name} holds {type(value).__name__} values, not Python floats.',
                    "Python floats such as 0.1234",
                    repr(value),
                    "record loss.item(): it turns a one-element tensor into a float and keeps no autograd history.",
                )


def check_fit_modes(passes: Sequence[ForwardPass], n_train: int, n_test: int, name: str) -> None:
    """The passes on the training data (autograd on) in training mode; those on the test data in eval mode, without autograd.

    Args:
        passes: What :func:`helpers.checks.watch_model` recorded while fit ran.
        n_train: The number of training points fit was given.
        n_test: The number of test points.
        name: The call, as the message names it.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    rows = sorted({p.rows for p in passes})
    check_true(
        n_train in rows and n_test in rows,
        f"{name} did not run the model on the data it was given ({n_train} training and {n_test} test points).",
        expected=f"forward passes on the {n_train} training points and on the {n_test} test points passed in",
        got=f"forward passes on batches of {rows} points",
        hint="train on the X_train and y_train and compute the test loss on the X_test and y_test you are given: "
        "not on the training data, and not on the notebook's X_line_train and X_line_test.",
    )
    check_forward_passes([p for p in passes if p.rows == n_train and p.autograd], f"{name}, training,",
                         training=True, autograd=True)
    check_forward_passes([p for p in passes if p.rows == n_test], f"{name}, computing the test loss,",
                         training=False, autograd=False)


def _l1_test_loss(model: nn.Module, X_test: torch.Tensor, y_test: torch.Tensor, device: Device) -> float:
    """The model's L1 loss on the test set, computed by the test itself."""
    model.eval()
    with torch.inference_mode():
        return nn.L1Loss()(model(X_test.to(device)), y_test.to(device)).item()


def _reference_history(data: Sequence[torch.Tensor], device: Device, epochs: int, lr: float, eval_every: int) -> dict[str, list]:
    """The history of the loop the exercise describes, written out independently, for a new line from weight 0 and bias 0.

    It trains a model of its own, so it is no answer to the exercise (which trains the model it is given).
    """
    model = zero_line(device)
    X_train, y_train, X_test, y_test = data
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    reference = {"epoch": [], "train_loss": [], "test_loss": []}
    for epoch in range(epochs):
        model.train()
        loss = loss_fn(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % eval_every == 0:
            model.eval()
            with torch.inference_mode():
                reference["test_loss"].append(loss_fn(model(X_test), y_test).item())
            reference["epoch"].append(epoch)
            reference["train_loss"].append(loss.item())
    return reference


def check_fit(fit: Callable, X_train: torch.Tensor, y_train: torch.Tensor, X_test: torch.Tensor, y_test: torch.Tensor,
              device: Device, *, weight: float, bias: float) -> None:
    """``fit(model, X_train, y_train, X_test, y_test)`` with the defaults trains a line from 0 as the reference loop does.

    Checks the history, the modes and autograd of every forward pass, that the gradients do not pile up
    (two epochs with lr=0), the losses against the reference loop, the learned weight and bias (within 0.02)
    and the final test loss (below 0.02). Prints the learned weight, bias and test loss before judging them.

    Args:
        fit: The learner's function.
        X_train: The training inputs, ``(n, 1)``.
        y_train: The training targets, on the line ``weight * x + bias``.
        X_test: The test inputs.
        y_test: The test targets.
        device: Where the model and the data go.
        weight: The line's weight.
        bias: The line's bias.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = "fit(model, X_train, y_train, X_test, y_test)"
    line = zero_line(device)
    data = [t.to(device) for t in (X_train, y_train, X_test, y_test)]
    with watch_model(line) as passes:
        history = fit(line, *data)
    check_history(history, 300, 20, name)
    learned_weight, learned_bias = line.weight.item(), line.bias.item()
    test_loss = _l1_test_loss(line, X_test, y_test, device)
    print(f"learned weight {learned_weight:.4f} (true {weight}), bias {learned_bias:.4f} (true {bias}), test loss {test_loss:.4f}")
    check_true(
        learned_weight != 0.0 or learned_bias != 0.0,
        "fit did not change the model's parameters.",
        expected=f"weight and bias moving from 0 towards {weight} and {bias}",
        got="weight 0 and bias 0, the starting values",
        hint="train the model you are given (not a copy) and call optimizer.step() every epoch; "
        "optimizer.zero_grad() goes before loss.backward(), since between backward() and step() it wipes the gradients.",
    )

    check_fit_modes(passes, len(X_train), len(X_test), name)

    # With lr=0 the parameters stay put, so two epochs see the same gradient; without zero_grad it doubles.
    line_lr0 = zero_line(device)
    twin = zero_line(device)
    nn.L1Loss()(twin(data[0]), data[1]).backward()
    fit(line_lr0, *data, epochs=2, lr=0.0, eval_every=1)
    check_true(
        line_lr0.weight.item() == 0.0 and line_lr0.bias.item() == 0.0,
        "fit(..., lr=0.0) changed the parameters.",
        expected="weight 0 and bias 0 unchanged with a learning rate of 0",
        got=f"weight {line_lr0.weight.item():.4f}, bias {line_lr0.bias.item():.4f}",
        hint="pass the lr argument on: torch.optim.SGD(model.parameters(), lr=lr).",
    )
    _check_gradients_not_piled_up(line_lr0, twin, "two epochs with lr=0",
                                  "call optimizer.zero_grad() every epoch before loss.backward(): backward() adds to .grad.", None)
    # The same run as above, step by step against the reference loop.
    reference = _reference_history(data, device, 300, 0.01, 20)
    check_close(
        history["train_loss"][0], reference["train_loss"][0], name='history["train_loss"][0]',
        hint="record the loss computed in that epoch's training step, on the training data, before the update.",
    )
    check_close(
        history["test_loss"][0], reference["test_loss"][0], name='history["test_loss"][0]',
        hint="compute the test loss on X_test and y_test right after the epoch's optimizer.step(), in eval mode.",
    )
    check_close(
        history["train_loss"], reference["train_loss"], name='history["train_loss"]',
        hint="the losses drift away from the reference loop: call optimizer.zero_grad() every epoch "
        "(backward() adds to .grad), take exactly one step per epoch on the whole training set, and use lr.",
    )
    check_close(history["test_loss"], reference["test_loss"], name='history["test_loss"]', hint=TRAINING_HINT)
    check_close(learned_weight, weight, rtol=0.0, atol=0.02, name="the learned weight", hint=TRAINING_HINT)
    check_close(learned_bias, bias, rtol=0.0, atol=0.02, name="the learned bias", hint=TRAINING_HINT)
    check_true(
        test_loss < 0.02,
        "The trained model's test loss is too high.",
        expected="below 0.02",
        got=f"{test_loss:.4f}",
        hint=TRAINING_HINT,
    )


def check_fit_matches_reference(fit: Callable, data: Sequence[torch.Tensor], device: Device, *, epochs: int, lr: float,
                                eval_every: int, line: str) -> None:
    """``fit(..., epochs, lr, eval_every)`` on other data: the history, the modes, and the losses of the reference loop.

    Args:
        fit: The learner's function.
        data: ``X_train, y_train, X_test, y_test``, on ``device``.
        device: Where the model goes.
        epochs: Passed on by name.
        lr: Passed on by name.
        eval_every: Passed on by name.
        line: The data's line as the message names it, e.g. ``"y = 2 x - 1"``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    settings = f"epochs={epochs}, lr={lr}, eval_every={eval_every}"
    model = zero_line(device)
    with watch_model(model) as passes:
        history = fit(model, *data, epochs=epochs, lr=lr, eval_every=eval_every)
    check_history(history, epochs, eval_every, f"fit(..., {settings})")
    n_train, n_test = len(data[0]), len(data[2])
    check_fit_modes(passes, n_train, n_test, f"fit(..., {settings}) on {n_train} training and {n_test} test points")
    reference = _reference_history(data, device, epochs, lr, eval_every)
    check_close(history["train_loss"], reference["train_loss"], name=f'history["train_loss"] on {line}', hint=TRAINING_HINT)
    check_close(history["test_loss"], reference["test_loss"], name=f'history["test_loss"] on {line}', hint=TRAINING_HINT)


def check_fit_learns(fit: Callable, data: Sequence[torch.Tensor], device: Device, *, weight: float, bias: float,
                     epochs: int, lr: float, eval_every: int, tolerance: float) -> None:
    """``fit(..., epochs, lr, eval_every)`` trains a line from 0 to within ``tolerance`` of ``weight`` and ``bias``.

    The test loss must be below ``tolerance`` too.

    Args:
        fit: The learner's function.
        data: ``X_train, y_train, X_test, y_test`` on the line ``weight * x + bias``, on ``device``.
        device: Where the model goes.
        weight: The line's weight.
        bias: The line's bias.
        epochs: Passed on by name.
        lr: Passed on by name.
        eval_every: Passed on by name.
        tolerance: How far the learned weight and bias may be off, and the largest test loss allowed.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    line = f"y = {weight} x + {bias}"
    model = zero_line(device)
    history = fit(model, *data, epochs=epochs, lr=lr, eval_every=eval_every)
    check_history(history, epochs, eval_every, f"fit(..., epochs={epochs}, lr={lr}, eval_every={eval_every})")
    check_close(model.weight.item(), weight, rtol=0.0, atol=tolerance, name=f"the weight learned on {line}", hint=TRAINING_HINT)
    check_close(model.bias.item(), bias, rtol=0.0, atol=tolerance, name=f"the bias learned on {line}", hint=TRAINING_HINT)
    loss = _l1_test_loss(model, data[2], data[3], device)
    check_true(
        loss < tolerance,
        f"After {epochs} epochs on {line} the test loss is too high.",
        expected=f"below {tolerance}",
        got=f"{loss:.4f}",
        hint=TRAINING_HINT,
    )


# --- exercise 4: predictions on the CPU ----------------------------------------------------------


def _predictions_watched(predict_on_cpu: Callable, model: nn.Module, X: torch.Tensor, name: str) -> Any:
    """``predict_on_cpu(model, X)`` of a model in training mode: passes in eval mode, no autograd, on the model's device."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    model.train()  # as a model is right after training: predict_on_cpu has to switch it to evaluation mode
    with watch_model(model) as passes:
        predictions = predict_on_cpu(model, X)
    check_forward_passes(passes, name, training=False, autograd=False)
    check_runs_on_model_device(lambda moved: predict_on_cpu(moved, X), model, what=name)
    return predictions


def check_predict_on_cpu(predict_on_cpu: Callable, line_model: nn.Module, X: torch.Tensor, expected: torch.Tensor,
                         device: Device) -> None:
    """``predict_on_cpu(line_model, X)`` is ``expected``: a float32 CPU tensor without gradients, the model left in place.

    The model is handed over in training mode; its passes must run in eval mode, without autograd, on
    its own device.

    Args:
        predict_on_cpu: The learner's function.
        line_model: The notebook's ``line_model`` on ``device`` (handed over in training mode).
        X: The notebook's ``X_line_test``.
        expected: The predictions, on the CPU.
        device: Where ``line_model`` is.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = "predict_on_cpu(line_model, X_line_test)"
    predictions = _predictions_watched(predict_on_cpu, line_model, X, name)
    check_shape(predictions, tuple(expected.shape), name=name,
                hint="return the model's output as it is: one prediction per row of X.")
    check_dtype(predictions, torch.float32, name=name)
    check_device(
        predictions, "cpu", name=name,
        hint="return predictions.cpu(): on a GPU the model's outputs stay on the GPU until you move them.",
    )
    check_true(
        not predictions.requires_grad,
        f"{name} still requires gradients.",
        expected="requires_grad=False",
        got="requires_grad=True",
        hint="run the model under `with torch.inference_mode():` (or torch.no_grad()) so autograd records nothing.",
    )
    check_close(predictions, expected, name=name, hint="return model(X) for the X passed in.")
    check_device(
        line_model.weight, device, name="line_model.weight after predict_on_cpu",
        hint="leave the model on its device: move X to the model, and only the predictions to the CPU.",
    )


def check_predicts_in_eval_mode(predict_on_cpu: Callable, model: nn.Sequential, X: torch.Tensor, device: Device, *,
                                name: str) -> None:
    """``predict_on_cpu(model, X)`` of a model in training mode is its whole eval-mode output, on the CPU, without gradients.

    The model must stay on ``device``.

    Args:
        predict_on_cpu: The learner's function.
        model: An ``nn.Sequential`` on ``device`` whose first layer has a weight (dropout shows a missing ``model.eval()``).
        X: An input, on the CPU.
        device: Where the model is.
        name: The call, as the message names it.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    result = _predictions_watched(predict_on_cpu, model, X, name)
    model.eval()
    with torch.inference_mode():
        expected = model(X.to(device)).cpu()
    check_shape(result, tuple(expected.shape), name=name, hint="return the model's whole output, one row per row of X.")
    check_device(result, "cpu", name=name, hint="return predictions.cpu().")
    check_true(not result.requires_grad, f"{name} still requires gradients.", expected="requires_grad=False", got="requires_grad=True")
    check_close(result, expected, name=name, hint="return the model's output for X in eval mode, moved to the CPU.")
    check_device(model[0].weight, device, name="the model's weight after predict_on_cpu")


def check_predictions_convert_to_numpy(predict_on_cpu: Callable, line: nn.Linear, X: torch.Tensor) -> None:
    """``predict_on_cpu(line, X)`` is ``line``'s output for ``X``, ready for ``.numpy()``.

    Args:
        predict_on_cpu: The learner's function.
        line: An ``nn.Linear(1, 1)`` on any device.
        X: An input of shape ``(n, 1)``, on the CPU.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"predict_on_cpu(model, X) for a {tuple(X.shape)} input"
    result = predict_on_cpu(line, X)
    check_shape(result, tuple(X.shape), name=name)
    check_close(result, line.weight.detach().cpu() * X + line.bias.detach().cpu(), name=name)
    check_true(
        result.numpy().shape == tuple(X.shape),
        "the predictions cannot be turned into NumPy.",
        expected="predictions.numpy() works",
        got="an error",
    )


# --- exercise 5: save and reload the weights ---------------------------------------------------------


def check_save_and_load(save_weights: Callable, load_weights: Callable, make_model: Callable[[], nn.Module], X: torch.Tensor,
                        folder: str | Path, filename: str | None = None, *, device: Device, model_dir: Path) -> None:
    """``save_weights`` writes a state dict to ``folder / filename`` (only there); ``load_weights`` puts it into a new model.

    The reloaded model must hold exactly the saved tensors and give exactly the same predictions.

    Args:
        save_weights: The learner's function.
        load_weights: The learner's function.
        make_model: Makes a model (two are made, seeded 5 and 6; the global random state is left alone).
        X: An input for the model, to compare predictions.
        folder: Where to save: a ``Path`` or a string, inside ``model_dir``.
        filename: Passed on; ``None`` relies on the default ``"model.pt"``.
        device: Where the models go.
        model_dir: The notebook's ``MODEL_DIR`` (the messages name the folder relative to it).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    folder_text = f"{folder!r}" if isinstance(folder, str) else f"MODEL_DIR / {Path(folder).relative_to(model_dir).as_posix()!r}"
    call = f"save_weights(model, {folder_text}" + (f", {filename!r})" if filename else ")")
    files_here = set(os.listdir())
    with torch.random.fork_rng():
        torch.manual_seed(5)
        original = make_model().to(device)
        torch.manual_seed(6)
        reloaded = make_model().to(device)
    original.train()
    with torch.no_grad():  # a few training-mode passes, so any batch-norm statistics move away from their start
        for _ in range(3):
            original(X.to(device))
    expected_state = {key: value.detach().clone() for key, value in original.state_dict().items()}

    try:
        path = save_weights(original, folder, filename) if filename else save_weights(original, folder)
    except Exception as caught:
        if isinstance(caught, NotImplementedError):
            raise
        message = str(caught).splitlines()[0]
        fail(
            f"{call} raised an error.",
            "the state dict saved to folder / filename",
            f"{type(caught).__name__}: {message}",
            "create the folder first with Path(folder).mkdir(parents=True, exist_ok=True): torch.save does not."
            if "does not exist" in message or "No such file" in message
            else "save with torch.save(model.state_dict(), Path(folder) / filename).",
        )
    new_here = sorted(set(os.listdir()) - files_here)
    check_true(
        not new_here,
        f"{call} wrote into the current folder.",
        expected="files only inside the folder passed in",
        got=f"new here: {new_here}",
        hint="write only to Path(folder) / filename.",
    )
    want_path = Path(folder) / (filename or "model.pt")
    check_true(
        isinstance(path, Path),
        f"{call} did not return a pathlib.Path.",
        expected="the Path of the saved file",
        got=f"{type(path).__name__}: {path!r}",
        hint="build the path with Path(folder) / filename and return it.",
    )
    check_true(
        path.resolve() == want_path.resolve() and path.is_file(),
        f"{call} did not write the file where it was asked to.",
        expected=str(want_path),
        got=f"{path} ({'exists' if path.exists() else 'no such file'})",
        hint="save to Path(folder) / filename, after Path(folder).mkdir(parents=True, exist_ok=True).",
    )
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as caught:
        fail(
            f"The file written by {call} cannot be loaded with weights_only=True.",
            "a state dict: a dictionary of tensors",
            f"{type(caught).__name__}: {str(caught).splitlines()[0]}",
            "save model.state_dict(), not the model itself: torch.save(model.state_dict(), path).",
        )
    check_true(
        isinstance(saved, dict) and sorted(saved) == sorted(expected_state),
        f"The file written by {call} does not hold the model's state dict.",
        expected=f"a dictionary with the keys {sorted(expected_state)}",
        got=f"{type(saved).__name__}" + (f" with keys {sorted(saved)}" if isinstance(saved, dict) else ""),
        hint="save model.state_dict(): it holds every parameter and buffer, keyed by name.",
    )
    for key, value in expected_state.items():
        check_equal(saved[key], value, name=f"saved[{key!r}]", hint="save the state dict of the model you are given.")

    try:
        returned = load_weights(reloaded, path if filename else str(path))
    except Exception as caught:
        if isinstance(caught, NotImplementedError):
            raise
        fail(
            "load_weights(new_model, path) raised an error.",
            "the new model, holding the saved weights",
            f"{type(caught).__name__}: {str(caught).splitlines()[0]}",
            "read the file with torch.load(path, map_location=next(model.parameters()).device, weights_only=True) "
            "and pass the result to model.load_state_dict(...); path may be a Path or a string.",
        )
    check_true(
        returned is reloaded,
        "load_weights(new_model, path) did not return the model it was given.",
        expected="the same model object, now holding the saved weights",
        got=f"{type(returned).__name__}",
        hint="load_state_dict changes the model in place; end with return model.",
    )
    for key, value in reloaded.state_dict().items():
        check_equal(value, expected_state[key], name=f"new_model.state_dict()[{key!r}] after load_weights")
        check_device(value, device, name=f"new_model.state_dict()[{key!r}] after load_weights")
    original.eval()
    reloaded.eval()
    with torch.inference_mode():
        before, after = original(X.to(device)), reloaded(X.to(device))
    check_equal(after, before, name="the reloaded model's predictions",
                hint="the reloaded model must hold exactly the saved weights.")


# --- exercise 6: one step of gradient descent by hand -------------------------------------------------


def check_step_against_sgd(sgd_step_by_hand: Callable, make_model: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor,
                           lr: float, *, as_generator: bool, seed: int, device: Device) -> None:
    """``sgd_step_by_hand`` on one copy of a model and SGD's step on another give the same parameters (up to the rounding of a fused step).

    Args:
        sgd_step_by_hand: The learner's function.
        make_model: Makes the model (seeded with ``seed``; the global random state is left alone).
        X: The input of the MSE loss whose gradients the step uses.
        y: Its target.
        lr: The learning rate.
        as_generator: Hand over ``model.parameters()`` (a generator) rather than a list.
        seed: Seeds the model.
        device: Where the model and the data go.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = make_model().to(device)
    twin = copy.deepcopy(model)
    nn.MSELoss()(model(X.to(device)), y.to(device)).backward()
    for p, q in zip(model.parameters(), twin.parameters()):
        q.grad = None if p.grad is None else p.grad.clone()
    names = [name for name, _ in model.named_parameters()]
    before = [p.detach().clone() for p in model.parameters()]
    grads = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    given = "model.parameters()" if as_generator else "list(model.parameters())"
    call = f"sgd_step_by_hand({given}, lr={lr})"
    try:
        sgd_step_by_hand(model.parameters() if as_generator else list(model.parameters()), lr)
    except Exception as caught:
        if isinstance(caught, NotImplementedError):
            raise
        message = str(caught).splitlines()[0]
        if "leaf Variable" in message or "in-place" in message:
            hint = "do the update inside `with torch.no_grad():` so autograd allows changing the parameter in place."
        elif "NoneType" in message:
            hint = "skip parameters whose .grad is None: `if p.grad is not None:`."
        else:
            hint = "loop over the parameters and update each one with p -= lr * p.grad under torch.no_grad()."
        fail(f"{call} raised an error.", "every parameter updated in place", f"{type(caught).__name__}: {message}", hint)
    torch.optim.SGD(twin.parameters(), lr=lr).step()

    eps = torch.finfo(torch.float32).eps
    for name, p, q, old, grad in zip(names, model.parameters(), twin.parameters(), before, grads):
        label = f"parameter {name!r} after {call}"
        if grad is None:
            check_true(p.grad is None, f"{label} has a gradient it did not have before.", expected="p.grad is None", got="a tensor")
            check_equal(p, old, name=label, hint="a parameter without a gradient must stay as it is, as with optimizer.step().")
            continue
        check_true(
            p.grad is not None and torch.equal(p.grad, grad),
            f"{call} changed {name}.grad.",
            expected="the gradients left as they were",
            got="None" if p.grad is None else "other values",
            hint="only update the parameters; zeroing gradients is optimizer.zero_grad()'s job, before the next backward().",
        )
        if torch.equal(p, old):
            fail(
                f"{call} left {name!r} unchanged.",
                "p - lr * p.grad, stored in the parameter itself",
                "the old values",
                "update in place with p -= lr * p.grad: p = p - lr * p.grad makes a new tensor that the model never "
                "sees. Loop over the parameters only once (a generator is empty the second time).",
            )
        allowed = 4 * eps * (old.abs() + (lr * grad).abs()) + 1e-30
        if not ((p.detach() - q.detach()).abs() <= allowed).all():
            if torch.allclose(p, old + lr * grad, rtol=1e-5, atol=1e-7):
                hint = "gradient descent goes against the gradient: subtract, p -= lr * p.grad."
            else:
                hint = "use the lr passed in, and subtract lr times the gradient once: p -= lr * p.grad."
            check_close(p, q, rtol=0.0, atol=0.0, name=label + " (compared with optimizer.step())", hint=hint)
        check_true(
            p.requires_grad and p.is_leaf,
            f"{label} no longer requires gradients.",
            expected="a leaf parameter with requires_grad=True",
            got=f"requires_grad={p.requires_grad}",
            hint="update the parameter's values in place; don't replace it or detach it.",
        )


# --- exercise 7: a training step and a test step ----------------------------------------------------


def check_train_and_test_steps(train_step: Callable, test_step: Callable, X_train: torch.Tensor, y_train: torch.Tensor,
                               X_test: torch.Tensor, y_test: torch.Tensor, device: Device) -> None:
    """``train_step`` and ``test_step`` on a line: the learner's own, in the right modes and devices, and they train it.

    ``train_step`` gets a model in evaluation mode, ``test_step`` one in training mode; both also run on a
    copy of the model on the ``meta`` device; two calls with lr=0 must not double the gradients; and 300
    epochs from weight 0 and bias 0 with ``nn.L1Loss()`` and SGD (lr=0.01) must reach a test loss below
    0.02. Prints the test loss after the first and the last epoch before judging it.

    Args:
        train_step: The learner's function.
        test_step: The learner's function.
        X_train: The notebook's training inputs, ``(n, 1)``.
        y_train: Their targets.
        X_test: The test inputs.
        y_test: Their targets.
        device: Where the models go.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    from helpers import training

    for mine, theirs in [(train_step, training.train_step), (test_step, training.test_step)]:
        check_true(
            mine is not theirs,
            f"{mine.__name__} is the course's helpers.{mine.__name__}.",
            expected="your own function",
            got=f"helpers.{mine.__name__}",
            hint="write the steps yourself; this exercise is about what happens inside them.",
        )

    train_call, test_call = "train_step(model, X_train, y_train, loss_fn, optimizer)", "test_step(model, X_test, y_test, loss_fn)"
    line = zero_line(device).eval()  # as after a test_step: train_step has to switch it back to training mode
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(line.parameters(), lr=0.01)
    with watch_model(line) as passes:
        first_loss = train_step(line, X_train, y_train, loss_fn, optimizer)
    check_forward_passes(passes, train_call, training=True, autograd=True)
    _check_python_float(first_loss, train_call)
    check_true(
        line.weight.item() != 0.0 or line.bias.item() != 0.0,
        "One train_step did not change the parameters.",
        expected="weight and bias moved away from 0",
        got="weight 0 and bias 0, the starting values",
        hint="call optimizer.step() after loss.backward(), and optimizer.zero_grad() before loss.backward(): "
        "between backward() and step() it wipes the gradients the step needs.",
    )
    with watch_model(line) as passes:
        first_test_loss = test_step(line, X_test, y_test, loss_fn)
    check_forward_passes(passes, test_call, training=False, autograd=False)
    _check_python_float(first_test_loss, test_call)
    for step, call in [(lambda model: train_step(model, X_train, y_train, loss_fn, torch.optim.SGD(model.parameters(), lr=0.01)), train_call),
                       (lambda model: test_step(model, X_test, y_test, loss_fn), test_call)]:
        check_runs_on_model_device(step, line, what=call)

    # With lr=0 the parameters stay put, so both calls see the same gradient; without zero_grad it doubles.
    line_lr0, twin = zero_line(device), zero_line(device)
    optimizer_lr0 = torch.optim.SGD(line_lr0.parameters(), lr=0.0)
    train_step(line_lr0, X_train, y_train, loss_fn, optimizer_lr0)
    train_step(line_lr0, X_train, y_train, loss_fn, optimizer_lr0)
    loss_fn(twin(X_train.to(device)), y_train.to(device)).backward()
    _check_gradients_not_piled_up(line_lr0, twin, "two calls of train_step with lr=0",
                                  "call optimizer.zero_grad() in train_step before loss.backward(): backward() adds to .grad.",
                                  "one backward() of loss_fn(model(X), y) per step.")

    for epoch in range(1, 300):
        train_step(line, X_train, y_train, loss_fn, optimizer)
    final_loss = test_step(line, X_test, y_test, loss_fn)
    print(f"test loss after 1 epoch: {first_test_loss:.4f}, after 300 epochs: {final_loss:.4f}")
    check_true(
        final_loss < 0.02,
        "After 300 epochs with train_step the test loss is too high.",
        expected="below 0.02",
        got=f"{final_loss:.4f}",
        hint="train_step: model.train(), loss = loss_fn(model(X), y), optimizer.zero_grad(), loss.backward(), "
        "optimizer.step(), return loss.item().",
    )


def _run_step(step: Callable, model: nn.Module, X: torch.Tensor, *args: Any) -> tuple[Any, list[ForwardPass]]:
    """``step(model, X, *args)``, watched: the model must run on the X passed in, not on the notebook's data."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with watch_model(model) as passes:
        try:
            result = step(model, X, *args)
        except RuntimeError:
            if all(p.rows == len(X) for p in passes):
                raise
            result = None
    other = sorted({p.rows for p in passes} - {len(X)})
    check_true(
        not other,
        f"{step.__name__}(model, X, ...) ran the model on other data than the X it was given.",
        expected=f"the X passed in: {len(X)} rows",
        got=f"inputs of {other} rows (the notebook's X_line_train or X_line_test?)",
        hint="use the X and y you are given: the grader passes data the notebook never had.",
    )
    return result, passes


def check_train_step_update(train_step: Callable, model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module,
                            lr: float, device: Device) -> None:
    """``train_step`` of a model in eval mode: training mode, the X given, the loss before the step, one SGD step's update.

    Args:
        train_step: The learner's function.
        model: A model on ``device`` (trained by the check with SGD at ``lr``).
        X: The input, on the CPU.
        y: The target.
        loss_fn: The loss function.
        lr: The learning rate.
        device: Where the model is.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    reference = copy.deepcopy(model)
    loss, passes = _run_step(train_step, model.eval(), X, y, loss_fn, torch.optim.SGD(model.parameters(), lr=lr))
    check_forward_passes(passes, "train_step(model, X, y, loss_fn, optimizer)", training=True, autograd=True)
    _check_python_float(loss, "train_step")
    reference_optimizer = torch.optim.SGD(reference.parameters(), lr=lr)
    reference_loss = loss_fn(reference(X.to(device)), y.to(device))
    reference_optimizer.zero_grad()
    reference_loss.backward()
    reference_optimizer.step()
    check_close(loss, reference_loss.item(), name="the loss returned by train_step",
                hint="return the loss of the predictions for X against y, computed before optimizer.step().")
    for (label, p), q in zip(model.named_parameters(), reference.parameters()):
        check_close(
            p, q, name=f"parameter {label!r} after one train_step",
            hint="zero the gradients before loss.backward(), not between backward() and step() (that wipes them), "
            "and take exactly one optimizer.step().",
        )


def check_test_step_measures(test_step: Callable, model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module,
                             device: Device) -> None:
    """``test_step`` of a model in training mode: eval mode, no autograd, the X given, the model unchanged, the eval loss.

    Leaves the model in evaluation mode.

    Args:
        test_step: The learner's function.
        model: A model on ``device``, with dropout (a missing ``model.eval()`` shows).
        X: The input, on the CPU.
        y: The target.
        loss_fn: The loss function.
        device: Where the model is.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    before = [p.detach().clone() for p in model.parameters()]
    loss, passes = _run_step(test_step, model.train(), X, y, loss_fn)
    check_forward_passes(passes, "test_step(model, X, y, loss_fn)", training=False, autograd=False)
    _check_python_float(loss, "test_step")
    for (label, p), old in zip(model.named_parameters(), before):
        check_equal(p, old, name=f"parameter {label!r} after test_step", hint="test_step only measures: no backward(), no step().")
        check_true(p.grad is None, f"test_step created a gradient for {label!r}.", expected="p.grad is None", got="a tensor",
                   hint="no loss.backward() in test_step.")
    model.eval()
    with torch.inference_mode():
        reference_loss = loss_fn(model(X.to(device)), y.to(device)).item()
    check_close(loss, reference_loss, name="the loss returned by test_step",
                hint="return loss_fn(model(X), y).item() computed in eval mode.")


def check_steps_on_model_device(train_step: Callable, test_step: Callable, model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                                loss_fn: nn.Module, lr: float) -> None:
    """Both steps give a copy of ``model`` on the ``meta`` device its input there, and leave it there.

    Args:
        train_step: The learner's function.
        test_step: The learner's function.
        model: Any model (copied; it is not changed).
        X: The input.
        y: The target.
        loss_fn: The loss function.
        lr: The learning rate of train_step's SGD optimizer.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_runs_on_model_device(lambda moved: train_step(moved, X, y, loss_fn, torch.optim.SGD(moved.parameters(), lr=lr)),
                               model, what="train_step(model, X, y, loss_fn, optimizer)")
    check_runs_on_model_device(lambda moved: test_step(moved, X, y, loss_fn), model, what="test_step(model, X, y, loss_fn)")


def check_steps_learn(train_step: Callable, test_step: Callable, data: Sequence[torch.Tensor], device: Device, *,
                      line: str, epochs: int, lr: float, eval_every: int, max_loss: float) -> None:
    """A line from weight 0 and bias 0, trained with the two steps (L1 loss, SGD at ``lr``), reaches a test loss below ``max_loss``.

    Args:
        train_step: The learner's function.
        test_step: The learner's function.
        data: ``X_train, y_train, X_test, y_test``, on the CPU.
        device: Where the line goes.
        line: The data's line as the message names it, e.g. ``"y = -0.6 x + 0.4"``.
        epochs: How many training steps.
        lr: The learning rate.
        eval_every: How often test_step runs along the way.
        max_loss: The largest final test loss that passes.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    X_train, y_train, X_test, y_test = data
    model = zero_line(device)
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(epochs):
        train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0:
            test_step(model, X_test, y_test, loss_fn)
    loss = test_step(model, X_test, y_test, loss_fn)
    check_true(
        loss < max_loss,
        f"After {epochs} epochs on {line} with train_step and test_step the test loss is too high.",
        expected=f"below {max_loss}",
        got=f"{loss:.4f}",
        hint="train_step must switch back to model.train(), zero the gradients, backpropagate and step every call.",
    )
