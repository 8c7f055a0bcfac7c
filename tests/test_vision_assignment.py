"""Chapter 03's assignment accepts correct answers in other styles and names the classic mistakes.

Each case runs an answer from the answer bank (``tests/answers/a03_computer_vision.py``), then the solution
notebook's own test cell for that exercise (read with nbformat, hidden tests included), in-process, after
the notebook's read-only cells. (``tests/test_fairness.py`` grades a part of the same bank for real.) ``DATA_DIR``
points at a small fake MNIST whose digits are bright squares, one place per class, so exercise 5
can be answered by a hand-made model: nothing here trains.
"""

import os
import re

import matplotlib
import nbformat
import numpy as np
import pytest

from answers.a03_computer_vision import ALTERNATIVES, MISTAKES, MORE_ALTERNATIVES
from conftest import ROOT
from helpers.checks import CheckError
from helpers.course import hygiene
from helpers.vision import RAW_FILES, raw_folder, write_idx

matplotlib.use("Agg")

ASSIGNMENT = "03_pytorch_computer_vision"
NOTEBOOK = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}_exercises.ipynb"
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$\n?", re.M)


def square_corner(label: int) -> tuple[int, int]:
    """Where the bright 4x4 square of a fake digit of class ``label`` starts."""
    return 2 + 12 * (label // 5), 2 + 5 * (label % 5)


def write_square_digits(root, train: int = 400, test: int = 100, seed: int = 0) -> None:
    """A fake MNIST in torchvision's layout: dim noise (at most 0.2) and a bright square whose place is the label."""
    rng = np.random.default_rng(seed)
    for split, count in (("train", train), ("test", test)):
        labels = rng.permutation(np.arange(count) % 10).astype(np.uint8)
        images = (rng.random((count, 28, 28)) * 0.2 * 255).astype(np.uint8)
        for image, label in zip(images, labels):
            row, column = square_corner(int(label))
            image[row:row + 4, column:column + 4] = 255
        images_name, labels_name = RAW_FILES[split]
        write_idx(raw_folder(root) / images_name, images)
        write_idx(raw_folder(root) / labels_name, labels)


@pytest.fixture(scope="module")
def cells() -> dict[str, str]:
    """The solution notebook's code cells by grade id."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return {hygiene.nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if c.cell_type == "code"}


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread, as each graded kernel has: tiny models run slower on more threads of a busy machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def notebook_namespace(cells, tmp_path_factory, one_thread) -> dict:
    """The namespace after every read-only cell, with COURSE_DATA_DIR set to the fake digits (as the grader sets it)."""
    data = tmp_path_factory.mktemp("square_digits")
    write_square_digits(data)
    saved = os.environ.get("COURSE_DATA_DIR")
    os.environ["COURSE_DATA_DIR"] = str(data)
    try:
        namespace: dict = {}
        nb = nbformat.read(NOTEBOOK, as_version=4)
        for cell in nb.cells:
            meta = hygiene.nbgrader_meta(cell)
            if cell.cell_type == "code" and not meta.get("solution") and not hygiene.is_test_cell(cell):
                exec(compile(cell.source, meta["grade_id"], "exec"), namespace)
    finally:
        if saved is None:
            os.environ.pop("COURSE_DATA_DIR")
        else:
            os.environ["COURSE_DATA_DIR"] = saved
    assert namespace["DATA_DIR"] == str(data)
    return namespace


def run_exercise(namespace: dict, cells: dict[str, str], number: int, answer: str) -> str:
    """Run ``answer`` and then exercise ``number``'s test cell in a copy of the namespace; return what the cell printed last."""
    import contextlib
    import io

    import matplotlib.pyplot as plt

    scope = dict(namespace)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(answer, f"answer {number}", "exec"), scope)
            exec(compile(cells[f"ex{number:02d}_test"], f"test {number}", "exec"), scope)
    finally:
        plt.close("all")
    return printed.getvalue().strip().splitlines()[-1]


def solution_answer(cells: dict[str, str], number: int) -> str:
    return SOLUTION_MARKERS.sub("", cells[f"ex{number:02d}_answer"])


# --- correct answers: the reference, and at least one in another style per exercise -------------------

@pytest.mark.parametrize("number", [1, 2, 3, 4, 6, 7, 8, 9, 10])
def test_the_reference_answer_passes(notebook_namespace, cells, number):
    """(Exercise 5's reference trains a model: the grading and notebook tests run it.)"""
    assert run_exercise(notebook_namespace, cells, number, solution_answer(cells, number)) == f"✓ Exercise {number}: all checks passed"


@pytest.mark.parametrize(("number", "answer"), [*ALTERNATIVES.items(), *MORE_ALTERNATIVES],
                         ids=[f"ex{n:02d}" for n in [*ALTERNATIVES, *(n for n, _ in MORE_ALTERNATIVES)]])
def test_a_correct_answer_in_another_style_passes(notebook_namespace, cells, number, answer):
    assert run_exercise(notebook_namespace, cells, number, answer) == f"✓ Exercise {number}: all checks passed"


def test_every_exercise_has_an_alternative(cells):
    answers = {int(gid[2:4]) for gid in cells if gid.endswith("_answer")}
    assert answers == set(ALTERNATIVES) and len(answers) >= 8


# --- classic mistakes: each fails with a message that names it ------------------------------------------

def mistaken_answer(cells: dict[str, str], number: int, change: tuple[str, str] | str) -> str:
    if isinstance(change, str):
        return change
    old, new = change
    answer = cells[f"ex{number:02d}_answer"]
    assert old in answer, f"the answer of exercise {number} no longer contains {old!r}"
    return SOLUTION_MARKERS.sub("", answer.replace(old, new, 1))


@pytest.mark.parametrize(("number", "change", "named"), MISTAKES, ids=[f"ex{m[0]:02d}-{m[2]}" for m in MISTAKES])
def test_a_classic_mistake_fails_with_a_message_that_names_it(notebook_namespace, cells, number, change, named):
    with pytest.raises(CheckError) as info:
        run_exercise(notebook_namespace, cells, number, mistaken_answer(cells, number, change))
    message = str(info.value)
    assert named in message.splitlines()[0], message
    assert re.search(r"^  expected: .+\n  got:      .+\nHint: .+", message, re.M), f"not in the three parts:\n{message}"
