"""The student's HTML feedback page: scores on top, the graded notebook below, nothing hidden leaks."""

import html
import re
from html.parser import HTMLParser

import nbformat
import pytest
from conftest import ROOT, ASSIGNMENT_00, code_cell, markdown_cell, notebook

from helpers.course import feedback
from helpers.course.feedback import HIDDEN_TESTS_NOTICE, hide_hidden_tests, render_feedback
from helpers.course.hygiene import is_test_cell, nbgrader_meta
from helpers.course.outcomes import FAILED, NOT_COUNTED, NOT_RUN, PASSED
from helpers.course.outcomes import TestOutcome as Outcome  # not named Test*: pytest would try to collect it

SECRET = "SECRET_HIDDEN_42"
XSS = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>"


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the page's visible text."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def page_text(page: str) -> str:
    """What a reader sees: the page without tags (code highlighting splits source into spans)."""
    return "".join(_Tags(page).text)


def grade_cell(source: str, grade_id: str = "ex1_test", points: int = 2) -> nbformat.NotebookNode:
    """A locked nbgrader test cell."""
    return code_cell(source, grade=True, locked=True, points=points, grade_id=grade_id)


def answer_cell(source: str = "x = 1", grade_id: str = "ex1") -> nbformat.NotebookNode:
    """An nbgrader answer cell."""
    return code_cell(source, solution=True, grade_id=grade_id)


def stream(text: str, name: str = "stdout") -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name=name, text=text)


def render(nb, outcomes=(), **kwargs) -> str:
    return render_feedback(nb, list(outcomes), student=kwargs.pop("student", "s001"), assignment="00_demo", **kwargs)


def test_hide_hidden_tests_keeps_the_visible_part():
    source = "check(x)\n    ### BEGIN HIDDEN TESTS\n    secret()\n    ### END HIDDEN TESTS\nprint('done')"
    visible, hidden = hide_hidden_tests(source)
    assert visible == f"check(x)\n    {HIDDEN_TESTS_NOTICE}\nprint('done')"
    assert hidden == ["    ### BEGIN HIDDEN TESTS", "    secret()", "    ### END HIDDEN TESTS"]


def test_hide_hidden_tests_without_end_marker_hides_the_rest():
    visible, hidden = hide_hidden_tests("check(x)\n### BEGIN HIDDEN TESTS\nsecret()\nmore()")
    assert visible == f"check(x)\n{HIDDEN_TESTS_NOTICE}"
    assert "more()" in hidden
    assert hide_hidden_tests("a()\n### END HIDDEN TESTS\nb()")[0] == "a()\nb()"


def test_hidden_tests_do_not_leak_through_source_or_outputs():
    hidden_line = f'assert {SECRET} == x, "values differ"'
    test = grade_cell(f'check_value(x, name="x")\n### BEGIN HIDDEN TESTS\n{hidden_line}\n### END HIDDEN TESTS\nprint("ok")')
    traceback = [
        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
        f"\x1b[0;32m----> 3\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m {SECRET} \x1b[38;5;241m==\x1b[39m x",
        "\x1b[0;31mAssertionError\x1b[0m: values differ",
    ]
    test.outputs = [
        stream(f"/tmp/ipykernel_1/2.py:3: UserWarning: careful\n  {hidden_line}\n", name="stderr"),
        nbformat.v4.new_output("display_data", data={"text/html": f"<b>{SECRET}</b>", "text/plain": "<b>"}),
        nbformat.v4.new_output("error", ename="AssertionError", evalue="values differ", traceback=traceback),
    ]
    # A later cell of the student's reads the test back from IPython's history.
    snoop = answer_cell("print(In[2])", grade_id="ex2")
    snoop.outputs = [stream(test.source), nbformat.v4.new_output("display_data", data={"text/html": f"<pre>{hidden_line}</pre>"})]
    message = "CheckError: x is wrong.\n  expected: 2\n  got:      1\nHint: add one."
    page = render(notebook(answer_cell(), test, snoop), [Outcome("ex1_test", 0, 2, FAILED, message)])

    text = page_text(page)
    assert SECRET not in page and SECRET not in text
    assert "BEGIN HIDDEN TESTS" not in text
    assert 'check_value(x, name="x")' in text  # the visible checks are shown
    assert HIDDEN_TESTS_NOTICE in text
    assert "AssertionError: values differ" in text  # the error, without its traceback
    assert message in text  # in the table and in the test cell's badge, line breaks kept
    assert text.count(message) == 2


def test_badge_does_not_repeat_the_error_the_cell_shows():
    test = grade_cell("check(x)\nprint('ok')")
    test.execution_count = "<b>7</b>"  # not a number: not shown
    test.outputs = [nbformat.v4.new_output("error", ename="CheckError", evalue="x is wrong.\n  expected: 1", traceback=["..."])]
    message = "CheckError: x is wrong.\n  expected: 1"
    page = render(notebook(test), [Outcome("ex1_test", 0, 2, FAILED, message)])
    assert page_text(page).count(message) == 2  # the table and the cell's error, not the badge too
    assert "<b>7</b>" not in page


def test_huge_stream_is_cut_with_a_notice():
    answer = answer_cell("print('x' * 10 * 2**20)")
    answer.outputs = [stream("x" * (10 * 2**20))]
    page = render(notebook(answer))
    assert len(page.encode()) < 1_000_000
    assert f"[... {10 * 2**20 - feedback.MAX_TEXT_CHARS:,} more characters cut ...]" in page


def test_output_caps_per_cell_image_and_traceback():
    prints = answer_cell("for i in range(40): display(i)")
    prints.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": f"value {i}"}) for i in range(40)]
    picture = answer_cell("plot()", grade_id="ex2")
    picture.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "A" * 2_000_000, "text/plain": "<Figure>"})]
    crash = answer_cell("deep()", grade_id="ex3")
    crash.outputs = [nbformat.v4.new_output(
        "error", ename="RecursionError", evalue="too deep", traceback=[f"frame line {i}" for i in range(100)] + ["RecursionError: too deep"],
    )]
    text = page_text(render(notebook(prints, picture, crash)))
    assert "value 29" in text and "value 30" not in text
    assert "10 more outputs not shown" in text
    assert "A" * 1000 not in text and "image not shown: 2.0 MB" in text
    assert "frame line 99" in text and "frame line 80" not in text
    assert "86 earlier traceback lines cut" in text


def test_page_budget_drops_later_outputs(monkeypatch):
    monkeypatch.setattr(feedback, "PAGE_BUDGET_CHARS", 50_000)
    cells = []
    for i in range(10):
        cell = answer_cell(f"print({i})", grade_id=f"ex{i}")
        cell.outputs = [stream(f"cell {i} " + "y" * 15_000)]
        cells.append(cell)
    text = page_text(render(notebook(*cells)))
    assert "cell 0 " in text and "cell 9 " not in text
    assert "page reached its 50,000-character limit" in text


@pytest.mark.parametrize("where", ["markdown", "html output", "markdown output"])
def test_student_html_is_not_active(where):
    cell = markdown_cell(f"## My notes\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n{XSS}")
    if where != "markdown":
        mime = "text/html" if where == "html output" else "text/markdown"
        cell = answer_cell("show()")
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={mime: f"<h2>My notes</h2><table><tr><td>1</td></tr></table>{XSS}"}),
            nbformat.v4.new_output("display_data", data={"application/javascript": "alert(2)", "text/plain": "js"}),
        ]
    page = render(notebook(cell))
    tags = _Tags(page).tags
    assert "script" not in {tag for tag, _ in tags}
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")]
    assert not [value for _, attrs in tags for value in attrs.values() if value and "javascript:" in value.lower()]
    assert {"h2", "table", "td"} <= {tag for tag, _ in tags}  # ordinary markup still renders
    assert "alert(1)" in page_text(page)  # shown as text
    assert "Content-Security-Policy" in page


def test_score_table_names_each_test_by_its_exercise_and_says_what_is_unanswered():
    cells = [markdown_cell("# Demo\n\nTotal: 3 points"), markdown_cell("## Exercise 1 · Double it (3 points)")]
    cells += [answer_cell("raise NotImplementedError()", "ex1"), grade_cell("check(y1)\nprint('ok')", "ex1_test", 3)]
    page = render(notebook(*cells), [Outcome("ex1_test", 0, 3, FAILED, "NotImplementedError: ")])
    row = re.findall(r"<tr class=\"fb-[a-z-]+\">(.*?)</tr>", page, re.DOTALL)[0]
    assert "Exercise 1 · Double it" in row and "ex1_test" in row
    assert "Not answered yet" in html.unescape(row) and "NotImplementedError:" not in row.split("</a>")[1].split("Not answered")[0]


def test_score_table_badges_and_input_unchanged():
    cells = [markdown_cell("# Demo\n\nTotal: 8 points")]
    outcomes = [
        Outcome("ex1_test", 2, 2, PASSED),
        Outcome("ex2_test", 0, 2, FAILED, "CheckError: y has the wrong shape.\n  expected: (7, 7)\n  got:      (7, 1)"),
        Outcome("ex3_test", 0, 1.5, NOT_RUN, "the notebook's time budget ran out"),
        Outcome("ex4_test", 0, 2.5, NOT_COUNTED, "torch.allclose was replaced"),
    ]
    for i, outcome in enumerate(outcomes, start=1):
        test = grade_cell(f"check(y{i})\n### BEGIN HIDDEN TESTS\nassert y{i} == {i}\n### END HIDDEN TESTS\nprint('ok')", outcome.grade_id, outcome.max_points)
        test.outputs = [stream("ok\n")] if outcome.status == PASSED else []
        cells += [answer_cell(f"y{i} = {i}", f"ex{i}"), test]
    nb = notebook(*cells)
    nb.cells[0].metadata["tags"] = ["intro"]
    before = nbformat.writes(nb)

    page = render(nb, outcomes, student="ada <lovelace>", notes=["Cell 4 was restored from the release version."])

    assert nbformat.writes(nb) == before
    summary = page[page.index('<header class="fb-summary">'):page.index("</header>")]
    rows = re.findall(r"<tr class=\"fb-[a-z-]+\">(.*?)</tr>", summary, re.DOTALL)
    assert len(rows) == 4
    for row, outcome, points in zip(rows, outcomes, ["2 / 2", "0 / 2", "0 / 1.5", "0 / 2.5"]):
        cells_text = [html.unescape(re.sub(r"<[^>]+>", "", td)) for td in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)]
        assert cells_text[0] == outcome.grade_id
        assert cells_text[1] == points
        assert outcome.status in cells_text[2]
        assert cells_text[3] == outcome.message
    text = page_text(summary)
    assert "Score: 2 / 8 points" in text
    assert "ada <lovelace>" in text and "ada <lovelace>" not in summary  # escaped
    assert "Cell 4 was restored from the release version." in text
    badges = re.findall(r'<div class="fb-badge (fb-[a-z-]+)" id="fb-(ex\d_test)">', page)
    assert badges == [("fb-passed", "ex1_test"), ("fb-failed", "ex2_test"), ("fb-not-run", "ex3_test"), ("fb-not-counted", "ex4_test")]


def test_real_assignment_shows_no_hidden_tests():
    path = ROOT / "solutions" / ASSIGNMENT_00 / f"{ASSIGNMENT_00}_exercises.ipynb"
    nb = nbformat.read(path, as_version=4)
    tests = [cell for cell in nb.cells if is_test_cell(cell)]
    assert tests and all("### BEGIN HIDDEN TESTS" in cell.source for cell in tests)
    statuses = [PASSED, FAILED, NOT_RUN, NOT_COUNTED]
    outcomes = []
    for i, cell in enumerate(tests):
        meta = nbgrader_meta(cell)
        status = statuses[i % len(statuses)]
        outcomes.append(Outcome(meta["grade_id"], meta["points"] if status == PASSED else 0, meta["points"], status,
                                    "" if status == PASSED else f"CheckError: problem {i}.\n  expected: a\n  got:      b"))
        if status == FAILED:  # an IPython traceback quotes the whole cell
            cell.outputs = [nbformat.v4.new_output("error", ename="CheckError", evalue=f"problem {i}.", traceback=cell.source.split("\n"))]
    before = nbformat.writes(nb)

    page = render(nb, outcomes)

    assert nbformat.writes(nb) == before
    text = page_text(page)
    assert "BEGIN HIDDEN TESTS" not in text and "END HIDDEN TESTS" not in text
    assert text.count(HIDDEN_TESTS_NOTICE) == len(tests)
    visible = "\n".join(hide_hidden_tests(cell.source)[0] for cell in nb.cells)
    hidden = {line.strip() for cell in tests for line in hide_hidden_tests(cell.source)[1]}
    distinctive = {line for line in hidden if len(line) >= 8 and line not in visible}  # not also a visible line
    assert len(distinctive) > 20
    assert not [line for line in distinctive if line in text]
    assert page.count('class="fb-badge ') == len(tests)
    first_lines = [hide_hidden_tests(cell.source)[0].strip().splitlines()[0] for cell in tests]
    assert all(line in text for line in first_lines), "the visible checks are there"
