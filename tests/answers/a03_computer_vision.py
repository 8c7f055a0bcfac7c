"""Answers a class writes for assignment 03_pytorch_computer_vision: correct ones in other styles, and wrong ones.

Two sets live here. ``ALTERNATIVES``, ``MORE_ALTERNATIVES`` and ``MISTAKES`` are run in-process by
``tests/test_vision_assignment.py`` on a fake MNIST of bright squares, where exercise 5 is answered by a
hand-made model (``SQUARE_READER``). ``CORRECT`` and ``WRONG`` (see ``answers/__init__.py``) are graded for
real by ``tests/test_fairness.py`` on the offline MNIST digits: the same answers for every exercise but 5, at
most three wrong ones each (each is one more submission to grade), and for exercise 5 models that really train.
"""

ASSIGNMENT = "03_pytorch_computer_vision"

#: A model that reads the squares: the logit of class k sums the pixels of k's square (any architecture is fine).
SQUARE_READER = """
def square_reader():
    weight = torch.zeros(10, 28 * 28)
    for k in range(10):
        row, column = 2 + 12 * (k // 5), 2 + 5 * (k % 5)
        mask = torch.zeros(28, 28)
        mask[row:row + 4, column:column + 4] = 1.0
        weight[k] = mask.flatten()
    linear = nn.Linear(28 * 28, 10)
    with torch.no_grad():
        linear.weight.copy_(weight)
        linear.bias.zero_()
    return nn.Sequential(nn.Flatten(), linear)
"""

ALTERNATIVES = {
    1: '''
def load_mnist(data_dir):
    to_tensor = transforms.ToTensor()
    return (datasets.MNIST(data_dir, train=True, transform=to_tensor),
            datasets.MNIST(data_dir, train=False, transform=to_tensor))


def show_samples(dataset, n=5):
    rows = (n + 2) // 3
    fig, axes = plt.subplots(rows, 3, figsize=(6, 2 * rows))
    for ax in axes.flat:
        ax.axis("off")
    picks = torch.randperm(len(dataset))[:n].tolist()
    for ax, i in zip(axes.flat, picks):
        ax.imshow(dataset.data[i], cmap="gray")  # the raw bytes, 0-255
        ax.set_title(f"label: {dataset.classes[int(dataset.targets[i])]}")
    return fig
''',
    2: '''
from torch.utils.data import RandomSampler, SequentialSampler


def make_loaders(train, test, batch_size=32):
    return (DataLoader(train, batch_size=batch_size, sampler=RandomSampler(train)),
            DataLoader(test, batch_size=batch_size, sampler=SequentialSampler(test)))
''',
    3: '''
import torch.nn.functional as F


class TinyVGG(nn.Module):
    """No padding (as in the CNN Explainer): 28 -> 26 -> 24 -> 12 -> 10 -> 8 -> 4; ReLU and pooling in forward."""

    def __init__(self, in_channels=1, hidden_units=10, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, hidden_units, 3)
        self.conv2 = nn.Conv2d(hidden_units, hidden_units, 3)
        self.conv3 = nn.Conv2d(hidden_units, hidden_units, 3)
        self.conv4 = nn.Conv2d(hidden_units, hidden_units, 3)
        self.out = nn.Linear(hidden_units * 4 * 4, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
        x = F.max_pool2d(F.relu(self.conv4(F.relu(self.conv3(x)))), 2)
        return self.out(torch.flatten(x, 1))
''',
    4: '''
from helpers import model_device


def train_step(model, batches, loss_fn, optimizer):
    model.train()
    losses, accuracies = [], []
    for images, labels in batches:
        images, labels = images.to(model_device(model)), labels.to(model_device(model))
        optimizer.zero_grad()
        logits = model(images)
        loss = loss_fn(logits, labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        accuracies.append((logits.argmax(dim=1) == labels).float().mean())
    return torch.stack(losses).mean(), torch.stack(accuracies).mean()


def test_step(model, batches, loss_fn):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in batches:
            images, labels = images.to(model_device(model)), labels.to(model_device(model))
            logits = model(images)
            total += loss_fn(logits, labels).item() * len(labels)
            correct += int((logits.argmax(dim=1) == labels).sum())
            count += len(labels)
    return total / count, correct / count
''',
    5: SQUARE_READER + "\nmnist_model = square_reader()\n",
    6: '''
import torch.nn.functional as F


def predict(model, images):
    images = images.reshape(-1, 1, 28, 28)
    mode = model.training
    try:
        model.eval()
        with torch.no_grad():
            logits = model(images.to(next(model.parameters()).device))
    finally:
        model.train(mode)
    probabilities = F.softmax(logits, dim=-1).cpu()
    return torch.argmax(probabilities, dim=1), probabilities
''',
    7: '''
def confusion_matrix(y_true, y_pred, num_classes=10):
    counts = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        counts[t, p] += 1
    return counts
''',
    8: '''
import math


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return math.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)
''',
    9: '''
def misclassified_indices(y_true, y_pred):
    return [i for i, (t, p) in enumerate(zip(y_true.tolist(), y_pred.tolist())) if t != p]
''',
    10: '''
def pixel_mean_std(dataset):
    pixels = dataset.data.float() / 255
    return pixels.mean(), pixels.std()
''',
}

MORE_ALTERNATIVES = [
    (3, '''
class TinyVGG(nn.Module):
    def __init__(self, in_channels=1, hidden_units=10, num_classes=10):
        super().__init__()
        def block(c_in):
            return [nn.Conv2d(c_in, hidden_units, 3, padding="same"), nn.ReLU(),
                    nn.Conv2d(hidden_units, hidden_units, 3, padding="same"), nn.ReLU(), nn.MaxPool2d(2)]
        self.layers = nn.Sequential(*block(in_channels), *block(hidden_units), nn.Flatten(), nn.LazyLinear(num_classes))

    def forward(self, x):
        return self.layers(x)
'''),
    (5, SQUARE_READER + "\nmnist_model = nn.Sequential(square_reader(), nn.LogSoftmax(dim=1))  # log-probabilities are logits too\n"),
    (7, '''
import sklearn.metrics


def confusion_matrix(y_true, y_pred, num_classes=10):
    return torch.from_numpy(sklearn.metrics.confusion_matrix(y_true, y_pred, labels=list(range(num_classes))))
'''),
    (7, '''
def confusion_matrix(y_true, y_pred, num_classes=10):
    counts = torch.zeros(num_classes, num_classes, dtype=torch.int64)
    return counts.index_put_((y_true, y_pred), torch.ones_like(y_true), accumulate=True)
'''),
    (9, '''
import numpy as np


def misclassified_indices(y_true, y_pred):
    return np.flatnonzero(y_true.numpy() != y_pred.numpy())
'''),
    (9, "def misclassified_indices(y_true, y_pred):\n    return torch.where(y_true != y_pred)[0]\n"),
    (10, '''
def pixel_mean_std(dataset):
    total = total_sq = count = 0.0
    for images, _ in DataLoader(dataset, batch_size=256):
        images = images.double()
        total += images.sum().item()
        total_sq += (images ** 2).sum().item()
        count += images.numel()
    mean = total / count
    return mean, (total_sq / count - mean ** 2) ** 0.5
'''),
    (1, '''
def load_mnist(data_dir):
    pipeline = transforms.Compose([transforms.ToTensor()])
    train = datasets.MNIST(root=data_dir, train=True, download=False, transform=pipeline)
    test = datasets.MNIST(root=data_dir, train=False, download=False, transform=pipeline)
    return train, test


def show_samples(dataset, n=5):
    fig = plt.figure(figsize=(2 * n, 2))
    for i in range(n):
        image, label = dataset[i]
        ax = fig.add_subplot(1, n, i + 1)
        ax.imshow(image.permute(1, 2, 0).numpy(), cmap="gray")
        ax.set_title(f"{dataset.classes[label]}")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
'''),
    (2, "def make_loaders(train, test, batch_size=32):\n    return DataLoader(train, batch_size, True), DataLoader(test, batch_size)\n"),
    (4, '''
def train_step(model, batches, loss_fn, optimizer):
    device = next(model.parameters()).device
    model.train()
    batch_losses, hits, seen = [], 0, 0
    for X, y in batches:
        X, y = X.to(device), y.to(device)
        y_logits = model(X)
        loss = loss_fn(y_logits, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        batch_losses.append(float(loss))
        hits += int((torch.argmax(y_logits, dim=1) == y).sum())
        seen += y.numel()
    return sum(batch_losses) / len(batch_losses), hits / seen


def test_step(model, batches, loss_fn):
    device = next(model.parameters()).device
    model.eval()
    batch_losses, hits, seen = [], 0, 0
    with torch.inference_mode():
        for X, y in batches:
            X, y = X.to(device), y.to(device)
            y_logits = model(X)
            batch_losses.append(float(loss_fn(y_logits, y)))
            hits += int((torch.argmax(y_logits, dim=1) == y).sum())
            seen += y.numel()
    return sum(batch_losses) / len(batch_losses), hits / seen
'''),
    (6, '''
def predict(model, images):
    batch = images if images.dim() == 4 else images[None]
    mode = model.training
    model.eval()
    with torch.inference_mode():
        logits = model(batch.to(next(model.parameters()).device))
    model.train(mode)
    probabilities = logits.softmax(dim=1).cpu()
    return probabilities.argmax(dim=1), probabilities
'''),
    (8, "def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):\n"
        "    effective_kernel = dilation * (kernel_size - 1) + 1\n"
        "    return int((size + 2 * padding - effective_kernel) / stride) + 1\n"),
]

#: (exercise, how the answer goes wrong: a change of the reference answer, or a whole answer, what the first line says)
MISTAKES = [
    (1, ("transform=transforms.ToTensor()", "transform=None"), "no ToTensor() transform"),
    (1, ("transform=transforms.ToTensor()", "transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])"),
     "is normalised"),
    (1, ("return train, test\n", "return test, train\n"), "swapped"),
    (1, ("mnist(data_dir,", "mnist(DATA_DIR,"), "len(train) from load_mnist"),
    (1, ("    return fig\n", "    return axes\n"), "does not return a matplotlib Figure"),
    (1, ("ax.set_title(str(label))", "ax.set_title('a digit')"), "does not name its label"),
    (2, ("DataLoader(test, batch_size=batch_size, shuffle=False)", "DataLoader(test, batch_size=batch_size, shuffle=True)"),
     "the test loader shuffles"),
    (2, ("DataLoader(train, batch_size=batch_size, shuffle=True)", "DataLoader(train, batch_size=batch_size)"),
     "the train loader does not shuffle"),
    (2, ("DataLoader(train, batch_size=batch_size,", "DataLoader(train, batch_size=32,"), "has the wrong shape"),
    (3, ("return self.classifier(self.block_2(self.block_1(x)))", "return torch.softmax(self.classifier(self.block_2(self.block_1(x))), dim=1)"),
     "returns probabilities, not logits"),
    (3, ("return self.classifier(self.block_2(self.block_1(x)))", "return self.classifier(self.block_2(self.block_1(x))).argmax(dim=1)"),
     "returns labels of shape [B]"),
    (3, ("nn.Linear(hidden_units * 7 * 7, num_classes)", "nn.Linear(hidden_units * 14 * 14, num_classes)"),
     "in_features does not match the flattened feature maps"),
    (3, ("nn.Conv2d(in_channels, hidden_units,", "nn.Conv2d(1, hidden_units,"), "in_channels of the first nn.Conv2d"),
    (3, ("        super().__init__()\n", ""), "failed while setting up its layers"),
    (4, ("    model.eval()\n", ""), "ran the model in training mode: call model.eval()"),
    (4, ("    model.train()\n", ""), "ran the model in evaluation mode: call model.train()"),
    (4, ("        optimizer.zero_grad()\n", ""), "lets the gradients add up"),
    (4, ("    with torch.inference_mode():\n", "    if True:\n"), "tracked gradients"),
    (4, ("return total_loss / steps, correct / count\n    ### END", "return total_loss / steps, 100 * correct / count\n    ### END"),
     "is a percentage"),
    (4, ("def train_step(", "import helpers\n\n\ndef train_step(model, batches, loss_fn, optimizer):\n"
                        "    result = helpers.train_epoch(model, batches, loss_fn, optimizer)\n"
                        "    return result['loss'], result['accuracy']\n\n\ndef old_train_step("), "called helpers.train_epoch"),
    (4, ("def test_step(", "from helpers.training import evaluate as measure\n\n\ndef test_step(model, batches, loss_fn):\n"
                       "    result = measure(model, batches, loss_fn)\n    return result['loss'], result['accuracy']\n\n\ndef old_test_step("),
     "called helpers.training._epoch_result"),
    (5, SQUARE_READER + "\nmnist_model = nn.Sequential(square_reader(), nn.Softmax(dim=1))\n", "returns probabilities, not logits"),
    (5, SQUARE_READER + "\nclass Labels(nn.Module):\n    def forward(self, x):\n        return x.argmax(dim=1)\n\n"
        "mnist_model = nn.Sequential(square_reader(), Labels())\n", "returns labels of shape [B]"),
    (5, SQUARE_READER + "\nmnist_model = nn.Sequential(square_reader(), nn.BatchNorm1d(10, affine=False))\n"
        "mnist_model[1].running_mean[0] = 100.0  # batch norm statistics that make evaluation mode wrong\n",
     "is accurate only in training mode"),
    (5, "mnist_model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))\n", "is not accurate enough"),
    (5, "mnist_model = nn.Linear\n", "mnist_model is not a model"),
    (6, ("    model.eval()\n", ""), "ran the model in training mode: call model.eval()"),
    (6, ("    model.train(was_training)\n", ""), "did not leave the model in the mode it was in"),
    (6, ("    if images.ndim == 3:\n        images = images.unsqueeze(0)\n", ""), "without a batch dimension"),
    (6, ("    with torch.inference_mode():\n", "    if True:\n"), "tracked gradients"),
    (6, ("torch.softmax(model(images.to(next(model.parameters()).device)), dim=1)", "model(images.to(next(model.parameters()).device))"),
     "do not add up to 1"),
    (6, ("torch.softmax(model(images.to(next(model.parameters()).device)), dim=1)", "torch.softmax(model(images.to(next(model.parameters()).device)), dim=0)"),
     "do not add up to 1"),
    (7, ("y_true.long() * num_classes + y_pred.long()", "y_pred.long() * num_classes + y_true.long()"), "rows and columns swapped (transposed)"),
    (7, ("minlength=num_classes**2).reshape(num_classes, num_classes)", "minlength=num_classes**2).reshape(num_classes, num_classes).float()"),
     "has the wrong dtype"),
    (7, '''
def confusion_matrix(y_true, y_pred, num_classes=10):
    k = int(max(y_true.max(), y_pred.max())) + 1
    return torch.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
''', "only for the labels that occur"),
    (8, ("// stride + 1", "/ stride + 1"), "is not a whole number of pixels"),
    (8, ("dilation * (kernel_size - 1) - 1", "(kernel_size - 1) - 1"), "conv_output_size(32, 3, dilation=2) is not what was expected"),
    (8, "from helpers import conv_output_size as course_size\n\n\ndef conv_output_size(*args, **kwargs):\n    return course_size(*args, **kwargs)\n",
     "is the course's own helpers.conv_output_size"),
    (8, "import helpers\n\nconv_output_size = helpers.conv_output_size\n", "is the course's own helpers.conv_output_size"),
    (8, '''
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    conv = nn.Conv2d(1, 1, kernel_size, stride=stride, padding=padding, dilation=dilation)
    return conv(torch.zeros(1, 1, size, size)).shape[-1]
''', "called torch.nn.Conv2d.forward"),
    (9, ("return torch.nonzero(y_true != y_pred).flatten()", "return y_true != y_pred"), "returns a mask, not indices"),
    (9, ("return torch.nonzero(y_true != y_pred).flatten()", "return torch.nonzero(y_true != y_pred)"), "returns a column of indices"),
    (9, ("return torch.nonzero(y_true != y_pred).flatten()", "return torch.nonzero(y_true != y_pred).flatten().flip(0)"), "in the wrong order"),
    (10, '''
def pixel_mean_std(dataset):
    images = torch.stack([image for image, _ in dataset])
    return images.mean().item(), images.flatten(1).std(dim=1).mean().item()
''', "averages the standard deviations of single images"),
    (10, "def pixel_mean_std(dataset):\n    pixels = dataset.data.float()\n    return pixels.mean().item(), pixels.std().item()\n",
     "is in the 0-255 scale"),
]


def _exercise(number: int) -> str:
    return f"ex{number:02d}_answer"


#: Exercise 5 on real digits: a model that trains to >= 97% in another style than the reference.
TRAINED_MODELS = [
    '''
from torch.utils.data import DataLoader, TensorDataset

from helpers.vision import random_affine


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for c_in, c_out in [(1, 16), (16, 32), (32, 64)]:
            layers += [nn.Conv2d(c_in, c_out, kernel_size=3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(64 * 3 * 3, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), start_dim=1))


torch.manual_seed(0)
mnist_model = DigitNet()
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
optimizer = torch.optim.AdamW(mnist_model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.01, epochs=5, steps_per_epoch=len(loader))
for epoch in range(5):
    mnist_model.train()
    for images, labels in loader:
        loss = nn.functional.cross_entropy(mnist_model(random_affine(images)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
    mnist_model.eval()
    with torch.no_grad():
        print(f"epoch {epoch}: validation {(mnist_model(X_valid).argmax(1) == y_valid).float().mean():.3f}")
''',
    '''
from helpers.vision import random_affine

torch.manual_seed(3)
mnist_model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 10),
)
epochs = 5
batches = PreparedBatches(X_train, y_train, batch_size=64, shuffle=True)
optimizer = torch.optim.SGD(mnist_model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=epochs * len(batches))
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
for epoch in range(epochs):
    mnist_model.train()
    for images, labels in batches:
        optimizer.zero_grad()
        loss_fn(mnist_model(random_affine(images)), labels).backward()
        optimizer.step()
        scheduler.step()
''',
]

#: Exercise 5 on real digits, quick to grade: models that are wrong before any training could help.
UNTRAINED_MODELS = [
    ("mnist_model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10), nn.Softmax(dim=1))\n", "returns probabilities, not logits"),
    ("mnist_model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))\n", "is not accurate enough"),
    ("mnist_model = nn.Linear\n", "mnist_model is not a model"),
]

CORRECT = {_exercise(number): [answer] for number, answer in ALTERNATIVES.items() if number != 5}
for _number, _answer in MORE_ALTERNATIVES:
    if _number != 5:
        CORRECT[_exercise(_number)].append(_answer)
CORRECT[_exercise(5)] = TRAINED_MODELS

WRONG: dict[str, list] = {}
for _number, _change, _named in MISTAKES:
    if _number != 5 and len(WRONG.setdefault(_exercise(_number), [])) < 3:
        WRONG[_exercise(_number)].append((_change, _named))
WRONG[_exercise(5)] = UNTRAINED_MODELS
