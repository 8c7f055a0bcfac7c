"""What a person does in JupyterLab 4, done through Playwright: open, run, type, read dialogs."""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright

#: Seconds a kernel may take to run a notebook (the teaching notebook 00 takes about 20 s).
KERNEL_TIMEOUT_S = 120
#: Where the browser tests leave their screenshots (an ignored folder).
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
#: The settings JupyterLab reads from the test's own settings folder: no news toast over the page.
QUIET_SETTINGS = {"@jupyterlab/apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}'}


def chromium_path() -> str:
    """Debian's Chromium, or a failed test saying how to install it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is missing: install it with `sudo apt-get install chromium` (as root: `make system`).", pytrace=False)
    return found


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Chromium (without its sandbox when running as root, which Chromium refuses otherwise)."""
    args = ["--disable-dev-shm-usage"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    return playwright.chromium.launch(executable_path=chromium_path(), args=args)


def write_quiet_settings(settings_dir: Path) -> None:
    """Write :data:`QUIET_SETTINGS` into a JupyterLab user-settings folder."""
    for plugin, text in QUIET_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as ``build/screenshots/NAME.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_notebook(page: Page, url: str, cells: int) -> Locator:
    """Open a notebook's JupyterLab address and wait until all its ``cells`` are on the page.

    Returns:
        The notebook's cells, in order.
    """
    page.goto(url)
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    all_cells = notebook.locator(".jp-Cell")
    all_cells.first.wait_for()
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length === n",
        arg=[".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell", cells],
    )
    kernel_idle(page).wait_for(timeout=KERNEL_TIMEOUT_S * 1000)
    return all_cells


def kernel_idle(page: Page) -> Locator:
    """The notebook toolbar's kernel indicator while the kernel is idle."""
    return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status="idle"]')


def menu(page: Page, *labels: str) -> None:
    """Click through the menu bar: ``menu(page, "Run", "Run All Cells")``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(labels[0])}$")).click()
    for label in labels[1:]:
        page.locator(".lm-Menu-item:visible", has=page.locator(
            ".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$"))).click()


def wait_for_run(page: Page, first_code_cell: Locator) -> None:
    """Wait until a run started from the first code cell is over: it has a number, nothing is queued, the kernel is idle."""
    first_code_cell.locator(".jp-InputPrompt", has_text=re.compile(r"\[\d+\]")).wait_for(timeout=KERNEL_TIMEOUT_S * 1000)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('[*]'))",
        timeout=KERNEL_TIMEOUT_S * 1000,
    )
    kernel_idle(page).wait_for(timeout=KERNEL_TIMEOUT_S * 1000)


def type_into_cell(page: Page, cell: Locator, lines: list[str]) -> str:
    """Replace a code cell's text by typing ``lines`` as a person would (Enter between them).

    The editor indents after a colon by itself, so lines are typed without their leading spaces.

    Returns:
        The cell's text afterwards, as the editor holds it.
    """
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    for number, line in enumerate(lines):
        if number:
            page.keyboard.press("Enter")
        page.keyboard.type(line.lstrip())
    return editor.inner_text()


def center(element: Locator) -> None:
    """Scroll ``element`` to the middle of its scrolling area (for a screenshot that shows it whole).

    Cells above it are laid out as they come into view and change height, so it scrolls until it stays put.
    """
    element.evaluate("""async e => {
        for (let i = 0; i < 3; i++) {
            e.scrollIntoView({block: 'center'});
            await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        }
    }""")


def save(page: Page) -> None:
    """Click the notebook's Save button and wait until its tab is no longer marked unsaved."""
    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar-item[data-jp-item-name="save"] button').click()
    page.locator(".lm-DockPanel .lm-TabBar-tab.lm-mod-current.jp-mod-dirty").wait_for(state="detached")
