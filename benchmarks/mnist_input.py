"""Benchmark chapter 03's two input paths: seconds per training epoch, DataLoader + ToTensor vs prepared tensors.

Both paths train the same models, from the same initial weights, on the same MNIST training split
(``helpers.vision.mnist``: local files, torchvision's download, or the offline digits), batch 32,
shuffled. The DataLoader path decodes every image through PIL and ``ToTensor()`` on every epoch;
the prepared path converts the split to a float tensor once and slices batches by index. The
time to prepare is reported on its own line: it is paid once, not per epoch.

Not a test: nothing here asserts a time. Run it from the repository root on an otherwise idle machine:

    .venv/bin/python benchmarks/mnist_input.py [--data build/data] [--epochs 2]
"""

import argparse
import json
import os
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms

from helpers.vision import PreparedBatches, mnist, prepare

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--data", type=Path, default=Path("build/data"), help="DATA_DIR (default: build/data)")
parser.add_argument("--epochs", type=int, default=2, help="epochs per path and model (the first is not counted)")
parser.add_argument("--out", type=Path, default=Path("build/benchmarks/mnist_input.json"), help="where the numbers go")
args = parser.parse_args()

MEAN, STD = 0.1307, 0.3081


def models() -> dict[str, nn.Module]:
    torch.manual_seed(0)
    return {
        "linear (Flatten + Linear)": nn.Sequential(nn.Flatten(), nn.Linear(784, 10)),
        "TinyVGG-style CNN": nn.Sequential(
            nn.Conv2d(1, 10, 3, padding=1), nn.ReLU(), nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(), nn.Conv2d(10, 10, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(10 * 7 * 7, 10),
        ),
    }


def epoch_seconds(model: nn.Module, batches) -> float:
    """Seconds of one training epoch over ``batches`` (forward, loss, backward, step)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    started = time.perf_counter()
    for images, labels in batches:
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


train, _, source = mnist(args.data)
train.transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
started = time.perf_counter()
images, labels = prepare(train, mean=MEAN, std=STD)
prepare_seconds = time.perf_counter() - started
print(f"{len(train)} training images ({source}); {os.cpu_count()} cores, {torch.get_num_threads()} torch threads; "
      f"preparing the tensors once took {prepare_seconds:.3f} s")

rows = []
for name in models():
    row = {"model": name}
    for path in ("DataLoader + ToTensor", "prepared tensors"):
        model = models()[name]  # the same initial weights for both paths
        if path == "prepared tensors":
            batches = PreparedBatches(images, labels, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
        else:
            batches = DataLoader(train, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
        times = [epoch_seconds(model, batches) for _ in range(args.epochs)]
        row[path] = min(times[1:] or times)  # the first epoch warms up caches and allocators
    row["ratio"] = row["DataLoader + ToTensor"] / row["prepared tensors"]
    rows.append(row)
    print(f"{name:28s} DataLoader {row['DataLoader + ToTensor']:.2f} s/epoch, prepared {row['prepared tensors']:.2f} s/epoch: "
          f"{row['ratio']:.1f}x")

args.out.parent.mkdir(parents=True, exist_ok=True)
args.out.write_text(json.dumps({"source": source, "train_images": len(train), "prepare_s": prepare_seconds,
                                "cores": os.cpu_count(), "rows": rows}, indent=1) + "\n")
print(f"Numbers: {args.out}")
