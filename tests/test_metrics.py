"""logits_to_labels and accuracy: binary and multiclass, and the (n,) vs (n, 1) trap."""

import pytest
import torch

from helpers import accuracy, logits_to_labels


@pytest.mark.parametrize("shape", [(6,), (6, 1)])
def test_binary_logits_become_labels_at_zero(shape):
    logits = torch.tensor([-3.0, -0.1, 0.0, 0.1, 2.0, 50.0]).reshape(shape)
    labels = logits_to_labels(logits)
    assert labels.tolist() == [0, 0, 1, 1, 1, 1]
    assert labels.dtype == torch.int64 and labels.shape == (6,)


def test_tiny_negative_logits_are_class_0_although_their_float32_sigmoid_is_one_half():
    logits = torch.tensor([-1e-8, 1e-8, 0.0])
    assert torch.sigmoid(logits[0]).item() == 0.5
    assert logits_to_labels(logits).tolist() == [0, 1, 1]


def test_multiclass_logits_become_the_argmax_of_each_row():
    logits = torch.tensor([[1.0, 5.0, 2.0], [9.0, -1.0, 0.0], [0.0, 0.1, 0.2]])
    assert logits_to_labels(logits).tolist() == [1, 0, 2]
    assert torch.equal(logits_to_labels(logits), torch.softmax(logits, dim=1).argmax(dim=1))


def test_logits_to_labels_refuses_other_shapes():
    with pytest.raises(ValueError, match=r"\(n,\), \(n, 1\) or \(n, k\), got \(2, 3, 4\)"):
        logits_to_labels(torch.zeros(2, 3, 4))


def test_accuracy_is_a_fraction_and_compares_float_with_integer_labels():
    y_true = torch.tensor([1.0, 0.0, 1.0, 1.0])
    y_pred = torch.tensor([1, 0, 0, 1])
    value = accuracy(y_true, y_pred)
    assert isinstance(value, float) and value == 0.75


def test_accuracy_refuses_the_unsqueezed_shape_that_would_broadcast():
    y_true = torch.tensor([0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"shape \(4,\) but y_pred has shape \(4, 1\).*squeeze"):
        accuracy(y_true, y_true.unsqueeze(1))


def test_accuracy_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="zero predictions"):
        accuracy(torch.tensor([]), torch.tensor([]))
