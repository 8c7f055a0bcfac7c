"""Answers a class writes for assignment 01_pytorch_workflow: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "01_pytorch_workflow"

CORRECT = {
    "ex01_answer": [
        # linspace over the same points, a reshape, and torch.split
        '''import math


def make_linear_data(weight, bias, start=0.0, end=1.0, step=0.01, train_fraction=0.8):
    n = math.ceil((end - start) / step)
    X = torch.linspace(start, start + (n - 1) * step, n).reshape(-1, 1)
    y = weight * X + bias
    n_train = int(train_fraction * n)
    X_train, X_test = torch.split(X, [n_train, n - n_train])
    y_train, y_test = torch.split(y, [n_train, n - n_train])
    return X_train, y_train, X_test, y_test
''',
        # scikit-learn's train_test_split without shuffling, X[:, None]
        '''from sklearn.model_selection import train_test_split


def make_linear_data(weight, bias, start=0.0, end=1.0, step=0.01, train_fraction=0.8):
    X = torch.arange(start, end, step, dtype=torch.float32)[:, None]
    y = weight * X + bias
    X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=int(train_fraction * len(X)), shuffle=False)
    return X_train, y_train, X_test, y_test
''',
        # NumPy's arange, converted to float32
        '''import numpy as np


def make_linear_data(weight, bias, start=0.0, end=1.0, step=0.01, train_fraction=0.8):
    X = torch.from_numpy(np.arange(start, end, step)).float().view(-1, 1)
    y = (weight * X + bias).float()
    split = int(len(X) * train_fraction)
    return X[:split], y[:split], X[split:], y[split:]
''',
        # y row by row in a loop, the parts as tuples
        '''def make_linear_data(weight, bias, start=0.0, end=1.0, step=0.01, train_fraction=0.8):
    X = torch.arange(start, end, step).unsqueeze(-1)
    y = torch.stack([weight * x + bias for x in X])
    cut = int(train_fraction * X.shape[0])
    train, test = (X[:cut], y[:cut]), (X[cut:], y[cut:])
    return (*train, *test)
''',
    ],
    "ex02_answer": [
        # register_parameter, x * w + b
        '''class LinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_parameter("weight", nn.Parameter(torch.randn(1)))
        self.register_parameter("bias", nn.Parameter(torch.randn(1)))

    def forward(self, x):
        return x * self.weight + self.bias
''',
        # explicit dtype and requires_grad, the old-style super call, torch.addcmul
        '''class LinearRegressionModel(nn.Module):
    def __init__(self):
        super(LinearRegressionModel, self).__init__()
        self.weight = nn.Parameter(torch.randn(1, dtype=torch.float32), requires_grad=True)
        self.bias = nn.Parameter(torch.randn(size=(1,), requires_grad=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addcmul(self.bias, x, self.weight)
''',
        # the tensors first, then the parameters; torch.add
        '''class LinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        weight = torch.randn(1)
        bias = torch.randn(1)
        self.weight, self.bias = nn.Parameter(weight), nn.Parameter(bias)

    def forward(self, x):
        return torch.add(torch.mul(self.weight, x), self.bias)
''',
    ],
    "ex03_answer": [
        # torch.no_grad() for the test loss (notebook 01 shows it as valid), float(loss)
        '''def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {"epoch": [], "train_loss": [], "test_loss": []}
    for epoch in range(epochs):
        model.train()
        y_pred = model(X_train)
        loss = loss_fn(y_pred, y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % eval_every == 0:
            model.eval()
            with torch.no_grad():
                test_loss = loss_fn(model(X_test), y_test)
            history["epoch"].append(epoch)
            history["train_loss"].append(float(loss))
            history["test_loss"].append(float(test_loss))
    return history
''',
        # the test loss every epoch (as notebook 01 does), recorded every eval_every; model.zero_grad()
        '''def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    epochs_seen, train_losses, test_losses = [], [], []
    for epoch in range(epochs):
        model.train()
        loss = loss_fn(model(X_train), y_train)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.inference_mode():
            test_loss = loss_fn(model(X_test), y_test)
        if epoch % eval_every == 0:
            epochs_seen.append(epoch)
            train_losses.append(loss.item())
            test_losses.append(test_loss.item())
    return {"epoch": epochs_seen, "train_loss": train_losses, "test_loss": test_losses}
''',
        # an evaluation helper that switches back to train mode itself; model.to(device) and the data on device
        '''def evaluate(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        loss = loss_fn(model(X), y).item()
    model.train()
    return loss


def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
    model.to(device)
    X_train, y_train, X_test, y_test = X_train.to(device), y_train.to(device), X_test.to(device), y_test.to(device)
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(params=model.parameters(), lr=lr)
    history = {"epoch": [], "train_loss": [], "test_loss": []}
    model.train()
    for epoch in range(epochs):
        loss = loss_fn(model(X_train), y_train)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if epoch % eval_every == 0:
            history["epoch"].append(epoch)
            history["train_loss"].append(loss.item())
            history["test_loss"].append(evaluate(model, X_test, y_test, loss_fn))
    return history
''',
        # no_grad as a decorator of a nested function; zero_grad at the end of the epoch
        '''def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
    loss_fn = nn.L1Loss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    @torch.no_grad()
    def test_loss():
        model.eval()
        return loss_fn(model(X_test), y_test).item()

    history = {key: [] for key in ("epoch", "train_loss", "test_loss")}
    optimizer.zero_grad()
    for epoch in range(epochs):
        model.train()
        loss = loss_fn(model(X_train), y_train)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if not epoch % eval_every:
            history["epoch"].append(epoch)
            history["train_loss"].append(loss.item())
            history["test_loss"].append(test_loss())
    return history
''',
    ],
    "ex04_answer": [
        # torch.no_grad() instead of inference_mode
        '''def predict_on_cpu(model, X):
    model.eval()
    with torch.no_grad():
        predictions = model(X.to(next(model.parameters()).device))
    return predictions.cpu()
''',
        # the course's own helper
        '''from helpers.training import predict


def predict_on_cpu(model, X):
    return predict(model, X)
''',
        # remember the mode and restore it; the device from a loop over the parameters
        '''def predict_on_cpu(model, X):
    for parameter in model.parameters():
        model_device = parameter.device
        break
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return model(X.to(model_device)).cpu()
    finally:
        model.train(was_training)
''',
        # no_grad as a decorator, .detach() as well, to("cpu")
        '''@torch.no_grad()
def predict_on_cpu(model, X):
    model.eval()
    model_device = next(model.parameters()).device
    if X.device != model_device:
        X = X.to(model_device)
    return model(X).detach().to("cpu")
''',
    ],
    "ex05_answer": [
        # os.path and os.makedirs; load_state_dict of torch.load without map_location
        '''import os


def save_weights(model, folder, filename="model.pt"):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, filename)
    torch.save(model.state_dict(), path)
    return Path(path)


def load_weights(model, path):
    model.load_state_dict(torch.load(path, weights_only=True))
    return model
''',
        # Path.joinpath, a str path to torch.save; map_location="cpu", strict=True
        '''def save_weights(model, folder, filename="model.pt"):
    target = Path(folder).joinpath(filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), str(target))
    return target


def load_weights(model, path):
    state = torch.load(str(path), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model
''',
        # open file objects; a copy of the state dict on the CPU
        '''def save_weights(model, folder, filename="model.pt"):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    with open(path, "wb") as file:
        torch.save({key: value.cpu() for key, value in model.state_dict().items()}, file)
    return path


def load_weights(model, path):
    model_device = next(model.parameters()).device
    with open(path, "rb") as file:
        state_dict = torch.load(file, map_location=model_device, weights_only=True)
    model.load_state_dict(state_dict)
    return model
''',
    ],
    "ex06_answer": [
        # the old .data idiom (no no_grad needed)
        '''def sgd_step_by_hand(parameters, lr):
    for p in parameters:
        if p.grad is not None:
            p.data -= lr * p.grad
''',
        # no_grad as a decorator, a fused add_ with alpha
        '''@torch.no_grad()
def sgd_step_by_hand(parameters, lr):
    for p in parameters:
        if p.grad is None:
            continue
        p.add_(p.grad, alpha=-lr)
''',
        # sub_ per parameter, each under its own no_grad
        '''def sgd_step_by_hand(parameters, lr):
    for parameter in parameters:
        if parameter.grad is not None:
            with torch.no_grad():
                parameter.sub_(lr * parameter.grad)
''',
        # copy_ of the new values
        '''def sgd_step_by_hand(parameters, lr):
    with torch.no_grad():
        for p in [p for p in parameters if p.grad is not None]:
            p.copy_(p - lr * p.grad)
''',
    ],
    "ex07_answer": [
        # test_step under torch.no_grad(), float(loss)
        '''def train_step(model, X, y, loss_fn, optimizer):
    model_device = next(model.parameters()).device
    model.train()
    X, y = X.to(model_device), y.to(model_device)
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss)


def test_step(model, X, y, loss_fn):
    model_device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        loss = loss_fn(model(X.to(model_device)), y.to(model_device))
    return loss.item()
''',
        # zero_grad after the step; test_step restores the mode it found
        '''def train_step(model, X, y, loss_fn, optimizer):
    where = next(model.parameters()).device
    model.train()
    predictions = model(X.to(where))
    loss = loss_fn(predictions, y.to(where))
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return loss.item()


def test_step(model, X, y, loss_fn):
    where = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        loss = loss_fn(model(X.to(where)), y.to(where)).item()
    model.train(was_training)
    return loss
''',
        # no_grad as a decorator; zero_grad(set_to_none=True) first
        '''def train_step(model, X, y, loss_fn, optimizer):
    optimizer.zero_grad(set_to_none=True)
    model.train()
    model_device = next(model.parameters()).device
    loss = loss_fn(model(X.to(model_device)), y.to(model_device))
    loss.backward()
    optimizer.step()
    return loss.detach().item()


@torch.no_grad()
def test_step(model, X, y, loss_fn):
    model.eval()
    model_device = next(model.parameters()).device
    return loss_fn(model(X.to(model_device)), y.to(model_device)).item()
''',
    ],
}

WRONG = {
    "ex01_answer": [
        (("X = torch.arange(start, end, step).unsqueeze(dim=1)\n",
          "X = torch.arange(start, end, step).unsqueeze(dim=1)\n    X = X[torch.randperm(len(X))]\n"),
         "shuffled the points before splitting"),
        (("y = weight * X + bias", "y = 0.3 * X + 0.9"), "with the weight and bias passed in"),
        (("torch.arange(start, end, step).unsqueeze(dim=1)", "torch.arange(start, end, step)"),
         "make X a single column with .unsqueeze(dim=1)"),
    ],
    "ex02_answer": [
        (("nn.Parameter(torch.randn(1))\n        self.bias = nn.Parameter(torch.randn(1))",
          "torch.randn(1, requires_grad=True)\n        self.bias = torch.randn(1, requires_grad=True)"),
         "LinearRegressionModel has no learnable parameters"),
        (("        super().__init__()\n", ""), "call super().__init__() as the first line of __init__"),
        (("nn.Parameter(torch.randn(1))\n        self.bias = nn.Parameter(torch.randn(1))",
          "nn.Parameter(torch.rand(1))\n        self.bias = nn.Parameter(torch.rand(1))"),
         "[weight, bias] right after torch.manual_seed(42)"),
        (("return self.weight * x + self.bias", "return self.weight.item() * x + self.bias.item()"),
         "model(X) is not connected to the parameters"),
    ],
    "ex03_answer": [
        (("        optimizer.zero_grad()\n", ""), "The gradients piled up"),
        (("if epoch % eval_every == 0:", "if epoch / eval_every == 0:"), "is only true for epoch 0"),
        (("            model.eval()\n", ""), "call model.eval()"),
        (("loss_fn(model(X_test), y_test)", "loss_fn(model(X_train), y_train)"), "did not run the model on the data it was given"),
        (("        model.train()\n", ""), "call model.train()"),
        (('history["train_loss"].append(loss.item())', 'history["train_loss"].append(loss)'), "not Python floats"),
        # The checks' own reference loop, imported: it trains a line of its own, so the model handed in stays as it was.
        ('''from helpers.workflow_checks import _reference_history


def fit(model, X_train, y_train, X_test, y_test, epochs=300, lr=0.01, eval_every=20):
    return _reference_history((X_train, y_train, X_test, y_test), next(model.parameters()).device, epochs, lr, eval_every)
''', "fit did not change the model's parameters"),
    ],
    "ex04_answer": [
        (("    model.eval()\n", ""), "call model.eval()"),
        (("X.to(next(model.parameters()).device)", "X.to(device)"), "not on the model's own device"),
        (("    model.eval()\n", "    model.to(device)\n    model.eval()\n"), "moved the model"),
        ('''def predict_on_cpu(model, X):
    return (0.3 * X + 0.9).cpu()
''', "never called the model"),
    ],
    "ex05_answer": [
        (("torch.save(model.state_dict(), path)", "torch.save(model, path)"), "cannot be loaded with weights_only=True"),
        (("    folder.mkdir(parents=True, exist_ok=True)\n", ""), "create the folder first"),
        (("    model.load_state_dict(state_dict)\n    return model", "    return model.load_state_dict(state_dict)"),
         "did not return the model it was given"),
        (("torch.save(model.state_dict(), path)", "torch.save(model.state_dict(), filename)"), "wrote into the current folder"),
    ],
    "ex06_answer": [
        ('''def sgd_step_by_hand(parameters, lr):
    for p in parameters:
        if p.grad is not None:
            p -= lr * p.grad
''', "do the update inside `with torch.no_grad():`"),
        ('''def sgd_step_by_hand(parameters, lr):
    with torch.no_grad():
        for p in parameters:
            if p.grad is not None:
                p = p - lr * p.grad
''', "unchanged"),
        (("p -= lr * p.grad", "p -= lr * p.grad\n                p.grad.zero_()"), "changed weight.grad"),
        (("p -= lr * p.grad", "p += lr * p.grad"), "gradient descent goes against the gradient"),
    ],
    "ex07_answer": [
        (("    optimizer.zero_grad()\n", ""), "The gradients piled up"),
        (("    model.eval()\n", ""), "call model.eval()"),
        (("    model.train()\n", ""), "call model.train()"),
        (("model_device = next(model.parameters()).device\n    model.train()", "model_device = device\n    model.train()"),
         "not on the model's own device"),
        ('''from helpers import test_step, train_step
''', "is the course's helpers.train_step"),
        (("    optimizer.zero_grad()\n    loss.backward()\n    optimizer.step()",
          "    loss.backward()\n    optimizer.zero_grad()\n    optimizer.step()"),
         "One train_step did not change the parameters"),
        (("    return loss.item()\n", "    return loss\n"), "did not return a Python float"),
    ],
}
