"""A Colab-like Python environment, built from the course's own without downloading PyTorch.

Google Colab preinstalls torch, torchvision, matplotlib, pandas, scikit-learn and ipykernel
(with their dependencies) and none of the course's tools. :func:`colab_like_venv` makes a
virtual environment holding just that: a bare ``python -m venv`` whose site-packages receive,
file by file, hard links to every distribution in the dependency closure of
:data:`COLAB_PREINSTALLED` in the running (course) environment, ``*.dist-info`` included, so
pip sees them as installed. Hard links, not symlinks: pip uninstalls by unlinking, which leaves
the course environment's file in place, where through a symlink it would delete it. Where a
hard link is refused (another file system), the file is copied.
"""

import importlib.metadata as metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: What Colab preinstalls that matters to the course (pip, to install the rest).
COLAB_PREINSTALLED = ("torch", "torchvision", "matplotlib", "pandas", "scikit-learn", "ipykernel", "pip")

#: Course tools and helper dependencies Colab does not have (the setup cell must fetch or avoid them).
NOT_IN_COLAB = ("nbgrader", "papermill", "jupyterlab", "mlxtend", "tqdm", "pytorch-course-helpers")


def installed_distributions(site_packages: Path) -> dict[str, metadata.Distribution]:
    """The distributions installed in ``site_packages``, by canonical name."""
    return {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site_packages)])}


def dependency_closure(roots: tuple[str, ...], available: dict[str, metadata.Distribution]) -> dict[str, metadata.Distribution]:
    """``roots`` and everything they require (with the extras asked for), as installed.

    Requirements are followed through each distribution's metadata (``Requires-Dist``),
    with environment markers evaluated for this interpreter.

    Raises:
        LookupError: A required distribution is not installed in ``available``.
    """
    closure: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(canonicalize_name(root), "") for root in roots]
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        if name not in available:
            raise LookupError(f"{name} is required but not installed in the course environment")
        closure[name] = available[name]
        for text in available[name].requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                dependency = canonicalize_name(requirement.name)
                todo += [(dependency, "")] + [(dependency, canonicalize_name(e)) for e in requirement.extras]
    return closure


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links refused: a copy does the same job
        shutil.copy2(source, target)


def link_distribution(dist: metadata.Distribution, source_site: Path, target_site: Path) -> int:
    """Hard-link one distribution's files from ``source_site`` into ``target_site``.

    Every file its ``RECORD`` lists inside site-packages, and its whole ``.dist-info``
    folder. Files ``RECORD`` places outside site-packages (console scripts, whose first
    line names the course environment's python; shared data) are left out.

    Returns:
        How many files were linked or copied.
    """
    if dist.files is None:
        raise LookupError(f"{dist.metadata['Name']} has no RECORD: cannot tell its files")
    relative = {Path(f) for f in dist.files if ".." not in Path(f).parts}
    info_folders = {rel.parts[0] for rel in relative if rel.parts[0].endswith((".dist-info", ".egg-info"))}
    relative |= {p.relative_to(source_site) for folder in info_folders for p in (source_site / folder).rglob("*") if p.is_file()}
    count = 0
    for rel in sorted(relative):
        source = source_site / rel
        if source.is_file() and not (target_site / rel).exists():
            _link_or_copy(source, target_site / rel)
            count += 1
    return count


def venv_python(venv: Path) -> Path:
    """The interpreter of the virtual environment ``venv``."""
    return venv / "bin" / "python"


def venv_site_packages(venv: Path) -> Path:
    """The site-packages folder of ``venv`` (same Python version as this interpreter)."""
    return venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def colab_like_venv(venv: Path, roots: tuple[str, ...] = COLAB_PREINSTALLED) -> dict[str, metadata.Distribution]:
    """Create ``venv`` holding only ``roots`` and their dependencies, hard-linked from this environment.

    Returns:
        The distributions it holds, by canonical name.
    """
    source_site = Path(sysconfig.get_path("purelib"))
    closure = dependency_closure(roots, installed_distributions(source_site))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True, timeout=120)
    target_site = venv_site_packages(venv)
    for dist in closure.values():
        link_distribution(dist, source_site, target_site)
    return closure


def git_snapshot(root: Path, target: Path) -> Path:
    """A one-commit git repository at ``target`` holding ``root``'s working tree as it is now.

    Tracked files and untracked ones git does not ignore, uncommitted edits included:
    what a student would get from GitHub once this tree is pushed.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.split("\0")
    for rel in filter(None, listed):
        if (root / rel).is_file():  # a tracked file deleted in the working tree is left out
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / rel, target / rel)
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    env = {**os.environ, **identity}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-q", "-m", "snapshot"]):
        subprocess.run(command, cwd=target, env=env, check=True, capture_output=True)
    return target


def write_kernel_spec(jupyter_path: Path, name: str, python: Path) -> Path:
    """A Jupyter kernel spec ``name`` under ``jupyter_path/kernels`` that starts ``python``'s ipykernel."""
    folder = jupyter_path / "kernels" / name
    folder.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"], "display_name": name, "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder
