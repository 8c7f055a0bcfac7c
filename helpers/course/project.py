"""Where the course's files live and how its public URLs are built."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


@dataclass(frozen=True)
class Project:
    """The course repository on disk plus its configured public address.

    Attributes:
        root: The repository root (the folder holding ``pyproject.toml``).
        repository: ``https://github.com/OWNER/NAME`` from ``[project.urls]``.
        branch: The branch Colab badges open, from ``[tool.course]``.
        package: The distribution name students install.
    """

    root: Path
    repository: str
    branch: str
    package: str

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def my_work_dir(self) -> Path:
        """Where students answer: their own copies, which no course command overwrites."""
        return self.root / "my_work"

    def teaching_notebooks(self) -> list[Path]:
        """The numbered teaching notebooks, in course order."""
        return sorted(self.notebooks_dir.glob("*.ipynb"))

    def assignments(self) -> list[str]:
        """Names of the nbgrader assignments (folders of ``solutions/``)."""
        return sorted(p.name for p in self.solutions_dir.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def solution_notebooks(self) -> list[Path]:
        """The instructor versions of every assignment notebook."""
        return sorted(self.solutions_dir.glob("*/*.ipynb"))

    def exercise_notebooks(self) -> list[Path]:
        """The committed student versions of every assignment notebook."""
        return sorted(self.exercises_dir.glob("*/*.ipynb"))

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository root, with forward slashes."""
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()

    def student_path(self, path: Path) -> str:
        """The repository path a student opens for ``path``.

        A solution notebook's student version lives under ``exercises/``.
        """
        rel = self.relative(path)
        if rel.startswith("solutions/"):
            rel = "exercises/" + rel.removeprefix("solutions/")
        return rel

    @property
    def github_name(self) -> str:
        """``OWNER/NAME`` of the configured GitHub repository."""
        return re.sub(r"^https://github\.com/", "", self.repository).removesuffix(".git")

    def colab_url(self, path: Path) -> str:
        """The "Open in Colab" address of the notebook students open for ``path``."""
        return f"https://colab.research.google.com/github/{self.github_name}/blob/{self.branch}/{self.student_path(path)}"

    def colab_badge(self, path: Path) -> str:
        """Markdown for the "Open in Colab" badge of ``path``."""
        return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({self.colab_url(path)})"

    @property
    def install_spec(self) -> str:
        """What the notebooks' setup cell passes to ``pip install``: the helpers of the branch Colab links open."""
        return f"{self.package} @ git+{self.repository}@{self.branch}"


def find_root(start: Path | None = None) -> Path:
    """Walk up from ``start`` (default: the working directory) to the course root."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / "pyproject.toml").is_file() and (folder / "nbgrader_config.py").is_file():
            return folder
    raise FileNotFoundError(f"no course root (pyproject.toml + nbgrader_config.py) above {here}")


def load_project(root: Path | None = None) -> Project:
    """Read the course settings from ``pyproject.toml``.

    Args:
        root: The repository root; found from the working directory if omitted.
    """
    root = Path(root).resolve() if root else find_root()
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    repository = meta["project"]["urls"]["Repository"].rstrip("/")
    if not repository.startswith("https://github.com/"):
        raise ValueError(f"[project.urls] Repository must be a https://github.com/ URL, got {repository!r}")
    branch = meta.get("tool", {}).get("course", {}).get("branch", "main")
    return Project(root=root, repository=repository, branch=branch, package=meta["project"]["name"])
