"""The toy datasets: right shapes and dtypes, the same data for the same seed, sensible splits."""

import pytest
import torch

from helpers import data

BINARY = [data.make_circles, data.make_moons]


@pytest.mark.parametrize("make", BINARY)
def test_binary_datasets_are_float_features_and_integer_labels(make):
    X, y = make(200, seed=3)
    assert X.shape == (200, 2) and X.dtype == torch.float32
    assert y.shape == (200,) and y.dtype == torch.int64
    assert torch.bincount(y).tolist() == [100, 100]


@pytest.mark.parametrize("make", [*BINARY, data.make_blobs, data.make_spirals])
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=1)
    X2, y2 = make(seed=1)
    X3, _ = make(seed=2)
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


def test_circles_match_scikit_learn_and_have_two_radii():
    from sklearn.datasets import make_circles

    X, y = data.make_circles(1000, noise=0.03, seed=42)
    X_sk, y_sk = make_circles(1000, noise=0.03, random_state=42)
    assert torch.allclose(X, torch.from_numpy(X_sk).float()) and torch.equal(y, torch.from_numpy(y_sk))
    radius = X.norm(dim=1)
    assert radius[y == 0].mean() == pytest.approx(1.0, abs=0.02)  # outer circle
    assert radius[y == 1].mean() == pytest.approx(0.8, abs=0.02)  # inner circle (factor 0.8)


def test_blobs_have_one_label_per_centre():
    X, y = data.make_blobs(400, n_features=3, centers=5, seed=0)
    assert X.shape == (400, 3)
    assert sorted(y.unique().tolist()) == [0, 1, 2, 3, 4]


def test_spirals_are_ordered_by_class_with_radius_up_to_one():
    X, y = data.make_spirals(n_per_class=50, n_classes=4, noise=0.0, seed=0)
    assert X.shape == (200, 2) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert y.tolist() == [k for k in range(4) for _ in range(50)]
    radius = X.norm(dim=1)
    assert radius.min() == pytest.approx(0.0, abs=1e-6) and radius.max() == pytest.approx(1.0, abs=1e-6)
    # Without noise each arm is the previous one turned by four radians.
    c, s = torch.cos(torch.tensor(4.0)), torch.sin(torch.tensor(4.0))
    sin_t, cos_t = X[:50, 0], X[:50, 1]
    turned = torch.stack([sin_t * c + cos_t * s, cos_t * c - sin_t * s], dim=1)
    assert torch.allclose(turned, X[50:100], atol=1e-5)


def test_split_is_an_80_20_shuffle_that_keeps_pairs_together():
    X = torch.arange(100, dtype=torch.float32).unsqueeze(1)
    y = torch.arange(100)
    X_train, X_test, y_train, y_test = data.split(X, y, test_size=0.2, seed=42)
    assert (len(X_train), len(X_test)) == (80, 20)
    assert torch.equal(X_train[:, 0].long(), y_train) and torch.equal(X_test[:, 0].long(), y_test)
    assert sorted(torch.cat([y_train, y_test]).tolist()) == list(range(100))
    assert y_test.tolist() != list(range(80, 100)), "the split shuffles"
    assert torch.equal(data.split(X, y, seed=42)[3], y_test), "the same seed gives the same split"


def test_split_matches_scikit_learn_and_keeps_tensors_on_their_device():
    from sklearn.model_selection import train_test_split

    X, y = data.make_moons(50, seed=1)
    ours = data.split(X, y, test_size=0.3, seed=9)
    theirs = train_test_split(X, y, test_size=0.3, random_state=9)
    assert all(torch.equal(a, b) for a, b in zip(ours, theirs))
    meta = data.split(X.to("meta"), y.to("meta"), test_size=0.3, seed=9)
    assert {t.device.type for t in meta} == {"meta"} and meta[0].shape == (35, 2)


def test_stratified_split_keeps_class_proportions():
    y = torch.tensor([0] * 90 + [1] * 10)
    X = torch.randn(100, 2)
    _, _, y_train, y_test = data.split(X, y, test_size=0.2, seed=0, stratify=True)
    assert torch.bincount(y_test).tolist() == [18, 2]
    assert torch.bincount(y_train).tolist() == [72, 8]


def test_split_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="X has 10 samples but y has 9"):
        data.split(torch.zeros(10, 2), torch.zeros(9))
