"""Small, fast tests of the course tools: project settings, report tables, student ids, shards, scoring."""

import re

import nbformat
import pytest

from conftest import ROOT
from helpers.course.executor import ANSWER, TEST, CellRun, Execution, PlannedCell
from helpers.course.grading import GradingError, discover, shard_of, student_id_problem
from helpers.course.outcomes import FAILED, NOT_COUNTED, NOT_RUN, PASSED
from helpers.course.submission import score
from helpers.course.project import find_root, load_project
from helpers.course.report import format_points, format_results, table


def test_project_reads_the_one_configured_repository(project):
    assert project.repository == "https://github.com/pytorch-course/pytorch-course"
    assert project.branch == "main"
    assert project.install_spec == "pytorch-course-helpers @ git+https://github.com/pytorch-course/pytorch-course@main"


def test_colab_urls_follow_the_repository_and_branch(project):
    assert project.colab_url(ROOT / "notebooks" / "00_x.ipynb") == (
        "https://colab.research.google.com/github/pytorch-course/pytorch-course/blob/main/notebooks/00_x.ipynb"
    )
    assert project.colab_badge(ROOT / "notebooks" / "00_x.ipynb").startswith("[![Open In Colab](")


def test_find_root_walks_up_from_a_subfolder():
    assert find_root(ROOT / "helpers" / "course") == ROOT


def test_a_non_github_repository_url_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.urls]\nRepository = "https://gitlab.com/a/b"\n'
    )
    (tmp_path / "nbgrader_config.py").write_text("")
    with pytest.raises(ValueError, match="github.com"):
        load_project(tmp_path)


def test_table_aligns_columns_under_a_rule():
    text = table(["name", "n"], [("a", 1), ("long name", 22)])
    assert text.splitlines() == ["name       n", "---------  --", "a          1", "long name  22"]


def test_results_and_points_read_well():
    assert format_results({}) == "-"
    assert format_results({"acc": 0.98765, "ok": True}) == "acc=0.9877, ok=True"
    assert format_results({str(i): i for i in range(8)}, limit=2) == "0=0, 1=1, (+6 more)"
    assert format_points(21.0, 21.0) == "21 / 21"
    assert format_points(1.5, 2) == "1.5 / 2"


@pytest.mark.parametrize("name", ["ann", "ann ", " ann", "ann[1]", "b*", "c?d", "Zoë Ångström", "-rf", "a b"])
def test_student_ids_are_names_used_as_they_are(name):
    assert student_id_problem(name) is None


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "tab\there", "bell\x07", "x" * 129, "..", "bad\udcff"])
def test_unusable_student_ids_are_refused_with_a_reason(name):
    assert student_id_problem(name)


def test_discover_skips_hidden_folders_and_rejects_links_and_bad_names(tmp_path):
    for folder in ("ann[1]/00_a", "bob /00_a", ".ipynb_checkpoints/00_a", "line\nbreak/00_a", "cid/.hidden"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "ann[1]")
    pairs, rejected = discover(tmp_path)
    assert pairs == [("ann[1]", "00_a"), ("bob ", "00_a")]
    assert sorted(name for name, _ in rejected) == ["'line\\nbreak'", "link"]


def test_shards_split_the_students_into_disjoint_balanced_parts():
    students = [f"s{i:02d}" for i in range(10)] + ["s00"]
    parts = [shard_of(students, (k, 3)) for k in (1, 2, 3)]
    assert set().union(*parts) == set(students)
    assert sum(len(p) for p in parts) == 10 and {len(p) for p in parts} == {3, 4}
    assert shard_of(list(reversed(students)), (2, 3)) == parts[1]
    with pytest.raises(GradingError):
        shard_of(students, (4, 3))


def _test_cell(grade_id: str, points: float) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": points}
    return cell


def test_a_test_scores_only_if_it_replied_ok_finished_and_nothing_was_replaced():
    aligned = nbformat.v4.new_notebook(cells=[_test_cell(f"t{i}", 1) for i in range(6)])
    error = [{"output_type": "error", "ename": "CheckError", "evalue": "wrong"}]

    def run(i, reply="ok", completed=True, outputs=(), changes=(), kind=TEST):
        return CellRun(PlannedCell(i, kind, "", f"t{i}" if kind == TEST else f"a{i}"), reply, list(outputs),
                       completed=completed, changes=list(changes))

    cells = [
        run(0),                                            # passes
        run(1, reply="error", completed=False, outputs=error),  # a failing check
        run(2, completed=False),                           # "ok" but never reached its end: an error was hidden
        run(9, kind=ANSWER, changes=["torch.allclose was replaced"]),
        run(3),                                            # ran while torch.allclose was replaced
        run(4, reply="not run", completed=False),
        run(5, changes=[]),                                # the answer cell put it back: counts again
    ]
    outcomes, tampering, flags = score(Execution(cells, 1.0), aligned)
    status = {o.grade_id: o.status for o in outcomes}
    assert status == {"t0": PASSED, "t1": FAILED, "t2": FAILED, "t3": NOT_COUNTED, "t4": NOT_RUN, "t5": PASSED}
    assert [o.points for o in outcomes] == [1, 0, 0, 0, 0, 1]
    assert "CheckError: wrong" in outcomes[1].message
    assert tampering[0].cell == "a9" and "torch.allclose" in outcomes[3].message
    assert any(f.kind == "error hidden" for f in flags)


def test_tests_of_answers_gives_each_answer_its_tests_and_points(project):
    from helpers.course.hygiene import tests_of_answers

    for path in project.solution_notebooks():
        nb = nbformat.read(path, as_version=4)
        tests = tests_of_answers(nb)
        stated = float(re.search(r"Total: (\d+) points", nb.cells[0].source).group(1))
        assert tests and all(tests.values()), path
        assert sum(sum(points.values()) for points in tests.values()) == stated, path
