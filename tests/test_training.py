"""train_step / test_step / predict and the save/load helpers leave the caller's model alone."""

import pytest
import torch
from torch import nn

from helpers import fit, load_model, match_binary_logits, model_device, predict, save_model, temporary_mode, test_step, train_step


def line_data(n: int = 50) -> tuple[torch.Tensor, torch.Tensor]:
    X = torch.arange(0, 1, 1 / n).unsqueeze(1)
    return X, 0.7 * X + 0.3


def make_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 1))


class SpyOnMode(nn.Module):
    """Records whether it was in training mode each time it ran."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.linear(x)


@pytest.mark.parametrize("start_in_training", [True, False])
def test_steps_run_in_the_right_mode_and_restore_the_callers(start_in_training):
    model = SpyOnMode().train(start_in_training)
    X, y = line_data()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train_step(model, X, y, nn.L1Loss(), optimizer)
    assert model.training is start_in_training
    test_step(model, X, y, nn.L1Loss())
    assert model.training is start_in_training
    predict(model, X)
    assert model.modes == [True, False, False]
    assert model.training is start_in_training


def test_train_step_returns_the_loss_before_the_update_and_improves_it():
    model, (X, y) = make_model(), line_data()
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with torch.no_grad():
        expected_before = loss_fn(model(X), y).item()
    loss = train_step(model, X, y, loss_fn, optimizer)
    assert isinstance(loss, float)
    assert loss == pytest.approx(expected_before)
    assert test_step(model, X, y, loss_fn) < loss


def test_train_step_matches_a_hand_written_step():
    X, y = line_data()
    ours, theirs = make_model(1), make_model(1)
    train_step(ours, X, y, nn.L1Loss(), torch.optim.SGD(ours.parameters(), lr=0.01))
    optimizer = torch.optim.SGD(theirs.parameters(), lr=0.01)
    loss = nn.L1Loss()(theirs(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for a, b in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(a, b)


def test_train_step_does_not_accumulate_gradients_across_calls():
    X, y = line_data()
    model = make_model(2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: parameters stay, only .grad changes
    train_step(model, X, y, nn.L1Loss(), optimizer)
    first = [p.grad.clone() for p in model.parameters()]
    train_step(model, X, y, nn.L1Loss(), optimizer)
    for grad, p in zip(first, model.parameters()):
        assert torch.equal(grad, p.grad)


def test_test_step_tracks_no_gradients_and_changes_no_parameters():
    model, (X, y) = make_model(), line_data()
    before = [p.clone() for p in model.parameters()]
    loss = test_step(model, X, y, nn.L1Loss())
    assert isinstance(loss, float)
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_predict_returns_a_cpu_tensor_without_history():
    model, (X, _) = make_model(), line_data()
    out = predict(model, X.requires_grad_())
    assert out.device.type == "cpu" and out.shape == (50, 1)
    assert not out.requires_grad and out.grad_fn is None


def test_data_moves_to_the_model_not_the_model_to_the_data(monkeypatch):
    model, (X, y) = make_model(), line_data()
    moved_to = []
    original_to = torch.Tensor.to

    def spy_to(self, *args, **kwargs):
        moved_to.append(args[0] if args else kwargs.get("device"))
        return original_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", spy_to)
    test_step(model, X, y, nn.L1Loss())
    assert moved_to and all(torch.device(d) == model_device(model) for d in moved_to)
    assert model_device(model).type == "cpu"


def test_model_device_of_a_parameterless_model_is_cpu():
    assert model_device(nn.ReLU()) == torch.device("cpu")


def test_temporary_mode_restores_even_after_an_error():
    model = nn.Dropout().train()
    with pytest.raises(RuntimeError):
        with temporary_mode(model, training=False):
            assert not model.training
            raise RuntimeError("boom")
    assert model.training


def test_save_and_load_round_trip_gives_identical_predictions(tmp_path):
    model, (X, _) = make_model(3), line_data()
    path = save_model(model, tmp_path / "models", "linear.pt")
    assert path == tmp_path / "models" / "linear.pt" and path.is_file()
    fresh = load_model(make_model(4), path)
    assert torch.equal(predict(fresh, X), predict(model, X))


@pytest.mark.parametrize("filename", ["model.pkl", "sub/model.pt", "model"])
def test_save_model_wants_a_plain_pt_filename(tmp_path, filename):
    with pytest.raises(ValueError, match=r"\.pt or \.pth"):
        save_model(make_model(), tmp_path, filename)


def test_load_model_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no saved model at"):
        load_model(make_model(), tmp_path / "nope.pt")


def test_load_model_refuses_a_different_architecture(tmp_path):
    path = save_model(make_model(), tmp_path, "one.pt")
    with pytest.raises(RuntimeError, match="Missing key|Unexpected key|size mismatch"):
        load_model(nn.Sequential(nn.Linear(1, 4), nn.Linear(4, 1)), path)


def blobs(n: int = 120, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Three well-separated clusters in 2-D, labels 0, 1, 2."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.tensor([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    y = torch.arange(n) % 3
    return centres[y] + 0.5 * torch.randn(n, 2, generator=generator), y


def test_fit_trains_a_multiclass_model_and_records_fractions():
    X, y = blobs()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    history = fit(model, X[:90], y[:90], X[90:], y[90:], nn.CrossEntropyLoss(), torch.optim.Adam(model.parameters(), lr=0.05), epochs=45, eval_every=10)
    assert history["epoch"] == [0, 10, 20, 30, 40, 45], "before training, every eval_every epochs, after the last one"
    assert set(history) == {"epoch", "train_loss", "test_loss", "train_acc", "test_acc"}
    assert all(isinstance(v, float) for values in history.values() for v in values if not isinstance(v, int))
    assert history["test_loss"][-1] < history["test_loss"][0]
    assert history["test_acc"][-1] == 1.0 and 0 <= min(history["train_acc"]) <= 1


def test_fit_squeezes_binary_logits_and_keeps_the_model_where_it_was():
    X, y = blobs()
    binary = (y == 2).float()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 1), nn.Dropout(0.2)).eval()
    history = fit(model, X, binary, X, binary, nn.BCEWithLogitsLoss(), torch.optim.SGD(model.parameters(), lr=0.5), epochs=30, eval_every=30)
    assert not model.training and model_device(model).type == "cpu"
    assert history["train_acc"] == history["test_acc"] and history["test_acc"][0] > 0.9


def test_fit_evaluates_both_sets_in_eval_mode(capsys):
    model = SpyOnMode()
    X, y = line_data()
    history = fit(model, X, y, X, y, nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, eval_every=1, classification=False, print_every=2)
    assert model.modes == [False, False, True, False, False, True, False, False]
    assert history["epoch"] == [0, 1, 2]
    assert history["train_loss"] == history["test_loss"] and "train_acc" not in history
    printed = capsys.readouterr().out.splitlines()
    assert [line[:10] for line in printed] == ["Epoch    0", "Epoch    2"]


def test_match_binary_logits_only_squeezes_a_single_logit_column():
    assert match_binary_logits(torch.zeros(5, 1), torch.zeros(5)).shape == (5,)
    assert match_binary_logits(torch.zeros(5, 1), torch.zeros(5, 1)).shape == (5, 1)
    assert match_binary_logits(torch.zeros(5, 3), torch.zeros(5)).shape == (5, 3)


def test_fit_measures_the_untrained_model_first():
    X, y = line_data()
    model = make_model(5)
    before = test_step(model, X, y, nn.L1Loss())
    history = fit(model, X, y, X, y, nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.1), epochs=5, classification=False)
    assert history["epoch"] == [0, 5]
    assert history["train_loss"][0] == pytest.approx(before)
    assert history["train_loss"][-1] < before


def test_steps_squeeze_binary_logits_to_match_the_labels():
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    X, y = torch.randn(8, 2), torch.tensor([0.0, 1.0] * 4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    expected = nn.BCEWithLogitsLoss()(model(X).squeeze(1), y).item()
    assert train_step(model, X, y, nn.BCEWithLogitsLoss(), optimizer) == pytest.approx(expected)
    assert isinstance(test_step(model, X, y, nn.BCEWithLogitsLoss()), float)


def digit_batches(n: int = 40, batch_size: int = 16, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    X, y = torch.randn(n, 1, 4, 4, generator=generator), torch.randint(0, 3, (n,), generator=generator)
    return [(X[i:i + batch_size], y[i:i + batch_size]) for i in range(0, n, batch_size)]


@pytest.mark.parametrize("start_in_training", [True, False])
def test_train_epoch_and_evaluate_restore_the_mode_and_weigh_batches_by_size(start_in_training):
    from helpers import evaluate, train_epoch

    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3)).train(start_in_training)
    batches = digit_batches()  # 16 + 16 + 8 samples
    expected = sum(nn.CrossEntropyLoss(reduction="sum")(model(X), y).item() for X, y in batches) / 40
    result = evaluate(model, batches, nn.CrossEntropyLoss())
    assert model.training is start_in_training
    assert result["samples"] == 40 and result["loss"] == pytest.approx(expected)
    labels = torch.cat([model(X).argmax(1) == y for X, y in batches])
    assert result["accuracy"] == pytest.approx(labels.float().mean().item())

    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = [train_epoch(model, batches, nn.CrossEntropyLoss(), optimizer)["loss"] for _ in range(30)]
    assert model.training is start_in_training
    assert losses[-1] < losses[0]
    assert evaluate(model, batches)["loss"] != evaluate(model, batches)["loss"]  # nan without a loss_fn


def test_evaluate_of_nothing_says_so():
    from helpers import evaluate

    with pytest.raises(ValueError, match="yielded nothing"):
        evaluate(nn.Linear(2, 2), [])
