"""Small, fast tests of the course tools: project settings, report tables, nbgrader log parsing."""

import pytest

from conftest import ROOT
from helpers.course.nbgrading import root_cause
from helpers.course.project import find_root, load_project
from helpers.course.report import format_points, format_results, table


def test_project_reads_the_one_configured_repository(project):
    assert project.repository == "https://github.com/pytorch-course/pytorch-course"
    assert project.branch == "main"
    assert project.install_spec == "pytorch-course-helpers @ git+https://github.com/pytorch-course/pytorch-course"


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


def test_root_cause_finds_the_real_error_in_nbgrader_logs():
    log = """[ERROR] Traceback ...
    nbclient.exceptions.DeadKernelError: Kernel died
[ERROR] There was an error processing assignment
nbgrader.converters.base.NbGraderException: Please see the the above traceback"""
    assert root_cause(log) == "DeadKernelError: Kernel died"
    assert root_cause("") == "nbgrader failed (see its log)"
