"""The student-facing checks: they pass on right answers and explain wrong ones."""

import re

import numpy as np
import pytest
import torch

from helpers import checks
from helpers.checks import CheckError


def message_of(call) -> str:
    with pytest.raises(CheckError) as info:
        call()
    return str(info.value)


def expected_got(message: str) -> tuple[str, str]:
    expected = re.search(r"^  expected: (.*)$", message, re.M).group(1)
    got = re.search(r"^  got:      (.*)$", message, re.M).group(1)
    return expected, got


def test_check_error_is_an_assertion_error():
    assert issubclass(CheckError, AssertionError)


def test_check_shape_names_expected_and_actual_shape():
    checks.check_shape(torch.zeros(7, 7), (7, 7), name="random_tensor")
    message = message_of(lambda: checks.check_shape(torch.zeros(7, 1), (7, 7), name="random_tensor"))
    assert message.startswith("random_tensor has the wrong shape.")
    assert expected_got(message) == ("(7, 7)", "(7, 1)")
    assert "Hint:" in message


@pytest.mark.parametrize(
    ("got", "expected", "hint"),
    [
        ((1, 7), (7, 1), "transposed"),
        ((1, 1, 10), (10,), "squeeze"),
        ((2, 6), (3, 4), "reshape"),
        ((7, 7), (7, 1), "inner sizes"),
    ],
)
def test_check_shape_hints_at_the_likely_fix(got, expected, hint):
    assert hint in message_of(lambda: checks.check_shape(torch.zeros(got), expected))


def test_check_shape_accepts_torch_size():
    checks.check_shape(torch.zeros(2, 3), torch.Size([2, 3]))


@pytest.mark.parametrize("value", [None, np.zeros(3), [1, 2], "text"])
def test_non_tensors_are_named_with_a_conversion_hint(value):
    message = message_of(lambda: checks.check_shape(value, (3,), name="x"))
    assert message.startswith("x is not a PyTorch tensor.")
    assert expected_got(message)[0] == "torch.Tensor"


def test_check_dtype_explains_numpy_float64():
    checks.check_dtype(torch.zeros(2), torch.float32)
    message = message_of(lambda: checks.check_dtype(torch.zeros(2, dtype=torch.float64), torch.float32, name="t"))
    assert expected_got(message) == ("torch.float32", "torch.float64")
    assert "NumPy" in message


def test_check_dtype_explains_float_labels():
    assert ".long()" in message_of(lambda: checks.check_dtype(torch.zeros(2), torch.int64, name="labels"))


def test_check_device_compares_type_and_index():
    checks.check_device(torch.zeros(1), "cpu")
    checks.check_device(torch.zeros(1), torch.device("cpu"))
    message = message_of(lambda: checks.check_device(torch.zeros(1), "cuda", name="t"))
    assert expected_got(message) == ("cuda", "cpu")
    assert ".to(" in message


def test_check_close_reports_the_largest_difference_and_where():
    checks.check_close(torch.tensor([1.0, 2.0]), [1.0, 2.00001])
    message = message_of(lambda: checks.check_close(torch.tensor([1.0, 2.0, 3.0]), [1.0, 2.5, 3.0], name="x"))
    assert "largest difference 0.5 at index (1,)" in message
    assert expected_got(message) == ("[1, 2.5, 3]", "[1, 2, 3]")


def test_check_close_checks_the_shape_first():
    message = message_of(lambda: checks.check_close(torch.zeros(1, 7), torch.zeros(7, 1), name="p"))
    assert "wrong shape" in message


def test_check_close_handles_gradients_and_nan():
    checks.check_close(torch.ones(2, requires_grad=True) * 2, [2.0, 2.0])
    checks.check_close(torch.tensor([float("nan")]), [float("nan")])
    assert "wrong values" in message_of(lambda: checks.check_close(torch.tensor([float("nan")]), [1.0]))


def test_check_equal_on_numbers_and_integer_tensors():
    checks.check_equal(torch.tensor([3, 6, 9]), torch.tensor([3, 6, 9]))
    checks.check_equal(3, 3)
    assert expected_got(message_of(lambda: checks.check_equal(torch.tensor([3, 6, 8]), [3, 6, 9]))) == ("[3, 6, 9]", "[3, 6, 8]")
    assert expected_got(message_of(lambda: checks.check_equal(2, 3, name="n"))) == ("3", "2")


def test_check_range_half_open_by_default():
    checks.check_range(torch.tensor([0.0, 0.999]), 0, 1)
    checks.check_range(torch.tensor([0.0, 1.0]), 0, 1, include_high=True)
    message = message_of(lambda: checks.check_range(torch.tensor([0.0, 1.0]), 0, 1, name="r"))
    assert expected_got(message) == ("[0, 1)", "min 0, max 1")


def test_check_accuracy_wants_a_fraction():
    checks.check_accuracy(0.97, 0.96)
    assert expected_got(message_of(lambda: checks.check_accuracy(0.9, 0.96))) == (">= 96.00%", "90.00%")
    assert "fraction" in message_of(lambda: checks.check_accuracy(97.0, 0.96))


def test_check_true_and_custom_hint():
    checks.check_true(True, "never shown")
    message = message_of(lambda: checks.check_true(False, "shared does not share memory.", expected="shared", got="a copy", hint="use torch.from_numpy"))
    assert message.splitlines() == [
        "shared does not share memory.",
        "  expected: shared",
        "  got:      a copy",
        "Hint: use torch.from_numpy",
    ]


@pytest.mark.parametrize(
    ("mistake", "named"),
    [
        (lambda: torch.nn.CrossEntropyLoss()(torch.randn(4, 3), torch.tensor([0.0, 1.0, 2.0, 1.0])), "float labels given to CrossEntropyLoss"),
        (lambda: torch.nn.BCEWithLogitsLoss()(torch.randn(4, 1), torch.tensor([0.0, 1.0, 1.0, 0.0])), "unsqueezed logits"),
        (lambda: torch.nn.BCEWithLogitsLoss()(torch.randn(4), torch.tensor([0, 1, 1, 0])), "integer labels given to BCEWithLogitsLoss"),
        (lambda: torch.nn.BCELoss()(torch.randn(4) * 5, torch.tensor([0.0, 1.0, 1.0, 0.0])), "logits given to BCELoss"),
        (lambda: torch.nn.CrossEntropyLoss()(torch.randn(4, 3), torch.tensor([[0], [1], [2], [1]])), "labels of shape (n, 1)"),
        (lambda: torch.nn.CrossEntropyLoss()(torch.randn(4, 3), torch.tensor([0, 1, 3, 1])), "a label that has no output"),
        (lambda: torch.nn.Linear(3, 4)(torch.randn(5, 2)), "in_features does not match"),
    ],
)
def test_named_mistakes_recognises_pytorch_messages_of_the_classic_mistakes(mistake, named):
    with pytest.raises(CheckError) as info:
        with checks.named_mistakes("train_classifier(X, y)"):
            mistake()
    message = str(info.value)
    assert message.startswith("train_classifier(X, y) failed: ") and named in message.splitlines()[0]
    assert re.search(r"^  got:      (RuntimeError|ValueError|IndexError): ", message, re.M), "PyTorch's own words are kept"
    assert "Hint: " in message


def test_named_mistakes_lets_other_errors_through_unchanged():
    with pytest.raises(ZeroDivisionError):
        with checks.named_mistakes("f()"):
            1 / 0
    with pytest.raises(RuntimeError, match="something else"):
        with checks.named_mistakes("f()"):
            raise RuntimeError("something else")
    with checks.named_mistakes("f()"):
        pass


def test_diagnose_knows_each_mistake_by_its_message_only():
    assert checks.diagnose(RuntimeError("expected target dtype to be Long or Byte, but got Float")).name.startswith("float labels")
    assert checks.diagnose(ValueError("Target size (torch.Size([7, 1])) must be the same as input size (torch.Size([7]))")).name == "(n, 1) labels against (n,) logits"
    assert checks.diagnose(RuntimeError("CUDA out of memory")) is None


def test_named_mistakes_tries_a_chapters_own_mistakes_first():
    own = checks.Mistake(r"mat1 and mat2 shapes cannot be multiplied", "the classifier's in_features", "count the pixels after pooling.")
    with pytest.raises(CheckError) as info:
        with checks.named_mistakes("TinyVGG()(images)", mistakes=(own, *checks.KNOWN_MISTAKES)):
            torch.nn.Linear(3, 4)(torch.randn(5, 2))
    assert info.value.args[0].splitlines()[0] == "TinyVGG()(images) failed: the classifier's in_features."
    assert info.value.args[0].endswith("Hint: count the pixels after pooling.")
    assert checks.diagnose(RuntimeError("CUDA out of memory"), (own,)) is None


def test_forbid_calls_can_say_what_to_do_instead():
    with pytest.raises(CheckError) as info:
        with checks.forbid_calls("torch.tanh", what="tanh(x)", hint="write the loop yourself."):
            torch.tanh(torch.zeros(1))
    assert str(info.value).endswith("Hint: write the loop yourself.")
    assert torch.tanh(torch.zeros(1)).item() == 0.0


def test_forbid_calls_names_the_forbidden_function_and_restores_everything():
    x = torch.tensor([0.5, -1.0])
    originals = (torch.tanh, torch.nn.functional.tanh, torch.nn.Tanh.forward)
    message = message_of(lambda: _run_forbidden(lambda: x.tanh()))
    assert message.startswith("tanh(x) called torch.Tensor.tanh, which this exercise asks you to write yourself.")
    assert "called torch.nn.functional.tanh" in message_of(lambda: _run_forbidden(lambda: torch.nn.functional.tanh(x)))
    assert "torch.nn.Tanh.forward" in message_of(lambda: _run_forbidden(lambda: torch.nn.Tanh()(x)))
    assert (torch.tanh, torch.nn.functional.tanh, torch.nn.Tanh.forward) == originals
    assert "tanh" not in vars(torch.Tensor), "an inherited method is removed again, not shadowed"
    assert torch.allclose(x.tanh(), torch.tanh(x))


def test_forbid_calls_lets_other_code_run():
    x = torch.tensor([0.5, -1.0])
    with checks.forbid_calls("torch.tanh", what="tanh(x)"):
        result = 2 * torch.sigmoid(2 * x) - 1
    assert torch.allclose(result, torch.tanh(x), atol=1e-6)


def _run_forbidden(call):
    names = ("torch.tanh", "torch.Tensor.tanh", "torch.nn.functional.tanh", "torch.nn.Tanh.forward")
    with checks.forbid_calls(*names, what="tanh(x)"):
        call()


def test_check_close_names_a_classic_mistake_by_its_values():
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    mistakes = [(expected.T, "transposed: use first @ second.T."), (expected * 2, "doubled.")]
    checks.check_close(expected.clone(), expected, mistakes=mistakes)  # right values pass, whatever the mistakes
    assert message_of(lambda: checks.check_close(expected.T, expected, mistakes=mistakes, hint="generic")).endswith(
        "Hint: transposed: use first @ second.T."
    )
    assert message_of(lambda: checks.check_close(expected + 1, expected, mistakes=mistakes, hint="generic")).endswith(
        "Hint: generic"
    )
    # A mistake of another shape never matches; the message keeps the standard format.
    message = message_of(lambda: checks.check_close(expected + 1, expected, mistakes=[(torch.zeros(3), "no")], hint="generic"))
    assert message.startswith("value has the wrong values") and message.endswith("Hint: generic")


def test_check_call_returns_the_result_and_turns_errors_into_named_checks():
    assert checks.check_call(lambda a, b: a + b, 2, 3, name="add(2, 3)") == 5

    def multiply(first, second):
        return first @ second

    inner = checks.Mistake(r"mat1 and mat2 shapes cannot be multiplied", "the inner sizes do not match", "use second.T.")
    message = message_of(lambda: checks.check_call(multiply, torch.ones(7, 7), torch.ones(1, 7), name="f(a, b)", mistakes=[inner]))
    assert message.startswith("f(a, b) failed: the inner sizes do not match.")
    assert expected_got(message) == ("no error", "RuntimeError: mat1 and mat2 shapes cannot be multiplied (7x7 and 1x7)")
    assert message.endswith("Hint: use second.T.")
    message = message_of(lambda: checks.check_call(lambda: {}["key"], name="g()", hint="look it up first."))
    assert message.startswith("g() raised an error.") and "KeyError" in message and message.endswith("Hint: look it up first.")

    def not_done():
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):  # an exercise not done yet fails as it is
        checks.check_call(not_done, name="h()")
    with pytest.raises(CheckError, match="inner check"):
        checks.check_call(lambda: checks.fail("inner check", 1, 2), name="h()")


def test_watch_model_records_each_forward_pass_and_check_forward_passes_names_the_mode_and_autograd():
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5))
    with checks.watch_model(model) as passes:
        model.train()(torch.zeros(4, 2))
        model.eval()
        with torch.no_grad():
            model(torch.zeros(5, 2))
        with torch.inference_mode():
            model(torch.zeros(6, 2))
    model(torch.zeros(7, 2))  # after the block: not recorded
    assert passes == [checks.ForwardPass(4, True, True), checks.ForwardPass(5, False, False), checks.ForwardPass(6, False, False)]
    checks.check_forward_passes(passes[:1], "train_step(...)", training=True, autograd=True)
    checks.check_forward_passes(passes[1:], "test_step(...)", training=False, autograd=False)  # no_grad and inference_mode alike
    message = message_of(lambda: checks.check_forward_passes(passes, "test_step(...)", training=False, autograd=False))
    assert message.startswith("test_step(...) ran the model in training mode: call model.eval() first.")
    message = message_of(lambda: checks.check_forward_passes(passes[1:], "train_step(...)", training=True, autograd=True))
    assert message.startswith("train_step(...) ran the model in evaluation mode: call model.train() first.")
    recording = [checks.ForwardPass(4, False, True)]
    message = message_of(lambda: checks.check_forward_passes(recording, "predict(...)", training=False, autograd=False))
    assert message.startswith("predict(...) ran the model with autograd recording.") and "torch.no_grad()" in message
    assert "never called the model" in message_of(lambda: checks.check_forward_passes([], "f()", training=False, autograd=False))


def test_check_runs_on_model_device_wants_the_data_on_the_models_own_device():
    model = torch.nn.Linear(1, 1)
    X = torch.zeros(3, 1)
    device = "cpu"  # a notebook's global device

    def right(m):
        return m(X.to(next(m.parameters()).device)).cpu()

    checks.check_runs_on_model_device(right, model, what="predict(model, X)")
    checks.check_runs_on_model_device(lambda m: right(m.to(next(m.parameters()).device)), model, what="f")  # a move in place is no move
    assert next(model.parameters()).device.type == "cpu"  # the model handed in stays as it was
    message = message_of(lambda: checks.check_runs_on_model_device(lambda m: m(X.to(device)), model, what="predict(model, X)"))
    assert message.startswith("predict(model, X) gave the model input on cpu, not on the model's own device.")
    assert "not to the global `device`" in message
    message = message_of(lambda: checks.check_runs_on_model_device(lambda m: m.to(device)(X.to(device)), model, what="g"))
    assert message.startswith("g moved the model.")
    assert "never called the model" in message_of(lambda: checks.check_runs_on_model_device(lambda m: X, model, what="h"))

    def broken(m):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):  # an exercise not done yet fails as it is
        checks.check_runs_on_model_device(broken, model, what="k")
