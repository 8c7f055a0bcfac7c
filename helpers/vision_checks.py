"""The checks behind chapter 03's exercises (MNIST): each test cell calls one of these on the learner's code.

Test cells stay a few lines long: the visible part calls a check on the notebook's data, the
hidden part calls the same check on other arguments (fresh fake digits, other seeds, sizes,
settings and models). Every check is built on :mod:`helpers.checks`, so a failure is a
``CheckError`` in the course's three parts: what is wrong, expected vs got, and a hint. The
classic mistakes are named in the message's first line, for example::

    TinyVGG(in_channels=1, hidden_units=10, num_classes=10) returns probabilities, not logits.
      expected: logits: any real numbers, one per class
      got:      every row is positive and adds up to 1
    Hint: remove the softmax at the end: nn.CrossEntropyLoss applies log-softmax itself ...
"""

import copy
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from helpers.checks import (  # _preview and _type_name: the same formatting as the general checks' messages
    KNOWN_MISTAKES,
    Mistake,
    check_close,
    check_device,
    check_dtype,
    check_equal,
    check_range,
    check_shape,
    check_tensor,
    check_true,
    fail,
    forbid_calls,
    named_mistakes,
    _preview,
    _type_name,
)
from helpers.vision import IMAGE_SIZE, RAW_FILES, check_split, raw_folder, write_idx

#: PyTorch's errors for the classic mistakes in a small CNN, tried before the general ones.
VISION_MISTAKES = (
    Mistake(
        r"mat1 and mat2 shapes cannot be multiplied",
        "the classifier's nn.Linear in_features does not match the flattened feature maps",
        "count what reaches the classifier: nn.Conv2d(kernel_size=3, padding=1) keeps 28x28, each nn.MaxPool2d(2) "
        "halves it, so after two blocks it is hidden_units x 7 x 7: nn.Linear(hidden_units * 7 * 7, num_classes).",
    ),
    Mistake(
        r"expected input\[.*\] to have \d+ channels, but got \d+ channels",
        "a convolution's in_channels does not match its input",
        "the first nn.Conv2d takes in_channels (1 for MNIST's grey images), every later one the out_channels of "
        "the layer before it (hidden_units).",
    ),
    *KNOWN_MISTAKES,
)

#: The course's own loops, which may not stand in for train_step / test_step (``_epoch_result`` ends both,
#: so it also catches them when they were imported by name before the test ran).
LOOP_HELPERS = (
    "helpers.train_epoch",
    "helpers.evaluate",
    "helpers.training.train_epoch",
    "helpers.training.evaluate",
    "helpers.training._epoch_result",
)
LOOP_HINT = ("helpers.train_epoch and helpers.evaluate (which end in helpers.training._epoch_result) are the "
             "exercise done for you: write the loop over the batches yourself.")

#: Where a conv_output_size answer may not get its numbers from.
CONV_HELPERS = ("helpers.conv_output_size", "helpers.vision.conv_output_size", "torch.nn.Conv2d.forward",
                "torch.nn.functional.conv2d", "torch.conv2d")

NUM_CLASSES = 10
STEP_BATCH = 16
PIXELS = IMAGE_SIZE * IMAGE_SIZE


# --- fake digits for the hidden tests --------------------------------------------------------------


def fake_mnist_dir(train: int = 30, test: int = 12, seed: int = 0) -> Path:
    """A new temporary folder holding a tiny MNIST in torchvision's layout (``ROOT/MNIST/raw/``).

    The images are random: each one has its own brightness, so they differ from MNIST's
    digits and from each other. Labels cycle through 0-9 in a random order.

    Args:
        train: How many training images.
        test: How many test images.
        seed: Seeds the images and labels.

    Returns:
        The root folder, to pass where ``DATA_DIR`` goes.
    """
    rng = np.random.default_rng(seed)
    root = Path(tempfile.mkdtemp(prefix="fake-mnist-"))
    for split, count in (("train", train), ("test", test)):
        brightness = rng.uniform(0.2, 1.0, size=(count, 1, 1))
        images = (rng.random((count, IMAGE_SIZE, IMAGE_SIZE)) * brightness * 255).astype(np.uint8)
        labels = rng.permutation(np.arange(count) % NUM_CLASSES).astype(np.uint8)
        images_name, labels_name = RAW_FILES[split]
        write_idx(raw_folder(root) / images_name, images)
        write_idx(raw_folder(root) / labels_name, labels)
    return root


def fake_mnist(train: int = 30, test: int = 12, seed: int = 0) -> tuple[Any, Any]:
    """A tiny fake MNIST (see :func:`fake_mnist_dir`) as torchvision datasets with ``ToTensor()``.

    Returns:
        ``(train, test)``, two ``torchvision.datasets.MNIST``.
    """
    from torchvision import datasets, transforms

    root = str(fake_mnist_dir(train, test, seed))
    return tuple(datasets.MNIST(root, train=split, download=False, transform=transforms.ToTensor()) for split in (True, False))


def random_conv_settings(count: int, seed: int) -> list[dict[str, int]]:
    """``count`` random, valid ``nn.Conv2d`` settings: ``size``, ``kernel_size``, ``stride``, ``padding``, ``dilation``."""
    rng = np.random.default_rng(seed)
    settings: list[dict[str, int]] = []
    while len(settings) < count:
        size, kernel, stride, padding, dilation = (int(rng.integers(low, high)) for low, high in
                                                   ((1, 65), (1, 8), (1, 5), (0, 4), (1, 4)))
        if dilation * (kernel - 1) + 1 <= size + 2 * padding:
            settings.append({"size": size, "kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation})
    return settings


# --- exercise 1: load MNIST and show samples -----------------------------------------------------------


def check_mnist_loader(load_mnist: Callable, data_dir: str | Path) -> None:
    """``load_mnist(data_dir)`` gives torchvision's MNIST train and test sets of the files in ``data_dir``, as ``ToTensor()`` turns them into tensors.

    Args:
        load_mnist: The learner's function.
        data_dir: A folder holding MNIST's files in ``data_dir/MNIST/raw/``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    from torchvision import datasets

    call = f"load_mnist({str(data_dir)!r})"
    result = load_mnist(data_dir)
    if isinstance(result, tuple) and len(result) == 3 and all(isinstance(part, datasets.MNIST) for part in result[:2]):
        fail(f"{call} returns three things.", "(train, test)", "three values: mnist(...) also gives the source",
             "unpack it first: train, test, source = mnist(data_dir, transform=transforms.ToTensor()); return train, test")
    check_true(isinstance(result, tuple | list) and len(result) == 2, f"{call} should return two datasets.",
               expected="(train, test)", got=_describe(result), hint="end with: return train, test")
    counts = {split: check_split(raw_folder(data_dir), split) for split in RAW_FILES}
    for split, dataset in zip(RAW_FILES, result):
        check_true(isinstance(dataset, datasets.MNIST), f"The {split} set from {call} is not torchvision's MNIST dataset.",
                   expected="torchvision.datasets.MNIST", got=_describe(dataset),
                   hint="train, test, source = mnist(data_dir, transform=transforms.ToTensor()) gives them.")
    train, test = result
    if counts["train"] != counts["test"] and (len(train), len(test)) == (counts["test"], counts["train"]):
        fail(f"{call} returns the train and test sets swapped.", f"train of {counts['train']} images, then test of {counts['test']}",
             f"{len(train)} images first, {len(test)} second", "return them in the order mnist(...) gives them: train, test.")
    for split, dataset in zip(RAW_FILES, result):
        check_equal(len(dataset), counts[split], name=f"len({split}) from {call}",
                    hint=f"load the files in {data_dir}/MNIST/raw (pass data_dir on to mnist(...), not DATA_DIR); "
                    "train=True gives the training images.")
        _check_first_item(dataset, f"{split}[0] from {call}")


def _check_first_item(dataset: Any, name: str) -> None:
    """Item 0 of an MNIST dataset: a float32 ``[1, 28, 28]`` image in [0, 1] (the file's bytes / 255) and an int label."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    item = dataset[0]
    check_true(isinstance(item, tuple) and len(item) == 2, f"{name} is not an (image, label) pair.", expected="(image, label)",
               got=_describe(item), hint="use torchvision's MNIST class as it is (no target_transform).")
    image, label = item
    if not isinstance(image, torch.Tensor):
        fail(f"{name} is not a tensor: the dataset has no ToTensor() transform.",
             "a float32 tensor of shape [1, 28, 28]", _describe(image),
             "pass transform=transforms.ToTensor(): it turns each PIL image into a [1, 28, 28] tensor in [0, 1].")
    check_shape(image, (1, IMAGE_SIZE, IMAGE_SIZE), name=f"the image of {name}",
                hint="transforms.ToTensor() gives [channels, height, width] = [1, 28, 28]; don't squeeze or flatten it.")
    check_dtype(image, torch.float32, name=f"the image of {name}")
    if image.min() < 0:
        fail(f"The image of {name} is normalised.", "values in [0, 1], as ToTensor() gives them",
             f"min {image.min().item():.3g}, max {image.max().item():.3g}",
             "use transforms.ToTensor() alone here: no transforms.Normalize.")
    check_range(image, 0.0, 1.0, name=f"the image of {name}", include_high=True,
                hint="ToTensor() divides the bytes 0-255 by 255; don't scale them yourself.")
    check_close(image[0], dataset.data[0].double() / 255, name=f"the image of {name}", atol=1e-6,
                hint="only transforms.ToTensor(): no other transform.")
    check_true(isinstance(label, int), f"The label of {name} is not a Python int.", expected="int", got=_describe(label),
               hint="use torchvision's MNIST class as it is (no target_transform).")
    check_equal(label, int(dataset.targets[0]), name=f"the label of {name}")


def check_sample_figure(show_samples: Callable, dataset: Any, n: int | None = None, keep_open: bool = False) -> None:
    """``show_samples(dataset, n)`` returns a matplotlib Figure with ``n`` images of ``dataset``, each titled with its label.

    Any ``n`` samples of the dataset will do (the first ones, or random ones): each axes' image is
    looked up in the dataset, and its title must hold that image's label (``5``) or class name
    (``5 - five``).

    Args:
        show_samples: The learner's function.
        dataset: A torchvision MNIST dataset (any transform).
        n: Passed as ``n=``; ``None`` calls ``show_samples(dataset)`` and expects 5 images.
        keep_open: Leave the figure open (so the notebook shows it); otherwise it is closed.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    want = 5 if n is None else n
    call = "show_samples(dataset)" if n is None else f"show_samples(dataset, n={n})"
    before = set(plt.get_fignums())
    figure = show_samples(dataset) if n is None else show_samples(dataset, n=n)
    try:
        if not isinstance(figure, Figure):
            axes_like = hasattr(figure, "figure") or isinstance(figure, np.ndarray)
            fail(f"{call} does not return a matplotlib Figure.", "matplotlib.figure.Figure", _describe(figure),
                 "fig, axes = plt.subplots(1, n) makes the figure; draw on the axes and end with: return fig"
                 + (" (not the axes)." if axes_like else "."))
        shown = [ax for ax in figure.axes if ax.images]
        check_true(len(shown) == want, f"{call} does not show {want} images.", expected=f"{want} axes with an image",
                   got=f"{len(shown)} axes with an image", hint="one ax.imshow(...) per sample, n samples in all.")
        pictures = []
        for position, ax in enumerate(shown):
            picture = np.asarray(ax.images[-1].get_array(), dtype=np.float32).squeeze()
            check_true(picture.shape == (IMAGE_SIZE, IMAGE_SIZE), f"Image {position} of {call} is not a 28x28 digit.",
                       expected="an array of shape (28, 28)", got=f"shape {picture.shape}",
                       hint="ax.imshow(image.squeeze(), cmap='gray'): squeeze the [1, 28, 28] tensor to [28, 28].")
            pictures.append(picture)
        for position, (ax, index) in enumerate(zip(shown, _find_images(pictures, dataset.data))):
            check_true(index is not None, f"Image {position} of {call} is not one of the dataset's images.",
                       expected="dataset[i][0] for some i", got="an image the dataset does not hold",
                       hint="show image, label = dataset[i] as it is: image.squeeze().")
            label = int(dataset.targets[index])
            title = " ".join(ax.get_title(loc) for loc in ("left", "center", "right")).strip()
            names = [str(label)] + ([dataset.classes[label]] if getattr(dataset, "classes", None) else [])
            check_true(re.search(rf"(?<!\d){label}(?!\d)", title) or any(name in title for name in names[1:]),
                       f"The title of image {position} of {call} does not name its label.",
                       expected=f"a title with {' or '.join(repr(name) for name in names)} (the image is dataset[{index}])",
                       got=repr(title), hint="ax.set_title(str(label)) for each image, label = dataset[i].")
    finally:
        if not keep_open:
            for number in set(plt.get_fignums()) - before:
                plt.close(number)


def _min_max(flat: torch.Tensor) -> torch.Tensor:
    """Each row scaled to [0, 1] by its own min and max: the same for ToTensor's, 0-255 and normalised values."""
    low, high = flat.min(dim=1, keepdim=True).values, flat.max(dim=1, keepdim=True).values
    return (flat - low) / (high - low).clamp_min(1e-12)


def _find_images(pictures: list[np.ndarray], data: torch.Tensor, chunk: int = 1000) -> list[int | None]:
    """For each picture, the index of the image of ``data`` (``uint8 [N, 28, 28]``) it shows, or ``None``."""
    shown = _min_max(torch.from_numpy(np.stack(pictures)).reshape(len(pictures), -1))
    best = torch.full((len(pictures),), math.inf)
    where = torch.zeros(len(pictures), dtype=torch.int64)
    for start in range(0, len(data), chunk):
        images = _min_max(data[start:start + chunk].reshape(-1, PIXELS).float())
        distance, index = (images[:, None, :] - shown[None]).abs().amax(dim=2).min(dim=0)
        better = distance < best
        best[better], where[better] = distance[better], index[better] + start
    return [int(i) if d < 0.02 else None for i, d in zip(where, best)]


# --- exercise 2: DataLoaders ---------------------------------------------------------------------


def check_loaders(make_loaders: Callable, train: Any, test: Any, batch_size: int | None = None) -> None:
    """``make_loaders(train, test, batch_size)``: DataLoaders over the given sets, the training one shuffled, the test one not.

    Args:
        make_loaders: The learner's function.
        train: The training dataset to pass.
        test: The test dataset to pass.
        batch_size: Passed as ``batch_size=``; ``None`` relies on the default of 32.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    from torch.utils.data import DataLoader

    size = 32 if batch_size is None else batch_size
    call = "make_loaders(train, test)" if batch_size is None else f"make_loaders(train, test, batch_size={batch_size})"
    with torch.random.fork_rng():
        result = make_loaders(train, test) if batch_size is None else make_loaders(train, test, batch_size=batch_size)
    check_true(isinstance(result, tuple | list) and len(result) == 2, f"{call} should return two DataLoaders.",
               expected="(train_loader, test_loader)", got=_describe(result), hint="end with: return train_loader, test_loader")
    for split, loader in zip(("train", "test"), result):
        check_true(isinstance(loader, DataLoader), f"The {split} loader from {call} is not a DataLoader.",
                   expected="torch.utils.data.DataLoader", got=_describe(loader),
                   hint=f"DataLoader({split}, batch_size=batch_size, shuffle=...).")
    train_loader, test_loader = result
    if train_loader.dataset is test and test_loader.dataset is train:
        fail(f"{call} returns the loaders swapped.", "(loader over train, loader over test)", "(loader over test, loader over train)",
             "return them in the order of the arguments: train_loader, test_loader.")
    for split, loader, dataset in (("train", train_loader, train), ("test", test_loader, test)):
        check_true(loader.dataset is dataset, f"The {split} loader from {call} does not load the {split} set it was given.",
                   expected=f"DataLoader({split}, ...)", got=f"a DataLoader over {_describe(loader.dataset)}",
                   hint="wrap the datasets passed to the function, as they are.")
    train_order, test_order = _order(train_loader), _order(test_loader)
    if test_order != list(range(len(test))) and sorted(test_order) == list(range(len(test))):
        fail(f"{call}: the test loader shuffles.", "the test images in their order (shuffle=False)", "a shuffled order",
             "DataLoader(test, batch_size=batch_size, shuffle=False): evaluation needs no shuffling, and a fixed order "
             "makes results and plots repeatable.")
    check_true(len(test_order) == len(test), f"{call}: the test loader leaves out some of the test images.",
               expected=f"all {len(test)} images", got=f"{len(test_order)} images",
               hint="keep drop_last=False (the default) for the test loader: every test image counts.")
    if train_order == list(range(len(train_order))):
        fail(f"{call}: the train loader does not shuffle.", "a new random order every epoch (shuffle=True)",
             "the images in their stored order", "DataLoader(train, batch_size=batch_size, shuffle=True): otherwise every "
             "epoch sees the same batches in the same order.")
    for split, loader, dataset in (("train", train_loader, train), ("test", test_loader, test)):
        with torch.random.fork_rng():
            images, labels = next(iter(loader))
        count = min(size, len(dataset))
        check_shape(images, (count, 1, IMAGE_SIZE, IMAGE_SIZE), name=f"a {split} batch's images from {call}",
                    hint=f"batch_size={size}: pass the batch_size argument on to the DataLoader.")
        check_dtype(images, torch.float32, name=f"a {split} batch's images from {call}")
        check_shape(labels, (count,), name=f"a {split} batch's labels from {call}")
        check_dtype(labels, torch.int64, name=f"a {split} batch's labels from {call}")


def _order(loader: Any) -> list[int]:
    """The dataset indices one pass over ``loader`` visits, in order (the global random state is left alone)."""
    with torch.random.fork_rng():
        if loader.batch_sampler is not None:
            return [int(i) for batch in loader.batch_sampler for i in batch]
        return [int(i) for i in loader.sampler]


# --- exercise 3: TinyVGG -------------------------------------------------------------------------


def check_tiny_vgg(model_class: Callable, in_channels: int = 1, hidden_units: int = 10, num_classes: int = 10,
                   batch: int = 4, seed: int = 0) -> None:
    """``model_class(in_channels, hidden_units, num_classes)``: four convolutions of ``hidden_units`` channels and logits ``[B, num_classes]``.

    Args:
        model_class: The learner's ``TinyVGG``.
        in_channels: Passed on; the test images get this many channels.
        hidden_units: Passed on; every ``nn.Conv2d`` must have this many output channels.
        num_classes: Passed on; the size of the output.
        batch: How many 28x28 images go through the model.
        seed: Seeds the model's weights and the images.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = f"TinyVGG(in_channels={in_channels}, hidden_units={hidden_units}, num_classes={num_classes})"
    model = _build(model_class, call, seed, in_channels=in_channels, hidden_units=hidden_units, num_classes=num_classes)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    check_true(len(convs) >= 4, f"{call} has {len(convs)} nn.Conv2d layers.", expected="4: two per block",
               got=len(convs), hint="each block is nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.MaxPool2d(2); make two blocks.")
    check_equal(convs[0].in_channels, in_channels, name=f"in_channels of the first nn.Conv2d of {call}",
                hint="the first convolution takes the image's channels: nn.Conv2d(in_channels, hidden_units, ...).")
    widths = [c.out_channels for c in convs]
    check_true(all(w == hidden_units for w in widths), f"The convolutions of {call} do not use hidden_units.",
               expected=f"out_channels {hidden_units} for every nn.Conv2d", got=f"out_channels {widths}",
               hint="nn.Conv2d(..., hidden_units, ...) everywhere: use the argument, not a fixed number.")
    with torch.random.fork_rng():
        torch.manual_seed(seed + 1)
        images = torch.rand(batch, in_channels, IMAGE_SIZE, IMAGE_SIZE)
    with named_mistakes(f"{call}(images)", VISION_MISTAKES):
        logits = model(images)
    check_logits(logits, batch, num_classes, name=call)
    logits.sum().backward()
    unused = [name for name, parameter in model.named_parameters() if parameter.grad is None]
    check_true(not unused, f"Some parameters of {call} get no gradient.", expected="every layer used in forward",
               got=f"no gradient for {unused}", hint="use every layer you create in forward, or don't create it.")


def _build(model_class: Callable, call: str, seed: int, **arguments: Any) -> nn.Module:
    """``model_class(**arguments)`` made after ``torch.manual_seed(seed)``, without touching the global generator."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        try:
            model = model_class(**arguments)
        except AttributeError as error:
            if "before Module.__init__() call" not in str(error):
                raise
            fail(f"{call} failed while setting up its layers.", "a model with its layers", f"AttributeError: {error}",
                 "call super().__init__() as the first line of __init__, before creating any layer.")
    check_true(isinstance(model, nn.Module), f"{call} is not an nn.Module.", expected="class TinyVGG(nn.Module)",
               got=_describe(model), hint="subclass nn.Module so PyTorch finds the layers' parameters and calls forward.")
    return model


def check_logits(output: Any, count: int, num_classes: int = NUM_CLASSES, *, name: str = "the model") -> None:
    """``output`` holds logits: shape ``[count, num_classes]``, not labels (``[count]``) and not probabilities.

    Args:
        output: What the model returned for ``count`` images.
        count: The number of images.
        num_classes: The number of classes.
        name: The model, as the message names it.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_tensor(output, name=f"the output of {name}")
    if tuple(output.shape) == (count,):
        fail(f"{name} returns labels of shape [B], not logits of shape [B, {num_classes}].", f"({count}, {num_classes})",
             f"({count},)", "remove the argmax from forward: return the last layer's output, one logit per class; take "
                           "argmax(dim=1) only where you need labels.")
    check_shape(output, (count, num_classes), name=f"the output of {name} for {count} images",
                hint=f"one logit per class: the last layer is nn.Linear(..., {num_classes}), applied to the flattened features.")
    values = output.detach().double()
    if values.min() >= 0 and torch.allclose(values.sum(dim=1), torch.ones(count, dtype=torch.float64), atol=1e-4):
        fail(f"{name} returns probabilities, not logits.", "logits: any real numbers, one per class",
             "every row is positive and adds up to 1",
             "remove the softmax at the end: nn.CrossEntropyLoss applies log-softmax itself, and a softmax before it "
             "squashes the gradients. Use torch.softmax(logits, dim=1) only where you want probabilities.")


# --- exercise 4: train_step / test_step --------------------------------------------------------------


class _Probe:
    """A forward pre-hook that records, for each call of a model, its mode and whether gradients were tracked."""

    def __init__(self, model: nn.Module, *, batched_only: str = "") -> None:
        self.modes: list[bool] = []
        self.gradients: list[bool] = []
        self.batched_only = batched_only
        self.handle = model.register_forward_pre_hook(self)

    def __call__(self, module: nn.Module, inputs: tuple) -> None:
        __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
        self.modes.append(module.training)
        self.gradients.append(torch.is_grad_enabled())
        if self.batched_only and inputs and isinstance(inputs[0], torch.Tensor) and inputs[0].ndim != 4:
            fail(f"{self.batched_only} gave the model a single image without a batch dimension.",
                 f"a batch of shape [1, 1, {IMAGE_SIZE}, {IMAGE_SIZE}]", f"shape {list(inputs[0].shape)}",
                 "models take batches: when images.ndim == 3, add the batch dimension with images.unsqueeze(0).")

    def remove(self) -> None:
        self.handle.remove()


def _step_model(seed: int) -> nn.Module:
    """A small CNN with batch norm: its outputs differ between training and evaluation mode."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 13 * 13, NUM_CLASSES))


def _step_batches(seed: int, batch_size: int, count: int, loader: bool) -> Any:
    """``count`` batches of random images and labels: a list of pairs, or a DataLoader over them (its last batch may be smaller)."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(batch_size * count, 1, IMAGE_SIZE, IMAGE_SIZE, generator=generator)
    labels = torch.randint(0, NUM_CLASSES, (batch_size * count,), generator=generator)
    if loader:
        from torch.utils.data import DataLoader, TensorDataset

        extra = batch_size // 2  # a smaller last batch: per-batch and per-image averages differ
        dataset = TensorDataset(images[: len(images) - extra], labels[: len(labels) - extra])
        return DataLoader(dataset, batch_size=batch_size, shuffle=False)
    return [(images[i:i + batch_size], labels[i:i + batch_size]) for i in range(0, len(images), batch_size)]


def _averages(losses: list[float], correct: list[int], sizes: list[int]) -> tuple[list[float], list[float]]:
    """The accepted loss and accuracy values: the mean over batches and the mean over images."""
    total = sum(sizes)
    loss_options = [sum(losses) / len(losses), sum(loss * n for loss, n in zip(losses, sizes)) / total]
    accuracy_options = [sum(c / n for c, n in zip(correct, sizes)) / len(sizes), sum(correct) / total]
    return loss_options, accuracy_options


def _run_batches(model: nn.Module, batches: Iterable, loss_fn: Callable, optimizer: Any = None, zero_grad: bool = True) -> tuple[list[float], list[float]]:
    """The test's own epoch: training steps when ``optimizer`` is given, else evaluation; the accepted (loss, accuracy) values."""
    device = next(model.parameters()).device
    losses, correct, sizes = [], [], []
    for images, labels in batches:
        images, labels = images.to(device), labels.to(device)
        if optimizer is None:
            with torch.inference_mode():
                logits = model(images)
                loss = loss_fn(logits, labels)
        else:
            logits = model(images)
            loss = loss_fn(logits, labels)
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(loss.item())
        correct.append(int((logits.argmax(dim=1) == labels).sum()))
        sizes.append(len(labels))
    return _averages(losses, correct, sizes)


def _make_optimizer(kind: str, parameters: Iterable) -> torch.optim.Optimizer:
    return torch.optim.Adam(parameters, lr=0.01) if kind == "adam" else torch.optim.SGD(parameters, lr=0.1)


def _loss_and_accuracy(result: Any, call: str) -> tuple[float, float]:
    """``(loss, accuracy)`` from a step's result: two numbers (floats, or tensors holding one number each)."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_true(isinstance(result, tuple | list) and len(result) == 2, f"{call} should return two numbers.",
               expected="(average loss, accuracy)", got=_describe(result),
               hint="end with: return total_loss / count, correct / count")
    numbers = []
    for label, value in zip(("loss", "accuracy"), result):
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.detach().item()
        check_true(isinstance(value, int | float | np.floating | np.integer) and not isinstance(value, bool),
                   f"The {label} from {call} is not a number.", expected="a float (or a tensor of one number)",
                   got=_describe(value), hint="add up loss.item() per batch; count the correct predictions.")
        numbers.append(float(value))
    if numbers[1] > 1:
        fail(f"The accuracy from {call} is a percentage.", "a fraction between 0 and 1, e.g. 0.97", numbers[1],
             "the course's accuracies are fractions: correct / count, without * 100.")
    return numbers[0], numbers[1]


def _check_against(value: float, options: list[float], what: str, call: str, hint: str, tolerance: float) -> None:
    """``value`` matches one of the accepted ``options``."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    if not any(math.isclose(value, option, rel_tol=tolerance, abs_tol=tolerance) for option in options):
        expected = " or ".join(dict.fromkeys(f"{option:.6g}" for option in options))
        fail(f"The {what} from {call} is wrong.", expected, f"{value:.6g}", hint)


def check_train_step(train_step: Callable, *, seed: int = 0, batch_size: int = STEP_BATCH, batches: int = 4,
                     optimizer: str = "sgd", label_smoothing: float = 0.0, loader: bool = False,
                     device: str | torch.device = "cpu") -> None:
    """``train_step(model, batches, loss_fn, optimizer)``: one epoch in training mode, the same updates and numbers as the test's own loop.

    The model has batch norm and starts in evaluation mode, so a missing ``model.train()`` shows.

    Args:
        train_step: The learner's function.
        seed: Seeds the model and the data.
        batch_size: Images per batch.
        batches: Number of batches.
        optimizer: ``"sgd"`` (lr 0.1) or ``"adam"`` (lr 0.01).
        label_smoothing: Passed to the ``nn.CrossEntropyLoss`` handed in, so only that loss gives the right numbers.
        loader: Hand in a ``DataLoader`` (with a smaller last batch) instead of a list of pairs.
        device: Where the model lives; the batches stay on the CPU.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = "train_step(model, batches, loss_fn, optimizer)"
    model = _step_model(seed).to(device)
    start, twin, careless = copy.deepcopy(model), copy.deepcopy(model).train(), copy.deepcopy(model).train()
    data = _step_batches(seed, batch_size, batches, loader)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    loss_options, accuracy_options = _run_batches(twin, data, loss_fn, _make_optimizer(optimizer, twin.parameters()))
    _run_batches(careless, data, loss_fn, _make_optimizer(optimizer, careless.parameters()), zero_grad=False)
    result, probe = _call_step(train_step, call, model.eval(), data, loss_fn, _make_optimizer(optimizer, model.parameters()))
    if not all(probe.modes):
        fail(f"{call} ran the model in evaluation mode: call model.train() first.", "model.train() before the loop",
             "the model was still in evaluation mode (it was handed in that way, as after a test_step)",
             "start with model.train(): batch norm and dropout must work in training mode while the model learns.")
    loss, accuracy = _loss_and_accuracy(result, call)
    if all(torch.equal(p, q) for p, q in zip(model.parameters(), start.parameters())):
        fail(f"{call} did not update the model.", "the parameters changed by optimizer.step()", "the parameters as they were",
             "per batch: loss = loss_fn(model(images), labels); optimizer.zero_grad(); loss.backward(); optimizer.step().")
    if _same_parameters(model, careless) and not _same_parameters(model, twin):
        fail(f"{call} lets the gradients add up over the batches: call optimizer.zero_grad().", "fresh gradients for every batch",
             "each step also used the gradients of all the batches before it",
             "call optimizer.zero_grad() before loss.backward() in every batch (backward adds to .grad).")
    check_true(_same_parameters(model, twin), f"After {call} the model's parameters differ from the test's own epoch.",
               expected="one update per batch, from loss_fn(model(images), labels)", got="other parameters",
               hint="per batch, in this order: logits = model(images); loss = loss_fn(logits, labels); optimizer.zero_grad(); "
                    "loss.backward(); optimizer.step(). Use the loss_fn and optimizer you are given; one forward pass per batch.")
    _check_against(loss, loss_options, "average loss", call, "the mean of loss.item() over the batches, computed before each "
                   "update with the loss_fn you are given.", 1e-4)
    _check_against(accuracy, accuracy_options, "accuracy", call, "the fraction of images whose largest logit "
                   "(logits.argmax(dim=1)) is the label, from the same forward pass as the loss.", 1e-6)


def check_test_step(test_step: Callable, *, seed: int = 0, batch_size: int = STEP_BATCH, batches: int = 3,
                    label_smoothing: float = 0.0, loader: bool = False, device: str | torch.device = "cpu") -> None:
    """``test_step(model, batches, loss_fn)``: evaluation mode, no gradients, and the test's own loss and accuracy.

    The model has batch norm and starts in training mode, so a missing ``model.eval()`` shows.

    Args:
        test_step: The learner's function.
        seed: Seeds the model and the data.
        batch_size: Images per batch.
        batches: Number of batches.
        label_smoothing: Passed to the ``nn.CrossEntropyLoss`` handed in.
        loader: Hand in a ``DataLoader`` (with a smaller last batch) instead of a list of pairs.
        device: Where the model lives; the batches stay on the CPU.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = "test_step(model, batches, loss_fn)"
    model = _step_model(seed + 100).to(device)
    twin = copy.deepcopy(model).eval()
    start = copy.deepcopy(model.state_dict())
    data = _step_batches(seed + 100, batch_size, batches, loader)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    loss_options, accuracy_options = _run_batches(twin, data, loss_fn)
    result, probe = _call_step(test_step, call, model.train(), data, loss_fn)
    if any(probe.modes):
        fail(f"{call} ran the model in training mode: call model.eval() first.", "model.eval() before the loop",
             "the model was still in training mode (it was handed in that way, as after a train_step)",
             "start with model.eval(): in training mode batch norm uses each batch's own statistics (and updates its "
             "running ones), and dropout drops values at random.")
    if any(probe.gradients):
        fail(f"{call} tracked gradients.", "the loop inside torch.inference_mode() (or torch.no_grad())",
             "gradients were on while the model ran", "evaluation needs no gradients: wrap the loop in "
             "with torch.inference_mode(): (or torch.no_grad()); it is faster and uses less memory.")
    after = model.state_dict()
    check_true(all(torch.equal(after[key], value) for key, value in start.items()), f"{call} changed the model.",
               expected="the parameters and batch-norm statistics as they were", got="some of them changed",
               hint="evaluation only measures: no optimizer, no backward, and model.eval() so batch norm keeps its statistics.")
    loss, accuracy = _loss_and_accuracy(result, call)
    _check_against(loss, loss_options, "average loss", call, "the mean of loss_fn(model(images), labels).item() over the "
                   "batches, with the loss_fn you are given.", 1e-4)
    _check_against(accuracy, accuracy_options, "accuracy", call, "the fraction of images whose largest logit "
                   "(logits.argmax(dim=1)) is the label.", 1e-6)


def _call_step(step: Callable, call: str, model: nn.Module, *arguments: Any) -> tuple[Any, _Probe]:
    """``step(model, *arguments)`` watched by a probe, without the course's loops, PyTorch's classic errors named."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    probe = _Probe(model)
    try:
        with forbid_calls(*LOOP_HELPERS, what=call, hint=LOOP_HINT), named_mistakes(call, VISION_MISTAKES):
            result = step(model, *arguments)
    finally:
        probe.remove()
    check_true(probe.modes, f"{call} never called the model.", expected="model(images) for each batch", got="no call",
               hint="loop over the batches: for images, labels in batches: ...")
    return result, probe


def _same_parameters(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p, q, rtol=1e-4, atol=1e-6) for p, q in zip(a.parameters(), b.parameters()))


# --- exercise 5: a trained model ---------------------------------------------------------------------


def check_trained_classifier(model: Any, images: torch.Tensor, labels: torch.Tensor, *, threshold: float = 0.97,
                             name: str = "mnist_model", data: str = "the validation images") -> float:
    """Measure ``model`` itself on ``images``: logits ``[N, 10]`` in evaluation mode, accuracy at least ``threshold``.

    The check calls ``model.eval()`` itself. Below the threshold, it also measures a copy in
    training mode, to name a model that is accurate only there.

    Args:
        model: The learner's trained model (on any device).
        images: ``float32 [N, 1, 28, 28]`` in [0, 1], on the CPU.
        labels: ``int64 [N]``.
        threshold: The smallest accuracy that passes (a fraction).
        name: The model, as the message names it.
        data: What ``images`` are, as the message names them.

    Returns:
        The accuracy, a fraction.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_true(isinstance(model, nn.Module), f"{name} is not a model.", expected="an nn.Module", got=_describe(model),
               hint=f"assign the trained model itself: {name} = model")
    check_true(any(True for _ in model.parameters()), f"{name} has no parameters.", expected="a trained model",
               got="no parameters", hint="build it from layers such as nn.Conv2d and nn.Linear, and train it.")
    was_training = model.training
    model.eval()
    logits = _outputs(model, images, name)
    check_logits(logits, len(images), NUM_CLASSES, name=name)
    accuracy = (logits.argmax(dim=1) == labels.cpu()).double().mean().item()
    if accuracy < threshold:
        twin = copy.deepcopy(model).train()
        training_accuracy = (_outputs(twin, images, name).argmax(dim=1) == labels.cpu()).double().mean().item()
        if training_accuracy >= threshold:
            fail(f"{name} is accurate only in training mode: in evaluation mode it misses the target on {data}.",
                 f">= {threshold:.1%} after model.eval()", f"{accuracy:.1%} after model.eval(), {training_accuracy:.1%} in training mode",
                 "its batch norm (or dropout) layers behave differently after model.eval(): call model.train() at the start "
                 "of every epoch, and model.eval() in your own evaluation, so what you measure is what the model does.")
        left = " It was handed in in training mode: did your own evaluation forget model.eval()?" if was_training else ""
        fail(f"{name} is not accurate enough on {data}.", f">= {threshold:.1%}", f"{accuracy:.1%}",
             "train longer or with a larger learning rate (Adam, lr=0.001 to 0.01), use a CNN such as TinyVGG, and "
             f"measure in model.eval() mode as this test does.{left}")
    return accuracy


def _outputs(model: nn.Module, images: torch.Tensor, name: str, batch_size: int = 500) -> torch.Tensor:
    """The model's outputs for ``images`` on its own device, in batches, without gradients, on the CPU."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    device = next(model.parameters()).device
    parts = []
    with torch.inference_mode(), named_mistakes(f"{name}(images)", VISION_MISTAKES):
        for start in range(0, len(images), batch_size):
            output = model(images[start:start + batch_size].to(device))
            check_tensor(output, name=f"the output of {name}")
            parts.append(output.cpu())
    return torch.cat(parts)


# --- exercise 6: predict -------------------------------------------------------------------------


def _dropout_model(seed: int) -> nn.Module:
    """A small CNN with dropout: its outputs in training mode are random."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(1, 4, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Dropout(0.5), nn.Linear(4 * 13 * 13, NUM_CLASSES))


def check_predict(predict: Callable, *, n: int = 8, seed: int = 0, device: str | torch.device = "cpu") -> None:
    """``predict(model, images)`` -> ``(labels, probabilities)``, as the model in evaluation mode gives them, for a batch and a single image.

    The model has dropout; it is handed in once in training mode and once in evaluation mode,
    and must be left in that mode.

    Args:
        predict: The learner's function.
        n: Images in the batch.
        seed: Seeds the model and the images.
        device: Where the model lives; the images stay on the CPU.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    model = _dropout_model(seed).to(device)
    images = torch.rand(n, 1, IMAGE_SIZE, IMAGE_SIZE, generator=torch.Generator().manual_seed(seed))
    twin = copy.deepcopy(model).eval()
    with torch.inference_mode():
        expected = torch.softmax(twin(images.to(device)), dim=1).cpu()
    for batch, name in ((images, f"a batch [{n}, 1, 28, 28]"), (images[0], "a single image [1, 28, 28]")):
        want = expected if batch.ndim == 4 else expected[:1]
        for training in (True, False):
            model.train(training)
            call = f"predict(model, {name}) with the model in {'training' if training else 'evaluation'} mode"
            with _probed(model, call) as probe:
                result = predict(model, batch.clone())
            _check_prediction(result, want, probe, model, training, call)


@contextmanager
def _probed(model: nn.Module, call: str) -> Iterator[_Probe]:
    probe = _Probe(model, batched_only=call)
    try:
        yield probe
    finally:
        probe.remove()


def _check_prediction(result: Any, want: torch.Tensor, probe: _Probe, model: nn.Module, training: bool, call: str) -> None:
    """One call of predict: the model's mode kept, evaluation mode and no gradients inside, labels and probabilities right."""
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    check_true(probe.modes, f"{call} never called the model.", expected="model(images)", got="no call",
               hint="predict runs the model on the images.")
    if any(probe.modes):
        fail(f"{call} ran the model in training mode: call model.eval() first.", "model.eval() before the forward pass",
             "training mode: dropout made the predictions random",
             "remember was_training = model.training, call model.eval(), predict, then model.train(was_training).")
    if any(probe.gradients):
        fail(f"{call} tracked gradients.", "the forward pass inside torch.inference_mode() (or torch.no_grad())",
             "gradients were on", "predictions need no gradients: with torch.inference_mode(): logits = model(images)")
    check_true(model.training == training, f"{call} did not leave the model in the mode it was in.",
               expected=f"model.training == {training}", got=f"model.training == {model.training}",
               hint="remember was_training = model.training at the start, and call model.train(was_training) at the end.")
    check_true(isinstance(result, tuple | list) and len(result) == 2, f"{call} should return two tensors.",
               expected="(labels, probabilities)", got=_describe(result), hint="end with: return labels, probabilities")
    labels, probabilities = result
    count = len(want)
    check_shape(probabilities, (count, NUM_CLASSES), name=f"the probabilities from {call}",
                hint="one row per image: add the batch dimension to a single image (images.unsqueeze(0)).")
    check_device(probabilities, "cpu", name=f"the probabilities from {call}", hint="return them on the CPU: .cpu().")
    check_true(probabilities.is_floating_point(), f"The probabilities from {call} are not floats.", expected="a float tensor",
               got=probabilities.dtype, hint="torch.softmax(logits, dim=1) gives them.")
    check_true(not probabilities.requires_grad, f"The probabilities from {call} carry gradients.", expected="requires_grad False",
               got="requires_grad True", hint="compute them inside torch.inference_mode() (or torch.no_grad()).")
    sums = probabilities.detach().double().sum(dim=1)
    if not torch.allclose(sums, torch.ones_like(sums), atol=1e-4):
        fail(f"The probabilities from {call} do not add up to 1 per image.", "rows that add up to 1",
             f"row sums {_preview(sums)}", "turn the logits into probabilities over the classes: torch.softmax(logits, dim=1) "
                                           "(dim=1: each row, not each column).")
    check_close(probabilities, want, name=f"the probabilities from {call}", atol=1e-5,
                hint="torch.softmax(model(images), dim=1) with the model in evaluation mode.")
    check_shape(labels, (count,), name=f"the labels from {call}", hint="one label per image: probabilities.argmax(dim=1).")
    check_dtype(labels, torch.int64, name=f"the labels from {call}")
    check_device(labels, "cpu", name=f"the labels from {call}", hint="return them on the CPU: .cpu().")
    check_equal(labels, want.argmax(dim=1), name=f"the labels from {call}",
                hint="the label is the class with the largest probability: probabilities.argmax(dim=1).")


# --- exercise 7: confusion matrix ----------------------------------------------------------------------


def check_confusion_matrix(confusion_matrix: Callable, y_true: torch.Tensor, y_pred: torch.Tensor,
                           num_classes: int | None = None) -> None:
    """``confusion_matrix(y_true, y_pred, num_classes)`` equals scikit-learn's, as an int64 tensor: rows true labels, columns predictions.

    Args:
        confusion_matrix: The learner's function.
        y_true: True labels, ``int64 [N]``.
        y_pred: Predicted labels, ``int64 [N]``.
        num_classes: Passed as ``num_classes=``; ``None`` relies on the default of 10.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

    classes = NUM_CLASSES if num_classes is None else num_classes
    call = "confusion_matrix(y_true, y_pred)" if num_classes is None else f"confusion_matrix(y_true, y_pred, num_classes={num_classes})"
    expected = torch.from_numpy(sklearn_confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=list(range(classes)))).long()
    before = (y_true.clone(), y_pred.clone())
    result = confusion_matrix(y_true, y_pred) if num_classes is None else confusion_matrix(y_true, y_pred, num_classes=num_classes)
    check_tensor(result, name=call)
    check_true(torch.equal(y_true, before[0]) and torch.equal(y_pred, before[1]), f"{call} changed its inputs.",
               expected="y_true and y_pred as they were", got="changed values", hint="don't modify the labels in place.")
    seen = int(max(y_true.max(), y_pred.max())) + 1
    if seen < classes and tuple(result.shape) == (seen, seen):
        fail(f"{call} has a row and a column only for the labels that occur.", f"({classes}, {classes})",
             f"({seen}, {seen})", "size it by num_classes, not by the largest label: a class may be missing from a sample.")
    check_shape(result, (classes, classes), name=call, hint="one row per true class and one column per predicted class.")
    check_dtype(result, torch.int64, name=call, hint="counts are integers: .long() (a NumPy result: torch.from_numpy(...)).")
    if not torch.equal(result.cpu(), expected) and torch.equal(result.cpu().T, expected):
        fail(f"{call} has rows and columns swapped (transposed).", "rows = true labels, columns = predictions",
             "rows = predictions, columns = true labels", "count sample i at [y_true[i], y_pred[i]], not [y_pred[i], y_true[i]].")
    check_equal(result, expected, name=call, hint="count each sample once at [y_true[i], y_pred[i]]: the counts add up to "
                                                  "the number of samples, the diagonal holds the right predictions.")


# --- exercise 8: conv_output_size --------------------------------------------------------------------


def check_conv_output_size(conv_output_size: Callable, settings: Sequence[dict[str, int]]) -> None:
    """``conv_output_size(size, kernel_size, stride, padding, dilation)`` agrees with a real ``nn.Conv2d`` for every setting.

    Args:
        conv_output_size: The learner's function.
        settings: Dicts with ``size`` and ``kernel_size``, and optionally ``stride``, ``padding``, ``dilation``
            (left out: the call relies on the default).
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    from helpers import vision

    check_true(conv_output_size is not vision.conv_output_size and not _uses(conv_output_size, vision.conv_output_size),
               "conv_output_size is the course's own helpers.conv_output_size.", expected="your own formula",
               got="helpers.conv_output_size", hint="write the formula from nn.Conv2d's documentation yourself; that is the exercise.")
    for setting in settings:
        options = {key: value for key, value in setting.items() if key not in ("size", "kernel_size")}
        call = f"conv_output_size({setting['size']}, {setting['kernel_size']}" + "".join(f", {k}={v}" for k, v in options.items()) + ")"
        kernel = torch.zeros(1, 1, setting["kernel_size"], setting["kernel_size"])
        expected = nn.functional.conv2d(torch.zeros(1, 1, setting["size"], setting["size"]), kernel, **options).shape[-1]
        with forbid_calls(*CONV_HELPERS, what=call, hint="compute it with the formula: no convolution, no course helper."):
            got = conv_output_size(setting["size"], setting["kernel_size"], **options)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        check_true(isinstance(got, int | float | np.integer | np.floating) and not isinstance(got, bool),
                   f"{call} is not a number.", expected="an int", got=_describe(got), hint="return the size as an int.")
        if float(got) != int(float(got)):
            fail(f"{call} is not a whole number of pixels.", expected, got,
                 "floor the division: (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1.")
        check_equal(int(got), expected, name=call,
                    hint="floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1: the dilated kernel "
                         "reaches dilation * (kernel_size - 1) + 1 pixels.")


def _uses(function: Callable, helper: Callable) -> bool:
    """Whether ``function`` calls ``helper`` through one of its global names (``from helpers import conv_output_size as c``)."""
    code, namespace = getattr(function, "__code__", None), getattr(function, "__globals__", {})
    return code is not None and any(namespace.get(name) is helper for name in code.co_names)


# --- exercise 9: misclassified indices -------------------------------------------------------------


def check_misclassified_indices(misclassified_indices: Callable, y_true: torch.Tensor, y_pred: torch.Tensor) -> None:
    """``misclassified_indices(y_true, y_pred)``: the indices where they differ, ascending, 1-D (a tensor, list or array of integers).

    Args:
        misclassified_indices: The learner's function.
        y_true: True labels, ``int64 [N]``.
        y_pred: Predicted labels, ``int64 [N]``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = "misclassified_indices(y_true, y_pred)"
    expected = torch.nonzero(y_true != y_pred).flatten()
    result = misclassified_indices(y_true.clone(), y_pred.clone())
    if isinstance(result, list | tuple):
        odd = [i for i in result if not (isinstance(i, int | np.integer) or (isinstance(i, torch.Tensor) and i.numel() == 1))]
        if odd:
            fail(f"{call} returned a list of something other than indices.", "integers", _describe(odd[0]),
                 "return the indices themselves: torch.nonzero(y_true != y_pred).flatten().")
        result = torch.tensor([int(i) for i in result], dtype=torch.int64)
    elif isinstance(result, np.ndarray):
        result = torch.from_numpy(result)
    check_tensor(result, name=call)
    if result.dtype == torch.bool:
        fail(f"{call} returns a mask, not indices.", f"the {len(expected)} indices {_preview(expected)}",
             f"a boolean tensor of shape {tuple(result.shape)}", "turn the mask into indices: torch.nonzero(mask).flatten() "
                                                               "(or torch.where(mask)[0]).")
    if result.numel() == 0 and len(expected) == 0:
        return
    if result.ndim == 0:
        fail(f"{call} returns a 0-dim tensor, not a 1-D tensor of indices.", f"shape ({len(expected)},)", "shape ()",
             ".squeeze() turns a single index into a 0-dim tensor: use .flatten() (or torch.where(mask)[0]).")
    if result.ndim == 2 and result.shape[1] == 1:
        fail(f"{call} returns a column of indices.", f"shape ({len(expected)},)", f"shape {tuple(result.shape)}",
             "torch.nonzero gives one row per index: .flatten() it (or use torch.where(mask)[0]).")
    check_true(not result.is_floating_point(), f"{call} returns floats, not integer indices.", expected="an integer dtype",
               got=result.dtype, hint="indices are integers: torch.nonzero(...) gives int64.")
    check_shape(result, (len(expected),), name=call, hint="one index per wrong prediction, in a 1-D tensor.")
    if not torch.equal(result.long().cpu(), expected) and torch.equal(torch.sort(result.long().cpu()).values, expected):
        fail(f"{call} returns the right indices in the wrong order.", _preview(expected), _preview(result), "sort them ascending.")
    check_equal(result.long(), expected, name=call, hint="the positions i where y_true[i] != y_pred[i], ascending.")


# --- exercise 10: pixel mean and std -------------------------------------------------------------------


def check_pixel_mean_std(pixel_mean_std: Callable, dataset: Any) -> None:
    """``pixel_mean_std(dataset)``: the mean and standard deviation of all pixels of the dataset, in ToTensor's 0-1 scale.

    Args:
        pixel_mean_std: The learner's function.
        dataset: A torchvision MNIST dataset with ``ToTensor()``.
    """
    __tracebackhide__ = True  # hide this frame in IPython and pytest tracebacks
    call = "pixel_mean_std(dataset)"
    pixels = dataset.data.double() / 255
    mean, std = pixels.mean().item(), pixels.std().item()
    per_image = pixels.reshape(len(pixels), -1).std(dim=1).mean().item()
    result = pixel_mean_std(dataset)
    check_true(isinstance(result, tuple | list) and len(result) == 2, f"{call} should return two numbers.",
               expected="(mean, std)", got=_describe(result), hint="end with: return mean, std")
    got = []
    for label, value in zip(("mean", "std"), result):
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = value.item()
        check_true(isinstance(value, int | float | np.floating) and not isinstance(value, bool), f"The {label} from {call} is not a number.",
                   expected="a float (or a tensor of one number)", got=_describe(value), hint="use .item() on a one-number tensor.")
        got.append(float(value))
    if got[0] > 1.5:
        fail(f"The mean from {call} is in the 0-255 scale.", f"{mean:.4f} (ToTensor's 0-1 scale)", f"{got[0]:.4f}",
             "use the images as ToTensor() gives them (or divide the bytes by 255).")
    check_close(got[0], mean, name=f"the mean from {call}", rtol=1e-4, atol=1e-6,
                hint="the mean of every pixel of every image together.")
    if not math.isclose(got[1], std, rel_tol=1e-3) and math.isclose(got[1], per_image, rel_tol=1e-3):
        fail(f"The std from {call} averages the standard deviations of single images.", f"{std:.4f}", f"{got[1]:.4f}",
             "take the standard deviation of all pixels together (torch.stack the images, then .std()): it also "
             "counts how much the images differ from each other.")
    check_close(got[1], std, name=f"the std from {call}", rtol=1e-3, atol=1e-6,
                hint="the standard deviation of every pixel of every image together (not the mean of per-image values).")


# --- shared -----------------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    """A short description of a value for a message: its type, and its shape or length."""
    name = _type_name(value)
    if isinstance(value, torch.Tensor):
        return f"{name} of shape {tuple(value.shape)}"
    if isinstance(value, tuple | list):
        return f"{name} of length {len(value)}"
    return name

