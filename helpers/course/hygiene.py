"""Rules every committed notebook follows, as checks that return problems.

Each ``check_*`` function takes a notebook (and the project where a URL is
involved) and returns a list of human-readable problems; an empty list means
the notebook follows the rule. :func:`problems` runs all rules that apply.
The tests run them over every notebook, and ``python -m helpers.course check``
prints them.
"""

import ast
import re
from pathlib import Path

import nbformat

from helpers.course.colab_links import link_problems, point_links_at
from helpers.course.project import COLAB_BADGE_IMAGE, Project
from helpers.course.setup_cell import setup_cell_source

NbNode = nbformat.NotebookNode

_SHELL_LINE = re.compile(r"^\s*(!|%%(bash|sh|script|system)\b|%(system|sx)\b)")
_MAGIC_LINE = re.compile(r"^\s*%")
BADGE_PATTERN = re.compile(r"\[!\[Open In Colab\]\(" + re.escape(COLAB_BADGE_IMAGE) + r"\)\]\(([^)\s]+)\)")
_TOTAL_POINTS = re.compile(r"[Tt]otal[^0-9\n]{0,40}?(\d+(?:\.\d+)?)\s*points")


def nbgrader_meta(cell: NbNode) -> dict:
    """The cell's ``nbgrader`` metadata ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def is_test_cell(cell: NbNode) -> bool:
    """An autograder test cell: graded, code, and not an answer cell."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def tests_of_answers(nb: NbNode) -> dict[str, dict[str, float]]:
    """For each answer cell's grade id, its test cells' grade ids and points (the tests after an answer belong to it)."""
    answers: dict[str, dict[str, float]] = {}
    current = None
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            current = meta["grade_id"]
            answers[current] = {}
        elif is_test_cell(cell) and current is not None:
            answers[current][meta["grade_id"]] = float(meta["points"])
    return answers


def _python_source(source: str) -> str:
    """Cell source with IPython line magics blanked, so ``ast`` can parse it."""
    return "\n".join("" if _MAGIC_LINE.match(line) else line for line in source.splitlines())


def check_kernelspec(nb: NbNode) -> list[str]:
    """The notebook runs on the standard ``python3`` kernel."""
    name = nb.metadata.get("kernelspec", {}).get("name")
    return [] if name == "python3" else [f"kernelspec is {name!r}, expected 'python3'"]


def check_no_outputs(nb: NbNode) -> list[str]:
    """Committed notebooks carry no outputs or execution counts."""
    return [
        f"cell {i} has outputs or an execution count (clear them before committing)"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def check_badge(nb: NbNode, path: Path, project: Project) -> list[str]:
    """The first cell is a markdown title with the configured "Open in Colab" badge."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["the first cell must be markdown: title, one-line summary, Colab badge"]
    first = nb.cells[0].source
    problems = [] if first.lstrip().startswith("# ") else ["the first cell must start with a '# ' title"]
    found = BADGE_PATTERN.findall(first)
    expected = project.colab_url(path)
    if found != [expected]:
        problems.append(f"Colab badge URL is {found or 'missing'}, expected {expected}")
    return problems


def _first_difference(found: str, expected: str) -> str:
    """Where ``found`` first departs from ``expected``, line by line, for a problem message."""
    found_lines, expected_lines = found.split("\n"), expected.split("\n")
    for number, (got, want) in enumerate(zip(found_lines, expected_lines), start=1):
        if got != want:
            return f"line {number} is {got!r}, expected {want!r}"
    if len(found_lines) < len(expected_lines):
        return f"it ends at line {len(found_lines)}, expected {len(expected_lines)} lines"
    return f"it goes on after line {len(expected_lines)} with {found_lines[len(expected_lines)]!r}"


def check_setup_cell(nb: NbNode, project: Project) -> list[str]:
    """The second cell is exactly the course's setup cell for the configured install spec."""
    if len(nb.cells) < 2 or nb.cells[1].cell_type != "code":
        return ["the second cell must be the setup code cell"]
    found, expected = nb.cells[1].source, setup_cell_source(project.install_spec)
    if found == expected:
        return []
    return [f"the setup cell differs from the course's ({_first_difference(found, expected)}); `python -m helpers.course fix` rewrites it"]


def check_colab_links(nb: NbNode, project: Project) -> list[str]:
    """Every Colab link in a markdown cell opens the configured repository and branch, and a file that exists."""
    return [
        f"cell {i}: {problem}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown"
        for problem in link_problems(cell.source, project)
    ]


def check_parameters(nb: NbNode) -> list[str]:
    """Exactly one ``parameters`` cell, defining a boolean ``SMOKE`` switch."""
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        return [f"expected one cell tagged 'parameters', found {len(cells)}"]
    for node in ast.parse(_python_source(cells[0].source)).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "SMOKE" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, bool)
        ):
            return []
    return ["the parameters cell must set SMOKE = True or False"]


def check_code_cells(nb: NbNode) -> list[str]:
    """Every code cell is valid Python, with no shell commands (``!ls``, ``%%bash``)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if any(_SHELL_LINE.match(line) for line in cell.source.splitlines()):
            problems.append(f"cell {i} runs a shell command; use Python (pathlib, subprocess) instead")
        try:
            ast.parse(_python_source(cell.source))
        except SyntaxError as error:
            problems.append(f"cell {i} is not valid Python: {error.msg} (line {error.lineno})")
    return problems


def check_nbgrader(nb: NbNode, *, source: bool) -> list[str]:
    """Valid nbgrader metadata for an assignment notebook.

    Schema 3 everywhere, unique grade ids, positive points on graded cells,
    solution markers in the source version's answer cells and none left in
    the student version, locked test cells that end in a
    ``print(...)`` (a trailing number would be read as partial credit), and a
    "Total: N points" line at the top that matches the sum of the points.
    """
    problems = []
    ids: set[str] = set()
    total = 0.0
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        where = f"cell {i} ({meta.get('grade_id', 'no grade_id')})"
        if meta.get("schema_version") != 3:
            problems.append(f"{where}: nbgrader schema_version must be 3")
        grade_id = meta.get("grade_id")
        if not grade_id:
            problems.append(f"{where}: missing grade_id")
        elif grade_id in ids:
            problems.append(f"{where}: duplicate grade_id")
        ids.add(grade_id)
        if meta.get("grade"):
            points = meta.get("points")
            if not isinstance(points, int | float) or points <= 0:
                problems.append(f"{where}: graded cells need positive points, found {points!r}")
            else:
                total += points
        if source and meta.get("solution") and cell.cell_type == "code":
            if "### BEGIN SOLUTION" not in cell.source or "### END SOLUTION" not in cell.source:
                problems.append(f"{where}: answer cells need ### BEGIN SOLUTION / ### END SOLUTION")
        if not source and re.search(r"### (BEGIN|END) (SOLUTION|HIDDEN TESTS)", cell.source):
            problems.append(f"{where}: the student version still contains solution or hidden-test markers")
        if is_test_cell(cell):
            if not meta.get("locked"):
                problems.append(f"{where}: test cells must be locked")
            body = ast.parse(_python_source(cell.source)).body
            last = body[-1] if body else None
            ends_in_print = (
                isinstance(last, ast.Expr)
                and isinstance(last.value, ast.Call)
                and isinstance(last.value.func, ast.Name)
                and last.value.func.id == "print"
            )
            if not ends_in_print:
                problems.append(f"{where}: test cells must end with print(...) (a final value counts as partial credit)")
    if not ids:
        return ["no nbgrader cells: not an assignment notebook"]
    stated = _TOTAL_POINTS.search(nb.cells[0].source) if nb.cells else None
    if not stated:
        problems.append(f"the first cell must state the total, e.g. 'Total: {total:g} points'")
    elif float(stated.group(1)) != total:
        problems.append(f"the first cell states {stated.group(1)} points, the graded cells add up to {total:g}")
    return problems


def apply_fixes(nb: NbNode, path: Path, project: Project) -> None:
    """Fix what can be fixed mechanically, in place.

    Points the first cell's Colab badge at this notebook and every other Colab
    link in a markdown cell at the configured repository and branch (keeping its
    path), rewrites the whole setup cell (the second, when it is code) to the
    course's, and clears outputs and execution counts.
    """
    if nb.cells and nb.cells[0].cell_type == "markdown":
        nb.cells[0].source = BADGE_PATTERN.sub(project.colab_badge(path), nb.cells[0].source)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = point_links_at(cell.source, project)
    if len(nb.cells) > 1 and nb.cells[1].cell_type == "code":
        nb.cells[1].source = setup_cell_source(project.install_spec)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None


def problems(path: Path, project: Project) -> list[str]:
    """Every rule that applies to the notebook at ``path``, as problems."""
    nb = nbformat.read(path, as_version=4)
    found = (
        check_kernelspec(nb)
        + check_no_outputs(nb)
        + check_badge(nb, path, project)
        + check_setup_cell(nb, project)
        + check_colab_links(nb, project)
        + check_parameters(nb)
        + check_code_cells(nb)
    )
    rel = project.relative(path)
    if rel.startswith(("solutions/", "exercises/")):
        found += check_nbgrader(nb, source=rel.startswith("solutions/"))
    return found
