"""JupyterLab and nbgrader in a real browser (headless Chromium), as students and instructors use them.

One `make lab` server, on a temporary copy of the course (the repository is never written), and one
browser serve the whole module. Every scenario leaves full-page screenshots in build/screenshots/.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright

from conftest import ASSIGNMENT_00, ROOT
from helpers.course import nbgrading
from helpers.course.project import load_project
from lab_browser import (
    KERNEL_TIMEOUT_S,
    center,
    launch_chromium,
    menu,
    open_notebook,
    save,
    screenshot,
    type_into_cell,
    wait_for_run,
    write_quiet_settings,
)
from lab_server import LabServer, copy_course_for_lab, lab_server

pytestmark = pytest.mark.slow

ASSIGNMENT_01 = "01_pytorch_workflow"
EXERCISES_00 = f"exercises/{ASSIGNMENT_00}/{ASSIGNMENT_00}_exercises.ipynb"
TEACHING_00 = f"notebooks/{ASSIGNMENT_00}.ipynb"
EX01_ANSWER = ["random_tensor = torch.rand(7, 7)", "print(random_tensor)"]
# The classic mistake of exercise 2, an element-wise product: its check says what it expected and got.
EX02_WRONG_ANSWER = ["def matmul_with_row(matrix, row):", "    return matrix * row"]
# Bootstrap's modal has faded in: fully opaque and in place.
MODAL_SHOWN = """() => {
    const modal = document.querySelector('.modal.in');
    const dialog = modal?.querySelector('.modal-dialog');
    return !!dialog && getComputedStyle(modal).opacity === '1'
        && ['none', 'matrix(1, 0, 0, 1, 0, 0)'].includes(getComputedStyle(dialog).transform);
}"""
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \".*\", line \d+|Cell In\[\d+\], line \d+|^-+> ?\d", re.M)
COURSE_ID = re.compile(r"CourseDirectory\.course_id\s*=\s*[\"']([^\"']+)")
EXERCISE_HEADING = re.compile(r"^#+\s*(Exercise (\d+)\b.*?)\s*\(\s*\d+\s*points?\s*\)\s*$", re.M)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the course for the server to serve and write."""
    return copy_course_for_lab(ROOT, tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="module")
def lab(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """`make lab` on the copy, with Jupyter's per-user folders in a temporary folder (not ~)."""
    home = tmp_path_factory.mktemp("jupyter-home")
    write_quiet_settings(home / "config" / "lab" / "user-settings")
    env = {"JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"), "IPYTHONDIR": str(home / "ipython")}
    with lab_server(course, venv=ROOT / ".venv", env=env, log=home / "lab.log") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def context(browser: Browser) -> Iterator[BrowserContext]:
    """One browser profile (the server's login cookie is shared by every page)."""
    context = browser.new_context(viewport={"width": 1440, "height": 1100})
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab; when the test fails, a screenshot of it as ``FAILED_<test>.png``."""
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        screenshot(page, f"FAILED_{request.node.name}")
    page.close()


def lab_url(lab: LabServer, workspace: str, path: str = "") -> str:
    """JupyterLab in a workspace of its own (no tabs from an earlier scenario), opening ``path``."""
    return lab.url(f"/lab/workspaces/{workspace}" + (f"/tree/{path}" if path else ""))


def exercises_of(nb: nbformat.NotebookNode) -> list[tuple[int, str, float]]:
    """``(number, title, points)`` of every exercise, from the headings and the test cells' points."""
    found, current = [], None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        heading = EXERCISE_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if heading:
            current = [int(heading.group(2)), heading.group(1), 0.0]
            found.append(current)
        elif current and cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            current[2] += meta.get("points", 0)
    return [tuple(e) for e in found]


def cell_index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    """The position of the cell with nbgrader id ``grade_id``."""
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def first_code_index(nb: nbformat.NotebookNode) -> int:
    """The position of the notebook's first code cell."""
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def formgrader_row(page: Page, assignment: str) -> Locator:
    """The Formgrader's table row of ``assignment`` (on its Manage Assignments page)."""
    name = page.locator("td.name", has_text=re.compile(f"^{re.escape(assignment)}$"))
    return page.locator("#main-table tr", has=name)


def formgrader_action(page: Page, assignment: str, column: str) -> Locator:
    """Click an action of ``assignment`` in the Formgrader (``assign`` is Generate, ``release``), wait for its outcome.

    Returns:
        The dialog that answered, faded in: ``#success-modal`` or ``#error-modal``.
    """
    formgrader_row(page, assignment).locator(f"td.{column} a").click()
    outcome = page.locator("#success-modal, #error-modal")
    outcome.wait_for(timeout=KERNEL_TIMEOUT_S * 1000)
    page.wait_for_function(MODAL_SHOWN)
    return outcome


def assert_no_errors(panel: Locator) -> None:
    """Nothing in an nbgrader panel reads as an error (its error boxes are hidden or empty)."""
    boxes = [e.inner_text() for e in panel.locator(".list_error, .alert-danger").all() if e.is_visible()]
    assert not [b for b in boxes if b.strip()], f"the panel shows an error: {boxes}"
    text = panel.inner_text()
    assert "Error fetching courses" not in text and not re.search(r"error", text, re.I), text


def course_id_of(course: Path) -> str:
    """The nbgrader course id the course's configuration files set."""
    configs = sorted(course.glob("*nbgrader_config.py")) + sorted(course.glob("*/nbgrader_config.py"))
    found = [m.group(1) for p in configs for m in COURSE_ID.finditer(p.read_text())]
    assert found, "no nbgrader_config.py of the course sets CourseDirectory.course_id"
    return found[-1]


def message_of(text: str, title: str, next_title: str) -> str | None:
    """The message under the line ``title`` in a scorecard's text, up to the line ``next_title``, or None."""
    parts = re.split(rf"^\s*{re.escape(title)}\s*$", text, maxsplit=1, flags=re.M)
    if len(parts) < 2:
        return None
    return re.split(rf"^\s*{re.escape(next_title)}\s*$", parts[1], maxsplit=1, flags=re.M)[0]


def points(value: float) -> str:
    """Points as the scorecard writes them (``1``, ``1.5``)."""
    return f"{value:g}"


def test_student_runs_answers_and_validates_exercises_00(lab: LabServer, course: Path, page: Page):
    """Run All, answer exercise 1 (and get exercise 2 wrong), Validate: a scorecard, no traceback."""
    nb = nbformat.read(course / EXERCISES_00, as_version=4)
    cells = open_notebook(page, lab_url(lab, "student", EXERCISES_00), len(nb.cells))

    menu(page, "Run", "Run All Cells")
    wait_for_run(page, cells.nth(first_code_index(nb)))
    ex01, ex02 = cells.nth(cell_index(nb, "ex01_answer")), cells.nth(cell_index(nb, "ex02_answer"))
    center(ex01)
    # text_content: cells outside the viewport are not laid out (content-visibility), so have no inner text.
    assert "NotImplementedError" in ex01.locator(".jp-OutputArea").text_content(), "Run All must stop at exercise 1's stub"
    screenshot(page, "student_run_all_stops_at_exercise_1")

    assert "raise NotImplementedError()" in ex01.locator(".cm-content").text_content()
    assert type_into_cell(page, ex01, EX01_ANSWER) == "\n".join(EX01_ANSWER)
    page.keyboard.press("Shift+Enter")
    ex01.locator(".jp-OutputArea-output", has_text="tensor([[").wait_for(timeout=KERNEL_TIMEOUT_S * 1000)
    assert type_into_cell(page, ex02, EX02_WRONG_ANSWER) == "\n".join(EX02_WRONG_ANSWER)
    page.keyboard.press("Shift+Enter")
    center(ex01)
    screenshot(page, "student_exercise_1_answered")

    page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(timeout=KERNEL_TIMEOUT_S * 1000 * 2)
    screenshot(page, "student_validate_dialog")
    text = dialog.inner_text()

    assert not TRACEBACK.search(text), f"the Validate dialog shows a Python traceback:\n{text}"
    exercises = exercises_of(nb)
    assert [e[0] for e in exercises] == list(range(1, len(exercises) + 1)) and len(exercises) >= 3
    for number, title, worth in exercises:
        mark, earned = ("✓", worth) if number == 1 else ("✗", 0)
        line = rf"^\s*{mark} {re.escape(title)}\s+{points(earned)}/{points(worth)}\s*$"
        assert re.search(line, text, re.M), f"the dialog must list `{mark} {title}  {points(earned)}/{points(worth)}`:\n{text}"
    total = sum(e[2] for e in exercises)
    assert re.search(rf"^\s*Points so far: {points(exercises[0][2])} of {points(total)}\b", text, re.M), text

    assert message_of(text, exercises[0][1], exercises[1][1]) is None, f"a passed exercise has no message:\n{text}"
    message = message_of(text, exercises[1][1], exercises[2][1])
    assert message is not None, f"exercise 2's message must follow a line with its title:\n{text}"
    assert re.search(r"\S.*\n\s*expected:\s*\(7, 1\)\s*\n\s*got:\s*\(7, 7\)\s*\n\s*Hint: \S", message), (
        f"exercise 2's message must say the problem, then expected:, got: and Hint: lines:\n{message}"
    )
    assert "element-wise" in message, message
    dialog.locator("b", has_text=exercises[1][1]).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(page, "student_validate_dialog_exercise_2_message")


def test_student_fetches_a_released_assignment_from_the_assignment_list(lab: LabServer, course: Path, page: Page):
    """The instructor releases 00 (Formgrader); the student's Assignment List shows it, and fetches it."""
    page.goto(lab.url("/formgrader"))
    released = formgrader_action(page, ASSIGNMENT_00, "release")
    assert released.get_attribute("id") == "success-modal", released.inner_text()

    page.goto(lab_url(lab, "assignments"))
    menu(page, "Nbgrader", "Assignment List")
    panel = page.locator("#assignments:visible")
    panel.wait_for()
    page.wait_for_function(
        "id => document.querySelector('#course_list_default')?.textContent.trim() === id", arg=course_id_of(course),
    )
    for section in ("Released assignments", "Downloaded assignments", "Submitted assignments"):
        assert panel.get_by_text(section, exact=True).is_visible()
    to_fetch = panel.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT_00)
    to_fetch.wait_for()
    for loading in panel.locator(".list_loading").all():
        loading.wait_for(state="hidden")
    screenshot(page, "student_assignment_list_released_00")
    assert_no_errors(panel)

    to_fetch.get_by_role("button", name="Fetch").click()
    fetched = panel.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT_00).first
    fetched.wait_for()
    screenshot(page, "student_assignment_list_fetched_00")
    assert_no_errors(panel)
    name = Path(EXERCISES_00).name
    copies = [p for p in course.rglob(f"{ASSIGNMENT_00}/{name}") if p.parts[len(course.parts)] not in ("exercises", "solutions", "build")]
    assert copies, f"Fetch must put {ASSIGNMENT_00}/{name} in the students' folder"


def test_instructor_formgrader_lists_and_generates_assignments(lab: LabServer, course: Path, page: Page):
    """Formgrader lists every assignment of solutions/, and Generate rewrites 00's student version."""
    assignments = sorted(p.name for p in (course / "solutions").iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    page.goto(lab.url("/formgrader"))
    names = page.locator("#main-table td.name")
    names.nth(len(assignments) - 1).wait_for()
    assert sorted(names.all_inner_texts()) == assignments, "Formgrader must list every assignment of solutions/"
    screenshot(page, "instructor_formgrader_assignments")

    student_version = course / EXERCISES_00
    before = student_version.stat().st_mtime_ns
    outcome = formgrader_action(page, ASSIGNMENT_00, "assign")
    screenshot(page, "instructor_formgrader_generate_00_succeeded")
    assert outcome.get_attribute("id") == "success-modal", outcome.inner_text()
    assert f"Successfully created the student version of '{ASSIGNMENT_00}'" in outcome.inner_text()
    assert student_version.stat().st_mtime_ns > before, f"Generate must rewrite {EXERCISES_00}"
    outcome.get_by_role("button", name="OK").click()
    outcome.wait_for(state="hidden")
    page.locator(".modal-backdrop").wait_for(state="detached")
    row = formgrader_row(page, ASSIGNMENT_00)
    # "draft" until released; the Assignment List scenario may have released it already.
    assert row.locator("td.status").inner_text().strip() in ("draft", "released")
    assert row.locator("td.preview a").count() == 1, "a generated assignment can be previewed"
    screenshot(page, "instructor_formgrader_after_generate")


def test_teaching_notebook_00_renders_its_plots(lab: LabServer, course: Path, page: Page):
    """Run All on teaching notebook 00: every cell runs, no error, its plots appear on the page."""
    nb = nbformat.read(course / TEACHING_00, as_version=4)
    cells = open_notebook(page, lab_url(lab, "teaching", TEACHING_00), len(nb.cells))
    menu(page, "Run", "Run All Cells")
    wait_for_run(page, cells.nth(first_code_index(nb)))
    images = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output img")
    assert images.count() >= 1, "the teaching notebook must show at least one plot"
    center(images.first)
    screenshot(page, "teaching_00_first_plot")

    save(page)
    ran = nbformat.read(course / TEACHING_00, as_version=4)
    code = [c for c in ran.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"error output: {errors[0].ename}: {errors[0].evalue}"
    assert all(c.execution_count for c in code), "Run All must run every code cell"
    shown = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert images.count() == shown, f"{shown} plots in the saved notebook, {images.count()} on the page"



def test_an_exercise_opened_and_saved_in_jupyterlab_stays_in_sync(lab: LabServer, course: Path, page: Page, tmp_path: Path):
    """A student opens the committed exercises of 01 and saves them: JupyterLab rewrites the kernel's
    metadata, and `check` still finds exercises/ in sync."""
    path = f"exercises/{ASSIGNMENT_01}/{ASSIGNMENT_01}_exercises.ipynb"
    nb = nbformat.read(course / path, as_version=4)
    assert "version" not in nb.metadata.get("language_info", {})
    open_notebook(page, lab_url(lab, "sync", path), len(nb.cells))
    save(page)
    saved = nbformat.read(course / path, as_version=4)
    assert saved.metadata["language_info"].get("version"), "JupyterLab writes the kernel's Python version on saving"
    assert nbgrading.out_of_sync(load_project(course), tmp_path / "work") == []
