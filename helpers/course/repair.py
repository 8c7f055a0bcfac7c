"""Repair a student's submission so that the grader can grade it.

Real submissions are messy: the notebook is renamed ("Copy of ...", "... (1)"),
cells are pasted twice, moved or deleted, and some editors strip the nbgrader
metadata, or the cell ids as well. :func:`find_notebook` picks the assignment
notebook out of a submission folder; :func:`align` rebuilds the notebook the
grader runs from the released student version, with the student's answers and
extra cells in their places, and says in one line per repair what it did.

How :func:`align` matches a student cell to a release cell, strongest
evidence first (each student cell serves at most one release cell):

1. The nbgrader ``grade_id``, when the cell's nbgrader flags (answer or test)
   fit the release cell. When several student cells carry the same grade id,
   the first is the match (for locked and test cells: the first whose text
   equals the release's, if any); the other copies become ordinary cells.
2. The nbformat cell ``id``.
3. Locked and test cells: the same cell type and the same normalised text
   (trailing whitespace of each line and both ends stripped, hidden-test
   regions ignored so that the instructor's source version also aligns).
4. Locked and test cells: the same cell type and a similar text (difflib
   ratio of at least :data:`SIMILAR_TEXT`), among the unmatched student cells
   between the student cells matched to its release neighbours: a cell the
   student edited in an editor that kept no metadata.
5. Answer cells, by position: the unmatched student cells of the same cell
   type between the student cells matched to the release cells around the
   answer (e.g. between the exercise's task and its test). When there are
   several, the answer is the one that differs from the stub, then the one
   most like the stub (answers keep the stub's ``def`` line and names), then
   the first; the others stay extra cells and still run in the student's
   order. An answer not found there is looked for once more among the cells
   after the student cell matched to its release predecessor, up to the next
   matched cell that is not a test cell (an answer moved below its test).

A code answer cell the student turned into markdown (or raw) is graded as
code when its text parses as Python; otherwise it is kept as an ordinary
markdown cell and the answer is looked for by position, and is a problem if
none is found. Release cells that are neither answers, tests nor locked (free
cells) are matched like answers and keep the student's text.

In the repair and problem lines, "cell N" counts the student's cells from 1.
"""

import ast
import copy
import difflib
import os
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from helpers.course.hygiene import nbgrader_meta

NbNode = nbformat.NotebookNode

#: The least difflib ratio at which an edited locked or test cell is still recognised.
SIMILAR_TEXT = 0.8

_ANSWER, _TEST, _LOCKED, _FREE = "answer", "test", "locked", "free"
_STUDENT_TEXT = (_ANSWER, _FREE)  # kinds whose text comes from the student
_NOTEBOOK_SUFFIX = ".ipynb"
_COPY_PREFIX = re.compile(r"^copy\s+of\s+", re.I)
_COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|\s*-\s*copy\d*|\s+copy(\s+\d+)?)$", re.I)
_MAGIC_LINE = re.compile(r"^\s*[%!]")


# --- which file -----------------------------------------------------------------------------

def _undecorated(stem: str) -> str:
    """``stem`` without what copies add to a name: ``Copy of X (1)`` -> ``x``."""
    previous = None
    while stem != previous:
        previous = stem
        stem = _COPY_SUFFIX.sub("", _COPY_PREFIX.sub("", stem)).strip()
    return stem.casefold()


def is_copy_of(name: str, expected: str) -> bool:
    """Whether notebook file ``name`` is ``expected`` under a name copies get ("Copy of X.ipynb", "X (1).ipynb")."""
    if not (name.lower().endswith(_NOTEBOOK_SUFFIX) and expected.lower().endswith(_NOTEBOOK_SUFFIX)):
        return False
    return _undecorated(name[: -len(_NOTEBOOK_SUFFIX)]) == _undecorated(expected[: -len(_NOTEBOOK_SUFFIX)])


def _notebooks_in(folder: Path) -> dict[str, bool]:
    """The visible ``.ipynb`` entries of ``folder`` (files or links, never followed): name -> is a link."""
    found = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.lower().endswith(_NOTEBOOK_SUFFIX):
                continue
            if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                found[entry.name] = entry.is_symlink()
    return found


def find_notebook(folder: Path, expected_name: str) -> tuple[Path | None, str]:
    """Which ``.ipynb`` in a student's submission folder is the assignment notebook.

    The expected name; else the one renamed copy of it ("Copy of NAME",
    "NAME (1)", "NAME-Copy1", "NAME copy", in any letter case); else the only
    notebook in the folder. Hidden files and subfolders (``.ipynb_checkpoints``)
    are ignored, and symbolic links are never followed nor accepted.

    Args:
        folder: The student's submission folder for one assignment.
        expected_name: The released notebook's file name, e.g. ``00_x.ipynb``.

    Returns:
        ``(path, note)``: ``note`` is "" for the expected name, else a one-line
        repair note. ``(None, reason)`` when there is no notebook, several
        could be it, or the one found is a symbolic link.
    """
    expected = expected_name if expected_name.lower().endswith(_NOTEBOOK_SUFFIX) else expected_name + _NOTEBOOK_SUFFIX
    if folder.is_symlink():
        return None, f"{folder.name} is a symbolic link"
    if not folder.is_dir():
        return None, f"no submission folder {folder.name}"
    try:
        notebooks = _notebooks_in(folder)
    except OSError as error:
        return None, f"cannot read the submission folder {folder.name}: {error.strerror}"
    if expected in notebooks:
        chosen = expected
    else:
        copies = sorted(name for name in notebooks if is_copy_of(name, expected))
        candidates = copies or sorted(notebooks)
        if not candidates:
            return None, f"no notebook found: expected {expected}"
        if len(candidates) > 1:
            names = ", ".join(repr(name) for name in candidates)
            return None, f"{expected} not found and several notebooks could be it: {names}"
        chosen = candidates[0]
    if notebooks[chosen]:
        return None, f"{chosen} is a symbolic link"
    return folder / chosen, "" if chosen == expected else f"notebook renamed: {chosen!r} graded as {expected}"


# --- which cells ----------------------------------------------------------------------------

@dataclass
class Alignment:
    """The notebook to grade, and what was done to get it.

    Attributes:
        notebook: What the grader runs and grades.
        repairs: One line per repair, for the report.
        problems: Graded cells that could not be matched.
    """

    notebook: NbNode
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _kind(cell: NbNode) -> str:
    """What a release cell is: an answer, a test, a locked cell or a free cell."""
    meta = nbgrader_meta(cell)
    if meta.get("solution"):
        return _ANSWER
    if meta.get("grade"):
        return _TEST
    return _LOCKED if meta.get("locked") or not meta else _FREE


def _without_hidden_tests(source: str) -> str:
    """``source`` without its ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions, as nbgrader removes them."""
    kept, hidden = [], False
    for line in source.split("\n"):
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _plain(source: str) -> str:
    """``source`` with the trailing whitespace of each line and both ends stripped."""
    return "\n".join(line.rstrip() for line in source.split("\n")).strip()


def _comparable(source: str) -> str:
    """The text that identifies a locked or test cell: plain, hidden tests left out."""
    return _plain(_without_hidden_tests(source))


def _similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0 to 1 (difflib's ratio)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio() if matcher.real_quick_ratio() >= SIMILAR_TEXT and matcher.quick_ratio() >= SIMILAR_TEXT else 0.0


def _is_python(source: str) -> bool:
    """``source`` parses as Python (IPython magics and shell lines blanked)."""
    try:
        ast.parse("\n".join("" if _MAGIC_LINE.match(line) else line for line in source.splitlines()))
    except (SyntaxError, ValueError):
        return False
    return True


def _add(a: tuple, b: tuple) -> tuple:
    """The element-wise sum of two score tuples."""
    return tuple(x + y for x, y in zip(a, b))


def _best_pairs(rows: list[int], cols: list[int], score) -> list[tuple[int, int]]:
    """Order-keeping pairs of ``rows`` and ``cols`` with the best total ``score``.

    ``score(row, col)`` is a tuple compared in order, or None for a pair that
    may not be made. Ties go to the earliest columns.
    """
    zero = (0, 0, 0.0)
    best = [[zero] * (len(cols) + 1) for _ in range(len(rows) + 1)]
    for i, row in enumerate(rows, 1):
        for j, col in enumerate(cols, 1):
            pair = score(row, col)
            options = [best[i - 1][j], best[i][j - 1]]
            if pair is not None:
                options.append(_add(best[i - 1][j - 1], pair))
            best[i][j] = max(options)
    pairs, i, j = [], len(rows), len(cols)
    while i and j:
        if best[i][j] == best[i - 1][j]:
            i -= 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            pairs.append((rows[i - 1], cols[j - 1]))
            i, j = i - 1, j - 1
    return pairs[::-1]


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of a longest increasing subsequence of ``values``."""
    if not values:
        return set()
    length, previous = [1] * len(values), [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    i, kept = max(range(len(values)), key=length.__getitem__), set()
    while i >= 0:
        kept.add(i)
        i = previous[i]
    return kept


class _Matcher:
    """Which student cell serves which release cell (by index), and by which evidence."""

    def __init__(self, student: list[NbNode], release: list[NbNode]):
        self.student, self.release = student, release
        self.kinds = [_kind(cell) for cell in release]
        self.texts = [_comparable(cell.source) for cell in student]  # what identifies a locked or test cell
        self.match: dict[int, int] = {}  # release index -> student index
        self.owner: dict[int, int] = {}  # student index -> release index
        self.evidence: dict[int, str] = {}  # release index -> how it was matched
        self.duplicate_of: dict[int, int] = {}  # student index -> the release cell it copies
        self.unusable: dict[int, int] = {}  # release answer -> its student cell that is not Python

    def run(self) -> None:
        """Apply the matching rules, strongest evidence first."""
        self._by_grade_id()
        self._by_cell_id()
        self._by_text()
        self._by_similar_text()
        self._by_position()
        self._after_task()

    def _take(self, r: int, s: int, evidence: str) -> None:
        self.match[r], self.owner[s], self.evidence[r] = s, r, evidence

    def _free(self, s: int) -> bool:
        return s not in self.owner and s not in self.duplicate_of and s not in self.unusable.values()

    def _flags_fit(self, s: int, r: int) -> bool:
        """The student cell's nbgrader flags, if any, say the same kind of cell as the release's."""
        mine, theirs = nbgrader_meta(self.student[s]), nbgrader_meta(self.release[r])
        return all(bool(mine.get(flag)) == bool(theirs.get(flag)) for flag in ("solution", "grade"))

    def _usable(self, s: int, r: int) -> bool:
        """The student cell can serve release cell ``r`` (a code answer must be code, or parse as Python)."""
        if self.kinds[r] not in _STUDENT_TEXT or self.release[r].cell_type != "code":
            return True
        return self.student[s].cell_type == "code" or _is_python(self.student[s].source)

    def _choose(self, r: int, copies: list[int], evidence: str) -> None:
        """Match ``r`` to the first usable of ``copies``; the others become duplicates."""
        usable = [s for s in copies if self._usable(s, r)]
        if self.kinds[r] not in _STUDENT_TEXT:
            text = _comparable(self.release[r].source)
            usable = [s for s in usable if self.texts[s] == text] or usable
        if usable:
            self._take(r, usable[0], evidence)
        else:
            self.unusable.setdefault(r, copies[0])
        for s in copies:
            if s not in self.owner and s not in self.unusable.values():
                self.duplicate_of[s] = r

    def _by_grade_id(self) -> None:
        holders: dict[str, list[int]] = {}
        for s, cell in enumerate(self.student):
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id:
                holders.setdefault(grade_id, []).append(s)
        for r, cell in enumerate(self.release):
            copies = [s for s in holders.get(nbgrader_meta(cell).get("grade_id"), []) if self._flags_fit(s, r)]
            if copies:
                self._choose(r, copies, "grade_id")

    def _by_cell_id(self) -> None:
        holders: dict[str, list[int]] = {}
        for s, cell in enumerate(self.student):
            if cell.get("id") and self._free(s):
                holders.setdefault(cell["id"], []).append(s)
        for r, cell in enumerate(self.release):
            if r not in self.match and r not in self.unusable:
                copies = [s for s in holders.get(cell.get("id"), []) if self._free(s)]
                if copies:
                    self._choose(r, copies, "cell id")

    def _neighbours(self, r: int) -> tuple[int, int]:
        """The student cells matched to the nearest matched release cells before and after ``r``."""
        before = [self.match[p] for p in range(r - 1, -1, -1) if p in self.match][:1]
        after = [self.match[n] for n in range(r + 1, len(self.release)) if n in self.match][:1]
        return (before[0] if before else -1), (after[0] if after else len(self.student))

    def _unmatched_fixed(self) -> list[int]:
        return [r for r, kind in enumerate(self.kinds) if kind not in _STUDENT_TEXT and r not in self.match]

    def _by_text(self) -> None:
        for r in self._unmatched_fixed():
            cell, (low, _) = self.release[r], self._neighbours(r)
            text = _comparable(cell.source)
            same = [
                s for s, mine in enumerate(self.student)
                if self._free(s) and mine.cell_type == cell.cell_type and self.texts[s] == text
            ]
            if text and same:
                self._take(r, next((s for s in same if s > low), same[0]), "text")

    def _by_similar_text(self) -> None:
        for r in self._unmatched_fixed():
            cell, (low, high) = self.release[r], self._neighbours(r)
            text = _comparable(cell.source)
            scored = [
                (_similarity(text, self.texts[s]), -s)
                for s in range(low + 1, high)
                if self._free(s) and self.student[s].cell_type == cell.cell_type
            ]
            best = max(scored, default=(0.0, 0))
            if text and best[0] >= SIMILAR_TEXT:
                self._take(r, -best[1], "similar text")

    def _answer_score(self, r: int, s: int) -> tuple | None:
        """How well student cell ``s`` fits answer ``r``: (1, differs from the stub, likeness to the stub)."""
        if self.student[s].cell_type != self.release[r].cell_type:
            return None
        stub, mine = _plain(self.release[r].source), _plain(self.student[s].source)
        return 1, int(mine != stub), difflib.SequenceMatcher(None, stub, mine).ratio()

    def _by_position(self) -> None:
        anchors = sorted(self.match)
        for a, b in zip([-1, *anchors], [*anchors, len(self.release)]):
            rows = [r for r in range(a + 1, b) if self.kinds[r] in _STUDENT_TEXT and r not in self.match]
            low = self.match[a] if a >= 0 else -1
            high = self.match[b] if b < len(self.release) else len(self.student)
            cols = [s for s in range(low + 1, high) if self._free(s)]
            for r, s in _best_pairs(rows, cols, self._answer_score):
                self._take(r, s, "position")

    def _after_task(self) -> None:
        """Unmatched answers: the cells right after the previous matched cell, past matched tests."""
        for r, kind in enumerate(self.kinds):
            if kind not in _STUDENT_TEXT or r in self.match:
                continue
            cols = []
            for s in range(self._neighbours(r)[0] + 1, len(self.student)):
                if s in self.owner and self.kinds[self.owner[s]] != _TEST:
                    break
                if self._free(s):
                    cols.append(s)
            for answer, s in _best_pairs([r], cols, self._answer_score):
                self._take(answer, s, "position")

    def copied(self, s: int) -> int | None:
        """The matched release cell that unmatched student cell ``s`` is a copy of, if any."""
        if s in self.duplicate_of:
            return self.duplicate_of[s]
        mine = self.student[s]
        for r, owner in sorted(self.match.items()):
            if self.kinds[r] in _STUDENT_TEXT:
                same = _plain(mine.source) == _plain(self.student[owner].source)
            else:
                same = self.texts[s] == _comparable(self.release[r].source)
            if same and mine.source.strip() and mine.cell_type == self.release[r].cell_type:
                return r
        return None


def _name(cell: NbNode, r: int) -> str:
    return nbgrader_meta(cell).get("grade_id") or f"release cell {r + 1}"


def _essential(meta: dict) -> dict:
    """The nbgrader metadata that decides how a cell is graded (not nbgrader's checksums)."""
    return {key: meta.get(key) for key in ("grade_id", "grade", "solution", "locked", "task", "points")}


def _cleared(cell: NbNode) -> NbNode:
    """A copy of ``cell`` without outputs or execution count."""
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def _graded_cell(m: _Matcher, r: int) -> tuple[NbNode, list[str], list[str]]:
    """The aligned version of release cell ``r``, the repairs that made it, and its problems."""
    cell, kind, name = _cleared(m.release[r]), m.kinds[r], _name(m.release[r], r)
    s = m.match.get(r)
    if s is None and kind != _ANSWER:
        return cell, [f"{name} was missing: restored from the release"], []
    if s is None and r in m.unusable:
        s = m.unusable[r]
        return cell, [], [f"answer cell {name} is {m.student[s].cell_type} that is not Python (cell {s + 1}): graded as unanswered"]
    if s is None:
        return cell, [], [f"answer cell {name} not found: graded as unanswered"]
    mine, where = m.student[s], f"cell {s + 1}"
    repairs = []
    if m.evidence[r] == "position":
        repairs.append(f"{where}: taken as {name} (matched by position)")
    elif m.evidence[r] != "grade_id" or _essential(nbgrader_meta(mine)) != _essential(nbgrader_meta(cell)):
        how = "" if m.evidence[r] == "grade_id" else f" (matched by {m.evidence[r]})"
        repairs.append(f"{where}: nbgrader metadata of {name} restored{how}")
    if kind in _STUDENT_TEXT:
        cell.source = mine.source
        if cell.cell_type == "markdown" and mine.get("attachments"):
            cell.attachments = copy.deepcopy(mine.attachments)
        if mine.cell_type != cell.cell_type:
            repairs.append(f"{where}: {name} had been turned into {mine.cell_type}: graded as {cell.cell_type}")
    elif mine.cell_type != cell.cell_type:
        repairs.append(f"{where}: {name} had been turned into {mine.cell_type}: restored from the release")
    elif _plain(mine.source) != _plain(cell.source):
        repairs.append(f"{where}: {name} had been edited: the released text restored")
    return cell, repairs, []


def _extra_cell(m: _Matcher, s: int, used_ids: set[str], with_ids: bool) -> tuple[NbNode, list[str]]:
    """Student cell ``s`` as an ordinary cell, and the repair line it needs (if any)."""
    cell = _cleared(m.student[s])
    meta = cell.metadata.pop("nbgrader", None)
    if not with_ids:
        cell.pop("id", None)
    elif not cell.get("id") or cell["id"] in used_ids:
        cell["id"] = uuid.uuid4().hex[:8]
    used_ids.add(cell.get("id"))
    r = m.copied(s)
    if r is not None:
        return cell, [f"cell {s + 1}: duplicate of {_name(m.release[r], r)} kept as an ordinary cell"]
    if meta:
        return cell, [f"cell {s + 1}: nbgrader metadata removed (the cell matches none of the release)"]
    return cell, []


def _kernel_repairs(student: NbNode, release: NbNode) -> list[str]:
    expected = release.metadata.get("kernelspec", {}).get("name")
    found = student.metadata.get("kernelspec", {}).get("name")
    if expected is None or found == expected:
        return []
    return [f"kernelspec {found!r} replaced by {expected!r}" if found else f"no kernelspec: {expected!r} used"]


def align(student: NbNode, release: NbNode) -> Alignment:
    """The notebook to grade: the release's cells, with the student's answers and extra cells.

    Every locked and test cell of the release appears once, in the release's
    order, with the release's source and metadata; every answer cell has the
    student's source (the release's stub when it cannot be found: a problem);
    the student's other cells are kept, without nbgrader metadata, before the
    next matched cell that followed them in the student's notebook. The
    kernelspec and language info are the release's; outputs are cleared. The
    matching rules are in the module docstring. The inputs are not changed.

    Args:
        student: The notebook the student handed in.
        release: The student version as released (every cell with nbgrader metadata).

    Returns:
        The aligned notebook, one line per repair, and the answers that could not be found.
    """
    m = _Matcher(list(student.cells), list(release.cells))
    m.run()
    attached: dict[int | None, list[int]] = {}
    for s in range(len(m.student)):
        if s not in m.owner:
            attached.setdefault(next((t for t in range(s + 1, len(m.student)) if t in m.owner), None), []).append(s)
    order = sorted(m.match)
    in_place = {order[i] for i in _longest_increasing([m.match[r] for r in order])}
    with_ids = (release.nbformat, release.nbformat_minor) >= (4, 5)
    used_ids = {cell.get("id") for cell in release.cells if cell.get("id")}
    cells, repairs, problems = [], _kernel_repairs(student, release), []

    def add_extras(key: int | None) -> None:
        for s in attached.get(key, []):
            cell, lines = _extra_cell(m, s, used_ids, with_ids)
            cells.append(cell)
            repairs.extend(lines)

    for r, release_cell in enumerate(m.release):
        if r in m.match:
            add_extras(m.match[r])
        cell, lines, missing = _graded_cell(m, r)
        cells.append(cell)
        repairs.extend(lines)
        problems.extend(missing)
        if r in m.match and r not in in_place:
            repairs.append(f"cell {m.match[r] + 1}: {_name(release_cell, r)} moved back to its place in the release order")
    add_extras(None)
    aligned = copy.deepcopy(release)
    aligned.cells = cells
    return Alignment(notebook=aligned, repairs=repairs, problems=problems)
