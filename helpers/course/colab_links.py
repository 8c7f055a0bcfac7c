"""Links that open a notebook of a GitHub repository in Google Colab.

A Colab link is ``https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/PATH``.
:func:`find_links` reads them out of markdown, :func:`link_problems` says which disagree
with the project's configured repository and branch or name a file the repository does not
have, and :func:`point_links_at` rewrites them to the configured repository and branch,
keeping each link's path.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from helpers.course.project import Project

COLAB_GITHUB = "https://colab.research.google.com/github/"
_LINK = re.compile(
    re.escape(COLAB_GITHUB) + r"(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/blob/(?P<rest>[^\s()\[\]<>\"'`]+)"
)


@dataclass(frozen=True)
class ColabLink:
    """One Colab link, taken apart.

    Attributes:
        url: The whole link as written.
        owner: The GitHub owner it opens.
        repo: The GitHub repository it opens.
        branch: The branch it opens.
        path: The file's path inside the repository (URL-decoded, no ``#``/``?`` part).
        suffix: The ``#fragment`` or ``?query`` written after the path ("" when none).
    """

    url: str
    owner: str
    repo: str
    branch: str
    path: str
    suffix: str


def _parse(match: re.Match, project: Project) -> ColabLink:
    """Take a matched link apart; a branch is one path segment unless it is the configured branch."""
    rest = match["rest"]
    if rest.startswith(project.branch + "/"):
        branch, path = project.branch, rest[len(project.branch) + 1:]
    else:
        branch, _, path = rest.partition("/")
    cut = min((i for i in (path.find("#"), path.find("?")) if i >= 0), default=len(path))
    return ColabLink(match[0], match["owner"], match["repo"], branch, unquote(path[:cut]), path[cut:])


def find_links(text: str, project: Project) -> list[ColabLink]:
    """Every Colab link in ``text``, in order."""
    return [_parse(match, project) for match in _LINK.finditer(text)]


def link_problems(text: str, project: Project) -> list[str]:
    """What is wrong with each Colab link in ``text`` (an empty list when nothing is).

    A link must open the configured repository and branch, and a file that exists in the
    repository on disk.
    """
    expected = f"{project.github_name}@{project.branch}"
    problems = []
    for link in find_links(text, project):
        opens = f"{link.owner}/{link.repo}@{link.branch}"
        if opens != expected:
            problems.append(f"Colab link {link.url} opens {opens}, expected {expected} (run `python -m helpers.course fix`)")
        if not link.path or not (project.root / link.path).is_file():
            problems.append(f"Colab link {link.url} opens {link.path or 'no file'}, which is not a file in the repository")
    return problems


def point_links_at(text: str, project: Project) -> str:
    """``text`` with every Colab link opening the configured repository and branch, paths kept."""

    def rewrite(match: re.Match) -> str:
        link = _parse(match, project)
        path = match["rest"][len(link.branch) + 1:]  # as written: encoding and suffix kept
        return f"{COLAB_GITHUB}{project.github_name}/blob/{project.branch}/{path}"

    return _LINK.sub(rewrite, text)
