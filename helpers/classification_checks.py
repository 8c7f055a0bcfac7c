"""The checks behind chapter 02's exercises (classification): each test cell calls these on the learner's code.

Test cells stay a few lines long: the visible part calls a check on the notebook's data and models,
the hidden part calls the same or a sibling check on other arguments (fresh and rotated samples, other
sizes, models and tensors). Every check is built on :mod:`helpers.checks`, so a failure is a
``CheckError`` in the course's three parts: what is wrong, expected vs got, and a hint. The classic
mistakes are named in the first line, for example::

    MoonModel(2, 16, 1) returns probabilities, not logits.
      expected: logits: any real number, negative ones too
      got:      every output between 0.412 and 0.533
    Hint: end forward with the last nn.Linear: no torch.sigmoid or nn.Sigmoid. ...

The checks take the notebook's objects as arguments and compute what they expect themselves; none of
them returns an answer to an exercise (the expected decision grid, labels and probabilities are worked
out inside the checks).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from helpers.checks import (
    check_close,
    check_device,
    check_dtype,
    check_equal,
    check_shape,
    check_tensor,
    check_tensors_returned,
    check_true,
    fail,
    forbid_calls,
    named_mistakes,
)

Device = str | torch.device

#: Exercise 3: the losses a binary classifier with one logit per sample should not use, and why.
WRONG_LOSSES = {
    nn.BCELoss: "nn.BCELoss takes probabilities (after a sigmoid); the model gives logits. nn.BCEWithLogitsLoss "
                "applies the sigmoid itself and is numerically safer.",
    nn.CrossEntropyLoss: "nn.CrossEntropyLoss is for multiclass models with one logit per class and integer labels; "
                         "a binary model with one logit per sample uses nn.BCEWithLogitsLoss.",
    nn.MSELoss: "nn.MSELoss is a regression loss; for classification use a loss made for logits and labels.",
    nn.L1Loss: "nn.L1Loss is a regression loss; for classification use a loss made for logits and labels.",
}

#: Exercise 6: PyTorch's own tanh, which the learner's tanh may not call.
TANH_BUILT_INS = ["torch.tanh", "torch.Tensor.tanh", "torch.nn.functional.tanh", "torch.nn.Tanh.forward"]

#: Exercise 7: PyTorch's own softmax, which the learner's softmax may not call.
SOFTMAX_BUILT_INS = [
    "torch.softmax", "torch.log_softmax", "torch.Tensor.softmax", "torch.Tensor.log_softmax",
    "torch.nn.functional.softmax", "torch.nn.functional.log_softmax", "torch.nn.Softmax.forward",
    "torch.special.softmax", "torch.special.log_softmax",
]


# --- exercise 1: the moons as tensors -------------------------------------------------------------------


def check_moons_to_tensors(moons_to_tensors: Callable, **options: Any) -> None:
    """``moons_to_tensors(**options)``: scikit-learn's moons as float32 tensors, split by ``train_test_split`` in its order.

    Args:
        moons_to_tensors: The learner's function.
        **options: ``n_samples``, ``noise``, ``random_state`` and ``test_size``, passed on by name (left out: the defaults).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    n_samples, noise = options.get("n_samples", 1000), options.get("noise", 0.1)
    random_state, test_size = options.get("random_state", 42), options.get("test_size", 0.2)
    X, y = make_moons(n_samples, noise=noise, random_state=random_state)
    parts = train_test_split(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32),
                             test_size=test_size, random_state=random_state)
    expected = dict(zip(["X_train", "X_test", "y_train", "y_test"], parts))
    name = "moons_to_tensors(" + ", ".join(f"{key}={value!r}" for key, value in options.items()) + ")"

    result = moons_to_tensors(**options)
    got = check_tensors_returned(result, list(expected), name=name,
                                 hint="return what train_test_split(X, y, ...) returns: X_train, X_test, y_train, y_test.")
    n_train, n_test = len(expected["X_train"]), len(expected["X_test"])
    if tuple(got["X_test"].shape) == (n_train,) or tuple(got["y_train"].shape) == (n_test, 2):
        fail(
            f"{name} returned the four parts in another order.",
            "X_train, X_test, y_train, y_test (train_test_split's order)",
            "shapes " + ", ".join(str(tuple(value.shape)) for value in result),
            "return the result of train_test_split(X, y, ...) as it is: it gives X_train, X_test, y_train, y_test.",
        )
    for label, value in got.items():
        want = tuple(expected[label].shape)
        hint = ("labels are one number per point: keep y of shape (n,), don't unsqueeze it."
                if label.startswith("y") and value.ndim == 2 else
                f"test_size={test_size} of {n_samples} points go to the test set: "
                "train_test_split(X, y, test_size=test_size, random_state=random_state).")
        check_shape(value, want, name=f"{label} from {name}", hint=hint)
        if label.startswith("y") and value.dtype == torch.int64:
            hint = "nn.BCEWithLogitsLoss compares labels with float logits: convert y with .type(torch.float32)."
        else:
            hint = "NumPy gives float64 (and int64 labels): convert with torch.from_numpy(...).type(torch.float32)."
        check_dtype(value, torch.float32, name=f"{label} from {name}", hint=hint)
    for label in expected:
        check_close(
            got[label], expected[label], name=f"{label} from {name}",
            hint="use random_state for both make_moons and train_test_split, and pass n_samples, noise and "
            "test_size on; don't shuffle or sort the points yourself.",
        )


# --- exercise 2: a non-linear model -----------------------------------------------------------------


def _build_moon_model(model_class: Callable, *args: int, seed: int = 0) -> tuple[nn.Module, str]:
    """``MoonModel(*args)`` made after ``torch.manual_seed(seed)``, without touching the global generator, and the call as text."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = "MoonModel(" + ", ".join(repr(a) for a in args) + ")"
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        try:
            model = model_class(*args)
        except AttributeError as caught:
            fail(
                f"{call} failed while setting up its layers.",
                "a model with nn.Linear layers",
                f"AttributeError: {caught}",
                "call super().__init__() as the first line of __init__, before creating any layer.",
            )
    check_true(
        isinstance(model, nn.Module),
        "MoonModel is not an nn.Module.",
        expected="class MoonModel(nn.Module)",
        got=type(model).__mro__[1].__name__,
        hint="subclass nn.Module so PyTorch finds the layers' parameters and can call forward.",
    )
    return model, call


def check_moon_model(model_class: Callable, in_features: int, hidden_units: int, out_features: int) -> None:
    """``MoonModel(in_features, hidden_units, out_features)``: ``nn.Linear`` layers of ``hidden_units``, non-linear, logits.

    Args:
        model_class: The learner's ``MoonModel``.
        in_features: Passed on.
        hidden_units: Passed on; some hidden layer must have this many units.
        out_features: Passed on; the output's width.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    model, call = _build_moon_model(model_class, in_features, hidden_units, out_features)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    check_true(
        len(linears) >= 2,
        f"{call} has {len(linears)} nn.Linear layer(s).",
        expected="at least two: input -> hidden and hidden -> output",
        got=f"{len(linears)}",
        hint="nn.Linear(in_features, hidden_units), an activation, then nn.Linear(hidden_units, out_features).",
    )
    check_true(
        any(layer.out_features == hidden_units for layer in linears),
        f"{call} has no hidden layer with hidden_units={hidden_units} units.",
        expected=f"an nn.Linear(..., {hidden_units})",
        got=f"layers {[(layer.in_features, layer.out_features) for layer in linears]}",
        hint="use the hidden_units argument for the size of the hidden layer(s), not a fixed number.",
    )
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(64, in_features, generator=generator)
    output = model(X)
    check_shape(output, (64, out_features), name=f"{call}(X) for X of shape (64, {in_features})",
                hint=f"the last layer should be nn.Linear(hidden_units, out_features), giving (n, {out_features}).")
    check_dtype(output, torch.float32, name=f"{call}(X)")
    check_true(
        output.requires_grad,
        f"{call}(X) is not connected to the model's parameters.",
        expected="an output autograd can trace back to the layers (requires_grad=True)",
        got="requires_grad=False",
        hint="don't use torch.no_grad(), .detach() or .item() inside forward.",
    )
    # An affine function f satisfies f(a + b) = f(a) + f(b) - f(0) exactly; a non-linear model does not.
    a, b = 3 * torch.randn(64, in_features, generator=generator), 3 * torch.randn(64, in_features, generator=generator)
    zero = torch.zeros(1, in_features)
    with torch.no_grad():
        gap = (model(a + b) - model(a) - model(b) + model(zero)).abs().max().item()
    check_true(
        gap > 1e-3,
        f"{call} is a straight line: stacked nn.Linear layers without an activation are one linear function.",
        expected="a non-linear model",
        got=f"model(a + b) = model(a) + model(b) - model(0) for every input (largest gap {gap:.2g})",
        hint="put a non-linear activation such as nn.ReLU() between the nn.Linear layers.",
    )
    # Logits can be any real number (with nn.Tanh or nn.Sigmoid inside, they may all lie between -1 and 1). Over large
    # inputs and three starts: every output in [0, 1] means probabilities (a sigmoid at the end), none below 0 a ReLU.
    outputs = []
    for seed in range(3):
        model, _ = _build_moon_model(model_class, in_features, hidden_units, out_features, seed=seed)
        with torch.no_grad():
            outputs.append(model(50 * torch.randn(256, in_features, generator=generator)))
    low, high = min(o.min().item() for o in outputs), max(o.max().item() for o in outputs)
    if low >= 0 and high <= 1:
        fail(
            f"{call} returns probabilities, not logits.",
            "logits: any real number, negative ones too",
            f"every output between {low:.3g} and {high:.3g}",
            "end forward with the last nn.Linear: no torch.sigmoid or nn.Sigmoid. nn.BCEWithLogitsLoss applies the "
            "sigmoid itself, in a numerically safer way.",
        )
    if low >= 0:
        fail(
            f"{call} never returns negative logits.",
            "logits: any real number, negative ones too",
            f"every output between {low:.3g} and {high:.3g}",
            "end forward with the last nn.Linear, not with an activation such as nn.ReLU().",
        )


def check_every_parameter_learns(model_class: Callable, X: torch.Tensor) -> None:
    """Every parameter of ``MoonModel()`` gets a gradient from ``model(X).sum().backward()``.

    Args:
        model_class: The learner's ``MoonModel``.
        X: An input of shape ``(n, 2)``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    model, _ = _build_moon_model(model_class)
    model.zero_grad()
    model(X).sum().backward()
    for name, parameter in model.named_parameters():
        check_true(
            parameter.grad is not None,
            f"The parameter {name!r} of MoonModel() gets no gradient.",
            expected="every parameter used in forward",
            got=f"{name}.grad is None",
            hint="use every layer you create in forward, or don't create it.",
        )


def check_moon_model_on_device(model_class: Callable, X: torch.Tensor, device: Device) -> None:
    """``MoonModel().to(device)`` moves its parameters and computes on ``device``.

    Args:
        model_class: The learner's ``MoonModel``.
        X: An input of shape ``(n, 2)`` on ``device``.
        device: Where the model goes.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    model, _ = _build_moon_model(model_class)
    model = model.to(device)
    check_device(next(model.parameters()), device, name="MoonModel().to(device)'s parameters")
    check_device(model(X), device, name="MoonModel()(X) on device")


# --- exercise 3: loss and optimizer ----------------------------------------------------------------------


def check_loss_and_optimizer(make_loss_and_optimizer: Callable, model: nn.Module, lr: float) -> None:
    """``make_loss_and_optimizer(model, lr=lr)``: ``nn.BCEWithLogitsLoss()`` and an SGD or Adam optimizer over every parameter at ``lr``.

    Args:
        make_loss_and_optimizer: The learner's function.
        model: A binary classifier.
        lr: The learning rate to pass.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"make_loss_and_optimizer(model, lr={lr})"
    result = make_loss_and_optimizer(model, lr=lr)
    if not (isinstance(result, tuple | list) and len(result) == 2):
        fail(f"{name} should return two things.", "(loss_fn, optimizer)", type(result).__name__,
             "end with: return loss_fn, optimizer")
    loss_fn, optimizer = result
    for wrong, why in WRONG_LOSSES.items():
        if isinstance(loss_fn, wrong):
            fail(f"{name} returned the wrong loss function.", "nn.BCEWithLogitsLoss()", f"nn.{wrong.__name__}()", why)
    check_true(
        isinstance(loss_fn, nn.BCEWithLogitsLoss),
        f"{name} returned the wrong loss function.",
        expected="nn.BCEWithLogitsLoss()",
        got=type(loss_fn).__name__,
        hint="a binary classifier with one logit per sample: nn.BCEWithLogitsLoss().",
    )
    logits, labels = torch.tensor([2.0, -1.0, 0.5, -3.0]), torch.tensor([1.0, 0.0, 0.0, 1.0])
    by_hand = -(labels * torch.log(torch.sigmoid(logits)) + (1 - labels) * torch.log(1 - torch.sigmoid(logits))).mean()
    check_close(loss_fn(logits, labels), by_hand, name="loss_fn(logits, labels)",
                hint="create it without options: nn.BCEWithLogitsLoss() averages over the samples.")
    check_true(
        isinstance(optimizer, torch.optim.SGD | torch.optim.Adam),
        f"{name} did not return an SGD or Adam optimizer.",
        expected="torch.optim.SGD(model.parameters(), lr=lr) or torch.optim.Adam(...)",
        got=type(optimizer).__name__,
        hint="create the optimizer object itself, not the class or a function.",
    )
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    missing = [n for n, p in model.named_parameters() if id(p) not in optimized]
    check_true(
        not missing,
        f"The optimizer from {name} does not update every parameter of the model.",
        expected="all of model.parameters()",
        got=f"missing {missing}",
        hint="pass model.parameters() (of the model given to the function, not another one).",
    )
    check_equal([group["lr"] for group in optimizer.param_groups], [lr], name=f"the learning rate of the optimizer from {name}",
                hint="pass the lr argument on: torch.optim.SGD(model.parameters(), lr=lr).")


# --- exercises 4 and 10: trained classifiers --------------------------------------------------------------


def _model_parameters(model: Any, name: str) -> list[nn.Parameter]:
    """The parameters of what ``name`` returned, which must be a model that has some."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_true(isinstance(model, nn.Module), f"{name} did not return a model.", expected="an nn.Module",
               got=type(model).__name__, hint="end the function with: return model")
    parameters = list(model.parameters())
    check_true(parameters, f"The model from {name} has no parameters.", expected="a trained model", got="no parameters")
    return parameters


def _binary_accuracy(model: Any, X: torch.Tensor, y: torch.Tensor, name: str) -> float:
    """The test's own measurement: eval mode, inference_mode, logit >= 0 means class 1."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    parameters = _model_parameters(model, name)
    model.eval()
    with torch.inference_mode():
        logits = model(X.to(parameters[0].device)).cpu()
    check_tensor(logits, name=f"the output of the model from {name}")
    if tuple(logits.shape) != (len(X),):
        check_shape(logits, (len(X), 1), name=f"the output of the model from {name} for {len(X)} points",
                    hint="one logit per point: the last layer is nn.Linear(..., 1).")
    logits = logits.reshape(-1)
    if logits.min() >= 0 and logits.max() <= 1:
        fail(
            f"The model from {name} outputs probabilities, not logits.",
            "logits: any real number",
            f"every output between {logits.min():.3g} and {logits.max():.3g}",
            "end the model with its last nn.Linear (no nn.Sigmoid) and train it with nn.BCEWithLogitsLoss.",
        )
    return ((logits >= 0).float() == y.cpu()).float().mean().item()


def _multiclass_accuracy(model: Any, X: torch.Tensor, y: torch.Tensor, name: str) -> float:
    """The test's own measurement: eval mode, inference_mode, argmax of the logits."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    parameters = _model_parameters(model, name)
    model.eval()
    with torch.inference_mode():
        logits = model(X.to(parameters[0].device)).cpu()
    check_shape(logits, (len(X), 3), name=f"the output of the model from {name} for {len(X)} points",
                hint="one logit per class: the last layer is nn.Linear(..., 3).")
    if logits.min() >= 0 and torch.allclose(logits.sum(dim=1), torch.ones(len(X)), atol=1e-4):
        fail(
            f"The model from {name} ends with a softmax.",
            "logits: the raw output of the last nn.Linear",
            "probabilities: every row adds up to 1",
            "remove the softmax: nn.CrossEntropyLoss applies log-softmax itself, and a softmax before it squashes "
            "the gradients. Use softmax only to show probabilities, after training.",
        )
    return (logits.argmax(dim=1) == y.cpu()).float().mean().item()


@dataclass(frozen=True)
class _Classification:
    """What the messages of one trained-classifier exercise say: its function, its data, its target and its hints."""

    function: str  # "train_moon_classifier"
    data: tuple[str, str]  # the notebook's training data, ("X_moons_train", "y_moons_train")
    kind: str  # "moons" in "The trained moons classifier"
    points: str  # "moons" in "2,000 fresh moons"
    shapes: str  # "moons" in "the notebook's own kind of moons"
    threshold: float
    accuracy: Callable[[Any, torch.Tensor, torch.Tensor, str], float]
    hint: str  # when the test accuracy is too low
    fresh_hint: str  # when the accuracy on fresh data is too low
    build: str  # how to build the model, the end of the hint when another sample was not learned


MOONS = _Classification(
    "train_moon_classifier", ("X_moons_train", "y_moons_train"), "moons", "moons", "moons", 0.96, _binary_accuracy,
    "put nn.ReLU() between the nn.Linear layers, squeeze the (n, 1) logits before the loss, and train longer "
    "or with a larger learning rate (Adam with lr=0.01 for a few hundred epochs works well).",
    "train only on the training data, and make sure the model generalises: a non-linear model, enough epochs.",
    "Build the model for any moons: a non-linear model, enough epochs.",
)
SPIRALS = _Classification(
    "train_spiral_classifier", ("X_spiral_train", "y_spiral_train"), "spiral", "spiral points", "spirals", 0.95,
    _multiclass_accuracy,
    "use nn.ReLU() between wider layers (e.g. 64 units), nn.CrossEntropyLoss on the raw logits, and train "
    "longer (Adam, lr=0.01, about 1,000 epochs).",
    "train only on the training data, and give the model enough capacity and epochs to follow the arms.",
    "Build the model for any spirals: wide ReLU layers, enough epochs.",
)


def _trained(train: Callable, X_train: torch.Tensor, y_train: torch.Tensor, name: str) -> nn.Module:
    """``train(X_train, y_train)`` on copies of the data, with the classic mistakes named."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with named_mistakes(name):
        return train(X_train.clone(), y_train.clone())


def _check_classifier(task: _Classification, train: Callable, X_train: torch.Tensor, y_train: torch.Tensor,
                      X_test: torch.Tensor, y_test: torch.Tensor) -> nn.Module:
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"{task.function}({', '.join(task.data)})"
    model = _trained(train, X_train, y_train, name)
    accuracy = task.accuracy(model, X_test, y_test, name)
    print(f"Accuracy on the {len(X_test)} test points: {accuracy:.1%}")
    check_true(
        accuracy > task.threshold,
        f"The trained {task.kind} classifier is not accurate enough on the test set.",
        expected=f"above {task.threshold:.1%}",
        got=f"{accuracy:.1%}",
        hint=task.hint,
    )
    return model


def _check_on_fresh_data(task: _Classification, model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> None:
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    accuracy = task.accuracy(model, X, y, f"{task.function}({', '.join(task.data)})")
    check_true(
        accuracy > task.threshold,
        f"The trained {task.kind} classifier is not accurate enough on {len(X):,} fresh {task.points} it has never seen.",
        expected=f"above {task.threshold:.1%}",
        got=f"{accuracy:.1%}",
        hint=task.fresh_hint,
    )


def _check_learns_its_arguments(task: _Classification, train: Callable, first_model: nn.Module, sample: str,
                                other: tuple[torch.Tensor, torch.Tensor], other_fresh: tuple[torch.Tensor, torch.Tensor],
                                fresh: tuple[torch.Tensor, torch.Tensor]) -> None:
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    other_name = f"{task.function}(X_other, y_other)"
    other_model = _trained(train, *other, other_name)
    check_true(other_model is not first_model, f"{task.function} returned the same model object twice.",
               expected="a new model per call", got="the same object", hint="build the model inside the function.")
    other_accuracy = task.accuracy(other_model, *other_fresh, other_name)
    if not other_accuracy > task.threshold:
        # A model that learned the notebook's data instead of X_other is right on the unrotated points.
        unrotated_accuracy = task.accuracy(other_model, *fresh, other_name)
        fail(
            f"A classifier trained by {task.function} on a different sample ({sample}) is not accurate on that sample's "
            "distribution.",
            f"above {task.threshold:.1%} on {len(other_fresh[0]):,} fresh {task.points} rotated and relabelled the same way",
            f"{other_accuracy:.1%}" + (f", but {unrotated_accuracy:.1%} on the notebook's own kind of {task.shapes}: "
                                       "it learned those instead" if unrotated_accuracy > 0.9 else ""),
            f"train on the X_train and y_train you are given, not on the notebook's {' and '.join(task.data)}: "
            f"the grader passes data the notebook never had. {task.build}",
        )


def check_moon_classifier(train_moon_classifier: Callable, X_train: torch.Tensor, y_train: torch.Tensor,
                          X_test: torch.Tensor, y_test: torch.Tensor) -> nn.Module:
    """``train_moon_classifier(X_train, y_train)`` returns a model of one logit, above 96% accurate on the test set.

    The check measures the accuracy itself (eval mode, inference mode, logit >= 0 is class 1).

    Prints the accuracy before judging it.

    Args:
        train_moon_classifier: The learner's function (called on copies of the data, classic mistakes named).
        X_train: The notebook's training points.
        y_train: Their float labels.
        X_test: The test points.
        y_test: Their labels.

    Returns:
        The trained model.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    return _check_classifier(MOONS, train_moon_classifier, X_train, y_train, X_test, y_test)


def check_moon_classifier_on_fresh_moons(moon_model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> None:
    """The model from ``train_moon_classifier`` is above 96% accurate on fresh moons it has never seen.

    Args:
        moon_model: What :func:`check_moon_classifier` returned.
        X: Fresh points.
        y: Their labels.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    _check_on_fresh_data(MOONS, moon_model, X, y)


def check_moon_classifier_learns_its_arguments(train_moon_classifier: Callable, moon_model: nn.Module, sample: str,
                                               other: tuple[torch.Tensor, torch.Tensor],
                                               other_fresh: tuple[torch.Tensor, torch.Tensor],
                                               fresh: tuple[torch.Tensor, torch.Tensor]) -> None:
    """``train_moon_classifier`` trained on another sample returns a new model, above 96% accurate on that sample's kind of moons.

    Args:
        train_moon_classifier: The learner's function.
        moon_model: The model it returned for the notebook's data.
        sample: The other sample, as the message describes it.
        other: ``(X, y)`` to train on.
        other_fresh: ``(X, y)`` of the same kind, to measure on.
        fresh: ``(X, y)`` of the notebook's kind: a model that is right there learned the notebook's data instead.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    _check_learns_its_arguments(MOONS, train_moon_classifier, moon_model, sample, other, other_fresh, fresh)


def check_spiral_classifier(train_spiral_classifier: Callable, X_train: torch.Tensor, y_train: torch.Tensor,
                            X_test: torch.Tensor, y_test: torch.Tensor) -> nn.Module:
    """``train_spiral_classifier(X_train, y_train)`` returns a model of three logits, above 95% accurate on the test set.

    The check measures the accuracy itself (eval mode, inference mode, the argmax of the logits).

    Prints the accuracy before judging it.

    Args:
        train_spiral_classifier: The learner's function (called on copies of the data, classic mistakes named).
        X_train: The notebook's training points.
        y_train: Their integer labels.
        X_test: The test points.
        y_test: Their labels.

    Returns:
        The trained model.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    return _check_classifier(SPIRALS, train_spiral_classifier, X_train, y_train, X_test, y_test)


def check_spiral_classifier_on_fresh_spirals(spiral_model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> None:
    """The model from ``train_spiral_classifier`` is above 95% accurate on fresh spiral points it has never seen.

    Args:
        spiral_model: What :func:`check_spiral_classifier` returned.
        X: Fresh points.
        y: Their labels.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    _check_on_fresh_data(SPIRALS, spiral_model, X, y)


def check_spiral_classifier_learns_its_arguments(train_spiral_classifier: Callable, spiral_model: nn.Module, sample: str,
                                                 other: tuple[torch.Tensor, torch.Tensor],
                                                 other_fresh: tuple[torch.Tensor, torch.Tensor],
                                                 fresh: tuple[torch.Tensor, torch.Tensor]) -> None:
    """``train_spiral_classifier`` trained on another sample returns a new model, above 95% accurate on that sample's kind of spirals.

    Args:
        train_spiral_classifier: The learner's function.
        spiral_model: The model it returned for the notebook's data.
        sample: The other sample, as the message describes it.
        other: ``(X, y)`` to train on.
        other_fresh: ``(X, y)`` of the same kind, to measure on.
        fresh: ``(X, y)`` of the notebook's kind: a model that is right there learned the notebook's data instead.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    _check_learns_its_arguments(SPIRALS, train_spiral_classifier, spiral_model, sample, other, other_fresh, fresh)


# --- exercise 5: the grid behind a decision-boundary plot ------------------------------------------------------


class _Immovable(nn.Module):
    """Wraps a model: records the mode of every call and refuses .to(), .cpu() and .cuda()."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.modes: list[bool] = []
        self.frozen = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.inner(x)

    def _apply(self, fn: Callable, recurse: bool = True) -> nn.Module:
        __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
        if self.frozen:
            fail("decision_grid moved the model.", "the model left on its device", "model.to(...), .cpu() or .cuda()",
                 "move the grid points to next(model.parameters()).device instead of moving the model.")
        return super()._apply(fn, recurse)


def check_decision_grid(decision_grid: Callable, model: nn.Module, X: torch.Tensor, steps: int, start_in_training: bool) -> None:
    """``decision_grid(model, X, steps=steps)``: the grid over X's range and the model's labels on it, on the CPU.

    The grid is ``(steps, steps)``; the model must not move and must be left in the mode it was in.

    The model is handed over wrapped in a module that refuses to move and records the mode of every call.

    Args:
        decision_grid: The learner's function.
        model: A classifier of two inputs (one logit: binary; several: multiclass).
        X: Points whose range the grid spans, on any device.
        steps: Passed on by name.
        start_in_training: The mode the model is handed over in.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    name = f"decision_grid(model, X, steps={steps})"
    # The test's own grid: linspace over each column, meshgrid 'xy', labels in eval mode.
    points = X.detach().cpu().double()
    xs = torch.linspace(points[:, 0].min().item(), points[:, 0].max().item(), steps)
    ys = torch.linspace(points[:, 1].min().item(), points[:, 1].max().item(), steps)
    want_xx, want_yy = torch.meshgrid(xs, ys, indexing="xy")
    model.eval()
    with torch.inference_mode():
        logits = model(torch.stack([want_xx.reshape(-1), want_yy.reshape(-1)], dim=1).to(next(model.parameters()).device)).cpu()
    want_labels = (logits.argmax(dim=1) if logits.shape[1] > 1 else (logits[:, 0] >= 0).long()).reshape(steps, steps)

    wrapped = _Immovable(model).train(start_in_training)
    wrapped.frozen = True
    try:
        result = decision_grid(wrapped, X, steps=steps)
    finally:
        wrapped.frozen = False
    if not (isinstance(result, tuple | list) and len(result) == 3):
        fail(f"{name} should return three tensors.", "xx, yy, labels", type(result).__name__,
             "end with: return xx, yy, labels")
    xx, yy, labels = result
    for label, value in [("xx", xx), ("yy", yy), ("labels", labels)]:
        check_shape(value, (steps, steps), name=f"{label} from {name}",
                    hint="torch.meshgrid(xs, ys, indexing='xy') gives (steps, steps); reshape the labels to match.")
        check_device(value, "cpu", name=f"{label} from {name}", hint="return everything on the CPU (.cpu()), ready to plot.")
    check_close(xx, want_xx, name=f"xx from {name}", hint="xs = torch.linspace(X[:, 0].min(), X[:, 0].max(), steps), "
                "then torch.meshgrid(xs, ys, indexing='xy').")
    check_close(yy, want_yy, name=f"yy from {name}", hint="ys = torch.linspace(X[:, 1].min(), X[:, 1].max(), steps), "
                "then torch.meshgrid(xs, ys, indexing='xy').")
    check_dtype(labels, torch.long, name=f"labels from {name}")
    check_true(
        wrapped.modes and not any(wrapped.modes),
        f"{name} ran the model in training mode.",
        expected="model.eval() before predicting",
        got=f"training flags of the calls: {wrapped.modes}",
        hint="switch to model.eval() before predicting: in training mode dropout makes the predictions random.",
    )
    check_true(
        wrapped.training == start_in_training,
        f"{name} did not leave the model in the mode it was in.",
        expected=f"model.training == {start_in_training}",
        got=f"model.training == {wrapped.training}",
        hint="remember was_training = model.training, and call model.train(was_training) at the end (not model.train()).",
    )
    if not torch.equal(labels, want_labels):
        wrong = (labels != want_labels).sum().item()
        fail(
            f"{name} predicts the wrong label at {wrong} of {steps * steps} grid points.",
            f"labels starting {want_labels.flatten()[:8].tolist()}",
            f"labels starting {labels.flatten()[:8].tolist()}",
            "predict all grid points in one batch of shape (steps * steps, 2), built from xx.flatten() and yy.flatten() "
            "in that order; class 1 where the logit is >= 0 (binary), else the argmax over dim=1; then "
            ".reshape(steps, steps).",
        )


# --- exercise 6: tanh ----------------------------------------------------------------------------------


def check_tanh(tanh: Callable, x: torch.Tensor, name: str) -> None:
    """``tanh(x)``, without PyTorch's tanh, matches ``torch.tanh``: shape, dtype, device, no nan or inf, values; ``x`` unchanged.

    Args:
        tanh: The learner's function.
        x: Any float tensor.
        name: ``x`` as the message names it.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    before = x.clone()
    with forbid_calls(*TANH_BUILT_INS, what=f"tanh({name})"):
        got = tanh(x)
    check_tensor(got, name=f"tanh({name})")
    check_shape(got, x.shape, name=f"tanh({name})", hint="work element-wise: no sum, mean or reshape.")
    check_dtype(got, x.dtype, name=f"tanh({name})", hint="don't convert: torch.exp keeps the dtype of its input.")
    check_device(got, x.device, name=f"tanh({name})", hint="build constants with torch functions on x, or plain numbers.")
    check_equal(x, before, name=f"{name} after tanh({name})", hint="don't change x in place (x.abs_(), x *= ...).")
    bad = ~torch.isfinite(got)
    if bad.any():
        first = x[bad].flatten()[0].item()
        fail(
            f"tanh({name}) gives nan or inf for large inputs.",
            f"tanh({first:g}) = {torch.tanh(torch.tensor(first)).item():g}",
            f"{got[bad].flatten()[0].item()}",
            "e^x overflows to inf for x above about 88 (float32), and inf / inf is nan. Only exponentiate "
            "non-positive numbers: with e = torch.exp(-2 * x.abs()), tanh(x) = sign(x) * (1 - e) / (1 + e).",
        )
    check_close(got, torch.tanh(x), name=f"tanh({name})", rtol=1e-5, atol=1e-6,
                hint="tanh(x) = (e^x - e^-x) / (e^x + e^-x), written so that no exponential overflows.")


# --- exercise 7: softmax -------------------------------------------------------------------------------


def check_softmax(softmax: Callable, logits: torch.Tensor, name: str, dim: int | None = None) -> None:
    """``softmax(logits[, dim])``, without PyTorch's softmax, matches ``torch.softmax`` along ``dim``, naming the classic mistakes.

    Args:
        softmax: The learner's function.
        logits: Any float tensor.
        name: ``logits`` as the message names it.
        dim: Passed on by name; ``None`` relies on the default (-1).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = f"softmax({name})" if dim is None else f"softmax({name}, dim={dim})"
    want_dim = -1 if dim is None else dim
    before = logits.clone()
    with forbid_calls(*SOFTMAX_BUILT_INS, what=call):
        got = softmax(logits) if dim is None else softmax(logits, dim=dim)
    check_tensor(got, name=call)
    check_shape(got, logits.shape, name=call, hint="use keepdim=True in max and sum so they broadcast back over dim.")
    check_dtype(got, logits.dtype, name=call)
    check_device(got, logits.device, name=call)
    check_equal(logits, before, name=f"{name} after {call}", hint="don't change the logits in place (logits -= ...).")
    bad = ~torch.isfinite(got)
    if bad.any():
        fail(
            f"{call} gives nan or inf: the exponentials overflowed.",
            "finite probabilities",
            f"{bad.sum().item()} value(s) nan or inf",
            "subtract the largest logit along dim before torch.exp: "
            "logits - logits.max(dim=dim, keepdim=True).values. The result is the same, and no exponent is above 0.",
        )
    want = torch.softmax(logits, dim=want_dim)
    # Rounding the logits costs about eps * |logit| (6e-5 at 1000 in float32), and exp turns it into a relative error.
    tol = 10 * torch.finfo(logits.dtype).eps * max(1.0, logits.abs().max().item())
    sums = got.sum(dim=want_dim)
    if not torch.allclose(sums, torch.ones_like(sums), rtol=0, atol=tol):
        for other in range(logits.ndim):
            if other % logits.ndim != want_dim % logits.ndim and torch.allclose(got, torch.softmax(logits, dim=other), rtol=tol, atol=tol):
                fail(
                    f"{call} normalises over the wrong dimension.",
                    f"values along dim={want_dim} adding up to 1",
                    f"values along dim={other} adding up to 1",
                    "over dim=0 each class's column sums to 1 across the batch, mixing up samples. "
                    "Use the dim argument (default -1, the classes) in both max and sum.",
                )
        fail(
            f"{call} gives values along dim={want_dim} that do not add up to 1.",
            f"sums of 1 (within {tol:.1g})",
            f"sums {', '.join(f'{v:.9g}' for v in sums.flatten()[:4].tolist())} (largest gap {(sums - 1).abs().max().item():.2g})",
            "divide the exponentials by their sum along the same dim: exps / exps.sum(dim=dim, keepdim=True).",
        )
    check_close(got, want, name=call, rtol=tol, atol=tol,
                hint="exp of the shifted logits divided by their sum along dim (keepdim=True).")


# --- exercise 8: accuracy ----------------------------------------------------------------------------


def check_accuracy_fn(accuracy_fn: Callable, y_true: torch.Tensor, y_pred: torch.Tensor, name: str) -> None:
    """``accuracy_fn(y_true, y_pred)`` is the fraction of equal labels, as a Python float (not a percentage).

    Args:
        accuracy_fn: The learner's function.
        y_true: Labels.
        y_pred: Predictions of the same shape.
        name: The arguments as the message names them.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    want = sum(int(a == b) for a, b in zip(y_true.cpu().tolist(), y_pred.cpu().tolist())) / len(y_true)
    got = accuracy_fn(y_true, y_pred)
    if isinstance(got, torch.Tensor) or not isinstance(got, float):
        fail(f"accuracy_fn({name}) did not return a Python float.", "a float such as 0.75", f"{type(got).__name__}: {got!r}",
             "turn the one-element result into a float with .item().")
    if want > 0 and abs(got - 100 * want) < 1e-6:
        fail(f"accuracy_fn({name}) returned a percentage.", f"{want:g} (a fraction)", f"{got:g}",
             "don't multiply by 100: the course's accuracies are fractions; print them with f'{acc:.1%}'.")
    check_close(got, want, name=f"accuracy_fn({name})",
                hint="count the positions where y_true == y_pred and divide by the number of labels (.float().mean()).")


def check_accuracy_fn_names_unsqueezed_predictions(accuracy_fn: Callable) -> None:
    """``accuracy_fn`` refuses labels of shape (6,) with predictions of shape (6, 1), with a ValueError that names both shapes."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    y_true = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
    try:
        unsqueezed = accuracy_fn(y_true, y_true.unsqueeze(1))
    except ValueError as caught:
        message = str(caught)  # the shapes in any notation: (6,), [6], torch.Size([6]), ...
        named = {tuple(int(n) for n in re.findall(r"\d+", shape)) for shape in re.findall(r"[(\[][\d,\s]*[)\]]", message)}
        check_true({(6,), (6, 1)} <= named, "The ValueError of accuracy_fn does not name both shapes.",
                   expected="a message naming (6,) and (6, 1), e.g. as torch.Size([6]) and torch.Size([6, 1])", got=repr(message),
                   hint="e.g. raise ValueError(f'y_true has shape {tuple(y_true.shape)} but y_pred has shape {tuple(y_pred.shape)}')")
    else:
        fail(
            "accuracy_fn accepted labels of shape (6,) and predictions of shape (6, 1): the unsqueezed-predictions bug.",
            "a ValueError naming both shapes",
            f"{unsqueezed!r}, although all six predictions are right (== broadcast them to a (6, 6) table)",
            "compare y_true.shape with y_pred.shape first and raise ValueError when they differ.",
        )


def check_accuracy_fn_refuses_shapes(accuracy_fn: Callable, shape_true: tuple[int, ...], shape_pred: tuple[int, ...]) -> None:
    """``accuracy_fn`` raises a ValueError for labels and predictions of these different shapes.

    Args:
        accuracy_fn: The learner's function.
        shape_true: The labels' shape.
        shape_pred: The predictions' shape.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    try:
        accuracy_fn(torch.zeros(shape_true), torch.zeros(shape_pred))
    except ValueError:
        return
    fail(f"accuracy_fn accepted shapes {shape_true} and {shape_pred}.", "a ValueError", "no error",
         "compare the shapes first and raise ValueError when they differ.")


# --- exercise 9: from logits to labels ---------------------------------------------------------------------


def check_logits_to_labels(logits_to_labels: Callable, logits: torch.Tensor, name: str) -> None:
    """``logits_to_labels(logits)``: ``logit >= 0`` for one column, the argmax for several, int64 of shape (n,).

    The classic mistakes are named: (n, 1) labels, the argmax over dim=0, rounding logits, class 0 at a logit of 0.

    Args:
        logits_to_labels: The learner's function (not the course's own).
        logits: Binary ``(n,)`` / ``(n, 1)`` or multiclass ``(n, k)`` logits.
        name: ``logits`` as the message names them.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = f"logits_to_labels({name})"
    check_true(getattr(logits_to_labels, "__module__", None) != "helpers.metrics",
               "logits_to_labels is the course's own helpers.logits_to_labels.", expected="a function you wrote",
               got="helpers.metrics.logits_to_labels",
               hint="write it yourself: argmax over dim=1 for several columns, logit >= 0 for one.")
    binary = logits.ndim == 1 or logits.shape[1] == 1
    flat = logits.reshape(-1) if binary else logits
    want = (flat >= 0).long() if binary else flat.max(dim=1).indices
    got = logits_to_labels(logits)
    check_tensor(got, name=call)
    if binary and tuple(got.shape) == (len(logits), 1):
        fail(f"{call} returned labels of shape (n, 1).", f"({len(logits)},)", f"{tuple(got.shape)}",
             "squeeze the (n, 1) logits first: logits.squeeze(1), so the labels match (n,) true labels.")
    if not binary and tuple(got.shape) == (logits.shape[1],):
        fail(f"{call} took the argmax over dim=0.", f"one label per row, shape ({len(logits)},)",
             f"one index per column, shape {tuple(got.shape)}",
             "the classes are the columns: logits.argmax(dim=1) picks the largest logit in each row.")
    check_shape(got, (len(logits),), name=call)
    check_dtype(got, torch.long, name=call, hint="convert the comparison's booleans with .long().")
    check_device(got, logits.device, name=call)
    if binary and (got.min() < 0 or got.max() > 1):
        fail(f"{call} gives labels other than 0 and 1.", "labels 0 or 1", f"values from {got.min().item()} to {got.max().item()}",
             "round the probabilities, not the logits: torch.sigmoid(logits) >= 0.5 (torch.round(2.7) is 3).")
    if binary and torch.equal(got, torch.zeros_like(got)) and not torch.equal(want, got):
        fail(f"{call} predicts class 0 everywhere.", f"labels {want[:8].tolist()}...", f"labels {got[:8].tolist()}...",
             "argmax over a single column is always 0: binary models need torch.sigmoid(logits) >= 0.5.")
    if binary and (flat == 0).any() and not got[flat == 0].eq(1).all():
        fail(f"{call} gives class 0 for a logit of exactly 0.", "class 1: sigmoid(0) = 0.5, and a probability of at least 0.5 is class 1",
             "class 0", "use torch.sigmoid(logits) >= 0.5 (or logits >= 0): torch.round rounds 0.5 down to 0, and > 0 leaves 0 out.")
    if binary:  # a tiny logit such as -1e-8 has a float32 sigmoid of exactly 0.5: either label is fine there
        got = torch.where((torch.sigmoid(flat) == 0.5) & (flat != 0), want, got)
    check_equal(got, want, name=call,
                hint="binary: 1 where torch.sigmoid(logit) >= 0.5; multiclass: logits.argmax(dim=1).")
