"""Unit tests for device selection, seeding, timing, error demos and recorded results."""

import random

import numpy as np
import pytest
import torch

from helpers import Timer, get_device, record, set_seed, show_error
from helpers.errors import NO_ERROR_MESSAGE
from helpers.timing import format_seconds


def test_get_device_matches_what_torch_reports(monkeypatch):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert get_device() == expected
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert get_device() == "cpu"
    assert get_device(allow_mps=True) == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device(allow_mps=True) == "cuda"


def test_set_seed_replays_python_numpy_and_torch_draws():
    def draw():
        return random.random(), float(np.random.rand()), torch.rand(3).tolist()

    set_seed(123)
    first = draw()
    set_seed(123)
    assert draw() == first
    set_seed(124)
    assert draw() != first


def test_set_seed_seeds_every_gpu(monkeypatch):
    seen = []
    monkeypatch.setattr(torch.cuda, "manual_seed_all", seen.append)
    set_seed(7)
    assert seen and set(seen) == {7}


def test_timer_measures_and_prints(capsys):
    with Timer("sleepy") as timer:
        sum(range(10_000))
    assert 0 < timer.seconds < 5
    assert capsys.readouterr().out.startswith("sleepy: ")


def test_timer_is_silent_without_label(capsys):
    with Timer() as timer:
        pass
    assert timer.seconds >= 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("seconds", "text"), [(2e-6, "2.0 µs"), (0.0123, "12.3 ms"), (3.456, "3.46 s")]
)
def test_format_seconds_picks_a_readable_unit(seconds, text):
    assert format_seconds(seconds) == text


def test_show_error_prints_pytorchs_own_message_and_continues(capsys):
    with show_error(RuntimeError, hint="transpose one side with .T") as caught:
        torch.ones(3, 2) @ torch.ones(3, 2)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x2 and 3x2)"
    assert "Fix: transpose one side with .T" in out
    assert isinstance(caught.exception, RuntimeError)


def test_show_error_lets_unexpected_exceptions_through():
    with pytest.raises(KeyError):
        with show_error(RuntimeError):
            {}["missing"]


def test_show_error_says_so_when_nothing_was_raised(capsys):
    with show_error(RuntimeError) as caught:
        torch.ones(2) + torch.ones(2)
    assert caught.exception is None
    assert NO_ERROR_MESSAGE in capsys.readouterr().out


def test_show_error_shows_the_int_mean_error(capsys):
    with show_error(RuntimeError):
        torch.arange(5).mean()
    assert "Long" in capsys.readouterr().out


def test_record_prints_outside_jupyter(capsys):
    record("accuracy", torch.tensor(0.98765, dtype=torch.float64))
    record("answer", np.int64(58))
    assert capsys.readouterr().out.splitlines() == ["accuracy = 0.9877", "answer = 58"]
