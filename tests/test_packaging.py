"""The three dependency lists agree, and the README's test command is what CI runs."""

import re
import subprocess
import sys
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT
from helpers.course.project import load_project


def direct_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(r) for r in listed]


def pins(lines: list[str]) -> dict[str, Version]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==")
            found[canonicalize_name(name)] = Version(version)
    return found


def constraint_pins() -> dict[str, Version]:
    return pins((ROOT / "constraints.txt").read_text().splitlines())


def conda_pins() -> dict[str, Version]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    return pins(pip_section)


def test_this_machine_uses_torch_2_14_1_and_torchvision_0_29_1():
    locked = constraint_pins()
    assert locked["torch"] == Version("2.14.1")
    assert locked["torchvision"] == Version("0.29.1")


def test_every_direct_dependency_is_pinned_within_its_range():
    locked = constraint_pins()
    for requirement in direct_requirements():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not pinned in constraints.txt"
        assert requirement.specifier.contains(locked[name]), f"{name}=={locked[name]} is outside {requirement}"


def test_environment_yml_installs_the_same_pins():
    direct = {canonicalize_name(r.name) for r in direct_requirements()}
    locked = constraint_pins()
    conda = conda_pins()
    assert set(conda) == direct, "environment.yml must list exactly the direct dependencies"
    for name, version in conda.items():
        assert version == locked[name], f"environment.yml pins {name}=={version}, constraints.txt {locked[name]}"


def test_environment_yml_uses_the_same_python_and_installs_the_course():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    assert "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: \$\(READY\)$", makefile, re.M), "make test must set the environment up first"


@pytest.mark.slow
def test_helpers_install_from_the_git_url_the_notebooks_use(tmp_path):
    """What the notebooks' setup cell does on Colab, against this repository's committed HEAD."""
    project = load_project(ROOT)
    assert project.install_spec == f"{project.package} @ git+{project.repository}@{project.branch}"
    local_spec = f"{project.package} @ git+file://localhost{ROOT}"
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), local_spec],
        check=True, capture_output=True, timeout=300,
    )
    for module in ("checks.py", "errors.py", "course/kernel.py", "course/__main__.py"):
        assert (site / "helpers" / module).is_file(), f"helpers/{module} is missing from the installed package"
    found = subprocess.run(
        [sys.executable, "-c", "import helpers, helpers.checks; print(helpers.__file__)"],
        env={"PYTHONPATH": str(site), "PATH": ""}, cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    assert found.stdout.strip().startswith(str(site))
