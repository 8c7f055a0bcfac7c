"""Answers a class writes for assignment 02_pytorch_classification: correct ones in other styles, and wrong ones (see answers/__init__.py)."""

ASSIGNMENT = "02_pytorch_classification"

CORRECT = {
    "ex01_answer": [
        # Split the NumPy arrays first, convert afterwards.
        "def moons_to_tensors(n_samples=1000, noise=0.1, random_state=42, test_size=0.2):\n"
        "    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=random_state)\n"
        "    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=random_state)\n"
        "    return tuple(torch.tensor(part, dtype=torch.float32) for part in (X_train, X_test, y_train, y_test))\n",
        # torch.as_tensor + .float(), returned as a list.
        "def moons_to_tensors(n_samples=1000, noise=0.1, random_state=42, test_size=0.2):\n"
        "    X, y = make_moons(n_samples, noise=noise, random_state=random_state)\n"
        "    X, y = torch.as_tensor(X).float(), torch.as_tensor(y).float()\n"
        "    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=random_state)\n"
        "    return [X_train, X_test, y_train, y_test]\n",
        # NumPy's astype, then torch.from_numpy; shuffle spelled out.
        "import numpy as np\n\n\n"
        "def moons_to_tensors(n_samples=1000, noise=0.1, random_state=42, test_size=0.2):\n"
        "    features, labels = make_moons(n_samples, noise=noise, random_state=random_state)\n"
        "    features = torch.from_numpy(features.astype(np.float32))\n"
        "    labels = torch.from_numpy(labels.astype(np.float32))\n"
        "    return train_test_split(features, labels, test_size=test_size, random_state=random_state, shuffle=True)\n",
    ],
    "ex02_answer": [
        # One hidden layer with nn.Tanh (its logits often stay between -1 and 1).
        "class MoonModel(nn.Module):\n"
        "    def __init__(self, in_features=2, hidden_units=16, out_features=1):\n"
        "        super().__init__()\n"
        "        self.hidden = nn.Linear(in_features, hidden_units)\n"
        "        self.activation = nn.Tanh()\n"
        "        self.output = nn.Linear(hidden_units, out_features)\n\n"
        "    def forward(self, x):\n"
        "        return self.output(self.activation(self.hidden(x)))\n",
        # nn.Sigmoid between the layers (not after the last one).
        ("nn.ReLU(),\n            nn.Linear(hidden_units, hidden_units),\n            nn.ReLU(),",
         "nn.Sigmoid(),\n            nn.Linear(hidden_units, hidden_units),\n            nn.Sigmoid(),"),
        # Functional activations in forward.
        "import torch.nn.functional as F\n\n\n"
        "class MoonModel(nn.Module):\n"
        "    def __init__(self, in_features=2, hidden_units=16, out_features=1):\n"
        "        super().__init__()\n"
        "        self.layer_1 = nn.Linear(in_features, hidden_units)\n"
        "        self.layer_2 = nn.Linear(hidden_units, hidden_units)\n"
        "        self.layer_3 = nn.Linear(hidden_units, out_features)\n\n"
        "    def forward(self, x):\n"
        "        return self.layer_3(F.leaky_relu(self.layer_2(torch.relu(self.layer_1(x)))))\n",
        # A deeper stack with nn.GELU, built in a loop.
        "class MoonModel(nn.Module):\n"
        "    def __init__(self, in_features=2, hidden_units=16, out_features=1):\n"
        "        super().__init__()\n"
        "        layers = [nn.Linear(in_features, hidden_units), nn.GELU()]\n"
        "        for _ in range(2):\n"
        "            layers += [nn.Linear(hidden_units, hidden_units), nn.GELU()]\n"
        "        layers.append(nn.Linear(hidden_units, out_features))\n"
        "        self.net = nn.Sequential(*layers)\n\n"
        "    def forward(self, x):\n"
        "        return self.net(x)\n",
    ],
    "ex03_answer": [
        "def make_loss_and_optimizer(model, lr=0.1):\n"
        "    return nn.BCEWithLogitsLoss(), torch.optim.Adam(model.parameters(), lr=lr)\n",
        "def make_loss_and_optimizer(model, lr=0.1):\n"
        "    loss_fn = nn.BCEWithLogitsLoss(reduction='mean')\n"
        "    optimizer = torch.optim.SGD(params=model.parameters(), lr=lr, momentum=0.9)\n"
        "    return loss_fn, optimizer\n",
        "def make_loss_and_optimizer(model, lr=0.1):\n"
        "    return [nn.BCEWithLogitsLoss(), torch.optim.AdamW(list(model.parameters()), lr=lr, weight_decay=1e-4)]\n",
    ],
    "ex04_answer": [
        # SGD with momentum, nn.Tanh, more epochs; the labels unsqueezed instead of the logits squeezed.
        "def train_moon_classifier(X_train, y_train):\n"
        "    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))\n"
        "    loss_fn = nn.BCEWithLogitsLoss()\n"
        "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
        "    for epoch in range(500):\n"
        "        loss = loss_fn(model(X_train), y_train.unsqueeze(1))\n"
        "        optimizer.zero_grad()\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "    return model\n",
        # A subclass whose forward returns (n,) logits; the functional loss.
        "import torch.nn.functional as F\n\n\n"
        "class MoonNet(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.body = nn.Sequential(nn.Linear(2, 16), nn.GELU(), nn.Linear(16, 16), nn.GELU())\n"
        "        self.head = nn.Linear(16, 1)\n\n"
        "    def forward(self, x):\n"
        "        return self.head(self.body(x)).squeeze(1)\n\n\n"
        "def train_moon_classifier(X_train, y_train):\n"
        "    model = MoonNet()\n"
        "    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)\n"
        "    model.train()\n"
        "    for epoch in range(400):\n"
        "        loss = F.binary_cross_entropy_with_logits(model(X_train), y_train)\n"
        "        optimizer.zero_grad()\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "    model.eval()\n"
        "    return model\n",
        # One wide hidden layer with nn.LeakyReLU, AdamW, on the device.
        "def train_moon_classifier(X_train, y_train):\n"
        "    model = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.1), nn.Linear(64, 1)).to(device)\n"
        "    X, y = X_train.to(device), y_train.to(device).reshape(-1, 1)\n"
        "    loss_fn = nn.BCEWithLogitsLoss()\n"
        "    optimizer = torch.optim.AdamW(model.parameters(), lr=0.02)\n"
        "    for _ in range(600):\n"
        "        optimizer.zero_grad()\n"
        "        loss_fn(model(X), y).backward()\n"
        "        optimizer.step()\n"
        "    return model\n",
    ],
    "ex05_answer": [
        # meshgrid 'ij' transposed, torch.no_grad, sigmoid >= 0.5, mode restored with an if.
        "def decision_grid(model, X, steps=101):\n"
        "    X = X.cpu()\n"
        "    xs = torch.linspace(X[:, 0].min(), X[:, 0].max(), steps)\n"
        "    ys = torch.linspace(X[:, 1].min(), X[:, 1].max(), steps)\n"
        "    xx, yy = torch.meshgrid(xs, ys, indexing='ij')\n"
        "    xx, yy = xx.T, yy.T\n"
        "    grid = torch.column_stack([xx.reshape(-1), yy.reshape(-1)])\n"
        "    was_training = model.training\n"
        "    model.eval()\n"
        "    with torch.no_grad():\n"
        "        logits = model(grid.to(next(model.parameters()).device)).cpu()\n"
        "    if was_training:\n"
        "        model.train()\n"
        "    if logits.shape[1] == 1:\n"
        "        labels = (torch.sigmoid(logits[:, 0]) >= 0.5).long()\n"
        "    else:\n"
        "        labels = logits.argmax(dim=1)\n"
        "    return xx, yy, labels.reshape(steps, steps)\n",
        # torch.cartesian_prod for the points, the course's logits_to_labels, try/finally for the mode.
        "from helpers.metrics import logits_to_labels as to_labels\n\n\n"
        "def decision_grid(model, X, steps=101):\n"
        "    lows, highs = X.detach().min(dim=0).values.cpu(), X.detach().max(dim=0).values.cpu()\n"
        "    xs = torch.linspace(lows[0].item(), highs[0].item(), steps)\n"
        "    ys = torch.linspace(lows[1].item(), highs[1].item(), steps)\n"
        "    xx, yy = torch.meshgrid(xs, ys, indexing='xy')\n"
        "    points = torch.cartesian_prod(ys, xs).flip(1)\n"
        "    mode = model.training\n"
        "    try:\n"
        "        model.eval()\n"
        "        with torch.inference_mode():\n"
        "            labels = to_labels(model(points.to(next(model.parameters()).device))).cpu()\n"
        "    finally:\n"
        "        model.train(mode)\n"
        "    return xx, yy, labels.view(steps, steps)\n",
        # NumPy's linspace for the axes, back to torch for the model.
        "import numpy as np\n\n\n"
        "def decision_grid(model, X, steps=101):\n"
        "    data = X.detach().cpu().numpy()\n"
        "    xs = torch.from_numpy(np.linspace(data[:, 0].min(), data[:, 0].max(), steps)).float()\n"
        "    ys = torch.from_numpy(np.linspace(data[:, 1].min(), data[:, 1].max(), steps)).float()\n"
        "    xx, yy = torch.meshgrid(xs, ys, indexing='xy')\n"
        "    param_device = next(model.parameters()).device\n"
        "    training = model.training\n"
        "    model.eval()\n"
        "    with torch.inference_mode():\n"
        "        out = model(torch.stack((xx.flatten(), yy.flatten()), dim=-1).to(param_device)).cpu()\n"
        "    model.train(training)\n"
        "    labels = out.argmax(dim=-1) if out.shape[-1] > 1 else (out.squeeze(-1) >= 0).to(torch.long)\n"
        "    return xx, yy, labels.reshape(xx.shape)\n",
    ],
    "ex06_answer": [
        # Two branches with torch.where.
        "def tanh(x):\n"
        "    e = torch.exp(-2 * torch.abs(x))\n"
        "    positive = (1 - e) / (1 + e)\n"
        "    return torch.where(x < 0, -positive, positive)\n",
        # Clamp first: tanh(20) is 1.0 in float32 and float64 alike.
        "def tanh(x):\n"
        "    x = x.clamp(-20, 20)\n"
        "    up, down = torch.exp(x), torch.exp(-x)\n"
        "    return (up - down) / (up + down)\n",
        # From the sigmoid: tanh(x) = 2 * sigmoid(2x) - 1.
        "def tanh(x):\n"
        "    return 2 * torch.sigmoid(2 * x) - 1\n",
        # expm1, exact for tiny inputs.
        "def tanh(x):\n"
        "    e = torch.expm1(-2 * x.abs())\n"
        "    return -torch.sign(x) * e / (e + 2)\n",
    ],
    "ex07_answer": [
        # logsumexp: exp(logits - log(sum(exp(logits)))).
        "def softmax(logits, dim=-1):\n"
        "    return torch.exp(logits - torch.logsumexp(logits, dim=dim, keepdim=True))\n",
        # torch.amax and Tensor methods.
        "def softmax(logits, dim=-1):\n"
        "    e = (logits - torch.amax(logits, dim=dim, keepdim=True)).exp()\n"
        "    return e / torch.sum(e, dim, keepdim=True)\n",
        # The log-sum-exp written out.
        "def softmax(logits, dim=-1):\n"
        "    top = logits.max(dim, keepdim=True)[0]\n"
        "    log_total = top + torch.log(torch.exp(logits - top).sum(dim, keepdim=True))\n"
        "    return torch.exp(logits - log_total)\n",
        # Move the dimension last, work on the last one, move it back.
        "def softmax(logits, dim=-1):\n"
        "    moved = logits.movedim(dim, -1)\n"
        "    e = torch.exp(moved - moved.max(dim=-1, keepdim=True).values)\n"
        "    return (e / e.sum(dim=-1, keepdim=True)).movedim(-1, dim)\n",
    ],
    "ex08_answer": [
        # The shapes as torch.Size.
        "def accuracy_fn(y_true, y_pred):\n"
        "    if y_true.shape != y_pred.shape:\n"
        "        raise ValueError(f'shapes differ: {y_true.shape} vs {y_pred.shape}')\n"
        "    return (y_true == y_pred).float().mean().item()\n",
        # The shapes as lists; torch.eq and a count.
        "def accuracy_fn(y_true, y_pred):\n"
        "    if y_true.shape != y_pred.shape:\n"
        "        raise ValueError(f'shape mismatch: y_true {list(y_true.shape)}, y_pred {list(y_pred.shape)}')\n"
        "    return torch.eq(y_true, y_pred).sum().item() / len(y_true)\n",
        # NumPy.
        "def accuracy_fn(y_true, y_pred):\n"
        "    a, b = y_true.cpu().numpy(), y_pred.cpu().numpy()\n"
        "    if a.shape != b.shape:\n"
        "        raise ValueError(f'{a.shape} != {b.shape}')\n"
        "    return float((a == b).mean())\n",
        # Plain Python over .tolist().
        "def accuracy_fn(y_true, y_pred):\n"
        "    if tuple(y_true.shape) != tuple(y_pred.shape):\n"
        "        raise ValueError(f'y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}')\n"
        "    correct = sum(1 for a, b in zip(y_true.tolist(), y_pred.tolist()) if a == b)\n"
        "    return correct / len(y_true)\n",
    ],
    "ex09_answer": [
        "def logits_to_labels(logits):\n"
        "    if logits.ndim == 1 or logits.shape[1] == 1:\n"
        "        return (logits.reshape(-1) >= 0).long()\n"
        "    return torch.argmax(logits, dim=1)\n",
        "def logits_to_labels(logits):\n"
        "    if logits.dim() == 2 and logits.size(1) >= 2:\n"
        "        return torch.softmax(logits, dim=1).argmax(dim=1)\n"
        "    return torch.where(torch.sigmoid(logits.flatten()) >= 0.5, 1, 0)\n",
        "def logits_to_labels(logits):\n"
        "    if logits.ndim == 2 and logits.shape[-1] > 1:\n"
        "        return torch.max(logits, dim=1).indices\n"
        "    return logits.view(-1).ge(0).to(torch.long)\n",
    ],
    "ex10_answer": [
        # A subclass, one wide nn.Tanh layer and a ReLU one, SGD with momentum.
        "class SpiralNet(nn.Module):\n"
        "    def __init__(self, hidden=64):\n"
        "        super().__init__()\n"
        "        self.layer_1 = nn.Linear(2, hidden)\n"
        "        self.layer_2 = nn.Linear(hidden, hidden)\n"
        "        self.out = nn.Linear(hidden, 3)\n\n"
        "    def forward(self, x):\n"
        "        return self.out(torch.relu(self.layer_2(torch.tanh(self.layer_1(x)))))\n\n\n"
        "def train_spiral_classifier(X_train, y_train):\n"
        "    model = SpiralNet()\n"
        "    loss_fn = nn.CrossEntropyLoss()\n"
        "    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n"
        "    for epoch in range(1000):\n"
        "        optimizer.zero_grad()\n"
        "        loss = loss_fn(model(X_train), y_train)\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "    return model\n",
        # nn.functional.cross_entropy, nn.GELU, labels made long explicitly.
        "import torch.nn.functional as F\n\n\n"
        "def train_spiral_classifier(X_train, y_train):\n"
        "    model = nn.Sequential(nn.Linear(2, 96), nn.GELU(), nn.Linear(96, 48), nn.GELU(), nn.Linear(48, 3))\n"
        "    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)\n"
        "    labels = y_train.long()\n"
        "    for _ in range(700):\n"
        "        loss = F.cross_entropy(model(X_train), labels)\n"
        "        optimizer.zero_grad()\n"
        "        loss.backward()\n"
        "        optimizer.step()\n"
        "    return model.eval()\n",
        # Three narrower nn.LeakyReLU layers, AdamW, on the device.
        "def train_spiral_classifier(X_train, y_train):\n"
        "    model = nn.Sequential(\n"
        "        nn.Linear(2, 32), nn.LeakyReLU(),\n"
        "        nn.Linear(32, 32), nn.LeakyReLU(),\n"
        "        nn.Linear(32, 32), nn.LeakyReLU(),\n"
        "        nn.Linear(32, 3),\n"
        "    ).to(device)\n"
        "    X, y = X_train.to(device), y_train.to(device)\n"
        "    loss_fn = nn.CrossEntropyLoss()\n"
        "    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=1e-4)\n"
        "    for _ in range(1200):\n"
        "        optimizer.zero_grad()\n"
        "        loss_fn(model(X), y).backward()\n"
        "        optimizer.step()\n"
        "    return model\n",
    ],
}

WRONG = {
    "ex01_answer": [
        (("X = torch.from_numpy(X).type(torch.float32)\n", "X = torch.from_numpy(X)\n"), "has the wrong dtype"),
        (("y = torch.from_numpy(y).type(torch.float32)\n", "y = torch.from_numpy(y)\n"),
         "nn.BCEWithLogitsLoss compares labels with float logits"),
        (("return train_test_split(X, y, test_size=test_size, random_state=random_state)",
          "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=random_state)\n"
          "    return X_train, y_train, X_test, y_test"), "returned the four parts in another order"),
        # random_state fixed at 42 instead of passed on: only the hidden tests with other seeds see it.
        (("random_state=random_state)\n    X = ", "random_state=42)\n    X = "), "has the wrong values"),
    ],
    "ex02_answer": [
        (("nn.ReLU(),\n            nn.Linear(hidden_units, hidden_units),\n            nn.ReLU(),",
          "nn.Linear(hidden_units, hidden_units),"), "is a straight line"),
        (("return self.layers(x)", "return torch.sigmoid(self.layers(x))"), "returns probabilities, not logits"),
        (("nn.Linear(hidden_units, out_features),\n", "nn.Linear(hidden_units, out_features),\n            nn.ReLU(),\n"),
         "never returns negative logits"),
        ("class MoonModel(nn.Module):\n"
         "    def __init__(self, in_features=2, hidden_units=16, out_features=1):\n"
         "        super().__init__()\n"
         "        self.layers = nn.Sequential(nn.Linear(in_features, 16), nn.ReLU(), nn.Linear(16, out_features))\n\n"
         "    def forward(self, x):\n"
         "        return self.layers(x)\n", "no hidden layer with hidden_units=8"),
    ],
    "ex03_answer": [
        (("nn.BCEWithLogitsLoss()", "nn.BCELoss()"), "nn.BCELoss takes probabilities"),
        (("nn.BCEWithLogitsLoss()", "nn.CrossEntropyLoss()"), "nn.CrossEntropyLoss is for multiclass models"),
        (("lr=lr", "lr=0.1"), "the learning rate of the optimizer"),
        (("model.parameters()", "list(model.parameters())[-2:]"), "does not update every parameter"),
    ],
    "ex04_answer": [
        (("model(X_train).squeeze(1)", "model(X_train)"), "unsqueezed logits"),
        (("nn.Linear(16, 1),\n    ).to(device)", "nn.Linear(16, 1),\n        nn.Sigmoid(),\n    ).to(device)"),
         "outputs probabilities, not logits"),
        # Trains on the notebook's moons, whatever it is given.
        (("X_train, y_train = X_train.to(device), y_train.to(device)",
          "X_train, y_train = X_moons_train.to(device), y_moons_train.to(device)"), "it learned those instead"),
        # No activation: one straight line.
        (("nn.Linear(2, 16),\n        nn.ReLU(),\n        nn.Linear(16, 16),\n        nn.ReLU(),",
          "nn.Linear(2, 16),\n        nn.Linear(16, 16),"), "not accurate enough on the test set"),
    ],
    "ex05_answer": [
        # Always back to training mode, whatever mode the model was in.
        (("model.train(was_training)", "model.train()"), "did not leave the model in the mode it was in"),
        (("    model.eval()\n", ""), "ran the model in training mode"),
        (('indexing="xy"', 'indexing="ij"'), "xx from decision_grid(model, X, steps=101) has the wrong values"),
        (("was_training = model.training\n", "was_training = model.training\n    model.cpu()\n"), "decision_grid moved the model"),
    ],
    "ex06_answer": [
        ("def tanh(x):\n    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))\n",
         "gives nan or inf for large inputs"),
        ("def tanh(x):\n    return torch.tanh(x)\n", "called torch.tanh, which this exercise asks you to write yourself"),
        ("def tanh(x):\n    return x.tanh()\n", "called torch.Tensor.tanh, which this exercise asks you to write yourself"),
        (("torch.exp(-2 * x.abs())", "torch.exp(-2 * x.abs_())"), "after tanh("),
    ],
    "ex07_answer": [
        ("def softmax(logits, dim=-1):\n"
         "    exps = torch.exp(logits - logits.max(dim=0, keepdim=True).values)\n"
         "    return exps / exps.sum(dim=0, keepdim=True)\n", "normalises over the wrong dimension"),
        ("def softmax(logits, dim=-1):\n"
         "    exps = torch.exp(logits)\n"
         "    return exps / exps.sum(dim=dim, keepdim=True)\n", "the exponentials overflowed"),
        ("def softmax(logits, dim=-1):\n    return torch.softmax(logits, dim=dim)\n",
         "called torch.softmax, which this exercise asks you to write yourself"),
        ("def softmax(logits, dim=-1):\n"
         "    logits -= logits.max(dim=dim, keepdim=True).values\n"
         "    exps = torch.exp(logits)\n"
         "    return exps / exps.sum(dim=dim, keepdim=True)\n", "after softmax("),
    ],
    "ex08_answer": [
        ("def accuracy_fn(y_true, y_pred):\n    return (y_true == y_pred).float().mean().item()\n",
         "the unsqueezed-predictions bug"),
        (("return (y_true == y_pred).float().mean().item()", "return 100 * (y_true == y_pred).float().mean().item()"),
         "returned a percentage"),
        (("return (y_true == y_pred).float().mean().item()", "return (y_true == y_pred).float().mean()"),
         "did not return a Python float"),
        (('raise ValueError(f"y_true has shape {tuple(y_true.shape)} but y_pred has shape {tuple(y_pred.shape)}")',
          'raise ValueError("the shapes differ")'), "does not name both shapes"),
    ],
    "ex09_answer": [
        # torch.round rounds a probability of exactly 0.5 (a logit of 0) down to class 0.
        ("def logits_to_labels(logits):\n"
         "    if logits.ndim == 2 and logits.shape[1] > 1:\n"
         "        return logits.argmax(dim=1)\n"
         "    return torch.round(torch.sigmoid(logits)).long().reshape(-1)\n", "a logit of exactly 0"),
        (("return (torch.sigmoid(logits.reshape(-1)) >= 0.5).long()", "return (logits.reshape(-1) > 0).long()"),
         "a logit of exactly 0"),
        (("logits.argmax(dim=1)", "logits.argmax(dim=0)"), "took the argmax over dim=0"),
        (("return (torch.sigmoid(logits.reshape(-1)) >= 0.5).long()", "return torch.round(logits.reshape(-1)).long()"),
         "gives labels other than 0 and 1"),
        (("if logits.ndim == 2 and logits.shape[1] > 1:", "if logits.ndim == 2:"), "predicts class 0 everywhere"),
        ("from helpers import logits_to_labels\n", "the course's own helpers.logits_to_labels"),
    ],
    "ex10_answer": [
        (("loss_fn(model(X_train), y_train)", "loss_fn(model(X_train), y_train.float())"),
         "float labels given to CrossEntropyLoss"),
        (("nn.Linear(64, 3),\n", "nn.Linear(64, 3),\n        nn.Softmax(dim=1),\n"), "ends with a softmax"),
        (("X_train, y_train = X_train.to(device), y_train.to(device)",
          "X_train, y_train = X_spiral_train.to(device), y_spiral_train.to(device)"), "it learned those instead"),
        (("range(1000)", "range(30)"), "not accurate enough on the test set"),
    ],
}
